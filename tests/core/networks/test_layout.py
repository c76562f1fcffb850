"""Layered layout of genome snapshots."""

from core.networks.layout import count_crossings, layered_layout, node_depths, place_labels, sugiyama_layout
from core.networks.snapshot import GenomeSnapshot
from tests.conftest import make_genome


def _snapshot(connections, hidden=()):
    return GenomeSnapshot.from_genome(make_genome(0, 2, 1, connections, hidden=hidden))


def test_inputs_left_outputs_right_hidden_by_depth():
    # 0 -> 3 -> 4 -> 2 and 1 -> 2: hidden 3 at depth 1, hidden 4 at depth 2.
    genome = _snapshot([(0, 0, 3, 1.0, True), (1, 3, 4, 1.0, True), (2, 4, 2, 1.0, True), (3, 1, 2, 1.0, True)], hidden=[3, 4])
    positions = layered_layout(genome)
    assert positions[0][0] == positions[1][0] == 0.0
    assert positions[2][0] == 1.0
    assert 0.0 < positions[3][0] < positions[4][0] < 1.0
    assert positions[0][1] != positions[1][1]
    assert all(0.0 < y < 1.0 for _, y in positions.values())


def test_recurrent_edges_do_not_break_depths():
    genome = _snapshot([(0, 0, 3, 1.0, True), (1, 3, 2, 1.0, True), (2, 2, 3, 1.0, True), (3, 3, 3, 1.0, True)], hidden=[3])
    depth = node_depths(genome)
    assert depth[3] == 1 and depth[2] == 2
    assert set(layered_layout(genome)) == {0, 1, 2, 3}


def test_crossing_reduction_untangles_a_graph_id_order_tangles():
    # Hidden 10 feeds output 3 from input 1, hidden 11 feeds output 2 from input 0: by id order
    # the two paths cross; swapped they do not.
    connections = [(0, 0, 11, 1.0, True), (1, 11, 2, 1.0, True), (2, 1, 10, 1.0, True), (3, 10, 3, 1.0, True)]
    genome = GenomeSnapshot.from_genome(make_genome(0, 2, 2, connections, hidden=[10, 11]))
    unordered = sugiyama_layout(genome, sweeps=0)
    layout = sugiyama_layout(genome)
    assert layout.crossings == 0 < count_crossings([[0, 1], [10, 11], [2, 3]], [(0, 11), (11, 2), (1, 10), (10, 3)])
    assert layout.columns == ((0, 1), (11, 10), (2, 3))
    assert unordered.crossings == 0  # the adjacent-swap pass alone finds it too
    # Inputs and outputs keep their order, top to bottom.
    assert layout.positions[0][1] > layout.positions[1][1] and layout.positions[2][1] > layout.positions[3][1]


def test_long_edges_pass_between_nodes_not_through_them():
    # 0 -> 3 -> 4 -> 2 plus a long edge 1 -> 2 across both hidden columns.
    genome = _snapshot([(0, 0, 3, 1.0, True), (1, 3, 4, 1.0, True), (2, 4, 2, 1.0, True), (3, 1, 2, 1.0, True)], hidden=[3, 4])
    layout = sugiyama_layout(genome)
    route = layout.routes[3]
    assert route[0] == layout.positions[1] and route[-1] == layout.positions[2]
    assert len(route) == 4  # through one dummy slot per hidden column
    nodes = set(layout.positions.values())
    assert not nodes & set(route[1:-1])


def test_every_node_of_a_grown_genome_gets_its_own_spot(rng):
    from tests.conftest import grow_random_genomes

    for genome in grow_random_genomes(6, 4, 2, recurrent=False, rng=rng, steps=60):
        snapshot = GenomeSnapshot.from_genome(genome)
        layout = sugiyama_layout(snapshot)
        assert set(layout.positions) == {n.node_id for n in snapshot.nodes}
        assert all(0.0 <= x <= 1.0 and 0.0 < y < 1.0 for x, y in layout.positions.values())
        positions = list(layout.positions.values())
        assert len(set(positions)) == len(positions)  # no two nodes on one spot


def test_placed_labels_overlap_neither_each_other_nor_nodes(rng):
    routes = [[tuple(rng.random(2)), tuple(rng.random(2))] for _ in range(80)]
    nodes = [tuple(p) for p in rng.random((20, 2))]
    size, node_size = (0.05, 0.03), (0.02, 0.02)
    places = place_labels(routes, size, nodes, node_size)
    placed = [p for p in places if p is not None]
    assert 0 < len(placed) < len(routes)
    for i, (x, y) in enumerate(placed):
        for u, v in placed[i + 1 :]:
            assert abs(x - u) >= size[0] or abs(y - v) >= size[1]
        for u, v in nodes:
            assert abs(x - u) >= (size[0] + node_size[0]) / 2 or abs(y - v) >= (size[1] + node_size[1]) / 2
