"""The weight GA's elite: its seed chain, and its lineage over the run.

A Deep-GA genome is a seed chain (Such et al. 2017, section 3.1): the seed of its initial
weights, then one (seed, σ) per mutation. Elites that share a chain prefix share that ancestry,
so drawing every generation's elite chain as a column of cells coloured by seed shows the
lineage directly: runs of equal colour are inherited mutations, and a colour change low in a
column means the elite was replaced by a genome from another branch.
"""

from __future__ import annotations

import colorsys
from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QLabel, QSplitter, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from core.runs.reports import GenerationReport
from desktop_app.panels.base import Panel, PanelHost, RunInfo
from desktop_app.theme import BEST, MEAN, style_plot
from desktop_app.widgets.plots import RangeKeeper, add_plot, legend_row

GOLDEN = 0.618033988749895
EMPTY_GENERATIONS = 10.0


def seed_colour(seed: int) -> tuple[int, int, int]:
    """A colour that stands for one seed (the same seed is the same colour everywhere)."""
    hue = ((seed % 1_000_003) * GOLDEN) % 1.0
    value = 0.95 if (seed >> 7) % 2 else 0.78
    r, g, b = colorsys.hsv_to_rgb(hue, 0.55, value)
    return int(r * 255), int(g * 255), int(b * 255)


def chain_seeds(chain: tuple) -> list[int]:
    """The seeds of an elite chain as the report stores it: (init_seed, (seed, sigma), ...)."""
    return [int(chain[0])] + [int(pair[0]) for pair in chain[1:]]


def shared_prefix(a: Sequence[int], b: Sequence[int]) -> int:
    """How many leading seeds two chains share (their common ancestry)."""
    count = 0
    for x, y in zip(a, b):
        if x != y:
            break
        count += 1
    return count


def ancestor_generations(history: Sequence[GenerationReport]) -> list[int]:
    """Generations whose elite is an ancestor of (or is) the latest elite: its chain is a prefix
    of the latest chain."""
    if not history:
        return []
    latest = history[-1].extras.elite_chain
    result = []
    for report in history:
        chain = report.extras.elite_chain
        # Seeds are drawn from 2**62 values: equal last entries at one position mean the same
        # chain, so one comparison decides instead of a whole prefix.
        if len(chain) <= len(latest) and chain[-1] == latest[len(chain) - 1] and chain[0] == latest[0]:
            result.append(report.generation)
    return result


class GaLineagePanel(Panel):
    """Chain image over generations, elite fitness traces, and the latest elite's chain."""

    key = "ga"
    title = "GA elite lineage"
    order = 40
    help = (
        "<b>GA elite lineage</b> (Deep-GA, Such et al. 2017): a genome is a seed chain, the seed of "
        "its initial weights followed by one (seed, σ) per mutation.<br><b>Top</b>: every "
        "generation's elite chain as a column, initial seed at the bottom, one colour per seed. "
        "Horizontal runs of one colour are ancestry shared across generations; where a column "
        "changes colour low down, the elite came from another branch. Black ticks on top mark the "
        "generations whose elite is an ancestor of the latest one. Click a column to see that "
        "elite's network.<br><b>Middle</b>: the elite's fitness and, on noisy tasks, its mean over "
        "the validation episodes that chose it.<br><b>Table</b>: the latest elite's chain."
    )

    @classmethod
    def accepts(cls, run: RunInfo) -> bool:
        """Runs whose reports carry an elite seed chain."""
        return run.extras_field("elite_chain")

    def __init__(self, host: PanelHost, parent: QWidget | None = None):
        super().__init__(host, parent)
        self.chain_plot = pg.PlotWidget(title="Elite seed chain per generation (bottom: initial seed)")
        style_plot(self.chain_plot.getPlotItem())
        self.chain_plot.setLabel("left", "chain position")
        self.chain_plot.getPlotItem().disableAutoRange()
        self.chain_plot.setMinimumHeight(80)
        self.image = pg.ImageItem(axisOrder="col-major")
        self.chain_plot.addItem(self.image)
        self.ancestors = pg.ScatterPlotItem(symbol="t", size=7, brush=pg.mkBrush(30, 30, 30), pen=None)
        self.chain_plot.addItem(self.ancestors)
        self.chain_plot.scene().sigMouseClicked.connect(self._on_clicked)

        self.fitness_graphics = pg.GraphicsLayoutWidget()
        self.fitness_graphics.setMinimumHeight(80)
        legend = legend_row(self.fitness_graphics.ci, 0)
        self.fitness_plot = add_plot(self.fitness_graphics.ci, 1)
        self.fitness_plot.setLabel("bottom", "generation")
        self.fitness_plot.setXLink(self.chain_plot.getPlotItem())
        self.fitness_plot.disableAutoRange()
        self.elite_curve = self.fitness_plot.plot(pen=pg.mkPen(*BEST, width=2))
        self.validation_curve = self.fitness_plot.plot(pen=pg.mkPen(*MEAN, width=1, style=Qt.PenStyle.DashLine))
        legend.addItem(self.elite_curve, "elite fitness")
        legend.addItem(self.validation_curve, "elite validation fitness")

        self.summary = QLabel()
        self.summary.setWordWrap(True)
        # A fixed height: a summary that rewraps each batch would resize the plots below it.
        self.summary.setFixedHeight(3 * self.summary.fontMetrics().lineSpacing() + 6)
        self.summary.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(("step", "seed", "σ"))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setMinimumHeight(60)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.chain_plot)
        splitter.addWidget(self.fitness_graphics)
        splitter.addWidget(self.table)
        splitter.setSizes([280, 180, 160])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.summary)
        layout.addWidget(splitter, 1)
        self.history: Sequence[GenerationReport] = ()
        self._columns: list[np.ndarray] = []
        self.ranges = RangeKeeper()
        self._show_empty()

    def start_run(self, run: RunInfo) -> None:
        """Forget the last run's chains."""
        super().start_run(run)
        self.history = ()
        self._columns = []
        self._show_empty()

    def _show_empty(self) -> None:
        self.image.setImage(np.zeros((1, 1, 4), dtype=np.uint8), autoLevels=False, levels=(0, 255))
        self.ancestors.setData([], [])
        self.elite_curve.setData([], [])
        self.validation_curve.setData([], [])
        self.table.setRowCount(0)
        self.summary.setText("")
        self.ranges.reset()
        self.chain_plot.setXRange(-0.5, EMPTY_GENERATIONS, padding=0)
        self.chain_plot.setYRange(0, 1, padding=0)
        self.fitness_plot.setYRange(0, 1, padding=0)

    def _column(self, report: GenerationReport) -> np.ndarray:
        return np.array([(*seed_colour(seed), 255) for seed in chain_seeds(report.extras.elite_chain)], dtype=np.uint8)

    def update_from(self, history: Sequence[GenerationReport]) -> None:
        """Redraw from the history (each generation's column is computed once)."""
        self.history = history
        if not history:
            self._show_empty()
            return
        # Reports never change, so columns computed for earlier batches are reused.
        for report in history[len(self._columns) :]:
            self._columns.append(self._column(report))
        height = max(len(column) for column in self._columns)
        image = np.zeros((len(history), height, 4), dtype=np.uint8)
        for g, column in enumerate(self._columns[: len(history)]):
            image[g, : len(column)] = column
        first = history[0].generation
        self.image.setImage(image, autoLevels=False, levels=(0, 255))
        self.image.setRect(first - 0.5, 0.0, float(len(history)), float(height))
        marks = ancestor_generations(history)
        self.ancestors.setData(marks, [height + 0.6] * len(marks))
        generations = np.array([r.generation for r in history], dtype=float)
        elite = np.array([r.extras.elite_fitness for r in history])
        validation = np.array([r.extras.elite_validation_fitness if r.extras.validated else np.nan for r in history])
        self.elite_curve.setData(generations, elite)
        self.validation_curve.setData(generations, validation, connect="finite")
        values = np.concatenate([elite, validation[np.isfinite(validation)]])
        lo, hi = float(values.min()), float(values.max())
        if hi - lo < 1e-9:
            lo, hi = lo - 0.5, hi + 0.5
        self.ranges.apply("x", self.chain_plot.setXRange, first - 0.5, max(float(generations[-1]) + 0.5, EMPTY_GENERATIONS), fixed_lo=True)
        self.ranges.apply("height", self.chain_plot.setYRange, 0.0, float(height) + 1.2, fixed_lo=True)
        self.ranges.apply("fitness", self.fitness_plot.setYRange, lo, hi)
        self._show_elite(history)

    def _show_elite(self, history: Sequence[GenerationReport]) -> None:
        last = history[-1]
        extras = last.extras
        chain = extras.elite_chain
        previous = chain_seeds(history[-2].extras.elite_chain) if len(history) > 1 else []
        kept = shared_prefix(previous, chain_seeds(chain))
        if previous and kept == len(previous) == len(chain):
            change = "unchanged from the last generation"
        elif previous and kept == len(previous):
            change = "a child of the last elite"
        elif previous:
            change = f"from another branch: shares {kept} of the last elite's {len(previous)} chain entries"
        else:
            change = "the first elite"
        validation = f", validation fitness {extras.elite_validation_fitness:.4f}" if extras.validated else ""
        self.summary.setText(
            f"Generation {last.generation}: elite genome {extras.elite_id} (parent {extras.elite_parent_id}), "
            f"{len(chain) - 1} mutations, {change}. Fitness {extras.elite_fitness:.4f}{validation}. "
            f"Mean chain length in the population: {extras.mean_chain_length:.1f}."
        )
        self.table.setUpdatesEnabled(False)
        self.table.setRowCount(len(chain))
        for row, entry in enumerate(chain):
            seed, sigma = (entry, None) if row == 0 else entry
            values = ("initial" if row == 0 else str(row), str(seed), "—" if sigma is None else f"{sigma:g}")
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                if column == 1:
                    item.setBackground(pg.mkBrush(*seed_colour(int(seed))))
                self.table.setItem(row, column, item)
        self.table.resizeColumnsToContents()
        self.table.setUpdatesEnabled(True)

    def _on_clicked(self, event) -> None:
        if not self.history:
            return
        point = self.chain_plot.getPlotItem().vb.mapSceneToView(event.scenePos())
        index = int(round(point.x())) - self.history[0].generation
        if 0 <= index < len(self.history):
            report = self.history[index]
            self.host.select_genome(report.champion, f"elite of generation {report.generation} (genome {report.extras.elite_id})")
