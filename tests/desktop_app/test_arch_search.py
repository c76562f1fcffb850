"""The Architecture search workspace (issue 18): both algorithms live from one seed, box plots,
the population table, the champion drawn as layers, saved runs, and errors."""

import json

import numpy as np
import pytest

from core.algorithms.registry import algorithm_class
from core.runs.persistence import save_run
from core.tasks import make_task
from desktop_app.workspaces.arch_search import ALGORITHMS, box_stats


@pytest.fixture
def arch(window):
    workspace = window.show_workspace("archsearch")
    workspace.population_box.setValue(6)
    workspace.generations_box.setValue(3)
    workspace.samples_box.setValue(150)
    workspace.epochs_box.setValue(2)
    workspace.workers_box.setValue(0)
    return workspace


def test_box_stats_are_tukeys():
    stats = box_stats([0.1, 0.8, 0.82, 0.84, 0.86, 0.88, 0.9])
    assert stats["q1"] == pytest.approx(np.percentile([0.1, 0.8, 0.82, 0.84, 0.86, 0.88, 0.9], 25))
    assert stats["median"] == pytest.approx(0.84)
    assert stats["outliers"] == [0.1] and stats["low"] == 0.8 and stats["high"] == 0.9
    assert stats["mean"] == pytest.approx(np.mean([0.1, 0.8, 0.82, 0.84, 0.86, 0.88, 0.9]))


def test_both_algorithms_run_side_by_side_and_everything_is_drawn(qtbot, arch, tmp_path):
    with qtbot.waitSignal(arch.runEnded, timeout=120_000) as ended:
        assert arch.run_both()
    assert ended.args == ["done"]
    for name in ALGORITHMS:
        assert len(arch.histories[name]) == 3
        boxes = arch.box_items[name].boxes
        assert [g for g, _ in boxes] == [0, 1, 2]
        assert boxes[-1][1]["median"] == pytest.approx(np.median(arch.histories[name][-1].extras.accuracies))
        assert len(arch.mean_items[name].data) == 3
    # Both runs started from one seed: the first generations are the same recipes, trained alike.
    first = [report.extras.population[0][2:] for report in (arch.histories[name][0] for name in ALGORITHMS)]
    assert first[0] == first[1]
    assert arch.table.rowCount() == 6
    assert arch.table.item(0, 2).text() and float(arch.table.item(0, 7).text()) >= float(arch.table.item(5, 7).text())
    champion = arch.histories["arch-ga"][-1].extras
    assert arch.architecture.layers == (64, *champion.champion_units, 10)
    assert "test" in arch.architecture.caption
    assert arch.distribution.listDataItems() or arch.distribution.items
    picture = tmp_path / "arch.png"
    assert arch.shell.grab().save(str(picture)) and picture.stat().st_size > 10_000


def test_a_saved_run_opens_and_a_foreign_or_broken_file_says_why(qtbot, arch, tmp_path):
    cls = algorithm_class("arch-random")
    run = cls(cls.default_config().replace(**{"population.size": 5}), make_task({"name": "digits", "samples": 120, "epochs": 1}), 2)
    run.step()
    run.step()
    save_run(run, tmp_path / "random.json")
    assert arch.open_run(str(tmp_path / "random.json"))
    assert len(arch.histories["arch-random"]) == 2 and arch.histories["arch-ga"] == []
    arch.table_algorithm.setCurrentIndex(1)
    assert arch.table.rowCount() == 5

    (tmp_path / "bad.json").write_text("{not json")
    assert not arch.open_run(str(tmp_path / "bad.json"))
    assert "bad.json" in arch.error_label.text()
    xor = algorithm_class("random")
    other = xor(xor.default_config(), make_task("xor"), 1)
    other.step()
    save_run(other, tmp_path / "xor.json")
    assert not arch.open_run(str(tmp_path / "xor.json"))
    assert "arch-ga and arch-random" in arch.error_label.text()
    assert json.loads((tmp_path / "random.json").read_text())["algorithm"] == "arch-random"


def test_the_evolve_workspace_runs_arch_ga_on_digits_like_any_algorithm(qtbot, window):
    from tests.desktop_app.conftest import run

    evolve = window.evolve
    evolve.algorithm_box.setCurrentIndex(evolve.algorithm_box.findData("arch-ga"))
    evolve.task_box.combo.setCurrentText("Digits (architecture search)")
    evolve.config_form.set_field("population.size", 4)
    evolve.config_form.set_field("genome.max_units", 16)
    assert run(qtbot, evolve, 2) == "done", window.last_error
    assert [r.generation for r in evolve.history] == [0, 1]
    assert evolve.history[-1].extras.champion_units
