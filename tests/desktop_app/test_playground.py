"""The Playground workspace (issue 16): controls build the run, pictures match core's, settings stick."""

import math

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QColor

from core.networks.snapshot import ConnectionSnapshot, GenomeSnapshot, NodeSnapshot
from core.tasks.playground import colorize, decision_boundaries, generate, node_pictures
from desktop_app.main_window import MainWindow
from desktop_app.widgets.plane_view import NodePictureGraph
from desktop_app.workspaces.playground import BOUNDARY_DENSITY, NODE_DENSITY, SPECIES_DENSITY, kept_checks


@pytest.fixture
def playground(window):
    workspace = window.show_workspace("playground")
    workspace.population_box.setValue(12)
    workspace.steps_box.setValue(40)
    return workspace


def run(qtbot, workspace, count):
    """``count`` more generations; the end reason."""
    with qtbot.waitSignal(workspace.runEnded, timeout=120_000) as finished:
        workspace.run_generations(count)
    return finished.args[0]


def pixel(image, row, col):
    colour = QColor(image.pixel(col, row))
    return colour.red(), colour.green(), colour.blue()


def test_a_run_draws_the_champion_boundary_core_computes(qtbot, playground):
    playground.dataset_box.setCurrentIndex(playground.dataset_box.findData("xor"))
    assert playground.apply_controls()
    assert run(qtbot, playground, 3) == "done"
    assert [r.generation for r in playground.history] == [0, 1, 2]
    champion = playground.history[-1].champion
    expected = decision_boundaries([champion.to_genome()], ("x", "y"), BOUNDARY_DENSITY)[0]
    np.testing.assert_array_equal(playground.boundary.values, expected)
    image = playground.boundary.image
    assert (image.width(), image.height()) == (BOUNDARY_DENSITY, BOUNDARY_DENSITY)
    colours = colorize(expected)
    for row, col in ((0, 0), (10, 90), (50, 50), (99, 3), (73, 41)):
        assert pixel(image, row, col) == tuple(colours[row, col])
    # The training points on the picture are the run's own data.
    np.testing.assert_array_equal(playground.boundary.train_points, playground.data.train_points)
    accuracy = playground.history[-1].extras.champion_test_accuracy
    assert f"test accuracy {100 * accuracy:.1f}%" in playground.summary.text()
    assert "generation 2" in playground.window().status_label.text()
    # The loss curves have one point per generation.
    x, _ = playground.train_curve.getData()
    assert list(x) == [0.0, 1.0, 2.0]


def test_discretize_snaps_the_picture_to_the_two_classes(qtbot, playground):
    assert run(qtbot, playground, 1) == "done"
    playground.discretize_box.setChecked(True)
    values = playground.boundary.values
    image = playground.boundary.image
    for row, col in ((5, 5), (50, 60), (90, 20)):
        assert pixel(image, row, col) == tuple(colorize(values[row, col], discretize=True))


def test_controls_change_the_runs_task_and_config(playground):
    playground.dataset_box.setCurrentIndex(playground.dataset_box.findData("circle"))
    playground.convention_box.setCurrentIndex(playground.convention_box.findData("playground"))
    playground.noise_slider.setValue(20)
    playground.train_slider.setValue(70)
    playground.data_seed_box.setValue(7)
    playground.feature_boxes["x2"].setChecked(True)
    playground.feature_boxes["siny"].setChecked(True)
    playground.penalty_box.setValue(0.1)
    playground.seed_box.setValue(5)
    assert playground.apply_controls()
    spec = playground.run_spec
    assert (spec["dataset"], spec["convention"], spec["data_seed"]) == ("circle", "playground", 7)
    assert spec["noise"] == pytest.approx(0.2) and spec["train_fraction"] == pytest.approx(0.7)
    assert spec["features"] == ["x", "y", "x2", "siny"]
    assert spec["penalty"] == pytest.approx(0.1)
    assert len(playground.data.train_labels) == math.floor(500 * 0.7)  # the Playground's split
    assert set(np.unique(playground.data.train_labels)) == {-1.0, 1.0}
    assert playground.run_seed == 5 and playground.run_config.population.size == 12
    assert playground.run_config.backprop.steps == 40
    playground.steps_box.setValue(0)  # the ablation: plain NEAT with NEAT's weight mutation
    assert playground.apply_controls()
    assert playground.run_config.backprop.steps == 0
    assert playground.run_config.weights.perturb_power == 0.5


def test_changing_a_control_during_a_run_restarts_it_with_the_new_data(qtbot, playground):
    assert run(qtbot, playground, 2) == "done"
    assert len(playground.history) == 2
    with qtbot.waitSignal(playground.runPrepared, timeout=5_000):
        playground.noise_slider.setValue(10)
    assert playground.history == [] and playground.run_spec["noise"] == pytest.approx(0.1)
    assert playground.boundary.values is None


def test_a_control_changed_mid_run_drops_the_old_runs_reports(qtbot, playground):
    playground.steps_box.setValue(10)
    assert playground.apply_controls()
    with qtbot.waitSignal(playground.runEnded, timeout=60_000) as finished:
        playground.run_generations(100_000)
        qtbot.waitUntil(lambda: len(playground.history) > 0, timeout=30_000)
        with qtbot.waitSignal(playground.runPrepared, timeout=10_000):
            playground.dataset_box.setCurrentIndex(playground.dataset_box.findData("gaussian"))
    assert finished.args[0] == "stopped"
    qtbot.wait(300)
    assert playground.history == [] and not playground.running
    assert run(qtbot, playground, 1) == "done"
    assert [r.generation for r in playground.history] == [0]
    assert playground.run_spec["dataset"] == "gaussian"


def test_stop_ends_a_long_run_which_can_go_on(qtbot, playground):
    with qtbot.waitSignal(playground.runEnded, timeout=60_000) as finished:
        playground.run_generations(100_000)
        qtbot.waitUntil(lambda: len(playground.history) > 0, timeout=30_000)
        playground.stop_run()
    assert finished.args[0] == "stopped"
    done = len(playground.history)
    assert 0 < done < 100_000 and playground.step_button.isEnabled()
    assert run(qtbot, playground, 1) == "done"
    assert [r.generation for r in playground.history] == list(range(done + 1))


def test_saved_run_opens_in_evolve_where_it_left_off(qtbot, window, playground, tmp_path):
    assert run(qtbot, playground, 2) == "done"
    path = str(tmp_path / "playground.json")
    with qtbot.waitSignal(playground.runSaved, timeout=10_000):
        assert playground.save_run(path)
    assert window.evolve.open_population(path)
    assert window.evolve.history == playground.history
    assert window.evolve.run.task_spec == playground.run_spec


def test_bad_settings_say_why_and_keep_the_run(qtbot, playground):
    assert run(qtbot, playground, 1) == "done"
    before = dict(playground.run_spec)
    for box in playground.feature_boxes.values():
        box.setChecked(False)
    assert not playground.apply_controls()
    assert playground.error_label.isVisibleTo(playground)
    assert "at least one input feature" in playground.error_label.text()
    assert playground.run_spec == before and len(playground.history) == 1
    playground.feature_boxes["x"].setChecked(True)
    assert playground.apply_controls()
    assert not playground.error_label.isVisibleTo(playground)


def test_species_grid_shows_each_species_best_and_picks_it_for_the_graph(qtbot, playground):
    assert run(qtbot, playground, 2) == "done"
    species = sorted(playground.history[-1].extras.species, key=lambda s: -s.best_fitness)
    shown = [view for view in playground.species_views if view.isVisibleTo(playground)]
    assert len(shown) == len(species) == 5  # K-medoids into the article's 5 clusters
    expected = decision_boundaries([s.best_genome.to_genome() for s in species], ("x", "y"), SPECIES_DENSITY)
    for view, values in zip(shown, expected):
        np.testing.assert_array_equal(view.values, values)
    qtbot.mouseClick(shown[2], Qt.MouseButton.LeftButton)
    assert playground.graph.genome == species[2].best_genome
    assert shown[2].selected and not shown[0].selected
    qtbot.mouseClick(shown[2], Qt.MouseButton.LeftButton)  # again: back to the champion
    assert playground.graph.genome == playground.history[-1].champion


def _genome_with_hidden_nodes() -> GenomeSnapshot:
    def node(node_id, kind, activation="identity", aggregation="sum", bias=0.0):
        return NodeSnapshot(node_id, kind, bias, 1.0, activation, aggregation)

    nodes = (
        node(0, "input"),
        node(1, "input"),
        node(2, "output", "logistic"),
        node(3, "hidden", "sin", bias=0.3),
        node(4, "hidden", "identity", "product"),  # mult
        node(5, "hidden", "tanh"),  # reaches nothing: never computed
    )
    connections = (
        ConnectionSnapshot(0, 0, 3, 1.5, True),
        ConnectionSnapshot(1, 1, 4, 0.7, True),
        ConnectionSnapshot(2, 0, 4, -0.4, True),
        ConnectionSnapshot(3, 3, 2, 2.0, True),
        ConnectionSnapshot(4, 4, 2, -1.0, True),
        ConnectionSnapshot(5, 1, 5, 0.9, True),
    )
    return GenomeSnapshot(1, None, nodes, connections)


def test_every_hidden_node_gets_its_own_picture(qtbot):
    graph = NodePictureGraph()
    qtbot.addWidget(graph)
    graph.resize(600, 400)
    graph.show()
    genome = _genome_with_hidden_nodes()
    pictures = node_pictures(genome.to_genome(), ("x", "y"), NODE_DENSITY)
    assert 5 not in pictures  # core leaves out nodes that cannot reach the output
    graph.show_network(genome, pictures, ["X₁", "X₂"], ("logistic", "sin", "mult"))
    assert sorted(graph.thumbnails) == [3, 4, 5]
    assert graph.kinds[4] == "mult" and graph.kinds[3] == "sin"
    image = graph.thumbnails[3]
    colours = colorize(pictures[3], -1.0, 1.0)
    for row, col in ((0, 0), (15, 7), (29, 29)):
        assert pixel(image, row, col) == tuple(colours[row, col])
    qtbot.waitExposed(graph)
    graph.repaint()
    centre = graph.node_box(4).center()
    qtbot.mouseMove(graph, QPoint(int(centre.x()), int(centre.y())))
    qtbot.waitUntil(lambda: graph.hovered == 4, timeout=2_000)
    assert "mult" in graph.node_tip(4) and "hidden node 4" in graph.node_tip(4)
    assert "not computed" in graph.node_tip(5)
    assert graph.node_at(QPointF(1, 1)) is None


def test_thumbnails_follow_the_champions_hidden_nodes(qtbot, playground):
    playground.steps_box.setValue(20)
    assert run(qtbot, playground, 6) == "done"
    champion = playground.history[-1].champion
    assert playground.graph.genome == champion
    assert len(playground.graph.thumbnails) == champion.hidden_count
    assert len(playground.graph.images) == len(champion.nodes)


def test_loss_curve_cut_where_training_stopped():
    assert kept_checks((0.7, 0.6, 0.5, 0.5, 0.5)) == ((0.7, 0.6, 0.5), True)
    assert kept_checks((0.7, 0.6, 0.5)) == ((0.7, 0.6, 0.5), False)
    assert kept_checks((0.7, 0.7)) == ((0.7,), True)
    assert kept_checks(()) == ((), False)


def test_keys_drive_the_playground_not_the_evolve_workspace(qtbot, window, playground):
    with qtbot.waitSignal(playground.runEnded, timeout=60_000):
        qtbot.keyClick(window, Qt.Key.Key_F10)
    assert len(playground.history) == 1
    assert window.evolve.history == [] and window.evolve.worker is None
    shown = playground.show_test_box.isChecked()
    qtbot.keyClick(window, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    assert playground.show_test_box.isChecked() != shown
    assert playground.boundary.show_test != shown
    # Back in Evolve, F10 steps Evolve's run and leaves the playground's alone.
    window.show_workspace("evolve")
    with qtbot.waitSignal(window.evolve.runEnded, timeout=60_000):
        qtbot.keyClick(window, Qt.Key.Key_F10)
    assert len(window.evolve.history) == 1 and len(playground.history) == 1


def test_settings_are_remembered(qtbot, settings, window, playground):
    playground.dataset_box.setCurrentIndex(playground.dataset_box.findData("gaussian"))
    playground.noise_slider.setValue(35)
    playground.feature_boxes["xy"].setChecked(True)
    playground.penalty_box.setValue(0.25)
    playground.show_test_box.setChecked(True)
    window.close_discarding()
    again = MainWindow(settings)
    qtbot.addWidget(again)
    restored = again.workspace("playground")
    try:
        assert restored.dataset_box.currentData() == "gaussian"
        assert restored.noise_slider.value() == 35
        assert restored.feature_boxes["xy"].isChecked() and restored.feature_boxes["x"].isChecked()
        assert not restored.feature_boxes["x2"].isChecked()
        assert restored.penalty_box.value() == pytest.approx(0.25)
        assert restored.population_box.value() == 12 and restored.steps_box.value() == 40
        assert restored.show_test_box.isChecked()
        assert restored.task_spec()["dataset"] == "gaussian"
    finally:
        again.close_discarding()


def test_garbled_settings_fall_back_to_the_defaults(qtbot, settings):
    settings.setValue("playground/dataset", "moons")
    settings.setValue("playground/noise", "loud")
    settings.setValue("playground/features", "z,w")
    window = MainWindow(settings)
    qtbot.addWidget(window)
    try:
        workspace = window.workspace("playground")
        spec = workspace.task_spec()
        assert spec["dataset"] == "spiral" and spec["features"] == ["x", "y"] and spec["noise"] == 0.5
    finally:
        window.close_discarding()


def test_before_any_run_the_controls_preview_their_data(playground):
    assert playground.worker is None  # no run is made until Step or Run
    playground.dataset_box.setCurrentIndex(playground.dataset_box.findData("gaussian"))
    playground.noise_slider.setValue(30)
    expected = generate("gaussian", 0.3, playground.data_seed_box.value(), "article")
    np.testing.assert_array_equal(playground.boundary.train_points, expected.train_points)
    np.testing.assert_array_equal(playground.boundary.train_positive, expected.train_labels > 0)
    assert playground.worker is None and playground.boundary.values is None
    for box in playground.feature_boxes.values():
        box.setChecked(False)
    assert playground.error_label.isVisibleTo(playground)
    playground.feature_boxes["y"].setChecked(True)
    assert not playground.error_label.isVisibleTo(playground)
