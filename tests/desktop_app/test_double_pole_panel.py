"""Double pole in the app: offered as a task, replayed with both poles and the damping terms,
and the generalisation test drawn as a 25 x 25 grid whose cells replay their start."""

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt

from core.networks.batch import PopulationNetwork
from core.networks.snapshot import GenomeSnapshot
from core.tasks.double_pole import DoublePoleNvTask, generalisation_starts, generalisation_test
from desktop_app.main_window import MainWindow
from tests.core.tasks.test_double_pole import velocity_free_controller


@pytest.fixture
def window(qtbot, settings):
    settings.setValue("task", "Double pole (no velocities)")
    win = MainWindow(settings)
    qtbot.addWidget(win)
    win.show()
    win.evolve.config_form.fields["population.size"].setText("20")
    with qtbot.waitSignal(win.evolve.runEnded, timeout=120_000):
        win.evolve.run_generations(2, False)
    yield win
    win.close_discarding()


def test_double_pole_is_offered_and_its_champion_replays_to_the_evaluators_fitness(qtbot, window):
    evolve = window.evolve
    assert evolve.run.task_spec["name"] == "double-pole-nv"
    assert evolve.replay_champion()
    panel = evolve.panel("replay")
    assert panel.viewport.currentWidget() is panel.double_pole_page
    assert panel.seed_box.maximum() == 625 and panel.seed_box.value() == 0
    while not panel.replay.done:
        panel.step_once()
    champion = evolve.history[-1].champion
    last = panel.frames[-1]
    assert last.terms["fitness"] == champion.fitness
    assert last.terms["balanced"] == panel.replay.balanced and last.state.shape == (6,)
    assert f"F = 0.1·f1 + 0.9·f2 = {champion.fitness:.4f}" in panel.double_pole_canvas.terms_text()


def test_generalisation_grid_shows_the_625_starts_and_a_click_replays_one(qtbot, window):
    panel = window.evolve.panel("replay")
    controller = velocity_free_controller()
    assert panel.set_genome(GenomeSnapshot.from_genome(controller), {"name": "double-pole-nv"}, True, "hand-made controller") is None
    balanced = panel.test_generalisation()
    expected = generalisation_test(PopulationNetwork([controller], recurrent=True))[0]
    assert np.array_equal(balanced, expected)
    passed = int((expected >= 999).sum())
    assert panel.grid.title == f"Generalisation {passed}/625" and passed >= 200
    colours = panel.grid.cell_colours()
    assert colours.shape == (25, 25, 3) and (colours == [60, 160, 90]).all(axis=-1).sum() == passed
    window.evolve.show_panel("replay")
    qtbot.waitExposed(panel.grid)
    side, left, top = panel.grid._cell()
    qtbot.mouseClick(panel.grid, Qt.MouseButton.LeftButton, pos=QPoint(int(left + 3.5 * side), int(top + 0.5 * side)))
    assert panel.seed_box.value() == 4  # row 0, column 3: the fourth start
    assert np.array_equal(panel.replay.start_state(), generalisation_starts()[3])
    while not panel.replay.done:
        panel.step_once()
    assert panel.replay.balanced == expected[3]
    task = DoublePoleNvTask(champions=0)
    standard = task.evaluate(PopulationNetwork([controller], recurrent=True), np.random.default_rng(0)).fitness[0]
    panel.seed_box.setValue(0)
    while not panel.replay.done:
        panel.step_once()
    assert panel.frames[-1].terms["fitness"] == standard


def test_task_defaults_let_neat_grow_memory_for_double_pole_without_velocities():
    from core.algorithms.registry import algorithm_class
    from desktop_app.workspaces.evolve import task_defaults

    neat = algorithm_class("neat")
    assert task_defaults(neat, {"name": "double-pole-nv"}).population.feed_forward is False
    assert task_defaults(neat, {"name": "double-pole"}).population.feed_forward is True
    ga = algorithm_class("ga")
    assert task_defaults(ga, {"name": "double-pole-nv"}) == ga.default_config()
