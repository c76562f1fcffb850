"""Backprop NEAT: NEAT searches topologies, backpropagation fits every genome's weights.

After David Ha's Backprop NEAT (blog.otoro.net, 2016; hardmaru/backprop-neat-js): before a
generation is evaluated, each genome's connection weights and node biases are trained on the
task's training set (RMSProp on minibatches, gradient clipping, decoupled L2 weight decay,
early stopping every ``check_every`` steps with a restore of the last checkpoint) and the
learned weights are written back into the genome (Lamarckian inheritance). The whole
population trains at once on the batched evaluator's layered schedule
(``core.networks.backprop``). Everything else is NEAT (``core.algorithms.neat``) with Backprop
NEAT's options switched on in ``resources/backprop_neat_default.toml``: K-medoids species, hall
of fame, extinction, new nodes of random kinds.

Training never touches the run's state until the evaluation has completed: it works on a copy of
the weights, draws its minibatches from the generation's own task stream (``task_rng(generation,
1)``), and the population takes the learned weights only after the task has scored them. An
interrupted generation therefore leaves the run as it was, and a resumed run trains exactly as
the uninterrupted one.
"""

from __future__ import annotations

import dataclasses
import time
import typing
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from core.algorithms.base import Evaluation
from core.algorithms.neat.config import NeatConfig
from core.algorithms.neat.evolution import Neat
from core.algorithms.neat.report import NeatExtras, SpeciesSnapshot
from core.algorithms.protocol import Checkpoint
from core.networks.backprop import TrainableNetwork, TrainingResult, TrainingSettings, train_population
from core.networks.batch import PopulationNetwork
from core.runs.config import ConfigError, bounded, probability
from core.runs.fields import check_exact_keys
from core.runs.reports import GenerationReport, read_typed

DEFAULTS_RESOURCE = "backprop_neat_default.toml"

# `neatscope run playground --no-backprop`: the same run without training, with NEAT's own weight
# mutation (paper values) so that weights can still be found by evolution alone.
NO_BACKPROP = {
    "backprop": {"steps": 0},
    "weights": {"init_stdev": 1.0, "mutate_prob": 0.8, "perturb_prob": 0.9, "perturb_power": 0.5},
}


@dataclass(frozen=True, slots=True)
class BackpropConfig:
    """The optimiser that trains each genome before it is evaluated (backprop-neat-js ``example.js``)."""

    steps: int = bounded(0, 1_000_000)
    batch_size: int = bounded(1, 1_000_000)
    learning_rate: float = bounded(0.0, 1e6)
    weight_decay: float = probability()
    rmsprop_decay: float = probability()
    gradient_clip: float = bounded(0.0, 1e6)
    check_every: int = bounded(1, 1_000_000)


@dataclass(frozen=True, slots=True)
class BackpropNeatConfig(NeatConfig):
    """NEAT's sections plus ``[backprop]``."""

    backprop: BackpropConfig

    def __post_init__(self) -> None:
        NeatConfig.__post_init__(self)
        if not self.population.feed_forward:
            raise ConfigError("population.feed_forward must be true: backpropagation trains feed-forward networks")
        if self.nodes.bias_input:
            raise ConfigError("nodes.bias_input must be false: Backprop NEAT trains per-node biases")


@dataclass(frozen=True, slots=True)
class BackpropNeatExtras:
    """NEAT's species plus what training did this generation and how the champion generalises.

    Losses are mean training log losses. ``champion_loss_curve`` is the champion's training loss
    before training and at each early-stopping check of this generation. The champion's
    accuracies and losses come from the task's ``metrics`` (None if it has none), as do the
    accuracies of each species' best genome (in the order of ``species``; empty without metrics).
    """

    kind: ClassVar[str] = "backprop-neat"

    species: tuple[SpeciesSnapshot, ...]
    compatibility_threshold: float
    mean_loss_before: float | None
    mean_loss_after: float | None
    mean_steps: float
    champion_loss_curve: tuple[float, ...]
    champion_train_accuracy: float | None
    champion_test_accuracy: float | None
    champion_train_loss: float | None
    champion_test_loss: float | None
    species_train_accuracy: tuple[float, ...] = ()
    species_test_accuracy: tuple[float, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        data = NeatExtras(self.species, self.compatibility_threshold).to_dict()
        for field in dataclasses.fields(self):
            if field.name not in data:
                value = getattr(self, field.name)
                data[field.name] = list(value) if isinstance(value, tuple) else value
        return data

    @classmethod
    def from_dict(cls, data: Any, where: str = "extras") -> BackpropNeatExtras:
        """Inverse of ``to_dict``, checking every field (``RunFileError`` names the one that is wrong)."""
        names = tuple(f.name for f in dataclasses.fields(cls))
        check_exact_keys(data, names, where)
        neat = NeatExtras.from_dict({"species": data["species"], "compatibility_threshold": data["compatibility_threshold"]}, where)
        hints = typing.get_type_hints(cls)
        values = {name: read_typed(data[name], hints[name], f"{where}.{name}") for name in names if name not in ("species", "compatibility_threshold")}
        return cls(neat.species, neat.compatibility_threshold, **values)


def _finite_or_none(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None


class BackpropNeat(Neat):
    """NEAT whose genomes are trained by backpropagation before every evaluation.

    The task must offer ``training_set() -> (inputs, targets)`` with 0/1 targets for its single
    output (the ``playground`` task does); fitness stays the task's own.

    Raises:
        ValueError: the task has no training set or more than one output.
    """

    name = "backprop-neat"
    title = "Backprop NEAT"
    config_type = BackpropNeatConfig
    defaults_resource = DEFAULTS_RESOURCE
    extras_type = BackpropNeatExtras

    config: BackpropNeatConfig
    _training: TrainingResult | None = None
    _train_seconds: float = 0.0

    def _initialise(self) -> None:
        self._check_task()
        super()._initialise()

    def _load_state(self, state: dict[str, Any]) -> None:
        self._check_task()
        super()._load_state(state)

    def _check_task(self) -> None:
        if not callable(getattr(self.task, "training_set", None)):
            raise ValueError(f"backprop-neat trains on a task's training set; task {self.task.name!r} has none (try playground)")
        if self.task.num_outputs != 1:
            raise ValueError(f"backprop-neat trains one sigmoid output; task {self.task.name!r} has {self.task.num_outputs}")

    def training_settings(self) -> TrainingSettings:
        """The optimiser of ``[backprop]``, bounded by the genome's weight range."""
        backprop = self.config.backprop
        return TrainingSettings(
            steps=backprop.steps,
            batch_size=backprop.batch_size,
            learning_rate=backprop.learning_rate,
            decay=backprop.weight_decay,
            rmsprop_decay=backprop.rmsprop_decay,
            gradient_clip=backprop.gradient_clip,
            weight_min=self.config.weights.min,
            weight_max=self.config.weights.max,
            check_every=backprop.check_every,
        )

    def evaluate_population(self, checkpoint: Checkpoint | None) -> Evaluation:
        """Train a copy of every genome's weights, score the trained copies, then keep their weights."""
        started = time.perf_counter()
        settings = self.training_settings()
        if settings.steps == 0:
            self._training, self._train_seconds = None, 0.0
            return super().evaluate_population(checkpoint)
        inputs, targets = self.task.training_set()
        network = TrainableNetwork(PopulationNetwork(self.population))
        with np.errstate(all="ignore"):  # overflowing products and squares are restored by early stopping
            result = train_population(network, inputs, targets, settings, self.task_rng(self.generation, stream=1), checkpoint)
        trained = network.write_back(self.population, result.theta)
        self._train_seconds = time.perf_counter() - started
        evaluation = self.evaluate(trained, checkpoint, self.task_rng(self.generation))
        # The evaluation is complete: only now do the genomes take their learned weights.
        for genome, learned in zip(self.population, trained):
            for innovation, conn in learned.connections.items():
                genome.connections[innovation].weight = conn.weight
            for node_id, node in learned.nodes.items():
                if node.kind != "input":
                    genome.nodes[node_id].bias = node.bias
        self._training = result
        return evaluation

    def _report(self, evaluation: Evaluation, allotment: Any, timings: dict[str, float], evaluated_from: int) -> GenerationReport:
        report = super()._report(evaluation, allotment, timings, evaluated_from)
        timings["train_s"] = self._train_seconds
        champion_index = int(np.argmax(evaluation.fitness))
        champion = self.population[champion_index]
        metrics = species_metrics = None
        if callable(getattr(self.task, "metrics", None)):
            bests = [s.best_genome.to_genome() for s in report.extras.species]
            metrics, *species_metrics = self.task.metrics([champion, *bests])
        result = self._training
        if result is None:
            before = after = None
            curve: tuple[float, ...] = ()
            steps = 0.0
        else:
            before = _finite_or_none(float(np.mean(result.initial_loss)))
            after = _finite_or_none(float(np.mean(result.final_loss)))
            curve = tuple(float(v) for v in result.loss_curve[champion_index] if np.isfinite(v))
            steps = float(np.mean(result.steps))
        extras = BackpropNeatExtras(
            species=report.extras.species,
            compatibility_threshold=report.extras.compatibility_threshold,
            mean_loss_before=before,
            mean_loss_after=after,
            mean_steps=steps,
            champion_loss_curve=curve,
            champion_train_accuracy=None if metrics is None else metrics.train_accuracy,
            champion_test_accuracy=None if metrics is None else metrics.test_accuracy,
            champion_train_loss=None if metrics is None else _finite_or_none(metrics.train_loss),
            champion_test_loss=None if metrics is None else _finite_or_none(metrics.test_loss),
            species_train_accuracy=tuple(m.train_accuracy for m in species_metrics or ()),
            species_test_accuracy=tuple(m.test_accuracy for m in species_metrics or ()),
        )
        return dataclasses.replace(report, extras=extras)
