"""The Compare workspace: the same run_compare as the CLI, drawn live, and folders shared both ways."""

import json

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage

from core.runs.compare import aggregate_curves, curve_grid, load_spec, read_run_curve
from neatscope.cli import main


def _form(compare, out, budget=1500, seeds=2):
    compare.task_box.combo.setCurrentText("XOR")
    for name, box in compare.algorithm_boxes.items():
        box.setChecked(name in ("neat", "random"))
    compare.seeds.setValue(seeds)
    compare.budget.setValue(budget)
    compare.stop_when_solved.setChecked(False)
    compare.workers.setValue(2)
    compare.out_box.setText(str(out))


def _summary_matches_table(compare, summary):
    for row, entry in zip(compare.data.success_rows(), summary["algorithms"]):
        assert row["algorithm"] == entry["algorithm"] and row["solved"] == entry["solved"] and row["done"] == entry["runs"]
        assert row["evaluations_to_solve"][0] == entry["evaluations_to_solve"]["median"]
        assert row["final_best"][0] == entry["final_best"]["median"]


def test_a_compare_runs_in_the_background_and_matches_the_cli_results(qtbot, window, tmp_path):
    compare = window.compare
    window.show_workspace("compare")
    out = tmp_path / "gui-compare"
    _form(compare, out)
    with qtbot.waitSignal(compare.compareFinished, timeout=120_000) as finished:
        # The button, as a user starts it (its clicked(bool) once reached start_compare as the spec).
        qtbot.mouseClick(compare.run_button, Qt.MouseButton.LeftButton)
        assert compare.running and not compare.run_button.isEnabled()
    assert finished.args == ["done"]
    summary = json.loads((out / "summary.json").read_text())
    assert (out / "runs.csv").is_file() and (out / "curves.png").is_file()
    _summary_matches_table(compare, summary)
    assert compare.success_table.rowCount() == 2 and compare.runs_table.rowCount() == 4
    assert {compare.runs_table.item(r, 2).text() for r in range(4)} <= {"done", "solved"}
    # The live curves end where the CLI's aggregation of the saved runs is.
    spec = load_spec(out)
    curves = [read_run_curve(out, a, s) for a, s in spec.jobs()]
    grid, live = compare.data.quartiles("evaluations")
    assert np.array_equal(grid, curve_grid(spec))
    for algorithm, expected in aggregate_curves(spec, curves, grid).items():
        defined = ~np.isnan(expected[1])
        assert np.allclose(live[algorithm][:, defined], expected[:, defined])
    median = compare._curve_items["neat"][0]
    assert np.isfinite(median.getData()[1]).any()
    # Wall time instead of evaluations on x.
    compare.x_box.setCurrentIndex(1)
    assert compare.curves_plot.getAxis("bottom").labelText.startswith("wall time")

    # Exports.
    written = compare.export_csv(tmp_path / "export.csv")
    assert [p.name for p in written] == ["export-curves.csv", "export-summary.csv"]
    assert (tmp_path / "export-summary.csv").read_text().splitlines()[1].startswith("neat,2,2,")
    compare.export_pictures(tmp_path / "compare.png", combined=True, dpi=192)
    assert QImage(str(tmp_path / "compare.png")).width() > 400
    compare.export_pictures(tmp_path / "compare.svg", combined=False)
    assert "<svg" in (tmp_path / "compare-ecdf.svg").read_text()

    # Double-click a run: it opens in Evolve at its last generation.
    row = next(r for r in range(4) if compare.runs_table.item(r, 0).text() == "neat")
    seed = int(compare.runs_table.item(row, 1).text())
    compare.runs_table.cellDoubleClicked.emit(row, 0)
    assert window.current_workspace() is window.evolve
    evolve = window.evolve
    expected_generations = next(r for r in compare.data.runs.values() if (r.algorithm, r.seed) == ("neat", seed)).generations
    assert len(evolve.history) == expected_generations and evolve.run.algorithm == "neat" and evolve.run.seed == seed


def test_a_cli_compare_folder_opens_in_the_app(qtbot, window, tmp_path):
    out = tmp_path / "cli-compare"
    args = ["compare", "xor", "--algorithms", "neat,random", "--seeds", "2", "--max-evaluations", "900", "--out", str(out), "--quiet"]
    assert main(args) == 0
    compare = window.compare
    with qtbot.waitSignal(compare.compareFinished, timeout=60_000) as finished:
        assert compare.open_folder(out)
    assert finished.args == ["loaded"]
    assert compare.data.complete and compare.run_button.text() == "Run"
    _summary_matches_table(compare, json.loads((out / "summary.json").read_text()))
    assert compare.algorithm_boxes["neat"].isChecked() and not compare.algorithm_boxes["es"].isChecked()
    assert compare.budget.value() == 900


def test_a_stopped_app_compare_resumes_from_the_cli(qtbot, window, tmp_path):
    compare = window.compare
    out = tmp_path / "stopped"
    _form(compare, out, budget=15_000, seeds=2)
    compare.algorithm_boxes["neat"].setChecked(False)  # random search only: 100 quick generations a run
    compare.workers.setValue(1)  # one run after the other: the second cannot be done when Stop comes
    with qtbot.waitSignal(compare.compareFinished, timeout=120_000) as finished:
        compare.start_compare()
        # Stop as a user would, once the first curve points are drawn.
        qtbot.waitUntil(lambda: any(r.generations for r in compare.data.runs.values()), timeout=60_000)
        compare.stop_compare()
    assert finished.args == ["stopped"]
    assert compare.run_button.text() == "Resume" and not (out / "summary.json").exists()
    saved = {(r.algorithm, r.seed): r.generations for r in compare.data.runs.values()}
    assert any(saved.values()) and not compare.data.complete
    # Every autosave the app left holds exactly the generations it drew.
    for (algorithm, seed), generations in saved.items():
        if generations:
            assert len(read_run_curve(out, algorithm, seed).rows) == generations
    assert main(["compare", "--resume", str(out), "--quiet"]) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["max_evaluations"] == 15_000 and [a["runs"] for a in summary["algorithms"]] == [2]


def test_a_compare_stopped_before_its_first_generation_still_resumes(qtbot, window, tmp_path):
    compare = window.compare
    out = tmp_path / "stopped-at-once"
    _form(compare, out, budget=900, seeds=1)
    with qtbot.waitSignal(compare.compareFinished, timeout=120_000):
        qtbot.mouseClick(compare.run_button, Qt.MouseButton.LeftButton)
        compare.stop_compare()
    assert len(load_spec(out).seeds) == 1
    assert main(["compare", "--resume", str(out), "--quiet"]) == 0
    assert [a["runs"] for a in json.loads((out / "summary.json").read_text())["algorithms"]] == [1, 1]


def test_a_folder_that_is_not_a_compare_is_one_message(qtbot, window, tmp_path):
    shown = []
    window.errorShown.connect(shown.append)
    assert not window.compare.open_folder(tmp_path)
    assert len(shown) == 1 and "compare.json" in shown[0]
    assert window.compare.data is None


def test_an_unwritable_compare_folder_is_one_message(qtbot, window, tmp_path):
    shown = []
    window.errorShown.connect(shown.append)
    (tmp_path / "a-file").write_text("not a folder")
    _form(window.compare, tmp_path / "a-file" / "compare", budget=600, seeds=1)
    assert not window.compare.start_compare()
    assert len(shown) == 1 and "a-file" in shown[0] and not window.compare.running
