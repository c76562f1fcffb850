"""Genomes: node genes and connection genes (Stanley & Miikkulainen 2002, section 3.1, fig. 2).

A genome is data. Decoding it into a runnable network happens in ``core.networks.decode`` and never
changes the genome.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# "bias": the paper's bias input, a source node that always holds 1.0 (never fed by the task).
NodeKind = Literal["input", "output", "hidden", "bias"]
# Kinds no connection may enter and whose genes never change (genomes share them).
SOURCE_KINDS = ("input", "bias")


@dataclass(slots=True)
class NodeGene:
    """One neuron: its id, role and the parameters that shape its output.

    Input nodes are never mutated (they only pass their input on), so genomes share their
    input node genes instead of copying them.
    """

    node_id: int
    kind: NodeKind
    bias: float
    response: float
    activation: str
    aggregation: str

    def copy(self) -> NodeGene:
        """An independent copy."""
        return NodeGene(self.node_id, self.kind, self.bias, self.response, self.activation, self.aggregation)


@dataclass(slots=True)
class ConnectionGene:
    """One connection: in-node, out-node, weight, enabled bit and innovation number."""

    innovation: int
    in_node: int
    out_node: int
    weight: float
    enabled: bool

    def copy(self) -> ConnectionGene:
        """An independent copy."""
        return ConnectionGene(self.innovation, self.in_node, self.out_node, self.weight, self.enabled)


@dataclass(slots=True)
class Genome:
    """Node genes by node id and connection genes by innovation number.

    ``fitness`` is None until the genome has been evaluated.
    """

    genome_id: int
    nodes: dict[int, NodeGene]
    connections: dict[int, ConnectionGene]
    fitness: float | None = None

    def copy(self, genome_id: int) -> Genome:
        """An unevaluated deep copy under a new id."""
        return Genome(
            genome_id,
            {node_id: node if node.kind in SOURCE_KINDS else node.copy() for node_id, node in self.nodes.items()},
            {innovation: conn.copy() for innovation, conn in self.connections.items()},
        )

    def input_ids(self) -> list[int]:
        """Input node ids in ascending order."""
        return sorted(n for n, node in self.nodes.items() if node.kind == "input")

    def bias_ids(self) -> list[int]:
        """Bias node ids (the paper's constant 1.0 input) in ascending order."""
        return sorted(n for n, node in self.nodes.items() if node.kind == "bias")

    def output_ids(self) -> list[int]:
        """Output node ids in ascending order."""
        return sorted(n for n, node in self.nodes.items() if node.kind == "output")

    def hidden_count(self) -> int:
        """Number of hidden nodes."""
        return sum(1 for node in self.nodes.values() if node.kind == "hidden")

    def enabled_count(self) -> int:
        """Number of enabled connections."""
        return sum(1 for conn in self.connections.values() if conn.enabled)

    def has_connection(self, in_node: int, out_node: int) -> ConnectionGene | None:
        """The connection gene in_node -> out_node, enabled or not, if present."""
        for conn in self.connections.values():
            if conn.in_node == in_node and conn.out_node == out_node:
                return conn
        return None


def creates_cycle(connections: dict[int, ConnectionGene], in_node: int, out_node: int) -> bool:
    """Whether adding in_node -> out_node would close a directed cycle.

    Disabled connections count too: they can be re-enabled later, and a feed-forward genome must
    stay acyclic whatever its enabled bits are.
    """
    if in_node == out_node:
        return True
    successors: dict[int, list[int]] = {}
    for conn in connections.values():
        successors.setdefault(conn.in_node, []).append(conn.out_node)
    # The new edge closes a cycle exactly when in_node is already reachable from out_node.
    frontier = [out_node]
    seen = {out_node}
    while frontier:
        node = frontier.pop()
        for nxt in successors.get(node, ()):
            if nxt == in_node:
                return True
            if nxt not in seen:
                seen.add(nxt)
                frontier.append(nxt)
    return False
