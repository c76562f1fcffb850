"""The worker thread: pause and stop act inside a generation, not only between generations."""

import numpy as np
from PySide6.QtCore import Q_ARG, QMetaObject, Qt, QThread

from core.algorithms.neat.evolution import Neat
from core.tasks.xor import XorTask
from desktop_app.worker import EvolutionWorker


class _EndlessTask(XorTask):
    """A task whose evaluation never finishes on its own: only an interruption ends it."""

    def __init__(self):
        super().__init__()
        self.activations = 0

    def evaluate(self, population, rng):
        cases = np.zeros((4, self.num_inputs))
        while True:
            population.activate(cases)
            self.activations += 1


def test_pause_holds_and_stop_ends_a_generation_under_evaluation(qtbot, config):
    task = _EndlessTask()
    worker = EvolutionWorker(Neat(config.replace(**{"population.size": 20}), task, 0))
    thread = QThread()
    worker.moveToThread(thread)
    thread.start()
    finished = []
    worker.runFinished.connect(finished.append)
    try:
        QMetaObject.invokeMethod(worker, "run_generations", Qt.ConnectionType.QueuedConnection, Q_ARG(int, 3), Q_ARG(bool, False))
        qtbot.waitUntil(lambda: task.activations > 10, timeout=10_000)
        worker.pause()
        qtbot.wait(150)
        held = task.activations
        qtbot.wait(300)
        assert task.activations <= held + 1
        worker.stop()
        qtbot.waitUntil(lambda: finished == ["stopped"], timeout=10_000)
        assert worker._evolution.generation == 0 and worker._evolution.history == []
    finally:
        worker.stop()
        thread.quit()
        thread.wait()
