"""The Substrate workspace: what a HyperNEAT or ES-HyperNEAT champion's CPPN paints.

Four views of one champion (a generation of the run, the latest by default): the CPPN's graph;
the network it decodes into, drawn at its substrate positions (click a neuron to choose it); the
CPPN's weight image for the chosen neuron, with ES-HyperNEAT's quadtree cells and hidden neurons
over it; and, on the boxes task, the trials as the decoded network answers them. The resolution
slider decodes the same CPPN at another resolution (11x11, 33x33, 55x55...) with no further
evolution.

The run comes from this workspace's own small run controls (the engine on an
``EvolutionWorker`` thread, as in Evolve), from a run file, or from the Evolve workspace's run.
Widgets see only immutable reports and the arrays ``core.algorithms.hyperneat.inspect`` returns;
decoding (seconds at 55x55) happens on a background thread, one request at a time, the newest
wins.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, Qt, QThread, QTimer, Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMenu,
    QMenuBar,
    QProgressBar,
    QPushButton,
    QSlider,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from core.algorithms.hyperneat.config import EsHyperNeatConfig
from core.algorithms.hyperneat.cppn import input_names, output_names
from core.algorithms.hyperneat.inspect import BoxesPlayback, SubstrateView, boxes_playback, quadtree, substrate_view, weight_slice
from core.algorithms.registry import algorithm_class
from core.compiled import choose_kernel
from core.networks.genome import Genome
from core.runs.persistence import UserCodeRequired, load_run
from core.runs.reports import GenerationReport
from core.tasks import make_task
from core.tasks.boxes import FIELD, BoxesTask, BoxesTrials, random_trials
from desktop_app.theme import MUTED
from desktop_app.widgets.network_view import NetworkView
from desktop_app.widgets.substrate_views import Selection, SubstrateGraph, TrialViewer, WeightImage
from desktop_app.worker import EvolutionWorker
from desktop_app.workspaces.base import Workspace, scrolling_sidebar

ALGORITHMS = ("hyperneat", "es-hyperneat")
TASK_CHOICES = {"Boxes (visual discrimination)": {"name": "boxes"}, "CartPole-v1": {"name": "cartpole"}, "XOR": {"name": "xor"}}
MIN_RESOLUTION, MAX_RESOLUTION = 5, 77
RESOLUTION_MARKS = (11, 33, 55)
# A slider being dragged asks for a decode only once it rests this long.
DECODE_DELAY_MS = 150


@dataclass(frozen=True, slots=True)
class DecodeRequest:
    """What the decoding thread is asked: one CPPN onto one substrate (and the trials to replay)."""

    serial: int
    config: Any
    cppn: Genome
    shape: Any
    resolution: int | None
    trials: BoxesTrials | None


@dataclass(frozen=True, slots=True)
class DecodeResult:
    """A decoded champion: the drawable network, the boxes trials it answered, seconds taken."""

    serial: int
    resolution: int | None
    view: SubstrateView
    playback: BoxesPlayback | None
    seconds: float
    kernel: str = "numpy"


class SubstrateComputer(QObject):
    """Decodes on its own thread; the GUI thread only sends requests and draws the results.

    Signals:
        finished(object): a ``DecodeResult``.
        failed(int, str): the request's serial and what went wrong.
    """

    finished = Signal(object)
    failed = Signal(int, str)

    def __init__(self) -> None:
        super().__init__()
        self.numpy_seconds = 0.0

    @Slot(object)
    def compute(self, request: DecodeRequest) -> None:
        """Decode ``request`` (called through a queued signal, so in this object's thread).

        On the compiled kernel (the same numbers) as a run's "auto" setting would pick it: for big
        decodes, or once numpy decodes have taken a while, if the kernels are compiled."""
        started = time.perf_counter()
        try:
            links = request.shape.num_inputs * request.shape.num_outputs
            kernel = choose_kernel("auto", links, self.numpy_seconds, True)
            view = substrate_view(request.config, request.cppn, request.shape, kernel)
            if kernel == "numpy":
                self.numpy_seconds += time.perf_counter() - started
            playback = None
            if request.trials is not None and request.resolution is not None:
                playback = boxes_playback(request.config, request.cppn, request.trials, request.resolution, network=view.network)
        except Exception as error:  # noqa: BLE001 - any failure is shown, the app stays up
            self.failed.emit(request.serial, f"{type(error).__name__}: {error}")
            return
        self.finished.emit(DecodeResult(request.serial, request.resolution, view, playback, time.perf_counter() - started, kernel))


def task_shape(task_spec: dict[str, Any], resolution: int | None) -> Any:
    """What a substrate needs of a task (input and output counts and grids), at ``resolution``
    for the boxes task, without keeping an environment open."""
    if task_spec.get("name") == "boxes":
        return BoxesTask(resolution or int(task_spec.get("resolution", FIELD)))
    task = make_task(task_spec)
    try:
        return SimpleNamespace(
            num_inputs=task.num_inputs,
            num_outputs=task.num_outputs,
            input_grid=getattr(task, "input_grid", None),
            output_grid=getattr(task, "output_grid", None),
        )
    finally:
        task.close()


class SubstrateWorkspace(Workspace):
    """Inspect a HyperNEAT / ES-HyperNEAT champion: CPPN, decoded substrate, weight image, trials."""

    key = "substrate"
    title = "Substrate"
    help = (
        "<b>Substrate</b>: what a HyperNEAT or ES-HyperNEAT champion's CPPN paints. "
        "<b>Top left</b>: the CPPN, a small NEAT network queried with the coordinates of two neurons "
        "(x1, y1, x2, y2, ...) that answers the weight between them. "
        "<b>Top right</b>: the network it decodes into, each neuron at its substrate position (sheets that "
        "cover the same square, like the boxes task's 11×11 fields, are drawn side by side). Click a "
        "neuron: its links are drawn (or, when there are many, its partners coloured: red positive, blue "
        "negative). <b>Bottom left</b>: the CPPN's weight for links from that neuron (into it, for an "
        "output) to every point of the plane; the star is the neuron. For ES-HyperNEAT the quadtree "
        "cells are outlined, the cells that passed the band test and became links in green, and the hidden "
        "neurons it found are orange. <b>Bottom right</b> (boxes task): the trials, with the large box's "
        "centre (green +) and the network's answer (red square). The <b>resolution</b> slider decodes the "
        "same CPPN at another resolution (33×33, 55×55) with no further evolution: HyperNEAT's claim is "
        "that the answers stay right. Runs come from the run controls here, File → Open run in "
        "Substrate, or Evolve's run (Use Evolve's run)."
    )

    requestRun = Signal(int, bool)
    requestSave = Signal(str)
    runSaved = Signal(str)
    requestDecode = Signal(object)
    # Emitted on the GUI thread after a decode is drawn (its result) or failed (its message).
    decoded = Signal(object)
    decodeFailed = Signal(str)
    runEnded = Signal(str)

    def __init__(self, shell):
        super().__init__(shell)
        self.history: list[GenerationReport] = []
        self.config: Any = None
        self.algorithm_name = ""
        self.task_spec: dict[str, Any] = {}
        self.source = ""
        self.following_evolve = False
        self.shown_index: int | None = None  # None: follow the latest generation
        self.selection: Selection | None = None
        self.result: DecodeResult | None = None
        self.cppn: Genome | None = None
        self.last_error = ""
        self.running = False
        self._serial = 0
        self._in_flight: int | None = None
        self._wanted: DecodeRequest | None = None
        self._trials: BoxesTrials | None = None
        self.engine_thread: QThread | None = None
        self.engine: EvolutionWorker | None = None
        self._build()
        self._start_computer()
        self._decode_timer = QTimer(self)
        self._decode_timer.setSingleShot(True)
        self._decode_timer.setInterval(DECODE_DELAY_MS)
        self._decode_timer.timeout.connect(self.request_decode)
        self._restore_settings()
        self._show_nothing()

    # --- construction ------------------------------------------------------------------------

    def _build(self) -> None:
        self.algorithm_box = QComboBox()
        for name in ALGORITHMS:
            self.algorithm_box.addItem(algorithm_class(name).title, name)
        self.algorithm_box.setToolTip("HyperNEAT paints a fixed substrate; ES-HyperNEAT also places its hidden neurons")
        self.task_box = QComboBox()
        self.task_box.addItems(list(TASK_CHOICES))
        self.task_box.setToolTip("Boxes: point at the large of two boxes on an 11×11 field (HyperNEAT's showcase). Control tasks lay their inputs on a line.")
        self.seed_box = QSpinBox()
        self.seed_box.setRange(0, 2_000_000_000)
        self.seed_box.setToolTip("Same seed and settings give the same run, bit for bit")
        self.population_box = QSpinBox()
        self.population_box.setRange(4, 10_000)
        self.population_box.setValue(150)
        self.population_box.setToolTip("CPPNs per generation (paper: 150)")
        self.generations_box = QSpinBox()
        self.generations_box.setRange(1, 100_000)
        self.generations_box.setValue(20)
        self.generations_box.setToolTip("Generations per press of Run")
        form = QFormLayout()
        form.addRow("Algorithm", self.algorithm_box)
        form.addRow("Task", self.task_box)
        form.addRow("Seed", self.seed_box)
        form.addRow("Population", self.population_box)
        form.addRow("Generations", self.generations_box)
        self.new_button = QPushButton("New run")
        self.new_button.setToolTip("Start a run from these settings (the shipped defaults otherwise) and evolve the generations below")
        self.new_button.clicked.connect(self.new_run)
        self.more_button = QPushButton("Run more")
        self.more_button.setToolTip("Evolve this run further (runs opened from a file continue too)")
        self.more_button.clicked.connect(lambda: self.run_generations(self.generations_box.value()))
        self.stop_button = QPushButton("Stop")
        self.stop_button.setToolTip("End the run now; the unfinished generation is discarded")
        self.stop_button.clicked.connect(self.stop_run)
        self.open_button = QPushButton("Open run…")
        self.open_button.setToolTip("A HyperNEAT or ES-HyperNEAT run file (neatscope run boxes --algorithm hyperneat --save RUN.json)")
        self.open_button.clicked.connect(self.open_dialog)
        self.evolve_button = QPushButton("Use Evolve's run")
        self.evolve_button.setToolTip("Show the HyperNEAT / ES-HyperNEAT run of the Evolve workspace (refreshed whenever this tab is shown)")
        self.evolve_button.clicked.connect(self.use_evolve_run)
        self.save_button = QPushButton("Save run…")
        self.save_button.setToolTip("Save this workspace's run (resumable, opens in Evolve too)")
        self.save_button.clicked.connect(self.save_dialog)
        buttons = QVBoxLayout()
        for pair in ((self.new_button, self.more_button, self.stop_button), (self.open_button, self.save_button), (self.evolve_button,)):
            row = QHBoxLayout()
            for button in pair:
                row.addWidget(button)
            buttons.addLayout(row)
        self.run_label = QLabel("No run yet")
        self.run_label.setWordWrap(True)
        self.run_label.setStyleSheet(f"color: {MUTED};")
        run_group = QGroupBox("Run")
        run_layout = QVBoxLayout(run_group)
        run_layout.addLayout(form)
        run_layout.addLayout(buttons)
        run_layout.addWidget(self.run_label)

        self.generation_slider = QSlider(Qt.Orientation.Horizontal)
        self.generation_slider.setToolTip("Whose champion is shown: drag back through the run; at the right end it follows the latest generation")
        self.generation_slider.valueChanged.connect(self._on_generation_moved)
        self.generation_label = QLabel("Champion of generation —")
        self.resolution_slider = QSlider(Qt.Orientation.Horizontal)
        self.resolution_slider.setRange(MIN_RESOLUTION, MAX_RESOLUTION)
        self.resolution_slider.setValue(FIELD)
        self.resolution_slider.setTickPosition(QSlider.TickPosition.TicksBelow)
        self.resolution_slider.setTickInterval(FIELD)
        self.resolution_slider.setPageStep(FIELD)
        self.resolution_slider.setToolTip(
            "Decode the same CPPN onto R×R sheets, with no further evolution (ticks at 11, 22, 33, 44, 55, 66, 77; "
            "Page Up/Down jump by 11). Boxes task only: other tasks fix their neuron count."
        )
        self.resolution_slider.valueChanged.connect(self._on_resolution_moved)
        self.resolution_label = QLabel()
        self.pixels_box = QSpinBox()
        self.pixels_box.setRange(8, 256)
        self.pixels_box.setValue(64)
        self.pixels_box.setSuffix(" px")
        self.pixels_box.setToolTip("Pixels per side of the CPPN weight image (the CPPN is queried at each pixel centre)")
        self.pixels_box.valueChanged.connect(lambda _: (self._remember(), self.redraw_slice()))
        self.values_box = QComboBox()
        self.values_box.addItem("Expressed weights", "weights")
        self.values_box.addItem("Raw CPPN output", "raw")
        self.values_box.setToolTip("Expressed: the link weights after the threshold and scaling (white: no link). Raw: the CPPN's weight output itself")
        self.values_box.currentIndexChanged.connect(lambda _: (self._remember(), self.redraw_slice()))
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setMaximumHeight(12)
        self.busy.setTextVisible(False)
        self.busy.setVisible(False)
        self.decode_label = QLabel(" ")
        self.decode_label.setWordWrap(True)
        self.decode_label.setStyleSheet(f"color: {MUTED};")
        view_group = QGroupBox("View")
        view_form = QFormLayout(view_group)
        view_form.addRow(self.generation_label)
        view_form.addRow(self.generation_slider)
        view_form.addRow(self.resolution_label)
        view_form.addRow(self.resolution_slider)
        view_form.addRow("Image", self.pixels_box)
        view_form.addRow("Show", self.values_box)
        view_form.addRow(self.busy)
        view_form.addRow(self.decode_label)

        sidebar = QWidget()
        side = QVBoxLayout(sidebar)
        side.setContentsMargins(0, 0, 0, 0)
        side.addWidget(run_group)
        side.addWidget(view_group)
        side.addStretch(1)
        scroll = scrolling_sidebar(sidebar, 250, 360)

        self.cppn_view = NetworkView()
        self.graph = SubstrateGraph()
        self.graph.nodeClicked.connect(self.select_node)
        self.image = WeightImage()
        self.trials = TrialViewer()
        self.trials.newTrialsRequested.connect(self.new_trials)
        top = QSplitter(Qt.Orientation.Horizontal)
        top.addWidget(self.cppn_view)
        top.addWidget(self.graph)
        bottom = QSplitter(Qt.Orientation.Horizontal)
        bottom.addWidget(self.image)
        bottom.addWidget(self.trials)
        centre = QSplitter(Qt.Orientation.Vertical)
        centre.addWidget(top)
        centre.addWidget(bottom)
        for splitter in (top, bottom, centre):
            splitter.setChildrenCollapsible(False)
            splitter.setSizes([500, 500])
        self.centre = centre
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        outer = QSplitter(Qt.Orientation.Horizontal)
        outer.addWidget(scroll)
        outer.addWidget(centre)
        outer.setStretchFactor(1, 1)
        outer.setChildrenCollapsible(False)
        outer.setSizes([300, 1100])
        layout.addWidget(outer)
        self._update_buttons()

    def _start_computer(self) -> None:
        self.computer = SubstrateComputer()
        self.computer_thread = QThread(self)
        self.computer.moveToThread(self.computer_thread)
        self.requestDecode.connect(self.computer.compute)
        self.computer.finished.connect(self._on_decoded)
        self.computer.failed.connect(self._on_decode_failed)
        self.computer_thread.finished.connect(self.computer.deleteLater)
        self.computer_thread.start()

    def build_menus(self, menu_bar: QMenuBar, file_menu: QMenu) -> None:
        """File → Open run in Substrate (shown while this workspace is in front)."""
        self.open_action = QAction("Open run in Su&bstrate…", self)
        self.open_action.triggered.connect(self.open_dialog)
        file_menu.addAction(self.open_action)
        self.open_action.setVisible(False)

    def set_active(self, active: bool) -> None:
        """Its File entry shows only while in front; Evolve's run is refreshed when shown."""
        super().set_active(active)
        if hasattr(self, "open_action"):
            self.open_action.setVisible(active)
        if active and self.following_evolve:
            self.use_evolve_run(quiet=True)

    # --- settings ----------------------------------------------------------------------------

    def _restore_settings(self) -> None:
        settings = self.settings

        def number(key: str, default: int) -> int:
            try:
                return int(settings.value(f"substrate/{key}", default))
            except (TypeError, ValueError):
                return default

        index = self.algorithm_box.findData(settings.value("substrate/algorithm", "hyperneat"))
        self.algorithm_box.setCurrentIndex(max(0, index))
        task = settings.value("substrate/task")
        if task in TASK_CHOICES:
            self.task_box.setCurrentText(str(task))
        self.seed_box.setValue(number("seed", 0))
        self.population_box.setValue(number("population", 150))
        self.generations_box.setValue(number("generations", 20))
        self.resolution_slider.blockSignals(True)
        self.resolution_slider.setValue(number("resolution", FIELD))
        self.resolution_slider.blockSignals(False)
        self.pixels_box.blockSignals(True)
        self.pixels_box.setValue(number("pixels", 64))
        self.pixels_box.blockSignals(False)
        self.values_box.blockSignals(True)
        self.values_box.setCurrentIndex(max(0, self.values_box.findData(settings.value("substrate/values", "weights"))))
        self.values_box.blockSignals(False)
        self._trial_seed = number("trial_seed", 0)
        self._update_resolution_label()

    def _remember(self) -> None:
        settings = self.settings
        settings.setValue("substrate/algorithm", self.algorithm_box.currentData())
        settings.setValue("substrate/task", self.task_box.currentText())
        settings.setValue("substrate/seed", self.seed_box.value())
        settings.setValue("substrate/population", self.population_box.value())
        settings.setValue("substrate/generations", self.generations_box.value())
        settings.setValue("substrate/resolution", self.resolution_slider.value())
        settings.setValue("substrate/pixels", self.pixels_box.value())
        settings.setValue("substrate/values", self.values_box.currentData())
        settings.setValue("substrate/trial_seed", self._trial_seed)

    # --- where the run comes from ------------------------------------------------------------

    def _error(self, title: str, message: str) -> None:
        self.last_error = message
        self.shell.error(title, message)

    def _take(self, algorithm: str, config: Any, task_spec: dict[str, Any], history: list[GenerationReport], source: str) -> bool:
        """Show a run: its settings and its (immutable) report history."""
        if algorithm not in ALGORITHMS:
            title = algorithm_class(algorithm).title if algorithm else "no"
            self._error("Not a substrate run", f"This is a {title} run. The Substrate workspace shows HyperNEAT and ES-HyperNEAT runs.")
            return False
        try:
            task_shape(task_spec, None)
        except ValueError as error:
            self._error("Cannot show the run", f"Its task {task_spec.get('name')!r} cannot be built here: {error}")
            return False
        self.algorithm_name, self.config, self.task_spec = algorithm, config, dict(task_spec)
        # The run controls show the run in front (they are what Run more continues).
        self.algorithm_box.setCurrentIndex(self.algorithm_box.findData(algorithm))
        for label, spec in TASK_CHOICES.items():
            if spec["name"] == task_spec.get("name"):
                self.task_box.setCurrentText(label)
        self.history = list(history)
        self.source = source
        self._serial += 1  # whatever is being decoded now belongs to the last run
        self._wanted = None
        self.shown_index = None
        self.selection = None
        self.result = None
        self.cppn = None
        self._trials = None
        names = (input_names(config.hyperneat), output_names(config.hyperneat))
        self.cppn_view.set_names(*names)
        boxes = self.is_boxes
        self.resolution_slider.setEnabled(boxes)
        self._update_resolution_label()
        self._refresh_generations()
        self.show_champion()
        self._update_buttons()
        self._publish_status()
        return True

    @property
    def is_boxes(self) -> bool:
        """Whether the run's task is the boxes task (resolution slider and trial viewer apply)."""
        return self.task_spec.get("name") == "boxes"

    @property
    def resolution(self) -> int | None:
        """The resolution decoded (boxes), None for tasks whose neuron counts are fixed."""
        return self.resolution_slider.value() if self.is_boxes else None

    def new_run(self) -> bool:
        """Start a run from the sidebar and evolve ``Generations`` generations of it."""
        if self.running:
            return False
        self._remember()
        name = str(self.algorithm_box.currentData())
        cls = algorithm_class(name)
        try:
            config = cls.default_config().replace(**{cls.population_size_key: self.population_box.value()})
            task = make_task(TASK_CHOICES[self.task_box.currentText()])
            run = cls(config, task, self.seed_box.value())
        except Exception as error:  # noqa: BLE001 - a config or task that cannot be built is reported
            self._error("Cannot start the run", f"{cls.title} on {self.task_box.currentText()}: {error}")
            return False
        return self._adopt(run, f"{run.title} on {self.task_box.currentText()}, seed {run.seed_entropy}") and self.run_generations(self.generations_box.value())

    def _adopt(self, run: Any, source: str) -> bool:
        """Hand an engine to a fresh worker thread and show its history."""
        if not self._take(run.name, run.config, run.task.spec(), list(run.history), source):
            run.task.close()
            return False
        self.following_evolve = False
        self._shutdown_engine()
        self.engine = EvolutionWorker(run)
        self.engine_thread = QThread(self)
        self.engine.moveToThread(self.engine_thread)
        self.requestRun.connect(self.engine.run_generations)
        self.requestSave.connect(self.engine.save)
        self.engine.saved.connect(self._on_saved)
        self.engine.saveFailed.connect(lambda message: self._error("Save failed", message))
        self.engine.reportsReady.connect(self._on_reports)
        self.engine.runFinished.connect(self._on_run_finished)
        self.engine.runFailed.connect(self._on_run_failed)
        self.engine_thread.finished.connect(self.engine.deleteLater)
        self.engine_thread.start()
        self._update_buttons()
        return True

    def run_generations(self, count: int) -> bool:
        """Evolve the run this workspace owns ``count`` more generations."""
        if self.running or self.engine is None:
            if self.engine is None:
                self.shell.show_message("Nothing to evolve here: start a New run, or open a run file (Evolve's run is evolved in Evolve)", 6000)
            return False
        self.running = True
        self._update_buttons()
        self.requestRun.emit(count, False)
        self._publish_status()
        return True

    def stop_run(self) -> None:
        """End the running run at its next network activation."""
        if self.engine is not None and self.running:
            self.engine.stop()

    @Slot(object)
    def _on_reports(self, reports: tuple[GenerationReport, ...]) -> None:
        self.history.extend(reports)
        self._refresh_generations()
        if self.shown_index is None:
            self.show_champion()
        self._publish_status()
        # Drawn once the event loop has handled this batch; the worker may go on then.
        # (A lambda: the worker's bound method would be queued to its own, waiting, thread.)
        engine = self.engine
        if engine is not None:
            QTimer.singleShot(0, lambda: engine.drawing_done())

    @Slot(str)
    def _on_run_finished(self, reason: str) -> None:
        self.running = False
        self._update_buttons()
        self._publish_status()
        self.runEnded.emit(reason)

    @Slot(str)
    def _on_run_failed(self, message: str) -> None:
        self.running = False
        self._update_buttons()
        self._error("The run stopped with an error", message)
        self.runEnded.emit("failed")

    def _shutdown_engine(self) -> None:
        if self.engine_thread is None:
            return
        assert self.engine is not None
        self.engine.stop()
        self.requestRun.disconnect(self.engine.run_generations)
        self.requestSave.disconnect(self.engine.save)
        self.engine.reportsReady.disconnect(self._on_reports)
        self.engine_thread.quit()
        self.engine_thread.wait()
        self.engine.close_task()
        self.engine_thread.deleteLater()
        self.engine_thread = None
        self.engine = None
        self.running = False

    def save_run(self, path: str) -> bool:
        """Save the run this workspace evolves (done by its worker, between generations)."""
        if self.engine is None:
            self.shell.show_message("Nothing to save here: Evolve's run is saved in Evolve; start a New run first", 6000)
            return False
        self.requestSave.emit(path)
        return True

    def save_dialog(self) -> None:
        if self.engine is None:
            self.save_run("")
            return
        start = str(self.settings.value("substrate/last_dir", str(Path.home())))
        path, _ = QFileDialog.getSaveFileName(self, "Save run", start, "NEAT Scope runs (*.json)")
        if path:
            self.save_run(path)

    @Slot(str)
    def _on_saved(self, path: str) -> None:
        self.settings.setValue("substrate/last_dir", str(Path(path).parent))
        self.shell.show_message(f"Saved {path}")
        self.runSaved.emit(path)

    def open_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open run in Substrate", str(self.settings.value("substrate/last_dir", str(Path.home()))), "NEAT Scope runs (*.json);;All files (*)")
        if path:
            self.open_run(path)

    def open_run(self, path: str) -> bool:
        """Show (and let Run more continue) the run in a file or run folder."""
        if self.running:
            self.shell.show_message("Stop the run first (Stop)", 5000)
            return False
        try:
            run = load_run(path)
        except UserCodeRequired as need:
            self._error("Cannot open the run", f"{path}\n\nIt evaluates genomes with your code ({need.code.target}); open it in the Evolve workspace, which asks first.")
            return False
        except Exception as error:  # noqa: BLE001 - whatever a file does to the reader, the app stays up
            self._error("Cannot open the run", f"{path}\n\n{error}")
            return False
        self.settings.setValue("substrate/last_dir", str(Path(path).parent))
        if not self._adopt(run, f"{run.title} from {Path(path).name}"):
            return False
        self.shell.show_message(f"Opened {path} at generation {run.generation}")
        return True

    def use_evolve_run(self, quiet: bool = False) -> bool:
        """Show the Evolve workspace's run (its reports are immutable: nothing is shared but them)."""
        try:
            evolve = self.shell.workspace("evolve")
        except StopIteration:
            return False
        run = getattr(evolve, "run", None)
        if run is None or run.algorithm not in ALGORITHMS:
            if not quiet:
                what = "no run" if run is None else f"a {run.algorithm_title} run"
                self._error("No substrate run in Evolve", f"The Evolve workspace has {what}. Start a HyperNEAT or ES-HyperNEAT run there first.")
            self.following_evolve = False
            return False
        if self.running:
            self.shell.show_message("Stop this workspace's run first (Stop)", 5000)
            return False
        if quiet and self.following_evolve and len(evolve.history) == len(self.history) and self.config is run.config:
            return True
        keep = self.shown_index if quiet and self.config is run.config else None
        self._shutdown_engine()
        if not self._take(run.algorithm, run.config, run.task_spec, list(evolve.history), f"{run.algorithm_title} on {run.task_title} (Evolve), seed {run.seed}"):
            return False
        self.following_evolve = True
        if not getattr(self, "_watching_evolve", False):
            # Evolve's run goes on after it was taken: new generations show when its command ends.
            evolve.runEnded.connect(lambda _reason: self.following_evolve and self.isVisible() and self.use_evolve_run(quiet=True))
            self._watching_evolve = True
        if keep is not None and keep < len(self.history):
            self.generation_slider.setValue(keep)
        return True

    # --- what is shown -----------------------------------------------------------------------

    def _refresh_generations(self) -> None:
        slider = self.generation_slider
        at_end = self.shown_index is None
        slider.blockSignals(True)
        slider.setRange(0, max(0, len(self.history) - 1))
        if at_end:
            slider.setValue(slider.maximum())
        slider.blockSignals(False)
        slider.setEnabled(len(self.history) > 1)

    def _on_generation_moved(self, value: int) -> None:
        self.shown_index = None if value >= len(self.history) - 1 else value
        self.show_champion()

    def _on_resolution_moved(self, _value: int) -> None:
        self._update_resolution_label()
        self._remember()
        self._decode_timer.start()

    def _update_resolution_label(self) -> None:
        r = self.resolution_slider.value()
        if self.config is not None and not self.is_boxes:
            self.resolution_label.setText("Resolution: fixed by the task")
        else:
            self.resolution_label.setText(f"Resolution: {r}×{r} ({r * r:,} neurons per sheet)")

    @property
    def report(self) -> GenerationReport | None:
        """The report whose champion is shown."""
        if not self.history:
            return None
        return self.history[-1] if self.shown_index is None else self.history[self.shown_index]

    def show_champion(self) -> None:
        """Draw the chosen generation's champion: its CPPN now, its substrate once decoded."""
        report = self.report
        if report is None:
            self._show_nothing()
            return
        self.generation_label.setText(f"Champion of generation {report.generation} (fitness {report.best_fitness:.3f})")
        champion = report.champion
        self.cppn = champion.to_genome()
        self.cppn_view.show_genome(champion, f"CPPN of generation {report.generation}'s champion (genome {champion.genome_id}): {len(champion.nodes)} nodes")
        self.redraw_slice()
        self.request_decode()

    def _show_nothing(self) -> None:
        self.generation_label.setText("Champion of generation —")
        self.cppn_view.show_genome(None, "CPPN: no run yet")
        self.graph.clear("Decoded substrate: no run yet. New run, Open run…, or Use Evolve's run")
        self.image.clear()
        self.trials.clear("Boxes trials appear for runs on the boxes task")

    def new_trials(self) -> None:
        """Another set of 75 boxes trials for the trial viewer."""
        self._trial_seed += 1
        self._remember()
        self._trials = None
        self.request_decode()

    def boxes_trials(self) -> BoxesTrials:
        """The trials the viewer replays (the same set across resolutions until New trials)."""
        if self._trials is None:
            self._trials = random_trials(np.random.default_rng(self._trial_seed))
        return self._trials

    def request_decode(self) -> None:
        """Decode the shown champion at the chosen resolution on the background thread (one at a
        time: a request made while one runs replaces any that waits)."""
        self._decode_timer.stop()
        if self.cppn is None or self.config is None:
            return
        resolution = self.resolution
        try:
            shape = task_shape(self.task_spec, resolution)
        except ValueError as error:
            self._error("Cannot decode", str(error))
            return
        self._serial += 1
        self._wanted = DecodeRequest(self._serial, self.config, self.cppn, shape, resolution, self.boxes_trials() if self.is_boxes else None)
        where = f" at {resolution}×{resolution}" if resolution else ""
        self.decode_label.setText(f"Decoding{where}…")
        self.busy.setVisible(True)
        self._send()

    def _send(self) -> None:
        if self._in_flight is not None or self._wanted is None:
            return
        request, self._wanted = self._wanted, None
        self._in_flight = request.serial
        self.requestDecode.emit(request)

    @property
    def decoding(self) -> bool:
        """Whether a decode is running or waiting."""
        return self._in_flight is not None or self._wanted is not None

    @Slot(object)
    def _on_decoded(self, result: DecodeResult) -> None:
        self._in_flight = None
        if self._wanted is not None:
            self._send()  # superseded while it ran: draw only the newest
            return
        self.busy.setVisible(False)
        if result.serial != self._serial:
            self.decode_label.setText(" ")
            return  # decoded for a run that is no longer shown
        self.result = result
        view = result.view
        where = f"{result.resolution}×{result.resolution}" if result.resolution else "the task's substrate"
        self.decode_label.setText(f"Decoded at {where} in {result.seconds:.2f} s ({result.kernel}): {view.link_count:,} links, {len(view.kinds):,} neurons")
        report = self.report
        generation = f"generation {report.generation}'s champion" if report else "champion"
        if self.selection is None:
            self.selection = self._default_selection(view)
        self.graph.view = view  # node_at reads it
        self.graph.show_view(view, f"Decoded substrate of {generation} at {where}", self.config.hyperneat.max_weight, self.graph.node_at(self.selection))
        self.redraw_slice()
        if result.playback is not None:
            self.trials.show_playback(result.playback)
        else:
            self.trials.clear("Boxes trials appear for runs on the boxes task")
        self._publish_status()
        self.decoded.emit(result)

    @Slot(int, str)
    def _on_decode_failed(self, serial: int, message: str) -> None:
        self._in_flight = None
        if self._wanted is not None:
            self._send()
            return
        self.busy.setVisible(False)
        if serial != self._serial:
            self.decode_label.setText(" ")
            return  # a run no longer shown
        self.decode_label.setText("Decoding failed")
        self._error("Cannot decode the champion", message)
        self.decodeFailed.emit(message)

    @staticmethod
    def _default_selection(view: SubstrateView) -> Selection:
        """The input neuron nearest the middle of its sheet."""
        kinds = np.asarray(view.kinds)
        inputs = np.flatnonzero(kinds == "input")
        centre = view.coordinates[inputs].mean(axis=0)
        nearest = inputs[int(np.argmin(np.hypot(*(view.coordinates[inputs] - centre).T)))]
        x, y = view.coordinates[nearest]
        return Selection("input", float(x), float(y))

    def select_node(self, node: int) -> None:
        """The user clicked a neuron of the decoded substrate: its links and its weight image."""
        if self.graph.view is None:
            return
        self.selection = self.graph.selection_of(node)
        self.graph.select(node)
        self.redraw_slice()

    def redraw_slice(self) -> None:
        """The CPPN's weight image for the chosen neuron (and ES-HyperNEAT's quadtree from it)."""
        if self.cppn is None or self.config is None:
            self.image.clear()
            return
        selection = self.selection
        if selection is None:
            self.image.clear("CPPN weight image: choose a neuron in the decoded substrate")
            return
        point = (selection.x, selection.y)
        section = self.config.hyperneat
        raw = self.values_box.currentData() == "raw"
        pixels = self.pixels_box.value()
        try:
            cut = weight_slice(self.config, self.cppn, point, pixels, selection.outgoing)
            cells = quadtree(self.config, self.cppn, point, selection.outgoing) if isinstance(self.config, EsHyperNeatConfig) else []
        except Exception as error:  # noqa: BLE001 - a CPPN the query cannot run is reported, not fatal
            self.image.clear("CPPN weight image: the query failed")
            self._error("Cannot query the CPPN", f"{type(error).__name__}: {error}")
            return
        direction = "from" if selection.outgoing else "into"
        what = "raw weight output" if raw else "expressed weights"
        self.image.show_slice(
            cut,
            raw,
            1.0 if raw else section.max_weight,
            point,
            f"CPPN {what} {direction} the {selection.kind} at ({selection.x:+.2f}, {selection.y:+.2f}), {pixels}×{pixels}",
        )
        hidden = np.zeros((0, 2))
        if self.result is not None:
            view = self.result.view
            mine = (np.asarray(view.kinds) == "hidden") & view.present
            hidden = view.coordinates[mine]
        self.image.show_quadtree(cells, hidden if isinstance(self.config, EsHyperNeatConfig) else np.zeros((0, 2)))

    # --- status and closing ------------------------------------------------------------------

    def _update_buttons(self) -> None:
        idle = not self.running
        self.new_button.setEnabled(idle)
        self.more_button.setEnabled(idle and self.engine is not None)
        self.stop_button.setEnabled(self.running)
        self.open_button.setEnabled(idle)
        self.save_button.setEnabled(idle and self.engine is not None)
        self.evolve_button.setEnabled(idle)

    def status_text(self) -> str:
        """The run shown, the generation and the decode."""
        if self.config is None:
            return "Substrate: no run yet. New run (boxes, HyperNEAT), Open run…, or Use Evolve's run"
        parts = [self.source]
        report = self.report
        if report is not None:
            parts.append(f"generation {report.generation} of {self.history[-1].generation}")
            parts.append(f"best {report.best_fitness:.3f}")
        if self.running:
            parts.append("running")
        return "  ·  ".join(parts)

    def _publish_status(self) -> None:
        self.run_label.setText(self.status_text())
        self.statusChanged.emit(self.status_text())

    def shutdown(self) -> None:
        """Remember the settings, stop the run and the decoding thread."""
        self._remember()
        self._shutdown_engine()
        self.computer_thread.quit()
        self.computer_thread.wait()
