"""Double pole balancing: the spec's test vectors, trials, damping fitness, the success test,
and the compiled twin giving the numpy path's fitness exactly."""

import json

import numpy as np
import pytest

import core.compiled as compiled
from core.networks.batch import PopulationNetwork
from core.networks.genome import NodeGene
from core.tasks import make_task
from core.tasks.double_pole import (
    JIGGLE_WINDOW,
    SOLVED_FITNESS,
    DoublePoleNvTask,
    DoublePoleTask,
    damping_fitness,
    decide,
    generalisation_starts,
    grid_picture,
    run_trials,
    standard_start,
    success_test,
)
from tests.conftest import grow_random_genomes, make_genome

needs_numba = pytest.mark.skipif(not compiled.numba_installed(), reason="numba is not installed")

# /work/shared/specs/double_pole.md: start, network output, state after one decision.
TEST_VECTORS = [
    ((0, 0, 0.07, 0, 0, 0), 0.5, (-0.000009984, -0.000998931, 0.070220679, 0.022079472, 0.000150432, 0.015122034)),
    ((0, 0, 0.07, 0, 0, 0), 1.0, (0.001935940, 0.193608237, 0.067307428, -0.269418963, -0.029169097, -2.930648326)),
    ((0.1, -0.2, 0.03, 0.1, -0.02, 0.3), 0.0, (0.094049422, -0.395076006, 0.035016063, 0.401871373, 0.014851868, 3.202032150)),
]
# A linear controller of the Markov task (found by hill climbing) that balances 100,000 decisions.
MARKOV_WEIGHTS = [-0.1702, -1.398, -3.2699, -4.4796, 2.4427, 1.1746, 0.0947]


def markov_controller(genome_id=0):
    """7 inputs straight to the sigmoid output."""
    return make_genome(genome_id, 7, 1, [(j, j, 7, MARKOV_WEIGHTS[j], True) for j in range(7)])


def velocity_free_controller(genome_id=0):
    """The Markov controller without velocity inputs: three identity hidden nodes hold last
    step's x, theta_1, theta_2, and the output weights turn (now - before) into velocities
    (x_dot ~ 4.8 * d(x/4.8) / 0.02, theta_dot ~ 0.52 * d(theta/0.52) / 0.02). Needs recurrent nets."""
    w = MARKOV_WEIGHTS
    connections = [
        (0, 0, 4, w[0] + 120 * w[1], True), (1, 5, 4, -120 * w[1], True),
        (2, 1, 4, w[2] + 13 * w[3], True), (3, 6, 4, -13 * w[3], True),
        (4, 2, 4, w[4] + 13 * w[5], True), (5, 7, 4, -13 * w[5], True),
        (6, 3, 4, w[6], True), (7, 0, 5, 1.0, True), (8, 1, 6, 1.0, True), (9, 2, 7, 1.0, True),
    ]
    genome = make_genome(genome_id, 4, 1, connections, hidden=(5, 6, 7))
    for node in (5, 6, 7):
        genome.nodes[node] = NodeGene(node, "hidden", 0.0, 1.0, "identity", "sum")
    return genome


def constant_controller(out, num_inputs, genome_id=0):
    """A network whose output is always ``out`` (identity output, bias ``out``, no links)."""
    genome = make_genome(genome_id, num_inputs, 1, activation="identity")
    genome.nodes[num_inputs] = NodeGene(num_inputs, "output", float(out), 1.0, "identity", "sum")
    return genome


@pytest.mark.parametrize("start, out, expected", TEST_VECTORS)
def test_one_decision_matches_the_spec_test_vectors(start, out, expected):
    state, failing = decide(np.array(start, dtype=float), np.array(out))
    np.testing.assert_allclose(state, expected, rtol=0, atol=1e-9)
    assert not failing


def test_the_physics_steps_arrays_of_any_shape_as_one_state_at_a_time():
    starts = np.array([v[0] for v in TEST_VECTORS], dtype=float).T  # (6, 3)
    outs = np.array([v[1] for v in TEST_VECTORS])
    batch, _ = decide(np.stack([starts, starts], axis=1), np.stack([outs, outs]))  # (6, 2, 3)
    for k in range(3):
        alone, _ = decide(starts[:, k], np.array(outs[k]))
        assert np.array_equal(batch[:, 0, k], alone) and np.array_equal(batch[:, 1, k], alone)


@pytest.mark.parametrize("out, fails_at, nv_fitness", [(0.5, 23, 0.0022), (1.0, 5, 0.0004), (0.0, 5, 0.0004)])
def test_constant_controllers_fail_where_the_spec_says(out, fails_at, nv_fitness):
    state = standard_start()
    for decision in range(1, 100):
        state, failing = decide(state, np.array(out))
        if failing:
            break
    assert decision == fails_at
    markov = DoublePoleTask().evaluate(PopulationNetwork([constant_controller(out, 7)]), np.random.default_rng(0))
    assert markov.fitness[0] == fails_at - 1 and not markov.criterion_met[0]
    nv = DoublePoleNvTask().evaluate(PopulationNetwork([constant_controller(out, 4)], recurrent=True), np.random.default_rng(0))
    assert nv.fitness[0] == pytest.approx(nv_fitness, abs=1e-12)
    assert nv.env_steps == fails_at


def test_damping_fitness_sums_the_last_hundred_balanced_decisions_oldest_first():
    rng = np.random.default_rng(3)
    for balanced in (50, 100, 101, 250, 1000):
        history = rng.uniform(0.0, 0.5, size=balanced)  # jiggle after decisions 1..balanced
        ring = np.zeros(JIGGLE_WINDOW)
        for t, value in enumerate(history):
            ring[t % JIGGLE_WINDOW] = value
        total = 0.0
        for value in history[-JIGGLE_WINDOW:]:
            total += value
        expected = 0.1 * (balanced / 1000) + (0.9 * (0.75 / total) if balanced > JIGGLE_WINDOW else 0.0)
        assert damping_fitness(np.array(balanced), ring) == expected


def test_the_generalisation_grid_spans_the_papers_ranges():
    starts = generalisation_starts()
    assert starts.shape == (625, 6)
    assert np.allclose(starts.min(axis=0)[:4], [-1.944, -1.215, -0.05654837, -0.13508777])
    assert np.allclose(starts.max(axis=0)[:4], [1.944, 1.215, 0.05654837, 0.13508777])
    assert not starts[:, 4:].any()
    assert len({tuple(row) for row in starts}) == 625
    picture = grid_picture(np.arange(625))
    assert picture.shape == (25, 25) and picture[0, 0] == 0 and picture[24, 24] == 624
    assert picture[0, 5] == 5 and picture[1, 0] == 25  # columns step theta_1 within a row of (x, x_dot)


def test_markov_controller_balances_and_numpy_agrees_with_lone_trials():
    rng = np.random.default_rng(2)
    genomes = [markov_controller(), *grow_random_genomes(8, 7, 1, recurrent=False, rng=rng, steps=10)]
    task = DoublePoleTask(max_steps=500)
    result = task.evaluate(PopulationNetwork(genomes), rng)
    assert result.fitness[0] == 500 and result.criterion_met[0] and not result.criterion_met[1:].any()
    alone = [task.evaluate(PopulationNetwork([g]), rng).fitness[0] for g in genomes]
    assert result.fitness.tolist() == alone


def test_velocity_free_controller_passes_a_short_success_test_on_numpy():
    task = DoublePoleNvTask(test_steps=1200)
    genomes = [velocity_free_controller(), *grow_random_genomes(3, 4, 1, recurrent=True, rng=np.random.default_rng(4), steps=10)]
    with np.errstate(over="ignore", invalid="ignore"):
        result = task.evaluate(PopulationNetwork(genomes, recurrent=True), np.random.default_rng(0))
    assert result.criterion_met.tolist() == [True] + [False] * 3
    assert result.fitness[0] > SOLVED_FITNESS > result.fitness[1:].max()
    index, test = task.last_test
    assert index == 0 and test.passed_standard and test.generalisation.shape == (625,)
    assert GENERALISATION_SCORE_RANGE[0] <= test.generalisation_score <= GENERALISATION_SCORE_RANGE[1]


# The hand-made controller generalises to most of the grid but not its far corners.
GENERALISATION_SCORE_RANGE = (200, 624)


@needs_numba
def test_success_test_reports_per_start_outcomes_and_skips_generalisation_after_a_failure():
    network = PopulationNetwork([velocity_free_controller(0), constant_controller(0.5, 4, 1)], recurrent=True, kernel="numba")
    passed, failed = success_test(network, test_steps=1500)
    assert passed.passed_standard and passed.solved and passed.generalisation_passed.sum() == passed.generalisation_score
    assert not failed.passed_standard and failed.generalisation is None and not failed.solved
    assert failed.to_dict()["standard_start_balanced"] == 22
    forced = success_test(network, test_steps=1500, always_generalise=True)[1]
    # No force balances only the starts at rest with both poles upright: x_dot = theta_1 =
    # theta_1_dot = 0 (the middle value), whatever x is.
    at_rest = np.flatnonzero((generalisation_starts()[:, 1:4] == 0).all(axis=1))
    assert len(at_rest) == 5
    assert np.flatnonzero(forced.generalisation_passed).tolist() == at_rest.tolist()


def test_tasks_are_registered_and_rebuild_from_their_spec():
    for name, cls in (("double-pole", DoublePoleTask), ("double-pole-nv", DoublePoleNvTask)):
        task = make_task(name)
        assert isinstance(task, cls) and make_task(task.spec()).spec() == task.spec()
    assert make_task("double-pole").fitness_threshold == 100_000
    with pytest.raises(ValueError, match="task.max_steps"):
        make_task({"name": "double-pole", "max_steps": 0})
    with pytest.raises(ValueError, match="unknown parameter"):
        make_task({"name": "double-pole-nv", "episodes": 3})


@pytest.mark.parametrize("name", ["ga", "es", "random", "neat"])
@pytest.mark.parametrize("task_name", ["double-pole", "double-pole-nv"])
def test_every_algorithm_of_the_family_runs_both_tasks(name, task_name):
    from core.algorithms.registry import algorithm_class

    cls = algorithm_class(name)
    algorithm = cls(cls.default_config().replace(**{cls.population_size_key: 12}), make_task({"name": task_name, "max_steps": 300}), 1)
    algorithm.kernel = "numpy"
    reports = [algorithm.step() for _ in range(2)]
    assert reports[-1].evaluations >= 24 and reports[-1].env_steps > 0 and reports[-1].best_fitness > 0


# --- the compiled twin --------------------------------------------------------------------------


@needs_numba
@pytest.mark.parametrize("recurrent", [False, True])
@pytest.mark.parametrize("velocities", [True, False])
def test_compiled_double_pole_equals_numpy_on_random_genomes(recurrent, velocities):
    inputs = 7 if velocities else 4
    controller = markov_controller() if velocities else velocity_free_controller()
    genomes = grow_random_genomes(40, inputs, 1, recurrent=recurrent, rng=np.random.default_rng(61 + recurrent + 2 * velocities), steps=20)
    if recurrent or velocities:
        genomes.append(controller)
    task = DoublePoleTask(max_steps=1200) if velocities else DoublePoleNvTask(test_steps=1200)
    for seed in range(2):
        with np.errstate(over="ignore", invalid="ignore"):
            expected = task.evaluate(PopulationNetwork(genomes, recurrent, "numpy"), np.random.default_rng(seed))
        numba_population = PopulationNetwork(genomes, recurrent, "numba")
        assert numba_population.kernel == "numba"
        got = task.evaluate(numba_population, np.random.default_rng(seed))
        assert np.array_equal(expected.fitness, got.fitness)
        assert np.array_equal(expected.criterion_met, got.criterion_met)
        assert expected.env_steps == got.env_steps > 0
    if recurrent or velocities:
        assert got.fitness[-1] == got.fitness.max() and got.criterion_met[-1]


@needs_numba
def test_compiled_generalisation_and_damping_terms_equal_numpy():
    genomes = [velocity_free_controller(), *grow_random_genomes(6, 4, 1, recurrent=True, rng=np.random.default_rng(71), steps=15)]
    starts = generalisation_starts()[::7]
    with np.errstate(over="ignore", invalid="ignore"):
        expected = run_trials(PopulationNetwork(genomes, True, "numpy"), starts, 400, False, damping=True)
    got = run_trials(PopulationNetwork(genomes, True, "numba"), starts, 400, False, damping=True)
    assert np.array_equal(expected.balanced, got.balanced) and expected.env_steps == got.env_steps
    assert np.array_equal(expected.ring, got.ring) and expected.balanced.max() == 400


@needs_numba
def test_the_full_success_test_of_the_paper_on_the_compiled_kernel():
    network = PopulationNetwork([velocity_free_controller()], recurrent=True, kernel="numba")
    (test,) = success_test(network)
    assert test.standard_balanced == 100_000 and test.solved
    task = DoublePoleNvTask()
    summary = task.describe(velocity_free_controller())
    assert summary == test.to_dict() and summary["generalisation"] >= 200
    markov = DoublePoleTask().evaluate(PopulationNetwork([markov_controller()], kernel="numba"), np.random.default_rng(0))
    assert markov.fitness[0] == 100_000 and markov.criterion_met[0]


def test_the_command_line_runs_both_tasks_and_reports_the_success_test(capsys):
    from neatscope.cli import main

    args = ["--seed", "1", "--generations", "2", "--population", "16", "--max-steps", "200", "--kernel", "numpy", "--quiet"]
    assert main(["run", "double-pole", *args]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["task"]["max_steps"] == 200 and summary["best_fitness"] >= 1
    assert main(["run", "double-pole-nv", "--algorithm", "ga", *args]) == 0
    summary = json.loads(capsys.readouterr().out)
    metrics = summary["champion_metrics"]
    assert metrics["generalisation_starts"] == 625 and metrics["standard_start_steps"] == 100_000
    assert metrics["solved"] is False and metrics["standard_start_balanced"] < 100_000


def test_the_summary_reuses_the_success_test_of_the_generation_that_solved():
    task = DoublePoleNvTask(test_steps=1200)
    result = task.evaluate(PopulationNetwork([velocity_free_controller()], recurrent=True), np.random.default_rng(0))
    assert result.criterion_met[0]
    stored = task.last_test[1]
    task.test_steps = 10**9  # recomputing would take forever: the stored test must be used
    assert task.describe(velocity_free_controller()) == stored.to_dict()


@needs_numba
def test_double_pole_falls_back_to_numpy_when_the_kernels_cannot_run_a_population(monkeypatch):
    from core.networks import flat

    genomes = [velocity_free_controller(), *grow_random_genomes(6, 4, 1, recurrent=True, rng=np.random.default_rng(81), steps=8)]
    task = DoublePoleNvTask(test_steps=1200)
    with np.errstate(over="ignore", invalid="ignore"):
        expected = task.evaluate(PopulationNetwork(genomes, True), np.random.default_rng(0))
        monkeypatch.setattr(flat, "MAX_ENTRIES", 12)  # too big for one kernel call
        population = PopulationNetwork(genomes, True, "numba")
        assert population.kernel == "numpy"
        got = task.evaluate(population, np.random.default_rng(0))
    assert np.array_equal(expected.fitness, got.fitness) and got.criterion_met[0]


@pytest.mark.parametrize("task_spec", [{"name": "double-pole", "max_steps": 400}, {"name": "double-pole-nv", "max_steps": 200, "test_steps": 300}])
def test_save_load_resume_is_bit_identical_on_double_pole(tmp_path, config, task_spec):
    from core.algorithms.neat.evolution import Neat
    from core.runs.persistence import load_run, save_run

    small = config.replace(**{"population.size": 24, "population.feed_forward": task_spec["name"] == "double-pole"})
    evolution = Neat(small, make_task(task_spec), 5)
    evolution.kernel = "numpy"
    for _ in range(2):
        evolution.step()
    save_run(evolution, tmp_path / "run.json")
    resumed = load_run(tmp_path / "run.json")
    resumed.kernel = "numpy"
    assert resumed.task.spec() == evolution.task.spec()
    with np.errstate(over="ignore", invalid="ignore"):
        assert [resumed.step() for _ in range(2)] == [evolution.step() for _ in range(2)]
