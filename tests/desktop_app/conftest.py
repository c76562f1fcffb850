"""Desktop tests never read or write the user's settings or run folders, and never block on a
question dialog: ``questions`` answers them and records what was asked."""

import os
from types import SimpleNamespace

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMessageBox

from desktop_app.main_window import MainWindow


@pytest.fixture
def settings(tmp_path):
    """Settings in a temporary ini file, with run folders (autosaves) under tmp_path."""
    isolated = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    isolated.setValue("runs_folder", str(tmp_path / "runs"))
    return isolated


@pytest.fixture(autouse=True)
def numpy_kernel(monkeypatch):
    """Desktop tests evaluate on numpy: a window would otherwise load numba's kernels in the
    background of the test process, and a run's results do not depend on the kernel."""
    monkeypatch.setenv("NEATSCOPE_KERNEL", os.environ.get("NEATSCOPE_KERNEL", "numpy"))


@pytest.fixture(autouse=True)
def questions(monkeypatch):
    """Every QMessageBox.question is answered with ``questions.answer`` (Discard by default)."""
    state = SimpleNamespace(asked=[], answer=QMessageBox.StandardButton.Discard)

    def question(parent, title, text, *args, **kwargs):
        state.asked.append(text)
        return state.answer

    monkeypatch.setattr(QMessageBox, "question", staticmethod(question))
    return state


@pytest.fixture
def window(qtbot, settings):
    win = MainWindow(settings)
    qtbot.addWidget(win)
    win.show()
    yield win
    win.close_discarding()


@pytest.fixture
def evolve(window):
    return window.evolve


def run(qtbot, evolve, count, until_solved=False):
    """Run ``count`` generations (starting a run from the form if needed); the end reason."""
    assert evolve.worker is not None or evolve.new_run()
    with qtbot.waitSignal(evolve.runEnded, timeout=60_000) as finished:
        evolve.run_generations(count, until_solved)
    return finished.args[0]
