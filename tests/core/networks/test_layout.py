"""Layered layout of genome snapshots."""

from core.networks.layout import layered_layout, node_depths
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
