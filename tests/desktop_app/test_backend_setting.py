"""The app's evaluation backend (issue 19): a sidebar setting remembered with QSettings, applied
when a run starts; the status bar shows the workers and evaluations per second."""

from core.algorithms.registry import algorithm_class
from desktop_app.main_window import MainWindow
from tests.desktop_app.conftest import run


def test_the_backend_setting_evaluates_on_workers_and_is_remembered(qtbot, window, settings):
    evolve = window.evolve
    evolve.task_box.combo.setCurrentText("Acrobot-v1")
    evolve.task_box.episodes.setValue(1)
    evolve.config_form.set_config(algorithm_class("neat").load_config(None).replace(**{"population.size": 10}))
    evolve.backend_box.setCurrentIndex(evolve.backend_box.findData("process"))
    evolve.workers_box.setValue(2)
    assert settings.value("evaluation/backend") == "process" and int(settings.value("evaluation/workers")) == 2
    assert run(qtbot, evolve, 1) is not None
    assert evolve.run.task_spec["workers"] == 2
    status = window.status_label.text()
    assert "2 workers" in status and "evaluations/s" in status, status
    assert dict(evolve.history[-1].timings)["workers"] == 2

    again = MainWindow(settings)
    qtbot.addWidget(again)
    try:
        assert again.evolve.backend_box.currentData() == "process" and again.evolve.workers_box.value() == 2
    finally:
        again.close_discarding()


def test_a_batched_task_stays_in_one_process_and_says_so(qtbot, window):
    evolve = window.evolve
    evolve.backend_box.setCurrentIndex(evolve.backend_box.findData("process"))
    assert run(qtbot, evolve, 1) is not None  # XOR
    assert "1 worker" in window.status_label.text()
    assert "does not apply" in window.message()
