"""HyperNEAT benchmarks (issue 17): boxes accuracy across resolutions, and substrate decoding time.

    python bench/hyperneat_bench.py boxes --seeds 20 --generations 200 --out bench/out/boxes.jsonl
    python bench/hyperneat_bench.py decode --repeats 15

``boxes``: per seed, HyperNEAT (population 150, the shipped defaults) evolves on the 11x11 boxes
task for the given generations without stopping; the final generation's champion CPPN is then
decoded at 11x11, 33x33 and 55x55 and shown all 484 trials of ``exhaustive_trials`` (every
small-box pixel x right/down/both diagonals). Accuracy = share of trials answered within one
test-field pixel of the large box's centre. One JSON line per seed is appended to ``--out`` as it
finishes (a rerun skips seeds already there), then a table is printed.

``decode``: time to decode a population of 150 CPPNs onto the 11x11 -> 11x11 sandwich (14,641
links plus 121 biases each), for the starting population and for an evolved one; a numpy tanh
over the same number of values (2.2 M) is timed alongside as the machine's yardstick.
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

from core.algorithms.hyperneat.evolution import HyperNeat  # noqa: E402
from core.algorithms.hyperneat.inspect import boxes_accuracy  # noqa: E402
from core.tasks.boxes import BoxesTask  # noqa: E402

RESOLUTIONS = (11, 33, 55)


def run_boxes_seed(seed: int, generations: int, population: int, overrides: dict) -> dict:
    config = HyperNeat.load_config(overrides=overrides).replace(**{"population.size": population})
    run = HyperNeat(config, BoxesTask(), seed)
    started = time.perf_counter()
    for _ in run.run(generations, stop_when_solved=False):
        pass
    evolve_s = time.perf_counter() - started
    last = run.history[-1]
    results = boxes_accuracy(config, last.champion.to_genome(), RESOLUTIONS)
    solved = next((r.generation for r in run.history if r.solved), None)
    return {
        "seed": seed,
        "generations": generations,
        "population": population,
        "overrides": overrides,
        "final_best_fitness": last.best_fitness,
        "first_generation_at_110": solved,
        "champion_cppn_nodes": len(last.champion.nodes),
        "champion_cppn_connections": last.champion.enabled_count,
        "accuracy": {str(r): results[r].accuracy for r in RESOLUTIONS},
        "exact": {str(r): results[r].exact for r in RESOLUTIONS},
        "mean_distance": {str(r): results[r].mean_distance for r in RESOLUTIONS},
        "links": {str(r): results[r].links for r in RESOLUTIONS},
        "evolve_s": evolve_s,
        "wall_s": time.perf_counter() - started,
    }


def boxes(args: argparse.Namespace) -> None:
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    overrides = {"hyperneat": {"distance_input": False}} if args.no_distance else {}
    done = {}
    if out.exists():
        for line in out.read_text().splitlines():
            record = json.loads(line)
            if record["generations"] == args.generations and record["overrides"] == overrides:
                done[record["seed"]] = record
    for seed in range(args.first_seed, args.first_seed + args.seeds):
        if seed in done or args.table_only:
            continue
        record = run_boxes_seed(seed, args.generations, args.population, overrides)
        done[seed] = record
        with out.open("a") as stream:
            stream.write(json.dumps(record) + "\n")
        print(f"seed {seed}: accuracy {record['accuracy']}  exact {record['exact']}  {record['wall_s']:.0f} s", flush=True)
    records = [done[s] for s in sorted(done) if args.first_seed <= s < args.first_seed + args.seeds]
    if not records:
        print("no finished seeds")
        return
    print(f"\n{len(records)} seeds ({', '.join(str(x['seed']) for x in records)}), {args.generations} generations, population {args.population}, overrides {overrides}")
    print("| resolution | mean accuracy (within 1 px) | min | median | seeds >= 90% | mean exact | mean distance (px) |")
    print("|---|---|---|---|---|---|---|")
    for r in RESOLUTIONS:
        acc = [x["accuracy"][str(r)] for x in records]
        exact = [x["exact"][str(r)] for x in records]
        dist = [x["mean_distance"][str(r)] for x in records]
        print(
            f"| {r}x{r} | {100 * statistics.mean(acc):.1f}% | {100 * min(acc):.1f}% | {100 * statistics.median(acc):.1f}% | "
            f"{sum(a >= 0.9 for a in acc)}/{len(acc)} | {100 * statistics.mean(exact):.1f}% | {statistics.mean(dist):.3f} |"
        )
    drops = [100 * (x["accuracy"]["11"] - x["accuracy"]["33"]) for x in records]
    print(f"points lost 11 -> 33: mean {statistics.mean(drops):.2f}, max {max(drops):.2f}")
    solved = [x["first_generation_at_110"] for x in records if x["first_generation_at_110"] is not None]
    print(f"runs reaching fitness 110: {len(solved)}/{len(records)}, median generation {statistics.median(solved) if solved else None}")
    print(f"wall per seed: median {statistics.median(x['wall_s'] for x in records):.0f} s")


def _time(function, repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return times


def decode(args: argparse.Namespace) -> None:
    config = HyperNeat.default_config()
    fresh = HyperNeat(config, BoxesTask(), 0)
    evolved = HyperNeat(config, BoxesTask(), 0)
    for _ in evolved.run(args.evolve_generations, stop_when_solved=False):
        pass
    values = np.random.default_rng(0).standard_normal((150, 14641))
    rows = [("yardstick: np.tanh over 150 x 14,641 values", lambda: np.tanh(values), None)]
    for label, run in (("starting population (6 -> 2 CPPNs)", fresh), (f"population after {args.evolve_generations} generations", evolved)):
        hidden = statistics.mean(g.hidden_count() for g in run.population)
        for kernel in ("numpy", "numba"):
            rows.append(
                (
                    f"decode 150 CPPNs on {kernel}, {label}, mean {hidden:.1f} hidden CPPN nodes",
                    lambda run=run, kernel=kernel: run.decoder.decode(run.population, kernel=kernel),
                    run,
                )
            )
    print(f"decode benchmark: 11x11 -> 11x11 substrate, {fresh.substrate.potential_links:,} links + 121 biases per CPPN, population 150")
    print("| what | median | min | max |")
    print("|---|---|---|---|")
    for label, function, _ in rows:
        times = _time(function, args.repeats)
        print(f"| {label} | {1000 * statistics.median(times):.1f} ms | {1000 * min(times):.1f} ms | {1000 * max(times):.1f} ms |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    b = commands.add_parser("boxes")
    b.add_argument("--seeds", type=int, default=20)
    b.add_argument("--first-seed", type=int, default=0)
    b.add_argument("--generations", type=int, default=200)
    b.add_argument("--population", type=int, default=150)
    b.add_argument("--no-distance", action="store_true", help="CPPN without the distance input (x1, y1, x2, y2, bias only)")
    b.add_argument("--out", default="bench/out/hyperneat_boxes.jsonl")
    b.add_argument("--table-only", action="store_true", help="print the table of the seeds already in --out, run nothing")
    b.set_defaults(handler=boxes)
    d = commands.add_parser("decode")
    d.add_argument("--repeats", type=int, default=15)
    d.add_argument("--evolve-generations", type=int, default=30)
    d.set_defaults(handler=decode)
    args = parser.parse_args()
    args.handler(args)


if __name__ == "__main__":
    main()
