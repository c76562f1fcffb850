"""The paper's NEAT (issue 12): self-mating fix, fitness sharing, bias input, uniform weights,
stagnant share, XOR fitness and success test, the paper preset."""

from __future__ import annotations

import json
import math
from collections import Counter

import numpy as np
import pytest

from core.algorithms.neat.compatibility import compatibility
from core.algorithms.neat.config import default_config
from core.algorithms.neat.evolution import Neat, initial_population
from core.algorithms.neat.innovation import InnovationTracker
from core.algorithms.neat.mutation import mutate_add_connection, mutate_add_node, mutate_weights
from core.algorithms.neat.reproduction import Allotment, allot_offspring, reproduce
from core.algorithms.neat.species import Species
from core.networks.batch import PopulationNetwork
from core.networks.decode import decode
from core.runs.persistence import RunFileError, dumps_run, loads_run, run_to_dict
from core.runs.presets import load_preset
from core.tasks import make_task
from core.tasks.xor import XOR_INPUTS, XorTask
from tests.conftest import make_genome


def paper_config(**changes):
    """The paper preset's NEAT config, with ``section.key`` changes."""
    config = Neat.load_config(None, layers=(load_preset("paper").config,))
    return config.replace(**changes) if changes else config


# --- 1. self-mating --------------------------------------------------------------------------


def _species_of(species_id: int, size: int, first_id: int, rng: np.random.Generator) -> Species:
    members = []
    for i in range(size):
        genome = make_genome(first_id + i, 2, 1, [(0, 0, 2, float(rng.normal()), True), (1, 1, 2, float(rng.normal()), True)])
        genome.fitness = float(size - i)  # distinct, so the ranking (and the parent pool) is known
        members.append(genome)
    return Species(species_id, 0, members[0], members, math.inf, 0)


def _offspring_paths(same_parent: str, sizes: dict[int, int], quota: dict[int, int], seed: int = 3) -> dict[int, Counter]:
    """How each species' children were made (species id -> Counter of paths)."""
    rng = np.random.default_rng(seed)
    species, first = [], 0
    for species_id, size in sizes.items():
        species.append(_species_of(species_id, size, first, rng))
        first += size
    config = default_config().replace(
        **{"crossover.same_parent": same_parent, "crossover.interspecies_prob": 0.0, "population.size": sum(quota.values())}
    )
    allotment = Allotment({i: 1.0 for i in sizes}, dict(quota), frozenset())
    paths: dict[int, str] = {}
    origin: dict[int, int] = {}
    children, _ = reproduce(species, allotment, config, InnovationTracker(3, 2), 10_000, rng, origin, paths)
    assert len(children) == sum(quota.values())
    by_species: dict[int, Counter] = {i: Counter() for i in sizes}
    for child in children:
        by_species[origin[child.genome_id]][paths[child.genome_id]] += 1
    return by_species


# Species sizes 1, 3 and 5 have one parent (the top 20%, rounded up); 6 has two, 50 has ten.
SIZES = {0: 1, 1: 3, 2: 5, 3: 6, 4: 50}
QUOTA = {0: 200, 1: 200, 2: 200, 3: 300, 4: 400}


def test_a_pool_of_one_parent_never_mates_with_itself():
    mix = _offspring_paths("mutate", SIZES, QUOTA)
    for species_id in (0, 1, 2):
        assert mix[species_id] == Counter({"mutation": QUOTA[species_id]})
    # Size 6 keeps its champion; its two parents mate only with each other.
    assert mix[3]["elite"] == 1 and mix[3]["self-mate"] == 0
    assert sum(m["self-mate"] for m in mix.values()) == 0


def test_before_the_fix_small_species_mated_genomes_with_themselves():
    mix = _offspring_paths("mate", SIZES, QUOTA)
    for species_id in (0, 1, 2):
        assert mix[species_id]["crossover"] == 0
        # 75% crossover draws, every one of them a genome with itself.
        assert 0.65 * QUOTA[species_id] < mix[species_id]["self-mate"] < 0.85 * QUOTA[species_id]
    # Two parents: half of the crossover draws pick one genome twice.
    assert 0.25 * 299 < mix[3]["self-mate"] < 0.5 * 299


def test_offspring_mix_with_the_fix_matches_the_draw_probabilities():
    mix = _offspring_paths("mutate", SIZES, QUOTA)
    # Ten parents: a crossover draw is real crossover unless it picks one genome twice (1/10).
    expected_crossover = 0.75 * 0.9 * (QUOTA[4] - 1)
    assert abs(mix[4]["crossover"] - expected_crossover) < 4 * math.sqrt(expected_crossover)
    assert mix[4]["elite"] == 1
    assert mix[4]["crossover"] + mix[4]["mutation"] == QUOTA[4] - 1
    # Two parents: half of the 75% crossover draws pick two different genomes.
    expected_pairs = 0.75 * 0.5 * (QUOTA[3] - 1)
    assert abs(mix[3]["crossover"] - expected_pairs) < 4 * math.sqrt(expected_pairs)


# --- 2. fitness sharing and 7. stagnation ----------------------------------------------------


def _scored(species_id, fitnesses, first_id, last_improved=0):
    members = []
    for i, value in enumerate(fitnesses):
        genome = make_genome(first_id + i, 2, 1)
        genome.fitness = value
        members.append(genome)
    return Species(species_id, 0, members[0], members, max(fitnesses), last_improved)


def test_raw_sharing_is_the_papers_eq_2():
    a, b = _scored(0, [1.0, 1.0, 1.0], 0), _scored(1, [4.0], 10)
    raw = default_config().replace(**{"reproduction.fitness_sharing": "raw", "population.size": 10})
    shifted = raw.replace(**{"reproduction.fitness_sharing": "shifted"})
    # eq. 2: sum of f_i / |S|: 3 x 1/3 = 1 against 4 / 1 = 4, so 2 and 8 of 10.
    assert allot_offspring([a, b], 0, raw).adjusted_fitness_sum == {0: 1.0, 1: 4.0}
    assert allot_offspring([a, b], 0, raw).offspring == {0: 2, 1: 8}
    # Shifted by the population minimum (1): 0 against 3, so all ten go to b.
    assert allot_offspring([a, b], 0, shifted).offspring == {0: 0, 1: 10}


def test_raw_sharing_counts_negative_fitness_as_zero():
    a, b = _scored(0, [-5.0, 2.0], 0), _scored(1, [1.0], 10)
    raw = default_config().replace(**{"reproduction.fitness_sharing": "raw", "population.size": 4})
    assert allot_offspring([a, b], 0, raw).adjusted_fitness_sum == {0: 1.0, 1: 1.0}


def test_stagnant_species_keep_a_reduced_share_with_the_cpp_factor():
    fresh, stale = _scored(0, [2.0, 2.0], 0, last_improved=20), _scored(1, [4.0, 4.0], 10, last_improved=0)
    base = default_config().replace(
        **{"reproduction.fitness_sharing": "raw", "reproduction.stagnation_protected_species": 0, "population.size": 100}
    )
    dropped = allot_offspring([fresh, stale], 20, base)
    assert dropped.offspring == {0: 100} and dropped.stagnant == {1}
    kept = allot_offspring([fresh, stale], 20, base.replace(**{"reproduction.stagnant_share_factor": 0.01}))
    assert kept.adjusted_fitness_sum == {0: 2.0, 1: 0.04}
    assert kept.offspring == {0: 98, 1: 2} and kept.stagnant == {1}


def test_without_the_exemption_the_best_species_stagnates_too():
    best = _scored(0, [9.0], 0, last_improved=0)
    protected = default_config()
    unprotected = protected.replace(**{"reproduction.stagnation_protected_species": 0, "reproduction.stagnant_share_factor": 0.01})
    assert allot_offspring([best], 30, protected).stagnant == frozenset()
    assert allot_offspring([best], 30, unprotected).stagnant == {0}
    assert allot_offspring([best], 30, unprotected).offspring == {0: protected.population.size}


# --- 3. bias input -------------------------------------------------------------------------


def _first_population(config, inputs=2, outputs=1, seed=0):
    tracker = InnovationTracker(inputs + outputs + (1 if config.nodes.bias_input else 0), 0)
    return initial_population(config, inputs, outputs, tracker, np.random.default_rng(seed)), tracker


def test_the_bias_input_is_a_node_with_connection_genes():
    config = paper_config()
    population, tracker = _first_population(config)
    genome = population[0]
    assert [(n, node.kind) for n, node in sorted(genome.nodes.items())] == [(0, "input"), (1, "input"), (2, "output"), (3, "bias")]
    assert sorted((c.in_node, c.out_node) for c in genome.connections.values()) == [(0, 2), (1, 2), (3, 2)]
    assert all(node.bias == 0.0 for node in genome.nodes.values())
    assert genome.enabled_count() == 3  # the bias link counts as a connection
    assert tracker.next_node_id == 4
    # Two genomes differing only in the bias link's weight are apart in delta.
    other = genome.copy(99)
    bias_link = next(c for c in other.connections.values() if c.in_node == 3)
    bias_link.weight += 1.0
    assert compatibility(genome, other, config.speciation).mean_weight_difference == pytest.approx(1.0 / 3)


def test_with_a_bias_input_weight_mutation_leaves_node_biases_at_zero(rng):
    config = paper_config(**{"weights.perturb_prob": 1.0})
    population, tracker = _first_population(config)
    genome = population[0]
    tracker.new_generation()
    for _ in range(20):
        mutate_weights(genome, config, rng)
        mutate_add_connection(genome, config, tracker, rng)
    assert all(node.bias == 0.0 for node in genome.nodes.values())
    assert all(c.out_node != 3 for c in genome.connections.values())  # nothing feeds the bias node
    without = default_config()
    plain = _first_population(without)[0][0]
    before = plain.nodes[2].bias
    mutate_weights(plain, without.replace(**{"weights.perturb_prob": 1.0}), rng)
    assert plain.nodes[2].bias != before  # per-node biases still mutate without the option


def test_add_node_never_splits_a_bias_link(rng):
    config = paper_config(**{"structure.split_choice": "uniform"})
    population, tracker = _first_population(config)
    only_bias = population[0]
    for conn in only_bias.connections.values():
        conn.enabled = conn.in_node == 3
    assert not mutate_add_node(only_bias, config, tracker, rng)
    grown = population[1]
    for _ in range(30):
        assert mutate_add_node(grown, config, tracker, rng)
    split = [c for c in grown.connections.values() if not c.enabled]
    assert split and all(c.in_node != 3 for c in split)
    # Without the option the same genome's links are all fair game.
    plain_config = default_config()
    plain = _first_population(plain_config)[0][0]
    assert mutate_add_node(plain, plain_config, InnovationTracker(3, 2), rng)


@pytest.mark.parametrize("recurrent", [False, True])
def test_the_bias_node_holds_one_in_every_evaluator(recurrent):
    config = paper_config(**{"population.feed_forward": not recurrent})
    population, _ = _first_population(config, seed=4)
    for genome in population[:3]:
        for conn in genome.connections.values():
            conn.weight = 0.0 if conn.in_node != 3 else 0.7
    expected = 1.0 / (1.0 + math.exp(-4.9 * 0.7))  # sigmoid(4.9 * 0.7 * 1.0), whatever the inputs
    for kernel in ("numpy", "numba"):
        batch = PopulationNetwork(population[:3], recurrent=recurrent, kernel=kernel)
        outputs = batch.activate(XOR_INPUTS)
        assert np.allclose(outputs, expected, rtol=0, atol=1e-12), kernel
    for genome in population[:3]:
        network = decode(genome, recurrent=recurrent)
        assert network.activate([0.0, 1.0])[0] == pytest.approx(expected, abs=1e-12)


def test_batch_and_reference_agree_on_grown_bias_genomes():
    config = paper_config(**{"structure.add_node_prob": 0.5, "structure.add_connection_prob": 0.5})
    run = Neat(config, XorTask(), 5)
    for _ in range(8):
        run.step()
    genomes = run.population[:40]
    reference = np.array([[decode(g).activate(x)[0] for x in XOR_INPUTS] for g in genomes])
    for kernel in ("numpy", "numba"):
        batched = PopulationNetwork(genomes, kernel=kernel).activate(XOR_INPUTS)[:, :, 0]
        assert np.array_equal(batched, reference), kernel
    assert any(g.hidden_count() for g in genomes)


def test_run_files_check_the_bias_node():
    run = Neat(paper_config(**{"population.size": 12}), XorTask(), 2)
    run.step()
    data = json.loads(dumps_run(run))
    into_bias = json.loads(json.dumps(data))
    genome = into_bias["state"]["population"][0]
    genome["connections"].append({"innovation": 10_000, "in": 0, "out": 3, "weight": 0.5, "enabled": True})
    with pytest.raises(RunFileError, match="connection into bias node 3"):
        loads_run(json.dumps(into_bias))
    biased = json.loads(json.dumps(data))
    next(n for n in biased["state"]["population"][0]["nodes"] if n["kind"] == "output")["bias"] = 0.5
    with pytest.raises(RunFileError, match="with nodes.bias_input node biases are 0"):
        loads_run(json.dumps(biased))
    no_option = json.loads(json.dumps(data))
    no_option["config"]["nodes"]["bias_input"] = False
    with pytest.raises(RunFileError, match="1 bias nodes; the config's nodes.bias_input makes it 0"):
        loads_run(json.dumps(no_option))


# --- 7. uniform weights --------------------------------------------------------------------


def test_uniform_initial_weights_stay_in_range():
    uniform = default_config().replace(**{"weights.init_distribution": "uniform", "weights.init_range": 1.0, "population.size": 300})
    weights = np.array([c.weight for g in _first_population(uniform)[0] for c in g.connections.values()])
    assert np.abs(weights).max() <= 1.0
    assert weights.std() == pytest.approx(1 / math.sqrt(3), rel=0.1)  # U(-1, 1)
    gaussian = uniform.replace(**{"weights.init_distribution": "gaussian"})
    assert np.abs([c.weight for g in _first_population(gaussian)[0] for c in g.connections.values()]).max() > 1.5


def test_uniform_perturbation_is_bounded_by_the_power(rng):
    def steps(distribution):
        config = default_config().replace(
            **{"weights.perturb_distribution": distribution, "weights.perturb_prob": 1.0, "weights.perturb_power": 0.5, "population.size": 200}
        )
        population = _first_population(config)[0]
        before = np.array([c.weight for g in population for c in g.connections.values()])
        for genome in population:
            mutate_weights(genome, config, rng)
        return np.array([c.weight for g in population for c in g.connections.values()]) - before

    uniform = steps("uniform")
    assert np.abs(uniform).max() <= 0.5 and np.abs(uniform).max() > 0.45
    assert np.abs(steps("gaussian")).max() > 0.6


# --- 4. XOR fitness and success; 5. evaluations ---------------------------------------------


class _Constant:
    """A stand-in population whose every genome outputs the given four values."""

    def __init__(self, outputs):
        self.outputs = np.asarray(outputs, dtype=float)

    def activate(self, inputs):
        return self.outputs[:, :, None]


def test_xor_fitness_rules_by_hand():
    outputs = [[0.1, 0.8, 0.6, 0.3], [0.5, 0.5, 0.5, 0.5]]
    errors = np.abs(np.array(outputs) - [0, 1, 1, 0])
    paper = XorTask(fitness="paper").evaluate(_Constant(outputs), np.random.default_rng(0))
    squared = XorTask().evaluate(_Constant(outputs), np.random.default_rng(0))
    assert paper.fitness.tolist() == pytest.approx([(4 - 1.0) ** 2, (4 - 2.0) ** 2])
    assert errors.sum(axis=1).tolist() == pytest.approx([1.0, 2.0])
    assert squared.fitness.tolist() == pytest.approx([4 - (0.01 + 0.04 + 0.16 + 0.09), 3.0])
    assert paper.criterion_met.tolist() == [True, False]


def test_xor_task_options_are_checked_and_kept():
    task = make_task({"name": "xor", "fitness": "paper", "solved_by": "criterion"})
    assert task.spec() == {"name": "xor", "fitness_threshold": 3.9, "fitness": "paper", "solved_by": "criterion"}
    with pytest.raises(ValueError, match="task.fitness"):
        make_task({"name": "xor", "fitness": "cubed"})
    with pytest.raises(ValueError, match="task.solved_by"):
        make_task({"name": "xor", "solved_by": "luck"})


def test_the_preset_solves_by_the_criterion_and_counts_evaluations_the_papers_way():
    preset = load_preset("paper")
    task = make_task({"name": "xor", **preset.options_for("xor")})
    run = Neat(paper_config(), task, 1)
    population = run.population
    for report in run.run(200):
        assert report.solved == report.criterion_met
        if not report.solved:
            population = run.population
    assert report.solved
    met = PopulationNetwork(population).activate(XOR_INPUTS)[:, :, 0]
    first = int(np.flatnonzero(((met > 0.5) == (np.array([0, 1, 1, 0]) > 0.5)).all(axis=1))[0])
    assert report.solved_at_evaluation == report.evaluations - len(population) + first + 1


# --- the preset ------------------------------------------------------------------------------


def test_the_paper_preset_loads_with_the_papers_settings():
    preset = load_preset("paper")
    assert preset.algorithm == "neat"
    config = paper_config()
    assert config.population.size == 150
    assert config.nodes.bias_input and config.reproduction.fitness_sharing == "raw"
    assert (config.weights.init_distribution, config.weights.perturb_distribution) == ("uniform", "uniform")
    assert config.crossover.same_parent == "mutate"
    assert config.reproduction.stagnation_protected_species == 0 and config.reproduction.stagnant_share_factor == 0.01
    assert (config.speciation.weight_coefficient, config.speciation.threshold) == (0.4, 3.0)
    assert preset.options_for("xor") == {"fitness": "paper", "solved_by": "criterion"}
    assert preset.options_for("cartpole") == {}


def test_unknown_presets_are_refused():
    from core.runs.config import ConfigError

    for name in ("nope", "../neat_default", ""):
        with pytest.raises(ConfigError, match="unknown preset"):
            load_preset(name)


def test_save_and_resume_with_the_preset_is_bit_identical():
    preset = load_preset("paper")
    run = Neat(paper_config(), make_task({"name": "xor", **preset.options_for("xor")}), 8)
    for _ in range(4):
        run.step()
    resumed = loads_run(dumps_run(run))
    assert resumed.history == run.history
    assert [resumed.step() for _ in range(4)] == [run.step() for _ in range(4)]
    again, original = run_to_dict(resumed), run_to_dict(run)
    for key in original:
        if key != "history":
            assert again[key] == original[key], key


def test_backpropagation_refuses_bias_input_genomes():
    from core.networks.backprop import TrainableNetwork

    population, _ = _first_population(paper_config())
    with pytest.raises(ValueError, match="bias input node"):
        TrainableNetwork(PopulationNetwork(population[:2]))
    with pytest.raises(Exception, match="nodes.bias_input must be false"):
        from core.algorithms.backprop_neat import BackpropNeat

        BackpropNeat.load_config(None, overrides={"nodes": {"bias_input": True}})


def test_older_split_choice_prefers_the_oldest_links(rng):
    def split_counts(split_choice):
        config = paper_config(**{"structure.split_choice": split_choice})
        counts = Counter()
        base = _first_population(config)[0][0]  # links 0->2, 1->2 (innovations 0, 1), bias 3->2 never split
        for _ in range(2000):
            genome = base.copy(1)
            if mutate_add_node(genome, config, InnovationTracker(4, 3), rng):
                counts[next(c.innovation for c in genome.connections.values() if not c.enabled)] += 1
            else:
                counts["none"] += 1
        return counts

    older = split_counts("older")
    # Oldest first, moving on with 0.3: 70% the first link, 21% the second, 9% none.
    assert older[0] / 2000 == pytest.approx(0.7, abs=0.04)
    assert older[1] / 2000 == pytest.approx(0.21, abs=0.03)
    assert older["none"] / 2000 == pytest.approx(0.09, abs=0.02)
    uniform = split_counts("uniform")
    assert uniform["none"] == 0 and uniform[0] / 2000 == pytest.approx(0.5, abs=0.04)
