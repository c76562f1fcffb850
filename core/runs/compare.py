"""Comparisons: every algorithm x seed on one task and one evaluation budget.

``run_compare(spec, out)`` runs each (algorithm, seed) as its own run folder under
``out/runs/``, autosaving as it goes, so an interrupted compare resumes where it stopped (every
run resumes bit-identically). When all runs are done it writes:

- ``runs.csv``: one row per run and generation (algorithm, seed, generation, evaluations,
  env_steps, wall_s, best, mean, best_so_far);
- ``summary.csv`` and ``summary.json``: per algorithm, runs solved, evaluations to solve (the
  paper's count: earlier generations plus the winner's place in its own) as median and IQR,
  final best-so-far median and IQR, and wall time;
- ``curves.png`` and ``curves.svg``: median best-so-far against evaluations with an IQR band.

Only the algorithm protocol is used: ``step``, reports, save and load.

With the ray backend (``run_compare(..., backend=BackendSettings("ray"))``) each run is a Ray
task: it runs in a scratch folder on whichever node takes it and ships its ``run.json`` and
``done.json`` back, which are written here, so the cluster needs no shared disk. A run already
started here (an interrupted process compare) is shipped out and continues bit-identically;
an interrupted Ray compare keeps its finished runs and reruns the others from their last file.

The desktop app's Compare workspace calls the same ``run_compare`` with two extra hooks: a
per-generation callback (``on_generation``: one row like ``runs.csv``'s, sent from the worker
processes through a queue) to draw curves live, and a ``stop`` event after which every running
run autosaves and returns at its next generation, so the folder resumes later.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import math
import os
import sys
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from core.runs.fields import (
    RunFileError,
    check_exact_keys,
    check_int,
    check_value,
    loads_guarded,
    read_counter,
    read_dict,
    read_field,
    read_int,
    read_list,
    read_number,
    shown,
)

SPEC_FILE = "compare.json"
DONE_FILE = "done.json"
RUNS_FOLDER = "runs"
RUNS_COLUMNS = ("algorithm", "seed", "generation", "evaluations", "env_steps", "wall_s", "best", "mean", "best_so_far")
SUMMARY_COLUMNS = (
    "algorithm", "runs", "solved", "evaluations_to_solve_median", "evaluations_to_solve_q1", "evaluations_to_solve_q3",
    "final_best_median", "final_best_q1", "final_best_q3", "generations_median", "wall_s_median", "wall_s_total",
)  # fmt: skip
AUTOSAVE_EVERY = 10
SPEC_KEYS = ("format", "version", "task", "algorithms", "seeds", "max_evaluations", "max_generations", "stop_when_solved", "configs")
MAX_SEEDS = 100_000
# compare.json and done.json are a few kilobytes; anything this big is not ours.
MAX_SMALL_FILE_BYTES = 16 * 2**20


@dataclass(frozen=True, slots=True)
class CompareSpec:
    """What a compare runs: the task, the algorithms with their full configs, seeds and budget."""

    task: dict[str, Any]
    algorithms: tuple[str, ...]
    seeds: tuple[int, ...]
    max_evaluations: int
    max_generations: int
    stop_when_solved: bool
    configs: dict[str, dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON data (``compare.json``)."""
        return {
            "format": "neatscope-compare",
            "version": 1,
            "task": self.task,
            "algorithms": list(self.algorithms),
            "seeds": list(self.seeds),
            "max_evaluations": self.max_evaluations,
            "max_generations": self.max_generations,
            "stop_when_solved": self.stop_when_solved,
            "configs": self.configs,
        }

    @classmethod
    def from_dict(cls, data: Any) -> CompareSpec:
        """Read and check ``compare.json`` data (every config validated; the task is checked by
        ``load_spec``, which may build it).

        Raises:
            RunFileError: not a compare spec, or a field is invalid.
        """
        from core.algorithms.registry import algorithm_class
        from core.runs.config import ConfigError, config_from_dict

        if not isinstance(data, dict) or data.get("format") != "neatscope-compare":
            raise RunFileError("not a NEAT Scope compare folder (compare.json lacks its format marker)")
        check_exact_keys(data, SPEC_KEYS, "compare")
        if read_field(data, "version", int, "compare") != 1:
            raise RunFileError("compare.version: this NEAT Scope reads version 1")
        algorithms = read_list(data, "algorithms", "compare", max_length=100)
        if not algorithms or len(set(map(repr, algorithms))) != len(algorithms):
            raise RunFileError("compare.algorithms: expected a list of different names")
        classes = {}
        for i, name in enumerate(algorithms):
            check_value(name, str, f"compare.algorithms[{i}]")
            try:
                classes[name] = algorithm_class(name)
            except ValueError as error:
                raise RunFileError(f"compare.algorithms[{i}]: {error}") from None
        seeds = read_list(data, "seeds", "compare", max_length=MAX_SEEDS)
        if not seeds:
            raise RunFileError("compare.seeds: expected at least one seed")
        for i, seed in enumerate(seeds):
            check_int(seed, f"compare.seeds[{i}]", 0, 2**63 - 1)
        if len(set(seeds)) != len(seeds):
            raise RunFileError("compare.seeds: a seed is listed twice")
        configs = check_exact_keys(read_dict(data, "configs", "compare"), tuple(algorithms), "compare.configs")
        for name, cls_ in classes.items():
            try:
                config_from_dict(cls_.config_type, configs[name], source=f"compare.configs.{name}")
            except ConfigError as error:
                raise RunFileError(str(error)) from None
        return cls(
            task=with_added_task_defaults(read_dict(data, "task", "compare")),
            algorithms=tuple(algorithms),
            seeds=tuple(seeds),
            max_evaluations=read_int(data, "max_evaluations", "compare", 1),
            max_generations=read_int(data, "max_generations", "compare", 1),
            stop_when_solved=read_field(data, "stop_when_solved", bool, "compare"),
            configs=configs,
        )

    def jobs(self) -> list[tuple[str, int]]:
        """Every (algorithm, seed), seed-major so partial results cover all algorithms."""
        return [(algorithm, seed) for seed in self.seeds for algorithm in self.algorithms]


def with_added_task_defaults(task: dict[str, Any]) -> dict[str, Any]:
    """A task spec written before its task gained parameters (the XOR task's fitness and
    success rules, format 5), with those parameters at the values that keep its meaning."""
    from core.runs.persistence import TASK_DEFAULTS_BEFORE_V5

    if isinstance(task.get("name"), str) and task["name"] in TASK_DEFAULTS_BEFORE_V5:
        return {**TASK_DEFAULTS_BEFORE_V5[task["name"]], **task}
    return task


def run_folder(out: str | Path, algorithm: str, seed: int) -> Path:
    """The run folder of one (algorithm, seed) inside a compare folder."""
    return Path(out) / RUNS_FOLDER / f"{algorithm}-seed{seed}"


def load_spec(out: str | Path) -> CompareSpec:
    """The spec of an existing compare folder, checked in full; its task is built without
    importing anything (a task needing the user's code is checked when the user names it).

    Raises:
        RunFileError: missing or invalid ``compare.json``.
    """
    path = Path(out) / SPEC_FILE
    spec = CompareSpec.from_dict(loads_guarded(_read_small(path), str(path)))
    check_task_spec(spec.task)
    return spec


def check_task_spec(spec: dict[str, Any]) -> None:
    """Build a compare's task without the user's code and check it describes itself with
    exactly ``spec`` (a gymnasium id naming a module is left for when the user names it).

    Raises:
        RunFileError: the task spec is invalid.
    """
    from core.runs.persistence import same_task_spec
    from core.tasks import make_task, required_code

    code = required_code(spec)
    if code is not None and code.kind == "gymnasium environment":
        return
    try:
        task = make_task(spec, load_code=False)
    except ValueError as error:
        raise RunFileError(f"compare.task: {error}") from None
    try:
        same_task_spec(task, spec, "compare.task")
    finally:
        task.close()


def _read_small(path: Path) -> bytes:
    try:
        if path.stat().st_size > MAX_SMALL_FILE_BYTES:
            raise RunFileError(f"{path} is larger than any file NEAT Scope writes there")
        return path.read_bytes()
    except OSError as error:
        raise RunFileError(f"cannot read {path}: {error.strerror or error}") from error


def _allowed_code(spec: CompareSpec, user_code: str | None) -> bool:
    """Whether the compare's task needs the user's code and the user named exactly it.

    Raises:
        UserCodeRequired: the task needs code the user did not name.
        RunFileError: the user named code the task does not use, or other code.
    """
    from core.runs.persistence import UserCodeRequired
    from core.tasks import required_code

    code = required_code(spec.task)
    if code is None:
        if user_code is not None:
            raise RunFileError(f"this compare cannot use {shown(user_code)}: it uses no code of yours (task {shown(spec.task.get('name'))})")
        return False
    if user_code is None:
        option = "--fitness" if code.kind == "fitness function" else "--env"
        raise UserCodeRequired(
            f"this compare calls your {code.kind} {shown(code.target)}, which a compare folder never imports by itself; "
            f"name it to continue (neatscope compare --resume DIR {option} {shown(code.target)[1:-1]})",
            code,
            "compare",
            0,
        )
    if user_code != code.target:
        raise RunFileError(f"this compare cannot use {shown(user_code)}: its {code.kind} is {code.target}")
    return True


DONE_KEYS = ("algorithm", "seed", "generations", "evaluations", "solved", "evaluations_to_solve", "final_best", "wall_s")


def read_done(path: Path, algorithm: str, seed: int) -> dict[str, Any]:
    """A finished run's ``done.json``, checked.

    Raises:
        RunFileError: not the outcome of this (algorithm, seed).
    """
    where = str(path)
    data = check_exact_keys(loads_guarded(_read_small(path), where), DONE_KEYS, where)
    if data["algorithm"] != algorithm or data["seed"] != seed or isinstance(data["seed"], bool):
        raise RunFileError(f"{where}: not the outcome of {algorithm} seed {seed}")
    read_counter(data, "generations", where)
    read_counter(data, "evaluations", where)
    solved = read_field(data, "solved", bool, where)
    if solved:
        read_counter(data, "evaluations_to_solve", where)
    elif data["evaluations_to_solve"] is not None:
        raise RunFileError(f"{where}.evaluations_to_solve: must be null for an unsolved run")
    if data["final_best"] is not None:
        read_number(data, "final_best", where)
    read_number(data, "wall_s", where, 0.0)
    return data


def _finished(run: Any, spec: CompareSpec) -> bool:
    return (
        run.evaluations >= spec.max_evaluations
        or run.generation >= spec.max_generations
        or (spec.stop_when_solved and run.solved)
    )


GenerationRow = tuple  # (algorithm, seed, generation, evaluations, env_steps, wall_s, best, mean, best_so_far, solved_at)


def run_one(
    spec_data: dict[str, Any],
    out: str,
    algorithm: str,
    seed: int,
    user_code: str | None = None,
    code_folder: str | None = None,
    on_generation: Callable[[GenerationRow], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> dict[str, Any]:
    """Run (or finish) one (algorithm, seed) of a compare; returns its outcome.

    A module-level function taking plain data, so it can run in a worker process. The run
    folder is locked while the run lives; the run autosaves every ``AUTOSAVE_EVERY``
    generations; a finished run leaves ``done.json``.

    Args:
        user_code: the user's code the compare's task may import (see ``run_compare``).
        code_folder: where that code's module is looked up first.
        on_generation: called with each new generation's row (``runs.csv`` columns plus the
            evaluation count at which the run solved, or None).
        should_stop: polled between generations; when it returns True the run autosaves and
            returns an outcome with ``"stopped": True`` (and no ``done.json``).
    """
    from core.algorithms.registry import algorithm_class
    from core.runs.config import config_from_dict
    from core.runs.persistence import RunFolder, load_run, write_atomically
    from core.tasks import make_task

    spec = CompareSpec.from_dict(spec_data)
    allowed = _allowed_code(spec, user_code)
    folder = run_folder(out, algorithm, seed)
    done = folder / DONE_FILE
    if done.is_file():
        return read_done(done, algorithm, seed)
    started = time.perf_counter()
    with RunFolder(folder) as held:
        if (folder / "run.json").is_file():
            run = load_run(folder, user_code if allowed else None, code_folder)
        else:
            cls = algorithm_class(algorithm)
            config = config_from_dict(cls.config_type, spec.configs[algorithm], source=f"compare config of {algorithm}")
            run = cls(config, make_task(spec.task, code_folder=code_folder), seed)
            held.autosave(run)
        wall = sum(dict(r.timings).get("total_s", 0.0) for r in run.history)
        solved_at = next((r.solved_at_evaluation for r in run.history if r.solved), None)
        try:
            while not _finished(run, spec):
                if should_stop is not None and should_stop():
                    held.autosave(run)
                    return {"algorithm": algorithm, "seed": seed, "stopped": True, "generations": run.generation}
                report = run.step()
                if run.generation % AUTOSAVE_EVERY == 0:
                    held.autosave(run)
                if on_generation is not None:
                    wall += dict(report.timings).get("total_s", 0.0)
                    if solved_at is None and report.solved:
                        solved_at = report.solved_at_evaluation
                    on_generation(
                        (algorithm, seed, report.generation, report.evaluations, report.env_steps, round(wall, 6),
                         report.best_fitness, report.mean_fitness, report.best_fitness_ever, solved_at)
                    )  # fmt: skip
            held.autosave(run)
        finally:
            run.task.close()
    solved = next((r for r in run.history if r.solved), None)
    outcome = {
        "algorithm": algorithm,
        "seed": seed,
        "generations": run.generation,
        "evaluations": run.evaluations,
        "solved": solved is not None,
        "evaluations_to_solve": solved.solved_at_evaluation if solved else None,
        "final_best": run.history[-1].best_fitness_ever if run.history else None,
        "wall_s": time.perf_counter() - started,
    }
    write_atomically(done, json.dumps(outcome))
    return outcome


class Progress:
    """A one-line progress bar on a stream: runs done of total and an ETA."""

    def __init__(self, total: int, done: int, stream: TextIO | None):
        self.total, self.done, self.stream = total, done, stream
        self.started = time.perf_counter()
        self.done_at_start = done
        self.tty = bool(stream is not None and hasattr(stream, "isatty") and stream.isatty())

    def update(self, note: str) -> None:
        """One more run finished; ``note`` says which and how it went."""
        self.done += 1
        if self.stream is None:
            return
        width = 24
        filled = int(width * self.done / max(1, self.total))
        bar = "#" * filled + "-" * (width - filled)
        finished_now = self.done - self.done_at_start
        elapsed = time.perf_counter() - self.started
        remaining = (self.total - self.done) * elapsed / finished_now if finished_now else math.nan
        eta = "ETA --" if not math.isfinite(remaining) else f"ETA {_duration(remaining)}"
        line = f"compare [{bar}] {self.done}/{self.total} runs  {eta}  {note}"
        if self.tty:
            self.stream.write("\r\x1b[2K" + line + ("\n" if self.done == self.total else ""))
        else:
            self.stream.write(line + "\n")
        self.stream.flush()


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


def _note(outcome: dict[str, Any]) -> str:
    what = f"solved at {outcome['evaluations_to_solve']:,} evals" if outcome["solved"] else f"best {outcome['final_best']:.4g}"
    return f"{outcome['algorithm']} seed {outcome['seed']}: {what}"


def run_compare(
    spec: CompareSpec,
    out: str | Path,
    workers: int = 0,
    progress: TextIO | None = sys.stderr,
    user_code: str | None = None,
    code_folder: str | None = None,
    *,
    backend: Any = None,
    on_generation: Callable[[GenerationRow], None] | None = None,
    on_run_done: Callable[[dict[str, Any]], None] | None = None,
    stop: Any = None,
    worker_niceness: int = 0,
) -> dict[str, Any] | None:
    """Run every (algorithm, seed) not yet done, then write the tables and pictures.

    Args:
        spec: what to compare; written to ``out/compare.json`` (an existing folder must hold
            the same spec).
        out: the compare folder (locked while the compare runs).
        workers: 0 runs one run after another here; N > 0 runs N whole runs in parallel
            processes (results identical: every run is independent and seeded).
        backend: a ``core.parallel.BackendSettings``, which replaces ``workers`` when given:
            serial, process (its workers, 0: one per CPU) or ray (whole runs as Ray tasks; live
            rows are not sent, ``stop`` drops the runs in flight).
        progress: stream for the progress bar, or None.
        user_code: the user's code the task may import, exactly as the task names it (a
            fitness function's ``module:function``); a compare never imports it unnamed.
        code_folder: where that code's module is looked up first (default: the current folder).
        on_generation: called here (in the calling thread) with every new generation's row,
            whichever process ran it.
        on_run_done: called here with each finished run's outcome.
        stop: a ``threading.Event``; once set, running runs autosave and return, queued runs
            are dropped and nothing is written: the folder resumes later where it stopped.
        worker_niceness: added to the worker processes' niceness (POSIX), so an interactive
            caller keeps the CPU it needs to stay responsive.

    Returns:
        The summary (also in ``summary.json``), or None when stopped.

    Raises:
        UserCodeRequired: the task needs the user's code and ``user_code`` does not name it.
        RunFolderInUse: another process is running this compare.
        RunFileError: ``out`` holds a different compare, or an invalid file.
    """
    from core.runs.persistence import RunFolder, write_atomically

    spec = dataclasses.replace(spec, task=with_added_task_defaults(spec.task))
    _allowed_code(spec, user_code)
    folder = Path(out)
    with RunFolder(folder, "compare folder"):
        spec_path = folder / SPEC_FILE
        if spec_path.exists():
            existing = load_spec(folder)
            if existing != spec:
                raise RunFileError(f"{folder} holds a different compare; use --resume {folder} to continue it, or another --out")
        else:
            write_atomically(spec_path, json.dumps(spec.to_dict(), indent=1))
        jobs = spec.jobs()
        pending = [job for job in jobs if not (run_folder(folder, *job) / DONE_FILE).is_file()]
        bar = Progress(len(jobs), len(jobs) - len(pending), progress)
        data = spec.to_dict()

        def finished(outcome: dict[str, Any]) -> None:
            if outcome.get("stopped"):
                return
            bar.update(_note(outcome))
            if on_run_done is not None:
                on_run_done(outcome)

        if backend is not None and backend.name == "ray":
            if pending:  # nothing left to run: no Ray to start
                _run_on_ray(data, folder, pending, backend, finished, user_code, code_folder, stop)
        elif backend is not None and backend.name == "process" and pending:
            from core.parallel import default_workers

            _run_in_pool(
                data, str(folder), pending, backend.workers or default_workers(), finished, user_code, code_folder, on_generation, stop, worker_niceness
            )
        elif backend is None and workers and (len(pending) > 1 or on_generation is not None or stop is not None):
            _run_in_pool(data, str(folder), pending, workers, finished, user_code, code_folder, on_generation, stop, worker_niceness)
        else:
            for algorithm, seed in pending:
                if stop is not None and stop.is_set():
                    break
                should_stop = None if stop is None else stop.is_set
                finished(run_one(data, str(folder), algorithm, seed, user_code, code_folder, on_generation, should_stop))
        if stop is not None and stop.is_set():
            return None
        return write_results(spec, folder, user_code, code_folder)


def run_one_shipped(
    spec_data: dict[str, Any], algorithm: str, seed: int, user_code: str | None, code_folder: str | None, saved_run: str | None
) -> tuple[dict[str, Any], str, str]:
    """``run_one`` in a scratch folder (a Ray task on any node): starts from ``saved_run`` (the
    text of an earlier ``run.json``) when given; returns the outcome and the texts of the run's
    ``run.json`` and ``done.json``."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="neatscope-compare-") as scratch:
        folder = run_folder(scratch, algorithm, seed)
        if saved_run is not None:
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "run.json").write_text(saved_run, encoding="utf-8")
        outcome = run_one(spec_data, scratch, algorithm, seed, user_code, code_folder)
        return outcome, (folder / "run.json").read_text(encoding="utf-8"), (folder / DONE_FILE).read_text(encoding="utf-8")


def _run_on_ray(
    data: dict,
    folder: Path,
    pending: list[tuple[str, int]],
    backend: Any,
    report: Callable[[dict[str, Any]], None],
    user_code: str | None,
    code_folder: str | None,
    stop: Any = None,
) -> None:
    from collections import deque

    from core.parallel.ray_backend import cluster_cpus, ensure_ray
    from core.runs.persistence import RunFolder, write_atomically

    ray = ensure_ray(backend.ray_address)
    # A task lost with its node is run again from the same data: the same run.
    remote = ray.remote(num_cpus=1, max_retries=3)(run_one_shipped)
    limit = backend.workers or cluster_cpus()
    # The user's module is looked up where the user meant, whatever the worker's own folder.
    code_folder = os.path.abspath(code_folder) if code_folder else os.getcwd()
    queue = deque(pending)
    flights: dict[Any, tuple[str, int]] = {}
    try:
        while queue or flights:
            while queue and len(flights) < limit:
                algorithm, seed = queue.popleft()
                saved = run_folder(folder, algorithm, seed) / "run.json"
                saved_text = saved.read_text(encoding="utf-8") if saved.is_file() else None
                flights[remote.remote(data, algorithm, seed, user_code, code_folder, saved_text)] = (algorithm, seed)
            done, _ = ray.wait(list(flights), num_returns=1, timeout=0.1)
            for ref in done:
                algorithm, seed = flights.pop(ref)
                outcome, run_text, done_text = ray.get(ref)
                with RunFolder(run_folder(folder, algorithm, seed)) as held:
                    write_atomically(held.path / "run.json", run_text)
                    write_atomically(held.path / DONE_FILE, done_text)
                report(outcome)
            if stop is not None and stop.is_set():
                break
    finally:
        for ref in flights:
            ray.cancel(ref, force=True)


# Set in compare worker processes only (by ``_connect_worker``): where generation rows go and
# the event that asks runs to stop. Per process, never shared state of the caller.
_worker_channel: tuple[Any, Any] | None = None


def _connect_worker(rows: Any, stop: Any, niceness: int = 0) -> None:
    global _worker_channel
    _worker_channel = (rows, stop)
    if niceness and hasattr(os, "nice"):
        os.nice(niceness)


def _run_one_in_worker(data: dict, out: str, algorithm: str, seed: int, user_code: str | None, code_folder: str | None) -> dict[str, Any]:
    rows, stop = _worker_channel if _worker_channel is not None else (None, None)
    return run_one(
        data, out, algorithm, seed, user_code, code_folder, None if rows is None else rows.put, None if stop is None else stop.is_set
    )


def _run_in_pool(
    data: dict,
    out: str,
    pending: list[tuple[str, int]],
    workers: int,
    report: Callable[[dict[str, Any]], None],
    user_code: str | None,
    code_folder: str | None,
    on_generation: Callable[[GenerationRow], None] | None = None,
    stop: Any = None,
    niceness: int = 0,
) -> None:
    import multiprocessing
    import queue as queue_module

    # spawn, not fork: the app's Qt threads must not be duplicated into children.
    context = multiprocessing.get_context("spawn")
    rows = context.Queue() if on_generation is not None else None
    worker_stop = context.Event() if stop is not None else None

    def drain() -> None:
        while rows is not None:
            try:
                row = rows.get_nowait()
            except queue_module.Empty:
                return
            on_generation(row)  # type: ignore[misc]

    options: dict[str, Any] = {"mp_context": context}
    if rows is not None or worker_stop is not None or niceness:
        options.update(initializer=_connect_worker, initargs=(rows, worker_stop, niceness))
    with ProcessPoolExecutor(max(1, min(workers, len(pending))), **options) as pool:
        futures = {pool.submit(_run_one_in_worker, data, out, algorithm, seed, user_code, code_folder) for algorithm, seed in pending}
        try:
            while futures:
                timeout = 0.05 if rows is not None or stop is not None else None
                finished, futures = wait(futures, timeout=timeout, return_when=FIRST_COMPLETED)
                drain()
                if stop is not None and stop.is_set() and worker_stop is not None and not worker_stop.is_set():
                    worker_stop.set()
                    for future in futures:
                        future.cancel()
                for future in finished:
                    if not future.cancelled():
                        report(future.result())
        except BaseException:
            if worker_stop is not None:
                worker_stop.set()
            for future in futures:
                future.cancel()
            raise
    # Rows a worker queued just before returning may land after its result: the pool has shut
    # down now, so every worker's queue has been flushed.
    drain()


# --- results ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RunCurve:
    """One finished run's record as the results need it."""

    algorithm: str
    seed: int
    rows: list[tuple]
    evaluations: np.ndarray
    best_so_far: np.ndarray
    solved_at: int | None
    wall_s: float


def read_run_curve(folder: str | Path, algorithm: str, seed: int) -> RunCurve:
    """One run's curve as saved in a compare folder so far (its last autosave).

    Raises:
        RunFileError: the run folder holds no readable run.
    """
    return _read_run(Path(folder), algorithm, seed)


def _read_run(folder: Path, algorithm: str, seed: int, user_code: str | None = None, code_folder: str | None = None) -> RunCurve:
    from core.runs.persistence import load_run

    # Only the history is read: a fitness function is not needed (a gymnasium env's module is).
    run = load_run(run_folder(folder, algorithm, seed), user_code, code_folder, without_code=True)
    try:
        rows = []
        wall = 0.0
        for report in run.history:
            wall += dict(report.timings).get("total_s", 0.0)
            rows.append(
                (algorithm, seed, report.generation, report.evaluations, report.env_steps, round(wall, 6),
                 repr(report.best_fitness), repr(report.mean_fitness), repr(report.best_fitness_ever))
            )  # fmt: skip
        solved = next((r for r in run.history if r.solved), None)
        return RunCurve(
            algorithm,
            seed,
            rows,
            np.array([r.evaluations for r in run.history], dtype=np.float64),
            np.array([r.best_fitness_ever for r in run.history]),
            solved.solved_at_evaluation if solved else None,
            wall,
        )
    finally:
        run.task.close()


def _quartiles(values: list[float]) -> tuple[float | None, float | None, float | None]:
    if not values:
        return None, None, None
    q1, median, q3 = np.percentile(np.asarray(values, dtype=np.float64), [25, 50, 75])
    return float(median), float(q1), float(q3)


def summarise(spec: CompareSpec, curves: list[RunCurve]) -> dict[str, Any]:
    """Per-algorithm outcome of finished runs (see the module docstring)."""
    algorithms = []
    for algorithm in spec.algorithms:
        mine = [c for c in curves if c.algorithm == algorithm]
        solved = [c.solved_at for c in mine if c.solved_at is not None]
        finals = [float(c.best_so_far[-1]) for c in mine if len(c.best_so_far)]
        to_solve = _quartiles([float(s) for s in solved])
        final = _quartiles(finals)
        generations = _quartiles([float(len(c.rows)) for c in mine])
        walls = [c.wall_s for c in mine]
        algorithms.append(
            {
                "algorithm": algorithm,
                "runs": len(mine),
                "solved": len(solved),
                "evaluations_to_solve": {"median": to_solve[0], "q1": to_solve[1], "q3": to_solve[2], "values": sorted(solved)},
                "final_best": {"median": final[0], "q1": final[1], "q3": final[2]},
                "generations_median": generations[0],
                "wall_s": {"median": _quartiles(walls)[0], "total": float(sum(walls))},
            }
        )
    return {
        "task": spec.task,
        "seeds": list(spec.seeds),
        "max_evaluations": spec.max_evaluations,
        "stop_when_solved": spec.stop_when_solved,
        "algorithms": algorithms,
    }


def curve_grid(spec: CompareSpec, points: int = 200) -> np.ndarray:
    """Evaluation counts at which best-so-far curves are sampled and aggregated."""
    return np.linspace(0.0, float(spec.max_evaluations), points)


def sample_best_so_far(curve: RunCurve, grid: np.ndarray) -> np.ndarray:
    """A run's best-so-far at each grid point: its last generation at or before that many
    evaluations (NaN before its first generation; a run that stopped early keeps its last value)."""
    index = np.searchsorted(curve.evaluations, grid, side="right") - 1
    values = curve.best_so_far[np.clip(index, 0, None)] if len(curve.best_so_far) else np.full(len(grid), np.nan)
    return np.where(index >= 0, values, np.nan)


def aggregate_curves(spec: CompareSpec, curves: list[RunCurve], grid: np.ndarray) -> dict[str, np.ndarray]:
    """Per algorithm, (3, len(grid)): first quartile, median and third quartile of best-so-far,
    NaN where not every run has reached the grid point yet."""
    result = {}
    for algorithm in spec.algorithms:
        samples = np.array([sample_best_so_far(c, grid) for c in curves if c.algorithm == algorithm])
        if samples.size == 0:
            continue
        complete = ~np.isnan(samples).any(axis=0)
        quartiles = np.full((3, len(grid)), np.nan)
        if complete.any():
            quartiles[:, complete] = np.percentile(samples[:, complete], [25, 50, 75], axis=0)
        result[algorithm] = quartiles
    return result


def _csv(rows: list, columns: tuple[str, ...]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return buffer.getvalue()


def _cell(value: Any) -> str:
    return "" if value is None else repr(value) if isinstance(value, float) else str(value)


def write_results(spec: CompareSpec, out: str | Path, user_code: str | None = None, code_folder: str | None = None) -> dict[str, Any]:
    """Write runs.csv, summary.csv, summary.json and curves.png/svg from the finished runs."""
    from core.runs.persistence import write_atomically
    from core.runs.plots import plot_compare_curves

    folder = Path(out)
    allowed = _allowed_code(spec, user_code)
    curves = [_read_run(folder, algorithm, seed, user_code if allowed else None, code_folder) for algorithm, seed in spec.jobs()]
    curves.sort(key=lambda c: (spec.algorithms.index(c.algorithm), c.seed))
    write_atomically(folder / "runs.csv", _csv([row for c in curves for row in c.rows], RUNS_COLUMNS))
    result = summarise(spec, curves)
    summary_rows = [
        [
            a["algorithm"], a["runs"], a["solved"],
            *(a["evaluations_to_solve"][k] for k in ("median", "q1", "q3")),
            *(a["final_best"][k] for k in ("median", "q1", "q3")),
            a["generations_median"], a["wall_s"]["median"], a["wall_s"]["total"],
        ]
        for a in result["algorithms"]
    ]  # fmt: skip
    write_atomically(folder / "summary.csv", _csv([[_cell(v) for v in row] for row in summary_rows], SUMMARY_COLUMNS))
    write_atomically(folder / "summary.json", json.dumps(result, indent=2) + "\n")
    grid = curve_grid(spec)
    plot_compare_curves(
        grid,
        aggregate_curves(spec, curves, grid),
        title=f"{_task_title(spec.task)}: median best-so-far over {len(spec.seeds)} seeds (band: interquartile range)",
        threshold=_threshold(spec.task),
        out_stem=folder / "curves",
    )
    return result


def _task_title(task: dict[str, Any]) -> str:
    return str(task.get("env_id") or task.get("name") or "task")


def _threshold(task: dict[str, Any]) -> float | None:
    value = task.get("fitness_threshold")
    return float(value) if isinstance(value, (int, float)) and math.isfinite(value) else None
