"""Double pole balancing, the NEAT paper's protocol (Stanley & Miikkulainen 2002, tables 1-2).

Usage:
  python bench/double_pole_bench.py velocities [--runs 100] [--side-by-side 10] [--max-generations 500]
  python bench/double_pole_bench.py no-velocities [--runs 5] [--max-generations 300]

``velocities``: task double-pole, NEAT's default config (population 150), each run until solved
(100,000 decisions balanced) or ``--max-generations``. Evaluations are counted the paper's way
(every earlier generation plus the winner's index in its own). The first ``--side-by-side``
seeds run on both kernels, numba then numpy, and must give identical runs (asserted); their wall
times are compared. Paper: 3,600 (sd 2,704) evaluations over 120 runs, none failed.

``no-velocities``: task double-pole-nv, the default config with the paper's DPNV settings
(population 1,000, c3 = 3.0, delta_t = 4.0, add-link 0.3, recurrent), on numba; the solved
champion's generalisation (of 625) is reported. Paper: 33,184 (sd 21,790) evaluations, 286/625.

numba's import, cache load (and a compile if the cache is cold) happen before any timing.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.algorithms.neat.config import default_config  # noqa: E402
from core.algorithms.neat.evolution import Neat  # noqa: E402
from core.tasks.double_pole import DoublePoleNvTask, DoublePoleTask  # noqa: E402

# The paper's DPNV settings (section 4.1) on top of the default config.
NV_SETTINGS = {
    "population.size": 1000,
    "population.feed_forward": False,
    "speciation.weight_coefficient": 3.0,
    "speciation.threshold": 4.0,
    "structure.add_connection_prob": 0.3,
}


def one_run(task_name: str, seed: int, kernel: str, max_generations: int, settings: dict) -> dict:
    """Evolve until solved; the run's outcome and its wall time."""
    task = DoublePoleTask() if task_name == "velocities" else DoublePoleNvTask()
    config = default_config().replace(**settings) if settings else default_config()
    started = time.perf_counter()
    evolution = Neat(config, task, seed)
    evolution.kernel = kernel
    report = None
    for _ in range(max_generations):
        report = evolution.step()
        if report.solved:
            break
    wall = time.perf_counter() - started
    assert report is not None and evolution.last_kernel == kernel, f"asked for {kernel}, ran on {evolution.last_kernel}"
    outcome = {
        "seed": seed,
        "kernel": kernel,
        "solved": report.solved,
        "generations": report.generation + 1,
        "evaluations_paper": report.solved_at_evaluation,
        "evaluations": evolution.evaluations,
        "best_fitness": report.best_fitness,
        "champion": repr(report.champion),
        "env_steps": evolution.env_steps,
        "wall_s": wall,
    }
    if task_name == "no-velocities" and report.solved:
        outcome["generalisation"] = task.last_test[1].generalisation_score if task.last_test else None
        outcome["hidden_nodes"] = sum(1 for n in report.champion.nodes if n.kind == "hidden")
    return outcome


def mean_sd(values: list[float]) -> str:
    if not values:
        return "-"
    sd = statistics.stdev(values) if len(values) > 1 else 0.0
    return f"{statistics.mean(values):,.0f} ({sd:,.0f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("task", choices=["velocities", "no-velocities"])
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--first-seed", type=int, default=1)
    parser.add_argument("--side-by-side", type=int, default=0, help="seeds run on numpy too (identical runs asserted)")
    parser.add_argument("--max-generations", type=int, default=500)
    parser.add_argument("--json", help="write every run's outcome here")
    args = parser.parse_args()

    import core.compiled

    started = time.perf_counter()
    assert core.compiled.load() is not None, "numba kernels unavailable"
    warm = DoublePoleTask(max_steps=10) if args.task == "velocities" else DoublePoleNvTask(max_steps=100, test_steps=10)
    warm_config = default_config().replace(**{"population.size": 4, "population.feed_forward": args.task == "velocities"})
    warm_run = Neat(warm_config, warm, 0)
    warm_run.kernel = "numba"
    warm_run.step()
    print(f"numba import + cache load (+ compile if cold): {time.perf_counter() - started:.2f} s", flush=True)

    settings = {} if args.task == "velocities" else NV_SETTINGS
    outcomes = []
    pairs = []
    for seed in range(args.first_seed, args.first_seed + args.runs):
        compiled = one_run(args.task, seed, "numba", args.max_generations, settings)
        outcomes.append(compiled)
        line = (f"seed {seed:3d}  solved {compiled['solved']!s:5}  gens {compiled['generations']:4d}  "
                f"evals {compiled['evaluations_paper'] or '-'}  numba {compiled['wall_s']:.2f} s")
        if "generalisation" in compiled:
            line += f"  generalisation {compiled['generalisation']}/625"
        if seed < args.first_seed + args.side_by_side:
            reference = one_run(args.task, seed, "numpy", args.max_generations, settings)
            same = {k: v for k, v in reference.items() if k not in ("kernel", "wall_s")} == {k: v for k, v in compiled.items() if k not in ("kernel", "wall_s")}
            assert same, f"seed {seed}: numpy and numba runs differ\n{reference}\n{compiled}"
            pairs.append((reference["wall_s"], compiled["wall_s"]))
            line += f"  numpy {reference['wall_s']:.2f} s (identical run)"
        print(line, flush=True)

    solved = [o for o in outcomes if o["solved"]]
    evaluations = [o["evaluations_paper"] for o in solved]
    print()
    print("| runs | solved | evaluations mean (sd) | median | worst | generations mean | paper |")
    print("|---|---|---|---|---|---|---|")
    paper = "3,600 (2,704), 120 runs, 0 failed" if args.task == "velocities" else "33,184 (21,790), 20 runs, generalisation 286"
    print(f"| {len(outcomes)} | {len(solved)} | {mean_sd(evaluations)} | {statistics.median(evaluations) if evaluations else '-':,} | "
          f"{max(evaluations) if evaluations else '-':,} | {statistics.mean(o['generations'] for o in solved) if solved else 0:.1f} | {paper} |")
    if args.task == "no-velocities" and solved:
        scores = [o["generalisation"] for o in solved if o.get("generalisation") is not None]
        print(f"\ngeneralisation of the solvers: mean {statistics.mean(scores):.0f}/625, each {scores}")
    if pairs:
        numpy_total = sum(p[0] for p in pairs)
        numba_total = sum(p[1] for p in pairs)
        print("\n| side by side | runs | numpy wall | numba wall | numba / numpy |")
        print("|---|---|---|---|---|")
        print(f"| same seeds, identical runs | {len(pairs)} | {numpy_total:.1f} s | {numba_total:.1f} s | {numba_total / numpy_total:.3f} (1/{numpy_total / numba_total:.1f}) |")
    if args.json:
        Path(args.json).write_text(json.dumps(outcomes, indent=1))


if __name__ == "__main__":
    main()
