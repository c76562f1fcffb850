"""The Compare workspace: several algorithms × seeds on one task and budget, run in a process
pool in the background, drawn live.

It calls the very ``core.runs.compare.run_compare`` that ``neatscope compare`` runs, so the
folder it writes is a CLI compare folder (``neatscope compare --resume DIR`` continues it) and a
folder the CLI wrote opens here. Generation rows come back from the worker processes through
``run_compare``'s ``on_generation`` hook; the GUI thread collects them every ``POLL_MS`` and
redraws: median best-so-far with its interquartile band (against evaluations or wall time), the
success table, the ECDF of evaluations to solve, and one row per run. Double-click a run to open
it in the Evolve workspace at its last saved generation.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QStandardPaths, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QMenuBar,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core.algorithms.registry import ALGORITHMS, algorithm_class
from core.runs.compare import DONE_FILE, SPEC_FILE, CompareSpec, load_spec, read_run_curve, run_compare, run_folder
from core.runs.config import ConfigError
from core.runs.fields import RunFileError
from core.runs.persistence import write_atomically
from core.tasks import make_task
from desktop_app.theme import algorithm_qcolour
from desktop_app.widgets.export_dialog import PlotExportDialog
from desktop_app.widgets.plots import add_plot, export_scene_area, legend_row
from desktop_app.widgets.task_box import TaskBox
from desktop_app.workspaces.base import Workspace
from desktop_app.workspaces.compare_data import CompareData

POLL_MS = 250
# Worker processes run at a lower priority than the window, which must stay responsive.
WORKER_NICENESS = 5
RUN_COLUMNS = ("algorithm", "seed", "status", "generations", "evaluations", "best so far", "solved at")
SUCCESS_COLUMNS = ("algorithm", "solved", "evaluations to solve: median [IQR]", "final best: median [IQR]", "wall s (median)")


def _fmt(value: float | None, digits: int = 4) -> str:
    if value is None:
        return "—"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.{digits}g}"


def _quartile_text(quartiles: tuple[float | None, float | None, float | None], digits: int = 4) -> str:
    median, q1, q3 = quartiles
    if median is None:
        return "—"
    return f"{_fmt(median, digits)} [{_fmt(q1, digits)} – {_fmt(q3, digits)}]"


def compare_driver(
    spec_data: dict[str, Any], out: str, workers: int, run: bool, messages: Any, stop: Any, backend: str = "process", ray_address: str | None = None
) -> None:
    """The body of a compare's driver process: report the curves already saved in the folder,
    then (``run``) call ``run_compare`` with hooks that forward every row and outcome.

    A separate process, not a thread of the app: reading run files and writing the results
    (JSON, matplotlib) hold the GIL for long stretches, which the window would feel as stalls.
    Messages: ("curve", RunCurve, done), ("row", row), ("done", outcome), ("end", summary, error).
    With ``backend`` "ray" whole runs go to Ray (``ray_address``, else a local Ray that ends with
    this process): no rows arrive while a run lives, each finished run's curve arrives whole.
    """
    if hasattr(os, "nice"):
        os.nice(WORKER_NICENESS)  # the pool's workers inherit it
    summary, error = None, None
    try:
        spec = CompareSpec.from_dict(spec_data)
        for algorithm, seed in spec.jobs():
            folder = run_folder(out, algorithm, seed)
            if (folder / "run.json").is_file():
                try:
                    messages.put(("curve", read_run_curve(out, algorithm, seed), (folder / DONE_FILE).is_file()))
                except RunFileError:
                    continue
        if run and not stop.is_set() and backend == "ray":
            from core.parallel import BackendSettings

            def finished_on_ray(outcome: dict[str, Any]) -> None:
                messages.put(("curve", read_run_curve(out, outcome["algorithm"], outcome["seed"]), True))
                messages.put(("done", outcome))

            summary = run_compare(
                spec, out, progress=None, backend=BackendSettings("ray", workers, ray_address), on_run_done=finished_on_ray, stop=stop
            )
        elif run and not stop.is_set():
            summary = run_compare(
                spec,
                out,
                workers=workers,
                progress=None,
                on_generation=lambda row: messages.put(("row", row)),
                on_run_done=lambda outcome: messages.put(("done", outcome)),
                stop=stop,
            )
    except Exception as failure:  # noqa: BLE001 - reported in the GUI; the app stays up
        error = f"{type(failure).__name__}: {failure}"
    messages.put(("end", summary, error))


class CompareJob:
    """One ``run_compare`` call in a driver process (``compare_driver``); the GUI polls ``take``.

    Before running, the curves already saved in the folder (an interrupted compare, finished
    runs) are sent, so a resumed compare draws its past at once.
    """

    def __init__(self, spec: CompareSpec, out: Path, workers: int, run: bool = True, backend: str = "process", ray_address: str | None = None):
        import multiprocessing

        self.spec, self.out, self.workers, self.run = spec, out, workers, run
        context = multiprocessing.get_context("spawn")  # never fork a process that runs Qt
        self.messages = context.Queue()
        self.stop = context.Event()
        self.error: str | None = None
        self.result: dict[str, Any] | None = None
        self.ended = False
        self.started = time.perf_counter()
        self.process = context.Process(
            target=compare_driver,
            args=(spec.to_dict(), str(out), workers, run, self.messages, self.stop, backend, ray_address),
            name="neatscope-compare",
        )

    def start(self) -> None:
        """Begin in the background."""
        self.process.start()

    def take(self) -> tuple[list, list, list]:
        """Everything reported since the last call: curves, rows, outcomes."""
        import queue

        curves, rows, outcomes = [], [], []
        while not self.ended:
            try:
                message = self.messages.get_nowait()
            except queue.Empty:
                if not self.process.is_alive() and self.process.exitcode is not None:
                    try:  # the last messages of a process that just ended
                        message = self.messages.get(timeout=0.5)
                    except queue.Empty:
                        self.ended = True
                        self.error = self.error or f"the compare process ended unexpectedly (exit code {self.process.exitcode})"
                        break
                else:
                    break
            kind = message[0]
            if kind == "curve":
                curves.append((message[1], message[2]))
            elif kind == "row":
                rows.append(message[1])
            elif kind == "done":
                outcomes.append(message[1])
            else:
                self.ended = True
                self.result, self.error = message[1], message[2]
        return curves, rows, outcomes

    @property
    def finished(self) -> bool:
        """The driver has said its last word."""
        return self.ended

    def wait(self) -> None:
        """Block until the driver process has exited (stop it first to make that prompt)."""
        while not self.ended:
            self.take()
            if not self.ended:
                time.sleep(0.05)
        self.process.join()


class CompareWorkspace(Workspace):
    """Task, algorithms, seeds and budget on the left; live curves, tables and ECDF on the right.

    Signals:
        compareFinished(str): the background job ended: "done", "stopped", "loaded" or "failed".
    """

    key = "compare"
    title = "Compare"
    help = (
        "<b>Compare</b>: several algorithms, several seeds each, on one task with one evaluation "
        "budget: the same as <code>neatscope compare</code>, drawn live. Runs go to a pool of "
        "worker processes; each run is a folder under OUT/runs that autosaves, so Stop keeps what "
        "was done and Run resumes it (so does <code>neatscope compare --resume OUT</code>)."
    )
    help_curves = (
        "<b>Curves</b>: for each algorithm, the median over its seeds of the best fitness found so "
        "far, against evaluations spent (or wall time); the band is the interquartile range (half "
        "of the runs lie inside). While runs are going, each point counts the runs that have "
        "reached it. The dashed line is the task's solve threshold."
    )
    help_tables = (
        "<b>Success table</b>: per algorithm, how many seeds solved the task within the budget, "
        "the evaluations they needed (the paper's count: earlier generations plus the winner's "
        "place in its generation), and the final best-so-far.<br><b>ECDF</b>: the share of seeds "
        "solved after x evaluations; further left and higher is better.<br><b>Runs</b>: one row per "
        "run; double-click to open it in Evolve at its last saved generation."
    )

    compareFinished = Signal(str)

    def __init__(self, shell):
        super().__init__(shell)
        self.job: CompareJob | None = None
        self.data: CompareData | None = None
        self.out: Path | None = None
        self.x_axis = "evaluations"
        self._dirty = False
        self._poll = QTimer(self)
        self._poll.setInterval(POLL_MS)
        self._poll.timeout.connect(self._on_poll)
        self._build_sidebar()
        self._build_results()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.sidebar)
        splitter.addWidget(self.results)
        splitter.setChildrenCollapsible(False)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([300, 1000])
        layout.addWidget(splitter)
        self._update_buttons()

    # --- construction ------------------------------------------------------------------------

    def _build_sidebar(self) -> None:
        self.task_box = TaskBox()
        self.task_box.combo.activated.connect(lambda _: self.check_algorithms())
        self.task_box.combo.lineEdit().editingFinished.connect(self.check_algorithms)
        QTimer.singleShot(0, self.check_algorithms)
        self.algorithm_boxes: dict[str, QCheckBox] = {}
        algorithms = QWidget()
        algorithms_layout = QVBoxLayout(algorithms)
        algorithms_layout.setContentsMargins(0, 0, 0, 0)
        for index, (name, entry) in enumerate(ALGORITHMS.items()):
            box = QCheckBox(entry.summary.split(":")[0])
            box.setToolTip(entry.summary + "\nConfig: the algorithm's shipped defaults (resources/" + f"{name}_default.toml)")
            box.setChecked(True)
            colour = algorithm_qcolour(name, index).name()
            box.setStyleSheet(f"QCheckBox {{ border-left: 6px solid {colour}; padding-left: 4px; }}")
            algorithms_layout.addWidget(box)
            self.algorithm_boxes[name] = box
        self.seeds = QSpinBox()
        self.seeds.setRange(1, 1000)
        self.seeds.setValue(5)
        self.seeds.setToolTip("Seeds per algorithm: seeds first..first+N-1")
        self.first_seed = QSpinBox()
        self.first_seed.setRange(0, 2**31 - 1)
        self.first_seed.setToolTip("First seed")
        self.budget = QSpinBox()
        self.budget.setRange(1, 2_000_000_000)
        self.budget.setValue(10_000)
        self.budget.setSingleStep(1000)
        self.budget.setGroupSeparatorShown(True)
        self.budget.setToolTip("Evaluation budget of every run (genomes evaluated, validation episodes included)")
        self.max_generations = QSpinBox()
        self.max_generations.setRange(1, 10_000_000)
        self.max_generations.setValue(100_000)
        self.max_generations.setGroupSeparatorShown(True)
        self.max_generations.setToolTip("Generation cap of every run")
        self.stop_when_solved = QCheckBox("Stop a run when it solves the task")
        self.stop_when_solved.setChecked(True)
        self.workers = QSpinBox()
        self.workers.setRange(1, 256)
        self.workers.setValue(max(1, os.cpu_count() or 1))
        self.workers.setToolTip("Workers: whole runs run in parallel (results do not depend on this)")
        self.backend_box = QComboBox()
        self.backend_box.addItem("Processes", "process")
        self.backend_box.addItem("Ray", "ray")
        self.backend_box.setToolTip(
            "Where whole runs go: worker processes here (curves drawn live), or Ray (the Evolve workspace's Ray address, "
            "else a local Ray; each run's curve appears when it ends). Results are the same."
        )
        self.backend_box.setCurrentIndex(max(0, self.backend_box.findData(self.settings.value("compare/backend", "process"))))
        self.backend_box.currentIndexChanged.connect(lambda _: self.settings.setValue("compare/backend", self.backend_box.currentData()))
        workers_row = QHBoxLayout()
        workers_row.addWidget(self.backend_box, 1)
        workers_row.addWidget(self.workers, 1)
        self.out_box = QLineEdit()
        self.out_box.setPlaceholderText("a new folder under the data folder")
        self.out_box.setToolTip("The compare folder: compare.json, runs/<algorithm>-seed<N>/, and at the end runs.csv, summary.csv/json, curves.png/svg")
        browse = QPushButton("…")
        browse.setMaximumWidth(30)
        browse.clicked.connect(self._browse_out)
        out_row = QHBoxLayout()
        out_row.addWidget(self.out_box, 1)
        out_row.addWidget(browse)
        form = QFormLayout()
        form.addRow("Task", self.task_box)
        form.addRow("Algorithms", algorithms)
        form.addRow("Seeds", self.seeds)
        form.addRow("First seed", self.first_seed)
        form.addRow("Evaluations", self.budget)
        form.addRow("Max generations", self.max_generations)
        form.addRow(self.stop_when_solved)
        form.addRow("Workers", workers_row)
        form.addRow("Folder", out_row)
        settings = QGroupBox("Compare")
        settings.setLayout(form)
        self.run_button = QPushButton("Run")
        self.run_button.setToolTip("Start (or resume) the compare in the background")
        self.run_button.clicked.connect(self.run_from_form)
        self.stop_button = QPushButton("Stop")
        self.stop_button.setToolTip("Running runs autosave and stop at their next generation; Run resumes")
        self.stop_button.clicked.connect(self.stop_compare)
        self.open_button = QPushButton("Open folder…")
        self.open_button.setToolTip("Show a compare folder (written here or by neatscope compare)")
        self.open_button.clicked.connect(self.open_dialog)
        buttons = QHBoxLayout()
        for button in (self.run_button, self.stop_button, self.open_button):
            buttons.addWidget(button)
        self.progress_label = QLabel()
        self.progress_label.setWordWrap(True)
        sidebar = QWidget()
        side = QVBoxLayout(sidebar)
        side.setContentsMargins(0, 0, 0, 0)
        side.addWidget(settings)
        side.addLayout(buttons)
        side.addWidget(self.progress_label)
        side.addStretch(1)
        sidebar.setMinimumWidth(250)
        sidebar.setMaximumWidth(400)
        self.sidebar = sidebar

    def _build_results(self) -> None:
        self.x_box = QComboBox()
        self.x_box.addItem("x: evaluations", "evaluations")
        self.x_box.addItem("x: wall time (s)", "wall")
        self.x_box.setToolTip("Draw best-so-far against evaluations spent or against seconds of computing")
        self.x_box.currentIndexChanged.connect(self._on_x_changed)
        export_csv = QPushButton("Export CSV…")
        export_csv.setToolTip("The curves drawn (quartiles per grid point) and the success table")
        export_csv.clicked.connect(self.export_csv_dialog)
        export_pictures = QPushButton("Export PNG/SVG…")
        export_pictures.setToolTip("The curves and the ECDF as pictures")
        export_pictures.clicked.connect(self.export_pictures_dialog)
        self.title_label = QLabel("No compare yet: choose a task, algorithms, seeds and budget, then Run")
        self.title_label.setWordWrap(True)
        header = QHBoxLayout()
        header.addWidget(self.title_label, 1)
        header.addWidget(self.x_box)
        header.addWidget(export_csv)
        header.addWidget(export_pictures)

        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setMinimumSize(240, 200)
        ci = self.graphics.ci
        self.curves_legend = legend_row(ci, 0, columns=6)
        self.curves_plot = add_plot(ci, 1)
        self.curves_plot.setLabel("left", "best fitness so far")
        self.curves_plot.setLabel("bottom", "evaluations")
        self.threshold_line = pg.InfiniteLine(angle=0, pen=pg.mkPen(80, 80, 80, width=1, style=Qt.PenStyle.DashLine))
        self.threshold_line.setVisible(False)
        self.curves_plot.addItem(self.threshold_line)
        self.ecdf_legend = legend_row(ci, 0, col=1, columns=2)
        self.ecdf_plot = add_plot(ci, 1, col=1)
        self.ecdf_plot.setLabel("left", "share of seeds solved")
        self.ecdf_plot.setLabel("bottom", "evaluations to solve")
        self.ecdf_plot.setYRange(0, 1.05, padding=0)
        ci.layout.setColumnStretchFactor(0, 3)
        ci.layout.setColumnStretchFactor(1, 2)
        ci.layout.setRowStretchFactor(1, 1)
        self._curve_items: dict[str, tuple] = {}

        self.success_table = QTableWidget(0, len(SUCCESS_COLUMNS))
        self.success_table.setHorizontalHeaderLabels(SUCCESS_COLUMNS)
        self.success_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.success_table.verticalHeader().setVisible(False)
        self.success_table.horizontalHeader().setStretchLastSection(True)
        self.runs_table = QTableWidget(0, len(RUN_COLUMNS))
        self.runs_table.setHorizontalHeaderLabels(RUN_COLUMNS)
        self.runs_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.runs_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.runs_table.verticalHeader().setVisible(False)
        self.runs_table.horizontalHeader().setStretchLastSection(True)
        self.runs_table.setToolTip("Double-click a run to open it in the Evolve workspace at its last saved generation")
        self.runs_table.cellDoubleClicked.connect(self._on_run_double_clicked)
        tables = QSplitter(Qt.Orientation.Horizontal)
        tables.addWidget(self.success_table)
        tables.addWidget(self.runs_table)
        tables.setSizes([500, 500])
        for widget in (self.success_table, self.runs_table):
            widget.setMinimumSize(120, 60)
            widget.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        vertical = QSplitter(Qt.Orientation.Vertical)
        vertical.addWidget(self.graphics)
        vertical.addWidget(tables)
        vertical.setSizes([520, 260])
        vertical.setChildrenCollapsible(False)
        results = QWidget()
        layout = QVBoxLayout(results)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(header)
        layout.addWidget(vertical, 1)
        results.setMinimumWidth(300)
        self.results = results

    def build_menus(self, menu_bar: QMenuBar, file_menu: QMenu) -> None:
        """The Compare menu."""
        menu = QMenu("&Compare", self)
        for text, slot, shortcut in (
            ("&Run or resume", self.run_from_form, "Ctrl+Shift+R"),
            ("&Stop", self.stop_compare, "Ctrl+Shift+S"),
            ("&Open compare folder…", self.open_dialog, "Ctrl+Shift+F"),
            ("Export &CSV…", self.export_csv_dialog, None),
            ("Export &pictures (PNG, SVG)…", self.export_pictures_dialog, None),
        ):
            action = menu.addAction(text)
            action.triggered.connect(slot)
            if shortcut:
                action.setShortcut(QKeySequence(shortcut))
        self.menus = [menu]

    # --- the form ------------------------------------------------------------------------------

    def compares_folder(self) -> Path:
        """Where new compare folders go: beside the Evolve workspace's run folders."""
        configured = self.settings.value("runs_folder")
        base = Path(str(configured)).parent if configured else Path(QStandardPaths.writableLocation(QStandardPaths.StandardLocation.GenericDataLocation)) / "NEAT Scope"
        return base / "compares"

    def _browse_out(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Compare folder", str(self.compares_folder()))
        if folder:
            self.out_box.setText(folder)

    def check_algorithms(self) -> None:
        """Disable (and untick) the algorithms that cannot run the task in the box, saying why."""
        if self.running:
            return
        try:
            task = make_task(self.task_box.spec())
        except ValueError:
            return  # the task box says what is wrong with the task itself
        try:
            for name, box in self.algorithm_boxes.items():
                cls = algorithm_class(name)
                try:
                    cls(cls.default_config(), task, 0)
                except ValueError as error:
                    box.setChecked(False)
                    box.setEnabled(False)
                    box.setToolTip(f"Cannot run {self.task_box.text()}: {error}")
                else:
                    if not box.isEnabled():
                        box.setEnabled(True)
                        box.setChecked(True)
                    box.setToolTip(ALGORITHMS[name].summary)
        finally:
            task.close()

    def spec_from_form(self) -> CompareSpec:
        """The compare the form describes.

        Raises:
            ValueError: no algorithm, or the task cannot be built (its spaces are checked).
        """
        algorithms = tuple(name for name, box in self.algorithm_boxes.items() if box.isChecked())
        if not algorithms:
            raise ValueError("tick at least one algorithm")
        task = self.task_box.build()
        configs = {}
        try:
            task_spec = task.spec()
            for name in algorithms:
                cls = algorithm_class(name)
                config = cls.default_config()
                try:
                    # Built once here, so an algorithm that cannot run this task says so now, not in a worker.
                    cls(config, task, 0)
                except ValueError as error:
                    raise ValueError(f"{name} on {self.task_box.text()}: {error}") from error
                configs[name] = config.to_dict()
        finally:
            task.close()
        return CompareSpec(
            task=task_spec,
            algorithms=algorithms,
            seeds=tuple(range(self.first_seed.value(), self.first_seed.value() + self.seeds.value())),
            max_evaluations=self.budget.value(),
            max_generations=self.max_generations.value(),
            stop_when_solved=self.stop_when_solved.isChecked(),
            configs=configs,
        )

    def fill_form(self, spec: CompareSpec) -> None:
        """Show a compare's settings."""
        self.task_box.set_task(spec.task)
        for name, box in self.algorithm_boxes.items():
            box.setChecked(name in spec.algorithms)
        self.seeds.setValue(len(spec.seeds))
        self.first_seed.setValue(spec.seeds[0])
        self.budget.setValue(spec.max_evaluations)
        self.max_generations.setValue(min(spec.max_generations, self.max_generations.maximum()))
        self.stop_when_solved.setChecked(spec.stop_when_solved)

    # --- running -------------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        """A compare job is going."""
        return self.job is not None and not self.job.finished

    def run_from_form(self) -> None:
        """Run: the button and the menu entry (their ``checked`` argument must not reach ``start_compare``)."""
        self.start_compare()

    def start_compare(self, spec: CompareSpec | None = None, out: str | Path | None = None) -> bool:
        """Run (or resume) a compare in the background.

        Without arguments: the form's settings, into the form's folder (or a new one). A folder
        opened or run before resumes with its own spec.
        """
        if self.running:
            return False
        try:
            if spec is None:
                if self.out is not None and self.data is not None and not self.out_box.text().strip() and not self.data.complete:
                    spec, out = self.data.spec, self.out
                else:
                    spec = self.spec_from_form()
            if out is None:
                text = self.out_box.text().strip()
                out = Path(text) if text else self.compares_folder() / f"{time.strftime('%Y%m%d-%H%M%S')}-{str(spec.task.get('env_id') or spec.task.get('name'))}"
            out = Path(out)
            if (out / "compare.json").is_file():
                existing = load_spec(out)
                if existing != spec:
                    if self.data is not None and self.out == out:
                        spec = existing  # Run on an opened folder resumes it as it was made
                    else:
                        raise ValueError(f"{out} holds a different compare: open it to resume it, or choose another folder")
        except (ValueError, ConfigError, RunFileError) as error:
            self.shell.error("Cannot start the compare", str(error))
            return False
        if not self._begin(spec, out, run=True):
            return False
        self.shell.show_message(f"Compare started in {out}")
        return True

    def open_folder(self, folder: str | Path) -> bool:
        """Show a compare folder's runs as saved (written here or by ``neatscope compare``)."""
        if self.running:
            self.shell.error("Cannot open a compare folder", "A compare is running: stop it first")
            return False
        try:
            spec = load_spec(folder)
        except Exception as error:  # noqa: BLE001 - any unreadable folder: one message, app stays up
            self.shell.error("Cannot open the compare folder", f"{folder}\n\n{error}")
            return False
        self.fill_form(spec)
        self.out_box.setText("")
        self._begin(spec, Path(folder), run=False)
        return True

    def open_dialog(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Open compare folder", str(self.compares_folder()))
        if folder:
            self.open_folder(folder)

    def _begin(self, spec: CompareSpec, out: Path, run: bool) -> bool:
        if run and not (out / SPEC_FILE).is_file():
            # Written here, not only by the driver process: a compare stopped before the driver
            # got going must still be a folder that Run or `compare --resume` continues.
            try:
                out.mkdir(parents=True, exist_ok=True)
                write_atomically(out / SPEC_FILE, json.dumps(spec.to_dict(), indent=1))
            except OSError as error:
                self.shell.error("Cannot start the compare", f"{out}: {error.strerror or error}")
                return False
        self.data = CompareData(spec)
        self.out = out
        self._reset_plots(spec)
        address = str(self.settings.value("evaluation/ray_address", "")).strip() or None
        backend = self.backend_box.currentData()
        self.job = CompareJob(spec, out, self.workers.value(), run=run, backend=backend, ray_address=address if backend == "ray" else None)
        self.job.start()
        self._poll.start()
        self._dirty = True
        self._update_buttons()
        self.statusChanged.emit(self.status_text())
        return True

    def stop_compare(self) -> None:
        """Ask running runs to autosave and stop; Run resumes the folder later."""
        if self.running:
            self.job.stop.set()
            self.shell.show_message("Stopping: each running run finishes its generation and autosaves")

    def _on_poll(self) -> None:
        job, data = self.job, self.data
        if job is None or data is None:
            self._poll.stop()
            return
        curves, rows, outcomes = job.take()
        for curve, done in curves:
            data.add_curve(curve, done)
        for row in rows:
            data.add_row(row)
        for outcome in outcomes:
            data.mark_done(outcome)
        if curves or rows or outcomes:
            self._dirty = True
        finished = job.finished
        if finished:
            # The driver's last message comes after everything else it sent.
            job.process.join(timeout=10)
            data.mark_stopped()
            self._dirty = True
        if self._dirty:
            self.redraw()
        if finished:
            self._poll.stop()
            reason = "failed" if job.error else "loaded" if not job.run else "stopped" if job.result is None else "done"
            if job.error:
                self.shell.error("The compare stopped with an error", job.error)
            elif reason == "done":
                self.shell.show_message(f"Compare finished: results written to {self.out}", 8000)
            elif reason == "stopped":
                self.shell.show_message("Compare stopped: Run resumes it", 8000)
            self._update_buttons()
            self.statusChanged.emit(self.status_text())
            self.compareFinished.emit(reason)

    # --- drawing -------------------------------------------------------------------------------

    def _reset_plots(self, spec: CompareSpec) -> None:
        for median, band, upper, lower, ecdf in self._curve_items.values():
            for item in (median, band, upper, lower):
                self.curves_plot.removeItem(item)
            self.ecdf_plot.removeItem(ecdf)
        self._curve_items = {}
        self.curves_legend.clear()
        self.ecdf_legend.clear()
        for index, algorithm in enumerate(spec.algorithms):
            colour = algorithm_qcolour(algorithm, index)
            upper = pg.PlotDataItem(pen=pg.mkPen(colour.red(), colour.green(), colour.blue(), 60))
            lower = pg.PlotDataItem(pen=pg.mkPen(colour.red(), colour.green(), colour.blue(), 60))
            fill = QColor(colour)
            fill.setAlpha(45)
            band = pg.FillBetweenItem(upper, lower, brush=pg.mkBrush(fill))
            median = pg.PlotDataItem(pen=pg.mkPen(colour, width=2))
            for item in (upper, lower, band, median):
                self.curves_plot.addItem(item)
            ecdf = pg.PlotDataItem(pen=pg.mkPen(colour, width=2))
            self.ecdf_plot.addItem(ecdf)
            self.curves_legend.addItem(median, algorithm)
            self.ecdf_legend.addItem(ecdf, algorithm)
            self._curve_items[algorithm] = (median, band, upper, lower, ecdf)
        threshold = spec.task.get("fitness_threshold")
        finite = isinstance(threshold, (int, float)) and np.isfinite(threshold)
        self.threshold_line.setVisible(bool(finite))
        if finite:
            self.threshold_line.setValue(float(threshold))
        task = spec.task.get("env_id") or spec.task.get("name")
        self.title_label.setText(
            f"<b>{task}</b>: {', '.join(spec.algorithms)} × {len(spec.seeds)} seeds, {spec.max_evaluations:,} evaluations each"
        )
        self.curves_plot.setXRange(0, float(spec.max_evaluations), padding=0.02)
        self.ecdf_plot.setXRange(0, float(spec.max_evaluations), padding=0.02)
        self.success_table.setRowCount(0)
        self.runs_table.setRowCount(0)

    def _on_x_changed(self) -> None:
        self.x_axis = str(self.x_box.currentData())
        self.curves_plot.setLabel("bottom", "evaluations" if self.x_axis == "evaluations" else "wall time of the runs (s)")
        self.curves_plot.enableAutoRange(axis="x")
        self._dirty = True
        self.redraw()

    def redraw(self) -> None:
        """Curves, ECDF and tables from the data collected so far."""
        self._dirty = False
        data = self.data
        if data is None:
            return
        grid, quartiles = data.quartiles(self.x_axis)
        ecdfs = data.ecdf()
        lows, highs = [], []
        for algorithm, (median, _band, upper, lower, ecdf) in self._curve_items.items():
            q = quartiles.get(algorithm)
            if q is None:
                for item in (median, upper, lower):
                    item.setData([], [])
            else:
                median.setData(grid, q[1], connect="finite")
                upper.setData(grid, q[2], connect="finite")
                lower.setData(grid, q[0], connect="finite")
                finite = q[np.isfinite(q)]
                if finite.size:
                    lows.append(finite.min())
                    highs.append(finite.max())
            xs, ys = ecdfs.get(algorithm, (np.array([]), np.array([])))
            if len(xs):
                # A step from 0 at x = 0 up at every solve, held to the budget.
                step_x = np.concatenate([[0.0], np.repeat(xs, 2), [float(data.spec.max_evaluations)]])
                step_y = np.concatenate([[0.0, 0.0], np.repeat(ys, 2)])
                ecdf.setData(step_x, step_y)
            else:
                ecdf.setData([0.0, float(data.spec.max_evaluations)], [0.0, 0.0])
        if lows:
            lo, hi = float(min(lows)), float(max(highs))
            if self.threshold_line.isVisible():
                hi = max(hi, float(self.threshold_line.value()))
            span = max(hi - lo, 1e-9)
            self.curves_plot.setYRange(lo - 0.05 * span, hi + 0.05 * span, padding=0)
        if self.x_axis == "wall":
            self.curves_plot.setXRange(0, float(grid[-1]), padding=0.02)
        else:
            self.curves_plot.setXRange(0, float(data.spec.max_evaluations), padding=0.02)
        self._fill_success_table()
        self._fill_runs_table()
        self._update_progress()

    def _fill_success_table(self) -> None:
        rows = self.data.success_rows()
        table = self.success_table
        table.setUpdatesEnabled(False)
        new_rows = table.rowCount() != len(rows)
        table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            values = (
                row["algorithm"],
                f"{row['solved']} / {row['seeds']}" + ("" if row["done"] == row["seeds"] else f"  ({row['done']} done)"),
                _quartile_text(row["evaluations_to_solve"], 5),
                _quartile_text(row["final_best"]),
                _fmt(row["wall_s"][0], 3),
            )
            for c, value in enumerate(values):
                item = table.item(r, c)
                if item is None:
                    item = QTableWidgetItem(value)
                    if c == 0:
                        item.setForeground(algorithm_qcolour(row["algorithm"], r))
                    table.setItem(r, c, item)
                elif item.text() != value:
                    item.setText(value)
        if new_rows or self.data.complete:
            table.resizeColumnsToContents()  # measures every cell: not on every live redraw
        table.setUpdatesEnabled(True)

    def _fill_runs_table(self) -> None:
        runs = list(self.data.runs.values())
        table = self.runs_table
        table.setUpdatesEnabled(False)
        table.setRowCount(len(runs))
        for r, run in enumerate(runs):
            values = (
                run.algorithm,
                str(run.seed),
                run.status,
                str(run.generations),
                f"{int(run.evaluations[-1]):,}" if run.evaluations else "0",
                _fmt(run.best_so_far[-1]) if run.best_so_far else "—",
                f"{run.solved_at:,}" if run.solved_at is not None else "—",
            )
            for c, value in enumerate(values):
                item = table.item(r, c)
                if item is None:
                    table.setItem(r, c, QTableWidgetItem(value))
                elif item.text() != value:
                    item.setText(value)
        table.setUpdatesEnabled(True)

    def _update_progress(self) -> None:
        data, job = self.data, self.job
        if data is None:
            self.progress_label.setText("")
            return
        total = len(data.runs)
        done = data.done_count
        text = f"{done} / {total} runs done"
        if self.running and job is not None and job.run:
            elapsed = time.perf_counter() - job.started
            text += f"  ·  {elapsed:.0f} s"
        self.progress_label.setText(text + (f"\nFolder: {self.out}" if self.out else ""))

    def _on_run_double_clicked(self, row: int, _column: int) -> None:
        if self.data is None or self.out is None:
            return
        algorithm = self.runs_table.item(row, 0).text()
        seed = int(self.runs_table.item(row, 1).text())
        self.open_run_in_evolve(algorithm, seed)

    def open_run_in_evolve(self, algorithm: str, seed: int) -> bool:
        """Open one run of this compare in the Evolve workspace at its last saved generation."""
        if self.out is None:
            return False
        folder = run_folder(self.out, algorithm, seed)
        if not (folder / "run.json").is_file():
            self.shell.show_message(f"{algorithm} seed {seed} has not saved a generation yet")
            return False
        evolve = self.shell.evolve
        if not evolve.open_population(str(folder)):
            return False
        self.shell.show_workspace("evolve")
        return True

    # --- exports -------------------------------------------------------------------------------

    def export_csv(self, stem: str | Path) -> list[Path]:
        """Write STEM-curves.csv (the curves drawn) and STEM-summary.csv (the success table)."""
        if self.data is None:
            return []
        base = Path(stem)
        base = base.with_suffix("") if base.suffix.lower() == ".csv" else base
        written = []
        for name, text in (("curves", self.data.curves_csv(self.x_axis)), ("summary", self.data.success_csv())):
            path = base.with_name(f"{base.name}-{name}.csv")
            try:
                write_atomically(path, text)
            except OSError as error:
                self.shell.error("Export failed", f"Could not write {path}: {error}")
                return written
            written.append(path)
        self.shell.show_message(f"Exported {', '.join(str(p) for p in written)}")
        return written

    def export_pictures(self, path: str | Path, combined: bool = True, dpi: float = 96.0) -> list[Path]:
        """The curves and the ECDF: one combined figure or two files, PNG at ``dpi`` or SVG."""
        target = Path(path)
        suffix = target.suffix.lower() or ".png"
        scene = self.graphics.scene()
        written = []
        try:
            if combined:
                out = target.with_suffix(suffix)
                export_scene_area(scene, self.graphics.ci.sceneBoundingRect(), out, dpi, "NEAT Scope compare")
                written.append(out)
            else:
                for name, plot, legend in (("curves", self.curves_plot, self.curves_legend), ("ecdf", self.ecdf_plot, self.ecdf_legend)):
                    out = target.with_name(f"{target.stem}-{name}{suffix}")
                    export_scene_area(scene, plot.sceneBoundingRect().united(legend.sceneBoundingRect()), out, dpi, f"NEAT Scope compare {name}")
                    written.append(out)
        except OSError as error:
            self.shell.error("Export failed", str(error))
            return written
        self.shell.show_message(f"Exported {', '.join(str(p) for p in written)}")
        return written

    def export_csv_dialog(self) -> None:
        if self.data is None:
            self.shell.show_message("Nothing to export yet: run or open a compare first")
            return
        path, _ = QFileDialog.getSaveFileName(self, "Export compare CSV (writes NAME-curves.csv and NAME-summary.csv)", str(self.out or Path.home()), "CSV (*.csv)")
        if path:
            self.export_csv(path)

    def export_pictures_dialog(self) -> None:
        if self.data is None:
            self.shell.show_message("Nothing to export yet: run or open a compare first")
            return
        dialog = PlotExportDialog(self, str(self.out or Path.home()), stem="compare")
        if dialog.exec():
            path, combined, dpi = dialog.choice()
            self.export_pictures(path, combined, dpi)

    # --- shell protocol ------------------------------------------------------------------------

    def _update_buttons(self) -> None:
        running = self.running
        self.run_button.setEnabled(not running)
        self.open_button.setEnabled(not running)
        self.stop_button.setEnabled(running)
        if self.data is not None and not self.data.complete and not running:
            self.run_button.setText("Resume")
        else:
            self.run_button.setText("Run")

    def status_text(self) -> str:
        """What the compare is doing."""
        if self.data is None:
            return "Compare: no compare yet (Run starts one; Open folder shows one made here or by neatscope compare)"
        state = "running" if self.running else "complete" if self.data.complete else "stopped (Resume continues)"
        return f"Compare: {self.data.done_count} / {len(self.data.runs)} runs done, {state}"

    def help_sections(self) -> list[tuple[str, str]]:
        """The workspace, the curves, the tables."""
        return [(self.title, self.help), ("Curves", self.help_curves), ("Tables and ECDF", self.help_tables)]

    def shutdown(self) -> None:
        """Stop the compare (running runs autosave) and wait for the pool to end."""
        self._poll.stop()
        if self.job is not None and not self.job.finished:
            self.job.stop.set()
            self.job.wait()
