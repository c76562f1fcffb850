"""The champion's graph (or any genome the user picks in another panel)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QVBoxLayout, QWidget

from core.networks.snapshot import GenomeSnapshot
from core.runs.reports import GenerationReport
from desktop_app.panels.base import Panel, PanelHost, RunInfo
from desktop_app.widgets.network_view import NetworkView


class ChampionPanel(Panel):
    """Draws the latest champion; a genome picked elsewhere stays until the next report batch."""

    key = "graph"
    title = "Champion graph"
    order = 10
    help = (
        "<b>Champion graph</b>: the best genome of the latest generation, inputs on the left (named "
        "from the task), outputs on the right, hidden nodes in columns by depth. Red edges have "
        "positive weights, blue negative; width grows with |weight|; dashed edges are disabled genes, "
        "curved ones recurrent. Numbers on edges are innovation numbers (hover any edge or node for "
        "details). Node fill shows the activation function (see the key below the graph).<br>"
        "Clicking a species (Species panel) or a lineage shows that genome here instead."
    )

    def __init__(self, host: PanelHost, parent: QWidget | None = None):
        super().__init__(host, parent)
        self.view = NetworkView()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        self._picked = False

    def start_run(self, run: RunInfo) -> None:
        """Clear the drawing; name nodes from the run's task."""
        super().start_run(run)
        self.view.set_names(run.input_names, run.output_names)
        self.view.show_genome(None, "Champion: no generation yet")
        self.view.reset_view()
        self._picked = False

    def update_from(self, history: Sequence[GenerationReport]) -> None:
        """Show the latest champion (replacing a picked genome once new reports arrive)."""
        if not history:
            self.view.show_genome(None, "Champion: no generation yet")
            return
        last = history[-1]
        self.view.show_genome(
            last.champion, f"Champion of generation {last.generation}: genome {last.champion.genome_id}, fitness {last.best_fitness:.4f}"
        )
        self._picked = False

    def show_genome(self, genome: GenomeSnapshot, label: str) -> bool:
        """Show a genome picked elsewhere (until the next batch brings a new champion)."""
        self.view.show_genome(genome, label[:1].upper() + label[1:], force=True)
        self.view.reset_view()
        self._picked = True
        return True
