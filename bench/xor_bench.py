"""XOR benchmark: NEAT Scope's defaults against neat-python 2.0.0's XOR example, same seeds.

Usage: python bench/xor_bench.py [--seeds 100] [--generations 300] [--skip-neat-python]

Both libraries run in this one process, seed by seed, interleaved so machine noise hits both
alike. Prints a Markdown table (paste it into bench/RESULTS.md) and writes the raw numbers to
bench/out/xor.json.
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
from core.tasks.xor import XorTask  # noqa: E402

XOR_CASES = [((0.0, 0.0), 0.0), ((0.0, 1.0), 1.0), ((1.0, 0.0), 1.0), ((1.0, 1.0), 0.0)]


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


def run_neat_python(seed: int, generations: int, config_path: Path) -> dict:
    """One neat-python run with its own XOR example config and evaluation loop."""
    import neat

    config = neat.Config(
        neat.DefaultGenome, neat.DefaultReproduction, neat.DefaultSpeciesSet, neat.DefaultStagnation, str(config_path)
    )
    counted = {"evaluations": 0, "generations": 0}

    def eval_genomes(genomes, config):
        counted["generations"] += 1
        for _, genome in genomes:
            counted["evaluations"] += 1
            genome.fitness = 4.0
            net = neat.nn.FeedForwardNetwork.create(genome, config)
            for inputs, target in XOR_CASES:
                genome.fitness -= (net.activate(inputs)[0] - target) ** 2

    started = time.perf_counter()
    population = neat.Population(config, seed=seed)
    try:
        winner = population.run(eval_genomes, generations)
        solved = winner.fitness >= config.fitness_threshold
        hidden = len(winner.nodes) - config.genome_config.num_outputs
    except neat.CompleteExtinctionException:
        solved, hidden = False, None
    wall = time.perf_counter() - started
    return {
        "solved": bool(solved),
        "evaluations": counted["evaluations"],
        "generations": counted["generations"],
        "hidden": hidden,
        "wall_s": wall,
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=100)
    parser.add_argument("--generations", type=int, default=300)
    parser.add_argument("--skip-neat-python", action="store_true")
    args = parser.parse_args()

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
