"""The fixed-topology baselines: the MLP genome, seed chains, centered ranks, mirrored sampling,
the ES gradient and optimiser, elitism and truncation of the GA, random search's best so far."""

from __future__ import annotations

import numpy as np
import pytest

from core.algorithms.openai_es import Adam, OpenAIES, OpenAIESCore, centered_ranks, es_gradient, mirrored_population
from core.algorithms.random_search import RandomSearch
from core.algorithms.weight_ga import SeedChain, WeightGA, initial_parameters, mutate_parameters, parameters_of
from core.networks.batch import PopulationNetwork
from core.networks.decode import decode
from core.networks.mlp import MlpShape
from core.runs.config import ConfigError
from core.tasks import make_task


def test_mlp_genome_computes_the_matrix_formula(rng):
    shape = MlpShape(3, (4, 2), 2, "tanh", "sigmoid")
    assert shape.parameter_count == 3 * 4 + 4 + 4 * 2 + 2 + 2 * 2 + 2
    theta = rng.standard_normal(shape.parameter_count)
    x = rng.standard_normal(3)
    w1, b1 = theta[:12].reshape(4, 3), theta[12:16]
    w2, b2 = theta[16:24].reshape(2, 4), theta[24:26]
    w3, b3 = theta[26:30].reshape(2, 2), theta[30:32]
    expected = 1 / (1 + np.exp(-4.9 * (w3 @ np.tanh(w2 @ np.tanh(w1 @ x + b1) + b2) + b3)))
    genome = shape.to_genome(theta, 0)
    assert np.allclose(decode(genome).activate(x), expected, rtol=0, atol=1e-12)
    batched = PopulationNetwork([genome, shape.to_genome(-theta, 1)]).activate(x[None, :])
    assert np.array_equal(batched[0, 0], decode(genome).activate(x))
    with pytest.raises(ValueError, match="parameters"):
        shape.to_genome(theta[:-1], 0)


def test_init_scale_is_one_over_root_fan_in():
    scale = MlpShape(4, (8,), 2).init_scale()
    assert np.all(scale[: 4 * 8 + 8] == 0.5) and np.allclose(scale[40:], 1 / np.sqrt(8))


def test_a_seed_chain_rebuilt_from_scratch_equals_the_mutated_parameters_to_the_bit():
    scale = MlpShape(4, (8,), 2).init_scale()
    chain = SeedChain(123)
    direct = initial_parameters(123, scale)
    for seed, sigma in ((7, 0.1), (99, 0.05), (2**61, 0.3)):
        chain = chain.mutated(seed, sigma)
        direct = mutate_parameters(direct, seed, sigma)
    assert np.array_equal(parameters_of(chain, scale), direct)
    assert chain.to_list() == [123, [7, 0.1], [99, 0.05], [2**61, 0.3]]


def _ga(**changes):
    config = WeightGA.default_config().replace(**{"population.size": 24, "selection.truncation": 5, "selection.elite_candidates": 3, **changes})
    return WeightGA(config, make_task({"name": "cartpole", "episodes": 2, "max_steps": 80}), 2)


def test_ga_population_cache_equals_the_stored_chains_after_many_generations():
    ga = _ga(**{"selection.validation_episodes": 4})
    for _ in range(6):
        ga.step()
    cached = ga.thetas().copy()
    scale = ga.shape.init_scale()
    rebuilt = np.array([parameters_of(chain, scale) for chain in ga.chains])
    assert np.array_equal(cached, rebuilt)
    assert {len(c.mutations) for c in ga.chains[1:]} <= set(range(1, 7)) and max(len(c.mutations) for c in ga.chains) >= 5


def test_ga_keeps_the_elite_unchanged_and_breeds_only_from_the_top_t():
    ga = _ga(**{"selection.validation_episodes": 4})
    report = ga.step()
    elite = report.extras
    assert ga.ids[0] == elite.elite_id and ga.chains[0] == SeedChain(elite.elite_chain[0], tuple(elite.elite_chain[1:]))
    previous_fitness = {genome_id: fitness for genome_id, fitness in zip(range(24), _fitness_of_generation(ga, 0))}
    top = sorted(previous_fitness, key=lambda i: (-previous_fitness[i], i))[:5]
    assert set(ga.parent_ids[1:]) <= set(top) | {elite.elite_id}
    assert elite.validated and report.evaluations == 24 + 3 * 2  # 3 candidates x ceil(4 / 2 episodes)
    second = ga.step()
    assert second.extras.elite_id in (elite.elite_id, *ga.ids)


def _fitness_of_generation(ga: WeightGA, generation: int) -> np.ndarray:
    twin = _ga(**{"selection.validation_episodes": 4})
    assert twin.generation == generation
    return twin.evaluate(twin.genomes(twin.thetas(), twin.ids), None, twin.task_rng(generation)).fitness


def test_ga_on_a_deterministic_task_skips_validation():
    config = WeightGA.default_config().replace(**{"population.size": 20, "selection.truncation": 4})
    ga = WeightGA(config, make_task("xor"), 1)
    report = ga.step()
    assert not report.extras.validated and report.evaluations == 20
    assert report.extras.elite_fitness == report.best_fitness


def test_centered_ranks_hand_worked():
    assert centered_ranks(np.array([3.0, 1.0, 2.0])).tolist() == [0.5, -0.5, 0.0]
    joint = centered_ranks(np.array([[10.0, -1.0], [4.0, 7.0]]))
    assert joint.tolist() == [[0.5, -0.5], [1 / 3 - 0.5, 2 / 3 - 0.5]]  # ranks 3, 0, 1, 2 of 4
    assert centered_ranks(np.array([2.0, 2.0, 2.0])).tolist() == [-0.5, 0.0, 0.5]  # ties keep their order


def test_mirrored_sampling_and_the_gradient_hand_worked():
    theta = np.array([1.0, -1.0])
    noise = np.array([[1.0, 0.0], [0.0, 2.0]])
    population = mirrored_population(theta, noise, 0.5)
    assert population.tolist() == [[1.5, -1.0], [1.0, 0.0], [0.5, -1.0], [1.0, -2.0]]
    shaped = np.array([0.5, -0.5, 1 / 6, -1 / 6])
    # g = sum_i (R+_i - R-_i) eps_i / (2n) with n = 2
    expected = ((0.5 - 1 / 6) * noise[0] + (-0.5 + 1 / 6) * noise[1]) / 4
    assert np.allclose(es_gradient(shaped, noise), expected, atol=1e-15)


def test_adam_matches_the_starter_code_formula():
    adam = Adam(np.zeros(2), np.zeros(2))
    step = adam.step(np.array([2.0, -4.0]), 0.01)
    a = 0.01 * np.sqrt(1 - 0.999) / (1 - 0.9)
    m, v = 0.1 * np.array([2.0, -4.0]), 0.001 * np.array([4.0, 16.0])
    assert np.allclose(step, -a * m / (np.sqrt(v) + 1e-8), rtol=1e-15)


def test_es_climbs_a_quadratic_bowl():
    target = np.linspace(-2, 2, 10)
    core = OpenAIESCore(np.zeros(10), 0.1, 0.05, 0.0, Adam(np.zeros(10), np.zeros(10)))
    rng = np.random.default_rng(0)
    start = np.linalg.norm(core.theta - target)
    for _ in range(300):
        noise, population = core.ask(rng, 20)
        core.tell(noise, -((population - target) ** 2).sum(axis=1))
    assert np.linalg.norm(core.theta - target) < 0.05 * start


def test_es_evaluates_pairs_and_theta_and_reports_the_optimiser():
    config = OpenAIES.default_config().replace(**{"population.size": 10})
    es = OpenAIES(config, make_task("xor"), 4)
    theta = es.core.theta.copy()
    report = es.step()
    assert report.evaluations == 11
    assert report.extras.theta_norm == pytest.approx(np.linalg.norm(theta))
    assert report.extras.gradient_norm > 0 and report.extras.update_ratio > 0
    assert report.best_fitness == max(report.extras.best_perturbation_fitness, report.extras.mean_theta_fitness)
    assert not np.array_equal(es.core.theta, theta)
    with pytest.raises(ConfigError, match="even"):
        config.replace(**{"population.size": 9})


def test_random_search_keeps_the_best_so_far():
    config = RandomSearch.default_config().replace(**{"population.size": 15})
    search = RandomSearch(config, make_task("xor"), 0)
    reports = [search.step() for _ in range(5)]
    best = max(r.best_fitness for r in reports)
    assert reports[-1].extras.best_so_far_fitness == best == reports[-1].best_fitness_ever
    assert reports[-1].extras.best_so_far_generation == max(range(5), key=lambda i: (reports[i].best_fitness, -i))
    assert len({r.champion.genome_id for r in reports}) == 5  # fresh genomes every generation
