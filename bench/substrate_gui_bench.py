"""How long the window stalls while the Substrate workspace re-decodes a champion.

    python bench/substrate_gui_bench.py RUN.json --resolutions 33 55

Opens a HyperNEAT / ES-HyperNEAT run file in the Substrate workspace (offscreen, throwaway
settings), then for each resolution moves the slider and measures, with a 10 ms GUI timer, the
longest gap between ticks until the decoded substrate is drawn (the decode itself runs on the
workspace's background thread). A run file: ``neatscope run boxes --algorithm hyperneat
--generations 15 --seed 1 --save hn.json``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("run", help="a HyperNEAT or ES-HyperNEAT run file on the boxes task")
    parser.add_argument("--resolutions", type=int, nargs="+", default=[33, 55])
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QEventLoop, QSettings, QTimer

    from desktop_app.app import make_application
    from desktop_app.main_window import MainWindow

    app = make_application()
    with tempfile.TemporaryDirectory() as scratch:
        window = MainWindow(QSettings(str(Path(scratch) / "settings.ini"), QSettings.Format.IniFormat))
        window.resize(1400, 900)
        window.show()
        substrate = window.show_workspace("substrate")

        def wait(signal, start) -> list:
            loop = QEventLoop()
            got: list = []
            signal.connect(lambda *values: (got.append(values), loop.quit()))
            start()
            if not got:
                loop.exec()
            return got[0]

        if not substrate.config and not wait(substrate.decoded, lambda: substrate.open_run(args.run) or substrate.decoded.emit(None))[0]:
            raise SystemExit(f"could not open {args.run}: {substrate.last_error}")
        print("| resolution | decode (background) | slider to drawn | longest GUI stall | median tick |")
        print("|---|---|---|---|---|")
        for resolution in args.resolutions:
            gaps: list[float] = []
            last = [time.perf_counter()]

            def tick() -> None:
                now = time.perf_counter()
                gaps.append(now - last[0])
                last[0] = now

            timer = QTimer()
            timer.setInterval(10)
            timer.timeout.connect(tick)
            started = last[0] = time.perf_counter()
            timer.start()
            substrate.resolution_slider.setValue(resolution)
            result = wait(substrate.decoded, substrate.request_decode)[0]
            timer.stop()
            total = time.perf_counter() - started
            print(
                f"| {resolution}×{resolution} | {result.seconds:.2f} s ({result.kernel}) | {total:.2f} s | "
                f"{1000 * max(gaps):.0f} ms | {1000 * statistics.median(gaps):.0f} ms |"
            )
        window.close_discarding()
    app.processEvents()


if __name__ == "__main__":
    main()
