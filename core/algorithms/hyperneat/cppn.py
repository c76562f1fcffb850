"""The CPPN side of HyperNEAT: query inputs, batched queries and the expression rule.

A CPPN is an ordinary NEAT genome whose inputs are the coordinates of two substrate neurons and
whose outputs paint the link between them (Stanley, D'Ambrosio & Gauci 2009; constants from
``shared/specs/hyperneat.md``):

- inputs ``x1, y1, x2, y2``, then ``d = sqrt((x2-x1)^2 + (y2-y1)^2)`` if ``distance_input``,
  then ``dx = x2-x1, dy = y2-y1`` if ``delta_inputs``, then the constant 1.0 (bias input);
- outputs ``weight``, then ``leo`` (link expression output) if on, then ``bias`` if on. A node's
  bias is the bias output queried with the source at (0, 0) and the node as target (SharpNEAT).

Expression (``express``): without LEO, a weight output w (clipped to [-1, 1]) makes a link iff
``|w| > t`` and its weight is ``sign(w) * (|w| - t) / (1 - t) * max_weight`` (SharpNEAT's and
PUREPLES' rule; t = 0.2). With LEO, the link exists iff the LEO output is > 0 and its weight is
``w * max_weight``. Biases follow the same magnitude rule (SharpNEAT); with LEO they are
``b * max_weight``. The clip is ours: the rule assumes outputs in [-1, 1], which an output node
whose function is unbounded (identity, abs, square) would break.

Queries of a whole population go through ``PopulationNetwork`` (all CPPNs x all coordinate
pairs); the pairs are cut into chunks so each pass works in cache (same numbers either way:
every case is computed independently).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from core.algorithms.hyperneat.config import HyperNeatSection
from core.networks.batch import PopulationNetwork
from core.networks.genome import Genome

# Values held in flight per chunk: slot rows x cases. About 4 MB of float64 keeps a pass in cache.
CHUNK_VALUES = 2**19


def input_names(section: HyperNeatSection) -> tuple[str, ...]:
    """The CPPN's input names, in input order."""
    names = ["x1", "y1", "x2", "y2"]
    if section.distance_input:
        names.append("d")
    if section.delta_inputs:
        names += ["dx", "dy"]
    return (*names, "bias")


def output_names(section: HyperNeatSection) -> tuple[str, ...]:
    """The CPPN's output names, in output order."""
    return ("weight", *(("leo",) if section.leo else ()), *(("bias",) if section.bias_output else ()))


def link_outputs(section: HyperNeatSection) -> tuple[int, ...]:
    """Positions of the outputs a link query reads (weight, and LEO when on)."""
    return (0, 1) if section.leo else (0,)


def link_network(cppns: Sequence[Genome], section: HyperNeatSection, kernel: str = "numpy") -> PopulationNetwork:
    """The batch that answers link queries (outputs other than weight and LEO cut off).

    ``kernel`` "numba" runs the compiled forward pass (bit-identical answers, about 2.5x faster
    on the boxes substrate); it stays numpy where numba is missing.
    """
    return PopulationNetwork(output_views(cppns, link_outputs(section)), kernel=kernel)


def bias_network(cppns: Sequence[Genome], section: HyperNeatSection, kernel: str = "numpy") -> PopulationNetwork:
    """The batch that answers bias queries (only the bias output computed)."""
    return PopulationNetwork(output_views(cppns, (len(output_names(section)) - 1,)), kernel=kernel)


def query_inputs(sources: np.ndarray, targets: np.ndarray, section: HyperNeatSection) -> np.ndarray:
    """(E, inputs) CPPN inputs for links from ``sources`` (E, 2) to ``targets`` (E, 2)."""
    sources = np.asarray(sources, dtype=np.float64)
    targets = np.asarray(targets, dtype=np.float64)
    columns = [sources[:, 0], sources[:, 1], targets[:, 0], targets[:, 1]]
    dx = targets[:, 0] - sources[:, 0]
    dy = targets[:, 1] - sources[:, 1]
    if section.distance_input:
        columns.append(np.sqrt(dx * dx + dy * dy))
    if section.delta_inputs:
        columns += [dx, dy]
    columns.append(np.ones(len(sources)))
    return np.column_stack(columns)


def bias_inputs(nodes: np.ndarray, section: HyperNeatSection) -> np.ndarray:
    """(N, inputs) CPPN inputs that ask for the biases of neurons at ``nodes`` (N, 2)."""
    return query_inputs(np.zeros_like(np.asarray(nodes, dtype=np.float64)), nodes, section)


def express(raw: np.ndarray, threshold: float, max_weight: float) -> np.ndarray:
    """Weights from raw CPPN outputs by the magnitude rule (0 where no link is expressed)."""
    raw = np.asarray(raw, dtype=np.float64)
    magnitude = np.abs(raw)
    np.minimum(magnitude, 1.0, out=magnitude)
    silent = ~(magnitude > threshold)  # NaN outputs express nothing
    # SharpNEAT's order of operations: (|w| - t) * (max / (1 - t)), then the sign.
    weights = np.subtract(magnitude, threshold, out=magnitude)
    weights *= max_weight / (1.0 - threshold)
    np.copysign(weights, raw, out=weights)
    weights[silent] = 0.0
    return weights


def link_weights(outputs: np.ndarray, section: HyperNeatSection) -> np.ndarray:
    """Link weights (...) from CPPN outputs (..., outputs): the LEO gate or the magnitude rule."""
    weight = outputs[..., 0]
    if section.leo:
        return np.where(outputs[..., 1] > 0.0, np.clip(weight, -1.0, 1.0) * section.max_weight, 0.0)
    return express(weight, section.weight_threshold, section.max_weight)


def node_biases(outputs: np.ndarray, section: HyperNeatSection) -> np.ndarray:
    """Node biases (...) from CPPN outputs of bias queries; zeros without a bias output."""
    if not section.bias_output:
        return np.zeros(outputs.shape[:-1])
    bias = outputs[..., -1]
    if section.leo:
        return np.clip(bias, -1.0, 1.0) * section.max_weight
    return express(bias, section.weight_threshold, section.max_weight)


def output_views(cppns: Sequence[Genome], keep: Sequence[int]) -> list[Genome]:
    """The CPPNs with every output but those at positions ``keep`` cut off from its inputs.

    Link queries read only the weight (and LEO) output and bias queries only the bias output, so
    the batch skips the nodes that feed nothing read. The kept outputs compute exactly as in the
    whole CPPN (same genes, same order); the views share the genomes' node genes.
    """
    views = []
    for cppn in cppns:
        outputs = cppn.output_ids()
        dropped = {node for position, node in enumerate(outputs) if position not in keep}
        if not dropped:
            views.append(cppn)
            continue
        connections = {k: c for k, c in cppn.connections.items() if c.out_node not in dropped}
        views.append(Genome(cppn.genome_id, cppn.nodes, connections))
    return views


class QueryRows:
    """Query rows made on demand, for substrates too large to hold every row at once.

    ``blocks`` are (sources (S, 2), targets (T, 2)) pairs: T * S rows each, target-major (for
    every target, every source); ``extra`` rows (an (X, inputs) array) follow.
    """

    def __init__(self, blocks: list[tuple[np.ndarray, np.ndarray]], extra: np.ndarray, section: HyperNeatSection):
        self.blocks = blocks
        self.extra = extra
        self.section = section
        self.starts = np.cumsum([0, *(len(s) * len(t) for s, t in blocks)])

    def __len__(self) -> int:
        return int(self.starts[-1]) + len(self.extra)

    def rows(self, start: int, stop: int) -> np.ndarray:
        """Rows ``[start, stop)`` as CPPN inputs."""
        parts = []
        for (sources, targets), first, last in zip(self.blocks, self.starts[:-1], self.starts[1:]):
            lo, hi = max(start, first), min(stop, last)
            if lo < hi:
                index = np.arange(lo - first, hi - first)
                parts.append(query_inputs(sources[index % len(sources)], targets[index // len(sources)], self.section))
        lo, hi = max(start, int(self.starts[-1])), stop
        if lo < hi:
            parts.append(self.extra[lo - int(self.starts[-1]) : hi - int(self.starts[-1])])
        return np.concatenate(parts)

    def array(self) -> np.ndarray:
        """Every row at once."""
        return self.rows(0, len(self))


def query(network: PopulationNetwork, inputs: np.ndarray | QueryRows, checkpoint: Callable[[], None] | None = None) -> np.ndarray:
    """(P, E, outputs) of every CPPN for every query row of ``inputs`` (E, inputs).

    The result is a view of a (P, outputs, E) array, so ``result[..., k]`` is contiguous.
    """
    network.checkpoint = checkpoint
    cases = len(inputs)
    chunk = max(64, CHUNK_VALUES // network.slot_count)
    out = np.empty((network.size, network.num_outputs, cases))
    for start in range(0, cases, chunk):
        rows = inputs.rows(start, start + chunk) if isinstance(inputs, QueryRows) else inputs[start : start + chunk]
        out[:, :, start : start + chunk] = network.activate(rows).transpose(0, 2, 1)
    return out.transpose(0, 2, 1)
