"""Render the main window after a real run, without a screen (``neatscope screenshot``).

README screenshots come from here, so they always show what the app really draws.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

TABS = {"graph": 0, "species": 1, "alignment": 2, "replay": 3}
REPLAY_STEPS_SHOWN = 60


def render_screenshot(out: str, task: str = "xor", generations: int = 30, seed: int = 0, tab: str = "graph", size: tuple[int, int] = (1400, 860)) -> Path:
    """Run ``generations`` generations of ``task`` in the real window and save it as a PNG.

    Uses the offscreen platform unless a platform was chosen already, and a throwaway settings
    file so the user's remembered settings are neither read nor changed.

    Raises:
        ValueError: unknown task or tab, or the run failed.
    """
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QEventLoop, QSettings, QTimer

    from desktop_app.app import make_application
    from desktop_app.main_window import TASKS, MainWindow

    task_label = next((label for label, name in TASKS.items() if name == task), None)
    if task_label is None:
        raise ValueError(f"unknown task {task!r}; the app offers {', '.join(TASKS.values())}")
    if tab not in TABS:
        raise ValueError(f"unknown tab {tab!r}; choose one of {', '.join(TABS)}")
    app = make_application()
    with tempfile.TemporaryDirectory() as settings_dir:
        settings = QSettings(str(Path(settings_dir) / "settings.ini"), QSettings.Format.IniFormat)
        settings.setValue("runs_folder", str(Path(settings_dir) / "runs"))
        window = MainWindow(settings)
        window.resize(*size)
        window.show()
        window.task_box.setCurrentText(task_label)
        window.seed_box.setValue(seed)
        outcome: list[str] = []
        loop = QEventLoop()
        window.runEnded.connect(lambda reason: (outcome.append(reason), loop.quit()))
        window.run_generations(generations)
        if not outcome:
            loop.exec()
        if outcome != ["done"] and outcome != ["solved"]:
            window.close()
            raise ValueError(f"the run ended with {outcome[0]!r}: {getattr(window, 'last_error', '')}")
        window.tabs.setCurrentIndex(TABS[tab])
        if tab == "replay" and window.replay_panel.replay is not None:
            for _ in range(REPLAY_STEPS_SHOWN):
                window.replay_panel.step_once()
        # Let layouts and the tab switch settle before grabbing.
        QTimer.singleShot(100, loop.quit)
        loop.exec()
        target = Path(out)
        if not window.grab().save(str(target)):
            window.close()
            raise ValueError(f"could not write {target}")
        window.close()
    app.processEvents()
    return target
