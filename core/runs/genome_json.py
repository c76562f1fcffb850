"""Graph genomes and their frozen snapshots as plain JSON data, read back with every field checked."""

from __future__ import annotations

import math
from typing import Any

from core.networks.activations import ACTIVATIONS, AGGREGATIONS
from core.networks.genome import ConnectionGene, Genome, NodeGene, creates_cycle
from core.networks.snapshot import ConnectionSnapshot, GenomeSnapshot, NodeSnapshot
from core.runs.fields import (
    RunFileError,
    check_exact_keys,
    read_bool,
    read_counter,
    read_list,
    read_number,
    read_optional_number,
    read_str,
    shown,
)

NODE_KINDS = ("input", "output", "hidden")
# The JSON keys of a genome (run files' populations) and of a snapshot (reports) differ.
GENOME_KEYS = {"genome": ("id", "fitness", "nodes", "connections"), "snapshot": ("genome_id", "fitness", "nodes", "connections")}
NODE_KEYS = {
    "genome": ("id", "kind", "bias", "response", "activation", "aggregation"),
    "snapshot": ("node_id", "kind", "bias", "response", "activation", "aggregation"),
}
CONNECTION_KEYS = {
    "genome": ("innovation", "in", "out", "weight", "enabled"),
    "snapshot": ("innovation", "in_node", "out_node", "weight", "enabled"),
}


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


def _read_genes(data: Any, where: str, form: str) -> tuple[int, float | None, list[tuple], list[tuple]]:
    """The checked id, fitness, node tuples and connection tuples of a genome or snapshot."""
    id_key, _, nodes_key, connections_key = GENOME_KEYS[form]
    check_exact_keys(data, GENOME_KEYS[form], where)
    node_id_key = NODE_KEYS[form][0]
    innovation_key, in_key, out_key = CONNECTION_KEYS[form][:3]
    nodes: dict[int, tuple] = {}
    for i, raw in enumerate(read_list(data, nodes_key, where)):
        at = f"{where}.nodes[{i}]"
        check_exact_keys(raw, NODE_KEYS[form], at)
        node_id = read_counter(raw, node_id_key, at)
        if node_id in nodes:
            raise RunFileError(f"{at}.{node_id_key}: duplicate node id {node_id}")
        kind = read_str(raw, "kind", at, NODE_KINDS)
        activation = read_str(raw, "activation", at)
        if activation not in ACTIVATIONS:
            raise RunFileError(f"{at}.activation: unknown activation {shown(activation)}")
        aggregation = read_str(raw, "aggregation", at)
        if aggregation not in AGGREGATIONS:
            raise RunFileError(f"{at}.aggregation: unknown aggregation {shown(aggregation)}")
        nodes[node_id] = (node_id, kind, read_number(raw, "bias", at), read_number(raw, "response", at), activation, aggregation)
    connections: dict[int, tuple] = {}
    pairs = set()
    for i, raw in enumerate(read_list(data, connections_key, where)):
        at = f"{where}.connections[{i}]"
        check_exact_keys(raw, CONNECTION_KEYS[form], at)
        innovation = read_counter(raw, innovation_key, at)
        in_node = read_counter(raw, in_key, at)
        out_node = read_counter(raw, out_key, at)
        if innovation in connections:
            raise RunFileError(f"{at}.innovation: duplicate innovation number {innovation}")
        for end, node_id in ((in_key, in_node), (out_key, out_node)):
            if node_id not in nodes:
                raise RunFileError(f"{at}.{end}: connection to missing node {node_id}")
        if nodes[out_node][1] == "input":
            raise RunFileError(f"{at}.{out_key}: connection into input node {out_node}")
        if (in_node, out_node) in pairs:
            raise RunFileError(f"{at}: duplicate connection {in_node} -> {out_node}")
        pairs.add((in_node, out_node))
        connections[innovation] = (innovation, in_node, out_node, read_number(raw, "weight", at), read_bool(raw, "enabled", at))
    fitness = read_optional_number(data, "fitness", where)
    return read_counter(data, id_key, where), fitness, list(nodes.values()), list(connections.values())


def genome_from_dict(data: Any, where: str) -> Genome:
    """Read and check one genome (exact keys, node kinds and functions, unique ids, connection ends).

    Raises:
        RunFileError: naming the first field that is wrong.
    """
    genome_id, fitness, nodes, connections = _read_genes(data, where, "genome")
    return Genome(genome_id, {n[0]: NodeGene(*n) for n in nodes}, {c[0]: ConnectionGene(*c) for c in connections}, fitness)


def snapshot_from_dict(data: Any, where: str) -> GenomeSnapshot:
    """Read and check one genome snapshot of a report (the same checks as ``genome_from_dict``).

    Raises:
        RunFileError: naming the first field that is wrong.
    """
    genome_id, fitness, nodes, connections = _read_genes(data, where, "snapshot")
    return GenomeSnapshot(genome_id, fitness, tuple(NodeSnapshot(*n) for n in nodes), tuple(ConnectionSnapshot(*c) for c in connections))


def check_acyclic(genome: Genome) -> None:
    """Raise ``RunFileError`` if the genome's connections (disabled included) form a cycle."""
    seen: dict[int, ConnectionGene] = {}
    for innovation, conn in genome.connections.items():
        if creates_cycle(seen, conn.in_node, conn.out_node):
            raise RunFileError(f"genome {genome.genome_id}: connection {innovation} closes a cycle in a feed-forward run")
        seen[innovation] = conn


def check_interface(genome: Genome, num_inputs: int, num_outputs: int, task_name: str, where: str) -> None:
    """Raise ``RunFileError`` unless the genome's inputs are nodes 0..num_inputs-1, its outputs
    the next num_outputs ids and every other node hidden (how every genome of a run is numbered:
    crossover and decoding rely on it)."""
    inputs, outputs = len(genome.input_ids()), len(genome.output_ids())
    if (inputs, outputs) != (num_inputs, num_outputs):
        raise RunFileError(
            f"{where}: genome {genome.genome_id} has {inputs} inputs and {outputs} outputs; task {task_name} needs "
            f"{num_inputs} and {num_outputs}"
        )
    for node_id, node in genome.nodes.items():
        expected = "input" if node_id < num_inputs else "output" if node_id < num_inputs + num_outputs else "hidden"
        if node.kind != expected:
            raise RunFileError(f"{where}: genome {genome.genome_id} node {node_id} is {node.kind}; node ids of the run make it {expected}")


def finite_or_none(value: float) -> float | None:
    """JSON has no infinities: an unset best (-inf) is written as null."""
    return value if math.isfinite(value) else None
