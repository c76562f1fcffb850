"""Fixed-topology multilayer perceptrons as flat parameter vectors, for the fixed-topology
baselines (weight GA, OpenAI-ES, random search).

A parameter vector ``theta`` holds, layer by layer, the weight matrix (one row per
destination unit, one column per source) and then the biases. ``to_genome`` turns it into an
ordinary graph genome, so the baselines are evaluated by the same population-batched evaluator
as NEAT, drawn by the same graph view, and exported the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.networks.activations import ACTIVATIONS
from core.networks.genome import ConnectionGene, Genome, NodeGene


@dataclass(frozen=True, slots=True)
class MlpShape:
    """Layer sizes and activations of a fully connected feed-forward network."""

    num_inputs: int
    hidden: tuple[int, ...]
    num_outputs: int
    hidden_activation: str = "tanh"
    output_activation: str = "sigmoid"

    def __post_init__(self) -> None:
        if self.num_inputs < 1 or self.num_outputs < 1 or any(h < 1 for h in self.hidden):
            raise ValueError(f"an MLP needs at least one unit per layer, got {self.layer_sizes}")
        for activation in (self.hidden_activation, self.output_activation):
            if activation not in ACTIVATIONS:
                raise ValueError(f"unknown activation {activation!r}; known: {', '.join(ACTIVATIONS)}")

    @property
    def layer_sizes(self) -> tuple[int, ...]:
        """Units per layer, inputs first."""
        return (self.num_inputs, *self.hidden, self.num_outputs)

    @property
    def parameter_count(self) -> int:
        """Weights and biases of all layers."""
        sizes = self.layer_sizes
        return sum(fan_in * fan_out + fan_out for fan_in, fan_out in zip(sizes[:-1], sizes[1:]))

    @property
    def connection_count(self) -> int:
        """Weights only (the genome's connection genes)."""
        sizes = self.layer_sizes
        return sum(fan_in * fan_out for fan_in, fan_out in zip(sizes[:-1], sizes[1:]))

    def init_scale(self) -> np.ndarray:
        """Standard deviation of each parameter at initialisation: 1/sqrt(fan-in) of its layer.

        Keeps every unit's summed input near unit variance whatever the layer width, the role of
        the per-layer ``scale_by`` of the Deep-GA's initialiser.
        """
        sizes = self.layer_sizes
        return np.concatenate(
            [np.full(fan_in * fan_out + fan_out, 1.0 / np.sqrt(fan_in)) for fan_in, fan_out in zip(sizes[:-1], sizes[1:])]
        )

    def node_ids(self) -> list[list[int]]:
        """Node ids per layer: inputs 0.., outputs next (as NEAT numbers them), hidden after."""
        sizes = self.layer_sizes
        inputs = list(range(self.num_inputs))
        outputs = list(range(self.num_inputs, self.num_inputs + self.num_outputs))
        layers = [inputs]
        next_id = self.num_inputs + self.num_outputs
        for width in self.hidden:
            layers.append(list(range(next_id, next_id + width)))
            next_id += width
        layers.append(outputs)
        assert [len(layer) for layer in layers] == list(sizes)
        return layers

    def to_genome(self, theta: np.ndarray, genome_id: int, fitness: float | None = None) -> Genome:
        """The network of ``theta`` as a graph genome (innovation numbers fixed by position).

        Raises:
            ValueError: ``theta`` has the wrong length.
        """
        if theta.shape != (self.parameter_count,):
            raise ValueError(f"expected {self.parameter_count} parameters, got shape {theta.shape}")
        values = theta.tolist()
        layers = self.node_ids()
        nodes = {i: NodeGene(i, "input", 0.0, 1.0, "identity", "sum") for i in layers[0]}
        connections = {}
        position = 0
        innovation = 0
        for depth, (sources, targets) in enumerate(zip(layers[:-1], layers[1:]), start=1):
            is_output = depth == len(layers) - 1
            weights = values[position : position + len(sources) * len(targets)]
            position += len(sources) * len(targets)
            biases = values[position : position + len(targets)]
            position += len(targets)
            for row, target in enumerate(targets):
                nodes[target] = NodeGene(
                    target,
                    "output" if is_output else "hidden",
                    biases[row],
                    1.0,
                    self.output_activation if is_output else self.hidden_activation,
                    "sum",
                )
                for column, source in enumerate(sources):
                    connections[innovation] = ConnectionGene(innovation, source, target, weights[row * len(sources) + column], True)
                    innovation += 1
        return Genome(genome_id, nodes, connections, fitness)
