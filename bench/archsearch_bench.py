"""Architecture search on digits (issue 18): the tournament GA (arch-ga) against random search
(arch-random), seed by seed, from the same seeds.

For every seed, both algorithms run ``--generations`` generations of ``--population`` MLP
recipes (defaults: 10 x 50, the reference's) with ``--workers`` training processes. Reported:
the median of the champions' held-out test accuracy, the median over runs of the median
per-generation interquartile range of the population's validation accuracy ("evolution's
boxes tighten"), the wall per run pair, and significance tests of the gap in test accuracy:
Mann-Whitney U (two-sided, unpaired) and Wilcoxon signed-rank (paired by seed) from scipy,
and a sign-flip permutation test on the paired differences (exact up to 16 seeds).

    nice -n 10 .venv/bin/python bench/archsearch_bench.py --seeds 10 --workers 2 --out bench/archsearch_results.json

Results are written after every seed, so an interrupted bench still leaves its data.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.algorithms.registry import algorithm_class  # noqa: E402
from core.tasks import make_task  # noqa: E402

ALGORITHMS = ("arch-ga", "arch-random")


def iqr(values: list[float]) -> float:
    """Interquartile range (numpy's linear quartiles)."""
    q1, q3 = np.percentile(values, [25, 75])
    return float(q3 - q1)


def run_one(name: str, seed: int, population: int, generations: int, task) -> dict:
    """One run: champion accuracies, per-generation IQRs and medians, wall."""
    cls = algorithm_class(name)
    config = cls.default_config().replace(**{"population.size": population})
    started = time.perf_counter()
    run = cls(config, task, seed)
    for _ in run.run(generations, stop_when_solved=False):
        pass
    wall = time.perf_counter() - started
    per_generation = [list(report.extras.accuracies) for report in run.history]
    last = run.history[-1].extras
    return {
        "algorithm": name,
        "seed": seed,
        "test_accuracy": last.champion_test_accuracy,
        "validation_accuracy": last.champion_validation_accuracy,
        "champion_generation": last.champion_generation,
        "champion": {"units": list(last.champion_units), "activation": last.champion_activation, "solver": last.champion_solver,
                     "learning_rate": last.champion_learning_rate, "l2": last.champion_l2},
        "iqr_per_generation": [iqr(values) for values in per_generation],
        "median_per_generation": [float(np.median(values)) for values in per_generation],
        "wall_s": wall,
    }


def significance(ga: list[float], random: list[float]) -> dict:
    """Tests of 'arch-ga's test accuracy differs from arch-random's'."""
    result: dict = {}
    try:
        from scipy.stats import mannwhitneyu, wilcoxon

        result["mann_whitney_u"] = {"statistic": float(mannwhitneyu(ga, random, alternative="two-sided").statistic),
                                    "p": float(mannwhitneyu(ga, random, alternative="two-sided").pvalue)}
        differences = np.subtract(ga, random)
        if np.any(differences != 0):
            test = wilcoxon(ga, random, alternative="two-sided")
            result["wilcoxon_paired"] = {"statistic": float(test.statistic), "p": float(test.pvalue)}
    except ImportError:
        pass
    differences = np.subtract(ga, random)
    if len(differences) <= 16:  # every sign pattern: an exact test
        signs = np.array([[1.0 if (k >> i) & 1 else -1.0 for i in range(len(differences))] for k in range(2 ** len(differences))])
    else:
        signs = np.random.default_rng(0).choice((-1.0, 1.0), size=(20_000, len(differences)))
    observed = abs(differences.mean())
    result["sign_flip_permutation_p"] = float((np.abs((signs * differences).mean(axis=1)) >= observed - 1e-15).mean())
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--population", type=int, default=50)
    parser.add_argument("--generations", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--out", default="bench/archsearch_results.json")
    parser.add_argument("--summarise", metavar="RESULTS.json", help="only recompute and print the summary of a results file (e.g. of an interrupted bench)")
    args = parser.parse_args()
    if args.summarise:
        data = json.loads(Path(args.summarise).read_text())
        pairs = [sum(r["wall_s"] for r in data["runs"] if r["seed"] == seed) for seed in sorted({r["seed"] for r in data["runs"]})]
        print(json.dumps(summarise(data["runs"], pairs), indent=2))
        return 0

    task = make_task({"name": "digits", "workers": args.workers, "epochs": args.epochs})
    runs: list[dict] = []
    pair_walls: list[float] = []
    try:
        for seed in range(args.first_seed, args.first_seed + args.seeds):
            pair = [run_one(name, seed, args.population, args.generations, task) for name in ALGORITHMS]
            runs += pair
            pair_walls.append(sum(r["wall_s"] for r in pair))
            print(
                f"seed {seed}: " + "  ".join(f"{r['algorithm']} test {r['test_accuracy']:.4f} val {r['validation_accuracy']:.4f} "
                                             f"IQR med {statistics.median(r['iqr_per_generation']):.4f} {r['wall_s']:.0f}s" for r in pair),
                flush=True,
            )
            Path(args.out).write_text(json.dumps({"args": vars(args), "runs": runs, "summary": summarise(runs, pair_walls)}, indent=1) + "\n")
    finally:
        task.close()
    print(json.dumps(summarise(runs, pair_walls), indent=2))
    return 0


def summarise(runs: list[dict], pair_walls: list[float]) -> dict:
    """Medians per algorithm and the significance tests."""
    summary: dict = {"seeds": len(pair_walls), "median_wall_per_pair_s": statistics.median(pair_walls) if pair_walls else None}
    by_name = {name: [r for r in runs if r["algorithm"] == name] for name in ALGORITHMS}
    for name, rows in by_name.items():
        if not rows:
            continue
        summary[name] = {
            "median_test_accuracy": statistics.median(r["test_accuracy"] for r in rows),
            "mean_test_accuracy": statistics.fmean(r["test_accuracy"] for r in rows),
            "median_validation_accuracy": statistics.median(r["validation_accuracy"] for r in rows),
            # Median over runs of each run's median per-generation IQR; and of the last generation's IQR.
            "median_iqr": statistics.median(statistics.median(r["iqr_per_generation"]) for r in rows),
            "median_last_generation_iqr": statistics.median(r["iqr_per_generation"][-1] for r in rows),
            "median_last_generation_median": statistics.median(r["median_per_generation"][-1] for r in rows),
            "median_wall_s": statistics.median(r["wall_s"] for r in rows),
        }
    if len(pair_walls) >= 2:
        summary["tests"] = significance([r["test_accuracy"] for r in by_name["arch-ga"]], [r["test_accuracy"] for r in by_name["arch-random"]])
        # The "boxes tighten" claim: each run's median per-generation IQR.
        summary["tests_iqr"] = significance(
            [statistics.median(r["iqr_per_generation"]) for r in by_name["arch-ga"]], [statistics.median(r["iqr_per_generation"]) for r in by_name["arch-random"]]
        )
    return summary


if __name__ == "__main__":
    raise SystemExit(main())
