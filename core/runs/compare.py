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
"""

from __future__ import annotations

import csv
import io
import json
import math
import sys
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from core.runs.fields import RunFileError, check_keys, read_counter, read_dict, read_field, read_list

SPEC_FILE = "compare.json"
DONE_FILE = "done.json"
RUNS_FOLDER = "runs"
RUNS_COLUMNS = ("algorithm", "seed", "generation", "evaluations", "env_steps", "wall_s", "best", "mean", "best_so_far")
SUMMARY_COLUMNS = (
    "algorithm", "runs", "solved", "evaluations_to_solve_median", "evaluations_to_solve_q1", "evaluations_to_solve_q3",
    "final_best_median", "final_best_q1", "final_best_q3", "generations_median", "wall_s_median", "wall_s_total",
)  # fmt: skip
AUTOSAVE_EVERY = 10


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
        """Read and check ``compare.json`` data.

        Raises:
            RunFileError: not a compare spec, or a field is invalid.
        """
        if not isinstance(data, dict) or data.get("format") != "neatscope-compare":
            raise RunFileError("not a NEAT Scope compare folder (compare.json lacks its format marker)")
        check_keys(data, {"format", "version", "task", "algorithms", "seeds", "max_evaluations", "max_generations", "stop_when_solved", "configs"}, "compare")
        if read_field(data, "version", int, "compare") != 1:
            raise RunFileError("compare.version: this NEAT Scope reads version 1")
        algorithms = read_list(data, "algorithms", "compare")
        seeds = read_list(data, "seeds", "compare")
        if not algorithms or not all(isinstance(a, str) for a in algorithms):
            raise RunFileError("compare.algorithms: expected a list of names")
        if not seeds or not all(isinstance(s, int) and not isinstance(s, bool) and 0 <= s < 2**63 for s in seeds):
            raise RunFileError("compare.seeds: expected a list of seeds")
        configs = read_dict(data, "configs", "compare")
        if set(configs) != set(algorithms):
            raise RunFileError("compare.configs: one config per algorithm expected")
        return cls(
            task=read_dict(data, "task", "compare"),
            algorithms=tuple(algorithms),
            seeds=tuple(seeds),
            max_evaluations=read_counter(data, "max_evaluations", "compare"),
            max_generations=read_counter(data, "max_generations", "compare"),
            stop_when_solved=read_field(data, "stop_when_solved", bool, "compare"),
            configs=configs,
        )

    def jobs(self) -> list[tuple[str, int]]:
        """Every (algorithm, seed), seed-major so partial results cover all algorithms."""
        return [(algorithm, seed) for seed in self.seeds for algorithm in self.algorithms]


def run_folder(out: str | Path, algorithm: str, seed: int) -> Path:
    """The run folder of one (algorithm, seed) inside a compare folder."""
    return Path(out) / RUNS_FOLDER / f"{algorithm}-seed{seed}"


def load_spec(out: str | Path) -> CompareSpec:
    """The spec of an existing compare folder.

    Raises:
        RunFileError: missing or invalid ``compare.json``.
    """
    path = Path(out) / SPEC_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise RunFileError(f"cannot read {path}: {error.strerror or error}") from error
    except ValueError as error:
        raise RunFileError(f"{path}: not valid JSON ({error})") from error
    return CompareSpec.from_dict(data)


def _finished(run: Any, spec: CompareSpec) -> bool:
    return (
        run.evaluations >= spec.max_evaluations
        or run.generation >= spec.max_generations
        or (spec.stop_when_solved and run.solved)
    )


def run_one(spec_data: dict[str, Any], out: str, algorithm: str, seed: int) -> dict[str, Any]:
    """Run (or finish) one (algorithm, seed) of a compare; returns its outcome.

    A module-level function taking plain data, so it can run in a worker process. The run
    autosaves every ``AUTOSAVE_EVERY`` generations; a finished run leaves ``done.json``.
    """
    from core.algorithms.registry import algorithm_class
    from core.runs.config import config_from_dict
    from core.runs.persistence import autosave, load_run, write_atomically
    from core.tasks import make_task

    spec = CompareSpec.from_dict(spec_data)
    folder = run_folder(out, algorithm, seed)
    done = folder / DONE_FILE
    if done.is_file():
        return json.loads(done.read_text(encoding="utf-8"))
    started = time.perf_counter()
    if (folder / "run.json").is_file():
        run = load_run(folder)
    else:
        cls = algorithm_class(algorithm)
        config = config_from_dict(cls.config_type, spec.configs[algorithm], source=f"compare config of {algorithm}")
        run = cls(config, make_task(spec.task), seed)
        autosave(run, folder)
    try:
        while not _finished(run, spec):
            run.step()
            if run.generation % AUTOSAVE_EVERY == 0:
                autosave(run, folder)
        autosave(run, folder)
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


def run_compare(spec: CompareSpec, out: str | Path, workers: int = 0, progress: TextIO | None = sys.stderr) -> dict[str, Any]:
    """Run every (algorithm, seed) not yet done, then write the tables and pictures.

    Args:
        spec: what to compare; written to ``out/compare.json`` (an existing folder must hold
            the same spec).
        out: the compare folder.
        workers: 0 runs one run after another here; N > 0 runs N whole runs in parallel
            processes (results identical: every run is independent and seeded).
        progress: stream for the progress bar, or None.

    Returns:
        The summary (also in ``summary.json``).

    Raises:
        RunFileError: ``out`` holds a different compare.
    """
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    spec_path = folder / SPEC_FILE
    if spec_path.exists():
        existing = load_spec(folder)
        if existing != spec:
            raise RunFileError(f"{folder} holds a different compare; use --resume {folder} to continue it, or another --out")
    else:
        from core.runs.persistence import write_atomically

        write_atomically(spec_path, json.dumps(spec.to_dict(), indent=1))
    jobs = spec.jobs()
    pending = [job for job in jobs if not (run_folder(folder, *job) / DONE_FILE).is_file()]
    bar = Progress(len(jobs), len(jobs) - len(pending), progress)
    data = spec.to_dict()
    if workers and len(pending) > 1:
        _run_in_pool(data, str(folder), pending, workers, bar.update)
    else:
        for algorithm, seed in pending:
            bar.update(_note(run_one(data, str(folder), algorithm, seed)))
    return write_results(spec, folder)


def _run_in_pool(data: dict, out: str, pending: list[tuple[str, int]], workers: int, report: Callable[[str], None]) -> None:
    import multiprocessing

    # spawn, not fork: the app's Qt threads must not be duplicated into children.
    with ProcessPoolExecutor(min(workers, len(pending)), mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = {pool.submit(run_one, data, out, algorithm, seed) for algorithm, seed in pending}
        try:
            while futures:
                finished, futures = wait(futures, return_when=FIRST_COMPLETED)
                for future in finished:
                    report(_note(future.result()))
        except BaseException:
            for future in futures:
                future.cancel()
            raise


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


def _read_run(folder: Path, algorithm: str, seed: int) -> RunCurve:
    from core.runs.persistence import load_run

    run = load_run(run_folder(folder, algorithm, seed))
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


def write_results(spec: CompareSpec, out: str | Path) -> dict[str, Any]:
    """Write runs.csv, summary.csv, summary.json and curves.png/svg from the finished runs."""
    from core.runs.persistence import write_atomically
    from core.runs.plots import plot_compare_curves

    folder = Path(out)
    curves = [_read_run(folder, algorithm, seed) for algorithm, seed in spec.jobs()]
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
