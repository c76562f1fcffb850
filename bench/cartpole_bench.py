"""CartPole-v1 throughput: NEAT Scope's batched evaluator against neat-python 2.0.0's loop.

Usage: python bench/cartpole_bench.py [--generations 20] [--neat-python-generations 5]
                                      [--scaling 150,1000,10000] [--skip-neat-python]
                                      [--kernels numba,numpy]

Both sides: feed-forward, population 150, 5 episodes of CartPole-v1 per genome, fitness = mean
return. Runs keep going after solving (``--no-stop``) so that long, successful episodes are
part of the measure. env-steps/s counts real environment steps (finished episodes are not
stepped) over the whole wall time, NEAT bookkeeping included. NEAT Scope runs once per
evaluation kernel (numba: the compiled fused loop; numpy: the reference path); numba's one-time
import and cache load is measured before and reported apart.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.algorithms.neat.config import default_config  # noqa: E402
from core.algorithms.neat.evolution import Neat  # noqa: E402
from core.tasks.cartpole import CartPoleTask  # noqa: E402


def run_ours(population: int, episodes: int, generations: int, seed: int = 0, kernel: str = "numpy") -> dict:
    """Evolve for a fixed number of generations; split the wall time into parts."""
    task = CartPoleTask(episodes=episodes)
    config = default_config().replace(**{"population.size": population})
    started = time.perf_counter()
    evolution = Neat(config, task, seed)
    evolution.kernel = kernel
    steps = 0
    network_s = physics_s = fused_s = 0.0
    generation_walls = []
    solved_at = None
    for _ in range(generations):
        report = evolution.step()
        stats = task.last_stats
        steps += stats.env_steps
        network_s += stats.network_s
        physics_s += stats.physics_s
        fused_s += stats.fused_s
        generation_walls.append(dict(report.timings)["total_s"])
        if solved_at is None and report.solved:
            solved_at = report.generation
    wall = time.perf_counter() - started
    assert evolution.last_kernel == kernel, f"asked for {kernel}, ran on {evolution.last_kernel}"
    return {
        "kernel": kernel,
        "population": population,
        "episodes": episodes,
        "generations": generations,
        "env_steps": steps,
        "wall_s": wall,
        "steps_per_s": steps / wall,
        "network_share": network_s / wall,
        "env_share": physics_s / wall,
        "fused_share": fused_s / wall,
        "bookkeeping_share": 1 - (network_s + physics_s + fused_s) / wall,
        "solved_generation": solved_at,
        "max_generation_s": max(generation_walls),
        "median_generation_s": statistics.median(generation_walls),
    }


def run_neat_python(generations: int, seed: int = 0) -> dict:
    """neat-python's standard evaluation: one genome, one gymnasium env, one step at a time."""
    import gymnasium
    import neat

    config = neat.Config(
        neat.DefaultGenome, neat.DefaultReproduction, neat.DefaultSpeciesSet, neat.DefaultStagnation,
        str(ROOT / "bench" / "neat_python_cartpole.cfg"),
    )
    counted = {"steps": 0, "generation": 0, "solved_at": None}
    env = gymnasium.make("CartPole-v1")

    def eval_genomes(genomes, config):
        episode_seeds = [counted["generation"] * 1000 + e for e in range(5)]
        best = 0.0
        for _, genome in genomes:
            net = neat.nn.FeedForwardNetwork.create(genome, config)
            total = 0.0
            for episode_seed in episode_seeds:
                observation, _ = env.reset(seed=episode_seed)
                done = False
                while not done:
                    action = int(np.argmax(net.activate(observation)))
                    observation, reward, terminated, truncated, _ = env.step(action)
                    total += reward
                    counted["steps"] += 1
                    done = terminated or truncated
            genome.fitness = total / len(episode_seeds)
            best = max(best, genome.fitness)
        if counted["solved_at"] is None and best >= 475:
            counted["solved_at"] = counted["generation"]
        counted["generation"] += 1

    config.no_fitness_termination = True
    started = time.perf_counter()
    population = neat.Population(config, seed=seed)
    population.run(eval_genomes, generations)
    wall = time.perf_counter() - started
    return {"generations": generations, "env_steps": counted["steps"], "wall_s": wall, "steps_per_s": counted["steps"] / wall, "solved_generation": counted["solved_at"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--generations", type=int, default=20)
    parser.add_argument("--neat-python-generations", type=int, default=5)
    parser.add_argument("--scaling", default="150,1000,10000")
    parser.add_argument("--skip-neat-python", action="store_true")
    parser.add_argument("--kernels", default="numba,numpy", help="NEAT Scope evaluation kernels to measure, in order")
    args = parser.parse_args()
    kernels = [k.strip() for k in args.kernels.split(",") if k.strip()]

    if "numba" in kernels:
        import core.compiled

        started = time.perf_counter()
        if core.compiled.load() is None:
            raise SystemExit("numba kernels unavailable")
        print(f"numba import + kernel cache load + check: {time.perf_counter() - started:.2f} s (once per process, not in the numbers below)\n")

    ours = [run_ours(150, 5, args.generations, kernel=kernel) for kernel in kernels]
    theirs = None if args.skip_neat_python else run_neat_python(args.neat_python_generations)
    print("## pop 150 x 5 episodes, feed-forward, CartPole-v1\n")
    print("| implementation | generations | env steps | wall | env-steps/s | solved at generation |")
    print("|---|---|---|---|---|---|")
    for row in ours:
        print(
            f"| NEAT Scope, {row['kernel']} | {row['generations']} | {row['env_steps']:,} | {row['wall_s']:.2f} s | {row['steps_per_s']:,.0f} "
            f"| {row['solved_generation']} |"
        )
    if theirs:
        print(f"| neat-python 2.0.0 | {theirs['generations']} | {theirs['env_steps']:,} | {theirs['wall_s']:.2f} s | {theirs['steps_per_s']:,.0f} | {theirs['solved_generation']} |")
        print()
        for row in ours:
            print(f"Speed-up in env-steps/s, NEAT Scope {row['kernel']} / neat-python: {row['steps_per_s'] / theirs['steps_per_s']:.1f}x")
    print()
    for row in ours:
        print(
            f"NEAT Scope {row['kernel']} time shares: network {row['network_share']:.0%}, env physics {row['env_share']:.0%}, "
            f"fused network + physics {row['fused_share']:.0%}, NEAT bookkeeping and the rest {row['bookkeeping_share']:.0%}."
        )

    print("\n## Scaling (1 episode per genome, 5 generations each)\n")
    print("| kernel | population | env steps | wall | env-steps/s | median generation | slowest generation |")
    print("|---|---|---|---|---|---|---|")
    for population in (int(p) for p in args.scaling.split(",")):
        for kernel in kernels:
            row = run_ours(population, 1, 5, kernel=kernel)
            print(
                f"| {kernel} | {population:,} | {row['env_steps']:,} | {row['wall_s']:.2f} s | {row['steps_per_s']:,.0f} "
                f"| {row['median_generation_s']:.2f} s | {row['max_generation_s']:.2f} s |"
            )


if __name__ == "__main__":
    main()
