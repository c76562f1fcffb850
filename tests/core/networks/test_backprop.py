"""Backpropagation over the population schedule: same forward values, exact gradients, Backprop NEAT's training loop."""

import numpy as np
import pytest

from core.networks.activations import ACTIVATIONS, AGGREGATIONS
from core.networks.backprop import (
    CHECKPOINT_EVERY,
    TrainableNetwork,
    TrainingSettings,
    log_loss,
    loss_and_gradient,
    train_population,
)
from core.networks.batch import PopulationNetwork
from core.networks.decode import decode
from tests.conftest import grow_random_genomes, make_genome


def _mixed_genomes(count, seed, output="logistic"):
    """Random feed-forward genomes whose nodes use every activation and aggregation."""
    rng = np.random.default_rng(seed)
    genomes = grow_random_genomes(count, 3, 1, recurrent=False, rng=rng, steps=20)
    names = list(ACTIVATIONS)
    position = 0
    for genome in genomes:
        for node in genome.nodes.values():
            if node.kind == "hidden":
                node.activation = names[position % len(names)]
                position += 1
            elif node.kind == "output":
                node.activation = output
        for conn in genome.connections.values():
            conn.weight *= 0.6  # keeps products and squares of several terms in a sane range
    return genomes


def _used(genomes, network):
    activations = {s.activation for layer in network.layers for s in layer.segments}
    aggregations = {s.aggregation for layer in network.layers for s in layer.segments}
    return activations, aggregations


def test_forward_is_the_batched_evaluator_and_the_reference_network():
    genomes = _mixed_genomes(25, 1)
    population = PopulationNetwork(genomes)
    network = TrainableNetwork(population)
    activations, aggregations = _used(genomes, network)
    assert activations == set(ACTIVATIONS) and aggregations == set(AGGREGATIONS)
    inputs = np.random.default_rng(2).normal(size=(9, 3))
    trained_view = network.forward(inputs)
    np.testing.assert_array_equal(trained_view, population.activate(inputs))
    reference = np.array([[decode(g).activate(x) for x in inputs] for g in genomes])
    np.testing.assert_array_equal(trained_view, reference)


@pytest.mark.parametrize("output", ["logistic", "sigmoid"])
def test_gradient_matches_central_finite_differences(output):
    """The logistic output takes the y - t shortcut; the paper's steepened sigmoid goes through d loss / d y."""
    genomes = _mixed_genomes(12, 3, output=output)
    for genome in genomes:
        # Keeps outputs away from saturation, where finite differences of log(1 - y) lose their digits.
        genome.nodes[3].response = 0.2 if output == "logistic" else 0.05
    network = TrainableNetwork(PopulationNetwork(genomes))
    activations, aggregations = _used(genomes, network)
    assert activations == set(ACTIVATIONS) and aggregations == set(AGGREGATIONS)
    rng = np.random.default_rng(4)
    inputs = rng.normal(size=(6, 3))
    targets = (rng.random(6) < 0.5).astype(float)
    losses, gradient = loss_and_gradient(network, inputs, targets)
    assert losses.shape == (12,) and np.isfinite(losses).all()
    outputs = network.forward(inputs)[:, :, 0]
    assert 1e-6 < outputs.min() and outputs.max() < 1 - 1e-6

    def total(theta):
        return log_loss(network.forward(inputs, theta)[:, :, 0], targets).sum()

    step = 1e-6
    numeric = np.empty_like(network.theta)
    for i in range(len(network.theta)):
        up, down = network.theta.copy(), network.theta.copy()
        up[i] += step
        down[i] -= step
        numeric[i] = (total(up) - total(down)) / (2 * step)
    real = network.parameter_is_real
    assert np.abs(gradient[~real]).max(initial=0.0) == 0.0
    np.testing.assert_allclose(gradient, numeric, rtol=1e-6, atol=1e-6)
    assert np.abs(gradient[real]).max() > 1e-2  # the check is not vacuous


def _blobs(seed, count=80):
    rng = np.random.default_rng(seed)
    labels = (rng.random(count) < 0.5).astype(float)
    points = rng.normal(size=(count, 2)) + np.where(labels[:, None] > 0, 1.2, -1.2)
    return points, labels


def _small_population(seed, count=16):
    rng = np.random.default_rng(seed)
    genomes = grow_random_genomes(count, 2, 1, recurrent=False, rng=rng, steps=6)
    for genome in genomes:
        for node in genome.nodes.values():
            if node.kind != "input":
                node.activation, node.aggregation, node.response = ("logistic" if node.kind == "output" else "tanh"), "sum", 1.0
        for conn in genome.connections.values():
            conn.weight *= 0.3
    return genomes


def test_training_lowers_the_loss_and_writes_weights_back_to_copies():
    points, labels = _blobs(0)
    genomes = _small_population(1)
    before = [[c.weight for c in g.connections.values()] for g in genomes]
    network = TrainableNetwork(PopulationNetwork(genomes))
    start = network.theta.copy()
    result = train_population(network, points, labels, TrainingSettings(steps=200, learning_rate=0.02), np.random.default_rng(2))
    np.testing.assert_array_equal(network.theta, start)
    assert (result.final_loss <= result.initial_loss).all()
    assert result.final_loss.mean() < 0.8 * result.initial_loss.mean()
    np.testing.assert_array_equal(result.loss_curve[:, 0], result.initial_loss)
    assert (np.diff(result.loss_curve, axis=1) <= 0).all()  # checkpoints only ever keep improvements
    trained = network.write_back(genomes, result.theta)
    assert [[c.weight for c in g.connections.values()] for g in genomes] == before
    assert [g.genome_id for g in trained] == [g.genome_id for g in genomes]
    outputs = PopulationNetwork(trained).activate(points)[:, :, 0]
    np.testing.assert_array_equal(outputs, network.forward(points, result.theta)[:, :, 0])
    np.testing.assert_array_equal(log_loss(outputs, labels), result.final_loss)


def test_shrinking_the_batch_changes_nothing_and_the_seed_decides():
    points, labels = _blobs(3)
    network = TrainableNetwork(PopulationNetwork(_small_population(4, count=24)))
    settings = TrainingSettings(steps=300)
    shrunk = train_population(network, points, labels, settings, np.random.default_rng(5))
    whole = train_population(network, points, labels, settings, np.random.default_rng(5), shrink=False)
    for name in ("theta", "initial_loss", "final_loss", "steps", "loss_curve"):
        np.testing.assert_array_equal(getattr(shrunk, name), getattr(whole, name))
    assert len(set(shrunk.steps.tolist())) > 1  # genomes stopped at different checks
    other = train_population(network, points, labels, settings, np.random.default_rng(6))
    assert not np.array_equal(other.theta, shrunk.theta)


def test_a_genome_that_gets_worse_is_restored_and_stops():
    points, labels = _blobs(7)
    network = TrainableNetwork(PopulationNetwork(_small_population(8)))
    result = train_population(network, points, labels, TrainingSettings(steps=100, learning_rate=20.0), np.random.default_rng(9))
    worse = result.steps == 0
    assert worse.any()
    kept = np.isin(network.parameter_owner, np.flatnonzero(worse))
    np.testing.assert_array_equal(result.theta[kept], network.theta[kept])
    np.testing.assert_array_equal(result.final_loss[worse], result.initial_loss[worse])


def test_checkpoint_runs_before_every_check_and_can_abandon_training():
    points, labels = _blobs(10)
    network = TrainableNetwork(PopulationNetwork(_small_population(11, count=4)))
    calls = []
    train_population(network, points, labels, TrainingSettings(steps=60, check_every=20), np.random.default_rng(0), checkpoint=lambda: calls.append(1))
    assert 1 <= len(calls) <= 3
    calls.clear()  # early stopping off: still a checkpoint every CHECKPOINT_EVERY steps
    train_population(network, points, labels, TrainingSettings(steps=100, check_every=1000), np.random.default_rng(0), checkpoint=lambda: calls.append(1))
    assert len(calls) == 100 // CHECKPOINT_EVERY

    class Stop(Exception):
        pass

    def stop():
        raise Stop

    start = network.theta.copy()
    with pytest.raises(Stop):
        train_population(network, points, labels, TrainingSettings(steps=60), np.random.default_rng(0), checkpoint=stop)
    np.testing.assert_array_equal(network.theta, start)


def test_log_loss_is_binary_cross_entropy_and_finite_when_saturated():
    outputs = np.array([[0.9, 0.2, 1.0, 0.0]])
    targets = np.array([1.0, 0.0, 0.0, 1.0])
    # 1 - 1e-16 rounds to 1 - 2**-53, so the two saturated terms differ slightly.
    expected = -(np.log(0.9) + np.log(0.8) + np.log1p(-(1.0 - 1e-16)) + np.log(1e-16)) / 4
    assert log_loss(outputs, targets)[0] == pytest.approx(expected, rel=1e-9)


def test_recurrent_populations_are_refused():
    genome = make_genome(0, 2, 1, [(0, 0, 2, 1.0, True), (1, 2, 2, 0.5, True)])
    with pytest.raises(ValueError, match="feed-forward"):
        TrainableNetwork(PopulationNetwork([genome], recurrent=True))
