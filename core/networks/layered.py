"""Dense layered networks of a whole population: substrates decoded by HyperNEAT and ES-HyperNEAT.

Every network of the batch has the same nodes (the substrate's neurons); only weights and biases
differ, and an unexpressed link is a zero weight. Nodes are numbered inputs first, then groups of
computed nodes in order (hidden sheets or rows, the outputs last). A group reads a contiguous
range of earlier nodes, so one activation is one batched matrix product per group:
``values[group] = act(W_group @ values[sources] + bias[group])``.

This is the same network as the graph genome ``genome(i)`` builds (tests compare it with
``PopulationNetwork`` over those genomes); it exists because a HyperNEAT substrate of 14,641
links per genome would cost a second of Python objects per generation as genes.
``LayeredNetworks`` offers what tasks use of ``PopulationNetwork`` (``activate``, ``reset``,
``select``, ``size``, ``checkpoint``, ``genomes``), so any task evaluates it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from core.networks.activations import ACTIVATIONS
from core.networks.genome import ConnectionGene, Genome, NodeGene


@dataclass(frozen=True, slots=True)
class NodeGroup:
    """Computed nodes ``[start, stop)`` reading the earlier nodes ``[source_start, start)``."""

    start: int
    stop: int
    source_start: int
    activation: str

    def __post_init__(self) -> None:
        if not 0 <= self.source_start <= self.start < self.stop:
            raise ValueError(f"a node group needs 0 <= source_start <= start < stop, got {self}")
        if self.activation not in ACTIVATIONS:
            raise ValueError(f"unknown activation {self.activation!r}; known: {', '.join(ACTIVATIONS)}")


class LayeredNetworks:
    """Many networks over one layered node set, evaluated together.

    Args:
        num_inputs: input nodes (numbered first).
        groups: computed node groups in evaluation order; they tile ``[num_inputs, N)`` and the
            last one holds the outputs.
        weights: one (P, stop - start, start - source_start) array per group.
        biases: (P, N) biases (entries of input nodes are ignored).
        genome_ids: the id each network's genome carries (default 0..P-1).
        present: optional (P, N) bool, False for hidden nodes a network does not have (all their
            weights are zero); they are left out of ``genomes``.
    """

    recurrent = False
    # Always numpy: tasks that offer a compiled (numba) episode loop ask for these and fall back.
    kernel = "numpy"
    flat = None
    kernels = None

    def __init__(
        self,
        num_inputs: int,
        groups: Sequence[NodeGroup],
        weights: Sequence[np.ndarray],
        biases: np.ndarray,
        genome_ids: Sequence[int] | None = None,
        present: np.ndarray | None = None,
    ):
        if not groups or len(groups) != len(weights):
            raise ValueError("LayeredNetworks needs one weight array per node group, and at least one group")
        expected_start = num_inputs
        for group in groups:
            if group.start != expected_start:
                raise ValueError(f"node groups must tile the computed nodes in order; group {group} should start at {expected_start}")
            expected_start = group.stop
        self.size = int(biases.shape[0])
        self.node_count = expected_start
        for group, w in zip(groups, weights):
            shape = (self.size, group.stop - group.start, group.start - group.source_start)
            if w.shape != shape:
                raise ValueError(f"weights of group {group} must have shape {shape}, got {w.shape}")
        if biases.shape != (self.size, self.node_count):
            raise ValueError(f"biases must have shape {(self.size, self.node_count)}, got {biases.shape}")
        self.num_inputs = num_inputs
        self.num_outputs = groups[-1].stop - groups[-1].start
        self.groups = tuple(groups)
        self.weights = tuple(np.asarray(w, dtype=np.float64) for w in weights)
        self.biases = np.asarray(biases, dtype=np.float64)
        self.genome_ids = tuple(range(self.size)) if genome_ids is None else tuple(int(i) for i in genome_ids)
        self.present = present
        # Called before every activation, like PopulationNetwork's (pause / stop).
        self.checkpoint: Callable[[], None] | None = None

    # --- what tasks use ---------------------------------------------------------------------

    def reset(self) -> None:
        """Feed-forward: no state to forget."""

    def activate(self, inputs: np.ndarray) -> np.ndarray:
        """Every network's outputs for a batch of cases.

        Args:
            inputs: (P, E, num_inputs) per-network inputs, or (E, num_inputs) shared by all.

        Returns:
            (P, E, num_outputs) outputs.
        """
        if self.checkpoint is not None:
            self.checkpoint()
        inputs = np.asarray(inputs, dtype=np.float64)
        if inputs.ndim not in (2, 3) or inputs.shape[-1] != self.num_inputs or (inputs.ndim == 3 and inputs.shape[0] != self.size):
            raise ValueError(f"inputs must be ({self.size}, E, {self.num_inputs}) or (E, {self.num_inputs}), got {inputs.shape}")
        cases = inputs.shape[-2]
        values = np.empty((self.size, self.node_count, cases))
        values[:, : self.num_inputs, :] = inputs.T if inputs.ndim == 2 else inputs.transpose(0, 2, 1)
        for group, w in zip(self.groups, self.weights):
            # einsum's own loops, not BLAS: multithreaded BLAS on a busy machine stalls for tens of
            # times its compute (measured 645 ms against 19 ms for boxes' 150 x 121 x 121 products),
            # and a genome's sums here never depend on the batch around it.
            pre = np.einsum("pmk,pke->pme", w, values[:, group.source_start : group.start, :])
            pre += self.biases[:, group.start : group.stop, None]
            values[:, group.start : group.stop, :] = ACTIVATIONS[group.activation](pre)
        return values[:, self.node_count - self.num_outputs :, :].transpose(0, 2, 1)

    def select(self, indices: np.ndarray) -> LayeredNetworks:
        """A batch of just the networks at ``indices`` (in that order)."""
        indices = np.asarray(indices, dtype=np.intp)
        subset = LayeredNetworks(
            self.num_inputs,
            self.groups,
            [w[indices] for w in self.weights],
            self.biases[indices],
            [self.genome_ids[i] for i in indices.tolist()],
            None if self.present is None else self.present[indices],
        )
        subset.checkpoint = self.checkpoint
        return subset

    @property
    def genomes(self) -> list[Genome]:
        """Every network as a graph genome (slow for large substrates: one gene per link)."""
        return [self.genome(i) for i in range(self.size)]

    # --- inspection -------------------------------------------------------------------------

    def link_counts(self) -> np.ndarray:
        """(P,) expressed (non-zero) links of each network."""
        return sum((np.count_nonzero(w.reshape(self.size, -1), axis=1) for w in self.weights), np.zeros(self.size, dtype=np.int64))

    def node_kinds(self) -> np.ndarray:
        """(N,) 0 input, 1 output, 2 hidden, by node index."""
        kinds = np.full(self.node_count, 2, dtype=np.int8)
        kinds[: self.num_inputs] = 0
        kinds[self.node_count - self.num_outputs :] = 1
        return kinds

    def genome_node_ids(self) -> np.ndarray:
        """(N,) the graph-genome node id of each node index: inputs 0.., outputs next, hidden after."""
        n_in, n_out, n = self.num_inputs, self.num_outputs, self.node_count
        ids = np.empty(n, dtype=np.int64)
        ids[:n_in] = np.arange(n_in)
        ids[n - n_out :] = n_in + np.arange(n_out)
        ids[n_in : n - n_out] = n_in + n_out + np.arange(n - n_out - n_in)
        return ids

    def genome(self, index: int) -> Genome:
        """Network ``index`` as a graph genome: one node gene per neuron it has, one connection
        gene per expressed link (innovation = target index * N + source index)."""
        kinds = self.node_kinds()
        ids = self.genome_node_ids().tolist()
        activation = ["identity"] * self.node_count
        for group in self.groups:
            activation[group.start : group.stop] = [group.activation] * (group.stop - group.start)
        biases = self.biases[index].tolist()
        present = np.ones(self.node_count, dtype=bool) if self.present is None else self.present[index]
        names = ("input", "output", "hidden")
        nodes = {}
        for node in np.flatnonzero(present | (kinds != 2)).tolist():
            kind = names[kinds[node]]
            nodes[ids[node]] = NodeGene(ids[node], kind, 0.0 if kind == "input" else biases[node], 1.0, activation[node], "sum")  # type: ignore[arg-type]
        connections = {}
        for group, w in zip(self.groups, self.weights):
            rows, columns = np.nonzero(w[index])
            values = w[index][rows, columns].tolist()
            for row, column, weight in zip(rows.tolist(), columns.tolist(), values):
                target, source = group.start + row, group.source_start + column
                innovation = target * self.node_count + source
                connections[innovation] = ConnectionGene(innovation, ids[source], ids[target], weight, True)
        return Genome(self.genome_ids[index], nodes, connections)
