"""Application start-up for the desktop workbench."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from PySide6.QtWidgets import QApplication, QLabel, QMainWindow


class MainWindow(QMainWindow):
    """Placeholder main window until the live panels land (desktop app issue)."""

    def __init__(self) -> None:
        super().__init__()
        self.setWindowTitle("NEAT Scope")
        label = QLabel("NEAT Scope\n\nThe engine runs headless today:  neatscope run xor --seed 3")
        label.setMargin(24)
        self.setCentralWidget(label)
        self.resize(640, 400)


def run_app(argv: Sequence[str] | None = None) -> int:
    """Create the QApplication, show the main window and run the event loop."""
    app = QApplication.instance() or QApplication(list(argv or sys.argv[:1]))
    app.setApplicationName("NEAT Scope")
    app.setOrganizationName("NEAT Scope")
    window = MainWindow()
    window.show()
    return app.exec()
