"""Node activation and aggregation functions, shared by the reference and batched evaluators.

Every function works elementwise on numpy arrays of any shape (and on numpy scalars), so the
one-genome reference network and the population-batched evaluator compute the same values.

The exponential-based activations (sigmoid, logistic, tanh, gaussian, std_gaussian) use ``exp_ieee``/``tanh_ieee``
below rather than ``np.exp``/``np.tanh``: numpy's SIMD loops round differently from libm (and
from one CPU to another), so a compiled kernel could never match them bit for bit. These are
built from IEEE-754 basic operations only (+, -, *, / and exact power-of-two scaling, every one
correctly rounded), in a fixed order, so numpy, plain Python floats and the numba kernels of
``core.compiled`` give identical bits on every machine.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

# Exponent arguments are clipped so extreme weights saturate instead of overflowing (and warning).
EXP_LIMIT = 60.0

# e^x as in fdlibm's e_exp.c (Sun Microsystems, 1993; error < 1 ulp): x = k ln2 + r with
# |r| <= ln2/2, ln2 split in a high part with trailing zero bits (so k * LN2_HI is exact) and a
# low part; e^r from a degree-5 minimax polynomial in r^2 through the rational form
# 1 + 2r / (R(r^2) - r). k comes from adding and subtracting 1.5 * 2^52, which rounds to the
# nearest integer (ties to even) in IEEE arithmetic; 2^k is then built from k's bits.
EXP_LN2_HI = 6.93147180369123816490e-01
EXP_LN2_LO = 1.90821492927058770002e-10
EXP_INV_LN2 = 1.44269504088896338700e00
EXP_P1 = 1.66666666666666019037e-01
EXP_P2 = -2.77777777770155933842e-03
EXP_P3 = 6.61375632143793436117e-05
EXP_P4 = -1.65339022054652515390e-06
EXP_P5 = 4.13813679705723846039e-08
ROUND_MAGIC = 6755399441055744.0  # 1.5 * 2^52
_MAGIC_MINUS_BIAS = int(np.float64(ROUND_MAGIC).view(np.int64)) - 1023

# tanh as in Cephes' tanh.c (S. Moshier): x + x^3 P(x^2)/Q(x^2) below 0.625, else
# 1 - 2 / (e^(2|x|) + 1) with the sign of x. |x| is capped at 20, where tanh rounds to 1.
TANH_P = (-9.64399179425052238628e-01, -9.92877231001918586564e01, -1.61468768441708447952e03)
TANH_Q = (1.12811678491632931402e02, 2.23548839060100448583e03, 4.84406305325125486048e03)
TANH_SMALL = 0.625
TANH_CAP = 20.0

# Arrays longer than this are done in blocks so the scratch rows stay in cache.
_BLOCK = 4096


def _exp_block(x: np.ndarray, out: np.ndarray, scratch: np.ndarray) -> None:
    """out = e^x for |x| <= 700, elementwise; every step is one correctly rounded operation."""
    scale, k, hi, s, c = scratch
    np.multiply(x, EXP_INV_LN2, out=scale)
    scale += ROUND_MAGIC
    np.subtract(scale, ROUND_MAGIC, out=k)  # k = round(x / ln2)
    bits = scale.view(np.int64)  # the low bits of x / ln2 + 1.5 * 2^52 hold k
    bits -= _MAGIC_MINUS_BIAS
    bits <<= 52  # scale = 2^k
    np.multiply(k, EXP_LN2_HI, out=hi)
    np.subtract(x, hi, out=hi)
    lo = np.multiply(k, EXP_LN2_LO, out=k)
    r = np.subtract(hi, lo, out=out)
    np.multiply(r, r, out=s)
    np.multiply(s, EXP_P5, out=c)
    c += EXP_P4
    c *= s
    c += EXP_P3
    c *= s
    c += EXP_P2
    c *= s
    c += EXP_P1
    c *= s
    np.subtract(r, c, out=c)
    r *= c
    np.subtract(2.0, c, out=c)
    r /= c
    np.subtract(lo, r, out=r)
    r -= hi
    np.subtract(1.0, r, out=r)
    r *= scale


def _exp_scalar(x: float) -> float:
    """``_exp_block`` for one Python float, operation for operation."""
    if x != x:
        return x
    t = x * EXP_INV_LN2 + ROUND_MAGIC
    k = t - ROUND_MAGIC
    hi = x - k * EXP_LN2_HI
    lo = k * EXP_LN2_LO
    r = hi - lo
    s = r * r
    c = r - s * (EXP_P1 + s * (EXP_P2 + s * (EXP_P3 + s * (EXP_P4 + s * EXP_P5))))
    y = 1.0 - ((lo - (r * c) / (2.0 - c)) - hi)
    return math.ldexp(y, int(k))


def _blockwise(kernel: Callable[[np.ndarray, np.ndarray, np.ndarray], None], x: np.ndarray, scratch_rows: int) -> np.ndarray:
    x = np.ascontiguousarray(x, dtype=np.float64)
    out = np.empty_like(x)
    if x.size <= _BLOCK:
        kernel(x, out, np.empty((scratch_rows, *x.shape)))
        return out
    flat_x, flat_out = x.reshape(-1), out.reshape(-1)
    scratch = np.empty((scratch_rows, _BLOCK))
    for start in range(0, flat_x.size, _BLOCK):
        stop = min(start + _BLOCK, flat_x.size)
        kernel(flat_x[start:stop], flat_out[start:stop], scratch[:, : stop - start])
    return out


def exp_ieee(x: np.ndarray | float) -> np.ndarray | float:
    """e^x for |x| <= 700 (callers clip), to within 1 ulp, bit-identical in numpy, Python and numba.

    Args:
        x: array (any shape) or scalar.

    Returns:
        An array of x's shape, or a float for a scalar.
    """
    if np.ndim(x) == 0:
        return _exp_scalar(float(x))
    return _blockwise(_exp_block, x, 5)


def _tanh_block(x: np.ndarray, out: np.ndarray, scratch: np.ndarray) -> None:
    """out = tanh(x) elementwise: both branches computed, the right one kept per element."""
    z, s, p, q, *exp_scratch = scratch
    # 1 - 2 / (e^(2|x|) + 1) with the sign of x, into out.
    np.abs(x, out=z)
    np.minimum(z, TANH_CAP, out=p)
    p *= 2.0
    _exp_block(p, out, exp_scratch)
    out += 1.0
    np.divide(2.0, out, out=out)
    np.subtract(1.0, out, out=out)
    np.copysign(out, x, out=out)
    # x + x^3 P(x^2)/Q(x^2) on x clipped to the small range, so large x cannot overflow here.
    np.maximum(x, -TANH_SMALL, out=q)
    np.minimum(q, TANH_SMALL, out=q)
    np.multiply(q, q, out=s)
    np.multiply(s, TANH_P[0], out=p)
    p += TANH_P[1]
    p *= s
    p += TANH_P[2]
    np.add(s, TANH_Q[0], out=z)
    z *= s
    z += TANH_Q[1]
    z *= s
    z += TANH_Q[2]
    p /= z
    p *= s
    p *= q
    p += q
    np.abs(x, out=z)
    np.copyto(out, p, where=np.less(z, TANH_SMALL))


def _tanh_scalar(x: float) -> float:
    """``_tanh_block`` for one Python float, operation for operation."""
    z = abs(x)
    if z >= TANH_SMALL:
        e = _exp_scalar(min(z, TANH_CAP) * 2.0) + 1.0
        return math.copysign(1.0 - 2.0 / e, x)
    s = x * x
    p = (s * TANH_P[0] + TANH_P[1]) * s + TANH_P[2]
    q = ((s + TANH_Q[0]) * s + TANH_Q[1]) * s + TANH_Q[2]
    return p / q * s * x + x


def tanh_ieee(x: np.ndarray | float) -> np.ndarray | float:
    """Hyperbolic tangent to within 1.3 ulp, bit-identical in numpy, Python and numba.

    Args:
        x: array (any shape) or scalar.

    Returns:
        An array of x's shape, or a float for a scalar.
    """
    if np.ndim(x) == 0:
        return _tanh_scalar(float(x))
    return _blockwise(_tanh_block, x, 9)


def steepened_sigmoid(x: np.ndarray) -> np.ndarray:
    """The paper's sigmoid 1 / (1 + e^(-4.9x)) (Stanley & Miikkulainen 2002, p. 112)."""
    if np.ndim(x) == 0:
        z = float(x) * -4.9
        return 1.0 / (1.0 + _exp_scalar(min(max(z, -EXP_LIMIT), EXP_LIMIT)))  # max/min keep a NaN first argument
    # In-place ufuncs: this runs once per layer per time step, where call overhead dominates.
    z = np.multiply(x, -4.9)
    np.maximum(z, -EXP_LIMIT, out=z)
    np.minimum(z, EXP_LIMIT, out=z)
    out = _blockwise(_exp_block, z, 5)
    out += 1.0
    return np.divide(1.0, out, out=out)


def logistic(x: np.ndarray) -> np.ndarray:
    """The plain logistic sigmoid 1 / (1 + e^(-x)): Backprop NEAT's and TensorFlow Playground's sigmoid."""
    if np.ndim(x) == 0:
        z = -float(x)
        return 1.0 / (1.0 + _exp_scalar(min(max(z, -EXP_LIMIT), EXP_LIMIT)))  # max/min keep a NaN first argument
    z = np.negative(x)
    np.maximum(z, -EXP_LIMIT, out=z)
    np.minimum(z, EXP_LIMIT, out=z)
    out = _blockwise(_exp_block, z, 5)
    out += 1.0
    return np.divide(1.0, out, out=out)


def tanh(x: np.ndarray) -> np.ndarray:
    """Hyperbolic tangent (``tanh_ieee``)."""
    return tanh_ieee(x)


def relu(x: np.ndarray) -> np.ndarray:
    """Rectified linear unit max(0, x)."""
    return np.maximum(x, 0.0)


def identity(x: np.ndarray) -> np.ndarray:
    """Identity; also what the TensorFlow-Playground CPPN calls "add" after a sum aggregation."""
    return x + 0.0


def gaussian(x: np.ndarray) -> np.ndarray:
    """Unnormalised Gaussian bump e^(-x^2), peak 1 at 0."""
    if np.ndim(x) == 0:
        square = float(x) * float(x)
        return _exp_scalar(-min(square, EXP_LIMIT))
    square = np.multiply(x, x)
    np.minimum(square, EXP_LIMIT, out=square)
    np.negative(square, out=square)
    return _blockwise(_exp_block, square, 5)


def std_gaussian(x: np.ndarray) -> np.ndarray:
    """The standard normal's shape e^(-x^2/2) with peak 1: Backprop NEAT's gaussian (backprop-neat-js ml/recurrent.js)."""
    if np.ndim(x) == 0:
        square = float(x) * float(x)
        return _exp_scalar(-min(square, 2.0 * EXP_LIMIT) * 0.5)
    half = np.multiply(x, x)
    np.minimum(half, 2.0 * EXP_LIMIT, out=half)
    np.negative(half, out=half)
    half *= 0.5
    return _blockwise(_exp_block, half, 5)


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
