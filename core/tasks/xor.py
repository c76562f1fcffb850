"""XOR, the paper's first benchmark (Stanley & Miikkulainen 2002, section 4.1)."""

from __future__ import annotations

from typing import Any

import numpy as np

from core.networks.batch import PopulationNetwork
from core.runs.fields import check_number
from core.tasks import TaskResult

XOR_INPUTS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_TARGETS = np.array([0.0, 1.0, 1.0, 0.0])


class XorTask:
    """Two inputs, one output; fitness 4 - sum of squared errors over the four patterns.

    ``solved`` uses neat-python's threshold (fitness >= 3.9); the task criterion is the paper's:
    every output on the right side of 0.5.
    """

    name = "xor"
    num_inputs = 2
    num_outputs = 1
    deterministic = True
    spec_keys = ("fitness_threshold",)
    # One batched activation over the four patterns (sizes the kernel choice; see core.compiled).
    activations_per_genome = len(XOR_INPUTS)

    def __init__(self, fitness_threshold: float = 3.9):
        self.fitness_threshold = check_number(fitness_threshold, "task.fitness_threshold")

    def evaluate(self, population: PopulationNetwork, rng: np.random.Generator, episodes: int | None = None) -> TaskResult:
        """Score all genomes on the four patterns at once; XOR is deterministic, rng is unused."""
        outputs = population.activate(XOR_INPUTS)[:, :, 0]  # (P, 4)
        fitness = 4.0 - ((outputs - XOR_TARGETS) ** 2).sum(axis=1)
        criterion_met = ((outputs > 0.5) == (XOR_TARGETS > 0.5)).all(axis=1)
        return TaskResult(fitness, criterion_met)

    def spec(self) -> dict[str, Any]:
        """Task name and parameters."""
        return {"name": self.name, "fitness_threshold": self.fitness_threshold}

    def close(self) -> None:
        """Nothing to release."""
