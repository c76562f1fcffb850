"""CartPole-v1 with array-shaped dynamics, evaluated for a whole population at once.

The equations, constants, start distribution, reward and limits are gymnasium's
``CartPoleEnv`` (v1: 500 steps, reward 1 per step including the failing one), written once as
a function over arrays of any shape; ``tests/core/test_cartpole.py`` checks it step for step
against gymnasium. Owning the dynamics lets the evaluator drop genomes whose episodes have all
ended, which gymnasium's vector env cannot do.

Physics: Florian (2007), "Correct equations for the dynamics of the cart-pole system",
https://coneural.org/florian/papers/05_cart_pole.pdf, integrated with explicit Euler.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from core.networks.batch import PopulationNetwork
from core.runs.fields import check_int, check_number
from core.tasks import TaskResult
from core.tasks.episodes import episode_seeds, run_compiled_episodes

GRAVITY = 9.8  # m/s^2
MASS_CART = 1.0  # kg
MASS_POLE = 0.1  # kg
TOTAL_MASS = MASS_POLE + MASS_CART  # kg
HALF_POLE_LENGTH = 0.5  # m (gymnasium's "length" is half the pole's length)
POLE_MASS_LENGTH = MASS_POLE * HALF_POLE_LENGTH  # kg m
FORCE = 10.0  # N, pushed left or right every step
TAU = 0.02  # seconds between state updates
THETA_LIMIT = 12 * 2 * math.pi / 360  # rad: the episode ends past +-12 degrees
X_LIMIT = 2.4  # m: the episode ends when the cart leaves +-2.4
MAX_STEPS = 500  # CartPole-v1 time limit
SOLVED_RETURN = 475.0  # CartPole-v1 reward threshold
# Bounds of the task's parameters (a run file asking for more is not one of ours).
MAX_EPISODES = 100_000
MAX_EPISODE_STEPS = 10_000_000
# The constants of ``cartpole_step`` in the order its compiled twin
# (core.compiled.numba_kernels._cartpole_step) reads them; 4/3 as the expression computes it.
COMPILED_PARAMS = np.array(
    [FORCE, POLE_MASS_LENGTH, TOTAL_MASS, GRAVITY, HALF_POLE_LENGTH, 4.0 / 3.0, MASS_POLE, TAU, X_LIMIT, THETA_LIMIT]
)


def cartpole_step(state: np.ndarray, push_right: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Advance cart-pole states by one Euler step of TAU seconds.

    Args:
        state: (4, ...) float64 array of x (m), x_dot (m/s), theta (rad), theta_dot (rad/s);
            the component axis comes first, as in gymnasium's ``CartPoleVectorEnv``.
        push_right: (...) bool, True pushes with +FORCE, False with -FORCE.

    Returns:
        The new states (4, ...) and a (...) bool array, True where the episode terminated.
    """
    x, x_dot, theta, theta_dot = state
    force = np.where(push_right, FORCE, -FORCE)
    cos_theta = np.cos(theta)
    sin_theta = np.sin(theta)
    temp = (force + POLE_MASS_LENGTH * np.square(theta_dot) * sin_theta) / TOTAL_MASS
    theta_acc = (GRAVITY * sin_theta - cos_theta * temp) / (
        HALF_POLE_LENGTH * (4.0 / 3.0 - MASS_POLE * np.square(cos_theta) / TOTAL_MASS)
    )
    x_acc = temp - POLE_MASS_LENGTH * theta_acc * cos_theta / TOTAL_MASS
    new_state = np.empty_like(state)
    new_state[0] = x + TAU * x_dot
    new_state[1] = x_dot + TAU * x_acc
    new_state[2] = theta + TAU * theta_dot
    new_state[3] = theta_dot + TAU * theta_acc
    terminated = (np.abs(new_state[0]) > X_LIMIT) | (np.abs(new_state[2]) > THETA_LIMIT)
    return new_state, terminated


def cartpole_reset(seeds: np.ndarray) -> np.ndarray:
    """Start states (4, *seeds.shape), exactly as ``CartPoleEnv.reset(seed=s)`` draws them."""
    flat = np.array([np.random.default_rng(int(s)).uniform(-0.05, 0.05, size=4) for s in np.ravel(seeds)])
    return flat.T.reshape((4, *np.shape(seeds)))


def observe(state: np.ndarray) -> np.ndarray:
    """What the policy sees, (..., 4): the state rounded to float32, as gymnasium returns it."""
    return np.moveaxis(state, 0, -1).astype(np.float32).astype(np.float64)


@dataclass(frozen=True, slots=True)
class EpisodeStats:
    """Work done by one population evaluation (for throughput figures).

    The numpy path splits its time into network and physics; the fused compiled loop does both
    in one call, counted in ``fused_s``.
    """

    env_steps: int
    network_s: float
    physics_s: float
    fused_s: float = 0.0


class CartPoleTask:
    """CartPole-v1: 4 observations, 2 outputs (push left / push right, argmax).

    Fitness is the mean return over ``episodes`` episodes whose seeds every genome of a
    generation shares; solved at a mean return of 475.
    """

    name = "cartpole"
    spec_keys = ("episodes", "max_steps", "fitness_threshold")
    num_inputs = 4
    num_outputs = 2
    deterministic = False

    def __init__(self, episodes: int = 5, max_steps: int = MAX_STEPS, fitness_threshold: float = SOLVED_RETURN):
        self.episodes = check_int(episodes, "task.episodes", 1, MAX_EPISODES)
        self.max_steps = check_int(max_steps, "task.max_steps", 1, MAX_EPISODE_STEPS)
        self.fitness_threshold = check_number(fitness_threshold, "task.fitness_threshold")
        self.last_stats = EpisodeStats(0, 0.0, 0.0)

    @property
    def activations_per_genome(self) -> int:
        """Most network activations one genome's evaluation can take (sizes the kernel choice)."""
        return self.episodes * self.max_steps

    def evaluate(self, population: PopulationNetwork, rng: np.random.Generator, episodes: int | None = None) -> TaskResult:
        """Run every genome's episodes in lock step; return mean returns."""
        returns = self.run_episodes(population, episode_seeds(rng, episodes or self.episodes))
        fitness = returns.mean(axis=1)
        return TaskResult(fitness, fitness >= self.fitness_threshold, env_steps=self.last_stats.env_steps)

    def run_episodes(self, population: PopulationNetwork, seeds: np.ndarray) -> np.ndarray:
        """Returns (P, E) of every genome on every seed.

        Genomes whose episodes have all ended are dropped from the batch once they are half of
        it, so late steps cost only what the surviving genomes need.
        """
        started = time.perf_counter()
        compiled = run_compiled_episodes(population, "cartpole", COMPILED_PARAMS, cartpole_reset(seeds).T, self.max_steps)
        if compiled is not None:
            returns, steps, _ = compiled
            self.last_stats = EpisodeStats(int(steps.sum()), 0.0, 0.0, time.perf_counter() - started)
            return returns
        size, episodes = population.size, len(seeds)
        returns = np.zeros((size, episodes))
        # Arrays cover only the genomes still in the batch (``active``), so no step pays for
        # genomes whose episodes have all ended.
        active = np.arange(size)
        state = np.broadcast_to(cartpole_reset(seeds)[:, None, :], (4, size, episodes)).copy()
        alive = np.ones((size, episodes), dtype=bool)
        active_returns = np.zeros((size, episodes))
        network = population
        network.reset()
        env_steps = 0
        network_s = physics_s = 0.0
        for _ in range(self.max_steps):
            started = time.perf_counter()
            outputs = network.activate(observe(state))
            push_right = outputs[..., 1] > outputs[..., 0]  # argmax, ties to the first output
            stepped = time.perf_counter()
            new_state, terminated = cartpole_step(state, push_right)
            # Ended episodes keep their last state so their numbers stay finite.
            state = np.where(alive, new_state, state)
            active_returns += alive
            env_steps += int(np.count_nonzero(alive))
            alive &= ~terminated
            physics_s += time.perf_counter() - stepped
            network_s += stepped - started
            genome_alive = alive.any(axis=1)
            live_count = int(np.count_nonzero(genome_alive))
            if live_count == 0:
                break
            if live_count * 2 <= len(active):
                returns[active] = active_returns
                keep = np.flatnonzero(genome_alive)
                network = network.select(keep)
                active, state, alive, active_returns = active[keep], state[:, keep], alive[keep], active_returns[keep]
        returns[active] = active_returns
        self.last_stats = EpisodeStats(env_steps, network_s, physics_s)
        return returns

    def spec(self) -> dict[str, Any]:
        """Task name and parameters."""
        return {"name": self.name, "episodes": self.episodes, "max_steps": self.max_steps, "fitness_threshold": self.fitness_threshold}

    def close(self) -> None:
        """Nothing to release."""
