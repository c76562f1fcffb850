"""Population-batched network evaluation: all genomes x all cases in one numpy pass per layer.

The population's genomes are compiled once into flat arrays (the tensorneat "transform", run
once per generation) and then activated many times (its "forward"). Every node of every genome
owns a row ("slot") of a value matrix with one column per parallel case (an episode or an input
pattern), so gathering a layer's inputs copies whole rows. Feed-forward nets are computed layer by layer, all genomes' depth-d nodes at once;
recurrent nets compute all nodes from the previous step's values in one pass.

``core.networks.decode`` builds the one-genome reference network that this must match. With
``kernel="numba"`` the same population is also laid out as ragged per-genome arrays
(``core.networks.flat``) and ``activate`` runs the compiled twin of this code
(``core.compiled``), bit for bit the same.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import ModuleType

import numpy as np

from core.networks.activations import ACTIVATIONS, AGGREGATIONS, aggregate
from core.networks.decode import CycleError
from core.networks.flat import FlatNetworks, flatten
from core.networks.genome import Genome
from core.networks.network import BIAS_VALUE

_ZERO_SLOT = 0  # a row that always holds 0.0; padding edges read it
# Slots are ordered by kind code: inputs first, then outputs (read as blocks), then the rest.
_KIND_CODES = {"input": 0, "output": 1, "hidden": 2, "bias": 3}
_ACTIVATION_NAMES = tuple(ACTIVATIONS)
_ACTIVATION_CODES = {name: i for i, name in enumerate(_ACTIVATION_NAMES)}
_AGGREGATION_NAMES = tuple(AGGREGATIONS)
_AGGREGATION_CODES = {name: i for i, name in enumerate(_AGGREGATION_NAMES)}
_NO_STATE = np.zeros(0)


@dataclass(frozen=True, slots=True)
class _Layer:
    """Nodes computed together: their slots, padded incoming edges and node parameters."""

    slots: np.ndarray  # (M,) rows written
    sources: np.ndarray  # (M, K) rows read, padded with _ZERO_SLOT
    weights: np.ndarray  # (M, K, 1), padded with 0
    padding: np.ndarray | None  # (M, K, 1) True on padding; only kept if a non-sum aggregation is used
    has_inputs: np.ndarray  # (M,)
    bias: np.ndarray  # (M, 1)
    response: np.ndarray | None  # (M, 1); None when every response is 1
    activation_groups: tuple[tuple[str, np.ndarray | None], ...]  # rows per activation; None = all
    aggregation_groups: tuple[tuple[str, np.ndarray | None], ...]
    edges: np.ndarray  # (M, K) index into PopulationNetwork.edge_keys, -1 on padding


def _groups(codes: np.ndarray, names: tuple[str, ...]) -> tuple[tuple[str, np.ndarray | None], ...]:
    distinct = np.flatnonzero(np.bincount(codes))  # np.unique would import numpy.ma (~8 ms at start-up)
    if len(distinct) == 1:
        return ((names[int(distinct[0])], None),)
    return tuple((names[int(code)], np.flatnonzero(codes == code)) for code in distinct)


def _sum_left_to_right(weighted: np.ndarray) -> np.ndarray:
    """Sum (M, K, E) over K in order, as the reference network adds.

    numpy's own sum regroups terms (pairwise) past 8 of them, which would make a genome's outputs
    depend on the padded width, i.e. on which other genomes share its batch; trailing zero
    padding changes nothing here.
    """
    totals = weighted[:, 0].copy()
    for column in range(1, weighted.shape[1]):
        totals += weighted[:, column]
    return totals


class PopulationNetwork:
    """The networks of many genomes with equal input and output counts, evaluated together.

    Args:
        genomes: the genomes to compile; left untouched.
        recurrent: False for acyclic genomes (layered feed-forward), True for one synchronous
            step per ``activate`` with state carried between calls.
        kernel: ``numpy``, or ``numba`` for the compiled forward pass. It quietly stays
            ``numpy`` (see ``self.kernel``) when numba is missing, a node uses a function the
            kernels lack, or the population is too big for one kernel call.

    Raises:
        ValueError: no genomes, or genomes with differing input/output counts.
        KeyError: a connection names a node its genome lacks.
        CycleError: ``recurrent`` is False and a genome's enabled connections form a cycle.
    """

    def __init__(self, genomes: Sequence[Genome], recurrent: bool = False, kernel: str = "numpy"):
        if kernel not in ("numpy", "numba"):
            raise ValueError(f"unknown kernel {kernel!r}; known: numpy, numba")
        if not genomes:
            raise ValueError("PopulationNetwork needs at least one genome")
        self.recurrent = recurrent
        self.size = len(genomes)
        self._genomes = list(genomes)
        # Called before every activation so a long evaluation can be paused or abandoned
        # (it may block, or raise to abandon the evaluation); set by the algorithm's ``step``.
        self.checkpoint: Callable[[], None] | None = None

        # Flatten nodes and enabled edges of all genomes, then give every node a row ("slot"):
        # all genomes' inputs first, then all outputs, then hidden nodes, each block by genome and
        # node id, so inputs are written and outputs read as contiguous blocks of rows.
        node_counts = [len(g.nodes) for g in genomes]
        total_nodes = sum(node_counts)
        self.slot_count = total_nodes + 1
        node_ids = np.fromiter((n for g in genomes for n in g.nodes), dtype=np.intp, count=total_nodes)
        all_nodes = [node for g in genomes for node in g.nodes.values()]
        kind = np.fromiter((_KIND_CODES[n.kind] for n in all_nodes), dtype=np.int8, count=total_nodes)
        owner = np.repeat(np.arange(self.size), node_counts)
        src_list: list[int] = []
        dst_list: list[int] = []
        weight_list: list[float] = []
        offset = 0
        for genome, count in zip(genomes, node_counts):
            position_of = dict(zip(genome.nodes, range(offset, offset + count)))
            offset += count
            for conn in genome.connections.values():
                if conn.enabled:
                    try:
                        src_list.append(position_of[conn.in_node])
                        dst_list.append(position_of[conn.out_node])
                    except KeyError:
                        raise KeyError(
                            f"genome {genome.genome_id}: connection {conn.innovation} links missing node "
                            f"{conn.in_node} -> {conn.out_node}"
                        ) from None
                    weight_list.append(conn.weight)
        order = np.lexsort((node_ids, owner, kind))
        slot_of_position = np.empty(total_nodes, dtype=np.intp)
        slot_of_position[order] = np.arange(1, total_nodes + 1)
        src = slot_of_position[np.array(src_list, dtype=np.intp)]
        dst = slot_of_position[np.array(dst_list, dtype=np.intp)]
        edge_weight = np.array(weight_list, dtype=np.float64)

        def by_slot(values, pad):
            return np.concatenate([[pad], np.asarray(values)[order]])

        slot_kind = by_slot(kind, -1)
        self._slot_owner = by_slot(owner, -1)
        self._slot_node_id = by_slot(node_ids, -1)
        self.num_inputs = self._count_per_genome(slot_kind == _KIND_CODES["input"], "inputs")
        self.num_outputs = self._count_per_genome(slot_kind == _KIND_CODES["output"], "outputs")
        self._inputs_end = 1 + self.size * self.num_inputs
        self._outputs_end = self._inputs_end + self.size * self.num_outputs
        # Bias nodes hold a constant; the compiled path (core.networks.flat) reads these too.
        self._constant_slots = np.flatnonzero(slot_kind == _KIND_CODES["bias"])
        self._constant_values = np.full((len(self._constant_slots), 1), BIAS_VALUE)

        required = self._required(slot_kind, src, dst)
        keep = required[dst]
        src, dst, edge_weight = src[keep], dst[keep], edge_weight[keep]
        edge_index = np.flatnonzero(keep)
        computed = required & (slot_kind != _KIND_CODES["input"]) & (slot_kind != _KIND_CODES["bias"])

        node_params = (
            by_slot([n.bias for n in all_nodes], 0.0),
            by_slot([n.response for n in all_nodes], 1.0),
            by_slot([_ACTIVATION_CODES[n.activation] for n in all_nodes], 0),
            by_slot([_AGGREGATION_CODES[n.aggregation] for n in all_nodes], 0),
        )
        if recurrent:
            slots_by_layer = [np.flatnonzero(computed)]
        else:
            depth = self._depths(computed, src, dst, genomes)
            slots_by_layer = [np.flatnonzero(computed & (depth == d)) for d in range(1, int(depth.max(initial=0)) + 1)]
        self._layers = tuple(
            self._compile_layer(slots, src, dst, edge_weight, edge_index, node_params) for slots in slots_by_layer if len(slots)
        )
        self._state: np.ndarray | None = None
        # The compiled path: ragged arrays, the kernels module and the recurrent state (genome
        # after genome, each an (E, slots) block), all None on numpy.
        self.kernel = "numpy"
        self.flat: FlatNetworks | None = None
        self.kernels: ModuleType | None = None
        self._flat_state: np.ndarray | None = None
        if kernel == "numba":
            self._use_compiled()

    def _use_compiled(self) -> None:
        from core.compiled import ACTIVATION_CODES, AGGREGATION_CODES, load

        kernels = load()
        flat = flatten(self, ACTIVATION_CODES, AGGREGATION_CODES) if kernels is not None else None
        if flat is not None:
            self.kernel, self.flat, self.kernels = "numba", flat, kernels

    @property
    def edge_keys(self) -> list[tuple[int, int]]:
        """(genome index, innovation) of every enabled connection, in the order the layers'
        ``edges`` index them, so trained weights can be written back to their genes (read from
        the genomes, which must not have changed since the network was built)."""
        return [(index, conn.innovation) for index, genome in enumerate(self._genomes) for conn in genome.connections.values() if conn.enabled]

    @property
    def genomes(self) -> list[Genome]:
        """The compiled genomes, in batch order."""
        return list(self._genomes)

    def select(self, indices: np.ndarray) -> PopulationNetwork:
        """A batch of just the genomes at ``indices`` (in that order), recurrent state included."""
        subset = PopulationNetwork([self._genomes[i] for i in indices], self.recurrent, self.kernel)
        subset.checkpoint = self.checkpoint
        if self._flat_state is not None and self.flat is not None and subset.flat is not None:
            cases = len(self._flat_state) // int(self.flat.slot_start[-1])
            starts = self.flat.slot_start.astype(np.intp) * cases
            subset._flat_state = np.concatenate([self._flat_state[starts[i] : starts[i + 1]] for i in indices])
        if self._state is not None:
            old_row = {key: row for row, key in enumerate(zip(self._slot_owner.tolist(), self._slot_node_id.tolist()))}
            rows = [
                old_row[(int(indices[owner]), node)]
                for owner, node in zip(subset._slot_owner[1:].tolist(), subset._slot_node_id[1:].tolist())
            ]
            subset._state = np.zeros((subset.slot_count, self._state.shape[1]))
            subset._state[1:] = self._state[rows]
        return subset

    def _count_per_genome(self, is_kind: np.ndarray, label: str) -> int:
        """How many nodes of one kind each genome has; they must all agree."""
        counts = np.bincount(self._slot_owner[is_kind], minlength=self.size)
        if counts.min() != counts.max():
            raise ValueError(f"all genomes in a batch need the same number of {label}, got {sorted(set(counts.tolist()))}")
        return int(counts[0])

    @staticmethod
    def _required(slot_kind: np.ndarray, src: np.ndarray, dst: np.ndarray) -> np.ndarray:
        """Slots from which an output is reachable (outputs included, inputs always kept)."""
        required = slot_kind == _KIND_CODES["output"]
        while True:
            grow = required[dst] & ~required[src]
            if not grow.any():
                break
            required[src[grow]] = True
        required |= (slot_kind == _KIND_CODES["input"]) | (slot_kind == _KIND_CODES["bias"])
        required[_ZERO_SLOT] = False
        return required

    def _depths(self, computed: np.ndarray, src: np.ndarray, dst: np.ndarray, genomes: Sequence[Genome]) -> np.ndarray:
        """Longest-path depth of each slot (inputs 0, unconnected nodes 1), by relaxation."""
        depth = np.where(computed, 1, 0)
        for _ in range(len(computed) + 1):
            candidate = depth.copy()
            np.maximum.at(candidate, dst, depth[src] + 1)
            if np.array_equal(candidate, depth):
                return depth
            depth = candidate
        cyclic = self._slot_owner[int(np.argmax(depth))]
        raise CycleError(f"genome {genomes[cyclic].genome_id} has a cycle of enabled connections")

    @staticmethod
    def _compile_layer(
        slots: np.ndarray,
        src: np.ndarray,
        dst: np.ndarray,
        edge_weight: np.ndarray,
        edge_index: np.ndarray,
        node_params: tuple[np.ndarray, ...],
    ) -> _Layer:
        bias, response, activation, aggregation = node_params
        row_of_slot = np.full(len(bias), -1, dtype=np.intp)
        row_of_slot[slots] = np.arange(len(slots))
        rows = row_of_slot[dst]
        mine = np.flatnonzero(rows >= 0)
        # Stable sort keeps each node's inputs in genome order, as the reference network sums them.
        mine = mine[np.argsort(rows[mine], kind="stable")]
        edge_rows = rows[mine]
        fan_in = np.bincount(edge_rows, minlength=len(slots))
        starts = np.concatenate([[0], np.cumsum(fan_in)[:-1]])
        columns = np.arange(len(mine)) - starts[edge_rows]
        width = max(1, int(fan_in.max(initial=0)))
        sources = np.full((len(slots), width), _ZERO_SLOT, dtype=np.intp)
        weights = np.zeros((len(slots), width))
        edges = np.full((len(slots), width), -1, dtype=np.intp)
        sources[edge_rows, columns] = src[mine]
        weights[edge_rows, columns] = edge_weight[mine]
        edges[edge_rows, columns] = edge_index[mine]
        layer_aggregation = aggregation[slots]
        padding = None
        if (layer_aggregation != _AGGREGATION_CODES["sum"]).any():
            padding = (np.arange(width)[None, :] >= fan_in[:, None])[:, :, None]
        layer_response = response[slots]
        return _Layer(
            slots=slots,
            sources=sources,
            weights=weights[:, :, None],
            padding=padding,
            has_inputs=(fan_in > 0)[:, None],
            bias=bias[slots][:, None],
            response=None if (layer_response == 1.0).all() else layer_response[:, None],
            activation_groups=_groups(activation[slots], _ACTIVATION_NAMES),
            aggregation_groups=_groups(layer_aggregation, _AGGREGATION_NAMES),
            edges=edges,
        )

    def reset(self) -> None:
        """Forget recurrent state (call at every episode start)."""
        self._state = None
        self._flat_state = None

    def _write_inputs(self, values: np.ndarray, inputs: np.ndarray) -> None:
        block = values[1 : self._inputs_end].reshape(self.size, self.num_inputs, values.shape[1])
        block[...] = inputs.T if inputs.ndim == 2 else inputs.transpose(0, 2, 1)
        if len(self._constant_slots):
            values[self._constant_slots] = self._constant_values

    def _read_outputs(self, values: np.ndarray) -> np.ndarray:
        block = values[self._inputs_end : self._outputs_end].reshape(self.size, self.num_outputs, values.shape[1])
        return block.transpose(0, 2, 1)

    @staticmethod
    def _compute(layer: _Layer, source_values: np.ndarray) -> np.ndarray:
        """New values (M, E) of one layer's nodes from the value rows (S, E) they read."""
        weighted = np.take(source_values, layer.sources, axis=0)  # (M, K, E)
        weighted *= layer.weights
        if layer.padding is None:
            totals = _sum_left_to_right(weighted)
        else:
            totals = np.empty((weighted.shape[0], weighted.shape[2]))
            for name, rows in layer.aggregation_groups:
                select = slice(None) if rows is None else rows
                part = np.where(layer.padding[select], AGGREGATIONS[name], weighted[select])
                if name == "sum":
                    totals[select] = _sum_left_to_right(part)
                else:
                    totals[select] = aggregate(name, np.moveaxis(part, 1, -1), layer.has_inputs[select])
        pre = layer.bias + (totals if layer.response is None else layer.response * totals)
        if len(layer.activation_groups) == 1:
            return ACTIVATIONS[layer.activation_groups[0][0]](pre)
        out = np.empty_like(pre)
        for name, rows in layer.activation_groups:
            out[rows] = ACTIVATIONS[name](pre[rows])
        return out

    def activate(self, inputs: np.ndarray) -> np.ndarray:
        """Compute every genome's outputs for a batch of cases.

        Args:
            inputs: (P, E, num_inputs) per-genome inputs, or (E, num_inputs) shared by all.

        Returns:
            (P, E, num_outputs) outputs. Recurrent networks advance one step and keep state.
        """
        if self.checkpoint is not None:
            self.checkpoint()
        inputs = np.asarray(inputs, dtype=np.float64)
        if inputs.ndim not in (2, 3) or inputs.shape[-1] != self.num_inputs or (inputs.ndim == 3 and inputs.shape[0] != self.size):
            raise ValueError(f"inputs must be ({self.size}, E, {self.num_inputs}) or (E, {self.num_inputs}), got {inputs.shape}")
        cases = inputs.shape[-2]
        if self.flat is not None:
            return self._activate_compiled(inputs, cases)
        if self.recurrent:
            if self._state is None or self._state.shape[1] != cases:
                self._state = np.zeros((self.slot_count, cases))
            previous = self._state
            self._write_inputs(previous, inputs)
            values = previous.copy()
            for layer in self._layers:
                values[layer.slots] = self._compute(layer, previous)
            self._state = values
            return self._read_outputs(values).copy()
        values = np.zeros((self.slot_count, cases))
        self._write_inputs(values, inputs)
        for layer in self._layers:
            values[layer.slots] = self._compute(layer, values)
        return self._read_outputs(values)

    def _activate_compiled(self, inputs: np.ndarray, cases: int) -> np.ndarray:
        flat = self.flat
        assert flat is not None and self.kernels is not None
        shared = inputs.ndim == 2
        block = np.ascontiguousarray(inputs[None] if shared else inputs)
        state = _NO_STATE
        if self.recurrent:
            if self._flat_state is None or len(self._flat_state) != int(flat.slot_start[-1]) * cases:
                self._flat_state = np.zeros(int(flat.slot_start[-1]) * cases)
            state = self._flat_state
        outputs = np.empty((self.size, cases, self.num_outputs))
        self.kernels.forward(*flat.arrays(), self.num_inputs, self.num_outputs, self.recurrent, block, shared, state, outputs)
        return outputs
