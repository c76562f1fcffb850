"""The NEAT generation loop: one ``Evolution`` object per run, one report per ``step()``.

A generation (``Evolution.step``) does, in order:

1. Decode every genome and evaluate the whole population in one batch.
2. Replace non-finite fitness by the worst finite fitness and count the faults.
3. Update each species' best fitness (drives stagnation, paper p. 111).
4. Allot offspring to species by explicit fitness sharing (paper eq. 2).
5. Freeze the generation into an immutable ``GenerationReport``.
6. Breed the next generation: elites, crossover, mutation (paper section 3).
7. Speciate the offspring against representatives of the previous generation (paper p. 110).

All randomness flows from one ``numpy.random.Generator`` seeded from a ``SeedSequence``; task
randomness (episode seeds) comes from a child sequence keyed by generation, so a resumed run
evaluates exactly as the uninterrupted one.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import time
from collections.abc import Callable, Iterator

import numpy as np

from core.batch import PopulationNetwork
from core.config import EngineConfig
from core.genome import ConnectionGene, Genome, NodeGene
from core.innovation import InnovationTracker
from core.reports import GenerationReport, GenomeSnapshot, SpeciesSnapshot
from core.reproduction import Allotment, allot_offspring, reproduce
from core.species import SpeciesSet
from core.tasks import Task

logger = logging.getLogger(__name__)


class EvaluationInterrupted(Exception):
    """Raised by a step's checkpoint to abandon the generation under evaluation.

    The engine has changed nothing when it propagates: the next ``step()`` evaluates the same
    generation again with the same episode seeds, so an interrupted run stays reproducible.
    """


class EvaluationFailed(ValueError):
    """Every genome of a generation failed to evaluate: the task itself is broken.

    Raised before the engine changes anything, like ``EvaluationInterrupted``.
    """


MAX_FAULT_EXAMPLES = 3


def initial_population(
    config: EngineConfig, num_inputs: int, num_outputs: int, tracker: InnovationTracker, rng: np.random.Generator
) -> list[Genome]:
    """The minimal starting population: inputs and outputs, no hidden nodes (paper, p. 105).

    Input ids are 0..num_inputs-1 and output ids follow; with ``initial_connection = "full"``
    every genome has every input-output connection, with shared innovation numbers.
    """
    size = config.population.size
    nodes_config, weights = config.nodes, config.weights
    input_ids = list(range(num_inputs))
    output_ids = list(range(num_inputs, num_inputs + num_outputs))
    pairs = [(i, o) for o in output_ids for i in input_ids] if config.population.initial_connection == "full" else []
    innovations = [tracker.connection_innovation(i, o) for i, o in pairs]
    all_weights = np.clip(rng.standard_normal((size, len(pairs))) * weights.init_stdev, weights.min, weights.max).tolist()
    all_biases = np.clip(
        nodes_config.bias_init_mean + rng.standard_normal((size, num_outputs)) * nodes_config.bias_init_stdev,
        weights.min,
        weights.max,
    ).tolist()
    population = []
    for genome_id in range(size):
        nodes = {i: NodeGene(i, "input", 0.0, 1.0, "identity", "sum") for i in input_ids}
        for o, bias in zip(output_ids, all_biases[genome_id]):
            nodes[o] = NodeGene(o, "output", bias, nodes_config.response_init, nodes_config.activation_default, nodes_config.aggregation_default)
        connections = {
            innovation: ConnectionGene(innovation, i, o, w, True)
            for innovation, (i, o), w in zip(innovations, pairs, all_weights[genome_id])
        }
        population.append(Genome(genome_id, nodes, connections))
    return population


class Evolution:
    """One NEAT run: population, species, innovation history, RNG and report history.

    Args:
        config: the validated engine configuration.
        task: what genomes are evaluated on.
        seed: integer seed; None draws fresh entropy, kept in ``seed_entropy`` for replay.
    """

    def __init__(self, config: EngineConfig, task: Task, seed: int | None = None):
        sequence = np.random.SeedSequence(seed)
        self.config = config
        self.task = task
        self.seed_entropy: int = int(sequence.entropy)  # type: ignore[arg-type]
        self.rng = np.random.Generator(np.random.PCG64(sequence))
        self.generation = 0
        self.evaluations = 0
        self.history: list[GenerationReport] = []
        # JSON text of each report, filled by core.persistence: reports never change, so saves
        # serialise each one once.
        self.history_json: list[str] = []
        self.tracker = InnovationTracker(task.num_inputs + task.num_outputs, 0, config.structure.innovation_scope)
        self.population = initial_population(config, task.num_inputs, task.num_outputs, self.tracker, self.rng)
        self.next_genome_id = len(self.population)
        self.species = SpeciesSet([], 0, config.speciation.threshold)
        self.species.speciate(self.population, config.speciation, self.generation, self.rng)

    @classmethod
    def restore(
        cls,
        config: EngineConfig,
        task: Task,
        *,
        seed_entropy: int,
        rng_state: dict,
        generation: int,
        evaluations: int,
        tracker: InnovationTracker,
        population: list[Genome],
        species: SpeciesSet,
        next_genome_id: int,
        history: list[GenerationReport],
    ) -> Evolution:
        """Rebuild a run from saved state (see ``core.persistence``); it continues bit-identically."""
        evolution = cls.__new__(cls)
        evolution.config = config
        evolution.task = task
        evolution.seed_entropy = seed_entropy
        evolution.rng = np.random.Generator(np.random.PCG64())
        evolution.rng.bit_generator.state = rng_state
        evolution.generation = generation
        evolution.evaluations = evaluations
        evolution.tracker = tracker
        evolution.population = population
        evolution.species = species
        evolution.next_genome_id = next_genome_id
        evolution.history = history
        evolution.history_json = []
        return evolution

    @property
    def solved(self) -> bool:
        """Whether the last reported generation reached the task's fitness threshold."""
        return bool(self.history) and self.history[-1].solved

    def task_rng(self, generation: int) -> np.random.Generator:
        """The task's random stream for one generation, independent of the engine stream."""
        return np.random.default_rng(np.random.SeedSequence(self.seed_entropy, spawn_key=(generation,)))

    def _evaluate(self, checkpoint: Callable[[], None] | None) -> tuple[np.ndarray, int, tuple[str, ...]]:
        """Evaluate the population; return criterion flags, the number of fitness faults and a
        few of their messages.

        Raises:
            EvaluationFailed: no genome got a finite fitness.
        """
        population_net = PopulationNetwork(self.population, recurrent=not self.config.population.feed_forward)
        population_net.checkpoint = checkpoint
        result = self.task.evaluate(population_net, self.task_rng(self.generation))
        fitness = np.asarray(result.fitness, dtype=np.float64)
        if fitness.shape != (len(self.population),):
            raise ValueError(f"task {self.task.name} returned fitness of shape {fitness.shape}, expected ({len(self.population)},)")
        finite = np.isfinite(fitness)
        faults = int((~finite).sum())
        examples = tuple(message for _, message in result.errors[:MAX_FAULT_EXAMPLES])
        if faults == len(self.population):
            detail = examples[0] if examples else "every fitness was NaN or infinite"
            raise EvaluationFailed(f"every genome failed in generation {self.generation} ({detail}); the run stops here")
        if faults:
            worst = float(fitness[finite].min()) if finite.any() else 0.0
            fitness = np.where(finite, fitness, worst)
            logger.warning("generation %d: %d genomes had non-finite fitness", self.generation, faults)
        for genome, value in zip(self.population, fitness.tolist()):
            genome.fitness = value
        self.evaluations += len(self.population)
        return np.asarray(result.criterion_met, dtype=bool), faults, examples

    def _report(self, criterion: np.ndarray, faults: int, allotment: Allotment, timings: dict[str, float]) -> GenerationReport:
        fitness = np.array([g.fitness for g in self.population])
        champion = self.population[int(np.argmax(fitness))]
        species_snapshots = []
        for s in self.species.species:
            member_fitness = [g.fitness for g in s.members]
            best = max(s.members, key=lambda g: (g.fitness, -g.genome_id))
            species_snapshots.append(
                SpeciesSnapshot(
                    species_id=s.species_id,
                    size=len(s.members),
                    best_fitness=best.fitness,
                    mean_fitness=math.fsum(member_fitness) / len(member_fitness),
                    best_fitness_ever=s.best_fitness,
                    age=self.generation - s.created_generation,
                    stagnation=self.generation - s.last_improved,
                    adjusted_fitness_sum=allotment.adjusted_fitness_sum.get(s.species_id, 0.0),
                    offspring=allotment.offspring.get(s.species_id, 0),
                    best_genome=GenomeSnapshot.from_genome(best),
                )
            )
        return GenerationReport(
            generation=self.generation,
            best_fitness=float(fitness.max()),
            mean_fitness=float(fitness.mean()),
            stdev_fitness=float(fitness.std()),
            champion=GenomeSnapshot.from_genome(champion),
            species=tuple(species_snapshots),
            mean_nodes=float(np.mean([len(g.nodes) - self.task.num_inputs for g in self.population])),
            mean_connections=float(np.mean([g.enabled_count() for g in self.population])),
            evaluations=self.evaluations,
            solved=bool(fitness.max() >= self.task.fitness_threshold),
            criterion_met=bool(criterion.any()),
            fitness_faults=faults,
            compatibility_threshold=self.species.threshold,
            timings=tuple(timings.items()),
        )

    def step(self, checkpoint: Callable[[], None] | None = None) -> GenerationReport:
        """Run exactly one generation and return its report (see the module docstring).

        Args:
            checkpoint: called before every network activation during evaluation; it may block
                (pause) or raise ``EvaluationInterrupted`` (stop), which leaves the run unchanged.
        """
        started = time.perf_counter()
        if checkpoint is not None:
            checkpoint()
        criterion, faults, fault_examples = self._evaluate(checkpoint)
        evaluated = time.perf_counter()
        for s in self.species.species:
            s.update_fitness_record(self.generation)
        allotment = allot_offspring(self.species.species, self.generation, self.config)
        timings = {"evaluate_s": evaluated - started}
        report = dataclasses.replace(self._report(criterion, faults, allotment, timings), fault_examples=fault_examples)
        reported = time.perf_counter()

        self.tracker.new_generation()
        children, self.next_genome_id = reproduce(
            self.species.species, allotment, self.config, self.tracker, self.next_genome_id, self.rng
        )
        bred = time.perf_counter()
        self.species.speciate(children, self.config.speciation, self.generation + 1, self.rng)
        self.population = children
        self.generation += 1
        finished = time.perf_counter()

        timings.update(report_s=reported - evaluated, reproduce_s=bred - reported, speciate_s=finished - bred, total_s=finished - started)
        report = dataclasses.replace(report, timings=tuple(timings.items()))
        self.history.append(report)
        logger.debug("generation %d best %.4f species %d", report.generation, report.best_fitness, len(report.species))
        return report

    def run(self, max_generations: int, stop_when_solved: bool = True) -> Iterator[GenerationReport]:
        """Yield one report per generation, up to ``max_generations`` more generations.

        Stops early after a solving generation when ``stop_when_solved`` is set.
        """
        for _ in range(max_generations):
            report = self.step()
            yield report
            if stop_when_solved and report.solved:
                return

