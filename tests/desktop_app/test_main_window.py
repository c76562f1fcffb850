"""The main window driven as a user would: run, pause, stop, panels, files, bad input."""

import json

import pytest

from PySide6.QtCore import QSettings

from desktop_app.main_window import MainWindow


@pytest.fixture
def window(qtbot, tmp_path):
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    win = MainWindow(settings)
    qtbot.addWidget(win)
    win.show()
    yield win
    win.close()


def _run(qtbot, window, count, until_solved=False):
    assert window.worker is not None or window.new_run()
    with qtbot.waitSignal(window.runEnded, timeout=60_000) as finished:
        window.run_generations(count, until_solved)
    return finished.args[0]


def test_step_and_run_fill_the_panels(qtbot, window):
    assert window.new_run()
    assert _run(qtbot, window, 1) == "done"
    assert len(window.history) == 1
    assert _run(qtbot, window, 7) == "done"
    assert len(window.history) == 8
    x, _ = window.fitness_plot.best_curve.getData()
    assert len(x) == 8
    champion = window.history[-1].champion
    enabled = [c for c in champion.connections if c.enabled]
    window.network_view.disabled_toggle.setChecked(False)
    assert len(window.network_view.visible_edges) == len(enabled)
    assert sorted(window.network_view.visible_labels, key=int) == sorted(str(c.innovation) for c in enabled)
    assert window.species_plot.table.rowCount() == len(window.history[-1].species)
    assert "generation 7" in window.status_label.text()


def test_run_until_solved_stops_at_the_threshold(qtbot, window):
    assert _run(qtbot, window, 300, until_solved=True) == "solved"
    assert window.history[-1].solved
    assert not any(r.solved for r in window.history[:-1])


def test_stop_ends_a_long_run_and_pause_holds_it(qtbot, window):
    window.new_run()
    with qtbot.waitSignal(window.runEnded, timeout=60_000) as finished:
        window.run_generations(100_000)
        qtbot.waitUntil(lambda: len(window.history) > 0, timeout=10_000)
        window.pause_button.setChecked(True)
        qtbot.wait(200)
        held = len(window.history)
        qtbot.wait(300)
        assert len(window.history) <= held + 1  # at most the generation under way when paused
        window.stop_run()
    assert finished.args[0] == "stopped"
    assert len(window.history) < 100_000


def test_save_then_open_round_trip(qtbot, window, tmp_path):
    _run(qtbot, window, 5)
    path = str(tmp_path / "run.json")
    with qtbot.waitSignal(window.populationSaved, timeout=10_000):
        window.save_population(path)
    before = list(window.history)
    assert window.open_population(path)
    assert window.history == before
    assert window.recent_files()[0] == path
    _run(qtbot, window, 2)
    assert [r.generation for r in window.history] == list(range(7))


def test_bad_population_file_keeps_the_current_run(qtbot, window, tmp_path):
    _run(qtbot, window, 2)
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "neatscope-run", "version": 99}')
    before = list(window.history)
    assert not window.open_population(str(bad))
    assert "newer NEAT Scope" in window.last_error
    assert window.history == before


def test_invalid_config_value_shows_an_error_and_does_not_start(qtbot, window):
    window.fields["structure.add_node_prob"].setText("1.7")
    assert not window.new_run()
    assert "structure.add_node_prob" in window.last_error
    assert window.worker is None and window.history == []
    window.fields["population.size"].setText("many")
    window.run_generations(3)
    assert window.worker is None


def test_closing_mid_run_ends_the_worker_cleanly(qtbot, window):
    window.new_run()
    window.run_generations(100_000)
    qtbot.waitUntil(lambda: len(window.history) > 2, timeout=10_000)
    thread = window.thread
    window.close()
    assert window.thread is None and thread.isFinished()


def test_export_champion_writes_genome_json(qtbot, window, tmp_path, monkeypatch):
    _run(qtbot, window, 3)
    target = tmp_path / "champion.json"
    monkeypatch.setattr("desktop_app.main_window.QFileDialog.getSaveFileName", lambda *a, **k: (str(target), ""))
    window.export_champion_dialog()
    data = json.loads(target.read_text())
    assert data["id"] == window.history[-1].champion.genome_id
