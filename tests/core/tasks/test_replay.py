"""Replays: the same return as the evaluator, activations of the reference network."""

import numpy as np
import pytest

from core.algorithms.neat.evolution import Neat
from core.networks.batch import PopulationNetwork
from core.networks.decode import decode
from core.tasks import make_task
from core.tasks.cartpole import observe
from core.tasks.replay import CartPoleReplay, GymReplay


@pytest.fixture(scope="module")
def evolved():
    from core.algorithms.neat.config import default_config

    evolution = Neat(default_config().replace(**{"population.size": 60}), make_task({"name": "cartpole", "episodes": 2}), 4)
    for _ in range(3):
        evolution.step()
    return evolution


def _play(replay):
    frames = []
    while not replay.done:
        frames.append(replay.step())
    return frames


def test_replayed_return_equals_the_evaluators_for_the_same_genome_and_seed(evolved):
    task = evolved.task
    genomes = sorted(evolved.population, key=lambda g: g.genome_id)[:12]
    seeds = np.array([17, 2024, 99991])
    returns = task.run_episodes(PopulationNetwork(genomes, recurrent=False), seeds)
    assert len(set(returns.ravel().tolist())) > 1  # the genomes differ, so the check has teeth
    for row, genome in enumerate(genomes):
        for column, seed in enumerate(seeds):
            frames = _play(CartPoleReplay(genome, int(seed), recurrent=False))
            assert frames[-1].total_return == returns[row, column]
            assert frames[-1].step == len(frames)


def test_frames_carry_the_reference_networks_activations(evolved):
    genome = evolved.history[-1].champion.to_genome()
    replay = CartPoleReplay(genome, 5, recurrent=False)
    network = decode(genome)
    state = replay.state.copy()
    for _ in range(20):
        frame = replay.step()
        assert frame.activations == network.activate_all(observe(state))
        state = frame.state
        if frame.done:
            break


def test_replay_never_alters_the_genome_it_was_given(evolved):
    genome = evolved.population[0]
    before = [(c.innovation, c.weight, c.enabled) for c in genome.connections.values()]
    _play(CartPoleReplay(genome, 3, recurrent=False))
    assert [(c.innovation, c.weight, c.enabled) for c in genome.connections.values()] == before


def test_gym_replay_renders_frames(evolved):
    pytest.importorskip("pygame", reason="gymnasium renders classic-control frames with pygame")
    replay = GymReplay("CartPole-v1", evolved.population[0], 3, recurrent=False)
    frame = replay.step()
    assert frame.image is not None and frame.image.ndim == 3
    replay.close()
