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
    "digits": ("core.tasks.digits", "DigitsTask"),
    "cartpole": ("core.tasks.cartpole", "CartPoleTask"),
    "gym": ("core.tasks.gym_env", "GymTask"),
    "function": ("core.tasks.function", "FunctionTask"),
    "playground": ("core.tasks.playground", "PlaygroundTask"),
    "boxes": ("core.tasks.boxes", "BoxesTask"),
    "double-pole": ("core.tasks.double_pole", "DoublePoleTask"),
    "double-pole-nv": ("core.tasks.double_pole", "DoublePoleNvTask"),
}


@dataclass(frozen=True, slots=True)
class UserCode:
    """Code of the user's that building a task imports and runs: shown to the user, who must
    name it again before a saved run may use it (a run file never imports anything by itself).

    ``kind`` is "fitness function" (``target`` is ``module:function``) or "gymnasium
    environment" (``target`` is an id ``module:Env-v0`` whose module registers the env);
    ``module`` is what would be imported.
    """

    kind: str
    target: str
    module: str


def required_code(spec: Any) -> UserCode | None:
    """The user code building the task of ``spec`` would import, or None for built-in tasks.

    Looks at the spec only (nothing is imported); a malformed spec gives None here and an
    error from ``make_task``.
    """
    if not isinstance(spec, dict):
        return None
    if spec.get("name") == "function" and isinstance(spec.get("target"), str):
        return UserCode("fitness function", spec["target"], spec["target"].partition(":")[0])
    if spec.get("name") == "gym" and isinstance(spec.get("env_id"), str) and ":" in spec["env_id"]:
        return UserCode("gymnasium environment", spec["env_id"], spec["env_id"].partition(":")[0])
    return None


def make_task(spec: dict[str, Any] | str, *, load_code: bool = True, code_folder: str | None = None) -> Task:
    """Build a task from its name or its ``spec()`` dict.

    Args:
        spec: a task name, or the dict a task's ``spec()`` returns.
        load_code: import the user's code a function task names (see ``required_code``). With
            False a function task is built without its function (``load_function`` later) and a
            gymnasium id with a module prefix is an error: saved runs are checked this way.
        code_folder: also look for the user's module here (default: the current folder).

    Raises:
        ValueError: unknown task name, unknown or bad parameters.
    """
    import importlib

    from core.runs.fields import short, shown

    if isinstance(spec, str):
        spec = {"name": spec}
    if not isinstance(spec, dict):
        raise ValueError(f"a task is a name or a table with a name, got {type(spec).__name__}")
    name = spec.get("name")
    params = {k: v for k, v in spec.items() if k != "name"}
    if not isinstance(name, str) or name not in TASKS:
        raise ValueError(f"unknown task {shown(name)}; known tasks: {', '.join(sorted(TASKS))}")
    module, class_name = TASKS[name]
    task_class = getattr(importlib.import_module(module), class_name)
    known = getattr(task_class, "spec_keys", None)
    if known is not None:
        unknown = sorted(set(params) - set(known))
        if unknown:
            raise ValueError(f"task {name}: unknown parameter(s) {', '.join(shown(k) for k in unknown[:5])}")
    code = required_code(spec)
    if code is not None:
        if not load_code and code.kind == "gymnasium environment":
            raise ValueError(f"task {name}: the environment id {shown(code.target)} imports module {shown(code.module)}")
        params = {**params, "load_code": load_code, "code_folder": code_folder}
    try:
        return task_class(**params)
    except TypeError as error:
        raise ValueError(f"bad parameters for task {name!r}: {short(str(error))}") from error
