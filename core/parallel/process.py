"""The process backend: worker processes on this machine. A genome whose evaluation exits,
crashes, hangs or eats the memory faults alone, and the run goes on.

Each worker builds the job itself (the run's process never imports a user's function), limits
its own address space (``resource.setrlimit``), and evaluates one chunk at a time (one genome
for a fine-grained job), so when a worker dies or overruns the timeout the genomes it held are
known: they are faulted with the reason and the worker is replaced. Results do not depend on
which worker evaluated which chunk.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any

from core.parallel import Job, Outcome, cut, failure_message, split

# Importing numpy and the user's module in a fresh process: generous, but a module that hangs
# while importing must not hang the run.
STARTUP_TIMEOUT_S = 120.0


def _limit_memory(megabytes: int | None) -> None:
    """Cap this process's address space at its current size plus ``megabytes`` (Linux, macOS;
    elsewhere the limit is not applied)."""
    if not megabytes:
        return
    try:
        import resource
    except ImportError:  # pragma: no cover - Windows
        return
    try:
        with open("/proc/self/statm", encoding="ascii") as stream:
            current = int(stream.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):  # pragma: no cover - no /proc: count the limit from zero
        current = 0
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = current + megabytes * 2**20
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def worker_main(connection: Connection, job: Job) -> None:
    """A worker process: build the job, then evaluate chunks until told to stop.

    Messages in: ``(index, chunk)`` or None (stop). Out: ``("ready",)`` or ``("error", text)``
    once, then ``(index, outcomes, None)`` or ``(index, None, text)``.
    """
    # Ctrl-C is the run's to handle; it stops the workers itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    memory_limit_mb = getattr(job, "memory_limit_mb", None)
    try:
        _limit_memory(memory_limit_mb)
        function = job.build()
    except BaseException as error:  # noqa: BLE001 - reported to the run, which raises it there
        connection.send(("error", cut(str(error) if isinstance(error, ValueError) else failure_message(error))))
        return
    connection.send(("ready",))
    while True:
        try:
            message = connection.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        index, chunk = message
        outcomes, failure = None, None
        try:
            outcomes = function(chunk)
        except BaseException as error:  # noqa: BLE001 - SystemExit, GeneratorExit, MemoryError...: this chunk's fault
            failure = failure_message(error)
            if isinstance(error, MemoryError) and memory_limit_mb:
                failure = cut(f"{failure} (over the worker's {memory_limit_mb} MB memory limit)")
        # Sent after the except block, which frees the failed call's frames (a memory hog's hoard).
        connection.send((index, outcomes, None) if failure is None else (index, None, failure))


@dataclass(slots=True)
class _Worker:
    process: Any
    connection: Connection
    task: tuple[int, float] | None = None  # (chunk index, monotonic start) while evaluating


def death_reason(exitcode: int | None, what: str = "the fitness function") -> str:
    """Why a worker process ended, in words."""
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        hint = " (out of memory?)" if name == "SIGKILL" else ""
        return f"{what} crashed its worker process ({name}{hint})"
    return f"{what} ended its worker process (exit status {exitcode})"


class ProcessEvaluator:
    """Worker processes that evaluate a job's items.

    Args:
        job: what each worker builds (see ``core.parallel.Job``).
        workers: processes (at least 1).

    Raises:
        ValueError: the job cannot be built (reported by the first worker).
    """

    backend = "process"

    def __init__(self, job: Job, workers: int = 1):
        self.job = job
        self.what = getattr(job, "what", "the evaluation")
        # spawn, not fork: the app's Qt threads must not be duplicated into children.
        self._context = multiprocessing.get_context("spawn")
        self.workers = max(1, workers)
        self._workers: list[_Worker] = []
        self._top_up()

    def _top_up(self) -> None:
        """Start workers until there are ``workers``, all ready (started together, awaited in turn)."""
        started = [self._spawn() for _ in range(self.workers - len(self._workers))]
        try:
            for worker in started:
                self._await_ready(worker)
        except BaseException:
            for worker in started:
                self._stop(worker)
            raise
        self._workers.extend(started)

    def _spawn(self) -> _Worker:
        parent_end, child_end = self._context.Pipe()
        process = self._context.Process(target=worker_main, args=(child_end, self.job), daemon=True, name="neatscope-worker")
        process.start()
        child_end.close()
        return _Worker(process, parent_end)

    def _await_ready(self, worker: _Worker) -> None:
        if not worker.connection.poll(STARTUP_TIMEOUT_S):
            self._stop(worker)
            raise ValueError(f"{self.what} did not load within {STARTUP_TIMEOUT_S:.0f} s")
        try:
            message = worker.connection.recv()
        except (EOFError, OSError):
            worker.process.join(5)
            self._stop(worker)
            raise ValueError(f"loading {self.what}: {death_reason(worker.process.exitcode, self.what)}") from None
        if message[0] != "ready":
            self._stop(worker)
            raise ValueError(message[1])

    def _replace(self, worker: _Worker) -> None:
        self._stop(worker)
        fresh = self._spawn()
        self._await_ready(fresh)
        self._workers[self._workers.index(worker)] = fresh

    @staticmethod
    def _stop(worker: _Worker) -> None:
        worker.task = None
        if worker.process.is_alive():
            worker.process.kill()
        worker.process.join(5)
        worker.connection.close()

    def map(self, items: Sequence[Any], checkpoint: Callable[[], None] | None = None, timeout: float | None = None) -> list[Outcome]:
        """One outcome per item, in order (see ``core.parallel.Evaluator``).

        A fine-grained job's items go one at a time; others in one chunk per worker. When a
        worker dies or its chunk overruns ``timeout`` (per item), every item of that chunk faults.
        """
        self._top_up()
        ranges = [(i, i + 1) for i in range(len(items))] if self.job.fine_grained else split(len(items), self.workers)
        results: dict[int, list[Outcome]] = {}
        pending = deque(range(len(ranges)))
        try:
            while pending or any(w.task for w in self._workers):
                for worker in list(self._workers):
                    if worker.task is None and pending:
                        index = pending.popleft()
                        start, end = ranges[index]
                        try:
                            worker.connection.send((index, list(items[start:end])))
                        except (BrokenPipeError, OSError):  # died between chunks: try again on a fresh one
                            pending.appendleft(index)
                            self._replace(worker)
                            continue
                        worker.task = (index, time.monotonic())
                self._collect(ranges, results, timeout, poll_s=0.05 if checkpoint is not None else 1.0)
                if checkpoint is not None:
                    checkpoint()
        except BaseException:
            abandoned = [w for w in self._workers if w.task is not None]
            for worker in abandoned:
                self._stop(worker)
            self._workers = [w for w in self._workers if all(w is not a for a in abandoned)]
            raise
        return [outcome for index in range(len(ranges)) for outcome in results[index]]

    def _collect(self, ranges: list[tuple[int, int]], results: dict[int, list[Outcome]], timeout: float | None, poll_s: float) -> None:
        busy = [w for w in self._workers if w.task is not None]
        if not busy:
            return

        def limit(worker: _Worker) -> float | None:
            start, end = ranges[worker.task[0]]  # type: ignore[index]
            return None if timeout is None else timeout * (end - start)

        now = time.monotonic()
        wait_s = poll_s
        if timeout is not None:
            wait_s = max(0.0, min(wait_s, min(w.task[1] + limit(w) for w in busy) - now))  # type: ignore[index,operator]
        wait([w.connection for w in busy] + [w.process.sentinel for w in busy], timeout=wait_s)
        now = time.monotonic()
        for worker in busy:
            index, started = worker.task  # type: ignore[misc]
            size = ranges[index][1] - ranges[index][0]
            reason = None
            if worker.connection.poll():
                try:
                    _, outcomes, message = worker.connection.recv()
                except (EOFError, OSError):
                    reason = "lost"
                else:
                    worker.task = None
                    results[index] = outcomes if message is None else [(None, message)] * size
                    continue
            allowed = limit(worker)
            if reason is not None or not worker.process.is_alive():
                worker.process.join(5)
                message = death_reason(worker.process.exitcode, self.what)
            elif allowed is not None and now - started >= allowed:
                message = f"{self.what} took longer than {timeout:g} s (its worker was stopped)"
            else:
                continue
            results[index] = [(None, message)] * size
            worker.task = None
            self._replace(worker)

    def close(self) -> None:
        """Stop every worker."""
        for worker in self._workers:
            try:
                worker.connection.send(None)
            except (BrokenPipeError, OSError):
                pass
        deadline = time.monotonic() + 2.0
        for worker in self._workers:
            worker.process.join(max(0.0, deadline - time.monotonic()))
            self._stop(worker)
        self._workers = []
