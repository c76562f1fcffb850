"""Crossover by innovation number (paper fig. 4 and the 75% disabled rule)."""

import numpy as np
import pytest

from core.algorithms.neat.crossover import crossover
from tests.conftest import make_genome
from tests.core.algorithms.neat.test_compatibility import PARENT_1, PARENT_2


def _parents():
    return make_genome(1, 3, 1, PARENT_1, hidden=[4]), make_genome(2, 3, 1, PARENT_2, hidden=[4, 5])


def test_child_has_the_fitter_parents_genes(config, rng):
    fitter, other = _parents()
    child = crossover(fitter, other, 99, config, rng)
    assert child.genome_id == 99 and child.fitness is None
    assert sorted(child.connections) == [1, 2, 3, 4, 5, 8]
    assert set(child.nodes) == set(fitter.nodes)


def test_excess_and_disjoint_genes_come_from_the_fitter_parent(config, rng):
    other, fitter = _parents()  # parent 2 is the fitter one now
    child = crossover(fitter, other, 99, config, rng)
    assert sorted(child.connections) == [1, 2, 3, 4, 5, 6, 7, 9, 10]
    for innovation in (6, 7, 9, 10):
        assert child.connections[innovation].weight == fitter.connections[innovation].weight


def test_matching_genes_come_from_either_parent_at_random(config):
    fitter, other = _parents()
    rng = np.random.default_rng(7)
    from_fitter = 0
    trials = 2000
    for _ in range(trials):
        child = crossover(fitter, other, 0, config, rng)
        from_fitter += child.connections[1].weight == fitter.connections[1].weight
    assert from_fitter / trials == pytest.approx(0.5, abs=0.04)


def test_gene_disabled_in_either_parent_is_disabled_75_percent(config):
    fitter, other = _parents()  # gene 5 is enabled in parent 1, disabled in parent 2
    rng = np.random.default_rng(11)
    trials = 4000
    disabled = sum(not crossover(fitter, other, 0, config, rng).connections[5].enabled for _ in range(trials))
    assert disabled / trials == pytest.approx(0.75, abs=0.03)


def test_parents_are_not_modified(config, rng):
    fitter, other = _parents()
    before = (repr(fitter), repr(other))
    child = crossover(fitter, other, 5, config, rng)
    child.connections[1].weight = 123.0
    assert (repr(fitter), repr(other)) == before
