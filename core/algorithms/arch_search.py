"""Architecture and hyperparameter search of an MLP trained by gradient descent: a tournament GA
(``ArchGA``, after offbit/evo-design, "Design by Evolution") and random search (``ArchRandom``).

A genome is a recipe, not a network: hidden layer sizes (1-4 layers of 16-256 units by
default), one activation, a solver, a learning rate and an L2 penalty. The task (``digits``)
trains each recipe for a fixed budget with scikit-learn's ``MLPClassifier`` and scores it by
validation accuracy; the champion's accuracy on the held-out test split is only reported.

A generation of the GA (``ArchGA.step``):

1. Train and score the N genomes (every one, elites too, each with its own integer seed drawn
   from the run's SeedSequence by generation and place, so any worker count gives the same bits).
2. The best ``elites`` genomes go on unchanged.
3. Every other child: sample ``tournament_size`` distinct genomes, rank them by accuracy and
   take rank i with probability p(1 - p)^i (the last rank takes the rest; p = 0.85 and size 3
   give 0.85 / 0.1275 / 0.0225). With ``crossover_probability`` a second tournament picks a
   mate and genes are mixed uniformly. Then every gene is resampled with its own probability,
   and with ``layer_probability`` a layer is added or removed (50/50; when one is impossible,
   the other), so unlike the reference a net at the maximum depth can still shrink.

Random search draws N fresh genomes every generation. Both keep the best genome ever scored
(ties: the earlier) as the run's champion, with the test accuracy of that very training.

Differences from the reference (see ``/work/shared/specs/architecture_search.md``): its
learning-rate gene is never used (the optimiser gets ``lr=weight_decay``); here the
learning-rate gene is the learning rate. MLPClassifier has no dropout, so there is no dropout
gene; activation is one gene for the whole net (MLPClassifier has one activation); solvers
are sgd, adam and lbfgs (no adadelta or rmsprop). Children are copies (genomes are frozen),
so elites and repeated winners never alias.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from core.algorithms.base import AlgorithmBase, Evaluation
from core.algorithms.protocol import Checkpoint, EvaluationFailed
from core.networks.snapshot import GenomeSnapshot, NodeSnapshot
from core.runs.config import ConfigBase, ConfigError, bounded, choice, probability
from core.runs.fields import (
    RunFileError,
    check_exact_keys,
    check_int,
    check_number,
    check_value,
    read_counter,
    read_dict,
    read_int,
    read_list,
    read_number,
)
from core.runs.reports import FlatExtras, GenerationReport

ACTIVATIONS = ("identity", "logistic", "tanh", "relu")
SOLVERS = ("sgd", "adam", "lbfgs")
MAX_LAYERS = 16
MAX_UNITS = 4096
SEED_LIMIT = 2**32  # MLPClassifier's random_state must fit a 32-bit seed


@dataclass(frozen=True, slots=True)
class ArchGenome:
    """One recipe: hidden layer sizes and the training hyperparameters."""

    units: tuple[int, ...]
    activation: str
    solver: str
    learning_rate: float
    l2: float

    def describe(self) -> str:
        """Short text, e.g. ``64-128 relu adam lr 0.0031 l2 0.00042``."""
        return f"{'-'.join(map(str, self.units))} {self.activation} {self.solver} lr {self.learning_rate:.3g} l2 {self.l2:.3g}"

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON data."""
        return {"units": list(self.units), "activation": self.activation, "solver": self.solver, "learning_rate": self.learning_rate, "l2": self.l2}


# --- configuration ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ArchPopulationConfig:
    """Population size and elitism."""

    size: int = bounded(2, 100_000, help="genomes trained per generation")
    elites: int = bounded(0, 100_000, help="best genomes copied unchanged into the next generation")


@dataclass(frozen=True, slots=True)
class RandomPopulationConfig:
    """Population size."""

    size: int = bounded(2, 100_000, help="fresh genomes drawn and trained per generation")


@dataclass(frozen=True, slots=True)
class GenomeSpaceConfig:
    """What a genome may hold, and how the first ones are drawn."""

    min_layers: int = bounded(1, MAX_LAYERS, help="fewest hidden layers")
    max_layers: int = bounded(1, MAX_LAYERS, help="most hidden layers")
    initial_max_layers: int = bounded(1, MAX_LAYERS, help="random genomes get 1 to this many layers (the reference: 1)")
    min_units: int = bounded(1, MAX_UNITS, help="fewest units of a layer")
    max_units: int = bounded(1, MAX_UNITS, help="most units of a layer")
    activations: tuple[str, ...] = choice(*ACTIVATIONS, help="activations to choose from")
    solvers: tuple[str, ...] = choice(*SOLVERS, help="MLPClassifier solvers to choose from")
    min_learning_rate: float = bounded(1e-8, 10.0, help="learning rate range, drawn uniformly")
    max_learning_rate: float = bounded(1e-8, 10.0, help="learning rate range, drawn uniformly")
    min_l2: float = bounded(0.0, 10.0, help="L2 penalty (alpha) range, drawn uniformly")
    max_l2: float = bounded(0.0, 10.0, help="L2 penalty (alpha) range, drawn uniformly")


@dataclass(frozen=True, slots=True)
class TournamentConfig:
    """Tournament selection."""

    size: int = bounded(1, 1000, help="genomes per tournament")
    win_probability: float = probability(help="p: the best of a tournament wins with p, the next with p(1-p), ...")


@dataclass(frozen=True, slots=True)
class ArchMutationConfig:
    """Per-gene resampling probabilities, layer changes and crossover."""

    units_probability: float = probability(help="each layer's units are redrawn with this probability")
    activation_probability: float = probability(help="the activation is redrawn with this probability")
    solver_probability: float = probability(help="the solver is redrawn with this probability")
    learning_rate_probability: float = probability(help="the learning rate is redrawn with this probability")
    l2_probability: float = probability(help="the L2 penalty is redrawn with this probability")
    layer_probability: float = probability(help="a layer is added or removed with this probability")
    crossover_probability: float = probability(help="a child mixes two tournament winners' genes with this probability (reference: 0)")


def _check_space(space: GenomeSpaceConfig) -> None:
    if not space.min_layers <= space.max_layers:
        raise ConfigError(f"genome.min_layers = {space.min_layers} is above genome.max_layers = {space.max_layers}")
    if not space.min_layers <= space.initial_max_layers <= space.max_layers:
        raise ConfigError(f"genome.initial_max_layers = {space.initial_max_layers} must lie in genome.min_layers..genome.max_layers")
    if space.min_units > space.max_units:
        raise ConfigError(f"genome.min_units = {space.min_units} is above genome.max_units = {space.max_units}")
    if space.min_learning_rate > space.max_learning_rate:
        raise ConfigError("genome.min_learning_rate is above genome.max_learning_rate")
    if space.min_l2 > space.max_l2:
        raise ConfigError("genome.min_l2 is above genome.max_l2")
    for key in ("activations", "solvers"):
        values = getattr(space, key)
        if not values or len(set(values)) != len(values):
            raise ConfigError(f"genome.{key} must list at least one choice, each once")


@dataclass(frozen=True, slots=True)
class ArchGaConfig(ConfigBase):
    """The architecture GA's configuration, one attribute per TOML section."""

    population: ArchPopulationConfig
    genome: GenomeSpaceConfig
    tournament: TournamentConfig
    mutation: ArchMutationConfig

    def __post_init__(self) -> None:
        _check_space(self.genome)
        if self.population.elites >= self.population.size:
            raise ConfigError(f"population.elites = {self.population.elites} leaves no room for children in a population of {self.population.size}")
        if self.tournament.size > self.population.size:
            raise ConfigError(f"tournament.size = {self.tournament.size} is larger than the population ({self.population.size})")


@dataclass(frozen=True, slots=True)
class ArchRandomConfig(ConfigBase):
    """Architecture random search's configuration: the population and the genome space."""

    population: RandomPopulationConfig
    genome: GenomeSpaceConfig

    def __post_init__(self) -> None:
        _check_space(self.genome)


# --- operators (pure functions of a generator, tested on hand-built genomes) --------------------


def random_genome(space: GenomeSpaceConfig, rng: np.random.Generator) -> ArchGenome:
    """A genome drawn uniformly from the space, with 1 to ``initial_max_layers`` layers."""
    layers = int(rng.integers(space.min_layers, space.initial_max_layers + 1))
    units = tuple(int(u) for u in rng.integers(space.min_units, space.max_units + 1, size=layers))
    return ArchGenome(
        units,
        space.activations[int(rng.integers(len(space.activations)))],
        space.solvers[int(rng.integers(len(space.solvers)))],
        float(rng.uniform(space.min_learning_rate, space.max_learning_rate)),
        float(rng.uniform(space.min_l2, space.max_l2)),
    )


def tournament_probabilities(size: int, win_probability: float) -> np.ndarray:
    """Probability of picking each rank of a tournament: p(1 - p)^i, the last rank the rest."""
    p = win_probability
    probabilities = np.array([p * (1.0 - p) ** i for i in range(size - 1)] + [0.0])
    probabilities[-1] = max(0.0, 1.0 - probabilities.sum())
    return probabilities / probabilities.sum()


def tournament(fitness: np.ndarray, size: int, win_probability: float, rng: np.random.Generator) -> int:
    """Index of the tournament's pick: ``size`` distinct genomes ranked by fitness (ties: lower index first)."""
    entrants = rng.choice(len(fitness), size=size, replace=False)
    ranked = sorted(entrants.tolist(), key=lambda i: (-fitness[i], i))
    return ranked[int(rng.choice(size, p=tournament_probabilities(size, win_probability)))]


def crossover(first: ArchGenome, second: ArchGenome, rng: np.random.Generator) -> ArchGenome:
    """Uniform crossover: each hyperparameter from either parent; the depth of either, each layer's
    units from either parent where both have that layer."""
    depth_from = first if rng.random() < 0.5 else second
    units = tuple(
        int(depth_from.units[i] if i >= min(len(first.units), len(second.units)) else (first.units[i] if rng.random() < 0.5 else second.units[i]))
        for i in range(len(depth_from.units))
    )
    pick = [rng.random() < 0.5 for _ in range(4)]
    return ArchGenome(
        units,
        first.activation if pick[0] else second.activation,
        first.solver if pick[1] else second.solver,
        first.learning_rate if pick[2] else second.learning_rate,
        first.l2 if pick[3] else second.l2,
    )


def mutate(genome: ArchGenome, space: GenomeSpaceConfig, mutation: ArchMutationConfig, rng: np.random.Generator) -> ArchGenome:
    """A mutated copy: every gene redrawn with its own probability, then maybe a layer added or removed.

    The draws happen in a fixed order whatever their outcome, so a run's random stream does not
    depend on which genes changed.
    """
    units = [int(rng.integers(space.min_units, space.max_units + 1)) if rng.random() < mutation.units_probability else u for u in genome.units]
    activation_draw, solver_draw = rng.random(), rng.random()
    activation = space.activations[int(rng.integers(len(space.activations)))] if activation_draw < mutation.activation_probability else genome.activation
    solver = space.solvers[int(rng.integers(len(space.solvers)))] if solver_draw < mutation.solver_probability else genome.solver
    learning_rate = float(rng.uniform(space.min_learning_rate, space.max_learning_rate)) if rng.random() < mutation.learning_rate_probability else genome.learning_rate
    l2 = float(rng.uniform(space.min_l2, space.max_l2)) if rng.random() < mutation.l2_probability else genome.l2
    if rng.random() < mutation.layer_probability:
        add = rng.random() < 0.5
        if add and len(units) >= space.max_layers:
            add = False
        elif not add and len(units) <= space.min_layers:
            add = True
        if add and len(units) < space.max_layers:
            units.append(int(rng.integers(space.min_units, space.max_units + 1)))
        elif not add and len(units) > space.min_layers:
            units.pop()
    return ArchGenome(tuple(units), activation, solver, learning_rate, l2)


# --- report extras ---------------------------------------------------------------------------

# One row of the population table: id, parent, units, activation, solver, learning rate, L2,
# validation accuracy, test accuracy.
ROW_FIELDS = ("id", "parent", "units", "activation", "solver", "learning_rate", "l2", "validation_accuracy", "test_accuracy")


@dataclass(frozen=True, slots=True)
class ArchExtras(FlatExtras):
    """A generation of architecture search: the whole population as a table (rows in
    ``ROW_FIELDS`` order) and the run's champion so far."""

    kind = "arch"

    population: tuple
    champion_id: int
    champion_parent_id: int
    champion_generation: int
    champion_units: tuple[int, ...]
    champion_activation: str
    champion_solver: str
    champion_learning_rate: float
    champion_l2: float
    champion_validation_accuracy: float
    champion_test_accuracy: float
    generation_champion_test_accuracy: float

    @property
    def accuracies(self) -> tuple[float, ...]:
        """Validation accuracy of every genome of the generation (the box plot's data)."""
        return tuple(row[7] for row in self.population)

    @classmethod
    def from_dict(cls, data: dict[str, Any], where: str = "extras"):
        """Every field checked, each population row too."""
        extras = super(ArchExtras, cls).from_dict(data, where)
        for i, row in enumerate(extras.population):
            _check_row(row, f"{where}.population[{i}]")
        if not extras.champion_units or any(u < 1 for u in extras.champion_units):
            raise RunFileError(f"{where}.champion_units: expected at least one positive layer size")
        for key in ("champion_validation_accuracy", "champion_test_accuracy", "generation_champion_test_accuracy"):
            check_number(getattr(extras, key), f"{where}.{key}", 0.0, 1.0)
        return extras


def _check_row(row: Any, where: str) -> None:
    if not isinstance(row, tuple) or len(row) != len(ROW_FIELDS):
        raise RunFileError(f"{where}: expected [{', '.join(ROW_FIELDS)}]")
    check_int(row[0], f"{where}[0]")
    check_int(row[1], f"{where}[1]", -1)
    if not isinstance(row[2], tuple) or not row[2] or not all(isinstance(u, int) and not isinstance(u, bool) and 1 <= u <= MAX_UNITS for u in row[2]):
        raise RunFileError(f"{where}[2]: expected a list of layer sizes")
    if row[3] not in ACTIVATIONS or row[4] not in SOLVERS:
        raise RunFileError(f"{where}: unknown activation or solver")
    for k in (5, 6):
        check_number(row[k], f"{where}[{k}]", 0.0)
    for k in (7, 8):
        check_number(row[k], f"{where}[{k}]", 0.0, 1.0)


# --- the algorithms ----------------------------------------------------------------------------


def champion_snapshot(genome_id: int, fitness: float, genome: ArchGenome, num_outputs: int) -> GenomeSnapshot:
    """A drawable stand-in for a recipe: one hidden node per layer (its units are in the extras)
    and the task's outputs. The full network (up to 4 x 256 units) would bloat every report."""
    hidden = tuple(NodeSnapshot(num_outputs + i, "hidden", 0.0, 1.0, genome.activation, "sum") for i in range(len(genome.units)))
    outputs = tuple(NodeSnapshot(i, "output", 0.0, 1.0, "identity", "sum") for i in range(num_outputs))
    return GenomeSnapshot(genome_id, fitness, outputs + hidden, ())


class ArchSearchBase(AlgorithmBase):
    """What the GA and random search share: training a population, the champion, reports, state."""

    extras_type = ArchExtras
    trains_architectures = True

    def _initialise(self) -> None:
        size = self.config.population.size
        self.population: list[ArchGenome] = [random_genome(self.config.genome, self.rng) for _ in range(size)]
        self.ids = list(range(size))
        self.parent_ids = [-1] * size
        self.next_genome_id = size
        self.best: dict[str, Any] | None = None


    def training_seeds(self, generation: int) -> list[int]:
        """The integer random_state of every genome trained in a generation, from the run's SeedSequence."""
        sequence = np.random.SeedSequence(self.seed_entropy, spawn_key=(generation, 1))
        return [int(s) for s in sequence.generate_state(self.config.population.size, dtype=np.uint32)]

    def _score(self, checkpoint: Checkpoint | None) -> tuple[Any, Evaluation]:
        from core.tasks.digits import Recipe

        recipes = [Recipe(g.units, g.activation, g.solver, g.learning_rate, g.l2, seed) for g, seed in zip(self.population, self.training_seeds(self.generation))]
        if checkpoint is not None:
            checkpoint()
        scores = self.task.train(recipes, checkpoint)
        faults = len(scores.errors)
        if faults == len(recipes):
            raise EvaluationFailed(f"every genome failed to train in generation {self.generation} ({scores.errors[0][1]}); the run stops here")
        examples = tuple(f"genome {self.ids[i]}: {message}" for i, message in scores.errors[:3])
        evaluation = Evaluation(scores.validation, scores.validation >= self.task.fitness_threshold, faults, examples, 0)
        return scores, evaluation

    def _evaluate_and_report(self, checkpoint: Checkpoint | None, started: float) -> tuple[GenerationReport, np.ndarray]:
        """Train the population and build the report; counters and the champion are updated."""
        scores, evaluation = self._score(checkpoint)
        evaluated = time.perf_counter()
        fitness = evaluation.fitness
        size = len(self.population)
        self.ensure_room(evaluations=self.evaluations + size, next_genome_id=self.next_genome_id + size)
        # Everything below changes state: the generation can no longer be interrupted.
        evaluated_from = self.evaluations
        self.evaluations += size
        best = max(range(size), key=lambda i: (fitness[i], -i))
        if self.best is None or fitness[best] > self.best["validation_accuracy"]:
            self.best = {
                "id": self.ids[best],
                "parent": self.parent_ids[best],
                "generation": self.generation,
                "genome": self.population[best],
                "validation_accuracy": float(fitness[best]),
                "test_accuracy": float(scores.test[best]),
            }
        champion: ArchGenome = self.best["genome"]
        rows = tuple(
            (self.ids[i], self.parent_ids[i], g.units, g.activation, g.solver, g.learning_rate, g.l2, float(fitness[i]), float(scores.test[i]))
            for i, g in enumerate(self.population)
        )
        extras = ArchExtras(
            population=rows,
            champion_id=self.best["id"],
            champion_parent_id=self.best["parent"],
            champion_generation=self.best["generation"],
            champion_units=champion.units,
            champion_activation=champion.activation,
            champion_solver=champion.solver,
            champion_learning_rate=champion.learning_rate,
            champion_l2=champion.l2,
            champion_validation_accuracy=self.best["validation_accuracy"],
            champion_test_accuracy=self.best["test_accuracy"],
            generation_champion_test_accuracy=float(scores.test[best]),
        )
        weights = [self._weight_count(g) for g in self.population]
        report = self.make_report(
            evaluation,
            champion_snapshot(self.best["id"], self.best["validation_accuracy"], champion, self.task.num_outputs).to_genome(),
            self.best["validation_accuracy"],
            mean_nodes=float(np.mean([sum(g.units) for g in self.population])) + self.task.num_outputs,
            mean_connections=float(np.mean(weights)),
            evaluated_from=evaluated_from,
            extras=extras,
        )
        report = report.with_timings({"evaluate_s": evaluated - started})
        return report, fitness

    def _weight_count(self, genome: ArchGenome) -> int:
        sizes = (self.task.num_inputs, *genome.units, self.task.num_outputs)
        return sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))

    def _finish(self, report: GenerationReport, started: float, population: list[ArchGenome], ids: list[int], parent_ids: list[int]) -> GenerationReport:
        self.population, self.ids, self.parent_ids = population, ids, parent_ids
        self.generation += 1
        timings = dict(report.timings)
        timings["total_s"] = time.perf_counter() - started
        report = report.with_timings(timings)
        self.history.append(report)
        return report

    def summary_extras(self) -> dict[str, Any]:
        """The champion's held-out test accuracy and architecture for the CLI's JSON summary."""
        if self.best is None:
            return {}
        genome: ArchGenome = self.best["genome"]
        return {
            "champion_test_accuracy": self.best["test_accuracy"],
            "champion_validation_accuracy": self.best["validation_accuracy"],
            "champion_generation": self.best["generation"],
            "champion_architecture": genome.to_dict(),
            # Validation accuracy of every genome, per generation: the box plots' data.
            "population_accuracies": [list(report.extras.accuracies) for report in self.history],
        }

    # --- saved state ------------------------------------------------------------------------

    def _state_to_dict(self) -> dict[str, Any]:
        best = self.best
        return {
            "next_genome_id": self.next_genome_id,
            "population": [{"id": i, "parent": p, **g.to_dict()} for i, p, g in zip(self.ids, self.parent_ids, self.population)],
            "best": None
            if best is None
            else {
                "id": best["id"],
                "parent": best["parent"],
                "generation": best["generation"],
                "genome": best["genome"].to_dict(),
                "validation_accuracy": best["validation_accuracy"],
                "test_accuracy": best["test_accuracy"],
            },
        }

    def _load_state(self, state: dict[str, Any]) -> None:
        check_exact_keys(state, ("next_genome_id", "population", "best"), "state")
        space = self.config.genome
        raw_population = read_list(state, "population", "state")
        if len(raw_population) != self.config.population.size:
            raise RunFileError(f"state.population: {len(raw_population):,} genomes, the config says {self.config.population.size:,}")
        population, ids, parent_ids = [], [], []
        for i, raw in enumerate(raw_population):
            at = f"state.population[{i}]"
            check_exact_keys(raw, ("id", "parent", "units", "activation", "solver", "learning_rate", "l2"), at)
            ids.append(read_counter(raw, "id", at))
            parent_ids.append(read_int(raw, "parent", at, -1))
            population.append(read_genome({k: v for k, v in raw.items() if k not in ("id", "parent")}, at, space))
        if len(set(ids)) != len(ids):
            raise RunFileError("state.population: duplicate genome ids")
        self.next_genome_id = read_counter(state, "next_genome_id", "state")
        if self.next_genome_id <= max(max(ids), max(parent_ids)):
            raise RunFileError(f"state.next_genome_id: {self.next_genome_id} is not beyond the genome ids in use")
        best = state["best"]
        if (best is None) != (self.generation == 0):
            raise RunFileError("state.best: null exactly until the first generation has run")
        self.best = None
        if best is not None:
            best = check_exact_keys(read_dict(state, "best", "state"), ("id", "parent", "generation", "genome", "validation_accuracy", "test_accuracy"), "state.best")
            self.best = {
                "id": read_int(best, "id", "state.best", 0, self.next_genome_id - 1),
                "parent": read_int(best, "parent", "state.best", -1, self.next_genome_id - 1),
                "generation": read_int(best, "generation", "state.best", 0, self.generation - 1),
                "genome": read_genome(read_dict(best, "genome", "state.best"), "state.best.genome", space),
                "validation_accuracy": read_number(best, "validation_accuracy", "state.best", 0.0, 1.0),
                "test_accuracy": read_number(best, "test_accuracy", "state.best", 0.0, 1.0),
            }
        self.population, self.ids, self.parent_ids = population, ids, parent_ids


def read_genome(raw: Any, where: str, space: GenomeSpaceConfig) -> ArchGenome:
    """A saved genome, every gene inside the config's space.

    Raises:
        RunFileError: a missing, unknown or out-of-range gene.
    """
    check_exact_keys(raw, ("units", "activation", "solver", "learning_rate", "l2"), where)
    units = read_list(raw, "units", where, max_length=space.max_layers)
    if len(units) < space.min_layers:
        raise RunFileError(f"{where}.units: {len(units)} layers, the config allows {space.min_layers} to {space.max_layers}")
    units = tuple(check_int(u, f"{where}.units[{k}]", space.min_units, space.max_units) for k, u in enumerate(units))
    activation = check_value(raw["activation"], str, f"{where}.activation")
    if activation not in space.activations:
        raise RunFileError(f"{where}.activation: {activation!r} is not one of {', '.join(space.activations)}")
    solver = check_value(raw["solver"], str, f"{where}.solver")
    if solver not in space.solvers:
        raise RunFileError(f"{where}.solver: {solver!r} is not one of {', '.join(space.solvers)}")
    learning_rate = read_number(raw, "learning_rate", where, space.min_learning_rate, space.max_learning_rate)
    l2 = read_number(raw, "l2", where, space.min_l2, space.max_l2)
    return ArchGenome(units, activation, solver, learning_rate, l2)


class ArchGA(ArchSearchBase):
    """Tournament GA over MLP recipes (see the module docstring)."""

    name = "arch-ga"
    title = "Architecture GA (tournament)"
    config_type = ArchGaConfig
    defaults_resource = "arch_ga_default.toml"

    config: ArchGaConfig

    def step(self, checkpoint: Checkpoint | None = None) -> GenerationReport:
        """Train and score the population, keep the elites, breed the rest by tournament."""
        started = time.perf_counter()
        report, fitness = self._evaluate_and_report(checkpoint, started)
        config = self.config
        size = config.population.size
        order = sorted(range(size), key=lambda i: (-fitness[i], i))
        elites = order[: config.population.elites]
        population = [self.population[i] for i in elites]
        ids = [self.ids[i] for i in elites]
        parent_ids = [self.parent_ids[i] for i in elites]
        rng = self.rng
        for _ in range(size - len(elites)):
            winner = tournament(fitness, config.tournament.size, config.tournament.win_probability, rng)
            child = self.population[winner]
            if rng.random() < config.mutation.crossover_probability:
                mate = tournament(fitness, config.tournament.size, config.tournament.win_probability, rng)
                child = crossover(child, self.population[mate], rng)
            population.append(mutate(child, config.genome, config.mutation, rng))
            ids.append(self.next_genome_id)
            parent_ids.append(self.ids[winner])
            self.next_genome_id += 1
        return self._finish(report, started, population, ids, parent_ids)


class ArchRandom(ArchSearchBase):
    """Random search over MLP recipes: a fresh random population every generation."""

    name = "arch-random"
    title = "Architecture random search"
    config_type = ArchRandomConfig
    defaults_resource = "arch_random_default.toml"

    config: ArchRandomConfig

    def step(self, checkpoint: Checkpoint | None = None) -> GenerationReport:
        """Train and score the population, then draw a fresh one."""
        started = time.perf_counter()
        report, _ = self._evaluate_and_report(checkpoint, started)
        size = self.config.population.size
        population = [random_genome(self.config.genome, self.rng) for _ in range(size)]
        ids = list(range(self.next_genome_id, self.next_genome_id + size))
        self.next_genome_id += size
        return self._finish(report, started, population, ids, [-1] * size)

