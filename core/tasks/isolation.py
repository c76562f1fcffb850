"""The user's fitness function in worker processes: a genome that exits, crashes, hangs or eats
the memory faults alone, and the run goes on.

Each worker imports the function itself (the run's process never does), limits its own address
space (``resource.setrlimit``), and evaluates one genome at a time, so when a worker dies or
overruns the per-genome timeout the genome it held is known: it is faulted with the reason and
the worker is replaced. Results do not depend on which worker evaluated which genome.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import signal
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any

MESSAGE_CHARACTERS = 300
# Importing numpy and the user's module in a fresh process: generous, but a module that hangs
# while importing must not hang the run.
STARTUP_TIMEOUT_S = 120.0


def cut(text: str, limit: int = MESSAGE_CHARACTERS) -> str:
    """``text`` shortened to ``limit`` characters (fault messages are kept in every report)."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def failure_message(error: BaseException) -> str:
    """How a fault caused by ``error`` reads in reports: ``Type: message``."""
    return cut(f"{type(error).__name__}: {error}")


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


def worker_main(connection: Connection, target: str, folder: str | None, memory_limit_mb: int | None) -> None:
    """A worker process: import the function, then evaluate genomes until told to stop.

    Messages in: ``(index, genome, recurrent)`` or None (stop). Out: ``("ready",)`` or
    ``("error", text)`` once, then ``(index, fitness, None)`` or ``(index, None, text)``.
    """
    # Ctrl-C is the run's to handle; it stops the workers itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        from core.networks.decode import decode
        from core.tasks.user_code import import_function

        _limit_memory(memory_limit_mb)
        function = import_function(target, folder)
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
        index, genome, recurrent = message
        value, failure = math.nan, None
        try:
            value = float(function(decode(genome, recurrent=recurrent)))
        except BaseException as error:  # noqa: BLE001 - SystemExit, GeneratorExit, MemoryError...: one genome's fault
            failure = failure_message(error)
            if isinstance(error, MemoryError) and memory_limit_mb:
                failure = cut(f"{failure} (over the worker's {memory_limit_mb} MB memory limit)")
        # Sent after the except block, which frees the failed call's frames (a memory hog's hoard).
        connection.send((index, value, None) if failure is None else (index, None, failure))


@dataclass(slots=True)
class _Worker:
    process: Any
    connection: Connection
    task: tuple[int, float] | None = None  # (genome index, monotonic start) while evaluating


def death_reason(exitcode: int | None, memory_limit_mb: int | None) -> str:
    """Why a worker process ended, in words."""
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        hint = " (out of memory?)" if name == "SIGKILL" else ""
        return f"the fitness function crashed its worker process ({name}{hint})"
    return f"the fitness function ended its worker process (exit status {exitcode})"


class IsolatedEvaluator:
    """Worker processes that evaluate genomes with the user's fitness function.

    Args:
        target: ``module:function`` each worker imports.
        folder: where the module is looked up first (default: the current folder).
        workers: processes (at least 1).
        timeout: seconds one genome may take; None waits forever.
        memory_limit_mb: address space each worker may add to what it had after start-up.

    Raises:
        ValueError: the function cannot be imported (reported by the first worker).
    """

    def __init__(self, target: str, folder: str | None, workers: int = 1, timeout: float | None = None, memory_limit_mb: int | None = None):
        self.target, self.folder = target, folder
        self.timeout, self.memory_limit_mb = timeout, memory_limit_mb
        # spawn, not fork: the app's Qt threads must not be duplicated into children.
        self._context = multiprocessing.get_context("spawn")
        self.size = max(1, workers)
        self._workers: list[_Worker] = []
        self._top_up()

    def _top_up(self) -> None:
        """Start workers until there are ``size``, all ready (started together, awaited in turn)."""
        started = [self._spawn() for _ in range(self.size - len(self._workers))]
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
        process = self._context.Process(
            target=worker_main, args=(child_end, self.target, self.folder, self.memory_limit_mb), daemon=True, name="neatscope-fitness"
        )
        process.start()
        child_end.close()
        return _Worker(process, parent_end)

    def _await_ready(self, worker: _Worker) -> None:
        if not worker.connection.poll(STARTUP_TIMEOUT_S):
            self._stop(worker)
            raise ValueError(f"the fitness function {self.target} did not load within {STARTUP_TIMEOUT_S:.0f} s")
        try:
            message = worker.connection.recv()
        except (EOFError, OSError):
            worker.process.join(5)
            self._stop(worker)
            raise ValueError(f"loading {self.target}: {death_reason(worker.process.exitcode, self.memory_limit_mb)}") from None
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

    def evaluate(
        self, genomes: Sequence[Any], recurrent: bool, checkpoint: Callable[[], None] | None = None
    ) -> tuple[list[float], list[tuple[int, str]]]:
        """Fitness of every genome (NaN for a fault) and ``(index, message)`` per fault.

        ``checkpoint`` runs between results; if it raises (stop), the genomes in flight are
        abandoned (their workers replaced at the next call) and the exception propagates.
        """
        self._top_up()
        fitness = [math.nan] * len(genomes)
        errors: dict[int, str] = {}
        pending = deque(range(len(genomes)))
        try:
            while pending or any(w.task for w in self._workers):
                for worker in list(self._workers):
                    if worker.task is None and pending:
                        index = pending.popleft()
                        try:
                            worker.connection.send((index, genomes[index], recurrent))
                        except (BrokenPipeError, OSError):  # died between genomes: try again on a fresh one
                            pending.appendleft(index)
                            self._replace(worker)
                            continue
                        worker.task = (index, time.monotonic())
                self._collect(fitness, errors, poll_s=0.05 if checkpoint is not None else 1.0)
                if checkpoint is not None:
                    checkpoint()
        except BaseException:
            abandoned = [w for w in self._workers if w.task is not None]
            for worker in abandoned:
                self._stop(worker)
            self._workers = [w for w in self._workers if all(w is not a for a in abandoned)]
            raise
        return fitness, sorted(errors.items())

    def _collect(self, fitness: list[float], errors: dict[int, str], poll_s: float) -> None:
        busy = [w for w in self._workers if w.task is not None]
        if not busy:
            return
        now = time.monotonic()
        wait_s = poll_s
        if self.timeout is not None:
            wait_s = max(0.0, min(wait_s, min(w.task[1] + self.timeout for w in busy) - now))  # type: ignore[index]
        wait([w.connection for w in busy] + [w.process.sentinel for w in busy], timeout=wait_s)
        now = time.monotonic()
        for worker in busy:
            index, started = worker.task  # type: ignore[misc]
            reason = None
            if worker.connection.poll():
                try:
                    _, value, message = worker.connection.recv()
                except (EOFError, OSError):
                    reason = "lost"
                else:
                    worker.task = None
                    if message is not None:
                        errors[index] = message
                    else:
                        fitness[index] = value
                        if not math.isfinite(value):
                            errors[index] = f"fitness {value}"
                    continue
            if reason is not None or not worker.process.is_alive():
                worker.process.join(5)
                errors[index] = death_reason(worker.process.exitcode, self.memory_limit_mb)
            elif self.timeout is not None and now - started >= self.timeout:
                errors[index] = f"the fitness function took longer than {self.timeout:g} s (its worker was stopped)"
            else:
                continue
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
