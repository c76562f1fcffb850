"""numba kernels: the population forward pass and fused episode loops, twins of the numpy code.

Every function repeats its numpy twin's floating-point operations in the same order (numba
does not contract a * b + c into a fused multiply-add unless fastmath is on, and it is off),
so results are bit-identical: ``core.networks.batch._compute`` for nodes,
``core.networks.activations`` for activation functions, ``core.tasks.cartpole.cartpole_step``
for the cart-pole, ``core.tasks.double_pole.decide`` for double pole balancing. There is one entry point, ``evaluate`` (``forward`` and ``run_episodes`` are
its two uses); its array arguments have fixed dtypes and ranks whatever the genomes, so it
compiles once per machine (cached on disk) and never again as topologies grow. ``nogil`` lets a
GUI thread paint meanwhile.

Adding an environment: write its physics as an ``@_inline`` function over (params, state,
...) that repeats the task's numpy step operation for operation, give it a code in
``core.compiled.ENV_CODES``, and add one branch to ``env_observe`` and one to ``env_step``.

Importing this module imports numba; ``core.compiled.load()`` does that, once, when asked.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from core.compiled import ACTIVATION_CODES, AGGREGATION_CODES, ENV_CODES
from core.networks.activations import (
    EXP_INV_LN2,
    EXP_LIMIT,
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
_inline = numba.njit(cache=True, nogil=True, error_model="numpy", inline="always")

SIGMOID = ACTIVATION_CODES["sigmoid"]
TANH = ACTIVATION_CODES["tanh"]
RELU = ACTIVATION_CODES["relu"]
IDENTITY = ACTIVATION_CODES["identity"]
GAUSSIAN = ACTIVATION_CODES["gaussian"]
SIN = ACTIVATION_CODES["sin"]
ABS = ACTIVATION_CODES["abs"]
SQUARE = ACTIVATION_CODES["square"]
LOGISTIC = ACTIVATION_CODES["logistic"]
STD_GAUSSIAN = ACTIVATION_CODES["std_gaussian"]
SUM = AGGREGATION_CODES["sum"]
PRODUCT = AGGREGATION_CODES["product"]
CARTPOLE = ENV_CODES["cartpole"]
DOUBLE_POLE = ENV_CODES["double-pole"]
DOUBLE_POLE_NV = ENV_CODES["double-pole-nv"]
TP0, TP1, TP2 = TANH_P
_POWERS_OF_TWO = np.array([2.0 ** (i - 1022) for i in range(2046)])
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
    # y * 2^k is exact (the result is normal for |x| <= 700): the same bits as numpy's exponent
    # construction, without a call to ldexp.
    return y * _POWERS_OF_TWO[min(max(int(k) + 1022, 0), 2045)]


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
        if z < -EXP_LIMIT:
            z = -EXP_LIMIT
        elif z > EXP_LIMIT:
            z = EXP_LIMIT
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
        if square > EXP_LIMIT:
            square = EXP_LIMIT
        return exp_ieee(-square)
    if code == SIN:
        return math.sin(x)
    if code == ABS:
        return abs(x)
    if code == LOGISTIC:
        z = -x
        if z < -EXP_LIMIT:
            z = -EXP_LIMIT
        elif z > EXP_LIMIT:
            z = EXP_LIMIT
        return 1.0 / (1.0 + exp_ieee(z))
    if code == STD_GAUSSIAN:
        square = x * x
        if square > 2.0 * EXP_LIMIT:
            square = 2.0 * EXP_LIMIT
        return exp_ieee(-square * 0.5)
    return x * x  # SQUARE


# --- environments with compiled physics -------------------------------------------------------


@_inline
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


@_inline
def _double_pole_derivatives(params, x_dot, theta_1, theta_1_dot, theta_2, theta_2_dot, force):
    """Twin of core.tasks.double_pole.derivatives for one state: dy/dt as a 6-tuple."""
    gravity, mass_cart, mass_1, half_1, mass_2, half_2, friction = params[0], params[1], params[2], params[3], params[4], params[5], params[6]
    ml_1, ml_2, fi_1_factor, fi_2_factor = params[11], params[12], params[13], params[14]
    cos_1 = math.cos(theta_1)
    sin_1 = math.sin(theta_1)
    cos_2 = math.cos(theta_2)
    sin_2 = math.sin(theta_2)
    g_sin_1 = gravity * sin_1
    g_sin_2 = gravity * sin_2
    friction_1 = friction * theta_1_dot / ml_1
    friction_2 = friction * theta_2_dot / ml_2
    fi_1 = ml_1 * theta_1_dot * theta_1_dot * sin_1 + fi_1_factor * cos_1 * (friction_1 + g_sin_1)
    fi_2 = ml_2 * theta_2_dot * theta_2_dot * sin_2 + fi_2_factor * cos_2 * (friction_2 + g_sin_2)
    mi_1 = mass_1 * (1.0 - 0.75 * cos_1 * cos_1)
    mi_2 = mass_2 * (1.0 - 0.75 * cos_2 * cos_2)
    x_acc = (force + fi_1 + fi_2) / (mi_1 + mi_2 + mass_cart)
    theta_1_acc = -0.75 * (x_acc * cos_1 + g_sin_1 + friction_1) / half_1
    theta_2_acc = -0.75 * (x_acc * cos_2 + g_sin_2 + friction_2) / half_2
    return x_dot, x_acc, theta_1_dot, theta_1_acc, theta_2_dot, theta_2_acc


@_inline
def _double_pole_decide(params, state, out):
    """Twin of core.tasks.double_pole.decide for one state, in place; True if it failed."""
    tau, half_tau, sixth_tau = params[8], params[9], params[10]
    if out < 0.0:  # clip to [0, 1] as np.clip does; NaN passes through
        out = 0.0
    elif out > 1.0:
        out = 1.0
    force = (out - 0.5) * (params[7] * 2.0)
    y = (state[0], state[1], state[2], state[3], state[4], state[5])
    for _ in range(2):
        k1 = _double_pole_derivatives(params, y[1], y[2], y[3], y[4], y[5], force)
        a = (y[0] + half_tau * k1[0], y[1] + half_tau * k1[1], y[2] + half_tau * k1[2],
             y[3] + half_tau * k1[3], y[4] + half_tau * k1[4], y[5] + half_tau * k1[5])
        k2 = _double_pole_derivatives(params, a[1], a[2], a[3], a[4], a[5], force)
        b = (y[0] + half_tau * k2[0], y[1] + half_tau * k2[1], y[2] + half_tau * k2[2],
             y[3] + half_tau * k2[3], y[4] + half_tau * k2[4], y[5] + half_tau * k2[5])
        k3 = _double_pole_derivatives(params, b[1], b[2], b[3], b[4], b[5], force)
        c = (y[0] + tau * k3[0], y[1] + tau * k3[1], y[2] + tau * k3[2], y[3] + tau * k3[3], y[4] + tau * k3[4], y[5] + tau * k3[5])
        k4 = _double_pole_derivatives(params, c[1], c[2], c[3], c[4], c[5], force)
        y = (
            y[0] + sixth_tau * (k1[0] + k4[0] + 2.0 * (k3[0] + k2[0])),
            y[1] + sixth_tau * (k1[1] + k4[1] + 2.0 * (k3[1] + k2[1])),
            y[2] + sixth_tau * (k1[2] + k4[2] + 2.0 * (k3[2] + k2[2])),
            y[3] + sixth_tau * (k1[3] + k4[3] + 2.0 * (k3[3] + k2[3])),
            y[4] + sixth_tau * (k1[4] + k4[4] + 2.0 * (k3[4] + k2[4])),
            y[5] + sixth_tau * (k1[5] + k4[5] + 2.0 * (k3[5] + k2[5])),
        )
    for i in range(6):
        state[i] = y[i]
    x_limit, theta_limit = params[15], params[16]
    return not (abs(y[0]) <= x_limit and abs(y[2]) <= theta_limit and abs(y[4]) <= theta_limit)


@_inline
def env_observe(env, params, state, observation):
    """Write what the policy sees of ``state`` into ``observation`` (the network's inputs)."""
    if env == CARTPOLE:
        for i in range(4):
            observation[i] = np.float64(np.float32(state[i]))  # gymnasium returns float32
    elif env == DOUBLE_POLE:
        for i in range(6):
            observation[i] = state[i] / params[18 + i]
        observation[6] = params[17]
    elif env == DOUBLE_POLE_NV:
        for i in range(3):
            observation[i] = state[2 * i] / params[18 + 2 * i]
        observation[3] = params[17]


@_inline
def env_step(env, params, state, outputs):
    """Apply the network's ``outputs`` and advance ``state`` in place: (reward, terminated)."""
    if env == CARTPOLE:
        return 1.0, _cartpole_step(params, state, outputs[1] > outputs[0])  # argmax, ties to the first
    if env == DOUBLE_POLE or env == DOUBLE_POLE_NV:
        # Reward: one per decision balanced (the failing one earns nothing).
        if _double_pole_decide(params, state, outputs[0]):
            return 0.0, True
        if env == DOUBLE_POLE_NV:  # ring of the damping fitness's jiggle terms after state[6] (the count)
            count = int(state[6])
            window = int(params[24])
            state[7 + count % window] = abs(state[0]) + abs(state[1]) + abs(state[2]) + abs(state[3])
            state[6] = count + 1.0
        return 1.0, False
    return 0.0, True


# --- the population kernel ----------------------------------------------------------------------
# One kernel serves both the forward pass (env = FEED: one activation per case from given
# inputs) and fused episodes, so there is one compiled signature and one copy of the node loop.
# A genome's cases (episodes) advance together, node by node: their chains of dependent
# floating-point operations are independent, so the CPU overlaps them (about 2x over one
# episode after another). The node loop is written out here on purpose: a helper taking the
# network arrays costs ~100 ns per call in reference counting when LLVM does not inline it.

FEED = -1


@_jit
def evaluate(
    genome_index, node_index, node_param, edge_source, edge_weight, const_slot, const_value,
    num_inputs, num_outputs, recurrent, first, stop,
    env, params, starts, max_steps, inputs, shared_inputs, state, outputs, returns, steps, final_states,
):
    """Genomes first..stop-1 on every case (FEED) or episode; see ``forward`` and ``run_episodes``."""
    feed = env == FEED
    cases = inputs.shape[1] if feed else starts.shape[0]
    state_size = starts.shape[1]
    widest = 1
    for g in range(first, stop):
        widest = max(widest, genome_index[g + 1, 0] - genome_index[g, 0])
    # values[0, e]: this activation's values of case e; values[1, e]: the previous step's
    # (recurrent nets read those).
    values = np.zeros((2, cases, widest))
    read = 1 if recurrent else 0
    observation = np.zeros((cases, num_inputs))
    out = np.zeros((cases, num_outputs))
    env_state = np.zeros((cases, state_size))
    alive = np.zeros(cases, dtype=np.bool_)
    total_reward = np.zeros(cases)
    taken = np.zeros(cases, dtype=np.int64)
    for g in range(first, stop):
        slots = genome_index[g + 1, 0] - genome_index[g, 0]
        for e in range(cases):
            alive[e] = True
            total_reward[e] = 0.0
            taken[e] = 0
            if feed:
                row = 0 if shared_inputs else g
                for i in range(num_inputs):
                    observation[e, i] = inputs[row, e, i]
                base = genome_index[g, 0] * cases + e * slots
                for s in range(slots):
                    values[1, e, s] = state[base + s] if recurrent else 0.0
            else:
                for k in range(state_size):
                    env_state[e, k] = starts[e, k]
                for s in range(slots):
                    values[1, e, s] = 0.0
        live = cases
        limit = 1 if feed else max_steps
        step = 0
        while live > 0 and step < limit:
            if not feed:
                for e in range(cases):
                    if alive[e]:
                        env_observe(env, params, env_state[e], observation[e])
            # One activation of every live case (twin of PopulationNetwork.activate / _compute).
            for e in range(cases):
                if alive[e]:
                    for i in range(num_inputs):
                        values[read, e, i] = observation[e, i]
                    for c in range(genome_index[g, 2], genome_index[g + 1, 2]):
                        values[read, e, const_slot[c]] = const_value[c]
                    if recurrent:
                        for s in range(slots):
                            values[0, e, s] = values[1, e, s]
            for n in range(genome_index[g, 1], genome_index[g + 1, 1]):
                edge, edge_stop = node_index[n, 3], node_index[n + 1, 3]
                code, kind, target = node_index[n, 1], node_index[n, 2], node_index[n, 0]
                bias, response = node_param[n, 0], node_param[n, 1]
                for e in range(cases):
                    if not alive[e]:
                        continue
                    if edge == edge_stop:
                        total = 0.0
                    else:
                        total = values[read, e, edge_source[edge]] * edge_weight[edge]
                        if kind == SUM:
                            for k in range(edge + 1, edge_stop):
                                total += values[read, e, edge_source[k]] * edge_weight[k]
                        elif kind == PRODUCT:
                            for k in range(edge + 1, edge_stop):
                                total *= values[read, e, edge_source[k]] * edge_weight[k]
                        else:  # MAX, propagating NaN as np.maximum does
                            for k in range(edge + 1, edge_stop):
                                term = values[read, e, edge_source[k]] * edge_weight[k]
                                if total == total and (term > total or term != term):
                                    total = term
                    values[0, e, target] = activate(code, bias + response * total)
            for e in range(cases):
                if alive[e]:
                    if recurrent:
                        for s in range(slots):
                            values[1, e, s] = values[0, e, s]
                    for o in range(num_outputs):
                        out[e, o] = values[0, e, num_inputs + o]
                    taken[e] += 1
                    if not feed:
                        reward, terminated = env_step(env, params, env_state[e], out[e])
                        total_reward[e] += reward
                        if terminated:
                            alive[e] = False
                            live -= 1
            step += 1
        for e in range(cases):
            if feed:
                for o in range(num_outputs):
                    outputs[g, e, o] = out[e, o]
                if recurrent:
                    base = genome_index[g, 0] * cases + e * slots
                    for s in range(slots):
                        state[base + s] = values[1, e, s]
            else:
                returns[g, e] = total_reward[e]
                steps[g, e] = taken[e]
                for k in range(state_size):
                    final_states[g, e, k] = env_state[e, k]


_NONE_1 = np.zeros(1)
_NONE_2 = np.zeros((1, 1))
_NONE_2_INT = np.zeros((1, 1), dtype=np.int64)
_NONE_3 = np.zeros((1, 1, 1))


def forward(genome_index, node_index, node_param, edge_source, edge_weight, const_slot, const_value, num_inputs, num_outputs, recurrent, inputs, shared_inputs, state, outputs):
    """Every genome on every case: outputs (P, E, O) from inputs (P or 1, E, I), C-contiguous.

    ``state`` is the recurrent state, genome after genome, each an (E, slots) block, read and
    updated; unused when feed-forward.
    """
    evaluate(
        genome_index, node_index, node_param, edge_source, edge_weight, const_slot, const_value,
        num_inputs, num_outputs, recurrent, 0, len(genome_index) - 1,
        FEED, _NONE_1, _NONE_2, 1, inputs, shared_inputs, state if recurrent else _NONE_1, outputs, _NONE_2, _NONE_2_INT, _NONE_3,
    )


def run_episodes(
    genome_index, node_index, node_param, edge_source, edge_weight, const_slot, const_value,
    num_inputs, num_outputs, recurrent, first, stop, env, params, starts, max_steps, returns, steps, final_states,
):
    """Genomes first..stop-1, each on every start state (E, S): returns, steps taken, final states.

    Each (genome, episode) runs alone from a zeroed network state until it terminates or
    reaches ``max_steps``; the numpy path steps them in lock step, which gives the same
    numbers because episodes never interact.
    """
    evaluate(
        genome_index, node_index, node_param, edge_source, edge_weight, const_slot, const_value,
        num_inputs, num_outputs, recurrent, first, stop,
        env, params, starts, max_steps, _NONE_3, False, _NONE_1, _NONE_3, returns, steps, final_states,
    )


def flush_cache() -> None:
    """Drop every kernel's on-disk cache (they recompile on next use)."""
    for value in list(globals().values()):
        cache = getattr(value, "_cache", None)
        if isinstance(value, numba.core.registry.CPUDispatcher) and cache is not None:
            cache.flush()
