"""Backprop NEAT: training inside evolution, Lamarckian write-back, interruption, resume, the no-backprop ablation."""

import json

import numpy as np
import pytest

from core.algorithms.backprop_neat import NO_BACKPROP, BackpropNeat
from core.algorithms.protocol import EvaluationInterrupted
from core.networks.batch import PopulationNetwork
from core.runs.config import ConfigError
from core.runs.persistence import load_run, run_to_dict, save_run
from core.tasks.playground import PlaygroundTask
from core.tasks.xor import XorTask

SMALL = {"population.size": 24, "backprop.steps": 60, "speciation.clusters": 3, "reproduction.hall_of_fame": 2}


def _config(**changes):
    return BackpropNeat.default_config().replace(**{**SMALL, **changes})


def _task():
    return PlaygroundTask("circle", 0.5, data_seed=3)


def _weights(genome):
    return [(c.innovation, c.weight) for c in sorted(genome.connections.values(), key=lambda c: c.innovation)]


def _state(run):
    data = run_to_dict(run, with_history=False)
    return json.dumps(data, sort_keys=True)


def test_training_improves_genomes_and_the_population_keeps_the_learned_weights():
    task = _task()
    run = BackpropNeat(_config(), task, 1)
    before = {g.genome_id: _weights(g) for g in run.population}
    report = run.step()
    extras = report.extras
    assert extras.mean_loss_after < extras.mean_loss_before and extras.mean_steps > 0
    assert extras.champion_loss_curve[0] >= extras.champion_loss_curve[-1]
    assert 0.0 <= extras.champion_test_accuracy <= 1.0 and extras.champion_train_loss > 0
    assert "train_s" in dict(report.timings)
    assert len(extras.species_test_accuracy) == len(report.species) == 3
    best_species = max(range(3), key=lambda i: report.species[i].best_fitness)
    assert extras.species_test_accuracy[best_species] == extras.champion_test_accuracy
    # The reported fitness is the task's fitness of the trained weights the report carries.
    champion = report.champion.to_genome()
    rescored = task.evaluate(PopulationNetwork([champion]), np.random.default_rng(0)).fitness[0]
    assert rescored == report.champion.fitness
    assert _weights(champion) != before[champion.genome_id]  # trained
    # The learned weights went into breeding: the species champions kept by elitism are
    # unchanged copies of the trained genomes.
    trained = {s.best_genome.genome_id: _weights(s.best_genome.to_genome()) for s in report.species}
    kept = [g for g in run.population if g.genome_id in trained]
    assert len(kept) == len(trained) == 3
    assert all(_weights(g) == trained[g.genome_id] for g in kept)


def test_same_seed_same_run_and_an_interrupted_generation_changes_nothing():
    first = BackpropNeat(_config(), _task(), 7)
    reports = [first.step() for _ in range(3)]
    second = BackpropNeat(_config(), _task(), 7)
    second.step()
    second.step()
    untouched = _state(second)
    calls = []

    def interrupt():
        calls.append(1)
        if len(calls) == 2:  # inside training, after the first early-stopping check
            raise EvaluationInterrupted

    with pytest.raises(EvaluationInterrupted):
        second.step(interrupt)
    assert _state(second) == untouched and second.generation == 2
    assert second.step() == reports[2]
    assert second.history == first.history


def test_save_load_resume_is_bit_identical(tmp_path):
    run = BackpropNeat(_config(), _task(), 11)
    for _ in range(3):
        run.step()
    save_run(run, tmp_path / "run.json")
    resumed = load_run(tmp_path / "run.json")
    assert isinstance(resumed, BackpropNeat) and resumed.history == run.history
    assert [run.step() for _ in range(3)] == [resumed.step() for _ in range(3)]
    assert _state(resumed) == _state(run)


def test_without_backprop_weights_only_evolve():
    config = BackpropNeat.load_config(layers=(NO_BACKPROP,)).replace(**SMALL).replace(**{"backprop.steps": 0})
    assert config.weights.perturb_power == 0.5
    run = BackpropNeat(config, _task(), 2)
    before = {g.genome_id: _weights(g) for g in run.population}
    report = run.step()
    assert report.extras.champion_loss_curve == () and report.extras.mean_steps == 0.0
    assert report.extras.champion_test_accuracy is not None
    assert _weights(report.champion.to_genome()) == before[report.champion.genome_id]


def test_refuses_tasks_without_training_data_and_recurrent_genomes():
    with pytest.raises(ValueError, match="training set"):
        BackpropNeat(_config(), XorTask(), 0)
    with pytest.raises(ConfigError, match="feed_forward"):
        _config(**{"population.feed_forward": False})
