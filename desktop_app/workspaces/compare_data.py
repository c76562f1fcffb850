"""The Compare workspace's numbers, kept apart from its widgets (no Qt here, so it is tested
directly): per-run best-so-far curves filled live, and the aggregates drawn from them.

While runs are going, each grid point's quartiles are taken over the runs that have reached it
(a finished run holds its last value to the end, as in ``core.runs.compare``); once every run
is done they equal ``core.runs.compare.aggregate_curves`` where that is defined.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from core.runs.compare import CompareSpec, RunCurve

GRID_POINTS = 200


@dataclass
class LiveRun:
    """One (algorithm, seed) of a compare as far as it has got."""

    algorithm: str
    seed: int
    evaluations: list[float] = field(default_factory=list)
    wall_s: list[float] = field(default_factory=list)
    best_so_far: list[float] = field(default_factory=list)
    solved_at: int | None = None
    done: bool = False
    running: bool = False

    @property
    def generations(self) -> int:
        """Generations recorded so far."""
        return len(self.evaluations)

    @property
    def status(self) -> str:
        """queued, running, solved or done."""
        if self.done:
            return "solved" if self.solved_at is not None else "done"
        return "running" if self.running or self.evaluations else "queued"


class CompareData:
    """Every run of one compare spec, filled from generation rows, outcomes and saved curves."""

    def __init__(self, spec: CompareSpec):
        self.spec = spec
        self.runs: dict[tuple[str, int], LiveRun] = {(a, s): LiveRun(a, s) for a, s in spec.jobs()}

    def add_row(self, row: tuple) -> None:
        """One generation row from ``run_compare``'s ``on_generation``."""
        algorithm, seed, generation, evaluations, _env_steps, wall_s, _best, _mean, best_so_far, solved_at = row
        run = self.runs.get((algorithm, seed))
        if run is None or generation < run.generations:
            return  # a run resumed from an autosave repeats nothing already recorded
        run.running = True
        run.evaluations.append(float(evaluations))
        run.wall_s.append(float(wall_s))
        run.best_so_far.append(float(best_so_far))
        if solved_at is not None and run.solved_at is None:
            run.solved_at = int(solved_at)

    def add_curve(self, curve: RunCurve, done: bool) -> None:
        """A run's saved record (its autosave so far, or its finished run)."""
        run = self.runs.get((curve.algorithm, curve.seed))
        if run is None:
            return
        run.evaluations = [float(v) for v in curve.evaluations]
        run.wall_s = [float(row[5]) for row in curve.rows]
        run.best_so_far = [float(v) for v in curve.best_so_far]
        run.solved_at = curve.solved_at
        run.done = done

    def mark_done(self, outcome: dict[str, Any]) -> None:
        """A run finished (``run_compare``'s ``on_run_done``)."""
        run = self.runs.get((outcome["algorithm"], outcome["seed"]))
        if run is not None:
            run.done, run.running = True, False
            if outcome.get("evaluations_to_solve") is not None:
                run.solved_at = int(outcome["evaluations_to_solve"])

    def mark_stopped(self) -> None:
        """Running runs were stopped (they resume later)."""
        for run in self.runs.values():
            run.running = False

    @property
    def done_count(self) -> int:
        """Runs finished."""
        return sum(run.done for run in self.runs.values())

    @property
    def complete(self) -> bool:
        """Every run finished."""
        return all(run.done for run in self.runs.values())

    # --- aggregates ----------------------------------------------------------------------------

    def grid(self, x: str = "evaluations", points: int = GRID_POINTS) -> np.ndarray:
        """x values at which curves are sampled: the evaluation budget, or 0 to the longest wall time."""
        if x == "evaluations":
            return np.linspace(0.0, float(self.spec.max_evaluations), points)
        longest = max((run.wall_s[-1] for run in self.runs.values() if run.wall_s), default=1.0)
        return np.linspace(0.0, max(longest, 1e-3), points)

    def samples(self, run: LiveRun, grid: np.ndarray, x: str = "evaluations") -> np.ndarray:
        """A run's best-so-far at each grid point: NaN before its first generation and, while
        it is still going, beyond its last one; a finished run keeps its last value."""
        xs = np.asarray(run.evaluations if x == "evaluations" else run.wall_s)
        if not len(xs):
            return np.full(len(grid), np.nan)
        values = np.asarray(run.best_so_far)
        index = np.searchsorted(xs, grid, side="right") - 1
        sampled = np.where(index >= 0, values[np.clip(index, 0, None)], np.nan)
        if not run.done:
            sampled = np.where(grid <= xs[-1], sampled, np.nan)
        return sampled

    def quartiles(self, x: str = "evaluations", points: int = GRID_POINTS) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """The grid and, per algorithm with data, (3, points): first quartile, median, third
        quartile of best-so-far over the runs that reached each point (NaN where none has)."""
        grid = self.grid(x, points)
        result = {}
        for algorithm in self.spec.algorithms:
            rows = [self.samples(run, grid, x) for run in self.runs.values() if run.algorithm == algorithm and run.evaluations]
            if not rows:
                continue
            result[algorithm] = column_quantiles(np.array(rows), (0.25, 0.5, 0.75))
        return grid, result

    def ecdf(self) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Per algorithm: sorted evaluations-to-solve and the share of all its seeds solved by
        then (runs that never solve keep the curve below 1)."""
        seeds = len(self.spec.seeds)
        result = {}
        for algorithm in self.spec.algorithms:
            solved = sorted(run.solved_at for run in self.runs.values() if run.algorithm == algorithm and run.solved_at is not None)
            xs = np.array(solved, dtype=float)
            result[algorithm] = (xs, np.arange(1, len(xs) + 1) / seeds)
        return result

    def success_rows(self) -> list[dict[str, Any]]:
        """The success table: per algorithm, runs done, solved, and quartiles of evaluations to
        solve, final best-so-far and wall time (over the runs done, or with data for finals)."""
        rows = []
        for algorithm in self.spec.algorithms:
            mine = [run for run in self.runs.values() if run.algorithm == algorithm]
            done = [run for run in mine if run.done]
            solved = [float(run.solved_at) for run in mine if run.solved_at is not None]
            finals = [run.best_so_far[-1] for run in mine if run.best_so_far]
            walls = [run.wall_s[-1] for run in done if run.wall_s]
            rows.append(
                {
                    "algorithm": algorithm,
                    "seeds": len(mine),
                    "done": len(done),
                    "solved": len(solved),
                    "evaluations_to_solve": _quartiles(solved),
                    "final_best": _quartiles(finals),
                    "wall_s": _quartiles(walls),
                }
            )
        return rows

    def curves_csv(self, x: str = "evaluations") -> str:
        """The drawn curves as CSV: the grid, then q1, median, q3 per algorithm."""
        grid, quartiles = self.quartiles(x)
        columns = [x] + [f"{a}_{q}" for a in quartiles for q in ("q1", "median", "q3")]
        lines = [",".join(columns)]
        for i, value in enumerate(grid):
            cells = [repr(float(value))] + ["" if np.isnan(q[k, i]) else repr(float(q[k, i])) for q in quartiles.values() for k in range(3)]
            lines.append(",".join(cells))
        return "\n".join(lines) + "\n"

    def success_csv(self) -> str:
        """The success table as CSV."""
        columns = ["algorithm", "seeds", "done", "solved"]
        for name in ("evaluations_to_solve", "final_best", "wall_s"):
            columns += [f"{name}_median", f"{name}_q1", f"{name}_q3"]
        lines = [",".join(columns)]
        for row in self.success_rows():
            cells = [row["algorithm"], str(row["seeds"]), str(row["done"]), str(row["solved"])]
            for name in ("evaluations_to_solve", "final_best", "wall_s"):
                cells += ["" if v is None else repr(v) for v in row[name]]
            lines.append(",".join(cells))
        return "\n".join(lines) + "\n"


def column_quantiles(samples: np.ndarray, quantiles: tuple[float, ...]) -> np.ndarray:
    """Quantiles of each column over its non-NaN entries (NaN where a column has none), shape
    (len(quantiles), columns): ``np.nanpercentile``'s linear interpolation, vectorised.

    ``nanpercentile`` loops over the columns in Python; the Compare workspace computes this for
    every algorithm on every live redraw.
    """
    ordered = np.sort(samples, axis=0)  # NaNs sort last
    counts = (~np.isnan(samples)).sum(axis=0)
    result = np.full((len(quantiles), samples.shape[1]), np.nan)
    present = counts > 0
    if not present.any():
        return result
    columns = np.flatnonzero(present)
    last = counts[present] - 1
    for i, q in enumerate(quantiles):
        position = q * last
        low = np.floor(position).astype(np.intp)
        high = np.minimum(low + 1, last)
        weight = position - low
        low_values, high_values = ordered[low, columns], ordered[high, columns]
        result[i, columns] = low_values + weight * (high_values - low_values)
    return result


def _quartiles(values: list[float]) -> tuple[float | None, float | None, float | None]:
    """(median, q1, q3), or Nones without values."""
    if not values:
        return None, None, None
    q1, median, q3 = np.percentile(np.asarray(values, dtype=float), [25, 50, 75])
    return float(median), float(q1), float(q3)
