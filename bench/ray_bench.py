"""Where evaluation pays off (issue 19): serial, worker processes and Ray, side by side.

    nice -n 10 .venv/bin/python bench/ray_bench.py compare [--seeds 8] [--max-evaluations 600]
    nice -n 10 .venv/bin/python bench/ray_bench.py overhead [--repeats 5]

``compare``: ``neatscope compare`` of neat, ga, es and random x N seeds on Acrobot-v1 (no
vector env), once per backend: serial, process (2 workers) and ray (a local Ray with 2 CPUs).
Prints the wall time of each and whether every run's history (runs.csv without its wall-time
column) is identical to the serial one. Each compare goes to a fresh folder.

``overhead``: wall time of evaluating one generation of a user fitness function, by
population size, on each backend with 2 workers (workers started beforehand, as in a run):
a cheap function (XOR, ~0.1 ms) shows the fixed cost per generation, a 5 ms one where workers
pay off.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
# Ray's workers import this module by name (the fitness functions below).
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))

import numpy as np  # noqa: E402

ALGORITHMS = ("neat", "ga", "es", "random")
CASES = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])


def xor_fitness(network) -> float:
    """A cheap fitness: XOR's four cases."""
    outputs = np.array([network.activate(case)[0] for case in CASES])
    return 4.0 - float(((outputs - np.array([0.0, 1.0, 1.0, 0.0])) ** 2).sum())


def slow_fitness(network) -> float:
    """XOR plus 5 ms of work, like a small simulation."""
    deadline = time.perf_counter() + 0.005
    while time.perf_counter() < deadline:
        pass
    return xor_fitness(network)


def _backends(workers: int):
    from core.parallel import BackendSettings

    return {"serial": BackendSettings("serial"), "process": BackendSettings("process", workers), "ray": BackendSettings("ray", workers)}


def _start_ray(cpus: int) -> None:
    import ray

    if not ray.is_initialized():
        ray.init(num_cpus=cpus, include_dashboard=False, logging_level="WARNING")


def compare(args: argparse.Namespace) -> None:
    from core.algorithms.registry import algorithm_class
    from core.runs.compare import CompareSpec, run_compare
    from core.tasks import make_task

    task = make_task({"name": "gym", "env_id": "Acrobot-v1", "episodes": 1, "max_steps": args.max_steps})
    spec_task = task.spec()
    task.close()
    configs = {name: algorithm_class(name).load_config(None).to_dict() for name in ALGORITHMS}
    spec = CompareSpec(
        task=spec_task, algorithms=ALGORITHMS, seeds=tuple(range(args.seeds)), max_evaluations=args.max_evaluations,
        max_generations=100_000, stop_when_solved=False, configs=configs,
    )  # fmt: skip
    out = Path(tempfile.mkdtemp(prefix="ray-bench-"))
    tables, walls = {}, {}
    try:
        for name, backend in _backends(args.workers).items():
            if name == "ray":
                started = time.perf_counter()
                _start_ray(args.workers)
                walls["ray start"] = time.perf_counter() - started
            started = time.perf_counter()
            run_compare(spec, out / name, progress=None, backend=backend)
            walls[name] = time.perf_counter() - started
            rows = (out / name / "runs.csv").read_text().splitlines()
            tables[name] = [row.split(",")[:5] + row.split(",")[6:] for row in rows]
            print(f"{name}: {walls[name]:.1f} s, {len(rows) - 1} generation rows", flush=True)
    finally:
        shutil.rmtree(out, ignore_errors=True)
    print(f"\nAcrobot-v1, {len(ALGORITHMS)} algorithms x {args.seeds} seeds, {args.max_evaluations} evaluations per run, "
          f"1 episode of at most {args.max_steps} steps; {args.workers} workers\n")  # fmt: skip
    print("| backend | wall (s) | speed-up | runs.csv identical to serial |")
    print("|---|---|---|---|")
    for name in ("serial", "process", "ray"):
        same = "yes" if tables[name] == tables["serial"] else "NO"
        print(f"| {name} | {walls[name]:.1f} | {walls['serial'] / walls[name]:.2f}x | {same} |")
    print(f"\n(starting the local Ray took {walls['ray start']:.1f} s, not counted above)")


def overhead(args: argparse.Namespace) -> None:
    from core.algorithms.neat.evolution import Neat
    from core.networks.batch import PopulationNetwork
    from core.tasks.function import FunctionTask

    _start_ray(args.workers)
    rng = np.random.default_rng(0)
    results: dict[tuple[str, str, int], float] = {}
    for function in ("xor_fitness", "slow_fitness"):
        for name, backend in _backends(args.workers).items():
            task = FunctionTask(f"bench.ray_bench:{function}", 2, 1, isolate=backend.parallel, backend=backend)
            try:
                for size in args.sizes:
                    config = Neat.load_config(None).replace(**{"population.size": size})
                    genomes = Neat(config, task, 0).population
                    population = PopulationNetwork(genomes)
                    task.evaluate(population, rng)  # warm: workers built, function imported
                    times = []
                    for _ in range(args.repeats):
                        started = time.perf_counter()
                        task.evaluate(population, rng)
                        times.append(time.perf_counter() - started)
                    results[(function, name, size)] = statistics.median(times)
                    print(f"{function} {name} {size}: {1000 * results[(function, name, size)]:.1f} ms", flush=True)
            finally:
                task.close()
    print(f"\nOne generation's evaluation, median of {args.repeats} (ms); {args.workers} workers\n")
    print("| fitness | population | serial | process | ray | ray overhead vs serial |")
    print("|---|---|---|---|---|---|")
    for function in ("xor_fitness", "slow_fitness"):
        for size in args.sizes:
            serial, process, on_ray = (1000 * results[(function, name, size)] for name in ("serial", "process", "ray"))
            print(f"| {function} | {size} | {serial:.1f} | {process:.1f} | {on_ray:.1f} | {on_ray - serial:+.1f} ms |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    one = commands.add_parser("compare")
    one.add_argument("--seeds", type=int, default=8)
    one.add_argument("--max-evaluations", type=int, default=600)
    one.add_argument("--max-steps", type=int, default=200)
    one.add_argument("--workers", type=int, default=2)
    two = commands.add_parser("overhead")
    two.add_argument("--sizes", type=int, nargs="+", default=[10, 50, 150, 500])
    two.add_argument("--repeats", type=int, default=5)
    two.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    compare(args) if args.command == "compare" else overhead(args)


if __name__ == "__main__":
    main()
