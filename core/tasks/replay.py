"""Step-by-step replays of one genome's episode, with every node's activation at every step.

A replay decodes a *copy* of a genome into the one-genome reference network (bit-identical to
the batched evaluator) and steps the same dynamics the evaluator uses, so a CartPole replay
with an episode seed earns exactly the return the evaluator computed for that genome and seed.
Nothing here touches a running algorithm.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from core.networks.decode import decode
from core.networks.genome import Genome
from core.tasks import double_pole
from core.tasks.cartpole import MAX_STEPS, cartpole_reset, cartpole_step, observe


@dataclass(frozen=True, slots=True)
class ReplayFrame:
    """What one step of a replay showed and did.

    ``observation`` is what the network saw, ``outputs`` what it answered, ``activations`` every
    node's value after that activation, and ``state`` the environment state afterwards (CartPole:
    x, x_dot, theta, theta_dot). ``step`` counts steps taken so far.
    """

    step: int
    observation: np.ndarray
    outputs: np.ndarray
    activations: dict[int, float]
    state: np.ndarray
    total_return: float
    done: bool
    image: np.ndarray | None = field(default=None, compare=False)
    # Task-specific numbers of this step (double pole: the damping fitness's terms so far).
    terms: dict[str, float] | None = field(default=None, compare=False)


class CartPoleReplay:
    """CartPole-v1 for one genome and one episode seed, one ``step()`` at a time."""

    def __init__(self, genome: Genome, seed: int, recurrent: bool, max_steps: int = MAX_STEPS):
        self.genome = genome.copy(genome.genome_id)
        self.seed = int(seed)
        self.recurrent = recurrent
        self.max_steps = int(max_steps)
        self.reset()

    def reset(self) -> None:
        """Back to the start state of the episode seed, network state cleared."""
        self.network = decode(self.genome, recurrent=self.recurrent)
        self.state = cartpole_reset(np.array([self.seed]))[:, 0]
        self.steps = 0
        self.total_return = 0.0
        self.done = False

    def step(self) -> ReplayFrame:
        """Take one step (the last frame again once the episode has ended)."""
        if self.done:
            raise RuntimeError("the episode has ended; reset() to play it again")
        observation = observe(self.state)
        activations = self.network.activate_all(observation)
        outputs = np.array([activations[o] for o in self.network.output_ids])
        push_right = outputs[1] > outputs[0]  # argmax with ties to the first output, as the evaluator
        self.state, terminated = cartpole_step(self.state, np.asarray(push_right))
        self.steps += 1
        self.total_return += 1.0
        self.done = bool(terminated) or self.steps >= self.max_steps
        return ReplayFrame(self.steps, observation, outputs, activations, self.state.copy(), self.total_return, self.done)


class DoublePoleReplay:
    """Double pole balancing for one genome from one start state, one ``step()`` (decision) at a time.

    ``seed`` picks the start: 0 is the standard start, 1..625 the generalisation test's starts
    (``double_pole.generalisation_starts()[seed - 1]``). Frames carry the damping fitness's terms
    so far (``terms``: balanced, f1, jiggle sum of the last 100 balanced decisions, f2, fitness),
    computed by the task's own ``damping_fitness``: a replay of the evaluator's trial ends on
    the fitness the evaluator gave (without velocities; with them the fitness is the count).
    """

    def __init__(self, genome: Genome, seed: int, recurrent: bool, velocities: bool, max_steps: int | None = None,
                 start_theta: float = double_pole.START_THETA_1):
        self.genome = genome.copy(genome.genome_id)
        self.seed = int(seed)
        self.recurrent = recurrent
        self.velocities = velocities
        self.start_theta = float(start_theta)
        self.max_steps = int(max_steps or (double_pole.MARKOV_STEPS if velocities else double_pole.NV_STEPS))
        self.reset()

    def start_state(self) -> np.ndarray:
        """The start state (6,) the seed names."""
        if not 0 <= self.seed <= 625:
            raise ValueError(f"double pole start {self.seed}: 0 is the standard start, 1..625 the generalisation starts")
        if self.seed == 0:
            return double_pole.standard_start(self.start_theta)
        return double_pole.generalisation_starts()[self.seed - 1]

    def reset(self) -> None:
        """Back to the start state, network state cleared."""
        self.network = decode(self.genome, recurrent=self.recurrent)
        self.state = self.start_state()
        self.steps = 0
        self.balanced = 0
        self.ring = np.zeros(double_pole.JIGGLE_WINDOW)
        self.total_return = 0.0
        self.done = False

    def terms(self) -> dict[str, float]:
        """The damping fitness's terms after the decisions so far."""
        jiggle_sum = 0.0
        for offset in range(min(self.balanced, double_pole.JIGGLE_WINDOW)):
            jiggle_sum += self.ring[(self.balanced - min(self.balanced, double_pole.JIGGLE_WINDOW) + offset) % double_pole.JIGGLE_WINDOW]
        f1 = self.balanced / float(double_pole.NV_STEPS)
        fitness = float(double_pole.damping_fitness(np.array(self.balanced), self.ring))
        f2 = (fitness - 0.1 * f1) / 0.9 if self.balanced > double_pole.JIGGLE_WINDOW else 0.0
        return {"balanced": float(self.balanced), "f1": f1, "jiggle_sum": jiggle_sum, "f2": f2, "fitness": fitness}

    def step(self) -> ReplayFrame:
        """Take one decision (two RK4 steps of the force the network chose)."""
        if self.done:
            raise RuntimeError("the trial has ended; reset() to play it again")
        observation = double_pole.observe(self.state, self.velocities)
        activations = self.network.activate_all(observation)
        outputs = np.array([activations[o] for o in self.network.output_ids])
        self.state, failing = double_pole.decide(self.state, np.asarray(outputs[0]))
        self.steps += 1
        if not failing:
            self.ring[self.balanced % double_pole.JIGGLE_WINDOW] = double_pole.jiggle(self.state)
            self.balanced += 1
        self.total_return = float(self.balanced)
        self.done = bool(failing) or self.steps >= self.max_steps
        return ReplayFrame(self.steps, observation, outputs, activations, self.state.copy(), self.total_return, self.done, terms=self.terms())


class GymReplay:
    """Any gymnasium environment with an ``rgb_array`` render, for viewing (frames carry images).

    Returns may differ from a vector-env evaluation where the env's own seeding differs between
    its single and vector forms; CartPole uses ``CartPoleReplay``, which is exact.
    """

    def __init__(self, env_id: str, genome: Genome, seed: int, recurrent: bool, max_steps: int | None = None):
        import gymnasium

        from core.tasks.gym_env import SpaceMap

        try:
            self.env = gymnasium.make(env_id, render_mode="rgb_array")
        except gymnasium.error.Error as error:
            raise ValueError(f"cannot replay {env_id!r}: {error}") from error
        self.spaces = SpaceMap(env_id, self.env.observation_space, self.env.action_space)
        self.genome = genome.copy(genome.genome_id)
        self.seed = int(seed)
        self.recurrent = recurrent
        limit = self.env.spec.max_episode_steps if self.env.spec is not None else None
        self.max_steps = int(max_steps or limit or 10_000)
        self.reset()

    def reset(self) -> None:
        """Back to the start of the episode seed."""
        self.network = decode(self.genome, recurrent=self.recurrent)
        self.observation, _ = self.env.reset(seed=self.seed)
        self.steps = 0
        self.total_return = 0.0
        self.done = False

    def render(self) -> np.ndarray | None:
        """The current frame as an (H, W, 3) uint8 array."""
        return self.env.render()

    def step(self) -> ReplayFrame:
        """Take one step."""
        if self.done:
            raise RuntimeError("the episode has ended; reset() to play it again")
        inputs = self.spaces.inputs(np.asarray(self.observation)[None])[0]
        activations = self.network.activate_all(inputs)
        outputs = np.array([activations[o] for o in self.network.output_ids])
        action: Any = self.spaces.actions(outputs[None])[0]
        self.observation, reward, terminated, truncated, _ = self.env.step(action)
        self.steps += 1
        self.total_return += float(reward)
        self.done = bool(terminated or truncated) or self.steps >= self.max_steps
        state = np.asarray(self.observation, dtype=np.float64).ravel()
        return ReplayFrame(self.steps, inputs, outputs, activations, state, self.total_return, self.done, self.render())

    def close(self) -> None:
        """Release the environment."""
        self.env.close()
