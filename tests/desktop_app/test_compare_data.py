"""The Compare workspace's numbers (Qt-free): live quartiles, ECDF, success table."""

import warnings

import numpy as np

from core.runs.compare import CompareSpec
from desktop_app.workspaces.compare_data import CompareData, column_quantiles


def test_column_quantiles_equal_nanpercentile(rng):
    samples = rng.random((9, 60))
    samples[rng.random(samples.shape) < 0.5] = np.nan
    samples[:, 3] = np.nan  # a column no run has reached yet
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # the all-NaN column
        expected = np.nanpercentile(samples, [25, 50, 75], axis=0)
    assert np.allclose(column_quantiles(samples, (0.25, 0.5, 0.75)), expected, equal_nan=True)


def _spec():
    return CompareSpec(task={"name": "xor"}, algorithms=("a", "b"), seeds=(0, 1), max_evaluations=1000, max_generations=99,
                       stop_when_solved=True, configs={"a": {}, "b": {}})  # fmt: skip


def test_a_running_run_counts_only_where_it_has_got_and_a_finished_one_holds_its_value():
    data = CompareData(_spec())
    for generation, (evaluations, best) in enumerate([(100, 1.0), (200, 2.0), (300, 3.0)]):
        data.add_row(("a", 0, generation, evaluations, 0, 0.1 * generation, best, best, best, None))
    data.add_row(("a", 1, 0, 100, 0, 0.1, 5.0, 5.0, 5.0, 100))
    data.mark_done({"algorithm": "a", "seed": 1, "evaluations_to_solve": 100})
    data.add_row(("a", 0, 1, 200, 0, 0.1, 9.0, 9.0, 9.0, None))  # a repeat (resumed run) is ignored
    grid, quartiles = data.quartiles(points=11)  # 0, 100, ..., 1000
    median = quartiles["a"][1]
    assert np.isnan(median[0])
    assert median[1] == 3.0  # (1 + 5) / 2
    assert median[3] == 4.0  # (3 + 5) / 2
    assert median[5] == 5.0  # only the finished run reaches 500: it holds its value
    assert "b" not in quartiles
    xs, ys = data.ecdf()["a"]
    assert list(xs) == [100.0] and list(ys) == [0.5]
    rows = {row["algorithm"]: row for row in data.success_rows()}
    assert rows["a"]["solved"] == 1 and rows["a"]["done"] == 1 and rows["b"]["solved"] == 0
    assert data.runs[("a", 0)].status == "running" and data.runs[("a", 1)].status == "solved" and data.runs[("b", 0)].status == "queued"
    assert data.curves_csv().splitlines()[0] == "evaluations,a_q1,a_median,a_q3"
