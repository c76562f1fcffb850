"""The NEAT Scope main window: controls and config form on the left, live panels on the right."""

from __future__ import annotations

import gc
import json
import time
from pathlib import Path

from PySide6.QtCore import QSettings, QStandardPaths, Qt, QThread, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from core.algorithms.neat.config import NeatConfig, default_config, load_config
from core.algorithms.neat.evolution import Neat
from core.algorithms.protocol import Algorithm
from core.runs.config import ConfigError, config_to_toml
from core.runs.export import genome_to_dot, genome_to_graphml, history_to_csv
from core.runs.genome_json import genome_to_dict
from core.runs.persistence import RunFileError, autosave, load_run, write_atomically
from core.runs.reports import GenerationReport
from core.tasks import Task, make_task
from desktop_app.views.alignment_view import AlignmentView
from desktop_app.views.fitness_plot import FitnessPlot
from desktop_app.views.network_view import NetworkView
from desktop_app.views.replay_view import ReplayPanel
from desktop_app.views.species_plot import SpeciesPlot
from desktop_app.worker import EvolutionWorker

TASKS = {"XOR": "xor", "CartPole-v1": "cartpole"}
# Config keys shown in the form: (dotted key, label, tooltip).
FORM_KEYS = (
    ("population.size", "Population", "Genomes per generation (paper: 150)"),
    ("speciation.threshold", "Compatibility threshold δt", "Genomes closer than this share a species (paper: 3.0)"),
    ("speciation.weight_coefficient", "c3 (weights)", "Weight of the mean weight difference in δ (paper: 0.4)"),
    ("speciation.target_species", "Target species", "0 keeps δt fixed; otherwise δt moves toward this many species"),
    ("structure.add_node_prob", "Add-node probability", "Chance per offspring of splitting a connection (paper: 0.03)"),
    ("structure.add_connection_prob", "Add-connection probability", "Chance per offspring of a new connection (paper: 0.05)"),
    ("weights.mutate_prob", "Weight mutation probability", "Chance that a genome's weights mutate (paper: 0.8)"),
    ("weights.perturb_power", "Perturbation power", "Standard deviation of weight perturbations"),
)
MAX_RECENT = 8


def _render_svg(item, path: Path) -> None:
    """Paint one graphics item's part of its scene into an SVG file."""
    from PySide6.QtCore import QRectF
    from PySide6.QtGui import QPainter
    from PySide6.QtSvg import QSvgGenerator

    source = item.sceneBoundingRect()
    generator = QSvgGenerator()
    generator.setFileName(str(path))
    generator.setSize(source.size().toSize())
    generator.setViewBox(QRectF(0, 0, source.width(), source.height()))
    generator.setTitle(f"NEAT Scope {item.titleLabel.text if hasattr(item, 'titleLabel') else 'plot'}")
    painter = QPainter(generator)
    try:
        item.scene().render(painter, QRectF(0, 0, source.width(), source.height()), source)
    finally:
        painter.end()


class MainWindow(QMainWindow):
    """Owns one worker thread at a time; draws the reports it sends."""

    requestRun = Signal(int, bool)
    requestSave = Signal(str)
    # Emitted on the GUI thread once the run's last reports are drawn: wait on these, not on the
    # worker's signals, whose direct connections fire in the worker thread before the reports land.
    runEnded = Signal(str)
    populationSaved = Signal(str)

    def __init__(self, settings: QSettings | None = None):
        super().__init__()
        self.settings = settings or QSettings()
        self.setWindowTitle("NEAT Scope")
        self.history: list[GenerationReport] = []
        self.config: NeatConfig = default_config()
        self.thread: QThread | None = None
        self.worker: EvolutionWorker | None = None
        self.run_dir: Path | None = None
        self.running = False
        self._run_started = 0.0
        self._run_target = 0
        self._run_done = 0
        self._evaluations_at_start = 0
        self._redraw_timer = QTimer(self)
        self._redraw_timer.setSingleShot(True)
        self._redraw_timer.timeout.connect(self._redraw)
        self._stale_tabs: set[QWidget] = set()
        self._shown_champion: tuple[int, int] | None = None
        self._build_panels()
        self._build_controls()
        self._build_menus()
        self._build_status_bar()
        self._restore_settings()
        self._update_buttons()

    # --- construction ------------------------------------------------------------------------

    def _build_panels(self) -> None:
        self.fitness_plot = FitnessPlot()
        self.network_view = NetworkView()
        self.species_plot = SpeciesPlot()
        self.species_plot.speciesSelected.connect(self._show_species_best)
        self.alignment_view = AlignmentView()
        tabs = QTabWidget()
        tabs.addTab(self.network_view, "Champion graph")
        tabs.addTab(self.species_plot, "Species")
        tabs.addTab(self.alignment_view, "Gene alignment")
        self.replay_panel = ReplayPanel()
        self.replay_panel.export_button.clicked.connect(self.export_replay_dialog)
        tabs.addTab(self.replay_panel, "Replay")
        tabs.currentChanged.connect(lambda _: self._on_tab_changed())
        self.tabs = tabs
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.fitness_plot)
        splitter.addWidget(tabs)
        splitter.setSizes([600, 600])
        self.panels = splitter

    def _build_controls(self) -> None:
        self.task_box = QComboBox()
        self.task_box.addItems(list(TASKS))
        self.task_box.setToolTip("What the genomes are evaluated on")
        self.seed_box = QSpinBox()
        self.seed_box.setRange(0, 2**31 - 1)
        self.seed_box.setToolTip("Same seed and config give the same run, bit for bit")
        self.feed_forward_box = QCheckBox("Feed-forward only")
        self.feed_forward_box.setToolTip("Unchecked allows recurrent connections")
        self.fields: dict[str, QLineEdit] = {}
        form = QFormLayout()
        form.addRow("Task", self.task_box)
        form.addRow("Seed", self.seed_box)
        for key, label, tip in FORM_KEYS:
            edit = QLineEdit()
            edit.setToolTip(f"{tip}\n[{key}]")
            self.fields[key] = edit
            form.addRow(label, edit)
        form.addRow(self.feed_forward_box)
        load_config_button = QPushButton("Load config…")
        load_config_button.clicked.connect(self.load_config_dialog)
        save_config_button = QPushButton("Save config…")
        save_config_button.clicked.connect(self.save_config_dialog)
        config_buttons = QHBoxLayout()
        config_buttons.addWidget(load_config_button)
        config_buttons.addWidget(save_config_button)
        config_group = QGroupBox("Task and config")
        config_layout = QVBoxLayout(config_group)
        config_layout.addLayout(form)
        config_layout.addLayout(config_buttons)

        self.new_button = QPushButton("New run")
        self.new_button.setToolTip("Start a fresh run from the form (Ctrl+N)")
        self.new_button.clicked.connect(self.new_run)
        self.reset_button = QPushButton("Reset")
        self.reset_button.setToolTip("Discard this run and start it again from generation 0 with its own config and seed (Ctrl+R)")
        self.reset_button.clicked.connect(self.reset_run)
        self.step_button = QPushButton("Step")
        self.step_button.setToolTip("Run one generation (F10)")
        self.step_button.clicked.connect(lambda: self.run_generations(1))
        self.run_count = QSpinBox()
        self.run_count.setRange(1, 100_000)
        self.run_count.setValue(50)
        self.run_button = QPushButton("Run N")
        self.run_button.setToolTip("Run the given number of generations (F5)")
        self.run_button.clicked.connect(lambda: self.run_generations(self.run_count.value()))
        self.solve_button = QPushButton("Run until solved")
        self.solve_button.setToolTip("Run until the task's fitness threshold is reached (at most N generations)")
        self.solve_button.clicked.connect(lambda: self.run_generations(self.run_count.value(), until_solved=True))
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
        self.autosave_box.setToolTip("Saves the run into its run folder; File → Resume continues from there after a crash")
        self.autosave_box.valueChanged.connect(self._on_autosave_changed)
        run_row = QHBoxLayout()
        run_row.addWidget(self.run_count)
        run_row.addWidget(self.run_button)
        controls = QGroupBox("Evolution")
        controls_layout = QVBoxLayout(controls)
        new_reset = QHBoxLayout()
        new_reset.addWidget(self.new_button)
        new_reset.addWidget(self.reset_button)
        controls_layout.addLayout(new_reset)
        controls_layout.addWidget(self.step_button)
        controls_layout.addLayout(run_row)
        controls_layout.addWidget(self.solve_button)
        pause_stop = QHBoxLayout()
        pause_stop.addWidget(self.pause_button)
        pause_stop.addWidget(self.stop_button)
        controls_layout.addLayout(pause_stop)
        controls_layout.addWidget(self.autosave_box)

        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.addWidget(config_group)
        side_layout.addWidget(controls)
        side_layout.addStretch(1)
        side.setMaximumWidth(360)
        central = QWidget()
        layout = QHBoxLayout(central)
        layout.addWidget(side)
        layout.addWidget(self.panels, 1)
        self.setCentralWidget(central)
        self._fill_form(self.config)

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self.new_action = self._action(file_menu, "&New run", self.new_run, QKeySequence.StandardKey.New)
        self.open_action = self._action(file_menu, "&Open population…", self.open_dialog, QKeySequence.StandardKey.Open)
        self.recent_menu = file_menu.addMenu("Open &recent")
        self.resume_action = self._action(file_menu, "Res&ume run folder…", self.resume_dialog, QKeySequence("Ctrl+Shift+O"))
        self.save_action = self._action(file_menu, "&Save population…", self.save_dialog, QKeySequence.StandardKey.Save)
        export_menu = file_menu.addMenu("&Export")
        self.export_action = self._action(export_menu, "&Champion (JSON, GraphML, DOT)…", self.export_champion_dialog, QKeySequence("Ctrl+E"))
        self.export_plots_action = self._action(export_menu, "&Plots (PNG, SVG)…", self.export_plots_dialog)
        self.export_stats_action = self._action(export_menu, "&Statistics (CSV)…", self.export_stats_dialog)
        file_menu.addSeparator()
        self._action(file_menu, "&Quit", self.close, QKeySequence.StandardKey.Quit)
        run_menu = self.menuBar().addMenu("&Run")
        self.replay_action = self._action(run_menu, "Re&play champion", self.replay_champion, QKeySequence("Ctrl+P"))
        self.reset_action = self._action(run_menu, "R&eset run", self.reset_run, QKeySequence("Ctrl+R"))
        self._action(run_menu, "&Step", lambda: self.run_generations(1), QKeySequence("F10"))
        self._action(run_menu, "&Run N generations", lambda: self.run_generations(self.run_count.value()), QKeySequence("F5"))
        self._action(run_menu, "Run until s&olved", lambda: self.run_generations(self.run_count.value(), True), QKeySequence("Shift+F5"))
        self._action(run_menu, "&Pause / resume", self.pause_button.toggle, QKeySequence("Space"))
        self._action(run_menu, "S&top", self.stop_run, QKeySequence("Esc"))

    def _action(self, menu, text: str, slot, shortcut=None) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(shortcut)
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def _build_status_bar(self) -> None:
        self.status_label = QLabel("No run yet: press New run")
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(200)
        self.progress.setVisible(False)
        self.statusBar().addWidget(self.status_label, 1)
        self.statusBar().addPermanentWidget(self.progress)

    # --- config form -------------------------------------------------------------------------

    def _fill_form(self, config: NeatConfig) -> None:
        data = config.to_dict()
        for key, edit in self.fields.items():
            section, name = key.split(".")
            edit.setText(str(data[section][name]))
        self.feed_forward_box.setChecked(config.population.feed_forward)

    def config_from_form(self) -> NeatConfig:
        """The config the form describes.

        Raises:
            ConfigError: a field is not a number or is out of range (the message names it).
        """
        changes: dict[str, object] = {"population.feed_forward": self.feed_forward_box.isChecked()}
        for key, edit in self.fields.items():
            section, name = key.split(".")
            current = getattr(getattr(self.config, section), name)
            text = edit.text().strip()
            try:
                changes[key] = int(text) if isinstance(current, int) else float(text)
            except ValueError:
                raise ConfigError(f"{key}: {text!r} is not a number") from None
        return self.config.replace(**changes)

    # --- run lifecycle -----------------------------------------------------------------------

    def task_from_form(self) -> Task:
        """The task chosen in the form."""
        return make_task(TASKS[self.task_box.currentText()])

    @Slot()
    def new_run(self) -> bool:
        """Start a fresh run from the form; on a bad value show why and keep the current run."""
        try:
            config = self.config_from_form()
            task = self.task_from_form()
        except (ConfigError, ValueError) as error:
            self._error("Invalid configuration", str(error))
            return False
        self.config = config
        self._start(Neat(config, task, self.seed_box.value()), self._new_run_dir(task.name, self.seed_box.value()))
        self.status_label.setText(f"New run: {task.name}, seed {self.seed_box.value()}")
        return True

    @Slot()
    def reset_run(self) -> bool:
        """Start the current run over from generation 0 with its own config, task and seed."""
        if self.worker is None or self.running:
            return False
        config, task_spec, seed = self._run_origin
        self._start(Neat(config, make_task(task_spec), seed), self._new_run_dir(task_spec["name"], seed))
        self.status_label.setText(f"Reset: {task_spec['name']}, seed {seed}")
        return True

    def runs_folder(self) -> Path:
        """Where run folders (autosaves) go: the ``runs_folder`` setting, else the app data folder."""
        configured = self.settings.value("runs_folder")
        if configured:
            return Path(str(configured))
        return Path(QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)) / "runs"

    def _new_run_dir(self, task_name: str, seed: int) -> Path:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        folder = self.runs_folder() / f"{stamp}-{task_name}-seed{seed}"
        suffix = 1
        while folder.exists():
            suffix += 1
            folder = self.runs_folder() / f"{stamp}-{task_name}-seed{seed}-{suffix}"
        return folder

    def _start(self, evolution: Algorithm, run_dir: Path | None = None) -> None:
        self._shutdown_worker()
        # Captured now, while no other thread owns the engine: what Reset starts again from.
        self._run_origin = (evolution.config, evolution.task.spec(), evolution.seed_entropy)
        self.history = list(evolution.history)
        self.run_dir = run_dir
        if run_dir is not None and self.autosave_box.value():
            # Before the worker owns the engine: the folder is resumable from the start.
            try:
                autosave(evolution, run_dir)
            except OSError as error:
                self._error("Autosave failed", f"{run_dir}: {error}")
        self.worker = EvolutionWorker(evolution, str(run_dir) if run_dir else None, self.autosave_box.value())
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
        self.thread.start()
        self._evaluations_at_start = self.history[-1].evaluations if self.history else 0
        self._shown_champion = None
        self._flush_redraw()
        self._update_buttons()

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

    def run_generations(self, count: int, until_solved: bool = False) -> None:
        """Ask the worker for ``count`` generations; starts a run from the form if none exists."""
        if self.running:
            return
        if self.worker is None and not self.new_run():
            return
        assert self.worker is not None
        self.running = True
        self.pause_button.setChecked(False)
        self._run_started = time.perf_counter()
        self._run_target = count
        self._run_done = 0
        self._evaluations_at_start = self.history[-1].evaluations if self.history else 0
        self.progress.setRange(0, count)
        self.progress.setValue(0)
        self.progress.setVisible(count > 1)
        self._update_buttons()
        self.requestRun.emit(count, until_solved)

    @Slot()
    def stop_run(self) -> None:
        """End the current run; an unfinished generation is discarded, the run stays resumable."""
        if self.worker is not None:
            self.worker.stop()

    @Slot(bool)
    def _on_pause_toggled(self, paused: bool) -> None:
        if self.worker is None:
            return
        if paused:
            self.worker.pause()
            self.pause_button.setText("Resume")
        else:
            self.worker.resume()
            self.pause_button.setText("Pause")

    @Slot(object)
    def _on_reports(self, reports: tuple[GenerationReport, ...]) -> None:
        self.history.extend(reports)
        self._run_done += len(reports)
        self.progress.setValue(min(self._run_done, self._run_target))
        self._schedule_redraw()

    def _schedule_redraw(self) -> None:
        """Coalesce report batches that arrived together into one redraw."""
        if self._redraw_timer.isActive():
            return
        self._redraw_timer.start(0)

    def _flush_redraw(self) -> None:
        """Draw now whatever is pending (the run ended, or a new run was set up)."""
        self._redraw_timer.stop()
        self._redraw()

    @Slot(str)
    def _on_run_finished(self, reason: str) -> None:
        self._flush_redraw()
        self.running = False
        self.progress.setVisible(False)
        self._update_buttons()
        self._update_status(suffix={"solved": " — solved", "stopped": " — stopped"}.get(reason, ""))
        self.runEnded.emit(reason)

    @Slot(str)
    def _on_run_failed(self, message: str) -> None:
        self._flush_redraw()
        self.running = False
        self.progress.setVisible(False)
        self._update_buttons()
        self._error("The run stopped with an error", message)
        self.runEnded.emit("failed")

    def _redraw(self) -> None:
        self.fitness_plot.update_from(self.history)
        self._stale_tabs = {self.network_view, self.species_plot, self.alignment_view}
        self._draw_current_tab()
        self._update_status()
        # The worker waits for this after each batch; a zero timer fires once the event loop
        # has handled what is queued now, the paint requests included.
        # (A lambda, not the worker's bound method: that would be queued to the worker's thread,
        # which is blocked waiting for exactly this call.)
        worker = self.worker
        if worker is not None:
            QTimer.singleShot(0, lambda: worker.drawing_done())
        # Reports are immutable and live for the whole run; without this each full collection
        # walks the entire history (80 ms pauses at 300 XOR generations, both threads stopped).
        # Frozen objects are still freed by reference counting; only cyclic garbage among them
        # would outlive a collection, and reports, snapshots and genomes form no cycles.
        gc.freeze()

    def _on_tab_changed(self) -> None:
        if self.tabs.currentWidget() is self.replay_panel and self.replay_panel.replay is None and self.history:
            self.replay_champion()
        self._draw_current_tab()

    def replay_genome(self, genome, label: str) -> bool:
        """Load a genome snapshot into the replay panel for this run's task."""
        if not hasattr(self, "_run_origin"):
            return False
        config, task_spec, _ = self._run_origin
        reason = self.replay_panel.set_genome(genome, task_spec, not config.population.feed_forward, label)
        return reason is None

    @Slot()
    def replay_champion(self) -> bool:
        """Replay the latest champion (a copy: the run is not touched and may go on)."""
        if not self.history:
            return False
        last = self.history[-1]
        loaded = self.replay_genome(last.champion, f"champion of generation {last.generation} (genome {last.champion.genome_id})")
        self.tabs.setCurrentWidget(self.replay_panel)
        return loaded

    def export_replay_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export replay", self._last_dir(), "Animated GIF (*.gif)")
        if not path:
            return
        try:
            count = self.replay_panel.export_gif(path)
        except OSError as error:
            self._error("Export failed", f"Could not write {path}: {error}")
            return
        self.statusBar().showMessage(f"Exported {count} frames to {path}", 5000)

    def _draw_current_tab(self) -> None:
        # Hidden tabs are drawn when shown: drawing them on every batch only starves the GUI.
        current = self.tabs.currentWidget()
        if current not in self._stale_tabs:
            return
        self._stale_tabs.discard(current)
        last = self.history[-1] if self.history else None
        if current is self.species_plot:
            self.species_plot.update_from(self.history)
        elif current is self.alignment_view:
            self.alignment_view.set_candidates(self.alignment_candidates(), self.config.speciation)
        elif current is self.network_view and (last is None or self._shown_champion != (last.generation, last.champion.genome_id)):
            self.network_view.show_genome(
                last.champion if last else None,
                f"Champion of generation {last.generation}: genome {last.champion.genome_id}, fitness {last.best_fitness:.4f}" if last else "Champion",
            )
            self._shown_champion = (last.generation, last.champion.genome_id) if last else None

    def alignment_candidates(self) -> list[tuple[str, object]]:
        """Genomes offered for alignment: the latest champion, each species' best, the first champion."""
        if not self.history:
            return []
        last = self.history[-1]
        candidates = [(f"Champion, generation {last.generation} (genome {last.champion.genome_id})", last.champion)]
        candidates += [(f"Best of species {s.species_id} (genome {s.best_genome.genome_id})", s.best_genome) for s in last.species]
        first = self.history[0]
        if first is not last:
            candidates.append((f"Champion, generation {first.generation} (genome {first.champion.genome_id})", first.champion))
        return candidates

    def _update_status(self, suffix: str = "") -> None:
        if not self.history:
            return
        last = self.history[-1]
        elapsed = time.perf_counter() - self._run_started if self._run_started else 0.0
        rate = (last.evaluations - self._evaluations_at_start) / elapsed if elapsed > 0 else 0.0
        faults = f"  faults {last.fitness_faults}" if last.fitness_faults else ""
        self.status_label.setToolTip("\n".join(last.fault_examples) if last.fault_examples else "")
        self.status_label.setText(
            f"generation {last.generation}  best {last.best_fitness:.4f}  species {len(last.species)}  "
            f"evaluations/s {rate:,.0f}  elapsed {elapsed:.1f} s{faults}{suffix}"
        )

    def _update_buttons(self) -> None:
        idle = not self.running
        for widget in (self.new_button, self.step_button, self.run_button, self.solve_button, self.open_action, self.new_action, self.resume_action):
            widget.setEnabled(idle)
        for widget in (self.reset_button, self.reset_action):
            widget.setEnabled(idle and self.worker is not None)
        self.pause_button.setEnabled(self.running)
        self.stop_button.setEnabled(self.running)
        self.save_action.setEnabled(idle and self.worker is not None)
        for action in (self.export_action, self.export_plots_action, self.export_stats_action):
            action.setEnabled(bool(self.history))

    @Slot(int)
    def _show_species_best(self, species_id: int) -> None:
        if not self.history:
            return
        for s in self.history[-1].species:
            if s.species_id == species_id:
                self.network_view.show_genome(s.best_genome, f"Best of species {species_id}: genome {s.best_genome.genome_id}, fitness {s.best_fitness:.4f}")
                self.replay_genome(s.best_genome, f"best of species {species_id} (genome {s.best_genome.genome_id})")
                # Shown until the next report batch brings a new champion.
                self._stale_tabs.discard(self.network_view)
                self._shown_champion = None
                self.tabs.setCurrentWidget(self.network_view)

    # --- files -------------------------------------------------------------------------------

    def save_population(self, path: str) -> None:
        """Ask the worker to save the run to ``path`` (done between generations)."""
        if self.worker is not None:
            self.requestSave.emit(path)

    @Slot(str)
    def _on_saved(self, path: str) -> None:
        self._remember_recent(path)
        self.statusBar().showMessage(f"Saved {path}", 5000)
        self.populationSaved.emit(path)

    def open_population(self, path: str) -> bool:
        """Load a run file; a bad file leaves the current run untouched and says why."""
        try:
            evolution = load_run(path)
        except RunFileError as error:
            self._error("Cannot open population", f"{path}\n\n{error}")
            return False
        self.config = evolution.config
        self._fill_form(evolution.config)
        self._start(evolution, self._new_run_dir(evolution.task.name, evolution.seed_entropy))
        self._remember_recent(path)
        self.statusBar().showMessage(f"Opened {path} at generation {evolution.generation}", 5000)
        return True

    def resume_run_folder(self, folder: str) -> bool:
        """Continue the run in ``folder`` from its last autosave, autosaving there again."""
        try:
            evolution = load_run(folder)
        except RunFileError as error:
            self._error("Cannot resume", f"{folder}\n\n{error}")
            return False
        self.config = evolution.config
        self._fill_form(evolution.config)
        self._start(evolution, Path(folder))
        self.statusBar().showMessage(f"Resumed {folder} at generation {evolution.generation}", 5000)
        return True

    def resume_dialog(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Resume run folder", str(self.runs_folder()))
        if folder:
            self.resume_run_folder(folder)

    @Slot(int)
    def _on_autosaved(self, generation: int) -> None:
        self.statusBar().showMessage(f"Autosaved generation {generation} to {self.run_dir}", 3000)

    @Slot(int)
    def _on_autosave_changed(self, every: int) -> None:
        self.settings.setValue("autosave_every", every)
        if self.worker is not None:
            self.worker.autosave_every = every  # an int read between generations: no lock needed

    def save_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save population", self._last_dir(), "NEAT Scope runs (*.json)")
        if path:
            self.save_population(path)

    def open_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open population", self._last_dir(), "NEAT Scope runs (*.json);;All files (*)")
        if path:
            self.open_population(path)

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

    def export_plots(self, path: str) -> None:
        """Write the fitness and complexity plots as PNG (pyqtgraph's ImageExporter) or SVG (by extension).

        SVG goes through Qt's QSvgGenerator: pyqtgraph 0.14's SVGExporter fails on the path
        syntax Qt 6.11 emits (pyqtgraph issue #3485).
        """
        from pyqtgraph.exporters import ImageExporter

        target = Path(path)
        svg = target.suffix.lower() == ".svg"
        written = []
        for name, plot in (("fitness", self.fitness_plot.fitness), ("complexity", self.fitness_plot.complexity)):
            out = target.with_name(f"{target.stem}-{name}{target.suffix or '.png'}")
            try:
                if svg:
                    _render_svg(plot, out)
                else:
                    ImageExporter(plot).export(str(out))
            except (OSError, RuntimeError) as error:
                self._error("Export failed", f"Could not write {out}: {error}")
                return
            if not out.exists():
                self._error("Export failed", f"Could not write {out}")
                return
            written.append(str(out))
        self.statusBar().showMessage(f"Exported plots to {', '.join(written)}", 5000)

    def _write_export(self, path: str, text: str, what: str) -> None:
        try:
            write_atomically(path, text)
        except OSError as error:
            self._error("Export failed", f"Could not write {path}: {error}")
            return
        self.statusBar().showMessage(f"Exported {what} to {path}", 5000)

    def export_champion_dialog(self) -> None:
        if not self.history:
            return
        path, _ = QFileDialog.getSaveFileName(
            self, "Export champion", self._last_dir(), "JSON (*.json);;GraphML (*.graphml);;Graphviz DOT (*.dot *.gv)"
        )
        if path:
            self.export_champion(path)

    def export_plots_dialog(self) -> None:
        if not self.history:
            return
        path, _ = QFileDialog.getSaveFileName(self, "Export plots", self._last_dir(), "PNG image (*.png);;SVG drawing (*.svg)")
        if path:
            self.export_plots(path)

    def export_stats_dialog(self) -> None:
        if not self.history:
            return
        path, _ = QFileDialog.getSaveFileName(self, "Export statistics", self._last_dir(), "CSV (*.csv)")
        if path:
            self.export_stats(path)

    def load_config_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Load config", self._last_dir(), "TOML (*.toml)")
        if not path:
            return
        try:
            self.config = load_config(path)
        except ConfigError as error:
            self._error("Cannot load config", str(error))
            return
        self._fill_form(self.config)
        self.settings.setValue("last_config", path)

    def save_config_dialog(self) -> None:
        try:
            config = self.config_from_form()
        except ConfigError as error:
            self._error("Invalid configuration", str(error))
            return
        path, _ = QFileDialog.getSaveFileName(self, "Save config", self._last_dir(), "TOML (*.toml)")
        if path:
            write_atomically(path, config_to_toml(config))

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
        self.recent_menu.clear()
        for path in self.recent_files():
            action = self.recent_menu.addAction(path)
            action.triggered.connect(lambda _=False, p=path: self.open_population(p))
        self.recent_menu.setEnabled(bool(self.recent_files()))

    # --- settings, errors, closing -----------------------------------------------------------

    def _restore_settings(self) -> None:
        geometry = self.settings.value("geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1400, 860)
        task = self.settings.value("task")
        if task in TASKS:
            self.task_box.setCurrentText(task)
        self.seed_box.setValue(int(self.settings.value("seed", 0)))
        self.autosave_box.setValue(int(self.settings.value("autosave_every", 10)))
        last_config = self.settings.value("last_config")
        if last_config and Path(last_config).exists():
            try:
                self.config = load_config(last_config)
                self._fill_form(self.config)
            except ConfigError:
                pass  # a config that went bad since is simply not restored
        self._refresh_recent_menu()

    def _error(self, title: str, message: str) -> None:
        self.statusBar().showMessage(f"{title}: {message.splitlines()[0]}", 10000)
        box = QMessageBox(QMessageBox.Icon.Warning, title, message, QMessageBox.StandardButton.Ok, self)
        box.setModal(False)
        box.show()
        self.last_error = message

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt override
        self.settings.setValue("geometry", self.saveGeometry())
        self.settings.setValue("task", self.task_box.currentText())
        self.settings.setValue("seed", self.seed_box.value())
        self.replay_panel.close_replay()
        self._shutdown_worker()
        super().closeEvent(event)
