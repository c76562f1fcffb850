"""The Deep-GA of Such et al. (2017), "Deep Neuroevolution": a genetic algorithm on the weights
of a fixed MLP, with genomes stored as seed chains.

A generation (``WeightGA.step``):

1. Evaluate the N genomes (the previous elite is genome 0, re-evaluated like any other).
2. Elite selection: the previous elite plus the best ``elite_candidates - 1`` others (the best
   ``elite_candidates`` in generation 0) are re-evaluated on ``validation_episodes`` fresh
   episodes; the best mean becomes the elite. Deterministic tasks (XOR) skip the re-evaluation.
3. Parents are the top T by fitness, with the elite forced in (it replaces the T-th).
4. The next population is the elite, unchanged, plus N - 1 children, each a uniformly random
   parent plus sigma * N(0, I). There is no crossover.

A genome is a *seed chain* (paper, section 3.1): an initial seed and one (seed, sigma) per
mutation. Its parameters are ``init_scale * N(0, I)`` drawn from the initial seed, plus
``sigma_k * N(0, I)`` drawn from each mutation seed in turn, every draw from a fresh
``numpy`` generator of that seed. Run files store chains, not weights; the parameters of the
current population are cached so a child costs one mutation, not its whole ancestry.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from core.algorithms.base import Evaluation
from core.algorithms.fixed_topology import FixedTopologyBase, PolicyConfig
from core.algorithms.protocol import Checkpoint
from core.runs.config import ConfigBase, bounded
from core.runs.fields import RunFileError, check_exact_keys, check_int, check_number, read_counter, read_int, read_list
from core.runs.reports import FlatExtras, GenerationReport

SEED_LIMIT = 2**62  # seeds are drawn below this, so they stay exact in JSON and int64
MAX_SIGMA = 1e6  # mutation.power's upper bound


@dataclass(frozen=True, slots=True)
class SeedChain:
    """A compact genome: the seed of the initial parameters and one (seed, sigma) per mutation."""

    init_seed: int
    mutations: tuple[tuple[int, float], ...] = ()

    def mutated(self, seed: int, sigma: float) -> SeedChain:
        """This chain with one more mutation."""
        return SeedChain(self.init_seed, (*self.mutations, (seed, sigma)))

    def to_list(self) -> list:
        """JSON form: ``[init_seed, [seed, sigma], ...]``."""
        return [self.init_seed, *([seed, sigma] for seed, sigma in self.mutations)]


def initial_parameters(seed: int, scale: np.ndarray) -> np.ndarray:
    """The parameters an initial seed stands for."""
    return np.random.default_rng(seed).standard_normal(len(scale)) * scale


def mutate_parameters(theta: np.ndarray, seed: int, sigma: float) -> np.ndarray:
    """``theta + sigma * N(0, I)`` with the noise drawn from a fresh generator of ``seed``."""
    return theta + sigma * np.random.default_rng(seed).standard_normal(len(theta))


def parameters_of(chain: SeedChain, scale: np.ndarray) -> np.ndarray:
    """Rebuild a chain's parameters from scratch (the same float operations, in the same order,
    as mutating the parent's cached parameters, so both give identical bits)."""
    theta = initial_parameters(chain.init_seed, scale)
    for seed, sigma in chain.mutations:
        theta = mutate_parameters(theta, seed, sigma)
    return theta


@dataclass(frozen=True, slots=True)
class GaPopulationConfig:
    """Population size."""

    size: int = bounded(2, 1_000_000)


@dataclass(frozen=True, slots=True)
class SelectionConfig:
    """Truncation selection and elitism (Such et al.: T = 20, 10 candidates, 30 episodes)."""

    truncation: int = bounded(1, 1_000_000)
    elite_candidates: int = bounded(1, 1_000_000)
    validation_episodes: int = bounded(0, 100_000)


@dataclass(frozen=True, slots=True)
class GaMutationConfig:
    """Gaussian mutation of every parameter."""

    power: float = bounded(0.0, 1e6)


@dataclass(frozen=True, slots=True)
class WeightGaConfig(ConfigBase):
    """The weight GA's configuration, one attribute per TOML section."""

    population: GaPopulationConfig
    policy: PolicyConfig
    selection: SelectionConfig
    mutation: GaMutationConfig


@dataclass(frozen=True, slots=True)
class WeightGaExtras(FlatExtras):
    """The elite: its id, its parent, its seed chain and the fitness that made it the elite."""

    kind = "ga"

    elite_id: int
    elite_parent_id: int
    elite_chain: tuple
    elite_fitness: float
    elite_validation_fitness: float
    validated: bool
    mean_chain_length: float


class WeightGA(FixedTopologyBase):
    """The Deep-GA with seed-chain genomes (see the module docstring)."""

    name = "ga"
    title = "Weight GA (Deep-GA)"
    config_type = WeightGaConfig
    defaults_resource = "ga_default.toml"
    extras_type = WeightGaExtras

    config: WeightGaConfig

    def _initialise(self) -> None:
        size = self.config.population.size
        seeds = self.rng.integers(0, SEED_LIMIT, size=size).tolist()
        self.chains: list[SeedChain] = [SeedChain(int(s)) for s in seeds]
        self.ids = list(range(size))
        self.parent_ids = [-1] * size
        self.next_genome_id = size
        self.elite_index: int | None = None  # index of the previous elite in the population (0)
        self._thetas: np.ndarray | None = None

    def thetas(self) -> np.ndarray:
        """(N, P) parameters of the current population, rebuilt from the chains when needed."""
        if self._thetas is None:
            scale = self.shape.init_scale() * self.config.policy.init_scale
            self._thetas = np.array([parameters_of(chain, scale) for chain in self.chains])
        return self._thetas

    def _validate(self, candidates: list[int], thetas: np.ndarray, checkpoint: Checkpoint | None) -> tuple[np.ndarray, int, int]:
        """Mean fitness of each candidate on fresh validation episodes, evaluations and env steps spent."""
        selection = self.config.selection
        task = self.task
        episodes = selection.validation_episodes
        genomes = self.genomes(thetas[candidates], [self.ids[i] for i in candidates])
        evaluation = self.evaluate(genomes, checkpoint, self.task_rng(self.generation, stream=1), episodes=episodes)
        per_candidate = math.ceil(episodes / task.episodes) if hasattr(task, "episodes") and task.episodes else 1
        return evaluation.fitness, per_candidate * len(candidates), evaluation.env_steps

    def step(self, checkpoint: Checkpoint | None = None) -> GenerationReport:
        """Evaluate, pick the elite, select the top T and breed the next generation."""
        started = time.perf_counter()
        config = self.config
        thetas = self.thetas()
        genomes = self.genomes(thetas, self.ids)
        evaluation: Evaluation = self.evaluate(genomes, checkpoint, self.task_rng(self.generation))
        fitness = evaluation.fitness
        order = sorted(range(len(fitness)), key=lambda i: (-fitness[i], i))

        count = config.selection.elite_candidates
        if self.elite_index is None:
            candidates = order[:count]
        else:
            candidates = [self.elite_index] + [i for i in order if i != self.elite_index][: count - 1]
        validate = config.selection.validation_episodes > 0 and not self.task.deterministic and len(candidates) > 1
        if validate:
            validation, validation_evaluations, validation_steps = self._validate(candidates, thetas, checkpoint)
        else:
            validation, validation_evaluations, validation_steps = fitness[candidates], 0, 0
        elite = candidates[max(range(len(candidates)), key=lambda k: (validation[k], -k))]
        evaluated = time.perf_counter()

        self.ensure_room(
            evaluations=self.evaluations + len(genomes) + validation_evaluations,
            env_steps=self.env_steps + evaluation.env_steps + validation_steps,
            next_genome_id=self.next_genome_id + config.population.size,
        )
        # Everything below changes state: the generation can no longer be interrupted.
        evaluated_from = self.evaluations
        self.evaluations += len(genomes) + validation_evaluations
        self.env_steps += evaluation.env_steps + validation_steps
        elite_validation = float(validation[candidates.index(elite)])
        extras = WeightGaExtras(
            elite_id=self.ids[elite],
            elite_parent_id=self.parent_ids[elite],
            elite_chain=(self.chains[elite].init_seed, *self.chains[elite].mutations),
            elite_fitness=float(fitness[elite]),
            elite_validation_fitness=elite_validation,
            validated=validate,
            mean_chain_length=float(np.mean([len(c.mutations) for c in self.chains])),
        )
        report = self.make_report(
            evaluation,
            genomes[elite],
            float(fitness[elite]),
            **self.structure_means(),
            evaluated_from=evaluated_from,
            extras=extras,
        )
        self._breed(order, elite, thetas)
        self.generation += 1
        report = report.with_timings({"evaluate_s": evaluated - started, "total_s": time.perf_counter() - started, **self.evaluation_timings()})
        self.history.append(report)
        return report

    def _breed(self, order: list[int], elite: int, thetas: np.ndarray) -> None:
        """Truncation selection with the elite forced in, then mutated children (paper, alg. 1)."""
        config = self.config
        size = config.population.size
        parents = order[: config.selection.truncation]
        if elite not in parents:
            parents[-1] = elite
        picks = self.rng.integers(0, len(parents), size=size - 1).tolist()
        seeds = self.rng.integers(0, SEED_LIMIT, size=size - 1).tolist()
        sigma = config.mutation.power
        chains = [self.chains[elite]]
        ids = [self.ids[elite]]
        parent_ids = [self.parent_ids[elite]]
        new_thetas = np.empty_like(thetas)
        new_thetas[0] = thetas[elite]
        for row, (pick, seed) in enumerate(zip(picks, seeds), start=1):
            parent = parents[pick]
            chains.append(self.chains[parent].mutated(int(seed), sigma))
            ids.append(self.next_genome_id)
            parent_ids.append(self.ids[parent])
            self.next_genome_id += 1
            new_thetas[row] = mutate_parameters(thetas[parent], int(seed), sigma)
        self.chains, self.ids, self.parent_ids, self._thetas = chains, ids, parent_ids, new_thetas
        self.elite_index = 0

    # --- saved state ----------------------------------------------------------------------

    def _state_to_dict(self) -> dict[str, Any]:
        return {
            "next_genome_id": self.next_genome_id,
            "elite_index": self.elite_index,
            "population": [
                {"id": genome_id, "parent": parent, "chain": chain.to_list()}
                for genome_id, parent, chain in zip(self.ids, self.parent_ids, self.chains)
            ],
        }

    def _load_state(self, state: dict[str, Any]) -> None:
        check_exact_keys(state, ("next_genome_id", "elite_index", "population"), "state")
        population = read_list(state, "population", "state")
        if len(population) != self.config.population.size:
            raise RunFileError(f"state.population: {len(population):,} genomes, the config says {self.config.population.size:,}")
        chains, ids, parent_ids = [], [], []
        for i, raw in enumerate(population):
            at = f"state.population[{i}]"
            check_exact_keys(raw, ("id", "parent", "chain"), at)
            ids.append(read_counter(raw, "id", at))
            parent_ids.append(read_int(raw, "parent", at, -1))
            # A generation adds one mutation to a chain: none is longer than the run is old.
            chains.append(_read_chain(read_list(raw, "chain", at, max_length=self.generation + 1), f"{at}.chain"))
        if len(set(ids)) != len(ids):
            raise RunFileError("state.population: duplicate genome ids")
        # The elite is genome 0 once a generation has bred; before the first there is none.
        elite_index = state["elite_index"]
        if self.generation == 0 and elite_index is not None:
            raise RunFileError("state.elite_index: must be null before the first generation")
        if self.generation > 0:
            read_int(state, "elite_index", "state", 0, 0)
        self.next_genome_id = read_counter(state, "next_genome_id", "state")
        if self.next_genome_id <= max(max(ids), max(parent_ids)):
            raise RunFileError(f"state.next_genome_id: {self.next_genome_id} is not beyond the genome ids in use")
        self.chains, self.ids, self.parent_ids, self.elite_index = chains, ids, parent_ids, elite_index
        self._thetas = None


def _read_chain(raw: list, where: str) -> SeedChain:
    if not raw:
        raise RunFileError(f"{where}: empty seed chain")
    init_seed = check_int(raw[0], f"{where}[0]", 0, SEED_LIMIT - 1)
    mutations = []
    for k, pair in enumerate(raw[1:], start=1):
        if not (isinstance(pair, list) and len(pair) == 2):
            raise RunFileError(f"{where}[{k}]: expected [seed, sigma]")
        seed = check_int(pair[0], f"{where}[{k}][0]", 0, SEED_LIMIT - 1)
        sigma = check_number(pair[1], f"{where}[{k}][1]", 0.0, MAX_SIGMA)
        mutations.append((seed, sigma))
    return SeedChain(init_seed, tuple(mutations))
