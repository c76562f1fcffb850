"""The replay panel: exact returns, pause, speed, live activations, export, clean close."""

import numpy as np
import pytest

from core.networks.batch import PopulationNetwork
from core.networks.decode import decode
from core.tasks import make_task
from core.tasks.cartpole import observe
from desktop_app.main_window import MainWindow


@pytest.fixture
def window(qtbot, settings):
    settings.setValue("task", "CartPole-v1")
    win = MainWindow(settings)
    qtbot.addWidget(win)
    win.show()
    win.evolve.config_form.fields["population.size"].setText("40")
    with qtbot.waitSignal(win.evolve.runEnded, timeout=60_000):
        win.evolve.run_generations(2, False)
    yield win
    win.close_discarding()


def test_replayed_return_equals_the_evaluators_return(qtbot, window):
    evolve = window.evolve
    assert evolve.replay_champion()
    panel = evolve.panel("replay")
    panel.seed_box.setValue(1234)
    while panel.replay is not None and not panel.replay.done:
        panel.step_once()
    champion = evolve.history[-1].champion.to_genome()
    expected = make_task(evolve.run.task_spec).run_episodes(PopulationNetwork([champion]), np.array([1234]))[0, 0]
    assert panel.frames[-1].total_return == expected
    assert panel.step_count == int(expected)


def test_pause_stops_the_step_counter_and_playback_follows_the_clock(qtbot, window):
    window.evolve.replay_champion()
    panel = window.evolve.panel("replay")
    panel.speed_box.setCurrentText("8×")
    assert panel.steps_per_second == 400
    panel.play()
    qtbot.waitUntil(lambda: panel.step_count >= 3, timeout=5_000)
    panel.stop()
    held = panel.step_count
    qtbot.wait(100)
    assert panel.step_count == held and not panel.timer.isActive()


def test_shown_activations_equal_the_networks_values_at_that_step(qtbot, window):
    window.evolve.replay_champion()
    panel = window.evolve.panel("replay")
    network = decode(window.evolve.history[-1].champion.to_genome())
    state = panel.replay.state.copy()
    for _ in range(5):
        expected = network.activate_all(observe(state))
        panel.step_once()
        assert panel.network_view.node_activations == pytest.approx(expected, abs=0)
        state = panel.frames[-1].state


def test_replay_leaves_the_run_alone_and_evolution_continues(qtbot, window):
    evolve = window.evolve
    evolve.replay_champion()
    panel = evolve.panel("replay")
    panel.speed_box.setCurrentText("8×")
    panel.play()
    with qtbot.waitSignal(evolve.runEnded, timeout=60_000):
        evolve.run_generations(2, False)
    assert [r.generation for r in evolve.history] == [0, 1, 2, 3]


def test_export_gif_writes_every_frame(qtbot, window, tmp_path):
    window.evolve.replay_champion()
    panel = window.evolve.panel("replay")
    count = panel.export_gif(str(tmp_path / "replay.gif"))
    from PIL import Image

    with Image.open(tmp_path / "replay.gif") as gif:
        assert gif.n_frames == count == panel.step_count + 1


def test_closing_during_playback_is_clean(qtbot, window):
    window.evolve.replay_champion()
    panel = window.evolve.panel("replay")
    panel.play()
    qtbot.waitUntil(lambda: panel.step_count > 0, timeout=5_000)
    window.close_discarding()
    assert not panel.timer.isActive()


def test_clicking_a_species_replays_its_best_genome(qtbot, window):
    evolve = window.evolve
    evolve.show_panel("species")
    species = evolve.history[-1].species[0]
    assert evolve.panel("species").select_species(species.species_id)
    replay = evolve.panel("replay")
    assert replay.replay is not None and replay.replay.genome.genome_id == species.best_genome.genome_id


def test_export_gif_button_writes_the_episode_at_the_chosen_speed(qtbot, window, tmp_path, monkeypatch):
    from PIL import Image
    from PySide6.QtWidgets import QFileDialog

    window.evolve.replay_champion()
    panel = window.evolve.panel("replay")
    target = tmp_path / "fast.gif"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(target), "")))
    panel.speed_box.setCurrentIndex(panel.speed_box.count() - 1)  # the fastest speed
    every, duration = panel.gif_timing()
    assert panel.speed == 8 and (every, duration) == (8, 20)  # 8 steps of 20 ms per 20 ms frame
    panel.export_button.click()
    with Image.open(target) as gif:
        assert gif.n_frames == -(-panel.step_count // every) + 1  # every 8th step, the first and the last
        assert gif.info["duration"] == duration
    assert f"Exported {gif.n_frames} frames" in window.message()
