"""The replay panel: exact returns, pause, speed, live activations, export, clean close."""

import numpy as np
import pytest

from core.networks.batch import PopulationNetwork
from core.networks.decode import decode
from core.tasks.cartpole import observe
from desktop_app.main_window import MainWindow
from desktop_app.views.replay_view import SPEEDS


@pytest.fixture
def window(qtbot, settings):
    settings.setValue("task", "CartPole-v1")
    win = MainWindow(settings)
    qtbot.addWidget(win)
    win.show()
    win.fields["population.size"].setText("40")
    with qtbot.waitSignal(win.runEnded, timeout=60_000):
        win.run_generations(2)
    yield win
    win.close()


def test_replayed_return_equals_the_evaluators_return(qtbot, window):
    assert window.replay_champion()
    panel = window.replay_panel
    panel.seed_box.setValue(1234)
    while panel.replay is not None and not panel.replay.done:
        panel.step_once()
    champion = window.history[-1].champion.to_genome()
    expected = window.task_from_form().run_episodes(PopulationNetwork([champion]), np.array([1234]))[0, 0]
    assert panel.frames[-1].total_return == expected
    assert panel.step_count == int(expected)


def test_pause_stops_the_step_counter_and_speed_sets_the_interval(qtbot, window):
    window.replay_champion()
    panel = window.replay_panel
    for index, speed in enumerate(SPEEDS):
        panel.speed_box.setCurrentIndex(index)
        assert panel.timer.interval() == max(1, round(20 / speed))
    panel.speed_box.setCurrentIndex(SPEEDS.index(8.0))
    panel.play()
    qtbot.waitUntil(lambda: panel.step_count >= 3, timeout=5_000)
    panel.stop()
    held = panel.step_count
    qtbot.wait(100)
    assert panel.step_count == held and not panel.timer.isActive()


def test_shown_activations_equal_the_networks_values_at_that_step(qtbot, window):
    window.replay_champion()
    panel = window.replay_panel
    champion = window.history[-1].champion.to_genome()
    network = decode(champion)
    state = panel.replay.state.copy()
    for _ in range(5):
        expected = network.activate_all(observe(state))
        panel.step_once()
        assert panel.network_view.node_activations == pytest.approx(expected, abs=0)
        state = panel.frames[-1].state


def test_replay_leaves_the_run_alone_and_evolution_continues(qtbot, window):
    window.replay_champion()
    window.replay_panel.speed_box.setCurrentIndex(SPEEDS.index(8.0))
    window.replay_panel.play()
    with qtbot.waitSignal(window.runEnded, timeout=60_000):
        window.run_generations(2)
    assert [r.generation for r in window.history] == [0, 1, 2, 3]


def test_export_gif_writes_every_frame(qtbot, window, tmp_path):
    window.replay_champion()
    count = window.replay_panel.export_gif(str(tmp_path / "replay.gif"))
    from PIL import Image

    with Image.open(tmp_path / "replay.gif") as gif:
        assert gif.n_frames == count == window.replay_panel.step_count + 1


def test_closing_during_playback_is_clean(qtbot, window):
    window.replay_champion()
    window.replay_panel.play()
    qtbot.waitUntil(lambda: window.replay_panel.step_count > 0, timeout=5_000)
    window.close()
    assert not window.replay_panel.timer.isActive()


def test_xor_runs_say_why_they_cannot_be_replayed(qtbot, settings):
    win = MainWindow(settings)
    qtbot.addWidget(win)
    with qtbot.waitSignal(win.runEnded, timeout=60_000):
        win.run_generations(1)
    assert not win.replay_champion()
    assert "episodic task" in win.replay_panel.title.text()
    win.close()
