"""Random search: every generation draws fresh parameters for the same MLP; the best so far is
the result. The floor any search method has to beat on a task and budget.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from core.algorithms.base import Evaluation
from core.algorithms.fixed_topology import FixedTopologyBase, PolicyConfig, read_vector, vector_to_list
from core.algorithms.protocol import Checkpoint
from core.runs.config import ConfigBase, bounded
from core.runs.fields import RunFileError, check_exact_keys, read_dict, read_int, read_number
from core.runs.reports import FlatExtras, GenerationReport


@dataclass(frozen=True, slots=True)
class RandomPopulationConfig:
    """How many random networks each generation draws."""

    size: int = bounded(1, 1_000_000)


@dataclass(frozen=True, slots=True)
class RandomSearchConfig(ConfigBase):
    """Random search's configuration, one attribute per TOML section."""

    population: RandomPopulationConfig
    policy: PolicyConfig


@dataclass(frozen=True, slots=True)
class RandomSearchExtras(FlatExtras):
    """The best network found so far (the search's answer) and when it was found."""

    kind = "random"

    best_so_far_id: int
    best_so_far_fitness: float
    best_so_far_generation: int


class RandomSearch(FixedTopologyBase):
    """Random search over the weights of a fixed MLP (see the module docstring)."""

    name = "random"
    title = "Random search"
    config_type = RandomSearchConfig
    defaults_resource = "random_default.toml"
    extras_type = RandomSearchExtras

    def _initialise(self) -> None:
        self.next_genome_id = 0
        self.best_theta: np.ndarray | None = None
        self.best_id = -1
        self.best_fitness = -np.inf
        self.best_generation = -1

    def step(self, checkpoint: Checkpoint | None = None) -> GenerationReport:
        """Draw, evaluate and keep the best of one generation of random networks."""
        started = time.perf_counter()
        size = self.config.population.size
        rng = self.rng_copy()
        thetas = self.initial_parameters(rng, size)
        ids = list(range(self.next_genome_id, self.next_genome_id + size))
        genomes = self.genomes(thetas, ids)
        evaluation: Evaluation = self.evaluate(genomes, checkpoint, self.task_rng(self.generation))
        evaluated = time.perf_counter()

        self.ensure_room(evaluations=self.evaluations + size, env_steps=self.env_steps + evaluation.env_steps, next_genome_id=self.next_genome_id + size)
        self.rng = rng
        evaluated_from = self.evaluations
        self.evaluations += size
        self.env_steps += evaluation.env_steps
        self.next_genome_id += size
        best = int(np.argmax(evaluation.fitness))
        if evaluation.fitness[best] > self.best_fitness:
            self.best_theta, self.best_id = thetas[best].copy(), ids[best]
            self.best_fitness, self.best_generation = float(evaluation.fitness[best]), self.generation
        champion = genomes[best]
        report = self.make_report(
            evaluation,
            champion,
            float(evaluation.fitness[best]),
            **self.structure_means(),
            extras=RandomSearchExtras(self.best_id, self.best_fitness, self.best_generation),
            evaluated_from=evaluated_from,
        )
        self.generation += 1
        report = report.with_timings({"evaluate_s": evaluated - started, "total_s": time.perf_counter() - started, **self.evaluation_timings()})
        self.history.append(report)
        return report

    def _state_to_dict(self) -> dict[str, Any]:
        return {
            "next_genome_id": self.next_genome_id,
            "best": None
            if self.best_theta is None
            else {"id": self.best_id, "fitness": self.best_fitness, "generation": self.best_generation, "theta": vector_to_list(self.best_theta)},
        }

    def _load_state(self, state: dict[str, Any]) -> None:
        check_exact_keys(state, ("next_genome_id", "best"), "state")
        size = self.config.population.size
        # Every generation numbers its size networks after the last.
        self.next_genome_id = read_int(state, "next_genome_id", "state", self.generation * size, self.generation * size)
        best = state["best"]
        self.best_theta, self.best_id, self.best_fitness, self.best_generation = None, -1, -np.inf, -1
        if (best is None) != (self.generation == 0):
            raise RunFileError("state.best: null exactly until the first generation has run")
        if best is not None:
            best = check_exact_keys(read_dict(state, "best", "state"), ("id", "fitness", "generation", "theta"), "state.best")
            self.best_theta = read_vector(best, "theta", "state.best", self.shape.parameter_count)
            self.best_id = read_int(best, "id", "state.best", 0, self.next_genome_id - 1)
            self.best_fitness = read_number(best, "fitness", "state.best")
            self.best_generation = read_int(best, "generation", "state.best", 0, self.generation - 1)
