"""The NEAT Scope main window: a thin shell (menus, status bar, settings, Help) around workspaces.

Workspaces ("Evolve", "Compare", ...) are the top-level tabs, listed in
``desktop_app/registry.py``; each brings its own widgets, menus and background work.
"""

from __future__ import annotations

import os
import threading

from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QMainWindow, QMessageBox, QProgressBar, QTabWidget, QTextBrowser, QVBoxLayout

from desktop_app.registry import workspace_classes
from desktop_app.theme import MUTED, apply_theme
from desktop_app.workspaces.base import Workspace

ABOUT = (
    "<h3>NEAT Scope</h3>"
    "<p>A workbench to evolve neural networks with NEAT and its family (weight GA, OpenAI-ES, random "
    "search, ...) and watch it happen: live panels for one run, and side-by-side comparisons of "
    "many runs.</p>"
    "<p>Runs are reproducible: the same seed and config give the same run, bit for bit, across "
    "save, load and resume. Run files are JSON.</p>"
    "<p>NEAT: K. O. Stanley and R. Miikkulainen, <i>Evolving Neural Networks through Augmenting "
    "Topologies</i>, Evolutionary Computation 10(2), 2002.</p>"
)


def _call_kernels_once() -> None:
    """Run the compiled forward pass and CartPole episodes on a tiny network, so numba loads
    their machine code from its cache now rather than in the middle of someone's run."""
    import numpy as np

    from core.networks.batch import PopulationNetwork
    from core.networks.mlp import MlpShape
    from core.tasks.cartpole import CartPoleTask

    shape = MlpShape(4, (2,), 2, "tanh", "sigmoid")
    genome = shape.to_genome(np.zeros(shape.parameter_count), 0)
    for recurrent in (False, True):
        PopulationNetwork([genome], recurrent=recurrent, kernel="numba").activate(np.zeros((1, 4)))
    CartPoleTask(episodes=1, max_steps=3).evaluate(PopulationNetwork([genome], kernel="numba"), np.random.default_rng(0))


class MainWindow(QMainWindow):
    """Hosts the registered workspaces as tabs; owns menus, the status bar and settings.

    Signals:
        errorShown(str): an error dialog was shown (its message).
    """

    errorShown = Signal(str)

    def __init__(self, settings: QSettings | None = None):
        apply_theme()
        super().__init__()
        self.settings = settings or QSettings()
        self.setWindowTitle("NEAT Scope")
        self.last_error = ""
        self._build_status_bar()
        self.workspaces: list[Workspace] = [cls(self) for cls in workspace_classes()]
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        for workspace in self.workspaces:
            self.tabs.addTab(workspace, workspace.title)
            workspace.statusChanged.connect(lambda text, w=workspace: self._on_status(w, text))
        self.setCentralWidget(self.tabs)
        self._build_menus()
        self.tabs.currentChanged.connect(self._on_workspace_changed)
        self._restore_settings()
        self._on_workspace_changed(self.tabs.currentIndex())
        self.kernels_warm = threading.Event()
        QTimer.singleShot(0, self._warm_kernels)

    # --- construction ------------------------------------------------------------------------

    def _build_status_bar(self) -> None:
        # The run's state stays on the left; notes ("Saved ...", "Nothing to replay yet ...")
        # appear on the right for a few seconds. QStatusBar.showMessage would hide the state.
        self.status_label = QLabel()
        self.status_label.setMinimumWidth(100)
        self.message_label = QLabel()
        self.message_label.setStyleSheet(f"color: {MUTED};")
        self._message_timer = QTimer(self)
        self._message_timer.setSingleShot(True)
        self._message_timer.timeout.connect(self.message_label.clear)
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(200)
        self.progress.setVisible(False)
        self.statusBar().addWidget(self.status_label, 5)
        self.statusBar().addWidget(self.message_label, 2)
        self.statusBar().addPermanentWidget(self.progress)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        self.file_menu = bar.addMenu("&File")
        for workspace in self.workspaces:
            workspace.build_menus(bar, self.file_menu)
            self.file_menu.addSeparator()
        self._action(self.file_menu, "&Quit", self.close, QKeySequence.StandardKey.Quit)
        view = bar.addMenu("&View")
        for index, workspace in enumerate(self.workspaces):
            self._action(view, workspace.title, lambda _=False, i=index: self.tabs.setCurrentIndex(i), QKeySequence(f"Ctrl+{index + 1}"))
        help_menu = bar.addMenu("&Help")
        self.help_action = self._action(help_menu, "&What am I looking at?", self.show_help, QKeySequence("F1"))
        self._action(help_menu, "&About NEAT Scope", self.show_about)
        # The workspace menus go between File/View and Help.
        for workspace in self.workspaces:
            for menu in workspace.menus:
                bar.insertMenu(view.menuAction(), menu)

    def _action(self, menu, text: str, slot, shortcut=None) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(shortcut)
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def workspace(self, key: str) -> Workspace:
        """The workspace registered under ``key``."""
        return next(w for w in self.workspaces if w.key == key)

    @property
    def evolve(self):
        """The Evolve workspace."""
        return self.workspace("evolve")

    @property
    def compare(self):
        """The Compare workspace."""
        return self.workspace("compare")

    def current_workspace(self) -> Workspace:
        """The workspace shown."""
        return self.tabs.currentWidget()  # type: ignore[return-value]

    def show_workspace(self, key: str) -> Workspace:
        """Bring a workspace to the front."""
        workspace = self.workspace(key)
        self.tabs.setCurrentWidget(workspace)
        return workspace

    def _warm_kernels(self) -> None:
        """Load the compiled evaluation kernels now, while the window is idle.

        A run on ``auto`` switches to them once it has spent half a second evaluating; loading
        them then (numba's import and cache, ~0.6 s, much of it holding the GIL) would freeze the
        window mid-run. Skipped when ``NEATSCOPE_KERNEL=numpy``; when they are not compiled yet,
        ``kernels_ready`` starts their low-priority background build, as a run would.
        """

        def warm() -> None:
            try:
                from core import compiled

                if os.environ.get("NEATSCOPE_KERNEL") != "numpy" and compiled.numba_installed() and compiled.kernels_ready():
                    if compiled.load() is not None:
                        _call_kernels_once()
            except Exception:  # noqa: BLE001 - a run falls back to numpy and says why itself
                pass
            finally:
                self.kernels_warm.set()

        threading.Thread(target=warm, name="neatscope-kernels", daemon=True).start()

    # --- status, errors, help ----------------------------------------------------------------

    def _on_workspace_changed(self, index: int) -> None:
        current = self.tabs.widget(index)
        for workspace in self.workspaces:
            workspace.set_active(workspace is current)
        if current is not None:
            self.status_label.setText(current.status_text())

    def _on_status(self, workspace: Workspace, text: str) -> None:
        if workspace is self.tabs.currentWidget():
            self.status_label.setText(text)

    def show_message(self, text: str, timeout_ms: int = 5000) -> None:
        """A transient note in the status bar, beside the run's state."""
        self.message_label.setText(text)
        self.message_label.setToolTip(text)
        self._message_timer.start(timeout_ms)

    def message(self) -> str:
        """The note shown now ("" when none)."""
        return self.message_label.text()

    def error(self, title: str, message: str) -> None:
        """One non-modal error dialog (the app stays usable) and a line in the status bar."""
        self.last_error = message
        self.show_message(f"{title}: {message.splitlines()[0]}", 10000)
        box = QMessageBox(QMessageBox.Icon.Warning, title, message, QMessageBox.StandardButton.Ok, self)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.setModal(False)
        box.show()
        self.errorShown.emit(message)

    def help_text(self) -> str:
        """HTML of "What am I looking at?" for what is on screen now."""
        sections = self.current_workspace().help_sections()
        return "".join(f"<h3>{title}</h3><p>{text}</p>" for title, text in sections if text)

    def show_help(self) -> QDialog:
        """Explain the panels on screen, the one in front first."""
        dialog = QDialog(self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.setWindowTitle("What am I looking at?")
        browser = QTextBrowser()
        browser.setHtml(self.help_text())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(dialog.close)
        layout = QVBoxLayout(dialog)
        layout.addWidget(browser)
        layout.addWidget(buttons)
        dialog.resize(560, 520)
        dialog.setModal(False)
        dialog.show()
        self.help_dialog = dialog
        return dialog

    def show_about(self) -> None:
        """The About box."""
        from importlib.metadata import PackageNotFoundError, version

        try:
            release = version("neatscope")
        except PackageNotFoundError:
            release = "development"
        QMessageBox.about(self, "About NEAT Scope", ABOUT + f"<p>Version {release}</p>")

    # --- settings and closing ----------------------------------------------------------------

    def _restore_settings(self) -> None:
        geometry = self.settings.value("geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            # 1400 x 860 where it fits; a laptop's 1366 x 768 gets the screen's free area instead.
            screen = QGuiApplication.primaryScreen()
            free = screen.availableGeometry() if screen is not None else None
            if free is not None and free.width() > 0:
                self.resize(min(1400, free.width()), min(860, free.height()))
            else:
                self.resize(1400, 860)
        key = self.settings.value("workspace")
        keys = [w.key for w in self.workspaces]
        if key in keys:
            self.tabs.setCurrentIndex(keys.index(key))

    def close_discarding(self) -> None:
        """Close without asking about unsaved runs (scripts: screenshots, benchmarks)."""
        self._discard_on_close = True
        self.close()

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt override
        if not getattr(self, "_discard_on_close", False) and not all(workspace.can_close() for workspace in self.workspaces):
            event.ignore()
            return
        self.settings.setValue("geometry", self.saveGeometry())
        self.settings.setValue("workspace", self.current_workspace().key)
        for workspace in self.workspaces:
            workspace.shutdown()
        super().closeEvent(event)
