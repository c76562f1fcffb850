"""run_compare's hooks for the app: per-generation rows from worker processes, and stop/resume."""

import csv
import threading

from core.algorithms.registry import algorithm_class
from core.runs.compare import CompareSpec, run_compare


def _spec(budget=3000):
    algorithms = ("neat", "random")
    return CompareSpec(
        task={"name": "xor", "fitness_threshold": 3.9},
        algorithms=algorithms,
        seeds=(0, 1),
        max_evaluations=budget,
        max_generations=100_000,
        stop_when_solved=False,
        configs={a: algorithm_class(a).default_config().to_dict() for a in algorithms},
    )


def _rows(folder):
    with (folder / "runs.csv").open() as stream:
        return list(csv.reader(stream))[1:]


def test_generation_rows_from_the_pool_are_the_rows_of_runs_csv(tmp_path):
    rows, done = [], []
    result = run_compare(_spec(), tmp_path, workers=2, progress=None, on_generation=rows.append, on_run_done=done.append)
    written = _rows(tmp_path)
    as_csv = sorted([str(v) if not isinstance(v, float) or i == 5 else repr(v) for i, v in enumerate(row[:9])] for row in rows)
    assert as_csv == sorted(written)
    assert sorted((o["algorithm"], o["seed"]) for o in done) == sorted(_spec().jobs())
    # The solve count rides along: once set it stays, and it is never beyond the row's evaluations.
    solved = {(a["algorithm"], v) for a in result["algorithms"] for v in a["evaluations_to_solve"]["values"]}
    assert solved
    assert {(row[0], row[9]) for row in rows if row[9] is not None} == solved
    assert all(row[9] is None or row[9] <= row[3] for row in rows)


def test_a_stopped_compare_resumes_to_the_uninterrupted_result(tmp_path):
    spec = _spec(budget=1500)
    whole = run_compare(spec, tmp_path / "whole", workers=2, progress=None)
    stop = threading.Event()
    rows = []

    def on_generation(row):
        rows.append(row)
        if len(rows) == 5:
            stop.set()

    assert run_compare(spec, tmp_path / "parts", workers=2, progress=None, on_generation=on_generation, stop=stop) is None
    assert not (tmp_path / "parts" / "summary.json").exists()
    resumed = run_compare(spec, tmp_path / "parts", workers=2, progress=None)

    def without_wall(summary):
        return [{k: v for k, v in a.items() if k != "wall_s"} for a in summary["algorithms"]]

    assert without_wall(resumed) == without_wall(whole)
    drop_wall = lambda rows_: [row[:5] + row[6:] for row in rows_]  # noqa: E731
    assert drop_wall(_rows(tmp_path / "parts")) == drop_wall(_rows(tmp_path / "whole"))
