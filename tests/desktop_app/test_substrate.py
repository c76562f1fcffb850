"""The Substrate workspace driven as a user would, checked against core's Qt-free answers
(``core.algorithms.hyperneat.inspect``): what it draws must be what the CPPN says."""

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt, QThread

from core.algorithms.hyperneat.inspect import boxes_playback, quadtree, substrate_view, weight_slice
from core.algorithms.registry import algorithm_class
from core.runs.persistence import save_run
from core.tasks import make_task
from core.tasks.boxes import BoxesTask, pixel_centres, random_trials
from desktop_app.main_window import MainWindow
from tests.desktop_app.conftest import run as run_evolve


def _saved_run(folder, algorithm: str, task: str, generations: int, population: int = 16) -> str:
    cls = algorithm_class(algorithm)
    engine = cls(cls.default_config().replace(**{"population.size": population}), make_task({"name": task}), 3)
    for _ in range(generations):
        engine.step()
    path = folder / f"{algorithm}-{task}.json"
    save_run(engine, path)
    engine.task.close()
    return str(path)


@pytest.fixture(scope="module")
def run_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("substrate_runs")
    return {
        "hyperneat": _saved_run(folder, "hyperneat", "boxes", 3),
        "es-hyperneat": _saved_run(folder, "es-hyperneat", "boxes", 2),
        "neat": _saved_run(folder, "neat", "xor", 2, population=20),
    }


@pytest.fixture
def substrate(window):
    return window.show_workspace("substrate")


def _open(qtbot, substrate, path):
    with qtbot.waitSignal(substrate.decoded, timeout=30_000) as done:
        assert substrate.open_run(path)
    return done.args[0]


def _click_node(qtbot, graph, node: int) -> None:
    """A real mouse click on a neuron of the decoded substrate."""
    view_box = graph.plot.getViewBox()
    scene = view_box.mapViewToScene(QPointF(*graph.positions[node]))
    where = graph.plot.mapFromScene(scene)
    qtbot.mouseClick(graph.plot.viewport(), Qt.MouseButton.LeftButton, pos=where)


def test_clicking_a_neuron_shows_the_cppns_weight_slice_for_it(qtbot, substrate, run_files):
    result = _open(qtbot, substrate, run_files["hyperneat"])
    config, cppn = substrate.config, substrate.history[-1].champion.to_genome()
    assert len(result.view.kinds) == 2 * 11 * 11
    graph, image = substrate.graph, substrate.image
    substrate.pixels_box.setValue(11)  # the image at the substrate's own resolution
    for node in (0, 37, 120):  # a corner, somewhere inside, the other corner of the input sheet
        _click_node(qtbot, graph, node)
        assert graph.selected == node
        point = tuple(result.view.coordinates[node])
        expected = weight_slice(config, cppn, point, 11)
        np.testing.assert_array_equal(image.shown, expected.weights)
        # The CPPN's slice at 11x11 is exactly the decoded links leaving that neuron.
        np.testing.assert_array_equal(image.shown, result.view.outgoing_image(node, 11, 11))
        assert tuple(image.source.data["x"]) == (point[0],) and tuple(image.source.data["y"]) == (point[1],)
    substrate.values_box.setCurrentIndex(substrate.values_box.findData("raw"))
    np.testing.assert_array_equal(image.shown, weight_slice(config, cppn, point, 11).raw)
    output = 121 + 60
    _click_node(qtbot, graph, output)  # an output shows the links into it
    np.testing.assert_array_equal(image.shown, weight_slice(config, cppn, tuple(result.view.coordinates[output]), 11, outgoing=False).raw)


def test_resolution_slider_re_decodes_off_the_gui_thread(qtbot, substrate, run_files):
    first = _open(qtbot, substrate, run_files["hyperneat"])
    assert substrate.computer.thread() is not QThread.currentThread()
    chosen = substrate.selection
    with qtbot.waitSignal(substrate.decoded, timeout=30_000) as done:
        substrate.resolution_slider.setValue(33)
        substrate.request_decode()  # no wait for the slider to rest
        assert substrate.decoding and not substrate.busy.isHidden()  # the GUI went on: the decode runs elsewhere
    result = done.args[0]
    expected = substrate_view(substrate.config, substrate.history[-1].champion.to_genome(), BoxesTask(33))
    assert result.resolution == 33
    assert len(substrate.graph.view.kinds) == 2 * 33 * 33 != len(first.view.kinds)
    assert substrate.graph.view.link_count == expected.link_count
    np.testing.assert_array_equal(substrate.graph.view.weights, expected.weights)
    assert substrate.busy.isHidden() and "33×33" in substrate.decode_label.text()
    assert substrate.trials.playback.resolution == 33
    # The chosen neuron is kept: the one nearest the same place at the new resolution.
    node = substrate.graph.selected
    assert np.hypot(*(result.view.coordinates[node] - (chosen.x, chosen.y))) <= 1.0 / 33 + 1e-12


def test_trial_viewer_steps_through_the_champions_answers(qtbot, substrate, run_files):
    _open(qtbot, substrate, run_files["hyperneat"])
    viewer = substrate.trials
    trials = random_trials(np.random.default_rng(substrate._trial_seed))
    expected = boxes_playback(substrate.config, substrate.history[-1].champion.to_genome(), trials, 11)
    np.testing.assert_array_equal(viewer.playback.chosen, expected.chosen)
    np.testing.assert_array_equal(viewer.playback.outputs, expected.outputs)
    viewer.show_trial(0)
    qtbot.mouseClick(viewer.next_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(viewer.next_button, Qt.MouseButton.LeftButton)
    assert viewer.index == 2 and viewer.trial_box.value() == 3
    np.testing.assert_array_equal(viewer.field_image.image, expected.inputs[2].T)
    centres = pixel_centres(11)
    assert viewer.drawn_answer() == (centres[expected.chosen[2][0]], centres[expected.chosen[2][1]])
    target = viewer.targets[0].data
    np.testing.assert_allclose((target["x"][0], target["y"][0]), -1 + 2 / 11 * (expected.large[2] + 0.5))
    for _ in range(3):
        qtbot.mouseClick(viewer.previous_button, Qt.MouseButton.LeftButton)
    assert viewer.index == len(trials) - 1  # wraps around
    hits = int((expected.distance <= 1 + 1e-9).sum())
    assert f"{hits} of {len(trials)} trials within one pixel" in viewer.summary.text()
    with qtbot.waitSignal(substrate.decoded, timeout=30_000):
        qtbot.mouseClick(viewer.new_button, Qt.MouseButton.LeftButton)
    assert not np.array_equal(viewer.playback.small, trials.small)


def test_es_hyperneat_draws_cores_quadtree_and_hidden_neurons(qtbot, substrate, run_files):
    result = _open(qtbot, substrate, run_files["es-hyperneat"])
    config, cppn = substrate.config, substrate.history[-1].champion.to_genome()
    graph = substrate.graph
    for node in (graph.selected, 5, 121 + 40):  # the default (central input), another input, an output
        if node != graph.selected:
            _click_node(qtbot, graph, node)
        selection = substrate.selection
        cells = quadtree(config, cppn, (selection.x, selection.y), outgoing=selection.kind != "output")
        assert cells, "the quadtree always has the root's children"
        drawn = sorted(substrate.image.drawn_cells())
        wanted = sorted((c.x, c.y, c.half_width, c.selected) for c in cells)
        assert len(drawn) == len(wanted)
        np.testing.assert_allclose(np.array(drawn, dtype=float), np.array(wanted, dtype=float), atol=1e-12)
    hidden = (np.asarray(result.view.kinds) == "hidden") & result.view.present
    assert hidden.any()
    np.testing.assert_array_equal(substrate.image.hidden.getData()[0], result.view.coordinates[hidden, 0])
    # The drawn graph has the hidden neurons the CPPN placed, in their own column.
    assert set(graph.shown.tolist()) >= set(np.flatnonzero(hidden).tolist())


def test_a_run_evolves_here_and_follows_its_latest_champion(qtbot, substrate):
    substrate.task_box.setCurrentText("Boxes (visual discrimination)")
    substrate.population_box.setValue(12)
    substrate.generations_box.setValue(2)
    with qtbot.waitSignal(substrate.runEnded, timeout=60_000) as ended:
        assert substrate.new_run()
    assert ended.args[0] == "done"
    assert len(substrate.history) == 2
    qtbot.waitUntil(lambda: not substrate.decoding, timeout=30_000)
    assert substrate.result.view.network.num_inputs == 121
    assert substrate.cppn_view.genome == substrate.history[-1].champion
    substrate.generation_slider.setValue(0)  # back to the first generation's champion
    assert substrate.cppn_view.genome == substrate.history[0].champion
    with qtbot.waitSignal(substrate.runEnded, timeout=60_000):
        assert substrate.run_generations(1)
    assert len(substrate.history) == 3
    assert substrate.cppn_view.genome == substrate.history[0].champion  # a generation picked by hand stays


def test_evolves_run_on_a_control_task_shows_a_line_substrate(qtbot, window, questions):
    evolve = window.evolve
    evolve.algorithm_box.setCurrentIndex(evolve.algorithm_box.findData("hyperneat"))
    evolve.task_box.combo.setCurrentText("XOR")
    evolve.config_form.set_field("population.size", 20)
    assert evolve.new_run(), evolve.last_error
    assert run_evolve(qtbot, evolve, 2) == "done"
    substrate = window.show_workspace("substrate")
    with qtbot.waitSignal(substrate.decoded, timeout=30_000) as done:
        assert substrate.use_evolve_run()
    view = done.args[0].view
    assert view.network.num_inputs == 2 and view.network.num_outputs == 1
    assert not substrate.resolution_slider.isEnabled()
    assert substrate.trials.playback is None
    assert not substrate.graph.apart  # inputs on a line below the outputs: drawn where they are
    np.testing.assert_array_equal(substrate.graph.positions, view.coordinates)
    partners, _ = substrate.graph.links_of(substrate.graph.selected)
    assert substrate.graph.drawn_link_count == len(partners)  # few links: each drawn as a line
    with qtbot.waitSignal(substrate.decoded, timeout=30_000):
        assert run_evolve(qtbot, evolve, 1) == "done"  # Evolve's run goes on: the workspace follows it
    assert len(substrate.history) == 3 and substrate.cppn_view.genome == evolve.history[-1].champion


def test_bad_runs_are_refused_with_one_clear_error(qtbot, substrate, run_files, tmp_path):
    assert not substrate.open_run(run_files["neat"])
    assert "shows HyperNEAT and ES-HyperNEAT runs" in substrate.last_error
    garbled = tmp_path / "garbled.json"
    garbled.write_text('{"format": ')
    assert not substrate.open_run(str(garbled))
    assert str(garbled) in substrate.last_error
    assert substrate.config is None  # nothing half-shown
    assert not substrate.use_evolve_run()
    assert "no run" in substrate.last_error


def test_view_settings_are_remembered(qtbot, settings, run_files):
    first = MainWindow(settings)
    qtbot.addWidget(first)
    substrate = first.workspace("substrate")
    substrate.resolution_slider.setValue(33)
    substrate.pixels_box.setValue(40)
    substrate.values_box.setCurrentIndex(substrate.values_box.findData("raw"))
    substrate.algorithm_box.setCurrentIndex(substrate.algorithm_box.findData("es-hyperneat"))
    substrate.population_box.setValue(50)
    first.close_discarding()
    second = MainWindow(settings)
    qtbot.addWidget(second)
    again = second.workspace("substrate")
    assert again.resolution_slider.value() == 33
    assert again.pixels_box.value() == 40
    assert again.values_box.currentData() == "raw"
    assert again.algorithm_box.currentData() == "es-hyperneat"
    assert again.population_box.value() == 50
    second.close_discarding()


@pytest.mark.parametrize("algorithm", ["hyperneat", "es-hyperneat"])
def test_the_config_form_round_trips_substrate_coordinates(qtbot, algorithm):
    from desktop_app.widgets.config_form import ConfigForm

    cls = algorithm_class(algorithm)
    form = ConfigForm()
    qtbot.addWidget(form)
    form.set_algorithm(cls.config_type, cls.defaults_resource)
    config = cls.default_config().replace(**{"substrate.input_layout": "custom", "substrate.input_coordinates": (-0.5, -1.0, 0.5, -1.0)})
    form.set_config(config)
    assert form.config() == config  # a list of floats (x, y pairs) was an invalid field before


def test_screenshot_renders_the_substrate_workspace_after_a_real_run(qtbot, tmp_path):
    from PySide6.QtGui import QImage

    from desktop_app.screenshot import render_screenshot

    out = render_screenshot(str(tmp_path / "substrate.png"), task="boxes", generations=1, workspace="substrate", algorithm="hyperneat", population=8, tab="15", size=(1000, 700))
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1000, 700)
    with pytest.raises(ValueError, match="hyperneat or es-hyperneat"):
        render_screenshot(str(tmp_path / "x.png"), task="boxes", workspace="substrate", algorithm="ga")
    assert not (tmp_path / "x.png").exists()


def test_a_decode_still_running_for_the_last_run_is_never_drawn_for_the_next(qtbot, window, run_files):
    evolve = window.evolve
    evolve.algorithm_box.setCurrentIndex(evolve.algorithm_box.findData("hyperneat"))
    evolve.task_box.combo.setCurrentText("XOR")
    evolve.config_form.set_field("population.size", 20)
    assert evolve.new_run(), evolve.last_error  # a run with no generation yet
    substrate = window.show_workspace("substrate")
    _open(qtbot, substrate, run_files["hyperneat"])
    substrate.resolution_slider.setValue(33)
    substrate.request_decode()
    results = []
    substrate.decoded.connect(results.append)
    assert substrate.use_evolve_run()
    assert substrate.decoding  # the 33x33 decode of the file's champion is still running
    qtbot.waitUntil(lambda: not substrate.decoding, timeout=30_000)
    qtbot.wait(50)
    assert results == []
    assert substrate.graph.view is None and substrate.result is None
    assert substrate.busy.isHidden()


def test_a_run_evolved_here_saves_and_opens_again(qtbot, substrate, tmp_path):
    substrate.population_box.setValue(10)
    substrate.generations_box.setValue(2)
    substrate.task_box.setCurrentText("XOR")
    with qtbot.waitSignal(substrate.runEnded, timeout=60_000):
        assert substrate.new_run()
    path = str(tmp_path / "substrate-run.json")
    with qtbot.waitSignal(substrate.runSaved, timeout=10_000):
        assert substrate.save_run(path)
    before = list(substrate.history)
    qtbot.waitUntil(lambda: not substrate.decoding, timeout=30_000)
    with qtbot.waitSignal(substrate.decoded, timeout=30_000):
        assert substrate.open_run(path)
    assert substrate.history == before
    with qtbot.waitSignal(substrate.runEnded, timeout=60_000):
        assert substrate.run_generations(1)  # a run opened from a file goes on
    assert len(substrate.history) == 3
