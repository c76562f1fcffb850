"""Speciation: placement by threshold, representatives, dynamic threshold."""

import numpy as np

from core.algorithms.neat.species import SpeciesSet
from tests.conftest import make_genome


def _genome(genome_id, weight, extra=()):
    return make_genome(genome_id, 2, 1, [(0, 0, 2, weight, True), (1, 1, 2, 1.0, True), *extra])


def test_compatible_genomes_share_a_species_and_strangers_found_new_ones(config, rng):
    near = [_genome(i, 0.1 * i) for i in range(4)]
    # Three excess genes put this one at delta >= 3 from the others.
    far = _genome(10, 0.0, extra=[(5, 0, 2, 1.0, True), (6, 1, 2, 1.0, True), (7, 0, 2, 1.0, True)])
    species = SpeciesSet([], 0, config.speciation.threshold)
    species.speciate([*near, far], config.speciation, 0, rng)
    assert [len(s.members) for s in species.species] == [4, 1]
    assert species.species[1].members[0] is far
    assert species.species_of() == {0: 0, 1: 0, 2: 0, 3: 0, 10: 1}


def test_species_keep_ids_and_empty_ones_go_extinct(config, rng):
    species = SpeciesSet([], 0, config.speciation.threshold)
    species.speciate([_genome(0, 0.0), _genome(1, 0.0, extra=[(5, 0, 2, 1.0, True), (6, 1, 2, 1.0, True), (7, 0, 2, 1.0, True)])], config.speciation, 0, rng)
    assert [s.species_id for s in species.species] == [0, 1]
    species.speciate([_genome(2, 0.2)], config.speciation, 1, rng)
    assert [s.species_id for s in species.species] == [0]
    assert species.next_species_id == 2


def test_dynamic_threshold_moves_toward_target(config):
    rng = np.random.default_rng(0)
    targeted = config.replace(**{"speciation.target_species": 3, "speciation.threshold_step": 0.5}).speciation
    species = SpeciesSet([], 0, 3.0)
    species.speciate([_genome(i, 0.0) for i in range(3)], targeted, 0, rng)
    assert len(species.species) == 1 and species.threshold == 2.5
    many = [_genome(i, 0.0, extra=[(10 + j, 0, 2, 1.0, True) for j in range(i * 4)]) for i in range(5)]
    species.speciate(many, targeted, 1, rng)
    assert len(species.species) == 5 and species.threshold == 3.0
