"""The Evolve workspace driven as a user would: run, pause, stop, panels, files, bad input."""

import json
import time
from pathlib import Path

from core.algorithms.neat.compatibility import align, compatibility
from tests.desktop_app.conftest import run


def test_step_and_run_fill_the_panels(qtbot, evolve):
    assert evolve.new_run()
    assert run(qtbot, evolve, 1) == "done"
    assert len(evolve.history) == 1
    assert run(qtbot, evolve, 7) == "done"
    assert len(evolve.history) == 8
    x, _ = evolve.panel("fitness").best_curve.getData()
    assert len(x) == 8
    champion = evolve.history[-1].champion
    enabled = [c for c in champion.connections if c.enabled]
    view = evolve.panel("graph").view
    view.disabled_toggle.setChecked(False)
    assert len(view.visible_edges) == len(enabled)
    assert set(view.visible_labels) <= {str(c.innovation) for c in enabled}
    assert set(view.visible_names) == {"x1", "x2", "y"}  # XOR's inputs and output, named
    evolve.show_panel("species")  # hidden tabs are drawn when shown
    assert evolve.panel("species").table.rowCount() == len(evolve.history[-1].species)
    assert "generation 7" in evolve.window().status_label.text()


def test_run_until_solved_stops_at_the_threshold(qtbot, evolve):
    assert run(qtbot, evolve, 300, until_solved=True) == "solved"
    assert evolve.history[-1].solved
    assert not any(r.solved for r in evolve.history[:-1])


def test_stop_ends_a_long_run_and_pause_holds_it(qtbot, evolve):
    evolve.new_run()
    with qtbot.waitSignal(evolve.runEnded, timeout=60_000) as finished:
        evolve.run_generations(100_000, False)
        qtbot.waitUntil(lambda: len(evolve.history) > 0, timeout=10_000)
        evolve.pause_button.setChecked(True)
        # Reports already sent when Pause came still arrive (a loaded machine delays them); then
        # nothing more may come while paused.
        seen = [len(evolve.history), time.monotonic()]

        def settled() -> bool:  # unchanged for 300 ms
            if len(evolve.history) != seen[0]:
                seen[:] = [len(evolve.history), time.monotonic()]
            return time.monotonic() - seen[1] >= 0.3

        qtbot.waitUntil(settled, timeout=10_000)
        held = len(evolve.history)
        qtbot.wait(500)
        assert len(evolve.history) == held and evolve.paused
        evolve.stop_run()
    assert finished.args[0] == "stopped"
    assert len(evolve.history) < 100_000


def test_save_then_open_round_trip(qtbot, evolve, tmp_path, questions):
    run(qtbot, evolve, 5)
    path = str(tmp_path / "run.json")
    with qtbot.waitSignal(evolve.populationSaved, timeout=10_000):
        evolve.save_population(path)
    before = list(evolve.history)
    assert evolve.open_population(path)
    assert questions.asked == []  # everything was saved: nothing to ask
    assert evolve.history == before
    assert evolve.recent_files()[0] == path
    run(qtbot, evolve, 2)
    assert [r.generation for r in evolve.history] == list(range(7))


def test_bad_run_file_keeps_the_current_run(qtbot, evolve, tmp_path):
    run(qtbot, evolve, 2)
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "neatscope-run", "version": 99}')
    before = list(evolve.history)
    assert not evolve.open_population(str(bad), ask=False)
    assert "newer NEAT Scope" in evolve.last_error
    assert evolve.history == before


def test_invalid_config_values_are_all_marked_and_the_run_does_not_start(qtbot, evolve):
    form = evolve.config_form
    form.fields["structure.add_node_prob"].setText("1.7")
    form.fields["population.size"].setText("many")
    form.fields["weights.perturb_power"].setText("-2")
    assert not evolve.new_run()
    assert set(form.invalid_fields()) == {"structure.add_node_prob", "population.size", "weights.perturb_power"}
    assert "outside the allowed range [0.0, 1.0]" in form.error_labels["structure.add_node_prob"].text()
    assert "whole number" in form.error_labels["population.size"].text()
    assert "structure.add_node_prob" in evolve.last_error and "population.size" in evolve.last_error
    assert evolve.worker is None and evolve.history == []
    evolve.run_generations(3)
    assert evolve.worker is None
    form.fields["structure.add_node_prob"].setText("0.03")
    form.fields["population.size"].setText("40")
    form.fields["weights.perturb_power"].setText("0.5")
    assert evolve.new_run()
    assert form.invalid_fields() == []


def test_closing_mid_run_ends_the_worker_cleanly(qtbot, window):
    evolve = window.evolve
    evolve.new_run()
    evolve.run_generations(100_000, False)
    qtbot.waitUntil(lambda: len(evolve.history) > 2, timeout=10_000)
    thread = evolve.thread
    window.close_discarding()
    assert evolve.thread is None and thread.isFinished()


def test_export_champion_writes_genome_json(qtbot, evolve, tmp_path, monkeypatch):
    run(qtbot, evolve, 3)
    target = tmp_path / "champion.json"
    monkeypatch.setattr("desktop_app.workspaces.evolve.QFileDialog.getSaveFileName", lambda *a, **k: (str(target), ""))
    evolve.export_champion_dialog()
    data = json.loads(target.read_text())
    assert data["id"] == evolve.history[-1].champion.genome_id


def test_reset_starts_the_same_run_again(qtbot, evolve):
    evolve.seed_box.setText("4")
    run(qtbot, evolve, 4)
    first = list(evolve.history)
    evolve.seed_box.setText("99")  # the form changes; Reset replays the run, not the form
    assert evolve.reset_run()
    assert evolve.history == []
    run(qtbot, evolve, 4)
    assert evolve.history == first


def test_alignment_panel_marks_gene_classes_and_breaks_delta_down(qtbot, evolve):
    run(qtbot, evolve, 6)
    evolve.show_panel("alignment")
    panel = evolve.panel("alignment")
    count = panel.first_box.count()
    assert count >= 2
    panel.compare(0, count - 1)
    a, b = panel._candidates[0][1], panel._candidates[-1][1]
    alignment = align(a.to_genome(), b.to_genome())
    classes = panel.gene_classes
    assert {k for k, c in classes.items() if c == "matching"} == set(alignment.matching)
    assert {k for k, c in classes.items() if c == "excess"} == set(alignment.excess_a + alignment.excess_b)
    assert {k for k, c in classes.items() if c == "disjoint"} == set(alignment.disjoint_a + alignment.disjoint_b)
    expected = compatibility(a.to_genome(), b.to_genome(), evolve.run.config.speciation)
    assert f"{expected.distance:.3f}" in panel.breakdown.text()


def test_exports_write_champion_formats_plots_and_stats(qtbot, evolve, tmp_path):
    import csv
    import xml.etree.ElementTree as ElementTree

    from PySide6.QtGui import QImage

    run(qtbot, evolve, 5)
    champion = evolve.history[-1].champion
    evolve.export_champion(str(tmp_path / "champion.graphml"))
    graphml = ElementTree.parse(tmp_path / "champion.graphml").getroot()
    assert len(graphml.findall(".//{http://graphml.graphdrawing.org/xmlns}edge")) == len(champion.connections)
    evolve.export_champion(str(tmp_path / "champion.dot"))
    dot = (tmp_path / "champion.dot").read_text()
    assert dot.count("->") == len(champion.connections)
    evolve.export_stats(str(tmp_path / "stats.csv"))
    rows = list(csv.DictReader((tmp_path / "stats.csv").open()))
    assert [int(r["generation"]) for r in rows] == [r.generation for r in evolve.history]
    assert float(rows[-1]["best_fitness"]) == evolve.history[-1].best_fitness
    written = evolve.export_plots(str(tmp_path / "plots.png"), combined=False)
    assert [p.name for p in written] == ["plots-fitness.png", "plots-complexity.png"]
    assert QImage(str(tmp_path / "plots-fitness.png")).width() > 100
    evolve.export_plots(str(tmp_path / "plots.svg"), combined=False)
    assert "<svg" in (tmp_path / "plots-complexity.svg").read_text()


def test_clicking_a_species_shows_its_best_genome_in_the_graph(qtbot, evolve):
    run(qtbot, evolve, 5)
    evolve.show_panel("species")
    panel = evolve.panel("species")
    last = evolve.history[-1].species[-1]
    panel.table.cellClicked.emit(panel.table.rowCount() - 1, 0)
    assert evolve.tabs.currentWidget() is evolve.panel("graph")
    view = evolve.panel("graph").view
    assert view.genome == last.best_genome
    assert f"species {last.species_id}" in view.title.text()


def test_every_bad_file_is_refused_and_the_current_run_survives(qtbot, evolve, monkeypatch):
    corpus = Path(__file__).resolve().parents[1] / "data" / "bad_files"
    expected = json.loads((corpus / "EXPECTED.json").read_text())
    asked = []
    monkeypatch.setattr(evolve, "confirm_user_code", lambda need, folder: asked.append(need.code.target) or False)
    run(qtbot, evolve, 2)
    before = list(evolve.history)
    worker = evolve.worker
    for name in sorted(expected):
        asked_before = len(asked)
        assert not evolve.open_population(str(corpus / name), ask=False), name
        if len(asked) > asked_before:  # a valid run that names code: the user was asked and said no
            assert name in evolve.shell.message()
        else:
            assert name in evolve.last_error
        assert evolve.history == before and evolve.worker is worker
    run(qtbot, evolve, 1)  # the run goes on as if nothing happened
    assert [r.generation for r in evolve.history] == [0, 1, 2]


def test_autosave_folder_resumes_to_the_same_generations(qtbot, evolve, tmp_path):
    from core.runs.persistence import load_run

    evolve.autosave_box.setValue(3)
    evolve.seed_box.setText("6")
    run(qtbot, evolve, 7)
    run_dir = evolve.run_dir
    assert run_dir is not None and run_dir.parent == tmp_path / "runs"
    assert load_run(run_dir).generation == 6  # the last multiple of 3
    run(qtbot, evolve, 3)
    uninterrupted = list(evolve.history)
    assert evolve.resume_run_folder(str(run_dir))  # as after a crash: back to the last autosave
    assert len(evolve.history) == 9
    run(qtbot, evolve, 1)
    assert evolve.history == uninterrupted


def test_resuming_a_folder_without_a_run_says_why(qtbot, evolve, tmp_path):
    (tmp_path / "empty_folder").mkdir()
    assert not evolve.resume_run_folder(str(tmp_path / "empty_folder"))
    assert "cannot read" in evolve.last_error


def test_opening_a_run_that_names_code_asks_first_and_a_no_imports_nothing(qtbot, evolve, tmp_path, config, monkeypatch):
    import sys

    from core.algorithms.neat.evolution import Neat
    from core.runs.persistence import save_run
    from core.tasks import make_task

    (tmp_path / "planted_fitness_module.py").write_text("import sys\nsys.modules[__name__].IMPORTED = True\ndef fitness(net):\n    return 1.0\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    task = make_task({"name": "function", "target": "planted_fitness_module:fitness", "num_inputs": 2, "num_outputs": 1})
    save_run(Neat(config, task, 0), tmp_path / "run.json")
    task.close()
    sys.modules.pop("planted_fitness_module", None)
    seen = []
    monkeypatch.setattr(evolve, "confirm_user_code", lambda need, folder: seen.append((need.code.target, folder)) or False)
    assert not evolve.open_population(str(tmp_path / "run.json"), ask=False)
    assert seen == [("planted_fitness_module:fitness", str(tmp_path))]
    assert "planted_fitness_module" not in sys.modules  # declining imported nothing
    assert "needs code you did not allow" in evolve.shell.message()
    monkeypatch.setattr(evolve, "confirm_user_code", lambda need, folder: True)
    assert evolve.open_population(str(tmp_path / "run.json"), ask=False)
    assert sys.modules["planted_fitness_module"].IMPORTED


def test_a_task_failing_for_every_genome_stops_the_run_with_one_message(qtbot, evolve, tmp_path, config, monkeypatch):
    from core.algorithms.neat.evolution import Neat
    from core.runs.persistence import save_run
    from core.tasks import make_task

    task = make_task({"name": "function", "target": "tests.core.tasks.user_fitness:always_fails", "num_inputs": 2, "num_outputs": 1})
    save_run(Neat(config, task, 0), tmp_path / "broken.json")
    asked = []
    monkeypatch.setattr(evolve, "confirm_user_code", lambda need, folder: asked.append(need.code.target) or True)
    assert evolve.open_population(str(tmp_path / "broken.json"))
    assert asked == ["tests.core.tasks.user_fitness:always_fails"]
    with qtbot.waitSignal(evolve.runEnded, timeout=60_000) as ended:
        evolve.run_generations(5)
    assert ended.args == ["failed"]
    assert "every genome failed in generation 0" in evolve.last_error and "simulator not found" in evolve.last_error
    assert evolve.history == [] and not evolve.running
    evolve.task_box.combo.setCurrentText("XOR")
    assert evolve.new_run()  # the app is still usable
    run(qtbot, evolve, 1)
    assert len(evolve.history) == 1


def test_open_survives_any_exception_with_exactly_one_dialog(qtbot, window, monkeypatch):
    evolve = window.evolve
    run(qtbot, evolve, 1)
    shown = []
    window.errorShown.connect(shown.append)

    def explode(path):
        raise MemoryError("the reader ran out of memory")

    monkeypatch.setattr("desktop_app.workspaces.evolve.load_run", explode)
    assert not evolve.open_population("/any/file.json", ask=False)
    assert len(shown) == 1 and "ran out of memory" in shown[0]
    run(qtbot, evolve, 1)
    assert len(evolve.history) == 2


def test_every_algorithm_starts_from_its_own_form(qtbot, evolve):
    """The form round-trips every key type of every algorithm (HyperNEAT's coordinate lists once
    could not be typed at all), and a field of numbers takes what a user types."""
    for index in range(evolve.algorithm_box.count()):
        evolve.algorithm_box.setCurrentIndex(index)
        name = evolve.algorithm_box.currentData()
        own_task = {"backprop-neat": "Playground: xor", "arch-ga": "Digits (architecture search)", "arch-random": "Digits (architecture search)"}
        evolve.task_box.combo.setCurrentText(own_task.get(name, "XOR"))
        assert evolve.new_run(), f"{name}: {evolve.last_error}"
        assert evolve.run.algorithm == name and evolve.config_form.invalid_fields() == []
    evolve.algorithm_box.setCurrentIndex(evolve.algorithm_box.findData("hyperneat"))
    evolve.config_form.fields["substrate.input_layout"].setCurrentText("custom")
    evolve.config_form.fields["substrate.input_coordinates"].setText("[-1.0, -1, 1, -1]")
    assert evolve.new_run(), evolve.last_error
    assert evolve.run.config.substrate.input_coordinates == (-1.0, -1.0, 1.0, -1.0)
    evolve.config_form.fields["substrate.input_coordinates"].setText("-1, left")
    assert not evolve.new_run()
    assert evolve.config_form.invalid_fields() == ["substrate.input_coordinates"]


def test_a_hyperneat_champion_is_drawn_with_its_cppn_names(qtbot, evolve):
    evolve.algorithm_box.setCurrentIndex(evolve.algorithm_box.findData("hyperneat"))
    evolve.config_form.fields["population.size"].setText("20")
    assert evolve.new_run(), evolve.last_error
    run(qtbot, evolve, 1)
    view = evolve.panel("graph").view
    assert {"x1", "y1", "x2", "y2", "d", "bias", "weight"} <= set(view.visible_names)


def test_run_folders_are_named_by_algorithm_task_and_seed(qtbot, evolve):
    evolve.seed_box.setText("4")
    assert evolve.new_run()
    assert evolve.run_dir.name.endswith("-neat-xor-seed4")
    evolve.algorithm_box.setCurrentIndex(evolve.algorithm_box.findData("ga"))
    evolve.task_box.combo.setCurrentText("Acrobot-v1")
    assert evolve.new_run(), evolve.last_error
    assert evolve.run_dir.name.endswith("-ga-Acrobot-v1-seed4")
