"""Substrates from TOML settings; batched decoding against a plain loop; the layered evaluator
against the graph-genome evaluator."""

import math

import numpy as np
import pytest

from core.algorithms.hyperneat.config import HyperNeatSection, SubstrateConfig
from core.algorithms.hyperneat.decode import SubstrateDecoder
from core.algorithms.hyperneat.substrate import build_substrate, grid, line
from core.networks.batch import PopulationNetwork
from core.networks.decode import decode
from tests.conftest import grow_random_genomes

SECTION = HyperNeatSection(distance_input=True, delta_inputs=False, leo=False, bias_output=True, weight_threshold=0.2, max_weight=5.0)


def substrate_config(**changes) -> SubstrateConfig:
    values = dict(
        input_layout="auto", input_coordinates=(), output_layout="auto", output_coordinates=(), hidden_sheets=(), hidden_layout="line",
        hidden_coordinates=(), links=("input-output",), hidden_activation="sigmoid", output_activation="sigmoid",
    )  # fmt: skip
    values.update(changes)
    return SubstrateConfig(**values)


def test_line_and_grid_layouts_use_pixel_centres():
    assert line(4, -1.0)[:, 0].tolist() == pytest.approx([-0.75, -0.25, 0.25, 0.75])
    points = grid(2, 3)
    assert points == pytest.approx(np.array([[-2 / 3, -0.5], [0, -0.5], [2 / 3, -0.5], [-2 / 3, 0.5], [0, 0.5], [2 / 3, 0.5]]))


def test_sheets_stack_from_inputs_to_outputs():
    substrate = build_substrate(substrate_config(hidden_sheets=(3, 2), links=("input-hidden", "hidden-hidden", "hidden-output", "input-output")), 4, 2)
    assert [len(s) for s in substrate.sheets] == [4, 3, 2, 2]
    assert [float(s.coordinates[0, 1]) for s in substrate.sheets] == pytest.approx([-1.0, -1 / 3, 1 / 3, 1.0])
    assert substrate.links == ((0, 1), (1, 2), (0, 3), (2, 3))
    assert substrate.potential_links == 4 * 3 + 3 * 2 + 4 * 2 + 2 * 2
    boxes = build_substrate(substrate_config(), 121, 121, (11, 11), (11, 11))
    assert boxes.potential_links == 14_641
    assert boxes.sheets[0].coordinates[12] == pytest.approx(np.array([-1 + 3 / 11, -1 + 3 / 11]))  # row 1, column 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (dict(input_layout="custom", input_coordinates=(0.0, 0.0)), "input_coordinates gives 1 positions; the task has 3"),
        (dict(hidden_sheets=(2,), links=("input-hidden",)), "no path from the inputs to the outputs"),
        (dict(links=("hidden-output",)), "no path"),
        (dict(input_layout="grid"), "square count"),
    ],
)
def test_bad_substrates_say_what_is_wrong(changes, message):
    with pytest.raises(ValueError, match=message):
        build_substrate(substrate_config(**changes), 3, 2)


def test_custom_coordinates_are_used_as_given():
    substrate = build_substrate(substrate_config(input_layout="custom", input_coordinates=(0.1, -0.9, 0.2, -0.8)), 2, 1)
    assert substrate.sheets[0].coordinates.tolist() == [[0.1, -0.9], [0.2, -0.8]]


def _express(w: float) -> float:
    """SharpNEAT's rule, written out once more for the loop."""
    magnitude = min(abs(w), 1.0)
    return (magnitude - 0.2) * (5.0 / 0.8) * math.copysign(1.0, w) if magnitude > 0.2 else 0.0


def test_batched_decoding_equals_the_loop_over_cppns_and_links():
    substrate = build_substrate(substrate_config(hidden_sheets=(3,), links=("input-hidden", "hidden-output", "input-output")), 4, 2)
    cppns = grow_random_genomes(6, 6, 2, recurrent=False, rng=np.random.default_rng(3))
    networks = SubstrateDecoder(substrate, SECTION).decode(cppns)
    coordinates = substrate.coordinates
    offsets = substrate.offsets
    for p, cppn in enumerate(cppns):
        reference = decode(cppn)
        expected = np.zeros((9, 9))  # [target, source] over all nodes
        for source_sheet, target_sheet in substrate.links:
            for t in range(offsets[target_sheet], offsets[target_sheet + 1]):
                for s in range(offsets[source_sheet], offsets[source_sheet + 1]):
                    (x1, y1), (x2, y2) = coordinates[s], coordinates[t]
                    w = reference.activate([x1, y1, x2, y2, math.hypot(x2 - x1, y2 - y1), 1.0])[0]
                    expected[t, s] = _express(w)
        biases = [_express(reference.activate([0.0, 0.0, x, y, math.hypot(x, y), 1.0])[1]) for x, y in coordinates[4:]]
        got = np.zeros((9, 9))
        for group, w in zip(networks.groups, networks.weights):
            got[group.start : group.stop, group.source_start : group.start] = w[p]
        assert np.array_equal(got, expected)
        assert networks.biases[p, 4:].tolist() == biases
        assert networks.biases[p, :4].tolist() == [0.0] * 4


def test_layered_networks_compute_what_their_graph_genomes_compute():
    substrate = build_substrate(substrate_config(hidden_sheets=(5, 3), links=("input-hidden", "hidden-hidden", "hidden-output", "input-output")), 4, 3)
    cppns = grow_random_genomes(8, 6, 2, recurrent=False, rng=np.random.default_rng(4))
    networks = SubstrateDecoder(substrate, SECTION).decode(cppns)
    inputs = np.random.default_rng(5).uniform(-1, 1, (7, 4))
    genomes = networks.genomes
    assert [g.enabled_count() for g in genomes] == networks.link_counts().tolist()
    expected = PopulationNetwork(genomes).activate(inputs)
    assert networks.activate(inputs) == pytest.approx(expected, abs=1e-12)
    picked = networks.select(np.array([5, 2]))
    assert picked.activate(inputs) == pytest.approx(expected[[5, 2]], abs=1e-12)
    assert picked.genome_ids == (cppns[5].genome_id, cppns[2].genome_id)
    per_network = np.random.default_rng(6).uniform(-1, 1, (8, 2, 4))
    assert networks.activate(per_network) == pytest.approx(PopulationNetwork(genomes).activate(per_network), abs=1e-12)


def test_the_compiled_kernel_decodes_the_same_numbers():
    from core.compiled import numba_installed

    if not numba_installed():
        pytest.skip("numba is not installed")
    substrate = build_substrate(substrate_config(hidden_sheets=(3,), links=("input-hidden", "hidden-output")), 4, 2)
    cppns = grow_random_genomes(5, 6, 2, recurrent=False, rng=np.random.default_rng(8))
    decoder = SubstrateDecoder(substrate, SECTION)
    plain, compiled = decoder.decode(cppns), decoder.decode(cppns, kernel="numba")
    assert all(np.array_equal(a, b) for a, b in zip(plain.weights, compiled.weights))
    assert np.array_equal(plain.biases, compiled.biases)
