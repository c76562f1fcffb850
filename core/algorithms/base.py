"""What every algorithm of the family shares: seeding, counters, evaluation with fault
handling, the common report fields, the run loop and the saved-state envelope.

Concrete algorithms implement ``_initialise`` (the first population), ``step``,
``_state_to_dict`` and ``_load_state``; everything else here is the same for all of them.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from core.algorithms.protocol import Checkpoint, EvaluationFailed, RunExhausted
from core.compiled import choose_kernel
from core.networks.batch import PopulationNetwork
from core.networks.genome import Genome
from core.networks.snapshot import GenomeSnapshot
from core.runs.config import load_config
from core.runs.fields import MAX_COUNTER, RunFileError
from core.runs.reports import GenerationReport
from core.tasks import Task

logger = logging.getLogger(__name__)

MAX_FAULT_EXAMPLES = 3
# Fitness beyond this is a fault like NaN: sums, means and squares over a whole population of
# such values (statistics, fitness sharing) must stay finite, and reports must save as JSON.
MAX_ABS_FITNESS = 1e100


@dataclass(frozen=True, slots=True)
class Evaluation:
    """One batch of genomes scored: finite fitness (faults replaced), success flags and faults."""

    fitness: np.ndarray
    criterion_met: np.ndarray
    faults: int
    fault_examples: tuple[str, ...]
    env_steps: int


class AlgorithmBase:
    """Shared machinery of every algorithm (see the module docstring).

    Args:
        config: the algorithm's validated config (``config_type``).
        task: what genomes are evaluated on.
        seed: integer seed; None draws fresh entropy, kept in ``seed_entropy`` for replay.
    """

    name: ClassVar[str] = ""
    title: ClassVar[str] = ""
    config_type: ClassVar[type]
    defaults_resource: ClassVar[str]
    extras_type: ClassVar[type | None] = None
    population_size_key: ClassVar[str] = "population.size"
    # Evaluated networks may hold cycles (NEAT with feed_forward = false).
    recurrent: bool = False
    # Evaluation kernel: "auto", "numpy" or "numba" (core.compiled). Fitness is bit-identical on
    # each, so this is a setting of the process (CLI --kernel, the app), not of the run: run
    # files do not record it. ``last_kernel`` is the one the latest evaluation ran on.
    kernel: str = "auto"
    last_kernel: str = "numpy"
    # Architecture search trains recipes on a task that trains them (digits); every other
    # algorithm activates networks on a task that scores them. Neither runs on the other's task.
    trains_architectures: ClassVar[bool] = False

    def __init__(self, config: Any, task: Task, seed: int | None = None):
        import uuid

        self.check_task_kind(task)
        sequence = np.random.SeedSequence(seed)
        self._init_common(config, task, int(sequence.entropy), 0, 0, 0, [])  # type: ignore[arg-type]
        # Names this run in its run folder (goal.json and run.json must agree); not a random
        # draw of the run, so it comes from the OS, not from the run's generator.
        self.run_id = uuid.uuid4().hex
        self.rng = np.random.Generator(np.random.PCG64(sequence))
        self._initialise()

    def _init_common(
        self, config: Any, task: Task, seed_entropy: int, generation: int, evaluations: int, env_steps: int, history: list[GenerationReport]
    ) -> None:
        self.config = config
        self.task = task
        self.seed_entropy = seed_entropy
        self.generation = generation
        self.evaluations = evaluations
        self.env_steps = env_steps
        self.history = history
        # JSON text of each report, filled by core.runs.persistence: reports never change, so
        # saves serialise each one once.
        self.history_json: list[str] = []
        self.best_fitness_ever = history[-1].best_fitness_ever if history else -math.inf
        # Time spent evaluating on numpy with a compiled path at hand (the "auto" switch reads it).
        self.numpy_evaluation_s = 0.0
        # This generation's evaluations and their wall time, for the report's throughput.
        self._evaluated_count, self._evaluating_s = 0, 0.0

    # --- to implement ---------------------------------------------------------------------

    def _initialise(self) -> None:
        """Build the first population from ``self.rng``."""
        raise NotImplementedError

    def step(self, checkpoint: Checkpoint | None = None) -> GenerationReport:
        """Run exactly one generation and return its report."""
        raise NotImplementedError

    def _state_to_dict(self) -> dict[str, Any]:
        raise NotImplementedError

    def _load_state(self, state: dict[str, Any]) -> None:
        """Rebuild the algorithm's own state, checking every field (raise ``RunFileError``)."""
        raise NotImplementedError

    @classmethod
    def check_task_kind(cls, task: Task) -> None:
        """Refuse a task of the other kind (see ``trains_architectures``).

        Raises:
            ValueError: naming the algorithms that do run the task.
        """
        if bool(getattr(task, "trains_architectures", False)) == cls.trains_architectures:
            return
        task_name = getattr(task, "name", "this task")
        if cls.trains_architectures:
            raise ValueError(f"{cls.name} searches MLP architectures on the digits task, not on {task_name}")
        raise ValueError(f"{cls.name} cannot run the {task_name} task, which trains MLP architectures: use arch-ga or arch-random")

    # --- configs --------------------------------------------------------------------------

    @classmethod
    def load_config(cls, path: str | Path | None = None, overrides: dict[str, Any] | None = None, layers: tuple[dict, ...] = ()) -> Any:
        """The algorithm's shipped defaults, overlaid with ``layers``, a TOML file and overrides.

        Raises:
            ConfigError: unreadable TOML, or an unknown, mistyped or out-of-range key.
        """
        return load_config(cls.config_type, cls.defaults_resource, path, overrides, layers)

    @classmethod
    def default_config(cls) -> Any:
        """The shipped defaults."""
        return cls.load_config()

    # --- saved state ----------------------------------------------------------------------

    def state_to_dict(self) -> dict[str, Any]:
        """The algorithm's own state (population, optimiser, ...) as plain JSON data."""
        return self._state_to_dict()

    @classmethod
    def restore(
        cls,
        config: Any,
        task: Task,
        *,
        seed_entropy: int,
        rng_state: dict,
        generation: int,
        evaluations: int,
        env_steps: int,
        history: list[GenerationReport],
        state: dict[str, Any],
        run_id: str | None = None,
    ):
        """Rebuild a run from saved data (see ``core.runs.persistence``); it continues bit-identically.

        Raises:
            RunFileError: the algorithm's state is invalid.
        """
        import uuid

        try:
            cls.check_task_kind(task)
        except ValueError as error:
            raise RunFileError(str(error)) from None
        algorithm = cls.__new__(cls)
        algorithm._init_common(config, task, seed_entropy, generation, evaluations, env_steps, history)
        algorithm.run_id = run_id if run_id is not None else uuid.uuid4().hex
        algorithm.rng = np.random.Generator(np.random.PCG64())
        algorithm.rng.bit_generator.state = rng_state
        if not isinstance(state, dict):
            raise RunFileError(f"state: expected an object, got {type(state).__name__}")
        algorithm._load_state(state)
        return algorithm

    # --- running --------------------------------------------------------------------------

    @property
    def solved(self) -> bool:
        """Whether the last reported generation reached the task's fitness threshold."""
        return bool(self.history) and self.history[-1].solved

    def rng_copy(self) -> np.random.Generator:
        """A generator in the run's RNG state, for draws a generation may still abandon.

        A step draws from the copy and, once its evaluation has succeeded, makes it the run's
        generator; an interrupted step leaves ``self.rng`` exactly where it was.
        """
        copy = np.random.Generator(np.random.PCG64())
        copy.bit_generator.state = self.rng.bit_generator.state
        return copy

    def ensure_room(self, **after: int) -> None:
        """Raise ``RunExhausted`` (before anything changes) if a counter would reach
        ``MAX_COUNTER`` in this generation.

        Args:
            after: each counter's largest possible value at the end of this generation, by name.
        """
        after.setdefault("generation", self.generation + 1)
        for name, value in after.items():
            if value >= MAX_COUNTER:
                raise RunExhausted(
                    f"generation {self.generation} would take {name} to {value:,}, past the 2**62 a run file holds; the run ends here"
                )

    def task_rng(self, generation: int, stream: int = 0) -> np.random.Generator:
        """The task's random stream for one generation, independent of the algorithm's stream.

        ``stream`` separates further draws of the same generation (e.g. the GA's validation
        episodes) from the generation's own episodes.
        """
        key = (generation,) if stream == 0 else (generation, stream)
        return np.random.default_rng(np.random.SeedSequence(self.seed_entropy, spawn_key=key))

    def run(self, max_generations: int, stop_when_solved: bool = True) -> Iterator[GenerationReport]:
        """Yield one report per generation, up to ``max_generations`` more generations.

        Stops early after a solving generation when ``stop_when_solved`` is set.
        """
        for _ in range(max_generations):
            report = self.step()
            yield report
            if stop_when_solved and report.solved:
                return

    def evaluate(
        self,
        genomes: Sequence[Genome],
        checkpoint: Checkpoint | None,
        rng: np.random.Generator,
        episodes: int | None = None,
        count_as: float = 1.0,
    ) -> Evaluation:
        """Score genomes on the task in one population batch; nothing else changes.

        Non-finite fitness, or fitness beyond ±``MAX_ABS_FITNESS`` (a faulted genome), gets the
        batch's worst usable fitness. Counters
        are not touched here: the caller adds ``count`` evaluations once the whole generation
        has succeeded, so an interrupted step leaves them as they were.

        Raises:
            EvaluationFailed: no genome got a finite fitness.
            EvaluationInterrupted: the checkpoint abandoned the evaluation.
        """
        work = len(genomes) * int(getattr(self.task, "activations_per_genome", 0))
        kernel = choose_kernel(self.kernel, work, self.numpy_evaluation_s, work > 0)
        population_net = PopulationNetwork(genomes, recurrent=self.recurrent, kernel=kernel)
        return self.evaluate_network(population_net, checkpoint, rng, episodes, [g.genome_id for g in genomes], work)

    def evaluate_network(
        self,
        population_net: Any,
        checkpoint: Checkpoint | None,
        rng: np.random.Generator,
        episodes: int | None = None,
        genome_ids: Sequence[int] | None = None,
        work: int = 0,
    ) -> Evaluation:
        """``evaluate`` for a population already built as a network batch (any object with
        ``PopulationNetwork``'s interface, e.g. HyperNEAT's decoded substrates); ``genome_ids``
        name genomes in fault messages, ``work`` feeds the kernel choice's timing."""
        size = population_net.size
        genome_ids = list(range(size)) if genome_ids is None else list(genome_ids)
        population_net.checkpoint = checkpoint
        if checkpoint is not None:
            checkpoint()
        started = time.perf_counter()
        # Extreme (still finite) weights overflow to inf or NaN: such a genome faults, which is
        # handled below, so numpy need not warn about it.
        with np.errstate(over="ignore", invalid="ignore"):
            if episodes is None:
                result = self.task.evaluate(population_net, rng)
            else:
                result = self.task.evaluate(population_net, rng, episodes=episodes)
        self.last_kernel = getattr(population_net, "kernel", "numpy")
        self._evaluated_count += size
        self._evaluating_s += time.perf_counter() - started
        if work and self.last_kernel == "numpy":
            self.numpy_evaluation_s += time.perf_counter() - started
        fitness = np.asarray(result.fitness, dtype=np.float64)
        if fitness.shape != (size,):
            raise ValueError(f"task {self.task.name} returned fitness of shape {fitness.shape}, expected ({size},)")
        with np.errstate(invalid="ignore"):
            finite = np.abs(fitness) <= MAX_ABS_FITNESS  # False for NaN and ±inf too
        faults = int((~finite).sum())
        errors = list(result.errors)
        reported = {index for index, _ in errors}
        errors += [
            (int(i), f"genome {genome_ids[i]}: fitness {fitness[i]:g} is beyond ±{MAX_ABS_FITNESS:g}")
            for i in np.flatnonzero(~finite & np.isfinite(fitness))[:MAX_FAULT_EXAMPLES].tolist()
            if i not in reported
        ]
        examples = tuple(message for _, message in errors[:MAX_FAULT_EXAMPLES])
        if faults == size:
            detail = examples[0] if examples else "every fitness was NaN or infinite"
            raise EvaluationFailed(f"every genome failed in generation {self.generation} ({detail}); the run stops here")
        if faults:
            fitness = np.where(finite, fitness, float(fitness[finite].min()))
            logger.warning("generation %d: %d genomes had non-finite fitness", self.generation, faults)
        return Evaluation(fitness, np.asarray(result.criterion_met, dtype=bool), faults, examples, int(result.env_steps))

    def evaluation_timings(self) -> dict[str, float]:
        """Workers that evaluated this generation and evaluations per second of evaluating
        (for the report's timings); starts the next generation's count."""
        from core.parallel import workers_of

        count, seconds = self._evaluated_count, self._evaluating_s
        self._evaluated_count, self._evaluating_s = 0, 0.0
        return {"workers": float(workers_of(self.task)), "evaluations_per_s": count / seconds if seconds > 0 else 0.0}

    def make_report(
        self,
        evaluation: Evaluation,
        champion: Genome,
        champion_fitness: float,
        *,
        mean_nodes: float,
        mean_connections: float,
        evaluated_from: int,
        extras: Any = None,
        fitness: np.ndarray | None = None,
        timings: dict[str, float] | None = None,
    ) -> GenerationReport:
        """The common report fields for the generation just evaluated (counters already added).

        ``fitness`` defaults to the evaluation's, in evaluation order; the champion is the
        genome the algorithm presents as this generation's best. ``evaluated_from`` is the
        evaluation counter before this generation, for the paper's evaluations-to-solve count.
        """
        values = evaluation.fitness if fitness is None else fitness
        best = float(values.max())
        if getattr(self.task, "solved_by_criterion", False) and evaluation.criterion_met.shape == values.shape:
            # The paper's success test (XOR: every output on the right side of 0.5), not a fitness level.
            solvers = np.flatnonzero(evaluation.criterion_met)
        else:
            solvers = np.flatnonzero(values >= self.task.fitness_threshold)
        solved_at = evaluated_from + int(solvers[0]) + 1 if len(solvers) else None
        self.best_fitness_ever = max(self.best_fitness_ever, best, champion_fitness)
        snapshot = GenomeSnapshot.from_genome(champion)
        if snapshot.fitness != champion_fitness:
            snapshot = GenomeSnapshot(snapshot.genome_id, champion_fitness, snapshot.nodes, snapshot.connections)
        return GenerationReport(
            algorithm=self.name,
            generation=self.generation,
            evaluations=self.evaluations,
            env_steps=self.env_steps,
            best_fitness=best,
            mean_fitness=float(values.mean()),
            stdev_fitness=float(values.std()),
            best_fitness_ever=float(self.best_fitness_ever),
            champion=snapshot,
            mean_nodes=mean_nodes,
            mean_connections=mean_connections,
            solved=solved_at is not None,
            criterion_met=bool(evaluation.criterion_met.any()),
            fitness_faults=evaluation.faults,
            fault_examples=evaluation.fault_examples,
            solved_at_evaluation=solved_at,
            extras=extras,
            timings=tuple((timings or {}).items()),
        )

