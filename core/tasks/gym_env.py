"""Any gymnasium environment, all genomes x episodes stepped together in one vector env.

gymnasium is imported lazily here and nowhere else in ``core``. Box observations are
flattened, Discrete ones one-hot encoded; Discrete actions take the argmax of one output per
action, Box actions squash one output per dimension with tanh into the bounds. Other spaces
raise a ``ValueError`` naming the space.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from core.networks.batch import PopulationNetwork
from core.parallel import BackendSettings, Evaluator, Outcome, make_evaluator
from core.runs.fields import check_int, check_number, check_value, short, shown
from core.tasks import TaskResult
from core.tasks.episodes import episode_seeds, spaces_error

MAX_ENV_ID_LENGTH = 300
MAX_EPISODES = 100_000
MAX_EPISODE_STEPS = 10_000_000
MAX_WORKERS = 64


def _gymnasium():
    try:
        import gymnasium
    except ImportError as error:  # pragma: no cover - gymnasium is a declared dependency
        raise ValueError("gymnasium tasks need the gymnasium package (pip install gymnasium)") from error
    return gymnasium


class SpaceMap:
    """Conversions between a gymnasium env's spaces and network inputs/outputs."""

    def __init__(self, env_id: str, observation_space: Any, action_space: Any):
        spaces = _gymnasium().spaces
        if isinstance(observation_space, spaces.Box):
            self.num_inputs = int(np.prod(observation_space.shape))
            self._one_hot = 0
        elif isinstance(observation_space, spaces.Discrete):
            self.num_inputs = int(observation_space.n)
            self._one_hot = int(observation_space.n)
            self._observation_start = int(observation_space.start)
        else:
            raise spaces_error(env_id, "observation", observation_space)
        if isinstance(action_space, spaces.Discrete):
            self.num_outputs = int(action_space.n)
            self._discrete_start = int(action_space.start)
            self._box = None
        elif isinstance(action_space, spaces.Box):
            self.num_outputs = int(np.prod(action_space.shape))
            low = np.broadcast_to(action_space.low, action_space.shape).astype(np.float64).ravel()
            high = np.broadcast_to(action_space.high, action_space.shape).astype(np.float64).ravel()
            self._box = (low, high, action_space.shape, action_space.dtype)
        else:
            raise spaces_error(env_id, "action", action_space)

    def inputs(self, observations: np.ndarray) -> np.ndarray:
        """(N, *obs_shape) observations -> (N, num_inputs) network inputs."""
        if self._one_hot:
            return np.eye(self._one_hot)[np.asarray(observations, dtype=np.intp) - self._observation_start]
        return np.asarray(observations, dtype=np.float64).reshape(len(observations), self.num_inputs)

    def actions(self, outputs: np.ndarray) -> np.ndarray:
        """(N, num_outputs) network outputs -> (N, *action_shape) env actions."""
        if self._box is None:
            return np.argmax(outputs, axis=-1) + self._discrete_start
        low, high, shape, dtype = self._box
        squashed = np.tanh(outputs)
        finite = np.isfinite(low) & np.isfinite(high)
        scaled = np.where(finite, low + (squashed + 1.0) * 0.5 * np.where(finite, high - low, 0.0), squashed)
        return scaled.reshape(len(outputs), *shape).astype(dtype)


def make_vector_env(env_id: str, num_envs: int, mode: str = "auto"):
    """gymnasium's native vector env where one exists (mode "auto"), else a ``SyncVectorEnv``.

    Raises:
        ValueError: the id is unknown to gymnasium, or the env cannot be built.
    """
    gymnasium = _gymnasium()
    try:
        gymnasium.spec(env_id)
    except (gymnasium.error.Error, ImportError) as error:
        raise ValueError(f"unknown gymnasium environment {shown(env_id)}: {short(str(error))}") from error
    if mode == "auto":
        try:
            return gymnasium.make_vec(env_id, num_envs=num_envs, vectorization_mode="vector_entry_point")
        except Exception:  # noqa: BLE001 - no native vector form: fall back to stepping copies in turn
            pass
    try:
        return gymnasium.make_vec(env_id, num_envs=num_envs, vectorization_mode="sync")
    except Exception as error:  # noqa: BLE001 - an env's own construction errors vary widely
        raise ValueError(f"cannot create gymnasium environment {shown(env_id)}: {short(str(error))}") from error


def run_vector_episodes(
    env_id: str, population: PopulationNetwork, seeds: np.ndarray, max_steps: int | None, mode: str = "auto", env: Any = None
) -> tuple[np.ndarray, int]:
    """Returns (P, E) and the env steps taken, all P x E episodes stepped in one vector env.

    A ``SyncVectorEnv`` seeds each episode, so every genome meets the same E starts. A native
    vector env takes one seed for all its sub-envs: starts are reproducible but not shared.
    ``env``: a vector env of P x E sub-envs to reuse (kept open); else one is made and closed.
    """
    size, episodes = population.size, len(seeds)
    owned = env is None
    if owned:
        env = make_vector_env(env_id, size * episodes, mode)
    try:
        spaces = SpaceMap(env_id, env.single_observation_space, env.single_action_space)
        limit = max_steps or (env.spec.max_episode_steps if env.spec and env.spec.max_episode_steps else 1000)
        gymnasium = _gymnasium()
        if isinstance(env, gymnasium.vector.SyncVectorEnv):
            observations, _ = env.reset(seed=[int(s) for s in np.tile(seeds, size)])
        else:
            observations, _ = env.reset(seed=int(seeds[0]))
        population.reset()
        alive = np.ones(size * episodes, dtype=bool)
        returns = np.zeros(size * episodes)
        env_steps = 0
        for _ in range(limit):
            inputs = spaces.inputs(observations).reshape(size, episodes, spaces.num_inputs)
            outputs = population.activate(inputs).reshape(size * episodes, spaces.num_outputs)
            observations, rewards, terminated, truncated, _ = env.step(spaces.actions(outputs))
            returns += np.where(alive, rewards, 0.0)
            env_steps += int(alive.sum())
            alive &= ~(terminated | truncated)
            if not alive.any():
                break
        return returns.reshape(size, episodes), env_steps
    finally:
        if owned:
            env.close()


@dataclass(frozen=True, slots=True)
class GymJob:
    """Episodes of a gymnasium env as a ``core.parallel`` job: items are ``(genome, recurrent,
    seeds)``; a chunk's genomes step together in one ``SyncVectorEnv`` (one seed per episode, so a
    genome's returns do not depend on its chunk). A worker keeps its envs, one per chunk size."""

    env_id: str
    max_steps: int | None
    code_folder: str | None = None
    fine_grained = False
    memory_limit_mb = None
    what = "the environment"

    def build(self) -> Callable[[list[Any]], list[Outcome]]:
        """Register the env (importing a ``module:Env`` id's module) and return the chunk stepper."""
        module, colon, _ = self.env_id.partition(":")
        if colon:
            from core.tasks.user_code import import_user_module

            import_user_module(module, self.code_folder)
        envs: dict[int, Any] = {}

        def evaluate(chunk: list[Any]) -> list[Outcome]:
            genomes = [genome for genome, _, _ in chunk]
            recurrent, seeds = chunk[0][1], chunk[0][2]
            count = len(genomes) * len(seeds)
            if count not in envs:
                envs[count] = make_vector_env(self.env_id, count, "sync")
            returns, steps = run_vector_episodes(self.env_id, PopulationNetwork(genomes, recurrent), seeds, self.max_steps, "sync", envs[count])
            # A chunk's env steps ride on its first genome's outcome.
            return [((row, steps if i == 0 else 0), None) for i, row in enumerate(returns)]

        return evaluate


class GymTask:
    """A gymnasium environment as a NEAT task; fitness is the mean return over episodes.

    Args:
        env_id: a registered gymnasium id, e.g. "Acrobot-v1".
        episodes: episodes per genome per generation (seeds shared within a generation).
        max_steps: step cap per episode; None uses the env's time limit (or 1000).
        fitness_threshold: solved at this mean return; None takes the env's reward threshold.
        workers: 0 steps everything in this process (or, with a parallel backend, one worker
            per CPU); N > 0 splits genomes over N workers (the process backend unless
            ``backend`` says otherwise). Results are identical to the serial run.
        mode: "auto" uses gymnasium's native vector env where one exists; "sync" always uses
            ``SyncVectorEnv`` with one seed per episode, shared by all genomes. A native vector
            env seeds all its episodes from one seed, so it cannot be split over workers: asking
            for workers there is an error (give mode "sync").
        backend: where genomes are evaluated (``core.parallel.BackendSettings``; not saved with
            the run: it never changes results).

    Raises:
        ValueError: unknown id, or an observation/action space that cannot be mapped.
    """

    name = "gym"
    deterministic = False
    spec_keys = ("env_id", "episodes", "max_steps", "fitness_threshold", "workers", "mode")

    def __init__(
        self,
        env_id: str,
        episodes: int = 5,
        max_steps: int | None = None,
        fitness_threshold: float | None = None,
        workers: int = 0,
        mode: str = "auto",
        *,
        backend: BackendSettings | None = None,
        load_code: bool = True,
        code_folder: str | None = None,
    ):
        check_value(env_id, str, "task.env_id")
        if not env_id or len(env_id) > MAX_ENV_ID_LENGTH:
            raise ValueError(f"task.env_id: {shown(env_id)} is not a gymnasium id")
        check_value(mode, str, "task.mode")
        if mode not in ("auto", "sync"):
            raise ValueError(f"task.mode must be 'auto' or 'sync', got {shown(mode)}")
        self.env_id = env_id
        self.episodes = check_int(episodes, "task.episodes", 1, MAX_EPISODES)
        self.max_steps = None if max_steps is None else check_int(max_steps, "task.max_steps", 1, MAX_EPISODE_STEPS)
        self.workers = check_int(workers, "task.workers", 0, MAX_WORKERS)
        if fitness_threshold is not None:
            check_number(fitness_threshold, "task.fitness_threshold")
        module, colon, _ = env_id.partition(":")
        if colon:
            # gymnasium imports the module of a "module:Env-v0" id to register the env: only
            # when the user named it (see core.tasks.required_code).
            if not load_code:
                raise ValueError(f"task.env_id: {shown(env_id)} would import module {shown(module)}")
            from core.tasks.user_code import import_user_module

            import_user_module(module, code_folder)
        if backend is None:
            backend = BackendSettings("process" if self.workers else "serial", self.workers)
        elif self.workers and not backend.parallel:
            raise ValueError("task.workers applies to the process and ray backends")
        self.mode = mode
        self.code_folder = code_folder
        self._evaluator: Evaluator | None = None
        probe = make_vector_env(env_id, 1, mode)
        try:
            spaces = SpaceMap(env_id, probe.single_observation_space, probe.single_action_space)
            threshold = probe.spec.reward_threshold if probe.spec else None
            self._native = not isinstance(probe, _gymnasium().vector.SyncVectorEnv)
        finally:
            probe.close()
        self.use_backend(backend)
        self.num_inputs, self.num_outputs = spaces.num_inputs, spaces.num_outputs
        chosen = fitness_threshold if fitness_threshold is not None else threshold
        self.fitness_threshold = math.inf if chosen is None else float(chosen)
        self.last_env_steps = 0

    def use_backend(self, backend: BackendSettings) -> None:
        """Evaluate on ``backend`` from the next generation on (results do not change).

        Raises:
            ValueError: the env has a native vector form and ``backend`` is parallel.
        """
        if self._native and backend.parallel:
            # One seed starts all of a native vector env's episodes: a split population would
            # meet other starts than the whole one, and the run would depend on the workers.
            raise ValueError(
                f"{self.env_id} steps the whole population in its own vector env, which cannot be split over workers "
                "(same seed, same run); evaluate it serially, or set the task's mode to 'sync'"
            )
        self.close()
        self.backend = backend
        self.workers = backend.workers if backend.parallel else 0

    def evaluate(self, population: PopulationNetwork, rng: np.random.Generator, episodes: int | None = None) -> TaskResult:
        """Mean return of every genome over this generation's shared episode seeds."""
        seeds = episode_seeds(rng, episodes or self.episodes)
        if self.backend.parallel:
            returns, self.last_env_steps = self._evaluate_on_workers(population, seeds)
        else:
            returns, self.last_env_steps = run_vector_episodes(self.env_id, population, seeds, self.max_steps, self.mode)
        fitness = returns.mean(axis=1)
        return TaskResult(fitness, fitness >= self.fitness_threshold, env_steps=self.last_env_steps)

    def _evaluate_on_workers(self, population: PopulationNetwork, seeds: np.ndarray) -> tuple[np.ndarray, int]:
        import os

        if self._evaluator is None:
            folder = os.path.abspath(self.code_folder) if self.code_folder else os.getcwd()
            self._evaluator = make_evaluator(self.backend, GymJob(self.env_id, self.max_steps, folder))
        outcomes = self._evaluator.map([(g, population.recurrent, seeds) for g in population.genomes], population.checkpoint)
        failed = next((message for value, message in outcomes if message is not None), None)
        if failed is not None:
            raise ValueError(f"evaluating {self.env_id} on the {self.backend.name} backend failed: {failed}")
        returns = np.array([value[0] for value, _ in outcomes]).reshape(population.size, len(seeds))
        return returns, sum(value[1] for value, _ in outcomes)

    def spec(self) -> dict[str, Any]:
        """Task name and parameters."""
        return {
            "name": self.name,
            "env_id": self.env_id,
            "episodes": self.episodes,
            "max_steps": self.max_steps,
            "fitness_threshold": None if math.isinf(self.fitness_threshold) else self.fitness_threshold,
            "workers": self.workers,
            "mode": self.mode,
        }

    def close(self) -> None:
        """Stop the workers, if any."""
        if self._evaluator is not None:
            self._evaluator.close()
            self._evaluator = None
