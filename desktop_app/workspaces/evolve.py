"""The Evolve workspace: one run of any algorithm, its settings on the left, its panels on the right.

The sidebar always shows the settings of the run in the panels (they are filled in whenever a
run starts, opens or resumes); editing them marks them as settings for the *next* New run, with
a notice and a way back. The run lives on a worker thread (``desktop_app.worker``); panels are
the registered ones (``desktop_app.registry.PANELS``) that accept the run.
"""

from __future__ import annotations

import gc
import json
import re
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from PySide6.QtCore import QEvent, QObject, QRegularExpression, QStandardPaths, Qt, QThread, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QKeySequence, QRegularExpressionValidator
from PySide6.QtWidgets import (
    QApplication,
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
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from core.algorithms.registry import ALGORITHMS, algorithm_class
from core.runs.config import ConfigError, config_to_toml
from core.runs.export import genome_to_dot, genome_to_graphml, history_to_csv
from core.runs.genome_json import genome_to_dict
from core.runs.persistence import UserCodeRequired, autosave, load_run, write_atomically
from core.runs.reports import GenerationReport
from core.tasks import make_task
from core.tasks.node_names import node_names
from desktop_app.panels.base import Panel, RunInfo
from desktop_app.registry import panel_classes
from desktop_app.theme import NOTICE_BACKGROUND
from desktop_app.widgets.config_form import ConfigForm, FormErrors
from desktop_app.widgets.export_dialog import PlotExportDialog
from desktop_app.widgets.task_box import TaskBox
from desktop_app.worker import EvolutionWorker
from desktop_app.workspaces.base import RunControls, Workspace, sidebar_beside

MAX_RECENT = 8
SIDEBAR_WIDTH = 330


class ActiveClock:
    """Seconds a run has actually been computing: paused and idle time are left out."""

    def __init__(self, now=time.perf_counter):
        self.now = now
        self.total = 0.0
        self._since: float | None = None

    def start(self) -> None:
        """Computing (again)."""
        if self._since is None:
            self._since = self.now()

    def stop(self) -> None:
        """Paused, or the run command ended."""
        if self._since is not None:
            self.total += self.now() - self._since
            self._since = None

    def reset(self) -> None:
        """A new run."""
        self.total, self._since = 0.0, None

    @property
    def seconds(self) -> float:
        """Active seconds so far."""
        return self.total + (self.now() - self._since if self._since is not None else 0.0)


def run_info(run: Any, source: str | None = None) -> RunInfo:
    """What panels need to know about a run (taken before the worker thread owns it)."""
    task_spec = run.task.spec()
    inputs = getattr(run, "genome_inputs", run.task.num_inputs)
    outputs = getattr(run, "genome_outputs", run.task.num_outputs)
    named_by = run if hasattr(run, "input_names") else run.task
    input_names, output_names = node_names(task_spec, inputs, outputs, named_by)
    return RunInfo(
        algorithm=run.name,
        algorithm_title=run.title or run.name,
        extras_type=getattr(type(run), "extras_type", None),
        config=run.config,
        task_spec=task_spec,
        seed=int(run.seed_entropy),
        recurrent=bool(getattr(run, "recurrent", False)),
        input_names=input_names,
        output_names=output_names,
        source=source,
    )


def continuous_actions(task_spec: dict[str, Any]) -> bool:
    """Whether a gymnasium task's actions are continuous (a Box space)."""
    if task_spec.get("name") != "gym":
        return False
    try:
        import gymnasium

        env = gymnasium.make(task_spec["env_id"])
    except Exception:  # noqa: BLE001 - an unknown id is reported by the task box instead
        return False
    try:
        return isinstance(env.action_space, gymnasium.spaces.Box)
    finally:
        env.close()


def task_defaults(cls: type, task_spec: dict[str, Any]) -> Any:
    """An algorithm's shipped defaults adjusted to a task.

    Continuous-action environments squash each output with tanh into the action bounds, so a
    sigmoid output (0..1) could only reach the upper part of the range: outputs there use
    identity (MLP baselines) or tanh (NEAT's node activation). Double pole without velocities
    needs memory: NEAT's genomes may grow recurrent connections there.
    """
    config = cls.default_config()
    keys = {f"{section}.{key}" for section, values in config.to_dict().items() for key in values}
    if task_spec.get("name") == "double-pole-nv" and "population.feed_forward" in keys:
        return config.replace(**{"population.feed_forward": False})
    if not continuous_actions(task_spec):
        return config
    changes: dict[str, Any] = {}
    if "policy.output_activation" in keys:
        changes["policy.output_activation"] = "identity"
    if "nodes.activation_default" in keys:
        changes["nodes.activation_default"] = "tanh"
        changes["nodes.activation_options"] = ["tanh"]
    return config.replace(**changes) if changes else config


def _naming(path: Any, message: str) -> str:
    """An error message that names the file once (the loader's messages often start with it)."""
    return message if str(path) in message or Path(str(path)).name in message.split("\n")[0] else f"{path}\n\n{message}"


def _generations_done(count: int) -> str:
    """How far a loaded run is, numbered as the status bar numbers generations (from 0)."""
    return f"generations 0–{count - 1} done" if count else "no generation yet"


class RunKeys(QObject):
    """Space pauses and Esc stops a running run whatever has focus (a spin box would otherwise
    take the Space as text).

    Installed on each focusable widget of the workspace rather than on the application: an
    application-wide Python filter runs for every event of the process (paints, timers), each
    call waiting for the GIL the evolving worker thread holds.
    """

    def watch(self, root: QWidget) -> None:
        """Filter the key events of ``root`` and every focusable widget inside it."""
        for widget in [root, *root.findChildren(QWidget)]:
            if widget.focusPolicy() != Qt.FocusPolicy.NoFocus:
                widget.installEventFilter(self)

    def __init__(self, workspace: EvolveWorkspace):
        super().__init__(workspace)
        self.workspace = workspace

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        kind = event.type()
        if kind not in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress):
            return False
        workspace = self.workspace
        key = event.key()
        if key not in (Qt.Key.Key_Space, Qt.Key.Key_Escape) or event.modifiers() not in (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.KeypadModifier):
            return False
        if not workspace.running or not workspace.isVisible() or QApplication.activeModalWidget() is not None:
            return False
        if kind == QEvent.Type.ShortcutOverride:
            event.accept()  # no shortcut fires; the key press comes here next
            return True
        if not event.isAutoRepeat():
            if key == Qt.Key.Key_Space:
                workspace.pause_button.toggle()
            else:
                workspace.stop_run()
        return True


class EvolveWorkspace(RunControls, Workspace):
    """One run: settings and controls on the left, the fitness panel and per-algorithm tabs."""

    key = "evolve"
    title = "Evolve"
    help = (
        "<b>Evolve</b>: one run of one algorithm on one task. Left: the algorithm, the task (XOR, "
        "CartPole or any gymnasium id), the seed and every config key (hover a field for its TOML key, "
        "range and meaning). <b>New run</b> starts from these settings; Step (F10), Run N (F5), "
        "Pause (Space) and Stop (Esc) drive it. The panels on the right depend on the algorithm: "
        "NEAT shows species and gene alignment, ES its optimiser, the GA its elite's lineage; "
        "episodic tasks add a replay."
    )

    requestRun = Signal(int, bool)
    requestSave = Signal(str)
    # Emitted on the GUI thread once the run's last reports are drawn: wait on these, not on the
    # worker's signals, whose direct connections fire in the worker thread before the reports land.
    runEnded = Signal(str)
    populationSaved = Signal(str)
    runStarted = Signal()

    def __init__(self, shell):
        super().__init__(shell)
        self.history: list[GenerationReport] = []
        self.thread: QThread | None = None
        self.worker: EvolutionWorker | None = None
        self.run: RunInfo | None = None
        self.run_dir: Path | None = None
        self.running = False
        self.paused = False
        self.clock = ActiveClock()
        self.last_error = ""
        self.backend_note = ""  # why the chosen backend does not apply to this run, if it does not
        self._origin: tuple[Any, dict, int, str] | None = None  # config, task spec, seed, algorithm: what Reset restarts
        self._evaluations_at_start = 0
        self._run_target = 0
        self._run_done = 0
        self._saved_generations = 0
        self._solved_note = ""
        self._form_differs = False
        self._filling = False
        self._redraw_timer = QTimer(self)
        self._redraw_timer.setSingleShot(True)
        self._redraw_timer.timeout.connect(lambda: self._redraw(in_slices=True))
        self._stale: set[Panel] = set()
        self._build_sidebar()
        self._build_panels()
        sidebar_beside(self, self.sidebar, self.centre, SIDEBAR_WIDTH)
        self.keys = RunKeys(self)
        self.keys.watch(self)
        self._restore_settings()
        self._update_buttons()

    # --- construction ------------------------------------------------------------------------

    def _build_sidebar(self) -> None:
        self.algorithm_box = QComboBox()
        for name, entry in ALGORITHMS.items():
            self.algorithm_box.addItem(entry.summary.split(":")[0], name)
            self.algorithm_box.setItemData(self.algorithm_box.count() - 1, entry.summary, Qt.ItemDataRole.ToolTipRole)
        self.algorithm_box.setToolTip("The algorithm of the next New run (hover an entry for its paper)")
        self.algorithm_box.currentIndexChanged.connect(self._on_algorithm_changed)
        self.task_box = TaskBox()
        self.task_box.edited.connect(self._on_form_edited)
        self.seed_box = QLineEdit("0")
        self.seed_box.setValidator(QRegularExpressionValidator(QRegularExpression(r"\d{0,40}")))
        self.seed_box.setPlaceholderText("empty: a fresh random seed")
        self.seed_box.setToolTip("Same seed and config give the same run, bit for bit. Leave empty for fresh entropy (shown once the run starts).")
        self.seed_box.textEdited.connect(self._on_form_edited)
        self.backend_box = QComboBox()
        for name, label in (("serial", "Serial"), ("process", "Processes"), ("ray", "Ray")):
            self.backend_box.addItem(label, name)
        self.backend_box.setToolTip(
            "Where genomes are evaluated for gymnasium envs without a vector form and your own fitness functions: "
            "this process, worker processes, or a Ray cluster (pip install 'neatscope[ray]'). Results are the same "
            "whichever; built-in tasks evaluate their whole population in one batch. Applies when a run starts."
        )
        self.workers_box = QSpinBox()
        self.workers_box.setRange(0, 1024)
        self.workers_box.setSpecialValueText("1 per CPU")
        self.workers_box.setSuffix(" workers")
        self.workers_box.setToolTip("Workers of the process or Ray backend (1 per CPU: of this machine, or of the Ray cluster)")
        self.workers_box.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.ray_address = QLineEdit()
        self.ray_address.setPlaceholderText("empty: a local Ray; or auto, ray://host:10001")
        self.ray_address.setToolTip("The Ray cluster to connect to (empty starts a local Ray, shut down when the app quits)")
        backend_row = QHBoxLayout()
        backend_row.setContentsMargins(0, 0, 0, 0)
        backend_row.addWidget(self.backend_box, 1)
        backend_row.addWidget(self.workers_box, 1)
        backend_widget = QWidget()
        backend_widget.setLayout(backend_row)
        self.backend_box.currentIndexChanged.connect(self._on_backend_edited)
        self.workers_box.valueChanged.connect(self._on_backend_edited)
        self.ray_address.editingFinished.connect(self._on_backend_edited)
        head = QFormLayout()
        head.addRow("Algorithm", self.algorithm_box)
        head.addRow("Task", self.task_box)
        head.addRow("Seed", self.seed_box)
        head.addRow("Backend", backend_widget)
        head.addRow("Ray address", self.ray_address)
        self._backend_form = head

        self.config_form = ConfigForm()
        self.config_form.edited.connect(self._on_form_edited)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        # The form fits the sidebar's width: long error messages wrap instead of widening it.
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(self.config_form)
        scroll.setMinimumHeight(120)
        self.config_scroll = scroll
        defaults_button = QPushButton("Load task defaults")
        defaults_button.setToolTip("The algorithm's shipped defaults (resources/<algorithm>_default.toml), adjusted to the task")
        defaults_button.clicked.connect(self.load_task_defaults)
        load_button = QPushButton("Load…")
        load_button.setToolTip("Load a TOML config for this algorithm (keys it leaves out keep their defaults)")
        load_button.clicked.connect(self.load_config_dialog)
        save_button = QPushButton("Save…")
        save_button.setToolTip("Save the form as a TOML config")
        save_button.clicked.connect(self.save_config_dialog)
        config_buttons = QHBoxLayout()
        for button in (defaults_button, load_button, save_button):
            config_buttons.addWidget(button)
        self.notice = QLabel()
        self.notice.setWordWrap(True)
        self.notice.setStyleSheet(f"background: {NOTICE_BACKGROUND}; padding: 4px; border-radius: 3px;")
        self.notice.setTextFormat(Qt.TextFormat.RichText)
        self.notice.linkActivated.connect(lambda _: self.revert_form())
        self.notice.setVisible(False)
        settings_group = QGroupBox("Next run")
        settings_layout = QVBoxLayout(settings_group)
        settings_layout.addLayout(head)
        settings_layout.addWidget(scroll, 1)
        settings_layout.addLayout(config_buttons)
        settings_layout.addWidget(self.notice)
        self.settings_group = settings_group

        self.new_button = QPushButton("New run")
        self.new_button.setToolTip("Start a fresh run from the settings above (Ctrl+N)")
        self.new_button.clicked.connect(self.new_run)
        self.reset_button = QPushButton("Reset")
        self.reset_button.setToolTip("Start this run again from generation 0 with its own algorithm, config, task and seed (Ctrl+R)")
        self.reset_button.clicked.connect(self.reset_run)
        self.step_button = QPushButton("Step")
        self.step_button.setToolTip("Run one generation (F10)")
        self.step_button.clicked.connect(lambda: self.run_generations(1))
        self.run_count = QSpinBox()
        self.run_count.setRange(1, 1_000_000)
        self.run_count.setValue(50)
        self.run_count.setToolTip("Generations for Run N")
        self.run_button = QPushButton("Run N")
        self.run_button.setToolTip("Run this many generations (F5)")
        self.run_button.clicked.connect(lambda: self.run_generations(self.run_count.value()))
        self.stop_at_solve = QCheckBox("Stop when solved")
        self.stop_at_solve.setToolTip("End Run N at the first generation that reaches the task's solve threshold")
        self.stop_at_solve.setChecked(True)
        self.pause_button = QPushButton("Pause")
        self.pause_button.setCheckable(True)
        self.pause_button.setToolTip("Hold the run within the current generation (Space)")
        self.pause_button.toggled.connect(self._on_pause_toggled)
        self.stop_button = QPushButton("Stop")
        self.stop_button.setToolTip("End the run now; the unfinished generation is discarded (Esc)")
        self.stop_button.clicked.connect(self.stop_run)
        self.autosave_box = QSpinBox()
        self.autosave_box.setRange(0, 10_000)
        self.autosave_box.setValue(10)
        self.autosave_box.setPrefix("Autosave every ")
        self.autosave_box.setSuffix(" generations")
        self.autosave_box.setSpecialValueText("Autosave off")
        self.autosave_box.setToolTip("Saves the run into its run folder; File → Resume run folder continues from there after a crash")
        self.autosave_box.valueChanged.connect(self._on_autosave_changed)
        # Spin boxes take keyboard focus only when clicked, so Tab and disabled buttons never drop
        # the focus into them mid-run.
        for box in (self.autosave_box, self.run_count):
            box.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        controls = QGroupBox("Run")
        grid = QVBoxLayout(controls)
        row1 = QHBoxLayout()
        row1.addWidget(self.new_button)
        row1.addWidget(self.reset_button)
        row2 = QHBoxLayout()
        row2.addWidget(self.step_button)
        row2.addWidget(self.run_count)
        row2.addWidget(self.run_button)
        row3 = QHBoxLayout()
        row3.addWidget(self.pause_button)
        row3.addWidget(self.stop_button)
        grid.addLayout(row1)
        grid.addLayout(row2)
        grid.addWidget(self.stop_at_solve)
        grid.addLayout(row3)
        grid.addWidget(self.autosave_box)

        sidebar = QWidget()
        side_layout = QVBoxLayout(sidebar)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.addWidget(settings_group, 1)
        side_layout.addWidget(controls)
        sidebar.setMinimumWidth(260)
        sidebar.setMaximumWidth(420)
        self.sidebar = sidebar

    def _build_panels(self) -> None:
        # Panels are made when a run first needs them (a plot costs tens of milliseconds to build);
        # the main ones and the champion graph exist from the start.
        self.panel_types = panel_classes()
        self.panels: list[Panel] = []
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.currentChanged.connect(lambda _: self._draw_visible())
        # Pages never dictate the splitter: a wide page would squeeze the fitness plots.
        self.tabs.setMinimumWidth(240)
        self.tabs.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        main = QWidget()
        self.main_layout = QVBoxLayout(main)
        self.main_layout.setContentsMargins(0, 0, 0, 0)
        main.setMinimumWidth(240)
        main.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        centre = QSplitter(Qt.Orientation.Horizontal)
        centre.addWidget(main)
        centre.addWidget(self.tabs)
        centre.setChildrenCollapsible(False)
        centre.setStretchFactor(0, 1)
        centre.setStretchFactor(1, 1)
        centre.setSizes([500, 500])
        self.centre = centre
        for cls in self.panel_types:
            if cls.placement == "main" or cls.key == "graph":
                self._instance(cls)
        self._apply_panel_visibility(None)

    @property
    def main_panels(self) -> list[Panel]:
        """Panels made so far that sit in the main area."""
        return [p for p in self.panels if p.placement == "main"]

    @property
    def tab_panels(self) -> list[Panel]:
        """Panels made so far that are tabs, in tab order."""
        return [p for p in self.panels if p.placement != "main"]

    def _instance(self, cls: type) -> Panel:
        """The panel of a registered class, made (and placed by its order) on first need."""
        for panel in self.panels:
            if type(panel) is cls:
                return panel
        panel = cls(self)
        self.panels.append(panel)
        self.panels.sort(key=lambda p: self.panel_types.index(type(p)))
        if panel.placement == "main":
            self.main_layout.insertWidget(self.main_panels.index(panel), panel, 1)
        else:
            index = self.tab_panels.index(panel)
            self.tabs.blockSignals(True)
            self.tabs.insertTab(index, panel, cls.title)
            self.tabs.setTabToolTip(index, "Help → What am I looking at (F1) explains this panel")
            self.tabs.setTabVisible(index, self.run is not None and cls.accepts(self.run) or self.run is None and cls.key == "graph")
            self.tabs.blockSignals(False)
        if self.run is not None and cls.accepts(self.run):
            panel.start_run(self.run)
        if hasattr(self, "keys"):
            self.keys.watch(panel)
        return panel

    def panel(self, key: str) -> Panel:
        """The panel registered under ``key`` (made if it does not exist yet)."""
        for cls in self.panel_types:
            if cls.key == key:
                return self._instance(cls)
        raise KeyError(f"no panel {key!r} is registered")

    def visible_tab_panels(self) -> list[Panel]:
        """Tab panels shown for the current run."""
        return [p for p in self.tab_panels if self.tabs.isTabVisible(self.tabs.indexOf(p))]

    def _apply_panel_visibility(self, run: RunInfo | None) -> None:
        if run is not None:
            for cls in self.panel_types:
                if cls.accepts(run):
                    self._instance(cls)
        for panel in self.panels:
            shown = panel.accepts(run) if run is not None else panel.placement == "main" or panel.key == "graph"
            if panel.placement == "main":
                panel.setVisible(shown)
            else:
                self.tabs.setTabVisible(self.tabs.indexOf(panel), shown)

    def show_panel(self, key: str) -> bool:
        """Bring a tab panel to the front; False when it does not apply to this run."""
        panel = self.panel(key)
        index = self.tabs.indexOf(panel)
        if index < 0 or not self.tabs.isTabVisible(index):
            return False
        self.tabs.setCurrentIndex(index)
        self._draw_visible()
        return True

    def build_menus(self, menu_bar: QMenuBar, file_menu: QMenu) -> None:
        """File entries for runs, and the Run menu."""
        self.new_action = self._action(file_menu, "&New run", self.new_run, QKeySequence.StandardKey.New)
        self.open_action = self._action(file_menu, "&Open run…", self.open_dialog, QKeySequence.StandardKey.Open)
        self.recent_menu = file_menu.addMenu("Open &recent")
        self.resume_action = self._action(file_menu, "Res&ume run folder…", self.resume_dialog, QKeySequence("Ctrl+Shift+O"))
        self.save_action = self._action(file_menu, "&Save run…", self.save_dialog, QKeySequence.StandardKey.Save)
        export_menu = file_menu.addMenu("&Export")
        self.export_action = self._action(export_menu, "&Champion (JSON, GraphML, DOT)…", self.export_champion_dialog, QKeySequence("Ctrl+E"))
        self.export_plots_action = self._action(export_menu, "&Plots (PNG, SVG)…", self.export_plots_dialog)
        self.export_stats_action = self._action(export_menu, "&Statistics (CSV)…", self.export_stats_dialog)
        self.file_actions = [self.new_action, self.open_action, self.resume_action, self.save_action, self.export_action, self.export_plots_action, self.export_stats_action]
        self.file_menus = [self.recent_menu, export_menu]
        run_menu = QMenu("&Run", self)
        self._action(run_menu, "&Step", lambda: self.run_generations(1), QKeySequence("F10"))
        self._action(run_menu, "&Run N generations", lambda: self.run_generations(self.run_count.value()), QKeySequence("F5"))
        self._action(run_menu, "Run until s&olved", lambda: self.run_generations(self.run_count.value(), True), QKeySequence("Shift+F5"))
        # Space and Esc are shown, not bound: as shortcuts they would take the keys from a focused
        # button or check box even with no run going. RunKeys handles them while a run goes.
        self.pause_action = self._action(run_menu, "&Pause / resume\tSpace", self.toggle_pause)
        self.stop_action = self._action(run_menu, "S&top\tEsc", self.stop_run)
        run_menu.addSeparator()
        self.reset_action = self._action(run_menu, "R&eset run", self.reset_run, QKeySequence("Ctrl+R"))
        self.replay_action = self._action(run_menu, "Re&play champion", self.replay_champion, QKeySequence("Ctrl+P"))
        self.menus = [run_menu]
        self._refresh_recent_menu()
        self._update_buttons()

    def set_active(self, active: bool) -> None:
        """Run keys and run-file menu entries act only while this workspace shows."""
        super().set_active(active)
        for item in getattr(self, "file_actions", []):
            item.setVisible(active)
        for menu in getattr(self, "file_menus", []):
            menu.menuAction().setVisible(active)

    def _action(self, menu, text: str, slot, shortcut=None) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(shortcut)
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    # --- the form ------------------------------------------------------------------------------

    @property
    def algorithm_name(self) -> str:
        """The algorithm chosen in the form."""
        return str(self.algorithm_box.currentData())

    def _on_algorithm_changed(self, _index: int) -> None:
        cls = algorithm_class(self.algorithm_name)
        self.config_form.set_algorithm(cls.config_type, cls.defaults_resource)
        self.config_form.set_config(cls.default_config())
        self._on_form_edited()

    def _on_form_edited(self, *_: object) -> None:
        if self._filling or self.run is None:
            return
        self._form_differs = True
        self.notice.setText(
            f"These settings are for the <b>next New run</b>. The run on the right keeps its own "
            f"({self.run.algorithm_title} on {self.run.task_title}, seed {self.run.seed}). "
            '<a href="revert">Show the run\'s settings</a>'
        )
        self.notice.setVisible(True)
        self.settings_group.setTitle("Next run (edited)")

    def fill_form(self, algorithm: str, config: Any, task_spec: dict[str, Any], seed: int | None) -> None:
        """Show these settings in the sidebar (no edit notice)."""
        self._filling = True
        try:
            index = self.algorithm_box.findData(algorithm)
            if index >= 0 and index != self.algorithm_box.currentIndex():
                self.algorithm_box.setCurrentIndex(index)
            elif self.config_form.config_type is None:
                self._on_algorithm_changed(index)
            self.config_form.set_config(config)
            self.task_box.set_task(task_spec)
            self.seed_box.setText("" if seed is None else str(seed))
        finally:
            self._filling = False
        self._form_differs = False
        self.notice.setVisible(False)
        self.settings_group.setTitle("This run" if self.run is not None else "Next run")

    def revert_form(self) -> None:
        """Show the current run's settings again, dropping edits."""
        if self.run is not None:
            self.fill_form(self.run.algorithm, self.run.config, self.run.task_spec, self.run.seed)

    def form_seed(self) -> int | None:
        """The seed typed in the form (None: fresh entropy)."""
        text = self.seed_box.text().strip()
        return int(text) if text else None

    def load_task_defaults(self) -> None:
        """Reset the config form to the algorithm's defaults for the chosen task."""
        cls = algorithm_class(self.algorithm_name)
        try:
            spec = self.task_box.spec()
        except ValueError:
            spec = {}
        self.config_form.set_config(task_defaults(cls, spec))
        self._on_form_edited()
        self.show_message(f"Loaded the {cls.title} defaults for {self.task_box.text() or 'the task'}")

    # --- run lifecycle -----------------------------------------------------------------------

    def confirm_discard(self, action: str) -> bool:
        """Ask before ``action`` drops a run with generations not yet saved anywhere."""
        unsaved = len(self.history) - self._saved_generations
        if self.worker is None or unsaved <= 0:
            return True
        saved = f"last saved at generation {self._saved_generations}" if self._saved_generations else "never saved"
        answer = QMessageBox.question(
            self,
            "Discard the current run?",
            f"{action} discards the current run: {unsaved} generation(s) are not saved ({saved}).\n\n"
            "Choose Cancel, then File → Save run, to keep it.",
            QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Discard

    @Slot()
    def new_run(self) -> bool:
        """Start a fresh run from the form; on bad settings mark them all and keep the current run."""
        if self.running:
            return False
        errors = []
        try:
            config = self.config_form.config()
        except FormErrors as error:
            errors.append(f"{len(error.errors)} config field(s) are invalid (marked in red):\n" + "\n".join(error.errors.values()))
            config = None
        try:
            task = self.task_box.build()
        except ValueError as error:
            errors.append(f"Task: {error}")
            task = None
        if errors:
            if task is not None:
                task.close()
            self._error("Cannot start the run", "\n\n".join(errors))
            return False
        assert config is not None and task is not None
        if not self.confirm_discard("New run"):
            task.close()
            return False
        cls = algorithm_class(self.algorithm_name)
        try:
            run = cls(config, task, self.form_seed())
        except ValueError as error:  # e.g. an algorithm that needs another kind of task
            task.close()
            self._error("Cannot start the run", f"{cls.title} on {self.task_box.text()}: {error}")
            return False
        self._start(run, self._new_run_dir(run))
        self.show_message(f"New run: {run.title} on {self.run.task_title}, seed {run.seed_entropy}" + (f" · {self.backend_note}" if self.backend_note else ""))
        return True

    @Slot()
    def reset_run(self) -> bool:
        """Start the current run over from generation 0 with its own algorithm, config, task and seed."""
        if self.worker is None or self.running or self._origin is None:
            return False
        if not self.confirm_discard("Reset"):
            return False
        config, task_spec, seed, algorithm = self._origin
        run = algorithm_class(algorithm)(config, make_task(task_spec), seed)
        self._start(run, self._new_run_dir(run))
        self.show_message(f"Reset: {run.title} on {self.run.task_title}, seed {seed}")
        return True

    def runs_folder(self) -> Path:
        """Where run folders (autosaves) go: the ``runs_folder`` setting, else the user's data folder.

        GenericDataLocation plus one "NEAT Scope": AppDataLocation would append the organisation
        and the application name, both "NEAT Scope" (".../NEAT Scope/NEAT Scope/runs").
        """
        configured = self.settings.value("runs_folder")
        if configured:
            return Path(str(configured))
        return Path(QStandardPaths.writableLocation(QStandardPaths.StandardLocation.GenericDataLocation)) / "NEAT Scope" / "runs"

    def _new_run_dir(self, run: Any) -> Path:
        """A fresh run folder named so that Resume run folder tells runs apart: time, algorithm,
        task (a gymnasium env by its id) and seed."""
        spec = run.task.spec()
        task = str(spec.get("env_id") or spec.get("dataset") or spec.get("name") or "task")
        task = re.sub(r"[^A-Za-z0-9_.-]+", "_", task)[:40]
        seed = str(run.seed_entropy)
        name = f"{time.strftime('%Y%m%d-%H%M%S')}-{run.name}-{task}-seed{seed if len(seed) <= 12 else seed[:12]}"
        folder = self.runs_folder() / name
        suffix = 1
        while folder.exists():
            suffix += 1
            folder = self.runs_folder() / f"{name}-{suffix}"
        return folder

    # --- evaluation backend ---------------------------------------------------------------------

    def backend_settings(self) -> Any:
        """The backend the sidebar names (``core.parallel.BackendSettings``)."""
        from core.parallel import BackendSettings

        name = self.backend_box.currentData()
        address = self.ray_address.text().strip() or None
        return BackendSettings(name, 0 if name == "serial" else self.workers_box.value(), address if name == "ray" else None)

    def _on_backend_edited(self, *_: object) -> None:
        name = self.backend_box.currentData()
        self.workers_box.setEnabled(name != "serial")
        self._backend_form.setRowVisible(self.ray_address, name == "ray")
        self.settings.setValue("evaluation/backend", name)
        self.settings.setValue("evaluation/workers", self.workers_box.value())
        self.settings.setValue("evaluation/ray_address", self.ray_address.text().strip())

    def _apply_backend(self, task: Any) -> None:
        """Evaluate ``task`` on the sidebar's backend; where it cannot, serially, saying why."""
        from core.parallel import BackendSettings

        settings = self.backend_settings()
        if not callable(getattr(task, "use_backend", None)):
            if settings.parallel:
                self.backend_note = f"{task.name} evaluates its whole population in one batch: the {settings.name} backend does not apply"
            return
        try:
            if settings.name == "ray":
                from core.parallel.ray_backend import ensure_ray

                # Here, on the GUI thread: Ray starts once, not in the middle of a generation.
                self.shell.status_label.setText("Starting Ray…")
                ensure_ray(settings.ray_address)
            task.use_backend(settings)
        except ValueError as error:
            self._error("Evaluating serially", f"The {settings.name} backend cannot evaluate this run: {error}")
            task.use_backend(BackendSettings("serial"))

    def _start(self, run: Any, run_dir: Path | None = None, source: str | None = None, saved: bool = False) -> None:
        """Hand ``run`` to a fresh worker; every panel forgets the previous run."""
        self._shutdown_worker()
        self.backend_note = ""
        self._apply_backend(run.task)
        # Captured now, while no other thread owns the run: what Reset starts again from.
        self._origin = (run.config, run.task.spec(), run.seed_entropy, run.name)
        self.run = run_info(run, source)
        self.history = list(run.history)
        self.run_dir = run_dir
        self._saved_generations = len(self.history) if saved else 0
        self._solved_note = ""
        self.clock.reset()
        self._evaluations_at_start = self.history[-1].evaluations if self.history else 0
        if run_dir is not None and self.autosave_box.value():
            # Before the worker owns the run: the folder is resumable from the start.
            try:
                autosave(run, run_dir)
            except OSError as error:
                self._error("Autosave failed", f"{run_dir}: {error}")
        self.worker = EvolutionWorker(run, str(run_dir) if run_dir else None, self.autosave_box.value())
        self.worker.autosaved.connect(self._on_autosaved)
        self.thread = QThread(self)
        self.worker.moveToThread(self.thread)
        self.requestRun.connect(self.worker.run_generations)
        self.requestSave.connect(self.worker.save)
        self.worker.reportsReady.connect(self._on_reports)
        self.worker.runFinished.connect(self._on_run_finished)
        self.worker.runFailed.connect(self._on_run_failed)
        self.worker.saved.connect(self._on_saved)
        self.worker.saveFailed.connect(lambda message: self._error("Save failed", message))
        self.thread.finished.connect(self.worker.deleteLater)
        # Read before the worker owns the run: the sidebar's task line describes the run's task.
        task_shape = SimpleNamespace(num_inputs=run.task.num_inputs, num_outputs=run.task.num_outputs, fitness_threshold=run.task.fitness_threshold)
        self.thread.start()
        self.fill_form(self.run.algorithm, self.run.config, self.run.task_spec, self.run.seed)
        self.task_box.show_task(task_shape)
        self._apply_panel_visibility(self.run)
        for panel in self.panels:
            if panel.accepts(self.run):
                panel.start_run(self.run)
            else:
                panel.release()
        if not self.tabs.isTabVisible(self.tabs.currentIndex()):
            self.tabs.setCurrentIndex(self.tabs.indexOf(self.panel("graph")))
        self._note_solved()
        self._flush_redraw()
        self._update_buttons()
        self.runStarted.emit()

    def _shutdown_worker(self) -> None:
        """Stop the worker and wait for its thread to end (no thread outlives its window)."""
        if self.thread is None:
            return
        assert self.worker is not None
        self.worker.stop()
        self.requestRun.disconnect(self.worker.run_generations)
        self.requestSave.disconnect(self.worker.save)
        self.worker.reportsReady.disconnect(self._on_reports)
        self.thread.quit()
        self.thread.wait()
        self.worker.close_task()
        self.thread.deleteLater()
        self.thread = None
        self.worker = None
        self.running = False
        self.paused = False

    def run_generations(self, count: int, until_solved: bool | None = None) -> None:
        """Ask the worker for ``count`` generations; starts a run from the form if none exists.

        ``until_solved`` None follows the "Stop when solved" box.
        """
        if self.running:
            return
        if self.worker is None and not self.new_run():
            return
        assert self.worker is not None
        already_solved = bool(self.history) and self.history[-1].solved
        if until_solved and already_solved:
            self.show_message(f"Already solved at generation {self.history[-1].generation}: use Run N to go on")
            return
        # "Stop when solved" stops a run when it reaches the threshold; once there, Run N runs N.
        stop = (self.stop_at_solve.isChecked() and not already_solved) if until_solved is None else until_solved
        self.running = True
        self.paused = False
        self._set_pause_button(False)
        self.clock.start()
        self._run_target = count
        self._run_done = 0
        progress = self.shell.progress
        progress.setRange(0, count)
        progress.setValue(0)
        progress.setVisible(count > 1)
        self._update_buttons()
        # Focus on Pause: disabled buttons would otherwise hand it to the next focusable field.
        self.pause_button.setFocus()
        self._publish_status()
        self.requestRun.emit(count, stop)

    @Slot(object)
    def _on_reports(self, reports: tuple[GenerationReport, ...]) -> None:
        self.history.extend(reports)
        self._run_done += len(reports)
        self.shell.progress.setValue(min(self._run_done, self._run_target))
        self._note_solved()
        self._schedule_redraw()

    def _note_solved(self) -> None:
        if self._solved_note:
            return
        first = next((r for r in self.history if r.solved), None)
        if first is not None:
            at = f", {first.solved_at_evaluation:,} evaluations" if first.solved_at_evaluation else ""
            self._solved_note = f"SOLVED at generation {first.generation}{at}"
            self.show_message(f"Solved: generation {first.generation} reached the task's threshold", 8000)

    def _schedule_redraw(self) -> None:
        """Coalesce report batches that arrived together into one redraw."""
        if not self._redraw_timer.isActive():
            self._redraw_timer.start(0)

    def _flush_redraw(self) -> None:
        """Draw now whatever is pending (the run ended, or a new run was set up)."""
        self._redraw_timer.stop()
        self._redraw()

    @Slot(str)
    def _on_run_finished(self, reason: str) -> None:
        self._end_command()
        if reason == "stopped":
            self.show_message("Stopped: the unfinished generation was discarded; the run can go on", 6000)
        elif reason == "solved" and self.history:
            self.show_message(f"Solved at generation {self.history[-1].generation}: the run stopped there; Run N goes on", 8000)
        self.runEnded.emit(reason)

    @Slot(str)
    def _on_run_failed(self, message: str) -> None:
        self._end_command()
        self._error("The run stopped with an error", message)
        self.runEnded.emit("failed")

    def _paused_changed(self, paused: bool) -> None:
        # Paused time is not run time: evaluations/s and elapsed count only active time.
        if paused:
            self.clock.stop()
        else:
            self.clock.start()

    def _end_command(self) -> None:
        self.clock.stop()
        self._flush_redraw()
        self.running = False
        self.paused = False
        self._set_pause_button(False)
        self.shell.progress.setVisible(False)
        self._update_buttons()
        self._publish_status()

    def _redraw(self, in_slices: bool = False) -> None:
        """Draw the main panels and the panel in front from the history.

        ``in_slices`` (live batches) draws the panel in front in a later event-loop pass, so no
        single GUI task holds the loop for both; the worker waits until both are done.
        """
        for panel in self.main_panels:
            panel.update_from(self.history)
        self._stale = set(self.tab_panels)
        self._publish_status()
        worker = self.worker
        if in_slices:
            QTimer.singleShot(0, lambda: self._finish_redraw(worker))
        else:
            self._finish_redraw(worker)

    def _finish_redraw(self, worker: EvolutionWorker | None) -> None:
        self._draw_visible()
        # The worker waits for this after each batch; a zero timer fires once the event loop
        # has handled what is queued now, the paint requests included.
        # (A lambda, not the worker's bound method: that would be queued to the worker's thread,
        # which is blocked waiting for exactly this call.)
        if worker is not None:
            QTimer.singleShot(0, lambda: worker.drawing_done())
        # Reports are immutable and live for the whole run; without this each full collection
        # walks the entire history (80 ms pauses at 300 XOR generations, both threads stopped).
        # Frozen objects are still freed by reference counting; only cyclic garbage among them
        # would outlive a collection, and reports, snapshots and genomes form no cycles.
        gc.freeze()

    def _draw_visible(self) -> None:
        # Hidden tabs are drawn when shown: drawing them on every batch only starves the GUI.
        current = self.tabs.currentWidget()
        if current in self._stale:
            self._stale.discard(current)
            current.update_from(self.history)

    def select_genome(self, genome, label: str) -> None:
        """A panel picked a genome: the graph shows it (and the replay loads it)."""
        shown = False
        for panel in self.panels:
            if panel.key in ("graph", "replay") and self.tabs.isTabVisible(self.tabs.indexOf(panel)):
                shown = panel.show_genome(genome, label) or shown
                # It stays until the next report batch brings a new champion.
                self._stale.discard(panel)
        self.show_panel("graph")
        if shown:
            self.show_message(f"Showing {label}")

    @Slot()
    def replay_champion(self) -> bool:
        """Replay the latest champion (a copy: the run is not touched and may go on)."""
        if not self.history:
            self.show_message("Nothing to replay yet: run at least one generation first (Step, F10)", 6000)
            return False
        replay = self.panel("replay")
        if not self.tabs.isTabVisible(self.tabs.indexOf(replay)):
            self.show_message(f"Replay needs an episodic task (CartPole or a gymnasium env); this run's task is {self.run.task_title}", 6000)
            return False
        last = self.history[-1]
        loaded = replay.show_genome(last.champion, f"champion of generation {last.generation} (genome {last.champion.genome_id})")
        self._stale.discard(replay)
        self.show_panel("replay")
        return loaded

    # --- status -------------------------------------------------------------------------------

    def status_text(self) -> str:
        """Run, generation, best, species, speed (active time only), state."""
        if self.run is None:
            return "No run yet: choose an algorithm and a task, then New run (Ctrl+N) or Step (F10)"
        seed = str(self.run.seed)
        # A run without --seed has a 39-digit entropy; the status bar shows its ends (the tooltip all).
        parts = [f"{self.run.algorithm_title} on {self.run.task_title}, seed {seed if len(seed) <= 12 else seed[:5] + '…' + seed[-4:]}"]
        if self.history:
            last = self.history[-1]
            parts.append(f"generation {last.generation}")
            parts.append(f"best {last.best_fitness:.4f}")
            if last.species:
                parts.append(f"species {len(last.species)}")
            seconds = self.clock.seconds
            if seconds > 0:  # nothing run in this session yet (an opened file): no speed to show
                rate = (last.evaluations - self._evaluations_at_start) / seconds
                workers = int(dict(last.timings).get("workers", 1))
                parts.append("1 worker" if workers == 1 else f"{workers} workers")
                parts.append(f"{rate:,.0f} evaluations/s")
                parts.append(f"elapsed {seconds:.1f} s")
            if last.fitness_faults:
                parts.append(f"faults {last.fitness_faults}")
        else:
            parts.append("no generation yet")
        state = "PAUSED (Space resumes)" if self.paused else "running" if self.running else ""
        if self._solved_note:
            parts.insert(0, self._solved_note)
        if state:  # first: the state must survive a narrow window
            parts.insert(0, state)
        return "  ·  ".join(parts)

    def _publish_status(self) -> None:
        last = self.history[-1] if self.history else None
        text = self.status_text()
        full = text.replace("  ·  ", "\n") + (f"\nseed {self.run.seed}" if self.run is not None else "")
        faults = "\n".join(last.fault_examples) if last and last.fault_examples else ""
        self.shell.status_label.setToolTip(full + ("\n\n" + faults if faults else ""))
        self.statusChanged.emit(text)

    def show_message(self, text: str, timeout_ms: int = 5000) -> None:
        """A transient note in the status bar."""
        self.shell.show_message(text, timeout_ms)

    def help_sections(self) -> list[tuple[str, str]]:
        """The current tab first, then the main panels, then the other tabs of this run."""
        current = self.tabs.currentWidget()
        ordered = [current] + self.main_panels + [p for p in self.visible_tab_panels() if p is not current]
        return [(self.title, self.help)] + [(p.title, p.help) for p in ordered if p is not None]

    def _update_buttons(self) -> None:
        idle = not self.running
        has_run = self.worker is not None
        for widget in (self.new_button, self.step_button, self.run_button):
            widget.setEnabled(idle)
        for name in ("new_action", "open_action", "resume_action"):
            if hasattr(self, name):
                getattr(self, name).setEnabled(idle)
        self.reset_button.setEnabled(idle and has_run)
        self.pause_button.setEnabled(self.running)
        self.stop_button.setEnabled(self.running)
        if hasattr(self, "save_action"):
            self.reset_action.setEnabled(idle and has_run)
            self.save_action.setEnabled(idle and has_run)
            for action in (self.export_action, self.export_plots_action, self.export_stats_action):
                # Enabled always: without a run they say why in the status bar.
                action.setEnabled(True)

    # --- files -------------------------------------------------------------------------------

    def save_population(self, path: str) -> None:
        """Ask the worker to save the run to ``path`` (done between generations)."""
        if self.worker is not None:
            self._saving_generations = len(self.history)
            self.requestSave.emit(path)

    @Slot(str)
    def _on_saved(self, path: str) -> None:
        self._saved_generations = max(self._saved_generations, getattr(self, "_saving_generations", 0))
        self._remember_recent(path)
        self.show_message(f"Saved {path}")
        self.populationSaved.emit(path)

    def open_population(self, path: str, ask: bool = True) -> bool:
        """Load a run file (or run folder); any failure leaves the current run untouched and says why
        in one dialog."""
        if ask and not self.confirm_discard("Opening a file"):
            return False
        try:
            run = self._load_asking_for_code(path)
        except Exception as error:  # noqa: BLE001 - whatever a file does to the reader, the app stays up
            self._error("Cannot open the run", _naming(path, str(error)))
            return False
        if run is None:
            self.show_message(f"Not opened: {path} needs code you did not allow")
            return False
        try:
            self._start(run, self._new_run_dir(run), source=str(path), saved=True)
        except Exception as error:  # noqa: BLE001 - e.g. a task that cannot be built here
            run.task.close()
            self._error("Cannot open the run", f"{path}\n\n{type(error).__name__}: {error}")
            return False
        self._remember_recent(str(path))
        self.show_message(f"Opened {path}: {_generations_done(run.generation)}")
        return True

    def _load_asking_for_code(self, path: str):
        """``load_run(path)``; a run that needs the user's code (a fitness function) is loaded
        only after the user has seen exactly what would be imported and agreed (None if not).

        Loading itself never imports anything a file names (issue 14); the module is looked
        up first in the run file's own folder."""
        try:
            return load_run(path)
        except UserCodeRequired as need:
            location = Path(path)
            code_folder = str(location if location.is_dir() else location.parent)
            if not self.confirm_user_code(need, code_folder):
                return None
            return load_run(path, user_code=need.code.target, code_folder=code_folder)

    def confirm_user_code(self, need: UserCodeRequired, code_folder: str) -> bool:
        """Ask before importing and running the code a run names."""
        answer = QMessageBox.warning(
            self,
            "Run your code?",
            f"This {need.algorithm} run (generation {need.generation}) evaluates genomes with the "
            f"{need.code.kind} <b>{need.code.target}</b>.<br><br>Continuing imports the module "
            f"<b>{need.code.module}</b> (looked up first in {code_folder}) and runs it. "
            "Only continue if you trust that code.",
            QMessageBox.StandardButton.Open | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Open

    def resume_run_folder(self, folder: str) -> bool:
        """Continue the run in ``folder`` from its last autosave, autosaving there again."""
        if not self.confirm_discard("Resuming a run folder"):
            return False
        try:
            run = self._load_asking_for_code(folder)
        except Exception as error:  # noqa: BLE001 - as open_population
            self._error("Cannot resume", _naming(folder, str(error)))
            return False
        if run is None:
            self.show_message(f"Not resumed: {folder} needs code you did not allow")
            return False
        self._start(run, Path(folder), source=str(folder), saved=True)
        self.show_message(f"Resumed {folder}: {_generations_done(run.generation)}")
        return True

    def resume_dialog(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Resume run folder", str(self.runs_folder()))
        if folder:
            self.resume_run_folder(folder)

    @Slot(int)
    def _on_autosaved(self, generation: int) -> None:
        self._saved_generations = max(self._saved_generations, generation)
        self.show_message(f"Autosaved generation {generation} to {self.run_dir}", 3000)

    @Slot(int)
    def _on_autosave_changed(self, every: int) -> None:
        self.settings.setValue("autosave_every", every)
        if self.worker is not None:
            self.worker.autosave_every = every  # an int read between generations: no lock needed

    def save_dialog(self) -> None:
        if self.worker is None:
            self.show_message("Nothing to save yet: start a run first")
            return
        path, _ = QFileDialog.getSaveFileName(self, "Save run", self._last_dir(), "NEAT Scope runs (*.json)")
        if path:
            self.save_population(path)

    def open_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open run", self._last_dir(), "NEAT Scope runs (*.json);;All files (*)")
        if path:
            self.open_population(path)

    def _no_run_yet(self, what: str) -> bool:
        if self.history:
            return False
        self.show_message(f"Nothing to export yet: {what} needs at least one generation (Step, F10)", 6000)
        return True

    def export_champion(self, path: str) -> None:
        """Write the latest champion; the extension picks the format (.graphml, .dot/.gv, else JSON)."""
        champion = self.history[-1].champion
        suffix = Path(path).suffix.lower()
        if suffix == ".graphml":
            text = genome_to_graphml(champion)
        elif suffix in (".dot", ".gv"):
            text = genome_to_dot(champion)
        else:
            text = json.dumps(genome_to_dict(champion.to_genome()), indent=1)
        self._write_export(path, text, "champion")

    def export_stats(self, path: str) -> None:
        """Write one CSV row per generation of the history."""
        self._write_export(path, history_to_csv(self.history), "statistics")

    def export_plots(self, path: str, combined: bool = True, dpi: float = 96.0) -> list[Path]:
        """Write the fitness and complexity plots: one combined figure or one file per plot,
        PNG at ``dpi`` or SVG by the extension."""
        try:
            written = self.panel("fitness").export(path, combined, dpi)
        except OSError as error:
            self._error("Export failed", str(error))
            return []
        self.show_message(f"Exported plots to {', '.join(str(p) for p in written)}")
        return written

    def _write_export(self, path: str, text: str, what: str) -> None:
        try:
            write_atomically(path, text)
        except OSError as error:
            self._error("Export failed", f"Could not write {path}: {error}")
            return
        self.show_message(f"Exported {what} to {path}")

    def export_champion_dialog(self) -> None:
        if self._no_run_yet("the champion"):
            return
        path, _ = QFileDialog.getSaveFileName(
            self, "Export champion", self._last_dir(), "JSON (*.json);;GraphML (*.graphml);;Graphviz DOT (*.dot *.gv)"
        )
        if path:
            self.export_champion(path)

    def export_plots_dialog(self) -> None:
        if self._no_run_yet("a plot"):
            return
        dialog = PlotExportDialog(self, self._last_dir())
        if dialog.exec():
            path, combined, dpi = dialog.choice()
            self.export_plots(path, combined, dpi)

    def export_stats_dialog(self) -> None:
        if self._no_run_yet("the statistics table"):
            return
        path, _ = QFileDialog.getSaveFileName(self, "Export statistics", self._last_dir(), "CSV (*.csv)")
        if path:
            self.export_stats(path)

    def load_config_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Load config", self._last_dir(), "TOML (*.toml)")
        if path:
            self.load_config_file(path)

    def load_config_file(self, path: str) -> bool:
        """Fill the form from a TOML config of the chosen algorithm."""
        cls = algorithm_class(self.algorithm_name)
        try:
            config = cls.load_config(path)
        except ConfigError as error:
            self._error("Cannot load config", str(error))
            return False
        self.config_form.set_config(config)
        self._on_form_edited()
        self.settings.setValue("last_config", path)
        self.settings.setValue("last_config_algorithm", self.algorithm_name)
        return True

    def save_config_dialog(self) -> None:
        try:
            config = self.config_form.config()
        except FormErrors as error:
            self._error("Invalid configuration", "\n".join(error.errors.values()))
            return
        path, _ = QFileDialog.getSaveFileName(self, "Save config", self._last_dir(), "TOML (*.toml)")
        if path:
            self._write_export(path, config_to_toml(config, f"NEAT Scope {self.algorithm_name} configuration"), "config")

    def _last_dir(self) -> str:
        recent = self.recent_files()
        return str(Path(recent[0]).parent) if recent else str(Path.home())

    def recent_files(self) -> list[str]:
        """Recently opened or saved run files, newest first."""
        value = self.settings.value("recent_files", [])
        return [value] if isinstance(value, str) else list(value or [])

    def _remember_recent(self, path: str) -> None:
        recent = [path] + [p for p in self.recent_files() if p != path]
        self.settings.setValue("recent_files", recent[:MAX_RECENT])
        self._refresh_recent_menu()

    def _refresh_recent_menu(self) -> None:
        if not hasattr(self, "recent_menu"):
            return
        self.recent_menu.clear()
        for path in self.recent_files():
            action = self.recent_menu.addAction(path)
            action.triggered.connect(lambda _=False, p=path: self.open_population(p))
        self.recent_menu.setEnabled(bool(self.recent_files()))

    # --- settings, errors, closing -----------------------------------------------------------

    def _restore_settings(self) -> None:
        algorithm = self.settings.value("algorithm", "neat")
        index = self.algorithm_box.findData(algorithm)
        self.algorithm_box.setCurrentIndex(max(0, index))
        if self.config_form.config_type is None:
            self._on_algorithm_changed(0)
        task = self.settings.value("task")
        if task:
            self.task_box.combo.setCurrentText(str(task))
        self.seed_box.setText(str(self.settings.value("seed", "0")))
        self.autosave_box.setValue(int(self.settings.value("autosave_every", 10)))
        backend = self.settings.value("evaluation/backend", "serial")
        workers = int(self.settings.value("evaluation/workers", 0))
        address = str(self.settings.value("evaluation/ray_address", ""))
        for box in (self.backend_box, self.workers_box):
            box.blockSignals(True)
        self.backend_box.setCurrentIndex(max(0, self.backend_box.findData(backend)))
        self.workers_box.setValue(workers)
        self.ray_address.setText(address)
        for box in (self.backend_box, self.workers_box):
            box.blockSignals(False)
        self._on_backend_edited()
        last_config = self.settings.value("last_config")
        if last_config and Path(last_config).exists() and self.settings.value("last_config_algorithm", "neat") == self.algorithm_name:
            try:
                self.config_form.set_config(algorithm_class(self.algorithm_name).load_config(last_config))
            except ConfigError:
                pass  # a config that went bad since is simply not restored
        self.notice.setVisible(False)
        self._publish_status()

    def _error(self, title: str, message: str) -> None:
        self.last_error = message
        self.shell.error(title, message)

    def can_close(self) -> bool:
        """Ask before closing drops unsaved generations."""
        return self.confirm_discard("Quitting")

    def shutdown(self) -> None:
        """Remember the form, stop the run and release panels."""
        self.settings.setValue("algorithm", self.algorithm_name)
        self.settings.setValue("task", self.task_box.text())
        self.settings.setValue("seed", self.seed_box.text())
        for panel in self.panels:
            panel.close_panel()
        self._shutdown_worker()
