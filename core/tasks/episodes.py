"""Shared pieces of episodic tasks: episode seeds, and episodes run by a compiled kernel."""

from __future__ import annotations

import numpy as np

from core.networks.batch import PopulationNetwork

# A kernel call runs whole genomes; at most about this many network activations per call, so a
# pause or stop (the checkpoint, called between calls) acts within ~10-50 ms.
CHUNK_ACTIVATIONS = 250_000


def episode_seeds(rng: np.random.Generator, episodes: int) -> np.ndarray:
    """One seed per episode, shared by every genome of a generation.

    Common seeds make genomes of one generation face the same starts, so selection compares
    policies rather than luck; they come from the engine's per-generation task stream.
    """
    return rng.integers(0, 2**31 - 1, size=episodes, dtype=np.int64)


def spaces_error(env_id: str, role: str, space: object) -> ValueError:
    """The error for an observation or action space NEAT Scope cannot map to a network."""
    return ValueError(
        f"environment {env_id!r}: unsupported {role} space {space!r} (NEAT Scope maps Box and Discrete spaces)"
    )


def run_compiled_episodes(
    population: PopulationNetwork, env: str, params: np.ndarray, starts: np.ndarray, max_steps: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Every genome's episodes in the fused numba loop (network + physics per step, no Python).

    Args:
        population: a population built with ``kernel="numba"``.
        env: a name in ``core.compiled.ENV_CODES``; its physics twin reads ``params``.
        params: (K,) float64 constants of the environment, in the order its twin reads them.
        starts: (E, S) start state of each episode, shared by all genomes.
        max_steps: episode length cap (truncation).

    Returns:
        returns (P, E), steps taken (P, E) and final states (P, E, S); None when the population
        is not on the compiled kernel or ``env`` has no twin (the caller runs numpy instead).
    """
    from core.compiled import ENV_CODES

    flat, kernels = population.flat, population.kernels
    if flat is None or kernels is None or env not in ENV_CODES:
        return None
    size = population.size
    starts = np.ascontiguousarray(starts, dtype=np.float64)
    episodes, state_size = starts.shape
    returns = np.zeros((size, episodes))
    steps = np.zeros((size, episodes), dtype=np.int64)
    final_states = np.zeros((size, episodes, state_size))
    params = np.ascontiguousarray(params, dtype=np.float64)
    per_call = max(1, CHUNK_ACTIVATIONS // max(1, episodes * max_steps))
    arrays = flat.arrays()
    for first in range(0, size, per_call):
        if population.checkpoint is not None:
            population.checkpoint()
        stop = min(first + per_call, size)
        kernels.run_episodes(
            *arrays, flat.num_inputs, flat.num_outputs, flat.recurrent, first, stop, ENV_CODES[env], params, starts, int(max_steps),
            returns, steps, final_states,
        )
    return returns, steps, final_states
