"""Hostile run files at scale (issue 14): random mutants of valid runs of every algorithm, and the
peak memory of rejecting large hostile files.

    .venv/bin/python bench/hostile_bench.py --mutants 5000 --memory-mb 50

Mutants: the property of ``tests/core/runs/mutants.py`` (rejected with one short error, or saved
again identically and run three generations / stopped with the engine's one message), counted
per algorithm and for NEAT files of formats 1 and 2. Memory: each file is loaded by a fresh
process and its peak resident memory (VmHWM, Linux) compared with the goal, 4 x size + 100 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

MB = 2**20
HEAD = '{"format": "neatscope-run", "version": 3, "padding": '
# name: (what it is, head, repeated item, tail)
SHAPES = {
    "objects": ("empty objects (the issue's case)", "[", "{},", "{}]"),
    "lists": ("empty lists", HEAD + "[", "[],", "[]]}"),
    "floats": ("short floats", HEAD + "[", "0.5,", "0]}"),
    "ints": ("4-digit integers", HEAD + "[", "1000,", "0]}"),
    "strings": ("2-character strings", HEAD + "[", '"ab",', "0]}"),
    "nulls": ("nulls", HEAD + "[", "null,", "0]}"),
    "keys": ("different keys", HEAD + "{", None, "}}"),
    "string": ("one long string", HEAD + '"', "x", '"}'),
    "floats12": ("11-character floats", HEAD + "[", "0.123456789,", "0]}"),
    "ints6": ("5-digit integers", HEAD + "[", "12345,", "0]}"),
    "ints8": ("7-digit integers", HEAD + "[", "1234567,", "0]}"),
    "strings8": ("6-letter strings", HEAD + "[", '"abcdef",', "0]}"),
    "strings12": ("10-letter strings", HEAD + "[", '"abcdefghij",', "0]}"),
    "pairs": ("[seed, sigma] pairs (as the GA's seed chains)", HEAD + "[", "[1234567890123456789,0.001],", "0]}"),
}

_LOAD = """
import json, sys
from core.runs.persistence import RunFileError, load_run
def peak_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
try:
    load_run(sys.argv[1])
    outcome = "accepted"
except RunFileError as error:
    outcome = str(error)
print(json.dumps({"peak_mb": peak_mb(), "outcome": outcome}))
"""


def write_shape(path: Path, name: str, size: int) -> None:
    _, head, item, tail = SHAPES[name]
    with path.open("w") as stream:
        stream.write(head)
        if item is None:  # different keys
            written, i = 0, 0
            while written < size:
                piece = ",".join(f'"k{j}": 0' for j in range(i, i + 10_000)) + ","
                stream.write(piece)
                written, i = written + len(piece), i + 10_000
            stream.write('"end": 0')
        else:
            chunk = item * (MB // len(item))
            for _ in range(size // len(chunk)):
                stream.write(chunk)
        stream.write(tail)


def peak(path: Path) -> dict:
    result = subprocess.run([sys.executable, "-c", _LOAD, str(path)], cwd=ROOT, capture_output=True, text=True, timeout=900)
    if result.returncode:
        return {"peak_mb": float("nan"), "outcome": "crashed: " + result.stderr.strip().splitlines()[-1]}
    return json.loads(result.stdout)


def legit_neat(path: Path, population: int, generations: int, late_error: bool) -> None:
    from core.algorithms.neat.config import default_config
    from core.algorithms.neat.evolution import Neat
    from core.runs.persistence import dumps_run
    from core.tasks.xor import XorTask

    run = Neat(default_config().replace(**{"population.size": population}), XorTask(), 1)
    for _ in range(generations):
        run.step()
    data = json.loads(dumps_run(run))
    if late_error:  # found only after population and species are built
        data["state"]["innovation"]["next_node_id"] = 0
    path.write_text(json.dumps(data, separators=(",", ":")))


def memory_table(size_mb: float, legit: tuple[int, int] | None) -> list[str]:
    lines = ["| file | size MB | peak MB | goal 4 x size + 100 | outcome |", "|---|---:|---:|---:|---|"]
    with tempfile.TemporaryDirectory() as folder:
        cases = [(name, SHAPES[name][0]) for name in SHAPES]
        if legit:
            cases.append(("legit", f"a NEAT run ({legit[0]} genomes, {legit[1]} generations), rejected after building its state"))
        for name, what in cases:
            path = Path(folder) / f"{name}.json"
            if name == "legit":
                legit_neat(path, *legit, late_error=True)
            else:
                write_shape(path, name, int(size_mb * MB))
            size = path.stat().st_size / MB
            measured = peak(path)
            goal = 4 * size + 100
            verdict = "within" if measured["peak_mb"] <= goal else "**over**"
            outcome = measured["outcome"][:70].replace("|", "/").replace(str(folder), "…")
            lines.append(f"| {what} | {size:.1f} | {measured['peak_mb']:.0f} | {goal:.0f} ({verdict}) | {outcome} |")
            path.unlink()
    return lines


def mutant_lines(count: int, seed: int) -> list[str]:
    from tests.core.runs.mutants import as_older_version, run_trial, valid_run_data

    lines = []
    from core.algorithms.registry import algorithm_names
    from tests.core.runs.mutants import SMALL_CONFIG

    for algorithm in [name for name in algorithm_names() if name in SMALL_CONFIG]:
        started = time.perf_counter()
        tally = run_trial(algorithm, count, seed)
        lines.append(f"- {tally.line(algorithm)} ({time.perf_counter() - started:.0f} s)")
        lines.extend(f"  - failure: {failure.splitlines()[0]}" for failure in tally.failures[:5])
    for version in (1, 2):
        tally = run_trial("neat", count // 4, seed + version, base=as_older_version(valid_run_data("neat"), version), legacy=True)
        lines.append(f"- {tally.line(f'neat format {version}')}")
        lines.extend(f"  - failure: {failure.splitlines()[0]}" for failure in tally.failures[:5])
    return lines


def main() -> None:
    import warnings

    warnings.filterwarnings("error", category=RuntimeWarning, module="core.*")  # as in the tests
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mutants", type=int, default=5000, help="mutants per algorithm (0: skip)")
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--memory-mb", type=float, default=50, help="size of each hostile file (0: skip)")
    parser.add_argument("--legit", default="", metavar="POPULATION,GENERATIONS", help="also a real NEAT run file, e.g. 5000,40 (about 20 MB)")
    args = parser.parse_args()
    if args.mutants:
        print("\n".join(mutant_lines(args.mutants, args.seed)), flush=True)
    if args.memory_mb and os.path.exists("/proc/self/status"):
        legit = tuple(int(x) for x in args.legit.split(",")) if args.legit else None
        print("\n".join(memory_table(args.memory_mb, legit)))  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
