"""Node activation and aggregation functions, shared by the reference and batched evaluators.

Every function works elementwise on numpy arrays of any shape (and on numpy scalars), so the
one-genome reference network and the population-batched evaluator compute the same values.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

# Exponent arguments are clipped so extreme weights saturate instead of overflowing (and warning).
_EXP_LIMIT = 60.0


def steepened_sigmoid(x: np.ndarray) -> np.ndarray:
    """The paper's sigmoid 1 / (1 + e^(-4.9x)) (Stanley & Miikkulainen 2002, p. 112)."""
    # In-place ufuncs: this runs once per layer per time step, where call overhead dominates.
    z = np.multiply(x, -4.9)
    if not isinstance(z, np.ndarray):  # a scalar, from the one-genome reference network
        return 1.0 / (1.0 + np.exp(min(max(z, -_EXP_LIMIT), _EXP_LIMIT)))
    np.maximum(z, -_EXP_LIMIT, out=z)
    np.minimum(z, _EXP_LIMIT, out=z)
    np.exp(z, out=z)
    z += 1.0
    return np.divide(1.0, z, out=z)


def logistic(x: np.ndarray) -> np.ndarray:
    """The plain logistic sigmoid 1 / (1 + e^(-x)): Backprop NEAT's and TensorFlow Playground's sigmoid."""
    z = np.negative(x)
    if not isinstance(z, np.ndarray):
        return 1.0 / (1.0 + np.exp(min(max(z, -_EXP_LIMIT), _EXP_LIMIT)))
    np.maximum(z, -_EXP_LIMIT, out=z)
    np.minimum(z, _EXP_LIMIT, out=z)
    np.exp(z, out=z)
    z += 1.0
    return np.divide(1.0, z, out=z)


def tanh(x: np.ndarray) -> np.ndarray:
    """Hyperbolic tangent."""
    return np.tanh(x)


def relu(x: np.ndarray) -> np.ndarray:
    """Rectified linear unit max(0, x)."""
    return np.maximum(x, 0.0)


def identity(x: np.ndarray) -> np.ndarray:
    """Identity; also what the TensorFlow-Playground CPPN calls "add" after a sum aggregation."""
    return x + 0.0


def gaussian(x: np.ndarray) -> np.ndarray:
    """Unnormalised Gaussian bump e^(-x^2), peak 1 at 0."""
    return np.exp(-np.minimum(x * x, _EXP_LIMIT))


def std_gaussian(x: np.ndarray) -> np.ndarray:
    """The standard normal's shape e^(-x^2/2) with peak 1: Backprop NEAT's gaussian (backprop-neat-js ml/recurrent.js)."""
    return np.exp(-np.minimum(x * x, 2.0 * _EXP_LIMIT) * 0.5)


def sin(x: np.ndarray) -> np.ndarray:
    """Sine."""
    return np.sin(x)


def absolute(x: np.ndarray) -> np.ndarray:
    """Absolute value."""
    return np.abs(x)


def square(x: np.ndarray) -> np.ndarray:
    """x squared."""
    return x * x


ACTIVATIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "sigmoid": steepened_sigmoid,
    "logistic": logistic,
    "tanh": tanh,
    "relu": relu,
    "identity": identity,
    "gaussian": gaussian,
    "std_gaussian": std_gaussian,
    "sin": sin,
    "abs": absolute,
    "square": square,
}

# Aggregations combine a node's weighted inputs. Each entry is (reduce over the last axis,
# the value that padding must carry so it does not change the result). A node with no inputs
# aggregates to 0 for every kind, so an unconnected node outputs activation(bias).
AGGREGATIONS: dict[str, float] = {
    "sum": 0.0,
    "product": 1.0,
    "max": -np.inf,
}


# The kinds of node a new hidden node may be (``nodes.new_node_functions``): every activation
# applied to the sum of the weighted inputs, plus Backprop NEAT's "add" (the plain sum) and
# "mult" (the product of the weighted inputs). Each maps to (activation, aggregation).
NODE_FUNCTIONS: dict[str, tuple[str, str]] = {
    **{name: (name, "sum") for name in ACTIVATIONS},
    "add": ("identity", "sum"),
    "mult": ("identity", "product"),
}


def node_function_name(activation: str, aggregation: str) -> str:
    """The short name of a node's function, for labels and colour keys: "tanh", "mult", "max:relu"."""
    if aggregation == "sum":
        return "add" if activation == "identity" else activation
    if aggregation == "product" and activation == "identity":
        return "mult"
    return f"{aggregation}:{activation}"


def aggregate(kind: str, weighted_inputs: np.ndarray, has_inputs: np.ndarray | bool) -> np.ndarray:
    """Combine weighted inputs along the last axis.

    Args:
        kind: one of ``AGGREGATIONS``.
        weighted_inputs: array (..., K); padding entries must hold ``AGGREGATIONS[kind]``.
        has_inputs: False where a node has no incoming connection (its aggregate is 0).

    Returns:
        Array (...) of aggregated values.
    """
    if kind == "sum":
        return weighted_inputs.sum(axis=-1)
    if kind == "product":
        reduced = weighted_inputs.prod(axis=-1)
    elif kind == "max":
        reduced = weighted_inputs.max(axis=-1) if weighted_inputs.shape[-1] else np.zeros(weighted_inputs.shape[:-1])
    else:
        raise ValueError(f"unknown aggregation {kind!r}; known: {', '.join(AGGREGATIONS)}")
    return np.where(has_inputs, reduced, 0.0)
