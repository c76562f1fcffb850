"""Playground datasets in both conventions, Backprop NEAT's fitness, and the pictures over the plane."""

import math

import numpy as np
import pytest

from core.networks.decode import decode
from core.tasks import make_task
from core.tasks.playground import (
    DATASETS,
    PLAYGROUND_COLORS,
    PlaygroundTask,
    colorize,
    decision_boundaries,
    feature_matrix,
    generate,
    node_pictures,
    plane_points,
)
from tests.conftest import make_genome


@pytest.mark.parametrize("dataset", DATASETS)
def test_conventions_differ_in_size_split_and_labels(dataset):
    article = generate(dataset, 0.5, 3)
    assert article.train_points.shape == (200, 2) and article.test_points.shape == (400, 2)
    assert set(np.unique(article.train_labels)) <= {0.0, 1.0} and set(np.unique(article.test_labels)) <= {0.0, 1.0}
    playground = generate(dataset, 0.5, 3, convention="playground", train_fraction=0.3)
    assert len(playground.train_labels) == 150 and len(playground.test_labels) == 350
    assert set(np.unique(playground.train_labels)) <= {-1.0, 1.0}
    np.testing.assert_array_equal(playground.train_targets, (playground.train_labels > 0).astype(float))
    again = generate(dataset, 0.5, 3)
    np.testing.assert_array_equal(again.train_points, article.train_points)
    np.testing.assert_array_equal(again.test_labels, article.test_labels)
    assert not np.array_equal(generate(dataset, 0.5, 4).train_points, article.train_points)
    assert 0.3 < article.train_targets.mean() < 0.7


def test_circle_noise_moves_points_in_the_article_and_flips_labels_in_the_playground():
    clean = generate("circle", 0.0, 1, test_size=2000)
    radius = np.hypot(*clean.test_points.T)
    np.testing.assert_array_equal(clean.test_labels, (radius < 2.5).astype(float))
    assert radius.max() <= 5.0 and ((radius >= 2.5) == (radius >= 3.75)).all()  # the article's ring starts at 3.75
    noisy = generate("circle", 0.5, 1, test_size=2000)
    noisy_radius = np.hypot(*noisy.test_points.T)
    assert ((noisy_radius < 2.5) != (noisy.test_labels > 0)).any()  # labels follow the clean radius
    tf = generate("circle", 0.0, 1, convention="playground")
    tf_radius = np.hypot(*tf.train_points.T)
    np.testing.assert_array_equal(tf.train_labels, np.where(tf_radius < 2.5, 1.0, -1.0))
    assert tf_radius[tf.train_labels < 0].min() >= 3.5
    tf_noisy = generate("circle", 0.5, 1, convention="playground")
    assert np.hypot(*tf_noisy.train_points.T).max() <= 5.0  # stored points stay clean
    assert ((np.hypot(*tf_noisy.train_points.T) < 2.5) != (tf_noisy.train_labels > 0)).any()


def test_xor_spiral_and_gaussian_follow_their_sources():
    article = generate("xor", 0.5, 2)
    x, y = article.train_points.T
    np.testing.assert_array_equal(article.train_labels, (x * y > 0).astype(float))  # labels of the noisy point
    tf = generate("xor", 0.0, 2, convention="playground")
    assert np.abs(tf.train_points).min() >= 0.3  # pushed away from the axes
    np.testing.assert_array_equal(tf.train_labels, np.where(tf.train_points.prod(axis=1) >= 0, 1.0, -1.0))
    assert np.hypot(*generate("spiral", 0.0, 2).test_points.T).max() == pytest.approx(6.0 * 199 / 200)
    assert np.hypot(*generate("spiral", 0.0, 2, convention="playground").train_points.T).max() <= 5.0
    # Article: standard deviation noise + 1. Playground: variance mapped from [0, 0.5] to [0.5, 4].
    big = generate("gaussian", 0.5, 2, train_size=20000, test_size=2)
    positive = big.train_points[big.train_labels > 0]
    assert positive.mean(axis=0) == pytest.approx([2, 2], abs=0.05)
    assert positive.std(axis=0) == pytest.approx([1.5, 1.5], rel=0.03)
    tf_points = generate("gaussian", 0.5, 2, convention="playground").train_points
    assert tf_points.std() > 2.0  # per-axis standard deviation 2 around centres +-2


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"dataset": "moons"}, "unknown dataset"),
        ({"convention": "tf"}, "unknown convention"),
        ({"noise": 0.7}, "noise must be in"),
        ({"seed": -1}, "non-negative"),
        ({"convention": "playground", "train_fraction": 0.95}, "train_fraction"),
    ],
)
def test_bad_parameters_are_named(kwargs, message):
    arguments = {"dataset": "xor", "noise": 0.1, "seed": 0, **kwargs}
    with pytest.raises(ValueError, match=message):
        generate(**arguments)


def test_features_are_the_playgrounds():
    points = np.array([[0.5, -2.0], [3.0, 1.0]])
    columns = feature_matrix(points, ["x", "y", "x2", "y2", "xy", "sinx", "siny"])
    x, y = points.T
    np.testing.assert_array_equal(columns, np.stack([x, y, x * x, y * y, x * y, np.sin(x), np.sin(y)], axis=1))
    with pytest.raises(ValueError, match="unknown feature"):
        PlaygroundTask(features=["x", "cosx"])


def _linear(weight_x, weight_y, bias=0.0, extra_disabled=False):
    connections = [(0, 0, 2, weight_x, True), (1, 1, 2, weight_y, True)]
    if extra_disabled:
        connections.append((2, 0, 2, 5.0, False))
    genome = make_genome(0, 2, 1, connections, activation="logistic")
    genome.nodes[2].bias = bias
    return genome


def test_fitness_is_the_penalised_log_loss_counting_disabled_connections():
    from core.networks.batch import PopulationNetwork

    task = PlaygroundTask("gaussian", 0.2, data_seed=1, penalty=0.05)
    genomes = [_linear(1.0, 1.0), _linear(1.0, 1.0, extra_disabled=True), _linear(-0.5, 0.2, 1.0)]
    result = task.evaluate(PopulationNetwork(genomes), np.random.default_rng(0))
    inputs, targets = task.training_set()
    for genome, fitness, connections in zip(genomes, result.fitness, (2, 3, 2)):
        net = decode(genome)
        y = np.array([net.activate(p)[0] for p in inputs])
        loss = -np.mean(targets * np.log(y) + (1 - targets) * np.log(1 - y))
        assert fitness == pytest.approx(-loss * (1 + 0.05 * math.sqrt(connections)), rel=1e-12)
    assert result.fitness[0] > result.fitness[1]  # the disabled gene costs
    metrics = task.metrics(genomes)
    assert metrics[0].train_accuracy > 0.95 and metrics[0].test_accuracy > 0.95 and metrics[2].test_accuracy < 0.8
    assert (metrics[0].enabled_connections, metrics[1].connections) == (2, 3)
    assert result.criterion_met.tolist() == [m.train_accuracy >= 1.0 for m in metrics]


def test_the_spec_rebuilds_the_same_task():
    task = PlaygroundTask("spiral", 0.3, data_seed=5, convention="playground", features=["x", "y", "sinx"], penalty=0.01, train_fraction=0.6)
    again = make_task(task.spec())
    assert again.spec() == task.spec() and again.num_inputs == 3
    np.testing.assert_array_equal(again.train_inputs, task.train_inputs)
    np.testing.assert_array_equal(again.test_inputs, task.test_inputs)


def test_pictures_are_oriented_like_the_playground():
    points = plane_points(5, 6.0)
    assert points[0, 0].tolist() == [-6.0, 6.0] and points[-1, -1].tolist() == [6.0, -6.0]
    pictures = decision_boundaries([_linear(0.0, 2.0), _linear(2.0, 0.0)], ["x", "y"], density=5)
    assert pictures.shape == (2, 5, 5)
    assert pictures[0, 0, 2] > 0.99 and pictures[0, -1, 2] < 0.01  # y up: top row blue
    np.testing.assert_array_equal(pictures[0], pictures[0][:, :1].repeat(5, axis=1))
    assert pictures[1, 2, -1] > 0.99 and pictures[1, 2, 0] < 0.01


def test_every_node_gets_its_own_picture():
    genome = make_genome(0, 2, 1, [(0, 0, 3, 1.0, True), (1, 3, 2, 1.0, True), (2, 1, 2, 0.5, True)], hidden=[3], activation="logistic")
    genome.nodes[3].activation = "tanh"
    pictures = node_pictures(genome, ["x", "y"], density=4)
    assert set(pictures) == {0, 1, 2, 3}
    grid = plane_points(4)
    np.testing.assert_allclose(pictures[3], np.tanh(grid[..., 0]))
    np.testing.assert_allclose(pictures[1], grid[..., 1])
    np.testing.assert_allclose(pictures[2], 1 / (1 + np.exp(-(np.tanh(grid[..., 0]) + 0.5 * grid[..., 1]))))


def test_colours_run_orange_grey_blue():
    pixels = colorize(np.array([0.0, 0.5, 1.0, 0.25]))
    assert [tuple(p) for p in pixels[:3]] == list(PLAYGROUND_COLORS)
    assert tuple(pixels[3]) == tuple(np.rint((np.array(PLAYGROUND_COLORS[0]) + PLAYGROUND_COLORS[1]) / 2).astype(int))
    assert [tuple(p) for p in colorize(np.array([-1.0, 1.0]), low=-1.0)] == [PLAYGROUND_COLORS[0], PLAYGROUND_COLORS[2]]
    assert [tuple(p) for p in colorize(np.array([0.4, 0.6]), discretize=True)] == [PLAYGROUND_COLORS[0], PLAYGROUND_COLORS[2]]
