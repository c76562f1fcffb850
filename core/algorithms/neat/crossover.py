"""Crossover by historical markings (Stanley & Miikkulainen 2002, section 3.2, fig. 4)."""

from __future__ import annotations

import numpy as np

from core.algorithms.neat.config import NeatConfig
from core.networks.genome import ConnectionGene, Genome, NodeGene


def crossover(fitter: Genome, other: Genome, child_id: int, config: NeatConfig, rng: np.random.Generator) -> Genome:
    """Mate two genomes aligned by innovation number.

    "Matching genes are inherited randomly, whereas disjoint genes and excess genes are inherited
    from the more fit parent" (paper, p. 109). "There was a 75% chance that an inherited gene was
    disabled if it was disabled in either parent" (p. 112). The child has exactly the fitter
    parent's structure, so a feed-forward child of feed-forward parents stays acyclic.

    Args:
        fitter: the parent whose disjoint and excess genes the child inherits (callers break
            fitness ties, see ``core.algorithms.neat.reproduction``).
        other: the second parent.
        child_id: id of the new genome.

    Returns:
        A new unevaluated genome; the parents are untouched.
    """
    disable_prob = config.crossover.disable_inherit_prob
    other_connections = other.connections
    fitter_connections = fitter.connections
    draws = rng.random((len(fitter_connections), 2)).tolist()
    connections = {}
    for (innovation, gene), (pick, disable) in zip(fitter_connections.items(), draws):
        partner = other_connections.get(innovation)
        if partner is None:
            source = gene
            enabled = gene.enabled
        else:
            source = gene if pick < 0.5 else partner
            enabled = gene.enabled and partner.enabled
        if not enabled:
            enabled = disable >= disable_prob
        connections[innovation] = ConnectionGene(innovation, source.in_node, source.out_node, source.weight, enabled)

    other_nodes = other.nodes
    node_draws = rng.random(len(fitter.nodes)).tolist()
    nodes = {}
    for (node_id, node), pick in zip(fitter.nodes.items(), node_draws):
        if node.kind in ("input", "bias"):
            nodes[node_id] = node  # shared: input and bias genes never change
            continue
        partner_node = other_nodes.get(node_id)
        source = node if partner_node is None or pick < 0.5 else partner_node
        nodes[node_id] = NodeGene(node_id, source.kind, source.bias, source.response, source.activation, source.aggregation)
    return Genome(child_id, nodes, connections)
