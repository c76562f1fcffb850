"""Decoding and evaluation: hand-computed nets, and the batched evaluator against the reference."""

import math

import numpy as np
import pytest

from core.networks.activations import steepened_sigmoid
from core.networks.batch import PopulationNetwork
from core.networks.decode import CycleError, decode
from tests.conftest import grow_random_genomes, make_genome


def test_feed_forward_output_by_hand():
    # 0,1 -> hidden 3 -> output 2, plus a direct 0 -> 2; identity hidden, sigmoid output.
    genome = make_genome(0, 2, 1, [(0, 0, 3, 2.0, True), (1, 1, 3, -1.0, True), (2, 3, 2, 0.5, True), (3, 0, 2, 1.5, True)], hidden=[3])
    genome.nodes[3].activation = "identity"
    genome.nodes[3].bias = 0.25
    genome.nodes[2].bias = -0.1
    net = decode(genome)
    x0, x1 = 0.6, 0.2
    hidden = 0.25 + 2.0 * x0 - 1.0 * x1
    expected = 1 / (1 + math.exp(-4.9 * (-0.1 + 0.5 * hidden + 1.5 * x0)))
    assert net.activate([x0, x1])[0] == pytest.approx(expected, abs=1e-14)
    assert net.layers == ((3,), (2,))


def test_disabled_and_dangling_parts_are_ignored():
    genome = make_genome(0, 2, 1, [(0, 0, 2, 1.0, True), (1, 1, 2, 9.0, False), (2, 0, 4, 3.0, True)], hidden=[4])
    net = decode(genome)
    assert [n.node_id for n in net.nodes] == [2]  # hidden 4 reaches no output
    assert net.activate([1.0, 1.0])[0] == pytest.approx(float(steepened_sigmoid(np.float64(1.0))))


def test_decode_does_not_change_the_genome():
    genome = grow_random_genomes(1, 3, 2, recurrent=False, rng=np.random.default_rng(2))[0]
    before = repr(genome)
    decode(genome)
    PopulationNetwork([genome])
    assert repr(genome) == before


def test_cycle_in_feed_forward_genome_is_an_error():
    genome = make_genome(0, 1, 1, [(0, 0, 1, 1.0, True), (1, 1, 3, 1.0, True), (2, 3, 1, 1.0, True)], hidden=[3])
    with pytest.raises(CycleError):
        decode(genome)
    with pytest.raises(CycleError):
        PopulationNetwork([genome])


def test_recurrent_network_carries_state_by_hand():
    # Output 1 with a self loop of weight 0.5 and input weight 1, identity activation:
    # y_t = x_t + 0.5 * y_{t-1}, one synchronous step per activation.
    genome = make_genome(0, 1, 1, [(0, 0, 1, 1.0, True), (1, 1, 1, 0.5, True)], activation="identity")
    net = decode(genome, recurrent=True)
    assert [net.activate([x])[0] for x in (1.0, 0.0, 0.0, 2.0)] == [1.0, 0.5, 0.25, 2.125]
    net.reset()
    assert net.activate([1.0])[0] == 1.0


@pytest.mark.parametrize("recurrent", [False, True])
def test_batched_equals_reference_on_random_genomes(recurrent):
    rng = np.random.default_rng(42 + recurrent)
    genomes = grow_random_genomes(40, 3, 2, recurrent=recurrent, rng=rng, steps=30)
    assert any(not c.enabled for g in genomes for c in g.connections.values()), "want disabled genes in the sample"
    assert max(g.hidden_count() for g in genomes) >= 3, "want hidden-node chains in the sample"
    used = {(n.activation, n.aggregation) for g in genomes for n in g.nodes.values() if n.kind != "input"}
    assert {a for _, a in used} == {"sum", "product", "max"} and len({a for a, _ in used}) >= 6
    episodes, steps = 3, (6 if recurrent else 1)
    inputs = rng.normal(size=(steps, len(genomes), episodes, 3))
    batch = PopulationNetwork(genomes, recurrent=recurrent)
    batched = np.stack([batch.activate(inputs[t]) for t in range(steps)])  # (T, P, E, outputs)
    for g, genome in enumerate(genomes):
        for e in range(episodes):
            # The reference runs one episode at a time from a fresh state.
            net = decode(genome, recurrent=recurrent)
            for t in range(steps):
                np.testing.assert_allclose(batched[t, g, e], net.activate(inputs[t, g, e]), rtol=0, atol=1e-12)


def test_shared_inputs_broadcast_to_all_genomes():
    genomes = grow_random_genomes(5, 2, 1, recurrent=False, rng=np.random.default_rng(9))
    batch = PopulationNetwork(genomes)
    cases = np.array([[0.0, 1.0], [1.0, 1.0]])
    shared = batch.activate(cases)
    per_genome = batch.activate(np.broadcast_to(cases, (5, 2, 2)))
    np.testing.assert_array_equal(shared, per_genome)


def test_mismatched_io_counts_are_rejected():
    with pytest.raises(ValueError, match="same number of inputs"):
        PopulationNetwork([make_genome(0, 2, 1), make_genome(1, 3, 1)])


def test_bad_input_shape_is_rejected():
    batch = PopulationNetwork([make_genome(0, 2, 1)])
    with pytest.raises(ValueError, match="inputs must be"):
        batch.activate(np.zeros((4, 3)))
