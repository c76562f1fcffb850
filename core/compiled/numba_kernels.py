"""numba kernels: the population forward pass and fused episode loops, twins of the numpy code.

Every function repeats its numpy twin's floating-point operations in the same order (numba
does not contract a * b + c into a fused multiply-add unless fastmath is on, and it is off),
so results are bit-identical: ``core.networks.batch._compute`` for nodes,
``core.networks.activations`` for activation functions, ``core.tasks.cartpole.cartpole_step``
for the cart-pole. All array arguments have fixed dtypes and ranks whatever the genomes, so
each kernel compiles once (and is cached on disk); ``nogil`` lets a GUI thread paint meanwhile.

Importing this module imports numba; ``core.compiled.load()`` does that, once, when asked.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from core.compiled import ACTIVATION_CODES, AGGREGATION_CODES, ENV_CODES
from core.networks.activations import (
    _EXP_LIMIT,
    EXP_INV_LN2,
    EXP_LN2_HI,
    EXP_LN2_LO,
    EXP_P1,
    EXP_P2,
    EXP_P3,
    EXP_P4,
    EXP_P5,
    ROUND_MAGIC,
    TANH_CAP,
    TANH_P,
    TANH_Q,
    TANH_SMALL,
)

_jit = numba.njit(cache=True, nogil=True, error_model="numpy")

SIGMOID = ACTIVATION_CODES["sigmoid"]
TANH = ACTIVATION_CODES["tanh"]
RELU = ACTIVATION_CODES["relu"]
IDENTITY = ACTIVATION_CODES["identity"]
GAUSSIAN = ACTIVATION_CODES["gaussian"]
SIN = ACTIVATION_CODES["sin"]
ABS = ACTIVATION_CODES["abs"]
SQUARE = ACTIVATION_CODES["square"]
SUM = AGGREGATION_CODES["sum"]
PRODUCT = AGGREGATION_CODES["product"]
CARTPOLE = ENV_CODES["cartpole"]
TP0, TP1, TP2 = TANH_P
TQ0, TQ1, TQ2 = TANH_Q


# --- activations (twins of core.networks.activations) ---------------------------------------


@_jit
def exp_ieee(x):
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


@_jit
def tanh_ieee(x):
    z = abs(x)
    if z >= TANH_SMALL:
        e = exp_ieee(min(z, TANH_CAP) * 2.0) + 1.0
        return math.copysign(1.0 - 2.0 / e, x)
    s = x * x
    p = (s * TP0 + TP1) * s + TP2
    q = ((s + TQ0) * s + TQ1) * s + TQ2
    return p / q * s * x + x


@_jit
def activate(code, x):
    """One node's activation function by code (``core.compiled.ACTIVATION_CODES``)."""
    if code == SIGMOID:
        z = x * -4.9
        if z < -_EXP_LIMIT:
            z = -_EXP_LIMIT
        elif z > _EXP_LIMIT:
            z = _EXP_LIMIT
        return 1.0 / (1.0 + exp_ieee(z))
    if code == TANH:
        return tanh_ieee(x)
    if code == RELU:
        if x != x or x > 0.0:
            return x
        return 0.0
    if code == IDENTITY:
        return x + 0.0
    if code == GAUSSIAN:
        square = x * x
        if square > _EXP_LIMIT:
            square = _EXP_LIMIT
        return exp_ieee(-square)
    if code == SIN:
        return math.sin(x)
    if code == ABS:
        return abs(x)
    return x * x  # SQUARE


# --- the forward pass (twin of PopulationNetwork._compute) ----------------------------------
# The network arrays are those of core.networks.flat.FlatNetworks, passed one by one (a tuple
# of arrays multiplies the code numba generates, and so the compile time).


@_jit
def _node_value(node_index, node_param, edge_source, edge_weight, n, values):
    """act(bias + response * aggregate(w_i * x_i)) of node n, reading local ``values``."""
    first, stop = node_index[n, 3], node_index[n + 1, 3]
    if first == stop:
        total = 0.0
    else:
        total = values[edge_source[first]] * edge_weight[first]
        kind = node_index[n, 2]
        if kind == SUM:
            for e in range(first + 1, stop):
                total += values[edge_source[e]] * edge_weight[e]
        elif kind == PRODUCT:
            for e in range(first + 1, stop):
                total *= values[edge_source[e]] * edge_weight[e]
        else:  # MAX, propagating NaN as np.maximum does
            for e in range(first + 1, stop):
                term = values[edge_source[e]] * edge_weight[e]
                if total == total and (term > total or term != term):
                    total = term
    return activate(node_index[n, 1], node_param[n, 0] + node_param[n, 1] * total)


@_jit
def _forward_genome(
    genome_index, node_index, node_param, edge_source, edge_weight, const_slot, const_value,
    g, inputs, values, previous, recurrent, num_inputs, num_outputs, outputs,
):
    """One activation of genome g on one case; ``previous`` is its recurrent state (updated)."""
    # Recurrent nodes all read the previous step (with this step's inputs); feed-forward nodes
    # read the values computed so far, in depth order. One call site keeps the compile small.
    read = previous if recurrent else values
    for i in range(num_inputs):
        read[i] = inputs[i]
    for c in range(genome_index[g, 2], genome_index[g + 1, 2]):
        read[const_slot[c]] = const_value[c]
    slots = genome_index[g + 1, 0] - genome_index[g, 0]
    if recurrent:
        for s in range(slots):
            values[s] = previous[s]
    for n in range(genome_index[g, 1], genome_index[g + 1, 1]):
        values[node_index[n, 0]] = _node_value(node_index, node_param, edge_source, edge_weight, n, read)
    if recurrent:
        for s in range(slots):
            previous[s] = values[s]
    for o in range(num_outputs):
        outputs[o] = values[num_inputs + o]


@_jit
def _max_slots(genome_index, first, stop):
    widest = 1
    for g in range(first, stop):
        widest = max(widest, genome_index[g + 1, 0] - genome_index[g, 0])
    return widest


@_jit
def forward(
    genome_index, node_index, node_param, edge_source, edge_weight, const_slot, const_value,
    num_inputs, num_outputs, recurrent, inputs, shared_inputs, state, outputs,
):
    """Every genome on every case: outputs (P, E, O) from inputs (P or 1, E, I).

    ``state`` is the recurrent state, genome after genome, each an (E, slots) block; unused
    when feed-forward.
    """
    size = genome_index.shape[0] - 1
    cases = outputs.shape[1]
    values = np.zeros(_max_slots(genome_index, 0, size))
    for g in range(size):
        slots = genome_index[g + 1, 0] - genome_index[g, 0]
        row = 0 if shared_inputs else g
        for e in range(cases):
            if recurrent:
                start = genome_index[g, 0] * cases + e * slots
                previous = state[start : start + slots]
            else:
                previous = values
            _forward_genome(
                genome_index, node_index, node_param, edge_source, edge_weight, const_slot, const_value,
                g, inputs[row, e], values, previous, recurrent, num_inputs, num_outputs, outputs[g, e],
            )


# --- environments with compiled physics -------------------------------------------------------


@_jit
def _cartpole_step(params, state, push_right):
    """Twin of core.tasks.cartpole.cartpole_step for one state, in place; True if terminated."""
    force_mag, pole_mass_length, total_mass, gravity, half_pole_length = params[0], params[1], params[2], params[3], params[4]
    four_thirds, mass_pole, tau, x_limit, theta_limit = params[5], params[6], params[7], params[8], params[9]
    x, x_dot, theta, theta_dot = state[0], state[1], state[2], state[3]
    force = force_mag if push_right else -force_mag
    cos_theta = math.cos(theta)
    sin_theta = math.sin(theta)
    temp = (force + pole_mass_length * (theta_dot * theta_dot) * sin_theta) / total_mass
    theta_acc = (gravity * sin_theta - cos_theta * temp) / (half_pole_length * (four_thirds - mass_pole * (cos_theta * cos_theta) / total_mass))
    x_acc = temp - pole_mass_length * theta_acc * cos_theta / total_mass
    state[0] = x + tau * x_dot
    state[1] = x_dot + tau * x_acc
    state[2] = theta + tau * theta_dot
    state[3] = theta_dot + tau * theta_acc
    return abs(state[0]) > x_limit or abs(state[2]) > theta_limit


@_jit
def env_observe(env, params, state, observation):
    """Write what the policy sees of ``state`` into ``observation`` (the network's inputs)."""
    if env == CARTPOLE:
        for i in range(4):
            observation[i] = np.float64(np.float32(state[i]))  # gymnasium returns float32


@_jit
def env_step(env, params, state, outputs):
    """Apply the network's ``outputs`` and advance ``state`` in place: (reward, terminated)."""
    if env == CARTPOLE:
        return 1.0, _cartpole_step(params, state, outputs[1] > outputs[0])  # argmax, ties to the first
    return 0.0, True


@_jit
def run_episodes(
    genome_index, node_index, node_param, edge_source, edge_weight, const_slot, const_value,
    num_inputs, num_outputs, recurrent, first, stop, env, params, starts, max_steps, returns, steps, final_states,
):
    """Genomes first..stop-1, each on every start state: returns, steps taken, final states.

    Each (genome, episode) runs alone from a zeroed network state until it terminates or
    reaches ``max_steps``; the numpy path steps them in lock step, which gives the same
    numbers because episodes never interact.
    """
    episodes, state_size = starts.shape
    widest = _max_slots(genome_index, first, stop)
    values = np.zeros(widest)
    previous = np.zeros(widest)
    observation = np.zeros(num_inputs)
    outputs = np.zeros(num_outputs)
    state = np.zeros(state_size)
    for g in range(first, stop):
        for e in range(episodes):
            state[:] = starts[e]
            previous[:] = 0.0
            total = 0.0
            taken = 0
            while taken < max_steps:
                env_observe(env, params, state, observation)
                _forward_genome(
                    genome_index, node_index, node_param, edge_source, edge_weight, const_slot, const_value,
                    g, observation, values, previous, recurrent, num_inputs, num_outputs, outputs,
                )
                reward, terminated = env_step(env, params, state, outputs)
                total += reward
                taken += 1
                if terminated:
                    break
            returns[g, e] = total
            steps[g, e] = taken
            final_states[g, e, :] = state


def flush_cache() -> None:
    """Drop every kernel's on-disk cache (they recompile on next use)."""
    for value in list(globals().values()):
        cache = getattr(value, "_cache", None)
        if isinstance(value, numba.core.registry.CPUDispatcher) and cache is not None:
            cache.flush()
