"""Immutable per-generation reports: the only thing the GUI and CLI read from a run.

Everything here is a frozen, slotted dataclass of tuples and numbers, safe to hand to another
thread. Timings are excluded from equality so that two runs of the same seed compare equal.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from core.genome import ConnectionGene, Genome, NodeGene


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


@dataclass(frozen=True, slots=True)
class SpeciesSnapshot:
    """One species at the end of a generation's evaluation."""

    species_id: int
    size: int
    best_fitness: float
    mean_fitness: float
    best_fitness_ever: float
    age: int
    stagnation: int
    adjusted_fitness_sum: float
    offspring: int
    best_genome: GenomeSnapshot


_SPECIES_FIELDS = tuple(f for f in dataclasses.fields(SpeciesSnapshot) if f.name != "best_genome")


def _genome_dict(genome: GenomeSnapshot) -> dict[str, Any]:
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


@dataclass(frozen=True, slots=True)
class GenerationReport:
    """Everything observable about one evaluated generation.

    ``solved`` means the champion reached the task's fitness threshold; ``criterion_met`` means
    some genome met the task's own success test (for XOR the paper's: every output on the right
    side of 0.5).
    """

    generation: int
    best_fitness: float
    mean_fitness: float
    stdev_fitness: float
    champion: GenomeSnapshot
    species: tuple[SpeciesSnapshot, ...]
    mean_nodes: float
    mean_connections: float
    evaluations: int
    solved: bool
    criterion_met: bool
    fitness_faults: int
    compatibility_threshold: float
    fault_examples: tuple[str, ...] = ()
    timings: tuple[tuple[str, float], ...] = field(default=(), compare=False)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (the same as ``dataclasses.asdict``, written out because
        autosaves serialise the whole history and ``asdict`` deep-copies every leaf)."""
        data = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        data["champion"] = _genome_dict(self.champion)
        data["species"] = [
            {**{f.name: getattr(s, f.name) for f in _SPECIES_FIELDS}, "best_genome": _genome_dict(s.best_genome)} for s in self.species
        ]
        data["fault_examples"] = list(self.fault_examples)
        data["timings"] = dict(self.timings)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> GenerationReport:
        """Inverse of ``to_dict``."""

        def genome(g: dict[str, Any]) -> GenomeSnapshot:
            return GenomeSnapshot(
                g["genome_id"],
                g["fitness"],
                tuple(NodeSnapshot(**n) for n in g["nodes"]),
                tuple(ConnectionSnapshot(**c) for c in g["connections"]),
            )

        values = dict(data)
        values["champion"] = genome(data["champion"])
        values["species"] = tuple(SpeciesSnapshot(**{**s, "best_genome": genome(s["best_genome"])}) for s in data["species"])
        values["timings"] = tuple((str(k), float(v)) for k, v in data.get("timings", {}).items())
        values["fault_examples"] = tuple(str(m) for m in data.get("fault_examples", ()))
        return cls(**values)
