"""Species sizes over generations as stacked bands, and a table of the current species."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core.runs.reports import GenerationReport

COLUMNS = ("species", "size", "best", "age", "stagnation", "offspring")


def species_colour(species_id: int) -> tuple[int, int, int]:
    """A stable colour per species id (golden-ratio hues, so neighbours differ)."""
    colour = pg.hsvColor((species_id * 0.618033988749895) % 1.0, sat=0.55, val=0.92)
    return colour.red(), colour.green(), colour.blue()


def stacked_sizes(history: Sequence[GenerationReport]) -> tuple[list[int], np.ndarray]:
    """Species ids in order of appearance and their sizes, shape (species, generations)."""
    ids: list[int] = []
    for report in history:
        for s in report.species:
            if s.species_id not in ids:
                ids.append(s.species_id)
    row = {species_id: i for i, species_id in enumerate(ids)}
    sizes = np.zeros((len(ids), len(history)))
    for g, report in enumerate(history):
        for s in report.species:
            sizes[row[s.species_id], g] = s.size
    return ids, sizes


def stacked_image(ids: list[int], sizes: np.ndarray) -> np.ndarray:
    """RGBA image (generations, genomes, 4) of stacked species sizes, one column per generation.

    Drawn as one image rather than one filled curve per species: one image costs the same to
    paint however many species and generations there are.
    """
    generations = sizes.shape[1] if sizes.size else 0
    height = int(sizes.sum(axis=0).max()) if generations else 1
    image = np.zeros((max(generations, 1), max(height, 1), 4), dtype=np.uint8)
    if not generations:
        return image
    colours = np.array([(*species_colour(i), 230) for i in ids], dtype=np.uint8)
    counts = sizes.astype(np.intp)
    for g in range(generations):
        column = np.repeat(colours, counts[:, g], axis=0)
        image[g, : len(column)] = column
    return image


class SpeciesPlot(QWidget):
    """Stacked-area species plot over a species table; a click selects a species.

    Signals:
        speciesSelected(int): the species id whose row was clicked.
    """

    speciesSelected = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.plot = pg.PlotWidget(title="Species sizes")
        self.plot.setLabel("bottom", "generation")
        self.plot.setLabel("left", "genomes")
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setToolTip("Click a species to show its best genome in the graph panel")
        self.table.cellClicked.connect(self._on_cell_clicked)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.plot)
        splitter.addWidget(self.table)
        splitter.setSizes([300, 160])
        self._splitter = splitter
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)
        self.image = pg.ImageItem(axisOrder="col-major")
        self.plot.addItem(self.image)

    def _on_cell_clicked(self, row: int, _column: int) -> None:
        item = self.table.item(row, 0)
        if item is not None:
            self.speciesSelected.emit(int(item.text()))

    def update_from(self, history: Sequence[GenerationReport]) -> None:
        """Redraw the stacked species area from the whole history and the table from the last report."""
        ids, sizes = stacked_sizes(history) if history else ([], np.zeros((0, 0)))
        self.image.setImage(stacked_image(ids, sizes), autoLevels=False, levels=(0, 255))
        if history:
            self.image.setRect(history[0].generation - 0.5, 0.0, float(len(history)), float(max(1, sizes.sum(axis=0).max())))
        last = history[-1].species if history else ()
        self.table.setRowCount(len(last))
        for row, s in enumerate(last):
            values = (s.species_id, s.size, f"{s.best_fitness:.4f}", s.age, s.stagnation, s.offspring)
            for column, value in enumerate(values):
                item = QTableWidgetItem(str(value))
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if column == 0:
                    item.setBackground(pg.mkBrush(*species_colour(s.species_id)))
                self.table.setItem(row, column, item)
