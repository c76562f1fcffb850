"""The NEAT generation loop: one ``Neat`` object per run, one report per ``step()``.

A generation (``Neat.step``) does, in order:

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

import logging
import math
import time
from typing import Any

import numpy as np

from core.algorithms.base import AlgorithmBase, Evaluation
from core.algorithms.neat.config import DEFAULTS_RESOURCE, NeatConfig
from core.algorithms.neat.innovation import InnovationTracker
from core.algorithms.neat.mutation import new_weights
from core.algorithms.neat.report import NeatExtras, SpeciesSnapshot
from core.algorithms.neat.reproduction import Allotment, allot_offspring, reproduce
from core.algorithms.neat.species import Species, SpeciesSet
from core.algorithms.protocol import Checkpoint, EvaluationFailed
from core.networks.genome import ConnectionGene, Genome, NodeGene
from core.networks.snapshot import GenomeSnapshot
from core.runs.fields import (
    RunFileError,
    check_exact_keys,
    check_int,
    read_counter,
    read_dict,
    read_int,
    read_list,
    read_number,
    read_optional_number,
    read_str,
    shown,
)
from core.runs.genome_json import check_acyclic, check_interface, finite_or_none, genome_from_dict, genome_to_dict
from core.runs.reports import GenerationReport

logger = logging.getLogger(__name__)


def initial_population(
    config: NeatConfig, num_inputs: int, num_outputs: int, tracker: InnovationTracker, rng: np.random.Generator
) -> list[Genome]:
    """The minimal starting population: inputs and outputs, no hidden nodes (paper, p. 105).

    Input ids are 0..num_inputs-1 and output ids follow; with ``nodes.bias_input`` the bias node
    (always 1.0) takes the next id. With ``initial_connection = "full"`` every genome has every
    input-output connection (the bias node's included), with shared innovation numbers.
    """
    size = config.population.size
    nodes_config, weights = config.nodes, config.weights
    input_ids = list(range(num_inputs))
    output_ids = list(range(num_inputs, num_inputs + num_outputs))
    bias_ids = [num_inputs + num_outputs] if nodes_config.bias_input else []
    sources = input_ids + bias_ids
    pairs = [(i, o) for o in output_ids for i in sources] if config.population.initial_connection == "full" else []
    innovations = [tracker.connection_innovation(i, o) for i, o in pairs]
    all_weights = new_weights(config, rng, (size, len(pairs))).tolist()
    if nodes_config.bias_input:
        all_biases = [[0.0] * num_outputs] * size
    else:
        all_biases = np.clip(
            nodes_config.bias_init_mean + rng.standard_normal((size, num_outputs)) * nodes_config.bias_init_stdev,
            weights.min,
            weights.max,
        ).tolist()
    shared_sources = {i: NodeGene(i, "input", 0.0, 1.0, "identity", "sum") for i in input_ids}
    shared_sources.update({b: NodeGene(b, "bias", 0.0, 1.0, "identity", "sum") for b in bias_ids})
    population = []
    for genome_id in range(size):
        nodes = {i: shared_sources[i] for i in input_ids}
        for o, bias in zip(output_ids, all_biases[genome_id]):
            nodes[o] = NodeGene(o, "output", bias, nodes_config.response_init, nodes_config.activation_default, nodes_config.aggregation_default)
        nodes.update((b, shared_sources[b]) for b in bias_ids)
        connections = {
            innovation: ConnectionGene(innovation, i, o, w, True)
            for innovation, (i, o), w in zip(innovations, pairs, all_weights[genome_id])
        }
        population.append(Genome(genome_id, nodes, connections))
    return population


class Neat(AlgorithmBase):
    """One NEAT run: population, species, innovation history, RNG and report history.

    Args:
        config: the validated NEAT configuration.
        task: what genomes are evaluated on.
        seed: integer seed; None draws fresh entropy, kept in ``seed_entropy`` for replay.
    """

    name = "neat"
    title = "NEAT"
    config_type = NeatConfig
    defaults_resource = DEFAULTS_RESOURCE
    extras_type = NeatExtras

    config: NeatConfig

    @property
    def genome_inputs(self) -> int:
        """Input nodes of a genome: the task's inputs (a CPPN of HyperNEAT has its own)."""
        return self.task.num_inputs

    @property
    def genome_outputs(self) -> int:
        """Output nodes of a genome: the task's outputs (a CPPN of HyperNEAT has its own)."""
        return self.task.num_outputs

    @property
    def genome_biases(self) -> int:
        """Bias nodes of a genome: 1 with the paper's bias input (``nodes.bias_input``), else 0."""
        return 1 if self.config.nodes.bias_input else 0

    def evaluate_population(self, checkpoint: Checkpoint | None) -> Evaluation:
        """Score the current population (without changing anything).

        The hook for NEAT's relatives: HyperNEAT decodes each CPPN into a substrate network
        first, Backprop NEAT trains each genome's weights first.
        """
        return self.evaluate(self.population, checkpoint, self.task_rng(self.generation))

    def _initialise(self) -> None:
        config = self.config
        self.tracker = InnovationTracker(self.genome_inputs + self.genome_outputs + self.genome_biases, 0, config.structure.innovation_scope)
        self.population = initial_population(config, self.genome_inputs, self.genome_outputs, self.tracker, self.rng)
        self.next_genome_id = len(self.population)
        self.species = SpeciesSet([], 0, config.speciation.threshold)
        self.species.speciate(self.population, config.speciation, self.generation, self.rng)

    @property
    def recurrent(self) -> bool:  # type: ignore[override]
        """Recurrent networks unless the config keeps genomes feed-forward."""
        return not self.config.population.feed_forward

    def _report(self, evaluation: Evaluation, allotment: Allotment, timings: dict[str, float], evaluated_from: int) -> GenerationReport:
        fitness = evaluation.fitness
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
                    parent_id=s.parent_id,
                )
            )
        return self.make_report(
            evaluation,
            champion,
            float(champion.fitness),
            mean_nodes=float(np.mean([len(g.nodes) - self.genome_inputs - self.genome_biases for g in self.population])),
            mean_connections=float(np.mean([g.enabled_count() for g in self.population])),
            evaluated_from=evaluated_from,
            extras=NeatExtras(tuple(species_snapshots), self.species.threshold),
            timings=timings,
        )

    def step(self, checkpoint: Checkpoint | None = None) -> GenerationReport:
        """Run exactly one generation and return its report (see the module docstring).

        Args:
            checkpoint: called before every network activation during evaluation; it may block
                (pause) or raise ``EvaluationInterrupted`` (stop), which leaves the run unchanged.
        """
        started = time.perf_counter()
        size = self.config.population.size
        # Before evaluating (a relative may train the genomes there): a child takes at most one
        # genome id, one node id and three innovations (add-node and add-connection in one
        # mutation); every child may found a species.
        self.ensure_room(
            evaluations=self.evaluations + len(self.population),
            next_genome_id=self.next_genome_id + size,
            next_node_id=self.tracker.next_node_id + size,
            next_innovation=self.tracker.next_innovation + 3 * size,
            next_species_id=self.species.next_species_id + size,
        )
        evaluation = self.evaluate_population(checkpoint)
        evaluated = time.perf_counter()
        self.ensure_room(env_steps=self.env_steps + evaluation.env_steps)
        undo = ([g.fitness for g in self.population], [(s.best_fitness, s.last_improved) for s in self.species.species])
        for genome, value in zip(self.population, evaluation.fitness.tolist()):
            genome.fitness = value
        for s in self.species.species:
            s.update_fitness_record(self.generation)
        allotment = allot_offspring(self.species.species, self.generation, self.config)
        if not allotment.offspring:
            for genome, fitness in zip(self.population, undo[0]):
                genome.fitness = fitness
            for s, (best, improved) in zip(self.species.species, undo[1]):
                s.best_fitness, s.last_improved = best, improved
            raise EvaluationFailed(
                f"every species stagnated in generation {self.generation}, so none may breed (neat-python's complete "
                "extinction); keep the best species with reproduction.stagnation_protected_species >= 1"
            )
        evaluated_from = self.evaluations
        self.evaluations += len(self.population)
        self.env_steps += evaluation.env_steps
        timings = {"evaluate_s": evaluated - started}
        report = self._report(evaluation, allotment, timings, evaluated_from)
        reported = time.perf_counter()

        self.tracker.new_generation()
        origin: dict[int, int] = {}
        children, self.next_genome_id = reproduce(
            self.species.species, allotment, self.config, self.tracker, self.next_genome_id, self.rng, origin
        )
        bred = time.perf_counter()
        self.species.speciate(children, self.config.speciation, self.generation + 1, self.rng, origin)
        self.population = children
        self.generation += 1
        finished = time.perf_counter()

        timings.update(report_s=reported - evaluated, reproduce_s=bred - reported, speciate_s=finished - bred, total_s=finished - started)
        report = report.with_timings({**timings, **self.evaluation_timings()})
        self.history.append(report)
        logger.debug("generation %d best %.4f species %d", report.generation, report.best_fitness, len(report.species))
        return report

    # --- saved state ----------------------------------------------------------------------

    def _state_to_dict(self) -> dict[str, Any]:
        population_ids = {g.genome_id for g in self.population}
        return {
            "next_genome_id": self.next_genome_id,
            "innovation": self.tracker.to_dict(),
            "population": [genome_to_dict(g) for g in self.population],
            "species": {
                "next_species_id": self.species.next_species_id,
                "threshold": self.species.threshold,
                "species": [
                    {
                        "id": s.species_id,
                        "created_generation": s.created_generation,
                        "best_fitness": finite_or_none(s.best_fitness),
                        "last_improved": s.last_improved,
                        "parent": s.parent_id,
                        "representative": genome_to_dict(s.representative),
                        "members": [g.genome_id for g in s.members if g.genome_id in population_ids],
                    }
                    for s in self.species.species
                ],
            },
        }

    def _load_state(self, state: dict[str, Any]) -> None:
        """Rebuild population, species and innovation history, checking every field and that
        they fit together: exact keys, genomes numbered as the task's interface says, every
        genome in exactly one non-empty species, one meaning per innovation number, and
        counters beyond every id in use (so whatever loads is saved identically and runs)."""
        check_exact_keys(state, ("next_genome_id", "innovation", "population", "species"), "state")
        config = self.config
        size = config.population.size
        raw_population = read_list(state, "population", "state")
        # Offspring number exactly population.size; a hall of fame adds up to its size unchanged.
        hall_of_fame = config.reproduction.hall_of_fame
        if not size <= len(raw_population) <= size + hall_of_fame:
            allowed = f"{size:,}" if not hall_of_fame else f"{size:,} to {size + hall_of_fame:,} (population.size plus the hall of fame)"
            raise RunFileError(f"state.population: {len(raw_population):,} genomes; the config allows {allowed}")
        population = [genome_from_dict(raw, f"population[{i}]") for i, raw in enumerate(raw_population)]
        by_id: dict[int, Genome] = {}
        for i, genome in enumerate(population):
            if genome.genome_id in by_id:
                raise RunFileError(f"population[{i}].id: duplicate genome id {genome.genome_id}")
            by_id[genome.genome_id] = genome
            self._check_genome(genome, f"population[{i}]")

        species_data = check_exact_keys(read_dict(state, "species", "state"), ("next_species_id", "threshold", "species"), "species")
        species_list = []
        placed: set[int] = set()
        species_ids: set[int] = set()
        for i, raw in enumerate(read_list(species_data, "species", "species")):
            at = f"species.species[{i}]"
            check_exact_keys(raw, ("id", "created_generation", "best_fitness", "last_improved", "representative", "members", "parent"), at)
            species_id = read_counter(raw, "id", at)
            if species_id in species_ids:
                raise RunFileError(f"{at}.id: duplicate species id {species_id}")
            species_ids.add(species_id)
            created = read_int(raw, "created_generation", at, 0, self.generation)
            last_improved = read_int(raw, "last_improved", at, created, self.generation)
            members = []
            raw_members = read_list(raw, "members", at)
            if not raw_members:
                raise RunFileError(f"{at}.members: a species has at least one member")
            for member_id in raw_members:
                if isinstance(member_id, bool) or not isinstance(member_id, int) or member_id not in by_id:
                    raise RunFileError(f"{at}.members: {shown(member_id)} is not a genome of the population")
                if member_id in placed:
                    raise RunFileError(f"{at}.members: genome {member_id} is in two species")
                placed.add(member_id)
                members.append(by_id[member_id])
            best = read_optional_number(raw, "best_fitness", at)
            representative = genome_from_dict(read_dict(raw, "representative", at), f"{at}.representative")
            self._check_genome(representative, f"{at}.representative")
            # A species splits from an older one, so its parent's id is lower (-1: founded from nothing).
            parent = read_int(raw, "parent", at, -1, species_id - 1)
            species_list.append(Species(species_id, created, representative, members, -math.inf if best is None else best, last_improved, parent))
        if placed != set(by_id):
            raise RunFileError(f"species: {len(set(by_id) - placed)} genomes belong to no species")
        next_species_id = read_counter(species_data, "next_species_id", "species")
        if species_ids and next_species_id <= max(species_ids):
            raise RunFileError(f"species.next_species_id: {next_species_id} is not beyond the species ids in use (up to {max(species_ids)})")
        threshold = read_number(species_data, "threshold", "species")
        if threshold <= 0:
            raise RunFileError(f"species.threshold: {shown(threshold)} must be positive")

        genomes = population + [s.representative for s in species_list]
        tracker = self._read_tracker(read_dict(state, "innovation", "state"), genomes)
        next_genome_id = read_counter(state, "next_genome_id", "state")
        if next_genome_id <= max(by_id):
            raise RunFileError(f"state.next_genome_id: {next_genome_id} is not beyond the genome ids in use (up to {max(by_id)})")

        self.population = population
        self.species = SpeciesSet(species_list, next_species_id, threshold)
        self.tracker = tracker
        self.next_genome_id = next_genome_id

    def _check_genome(self, genome: Genome, where: str) -> None:
        check_interface(genome, self.genome_inputs, self.genome_outputs, self.task.name, where, self.genome_biases)
        if self.config.population.feed_forward:
            check_acyclic(genome)
        if self.genome_biases:
            biased = next((node.node_id for node in genome.nodes.values() if node.bias != 0.0), None)
            if biased is not None:
                raise RunFileError(f"{where}: genome {genome.genome_id} node {biased} has a bias; with nodes.bias_input node biases are 0")

    def _read_tracker(self, data: dict, genomes: list[Genome]) -> InnovationTracker:
        """The innovation history, consistent with the genomes: each innovation number means one
        connection (in -> out) everywhere, and both counters are beyond every id in use."""
        where = "innovation"
        check_exact_keys(data, ("next_node_id", "next_innovation", "scope", "connections", "splits"), where)
        scope = read_str(data, "scope", where, ("generation", "run"))
        if scope != self.config.structure.innovation_scope:
            raise RunFileError(f"innovation.scope: {scope!r}, but the config's structure.innovation_scope is {self.config.structure.innovation_scope!r}")
        next_node_id = read_counter(data, "next_node_id", where)
        next_innovation = read_counter(data, "next_innovation", where)
        meaning: dict[int, tuple[int, int]] = {}
        highest_node = self.genome_inputs + self.genome_outputs + self.genome_biases - 1
        for genome in genomes:
            highest_node = max(highest_node, max(genome.nodes))
            for innovation, conn in genome.connections.items():
                pair = (conn.in_node, conn.out_node)
                if meaning.setdefault(innovation, pair) != pair:
                    raise RunFileError(
                        f"genome {genome.genome_id}: innovation {innovation} is {pair[0]} -> {pair[1]} here but "
                        f"{meaning[innovation][0]} -> {meaning[innovation][1]} elsewhere"
                    )
        if next_node_id <= highest_node:
            raise RunFileError(f"innovation.next_node_id: {next_node_id} is not beyond the node ids in use (up to {highest_node})")
        if meaning and next_innovation <= max(meaning):
            raise RunFileError(f"innovation.next_innovation: {next_innovation} is not beyond the innovation numbers in use (up to {max(meaning)})")
        tracker = InnovationTracker(next_node_id, next_innovation, scope)
        for i, entry in enumerate(read_list(data, "connections", where)):
            at = f"innovation.connections[{i}]"
            if not isinstance(entry, list) or len(entry) != 3:
                raise RunFileError(f"{at}: expected [in, out, innovation]")
            in_node, out_node = check_int(entry[0], f"{at}[0]", 0, next_node_id - 1), check_int(entry[1], f"{at}[1]", 0, next_node_id - 1)
            innovation = check_int(entry[2], f"{at}[2]", 0, next_innovation - 1)
            if (in_node, out_node) in tracker._connections:
                raise RunFileError(f"{at}: connection {in_node} -> {out_node} is listed twice")
            if meaning.setdefault(innovation, (in_node, out_node)) != (in_node, out_node):
                raise RunFileError(f"{at}: innovation {innovation} is {meaning[innovation][0]} -> {meaning[innovation][1]} in the genomes")
            tracker._connections[(in_node, out_node)] = innovation
        for i, entry in enumerate(read_list(data, "splits", where)):
            at = f"innovation.splits[{i}]"
            if not isinstance(entry, list) or len(entry) != 2:
                raise RunFileError(f"{at}: expected [innovation, node]")
            innovation = check_int(entry[0], f"{at}[0]", 0, next_innovation - 1)
            node_id = check_int(entry[1], f"{at}[1]", self.genome_inputs + self.genome_outputs + self.genome_biases, next_node_id - 1)
            if innovation in tracker._splits:
                raise RunFileError(f"{at}: innovation {innovation} is listed twice")
            tracker._splits[innovation] = node_id
        return tracker
