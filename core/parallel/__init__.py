"""Where genomes are evaluated: one interface, three backends.

Tasks with no batched form (a gymnasium env without a vector env, a user's fitness function)
hand their genomes to an ``Evaluator``:

- ``serial``: in this process, one chunk after another;
- ``process``: worker processes on this machine (``core.parallel.process``); a worker that
  crashes, exits or overruns its timeout faults the genome it held and is replaced;
- ``ray``: long-lived Ray actors, local or on a cluster (``core.parallel.ray_backend``); a lost
  actor's chunk is retried on a fresh one.

A task describes its work as a ``Job``: picklable plain data that each worker ``build``s once
(importing the user's function, creating envs it keeps) into a function evaluating a chunk of
items. Each item's result is an ``Outcome``: ``(value, None)`` or ``(None, fault message)``.
Results never depend on the backend, the number of workers or how items were chunked: every
item is evaluated from its own data alone (tests/core/parallel checks serial = process = ray).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

BACKENDS = ("serial", "process", "ray")
MAX_WORKERS = 1024
MESSAGE_CHARACTERS = 300
RAY_EXTRA = "neatscope[ray]"

Outcome = tuple[Any, str | None]
ChunkFunction = Callable[[list[Any]], list[Outcome]]


def cut(text: str, limit: int = MESSAGE_CHARACTERS) -> str:
    """``text`` shortened to ``limit`` characters (fault messages are kept in every report)."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def failure_message(error: BaseException) -> str:
    """How a fault caused by ``error`` reads in reports: ``Type: message``."""
    return cut(f"{type(error).__name__}: {error}")


class Job(Protocol):
    """A task's work, as plain picklable data a worker turns into a chunk function.

    ``fine_grained``: items may fault one by one (a user's function), so the process backend
    sends them one at a time and the serial backend checks for pause/stop between them; else a
    chunk is evaluated together (episodes of many genomes in one vector env).
    ``memory_limit_mb``: address space a worker process may add (process backend), or None.
    """

    fine_grained: bool
    memory_limit_mb: int | None

    def build(self) -> ChunkFunction:
        """Prepare a worker (import code, make envs); raises ValueError when it cannot."""
        ...


@dataclass(frozen=True, slots=True)
class BackendSettings:
    """Which backend evaluates, with how many workers, and (ray) which cluster.

    ``workers`` 0 means one per CPU (of this machine, or of the Ray cluster). Settings never
    change results, so they are not part of a run's saved task.
    """

    name: str = "serial"
    workers: int = 0
    ray_address: str | None = None

    def __post_init__(self) -> None:
        check_backend(self.name, self.workers, self.ray_address)

    @property
    def parallel(self) -> bool:
        """Whether genomes leave this process."""
        return self.name != "serial"


def check_backend(name: Any, workers: Any, ray_address: Any = None) -> None:
    """Raise ValueError (one clear message) for settings that do not fit together."""
    from core.runs.fields import shown

    if not isinstance(name, str) or name not in BACKENDS:
        raise ValueError(f"backend must be one of {', '.join(BACKENDS)}, got {shown(name)}")
    if not isinstance(workers, int) or isinstance(workers, bool) or not 0 <= workers <= MAX_WORKERS:
        raise ValueError(f"workers must be a whole number from 0 to {MAX_WORKERS}, got {shown(workers)}")
    if name == "serial" and workers > 1:
        raise ValueError(f"{workers} workers need the process or ray backend (serial evaluates in this process)")
    if ray_address is not None:
        if name != "ray":
            raise ValueError("a Ray address applies to the ray backend only")
        if not isinstance(ray_address, str) or not ray_address.strip():
            raise ValueError(f"ray address must be 'auto', host:port or ray://host:port, got {shown(ray_address)}")


class Evaluator(Protocol):
    """Evaluates items of one job; ``workers`` is how many evaluate at once."""

    backend: str
    workers: int

    def map(self, items: Sequence[Any], checkpoint: Callable[[], None] | None = None, timeout: float | None = None) -> list[Outcome]:
        """One outcome per item, in order. ``checkpoint`` runs between results (it may raise to
        stop: work in flight is abandoned). ``timeout``: seconds one item may take (workers only)."""
        ...

    def close(self) -> None:
        """Stop the workers."""
        ...


def default_workers() -> int:
    """Workers when none are asked for: one per CPU this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # pragma: no cover - macOS, Windows
        return max(1, os.cpu_count() or 1)


def make_evaluator(settings: BackendSettings, job: Job) -> Evaluator:
    """An evaluator of ``job`` on the chosen backend (its workers started and ready).

    Raises:
        ValueError: the job cannot be built (reported by the first worker), or the ray backend
            is asked for without Ray installed, or the Ray cluster cannot be reached.
    """
    if settings.name == "serial":
        from core.parallel.serial import SerialEvaluator

        return SerialEvaluator(job)
    if settings.name == "process":
        from core.parallel.process import ProcessEvaluator

        return ProcessEvaluator(job, settings.workers or default_workers())
    from core.parallel.ray_backend import RayEvaluator

    return RayEvaluator(job, settings.workers, settings.ray_address)


def split(count: int, chunks: int) -> list[tuple[int, int]]:
    """``count`` items as ``chunks`` contiguous (start, end) ranges of near-equal size."""
    chunks = max(1, min(chunks, count))
    bounds = [round(i * count / chunks) for i in range(chunks + 1)]
    return [(a, b) for a, b in zip(bounds[:-1], bounds[1:]) if b > a]


def workers_of(task: Any) -> int:
    """How many workers evaluate ``task``'s genomes (1: this process)."""
    evaluator = getattr(task, "_evaluator", None)
    if evaluator is not None:
        return int(evaluator.workers)
    settings = getattr(task, "backend", None)
    if isinstance(settings, BackendSettings) and settings.parallel:
        return settings.workers or default_workers()
    return 1


def task_backend(task: Any) -> str:
    """The backend name evaluating ``task`` ("serial" for tasks that evaluate in one batch)."""
    settings = getattr(task, "backend", None)
    return settings.name if isinstance(settings, BackendSettings) else "serial"
