"""Mutation operators: structure of add-node / add-connection, invariants under many mutations."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.algorithms.neat.config import default_config
from core.algorithms.neat.innovation import InnovationTracker
from core.algorithms.neat.mutation import mutate, mutate_add_connection, mutate_add_node, mutate_weights
from core.networks.decode import decode
from core.networks.genome import creates_cycle
from tests.conftest import grow_random_genomes, make_genome


def test_add_node_splits_a_connection_as_in_figure_3(config, rng):
    genome = make_genome(0, 2, 1, [(0, 0, 2, 0.7, True)])
    tracker = InnovationTracker(3, 1)
    assert mutate_add_node(genome, config, tracker, rng)
    old = genome.connections[0]
    assert not old.enabled
    new_node = 3
    assert genome.nodes[new_node].kind == "hidden"
    into = [c for c in genome.connections.values() if c.out_node == new_node]
    out_of = [c for c in genome.connections.values() if c.in_node == new_node]
    assert len(into) == 1 and into[0].in_node == 0 and into[0].weight == 1.0 and into[0].enabled
    assert len(out_of) == 1 and out_of[0].out_node == 2 and out_of[0].weight == 0.7 and out_of[0].enabled
    assert {into[0].innovation, out_of[0].innovation} == {1, 2}


def test_add_node_preserves_behaviour_of_identity_networks(config, rng):
    genome = make_genome(0, 2, 1, [(0, 0, 2, 0.7, True), (1, 1, 2, -1.3, True)], activation="identity")
    identity_config = config.replace(**{"nodes.activation_default": "identity", "nodes.activation_options": ["identity"]})
    inputs = [[0.3, -2.0], [1.0, 1.0], [5.0, 0.25]]
    before = [decode(genome).activate(x) for x in inputs]
    mutate_add_node(genome, identity_config, InnovationTracker(3, 2), rng)
    assert genome.hidden_count() == 1
    after = [decode(genome).activate(x) for x in inputs]
    np.testing.assert_allclose(after, before, rtol=0, atol=1e-12)


def test_add_node_needs_an_enabled_connection(config, rng):
    genome = make_genome(0, 2, 1, [(0, 0, 2, 0.7, False)])
    assert not mutate_add_node(genome, config, InnovationTracker(3, 1), rng)
    assert genome.hidden_count() == 0


def test_add_connection_never_duplicates_and_stays_acyclic(config, rng):
    genome = make_genome(0, 2, 1, [(0, 0, 2, 0.5, True)], hidden=[3])
    tracker = InnovationTracker(4, 1)
    for _ in range(50):
        mutate_add_connection(genome, config, tracker, rng)
    pairs = [(c.in_node, c.out_node) for c in genome.connections.values()]
    assert len(pairs) == len(set(pairs))
    # Every possible forward pair is eventually used: inputs 0,1 -> 2,3 and 3 -> 2 (or 2 -> 3, not both).
    assert len(pairs) == 5
    assert all(genome.nodes[o].kind != "input" for _, o in pairs)


def test_identical_add_connection_in_two_genomes_shares_innovation(config):
    tracker = InnovationTracker(4, 0)
    a = make_genome(0, 2, 1, hidden=[3])
    b = make_genome(1, 2, 1, hidden=[3])
    assert mutate_add_connection(a, config, tracker, np.random.default_rng(5))
    assert mutate_add_connection(b, config, tracker, np.random.default_rng(5))
    assert list(a.connections) == list(b.connections)


def test_weights_stay_within_bounds(config, rng):
    genome = make_genome(0, 2, 1, [(0, 0, 2, 7.9, True), (1, 1, 2, -7.9, True)])
    wild = config.replace(**{"weights.perturb_power": 50.0})
    for _ in range(100):
        mutate_weights(genome, wild, rng)
        assert all(wild.weights.min <= c.weight <= wild.weights.max for c in genome.connections.values())
        assert all(wild.weights.min <= n.bias <= wild.weights.max for n in genome.nodes.values())


def test_weight_mutation_perturbs_about_ninety_percent(config):
    rng = np.random.default_rng(1)
    # Many weights in one genome: count how many moved by a small step versus were redrawn.
    genome = make_genome(0, 1, 1, [(i, 0, 1, 5.0, True) for i in range(4000)])
    sharp = config.replace(**{"weights.perturb_power": 0.001, "weights.init_stdev": 1.0})
    mutate_weights(genome, sharp, rng)
    perturbed = sum(abs(c.weight - 5.0) < 0.01 for c in genome.connections.values())
    assert perturbed / 4000 == pytest.approx(0.9, abs=0.02)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), recurrent=st.booleans())
def test_invariants_hold_after_many_mutations(seed, recurrent):
    config = default_config()
    rng = np.random.default_rng(seed)
    genomes = grow_random_genomes(4, 3, 2, recurrent=recurrent, rng=rng, steps=30)
    busy = config.replace(**{"structure.add_node_prob": 0.5, "structure.add_connection_prob": 0.5, "structure.toggle_enable_prob": 0.3, "population.feed_forward": not recurrent})
    tracker = InnovationTracker(1000, 1000)
    for genome in genomes:
        for _ in range(20):
            mutate(genome, busy, tracker, rng)
        pairs = [(c.in_node, c.out_node) for c in genome.connections.values()]
        assert len(pairs) == len(set(pairs)), "duplicate connection"
        assert all(c.in_node in genome.nodes and c.out_node in genome.nodes for c in genome.connections.values())
        assert all(k == c.innovation for k, c in genome.connections.items())
        if not recurrent:
            seen = {}
            for innovation, conn in genome.connections.items():
                assert not creates_cycle(seen, conn.in_node, conn.out_node), "feed-forward genome has a cycle"
                seen[innovation] = conn
