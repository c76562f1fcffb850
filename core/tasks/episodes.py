"""Shared pieces of episodic tasks: episode seeds and the running tally of env steps."""

from __future__ import annotations

import numpy as np


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
