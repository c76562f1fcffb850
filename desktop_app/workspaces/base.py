"""What a workspace is: one top-level tab of the main window ("Evolve", "Compare", ...).

A workspace owns its widgets, its menus (shown by the shell while it is the current tab) and its
background work; the shell (``desktop_app.main_window``) owns the menu bar, the status bar, the
settings and the Help menu. Register a workspace with one line in ``desktop_app/registry.py``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QMenu, QMenuBar, QScrollArea, QSplitter, QWidget

if TYPE_CHECKING:
    from desktop_app.main_window import MainWindow


class Workspace(QWidget):
    """Base of every workspace.

    Class attributes:
        key: short name (``neatscope screenshot --workspace KEY``, settings).
        title: the tab's label.
        help: a paragraph for Help > What am I looking at.

    Signals:
        statusChanged(str): the workspace's permanent status text changed.
    """

    key: ClassVar[str] = ""
    title: ClassVar[str] = ""
    help: ClassVar[str] = ""

    statusChanged = Signal(str)

    def __init__(self, shell: MainWindow):
        super().__init__()
        self.shell = shell
        self.settings = shell.settings
        self.menus: list[QMenu] = []

    def build_menus(self, menu_bar: QMenuBar, file_menu: QMenu) -> None:
        """Add this workspace's actions to the File menu and its own menus to the menu bar
        (keep the menus in ``self.menus``: the shell enables them only while this tab shows)."""

    def set_active(self, active: bool) -> None:
        """This workspace became (or stopped being) the current tab."""
        for menu in self.menus:
            menu.menuAction().setVisible(active)
            menu.setEnabled(active)

    def status_text(self) -> str:
        """The status bar's text while this workspace shows."""
        return ""

    def help_sections(self) -> list[tuple[str, str]]:
        """(title, HTML) paragraphs explaining what is on screen, the most relevant first."""
        return [(self.title, self.help)]

    def can_close(self) -> bool:
        """Whether the window may close now (ask the user about unsaved work here)."""
        return True

    def shutdown(self) -> None:
        """The window closes: stop background work and wait for it."""


def sidebar_beside(workspace: QWidget, sidebar: QWidget, main: QWidget, sidebar_width: int, main_width: int = 1000) -> None:
    """Lay a workspace out as most are: a fixed-width sidebar left of a stretching main area,
    in a splitter whose panes cannot be collapsed to nothing."""
    layout = QHBoxLayout(workspace)
    layout.setContentsMargins(4, 4, 4, 4)
    splitter = QSplitter(Qt.Orientation.Horizontal)
    splitter.addWidget(sidebar)
    splitter.addWidget(main)
    splitter.setStretchFactor(0, 0)
    splitter.setStretchFactor(1, 1)
    splitter.setChildrenCollapsible(False)
    splitter.setSizes([sidebar_width, main_width])
    layout.addWidget(splitter)


def scrolling_sidebar(inner: QWidget, min_width: int, max_width: int) -> QScrollArea:
    """A sidebar that scrolls vertically when the window is short and never horizontally."""
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    scroll.setWidget(inner)
    scroll.setMinimumWidth(min_width)
    scroll.setMaximumWidth(max_width)
    return scroll


class RunControls:
    """Pause, resume and stop for a workspace whose run goes on in an ``EvolutionWorker``.

    Mixed into a ``Workspace`` that has ``worker`` (or None), ``running``, ``paused``, a checkable
    ``pause_button`` and ``_publish_status()``; ``_paused_changed`` is the hook for what else a
    pause holds (Evolve's clock).
    """

    def toggle_pause(self) -> None:
        """Pause a running run, or resume a paused one."""
        if self.running:
            self.pause_button.toggle()

    def stop_run(self) -> None:
        """End the run command now; the unfinished generation is discarded, the run can go on."""
        if self.worker is not None and self.running:
            self.worker.stop()

    def _set_pause_button(self, paused: bool) -> None:
        with QSignalBlocker(self.pause_button):
            self.pause_button.setChecked(paused)
            self.pause_button.setText("Resume" if paused else "Pause")

    def _on_pause_toggled(self, paused: bool) -> None:
        if self.worker is None or not self.running:
            self._set_pause_button(False)
            return
        self.paused = paused
        self._set_pause_button(paused)
        if paused:
            self.worker.pause()
        else:
            self.worker.resume()
        self._paused_changed(paused)
        self._publish_status()

    def _paused_changed(self, paused: bool) -> None:
        """Called after the worker was paused or resumed."""
