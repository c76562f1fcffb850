"""Event-loop stalls of the desktop app while it evolves (issue 5: p99 <= 50 ms).

A 10 ms QTimer runs on the GUI thread of the real main window while the worker evolves; every
tick records how late it fired. Lateness is what a user feels as a frozen window: the GUI
thread was busy (drawing reports) or could not get the GIL from the worker thread.

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

from desktop_app.app import make_application
from desktop_app.main_window import MainWindow

TICK_MS = 10


def measure(window: MainWindow, task_label: str, population: int, generations: int, tab: int) -> dict[str, float]:
    """Run ``generations`` generations in the window; return tick lateness percentiles (ms)."""
    window.task_box.setCurrentText(task_label)
    window.fields["population.size"].setText(str(population))
    window.tabs.setCurrentIndex(tab)
    assert window.new_run()
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
    window.runEnded.connect(loop.quit)
    started = time.perf_counter()
    timer.start()
    window.run_generations(generations)
    loop.exec()
    timer.stop()
    window.runEnded.disconnect(loop.quit)
    wall = time.perf_counter() - started
    values = np.array(lateness)
    return {
        "ticks": len(values),
        "p50": float(np.percentile(values, 50)),
        "p99": float(np.percentile(values, 99)),
        "max": float(values.max()),
        "generations_per_s": generations / wall,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--xor-generations", type=int, default=300)
    parser.add_argument("--cartpole-generations", type=int, default=30)
    parser.add_argument("--kernel", choices=("auto", "numpy", "numba"), default="auto", help="evaluation kernel of the worker")
    parser.add_argument("--cartpole-only", action="store_true")
    args = parser.parse_args()
    os.environ["NEATSCOPE_KERNEL"] = args.kernel
    if args.kernel == "numba":
        import core.compiled

        core.compiled.load()  # numba's import and cache load happen before the measure
    app = make_application()
    with tempfile.TemporaryDirectory() as settings_dir:
        settings = QSettings(str(Path(settings_dir) / "s.ini"), QSettings.Format.IniFormat)
        settings.setValue("runs_folder", str(Path(settings_dir) / "runs"))
        window = MainWindow(settings)
        window.resize(1400, 860)
        window.show()
        app.processEvents()
        cases = [
            ("XOR, pop 150, graph tab", "XOR", 150, args.xor_generations, 0),
            ("XOR, pop 150, species tab", "XOR", 150, args.xor_generations, 1),
            ("CartPole-v1, pop 150, graph tab", "CartPole-v1", 150, args.cartpole_generations, 0),
            ("CartPole-v1, pop 1000, species tab", "CartPole-v1", 1000, args.cartpole_generations, 1),
        ]
        if args.cartpole_only:
            cases = cases[2:]
        print(f"kernel: {args.kernel}\n")
        print("| case | generations | ticks | p50 late | p99 late | max late | generations/s |")
        print("|---|---|---|---|---|---|---|")
        for name, task, population, generations, tab in cases:
            r = measure(window, task, population, generations, tab)
            print(
                f"| {name} | {generations} | {r['ticks']} | {r['p50']:.1f} ms | {r['p99']:.1f} ms | {r['max']:.1f} ms | {r['generations_per_s']:.1f} |",
                flush=True,
            )
        window.close()


if __name__ == "__main__":
    main()
