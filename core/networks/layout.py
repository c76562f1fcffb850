"""Node positions for drawing a genome: inputs left, outputs right, hidden nodes by depth.

Pure and Qt-free, so the layout is tested here and the view only draws it.
"""

from __future__ import annotations

from core.networks.snapshot import GenomeSnapshot


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
    roots = sorted(kinds, key=lambda n: (kinds[n] != "input", n))
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


def layered_layout(genome: GenomeSnapshot) -> dict[int, tuple[float, float]]:
    """(x, y) in [0, 1] x [0, 1] for every node.

    Inputs sit at x = 0 and outputs at x = 1; hidden nodes at their depth's fraction of the
    way. Within a column nodes are spread evenly by id, so the same genome always looks the same.
    """
    depth = node_depths(genome)
    kinds = {n.node_id: n.kind for n in genome.nodes}
    hidden_depths = [depth[n] for n, k in kinds.items() if k == "hidden"]
    deepest_hidden = max(hidden_depths, default=0)
    columns: dict[float, list[int]] = {}
    for node_id, kind in kinds.items():
        if kind == "input":
            x = 0.0
        elif kind == "output":
            x = 1.0
        else:
            x = depth[node_id] / (deepest_hidden + 1)
        columns.setdefault(x, []).append(node_id)
    positions = {}
    for x, members in columns.items():
        members.sort()
        for i, node_id in enumerate(members):
            positions[node_id] = (x, (i + 1) / (len(members) + 1))
    return positions
