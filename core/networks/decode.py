"""Decode a genome into a runnable network (genotype to phenotype).

Decoding reads the genome and never changes it. Only enabled connections and nodes that can
reach an output take part.
"""

from __future__ import annotations

from core.networks.genome import SOURCE_KINDS, Genome
from core.networks.network import FeedForwardNetwork, NodeEval, RecurrentNetwork


class CycleError(ValueError):
    """A genome meant to be feed-forward contains a cycle of enabled connections."""


def _required_nodes(genome: Genome, incoming: dict[int, list[tuple[int, float]]], output_ids: list[int]) -> set[int]:
    """Non-input nodes from which an output can be reached over enabled connections."""
    required = set(output_ids)
    frontier = list(output_ids)
    while frontier:
        node = frontier.pop()
        for src, _ in incoming.get(node, ()):
            if src not in required and genome.nodes[src].kind not in SOURCE_KINDS:
                required.add(src)
                frontier.append(src)
    return required


def _node_eval(genome: Genome, node_id: int, incoming: dict[int, list[tuple[int, float]]]) -> NodeEval:
    node = genome.nodes[node_id]
    edges = incoming.get(node_id, [])
    return NodeEval(
        node_id,
        node.bias,
        node.response,
        node.activation,
        node.aggregation,
        tuple(src for src, _ in edges),
        tuple(w for _, w in edges),
    )


def decode(genome: Genome, recurrent: bool = False) -> FeedForwardNetwork | RecurrentNetwork:
    """Build the network a genome encodes.

    Args:
        genome: the genome; left untouched.
        recurrent: False decodes an acyclic genome into a ``FeedForwardNetwork`` ordered by
            depth; True decodes any genome into a ``RecurrentNetwork``.

    Raises:
        CycleError: ``recurrent`` is False and the enabled connections form a cycle.
        KeyError: a connection names a node the genome lacks.
    """
    input_ids = genome.input_ids()
    output_ids = genome.output_ids()
    bias_ids = tuple(genome.bias_ids())
    incoming: dict[int, list[tuple[int, float]]] = {}
    for innovation, conn in genome.connections.items():
        if conn.enabled:
            if conn.in_node not in genome.nodes or conn.out_node not in genome.nodes:
                raise KeyError(f"connection {innovation} links missing node {conn.in_node} -> {conn.out_node}")
            incoming.setdefault(conn.out_node, []).append((conn.in_node, conn.weight))
    required = _required_nodes(genome, incoming, output_ids)

    if recurrent:
        order = sorted(required)
        return RecurrentNetwork(tuple(input_ids), tuple(output_ids), tuple(_node_eval(genome, n, incoming) for n in order), bias_ids)

    # Depth = longest path from an input; a node with no incoming connection sits at depth 1.
    depth = {n: 0 for n in (*input_ids, *bias_ids)}
    pending = sorted(required)
    while pending:
        still_pending = []
        for node_id in pending:
            sources = [src for src, _ in incoming.get(node_id, ())]
            if all(src in depth for src in sources):
                depth[node_id] = 1 + max((depth[src] for src in sources), default=0)
            else:
                still_pending.append(node_id)
        if len(still_pending) == len(pending):
            raise CycleError(f"genome {genome.genome_id} has a cycle through nodes {still_pending}")
        pending = still_pending
    layer_count = max((depth[n] for n in required), default=0)
    layers = tuple(tuple(n for n in sorted(required) if depth[n] == d) for d in range(1, layer_count + 1))
    order = [n for layer in layers for n in layer]
    return FeedForwardNetwork(tuple(input_ids), tuple(output_ids), tuple(_node_eval(genome, n, incoming) for n in order), layers, bias_ids)
