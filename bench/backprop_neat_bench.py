"""Backprop NEAT on the TensorFlow Playground datasets: accuracy against two ablations, and time per generation.

Usage: python bench/backprop_neat_bench.py [--seeds 10] [--quick] [--skip-accuracy] [--skip-timing]

Accuracy (issue 16's protocol): article convention (200 training, 400 test points, labels 0/1),
noise 0.5, population 100, seeds 0..N-1 (run seed = data seed). circle, xor and gaussian run 20
generations, spiral 100. The number is the test accuracy of the last generation's champion (the
genome with the best fitness, i.e. the best penalised *training* loss; the test set never
selects anything). Beside Backprop NEAT:
- ``--no-backprop``: the same algorithm without training, weights evolved by NEAT's mutation;
- a fixed MLP of the Playground's default shape (2-4-2-1, tanh hidden units, sigmoid output)
  trained with the same optimiser and budget: 100 random initialisations, each trained in
  chunks of 600 steps exactly as Backprop NEAT trains a genome each generation (same early
  stopping, weights kept between chunks), as many chunks as generations; the initialisation
  with the best final training loss is the "champion".

Timing: one generation at population 100 with 600 steps of minibatch 10, measured on
populations the spiral run actually grew (generations 1, 20 and 100), as the run does it (early
stopping on) and with early stopping off (all 600 steps for every genome, the worst case).

Prints Markdown tables (paste them into bench/RESULTS.md) and writes bench/out/backprop_neat.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from core.algorithms.backprop_neat import NO_BACKPROP, BackpropNeat  # noqa: E402
from core.networks.backprop import TrainableNetwork, TrainingSettings, train_population  # noqa: E402
from core.networks.batch import PopulationNetwork  # noqa: E402
from core.networks.mlp import MlpShape  # noqa: E402
from core.tasks.playground import PlaygroundTask  # noqa: E402

GENERATIONS = {"circle": 20, "xor": 20, "gaussian": 20, "spiral": 100}
TARGETS = {"circle": 0.95, "xor": 0.95, "gaussian": 0.95, "spiral": 0.90}
NOISE = 0.5
POPULATION = 100


def run_evolution(dataset: str, seed: int, generations: int, no_backprop: bool, features: tuple[str, ...] = ("x", "y")) -> dict:
    """One Backprop NEAT run (or its no-backprop ablation); the last champion's numbers."""
    started = time.perf_counter()
    task = PlaygroundTask(dataset, NOISE, data_seed=seed, features=features)
    config = BackpropNeat.load_config(layers=(NO_BACKPROP,) if no_backprop else ()).replace(**{"population.size": POPULATION})
    run = BackpropNeat(config, task, seed)
    reports = list(run.run(generations, stop_when_solved=False))
    champion = reports[-1].champion.to_genome()
    metrics = task.metrics([champion])[0]
    train_seconds = [dict(r.timings)["train_s"] for r in reports]
    total_seconds = [dict(r.timings)["total_s"] for r in reports]
    return {
        **metrics.to_dict(),
        "test_curve": [r.extras.champion_test_accuracy for r in reports],
        "wall_s": time.perf_counter() - started,
        "median_generation_s": statistics.median(total_seconds),
        "median_train_s": statistics.median(train_seconds),
    }


def run_fixed_mlp(dataset: str, seed: int, chunks: int) -> dict:
    """100 Playground-default MLPs trained in ``chunks`` chunks of 600 steps; the best by training loss."""
    started = time.perf_counter()
    task = PlaygroundTask(dataset, NOISE, data_seed=seed)
    shape = MlpShape(2, (4, 2), 1, "tanh", "logistic")
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(7,)))
    genomes = [shape.to_genome(rng.standard_normal(shape.parameter_count) * shape.init_scale(), i) for i in range(POPULATION)]
    backprop = BackpropNeat.default_config().backprop
    config_weights = BackpropNeat.default_config().weights
    settings = TrainingSettings(
        steps=backprop.steps,
        batch_size=backprop.batch_size,
        learning_rate=backprop.learning_rate,
        decay=backprop.weight_decay,
        rmsprop_decay=backprop.rmsprop_decay,
        gradient_clip=backprop.gradient_clip,
        weight_min=config_weights.min,
        weight_max=config_weights.max,
        check_every=backprop.check_every,
    )
    inputs, targets = task.training_set()
    for chunk in range(chunks):
        network = TrainableNetwork(PopulationNetwork(genomes))
        with np.errstate(all="ignore"):
            result = train_population(network, inputs, targets, settings, np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(8, chunk))))
        genomes = network.write_back(genomes, result.theta)
    metrics = task.metrics(genomes)
    best = min(range(POPULATION), key=lambda i: (metrics[i].train_loss, i))
    return {
        **metrics[best].to_dict(),
        "mean_test_accuracy_all_inits": statistics.fmean(m.test_accuracy for m in metrics),
        "wall_s": time.perf_counter() - started,
    }


def accuracy(seeds: int, quick: bool) -> dict:
    results: dict = {}
    for dataset, generations in GENERATIONS.items():
        if quick:
            generations = max(2, generations // 10)
        for method in ("backprop-neat", "no-backprop", "fixed-mlp"):
            rows = []
            for seed in range(seeds):
                if method == "fixed-mlp":
                    row = run_fixed_mlp(dataset, seed, generations)
                else:
                    row = run_evolution(dataset, seed, generations, method == "no-backprop")
                rows.append(row)
                print(f"{dataset:8s} {method:13s} seed {seed}: test {row['test_accuracy']:.3f} train {row['train_accuracy']:.3f} "
                      f"{row['hidden_nodes']}h/{row['enabled_connections']}c  {row['wall_s']:.1f} s", file=sys.stderr, flush=True)  # fmt: skip
            results.setdefault(dataset, {})[method] = {"generations": generations, "runs": rows}
    return results


ALL_FEATURES = ("x", "y", "x2", "y2", "xy", "sinx", "siny")


def features_ablation(seeds: int, quick: bool) -> dict:
    """Spiral with the Playground's engineered inputs (x^2, y^2, xy, sin x, sin y) handed to Backprop NEAT."""
    generations = 10 if quick else GENERATIONS["spiral"]
    rows = []
    for seed in range(seeds):
        row = run_evolution("spiral", seed, generations, False, ALL_FEATURES)
        rows.append(row)
        print(f"spiral   all features seed {seed}: test {row['test_accuracy']:.3f} {row['hidden_nodes']}h/{row['enabled_connections']}c", file=sys.stderr, flush=True)
    return {"spiral": {"backprop-neat, inputs x,y,x2,y2,xy,sinx,siny": {"generations": generations, "runs": rows}}}


def timing(repeats: int, quick: bool) -> dict:
    """Train-and-evaluate time of one generation for populations grown by a spiral run."""
    task = PlaygroundTask("spiral", NOISE, data_seed=0)
    config = BackpropNeat.default_config().replace(**{"population.size": POPULATION})
    run = BackpropNeat(config, task, 0)
    checkpoints = (1, 20) if quick else (1, 20, 100)
    measured = {}
    inputs, targets = task.training_set()
    for generation in checkpoints:
        while run.generation < generation:
            run.step()
        population = [g.copy(g.genome_id) for g in run.population]
        sizes = [len(g.connections) for g in population]
        row = {"genomes": len(population), "mean_connections": statistics.fmean(sizes), "hidden_nodes": statistics.fmean(g.hidden_count() for g in population)}
        for label, check_every in (("early_stopping", 20), ("all_600_steps", 10**9)):
            settings = run.training_settings()
            settings = TrainingSettings(**{**{f: getattr(settings, f) for f in settings.__slots__}, "check_every": check_every})
            times = []
            for repeat in range(repeats):
                started = time.perf_counter()
                network = TrainableNetwork(PopulationNetwork(population))
                with np.errstate(all="ignore"):
                    result = train_population(network, inputs, targets, settings, np.random.default_rng(repeat))
                trained = network.write_back(population, result.theta)
                task.evaluate(PopulationNetwork(trained), np.random.default_rng(0))
                times.append(time.perf_counter() - started)
            row[label] = {"median_s": statistics.median(times), "min_s": min(times), "mean_steps": float(np.mean(result.steps))}
        measured[f"generation_{generation}"] = row
        print(f"timing at generation {generation}: {row}", file=sys.stderr, flush=True)
    return measured


def _table(results: dict) -> str:
    lines = [
        "| dataset | generations | method | mean test acc | min | seeds >= target | mean train acc | champion size (hidden/conn.) | mean wall s |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for dataset, methods in results.items():
        for method, data in methods.items():
            runs = data["runs"]
            tests = [r["test_accuracy"] for r in runs]
            target = TARGETS[dataset]
            size = f"{statistics.fmean(r['hidden_nodes'] for r in runs):.1f}/{statistics.fmean(r['enabled_connections'] for r in runs):.1f}"
            extra = ""
            if method == "fixed-mlp":
                extra = f" (one init: {statistics.fmean(r['mean_test_accuracy_all_inits'] for r in runs):.3f})"
            lines.append(
                f"| {dataset} | {data['generations']} | {method} | {statistics.fmean(tests):.3f}{extra} | {min(tests):.3f} | "
                f"{sum(t >= target for t in tests)}/{len(tests)} (>= {target}) | {statistics.fmean(r['train_accuracy'] for r in runs):.3f} | "
                f"{size} | {statistics.fmean(r['wall_s'] for r in runs):.1f} |"
            )
    return "\n".join(lines)


def _timing_table(measured: dict) -> str:
    lines = [
        "| population of | mean connections | mean hidden | early stopping on: s (mean steps) | all 600 steps: s |",
        "|---|---|---|---|---|",
    ]
    for name, row in measured.items():
        lines.append(
            f"| spiral {name.replace('_', ' ')} | {row['mean_connections']:.1f} | {row['hidden_nodes']:.1f} | "
            f"{row['early_stopping']['median_s']:.3f} ({row['early_stopping']['mean_steps']:.0f}) | {row['all_600_steps']['median_s']:.3f} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=5, help="timing repeats per case (median reported)")
    parser.add_argument("--quick", action="store_true", help="a tenth of the generations (a smoke test, not the protocol)")
    parser.add_argument("--skip-accuracy", action="store_true")
    parser.add_argument("--skip-timing", action="store_true")
    parser.add_argument("--features-ablation", action="store_true", help="also spiral with all engineered inputs")
    args = parser.parse_args()
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    report: dict = {"seeds": args.seeds, "noise": NOISE, "population": POPULATION, "quick": args.quick}
    if not args.skip_timing:
        report["load_average_before_timing"] = os.getloadavg()
        report["timing"] = timing(args.repeats, args.quick)
        print(_timing_table(report["timing"]))
        print(f"load average (1, 5, 15 min) before timing: {report['load_average_before_timing']}, cores: {os.cpu_count()}")
    if not args.skip_accuracy:
        report["accuracy"] = accuracy(args.seeds, args.quick)
        print(_table(report["accuracy"]))
    if args.features_ablation:
        report["features_ablation"] = features_ablation(args.seeds, args.quick)
        print(_table(report["features_ablation"]))
    (out / ("backprop_neat_features.json" if args.skip_accuracy and args.features_ablation else "backprop_neat.json")).write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
