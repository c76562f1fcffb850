"""XOR benchmark: NEAT Scope's defaults against neat-python 2.0.0's XOR example, same seeds.

Usage: python bench/xor_bench.py [--seeds 100] [--generations 300] [--skip-neat-python]
       python bench/xor_bench.py --per-process [--seeds 20]

Both libraries run in this one process, seed by seed, interleaved so machine noise hits both
alike. Prints a Markdown table (paste it into bench/RESULTS.md) and writes the raw numbers to
bench/out/xor.json.

``--per-process`` runs each seed as its own process, as a user runs them: ``neatscope run xor
--seed S`` against ``python bench/neat_python_xor.py S`` (neat-python's XOR example, which
imports only neat), interleaved; the wall time of each process counts, start-up included.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.neat_python_xor import run_neat_python  # noqa: E402
from core.algorithms.neat.config import default_config  # noqa: E402
from core.algorithms.neat.evolution import Neat  # noqa: E402
from core.tasks.xor import XorTask  # noqa: E402


def run_ours(seed: int, generations: int) -> dict:
    """One NEAT Scope run until fitness >= 3.9 or the generation cap."""
    started = time.perf_counter()
    evolution = Neat(default_config(), XorTask(), seed)
    paper_evaluations = None
    report = None
    for report in evolution.run(generations):
        if paper_evaluations is None and report.criterion_met:
            paper_evaluations = report.evaluations
    wall = time.perf_counter() - started
    return {
        "solved": report.solved,
        "evaluations": report.evaluations,
        "generations": report.generation + 1,
        "hidden": report.champion.hidden_count,
        "wall_s": wall,
        "paper_criterion_evaluations": paper_evaluations,
    }


def summarise(name: str, runs: list[dict]) -> dict:
    """Success rate and the distribution of cost over solved runs."""
    solved = [r for r in runs if r["solved"]]
    evaluations = [r["evaluations"] for r in solved]
    return {
        "name": name,
        "solved": f"{len(solved)}/{len(runs)}",
        "mean_evaluations": statistics.mean(evaluations) if evaluations else float("nan"),
        "sd_evaluations": statistics.stdev(evaluations) if len(evaluations) > 1 else float("nan"),
        "median_evaluations": statistics.median(evaluations) if evaluations else float("nan"),
        "mean_hidden": statistics.mean(r["hidden"] for r in solved) if solved else float("nan"),
        "median_wall_solved_s": statistics.median(r["wall_s"] for r in solved) if solved else float("nan"),
        "ms_per_generation": 1000 * sum(r["wall_s"] for r in runs) / sum(r["generations"] for r in runs),
    }


def per_process(seeds: int, generations: int) -> None:
    """Each run its own process, start-up included, the two libraries interleaved."""
    ours_wall, theirs_wall, ours_solved, theirs_solved, ours_generations = [], [], 0, 0, []
    for seed in range(seeds):
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "neatscope", "run", "xor", "--seed", str(seed), "--generations", str(generations), "--quiet"],
            cwd=ROOT, capture_output=True, text=True, check=True,
        )
        ours_wall.append(time.perf_counter() - started)
        summary = json.loads(done.stdout)
        ours_solved += summary["solved"]
        ours_generations.append(summary["generations"])
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, str(ROOT / "bench" / "neat_python_xor.py"), str(seed), str(generations)], cwd=ROOT, capture_output=True, text=True, check=True
        )
        theirs_wall.append(time.perf_counter() - started)
        theirs_solved += json.loads(done.stdout)["solved"]
        print(f"seed {seed}: ours {ours_wall[-1]:.3f} s, neat-python {theirs_wall[-1]:.3f} s", file=sys.stderr)
    print("| implementation | runs solved | total wall (all processes) | median wall per process |")
    print("|---|---|---|---|")
    print(f"| NEAT Scope (`neatscope run xor --seed S`) | {ours_solved}/{seeds} | {sum(ours_wall):.2f} s | {statistics.median(ours_wall) * 1000:.0f} ms |")
    print(f"| neat-python 2.0.0 (its XOR example) | {theirs_solved}/{seeds} | {sum(theirs_wall):.2f} s | {statistics.median(theirs_wall) * 1000:.0f} ms |")
    print(f"\nTotal wall: NEAT Scope / neat-python = 1/{sum(theirs_wall) / sum(ours_wall):.1f}; NEAT Scope median generations {statistics.median(ours_generations)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=100)
    parser.add_argument("--generations", type=int, default=300)
    parser.add_argument("--skip-neat-python", action="store_true")
    parser.add_argument("--per-process", action="store_true", help="one process per run, start-up included")
    args = parser.parse_args()
    if args.per_process:
        per_process(args.seeds, args.generations)
        return

    ours, theirs = [], []
    for seed in range(args.seeds):
        ours.append(run_ours(seed, args.generations))
        if not args.skip_neat_python:
            theirs.append(run_neat_python(seed, args.generations, ROOT / "bench" / "neat_python_xor.cfg"))
        print(f"seed {seed}: ours {ours[-1]['generations']} gen", *(f"neat-python {theirs[-1]['generations']} gen" for _ in theirs[-1:]), file=sys.stderr)

    summaries = [summarise("NEAT Scope (defaults)", ours)]
    if theirs:
        summaries.append(summarise("neat-python 2.0.0 (its XOR example)", theirs))
    paper = [r["paper_criterion_evaluations"] for r in ours if r["paper_criterion_evaluations"] is not None]

    print("| implementation | solved (fitness >= 3.9) | mean evals (sd) | median evals | hidden nodes of winners | median wall per solved run | wall per generation |")
    print("|---|---|---|---|---|---|---|")
    for s in summaries:
        print(
            f"| {s['name']} | {s['solved']} | {s['mean_evaluations']:,.0f} ({s['sd_evaluations']:,.0f}) | {s['median_evaluations']:,.0f} "
            f"| {s['mean_hidden']:.2f} | {s['median_wall_solved_s'] * 1000:.0f} ms | {s['ms_per_generation']:.2f} ms |"
        )
    if paper:
        print(f"\nNEAT Scope, paper criterion (all four outputs on the right side of 0.5): {len(paper)}/{len(ours)} runs, "
              f"mean {statistics.mean(paper):,.0f} evaluations (sd {statistics.stdev(paper) if len(paper) > 1 else 0:,.0f}).")
    if theirs:
        ratio = summaries[1]["median_wall_solved_s"] / summaries[0]["median_wall_solved_s"]
        print(f"Median wall per solved run: neat-python / NEAT Scope = {ratio:.1f}x")

    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    (out / "xor.json").write_text(json.dumps({"args": vars(args), "summaries": summaries, "ours": ours, "neat_python": theirs}, indent=1))


if __name__ == "__main__":
    main()
