"""The serial backend: a job's items evaluated in this process, in order."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from core.parallel import Job, Outcome, failure_message


def evaluate_chunk_guarded(function: Callable[[list[Any]], list[Outcome]], chunk: list[Any]) -> list[Outcome]:
    """``function(chunk)``; anything it raises but ``KeyboardInterrupt`` faults the whole chunk
    (a fine-grained job catches its items' errors itself, so this is the job's own failure)."""
    try:
        return function(chunk)
    except KeyboardInterrupt:
        raise
    except BaseException as error:  # noqa: BLE001 - SystemExit too: the run goes on
        message = failure_message(error)
        return [(None, message)] * len(chunk)


class SerialEvaluator:
    """Evaluates in the calling process (the job is built once, here)."""

    backend = "serial"
    workers = 1

    def __init__(self, job: Job):
        self.job = job
        self._function = job.build()

    def map(self, items: Sequence[Any], checkpoint: Callable[[], None] | None = None, timeout: float | None = None) -> list[Outcome]:
        """Outcomes in order; with a fine-grained job ``checkpoint`` runs before every item.
        ``timeout`` cannot be enforced in this process and is ignored."""
        if not self.job.fine_grained:
            return evaluate_chunk_guarded(self._function, list(items))
        outcomes: list[Outcome] = []
        for item in items:
            if checkpoint is not None:
                checkpoint()
            outcomes.extend(evaluate_chunk_guarded(self._function, [item]))
        return outcomes

    def close(self) -> None:
        """Nothing to stop."""
