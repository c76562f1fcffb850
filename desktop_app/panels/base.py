"""What a panel is: a widget that draws a run's reports, chosen for the runs whose reports it can draw.

A panel subclasses ``Panel``, says which runs it serves in ``accepts(run)`` (from what the run's
reports carry: its algorithm, its extras type, its task) and draws in ``update_from(history)``.
It is registered by one line in ``desktop_app/registry.py``; the Evolve workspace then shows it
as a tab (or in the main area) for every run it accepts.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

from PySide6.QtWidgets import QWidget

from core.networks.snapshot import GenomeSnapshot
from core.runs.reports import GenerationReport


@dataclass(frozen=True, slots=True)
class RunInfo:
    """What panels know about the run they draw (fixed for the run's life).

    Attributes:
        algorithm: registry name ("neat", "ga", ...).
        algorithm_title: the algorithm's display name.
        extras_type: the type of ``report.extras`` (None when the algorithm has none).
        config: the run's frozen config.
        task_spec: the task's ``spec()``.
        seed: the run's seed entropy.
        recurrent: whether evaluated networks may hold cycles.
        input_names / output_names: names of the genomes' input and output nodes, in node-id order.
        source: a file or folder the run came from, if any.
    """

    algorithm: str
    algorithm_title: str
    extras_type: type | None
    config: Any
    task_spec: dict[str, Any]
    seed: int
    recurrent: bool
    input_names: tuple[str, ...]
    output_names: tuple[str, ...]
    source: str | None = None

    def extras_field(self, name: str) -> bool:
        """Whether this run's report extras carry a field called ``name``."""
        if self.extras_type is None or not dataclasses.is_dataclass(self.extras_type):
            return False
        return any(f.name == name for f in dataclasses.fields(self.extras_type))

    @property
    def extras_kind(self) -> str:
        """The extras' ``kind`` ("neat", "es", "ga", ...), or "" without extras."""
        return str(getattr(self.extras_type, "kind", "")) if self.extras_type is not None else ""

    @property
    def episodic(self) -> bool:
        """Whether the task plays episodes in an environment (so a genome can be replayed)."""
        return self.task_spec.get("name") in ("cartpole", "double-pole", "double-pole-nv", "gym")

    @property
    def task_title(self) -> str:
        """The task as the user named it (a gymnasium id, or the built-in task's name)."""
        return str(self.task_spec.get("env_id") or self.task_spec.get("name") or "task")


class PanelHost(Protocol):
    """What a panel may ask of the workspace hosting it."""

    def select_genome(self, genome: GenomeSnapshot, label: str) -> None:
        """Show this genome wherever genomes are shown (graph, replay)."""
        ...

    def show_message(self, text: str, timeout_ms: int = 5000) -> None:
        """A short note in the status bar."""
        ...


class Panel(QWidget):
    """Base of every panel (see the module docstring).

    Class attributes:
        key: short name used by ``neatscope screenshot --tab`` and settings.
        title: the tab's label.
        help: "what am I looking at", shown by Help > What am I looking at (F1).
        order: tabs are sorted by this.
        placement: "main" (always visible, left of the tabs) or "tab".
    """

    key: ClassVar[str] = ""
    title: ClassVar[str] = ""
    help: ClassVar[str] = ""
    order: ClassVar[int] = 100
    placement: ClassVar[str] = "tab"

    def __init__(self, host: PanelHost, parent: QWidget | None = None):
        super().__init__(parent)
        self.host = host
        self.run: RunInfo | None = None

    @classmethod
    def accepts(cls, run: RunInfo) -> bool:
        """Whether this panel can draw ``run``'s reports (default: every run)."""
        return True

    def start_run(self, run: RunInfo) -> None:
        """A new run (New, Reset, Open, Resume) begins: forget everything about the last one.

        Overrides call this first, then clear their drawings, zoom and selections.
        """
        self.run = run

    def update_from(self, history: Sequence[GenerationReport]) -> None:
        """Draw from the run's whole report history (called while the panel is visible)."""

    def show_genome(self, genome: GenomeSnapshot, label: str) -> bool:
        """Offered a genome the user picked elsewhere; return True if this panel now shows it."""
        return False

    def release(self) -> None:
        """A run this panel does not serve begins: let go of the last run's data (it stays hidden)."""
        self.run = None

    def close_panel(self) -> None:
        """The window closes: stop timers, release resources."""
