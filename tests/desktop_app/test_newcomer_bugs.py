"""Issue 13's list of bugs found trying the app as a new user would: one test each, numbered as in
the issue."""

import os
import stat

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QMessageBox

from core.algorithms.registry import algorithm_class
from core.runs.persistence import save_run
from core.tasks import make_task
from tests.desktop_app.conftest import run


def _small_cartpole(evolve, population=30):
    evolve.task_box.combo.setCurrentText("CartPole-v1")
    evolve.config_form.fields["population.size"].setText(str(population))


def _saved_run(tmp_path, algorithm="neat", task="xor", seed=7, generations=3, name="run.json"):
    cls = algorithm_class(algorithm)
    config = cls.default_config().replace(**{cls.population_size_key: 30})
    run_ = cls(config, make_task(task), seed)
    for _ in range(generations):
        run_.step()
    path = tmp_path / name
    save_run(run_, path)
    run_.task.close()
    return path


def test_bug01_space_pauses_and_esc_stops_whatever_has_focus(qtbot, window):
    evolve = window.evolve
    window.activateWindow()
    evolve.autosave_box.setValue(7)
    evolve.new_run()
    evolve.run_generations(100_000, False)
    qtbot.waitUntil(lambda: len(evolve.history) > 0, timeout=10_000)
    assert not evolve.autosave_box.hasFocus()  # starting a run does not drop the focus into it
    evolve.autosave_box.setFocus()
    qtbot.keyClick(evolve.autosave_box, Qt.Key.Key_Space)
    assert evolve.paused and evolve.pause_button.isChecked()
    assert not evolve.worker.resume_allowed.is_set()
    assert evolve.autosave_box.value() == 7  # the spin box did not take the Space
    qtbot.keyClick(evolve.autosave_box, Qt.Key.Key_Space)
    assert not evolve.paused and evolve.worker.resume_allowed.is_set()
    with qtbot.waitSignal(evolve.runEnded, timeout=30_000) as ended:
        qtbot.keyClick(evolve.config_form.fields["population.size"], Qt.Key.Key_Escape)
    assert ended.args == ["stopped"]
    assert evolve.autosave_box.value() == 7


def test_bug02_the_form_never_silently_disagrees_with_the_run(qtbot, evolve, tmp_path):
    run(qtbot, evolve, 2)
    assert not evolve.notice.isVisible()
    evolve.task_box.combo.setCurrentText("CartPole-v1")  # edited mid-run
    assert evolve.notice.isVisible() and "next New run" in evolve.notice.text() and "on xor" in evolve.notice.text()
    run(qtbot, evolve, 2)  # Run goes on with the run's own task
    assert evolve.run.task_spec["name"] == "xor"
    assert all(len([n for n in r.champion.nodes if n.kind == "input"]) == 2 for r in evolve.history)
    assert "on xor" in evolve.window().status_label.text()
    evolve.revert_form()
    assert evolve.task_box.text() == "XOR" and not evolve.notice.isVisible()

    # Opening a file shows the file's algorithm, task and seed, whatever the form held before.
    path = _saved_run(tmp_path, algorithm="ga", task="xor", seed=7)
    _small_cartpole(evolve)
    evolve.seed_box.setText("3")
    assert evolve.new_run()
    assert evolve.open_population(str(path))
    assert evolve.algorithm_name == "ga" and evolve.task_box.text() == "XOR" and evolve.seed_box.text() == "7"
    assert evolve.config_form.fields["population.size"].text() == "30"
    assert not evolve.notice.isVisible()


def test_bug03_plot_ranges_and_replay_follow_the_run_shown(qtbot, evolve, tmp_path):
    _small_cartpole(evolve)
    run(qtbot, evolve, 2)
    fitness = evolve.panel("fitness")
    assert fitness.fitness.viewRange()[1][1] > 10  # CartPole returns
    evolve.replay_champion()
    assert evolve.panel("replay").replay is not None
    assert evolve.open_population(str(_saved_run(tmp_path, task="xor")))
    assert not fitness.fitness.getAxis("left").autoSIPrefix  # ticks show the values themselves
    low, high = fitness.fitness.viewRange()[1]
    assert -1 < low and high < 6  # XOR's 0..4, not CartPole's -100..600
    replay = evolve.panel("replay")
    assert replay.replay is None and not evolve.tabs.isTabVisible(evolve.tabs.indexOf(replay))
    # A manual zoom does not outlive its run.
    fitness.fitness.setYRange(-1000, 1000)
    evolve.task_box.combo.setCurrentText("XOR")
    assert evolve.new_run()
    run(qtbot, evolve, 1)
    assert not fitness.fitness.getAxis("left").autoSIPrefix  # ticks show the values themselves
    low, high = fitness.fitness.viewRange()[1]
    assert -1 < low and high < 6


def _disjoint(a, b):
    return not a.intersects(b)


def test_bug04_legends_sit_beside_the_data(qtbot, evolve):
    _small_cartpole(evolve)
    run(qtbot, evolve, 1)
    fitness = evolve.panel("fitness")
    assert _disjoint(fitness.fitness_legend.sceneBoundingRect(), fitness.fitness.vb.sceneBoundingRect())
    assert _disjoint(fitness.complexity_legend.sceneBoundingRect(), fitness.complexity.vb.sceneBoundingRect())
    assert evolve.replay_champion()
    replay = evolve.panel("replay")
    for _ in range(5):
        replay.step_once()
    QApplication.processEvents()
    # The strip chart's legend is a wrapping line of its own above the chart.
    assert _disjoint(replay.strip_legend.geometry(), replay.strip_graphics.geometry())
    assert replay.strip_legend.geometry().bottom() < replay.strip_graphics.geometry().top()
    assert replay.legend_names == ["x", "ẋ", "θ", "ω", "out: left", "out: right"]
    assert replay.strip_legend.width() <= replay.width() and replay.strip_legend.wordWrap()


@pytest.mark.parametrize("size", [(1100, 700), (1280, 720)])
def test_bug05_the_replay_tab_does_not_squeeze_the_plots(qtbot, window, size):
    evolve = window.evolve
    window.resize(*size)
    _small_cartpole(evolve)
    run(qtbot, evolve, 1)
    fitness = evolve.panel("fitness")
    widths = {}
    for panel in evolve.visible_tab_panels():
        evolve.show_panel(panel.key)
        QApplication.processEvents()
        widths[panel.key] = fitness.width()
        assert fitness.height() >= 300, (panel.key, fitness.height())
        assert panel.width() >= 240, panel.key
    assert "replay" in widths
    assert min(widths.values()) >= 250 and max(widths.values()) - min(widths.values()) <= 2, widths
    assert evolve.sidebar.width() >= 250


def test_bug06_replay_speed_is_honoured_by_the_wall_clock(qtbot, evolve):
    _small_cartpole(evolve)
    run(qtbot, evolve, 1)
    evolve.replay_champion()
    replay = evolve.panel("replay")
    now = [100.0]
    replay.clock = lambda: now[0]
    for speed, seconds in ((8.0, 0.25), (1.0, 0.5), (4.0, 0.1)):
        replay.restart()
        replay.speed_box.setCurrentText(f"{speed:g}×")
        replay.play()
        now[0] += seconds
        replay._tick()
        expected = int(seconds * 50 * speed)  # CartPole: 50 steps per second at 1×
        assert replay.step_count == expected or replay.replay.done, (speed, replay.step_count)
        replay.stop()


def test_bug07_pause_and_stop_leave_honest_buttons_status_and_timings(qtbot, evolve):
    now = [0.0]
    evolve.clock.now = lambda: now[0]
    evolve.new_run()
    with qtbot.waitSignal(evolve.runEnded, timeout=30_000):
        evolve.run_generations(100_000, False)
        now[0] += 2.0  # computing
        qtbot.waitUntil(lambda: len(evolve.history) > 0, timeout=10_000)
        evolve.pause_button.click()
        assert evolve.pause_button.text() == "Resume"
        assert "PAUSED" in evolve.window().status_label.text()
        now[0] += 100.0  # paused: not counted
        evolve.pause_button.click()
        now[0] += 1.0
        evolve.pause_button.click()  # paused again, then stopped while paused
        evolve.stop_button.click()
    assert evolve.pause_button.text() == "Pause" and not evolve.pause_button.isChecked()
    assert not evolve.pause_button.isEnabled()
    status = evolve.window().status_label.text()
    assert "elapsed 3.0 s" in status and "PAUSED" not in status
    now[0] += 50.0  # idle between commands: not counted either
    evolve._publish_status()
    assert "elapsed 3.0 s" in evolve.window().status_label.text()


def test_bug08_solving_is_announced_and_stop_at_solve_is_a_checkbox(qtbot, evolve):
    evolve.stop_at_solve.setChecked(False)
    evolve.new_run()
    with qtbot.waitSignal(evolve.runEnded, timeout=60_000) as ended:
        evolve.run_generations(20)
    solved = next(r for r in evolve.history if r.solved)
    assert ended.args == ["done"] and len(evolve.history) == 20 > solved.generation + 1
    assert f"SOLVED at generation {solved.generation}" in evolve.window().status_label.text()
    evolve.stop_at_solve.setChecked(True)
    assert evolve.reset_run()
    with qtbot.waitSignal(evolve.runEnded, timeout=60_000) as ended:
        evolve.run_generations(20)
    assert ended.args == ["solved"] and evolve.history[-1].generation == solved.generation


def test_bug09_gene_alignment_compares_two_species_by_default(qtbot, evolve):
    run(qtbot, evolve, 8)
    assert len(evolve.history[-1].species) >= 2
    evolve.show_panel("alignment")
    panel = evolve.panel("alignment")
    a, b = panel._candidates[panel.first_box.currentIndex()], panel._candidates[panel.second_box.currentIndex()]
    assert a[2] is not None and b[2] is not None and a[2] != b[2]
    assert panel.delta.distance > 0


def test_bug10_species_selection_follows_the_species_not_the_row(qtbot, evolve):
    evolve.seed_box.setText("1")
    run(qtbot, evolve, 6)
    evolve.show_panel("species")
    panel = evolve.panel("species")
    species = evolve.history[-1].species
    chosen = species[-1].species_id
    panel.table.cellClicked.emit(len(species) - 1, 0)
    evolve.show_panel("species")
    run(qtbot, evolve, 4)
    rows = panel.table.selectionModel().selectedRows()
    alive = [s.species_id for s in evolve.history[-1].species]
    if chosen in alive:
        assert [int(panel.table.item(r.row(), 0).text()) for r in rows] == [chosen]
    else:
        assert rows == []
    assert evolve.new_run()
    evolve.show_panel("species")
    assert panel.table.selectionModel().selectedRows() == [] and panel.selected_species is None


def test_bug11_saved_files_follow_the_umask(qtbot, evolve, tmp_path):
    previous = os.umask(0o022)
    try:
        run(qtbot, evolve, 2)
        with qtbot.waitSignal(evolve.populationSaved, timeout=10_000):
            evolve.save_population(str(tmp_path / "run.json"))
        evolve.export_stats(str(tmp_path / "stats.csv"))
        for name in ("run.json", "stats.csv"):
            assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o644, name
        assert stat.S_IMODE((evolve.run_dir / "run.json").stat().st_mode) == 0o644
    finally:
        os.umask(previous)


def test_bug12_the_data_folder_is_named_once(qtbot, window):
    window.settings.remove("runs_folder")
    folder = window.evolve.runs_folder()
    assert folder.name == "runs" and folder.parent.name == "NEAT Scope"
    assert "NEAT Scope/NEAT Scope" not in folder.as_posix()


def test_bug13_empty_and_single_point_plots_are_readable(qtbot, evolve):
    run(qtbot, evolve, 3)
    evolve.show_panel("species")
    assert evolve.reset_run()
    species = evolve.panel("species")
    assert species.sizes_plot.getPlotItem().vb.viewRange()[0] == [-0.5, 10.0]
    assert species.sizes_plot.getPlotItem().getAxis("bottom").autoSIPrefixScale == 1.0  # no "(x0.001)"
    run(qtbot, evolve, 1)
    fitness = evolve.panel("fitness")
    xs, ys = fitness.best_curve.getData()
    assert len(xs) == 1 and fitness.best_curve.opts["symbol"] == "o"
    for curve in (fitness.mean_curve, fitness.champion_connections, fitness.champion_nodes, fitness.mean_connections):
        assert curve.opts["symbol"] == "o"  # one point: visible as a dot on every curve
    assert not fitness.fitness.getAxis("left").autoSIPrefix  # ticks show the values themselves
    low, high = fitness.fitness.viewRange()[1]
    assert low < ys[0] < high and high - low > 0.1


def test_bug14_commands_without_a_run_say_why_and_exports_confirm(qtbot, window, tmp_path):
    evolve = window.evolve
    evolve.replay_action.trigger()  # Ctrl+P
    assert "Nothing to replay yet" in window.message()
    evolve.export_plots_action.trigger()
    assert "Nothing to export yet" in window.message()
    run(qtbot, evolve, 1)
    evolve.replay_action.trigger()
    assert "episodic task" in window.message()
    evolve.export_stats(str(tmp_path / "s.csv"))
    assert window.message() == f"Exported statistics to {tmp_path / 's.csv'}"


def test_bug15_new_run_and_open_ask_before_discarding_unsaved_generations(qtbot, evolve, tmp_path, questions):
    evolve.autosave_box.setValue(0)
    run(qtbot, evolve, 3)
    before = list(evolve.history)
    questions.answer = QMessageBox.StandardButton.Cancel
    assert not evolve.new_run()
    assert not evolve.open_population(str(_saved_run(tmp_path)))
    assert evolve.history == before and len(questions.asked) == 2
    assert "3 generation(s) are not saved" in questions.asked[0]
    questions.answer = QMessageBox.StandardButton.Discard
    assert evolve.new_run()
    assert evolve.history == []
    questions.asked.clear()
    assert evolve.new_run()  # nothing unsaved: nothing asked
    assert questions.asked == []


def test_bug16_plots_export_as_one_figure_at_a_chosen_resolution(qtbot, evolve, tmp_path):
    from desktop_app.widgets.export_dialog import PlotExportDialog

    run(qtbot, evolve, 3)
    written = evolve.export_plots(str(tmp_path / "plots.png"), combined=True, dpi=192)
    assert written == [tmp_path / "plots.png"]
    image = QImage(str(written[0]))
    scene = evolve.panel("fitness").graphics.ci.sceneBoundingRect()
    assert abs(image.width() - 2 * scene.width()) <= 1 and abs(image.height() - 2 * scene.height()) <= 1
    assert round(image.dotsPerMeterX() * 0.0254) == 192
    written = evolve.export_plots(str(tmp_path / "plots.svg"), combined=True)
    assert (tmp_path / "plots.svg").read_text().count("<svg") == 1
    dialog = PlotExportDialog(None, str(tmp_path))
    qtbot.addWidget(dialog)
    dialog.path.setText(str(tmp_path / "figure"))
    dialog.dpi.setCurrentIndex(3)
    dialog.combined.setChecked(False)
    assert dialog.choice() == (str(tmp_path / "figure.png"), False, 300.0)


def test_bug17_one_light_theme_throughout(qtbot, evolve):
    _small_cartpole(evolve)
    run(qtbot, evolve, 1)
    for panel in evolve.visible_tab_panels():
        evolve.show_panel(panel.key)
    views = [w for w in evolve.window().findChildren(pg.GraphicsView)]
    assert len(views) >= 6
    for view in views:
        colour = view.backgroundBrush().color()
        assert colour.lightness() >= 250, (type(view.parent()).__name__, colour.name())
    palette = QApplication.instance().palette()
    assert palette.window().color().lightness() > 230 and palette.text().color().lightness() < 60
    assert np.isclose(pg.getConfigOption("background") == "#ffffff", True)


def test_reset_asks_before_discarding_unsaved_generations(qtbot, evolve, questions):
    evolve.autosave_box.setValue(0)
    run(qtbot, evolve, 3)
    questions.answer = QMessageBox.StandardButton.Cancel
    assert not evolve.reset_run()
    assert len(evolve.history) == 3 and "Reset discards" in questions.asked[0]
    questions.answer = QMessageBox.StandardButton.Discard
    assert evolve.reset_run() and evolve.history == []


def test_space_and_esc_belong_to_the_focused_widget_while_no_run_goes(qtbot, window):
    evolve = window.evolve
    window.activateWindow()
    evolve.stop_at_solve.setFocus()
    before = evolve.stop_at_solve.isChecked()
    qtbot.keyClick(evolve.stop_at_solve, Qt.Key.Key_Space)
    assert evolve.stop_at_solve.isChecked() is not before
    assert "Space" in evolve.pause_action.text() and evolve.pause_action.shortcut().isEmpty()


def test_run_n_after_a_solve_runs_n_generations_and_the_solve_is_announced(qtbot, window):
    evolve = window.evolve
    evolve.stop_at_solve.setChecked(True)
    evolve.new_run()
    with qtbot.waitSignal(evolve.runEnded, timeout=60_000) as ended:
        evolve.run_generations(300)
    assert ended.args == ["solved"] and "Solved at generation" in window.message()
    solved_at = len(evolve.history)
    with qtbot.waitSignal(evolve.runEnded, timeout=60_000) as ended:
        evolve.run_generations(5)
    assert ended.args == ["done"] and len(evolve.history) == solved_at + 5
    evolve.run_generations(300, True)  # Run until solved on a solved run: says so, runs nothing
    assert not evolve.running and "Already solved" in window.message() and len(evolve.history) == solved_at + 5


def test_the_task_line_describes_the_run_after_open_and_reset(qtbot, evolve, tmp_path, questions):
    assert evolve.open_population(str(_saved_run(tmp_path, task="cartpole")))
    assert evolve.task_box.info.text().startswith("4 inputs, 2 outputs")
    assert "generations 0–2 done" in evolve.window().message()
    assert evolve.reset_run()
    assert evolve.task_box.info.text().startswith("4 inputs, 2 outputs")
