"""A compiled population as ragged per-genome arrays: what the numba kernels of ``core.compiled`` read.

``PopulationNetwork`` lays all genomes' nodes out in one padded matrix per layer (good for
numpy, which wants few large calls). A compiled kernel instead loops genome by genome, so here
every genome gets its own small block of value slots and its evaluated nodes and edges are
listed back to back with no padding. Array shapes depend only on the totals, never on the
widest genome, so growing topologies never force a recompile.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from core.networks.batch import PopulationNetwork

# Index arrays are int32 (half the memory traffic of int64); a population with more entries
# than this is too big for one kernel call and stays on numpy.
MAX_ENTRIES = 2**31 - 1
_INDEX = np.int32


@dataclass(frozen=True, slots=True)
class FlatNetworks:
    """Every genome's evaluated nodes and edges, genome after genome, in seven arrays.

    Genome ``g`` owns local value slots ``0 .. slots(g) - 1``: its inputs, then its outputs, then
    its other nodes, each group by node id (the order ``PopulationNetwork`` gives them).
    ``genome_index[g]`` = (first slot, first node, first constant) of genome g in the global
    numbering; row P closes the last genome. Node n (in evaluation order: by depth when
    feed-forward) has ``node_index[n]`` = (local slot written, activation code, aggregation
    code, first edge) and ``node_param[n]`` = (bias, response); row N of ``node_index`` closes
    the last node's edges. Edge e reads local slot ``edge_source[e]`` with ``edge_weight[e]``,
    in the genome's connection order. ``const_*`` are slots holding a fixed value at every
    activation (bias nodes); none for today's genomes.
    """

    num_inputs: int
    num_outputs: int
    recurrent: bool
    genome_index: np.ndarray
    node_index: np.ndarray
    node_param: np.ndarray
    edge_source: np.ndarray
    edge_weight: np.ndarray
    const_slot: np.ndarray
    const_value: np.ndarray

    @property
    def size(self) -> int:
        """Number of genomes."""
        return len(self.genome_index) - 1

    @property
    def slot_start(self) -> np.ndarray:
        """(P+1,) first local value slot of each genome in the global numbering."""
        return self.genome_index[:, 0]

    def arrays(self) -> tuple[np.ndarray, ...]:
        """The arrays in the order the kernels take them."""
        return (self.genome_index, self.node_index, self.node_param, self.edge_source, self.edge_weight, self.const_slot, self.const_value)


def _starts(counts: np.ndarray) -> np.ndarray:
    return np.concatenate([[0], np.cumsum(counts)]).astype(_INDEX)


def flatten(population: PopulationNetwork, activation_codes: dict[str, int], aggregation_codes: dict[str, int]) -> FlatNetworks | None:
    """The ragged form of a compiled population, or None when a kernel cannot run it.

    Args:
        population: the numpy-compiled population (its slots and layers are reused, so both
            forms evaluate exactly the same nodes and edges in the same order).
        activation_codes, aggregation_codes: the functions the kernels implement, by name.

    Returns:
        None if a node uses a function the kernels lack, or the population exceeds ``MAX_ENTRIES``.
    """
    owner = population._slot_owner
    size = population.size
    slot_count = np.bincount(owner[1:], minlength=size)
    slot_start = _starts(slot_count)
    # Global slots are ordered by (kind, genome, node id); grouped by genome they keep that order.
    grouped = np.argsort(owner[1:], kind="stable") + 1
    local = np.full(len(owner), -1, dtype=np.int64)
    local[grouped] = np.arange(len(grouped)) - slot_start[owner[grouped]]

    layers = population._layers
    if not layers:
        return None
    slots, bias, response, activation, aggregation, fan_in, sources, weights = ([] for _ in range(8))
    for layer in layers:
        count = len(layer.slots)
        codes = []
        for groups, table in ((layer.activation_groups, activation_codes), (layer.aggregation_groups, aggregation_codes)):
            row_codes = np.empty(count, dtype=_INDEX)
            for name, rows in groups:
                if name not in table:
                    return None
                row_codes[slice(None) if rows is None else rows] = table[name]
            codes.append(row_codes)
        real = layer.sources != 0  # padding reads the zero slot; real edges never do
        slots.append(layer.slots)
        bias.append(layer.bias[:, 0])
        response.append(np.ones(count) if layer.response is None else layer.response[:, 0])
        activation.append(codes[0])
        aggregation.append(codes[1])
        fan_in.append(real.sum(axis=1))
        sources.append(layer.sources[real])
        weights.append(layer.weights[:, :, 0][real])
    node_global = np.concatenate(slots)
    fan = np.concatenate(fan_in)
    source_all = np.concatenate(sources)
    if max(len(owner), len(node_global), len(source_all)) >= MAX_ENTRIES:
        return None
    row_edge_start = np.concatenate([[0], np.cumsum(fan)[:-1]])
    node_owner = owner[node_global]
    by_genome = np.argsort(node_owner, kind="stable")  # keeps evaluation (layer) order within a genome
    fan = fan[by_genome]
    edge_start = _starts(fan)
    take = np.repeat(row_edge_start[by_genome] - edge_start[:-1], fan) + np.arange(edge_start[-1])

    constant_slots = getattr(population, "_constant_slots", np.zeros(0, dtype=np.intp))
    constant_values = getattr(population, "_constant_values", np.zeros((0, 1)))
    const_owner = owner[constant_slots]
    const_order = np.argsort(const_owner, kind="stable")
    nodes = len(node_global)
    node_index = np.zeros((nodes + 1, 4), dtype=_INDEX)
    node_index[:nodes, 0] = local[node_global[by_genome]]
    node_index[:nodes, 1] = np.concatenate(activation)[by_genome]
    node_index[:nodes, 2] = np.concatenate(aggregation)[by_genome]
    node_index[:, 3] = edge_start
    genome_index = np.stack(
        [slot_start, _starts(np.bincount(node_owner, minlength=size)), _starts(np.bincount(const_owner, minlength=size))], axis=1
    )
    return FlatNetworks(
        num_inputs=population.num_inputs,
        num_outputs=population.num_outputs,
        recurrent=population.recurrent,
        genome_index=np.ascontiguousarray(genome_index, dtype=_INDEX),
        node_index=node_index,
        node_param=np.ascontiguousarray(np.stack([np.concatenate(bias), np.concatenate(response)], axis=1)[by_genome], dtype=np.float64),
        edge_source=local[source_all[take]].astype(_INDEX),
        edge_weight=np.ascontiguousarray(np.concatenate(weights)[take], dtype=np.float64),
        const_slot=local[np.asarray(constant_slots)[const_order]].astype(_INDEX),
        const_value=np.ascontiguousarray(np.asarray(constant_values)[const_order, 0], dtype=np.float64),
    )
