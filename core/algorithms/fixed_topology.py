"""What the fixed-topology baselines share: the MLP policy section of their configs, turning
parameter vectors into genomes for the shared batched evaluator, and vector (de)serialisation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from core.algorithms.base import AlgorithmBase
from core.networks.activations import ACTIVATIONS
from core.networks.genome import Genome
from core.networks.mlp import MlpShape
from core.runs.config import bounded, choice
from core.runs.fields import RunFileError, check_number, read_list


@dataclass(frozen=True, slots=True)
class PolicyConfig:
    """The fixed network every genome of a baseline is: hidden layer sizes and activations."""

    hidden: tuple[int, ...] = bounded(1, 4096)
    hidden_activation: str = choice(*ACTIVATIONS)
    output_activation: str = choice(*ACTIVATIONS)
    init_scale: float = bounded(0.0, 1e6)


class FixedTopologyBase(AlgorithmBase):
    """A baseline whose genomes are parameter vectors of one MLP shape."""

    def _shape(self) -> MlpShape:
        policy = self.config.policy
        return MlpShape(self.task.num_inputs, policy.hidden, self.task.num_outputs, policy.hidden_activation, policy.output_activation)

    @property
    def shape(self) -> MlpShape:
        """The MLP every genome of this run is."""
        shape = getattr(self, "_cached_shape", None)
        if shape is None:
            shape = self._cached_shape = self._shape()
        return shape

    def initial_parameters(self, rng: np.random.Generator, count: int) -> np.ndarray:
        """(count, P) parameters drawn N(0, (init_scale / sqrt(fan_in))^2), the shared initialiser."""
        scale = self.shape.init_scale() * self.config.policy.init_scale
        return rng.standard_normal((count, self.shape.parameter_count)) * scale

    def genomes(self, thetas: np.ndarray, ids: list[int]) -> list[Genome]:
        """One graph genome per parameter row, for the batched evaluator."""
        return [self.shape.to_genome(theta, genome_id) for theta, genome_id in zip(thetas, ids)]

    def structure_means(self) -> dict[str, float]:
        """``mean_nodes`` and ``mean_connections`` for reports: fixed by the shape."""
        return {"mean_nodes": float(sum(self.shape.hidden) + self.shape.num_outputs), "mean_connections": float(self.shape.connection_count)}


def vector_to_list(vector: np.ndarray) -> list[float]:
    """Exact JSON form of a float vector (Python floats round-trip through JSON bit for bit)."""
    return [float(v) for v in vector]


def read_vector(data: Any, key: str, where: str, length: int, limit: float = math.inf) -> np.ndarray:
    """A saved float vector of a known length, every entry finite and within ±``limit``.

    Raises:
        RunFileError: wrong type, length or a non-finite or too large entry.
    """
    values = read_list(data, key, where)
    if len(values) != length:
        raise RunFileError(f"{where}.{key}: expected {length} numbers, got {len(values)}")
    for i, value in enumerate(values):
        if type(value) is not float:  # floats are checked at once below; anything else here
            check_number(value, f"{where}.{key}[{i}]")
    vector = np.array(values, dtype=np.float64)
    if not np.isfinite(vector).all():
        raise RunFileError(f"{where}.{key}[{int(np.flatnonzero(~np.isfinite(vector))[0])}]: must be finite")
    if (np.abs(vector) > limit).any():
        index = int(np.flatnonzero(np.abs(vector) > limit)[0])
        raise RunFileError(f"{where}.{key}[{index}]: {vector[index]:g} is beyond ±{limit:g}")
    return vector
