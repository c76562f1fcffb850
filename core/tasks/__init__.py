"""Tasks: what a population is evaluated on. Each returns fitness for all genomes at once."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from core.networks.batch import PopulationNetwork


@dataclass(frozen=True, slots=True)
class TaskResult:
    """Fitness per genome, and per genome whether it met the task's own success test.

    ``errors`` lists (genome index, message) for genomes whose evaluation failed; their fitness
    is NaN and the engine counts them as faults. ``env_steps`` counts the environment steps
    taken (ended episodes excluded); 0 for tasks without an environment.
    """

    fitness: np.ndarray
    criterion_met: np.ndarray
    errors: tuple[tuple[int, str], ...] = ()
    env_steps: int = 0


class Task(Protocol):
    """What an algorithm needs from a task.

    ``deterministic`` tasks give a genome the same fitness every time (XOR); algorithms skip
    re-evaluations there. ``episodes`` may ask an episodic task for a different number of
    episodes than its own (e.g. the weight GA's elite validation); other tasks ignore it.
    """

    name: str
    num_inputs: int
    num_outputs: int
    fitness_threshold: float
    deterministic: bool

    def evaluate(self, population: PopulationNetwork, rng: np.random.Generator, episodes: int | None = None) -> TaskResult:
        """Score every network of the population."""
        ...

    def spec(self) -> dict[str, Any]:
        """Name and parameters that ``make_task`` turns back into an equal task."""
        ...

    def close(self) -> None:
        """Release environments and worker processes."""
        ...


# Task name -> (module, class), imported on first use. A fixed table: a run file names a task by
# key and loading it never imports anything the file itself names.
TASKS: dict[str, tuple[str, str]] = {
    "xor": ("core.tasks.xor", "XorTask"),
    "cartpole": ("core.tasks.cartpole", "CartPoleTask"),
    "gym": ("core.tasks.gym_env", "GymTask"),
    "function": ("core.tasks.function", "FunctionTask"),
    "playground": ("core.tasks.playground", "PlaygroundTask"),
}


def make_task(spec: dict[str, Any] | str) -> Task:
    """Build a task from its name or its ``spec()`` dict.

    Raises:
        ValueError: unknown task name or bad parameters.
    """
    import importlib

    if isinstance(spec, str):
        spec = {"name": spec}
    if not isinstance(spec, dict):
        raise ValueError(f"a task is a name or a table with a name, got {type(spec).__name__}")
    name = spec.get("name")
    params = {k: v for k, v in spec.items() if k != "name"}
    if not isinstance(name, str) or name not in TASKS:
        raise ValueError(f"unknown task {name!r}; known tasks: {', '.join(sorted(TASKS))}")
    module, class_name = TASKS[name]
    task_class = getattr(importlib.import_module(module), class_name)
    try:
        return task_class(**params)
    except TypeError as error:
        raise ValueError(f"bad parameters for task {name!r}: {error}") from error
