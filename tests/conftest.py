"""Shared fixtures: an explicit RNG, configs, and genome builders."""

from __future__ import annotations

import numpy as np
import pytest

from core.algorithms.neat.config import NeatConfig, default_config
from core.algorithms.neat.innovation import InnovationTracker
from core.algorithms.neat.mutation import (
    mutate_add_connection,
    mutate_add_node,
    mutate_node_functions,
    mutate_toggle_enable,
    mutate_weights,
)
from core.networks.genome import ConnectionGene, Genome, NodeGene


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(0)


@pytest.fixture
def config() -> NeatConfig:
    return default_config()


def make_genome(genome_id: int, num_inputs: int, num_outputs: int, connections=(), hidden=(), activation="sigmoid") -> Genome:
    """A genome from explicit parts; connections are (innovation, in, out, weight, enabled)."""
    nodes = {i: NodeGene(i, "input", 0.0, 1.0, "identity", "sum") for i in range(num_inputs)}
    for o in range(num_inputs, num_inputs + num_outputs):
        nodes[o] = NodeGene(o, "output", 0.0, 1.0, activation, "sum")
    for h in hidden:
        nodes[h] = NodeGene(h, "hidden", 0.0, 1.0, activation, "sum")
    return Genome(genome_id, nodes, {c[0]: ConnectionGene(*c) for c in connections})


def grow_random_genomes(
    count: int, num_inputs: int, num_outputs: int, *, recurrent: bool, rng: np.random.Generator, steps: int = 25
) -> list[Genome]:
    """Random genomes of varied shape: hidden chains, disabled genes, mixed node functions."""
    activations = ["sigmoid", "tanh", "relu", "identity", "gaussian", "sin", "abs", "square"]
    config = default_config().replace(
        **{
            "population.feed_forward": not recurrent,
            "nodes.activation_options": activations,
            "nodes.activation_mutate_prob": 0.5,
            "nodes.aggregation_options": ["sum", "product", "max"],
            "nodes.aggregation_mutate_prob": 0.3,
            "nodes.response_mutate_prob": 0.5,
            "nodes.response_mutate_power": 0.5,
        }
    )
    tracker = InnovationTracker(num_inputs + num_outputs, 0, "run")
    genomes = []
    for genome_id in range(count):
        genome = make_genome(genome_id, num_inputs, num_outputs)
        for _ in range(steps):
            choice = rng.random()
            if choice < 0.3:
                mutate_add_node(genome, config, tracker, rng)
            elif choice < 0.75:
                mutate_add_connection(genome, config, tracker, rng)
            elif choice < 0.85:
                mutate_toggle_enable(genome, rng)
            else:
                mutate_node_functions(genome, config, rng)
            mutate_weights(genome, config, rng)
        genomes.append(genome)
    return genomes
