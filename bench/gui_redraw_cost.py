"""CPU time the GUI thread spends per live redraw, panel by panel (a load-independent companion of
gui_stall_bench.py: on a busy machine the stall percentiles measure the scheduler as much as the app).

Runs each algorithm headless for 300 XOR generations, hands the history to the real window, and
times (``time.thread_time``, this thread's CPU only) the last ten redraws as a live run makes
them: the fitness panel's update, the panel in front's update, and the repaint of both; then one
redraw of the Compare workspace with 4 algorithms x 5 seeds x 100 generations of rows.

    .venv/bin/python bench/gui_redraw_cost.py
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("NEATSCOPE_KERNEL", "numpy")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSettings

from core.algorithms.registry import algorithm_class
from core.runs.compare import CompareSpec
from core.tasks import make_task
from desktop_app.app import make_application
from desktop_app.main_window import MainWindow
from desktop_app.workspaces.compare_data import CompareData

GENERATIONS = 300


def cpu_ms(action) -> float:
    started = time.thread_time()
    action()
    return 1000 * (time.thread_time() - started)


def repaint(widget) -> None:
    """Paint now: the panel and every plot viewport in it."""
    widget.repaint()
    for view in widget.findChildren(pg.GraphicsView):
        view.viewport().repaint()


def main() -> None:
    app = make_application()
    with tempfile.TemporaryDirectory() as scratch:
        settings = QSettings(str(Path(scratch) / "s.ini"), QSettings.Format.IniFormat)
        settings.setValue("runs_folder", str(Path(scratch) / "runs"))
        window = MainWindow(settings)
        window.resize(1400, 860)
        window.show()
        app.processEvents()
        evolve = window.evolve
        print(f"CPU ms per redraw at generations {GENERATIONS - 10}..{GENERATIONS} (median of 10)\n")
        print("| algorithm, panel in front | fitness update | panel update | fitness paint | panel paint | total |")
        print("|---|---|---|---|---|---|")
        for algorithm, tab, population in (("neat", "graph", 150), ("neat", "species", 150), ("ga", "ga", 150), ("es", "es", 100)):
            cls = algorithm_class(algorithm)
            run = cls(cls.default_config().replace(**{cls.population_size_key: population}), make_task("xor"), 0)
            for _ in range(GENERATIONS):
                run.step()
            evolve._start(run, None)
            evolve.show_panel(tab)
            app.processEvents()
            panel, fitness = evolve.panel(tab), evolve.panel("fitness")
            costs = []
            for count in range(GENERATIONS - 10, GENERATIONS):
                history = run.history[:count]
                costs.append(
                    (
                        cpu_ms(lambda: fitness.update_from(history)),
                        cpu_ms(lambda: panel.update_from(history)),
                        cpu_ms(lambda: repaint(fitness)),
                        cpu_ms(lambda: repaint(panel)),
                    )
                )
            median = np.median(np.array(costs), axis=0)
            cells = " | ".join(f"{value:.1f}" for value in median)
            print(f"| {algorithm}, {tab} | {cells} | {median.sum():.1f} |", flush=True)
        compare = window.show_workspace("compare")
        algorithms = ("neat", "ga", "es", "random")
        spec = CompareSpec({"name": "xor", "fitness_threshold": 3.9}, algorithms, tuple(range(5)), 15_000, 100_000, False, {a: {} for a in algorithms})
        compare.data, compare.out = CompareData(spec), None
        compare._reset_plots(spec)
        rng = np.random.default_rng(0)
        for algorithm in algorithms:
            for seed in range(5):
                best = 0.0
                for generation in range(100):
                    best = max(best, 4 * rng.random())
                    solved = 5000 if generation >= 30 and seed < 3 else None
                    compare.data.add_row((algorithm, seed, generation, 150 * (generation + 1), 0, 0.01 * generation, best, 1.0, best, solved))
        app.processEvents()
        redraw = np.median([cpu_ms(compare.redraw) for _ in range(7)])
        paint = np.median([cpu_ms(lambda: repaint(compare)) for _ in range(7)])
        print(f"\nCompare, 4 algorithms x 5 seeds x 100 generations: redraw {redraw:.1f} ms, paint {paint:.1f} ms")
        window.close_discarding()


if __name__ == "__main__":
    main()
