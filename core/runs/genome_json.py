"""Graph genomes and their frozen snapshots as plain JSON data, read back with every field checked."""

from __future__ import annotations

import math
from typing import Any

from core.networks.activations import ACTIVATIONS, AGGREGATIONS
from core.networks.genome import ConnectionGene, Genome, NodeGene, creates_cycle
from core.networks.snapshot import ConnectionSnapshot, GenomeSnapshot, NodeSnapshot
from core.runs.fields import (
    MAX_COUNTER,
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

NODE_KINDS = ("input", "output", "hidden", "bias")
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
_KEYSETS = {keys: dict.fromkeys(keys).keys() for keys in (*NODE_KEYS.values(), *CONNECTION_KEYS.values())}


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


def _finite_float(value: Any) -> bool:
    return type(value) is float and -math.inf < value < math.inf


def _id(value: Any) -> bool:
    return type(value) is int and 0 <= value < MAX_COUNTER


def _read_node(raw: Any, at: str, keys: tuple[str, ...]) -> tuple:
    """One node gene as a tuple; the common case is checked inline, anything else by the
    field readers (which name what is wrong)."""
    if type(raw) is dict and raw.keys() == _KEYSETS[keys]:
        node_id, kind, bias, response, activation, aggregation = (raw[k] for k in keys)
        if (_id(node_id) and type(kind) is str and kind in NODE_KINDS and _finite_float(bias) and _finite_float(response)
                and type(activation) is str and activation in ACTIVATIONS and type(aggregation) is str and aggregation in AGGREGATIONS):  # fmt: skip
            return node_id, kind, bias, response, activation, aggregation
    check_exact_keys(raw, keys, at)
    node_id = read_counter(raw, keys[0], at)
    kind = read_str(raw, "kind", at, NODE_KINDS)
    activation = read_str(raw, "activation", at)
    if activation not in ACTIVATIONS:
        raise RunFileError(f"{at}.activation: unknown activation {shown(activation)}")
    aggregation = read_str(raw, "aggregation", at)
    if aggregation not in AGGREGATIONS:
        raise RunFileError(f"{at}.aggregation: unknown aggregation {shown(aggregation)}")
    return node_id, kind, read_number(raw, "bias", at), read_number(raw, "response", at), activation, aggregation


def _read_connection(raw: Any, at: str, keys: tuple[str, ...]) -> tuple:
    """One connection gene as a tuple (see ``_read_node``)."""
    if type(raw) is dict and raw.keys() == _KEYSETS[keys]:
        innovation, in_node, out_node, weight, enabled = (raw[k] for k in keys)
        if _id(innovation) and _id(in_node) and _id(out_node) and _finite_float(weight) and type(enabled) is bool:
            return innovation, in_node, out_node, weight, enabled
    check_exact_keys(raw, keys, at)
    return (
        read_counter(raw, keys[0], at),
        read_counter(raw, keys[1], at),
        read_counter(raw, keys[2], at),
        read_number(raw, "weight", at),
        read_bool(raw, "enabled", at),
    )


def _read_genes(data: Any, where: str, form: str) -> tuple[int, float | None, list[tuple], list[tuple]]:
    """The checked id, fitness, node tuples and connection tuples of a genome or snapshot."""
    id_key, _, nodes_key, connections_key = GENOME_KEYS[form]
    check_exact_keys(data, GENOME_KEYS[form], where)
    node_keys, connection_keys = NODE_KEYS[form], CONNECTION_KEYS[form]
    nodes: dict[int, tuple] = {}
    for i, raw in enumerate(read_list(data, nodes_key, where)):
        node = _read_node(raw, f"{where}.nodes[{i}]", node_keys)
        if node[0] in nodes:
            raise RunFileError(f"{where}.nodes[{i}].{node_keys[0]}: duplicate node id {node[0]}")
        nodes[node[0]] = node
    connections: dict[int, tuple] = {}
    pairs = set()
    for i, raw in enumerate(read_list(data, connections_key, where)):
        connection = _read_connection(raw, f"{where}.connections[{i}]", connection_keys)
        innovation, in_node, out_node = connection[:3]
        if innovation in connections or (in_node, out_node) in pairs or in_node not in nodes or out_node not in nodes or nodes[out_node][1] in ("input", "bias"):
            at = f"{where}.connections[{i}]"
            if innovation in connections:
                raise RunFileError(f"{at}.innovation: duplicate innovation number {innovation}")
            for end, node_id in ((connection_keys[1], in_node), (connection_keys[2], out_node)):
                if node_id not in nodes:
                    raise RunFileError(f"{at}.{end}: connection to missing node {node_id}")
            if nodes[out_node][1] in ("input", "bias"):
                raise RunFileError(f"{at}.{connection_keys[2]}: connection into {nodes[out_node][1]} node {out_node}")
            raise RunFileError(f"{at}: duplicate connection {in_node} -> {out_node}")
        pairs.add((in_node, out_node))
        connections[innovation] = connection
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


def check_interface(genome: Genome, num_inputs: int, num_outputs: int, task_name: str, where: str, num_biases: int = 0) -> None:
    """Raise ``RunFileError`` unless the genome's inputs are nodes 0..num_inputs-1, its outputs
    the next num_outputs ids, its bias nodes (the paper's bias input, 0 or 1) the next
    num_biases ids and every other node hidden (how every genome of a run is numbered:
    crossover and decoding rely on it)."""
    inputs, outputs = len(genome.input_ids()), len(genome.output_ids())
    if (inputs, outputs) != (num_inputs, num_outputs):
        raise RunFileError(
            f"{where}: genome {genome.genome_id} has {inputs} inputs and {outputs} outputs; task {task_name} needs "
            f"{num_inputs} and {num_outputs}"
        )
    biases = len(genome.bias_ids())
    if biases != num_biases:
        raise RunFileError(
            f"{where}: genome {genome.genome_id} has {biases} bias nodes; the config's nodes.bias_input makes it {num_biases}"
        )
    for node_id, node in genome.nodes.items():
        if node_id < num_inputs:
            expected = "input"
        elif node_id < num_inputs + num_outputs:
            expected = "output"
        else:
            expected = "bias" if node_id < num_inputs + num_outputs + num_biases else "hidden"
        if node.kind != expected:
            raise RunFileError(f"{where}: genome {genome.genome_id} node {node_id} is {node.kind}; node ids of the run make it {expected}")


def finite_or_none(value: float) -> float | None:
    """JSON has no infinities: an unset best (-inf) is written as null."""
    return value if math.isfinite(value) else None
