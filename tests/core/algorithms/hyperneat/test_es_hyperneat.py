"""ES-HyperNEAT: the quadtree on a CPPN with a known variance pattern, and whole decodes."""

import numpy as np
import pytest

from core.algorithms.hyperneat.config import EsSection, HyperNeatSection, SubstrateConfig
from core.algorithms.hyperneat.es_hyperneat import EsDecoder, quadtree_geometry
from core.algorithms.hyperneat.substrate import build_substrate
from core.networks.batch import PopulationNetwork
from core.networks.genome import ConnectionGene, Genome, NodeGene
from tests.conftest import grow_random_genomes

SECTION = HyperNeatSection(distance_input=True, delta_inputs=False, leo=False, bias_output=False, weight_threshold=0.2, max_weight=5.0)


def es_section(**changes) -> EsSection:
    values = dict(initial_depth=2, max_depth=3, division_threshold=0.03, variance_threshold=0.03, band_threshold=0.3, iteration_level=1)
    values.update(changes)
    return EsSection(**values)


def stripe_cppn() -> Genome:
    """weight = gaussian(8 * x2 - 2): 1 on the line x2 = 0.25, e^-1 a quarter cell away, ~0 beyond."""
    nodes = {i: NodeGene(i, "input", 0.0, 1.0, "identity", "sum") for i in range(6)}
    nodes[6] = NodeGene(6, "output", -2.0, 1.0, "gaussian", "sum")
    return Genome(0, nodes, {0: ConnectionGene(0, 2, 6, 8.0, True)})


def substrate(inputs, outputs):
    config = SubstrateConfig(
        "custom", tuple(np.ravel(inputs)), "custom", tuple(np.ravel(outputs)), (), "line", (), ("input-output",), "sigmoid", "sigmoid"
    )
    return build_substrate(config, len(inputs), len(outputs))


def test_geometry_lists_every_cell_centre_by_level():
    geometry = quadtree_geometry(3)
    assert geometry.sides == (2, 4, 8) and len(geometry.points) == 4 + 16 + 64
    assert geometry.points[:4].tolist() == [[-0.5, -0.5], [0.5, -0.5], [-0.5, 0.5], [0.5, 0.5]]
    assert len(geometry.queries) == 16 + 36 + 100
    assert geometry.queries[0].tolist() == [-1.5, -1.5]  # the ring of neighbours outside the square


def test_quadtree_divides_where_the_variance_is_and_keeps_the_band():
    # Hand-worked: level 2 (x = +-0.5) is all 0 -> always divided (initial depth 2). Under
    # x = +0.5 the children are 5, 0, 5, 0 (x = 0.25 lies on the stripe): variance 6.25, so they
    # are divided; under x = -0.5 all are 0: not divided. The x = 0.25 cells' children sit at
    # x = 0.125 and 0.375, both gaussian(-+1) -> equal weights: leaf variance 0, so pruning stops
    # there and tests the band: neighbours at x = -0.25 and 0.75 are 0, so min(dL, dR) = 5 > 0.3.
    decoder = EsDecoder(substrate([[0.0, -1.0]], [[0.0, 1.0]]), SECTION, es_section())
    levels = decoder.explore(PopulationNetwork([stripe_cppn()]), np.array([[0.0, -1.0]]), outgoing=True)
    two, three, four = (level for level in levels)
    assert two.exists.all() and two.divided.all()
    assert three.exists.all()
    divided_columns = three.divided[0, 0].any(axis=0)
    assert divided_columns.tolist() == [False, False, True, True]  # x = 0.25 and 0.75 (under x = +0.5)
    assert four.exists[0, 0].sum() == 32 and not four.divided.any()
    # Under x = +0.5: 16 leaves, 8 of weight (e^-1 - 0.2) * 6.25 and 8 of 0: variance (a / 2)^2.
    leaf = (np.exp(-1.0) - 0.2) * 6.25
    assert two.variance[0, 0, :, 1] == pytest.approx([(leaf / 2) ** 2] * 2)
    assert (two.variance[0, 0, :, 1] > 0.03).all() and (two.variance[0, 0, :, 0] == 0).all()
    selected = [tuple(p) for p in decoder.geometry.points[np.concatenate([lv.selected[0, 0].ravel() for lv in levels])].tolist()]
    assert selected == [(0.25, -0.75), (0.25, -0.25), (0.25, 0.25), (0.25, 0.75)]
    assert three.weight[0, 0, 0, 2] == pytest.approx(5.0)


def test_without_division_the_band_cannot_see_a_thin_stripe():
    # Initial depth 1 and division threshold above the (all zero) level-2 variance: the tree stops
    # at the 2 x 2 cells, which all read ~0; nothing is selected.
    decoder = EsDecoder(substrate([[0.0, -1.0]], [[0.0, 1.0]]), SECTION, es_section(initial_depth=1))
    levels = decoder.explore(PopulationNetwork([stripe_cppn()]), np.array([[0.0, -1.0]]), outgoing=True)
    assert not levels[0].divided.any() and not levels[1].exists.any()
    assert not any(level.selected.any() for level in levels)


def test_decode_finds_hidden_neurons_and_keeps_only_paths_from_inputs_to_outputs():
    # The same stripe from every source: hidden neurons at x = 0.25. The output at (0.25, 1) is
    # queried as a target, so x2 = 0.25 for every source: a flat pattern, no band, no links in.
    decoder = EsDecoder(substrate([[0.0, -1.0]], [[0.25, 1.0]]), SECTION, es_section())
    assert decoder.decode([stripe_cppn()]).link_counts().tolist() == [0]


def test_decoded_networks_are_acyclic_cleaned_and_match_their_graph_genomes():
    inputs = [[-0.75, -1.0], [-0.25, -1.0], [0.25, -1.0], [0.75, -1.0]]
    decoder = EsDecoder(substrate(inputs, [[-0.5, 1.0], [0.5, 1.0]]), HyperNeatSection(True, False, False, True, 0.2, 5.0), es_section(initial_depth=3))
    cppns = grow_random_genomes(12, 6, 2, recurrent=False, rng=np.random.default_rng(11), steps=40)
    networks = decoder.decode(cppns)
    assert networks.link_counts().sum() > 0
    points = np.concatenate([np.array(inputs), networks.hidden_points, [[-0.5, 1.0], [0.5, 1.0]]])
    genomes = networks.genomes
    for p, genome in enumerate(genomes):
        for conn in genome.connections.values():
            assert conn.weight != 0.0
        # every link runs upward
        for group, w in zip(networks.groups, networks.weights):
            rows, columns = np.nonzero(w[p])
            assert (points[group.source_start + columns, 1] < points[group.start + rows, 1]).all()
        # every hidden neuron kept is fed and feeds
        hidden = [n for n, node in genome.nodes.items() if node.kind == "hidden"]
        assert len(hidden) == networks.hidden_counts()[p]
        for node in hidden:
            assert any(c.out_node == node for c in genome.connections.values())
            assert any(c.in_node == node for c in genome.connections.values())
    observations = np.random.default_rng(3).uniform(-1, 1, (5, 4))
    assert networks.activate(observations) == pytest.approx(PopulationNetwork(genomes).activate(observations), abs=1e-12)
    subset = networks.select(np.array([3, 1]))
    assert subset.activate(observations) == pytest.approx(networks.activate(observations)[[3, 1]], abs=1e-12)
