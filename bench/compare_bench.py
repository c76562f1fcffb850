"""The family side by side: `neatscope compare` on XOR and CartPole-v1, 10 seeds, equal budgets.

    .venv/bin/python bench/compare_bench.py [--seeds 10] [--workers 2]

Prints one markdown table per task (the summary of `neatscope compare`) and copies each curves
picture to docs/compare-<task>.png for bench/RESULTS.md. Runs go to bench/out/compare-<task>/
(an interrupted benchmark resumes there).
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core.algorithms.registry import algorithm_class  # noqa: E402
from core.runs.compare import CompareSpec, run_compare  # noqa: E402

ALGORITHMS = ("neat", "ga", "es", "random")
TASKS = {
    "xor": ({"name": "xor", "fitness_threshold": 3.9}, 50_000),
    "cartpole": ({"name": "cartpole", "episodes": 5, "max_steps": 500, "fitness_threshold": 475.0}, 20_000),
}


def _number(value, digits=0) -> str:
    if value is None:
        return "–"
    return f"{value:,.{digits}f}"


def table(summary: dict) -> str:
    """The summary as a markdown table."""
    lines = [
        "| algorithm | solved | evaluations to solve: median (IQR) | final best-so-far: median (IQR) | generations (median) | wall per run (median) |",
        "|---|---|---|---|---|---|",
    ]
    for a in summary["algorithms"]:
        solve, best = a["evaluations_to_solve"], a["final_best"]
        to_solve = "–" if solve["median"] is None else f"{_number(solve['median'])} ({_number(solve['q1'])}–{_number(solve['q3'])})"
        lines.append(
            f"| {a['algorithm']} | {a['solved']}/{a['runs']} | {to_solve} "
            f"| {_number(best['median'], 3)} ({_number(best['q1'], 3)}–{_number(best['q3'], 3)}) | {_number(a['generations_median'])} "
            f"| {a['wall_s']['median']:.2f} s |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--workers", type=int, default=0)
    parser.add_argument("--tasks", default=",".join(TASKS))
    args = parser.parse_args()
    for name in args.tasks.split(","):
        task, budget = TASKS[name]
        configs = {a: algorithm_class(a).default_config().to_dict() for a in ALGORITHMS}
        spec = CompareSpec(task, ALGORITHMS, tuple(range(args.seeds)), budget, 100_000, True, configs)
        out = ROOT / "bench" / "out" / f"compare-{name}"
        summary = run_compare(spec, out, workers=args.workers, progress=sys.stderr)
        shutil.copyfile(out / "curves.png", ROOT / "docs" / f"compare-{name}.png")
        print(f"\n### {name}: {args.seeds} seeds, budget {budget:,} evaluations, defaults of every algorithm\n")
        print(table(summary))


if __name__ == "__main__":
    main()
