"""CPU time the Playground workspace's GUI thread spends per live redraw, part by part, beside the
time of the generation it draws (issue 16: the live boundary must not slow the run it shows).

Runs Backprop NEAT headless (the workspace's defaults: article convention, noise 0.5, population
100, 600 backprop steps) for GENERATIONS generations on a dataset, hands the history to the real
window's Playground workspace, and times (``time.thread_time``, this thread's CPU only) each part
of one redraw as a live batch makes it: the champion's 100 x 100 boundary, the species grid, the
network of node pictures, the loss curves, and the repaint of the whole workspace. Median of 10.

    nice -n 10 .venv/bin/python bench/playground_redraw_cost.py [--dataset spiral] [--generations 40]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("NEATSCOPE_KERNEL", "numpy")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import QSettings  # noqa: E402

from core.algorithms.backprop_neat import BackpropNeat  # noqa: E402
from core.tasks import make_task  # noqa: E402
from desktop_app.app import make_application  # noqa: E402
from desktop_app.main_window import MainWindow  # noqa: E402

REPEATS = 10


def cpu_ms(action) -> float:
    """This thread's CPU milliseconds for one call."""
    started = time.thread_time()
    action()
    return 1000 * (time.thread_time() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="spiral")
    parser.add_argument("--generations", type=int, default=40)
    args = parser.parse_args()
    app = make_application()
    with tempfile.TemporaryDirectory() as scratch:
        settings = QSettings(str(Path(scratch) / "settings.ini"), QSettings.Format.IniFormat)
        settings.setValue("runs_folder", str(Path(scratch) / "runs"))
        window = MainWindow(settings)
        window.resize(1500, 920)
        window.show()
        workspace = window.show_workspace("playground")
        workspace.dataset_box.setCurrentIndex(workspace.dataset_box.findData(args.dataset))
        workspace.show_test_box.setChecked(True)
        assert workspace.apply_controls(), workspace.last_error
        run = BackpropNeat(workspace.config(), make_task(workspace.task_spec()), workspace.seed_box.value())
        started = time.perf_counter()
        reports = list(run.run(args.generations, stop_when_solved=False))
        generation_s = [dict(r.timings)["total_s"] for r in reports]
        wall = time.perf_counter() - started
        workspace.history = reports
        app.processEvents()
        parts = {
            "champion boundary": workspace._draw_champion,
            "species grid": workspace._draw_species,
            "node pictures": workspace._draw_network,
            "loss curves": workspace._draw_losses,
            "repaint": lambda: workspace.repaint(),
        }
        times = {name: statistics.median(cpu_ms(action) for _ in range(REPEATS)) for name, action in parts.items()}
        champion = reports[-1].champion
        print(f"{args.dataset}, {args.generations} generations ({wall:.1f} s headless), champion {champion.hidden_count} hidden / "
              f"{champion.enabled_count} enabled connections, {len(reports[-1].extras.species)} species")  # fmt: skip
        print("| " + " | ".join(times) + " | total | median generation (last 10) |")
        print("|" + "---|" * (len(times) + 2))
        last = sorted(generation_s[-10:])[len(generation_s[-10:]) // 2]
        print("| " + " | ".join(f"{v:.1f} ms" for v in times.values()) + f" | {sum(times.values()):.1f} ms | {1000 * last:.0f} ms |")
        window.close_discarding()


if __name__ == "__main__":
    main()
