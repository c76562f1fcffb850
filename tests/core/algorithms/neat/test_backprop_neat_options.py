"""Backprop NEAT's options for any NEAT run: K-medoids species, hall of fame, extinction, random node kinds; old configs still load."""

import json
from collections import Counter

import numpy as np
import pytest

from core.algorithms.neat.config import NeatConfig, default_config_dict
from core.algorithms.neat.evolution import Neat
from core.algorithms.neat.innovation import InnovationTracker
from core.algorithms.neat.mutation import mutate_add_node
from core.algorithms.neat.reproduction import Allotment, allot_offspring, reproduce
from core.algorithms.neat.species import Species, SpeciesSet, k_medoids
from core.networks.activations import NODE_FUNCTIONS
from core.runs.config import ConfigError, config_from_dict
from core.runs.persistence import load_run, run_to_dict, save_run
from core.tasks.xor import XorTask
from tests.conftest import make_genome


def _cost(distances, medoids):
    return distances[:, medoids].min(axis=1).sum()


def test_k_medoids_finds_separated_groups_and_a_local_optimum():
    rng = np.random.default_rng(0)
    centres = np.repeat([0.0, 10.0, 20.0], 7) + rng.normal(0, 0.5, 21)
    distances = np.abs(centres[:, None] - centres[None, :])
    medoids, assignment = k_medoids(distances, 3, np.random.default_rng(1))
    groups = [set(np.flatnonzero(assignment == c).tolist()) for c in range(3)]
    assert sorted(map(sorted, groups)) == [list(range(0, 7)), list(range(7, 14)), list(range(14, 21))]
    assert all(medoids[c] in groups[c] for c in range(3))
    # No single swap of a medoid with another point lowers the cost (PAM's stopping rule).
    best = _cost(distances, medoids)
    for slot in range(3):
        for other in set(range(21)) - set(medoids.tolist()):
            swapped = medoids.copy()
            swapped[slot] = other
            assert _cost(distances, swapped) >= best - 1e-12
    again, _ = k_medoids(distances, 3, np.random.default_rng(1))
    np.testing.assert_array_equal(again, medoids)


def test_k_medoids_with_more_clusters_than_points():
    distances = np.array([[0.0, 1.0], [1.0, 0.0]])
    medoids, assignment = k_medoids(distances, 5, np.random.default_rng(0))
    assert sorted(medoids.tolist()) == [0, 1] and sorted(assignment.tolist()) == [0, 1]


def _family(first_id, innovation_base, count, weight=0.0):
    """Genomes sharing a structure of their own (distinct innovations), weights near ``weight``."""
    return [
        make_genome(first_id + i, 2, 1, [(innovation_base, 0, 2, weight + 0.01 * i, True), (innovation_base + 1, 1, 2, 1.0, True)])
        for i in range(count)
    ]


@pytest.fixture
def clustered(config):
    return config.replace(**{"speciation.method": "kmedoids", "speciation.clusters": 3})


def test_clusters_become_species_that_keep_their_ids(clustered):
    genomes = _family(0, 0, 5) + _family(10, 10, 6) + _family(20, 20, 4)
    species = SpeciesSet([], 0, clustered.speciation.threshold)
    species.speciate(genomes, clustered.speciation, 0, np.random.default_rng(0))
    sizes = {tuple(sorted(g.genome_id // 10 for g in s.members)) for s in species.species}
    assert sizes == {(0,) * 5, (1,) * 6, (2,) * 4}
    assert all(s.representative in s.members for s in species.species)
    ids_by_family = {s.members[0].genome_id // 10: s.species_id for s in species.species}
    species.speciate(list(reversed(genomes)), clustered.speciation, 1, np.random.default_rng(5))
    assert {s.members[0].genome_id // 10: s.species_id for s in species.species} == ids_by_family
    assert species.next_species_id == 3


def _scored(species_id, first_id, innovation_base, fitnesses):
    members = _family(first_id, innovation_base, len(fitnesses))
    for genome, fitness in zip(members, fitnesses):
        genome.fitness = fitness
    return Species(species_id, 0, members[0], members, max(fitnesses), 0)


def test_clusters_share_offspring_equally_and_never_stagnate(clustered):
    strong = _scored(0, 0, 0, [5.0, 4.0])
    weak = _scored(1, 10, 10, [0.1, 0.2, 0.3])
    weak.last_improved = -100  # long stagnant: NEAT would drop it
    allotment = allot_offspring([strong, weak], generation=50, config=clustered.replace(**{"population.size": 10}))
    assert allotment.offspring == {0: 5, 1: 5} and not allotment.stagnant


def test_hall_of_fame_joins_the_next_generation_unchanged(config):
    sized = config.replace(**{"population.size": 6, "reproduction.hall_of_fame": 3, "reproduction.elitism_min_members": 100})
    a = _scored(0, 0, 0, [1.0, 9.0, 3.0])
    b = _scored(1, 10, 10, [8.0, 2.0, 7.0])
    allotment = allot_offspring([a, b], 0, sized)
    children, _ = reproduce([a, b], allotment, sized, InnovationTracker(100, 100), 1000, np.random.default_rng(0))
    assert len(children) == 6 + 3
    famous = [c.genome_id for c in children if c.genome_id < 1000]
    assert famous == [1, 10, 12]  # fitness 9, 8, 7
    assert len({c.genome_id for c in children}) == len(children)
    # A champion kept by elitism is not copied twice.
    elitist = sized.replace(**{"reproduction.elitism_min_members": 1})
    children, _ = reproduce([a, b], allot_offspring([a, b], 0, elitist), elitist, InnovationTracker(100, 100), 1000, np.random.default_rng(0))
    assert sorted(c.genome_id for c in children if c.genome_id < 1000) == [1, 10, 12]
    assert len(children) == 6 + 1


def test_extinction_breeds_the_worst_species_from_the_best_ones_parents(config):
    plain_copies = config.replace(
        **{
            "population.size": 20,
            "crossover.crossover_prob": 0.0,
            "structure.add_node_prob": 0.0,
            "structure.add_connection_prob": 0.0,
            "reproduction.elitism_min_members": 100,
        }
    )
    best = _scored(0, 0, 0, [5.0, 6.0])
    worst = _scored(1, 10, 10, [0.1, 0.2])
    allotment = Allotment({0: 1.0, 1: 1.0}, {0: 10, 1: 10}, frozenset())

    def families(prob):
        settings = plain_copies.replace(**{"reproduction.extinction_prob": prob})
        children, _ = reproduce([best, worst], allotment, settings, InnovationTracker(100, 100), 1000, np.random.default_rng(3))
        return Counter(min(c.connections) for c in children)

    assert families(0.0) == {0: 10, 10: 10}
    assert families(1.0) == {0: 20}


def test_new_nodes_draw_their_kind_from_the_list(config):
    kinds = ["logistic", "tanh", "relu", "std_gaussian", "sin", "abs", "mult", "square", "add"]
    drawing = config.replace(**{"nodes.new_node_functions": kinds})
    rng = np.random.default_rng(0)
    seen = Counter()
    for genome_id in range(300):
        genome = make_genome(genome_id, 2, 1, [(0, 0, 2, 1.0, True)])
        assert mutate_add_node(genome, drawing, InnovationTracker(3, 1, "run"), rng)
        (hidden,) = [n for n in genome.nodes.values() if n.kind == "hidden"]
        seen[(hidden.activation, hidden.aggregation)] += 1
    assert set(seen) == {NODE_FUNCTIONS[k] for k in kinds}
    assert seen[("identity", "product")] > 10 and seen[("identity", "sum")] > 10
    genome = make_genome(0, 2, 1, [(0, 0, 2, 1.0, True)])
    mutate_add_node(genome, config, InnovationTracker(3, 1), rng)
    assert [(n.activation, n.aggregation) for n in genome.nodes.values() if n.kind == "hidden"] == [("sigmoid", "sum")]


def test_a_config_saved_before_these_keys_existed_still_loads():
    data = default_config_dict()
    for section, key in (("nodes", "new_node_functions"), ("speciation", "method"), ("speciation", "clusters"),
                         ("reproduction", "hall_of_fame"), ("reproduction", "extinction_prob")):  # fmt: skip
        del data[section][key]
    old = config_from_dict(NeatConfig, data)
    assert old.speciation.method == "threshold" and old.reproduction.hall_of_fame == 0 and old.nodes.new_node_functions == ()
    del data["speciation"]["threshold"]  # a key that always existed is still required
    with pytest.raises(ConfigError, match="missing key speciation.threshold"):
        config_from_dict(NeatConfig, data)


def test_a_neat_run_with_every_option_is_reproducible_across_save_and_load(config, tmp_path):
    options = config.replace(
        **{
            "population.size": 40,
            "speciation.method": "kmedoids",
            "speciation.clusters": 4,
            "reproduction.hall_of_fame": 3,
            "reproduction.extinction_prob": 0.5,
            "reproduction.elitism_min_members": 1,
            "nodes.new_node_functions": ["tanh", "mult", "add", "relu"],
            "structure.add_node_prob": 0.3,
        }
    )
    run = Neat(options, XorTask(), 4)
    for _ in range(5):
        run.step()
    assert all(len(r.species) == 4 for r in run.history)
    assert 40 < len(run.population) <= 43
    save_run(run, tmp_path / "run.json")
    resumed = load_run(tmp_path / "run.json")
    assert [run.step() for _ in range(4)] == [resumed.step() for _ in range(4)]
    a, b = run_to_dict(run), run_to_dict(resumed)
    assert json.dumps(a["state"]) == json.dumps(b["state"]) and a["rng_state"] == b["rng_state"]
