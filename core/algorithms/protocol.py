"""The contract every algorithm of the family keeps, so the CLI, persistence, the GUI's worker
thread and comparisons can drive any of them without knowing its internals.

An algorithm is an object with explicit state (config, task, RNG, counters, population) that
advances exactly one generation per ``step(checkpoint)`` and returns an immutable
``GenerationReport``. ``state_to_dict`` and ``restore`` round-trip its state through plain JSON
data so that a saved run resumes bit-identically. The ``checkpoint`` callable runs before every
network activation; it may block (pause) or raise ``EvaluationInterrupted`` (stop), and a
generation interrupted that way leaves the algorithm exactly as it was before the step.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, ClassVar, Protocol, runtime_checkable

from core.runs.reports import GenerationReport
from core.tasks import Task

Checkpoint = Callable[[], None]


class EvaluationInterrupted(Exception):
    """Raised by a step's checkpoint to abandon the generation under evaluation.

    The algorithm has changed nothing when it propagates: the next ``step()`` evaluates the
    same generation again with the same episode seeds, so an interrupted run stays reproducible.
    """


class EvaluationFailed(ValueError):
    """Every genome of a generation failed to evaluate: the task itself is broken.

    Raised before the algorithm changes anything, like ``EvaluationInterrupted``.
    """


class RunExhausted(EvaluationFailed):
    """The next generation would take an id or counter past ``core.runs.fields.MAX_COUNTER``
    (2**62), or a parameter past what a run file holds: the run ends here, unchanged and still
    loadable (whatever the engine writes, the loader accepts)."""


@runtime_checkable
class Algorithm(Protocol):
    """What every algorithm offers (see the module docstring)."""

    name: ClassVar[str]
    title: ClassVar[str]
    population_size_key: ClassVar[str]
    config: Any
    task: Task
    seed_entropy: int
    generation: int
    evaluations: int
    env_steps: int
    history: list[GenerationReport]

    @property
    def solved(self) -> bool:
        """Whether the last reported generation reached the task's fitness threshold."""
        ...

    def step(self, checkpoint: Checkpoint | None = None) -> GenerationReport:
        """Run exactly one generation and return its report."""
        ...

    def run(self, max_generations: int, stop_when_solved: bool = True) -> Iterator[GenerationReport]:
        """Yield one report per generation."""
        ...

    def state_to_dict(self) -> dict[str, Any]:
        """The algorithm's own state (population, optimiser, ...) as plain JSON data."""
        ...
