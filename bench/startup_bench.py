"""Start-up cost of a short command: ``neatscope run xor --seed 1 --generations 1``, per process.

Usage: python bench/startup_bench.py [--rounds 20] [--baseline PATH_TO_ANOTHER_CHECKOUT]

Runs the command ``--rounds`` times from this checkout (and, with ``--baseline``, from another
checkout in between, so both meet the same machine noise) and prints the mean and median wall
per process.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMMAND = ["-m", "neatscope", "run", "xor", "--seed", "1", "--generations", "1", "--quiet"]


def once(tree: Path) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, *COMMAND], cwd=tree, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--baseline", type=Path, help="another checkout to compare with, run interleaved")
    args = parser.parse_args()
    trees = {"this checkout": ROOT}
    if args.baseline:
        trees = {f"baseline ({args.baseline})": args.baseline.resolve(), **trees}
    walls: dict[str, list[float]] = {name: [] for name in trees}
    for _ in range(args.rounds):
        for name, tree in trees.items():
            walls[name].append(once(tree))
    print("| code | rounds | mean wall | median wall |")
    print("|---|---|---|---|")
    for name, values in walls.items():
        print(f"| {name} | {len(values)} | {statistics.mean(values) * 1000:.0f} ms | {statistics.median(values) * 1000:.0f} ms |")


if __name__ == "__main__":
    main()
