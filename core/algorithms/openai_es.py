"""OpenAI-ES after Salimans et al. (2017), "Evolution Strategies as a Scalable Alternative to
Reinforcement Learning", as in openai/evolution-strategies-starter.

A generation (``OpenAIES.step``):

1. Draw n = size/2 noise vectors eps_i ~ N(0, I) and evaluate the mirrored pairs
   theta + sigma * eps_i and theta - sigma * eps_i, plus theta itself (reported, not used).
2. Shape all 2n returns jointly by centered ranks: rank / (2n - 1) - 0.5, in [-0.5, 0.5].
3. g = sum_i (R+_i - R-_i) eps_i / (2n)  (no 1/sigma factor, as in the starter code).
4. Adam descends on -g + l2 * theta (the L2 term is weight decay); sigma may decay.

``OpenAIESCore`` is the optimiser alone (ask/tell on plain vectors), tested on a quadratic
bowl; ``OpenAIES`` wraps it around a fixed MLP and a task. The starter code's shared noise
table and observation normalisation are not reproduced: noise comes from the run's generator.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from core.algorithms.fixed_topology import FixedTopologyBase, PolicyConfig, read_vector, vector_to_list
from core.algorithms.protocol import Checkpoint, RunExhausted
from core.runs.config import ConfigBase, ConfigError, bounded
from core.runs.fields import RunFileError, check_exact_keys, read_dict, read_int, read_number
from core.runs.reports import FlatExtras, GenerationReport


def centered_ranks(values: np.ndarray) -> np.ndarray:
    """Ranks of ``values`` (any shape, ranked jointly) scaled to [-0.5, 0.5].

    ``ranks[x.argsort()] = arange(len(x))`` as in the starter code; ties keep their order of
    appearance (a stable sort), so equal returns get distinct but reproducible ranks.
    """
    flat = np.asarray(values, dtype=np.float64).ravel()
    if flat.size < 2:
        return np.zeros_like(np.asarray(values, dtype=np.float64))
    ranks = np.empty(flat.size)
    ranks[np.argsort(flat, kind="stable")] = np.arange(flat.size)
    return (ranks / (flat.size - 1) - 0.5).reshape(np.shape(values))


def mirrored_population(theta: np.ndarray, noise: np.ndarray, sigma: float) -> np.ndarray:
    """(2n, P): theta + sigma * eps_i for every row i of ``noise``, then theta - sigma * eps_i."""
    return np.concatenate([theta + sigma * noise, theta - sigma * noise])


def es_gradient(shaped: np.ndarray, noise: np.ndarray) -> np.ndarray:
    """The starter code's gradient estimate from shaped returns (2n,) and noise (n, P)."""
    pairs = len(noise)
    return (shaped[:pairs] - shaped[pairs:]) @ noise / (2 * pairs)


@dataclass(slots=True)
class Adam:
    """Adam as in the starter code's ``optimizers.Adam``: returns the step to add to theta."""

    m: np.ndarray
    v: np.ndarray
    t: int = 0
    beta1: float = 0.9
    beta2: float = 0.999
    epsilon: float = 1e-8

    def step(self, gradient: np.ndarray, learning_rate: float) -> np.ndarray:
        """The parameter change for a gradient of the loss (minimisation convention)."""
        self.t += 1
        a = learning_rate * np.sqrt(1 - self.beta2**self.t) / (1 - self.beta1**self.t)
        self.m = self.beta1 * self.m + (1 - self.beta1) * gradient
        self.v = self.beta2 * self.v + (1 - self.beta2) * (gradient * gradient)
        return -a * self.m / (np.sqrt(self.v) + self.epsilon)


@dataclass(slots=True)
class OpenAIESCore:
    """The ES optimiser on a plain parameter vector: ``ask`` a population, ``tell`` its returns."""

    theta: np.ndarray
    sigma: float
    learning_rate: float
    l2_coeff: float
    adam: Adam
    sigma_decay: float = 1.0
    sigma_min: float = 0.0

    def ask(self, rng: np.random.Generator, pairs: int) -> tuple[np.ndarray, np.ndarray]:
        """Noise (n, P) and the mirrored population (2n, P) to evaluate."""
        noise = rng.standard_normal((pairs, len(self.theta)))
        return noise, mirrored_population(self.theta, noise, self.sigma)

    def tell(self, noise: np.ndarray, returns: np.ndarray) -> dict[str, float]:
        """Update theta from the returns of ``ask``'s population (higher is better).

        Returns:
            The gradient norm, the step norm and the update ratio |step| / |theta|.
        """
        gradient = es_gradient(centered_ranks(returns), noise)
        step = self.adam.step(-gradient + self.l2_coeff * self.theta, self.learning_rate)
        theta_norm = float(np.linalg.norm(self.theta))
        self.theta = self.theta + step
        step_norm = float(np.linalg.norm(step))
        self.sigma = max(self.sigma_min, self.sigma * self.sigma_decay)
        return {
            "gradient_norm": float(np.linalg.norm(gradient)),
            "step_norm": step_norm,
            # |step| / |theta| has no value at theta = 0 (NaN; reports hold it as null).
            "update_ratio": step_norm / theta_norm if theta_norm > 0 else math.nan if step_norm else 0.0,
        }


MAX_PARAMETER = 1e30  # |theta| and |m| a run file may hold (v: its square)


@dataclass(frozen=True, slots=True)
class EsPopulationConfig:
    """Perturbations per generation: size/2 mirrored pairs."""

    size: int = bounded(2, 1_000_000)


@dataclass(frozen=True, slots=True)
class EsOptimizerConfig:
    """Noise, learning rate, weight decay and Adam's constants."""

    sigma: float = bounded(1e-12, 1e6)
    sigma_decay: float = bounded(0.0, 1.0)
    sigma_min: float = bounded(0.0, 1e6)
    learning_rate: float = bounded(0.0, 1e6)
    l2_coeff: float = bounded(0.0, 1e6)
    beta1: float = bounded(0.0, 0.999999)
    beta2: float = bounded(0.0, 0.999999999)
    epsilon: float = bounded(1e-300, 1.0)


@dataclass(frozen=True, slots=True)
class OpenAIESConfig(ConfigBase):
    """OpenAI-ES's configuration, one attribute per TOML section."""

    population: EsPopulationConfig
    policy: PolicyConfig
    optimizer: EsOptimizerConfig

    def __post_init__(self) -> None:
        if self.population.size % 2:
            raise ConfigError(f"population.size = {self.population.size} must be even: OpenAI-ES evaluates mirrored pairs")


@dataclass(frozen=True, slots=True)
class EsExtras(FlatExtras):
    """The optimiser's view of a generation (what the references compute but only log)."""

    kind = "es"

    sigma: float
    learning_rate: float
    gradient_norm: float
    update_ratio: float | None
    theta_norm: float
    mean_theta_fitness: float
    best_perturbation_fitness: float


class OpenAIES(FixedTopologyBase):
    """OpenAI-ES on the weights of a fixed MLP (see the module docstring)."""

    name = "es"
    title = "OpenAI-ES"
    config_type = OpenAIESConfig
    defaults_resource = "es_default.toml"
    extras_type = EsExtras

    config: OpenAIESConfig

    def _initialise(self) -> None:
        theta = self.initial_parameters(self.rng, 1)[0]
        self.core = self._core(theta, self.config.optimizer.sigma, Adam(np.zeros_like(theta), np.zeros_like(theta)))
        self.next_genome_id = 0

    def _core(self, theta: np.ndarray, sigma: float, adam: Adam) -> OpenAIESCore:
        optimizer = self.config.optimizer
        adam.beta1, adam.beta2, adam.epsilon = optimizer.beta1, optimizer.beta2, optimizer.epsilon
        return OpenAIESCore(theta, sigma, optimizer.learning_rate, optimizer.l2_coeff, adam, optimizer.sigma_decay, optimizer.sigma_min)

    def step(self, checkpoint: Checkpoint | None = None) -> GenerationReport:
        """Evaluate the mirrored perturbations and theta, then take one Adam step."""
        started = time.perf_counter()
        size = self.config.population.size
        rng = self.rng_copy()
        noise, thetas = self.core.ask(rng, size // 2)
        thetas = np.concatenate([thetas, self.core.theta[None, :]])
        ids = list(range(self.next_genome_id, self.next_genome_id + size + 1))
        genomes = self.genomes(thetas, ids)
        evaluation = self.evaluate(genomes, checkpoint, self.task_rng(self.generation))
        evaluated = time.perf_counter()

        self.ensure_room(
            evaluations=self.evaluations + size + 1, env_steps=self.env_steps + evaluation.env_steps, next_genome_id=self.next_genome_id + size + 1
        )
        fitness = evaluation.fitness
        core, adam = self.core, self.core.adam
        before = (core.theta, core.sigma, adam.m, adam.v, adam.t)
        sigma, theta_norm = core.sigma, float(np.linalg.norm(core.theta))
        with np.errstate(over="ignore", invalid="ignore"):
            stats = core.tell(noise, fitness[:size])
        if not (np.abs(core.theta) <= MAX_PARAMETER).all() or not (np.abs(adam.m) <= MAX_PARAMETER).all() or not (adam.v <= MAX_PARAMETER**2).all():
            core.theta, core.sigma, adam.m, adam.v, adam.t = before
            raise RunExhausted(f"generation {self.generation}: the parameters or Adam's moments would pass ±{MAX_PARAMETER:g}; the run ends here")
        self.rng = rng
        evaluated_from = self.evaluations
        self.evaluations += size + 1
        self.env_steps += evaluation.env_steps
        self.next_genome_id += size + 1
        champion = int(np.argmax(fitness))
        extras = EsExtras(
            sigma=sigma,
            learning_rate=self.core.learning_rate,
            gradient_norm=stats["gradient_norm"],
            update_ratio=stats["update_ratio"] if math.isfinite(stats["update_ratio"]) else None,
            theta_norm=theta_norm,
            mean_theta_fitness=float(fitness[size]),
            best_perturbation_fitness=float(fitness[:size].max()),
        )
        report = self.make_report(
            evaluation, genomes[champion], float(fitness[champion]), **self.structure_means(), evaluated_from=evaluated_from, extras=extras
        )
        self.generation += 1
        report = report.with_timings({"evaluate_s": evaluated - started, "total_s": time.perf_counter() - started, **self.evaluation_timings()})
        self.history.append(report)
        return report

    def _state_to_dict(self) -> dict[str, Any]:
        core = self.core
        return {
            "next_genome_id": self.next_genome_id,
            "theta": vector_to_list(core.theta),
            "sigma": core.sigma,
            "adam": {"m": vector_to_list(core.adam.m), "v": vector_to_list(core.adam.v), "t": core.adam.t},
        }

    def _load_state(self, state: dict[str, Any]) -> None:
        check_exact_keys(state, ("next_genome_id", "theta", "sigma", "adam"), "state")
        count = self.shape.parameter_count
        # Far beyond what Adam steps of at most a few learning rates reach in any run, and small
        # enough that gradients (plus weight decay) squared stay finite.
        theta = read_vector(state, "theta", "state", count, MAX_PARAMETER)
        adam = check_exact_keys(read_dict(state, "adam", "state"), ("m", "v", "t"), "state.adam")
        m, v = read_vector(adam, "m", "state.adam", count, MAX_PARAMETER), read_vector(adam, "v", "state.adam", count, MAX_PARAMETER**2)
        if (v < 0).any():
            raise RunFileError("state.adam.v: second moments cannot be negative")
        # One Adam step per generation; sigma only decays from its configured start (or sits at sigma_min).
        t = read_int(adam, "t", "state.adam", self.generation, self.generation)
        optimizer = self.config.optimizer
        sigma = read_number(state, "sigma", "state", 0.0, max(optimizer.sigma, optimizer.sigma_min))
        if sigma <= 0:
            raise RunFileError("state.sigma: must be positive")
        self.core = self._core(theta, sigma, Adam(m, v, t))
        size = self.config.population.size
        # Every generation numbers its size + 1 networks after the last.
        self.next_genome_id = read_int(state, "next_genome_id", "state", self.generation * (size + 1), self.generation * (size + 1))
