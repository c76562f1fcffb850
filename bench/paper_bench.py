"""The paper's tables with the ``paper`` preset: Stanley & Miikkulainen (2002), section 4.

Usage: python bench/paper_bench.py [--task xor] [--runs 100] [--population 150] [--generations 1000] [--first-seed 0] [--config FILE.toml]

Each run evolves with ``resources/presets/paper.toml`` (the preset's ``[task.NAME]`` options
included) until a genome meets the task's success test, and is measured the paper's way:
evaluations up to and including the winner (pop x finished generations + the winner's place in
its generation), the winner's hidden nodes and nondisabled connections (bias links included).
Prints a Markdown table beside the paper's numbers and writes bench/out/paper_<task>.json.
``--task`` takes any task name ``make_task`` knows (e.g. double-pole once it exists); the
paper's XOR row is printed for xor only.
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

from core.algorithms.neat.evolution import Neat  # noqa: E402
from core.runs.presets import load_preset  # noqa: E402
from core.tasks import make_task  # noqa: E402

# Stanley & Miikkulainen 2002 (see /work/shared/specs/double_pole.md): runs, solved, mean and sd
# evaluations, worst, hidden nodes, nondisabled connections.
PAPER = {
    "xor": {"runs": 100, "solved": 100, "mean": 4755, "sd": 2553, "worst": 13459, "hidden": 2.35, "hidden_sd": 1.11, "connections": 7.48},
    "double-pole": {"runs": 120, "solved": 120, "mean": 3600, "sd": 2704},
    "double-pole-nv": {"runs": 20, "solved": 20, "mean": 33184, "sd": 21790},
}


def one_run(task_name: str, seed: int, population: int | None, generations: int, config_path: str | None = None) -> dict:
    """One run with the preset (under ``config_path``) until the success test is met (or the generation cap)."""
    preset = load_preset("paper")
    overrides = {"population": {"size": population}} if population else None
    config = Neat.load_config(config_path, overrides=overrides, layers=(preset.config,))
    task = make_task({"name": task_name, **preset.options_for(task_name)})
    started = time.perf_counter()
    try:
        run = Neat(config, task, seed)
        for _ in range(generations):
            evaluated = run.population  # step() replaces the list; this one keeps its fitness
            report = run.step()
            if report.solved:
                index = report.solved_at_evaluation - (report.evaluations - len(evaluated)) - 1
                winner = evaluated[index]
                return {
                    "seed": seed,
                    "solved": True,
                    "evaluations": report.solved_at_evaluation,
                    "generation_evaluations": report.evaluations,
                    "generations": report.generation + 1,
                    "hidden": winner.hidden_count(),
                    "connections": winner.enabled_count(),
                    "species": len(report.species),
                    "wall_s": time.perf_counter() - started,
                }
        return {"seed": seed, "solved": False, "evaluations": run.evaluations, "generations": run.generation, "wall_s": time.perf_counter() - started}
    finally:
        task.close()


def _mean_sd(values: list[float]) -> tuple[float, float]:
    return statistics.fmean(values), statistics.stdev(values) if len(values) > 1 else 0.0


def table(task_name: str, runs: list[dict], population: int) -> str:
    """Markdown: ours beside the paper's."""
    solved = [r for r in runs if r["solved"]]
    lines = [
        "| | runs | solved | evaluations, mean (sd) | worst | generations, mean | hidden nodes, mean (sd) | nondisabled connections, mean (sd) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    if solved:
        evaluations = _mean_sd([r["evaluations"] for r in solved])
        hidden = _mean_sd([r["hidden"] for r in solved])
        connections = _mean_sd([r["connections"] for r in solved])
        generations = statistics.fmean(r["generations"] for r in solved)
        worst = max(r["evaluations"] for r in solved)
        lines.append(
            f"| NEAT Scope, preset paper (pop {population}) | {len(runs)} | {len(solved)}/{len(runs)} | {evaluations[0]:,.0f} ({evaluations[1]:,.0f}) | "
            f"{worst:,} | {generations:.1f} | {hidden[0]:.2f} ({hidden[1]:.2f}) | {connections[0]:.2f} ({connections[1]:.2f}) |"
        )
    else:
        lines.append(f"| NEAT Scope, preset paper (pop {population}) | {len(runs)} | 0/{len(runs)} | - | - | - | - | - |")
    paper = PAPER.get(task_name)
    if paper:
        lines.append(
            f"| Stanley & Miikkulainen 2002 | {paper['runs']} | {paper['solved']}/{paper['runs']} | {paper['mean']:,} ({paper['sd']:,}) | "
            f"{format(paper['worst'], ',') if 'worst' in paper else '-'} | - | "
            + (f"{paper['hidden']:.2f} ({paper['hidden_sd']:.2f}) | {paper['connections']:.2f} |" if "hidden" in paper else "- | - |")
        )
        if len(solved) > 1:
            standard_error = evaluations[1] / len(solved) ** 0.5
            lines.append("")
            lines.append(
                f"Mean evaluations: ours - paper = {evaluations[0] - paper['mean']:+,.0f} "
                f"({(evaluations[0] - paper['mean']) / paper['sd']:+.2f} paper sd, {(evaluations[0] - paper['mean']) / standard_error:+.1f} of our standard errors)."
            )
    return "\n".join(lines)


def print_saved(path: str) -> None:
    """Print the table of a results file this bench wrote (``--table-only``)."""
    data = json.loads(Path(path).read_text())
    print(table(data["args"]["task"], data["runs"], data["args"].get("population") or 150))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--task", default="xor", help="task name (xor; double-pole, double-pole-nv once they exist)")
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--population", type=int, default=None, help="population size (default: the preset's 150)")
    parser.add_argument("--generations", type=int, default=1000, help="generation cap per run")
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--config", metavar="FILE.toml", help="keys to change on top of the preset (e.g. the paper's DPNV c3 = 3.0, delta_t = 4.0)")
    parser.add_argument("--table-only", metavar="FILE.json", help="print the table of a results file this bench wrote, run nothing")
    args = parser.parse_args()
    if args.table_only:
        print_saved(args.table_only)
        return
    population = args.population or Neat.load_config(args.config, layers=(load_preset("paper").config,)).population.size
    runs = []
    for seed in range(args.first_seed, args.first_seed + args.runs):
        result = one_run(args.task, seed, args.population, args.generations, args.config)
        runs.append(result)
        print(
            f"seed {seed:3d}: {'solved' if result['solved'] else 'FAILED'} evaluations {result['evaluations']:,} "
            f"generations {result['generations']} hidden {result.get('hidden', '-')} connections {result.get('connections', '-')} "
            f"{result['wall_s']:.1f} s",
            file=sys.stderr,
            flush=True,
        )
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    (out / f"paper_{args.task}.json").write_text(json.dumps({"args": vars(args), "runs": runs}, indent=1) + "\n", encoding="utf-8")
    print(table(args.task, runs, population))


if __name__ == "__main__":
    main()
