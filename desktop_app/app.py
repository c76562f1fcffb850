"""Application start-up for the desktop workbench."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from PySide6.QtWidgets import QApplication

from desktop_app.main_window import MainWindow


def make_application(argv: Sequence[str] | None = None) -> QApplication:
    """The process's QApplication, named so QSettings finds the user's remembered settings."""
    app = QApplication.instance() or QApplication(list(argv or sys.argv[:1]))
    app.setApplicationName("NEAT Scope")
    app.setOrganizationName("NEAT Scope")
    return app


def run_app(argv: Sequence[str] | None = None) -> int:
    """Create the QApplication, show the main window and run the event loop."""
    app = make_application(argv)
    window = MainWindow()
    window.show()
    return app.exec()
