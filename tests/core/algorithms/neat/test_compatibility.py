"""Alignment and delta on the paper's figure 4 genomes, by hand."""

import numpy as np
import pytest

from core.algorithms.neat.compatibility import align, compatibility, distance_matrix
from tests.conftest import grow_random_genomes, make_genome

# Figure 4 (paper p. 109): parent 1 has genes 1-5 and 8; parent 2 has 1-7, 9 and 10.
# Nodes: inputs 1,2,3 -> ids 0,1,2; output 4 -> id 3; hidden 5 and 6 -> ids 4, 5.
PARENT_1 = [(1, 0, 3, 1.0, True), (2, 1, 3, 1.0, False), (3, 2, 3, 1.0, True), (4, 1, 4, 1.0, True), (5, 4, 3, 1.0, True), (8, 0, 4, 1.0, True)]
PARENT_2 = [
    (1, 0, 3, 0.5, True), (2, 1, 3, 1.0, False), (3, 2, 3, 1.0, True), (4, 1, 4, 2.0, True), (5, 4, 3, 1.0, False),
    (6, 4, 5, 1.0, True), (7, 5, 3, 1.0, True), (9, 2, 4, 1.0, True), (10, 0, 5, 1.0, True),
]


@pytest.fixture
def parents():
    return (
        make_genome(1, 3, 1, PARENT_1, hidden=[4]),
        make_genome(2, 3, 1, PARENT_2, hidden=[4, 5]),
    )


def test_alignment_matches_figure_4(parents):
    a, b = parents
    alignment = align(a, b)
    assert alignment.matching == (1, 2, 3, 4, 5)
    assert alignment.disjoint_a == (8,)
    assert alignment.disjoint_b == (6, 7)
    assert alignment.excess_a == ()
    assert alignment.excess_b == (9, 10)


def test_delta_by_hand(parents, config):
    # E = 2, D = 3, N = 1 (fewer than 20 genes), W_bar = (0.5 + 0 + 0 + 1.0 + 0) / 5 = 0.3.
    result = compatibility(*parents, config.speciation)
    assert (result.excess, result.disjoint, result.matching, result.normalizer) == (2, 3, 5, 1)
    assert result.mean_weight_difference == pytest.approx(0.3)
    assert result.excess_term == 2.0 and result.disjoint_term == 3.0
    assert result.weight_term == pytest.approx(0.12)
    assert result.distance == pytest.approx(5.12)


def test_delta_is_symmetric_and_zero_to_itself(parents, config):
    a, b = parents
    assert compatibility(a, b, config.speciation).distance == pytest.approx(compatibility(b, a, config.speciation).distance)
    assert compatibility(a, a, config.speciation).distance == 0.0


def test_large_genomes_normalise_by_gene_count(config):
    genes_a = [(i, 0, 1, 0.0, True) for i in range(25)]
    genes_b = [(i, 0, 1, 0.0, True) for i in range(20)]
    result = compatibility(make_genome(0, 1, 1, genes_a), make_genome(1, 1, 1, genes_b), config.speciation)
    assert result.excess == 5 and result.normalizer == 25
    assert result.distance == pytest.approx(5 / 25)


def test_distance_matrix_equals_pairwise(config):
    rng = np.random.default_rng(3)
    genomes = grow_random_genomes(30, 3, 2, recurrent=False, rng=rng, steps=12)
    reps = genomes[::4]
    matrix = distance_matrix(genomes, reps, config.speciation)
    expected = np.array([[compatibility(g, r, config.speciation).distance for r in reps] for g in genomes])
    np.testing.assert_allclose(matrix, expected, rtol=0, atol=1e-12)


def test_distance_matrix_handles_genomes_without_connections(config):
    empty = make_genome(0, 2, 1)
    full = make_genome(1, 2, 1, [(0, 0, 2, 1.0, True), (1, 1, 2, 1.0, True)])
    matrix = distance_matrix([empty, full], [full, empty], config.speciation)
    np.testing.assert_allclose(matrix, [[2.0, 0.0], [0.0, 2.0]])
