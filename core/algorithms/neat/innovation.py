"""Innovation history: historical markings for structural mutations (paper, section 3.2).

"By keeping a list of the innovations that occurred in the current generation, it is possible
to ensure that when the same structure arises more than once through independent mutations in
the same generation, each identical mutation is assigned the same innovation number."
(Stanley & Miikkulainen 2002, p. 108.)

The tracker is owned by one run's state; node ids and innovation numbers never come from a
module-level counter.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class SplitInnovation:
    """The markings an add-node mutation of one connection receives."""

    node_id: int
    in_innovation: int
    out_innovation: int


@dataclass(slots=True)
class InnovationTracker:
    """Hands out node ids and innovation numbers, sharing them between identical mutations.

    Args:
        next_node_id: the first node id not yet used in the run.
        next_innovation: the first innovation number not yet used in the run.
        scope: "generation" (paper) forgets remembered mutations at each ``new_generation``;
            "run" remembers them for the whole run.
    """

    next_node_id: int
    next_innovation: int
    scope: str = "generation"
    _connections: dict[tuple[int, int], int] = field(default_factory=dict)
    _splits: dict[int, int] = field(default_factory=dict)

    def new_generation(self) -> None:
        """Start a new generation: with paper scope, identical mutations no longer share numbers."""
        if self.scope == "generation":
            self._connections.clear()
            self._splits.clear()

    def connection_innovation(self, in_node: int, out_node: int) -> int:
        """Innovation number of a new connection in_node -> out_node."""
        key = (in_node, out_node)
        innovation = self._connections.get(key)
        if innovation is None:
            innovation = self.next_innovation
            self.next_innovation += 1
            self._connections[key] = innovation
        return innovation

    def split(self, split_innovation: int, in_node: int, out_node: int, taken_node_ids: Any = ()) -> SplitInnovation:
        """Markings for splitting connection ``split_innovation`` (in_node -> out_node) by a new node.

        Args:
            taken_node_ids: node ids the mutating genome already has. If the shared node id for
                this split is among them (the genome split this connection before and re-enabled
                it), a fresh id is used so a genome never holds the same node twice.
        """
        node_id = self._splits.get(split_innovation)
        if node_id is None or node_id in taken_node_ids:
            node_id = self.next_node_id
            self.next_node_id += 1
            if split_innovation not in self._splits:
                self._splits[split_innovation] = node_id
        return SplitInnovation(
            node_id,
            self.connection_innovation(in_node, node_id),
            self.connection_innovation(node_id, out_node),
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready state, remembered mutations included, so a resumed run numbers identically."""
        return {
            "next_node_id": self.next_node_id,
            "next_innovation": self.next_innovation,
            "scope": self.scope,
            "connections": [[a, b, innovation] for (a, b), innovation in self._connections.items()],
            "splits": [[innovation, node_id] for innovation, node_id in self._splits.items()],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> InnovationTracker:
        """Inverse of ``to_dict``."""
        tracker = cls(int(data["next_node_id"]), int(data["next_innovation"]), str(data["scope"]))
        tracker._connections = {(int(a), int(b)): int(i) for a, b, i in data["connections"]}
        tracker._splits = {int(i): int(n) for i, n in data["splits"]}
        return tracker
