"""Application start-up for the desktop workbench."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from PySide6.QtWidgets import QApplication

from desktop_app.main_window import MainWindow
from desktop_app.theme import apply_theme


def make_application(argv: Sequence[str] | None = None) -> QApplication:
    """The process's QApplication, named so QSettings finds the user's remembered settings."""
    # The worker thread runs Python (reproduction, speciation) that holds the GIL; every paint
    # callback on the GUI thread must win it back, waiting up to one switch interval each time.
    # 1 ms instead of CPython's 5 ms keeps drawing smooth (see bench/gui_stall_bench.py).
    sys.setswitchinterval(0.001)
    app = QApplication.instance() or QApplication(list(argv or sys.argv[:1]))
    app.setApplicationName("NEAT Scope")
    app.setOrganizationName("NEAT Scope")
    apply_theme(app)
    return app


def run_app(argv: Sequence[str] | None = None) -> int:
    """Create the QApplication, show the main window and run the event loop."""
    app = make_application(argv)
    window = MainWindow()
    window.show()
    try:
        return app.exec()
    finally:
        if "ray" in sys.modules:  # a run used the ray backend: its local Ray ends with the app
            from core.parallel.ray_backend import shutdown_ray

            shutdown_ray()
