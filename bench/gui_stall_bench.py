"""Event-loop stalls of the desktop app while it works (issues 5 and 13: p99 <= 50 ms).

A 10 ms QTimer runs on the GUI thread of the real main window while runs go on; every tick
records how late it fired. Lateness is what a user feels as a frozen window: the GUI thread was
busy (drawing) or could not get the GIL from the worker thread.

Cases: the Evolve workspace with NEAT on XOR and CartPole (graph and species panels), the GA
and ES panels, and the Compare workspace with 4 algorithms x 5 seeds running in a process pool.

    .venv/bin/python bench/gui_stall_bench.py
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np
from PySide6.QtCore import QEventLoop, QSettings, QTimer

from core.algorithms.registry import algorithm_class
from desktop_app.app import make_application
from desktop_app.main_window import MainWindow

TICK_MS = 10


def _measure(start, finished_signal) -> tuple[np.ndarray, float]:
    """Tick lateness (ms) while ``start()``'s work runs until ``finished_signal`` fires."""
    lateness: list[float] = []
    last = [time.perf_counter()]

    def tick() -> None:
        now = time.perf_counter()
        lateness.append(max(0.0, (now - last[0]) * 1000 - TICK_MS))
        last[0] = now

    timer = QTimer()
    timer.setInterval(TICK_MS)
    timer.timeout.connect(tick)
    loop = QEventLoop()
    finished_signal.connect(loop.quit)
    started = time.perf_counter()
    timer.start()
    start()
    loop.exec()
    timer.stop()
    finished_signal.disconnect(loop.quit)
    return np.array(lateness), time.perf_counter() - started


def evolve_case(window: MainWindow, algorithm: str, task: str, population: int, generations: int, tab: str) -> dict[str, float]:
    """Run ``generations`` generations in the Evolve workspace with ``tab`` in front."""
    evolve = window.evolve
    window.show_workspace("evolve")
    evolve.algorithm_box.setCurrentIndex(evolve.algorithm_box.findData(algorithm))
    evolve.task_box.combo.setCurrentText(task)
    evolve.config_form.set_field(algorithm_class(algorithm).population_size_key, population)
    assert evolve.new_run(), evolve.last_error
    assert evolve.show_panel(tab)
    values, wall = _measure(lambda: evolve.run_generations(generations, False), evolve.runEnded)
    return _stats(values, generations / wall, "generations/s")


def compare_case(window: MainWindow, task: str, seeds: int, budget: int, workers: int, out: Path) -> dict[str, float]:
    """NEAT, the weight GA, OpenAI-ES and random search x ``seeds``, drawn live until it finishes."""
    compare = window.compare
    window.show_workspace("compare")
    compare.task_box.combo.setCurrentText(task)
    for name, box in compare.algorithm_boxes.items():
        box.setChecked(name in ("neat", "ga", "es", "random"))
    compare.seeds.setValue(seeds)
    compare.budget.setValue(budget)
    compare.stop_when_solved.setChecked(False)
    compare.workers.setValue(workers)
    compare.out_box.setText(str(out))
    values, wall = _measure(lambda: compare.start_compare(), compare.compareFinished)
    rows = sum(run.generations for run in compare.data.runs.values())
    return _stats(values, rows / wall, "generations/s (all runs)")


def _stats(values: np.ndarray, rate: float, unit: str) -> dict[str, float]:
    return {
        "ticks": len(values),
        "p50": float(np.percentile(values, 50)),
        "p99": float(np.percentile(values, 99)),
        "max": float(values.max()),
        "rate": rate,
        "unit": unit,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--xor-generations", type=int, default=300)
    parser.add_argument("--cartpole-generations", type=int, default=60, help="(60: a 30-generation case lasts ~2 s, too few ticks for a p99)")
    parser.add_argument("--compare-evaluations", type=int, default=15_000, help="budget of each compare run (XOR)")
    parser.add_argument("--compare-workers", type=int, default=2)
    parser.add_argument("--only", help="run only cases whose name contains this text")
    parser.add_argument("--kernel", choices=("auto", "numpy", "numba"), default="auto", help="evaluation kernel of the worker")
    parser.add_argument("--cartpole-only", action="store_true", help="only the CartPole cases (same as --only CartPole)")
    args = parser.parse_args()
    os.environ["NEATSCOPE_KERNEL"] = args.kernel
    if args.kernel == "numba":
        import core.compiled

        core.compiled.load()  # numba's import and cache load happen before the measure
    app = make_application()
    with tempfile.TemporaryDirectory() as scratch:
        settings = QSettings(str(Path(scratch) / "s.ini"), QSettings.Format.IniFormat)
        settings.setValue("runs_folder", str(Path(scratch) / "runs"))
        window = MainWindow(settings)
        window.resize(1400, 860)
        window.show()
        app.processEvents()
        # The window loads the compiled kernels while idle at start-up (see MainWindow._warm_kernels);
        # the cases measure running, after that.
        while not window.kernels_warm.wait(0.05):
            app.processEvents()
        g, c = args.xor_generations, args.cartpole_generations
        cases = [
            ("Evolve: XOR, NEAT pop 150, graph panel", lambda: evolve_case(window, "neat", "XOR", 150, g, "graph")),
            ("Evolve: XOR, NEAT pop 150, species panel", lambda: evolve_case(window, "neat", "XOR", 150, g, "species")),
            ("Evolve: XOR, GA pop 150, GA lineage panel", lambda: evolve_case(window, "ga", "XOR", 150, g, "ga")),
            # ES generations are about three times quicker: twice as many for as many ticks.
            ("Evolve: XOR, ES pop 100, ES panel", lambda: evolve_case(window, "es", "XOR", 100, 2 * g, "es")),
            ("Evolve: CartPole-v1, NEAT pop 150, graph panel", lambda: evolve_case(window, "neat", "CartPole-v1", 150, c, "graph")),
            ("Evolve: CartPole-v1, NEAT pop 1000, species panel", lambda: evolve_case(window, "neat", "CartPole-v1", 1000, c, "species")),
            (
                f"Compare: XOR, 4 algorithms x 5 seeds, {args.compare_evaluations:,} evaluations, {args.compare_workers} workers",
                lambda: compare_case(window, "XOR", 5, args.compare_evaluations, args.compare_workers, Path(scratch) / "compare"),
            ),
        ]
        if args.cartpole_only:
            args.only = "CartPole"
        print(f"kernel: {args.kernel}\n")
        print("| case | ticks | p50 late | p99 late | max late | throughput |")
        print("|---|---|---|---|---|---|")
        for name, case in cases:
            if args.only and args.only not in name:
                continue
            r = case()
            print(
                f"| {name} | {r['ticks']} | {r['p50']:.1f} ms | {r['p99']:.1f} ms | {r['max']:.1f} ms | {r['rate']:.1f} {r['unit']} |",
                flush=True,
            )
        window.close_discarding()


if __name__ == "__main__":
    main()
