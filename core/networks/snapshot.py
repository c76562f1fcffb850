"""Frozen copies of genomes: what crosses thread boundaries, fills reports and gets drawn."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.networks.genome import ConnectionGene, Genome, NodeGene


@dataclass(frozen=True, slots=True)
class NodeSnapshot:
    """A node gene's values at report time."""

    node_id: int
    kind: str
    bias: float
    response: float
    activation: str
    aggregation: str


@dataclass(frozen=True, slots=True)
class ConnectionSnapshot:
    """A connection gene's values at report time."""

    innovation: int
    in_node: int
    out_node: int
    weight: float
    enabled: bool


@dataclass(frozen=True, slots=True)
class GenomeSnapshot:
    """A genome frozen for display, export and replay."""

    genome_id: int
    fitness: float | None
    nodes: tuple[NodeSnapshot, ...]
    connections: tuple[ConnectionSnapshot, ...]

    @classmethod
    def from_genome(cls, genome: Genome) -> GenomeSnapshot:
        """Copy a live genome into a snapshot (nodes by id, connections by innovation)."""
        return cls(
            genome.genome_id,
            genome.fitness,
            tuple(NodeSnapshot(n.node_id, n.kind, n.bias, n.response, n.activation, n.aggregation) for _, n in sorted(genome.nodes.items())),
            tuple(
                ConnectionSnapshot(c.innovation, c.in_node, c.out_node, c.weight, c.enabled)
                for _, c in sorted(genome.connections.items())
            ),
        )

    def to_genome(self) -> Genome:
        """A fresh live genome with these genes (for decoding, replay or comparison)."""
        return Genome(
            self.genome_id,
            {n.node_id: NodeGene(n.node_id, n.kind, n.bias, n.response, n.activation, n.aggregation) for n in self.nodes},  # type: ignore[arg-type]
            {c.innovation: ConnectionGene(c.innovation, c.in_node, c.out_node, c.weight, c.enabled) for c in self.connections},
            self.fitness,
        )

    @property
    def hidden_count(self) -> int:
        """Number of hidden nodes."""
        return sum(1 for n in self.nodes if n.kind == "hidden")

    @property
    def enabled_count(self) -> int:
        """Number of enabled connections."""
        return sum(1 for c in self.connections if c.enabled)


def genome_snapshot_to_dict(genome: GenomeSnapshot) -> dict[str, Any]:
    """A snapshot as plain JSON data (the report schema: node_id/in_node/out_node keys)."""
    return {
        "genome_id": genome.genome_id,
        "fitness": genome.fitness,
        "nodes": [
            {"node_id": n.node_id, "kind": n.kind, "bias": n.bias, "response": n.response, "activation": n.activation, "aggregation": n.aggregation}
            for n in genome.nodes
        ],
        "connections": [
            {"innovation": c.innovation, "in_node": c.in_node, "out_node": c.out_node, "weight": c.weight, "enabled": c.enabled}
            for c in genome.connections
        ],
    }


def genome_snapshot_from_dict(g: dict[str, Any]) -> GenomeSnapshot:
    """Inverse of ``genome_snapshot_to_dict``."""
    return GenomeSnapshot(
        g["genome_id"],
        g["fitness"],
        tuple(NodeSnapshot(**n) for n in g["nodes"]),
        tuple(ConnectionSnapshot(**c) for c in g["connections"]),
    )
