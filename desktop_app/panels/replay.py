"""Champion replay: a CartPole or double-pole viewport (or any gymnasium env's rgb_array frames),
the genome with live activations, and a strip chart of observations and outputs. Double pole
also shows the damping fitness's terms and the generalisation test's 625 outcomes as a grid.

The replay runs on the GUI thread from a copy of a genome snapshot; it never touches the
evolving run, which can go on while a replay plays. Playback follows the wall clock: each timer
tick takes as many steps as the speed asks for since play started and draws only the last, so
8× really shows 400 steps per second (CartPole's 50 × 8) whatever the timer manages.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QImage, QPainter, QPen, QPixmap
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QProgressDialog,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from core.networks.snapshot import GenomeSnapshot
from core.runs.reports import GenerationReport
from core.tasks.cartpole import HALF_POLE_LENGTH, MAX_STEPS, TAU, X_LIMIT
from core.tasks.replay import CartPoleReplay, DoublePoleReplay, GymReplay, ReplayFrame
from desktop_app.panels.base import Panel, PanelHost, RunInfo
from desktop_app.theme import SERIES
from desktop_app.widgets.double_pole import DoublePoleCanvas, GeneralisationGrid
from desktop_app.widgets.network_view import NetworkView
from desktop_app.widgets.plots import add_plot

SPEEDS = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0)
TICK_MS = 20
# At most this many steps per tick, so a stalled event loop cannot make one tick run away.
MAX_STEPS_PER_TICK = 400
# A GIF holds at most this many steps (100 s of CartPole at 1x): a balanced double pole's
# 100,000-decision episode would be a file of hundreds of megabytes.
GIF_MAX_STEPS = 5_000


class CartPoleCanvas(QWidget):
    """Track, cart, pole and step counter drawn with QPainter from a CartPole state."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.state = np.zeros(4)
        self.caption = ""
        self.setMinimumSize(160, 100)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def show_state(self, state: np.ndarray, caption: str) -> None:
        """Draw this state with a caption (step counter, return)."""
        self.state = np.asarray(state, dtype=float)
        self.caption = caption
        self.update()

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor(255, 255, 255))
        width, height = self.width(), self.height()
        world_width = 2 * X_LIMIT * 1.1
        scale = width / world_width
        track_y = height * 0.72
        painter.setPen(QPen(QColor(60, 60, 60), 2))
        painter.drawLine(QPointF(0, track_y), QPointF(width, track_y))
        for limit in (-X_LIMIT, X_LIMIT):  # where the episode ends
            x = width / 2 + limit * scale
            painter.setPen(QPen(QColor(200, 60, 60), 1, Qt.PenStyle.DashLine))
            painter.drawLine(QPointF(x, track_y - 60), QPointF(x, track_y + 10))
        x, _, theta, _ = self.state
        cart_x = width / 2 + x * scale
        cart_w, cart_h = 50.0, 30.0
        painter.setPen(QPen(QColor(30, 30, 30), 1))
        painter.setBrush(QBrush(QColor(40, 40, 40)))
        painter.drawRect(QRectF(cart_x - cart_w / 2, track_y - cart_h / 2, cart_w, cart_h))
        pole_length = 2 * HALF_POLE_LENGTH * scale
        tip = QPointF(cart_x + pole_length * math.sin(theta), track_y - pole_length * math.cos(theta))
        painter.setPen(QPen(QColor(202, 152, 101), 10, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
        painter.drawLine(QPointF(cart_x, track_y), tip)
        painter.setPen(QPen(QColor(129, 132, 203), 1))
        painter.setBrush(QBrush(QColor(129, 132, 203)))
        painter.drawEllipse(QPointF(cart_x, track_y), 5, 5)
        painter.setPen(QColor(20, 20, 20))
        painter.drawText(QRectF(8, 6, width - 16, 24), Qt.AlignmentFlag.AlignLeft, self.caption)
        painter.end()


class ReplayPanel(Panel):
    """Plays one genome's episode; play / pause / step / restart / speed / episode seed / GIF.

    Signals:
        frameShown(int): the step number just drawn.
    """

    key = "replay"
    title = "Replay"
    order = 90
    help = (
        "<b>Replay</b>: the champion (or the genome you picked) playing one episode of the task, "
        "from a copy: the run is not touched and may go on. Left: the environment; right: the "
        "network with each node's value at this step (red positive, blue negative) and edges "
        "glowing with the signal they carry; below: what the network saw (observations, solid) "
        "and answered (outputs, dashed).<br>The episode seed picks the start state: the seeds the "
        "evaluator used replay its return exactly. Speed 1× is real time (50 steps per second for "
        "CartPole and double pole).<br>Double pole: the start number picks the start state (0: the "
        "standard start, 1–625: the generalisation starts); the viewport lists the damping "
        "fitness's terms so far, and <i>Test generalisation</i> runs the paper's 625 starts for "
        "1,000 decisions each and draws them as a 25 × 25 grid (green: balanced; rows: x and ẋ, "
        "columns: θ1 and ω1, low to high); click a cell to replay that start."
    )

    frameShown = Signal(int)

    @classmethod
    def accepts(cls, run: RunInfo) -> bool:
        """Runs on an episodic task (CartPole, any gymnasium env)."""
        return run.episodic

    def __init__(self, host: PanelHost, parent: QWidget | None = None):
        super().__init__(host, parent)
        self.replay: CartPoleReplay | DoublePoleReplay | GymReplay | None = None
        self.genome: GenomeSnapshot | None = None
        self.frames: list[ReplayFrame] = []
        self.title_label = QLabel("Replay: run CartPole, then pick the champion or a species")
        self.title_label.setWordWrap(True)
        self.play_button = QPushButton("Play")
        self.play_button.setCheckable(True)
        self.play_button.setToolTip("Play or pause the episode")
        self.play_button.toggled.connect(self._on_play_toggled)
        self.step_button = QPushButton("Step")
        self.step_button.setToolTip("Advance one step")
        self.step_button.clicked.connect(self.step_once)
        self.restart_button = QPushButton("Restart")
        self.restart_button.setToolTip("Back to the first step of this episode seed")
        self.restart_button.clicked.connect(self.restart)
        self.speed_box = QComboBox()
        self.speed_box.addItems([f"{s:g}×" for s in SPEEDS])
        self.speed_box.setCurrentIndex(SPEEDS.index(1.0))
        self.speed_box.setToolTip("Playback speed; 1× is real time (50 steps per second)")
        self.speed_box.currentIndexChanged.connect(self._apply_speed)
        self.seed_box = QSpinBox()
        self.seed_box.setRange(0, 2**31 - 1)
        self.seed_box.setPrefix("episode seed ")
        self.seed_box.setToolTip("Same seed, same start state: the evaluator's episode seeds replay exactly")
        self.seed_box.valueChanged.connect(lambda _: self.restart())
        self.export_button = QPushButton("Export GIF…")
        self.export_button.setToolTip(f"Save the episode (up to {GIF_MAX_STEPS:,} steps) as an animated GIF at the chosen speed")
        self.export_button.clicked.connect(self.export_gif_dialog)
        # Two short rows: one long row would set a minimum width that squeezes the plots beside.
        controls = QVBoxLayout()
        for row_widgets in ((self.play_button, self.step_button, self.restart_button), (self.speed_box, self.seed_box, self.export_button)):
            row = QHBoxLayout()
            for widget in row_widgets:
                row.addWidget(widget)
            row.addStretch(1)
            controls.addLayout(row)

        self.canvas = CartPoleCanvas()
        self.frame_label = QLabel()  # rgb_array frames of other gymnasium envs
        self.frame_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.frame_label.setMinimumSize(160, 100)
        self.frame_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.double_pole_canvas = DoublePoleCanvas()
        self.grid = GeneralisationGrid()
        self.grid.startPicked.connect(self.seed_box.setValue)
        self.generalise_button = QPushButton("Test generalisation")
        self.generalise_button.setToolTip("Run the 625 starts of the paper's generalisation test (1,000 decisions each)")
        self.generalise_button.clicked.connect(self.test_generalisation)
        self.double_pole_page = QWidget()
        grid_row = QHBoxLayout()
        grid_row.addWidget(self.grid, 1)
        grid_row.addWidget(self.generalise_button, 0, Qt.AlignmentFlag.AlignBottom)
        page_layout = QVBoxLayout(self.double_pole_page)
        page_layout.setContentsMargins(0, 0, 0, 0)
        page_layout.addWidget(self.double_pole_canvas, 3)
        page_layout.addLayout(grid_row, 2)
        self.viewport = QStackedWidget()
        self.viewport.addWidget(self.canvas)
        self.viewport.addWidget(self.frame_label)
        self.viewport.addWidget(self.double_pole_page)
        self.network_view = NetworkView()
        self.network_view.title.setText("Live activations")
        self.network_view.disabled_toggle.setChecked(False)
        # The strip chart's legend is a wrapping line of text above the plot: an env with many
        # observations (Acrobot: 6 + 3 outputs) would make a plot legend wider than the panel.
        self.strip_legend = QLabel()
        self.strip_legend.setWordWrap(True)
        self.strip_legend.setTextFormat(Qt.TextFormat.RichText)
        self.legend_names: list[str] = []
        self.strip_graphics = pg.GraphicsLayoutWidget()
        self.strip_graphics.setMinimumHeight(100)
        self.strip_graphics.setMaximumHeight(170)
        self.strip = add_plot(self.strip_graphics.ci, 0)
        self.strip.setLabel("bottom", "step")
        self._curves: list[pg.PlotDataItem] = []

        top = QSplitter(Qt.Orientation.Horizontal)
        top.addWidget(self.viewport)
        top.addWidget(self.network_view)
        top.setSizes([500, 400])
        layout = QVBoxLayout(self)
        layout.addWidget(self.title_label)
        layout.addLayout(controls)
        layout.addWidget(top, 1)
        layout.addWidget(self.strip_legend)
        layout.addWidget(self.strip_graphics)

        self.timer = QTimer(self)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self._tick)
        self.clock = time.perf_counter  # replaced by tests
        self._play_started = 0.0
        self._steps_at_play = 0
        self._apply_speed()
        self._set_enabled(False)
        self.setMinimumSize(200, 200)

    # --- panel protocol ------------------------------------------------------------------

    def start_run(self, run: RunInfo) -> None:
        """Drop the last run's genome: the panel loads this run's champion when shown."""
        super().start_run(run)
        self.close_replay()
        self.frames = []
        self._set_enabled(False)
        self.title_label.setText("Replay: the champion plays once a generation has run")
        self.network_view.set_names(run.input_names, run.output_names)
        self.network_view.show_genome(None, "Live activations")
        self.canvas.show_state(np.zeros(4), "")
        self.double_pole_canvas.show_state(np.zeros(6), "")
        self.grid.show_outcomes(None)
        self.frame_label.clear()
        self.strip_legend.clear()
        self.legend_names = []
        for curve in self._curves:
            self.strip.removeItem(curve)
        self._curves = []

    def update_from(self, history: Sequence[GenerationReport]) -> None:
        """Load the latest champion the first time the panel is shown for a run."""
        if self.replay is None and history and self.run is not None:
            last = history[-1]
            self.show_genome(last.champion, f"champion of generation {last.generation} (genome {last.champion.genome_id})")

    def show_genome(self, genome: GenomeSnapshot, label: str) -> bool:
        """Replay a genome picked elsewhere (its copy: the run is untouched)."""
        if self.run is None:
            return False
        return self.set_genome(genome, self.run.task_spec, self.run.recurrent, label) is None

    def release(self) -> None:
        """Drop the last run's genome and environment."""
        super().release()
        self.close_replay()
        self.frames = []
        self._set_enabled(False)

    def close_panel(self) -> None:
        """Stop playback and release any environment."""
        self.close_replay()

    # --- setup ---------------------------------------------------------------------------

    def set_genome(self, genome: GenomeSnapshot, task_spec: dict[str, Any], recurrent: bool, label: str) -> str | None:
        """Load a genome for the run's task; returns why not when the task cannot be replayed."""
        self.stop()
        name = task_spec.get("name")
        self.genome = genome
        self.grid.show_outcomes(None)
        self._set_start_range(626 if name in ("double-pole", "double-pole-nv") else 2**31 - 1)
        try:
            if name in ("double-pole", "double-pole-nv"):
                self._close_replay()
                self.replay = DoublePoleReplay(
                    genome.to_genome(), self.seed_box.value(), recurrent, name == "double-pole", task_spec.get("max_steps"),
                    float(task_spec.get("start_theta", 0.07)),
                )
                self.viewport.setCurrentWidget(self.double_pole_page)
            elif name == "cartpole":
                self.replay = CartPoleReplay(genome.to_genome(), self.seed_box.value(), recurrent, int(task_spec.get("max_steps", MAX_STEPS)))
                self.viewport.setCurrentWidget(self.canvas)
            elif name == "gym":
                self._close_replay()
                self.replay = GymReplay(task_spec["env_id"], genome.to_genome(), self.seed_box.value(), recurrent, task_spec.get("max_steps"))
                self.viewport.setCurrentWidget(self.frame_label)
            else:
                self._close_replay()
                self._set_enabled(False)
                reason = f"Replay needs an episodic task (CartPole, double pole or a gymnasium env); this run's task is {name}."
                self.title_label.setText(reason)
                return reason
        except (ValueError, ImportError) as error:
            self._set_enabled(False)
            self.title_label.setText(f"Cannot replay: {error}")
            return str(error)
        self.title_label.setText(f"Replay: {label}")
        self.network_view.show_genome(genome, "Live activations")
        self._set_enabled(True)
        self.restart()
        return None

    def _set_start_range(self, count: int) -> None:
        """Double pole has 626 starts (0 standard, 1..625 generalisation); other tasks take any seed."""
        self.seed_box.blockSignals(True)
        self.seed_box.setRange(0, count - 1)
        self.seed_box.setPrefix("start " if count == 626 else "episode seed ")
        self.seed_box.blockSignals(False)

    def test_generalisation(self) -> np.ndarray | None:
        """Run the paper's 625-start test on the replayed genome and draw it; (625,) decisions balanced."""
        if not isinstance(self.replay, DoublePoleReplay) or self.genome is None:
            return None
        from PySide6.QtWidgets import QApplication

        from core.compiled import BIG_GENERATION_WORK, choose_kernel
        from core.networks.batch import PopulationNetwork
        from core.tasks.double_pole import generalisation_test

        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            kernel = choose_kernel("auto", BIG_GENERATION_WORK, 0.0, True)
            network = PopulationNetwork([self.genome.to_genome()], recurrent=self.replay.recurrent, kernel=kernel)
            with np.errstate(over="ignore", invalid="ignore"):
                balanced = generalisation_test(network, self.replay.velocities)[0]
        finally:
            QApplication.restoreOverrideCursor()
        self.grid.show_outcomes(balanced)
        return balanced

    def _close_replay(self) -> None:
        if isinstance(self.replay, GymReplay):
            self.replay.close()
        self.replay = None

    def _set_enabled(self, enabled: bool) -> None:
        for widget in (self.play_button, self.step_button, self.restart_button, self.export_button, self.generalise_button):
            widget.setEnabled(enabled)

    # --- playback ------------------------------------------------------------------------

    @property
    def speed(self) -> float:
        """Current playback speed factor."""
        return SPEEDS[self.speed_box.currentIndex()]

    @property
    def steps_per_second(self) -> float:
        """Environment steps shown per second at the current speed."""
        return self.speed / TAU

    def _apply_speed(self) -> None:
        # The count restarts from now, so a speed change does not owe or drop steps.
        self._play_started = self.clock()
        self._steps_at_play = len(self.frames)

    def _on_play_toggled(self, playing: bool) -> None:
        self.play_button.setText("Pause" if playing else "Play")
        if playing and self.replay is not None:
            if self.replay.done:
                self.restart()
            self._apply_speed()
            self.timer.start()
        else:
            self.timer.stop()

    def _tick(self) -> None:
        """Take the steps due by the wall clock since play started; draw only the last one."""
        if self.replay is None:
            self.stop()
            return
        # A hair above the product, so 0.1 s × 200 steps/s is 20 steps, not 19.999.
        due = self._steps_at_play + int((self.clock() - self._play_started) * self.steps_per_second + 1e-9) - len(self.frames)
        self.advance(min(max(due, 0), MAX_STEPS_PER_TICK))

    def play(self) -> None:
        """Start or continue playback."""
        self.play_button.setChecked(True)

    def stop(self) -> None:
        """Pause playback."""
        self.play_button.setChecked(False)

    def restart(self) -> None:
        """Back to the first step (with the current episode seed)."""
        if self.replay is None:
            return
        self.replay.seed = self.seed_box.value()
        self.replay.reset()
        self.frames = []
        self.network_view.clear_activations()
        for curve in self._curves:
            curve.setData([], [])
        self._apply_speed()
        self._draw_start()

    def _draw_start(self) -> None:
        if isinstance(self.replay, CartPoleReplay):
            self.canvas.show_state(self.replay.state, "step 0   return 0")
        elif isinstance(self.replay, DoublePoleReplay):
            self.double_pole_canvas.show_state(self.replay.state, f"start {self.replay.seed}   decision 0", self.replay.terms())
        elif isinstance(self.replay, GymReplay):
            self._show_image(self.replay.render())

    def step_once(self) -> None:
        """Advance one step and draw it (stops at the episode's end)."""
        self.advance(1)

    def advance(self, steps: int) -> None:
        """Take ``steps`` steps (fewer at the episode's end) and draw the last."""
        if self.replay is None or self.replay.done:
            self.stop()
            return
        if steps <= 0:
            return
        frame = None
        for _ in range(steps):
            frame = self.replay.step()
            self.frames.append(frame)
            if frame.done:
                break
        assert frame is not None
        caption = f"step {frame.step}   return {frame.total_return:g}" + ("   (episode over)" if frame.done else "")
        if isinstance(self.replay, CartPoleReplay):
            self.canvas.show_state(frame.state, caption)
        elif isinstance(self.replay, DoublePoleReplay):
            caption = f"start {self.replay.seed}   decision {frame.step}" + ("   (failed)" if frame.done and self.replay.balanced < frame.step else "")
            self.double_pole_canvas.show_state(frame.state, caption, frame.terms)
        else:
            self._show_image(frame.image)
            self.title_label.setText(f"{self.title_label.text().split(' — ')[0]} — {caption}")
        self.network_view.show_activations(frame.activations)
        self._update_strip()
        self.frameShown.emit(frame.step)
        if frame.done:
            self.stop()

    def _show_image(self, image: np.ndarray | None) -> None:
        if image is None:
            return
        data = np.ascontiguousarray(image[..., :3], dtype=np.uint8)
        qimage = QImage(data.data, data.shape[1], data.shape[0], 3 * data.shape[1], QImage.Format.Format_RGB888).copy()
        # Scaled into the viewport whatever the env renders at (Acrobot: 500 x 500).
        size = self.frame_label.size()
        pixmap = QPixmap.fromImage(qimage)
        if size.width() > 10 and size.height() > 10:
            pixmap = pixmap.scaled(size, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation)
        self.frame_label.setPixmap(pixmap)

    def _update_strip(self) -> None:
        observations = np.array([f.observation for f in self.frames])
        outputs = np.array([f.outputs for f in self.frames])
        series = [(observations[:, i], f"obs {i}") for i in range(observations.shape[1])]
        series += [(outputs[:, i], f"out {i}") for i in range(outputs.shape[1])]
        names = self._series_names(observations.shape[1], outputs.shape[1])
        while len(self._curves) < len(series):
            index = len(self._curves)
            is_output = index >= observations.shape[1]
            colour = SERIES[index % len(SERIES)]
            pen = pg.mkPen(*colour, width=2 if is_output else 1, style=Qt.PenStyle.DashLine if is_output else Qt.PenStyle.SolidLine)
            curve = self.strip.plot(pen=pen)
            self._curves.append(curve)
            self.legend_names.append(names[index] if index < len(names) else series[index][1])
            mark = "╍╍" if is_output else "━━"
            self._legend_html = getattr(self, "_legend_html", []) if index else []
            self._legend_html.append(f'<span style="color: rgb{colour}">{mark}</span>&nbsp;{self.legend_names[-1]}')
            self.strip_legend.setText("&nbsp;&nbsp; ".join(self._legend_html))
        steps = np.arange(1, len(self.frames) + 1)
        for curve, (values, _) in zip(self._curves, series):
            curve.setData(steps, values)

    def _series_names(self, inputs: int, outputs: int) -> list[str]:
        run = self.run
        input_names = list(run.input_names) if run and len(run.input_names) == inputs else [f"obs {i}" for i in range(inputs)]
        output_names = list(run.output_names) if run and len(run.output_names) == outputs else [f"out {i}" for i in range(outputs)]
        return input_names + [f"out: {name}" for name in output_names]

    @property
    def step_count(self) -> int:
        """Steps shown so far in this episode."""
        return len(self.frames)

    # --- export ----------------------------------------------------------------------------

    def render_frames(self, every: int = 1, progress: Callable[[int], bool] | None = None) -> list[QImage]:
        """Play the episode from its start to its end, grabbing the viewport at every ``every``-th
        step (and the last one). ``progress(step)`` is called after each step; False cancels.

        The panel is left where the rendering stopped, as if it had been played that far.
        """
        if self.replay is None:
            return []
        self.stop()
        self.restart()
        images = [self.viewport.grab().toImage()]
        while not self.replay.done and self.step_count < GIF_MAX_STEPS:
            self.step_once()
            if self.step_count % every == 0 or self.replay.done or self.step_count == GIF_MAX_STEPS:
                images.append(self.viewport.grab().toImage())
            if progress is not None and not progress(self.step_count):
                return []
        return images

    def gif_timing(self) -> tuple[int, int]:
        """(steps per frame, frame duration in ms) that show the current speed in a GIF.

        GIF delays come in 10 ms units and viewers do not show more than 50 frames a second, so
        above that rate frames are dropped (8x CartPole: every 8th step, 20 ms apart).
        """
        step_ms = 1000 * TAU / self.speed
        every = max(1, math.ceil(20 / step_ms - 1e-9))
        return every, max(20, round(step_ms * every / 10) * 10)

    def export_gif(self, path: str, progress: Callable[[int], bool] | None = None) -> int:
        """Write the whole episode as an animated GIF at the current speed; returns the frame
        count (0 if ``progress`` cancelled; nothing is written then).

        Raises:
            OSError: the file cannot be written.
        """
        from PIL import Image

        every, duration = self.gif_timing()
        frames = []
        for image in self.render_frames(every, progress):
            rgb = image.convertToFormat(QImage.Format.Format_RGB888)
            buffer = bytes(rgb.constBits())[: rgb.sizeInBytes()]
            frame = Image.frombuffer("RGB", (rgb.width(), rgb.height()), buffer, "raw", "RGB", rgb.bytesPerLine(), 1)
            frames.append(frame.copy())
        if not frames:
            return 0
        frames[0].save(path, save_all=True, append_images=frames[1:], duration=duration, loop=0)
        return len(frames)

    def export_gif_dialog(self) -> None:
        """Ask where, then write the GIF with a cancellable progress dialog."""
        if self.replay is None:
            self.host.show_message("Nothing to export: replay a genome first (Ctrl+P)")
            return
        path, _ = QFileDialog.getSaveFileName(self, "Export replay", "replay.gif", "Animated GIF (*.gif)")
        if not path:
            return
        limit = min(self.replay.max_steps, GIF_MAX_STEPS)
        dialog = QProgressDialog("Rendering the episode…", "Cancel", 0, limit, self)
        dialog.setWindowTitle("Export GIF")
        dialog.setMinimumDuration(300)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)

        def progress(step: int) -> bool:
            dialog.setValue(min(step, limit))
            QApplication.processEvents()
            return not dialog.wasCanceled()

        try:
            count = self.export_gif(path, progress)
        except OSError as error:
            dialog.close()
            self.host.show_message(f"Export failed: could not write {path}: {error.strerror or error}", 8000)
            return
        dialog.close()
        self.host.show_message(f"Exported {count} frames to {path}" if count else "Export cancelled")

    def close_replay(self) -> None:
        """Stop playback and release any environment (call when the window closes)."""
        self.stop()
        self._close_replay()
