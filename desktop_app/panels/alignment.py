"""Two genomes' genes lined up by innovation number, as in the paper's figure 4, with the
compatibility distance broken into its three terms."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core.algorithms.neat.compatibility import align, compatibility
from core.algorithms.neat.config import SpeciationConfig
from core.networks.snapshot import GenomeSnapshot
from core.runs.reports import GenerationReport
from desktop_app.panels.base import Panel, PanelHost, RunInfo

# Background per gene class; a legend under the table names them.
CLASS_COLOURS = {
    "matching": QColor(225, 240, 225),
    "disjoint": QColor(255, 236, 170),
    "excess": QColor(255, 200, 160),
}
ROWS = ("A", "B")


def alignment_candidates(history: Sequence[GenerationReport]) -> list[tuple[str, GenomeSnapshot, int | None]]:
    """Genomes offered for alignment, as (label, genome, species id): the latest champion, each
    species' best, and the first generation's champion."""
    if not history:
        return []
    last = history[-1]
    champion_species = next((s.species_id for s in last.species if s.best_genome.genome_id == last.champion.genome_id), None)
    candidates = [(f"Champion, generation {last.generation} (genome {last.champion.genome_id})", last.champion, champion_species)]
    candidates += [(f"Best of species {s.species_id} (genome {s.best_genome.genome_id})", s.best_genome, s.species_id) for s in last.species]
    first = history[0]
    if first is not last:
        candidates.append((f"Champion, generation {first.generation} (genome {first.champion.genome_id})", first.champion, None))
    return candidates


class AlignmentPanel(Panel):
    """Pick two genomes; see matching / disjoint / excess genes and delta's three terms."""

    key = "alignment"
    title = "Gene alignment"
    order = 30
    help = (
        "<b>Gene alignment</b> (the paper's figure 4): two genomes' connection genes lined up by "
        "innovation number. <i>Matching</i> genes share an innovation number; <i>disjoint</i> genes "
        "fall inside the other genome's range, <i>excess</i> genes beyond it. Each cell shows in→out "
        "and the weight; struck-through genes are disabled.<br>Below: the compatibility distance "
        "δ = c1·E/N + c2·D/N + c3·W̄ that decides whether the two would share a species. By default "
        "B is the best genome of another species than A, so δ is above the threshold."
    )

    @classmethod
    def accepts(cls, run: RunInfo) -> bool:
        """Runs with NEAT's speciation config (innovation-numbered genes, δ coefficients)."""
        return run.extras_field("species") and hasattr(run.config, "speciation")

    def __init__(self, host: PanelHost, parent: QWidget | None = None):
        super().__init__(host, parent)
        self.first_box = QComboBox()
        self.second_box = QComboBox()
        for box in (self.first_box, self.second_box):
            box.setToolTip("Genomes of the latest generation: its champion and the best of each species")
            box.currentIndexChanged.connect(self._refresh)
        pickers = QFormLayout()
        pickers.addRow("Genome A", self.first_box)
        pickers.addRow("Genome B", self.second_box)
        self.table = QTableWidget(len(ROWS), 0)
        self.table.setVerticalHeaderLabels(list(ROWS))
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setToolTip("Columns are innovation numbers; each cell is in→out and weight")
        self.breakdown = QLabel("Pick two genomes")
        self.breakdown.setTextFormat(Qt.TextFormat.RichText)
        self.breakdown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.breakdown.setWordWrap(True)
        legend = QLabel(
            " ".join(
                f'<span style="background-color:{colour.name()}">&nbsp;{name}&nbsp;</span>' for name, colour in CLASS_COLOURS.items()
            )
            + "&nbsp; struck-through: disabled gene"
        )
        layout = QVBoxLayout(self)
        layout.addLayout(pickers)
        layout.addWidget(self.table, 1)
        layout.addWidget(legend)
        layout.addWidget(self.breakdown)
        self._candidates: list[tuple[str, GenomeSnapshot, int | None]] = []
        self._speciation: SpeciationConfig | None = None

    def start_run(self, run: RunInfo) -> None:
        """Forget the last run's genomes and picks."""
        super().start_run(run)
        self.set_candidates([], getattr(run.config, "speciation", None))

    def update_from(self, history: Sequence[GenerationReport]) -> None:
        """Offer the latest generation's champion and species bests."""
        self.set_candidates(alignment_candidates(history), getattr(self.run.config, "speciation", None) if self.run else None)

    def set_candidates(self, candidates: list[tuple[str, GenomeSnapshot, int | None]], speciation: SpeciationConfig | None) -> None:
        """Offer these (label, genome, species) entries; keeps the current picks when their labels
        remain, else A is the first and B the best of another species than A's."""
        previous = (self.first_box.currentText(), self.second_box.currentText())
        self._candidates = list(candidates)
        self._speciation = speciation
        labels = [label for label, _, _ in candidates]
        first = labels.index(previous[0]) if previous[0] in labels else 0
        if previous[1] in labels:
            second = labels.index(previous[1])
        else:
            first_species = candidates[first][2] if candidates else None
            second = next(
                (i for i, (_, genome, species) in enumerate(candidates) if species is not None and species != first_species),
                min(1, len(labels) - 1),
            )
        for box, index in ((self.first_box, first), (self.second_box, second)):
            box.blockSignals(True)
            box.clear()
            box.addItems(labels)
            box.setCurrentIndex(index if labels else -1)
            box.blockSignals(False)
        self._refresh()

    def compare(self, first: int, second: int) -> None:
        """Show candidates ``first`` and ``second`` (indices into the offered list)."""
        self.first_box.setCurrentIndex(first)
        self.second_box.setCurrentIndex(second)
        self._refresh()

    def _refresh(self) -> None:
        a_index, b_index = self.first_box.currentIndex(), self.second_box.currentIndex()
        if a_index < 0 or b_index < 0 or self._speciation is None:
            self.table.setColumnCount(0)
            self.breakdown.setText("Pick two genomes")
            return
        a = self._candidates[a_index][1]
        b = self._candidates[b_index][1]
        alignment = align(a.to_genome(), b.to_genome())
        gene_class = {k: "matching" for k in alignment.matching}
        gene_class.update({k: "disjoint" for k in alignment.disjoint_a + alignment.disjoint_b})
        gene_class.update({k: "excess" for k in alignment.excess_a + alignment.excess_b})
        innovations = sorted(gene_class)
        self.table.setColumnCount(len(innovations))
        self.table.setHorizontalHeaderLabels([str(k) for k in innovations])
        for row, genome in enumerate((a, b)):
            genes = {c.innovation: c for c in genome.connections}
            for column, innovation in enumerate(innovations):
                gene = genes.get(innovation)
                item = QTableWidgetItem("" if gene is None else f"{gene.in_node}→{gene.out_node}\n{gene.weight:+.2f}")
                if gene is not None:
                    item.setBackground(QBrush(CLASS_COLOURS[gene_class[innovation]]))
                    item.setToolTip(f"innovation {innovation}: {gene_class[innovation]}" + ("" if gene.enabled else ", disabled"))
                    if not gene.enabled:
                        font = item.font()
                        font.setStrikeOut(True)
                        item.setFont(font)
                self.table.setItem(row, column, item)
        self.table.resizeColumnsToContents()
        self.table.resizeRowsToContents()
        delta = compatibility(a.to_genome(), b.to_genome(), self._speciation)
        config = self._speciation
        self.breakdown.setText(
            f"E = {delta.excess}, D = {delta.disjoint}, matching = {delta.matching}, N = {delta.normalizer}, "
            f"W̄ = {delta.mean_weight_difference:.3f}<br>"
            f"δ = c1·E/N + c2·D/N + c3·W̄ = {config.excess_coefficient:g}·{delta.excess}/{delta.normalizer} "
            f"+ {config.disjoint_coefficient:g}·{delta.disjoint}/{delta.normalizer} "
            f"+ {config.weight_coefficient:g}·{delta.mean_weight_difference:.3f}"
            # The sum on a line of its own: at the default panel width the result was cut off.
            f"<br>δ = {delta.excess_term:.3f} + {delta.disjoint_term:.3f} + {delta.weight_term:.3f} = <b>{delta.distance:.3f}</b>"
        )
        self.delta = delta

    @property
    def gene_classes(self) -> dict[int, str]:
        """Innovation number → class of every column shown (read from the table)."""
        classes = {}
        for column in range(self.table.columnCount()):
            innovation = int(self.table.horizontalHeaderItem(column).text())
            for row in range(self.table.rowCount()):
                item = self.table.item(row, column)
                if item is not None and item.text():
                    colour = item.background().color()
                    classes[innovation] = next(name for name, c in CLASS_COLOURS.items() if c == colour)
        return classes
