"""Node positions for drawing a genome: a layered (Sugiyama-style) layout with crossing reduction.

Inputs sit in the left column in id order, outputs in the right column in id order, hidden nodes
in columns by their longest-path depth. Edges that span several columns pass through *dummy*
slots in the columns between, so a long edge never runs through an unrelated node; the order
within each column is improved by barycenter sweeps and adjacent swaps (Sugiyama, Tagawa & Toda
1981; Gansner et al. 1993, "A technique for drawing directed graphs", section 3). Labels are
placed by ``place_labels`` so that none overlaps another or a node.

Pure and Qt-free, so the layout is tested here and the view only draws it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from core.networks.snapshot import GenomeSnapshot

Point = tuple[float, float]
ORDERING_SWEEPS = 12
DUMMY_SHARE = 0.4  # vertical room of an edge's pass-through slot, relative to a node's


def node_depths(genome: GenomeSnapshot, include_disabled: bool = False) -> dict[int, int]:
    """Longest-path depth from the inputs over forward edges (inputs 0).

    Edges that close a cycle (recurrent connections) are ignored for depth, found by a
    depth-first search from the inputs, so recurrent genomes get a layout too.
    """
    kinds = {n.node_id: n.kind for n in genome.nodes}
    successors: dict[int, list[int]] = {n: [] for n in kinds}
    for c in genome.connections:
        if (c.enabled or include_disabled) and c.in_node in kinds and c.out_node in kinds and c.in_node != c.out_node:
            successors[c.in_node].append(c.out_node)
    # Iterative DFS collecting a topological order of the graph with back edges dropped.
    state: dict[int, int] = {}  # 1 = on stack, 2 = done
    order: list[int] = []
    forward: dict[int, list[int]] = {n: [] for n in kinds}
    roots = sorted(kinds, key=lambda n: (kinds[n] not in ("input", "bias"), n))
    for root in roots:
        if root in state:
            continue
        stack = [(root, iter(successors[root]))]
        state[root] = 1
        while stack:
            node, children = stack[-1]
            for child in children:
                if state.get(child) == 1:
                    continue  # back edge: a recurrent connection
                forward[node].append(child)
                if child not in state:
                    state[child] = 1
                    stack.append((child, iter(successors[child])))
                    break
            else:
                state[node] = 2
                order.append(node)
                stack.pop()
    depth = {n: 0 for n in kinds}
    for node in reversed(order):
        for child in forward[node]:
            depth[child] = max(depth[child], depth[node] + 1)
    return depth


@dataclass(frozen=True, slots=True)
class GraphLayout:
    """Where to draw a genome.

    Attributes:
        positions: node id -> (x, y), both in [0, 1]; inputs at x = 0, outputs at x = 1.
        routes: innovation -> polyline from source to target through the edge's dummy slots,
            for every connection drawn left to right. Connections missing here (recurrent ones,
            and disabled genes that point backwards) are drawn as curves by the view.
        columns: the node ids (real nodes only) of each column, top to bottom.
        crossings: crossings between forward edges (dummy segments included) in this ordering.
    """

    positions: dict[int, Point]
    routes: dict[int, tuple[Point, ...]]
    columns: tuple[tuple[int, ...], ...]
    crossings: int


def _column_of(genome: GenomeSnapshot) -> dict[int, int]:
    depth = node_depths(genome)
    kinds = {n.node_id: n.kind for n in genome.nodes}
    deepest_hidden = max((depth[n] for n, k in kinds.items() if k == "hidden"), default=0)
    last = deepest_hidden + 1
    column = {}
    for node_id, kind in kinds.items():
        if kind in ("input", "bias"):  # the bias node (the paper's bias input) is drawn as an input
            column[node_id] = 0
        elif kind == "output":
            column[node_id] = last
        else:
            # A hidden node no enabled path reaches still belongs between inputs and outputs.
            column[node_id] = min(max(1, depth[node_id]), last - 1) if last > 1 else 1
    return column


def count_crossings(order: Sequence[Sequence[object]], segments: Sequence[tuple[object, object]]) -> int:
    """Crossings of straight segments between adjacent columns.

    Args:
        order: the slots of each column, top to bottom.
        segments: (upper slot, lower slot) pairs, each joining column c to column c + 1.
    """
    rank = {slot: (c, i) for c, column in enumerate(order) for i, slot in enumerate(column)}
    by_gap: dict[int, list[tuple[int, int]]] = {}
    for a, b in segments:
        (ca, ia), (_, ib) = rank[a], rank[b]
        by_gap.setdefault(ca, []).append((ia, ib))
    total = 0
    for pairs in by_gap.values():
        if len(pairs) < 2:
            continue
        ends = np.array(pairs)
        a, b = ends[:, 0], ends[:, 1]
        total += int(np.count_nonzero(((a[:, None] < a[None, :]) & (b[:, None] > b[None, :]))))
    return total


def sugiyama_layout(genome: GenomeSnapshot, include_disabled: bool = True, sweeps: int = ORDERING_SWEEPS) -> GraphLayout:
    """A layered layout of ``genome`` with few edge crossings (see the module docstring).

    Deterministic: the same genome always gets the same picture. Inputs and outputs keep their
    id order (x1 above x2), only hidden and dummy slots move.
    """
    column = _column_of(genome)
    columns_count = max(column.values(), default=0) + 1
    edges = [c for c in genome.connections if (c.enabled or include_disabled) and c.in_node in column and c.out_node in column]
    forward = [c for c in edges if column[c.in_node] < column[c.out_node]]

    # Slots: real nodes are their ids; a dummy is ("d", innovation, column).
    slots: list[list[object]] = [[] for _ in range(columns_count)]
    for node in sorted(column, key=lambda n: (column[n], n)):
        slots[column[node]].append(node)
    chains: dict[int, list[object]] = {}
    segments: list[tuple[object, object]] = []
    for conn in forward:
        chain: list[object] = [conn.in_node]
        for c in range(column[conn.in_node] + 1, column[conn.out_node]):
            dummy = ("d", conn.innovation, c)
            slots[c].append(dummy)
            chain.append(dummy)
        chain.append(conn.out_node)
        chains[conn.innovation] = chain
        segments.extend(zip(chain[:-1], chain[1:]))
    upper: dict[object, list[object]] = {}
    lower: dict[object, list[object]] = {}
    for a, b in segments:
        lower.setdefault(a, []).append(b)
        upper.setdefault(b, []).append(a)

    fixed = {0, columns_count - 1}
    order = [list(column_slots) for column_slots in slots]
    best = [list(c) for c in order]
    best_crossings = count_crossings(order, segments)

    def position(c: int) -> dict[object, float]:
        return {slot: i / max(1, len(order[c]) - 1) for i, slot in enumerate(order[c])}

    def barycenter_sort(c: int, neighbours: dict[object, list[object]], reference: int) -> None:
        where = position(reference)
        current = {slot: i for i, slot in enumerate(order[c])}

        def key(slot: object) -> tuple[float, int]:
            linked = [where[n] for n in neighbours.get(slot, ()) if n in where]
            # Unlinked slots keep their place, scaled to the column's span.
            value = sum(linked) / len(linked) if linked else current[slot] / max(1, len(order[c]) - 1)
            return value, current[slot]

        order[c].sort(key=key)

    for sweep in range(sweeps):
        downward = sweep % 2 == 0
        sequence = range(1, columns_count) if downward else range(columns_count - 2, -1, -1)
        for c in sequence:
            if c in fixed:
                continue
            barycenter_sort(c, upper if downward else lower, c - 1 if downward else c + 1)
        crossings = count_crossings(order, segments)
        if crossings < best_crossings:
            best, best_crossings = [list(col) for col in order], crossings
        if best_crossings == 0:
            break
    order = best
    # Adjacent swaps (Gansner's "transpose"): keep any swap that lowers the crossings. Swapping
    # neighbours u, v only changes crossings among their own edges, counted from ranks alone.
    improved = best_crossings > 0
    passes = 0
    while improved and passes < 2 * len(order):
        improved = False
        passes += 1
        rank = {slot: i for column_slots in order for i, slot in enumerate(column_slots)}

        def crossed(u: object, v: object) -> int:
            count = 0
            for neighbours in (upper, lower):
                for a in neighbours.get(u, ()):
                    for b in neighbours.get(v, ()):
                        count += rank[a] > rank[b]
            return count

        for c in range(1, columns_count - 1):
            for i in range(len(order[c]) - 1):
                u, v = order[c][i], order[c][i + 1]
                if crossed(v, u) < crossed(u, v):
                    order[c][i], order[c][i + 1] = v, u
                    rank[u], rank[v] = i + 1, i
                    improved = True
    best_crossings = count_crossings(order, segments)

    place: dict[object, Point] = {}
    span = max(1, columns_count - 1)
    for c, column_slots in enumerate(order):
        # A dummy slot only carries an edge past the column: it gets less room than a node.
        weights = np.array([DUMMY_SHARE if isinstance(slot, tuple) else 1.0 for slot in column_slots])
        centres = (np.cumsum(weights) - weights / 2 + 0.5) / (weights.sum() + 1.0)
        for slot, centre in zip(column_slots, centres):
            # The first slot at the top (y grows upwards where the view draws).
            place[slot] = (c / span if columns_count > 1 else 0.0, 1.0 - float(centre))
    positions = {node: place[node] for node in column}
    routes = {innovation: tuple(place[slot] for slot in chain) for innovation, chain in chains.items()}
    real_columns = tuple(tuple(slot for slot in column_slots if not isinstance(slot, tuple)) for column_slots in order)
    return GraphLayout(positions, routes, real_columns, best_crossings)


def layered_layout(genome: GenomeSnapshot) -> dict[int, Point]:
    """(x, y) in [0, 1] x [0, 1] for every node (``sugiyama_layout``'s positions)."""
    return sugiyama_layout(genome).positions


def point_along(route: Sequence[Point], fraction: float) -> Point:
    """The point ``fraction`` of the way along a polyline (by length)."""
    points = np.asarray(route, dtype=float)
    if len(points) == 1:
        return float(points[0, 0]), float(points[0, 1])
    lengths = np.hypot(*np.diff(points, axis=0).T)
    total = float(lengths.sum())
    if total == 0.0:
        return float(points[0, 0]), float(points[0, 1])
    target = fraction * total
    cumulative = np.concatenate([[0.0], np.cumsum(lengths)])
    k = int(min(np.searchsorted(cumulative, target, side="right") - 1, len(lengths) - 1))
    t = (target - cumulative[k]) / lengths[k] if lengths[k] else 0.0
    x, y = points[k] + t * (points[k + 1] - points[k])
    return float(x), float(y)


LABEL_FRACTIONS = (0.5, 0.4, 0.6, 0.3, 0.7, 0.22, 0.78)


def place_labels(routes: Sequence[Sequence[Point]], size: tuple[float, float], obstacles: Sequence[Point], obstacle_size: tuple[float, float]) -> list[Point | None]:
    """Label centres along each route such that no two labels and no label and obstacle overlap.

    Labels are placed greedily in the order given (put the most important edges first); each
    tries points along its route from the middle outwards and is left out (None: show it on
    hover instead) when every candidate collides.

    Args:
        routes: one polyline per label.
        size: a label's (width, height) in the same units as the points.
        obstacles: centres of things labels must not cover (nodes).
        obstacle_size: their (width, height).
    """
    width, height = size
    ow, oh = obstacle_size
    placed = np.empty((0, 2))
    blockers = np.asarray(obstacles, dtype=float).reshape(-1, 2)
    result: list[Point | None] = []
    for route in routes:
        chosen = None
        for fraction in LABEL_FRACTIONS:
            x, y = point_along(route, fraction)
            if len(placed) and np.any((np.abs(placed[:, 0] - x) < width) & (np.abs(placed[:, 1] - y) < height)):
                continue
            if len(blockers) and np.any((np.abs(blockers[:, 0] - x) < (width + ow) / 2) & (np.abs(blockers[:, 1] - y) < (height + oh) / 2)):
                continue
            chosen = (x, y)
            break
        result.append(chosen)
        if chosen is not None:
            placed = np.vstack([placed, chosen])
    return result
