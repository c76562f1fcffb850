"""Runnable networks decoded from genomes: the one-genome reference evaluator.

These compute node by node in plain Python and serve as the ground truth that the
population-batched evaluator (``core.networks.batch``) must match, and for replays that show every
node's activation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from core.networks.activations import ACTIVATIONS

BIAS_VALUE = 1.0  # what a bias node (the paper's bias input) holds at every activation


@dataclass(frozen=True, slots=True)
class NodeEval:
    """How one non-input node computes: act(bias + response * aggregate(w_i * x_i))."""

    node_id: int
    bias: float
    response: float
    activation: str
    aggregation: str
    sources: tuple[int, ...]
    weights: tuple[float, ...]


def _node_output(node: NodeEval, values: dict[int, float]) -> float:
    weighted = [values[src] * w for src, w in zip(node.sources, node.weights)]
    if not weighted:
        total = 0.0
    elif node.aggregation == "sum":
        total = 0.0
        for term in weighted:
            total += term
    elif node.aggregation == "product":
        total = float(np.prod(weighted))
    elif node.aggregation == "max":
        total = float(np.max(weighted))
    else:
        raise ValueError(f"unknown aggregation {node.aggregation!r}")
    return float(ACTIVATIONS[node.activation](np.float64(node.bias + node.response * total)))


def _check_inputs(inputs: Sequence[float] | np.ndarray, count: int) -> np.ndarray:
    array = np.asarray(inputs, dtype=np.float64)
    if array.shape != (count,):
        raise ValueError(f"expected {count} inputs, got shape {array.shape}")
    return array


@dataclass(frozen=True, slots=True)
class FeedForwardNetwork:
    """An acyclic network evaluated in topological order.

    ``layers`` groups the evaluated node ids by depth (longest path from an input), which is
    also the order the batched evaluator computes in. ``bias_ids`` are bias nodes (the paper's
    bias input): they hold ``BIAS_VALUE`` at every activation.
    """

    input_ids: tuple[int, ...]
    output_ids: tuple[int, ...]
    nodes: tuple[NodeEval, ...]
    layers: tuple[tuple[int, ...], ...]
    bias_ids: tuple[int, ...] = ()

    recurrent = False

    def activate_all(self, inputs: Sequence[float] | np.ndarray) -> dict[int, float]:
        """Every node's value for one input vector, keyed by node id (inputs included)."""
        values = dict(zip(self.input_ids, _check_inputs(inputs, len(self.input_ids)).tolist()))
        values.update(dict.fromkeys(self.bias_ids, BIAS_VALUE))
        for node in self.nodes:
            values[node.node_id] = _node_output(node, values)
        for output in self.output_ids:
            values.setdefault(output, 0.0)
        return values

    def activate(self, inputs: Sequence[float] | np.ndarray) -> np.ndarray:
        """Output values for one input vector."""
        values = self.activate_all(inputs)
        return np.array([values[o] for o in self.output_ids])


class RecurrentNetwork:
    """A network with cycles, advanced one synchronous step per activation (state carried).

    Every evaluated node reads the previous step's values, as in neat-python's
    ``RecurrentNetwork``; inputs are written before the step.
    """

    recurrent = True

    def __init__(self, input_ids: tuple[int, ...], output_ids: tuple[int, ...], nodes: tuple[NodeEval, ...], bias_ids: tuple[int, ...] = ()):
        self.input_ids = input_ids
        self.output_ids = output_ids
        self.nodes = nodes
        self.bias_ids = bias_ids
        self.values: dict[int, float] = {}
        self.reset()

    def reset(self) -> None:
        """Zero every node's state."""
        self.values = {n: 0.0 for n in (*self.input_ids, *self.output_ids, *(node.node_id for node in self.nodes))}
        self.values.update(dict.fromkeys(self.bias_ids, BIAS_VALUE))

    def activate_all(self, inputs: Sequence[float] | np.ndarray) -> dict[int, float]:
        """Advance one step and return every node's new value, keyed by node id."""
        previous = dict(self.values)
        previous.update(zip(self.input_ids, _check_inputs(inputs, len(self.input_ids)).tolist()))
        previous.update(dict.fromkeys(self.bias_ids, BIAS_VALUE))
        current = dict(previous)
        for node in self.nodes:
            current[node.node_id] = _node_output(node, previous)
        self.values = current
        return dict(current)

    def activate(self, inputs: Sequence[float] | np.ndarray) -> np.ndarray:
        """Advance one step and return the output values."""
        values = self.activate_all(inputs)
        return np.array([values[o] for o in self.output_ids])


Network = FeedForwardNetwork | RecurrentNetwork
