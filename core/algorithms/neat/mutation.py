"""Mutation operators (Stanley & Miikkulainen 2002, section 3.1, fig. 3).

Structural mutations (add connection, add node) and non-structural ones (weights, biases,
enable bits, activations) as in the paper's NEAT: an offspring that changes structure keeps
its weights this generation.
"""

from __future__ import annotations

import numpy as np

from core.algorithms.neat.config import NeatConfig
from core.algorithms.neat.innovation import InnovationTracker
from core.networks.activations import NODE_FUNCTIONS
from core.networks.genome import ConnectionGene, Genome, NodeGene, creates_cycle


def mutate(genome: Genome, config: NeatConfig, tracker: InnovationTracker, rng: np.random.Generator) -> None:
    """Apply one round of mutation to an offspring in place.

    Add-node and add-connection fire independently with their probabilities (paper: 3% and 5%).
    If neither changed the structure, the weights mutate with ``weights.mutate_prob`` (paper: 80%)
    and the enable toggle and node-parameter mutations get their chance.
    """
    structure = config.structure
    draws = rng.random(4)
    changed_structure = False
    if draws[0] < structure.add_node_prob:
        changed_structure |= mutate_add_node(genome, config, tracker, rng)
    if draws[1] < structure.add_connection_prob:
        changed_structure |= mutate_add_connection(genome, config, tracker, rng)
    if changed_structure:
        return
    if draws[2] < config.weights.mutate_prob:
        mutate_weights(genome, config, rng)
    if draws[3] < structure.toggle_enable_prob:
        mutate_toggle_enable(genome, rng)
    nodes = config.nodes
    if nodes.response_mutate_prob or nodes.activation_mutate_prob or nodes.aggregation_mutate_prob:
        mutate_node_functions(genome, config, rng)


# Stanley's C++ biases add-node toward old links in genomes under 15 genes, skipping each with 0.3.
OLDER_SPLIT_GENES = 15
OLDER_SPLIT_SKIP = 0.3


def unit_noise(distribution: str, rng: np.random.Generator, count: int) -> np.ndarray:
    """``count`` draws of N(0, 1) ("gaussian") or U(-1, 1) ("uniform", Stanley's randposneg()*randfloat())."""
    return rng.standard_normal(count) if distribution == "gaussian" else rng.uniform(-1.0, 1.0, count)


def new_weights(config: NeatConfig, rng: np.random.Generator, shape: int | tuple[int, ...]) -> np.ndarray:
    """Fresh connection weights: N(0, init_stdev) or U(-init_range, init_range), clamped to [min, max]."""
    weights = config.weights
    if weights.init_distribution == "gaussian":
        drawn = rng.standard_normal(shape) * weights.init_stdev
    else:
        drawn = rng.uniform(-weights.init_range, weights.init_range, shape)
    return np.clip(drawn, weights.min, weights.max)


def mutate_weights(genome: Genome, config: NeatConfig, rng: np.random.Generator) -> None:
    """Perturb or replace every connection weight and non-input bias (paper: 90% perturb, 10% new).

    Biases are treated as the weights of the paper's bias input, so they follow the same rule;
    with ``nodes.bias_input`` the bias input's links are connection genes and node biases stay 0.
    Perturbations are N(0, perturb_power) or U(-perturb_power, perturb_power); replacements
    come from the initial weight distribution.
    """
    weights = config.weights
    connections = list(genome.connections.values())
    biased_nodes = [] if config.nodes.bias_input else [node for node in genome.nodes.values() if node.kind in ("output", "hidden")]
    count = len(connections) + len(biased_nodes)
    if count == 0:
        return
    # Genomes hold a handful of genes: a plain loop over pre-drawn numbers beats numpy's per-call cost.
    perturb_draws = rng.random(count).tolist()
    noise = unit_noise(weights.perturb_distribution, rng, count)
    if weights.init_distribution == weights.perturb_distribution:
        replacements = noise  # one row of draws serves both, as before the uniform options existed
    else:
        replacements = unit_noise(weights.init_distribution, rng, count)
    replace_scale = weights.init_stdev if weights.init_distribution == "gaussian" else weights.init_range
    perturb_prob, power = weights.perturb_prob, weights.perturb_power
    low, high = weights.min, weights.max
    for gene, draw, z, fresh, attribute in zip(
        connections + biased_nodes,
        perturb_draws,
        noise.tolist(),
        replacements.tolist(),
        ["weight"] * len(connections) + ["bias"] * len(biased_nodes),
    ):
        value = getattr(gene, attribute) + z * power if draw < perturb_prob else fresh * replace_scale
        setattr(gene, attribute, low if value < low else high if value > high else value)


def mutate_node_functions(genome: Genome, config: NeatConfig, rng: np.random.Generator) -> None:
    """Mutate each non-input node's response, activation and aggregation with their probabilities."""
    nodes_config = config.nodes
    candidates = [node for node in genome.nodes.values() if node.kind in ("output", "hidden")]
    if not candidates:
        return
    draws = rng.random((len(candidates), 3)).tolist()
    steps = rng.standard_normal(len(candidates)).tolist()
    for node, (response_draw, activation_draw, aggregation_draw), step in zip(candidates, draws, steps):
        if response_draw < nodes_config.response_mutate_prob:
            node.response = min(
                max(node.response + step * nodes_config.response_mutate_power, config.weights.min), config.weights.max
            )
        if activation_draw < nodes_config.activation_mutate_prob:
            # Reusing the draw below the threshold as a uniform pick keeps one row of draws per node.
            options = nodes_config.activation_options
            node.activation = options[int(activation_draw / nodes_config.activation_mutate_prob * len(options)) % len(options)]
        if aggregation_draw < nodes_config.aggregation_mutate_prob:
            options = nodes_config.aggregation_options
            node.aggregation = options[int(aggregation_draw / nodes_config.aggregation_mutate_prob * len(options)) % len(options)]


def mutate_add_connection(
    genome: Genome, config: NeatConfig, tracker: InnovationTracker, rng: np.random.Generator
) -> bool:
    """Connect two unconnected nodes with a new random weight (paper, fig. 3 top).

    Feed-forward genomes only take connections that keep them acyclic and never start at an
    output. Tries ``structure.add_connection_attempts`` random pairs.

    Returns:
        True if a connection was added.
    """
    feed_forward = config.population.feed_forward
    nodes = genome.nodes
    sources = [n for n, node in nodes.items() if not (feed_forward and node.kind == "output")]
    targets = [n for n, node in nodes.items() if node.kind in ("output", "hidden")]
    if not sources or not targets:
        return False
    existing = {(c.in_node, c.out_node) for c in genome.connections.values()}
    attempts = config.structure.add_connection_attempts
    picks = rng.random((attempts, 2))
    for pick_in, pick_out in picks:
        in_node = sources[int(pick_in * len(sources))]
        out_node = targets[int(pick_out * len(targets))]
        if (in_node, out_node) in existing:
            continue
        if feed_forward and creates_cycle(genome.connections, in_node, out_node):
            continue
        innovation = tracker.connection_innovation(in_node, out_node)
        if config.weights.init_distribution == "gaussian":  # one scalar draw, as before the uniform option
            weight = float(np.clip(rng.standard_normal() * config.weights.init_stdev, config.weights.min, config.weights.max))
        else:
            weight = float(new_weights(config, rng, 1)[0])
        genome.connections[innovation] = ConnectionGene(innovation, in_node, out_node, weight, True)
        return True
    return False


def mutate_add_node(genome: Genome, config: NeatConfig, tracker: InnovationTracker, rng: np.random.Generator) -> bool:
    """Split an enabled connection with a new node (paper, fig. 3 bottom).

    The new node's function is drawn from ``nodes.new_node_functions``, or is the default when
    that list is empty. With ``nodes.bias_input`` a bias link is never split (Stanley's C++).
    With ``structure.split_choice = "older"`` a genome of fewer than 15 genes splits its oldest
    links first (Stanley's C++); otherwise the link is drawn uniformly. The old connection is disabled; the connection into the new node gets
    weight 1.0 and the one out of it the old weight, so the new structure starts close to the
    old behaviour.

    Returns:
        True if a node was added (False when no connection is enabled).
    """
    enabled = [conn for conn in genome.connections.values() if conn.enabled]
    if config.nodes.bias_input:
        # Stanley's C++ mutate_add_node never splits a link from the bias input.
        enabled = [conn for conn in enabled if genome.nodes[conn.in_node].kind != "bias"]
    if not enabled:
        return False
    if config.structure.split_choice == "older" and len(genome.connections) < OLDER_SPLIT_GENES:
        # Stanley's C++ mutate_add_node in a small genome: walk the links oldest first from the
        # first candidate, moving on with chance 0.3 at each; walking off the end adds nothing.
        candidates = sorted(enabled, key=lambda conn: conn.innovation)
        position = 0
        while position < len(candidates) and rng.random() < OLDER_SPLIT_SKIP:
            position += 1
        if position == len(candidates):
            return False
        old = candidates[position]
    else:
        old = enabled[int(rng.integers(len(enabled)))]
    marks = tracker.split(old.innovation, old.in_node, old.out_node, genome.nodes)
    old.enabled = False
    nodes_config = config.nodes
    activation, aggregation = nodes_config.activation_default, nodes_config.aggregation_default
    if nodes_config.new_node_functions:
        # Backprop NEAT draws the new node's kind at random (backprop-neat-js addRandomNode).
        options = nodes_config.new_node_functions
        activation, aggregation = NODE_FUNCTIONS[options[int(rng.integers(len(options)))]]
    genome.nodes[marks.node_id] = NodeGene(marks.node_id, "hidden", 0.0, nodes_config.response_init, activation, aggregation)
    genome.connections[marks.in_innovation] = ConnectionGene(marks.in_innovation, old.in_node, marks.node_id, 1.0, True)
    genome.connections[marks.out_innovation] = ConnectionGene(marks.out_innovation, marks.node_id, old.out_node, old.weight, True)
    return True


def mutate_toggle_enable(genome: Genome, rng: np.random.Generator) -> None:
    """Flip the enabled bit of one random connection.

    Safe for feed-forward genomes: every gene, disabled or not, was added acyclic.
    """
    if not genome.connections:
        return
    keys = list(genome.connections)
    conn = genome.connections[keys[int(rng.integers(len(keys)))]]
    conn.enabled = not conn.enabled
