"""The Playground workspace: Backprop NEAT on the TensorFlow Playground's datasets, drawn live.

Left: the data (dataset, convention, noise, training share, data seed), the network's input
features, the connection penalty, backprop steps, population and seed. Changing any of them sets
up a fresh run at once, as the Playground does, and shows its data. Right: the champion's
decision boundary with the training (and test) points and its accuracies, the best network of
each species with its own boundary (click one to draw it below), the network with every node's
own output over the plane as its picture, and the losses.

The run lives on an ``EvolutionWorker`` thread; everything drawn is computed here from the
immutable reports it hands over (genome snapshots), with ``core.tasks.playground``'s
``decision_boundaries`` and ``node_pictures``.
"""

from __future__ import annotations

import gc
from collections.abc import Sequence
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QCoreApplication, QEvent, Qt, QThread, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QIcon, QKeySequence, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMenu,
    QMenuBar,
    QPushButton,
    QSlider,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from core.algorithms.backprop_neat import NO_BACKPROP, BackpropNeat
from core.networks.snapshot import GenomeSnapshot
from core.runs.config import ConfigError
from core.runs.reports import GenerationReport
from core.tasks import make_task
from core.tasks.playground import CONVENTIONS, DATASETS, FEATURES, decision_boundaries, generate, node_pictures
from desktop_app.theme import BEST, ERROR, MEAN, TEXT, THIRD
from desktop_app.widgets.plane_view import BLUE, ORANGE, NodePictureGraph, PlaneView
from desktop_app.widgets.plots import RangeKeeper, add_plot
from desktop_app.worker import EvolutionWorker
from desktop_app.workspaces.base import RunControls, Workspace, scrolling_sidebar, sidebar_beside

BOUNDARY_DENSITY = 100  # heatmap.ts DENSITY
SPECIES_DENSITY = 50
NODE_DENSITY = 30  # finer than the Playground's 10 x 10: the pictures are drawn larger here
MAX_SPECIES_SHOWN = 10
SPECIES_COLUMNS = 5  # the article's 5 clusters in one row
APPLY_DELAY_MS = 250
FEATURE_LABELS = {"x": "X₁", "y": "X₂", "x2": "X₁²", "y2": "X₂²", "xy": "X₁X₂", "sinx": "sin(X₁)", "siny": "sin(X₂)"}
CONVENTION_LABELS = {
    "article": "Article (0/1; 200 + 400)",
    "playground": "TF Playground (±1; 500)",
}


def dataset_icon(dataset: str, size: int = 40) -> QIcon:
    """A small picture of a dataset (noise 0), for the dataset chooser."""
    data = generate(dataset, 0.0, 0, "playground")
    view = PlaneView(minimum=size, point_radius=1.2)
    view.resize(size, size)
    view.set_points(data.train_points, data.train_labels > 0, data.test_points, data.test_labels > 0)
    view.set_show_test(True)
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.white)
    view.render(pixmap)
    return QIcon(pixmap)


class PlaygroundWorkspace(RunControls, Workspace):
    """Controls on the left; champion boundary, species grid, network pictures and losses on the right.

    Signals:
        runEnded(str): a run command ended ("done", "stopped" or "failed"), its reports drawn.
        runPrepared(): controls were applied: a fresh run (generation 0) is ready.
        runSaved(str): the run was saved to this path.
    """

    key = "playground"
    title = "Playground"
    help = (
        "<b>Playground</b>: Backprop NEAT (NEAT grows each network, backpropagation fits its weights) "
        "on the TensorFlow Playground's datasets. Changing the data, features, penalty, steps, "
        "population or seed on the left sets up a new run at once. <b>Step</b> (F10) runs one "
        "generation, <b>Run</b> (F5) as many as the box says, <b>Pause</b> (Space) and <b>Stop</b> (Esc) "
        "hold or end it, <b>Restart</b> (Ctrl+R) starts the same run again.<br>"
        "<b>Champion</b>: the best network's output over the plane, orange for one class, blue for "
        "the other, grey where it is unsure; dots are the training points (white rim) and, when "
        "shown, the test points (dark rim). <b>Species</b>: the best network of every species with "
        "its own boundary and test accuracy; click one to draw it in the network view. "
        "<b>Network</b>: each node is a picture of its own output over the plane (hidden nodes on "
        "[-1, 1] as in the Playground), framed in the colour of its kind (key below); edges are blue "
        "for positive weights and orange for negative. Hover a node to enlarge it. <b>Loss</b>: the "
        "champion's training and test log loss by generation, and its training loss at each "
        "early-stopping check of the latest generation's backprop."
    )

    requestRun = Signal(int, bool)
    requestSave = Signal(str)
    runEnded = Signal(str)
    runPrepared = Signal()
    runSaved = Signal(str)

    def __init__(self, shell):
        super().__init__(shell)
        self.history: list[GenerationReport] = []
        self.thread: QThread | None = None
        self.worker: EvolutionWorker | None = None
        self.running = False
        self.paused = False
        self.run_spec: dict[str, Any] | None = None
        self.run_config: Any = None
        self.run_seed = 0
        self.data = None
        self.last_error = ""
        self.selected_species: int | None = None  # species id drawn in the network view (None: champion)
        self.actions: list[QAction] = []
        self._restoring = True
        self._apply_timer = QTimer(self)
        self._apply_timer.setSingleShot(True)
        self._apply_timer.setInterval(APPLY_DELAY_MS)
        self._apply_timer.timeout.connect(self.apply_controls)
        self._redraw_timer = QTimer(self)
        self._redraw_timer.setSingleShot(True)
        self._redraw_timer.timeout.connect(self._redraw)
        self.ranges = RangeKeeper()
        self._build_sidebar()
        self._build_views()
        sidebar_beside(self, self.sidebar, self.views, 300, 1100)
        self._restore_settings()
        self._restoring = False
        self._update_buttons()

    # --- construction ------------------------------------------------------------------------

    def _build_sidebar(self) -> None:
        self.dataset_box = QComboBox()
        for name in DATASETS:
            self.dataset_box.addItem(dataset_icon(name), name.capitalize(), name)
        self.dataset_box.setToolTip("Which of the Playground's four datasets to classify")
        self.convention_box = QComboBox()
        for name in CONVENTIONS:
            self.convention_box.addItem(CONVENTION_LABELS[name], name)
        self.convention_box.setToolTip(
            "Article: hardmaru's backprop-neat-js generators (200 training and 400 test points drawn separately, "
            "noise moves the points). TF Playground: 500 points shuffled and split by the training share; "
            "for circle and xor the noise flips labels near the boundary."
        )
        self.noise_slider = QSlider(Qt.Orientation.Horizontal)
        self.noise_slider.setRange(0, 50)
        self.noise_slider.setSingleStep(5)
        self.noise_slider.setPageStep(5)
        self.noise_slider.setTickInterval(5)
        self.noise_slider.setTickPosition(QSlider.TickPosition.TicksBelow)
        self.noise_slider.setToolTip("Noise, 0 to 50 (the Playground's slider; the generators take it / 100)")
        self.noise_label = QLabel()
        self.noise_slider.valueChanged.connect(lambda value: self.noise_label.setText(f"{value}"))
        self.train_slider = QSlider(Qt.Orientation.Horizontal)
        self.train_slider.setRange(10, 90)
        self.train_slider.setSingleStep(10)
        self.train_slider.setPageStep(10)
        self.train_slider.setToolTip("Ratio of training to test data, 10% to 90% (TF Playground convention only)")
        self.train_label = QLabel()
        self.train_slider.valueChanged.connect(lambda value: self.train_label.setText(f"{value}%"))
        self.data_seed_box = QSpinBox()
        self.data_seed_box.setRange(0, 2_000_000_000)
        self.data_seed_box.setToolTip("The seed the data are drawn from (the same seed draws the same points)")
        noise_row = QHBoxLayout()
        noise_row.addWidget(self.noise_slider, 1)
        noise_row.addWidget(self.noise_label)
        train_row = QHBoxLayout()
        train_row.addWidget(self.train_slider, 1)
        train_row.addWidget(self.train_label)
        data_group = QGroupBox("Data")
        data_form = QFormLayout(data_group)
        data_form.addRow("Dataset", self.dataset_box)
        data_form.addRow("Convention", self.convention_box)
        data_form.addRow("Noise", noise_row)
        data_form.addRow("Training share", train_row)
        data_form.addRow("Data seed", self.data_seed_box)

        self.feature_boxes: dict[str, QCheckBox] = {}
        features_group = QGroupBox("Features (network inputs)")
        features_grid = QGridLayout(features_group)
        for index, name in enumerate(FEATURES):
            box = QCheckBox(FEATURE_LABELS[name])
            box.setToolTip(
                f"Feed {FEATURE_LABELS[name]} to the network as an input. The Playground starts with X₁ and X₂ only; "
                "Backprop NEAT can grow the others itself from its node kinds (square, sin, mult)."
            )
            features_grid.addWidget(box, index // 4, index % 4)
            self.feature_boxes[name] = box

        self.penalty_box = QDoubleSpinBox()
        self.penalty_box.setRange(0.0, 1.0)
        self.penalty_box.setSingleStep(0.01)
        self.penalty_box.setDecimals(3)
        self.penalty_box.setToolTip("Connection penalty c: fitness = −(mean training log loss) · (1 + c·√connections). The article uses 0.03.")
        self.steps_box = QSpinBox()
        self.steps_box.setRange(0, 100_000)
        self.steps_box.setSingleStep(100)
        self.steps_box.setSpecialValueText("off (plain NEAT)")
        self.steps_box.setToolTip(
            "Backprop steps (minibatches of 10) per genome per generation; 0 is the ablation: plain NEAT, weights found by mutation only"
        )
        self.population_box = QSpinBox()
        self.population_box.setRange(10, 2000)
        self.population_box.setSingleStep(10)
        self.population_box.setToolTip("Genomes per generation (the article: 5 clusters of 20)")
        self.seed_box = QSpinBox()
        self.seed_box.setRange(0, 2_000_000_000)
        self.seed_box.setToolTip("The run's seed: the same settings and seed give the same run, bit for bit")
        evolution_group = QGroupBox("Evolution")
        evolution_form = QFormLayout(evolution_group)
        evolution_form.addRow("Penalty", self.penalty_box)
        evolution_form.addRow("Backprop steps", self.steps_box)
        evolution_form.addRow("Population", self.population_box)
        evolution_form.addRow("Seed", self.seed_box)

        for widget in (self.dataset_box, self.convention_box):
            widget.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            widget.setMinimumContentsLength(8)
            widget.currentIndexChanged.connect(self._on_controls_changed)
        for widget in (self.noise_slider, self.train_slider, self.data_seed_box, self.steps_box, self.population_box, self.seed_box):
            widget.valueChanged.connect(self._on_controls_changed)
        self.penalty_box.valueChanged.connect(self._on_controls_changed)
        for box in self.feature_boxes.values():
            box.toggled.connect(self._on_controls_changed)
        self.convention_box.currentIndexChanged.connect(self._sync_enabled)

        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(f"color: {ERROR}; padding: 2px;")
        self.error_label.setVisible(False)

        self.step_button = QPushButton("Step")
        self.step_button.setToolTip("Run one generation (F10)")
        self.step_button.clicked.connect(lambda: self.run_generations(1))
        self.run_count = QSpinBox()
        self.run_count.setRange(1, 1_000_000)
        self.run_count.setValue(100)
        self.run_count.setToolTip("Generations for Run")
        self.run_count.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.run_button = QPushButton("Run")
        self.run_button.setToolTip("Run this many generations (F5)")
        self.run_button.clicked.connect(lambda: self.run_generations(self.run_count.value()))
        self.pause_button = QPushButton("Pause")
        self.pause_button.setCheckable(True)
        self.pause_button.setToolTip("Hold the run within the current generation (Space)")
        self.pause_button.toggled.connect(self._on_pause_toggled)
        self.stop_button = QPushButton("Stop")
        self.stop_button.setToolTip("End the run now; the unfinished generation is discarded (Esc)")
        self.stop_button.clicked.connect(self.stop_run)
        self.restart_button = QPushButton("Restart")
        self.restart_button.setToolTip("Start again from generation 0 with the settings above (Ctrl+R)")
        self.restart_button.clicked.connect(self.apply_controls)
        run_group = QGroupBox("Run")
        run_layout = QVBoxLayout(run_group)
        row1 = QHBoxLayout()
        row1.addWidget(self.step_button)
        row1.addWidget(self.run_count)
        row1.addWidget(self.run_button)
        row2 = QHBoxLayout()
        row2.addWidget(self.pause_button)
        row2.addWidget(self.stop_button)
        row2.addWidget(self.restart_button)
        run_layout.addLayout(row1)
        run_layout.addLayout(row2)

        self.show_test_box = QCheckBox("Show test data")
        self.show_test_box.setToolTip("Draw the test points (dark rim) on the champion's boundary")
        self.show_test_box.toggled.connect(self._on_view_changed)
        self.discretize_box = QCheckBox("Discretize output")
        self.discretize_box.setToolTip("Colour by the predicted class only (output ≥ 0.5 blue) instead of the probability")
        self.discretize_box.toggled.connect(self._on_view_changed)
        view_group = QGroupBox("View")
        view_layout = QVBoxLayout(view_group)
        view_layout.addWidget(self.show_test_box)
        view_layout.addWidget(self.discretize_box)

        inner = QWidget()
        side = QVBoxLayout(inner)
        side.setContentsMargins(0, 0, 0, 0)
        for widget in (data_group, features_group, evolution_group, self.error_label, run_group, view_group):
            side.addWidget(widget)
        side.addStretch(1)
        self.sidebar = scrolling_sidebar(inner, 270, 380)

    def _build_views(self) -> None:
        self.summary = QLabel("No run yet")
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.summary.setWordWrap(True)
        self.boundary = PlaneView(minimum=260, point_radius=3.4)
        self.boundary.axes = True
        self.boundary.align_top = True
        self.boundary.setToolTip("The champion's output over the plane: orange one class, blue the other; dots are the data")
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.summary)
        left_layout.addWidget(self.boundary)
        self.point_key = QLabel(
            f'<span style="color: {ORANGE.name()}">■</span> class 0 (−1) &nbsp; <span style="color: {BLUE.name()}">■</span> class 1 (+1) '
            "&nbsp; grey: unsure &nbsp;·&nbsp; ● training point (white rim) &nbsp; ● test point (dark rim, View → Show test data, Ctrl+T)"
        )
        self.point_key.setWordWrap(True)
        self.point_key.setTextFormat(Qt.TextFormat.RichText)
        left_layout.addWidget(self.point_key)
        left_layout.addStretch(1)

        self.species_box = QGroupBox("Best network of each species (click to draw it)")
        self.species_grid = QGridLayout(self.species_box)
        self.species_grid.setSpacing(4)
        self.species_views: list[PlaneView] = []
        self.species_ids: list[int] = []

        self.graph = NodePictureGraph()
        self.graph.setToolTip("")
        self.loss_widget = pg.GraphicsLayoutWidget()
        self.loss_widget.setMinimumHeight(150)
        self.loss_plot = add_plot(self.loss_widget.ci, 0, "Champion log loss by generation")
        self.loss_plot.setLabel("bottom", "generation")
        # Below both plots: a legend in one column would widen the first past the view.
        legend = pg.LegendItem(colCount=3, labelTextColor=TEXT, labelTextSize="8pt", verSpacing=-6, horSpacing=16)
        self.loss_widget.ci.addItem(legend, row=1, col=0, colspan=2)
        self.loss_widget.ci.layout.setRowStretchFactor(1, 0)
        self.train_curve = self.loss_plot.plot(pen=pg.mkPen(*BEST, width=2), name="train")
        self.test_curve = self.loss_plot.plot(pen=pg.mkPen(*MEAN, width=2), name="test")
        self.mean_curve = self.loss_plot.plot(pen=pg.mkPen(*THIRD, width=1.5, style=Qt.PenStyle.DashLine), name="population mean after backprop")
        for item in (self.train_curve, self.test_curve, self.mean_curve):
            legend.addItem(item, item.name())
        self.backprop_plot = add_plot(self.loss_widget.ci, 0, "Champion's latest backprop", col=1)
        self.backprop_plot.setLabel("bottom", "step")
        self.backprop_curve = self.backprop_plot.plot(pen=pg.mkPen(*BEST, width=2), symbol="o", symbolSize=5, symbolBrush=pg.mkBrush(*BEST))

        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(self.species_box)
        right.addWidget(self.graph)
        right.addWidget(self.loss_widget)
        right.setStretchFactor(0, 2)
        right.setStretchFactor(1, 3)
        right.setStretchFactor(2, 2)
        right.setChildrenCollapsible(False)
        views = QSplitter(Qt.Orientation.Horizontal)
        views.addWidget(left)
        views.addWidget(right)
        views.setStretchFactor(0, 1)
        views.setStretchFactor(1, 1)
        views.setChildrenCollapsible(False)
        views.setSizes([500, 600])
        self.views = views

    def build_menus(self, menu_bar: QMenuBar, file_menu: QMenu) -> None:
        """The Playground menu."""
        menu = QMenu("&Playground", self)
        for text, slot, shortcut in (
            ("&Step", lambda: self.run_generations(1), "F10"),
            ("&Run", lambda: self.run_generations(self.run_count.value()), "F5"),
            ("&Pause / resume", self.toggle_pause, "Space"),
            ("S&top", self.stop_run, "Esc"),
            ("R&estart", self.apply_controls, "Ctrl+R"),
            (None, None, None),
            ("Show &test data", self.show_test_box.toggle, "Ctrl+T"),
            ("&Discretize output", self.discretize_box.toggle, "Ctrl+D"),
            (None, None, None),
            ("Sa&ve run…", self.save_dialog, None),
        ):
            if text is None:
                menu.addSeparator()
                continue
            action = QAction(text, self)
            if shortcut:
                action.setShortcut(QKeySequence(shortcut))
            action.triggered.connect(slot)
            menu.addAction(action)
            self.actions.append(action)
        self.menus = [menu]

    def set_active(self, active: bool) -> None:
        """The menu and its shortcuts act only while this workspace shows (Evolve uses the same keys)."""
        super().set_active(active)
        for action in self.actions:
            action.setEnabled(active)

    # --- controls ------------------------------------------------------------------------------

    def _sync_enabled(self, *_: object) -> None:
        playground = self.convention_box.currentData() == "playground"
        self.train_slider.setEnabled(playground)
        self.train_label.setEnabled(playground)

    def task_spec(self) -> dict[str, Any]:
        """The playground task the controls describe."""
        return {
            "name": "playground",
            "dataset": str(self.dataset_box.currentData()),
            "convention": str(self.convention_box.currentData()),
            "noise": self.noise_slider.value() / 100.0,
            "train_fraction": self.train_slider.value() / 100.0,
            "data_seed": self.data_seed_box.value(),
            "features": [name for name, box in self.feature_boxes.items() if box.isChecked()],
            "penalty": round(self.penalty_box.value(), 6),
        }

    def config(self) -> Any:
        """The Backprop NEAT config the controls describe (0 steps: the no-backprop ablation)."""
        steps = self.steps_box.value()
        layers = (NO_BACKPROP,) if steps == 0 else ()
        return BackpropNeat.load_config(layers=layers).replace(**{"population.size": self.population_box.value(), "backprop.steps": steps})

    def _on_controls_changed(self, *_: object) -> None:
        if self._restoring:
            return
        self._save_settings()
        if self.worker is None:
            self._preview_data()  # the run is made on the first Step or Run
        else:
            self._apply_timer.start()

    def _on_view_changed(self, *_: object) -> None:
        if not self._restoring:
            self._save_settings()
        self.boundary.set_show_test(self.show_test_box.isChecked())
        self._redraw()

    @Slot()
    def apply_controls(self) -> bool:
        """Set up a fresh run from the controls (the running one, if any, is stopped and dropped).

        Bad settings leave the current run alone and say what is wrong."""
        self._apply_timer.stop()
        if not any(box.isChecked() for box in self.feature_boxes.values()):
            return self._refuse("Features: tick at least one input feature (the network needs an input)")
        try:
            task = make_task(self.task_spec())
        except ValueError as error:
            return self._refuse(f"Data: {error}")
        try:
            run = BackpropNeat(self.config(), task, self.seed_box.value())
        except (ValueError, ConfigError) as error:
            task.close()
            return self._refuse(f"Backprop NEAT: {error}")
        self.error_label.setVisible(False)
        self.last_error = ""
        self._start(run)
        self.runPrepared.emit()
        return True

    def _refuse(self, message: str) -> bool:
        self.last_error = message
        self.error_label.setText(message)
        self.error_label.setVisible(True)
        self.shell.show_message(f"Cannot set up the run: {message}", 8000)
        return False

    # --- run lifecycle -------------------------------------------------------------------------

    def _start(self, run: BackpropNeat) -> None:
        self._shutdown_worker()
        self.run_spec, self.run_config, self.run_seed = run.task.spec(), run.config, int(run.seed_entropy)
        self.data = run.task.data
        self.history = list(run.history)
        self.selected_species = None
        self.ranges.reset()
        self.worker = EvolutionWorker(run)
        self.thread = QThread(self)
        self.worker.moveToThread(self.thread)
        self.requestRun.connect(self.worker.run_generations)
        self.requestSave.connect(self.worker.save)
        self.worker.reportsReady.connect(self._on_reports)
        self.worker.runFinished.connect(self._on_run_finished)
        self.worker.runFailed.connect(self._on_run_failed)
        self.worker.saved.connect(self._on_saved)
        self.worker.saveFailed.connect(lambda message: self._error("Save failed", message))
        # No deleteLater on the thread's end: the worker's signals are delivered after it (see
        # _shutdown_worker); the worker goes with its last Python reference.
        self.thread.start()
        data = self.data
        self.boundary.set_points(data.train_points, data.train_labels > 0, data.test_points, data.test_labels > 0)
        self._redraw()
        self._update_buttons()

    def _shutdown_worker(self) -> None:
        """Stop the worker and wait for its thread (no thread outlives its run)."""
        if self.thread is None:
            return
        assert self.worker is not None
        self.worker.stop()
        self.thread.quit()
        self.thread.wait()
        # The worker's last signals are queued to this thread: deliver them now, while this run
        # is still the current one, so no report of it can land in the next run's history.
        QCoreApplication.sendPostedEvents(self, QEvent.Type.MetaCall)
        self.requestRun.disconnect(self.worker.run_generations)
        self.requestSave.disconnect(self.worker.save)
        self.worker.reportsReady.disconnect(self._on_reports)
        self.worker.runFinished.disconnect(self._on_run_finished)
        self.worker.runFailed.disconnect(self._on_run_failed)
        self.worker.close_task()
        self.thread.deleteLater()
        self.thread = None
        self.worker = None
        if self.running:
            self.running = False
            self.runEnded.emit("stopped")
        self.paused = False

    def run_generations(self, count: int) -> None:
        """Ask the worker for ``count`` more generations (setting up a run first if none exists)."""
        if self.running:
            return
        if self._apply_timer.isActive() or self.worker is None:
            if not self.apply_controls():
                return
        assert self.worker is not None
        self.running = True
        self.paused = False
        self._set_pause_button(False)
        self._update_buttons()
        self.pause_button.setFocus()
        self._publish_status()
        self.requestRun.emit(count, False)

    @Slot(object)
    def _on_reports(self, reports: tuple[GenerationReport, ...]) -> None:
        self.history.extend(reports)
        if not self._redraw_timer.isActive():
            self._redraw_timer.start(0)

    @Slot(str)
    def _on_saved(self, path: str) -> None:
        self.shell.show_message(f"Saved {path} (File → Open run in Evolve continues it)")
        self.runSaved.emit(path)

    @Slot(str)
    def _on_run_finished(self, reason: str) -> None:
        self._end_command()
        if reason == "stopped":
            self.shell.show_message("Stopped: the unfinished generation was discarded; Run goes on from here", 6000)
        self.runEnded.emit(reason)

    @Slot(str)
    def _on_run_failed(self, message: str) -> None:
        self._end_command()
        self._error("The run stopped with an error", message)
        self.runEnded.emit("failed")

    def _end_command(self) -> None:
        self._redraw_timer.stop()
        self._redraw()
        self.running = False
        self.paused = False
        self._set_pause_button(False)
        self._update_buttons()
        self._publish_status()

    def _update_buttons(self) -> None:
        idle = not self.running
        for widget in (self.step_button, self.run_button, self.restart_button):
            widget.setEnabled(idle)
        self.pause_button.setEnabled(self.running)
        self.stop_button.setEnabled(self.running)

    def save_dialog(self) -> None:
        """Save the run (File format of the Evolve workspace, which can open and continue it)."""
        if self.worker is None or not self.history:
            self.shell.show_message("Nothing to save yet: run at least one generation (F10)")
            return
        path, _ = QFileDialog.getSaveFileName(self, "Save run", "", "NEAT Scope runs (*.json)")
        if path:
            self.save_run(path)

    def save_run(self, path: str) -> bool:
        """Ask the worker to save the run to ``path`` (between generations); False without a run.

        The file is an ordinary run file: the Evolve workspace (File → Open run) continues it."""
        if self.worker is None:
            return False
        self.requestSave.emit(path)
        return True

    # --- drawing -------------------------------------------------------------------------------

    def features(self) -> tuple[str, ...]:
        """The input features of the run on screen."""
        return tuple(self.run_spec["features"]) if self.run_spec else ("x", "y")

    def _redraw(self) -> None:
        """Draw everything from the history (called after each batch; the worker waits for it)."""
        try:
            self._draw_champion()
            self._draw_species()
            self._draw_network()
            self._draw_losses()
            self._publish_status()
        finally:
            worker = self.worker
            if worker is not None:
                # A lambda: the worker's bound method would be queued to its own, waiting thread.
                QTimer.singleShot(0, lambda: worker.drawing_done())
            gc.freeze()  # as the Evolve workspace: reports are immutable, long-lived, acyclic

    def _draw_champion(self) -> None:
        discretize = self.discretize_box.isChecked()
        if not self.history:
            self.boundary.set_values(None)
            self.summary.setText(self._data_summary() + "<br>No generation yet: <b>Step</b> (F10) or <b>Run</b> (F5).")
            return
        last = self.history[-1]
        champion = last.champion
        values = decision_boundaries([champion.to_genome()], self.features(), BOUNDARY_DENSITY)[0]
        self.boundary.set_values(values, 0.0, 1.0, discretize)
        extras = last.extras
        test, train = extras.champion_test_accuracy, extras.champion_train_accuracy
        losses = [f"{name} loss {value:.3f}" for name, value in (("training", extras.champion_train_loss), ("test", extras.champion_test_loss)) if value is not None]
        self.summary.setText(
            f"{self._data_summary()}<br>Generation <b>{last.generation}</b> · champion: "
            f"<b>test accuracy {_percent(test)}</b> · training {_percent(train)} · " + " · ".join(losses) + "<br>"
            f"{champion.hidden_count} hidden nodes, {champion.enabled_count} enabled connections · fitness {last.best_fitness:.4f}"
        )
        self.boundary.set_caption(f"Champion · test accuracy {_percent(test)}")

    def _data_summary(self) -> str:
        if self.run_spec is None or self.data is None:
            return "No run yet"
        spec = self.run_spec
        features = ", ".join(FEATURE_LABELS[f] for f in spec["features"])
        return (
            f"<b>{spec['dataset'].capitalize()}</b>, noise {spec['noise'] * 100:g}, {len(self.data.train_labels)} training / "
            f"{len(self.data.test_labels)} test points · inputs {features} · penalty {spec['penalty']:g} · "
            f"{'backprop ' + str(self.run_config.backprop.steps) + ' steps' if self.run_config.backprop.steps else 'no backprop'} · seed {self.run_seed}"
        )

    def _draw_species(self) -> None:
        species = self.history[-1].extras.species if self.history else ()
        order = sorted(range(len(species)), key=lambda i: -species[i].best_fitness)[:MAX_SPECIES_SHOWN]
        shown = [species[i] for i in order]
        while len(self.species_views) < len(shown):
            view = PlaneView(minimum=90, point_radius=1.6)
            view.caption_size = -2.0
            index = len(self.species_views)
            view.clicked.connect(lambda i=index: self.select_species(i))
            self.species_views.append(view)
            self.species_grid.addWidget(view, index // SPECIES_COLUMNS, index % SPECIES_COLUMNS)
        self.species_ids = [s.species_id for s in shown]
        if self.selected_species is not None and self.selected_species not in self.species_ids:
            self.selected_species = None
        pictures = decision_boundaries([s.best_genome.to_genome() for s in shown], self.features(), SPECIES_DENSITY) if shown else []
        extras = self.history[-1].extras if self.history else None
        discretize = self.discretize_box.isChecked()
        for slot, view in enumerate(self.species_views):
            if slot >= len(shown):
                view.setVisible(False)
                continue
            snapshot, index = shown[slot], order[slot]
            view.setVisible(True)
            view.set_values(pictures[slot], 0.0, 1.0, discretize)
            if self.data is not None:
                view.set_points(self.data.train_points, self.data.train_labels > 0, self.data.test_points, self.data.test_labels > 0)
            accuracy = extras.species_test_accuracy[index] if extras is not None and index < len(extras.species_test_accuracy) else None
            view.set_caption(f"#{snapshot.species_id}: {_percent(accuracy)}")
            view.setToolTip(
                f"Species {snapshot.species_id}: {snapshot.size} genomes, best fitness {snapshot.best_fitness:.4f}, "
                f"test accuracy {_percent(accuracy)}; its best network has {snapshot.best_genome.hidden_count} hidden nodes and "
                f"{snapshot.best_genome.enabled_count} enabled connections. Click to draw it below."
            )
            view.set_selected(snapshot.species_id == self.selected_species)

    def select_species(self, slot: int) -> None:
        """Draw the best network of the species in grid slot ``slot`` (click it again: the champion)."""
        if slot >= len(self.species_ids):
            return
        species_id = self.species_ids[slot]
        self.selected_species = None if self.selected_species == species_id else species_id
        for index, view in enumerate(self.species_views):
            view.set_selected(index < len(self.species_ids) and self.species_ids[index] == self.selected_species)
        self._draw_network()

    def shown_genome(self) -> tuple[GenomeSnapshot | None, str]:
        """The genome the network view draws and its title."""
        if not self.history:
            return None, ""
        last = self.history[-1]
        for species in last.extras.species:
            if species.species_id == self.selected_species:
                return species.best_genome, f"Best network of species {species.species_id} (click its picture again for the champion)"
        return last.champion, f"Champion of generation {last.generation}: every node's own output over the plane"

    def _draw_network(self) -> None:
        genome, title = self.shown_genome()
        key_kinds: Sequence[str] = ()
        if self.run_config is not None:
            key_kinds = tuple(self.run_config.nodes.new_node_functions)
        if genome is None:
            self.graph.show_network(None, {}, (), key_kinds)
            return
        pictures = node_pictures(genome.to_genome(), self.features(), NODE_DENSITY)
        self.graph.show_network(genome, pictures, [FEATURE_LABELS[f] for f in self.features()], key_kinds, title)

    def _draw_losses(self) -> None:
        extras = [r.extras for r in self.history]
        generations = np.array([r.generation for r in self.history], dtype=np.float64)
        series = []
        for curve, name in ((self.train_curve, "champion_train_loss"), (self.test_curve, "champion_test_loss"), (self.mean_curve, "mean_loss_after")):
            values = np.array([np.nan if getattr(e, name) is None else getattr(e, name) for e in extras], dtype=np.float64)
            keep = np.isfinite(values)
            curve.setData(generations[keep], values[keep])
            series.append(values[keep])
        finite = np.concatenate(series) if series else np.zeros(0)
        if len(generations):
            self.ranges.apply("x", self.loss_plot.setXRange, float(generations[0]), float(generations[-1]) + 1)
        if finite.size:
            self.ranges.apply("y", self.loss_plot.setYRange, 0.0, float(finite.max()), fixed_lo=True)
        curve, stopped = kept_checks(extras[-1].champion_loss_curve if extras else ())
        every = self.run_config.backprop.check_every if self.run_config is not None else 1
        self.backprop_curve.setData(np.arange(len(curve), dtype=np.float64) * every, np.asarray(curve, dtype=np.float64))
        if self.run_config is not None and not self.run_config.backprop.steps:
            title = "Backprop off (plain NEAT)"
        elif not extras or self.run_config is None:
            title = "Champion's latest backprop"
        elif stopped:
            title = f"Champion's latest backprop: kept {(len(curve) - 1) * every} steps"
        else:
            title = f"Champion's latest backprop: all {self.run_config.backprop.steps} steps"
        self.backprop_plot.setTitle(title, size="9pt")

    # --- status, settings, closing -------------------------------------------------------------

    def status_text(self) -> str:
        """Run, generation, champion accuracy and state."""
        if self.run_spec is None:
            return "Playground: choose a dataset; Step (F10) or Run (F5)"
        parts = [f"Playground: {self.run_spec['dataset']}, seed {self.run_seed}"]
        if self.history:
            last = self.history[-1]
            parts.append(f"generation {last.generation}")
            parts.append(f"test accuracy {_percent(last.extras.champion_test_accuracy)}")
            parts.append(f"species {len(last.extras.species)}")
        else:
            parts.append("no generation yet")
        if self.paused:
            parts.append("PAUSED (Space resumes)")
        elif self.running:
            parts.append("running")
        return "  ·  ".join(parts)

    def _publish_status(self) -> None:
        self.statusChanged.emit(self.status_text())

    def _error(self, title: str, message: str) -> None:
        self.last_error = message
        self.shell.error(title, message)

    def _save_settings(self) -> None:
        spec = self.task_spec()
        values = {
            "dataset": spec["dataset"],
            "convention": spec["convention"],
            "noise": self.noise_slider.value(),
            "train_percent": self.train_slider.value(),
            "data_seed": self.data_seed_box.value(),
            "features": ",".join(spec["features"]),
            "penalty": self.penalty_box.value(),
            "steps": self.steps_box.value(),
            "population": self.population_box.value(),
            "seed": self.seed_box.value(),
            "show_test": int(self.show_test_box.isChecked()),
            "discretize": int(self.discretize_box.isChecked()),
        }
        for key, value in values.items():
            self.settings.setValue(f"playground/{key}", value)

    def _restore_settings(self) -> None:
        """Controls from the remembered settings; the article's defaults where none (or a bad one) is stored."""
        defaults = BackpropNeat.default_config()

        def number(key: str, default: float, kind=int):
            try:
                return kind(self.settings.value(f"playground/{key}", default))
            except (TypeError, ValueError):
                return default

        for box, key, default in ((self.dataset_box, "dataset", "spiral"), (self.convention_box, "convention", "article")):
            index = box.findData(str(self.settings.value(f"playground/{key}", default)))
            box.setCurrentIndex(index if index >= 0 else box.findData(default))
        self.noise_slider.setValue(number("noise", 50))
        self.train_slider.setValue(number("train_percent", 50))
        self.data_seed_box.setValue(number("data_seed", 0))
        features = str(self.settings.value("playground/features", "x,y")).split(",")
        if not any(name in FEATURES for name in features):
            features = ["x", "y"]
        for name, box in self.feature_boxes.items():
            box.setChecked(name in features)
        self.penalty_box.setValue(number("penalty", 0.03, float))
        self.steps_box.setValue(number("steps", defaults.backprop.steps))
        self.population_box.setValue(number("population", defaults.population.size))
        self.seed_box.setValue(number("seed", 0))
        self.show_test_box.setChecked(bool(number("show_test", 0)))
        self.discretize_box.setChecked(bool(number("discretize", 0)))
        self.noise_label.setText(str(self.noise_slider.value()))
        self.train_label.setText(f"{self.train_slider.value()}%")
        self._sync_enabled()
        self.boundary.set_show_test(self.show_test_box.isChecked())
        self._restoring = False
        self._preview_data()

    def _preview_data(self) -> None:
        """Show the data the controls describe before any run exists (the run is made on first Step)."""
        try:
            task = make_task(self.task_spec())
        except ValueError as error:
            self._refuse(f"Data: {error}")
            return
        data = task.data
        self.error_label.setVisible(False)
        self.boundary.set_points(data.train_points, data.train_labels > 0, data.test_points, data.test_labels > 0)
        self.summary.setText(
            f"<b>{data.dataset.capitalize()}</b>, {len(data.train_labels)} training / {len(data.test_labels)} test points. "
            "No run yet: <b>Step</b> (F10) or <b>Run</b> (F5)."
        )

    def shutdown(self) -> None:
        """Remember the controls and stop the run."""
        self._apply_timer.stop()
        self._save_settings()
        self._shutdown_worker()


def kept_checks(curve: Sequence[float]) -> tuple[tuple[float, ...], bool]:
    """A champion's loss at each early-stopping check up to where training stopped, and whether it
    stopped early (``champion_loss_curve`` repeats the kept loss after a stop; the repeats are cut)."""
    values = tuple(curve)
    end = len(values)
    while end > 1 and values[end - 1] == values[end - 2]:
        end -= 1
    return values[:end], end < len(values)


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f}%"
