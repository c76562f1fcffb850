"""ES-HyperNEAT decoding (Risi & Stanley 2012): the CPPN decides where hidden neurons go.

From a source neuron a, the CPPN's weight pattern over the square is sampled by a quadtree
(``shared/specs/hyperneat.md``, from PUREPLES' ``es_hyperneat.py``; MultiNEAT's defaults):

- Division and initialisation: the root cell covers [-1, 1]^2 (centre 0, half-width 1, level 1);
  a divided cell's four children sit at (x +- w/2, y +- w/2) with half-width w/2 and carry the
  expressed weight of a -> child. A cell's children are divided in turn when its level is below
  ``initial_depth``, or below ``max_depth`` and the variance of its four children's weights
  exceeds ``division_threshold``.
- Pruning and extraction: walking down from the root, a child whose leaf variance exceeds
  ``variance_threshold`` is descended into; any other child c is kept if it lies in a band:
  ``max(min(dT, dB), min(dL, dR)) > band_threshold``, where dL = |w(c) - w(c.x - 2w, c.y)| etc.
  compare c with its same-size neighbours, and if its weight is non-zero. A kept point becomes the
  link a -> c (or c -> a when exploring into an output).
- Links only run upward (y1 < y2), so every network is acyclic: PUREPLES allows y1 <= y2, which
  admits cycles within a row; the spec's strict rule keeps the substrate feed-forward.
- Hidden neurons are the points found from the inputs; ``iteration_level`` times, the newly found
  ones are explored in turn (PUREPLES re-explores its first set every iteration: a bug we do not
  copy); then each output collects incoming links; finally only neurons on a path from an input
  to an output, and links between them, are kept.

The batch form: every cell of the full tree to ``max_depth`` is queried (plus one ring of
neighbours around each level's grid), for all CPPNs and all sources at once; the division and
pruning decisions are then array masks over those grids. A level-L grid is 2^(L-1) cells per
side, so a cell's same-size neighbours are its grid neighbours. Points that coincide with an input
or output position are never hidden neurons.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from core.algorithms.hyperneat.config import EsSection, HyperNeatSection
from core.algorithms.hyperneat.cppn import bias_inputs, bias_network, link_network, link_weights, node_biases, query, query_inputs
from core.algorithms.hyperneat.substrate import Substrate
from core.networks.batch import PopulationNetwork
from core.networks.genome import Genome
from core.networks.layered import LayeredNetworks, NodeGroup


@dataclass(frozen=True, slots=True)
class QuadtreeGeometry:
    """Cell centres of every level of the full quadtree down to ``max_depth``.

    Level index l (quadtree level l + 2) is a grid of ``n = 2^(l+1)`` cells per side with
    half-width ``1/n``, row-major (y outer, x inner). ``points`` lists every level's centres in
    level order; ``queries`` every level's grid with one ring of neighbours, (n+2)^2 per level.
    """

    max_depth: int
    sides: tuple[int, ...]
    points: np.ndarray
    point_levels: np.ndarray
    queries: np.ndarray

    def point_slices(self) -> list[slice]:
        """Where each level's centres are in ``points``."""
        starts = np.cumsum([0, *(n * n for n in self.sides)])
        return [slice(int(a), int(b)) for a, b in zip(starts[:-1], starts[1:])]

    def query_slices(self) -> list[slice]:
        """Where each level's padded grid is in ``queries``."""
        starts = np.cumsum([0, *((n + 2) ** 2 for n in self.sides)])
        return [slice(int(a), int(b)) for a, b in zip(starts[:-1], starts[1:])]


def _grid_points(indices: np.ndarray, n: int) -> np.ndarray:
    centres = -1.0 + (2 * indices + 1) / n
    return np.column_stack([np.tile(centres, len(centres)), np.repeat(centres, len(centres))])


@functools.lru_cache(maxsize=8)
def quadtree_geometry(max_depth: int) -> QuadtreeGeometry:
    """The (cached) geometry of a quadtree of ``max_depth`` levels below the root."""
    sides = tuple(2 ** (level + 1) for level in range(max_depth))
    points = np.concatenate([_grid_points(np.arange(n), n) for n in sides])
    levels = np.concatenate([np.full(n * n, level + 2) for level, n in enumerate(sides)])
    queries = np.concatenate([_grid_points(np.arange(-1, n + 1), n) for n in sides])
    for array in (points, levels, queries):
        array.flags.writeable = False
    return QuadtreeGeometry(max_depth, sides, points, levels, queries)


def _up(mask: np.ndarray) -> np.ndarray:
    """A per-cell array repeated onto the cell's 2 x 2 children (last two axes)."""
    return np.repeat(np.repeat(mask, 2, axis=-2), 2, axis=-1)


def _blocks(grid: np.ndarray, side: int) -> np.ndarray:
    """(..., N, N) viewed as (..., side, k, side, k): the cells under each of side x side cells."""
    k = grid.shape[-1] // side
    return grid.reshape(*grid.shape[:-2], side, k, side, k)


@dataclass(frozen=True, slots=True)
class QuadtreeLevel:
    """One level of quadtrees (any leading axes, e.g. CPPN x source), each array (..., n, n).

    ``exists``: the cell was created (its parent was divided); ``divided``: its children were
    created; ``variance``: variance of the leaf weights under it (0 for a leaf); ``visited``:
    pruning reached it; ``band``: it passed the band test; ``selected``: visited, not descended
    into, in the band and of non-zero weight (before the upward-link rule).
    """

    side: int
    weight: np.ndarray
    exists: np.ndarray
    divided: np.ndarray
    variance: np.ndarray
    visited: np.ndarray
    band: np.ndarray
    selected: np.ndarray


def quadtree_levels(padded: Sequence[np.ndarray], es: EsSection) -> list[QuadtreeLevel]:
    """Division, variance, pruning and band decisions for quadtrees from their weight grids.

    Args:
        padded: per level, the expressed weights on the (n+2) x (n+2) grid with its ring of
            neighbours (any leading axes).
        es: thresholds and depths.
    """
    depth = len(padded)
    weights = [grid[..., 1:-1, 1:-1] for grid in padded]
    lead = weights[0].shape[:-2]
    sides = [w.shape[-1] for w in weights]

    # A cell exists when its parent was divided; it is divided (its children are created and
    # examined in turn) when its parent was and the parent's rule held (PUREPLES' queue).
    exists, divided = [], []
    parent_divided = np.ones((*lead, 1, 1), dtype=bool)  # the root
    for level in range(depth):
        parent_level = level + 1  # quadtree level of this grid's parents (the root is level 1)
        spread = _blocks(weights[level], sides[level] // 2).var(axis=(-3, -1))
        rule = (parent_level < es.initial_depth) | ((parent_level < es.max_depth) & (spread > es.division_threshold))
        exists.append(_up(parent_divided))
        parent_divided = _up(parent_divided & rule)
        divided.append(parent_divided)

    # Leaf variance of each divided cell: mean first, then mean squared deviation (np.var's way).
    variance = []
    for level in range(depth):
        side = sides[level]
        leaves = [exists[deeper] & ~divided[deeper] for deeper in range(level + 1, depth)]
        deeper_weights = weights[level + 1 :]
        count = sum((_blocks(leaf, side).sum(axis=(-3, -1)) for leaf in leaves), np.zeros((*lead, side, side)))
        total = sum((_blocks(np.where(leaf, w, 0.0), side).sum(axis=(-3, -1)) for leaf, w in zip(leaves, deeper_weights)), np.zeros_like(count))
        mean = (total / np.maximum(count, 1.0))[..., :, None, :, None]
        squares = np.zeros_like(count)
        for leaf, w in zip(leaves, deeper_weights):
            deviation = _blocks(w, side) - mean
            squares += np.where(_blocks(leaf, side), deviation * deviation, 0.0).sum(axis=(-3, -1))
        variance.append(np.where(divided[level] & (count > 0), squares / np.maximum(count, 1.0), 0.0))

    levels = []
    visited = np.ones((*lead, sides[0], sides[0]), dtype=bool)
    for level in range(depth):
        grid = padded[level]
        w = weights[level]
        d_left = np.abs(w - grid[..., 1:-1, :-2])
        d_right = np.abs(w - grid[..., 1:-1, 2:])
        d_top = np.abs(w - grid[..., :-2, 1:-1])
        d_bottom = np.abs(w - grid[..., 2:, 1:-1])
        band = np.maximum(np.minimum(d_top, d_bottom), np.minimum(d_left, d_right)) > es.band_threshold
        descend = visited & (variance[level] > es.variance_threshold)
        selected = visited & ~descend & band & (w != 0.0)
        levels.append(QuadtreeLevel(sides[level], w, exists[level], divided[level], variance[level], visited, band, selected))
        if level + 1 < depth:
            visited = _up(descend)
    return levels


def _flat(levels: Sequence[QuadtreeLevel], name: str) -> np.ndarray:
    """One attribute of every level, flattened onto the geometry's point order (..., H)."""
    return np.concatenate([getattr(level, name).reshape(*getattr(level, name).shape[:-2], -1) for level in levels], axis=-1)


def explore(
    network: PopulationNetwork,
    roots: np.ndarray,
    outgoing: bool,
    section: HyperNeatSection,
    es: EsSection,
    checkpoint: Callable[[], None] | None = None,
) -> list[QuadtreeLevel]:
    """Quadtrees of every CPPN of ``network`` from (``outgoing``) or into every root (R, 2):
    every level's cells with their decisions, leading axes (P, R)."""
    geometry = quadtree_geometry(es.max_depth)
    queries = geometry.queries
    count = len(queries)
    sources = np.repeat(roots, count, axis=0) if outgoing else np.tile(queries, (len(roots), 1))
    targets = np.tile(queries, (len(roots), 1)) if outgoing else np.repeat(roots, count, axis=0)
    outputs = query(network, query_inputs(sources, targets, section), checkpoint)
    weights = link_weights(outputs, section).reshape(network.size, len(roots), count)
    padded = [weights[..., s].reshape(network.size, len(roots), n + 2, n + 2) for s, n in zip(geometry.query_slices(), geometry.sides)]
    return quadtree_levels(padded, es)


class EsDecoder:
    """Decodes CPPNs into ES-HyperNEAT networks between a substrate's input and output sheets."""

    def __init__(self, substrate: Substrate, section: HyperNeatSection, es: EsSection):
        self.substrate = substrate
        self.section = section
        self.es = es
        self.geometry = quadtree_geometry(es.max_depth)
        self.inputs = substrate.sheets[0].coordinates
        self.outputs = substrate.sheets[-1].coordinates
        io = np.concatenate([self.inputs, self.outputs])
        points = self.geometry.points
        # Tree points that sit on an input or output neuron can never be hidden neurons.
        self.allowed = ~(points[:, None, :] == io[None, :, :]).all(axis=2).any(axis=1)

    def explore(
        self, network: PopulationNetwork, roots: np.ndarray, outgoing: bool, checkpoint: Callable[[], None] | None = None
    ) -> list[QuadtreeLevel]:
        """Quadtrees of every CPPN from every root (R, 2): levels with leading axes (P, R)."""
        return explore(network, roots, outgoing, self.section, self.es, checkpoint)

    def _links(self, network: PopulationNetwork, roots: np.ndarray, outgoing: bool, checkpoint) -> tuple[np.ndarray, np.ndarray]:
        """(P, R, H) selected upward links between each root and each tree point, and their weights."""
        levels = self.explore(network, roots, outgoing, checkpoint)
        selected = _flat(levels, "selected") & self.allowed
        point_y = self.geometry.points[:, 1]
        root_y = roots[:, 1][:, None]
        selected &= (point_y[None, :] > root_y) if outgoing else (point_y[None, :] < root_y)
        return selected, _flat(levels, "weight")

    @property
    def rows(self) -> int:
        """Query rows per CPPN for one quadtree (the work of a decode grows with the neurons found)."""
        return len(self.geometry.queries) * (len(self.inputs) + len(self.outputs))

    def decode(self, cppns: Sequence[Genome], checkpoint: Callable[[], None] | None = None, kernel: str = "numpy") -> LayeredNetworks:
        """The ES-HyperNEAT networks of ``cppns``, all found in batched passes on ``kernel``."""
        network = link_network(cppns, self.section, kernel)
        size = network.size
        n_in, n_out = len(self.inputs), len(self.outputs)
        points = self.geometry.points
        hidden_count = len(points)
        edge_parts: list[tuple[np.ndarray, ...]] = []  # (genome, source node, target node, weight)

        def collect(selected: np.ndarray, weights: np.ndarray, root_nodes: np.ndarray, outgoing: bool) -> None:
            genome, root, point = np.nonzero(selected)
            tree_node = n_in + point
            ends = (root_nodes[root], tree_node) if outgoing else (tree_node, root_nodes[root])
            edge_parts.append((genome, *ends, weights[genome, root, point]))

        selected, weights = self._links(network, self.inputs, True, checkpoint)
        collect(selected, weights, np.arange(n_in), True)
        hidden = selected.any(axis=1)
        unexplored = hidden
        for _ in range(self.es.iteration_level):
            roots = np.flatnonzero(unexplored.any(axis=0))
            if not len(roots):
                break
            selected, weights = self._links(network, points[roots], True, checkpoint)
            selected &= unexplored[:, roots, None]
            collect(selected, weights, n_in + roots, True)
            found = selected.any(axis=1)
            unexplored = found & ~hidden
            hidden = hidden | found
        selected, weights = self._links(network, self.outputs, False, checkpoint)
        collect(selected, weights, n_in + hidden_count + np.arange(n_out), False)

        genome, source, target, weight = (np.concatenate(part) for part in zip(*edge_parts))
        keep_node = self._on_paths(size, n_in + hidden_count + n_out, n_in, n_out, genome, source, target)
        keep_edge = keep_node[genome, source] & keep_node[genome, target]
        genome, source, target, weight = genome[keep_edge], source[keep_edge], target[keep_edge], weight[keep_edge]
        return self._layered(network, cppns, keep_node[:, n_in : n_in + hidden_count], genome, source, target, weight, checkpoint, kernel)

    @staticmethod
    def _on_paths(size: int, nodes: int, n_in: int, n_out: int, genome, source, target) -> np.ndarray:
        """(P, nodes) nodes reachable from an input that also reach an output (inputs and
        outputs always kept), PUREPLES' ``clean_net``."""

        def spread(start: np.ndarray, frm: np.ndarray, to: np.ndarray) -> np.ndarray:
            reached = start.copy()
            while True:
                hit = reached[genome, frm] & ~reached[genome, to]
                if not hit.any():
                    return reached
                reached[genome[hit], to[hit]] = True

        from_inputs = np.zeros((size, nodes), dtype=bool)
        from_inputs[:, :n_in] = True
        to_outputs = np.zeros((size, nodes), dtype=bool)
        to_outputs[:, nodes - n_out :] = True
        keep = spread(from_inputs, source, target) & spread(to_outputs, target, source)
        keep[:, :n_in] = True
        keep[:, nodes - n_out :] = True
        return keep

    def _layered(self, network, cppns, hidden_kept, genome, source, target, weight, checkpoint, kernel="numpy") -> LayeredNetworks:
        """Pack the kept links into layers: one group per row (y) of used hidden points, then the outputs."""
        size = network.size
        n_in, n_out = len(self.inputs), len(self.outputs)
        points = self.geometry.points
        used = np.flatnonzero(hidden_kept.any(axis=0))
        used = used[np.lexsort((points[used, 0], points[used, 1]))]
        node_count = n_in + len(used) + n_out
        position = np.full(n_in + len(points) + n_out, -1)
        position[:n_in] = np.arange(n_in)
        position[n_in + used] = n_in + np.arange(len(used))
        position[n_in + len(points) :] = n_in + len(used) + np.arange(n_out)

        groups = []
        rows = np.unique(points[used, 1]) if len(used) else np.empty(0)
        start = n_in
        for y in rows:
            stop = start + int(np.count_nonzero(points[used, 1] == y))
            groups.append(NodeGroup(start, stop, 0, self.substrate.hidden_activation))
            start = stop
        groups.append(NodeGroup(start, node_count, n_in, self.substrate.output_activation))
        group_of = np.empty(node_count, dtype=np.intp)
        for k, group in enumerate(groups):
            group_of[group.start : group.stop] = k
        matrices = [np.zeros((size, g.stop - g.start, g.start - g.source_start)) for g in groups]
        src, dst = position[source], position[target]
        for k, group in enumerate(groups):
            mine = group_of[dst] == k
            matrices[k][genome[mine], dst[mine] - group.start, src[mine] - group.source_start] = weight[mine]

        biases = np.zeros((size, node_count))
        if self.section.bias_output:
            coordinates = np.concatenate([points[used], self.outputs])
            outputs = query(bias_network(cppns, self.section, kernel), bias_inputs(coordinates, self.section), checkpoint)
            biases[:, n_in:] = node_biases(outputs, self.section)
        present = np.ones((size, node_count), dtype=bool)
        present[:, n_in : n_in + len(used)] = hidden_kept[:, used]
        return EsNetworks(n_in, groups, matrices, biases, [g.genome_id for g in cppns], present, points[used])


class EsNetworks(LayeredNetworks):
    """ES-HyperNEAT networks: a ``LayeredNetworks`` that also knows where its hidden neurons sit.

    ``hidden_points`` (H, 2) are the positions of the hidden node indices ``num_inputs..``, the
    union over the batch; ``present`` says which of them each network has.
    """

    def __init__(self, num_inputs, groups, weights, biases, genome_ids, present, hidden_points: np.ndarray):
        super().__init__(num_inputs, groups, weights, biases, genome_ids, present)
        self.hidden_points = hidden_points

    def select(self, indices: np.ndarray) -> EsNetworks:
        """A batch of just the networks at ``indices``."""
        indices = np.asarray(indices, dtype=np.intp)
        subset = EsNetworks(
            self.num_inputs,
            self.groups,
            [w[indices] for w in self.weights],
            self.biases[indices],
            [self.genome_ids[i] for i in indices.tolist()],
            self.present[indices],
            self.hidden_points,
        )
        subset.checkpoint = self.checkpoint
        return subset

    def hidden_counts(self) -> np.ndarray:
        """(P,) hidden neurons each network kept."""
        return self.present[:, self.num_inputs : self.node_count - self.num_outputs].sum(axis=1)
