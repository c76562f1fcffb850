"""The evolution worker: owns the engine on a QThread and sends immutable reports out.

Widgets never touch the algorithm; they send commands (queued signals into the worker's
slots, or the thread-safe pause/stop events) and draw the ``GenerationReport`` tuples that
come back. Reports are batched so the GUI redraws at most about every 100 ms however fast
generations run (SharpNEAT's UpdateScheme).
"""

from __future__ import annotations

import logging
import threading
import time

from PySide6.QtCore import QObject, Signal, Slot

from core.algorithms.protocol import Algorithm, EvaluationInterrupted
from core.runs.persistence import autosave, save_run

logger = logging.getLogger(__name__)

EMIT_INTERVAL_S = 0.1
MAX_DRAWING_HOLD_S = 0.5


class EvolutionWorker(QObject):
    """Runs generations of one algorithm in whatever thread it was moved to.

    Signals:
        reportsReady(tuple): new ``GenerationReport``s, oldest first.
        runFinished(str): a run command ended: "done", "solved" or "stopped".
        runFailed(str): the engine or task raised; the message says what happened.
        saved(str) / saveFailed(str): outcome of a save request (path / message).
        autosaved(int): the run folder now holds the run up to this generation.
    """

    reportsReady = Signal(object)
    runFinished = Signal(str)
    runFailed = Signal(str)
    saved = Signal(str)
    saveFailed = Signal(str)
    autosaved = Signal(int)

    def __init__(self, evolution: Algorithm, run_dir: str | None = None, autosave_every: int = 0):
        super().__init__()
        self._evolution = evolution
        self.run_dir = run_dir
        self.autosave_every = autosave_every
        self.stop_requested = threading.Event()
        self.resume_allowed = threading.Event()
        self.resume_allowed.set()
        self._gui_idle = threading.Event()
        self._gui_idle.set()

    def drawing_done(self) -> None:
        """The GUI has drawn the last batch; the worker may compute again (thread-safe).

        After each batch the worker waits for this at its next checkpoint. Both threads need the
        GIL: drawing while the worker computes makes every Python paint callback wait a switch
        interval, so a 20 ms redraw took over 100 ms and slowed the worker threefold.
        """
        self._gui_idle.set()

    def pause(self) -> None:
        """Hold the run at its next network activation (thread-safe)."""
        self.resume_allowed.clear()

    def resume(self) -> None:
        """Let a paused run continue (thread-safe)."""
        self.resume_allowed.set()

    def stop(self) -> None:
        """End the current run at its next network activation (thread-safe).

        The generation under evaluation is abandoned, not half-counted: the engine is left as it
        was before that generation, so the run can go on reproducibly."""
        self.stop_requested.set()
        self.resume_allowed.set()
        self._gui_idle.set()  # a closing window draws nothing more; do not wait for it

    def _checkpoint(self) -> None:
        """Runs in the worker thread before every activation: hold while paused, raise on stop."""
        # Bounded, so a GUI that never says it is done cannot freeze the run.
        self._gui_idle.wait(MAX_DRAWING_HOLD_S)
        while not self.resume_allowed.wait(0.05):
            if self.stop_requested.is_set():
                break
        if self.stop_requested.is_set():
            raise EvaluationInterrupted

    @Slot(int, bool)
    def run_generations(self, count: int, until_solved: bool) -> None:
        """Evolve up to ``count`` generations (or until solved), emitting report batches."""
        self.stop_requested.clear()
        pending = []
        last_emit = time.perf_counter()
        reason = "done"
        try:
            for _ in range(count):
                try:
                    report = self._evolution.step(self._checkpoint)
                except EvaluationInterrupted:
                    reason = "stopped"
                    break
                pending.append(report)
                self._autosave_if_due()
                now = time.perf_counter()
                if now - last_emit >= EMIT_INTERVAL_S:
                    # Cleared before the emit, so the GUI's answer cannot arrive first and be lost.
                    self._gui_idle.clear()
                    self.reportsReady.emit(tuple(pending))
                    pending = []
                    # Wait here, not at the next checkpoint: a generation does Python work before
                    # its first activation (compiling the population's networks, building
                    # genomes) that would otherwise fight the drawing for the GIL.
                    self._gui_idle.wait(MAX_DRAWING_HOLD_S)
                    last_emit = time.perf_counter()
                if until_solved and report.solved:
                    reason = "solved"
                    break
        except Exception as error:  # noqa: BLE001 - any engine or task failure ends this run, not the app
            logger.exception("run failed")
            if pending:
                self.reportsReady.emit(tuple(pending))
            self.runFailed.emit(f"{type(error).__name__}: {error}")
            return
        if pending:
            self.reportsReady.emit(tuple(pending))
        self.runFinished.emit(reason)

    def _autosave_if_due(self) -> None:
        if not (self.run_dir and self.autosave_every) or self._evolution.generation % self.autosave_every:
            return
        try:
            autosave(self._evolution, self.run_dir)
        except OSError as error:
            # A full disk must not end the run; the user hears about it once per failure.
            self.saveFailed.emit(f"Autosave to {self.run_dir} failed: {error}")
            return
        self.autosaved.emit(self._evolution.generation)

    @Slot(str)
    def save(self, path: str) -> None:
        """Save the whole run atomically (runs in the worker thread, between generations)."""
        try:
            save_run(self._evolution, path)
        except (OSError, ValueError) as error:
            self.saveFailed.emit(f"Could not save {path}: {error}")
            return
        self.saved.emit(path)

    @Slot()
    def close_task(self) -> None:
        """Release the task's environments and worker processes."""
        self._evolution.task.close()
