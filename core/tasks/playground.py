"""TensorFlow Playground's 2-D classification sets, the Backprop NEAT task on them, and decision-boundary pictures.

Two conventions (see ``shared/specs/backprop_neat.md``): ``"playground"`` follows
tensorflow/playground ``src/dataset.ts`` (labels +-1, 500 points shuffled and split, noise only
flips labels near the boundary for circle and xor); ``"article"`` follows hardmaru's
backprop-neat-js ``dataset.js`` (labels 0/1, 200 training and 400 test points drawn separately,
noise moves the points). Fitness is Backprop NEAT's: -(mean training log loss) *
(1 + c * sqrt(connections)) (backprop-neat-js ``example.js``). The grids at the end are what a
workspace draws: a network's output over the plane and each hidden node's own output.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from core.networks.backprop import TrainableNetwork, log_loss
from core.networks.batch import PopulationNetwork
from core.networks.genome import Genome
from core.runs.fields import check_int, check_number, check_value, shown
from core.tasks import TaskResult

DATASETS = ("circle", "xor", "gaussian", "spiral")
MAX_POINTS = 1_000_000  # points per set a task may ask for
CONVENTIONS = ("article", "playground")
# Input features the Playground offers (playground.ts INPUTS); cos x / cos y exist in its state
# but not in its UI, so they are not offered here either.
FEATURES = {
    "x": lambda x, y: x,
    "y": lambda x, y: y,
    "x2": lambda x, y: x * x,
    "y2": lambda x, y: y * y,
    "xy": lambda x, y: x * y,
    "sinx": lambda x, y: np.sin(x),
    "siny": lambda x, y: np.sin(y),
}
PLAYGROUND_POINTS = 500
PLAYGROUND_EXTENT = 6.0  # heatmap.ts xDomain [-6, 6]
# d3 colour scale of playground.ts over [0, 0.5, 1]: orange (negative), grey, blue (positive).
PLAYGROUND_COLORS = ((0xF5, 0x93, 0x22), (0xE8, 0xEA, 0xEB), (0x08, 0x77, 0xBD))
# One colour per kind of node a Backprop NEAT genome holds (keys: core.networks.activations.node_function_name).
NODE_FUNCTION_COLORS = {
    "input": "#6c757d",
    "logistic": "#1f77b4",
    "sigmoid": "#1f77b4",
    "tanh": "#ff7f0e",
    "relu": "#2ca02c",
    "std_gaussian": "#d62728",
    "gaussian": "#d62728",
    "sin": "#9467bd",
    "abs": "#8c564b",
    "mult": "#e377c2",
    "square": "#bcbd22",
    "add": "#17becf",
}


@dataclass(frozen=True, slots=True)
class PlaygroundData:
    """A dataset's points and labels (in its convention's encoding) split into training and test sets."""

    dataset: str
    convention: str
    noise: float
    train_points: np.ndarray  # (N, 2)
    train_labels: np.ndarray  # (N,): 0/1 (article) or -1/+1 (playground)
    test_points: np.ndarray
    test_labels: np.ndarray

    @property
    def train_targets(self) -> np.ndarray:
        """Training labels as 0/1 targets of the sigmoid output."""
        return (self.train_labels > 0).astype(np.float64)

    @property
    def test_targets(self) -> np.ndarray:
        """Test labels as 0/1 targets."""
        return (self.test_labels > 0).astype(np.float64)


# --- generators: tensorflow/playground src/dataset.ts ------------------------------------------


def _tf_circle(count: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    radius = 5.0
    points, labels = [], []
    for low, high in ((0.0, radius * 0.5), (radius * 0.7, radius)):
        half = count // 2
        draws = rng.random((half, 4))
        r = low + (high - low) * draws[:, 0]
        angle = 2 * math.pi * draws[:, 1]
        x, y = r * np.sin(angle), r * np.cos(angle)
        noise_x = (draws[:, 2] * 2 * radius - radius) * noise
        noise_y = (draws[:, 3] * 2 * radius - radius) * noise
        # The label comes from the noisy point, the stored point is the clean one.
        labels.append(np.where(np.hypot(x + noise_x, y + noise_y) < radius * 0.5, 1.0, -1.0))
        points.append(np.stack([x, y], axis=1))
    return np.concatenate(points), np.concatenate(labels)


def _tf_xor(count: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    draws = rng.random((count, 4)) * 10.0 - 5.0
    x = draws[:, 0] + np.where(draws[:, 0] > 0, 0.3, -0.3)
    y = draws[:, 1] + np.where(draws[:, 1] > 0, 0.3, -0.3)
    labels = np.where((x + draws[:, 2] * noise) * (y + draws[:, 3] * noise) >= 0, 1.0, -1.0)
    return np.stack([x, y], axis=1), labels


def _tf_gaussian(count: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    # normalRandom(mean, variance): the second argument is a variance, mapped from noise [0, 0.5] to [0.5, 4].
    variance = 0.5 + noise / 0.5 * 3.5
    half = count // 2
    positive = 2.0 + math.sqrt(variance) * rng.standard_normal((half, 2))
    negative = -2.0 + math.sqrt(variance) * rng.standard_normal((half, 2))
    return np.concatenate([positive, negative]), np.concatenate([np.ones(half), -np.ones(half)])


def _spiral(count: int, noise: float, rng: np.random.Generator, radius: float, labels: tuple[float, float]) -> tuple[np.ndarray, np.ndarray]:
    half = count // 2
    i = np.arange(half)
    points = []
    for delta in (0.0, math.pi):
        r = i / half * radius
        t = 1.75 * i / half * 2 * math.pi + delta
        jitter = rng.random((half, 2)) * 2.0 - 1.0
        points.append(np.stack([r * np.sin(t) + jitter[:, 0] * noise, r * np.cos(t) + jitter[:, 1] * noise], axis=1))
    return np.concatenate(points), np.concatenate([np.full(half, labels[0]), np.full(half, labels[1])])


# --- generators: hardmaru/backprop-neat-js dataset.js --------------------------------------------


def _article_circle(count: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    radius = 5.0
    points, labels = [], []
    for low, high in ((0.0, radius * 0.5), (radius * 0.75, radius)):
        half = count // 2
        draws = rng.random((half, 4))
        r = low + (high - low) * draws[:, 0]
        angle = 2 * math.pi * draws[:, 1]
        x, y = r * np.sin(angle), r * np.cos(angle)
        # The label comes from the clean radius, the stored point is the noisy one.
        labels.append(np.where(x * x + y * y < (radius * 0.5) ** 2, 1.0, 0.0))
        offsets = (draws[:, 2:] * 2 * radius - radius) * noise / 3.0
        points.append(np.stack([x, y], axis=1) + offsets)
    return np.concatenate(points), np.concatenate(labels)


def _article_xor(count: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    points = rng.random((count, 2)) * 10.0 - 5.0 + rng.standard_normal((count, 2)) * noise
    x, y = points[:, 0], points[:, 1]
    return points, np.where(((x > 0) & (y > 0)) | ((x < 0) & (y < 0)), 1.0, 0.0)


def _article_gaussian(count: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    half = count // 2
    std = noise + 1.0
    positive = 2.0 + std * rng.standard_normal((half, 2))
    negative = -2.0 + std * rng.standard_normal((half, 2))
    return np.concatenate([positive, negative]), np.concatenate([np.ones(half), np.zeros(half)])


_GENERATORS = {
    "playground": {
        "circle": _tf_circle,
        "xor": _tf_xor,
        "gaussian": _tf_gaussian,
        "spiral": lambda n, noise, rng: _spiral(n, noise, rng, 5.0, (1.0, -1.0)),
    },
    "article": {
        "circle": _article_circle,
        "xor": _article_xor,
        "gaussian": _article_gaussian,
        "spiral": lambda n, noise, rng: _spiral(n, noise, rng, 6.0, (0.0, 1.0)),
    },
}


def generate(
    dataset: str,
    noise: float,
    seed: int,
    convention: str = "article",
    train_size: int = 200,
    test_size: int = 400,
    train_fraction: float = 0.5,
) -> PlaygroundData:
    """Draw a dataset from a seed.

    Args:
        dataset: circle, xor, gaussian or spiral.
        noise: 0 to 0.5 as in both sources (the Playground's slider / 100).
        seed: the data's own seed (any non-negative integer).
        convention: "article" (200 training and 400 test points, drawn separately; labels 0/1)
            or "playground" (500 points, shuffled, the first ``train_fraction`` for training;
            labels -1/+1).
        train_size, test_size: point counts of the article convention.
        train_fraction: training share of the playground convention (its slider: 10% to 90%).

    Raises:
        ValueError: unknown dataset or convention, or a parameter out of range.
    """
    if convention not in _GENERATORS:
        raise ValueError(f"unknown convention {shown(convention)}; known: {', '.join(CONVENTIONS)}")
    if dataset not in DATASETS:
        raise ValueError(f"unknown dataset {shown(dataset)}; known: {', '.join(DATASETS)}")
    if not 0.0 <= noise <= 0.5:
        raise ValueError(f"noise must be in [0, 0.5], got {noise}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"the data seed must be a non-negative integer, got {seed!r}")
    generator = _GENERATORS[convention][dataset]
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    if convention == "article":
        if train_size < 2 or test_size < 2:
            raise ValueError("train_size and test_size must be at least 2")
        train_points, train_labels = generator(train_size, noise, rng)
        test_points, test_labels = generator(test_size, noise, rng)
        train_order, test_order = rng.permutation(len(train_labels)), rng.permutation(len(test_labels))
        return PlaygroundData(
            dataset, convention, noise, train_points[train_order], train_labels[train_order], test_points[test_order], test_labels[test_order]
        )
    if not 0.1 <= train_fraction <= 0.9:
        raise ValueError(f"train_fraction must be in [0.1, 0.9] (the Playground's slider), got {train_fraction}")
    points, labels = generator(PLAYGROUND_POINTS, noise, rng)
    order = rng.permutation(len(labels))
    points, labels = points[order], labels[order]
    split = int(math.floor(len(labels) * train_fraction))
    return PlaygroundData(dataset, convention, noise, points[:split], labels[:split], points[split:], labels[split:])


def feature_matrix(points: np.ndarray, features: Sequence[str]) -> np.ndarray:
    """Network inputs for (N, 2) points: one column per named feature (x, y, x2, y2, xy, sinx, siny)."""
    x, y = points[:, 0], points[:, 1]
    return np.stack([FEATURES[name](x, y) for name in features], axis=1)


def _check_features(features: Sequence[str]) -> tuple[str, ...]:
    names = tuple(features)
    if not names:
        raise ValueError("name at least one input feature")
    for name in names:
        if name not in FEATURES:
            raise ValueError(f"unknown feature {shown(name)}; known: {', '.join(FEATURES)}")
    if len(set(names)) != len(names):
        raise ValueError(f"features repeat: {', '.join(names)}")
    return names


@dataclass(frozen=True, slots=True)
class GenomeMetrics:
    """How one network does on a dataset (losses are mean log losses of the sigmoid output)."""

    train_accuracy: float
    test_accuracy: float
    train_loss: float
    test_loss: float
    hidden_nodes: int
    enabled_connections: int
    connections: int

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        return dataclasses.asdict(self)


class PlaygroundTask:
    """Classify a Playground dataset with one sigmoid output; Backprop NEAT's fitness.

    fitness = -(mean training log loss) * (1 + penalty * sqrt(connections)), counting every
    connection gene, disabled ones too (backprop-neat-js ``example.js``). The task never
    reaches a fitness of 0, so by default a run goes on for all its generations; the criterion is
    a training accuracy of ``target_accuracy``.

    Args:
        dataset, noise, convention, train_size, test_size, train_fraction: see ``generate``.
        data_seed: the seed the data is drawn from.
        features: network inputs (default x and y).
        penalty: the connection penalty factor c (article: 0.03).
        fitness_threshold: fitness that counts as solved (default 0: never).
        target_accuracy: training accuracy that meets the task's criterion.
    """

    name = "playground"
    num_outputs = 1
    deterministic = True

    spec_keys = ("dataset", "noise", "data_seed", "convention", "features", "penalty", "train_size", "test_size", "train_fraction",
                 "fitness_threshold", "target_accuracy")  # fmt: skip

    def __init__(
        self,
        dataset: str = "spiral",
        noise: float = 0.5,
        data_seed: int = 0,
        convention: str = "article",
        features: Sequence[str] = ("x", "y"),
        penalty: float = 0.03,
        train_size: int = 200,
        test_size: int = 400,
        train_fraction: float = 0.5,
        fitness_threshold: float = 0.0,
        target_accuracy: float = 1.0,
    ):
        # Every parameter is type- and range-checked first: a run file may hold anything.
        check_value(dataset, str, "task.dataset")
        check_value(convention, str, "task.convention")
        noise = check_number(noise, "task.noise")  # its range is checked (and worded) by generate()
        check_int(data_seed, "task.data_seed", 0, 2**63 - 1)
        train_size = check_int(train_size, "task.train_size", 2, MAX_POINTS)
        test_size = check_int(test_size, "task.test_size", 2, MAX_POINTS)
        train_fraction = check_number(train_fraction, "task.train_fraction", 0.0, 1.0)
        fitness_threshold = check_number(fitness_threshold, "task.fitness_threshold")
        target_accuracy = check_number(target_accuracy, "task.target_accuracy", 0.0, 1.0)
        if not isinstance(features, (list, tuple)) or not all(isinstance(name, str) for name in features) or len(features) > len(FEATURES):
            raise ValueError(f"task.features: expected a list of feature names, got {shown(features)}")
        self.features = _check_features(features)
        if check_number(penalty, "task.penalty") < 0:
            raise ValueError(f"penalty must be a non-negative number, got {shown(penalty)}")
        self.data = generate(dataset, float(noise), data_seed, convention, int(train_size), int(test_size), float(train_fraction))
        self.data_seed = data_seed
        self.penalty = float(penalty)
        self.train_size, self.test_size, self.train_fraction = int(train_size), int(test_size), float(train_fraction)
        self.fitness_threshold = float(fitness_threshold)
        self.target_accuracy = float(target_accuracy)
        self.num_inputs = len(self.features)
        self.train_inputs = feature_matrix(self.data.train_points, self.features)
        self.test_inputs = feature_matrix(self.data.test_points, self.features)

    @property
    def activations_per_genome(self) -> int:
        """One batched activation over the training points (sizes the kernel choice; see core.compiled)."""
        return len(self.train_inputs)

    def training_set(self) -> tuple[np.ndarray, np.ndarray]:
        """(N, inputs) training inputs and (N,) 0/1 targets, for training inside evolution."""
        return self.train_inputs, self.data.train_targets

    def penalty_factor(self, genomes: Sequence[Genome]) -> np.ndarray:
        """1 + c * sqrt(connection genes) per genome."""
        return 1.0 + self.penalty * np.sqrt(np.array([len(g.connections) for g in genomes], dtype=np.float64))

    def evaluate(self, population: PopulationNetwork, rng: np.random.Generator, episodes: int | None = None) -> TaskResult:
        """Score every genome on the whole training set; the data is fixed, rng is unused."""
        with np.errstate(all="ignore"):  # overflowing products and squares fault the genome, not the run
            outputs = population.activate(self.train_inputs)[:, :, 0]
            loss = log_loss(outputs, self.data.train_targets)
        fitness = -loss * self.penalty_factor(population.genomes)
        accuracy = ((outputs > 0.5) == (self.data.train_targets > 0.5)).mean(axis=1)
        errors = tuple((int(i), "the network's output is not a number") for i in np.flatnonzero(~np.isfinite(fitness)))
        return TaskResult(fitness, accuracy >= self.target_accuracy, errors)

    def metrics(self, genomes: Sequence[Genome]) -> list[GenomeMetrics]:
        """Train/test accuracy and log loss of each genome (one batch for all)."""
        if not genomes:
            return []
        population = PopulationNetwork(genomes)
        with np.errstate(all="ignore"):
            train = population.activate(self.train_inputs)[:, :, 0]
            test = population.activate(self.test_inputs)[:, :, 0]
            train_loss = log_loss(train, self.data.train_targets)
            test_loss = log_loss(test, self.data.test_targets)
        train_accuracy = ((train > 0.5) == (self.data.train_targets > 0.5)).mean(axis=1)
        test_accuracy = ((test > 0.5) == (self.data.test_targets > 0.5)).mean(axis=1)
        return [
            GenomeMetrics(
                float(train_accuracy[i]),
                float(test_accuracy[i]),
                float(train_loss[i]),
                float(test_loss[i]),
                genome.hidden_count(),
                genome.enabled_count(),
                len(genome.connections),
            )
            for i, genome in enumerate(genomes)
        ]

    def describe(self, genome: Genome) -> dict[str, Any]:
        """The champion's numbers for a run summary."""
        return self.metrics([genome])[0].to_dict()

    def spec(self) -> dict[str, Any]:
        """Task name and parameters."""
        return {
            "name": self.name,
            "dataset": self.data.dataset,
            "noise": self.data.noise,
            "data_seed": self.data_seed,
            "convention": self.data.convention,
            "features": list(self.features),
            "penalty": self.penalty,
            "train_size": self.train_size,
            "test_size": self.test_size,
            "train_fraction": self.train_fraction,
            "fitness_threshold": self.fitness_threshold,
            "target_accuracy": self.target_accuracy,
        }

    def close(self) -> None:
        """Nothing to release."""


# --- pictures over the plane (Qt-free; the workspace colours and draws them) ------------------


def plane_points(density: int = 100, extent: float = PLAYGROUND_EXTENT) -> np.ndarray:
    """(density, density, 2) coordinates of a picture's pixels, row 0 at the top (y = +extent).

    As heatmap.ts: x = linear map of the column from [0, density - 1] to [-extent, extent],
    y = linear map of the row from [density - 1, 0] to [-extent, extent].
    """
    axis = np.linspace(-extent, extent, density)
    x, y = np.meshgrid(axis, axis[::-1])
    return np.stack([x, y], axis=-1)


def decision_boundaries(genomes: Sequence[Genome], features: Sequence[str], density: int = 100, extent: float = PLAYGROUND_EXTENT) -> np.ndarray:
    """Each genome's sigmoid output over the plane, (G, density, density), row 0 at the top.

    One batch for all genomes, e.g. the best network of every species.
    """
    points = plane_points(density, extent).reshape(-1, 2)
    with np.errstate(all="ignore"):
        outputs = PopulationNetwork(genomes).activate(feature_matrix(points, _check_features(features)))[:, :, 0]
    return outputs.reshape(len(genomes), density, density)


def node_pictures(genome: Genome, features: Sequence[str], density: int = 10, extent: float = PLAYGROUND_EXTENT) -> dict[int, np.ndarray]:
    """Every computed node's own output over the plane (node id -> (density, density)), inputs included.

    The Playground draws a 10 x 10 thumbnail per neuron (heatmap.ts DENSITY / 10). Nodes that
    cannot reach the output are not computed and are missing.
    """
    points = plane_points(density, extent).reshape(-1, 2)
    network = TrainableNetwork(PopulationNetwork([genome]))
    with np.errstate(all="ignore"):
        network.forward(feature_matrix(points, _check_features(features)), keep=True)
    return {node_id: values.reshape(density, density).copy() for node_id, values in network.node_values(0).items()}


def colorize(values: np.ndarray, low: float = 0.0, high: float = 1.0, discretize: bool = False) -> np.ndarray:
    """RGB pixels (..., 3) uint8 for values, on the Playground's orange-grey-blue scale.

    ``low`` maps to orange, the midpoint to grey, ``high`` to blue (network outputs: 0..1;
    hidden nodes as the Playground shows them: -1..1). ``discretize`` snaps to either end.
    """
    position = np.clip((np.asarray(values, dtype=np.float64) - low) / (high - low), 0.0, 1.0)
    position = np.nan_to_num(position, nan=0.5)
    if discretize:
        position = np.where(position >= 0.5, 1.0, 0.0)
    stops = np.array(PLAYGROUND_COLORS, dtype=np.float64)
    lower = np.where(position[..., None] < 0.5, stops[0], stops[1])
    upper = np.where(position[..., None] < 0.5, stops[1], stops[2])
    fraction = np.where(position < 0.5, position * 2.0, position * 2.0 - 1.0)[..., None]
    return np.rint(lower + (upper - lower) * fraction).astype(np.uint8)
