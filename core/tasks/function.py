"""A task defined by a user's own fitness function, called once per genome.

``neatscope run --fitness mymodule:fitness --inputs 2 --outputs 1`` imports ``fitness`` (from
the current folder or the installed packages) and calls it with each genome's network
(``activate(inputs) -> outputs``; recurrent networks also have ``reset()``). A function that
raises anything but ``KeyboardInterrupt`` (``SystemExit`` and ``GeneratorExit`` included), or
returns NaN or ±inf, marks only that genome as a fault; the engine counts it and gives it the
generation's worst fitness. With ``isolate`` the function runs in workers (``core.parallel``:
worker processes, or Ray actors with the ray backend), so one that exits the process, crashes,
hangs or exhausts memory faults only its genome too.

A saved run names its function (``target``) but loading it never imports it: the task is built
with ``load_code=False`` and the user names the function again to continue
(``core.runs.persistence``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from core.networks.batch import PopulationNetwork
from core.networks.decode import decode
from core.parallel import BackendSettings, Evaluator, Outcome, cut, failure_message, make_evaluator
from core.runs.fields import check_int, check_number, check_value
from core.tasks import TaskResult
from core.tasks.user_code import import_function, split_target

FitnessFunction = Callable[[Any], float]

# Isolation defaults (``neatscope run --isolate``; the app's default).
DEFAULT_TIMEOUT_S = 60.0
DEFAULT_MEMORY_LIMIT_MB = 2048
MAX_WORKERS = 64
MAX_INTERFACE = 1_000_000

__all__ = ["DEFAULT_MEMORY_LIMIT_MB", "DEFAULT_TIMEOUT_S", "FunctionJob", "FunctionTask", "import_function"]


def _score(function: FitnessFunction, genome: Any, recurrent: bool) -> Outcome:
    """One genome's fitness, or its fault (anything raised but ``KeyboardInterrupt``, NaN, ±inf)."""
    try:
        value = float(function(decode(genome, recurrent=recurrent)))
    except KeyboardInterrupt:
        raise
    except BaseException as error:  # noqa: BLE001 - SystemExit, GeneratorExit, anything: it faults one genome
        return None, failure_message(error)
    return (value, None) if math.isfinite(value) else (None, f"fitness {value}")


@dataclass(frozen=True, slots=True)
class FunctionJob:
    """The user's fitness function as a ``core.parallel`` job: items are ``(genome, recurrent)``.

    ``function`` (library use) is called as it is; otherwise each worker imports ``target``."""

    target: str
    folder: str | None
    memory_limit_mb: int | None = None
    function: FitnessFunction | None = None
    fine_grained = True
    what = "the fitness function"

    def build(self) -> Callable[[list[Any]], list[Outcome]]:
        """Import the function (raises ValueError when it cannot be) and score chunks with it."""
        function = self.function if self.function is not None else import_function(self.target, self.folder)
        limit = self.memory_limit_mb

        def score(genome: Any, recurrent: bool) -> Outcome:
            value, failure = _score(function, genome, recurrent)
            if failure is not None and limit and failure.startswith("MemoryError"):
                failure = cut(f"{failure} (over the worker's {limit} MB memory limit)")
            return value, failure

        return lambda chunk: [score(genome, recurrent) for genome, recurrent in chunk]


class FunctionTask:
    """Evaluate each genome with ``function(network) -> fitness``.

    Args:
        target: ``module:function`` to import; kept in run files so a resume can name it again.
        num_inputs, num_outputs: the network's interface.
        fitness_threshold: fitness that counts as solved (default: never).
        isolate: evaluate in workers (see the module docstring); the process backend unless
            ``backend`` names ray.
        timeout: with ``isolate``, seconds one genome may take (None: no limit).
        memory_limit_mb: with ``isolate``, memory each worker process may use beyond its start-up
            size (process backend; Ray applies its own memory monitor).
        workers: with ``isolate``, workers (0: 1 with the default process backend; with a
            ``backend`` given, its own count, 0 meaning one per CPU).
        backend: where genomes are evaluated (``core.parallel.BackendSettings``; not saved with
            the run: it never changes results). Default: process when ``isolate``, else serial.
        function: the callable itself (library use, not isolated); ``target`` must still name it.
        load_code: False builds the task without importing anything (a saved run being checked);
            ``load_function`` imports it once the user has named it.
        code_folder: where the module is looked up first (default: the current folder).

    Raises:
        ValueError: a parameter is malformed, or the function cannot be imported.
    """

    name = "function"
    deterministic = False
    spec_keys = ("target", "num_inputs", "num_outputs", "fitness_threshold", "isolate", "timeout", "memory_limit_mb", "workers")

    def __init__(
        self,
        target: str,
        num_inputs: int,
        num_outputs: int,
        fitness_threshold: float | None = None,
        isolate: bool = False,
        timeout: float | None = None,
        memory_limit_mb: int | None = None,
        workers: int = 0,
        *,
        backend: BackendSettings | None = None,
        function: FitnessFunction | None = None,
        load_code: bool = True,
        code_folder: str | None = None,
    ):
        split_target(target)
        self.target = target
        self.num_inputs = check_int(num_inputs, "task.num_inputs", 1, MAX_INTERFACE)
        self.num_outputs = check_int(num_outputs, "task.num_outputs", 1, MAX_INTERFACE)
        self.fitness_threshold = math.inf if fitness_threshold is None else check_number(fitness_threshold, "task.fitness_threshold")
        self.isolate = check_value(isolate, bool, "task.isolate")
        self.timeout = None if timeout is None else check_number(timeout, "task.timeout", 1e-3, 1e7)
        self.memory_limit_mb = None if memory_limit_mb is None else check_int(memory_limit_mb, "task.memory_limit_mb", 16, 2**30)
        self.workers = check_int(workers, "task.workers", 0, MAX_WORKERS)
        if backend is None:
            backend = BackendSettings("process" if isolate else "serial", (workers or 1) if isolate else 0)
        elif backend.parallel != isolate:
            raise ValueError(f"the {backend.name} backend " + ("runs the function in this process: drop isolate" if isolate else "needs isolate"))
        if not isolate and workers:
            raise ValueError("workers apply to an isolated fitness function (the process or ray backend)")
        if function is not None and isolate:
            raise ValueError("an isolated fitness function is imported by its workers: give target only")
        self.backend = backend
        self._code_folder = code_folder
        self.function: FitnessFunction | None = function
        self._evaluator: Evaluator | None = None
        if function is not None:
            self._evaluator = make_evaluator(backend, FunctionJob(target, None, function=function))
        elif load_code:
            self.load_function(code_folder)

    def use_backend(self, backend: BackendSettings) -> None:
        """Evaluate on ``backend`` from now on (results do not change); a parallel backend isolates
        the function, serial calls it here. Workers already running are replaced.

        Raises:
            ValueError: the function cannot be imported by the new workers, or a callable given
                directly (library use) was asked to leave this process.
        """
        if self.function is not None and backend.parallel:
            raise ValueError("a fitness function given as a callable runs in this process: give target to use workers")
        was_loaded = self._evaluator is not None and self.function is None
        self.close()
        self.backend = backend
        self.isolate = backend.parallel
        self.workers = backend.workers if backend.parallel else 0
        if not self.isolate:
            self.timeout, self.memory_limit_mb = None, None
        if was_loaded:
            self.load_function(self._code_folder)
        elif self.function is not None:
            self._evaluator = make_evaluator(backend, FunctionJob(self.target, None, function=self.function))

    @property
    def loaded(self) -> bool:
        """Whether the function is ready to be called (imported here, or by isolated workers)."""
        return self._evaluator is not None

    def load_function(self, code_folder: str | None = None) -> None:
        """Import the function (in the workers, when isolated), looking in ``code_folder`` first.

        Raises:
            ValueError: it cannot be imported.
        """
        # Workers look the module up in the folder the user meant, whatever their own folder is.
        import os

        self._code_folder = code_folder
        folder = os.path.abspath(code_folder) if code_folder else (os.getcwd() if self.isolate else None)
        self._evaluator = make_evaluator(self.backend, FunctionJob(self.target, folder, self.memory_limit_mb if self.isolate else None))

    def evaluate(self, population: PopulationNetwork, rng: np.random.Generator, episodes: int | None = None) -> TaskResult:
        """Call the function once per genome; a failure is that genome's NaN and error message."""
        if not self.loaded:
            raise RuntimeError(f"the fitness function {self.target} was not loaded (load_function)")
        genomes = population.genomes
        outcomes = self._evaluator.map([(g, population.recurrent) for g in genomes], population.checkpoint, self.timeout)  # type: ignore[union-attr]
        fitness = np.array([math.nan if value is None else value for value, _ in outcomes], dtype=np.float64)
        errors = tuple((i, f"genome {genomes[i].genome_id}: {message}") for i, (_, message) in enumerate(outcomes) if message is not None)
        return TaskResult(fitness, fitness >= self.fitness_threshold, errors)

    def spec(self) -> dict[str, Any]:
        """Task name and parameters."""
        return {
            "name": self.name,
            "target": self.target,
            "num_inputs": self.num_inputs,
            "num_outputs": self.num_outputs,
            "fitness_threshold": None if math.isinf(self.fitness_threshold) else self.fitness_threshold,
            "isolate": self.isolate,
            "timeout": self.timeout,
            "memory_limit_mb": self.memory_limit_mb,
            "workers": self.workers,
        }

    def close(self) -> None:
        """Stop the workers, if any."""
        if self._evaluator is not None:
            self._evaluator.close()
            self._evaluator = None
