"""XOR, the paper's first benchmark (Stanley & Miikkulainen 2002, section 4.1)."""

from __future__ import annotations

from typing import Any

import numpy as np

from core.networks.batch import PopulationNetwork
from core.runs.fields import check_number
from core.tasks import TaskResult

XOR_INPUTS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_TARGETS = np.array([0.0, 1.0, 1.0, 0.0])
# fitness: "squared" = 4 - sum of squared errors (neat-python's XOR); "paper" = (4 - sum |error|)^2
# (the paper, section 4.1, and Stanley's C++ xor_evaluate).
FITNESS_RULES = ("squared", "paper")
# solved_by: "threshold" = fitness >= fitness_threshold; "criterion" = every output on the right
# side of 0.5 (the paper's success test).
SOLVED_RULES = ("threshold", "criterion")


class XorTask:
    """Two inputs, one output, four patterns.

    Fitness is 4 - sum of squared errors by default, or the paper's (4 - sum |error|)^2 with
    ``fitness = "paper"``. A run is solved at ``fitness_threshold`` (default 3.9, neat-python's)
    or, with ``solved_by = "criterion"``, by the paper's test: every output on the right side of
    0.5 (the criterion is reported either way).
    """

    name = "xor"
    num_inputs = 2
    num_outputs = 1
    deterministic = True
    spec_keys = ("fitness_threshold", "fitness", "solved_by")
    # One batched activation over the four patterns (sizes the kernel choice; see core.compiled).
    activations_per_genome = len(XOR_INPUTS)

    def __init__(self, fitness_threshold: float = 3.9, fitness: str = "squared", solved_by: str = "threshold"):
        self.fitness_threshold = check_number(fitness_threshold, "task.fitness_threshold")
        if fitness not in FITNESS_RULES:
            raise ValueError(f"task.fitness: {fitness!r} is not one of {', '.join(FITNESS_RULES)}")
        if solved_by not in SOLVED_RULES:
            raise ValueError(f"task.solved_by: {solved_by!r} is not one of {', '.join(SOLVED_RULES)}")
        self.fitness = fitness
        self.solved_by = solved_by

    @property
    def solved_by_criterion(self) -> bool:
        """Whether a genome solves the task by meeting the criterion rather than the threshold."""
        return self.solved_by == "criterion"

    def evaluate(self, population: PopulationNetwork, rng: np.random.Generator, episodes: int | None = None) -> TaskResult:
        """Score all genomes on the four patterns at once; XOR is deterministic, rng is unused."""
        outputs = population.activate(XOR_INPUTS)[:, :, 0]  # (P, 4)
        errors = outputs - XOR_TARGETS
        if self.fitness == "paper":
            fitness = (4.0 - np.abs(errors).sum(axis=1)) ** 2
        else:
            fitness = 4.0 - (errors**2).sum(axis=1)
        criterion_met = ((outputs > 0.5) == (XOR_TARGETS > 0.5)).all(axis=1)
        return TaskResult(fitness, criterion_met)

    def spec(self) -> dict[str, Any]:
        """Task name and parameters."""
        return {"name": self.name, "fitness_threshold": self.fitness_threshold, "fitness": self.fitness, "solved_by": self.solved_by}

    def close(self) -> None:
        """Nothing to release."""
