"""CPPN queries against hand-computed outputs; the expression rule against its formula."""

import math

import numpy as np
import pytest

from core.algorithms.hyperneat.config import HyperNeatSection
from core.algorithms.hyperneat.cppn import (
    QueryRows,
    bias_inputs,
    express,
    input_names,
    link_weights,
    node_biases,
    output_names,
    query,
    query_inputs,
)
from core.networks.batch import PopulationNetwork
from core.networks.genome import ConnectionGene, Genome, NodeGene

SECTION = HyperNeatSection(distance_input=True, delta_inputs=False, leo=False, bias_output=True, weight_threshold=0.2, max_weight=5.0)


def hand_cppn() -> Genome:
    """weight = tanh(0.5 x1 - y2 + 2 * gaussian(1.5 d - 0.3) + 0.1); bias = sin(3 x2 + 0.7 * bias_input)."""
    nodes = {i: NodeGene(i, "input", 0.0, 1.0, "identity", "sum") for i in range(6)}  # x1 y1 x2 y2 d bias
    nodes[6] = NodeGene(6, "output", 0.1, 1.0, "tanh", "sum")
    nodes[7] = NodeGene(7, "output", 0.0, 1.0, "sin", "sum")
    nodes[8] = NodeGene(8, "hidden", -0.3, 1.0, "gaussian", "sum")
    connections = [(0, 0, 6, 0.5), (1, 3, 6, -1.0), (2, 4, 8, 1.5), (3, 8, 6, 2.0), (4, 2, 7, 3.0), (5, 5, 7, 0.7)]
    return Genome(0, nodes, {c[0]: ConnectionGene(*c, True) for c in connections})


def by_hand(x1, y1, x2, y2):
    d = math.hypot(x2 - x1, y2 - y1)
    weight = math.tanh(0.5 * x1 - y2 + 2.0 * math.exp(-((1.5 * d - 0.3) ** 2)) + 0.1)
    return weight, math.sin(3.0 * x2 + 0.7)


def test_interface_names_follow_the_switches():
    assert input_names(SECTION) == ("x1", "y1", "x2", "y2", "d", "bias")
    assert output_names(SECTION) == ("weight", "bias")
    full = HyperNeatSection(True, True, True, True, 0.2, 3.0)
    assert input_names(full) == ("x1", "y1", "x2", "y2", "d", "dx", "dy", "bias")
    assert output_names(full) == ("weight", "leo", "bias")
    bare = HyperNeatSection(False, False, False, False, 0.2, 3.0)
    assert input_names(bare) == ("x1", "y1", "x2", "y2", "bias") and output_names(bare) == ("weight",)


def test_query_inputs_hold_coordinates_distance_deltas_and_bias():
    rows = query_inputs(np.array([[0.5, -1.0]]), np.array([[-0.5, 1.0]]), HyperNeatSection(True, True, False, False, 0.2, 5.0))
    assert rows.tolist() == [[0.5, -1.0, -0.5, 1.0, math.sqrt(5.0), -1.0, 2.0, 1.0]]
    assert bias_inputs(np.array([[0.3, 0.4]]), SECTION).tolist() == [[0.0, 0.0, 0.3, 0.4, 0.5, 1.0]]


def test_cppn_queries_match_hand_computed_outputs():
    rng = np.random.default_rng(1)
    sources, targets = rng.uniform(-1, 1, (40, 2)), rng.uniform(-1, 1, (40, 2))
    outputs = query(PopulationNetwork([hand_cppn()]), query_inputs(sources, targets, SECTION))[0]
    expected = np.array([by_hand(*s, *t) for s, t in zip(sources, targets)])
    assert outputs == pytest.approx(expected, abs=1e-12)


def test_chunked_and_generated_rows_give_the_same_answers():
    sources, targets = np.random.default_rng(2).uniform(-1, 1, (2, 300, 2))
    network = PopulationNetwork([hand_cppn(), hand_cppn()])
    whole = query(network, query_inputs(sources, targets, SECTION))
    import core.algorithms.hyperneat.cppn as cppn

    original = cppn.CHUNK_VALUES
    cppn.CHUNK_VALUES = 1  # 64-row chunks
    try:
        rows = QueryRows([(sources[:20], targets[:15])], bias_inputs(targets[:7], SECTION), SECTION)
        chunked = query(network, rows)
    finally:
        cppn.CHUNK_VALUES = original
    target_major = query_inputs(np.tile(sources[:20], (15, 1)), np.repeat(targets[:15], 20, axis=0), SECTION)
    assert np.array_equal(rows.array(), np.concatenate([target_major, bias_inputs(targets[:7], SECTION)]))
    assert np.array_equal(chunked, query(network, rows.array()))
    assert whole.shape == (2, 300, 2)


@pytest.mark.parametrize("raw", [-1.7, -1.0, -0.6, -0.2, -0.19, 0.0, 0.05, 0.2, 0.2000001, 0.35, 0.8, 1.0, 3.0])
@pytest.mark.parametrize(("threshold", "max_weight"), [(0.2, 5.0), (0.2, 3.0), (0.3, 5.0), (0.0, 1.0)])
def test_expression_follows_the_formula(raw, threshold, max_weight):
    magnitude = min(abs(raw), 1.0)
    expected = math.copysign((magnitude - threshold) / (1 - threshold) * max_weight, raw) if magnitude > threshold else 0.0
    assert express(np.array([raw]), threshold, max_weight)[0] == pytest.approx(expected, abs=1e-12)


def test_expression_edges_and_nan():
    weights = express(np.array([0.2, 1.0, -1.0, np.nan, 0.6]), 0.2, 5.0)
    assert weights[0] == 0.0  # |w| must exceed the threshold
    assert weights[1] == 5.0 and weights[2] == -5.0
    assert weights[3] == 0.0  # a NaN output expresses nothing
    assert weights[4] == pytest.approx(2.5)


def test_leo_gates_links_and_scales_without_threshold():
    leo = HyperNeatSection(True, False, True, True, 0.2, 3.0)
    outputs = np.array([[0.1, 0.5, -0.5], [0.9, -0.1, 0.05], [-2.0, 1.0, 2.0]])  # weight, leo, bias
    assert link_weights(outputs, leo).tolist() == pytest.approx([0.3, 0.0, -3.0])
    assert node_biases(outputs, leo).tolist() == pytest.approx([-1.5, 0.15, 3.0])
    plain = link_weights(outputs[:, [0, 2]], SECTION)
    assert plain.tolist() == pytest.approx([0.0, (0.9 - 0.2) / 0.8 * 5, -5.0])
    assert node_biases(outputs[:, [0, 2]], SECTION).tolist() == pytest.approx([-(0.5 - 0.2) / 0.8 * 5, 0.0, 5.0])
