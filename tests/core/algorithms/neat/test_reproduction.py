"""Offspring allotment, stagnation and breeding, checked on plain numbers."""

import math

import pytest

from core.algorithms.neat.innovation import InnovationTracker
from core.algorithms.neat.reproduction import (
    allot_offspring,
    compute_spawn,
    reproduce,
    stagnant_species,
)
from core.algorithms.neat.species import Species
from tests.conftest import make_genome


@pytest.mark.parametrize(
    ("sums", "size", "expected"),
    [
        ([1.0, 1.0, 2.0], 8, [2, 2, 4]),
        ([1.0, 2.0], 10, [3, 7]),  # quotas 3.33 / 6.67: the larger remainder gets the spare one
        ([1.0, 1.0, 1.0], 10, [4, 3, 3]),  # equal remainders: the earlier species first
        ([0.0, 0.0], 5, [3, 2]),  # no fitness anywhere: shared equally
        ([0.0, 5.0], 6, [0, 6]),
        ([], 10, []),
    ],
)
def test_compute_spawn_by_hand(sums, size, expected):
    assert compute_spawn(sums, size) == expected


def _species(species_id, fitnesses, best_ever=-math.inf, last_improved=0, first_id=0):
    members = []
    for i, f in enumerate(fitnesses):
        g = make_genome(first_id + i, 2, 1, [(0, 0, 2, 1.0, True), (1, 1, 2, -1.0, True)])
        g.fitness = f
        members.append(g)
    return Species(species_id, 0, members[0], members, best_ever, last_improved)


def test_stagnant_species_stop_reproducing_but_the_best_is_protected(config):
    old_best = _species(0, [3.0], best_ever=3.0, last_improved=0)
    old_weak = _species(1, [1.0], best_ever=1.0, last_improved=0, first_id=10)
    fresh = _species(2, [0.5], best_ever=0.5, last_improved=19, first_id=20)
    assert stagnant_species([old_best, old_weak, fresh], generation=20, config=config) == {1}


def test_allotment_uses_shifted_mean_fitness(config):
    # Shifted by the population minimum (1.0): species 0 mean (2+0)/2 = 1, species 1 mean 3.
    a = _species(0, [3.0, 1.0], best_ever=3.0)
    b = _species(1, [4.0], best_ever=4.0, first_id=10)
    allotment = allot_offspring([a, b], generation=0, config=config.replace(**{"population.size": 8}))
    assert allotment.adjusted_fitness_sum == {0: 1.0, 1: 3.0}
    assert allotment.offspring == {0: 2, 1: 6}


def test_reproduce_makes_the_allotted_number_and_keeps_big_species_champions(config, rng):
    big = _species(0, [float(i) for i in range(8)], best_ever=7.0)
    small = _species(1, [1.0, 2.0], best_ever=2.0, first_id=50)
    sized = config.replace(**{"population.size": 20})
    allotment = allot_offspring([big, small], 0, sized)
    children, next_id = reproduce([big, small], allotment, sized, InnovationTracker(100, 100), 1000, rng)
    assert len(children) == 20
    champion = max(big.members, key=lambda g: g.fitness)
    copies = [c for c in children if c.genome_id == champion.genome_id]
    assert len(copies) == 1 and repr(copies[0].connections) == repr(champion.connections)
    # The small species (2 members, not more than 5) has no unchanged champion copy.
    assert not any(c.genome_id in (50, 51) for c in children)
    assert next_id == 1000 + 19
    assert all(c.fitness is None for c in children)
