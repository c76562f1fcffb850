"""neatscope compare: every algorithm x seed to one budget, resumable, identical with workers."""

from __future__ import annotations

import csv
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from core.runs.compare import CompareSpec, RunCurve, aggregate_curves, load_spec, run_compare, sample_best_so_far
from core.runs.fields import RunFileError

ROOT = Path(__file__).resolve().parents[3]


def _spec(algorithms=("neat", "ga", "es", "random"), seeds=(0, 1), budget=600, stop=True) -> CompareSpec:
    from core.algorithms.registry import algorithm_class

    configs = {}
    for name in algorithms:
        cls = algorithm_class(name)
        configs[name] = cls.default_config().replace(**{cls.population_size_key: 40}).to_dict()
    return CompareSpec({"name": "xor", "fitness_threshold": 3.9, "fitness": "squared", "solved_by": "threshold"}, tuple(algorithms), tuple(seeds), budget, 1000, stop, configs)


def _rows_without_wall(path: Path) -> list[dict]:
    with path.open() as stream:
        return [{k: v for k, v in row.items() if k != "wall_s"} for row in csv.DictReader(stream)]


def test_a_tiny_compare_writes_every_file_with_the_right_rows(tmp_path):
    spec = _spec()
    summary = run_compare(spec, tmp_path, progress=None)
    for name in ("compare.json", "runs.csv", "summary.csv", "summary.json", "curves.png", "curves.svg"):
        assert (tmp_path / name).stat().st_size > 0, name
    rows = list(csv.DictReader((tmp_path / "runs.csv").open()))
    for algorithm in spec.algorithms:
        for seed in spec.seeds:
            mine = [r for r in rows if r["algorithm"] == algorithm and int(r["seed"]) == seed]
            assert [int(r["generation"]) for r in mine] == list(range(len(mine))) and mine
            evaluations = [int(r["evaluations"]) for r in mine]
            assert evaluations == sorted(evaluations)
            last = mine[-1]
            assert int(last["evaluations"]) >= 600 or float(last["best"]) >= 3.9  # budget spent or solved
            assert len(mine) == 1 or int(mine[-2]["evaluations"]) < 600  # ...and not a generation more
            best_so_far = [float(r["best_so_far"]) for r in mine]
            assert best_so_far == list(np.maximum.accumulate([float(r["best"]) for r in mine]))
    table = list(csv.DictReader((tmp_path / "summary.csv").open()))
    assert [r["algorithm"] for r in table] == list(spec.algorithms)
    assert summary == json.loads((tmp_path / "summary.json").read_text())
    for entry in summary["algorithms"]:
        assert entry["runs"] == 2 and entry["solved"] == len(entry["evaluations_to_solve"]["values"])
    assert (tmp_path / "curves.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "<svg" in (tmp_path / "curves.svg").read_text()[:500]


def test_workers_give_the_same_results_as_serial(tmp_path):
    spec = _spec(algorithms=("neat", "random"), seeds=(3, 4))
    run_compare(spec, tmp_path / "serial", progress=None)
    run_compare(spec, tmp_path / "pool", workers=2, progress=None)
    assert _rows_without_wall(tmp_path / "serial" / "runs.csv") == _rows_without_wall(tmp_path / "pool" / "runs.csv")


def test_a_compare_folder_refuses_a_different_compare(tmp_path):
    run_compare(_spec(algorithms=("random",), seeds=(0,)), tmp_path, progress=None)
    with pytest.raises(RunFileError, match="different compare"):
        run_compare(_spec(algorithms=("random",), seeds=(0, 1)), tmp_path, progress=None)
    assert load_spec(tmp_path) == _spec(algorithms=("random",), seeds=(0,))


def test_a_killed_compare_resumes_to_the_identical_csv(tmp_path):
    command = [sys.executable, "-m", "neatscope", "compare", "xor", "--algorithms", "neat,random", "--seeds", "3",
               "--max-evaluations", "4500", "--quiet"]  # fmt: skip
    reference = tmp_path / "reference"
    subprocess.run([*command, "--out", str(reference)], cwd=ROOT, check=True, capture_output=True, timeout=300)
    victim_dir = tmp_path / "victim"
    victim = subprocess.Popen([*command, "--out", str(victim_dir)], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list(victim_dir.glob("runs/*/done.json"))) < 2:
        time.sleep(0.01)
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=30)
    done = len(list(victim_dir.glob("runs/*/done.json")))
    assert 2 <= done < 6 and not (victim_dir / "runs.csv").exists()  # killed part way
    resumed = subprocess.run([sys.executable, "-m", "neatscope", "compare", "--resume", str(victim_dir), "--quiet"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    assert _rows_without_wall(victim_dir / "runs.csv") == _rows_without_wall(reference / "runs.csv")
    assert json.loads((victim_dir / "summary.json").read_text())["algorithms"][0]["runs"] == 3


def test_curves_are_sampled_as_steps_and_aggregated_over_runs():
    spec = _spec(algorithms=("neat",), seeds=(0, 1, 2), budget=100)
    grid = np.array([0.0, 10.0, 25.0, 50.0, 100.0])
    curves = [
        RunCurve("neat", 0, [], np.array([10.0, 20.0, 30.0]), np.array([1.0, 2.0, 3.0]), None, 0.0),
        RunCurve("neat", 1, [], np.array([10.0, 20.0]), np.array([0.5, 4.0]), 20, 0.0),  # solved and stopped
        RunCurve("neat", 2, [], np.array([25.0, 50.0]), np.array([2.0, 2.5]), None, 0.0),
    ]
    assert np.array_equal(sample_best_so_far(curves[0], grid), [np.nan, 1.0, 2.0, 3.0, 3.0], equal_nan=True)
    assert sample_best_so_far(curves[1], grid).tolist()[1:] == [0.5, 4.0, 4.0, 4.0]
    q1, median, q3 = aggregate_curves(spec, curves, grid)["neat"]
    assert np.isnan(median[:2]).all()  # not every run has a generation before 25 evaluations
    assert median[2:].tolist() == [2.0, 3.0, 3.0] and q1[2] == 2.0 and q3[4] == 3.5  # [2, 4, 2] and [3, 4, 2.5]


def test_cli_compare_and_its_errors(tmp_path, capsys):
    from neatscope.cli import main

    assert main(["compare", "xor", "--algorithms", "random", "--seeds", "1", "--max-evaluations", "300", "--out", str(tmp_path / "c"), "--quiet"]) == 0
    assert json.loads(capsys.readouterr().out)["algorithms"][0]["algorithm"] == "random"
    assert main(["compare", "xor", "--algorithms", "random,nope", "--out", str(tmp_path / "d")]) == 2
    assert "unknown algorithm 'nope'" in capsys.readouterr().err
    assert main(["compare", "--resume", str(tmp_path / "missing")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_a_compare_folder_from_before_the_xor_options_keeps_its_meaning(tmp_path):
    import json

    spec = _spec(algorithms=("random",), seeds=(0,))
    run_compare(spec, tmp_path, progress=None)
    data = json.loads((tmp_path / "compare.json").read_text())
    del data["task"]["fitness"], data["task"]["solved_by"]
    (tmp_path / "compare.json").write_text(json.dumps(data))
    assert load_spec(tmp_path) == spec
