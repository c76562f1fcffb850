"""neat-python 2.0.0's XOR example, one seed: the yardstick of bench/xor_bench.py.

Usage: python bench/neat_python_xor.py SEED [GENERATIONS]  (prints a JSON line)

Imports only neat, as a neat-python user's script does, so that ``--per-process`` start-up
costs are what a user would pay.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

CONFIG = Path(__file__).resolve().parent / "neat_python_xor.cfg"
XOR_CASES = [((0.0, 0.0), 0.0), ((0.0, 1.0), 1.0), ((1.0, 0.0), 1.0), ((1.0, 1.0), 0.0)]


def run_neat_python(seed: int, generations: int, config_path: Path = CONFIG) -> dict:
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


if __name__ == "__main__":
    print(json.dumps(run_neat_python(int(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 300)))
