"""The Architecture search workspace: the tournament GA and random search on digits, from one
seed, side by side (issue 18).

Both algorithms run live, each on its own ``EvolutionWorker`` thread (the same machinery as the
Evolve workspace), or come from saved run files (File > Open architecture run). On screen:

- a box plot per generation of the population's validation accuracy (box: quartiles, line:
  median, whiskers: the furthest values within 1.5 IQR, dot: the mean), GA and random search
  side by side on one axis;
- the distribution of the latest population of each (a histogram);
- the population table of a chosen algorithm and generation (architecture, hyperparameters,
  accuracies, parent);
- the champion's architecture drawn as layers (input, hidden layers by size, output).

Widgets only read the immutable reports the workers send.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject, QPointF, QRectF, Qt, QThread, QTimer, Signal, Slot
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QMenuBar,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app.theme import ERROR, MUTED, TEXT, algorithm_qcolour, style_plot
from desktop_app.worker import EvolutionWorker
from desktop_app.workspaces.base import Workspace

ALGORITHMS = ("arch-ga", "arch-random")
LABELS = {"arch-ga": "Evolution (tournament GA)", "arch-random": "Random search"}
# Boxes of the two algorithms sit either side of the generation's tick.
OFFSETS = {"arch-ga": -0.2, "arch-random": 0.2}
BOX_WIDTH = 0.32
TABLE_COLUMNS = ("id", "parent", "architecture", "activation", "solver", "learning rate", "L2", "val acc", "test acc")


def box_stats(values: Any) -> dict[str, Any]:
    """Tukey box statistics: quartiles (numpy's linear), whiskers at the furthest values within
    1.5 IQR of the box, the values beyond them, and the mean."""
    data = np.sort(np.asarray(values, dtype=float))
    q1, median, q3 = (float(v) for v in np.percentile(data, [25, 50, 75]))
    spread = q3 - q1
    inside = data[(data >= q1 - 1.5 * spread) & (data <= q3 + 1.5 * spread)]
    return {
        "q1": q1,
        "median": median,
        "q3": q3,
        "low": float(inside.min()),
        "high": float(inside.max()),
        "mean": float(data.mean()),
        "outliers": data[(data < inside.min()) | (data > inside.max())].tolist(),
    }


class BoxPlotItem(pg.GraphicsObject):
    """Box plots of one algorithm, one per generation, drawn into a cached picture."""

    def __init__(self, colour: QColor, offset: float):
        super().__init__()
        self.colour, self.offset = colour, offset
        self.boxes: list[tuple[int, dict[str, Any]]] = []
        self._bounds = QRectF()

    def set_boxes(self, boxes: list[tuple[int, dict[str, Any]]]) -> None:
        """(generation, ``box_stats``) per box."""
        self.prepareGeometryChange()
        self.boxes = boxes
        half = BOX_WIDTH / 2
        if boxes:
            low = min(min([stats["low"], *stats["outliers"]]) for _, stats in boxes)
            high = max(max([stats["high"], *stats["outliers"]]) for _, stats in boxes)
            first, last = boxes[0][0] + self.offset - half, boxes[-1][0] + self.offset + half
            self._bounds = QRectF(first, low, last - first, max(high - low, 1e-6))
        else:
            self._bounds = QRectF()
        self.update()

    def paint(self, painter, *args) -> None:  # noqa: D102 - Qt override
        # Drawn directly rather than replayed from a QPicture: a recorded box of zero height (all
        # of a generation's middle half at one accuracy, common once elites spread) replayed
        # under the plot's large y scale as a huge filled rectangle.
        edge = QPen(self.colour.darker(130))
        edge.setCosmetic(True)
        edge.setWidthF(1.5)
        fill = QColor(self.colour)
        fill.setAlpha(110)
        half = BOX_WIDTH / 2
        painter.setPen(edge)
        for generation, stats in self.boxes:
            x = generation + self.offset
            lines = [
                (x - half, stats["median"], x + half, stats["median"]),
                (x, stats["q3"], x, stats["high"]),
                (x, stats["q1"], x, stats["low"]),
                (x - half / 2, stats["high"], x + half / 2, stats["high"]),
                (x - half / 2, stats["low"], x + half / 2, stats["low"]),
            ]
            if stats["q3"] > stats["q1"]:
                painter.fillRect(QRectF(x - half, stats["q1"], BOX_WIDTH, stats["q3"] - stats["q1"]), fill)
                lines += [(x - half, stats["q1"], x + half, stats["q1"]), (x - half, stats["q3"], x + half, stats["q3"]),
                          (x - half, stats["q1"], x - half, stats["q3"]), (x + half, stats["q1"], x + half, stats["q3"])]  # fmt: skip
            for x0, y0, x1, y1 in lines:
                painter.drawLine(QPointF(x0, y0), QPointF(x1, y1))

    def boundingRect(self) -> QRectF:  # noqa: N802, D102 - Qt override
        return self._bounds


class ArchitectureView(QWidget):
    """The champion's network as layers: a bar per layer, its height by its units."""

    def __init__(self):
        super().__init__()
        self.layers: tuple[int, ...] = ()
        self.caption = ""
        self.colour = QColor(TEXT)
        self.setMinimumSize(260, 180)
        self.setToolTip("The champion so far (best validation accuracy of the run): input, hidden layers and output, bar height by units")

    def show_champion(self, inputs: int, hidden: tuple[int, ...], outputs: int, caption: str, colour: QColor) -> None:
        """Draw these layers with a caption below."""
        self.layers, self.caption, self.colour = (inputs, *hidden, outputs), caption, colour
        self.update()

    def clear(self) -> None:
        """Nothing to draw."""
        self.layers, self.caption = (), ""
        self.update()

    def paintEvent(self, event) -> None:  # noqa: N802, D102 - Qt override
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        width, height = self.width(), self.height()
        if not self.layers:
            painter.setPen(QColor(MUTED))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "No champion yet: run both or open a run")
            return
        top, bottom = 48, height - 46
        biggest = max(self.layers)
        step = width / (len(self.layers) + 1)
        centres = []
        for i, units in enumerate(self.layers):
            x = step * (i + 1)
            bar = max(6.0, (bottom - top) * math.sqrt(units / biggest))
            centres.append((x, bar))
        # Full connections between neighbouring layers, drawn as a band.
        band = QColor(self.colour)
        band.setAlpha(40)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(band)
        middle = (top + bottom) / 2
        for (x0, h0), (x1, h1) in zip(centres[:-1], centres[1:]):
            painter.drawPolygon([QPointF(x0, middle - h0 / 2), QPointF(x1, middle - h1 / 2), QPointF(x1, middle + h1 / 2), QPointF(x0, middle + h0 / 2)])
        font = QFont(self.font())
        painter.setFont(font)
        for i, ((x, bar), units) in enumerate(zip(centres, self.layers)):
            kind = "input" if i == 0 else "output" if i == len(self.layers) - 1 else f"hidden {i}"
            fill = QColor(MUTED) if kind in ("input", "output") else self.colour
            painter.setPen(QPen(fill.darker(140), 1.2))
            painter.setBrush(fill.lighter(115))
            painter.drawRoundedRect(QRectF(x - 11, middle - bar / 2, 22, bar), 4, 4)
            painter.setPen(QColor(TEXT))
            painter.drawText(QRectF(x - step / 2, bottom + 2, step, 18), Qt.AlignmentFlag.AlignCenter, str(units))
            painter.setPen(QColor(MUTED))
            painter.drawText(QRectF(x - step / 2, bottom + 18, step, 18), Qt.AlignmentFlag.AlignCenter, kind)
        painter.setPen(QColor(TEXT))
        painter.drawText(QRectF(4, 2, width - 8, 44), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self.caption)


class _Relay(QObject):
    """Receives one worker's signals in the GUI thread (a QObject living there: a plain lambda
    connected to a worker signal would run in the worker's thread)."""

    def __init__(self, workspace: ArchSearchWorkspace, name: str):
        super().__init__(workspace)
        self.workspace, self.name = workspace, name

    @Slot(object)
    def reports(self, reports: tuple) -> None:
        self.workspace._on_reports(self.name, reports)

    @Slot(str)
    def finished(self, reason: str) -> None:
        self.workspace._on_finished(self.name, reason)

    @Slot(str)
    def failed(self, message: str) -> None:
        self.workspace._on_failed(self.name, message)


class ArchSearchWorkspace(Workspace):
    """Architecture search on digits: evolution against random search (see the module docstring)."""

    key = "archsearch"
    title = "Architecture search"
    help = (
        "<b>Architecture search</b>: MLP recipes (hidden layers and units, activation, solver, "
        "learning rate, L2) trained by scikit-learn's MLPClassifier on the bundled 8x8 digits, "
        "scored by validation accuracy. <b>Evolution</b> keeps 2 elites and breeds the rest by "
        "tournaments of 3 (winners 85% / 12.75% / 2.25% by rank) and per-gene mutation; "
        "<b>random search</b> draws a fresh population every generation. Both start from the same seed.<br>"
        "<b>Box plot</b>: per generation, the population's validation accuracy: box = quartiles, "
        "line = median, whiskers = furthest values within 1.5 IQR, small marks = values beyond, "
        "dot = mean. <b>Distribution</b>: the latest population of each. <b>Table</b>: the "
        "population of one generation. <b>Champion</b>: the best recipe of the run so far, and its "
        "accuracy on the held-out test split."
    )

    requestRun = Signal(int, bool)
    runEnded = Signal(str)

    def __init__(self, shell):
        super().__init__(shell)
        self.histories: dict[str, list] = {name: [] for name in ALGORITHMS}
        self.sources: dict[str, str] = {name: "" for name in ALGORITHMS}
        self.workers: dict[str, EvolutionWorker] = {}
        self.threads: dict[str, QThread] = {}
        self.relays: dict[str, _Relay] = {}
        self.pending: set[str] = set()
        self.outcomes: dict[str, str] = {}
        self.last_error = ""
        self.colours = {name: algorithm_qcolour(name, i) for i, name in enumerate(ALGORITHMS)}
        layout = QHBoxLayout(self)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        layout.addWidget(splitter)
        splitter.addWidget(self._build_sidebar())
        splitter.addWidget(self._build_results())
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([250, 1100])
        self._update_buttons()

    # --- building -------------------------------------------------------------------------

    def _spin(self, low: int, high: int, value: int, tip: str) -> QSpinBox:
        box = QSpinBox()
        box.setRange(low, high)
        box.setValue(value)
        box.setToolTip(tip)
        return box

    def _build_sidebar(self) -> QWidget:
        side = QWidget()
        form = QFormLayout(side)
        self.seed_box = self._spin(0, 2**31 - 1, 0, "Seed of both runs: the same seed gives the same runs, with any number of workers")
        self.population_box = self._spin(4, 1000, 50, "Recipes trained per generation, for each algorithm (the reference: 50)")
        self.generations_box = self._spin(1, 1000, 10, "Generations to run (the reference: 10)")
        self.samples_box = self._spin(100, 1797, 1797, "Digits images used (all 1,797; fewer for a quick look). Split 60/20/20 into train, validation, test")
        self.epochs_box = self._spin(1, 500, 10, "Training budget of every recipe: passes over the training set (lbfgs: iterations)")
        self.workers_box = self._spin(0, 16, 1, "Training processes per algorithm (0: in the app's worker thread). Results are identical with any count")
        for label, box in (("Seed", self.seed_box), ("Population", self.population_box), ("Generations", self.generations_box),
                           ("Images", self.samples_box), ("Epochs", self.epochs_box), ("Workers", self.workers_box)):  # fmt: skip
            form.addRow(label, box)
        self.run_button = QPushButton("Run both")
        self.run_button.setToolTip("Start evolution and random search from the seed above, side by side (continues them if they ran already)")
        self.run_button.clicked.connect(self.run_both)
        self.stop_button = QPushButton("Stop")
        self.stop_button.setToolTip("Stop both runs; the generation in training is abandoned, the rest is kept")
        self.stop_button.clicked.connect(self.stop)
        self.reset_button = QPushButton("New runs")
        self.reset_button.setToolTip("Forget the runs shown and start from the form next time")
        self.reset_button.clicked.connect(self.reset)
        self.open_button = QPushButton("Open run…")
        self.open_button.setToolTip("Show a saved arch-ga or arch-random run file (neatscope run digits --save FILE)")
        self.open_button.clicked.connect(self.open_dialog)
        for button in (self.run_button, self.stop_button, self.reset_button, self.open_button):
            form.addRow(button)
        self.status_label = QLabel("")
        self.status_label.setWordWrap(True)
        form.addRow(self.status_label)
        self.error_label = QLabel("")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(f"color: {ERROR}")
        form.addRow(self.error_label)
        return side

    def _build_results(self) -> QWidget:
        results = QSplitter(Qt.Orientation.Vertical)
        self.graphics = pg.GraphicsLayoutWidget()
        # The legend is the title: a legend box inside the plot would cover boxes.
        key = "&nbsp;&nbsp;".join(
            f"<span style='color:{self.colours[name].name()}'>&#9632;</span> {LABELS[name]} ({'left' if OFFSETS[name] < 0 else 'right'})" for name in ALGORITHMS
        )
        title = f"Validation accuracy of the population per generation<br><span style='font-size:9pt'>{key}&nbsp;&nbsp;&#9679; mean&nbsp;&nbsp;&#215; beyond 1.5 IQR</span>"
        self.box_plot = self.graphics.addPlot(row=0, col=0, title=title)
        style_plot(self.box_plot)
        self.box_plot.setLabel("bottom", "generation")
        self.box_plot.setLabel("left", "validation accuracy")
        self.box_items: dict[str, BoxPlotItem] = {}
        self.mean_items: dict[str, pg.ScatterPlotItem] = {}
        self.outlier_items: dict[str, pg.ScatterPlotItem] = {}
        for name in ALGORITHMS:
            item = BoxPlotItem(self.colours[name], OFFSETS[name])
            self.box_plot.addItem(item)
            self.box_items[name] = item
            self.outlier_items[name] = pg.ScatterPlotItem(size=5, symbol="x", pen=pg.mkPen(self.colours[name]), brush=None)
            self.box_plot.addItem(self.outlier_items[name])
            self.mean_items[name] = pg.ScatterPlotItem(size=8, pen=pg.mkPen("w"), brush=pg.mkBrush("k"))
            self.box_plot.addItem(self.mean_items[name])
            # A legend swatch per algorithm (the boxes themselves are one custom item).
        self.box_plot.getViewBox().setToolTip(
            "Box: quartiles; line: median; whiskers: furthest values within 1.5 IQR; x: values beyond (zoom out to see "
            "diverged recipes far below); dot: mean. Left box of a generation: evolution; right: random search"
        )
        self.distribution = self.graphics.addPlot(row=0, col=1, title="Latest population<br><span style='font-size:9pt'>validation accuracy</span>")
        style_plot(self.distribution)
        self.distribution.setLabel("bottom", "validation accuracy")
        self.distribution.setLabel("left", "recipes")
        self.distribution.getViewBox().setToolTip("How many recipes of each algorithm's latest generation reached each accuracy")
        self.graphics.ci.layout.setColumnStretchFactor(0, 3)
        self.graphics.ci.layout.setColumnStretchFactor(1, 1)
        results.addWidget(self.graphics)

        bottom = QWidget()
        bottom_layout = QHBoxLayout(bottom)
        table_side = QWidget()
        table_layout = QVBoxLayout(table_side)
        table_layout.setContentsMargins(0, 0, 0, 0)
        chooser = QHBoxLayout()
        self.table_algorithm = QComboBox()
        for name in ALGORITHMS:
            self.table_algorithm.addItem(LABELS[name], name)
        self.table_algorithm.setToolTip("Whose population the table and the champion show")
        self.table_generation = QSpinBox()
        self.table_generation.setRange(0, 0)
        self.table_generation.setToolTip("Generation shown in the table (follows the latest while the runs go on)")
        self.follow_latest = True
        self.table_algorithm.currentIndexChanged.connect(lambda _: self._redraw_table())
        self.table_generation.valueChanged.connect(self._on_generation_chosen)
        chooser.addWidget(QLabel("Population of"))
        chooser.addWidget(self.table_algorithm)
        chooser.addWidget(QLabel("generation"))
        chooser.addWidget(self.table_generation)
        chooser.addStretch(1)
        table_layout.addLayout(chooser)
        self.table = QTableWidget(0, len(TABLE_COLUMNS))
        self.table.setHorizontalHeaderLabels(TABLE_COLUMNS)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSortingEnabled(True)
        self.table.setToolTip("Every recipe of the generation: architecture (units per hidden layer), hyperparameters, accuracies; parent: the tournament winner it was bred from (-1: drawn at random)")
        table_layout.addWidget(self.table)
        bottom_layout.addWidget(table_side, 3)
        self.architecture = ArchitectureView()
        bottom_layout.addWidget(self.architecture, 2)
        results.addWidget(bottom)
        results.setSizes([430, 380])
        return results

    def build_menus(self, menu_bar: QMenuBar, file_menu: QMenu) -> None:
        """File > Open architecture run."""
        action = file_menu.addAction("Open architecture run…")
        action.triggered.connect(self.open_dialog)
        self._open_action = action

    # --- running --------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        """Whether a run is training now."""
        return bool(self.pending)

    def _make_runs(self) -> bool:
        from core.algorithms.registry import algorithm_class
        from core.tasks import make_task

        spec = {"name": "digits", "samples": self.samples_box.value(), "epochs": self.epochs_box.value(), "workers": self.workers_box.value()}
        made = {}
        try:
            for name in ALGORITHMS:
                cls = algorithm_class(name)
                config = cls.default_config().replace(**{"population.size": self.population_box.value()})
                made[name] = cls(config, make_task(spec), self.seed_box.value())
        except (ValueError, ImportError) as error:
            for run in made.values():
                run.task.close()
            self._fail(f"Could not start: {error}")
            return False
        for name, run in made.items():
            self._attach(name, run, f"seed {self.seed_box.value()}")
        return True

    def _attach(self, name: str, run: Any, source: str) -> None:
        self._detach(name)
        self.histories[name] = list(run.history)
        self.sources[name] = source
        worker = EvolutionWorker(run)
        thread = QThread(self)
        worker.moveToThread(thread)
        self.requestRun.connect(worker.run_generations)
        relay = _Relay(self, name)
        worker.reportsReady.connect(relay.reports)
        worker.runFinished.connect(relay.finished)
        worker.runFailed.connect(relay.failed)
        self.relays[name] = relay
        thread.finished.connect(worker.deleteLater)
        thread.start()
        self.workers[name], self.threads[name] = worker, thread

    def _detach(self, name: str) -> None:
        worker, thread = self.workers.pop(name, None), self.threads.pop(name, None)
        if worker is None or thread is None:
            return
        worker.stop()
        self.requestRun.disconnect(worker.run_generations)
        relay = self.relays.pop(name, None)
        if relay is not None:
            # Before the thread ends: its end schedules the worker's deletion.
            worker.reportsReady.disconnect(relay.reports)
            worker.runFinished.disconnect(relay.finished)
            worker.runFailed.disconnect(relay.failed)
        thread.quit()
        thread.wait()
        worker.close_task()
        thread.deleteLater()
        self.pending.discard(name)

    def run_both(self) -> bool:
        """Run ``Generations`` more generations of both algorithms (starting them from the form
        if they are not running yet). Returns whether they started."""
        if self.running:
            return False
        self.error_label.setText("")
        if any(name not in self.workers for name in ALGORITHMS) and not self._make_runs():
            return False
        self.pending = set(ALGORITHMS)
        self.outcomes = {}
        self.follow_latest = True
        self.requestRun.emit(self.generations_box.value(), False)
        self._update_buttons()
        self._set_status("Training both populations…")
        return True

    def stop(self) -> None:
        """Stop both runs at their next checkpoint."""
        for worker in self.workers.values():
            worker.stop()

    def reset(self) -> None:
        """Drop the runs; the next Run starts from the form."""
        if self.running:
            return
        for name in ALGORITHMS:
            self._detach(name)
            self.histories[name] = []
            self.sources[name] = ""
        self.error_label.setText("")
        self.redraw()
        self._update_buttons()

    def _on_reports(self, name: str, reports: tuple) -> None:
        self.histories[name].extend(reports)
        self.redraw()
        worker = self.workers.get(name)
        if worker is not None:
            QTimer.singleShot(0, lambda: worker.drawing_done())

    def _on_finished(self, name: str, reason: str) -> None:
        self.outcomes[name] = reason
        self._end(name)

    def _on_failed(self, name: str, message: str) -> None:
        self.outcomes[name] = "failed"
        self._fail(f"{LABELS[name]} failed: {message}")
        self._end(name)

    def _end(self, name: str) -> None:
        self.pending.discard(name)
        if not self.pending:
            outcome = "failed" if "failed" in self.outcomes.values() else "stopped" if "stopped" in self.outcomes.values() else "done"
            self._set_status(self._summary_text())
            self._update_buttons()
            self.runEnded.emit(outcome)

    def _fail(self, message: str) -> None:
        self.last_error = message
        self.error_label.setText(message)
        self.shell.error("Architecture search", message)

    # --- opening saved runs ---------------------------------------------------------------

    def open_dialog(self) -> None:
        """Ask for a run file and show it."""
        path, _ = QFileDialog.getOpenFileName(self, "Open an architecture-search run", "", "Run files (*.json)")
        if path:
            self.open_run(path)

    def open_run(self, path: str) -> bool:
        """Show a saved arch-ga or arch-random run (replacing that algorithm's run shown now);
        it can then be continued with Run both. Returns whether it loaded."""
        if self.running:
            return False
        from core.runs.persistence import load_run

        try:
            run = load_run(path)
        except (OSError, ValueError) as error:
            self._fail(f"Could not open {path}: {error}")
            return False
        if run.name not in ALGORITHMS:
            run.task.close()
            self._fail(f"{path} is a {run.name} run; this workspace shows arch-ga and arch-random runs")
            return False
        self._attach(run.name, run, path)
        self.error_label.setText("")
        self.follow_latest = True
        self.redraw()
        self._update_buttons()
        return True

    # --- drawing --------------------------------------------------------------------------

    def redraw(self) -> None:
        """Draw everything from the histories."""
        low = 1.0
        for name in ALGORITHMS:
            history = self.histories[name]
            boxes = [(report.generation, box_stats(report.extras.accuracies)) for report in history]
            self.box_items[name].set_boxes(boxes)
            self.mean_items[name].setData([g + OFFSETS[name] for g, _ in boxes], [s["mean"] for _, s in boxes])
            outliers = [(g + OFFSETS[name], v) for g, s in boxes for v in s["outliers"]]
            self.outlier_items[name].setData([x for x, _ in outliers], [y for _, y in outliers])
            if boxes:
                # Scaled to the whiskers: a diverged recipe at 10% would flatten every box.
                low = min(low, min(s["low"] for _, s in boxes))
        generations = max((len(h) for h in self.histories.values()), default=0)
        self.box_plot.setXRange(-0.6, max(generations, 1) - 0.4, padding=0)
        self.box_plot.setYRange(max(0.0, low - 0.03), 1.0, padding=0.02)
        self.box_plot.getAxis("bottom").setTicks([[(g, str(g)) for g in range(generations)]] if generations <= 30 else None)
        self._redraw_distribution()
        latest = max(0, max((len(h) for h in self.histories.values()), default=1) - 1)
        self.table_generation.blockSignals(True)
        self.table_generation.setRange(0, latest)
        if self.follow_latest:
            self.table_generation.setValue(latest)
        self.table_generation.blockSignals(False)
        self._redraw_table()
        self._set_status(self._summary_text())

    def _redraw_distribution(self) -> None:
        self.distribution.clear()
        latest = [h[-1].extras.accuracies for h in self.histories.values() if h]
        if not latest:
            return
        # Bins over the boxes' range; anything lower (diverged recipes) is counted in the first.
        low = max(0.0, min(box_stats(values)["low"] for values in latest) - 0.03)
        bins = np.linspace(low, 1.0, 21)
        width = (bins[1] - bins[0]) / 2
        for k, name in enumerate(ALGORITHMS):
            history = self.histories[name]
            if not history:
                continue
            counts, _ = np.histogram(np.clip(history[-1].extras.accuracies, low, 1.0), bins=bins)
            colour = QColor(self.colours[name])
            colour.setAlpha(170)
            bars = pg.BarGraphItem(x=bins[:-1] + width * (0.5 + k), height=counts, width=width, brush=colour, pen=None)
            self.distribution.addItem(bars)
        self.distribution.setXRange(low, 1.0, padding=0.02)

    def _on_generation_chosen(self, _value: int) -> None:
        latest = self.table_generation.maximum()
        self.follow_latest = self.table_generation.value() == latest
        self._redraw_table()

    def _redraw_table(self) -> None:
        name = self.table_algorithm.currentData()
        history = self.histories.get(name, [])
        self.table.setSortingEnabled(False)
        generation = self.table_generation.value()
        report = history[min(generation, len(history) - 1)] if history else None
        rows = report.extras.population if report is not None else ()
        self.table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            genome_id, parent, units, activation, solver, learning_rate, l2, validation, test = row
            values = (genome_id, parent, "-".join(map(str, units)), activation, solver, learning_rate, l2, validation, test)
            texts = (str(genome_id), str(parent), values[2], activation, solver, f"{learning_rate:.4g}", f"{l2:.3g}", f"{validation:.4f}", f"{test:.4f}")
            for c, (value, text) in enumerate(zip(values, texts)):
                item = QTableWidgetItem(text)
                # Numbers sort as numbers.
                item.setData(Qt.ItemDataRole.UserRole, value)
                if not isinstance(value, str):
                    item.setData(Qt.ItemDataRole.DisplayRole, value if isinstance(value, int) else float(text))
                self.table.setItem(r, c, item)
        self.table.setSortingEnabled(True)
        self.table.sortItems(TABLE_COLUMNS.index("val acc"), Qt.SortOrder.DescendingOrder)
        self._draw_champion(name)

    def _draw_champion(self, name: str) -> None:
        history = self.histories.get(name, [])
        if not history:
            self.architecture.clear()
            return
        extras = history[-1].extras
        caption = (
            f"{LABELS[name]} champion (gen {extras.champion_generation}): {extras.champion_activation}, {extras.champion_solver}, "
            f"lr {extras.champion_learning_rate:.3g} — val {extras.champion_validation_accuracy:.4f}, test {extras.champion_test_accuracy:.4f}"
        )
        self.architecture.show_champion(64, extras.champion_units, 10, caption, self.colours[name])
        self.architecture.setToolTip(
            f"Champion {extras.champion_id} (parent {extras.champion_parent_id}): hidden layers {'-'.join(map(str, extras.champion_units))}, "
            f"L2 {extras.champion_l2:.3g}. Bar height grows with the square root of the units."
        )

    # --- status ---------------------------------------------------------------------------

    def _summary_text(self) -> str:
        parts = []
        for name in ALGORITHMS:
            history = self.histories[name]
            if history:
                extras = history[-1].extras
                parts.append(f"{LABELS[name]}: gen {history[-1].generation}, champion test acc {extras.champion_test_accuracy:.4f}")
        return "; ".join(parts) if parts else "No runs yet: Run both trains evolution and random search from one seed."

    def _set_status(self, text: str) -> None:
        self.status_label.setText(text)
        self.statusChanged.emit(text)

    def status_text(self) -> str:
        """The status bar's text while this workspace shows."""
        return self.status_label.text()

    def _update_buttons(self) -> None:
        running = self.running
        self.run_button.setEnabled(not running)
        self.run_button.setText("Continue both" if self.workers and not running else "Run both")
        self.stop_button.setEnabled(running)
        self.reset_button.setEnabled(not running and bool(self.workers))
        self.open_button.setEnabled(not running)
        for box in (self.seed_box, self.population_box, self.samples_box, self.epochs_box, self.workers_box):
            # These shape new runs only; running ones keep theirs.
            box.setEnabled(not running and not self.workers)

    def shutdown(self) -> None:
        """Stop both runs and wait for their threads."""
        for name in ALGORITHMS:
            self._detach(name)
