"""Graph genomes as plain JSON data, read back with every field checked."""

from __future__ import annotations

import math
from typing import Any

from core.networks.activations import ACTIVATIONS, AGGREGATIONS
from core.networks.genome import ConnectionGene, Genome, NodeGene, creates_cycle
from core.runs.fields import RunFileError, read_counter, read_field, read_list, read_number


def genome_to_dict(genome: Genome) -> dict[str, Any]:
    """A genome as plain JSON data."""
    return {
        "id": genome.genome_id,
        "fitness": genome.fitness,
        "nodes": [
            {"id": n.node_id, "kind": n.kind, "bias": n.bias, "response": n.response, "activation": n.activation, "aggregation": n.aggregation}
            for n in genome.nodes.values()
        ],
        "connections": [
            {"innovation": c.innovation, "in": c.in_node, "out": c.out_node, "weight": c.weight, "enabled": c.enabled}
            for c in genome.connections.values()
        ],
    }


def genome_from_dict(data: Any, where: str) -> Genome:
    """Read and check one genome (node kinds and functions, unique ids, connection ends).

    Raises:
        RunFileError: naming the first field that is wrong.
    """
    nodes: dict[int, NodeGene] = {}
    for i, raw in enumerate(read_list(data, "nodes", where)):
        at = f"{where}.nodes[{i}]"
        node_id = read_counter(raw, "id", at)
        kind = read_field(raw, "kind", str, at)
        if kind not in ("input", "output", "hidden"):
            raise RunFileError(f"{at}.kind: unknown node kind {kind!r}")
        activation = read_field(raw, "activation", str, at)
        if activation not in ACTIVATIONS:
            raise RunFileError(f"{at}.activation: unknown activation {activation!r}")
        aggregation = read_field(raw, "aggregation", str, at)
        if aggregation not in AGGREGATIONS:
            raise RunFileError(f"{at}.aggregation: unknown aggregation {aggregation!r}")
        if node_id in nodes:
            raise RunFileError(f"{at}.id: duplicate node id {node_id}")
        nodes[node_id] = NodeGene(node_id, kind, read_number(raw, "bias", at), read_number(raw, "response", at), activation, aggregation)
    connections: dict[int, ConnectionGene] = {}
    pairs = set()
    for i, raw in enumerate(read_list(data, "connections", where)):
        at = f"{where}.connections[{i}]"
        innovation = read_counter(raw, "innovation", at)
        in_node = read_counter(raw, "in", at)
        out_node = read_counter(raw, "out", at)
        if innovation in connections:
            raise RunFileError(f"{at}.innovation: duplicate innovation number {innovation}")
        for end, node_id in (("in", in_node), ("out", out_node)):
            if node_id not in nodes:
                raise RunFileError(f"{at}.{end}: connection to missing node {node_id}")
        if nodes[out_node].kind == "input":
            raise RunFileError(f"{at}.out: connection into input node {out_node}")
        if (in_node, out_node) in pairs:
            raise RunFileError(f"{at}: duplicate connection {in_node} -> {out_node}")
        pairs.add((in_node, out_node))
        connections[innovation] = ConnectionGene(innovation, in_node, out_node, read_number(raw, "weight", at), read_field(raw, "enabled", bool, at))
    fitness = data.get("fitness")
    if fitness is not None:
        if isinstance(fitness, bool) or not isinstance(fitness, (int, float)):
            raise RunFileError(f"{where}.fitness: expected a finite number or null")
        fitness = read_number(data, "fitness", where)
    return Genome(read_counter(data, "id", where), nodes, connections, fitness)


def check_acyclic(genome: Genome) -> None:
    """Raise ``RunFileError`` if the genome's connections (disabled included) form a cycle."""
    seen: dict[int, ConnectionGene] = {}
    for innovation, conn in genome.connections.items():
        if creates_cycle(seen, conn.in_node, conn.out_node):
            raise RunFileError(f"genome {genome.genome_id}: connection {innovation} closes a cycle in a feed-forward run")
        seen[innovation] = conn


def check_interface(genome: Genome, num_inputs: int, num_outputs: int, task_name: str, where: str) -> None:
    """Raise ``RunFileError`` unless the genome has the task's input and output counts."""
    inputs, outputs = len(genome.input_ids()), len(genome.output_ids())
    if (inputs, outputs) != (num_inputs, num_outputs):
        raise RunFileError(
            f"{where}: genome {genome.genome_id} has {inputs} inputs and {outputs} outputs; task {task_name} needs "
            f"{num_inputs} and {num_outputs}"
        )


def finite_or_none(value: float) -> float | None:
    """JSON has no infinities: an unset best (-inf) is written as null."""
    return value if math.isfinite(value) else None
