"""Species of a speciated run (NEAT and its kin): sizes as stacked bands ordered by lineage, the
lineage tree (which species split from which, birth and extinction), and the current species.

Colours follow the lineage: each root species gets its own hue and its descendants shades of
it, fixed at birth, so a family reads as one band even when a large population splits into
many small species. Clicking a band, a lineage row or a table row shows that species' best
genome in the graph and replay panels.
"""

from __future__ import annotations

import colorsys
from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSizePolicy,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core.algorithms.neat.lineage import SpeciesLife, lineage_order, major_ancestor, major_species, size_matrix, species_at, species_lives
from core.runs.reports import GenerationReport
from desktop_app.panels.base import Panel, PanelHost, RunInfo
from desktop_app.theme import style_plot
from desktop_app.widgets.plots import RangeKeeper

COLUMNS = ("species", "split from", "size", "best", "age", "stagnation", "offspring")
GOLDEN = 0.618033988749895
# With "Fold small species", at most this many species get bands (and lineage rows) of their own.
MAX_BANDS = 16
EMPTY_GENERATIONS = 10.0


def species_colours(lives: dict[int, SpeciesLife], majors: set[int]) -> dict[int, tuple[int, int, int]]:
    """A colour per species that never changes: a major species' hue comes from its id (golden
    ratio steps, so species born one after the other differ); a folded small species takes a
    pale tint of its major ancestor, so it reads as part of that band."""
    colours = {}
    for sid in lives:
        if sid in majors:
            value = 0.92 if sid % 2 == 0 else 0.78
            r, g, b = colorsys.hsv_to_rgb((sid * GOLDEN) % 1.0, 0.6, value)
            colours[sid] = (int(r * 255), int(g * 255), int(b * 255))
    for sid in lives:
        if sid not in majors:
            ancestor = major_ancestor(lives, sid, majors)
            base = colours.get(ancestor, (150, 150, 150))
            colours[sid] = tuple(int(c + 0.55 * (255 - c)) for c in base)
    return colours


def band_order(lives: dict[int, SpeciesLife], majors: set[int]) -> tuple[list[int], list[int]]:
    """(stacking order of every species, lineage rows of the major ones).

    Majors follow the lineage (descendants after their ancestor); each major's folded small
    descendants are stacked right after it, so a family is one band.
    """
    order = lineage_order(lives)
    rows = [sid for sid in order if sid in majors]
    followers: dict[int, list[int]] = {}
    for sid in order:
        if sid not in majors:
            followers.setdefault(major_ancestor(lives, sid, majors), []).append(sid)
    stacked = []
    for sid in rows:
        stacked.append(sid)
        stacked.extend(followers.get(sid, ()))
    stacked.extend(followers.get(-1, ()))
    return stacked, rows


def stacked_image(order: list[int], sizes: np.ndarray, colours: dict[int, tuple[int, int, int]]) -> np.ndarray:
    """RGBA image (generations, genomes, 4) of stacked species sizes, one column per generation.

    Drawn as one image rather than one filled curve per species: one image costs the same to
    paint however many species and generations there are.
    """
    generations = sizes.shape[1] if sizes.size else 0
    height = int(sizes.sum(axis=0).max()) if generations else 1
    image = np.zeros((max(generations, 1), max(height, 1), 4), dtype=np.uint8)
    if not generations:
        return image
    palette = np.array([(*colours[sid], 235) for sid in order], dtype=np.uint8)
    counts = sizes.astype(np.intp)
    for g in range(generations):
        column = np.repeat(palette, counts[:, g], axis=0)
        image[g, : len(column)] = column
    return image


# Lineage image resolution: pixels per generation and per species row (a row's last pixel stays
# empty, so neighbouring rows read as separate bars; the birth tick is one pixel wide).
TREE_X = 6
TREE_Y = 4


def lineage_image(
    order: list[int], lives: dict[int, SpeciesLife], first_generation: int, generations: int, colours, majors: set[int] | None = None
) -> np.ndarray:
    """RGBA image (generations * TREE_X, rows * TREE_Y, 4) of the lineage tree: row i is species
    ``order[i]``, a bar while it lives; a thin grey tick at its birth joins it to the row of its
    parent (its nearest major ancestor when small species are folded)."""
    rows = len(order)
    image = np.zeros((max(generations, 1) * TREE_X, max(rows, 1) * TREE_Y, 4), dtype=np.uint8)
    row = {sid: i for i, sid in enumerate(order)}
    for sid in order:
        life = lives[sid]
        a, b = (life.born - first_generation) * TREE_X, (life.last - first_generation + 1) * TREE_X
        top = row[sid] * TREE_Y
        image[a:b, top : top + TREE_Y - 1] = (*colours[sid], 255)
        parent = life.parent_id if majors is None or life.parent_id == -1 else major_ancestor(lives, life.parent_id, majors)
        if parent in row:
            lo, hi = sorted((row[parent] * TREE_Y, top))
            tick = image[a, lo : hi + TREE_Y - 1]
            empty = tick[:, 3] == 0
            tick[empty] = (110, 110, 110, 255)
    return image


class SpeciesPanel(Panel):
    """Stacked sizes, lineage tree and species table; a click selects a species.

    Signals:
        speciesSelected(int): a species was picked (band, lineage row or table row).
    """

    key = "species"
    title = "Species"
    order = 20
    help = (
        "<b>Species</b>: NEAT protects new structure by grouping genomes into species by "
        "compatibility distance δ (paper section 3.3).<br>"
        "<b>Sizes</b> (top): members of each species per generation, stacked. Bands are ordered by "
        "lineage, so a species sits next to the one it split from; each species keeps its colour "
        "for the whole run. With <i>Fold small species</i> (on by default) only the 16 species that "
        "weigh most in the run (member-generations; at least 1% of the population at their peak) "
        "get bands of their own; the others are drawn as a pale part of their nearest such "
        "ancestor's band: a large population splits off many small, short-lived species.<br>"
        "<b>Lineage</b> (middle): one row per (large) species from birth (left end) to extinction "
        "(right end); a grey tick joins a new species to the species it split from.<br>"
        "<b>Table</b>: the species of the latest generation. Click a band, a row of the lineage or "
        "of the table to see that species' best genome in the graph (and replay) panel."
    )

    speciesSelected = Signal(int)

    @classmethod
    def accepts(cls, run: RunInfo) -> bool:
        """Runs whose reports carry species."""
        return run.extras_field("species")

    def __init__(self, host: PanelHost, parent: QWidget | None = None):
        super().__init__(host, parent)
        self.sizes_plot = pg.PlotWidget(title="Species sizes, ordered by lineage")
        self.sizes_plot.setLabel("left", "genomes")
        self.lineage_plot = pg.PlotWidget(title="Lineage: rows live from birth to extinction")
        self.lineage_plot.setLabel("bottom", "generation")
        self.lineage_plot.setLabel("left", "species")
        self.lineage_plot.getAxis("left").setStyle(showValues=False)
        self.lineage_plot.invertY(True)
        self.lineage_plot.setXLink(self.sizes_plot)
        for plot in (self.sizes_plot, self.lineage_plot):
            plot.setMinimumHeight(80)
            style_plot(plot.getPlotItem())
            plot.getPlotItem().disableAutoRange()
        self.image = pg.ImageItem(axisOrder="col-major")
        self.sizes_plot.addItem(self.image)
        self.tree = pg.ImageItem(axisOrder="col-major")
        self.lineage_plot.addItem(self.tree)
        self.sizes_plot.scene().sigMouseClicked.connect(lambda event: self._on_plot_clicked(event, self.sizes_plot))
        self.lineage_plot.scene().sigMouseClicked.connect(lambda event: self._on_plot_clicked(event, self.lineage_plot))
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setToolTip("Click a species to show its best genome in the graph panel")
        self.table.cellClicked.connect(self._on_cell_clicked)
        self.table.setMinimumHeight(60)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        # A fixed height: a summary that rewraps each batch would resize the plots above it.
        self.summary.setFixedHeight(2 * self.summary.fontMetrics().lineSpacing() + 4)
        self.summary.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.fold_box = QCheckBox("Fold small species")
        self.fold_box.setChecked(True)
        self.fold_box.setToolTip(
            f"Give bands and lineage rows only to the {MAX_BANDS} species that weigh most in the run; draw the others as part of their nearest such ancestor"
        )
        self.fold_box.toggled.connect(lambda _: self.update_from(self.history))
        footer = QHBoxLayout()
        footer.addWidget(self.summary, 1)
        footer.addWidget(self.fold_box)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.sizes_plot)
        splitter.addWidget(self.lineage_plot)
        splitter.addWidget(self.table)
        splitter.setSizes([260, 200, 160])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter, 1)
        layout.addLayout(footer)
        self.history: Sequence[GenerationReport] = ()
        self.order: list[int] = []
        self.rows: list[int] = []
        self.majors: set[int] = set()
        self.lives: dict[int, SpeciesLife] = {}
        self.colours: dict[int, tuple[int, int, int]] = {}
        self.selected_species: int | None = None
        self.ranges = RangeKeeper()
        self._show_empty()

    # --- drawing ---------------------------------------------------------------------------

    def start_run(self, run: RunInfo) -> None:
        """Forget the last run's species, selection and zoom."""
        super().start_run(run)
        self.selected_species = None
        self.table.clearSelection()
        self.table.setRowCount(0)
        self.history = ()
        self.order, self.rows, self.lives, self.colours, self.majors = [], [], {}, {}, set()
        self._show_empty()

    def _show_empty(self) -> None:
        empty = np.zeros((1, 1, 4), dtype=np.uint8)
        self.image.setImage(empty, autoLevels=False, levels=(0, 255))
        self.tree.setImage(empty, autoLevels=False, levels=(0, 255))
        self.ranges.reset()
        # Not pyqtgraph's empty default of -500..500 "generation (x0.001)".
        self.sizes_plot.setXRange(-0.5, EMPTY_GENERATIONS, padding=0)
        self.sizes_plot.setYRange(0, 1, padding=0)
        self.lineage_plot.setYRange(0, 1, padding=0)
        self.summary.setText("")

    def update_from(self, history: Sequence[GenerationReport]) -> None:
        """Redraw bands and lineage from the whole history, the table from the last report."""
        self.history = history
        if not history:
            self.table.setRowCount(0)
            self._show_empty()
            return
        self.lives = species_lives(history)
        population = sum(s.size for s in history[-1].species)
        self.min_size = max(2, int(np.ceil(0.01 * population)))
        self.majors = major_species(self.lives, self.min_size, MAX_BANDS) if self.fold_box.isChecked() else set(self.lives)
        self.order, self.rows = band_order(self.lives, self.majors)
        self.colours = species_colours(self.lives, self.majors)
        sizes = size_matrix(history, self.order)
        first = history[0].generation
        self.image.setImage(stacked_image(self.order, sizes, self.colours), autoLevels=False, levels=(0, 255))
        height = float(max(1.0, sizes.sum(axis=0).max()))
        self.image.setRect(first - 0.5, 0.0, float(len(history)), height)
        folded = self.majors if self.fold_box.isChecked() else None
        self.tree.setImage(lineage_image(self.rows, self.lives, first, len(history), self.colours, folded), autoLevels=False, levels=(0, 255))
        self.tree.setRect(first - 0.5, 0.0, float(len(history)), float(max(1, len(self.rows))))
        last_generation = float(history[-1].generation)
        self.ranges.apply("x", self.sizes_plot.setXRange, first - 0.5, max(last_generation + 0.5, EMPTY_GENERATIONS), fixed_lo=True)
        self.ranges.apply("sizes", self.sizes_plot.setYRange, 0.0, height, fixed_lo=True)
        self.ranges.apply("rows", self.lineage_plot.setYRange, 0.0, float(max(1, len(self.rows))), fixed_lo=True)
        alive = len(history[-1].species)
        folded = len(self.lives) - len(self.majors)
        self.summary.setText(
            f"{alive} species alive, {len(self.lives)} in the run so far, {len(self.lives) - alive} extinct"
            + (f"; {folded} smaller ones folded into the {len(self.majors)} largest" if folded else "")
        )
        self._fill_table(history[-1])

    def _fill_table(self, report: GenerationReport) -> None:
        species = report.species
        self.table.setUpdatesEnabled(False)
        self.table.setRowCount(len(species))
        selected_row = None
        for row, s in enumerate(species):
            parent = getattr(s, "parent_id", -1)
            values = (s.species_id, "—" if parent < 0 else parent, s.size, f"{s.best_fitness:.4f}", s.age, s.stagnation, s.offspring)
            for column, value in enumerate(values):
                item = QTableWidgetItem(str(value))
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if column == 0:
                    item.setBackground(pg.mkBrush(*self.colours.get(s.species_id, (200, 200, 200))))
                self.table.setItem(row, column, item)
            if s.species_id == self.selected_species:
                selected_row = row
        # The selection follows the species, not the row index; an extinct species is deselected.
        self.table.clearSelection()
        if selected_row is not None:
            self.table.selectRow(selected_row)
        self.table.setUpdatesEnabled(True)

    # --- picking ---------------------------------------------------------------------------

    def _on_cell_clicked(self, row: int, _column: int) -> None:
        item = self.table.item(row, 0)
        if item is not None:
            self.select_species(int(item.text()))

    def _on_plot_clicked(self, event, plot: pg.PlotWidget) -> None:
        if not self.history:
            return
        point = plot.getPlotItem().vb.mapSceneToView(event.scenePos())
        index = int(round(point.x())) - self.history[0].generation
        if plot is self.sizes_plot:
            species_id = species_at(self.history, self.order, index, point.y())
        else:
            row = int(np.floor(point.y()))
            species_id = self.rows[row] if 0 <= row < len(self.rows) else None
        if species_id is not None:
            self.select_species(species_id, index)

    def select_species(self, species_id: int, generation_index: int | None = None) -> bool:
        """Pick a species: its best genome (at that generation, else its latest) goes to the host."""
        found = None
        reports = list(self.history)
        if generation_index is not None and 0 <= generation_index < len(reports):
            found = next(((reports[generation_index], s) for s in reports[generation_index].species if s.species_id == species_id), None)
        if found is None:
            for report in reversed(reports):
                match = next((s for s in report.species if s.species_id == species_id), None)
                if match is not None:
                    found = (report, match)
                    break
        if found is None:
            return False
        report, snapshot = found
        self.selected_species = species_id
        if reports and report is reports[-1]:
            self._fill_table(report)
        self.speciesSelected.emit(species_id)
        self.host.select_genome(
            snapshot.best_genome,
            f"best of species {species_id} in generation {report.generation} (genome {snapshot.best_genome.genome_id}, fitness {snapshot.best_fitness:.4f})",
        )
        return True
