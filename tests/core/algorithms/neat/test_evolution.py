"""The generation loop: determinism, report contents, population-wide invariants, XOR solved."""

import dataclasses

import numpy as np
import pytest

from core.algorithms.neat.evolution import Neat
from core.algorithms.protocol import EvaluationInterrupted
from core.tasks import TaskResult, make_task
from core.tasks.xor import XorTask


def _run(config, seed, generations):
    evolution = Neat(config, XorTask(), seed)
    return evolution, [evolution.step() for _ in range(generations)]


def test_same_seed_gives_identical_report_history(config):
    _, first = _run(config, 11, 12)
    _, second = _run(config, 11, 12)
    assert first == second
    _, other = _run(config, 12, 12)
    assert first != other


def test_reports_are_immutable_snapshots(config):
    evolution, reports = _run(config, 1, 2)
    with pytest.raises(dataclasses.FrozenInstanceError):
        reports[0].best_fitness = 0.0  # type: ignore[misc]
    champion_weights = [c.weight for c in reports[-1].champion.connections]
    for _ in range(3):
        evolution.step()
    assert [c.weight for c in reports[-1].champion.connections] == champion_weights


def test_report_contents_are_consistent(config):
    evolution, reports = _run(config, 4, 5)
    for i, report in enumerate(reports):
        assert report.generation == i
        assert report.evaluations == 150 * (i + 1)
        assert sum(s.size for s in report.species) == 150
        assert sum(s.offspring for s in report.species) == 150
        assert report.best_fitness == max(s.best_fitness for s in report.species) == report.champion.fitness
        assert report.mean_fitness <= report.best_fitness
        assert {"evaluate_s", "reproduce_s", "speciate_s", "total_s"} <= dict(report.timings).keys()


def test_innovation_numbers_are_consistent_across_the_population(config):
    evolution, _ = _run(config.replace(**{"structure.add_node_prob": 0.2, "structure.add_connection_prob": 0.3}), 8, 15)
    seen = {}
    for genome in evolution.population:
        for innovation, conn in genome.connections.items():
            assert seen.setdefault(innovation, (conn.in_node, conn.out_node)) == (conn.in_node, conn.out_node)
        assert len({(c.in_node, c.out_node) for c in genome.connections.values()}) == len(genome.connections)
    assert len({g.genome_id for g in evolution.population}) == len(evolution.population)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_xor_is_solved_for_fixed_seeds(config, seed):
    evolution = Neat(config, XorTask(), seed)
    reports = list(evolution.run(150))
    assert reports[-1].solved and reports[-1].best_fitness >= 3.9
    assert any(r.criterion_met for r in reports)
    champion = reports[-1].champion
    from core.networks.decode import decode
    from core.tasks.xor import XOR_INPUTS, XOR_TARGETS

    net = decode(champion.to_genome())
    outputs = np.array([net.activate(x)[0] for x in XOR_INPUTS])
    assert 4.0 - ((outputs - XOR_TARGETS) ** 2).sum() == pytest.approx(champion.fitness, abs=1e-12)


class _FlakyTask(XorTask):
    """XOR that reports NaN and inf for some genomes."""

    def evaluate(self, population, rng):
        result = super().evaluate(population, rng)
        fitness = result.fitness.copy()
        fitness[:3] = [np.nan, np.inf, -np.inf]
        return TaskResult(fitness, result.criterion_met)


def test_non_finite_fitness_gets_the_worst_score_and_is_counted(config):
    evolution = Neat(config, _FlakyTask(), 0)
    report = evolution.step()
    assert report.fitness_faults == 3
    assert np.isfinite(report.mean_fitness)
    assert report.best_fitness <= 4.0


def test_unknown_task_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown task 'cartpoel'"):
        make_task("cartpoel")


def test_an_interrupted_generation_changes_nothing_and_reruns_identically(config):
    cartpole_config = config.replace(**{"population.size": 40})
    reference = Neat(cartpole_config, make_task({"name": "cartpole", "episodes": 2}), 5)
    expected = [reference.step() for _ in range(3)]

    evolution = Neat(cartpole_config, make_task({"name": "cartpole", "episodes": 2}), 5)
    evolution.step()
    state_before = (evolution.generation, evolution.evaluations, evolution.rng.bit_generator.state, len(evolution.history))
    calls = []

    def stop_after_five_activations():
        calls.append(1)
        if len(calls) > 5:
            raise EvaluationInterrupted

    with pytest.raises(EvaluationInterrupted):
        evolution.step(stop_after_five_activations)
    assert len(calls) == 6  # the stop came from inside the evaluation, not between generations
    assert (evolution.generation, evolution.evaluations, evolution.rng.bit_generator.state, len(evolution.history)) == state_before
    assert [evolution.step(), evolution.step()] == expected[1:]
