"""Architecture search (issue 18): operators on hand-built genomes, and tiny runs on a digits
subsample (resume, workers, interruption, strict loading)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from core.algorithms.arch_search import (
    ArchGA,
    ArchGenome,
    ArchRandom,
    crossover,
    mutate,
    random_genome,
    tournament,
    tournament_probabilities,
)
from core.algorithms.protocol import EvaluationInterrupted
from core.runs.config import ConfigError
from core.runs.fields import RunFileError
from core.runs.persistence import dumps_run, loads_run, run_to_dict
from core.tasks import make_task
from core.tasks.digits import Recipe, train_recipes

TINY_TASK = {"name": "digits", "samples": 150, "epochs": 2}
TINY = {"population.size": 6, "genome.min_units": 4, "genome.max_units": 16}
SPACE = ArchGA.default_config().genome
NO_MUTATION = ArchGA.default_config().mutation.__class__(0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)


def _genome(units=(32,), activation="relu", solver="adam", learning_rate=0.01, l2=0.001) -> ArchGenome:
    return ArchGenome(tuple(units), activation, solver, learning_rate, l2)


def _run(cls=ArchGA, seed=3, task=None, **changes):
    config = cls.default_config().replace(**{**TINY, **changes})
    return cls(config, make_task(task or TINY_TASK), seed)


def _state(run) -> str:
    return json.dumps(run_to_dict(run, with_history=False), sort_keys=True)


# --- operators --------------------------------------------------------------------------------


def test_tournament_probabilities_are_the_references():
    assert tournament_probabilities(3, 0.85) == pytest.approx([0.85, 0.1275, 0.0225])
    assert tournament_probabilities(1, 0.85) == pytest.approx([1.0])
    assert tournament_probabilities(5, 0.5).sum() == pytest.approx(1.0)


def test_tournament_picks_ranks_with_the_references_frequencies():
    # Three genomes, a tournament of three: every tournament holds all, so the picks count ranks.
    fitness = np.array([0.2, 0.9, 0.5])
    rng = np.random.default_rng(11)
    draws = 20_000
    picks = np.bincount([tournament(fitness, 3, 0.85, rng) for _ in range(draws)], minlength=3) / draws
    # Best (index 1), second (index 2), worst (index 0); each tolerance is over 3 binomial sd.
    assert picks[1] == pytest.approx(0.85, abs=0.008)
    assert picks[2] == pytest.approx(0.1275, abs=0.008)
    assert picks[0] == pytest.approx(0.0225, abs=0.004)


def test_tournament_in_a_larger_population_favours_the_fit_but_never_leaves_the_entrants():
    fitness = np.arange(50, dtype=float)
    rng = np.random.default_rng(5)
    picks = np.array([tournament(fitness, 3, 0.85, rng) for _ in range(5_000)])
    # The best of 3 uniform draws out of 50 has mean about 37; a uniform pick would average 24.5.
    assert picks.mean() > 33
    assert picks.min() >= 0 and picks.max() <= 49


def test_layer_removal_is_allowed_at_the_maximum_and_addition_at_the_minimum():
    layers_only = NO_MUTATION.__class__(0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0)
    rng = np.random.default_rng(0)
    deepest = _genome(units=(20, 30, 40, 50))
    assert {mutate(deepest, SPACE, layers_only, rng).units for _ in range(200)} == {(20, 30, 40)}
    shallowest = _genome(units=(20,))
    assert {len(mutate(shallowest, SPACE, layers_only, rng).units) for _ in range(200)} == {2}
    middle = [len(mutate(_genome(units=(20, 30)), SPACE, layers_only, rng).units) for _ in range(2_000)]
    assert set(middle) == {1, 3} and 0.45 < middle.count(3) / len(middle) < 0.55


def test_no_mutation_probability_gives_an_equal_copy_and_certain_ones_change_every_gene():
    rng = np.random.default_rng(1)
    parent = _genome(units=(17, 33), activation="tanh", solver="sgd", learning_rate=0.0123, l2=0.00077)
    assert mutate(parent, SPACE, NO_MUTATION, rng) == parent
    every_gene = NO_MUTATION.__class__(1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0)
    children = [mutate(parent, SPACE, every_gene, rng) for _ in range(50)]
    assert all(c.learning_rate != parent.learning_rate and c.l2 != parent.l2 for c in children)
    assert any(c.activation != parent.activation for c in children) and any(c.solver != parent.solver for c in children)
    assert all(len(c.units) == 2 for c in children) and any(c.units != parent.units for c in children)


def test_genes_stay_in_their_ranges_through_random_draws_and_mutation():
    config = ArchGA.default_config()
    space, mutation = config.genome, config.mutation.__class__(0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.0)
    rng = np.random.default_rng(2)
    genomes = [random_genome(space, rng) for _ in range(300)]
    assert {len(g.units) for g in genomes} == {1}  # the reference starts every net with one layer
    for _ in range(20):
        genomes = [mutate(g, space, mutation, rng) for g in genomes]
        for g in genomes:
            assert space.min_layers <= len(g.units) <= space.max_layers
            assert all(space.min_units <= u <= space.max_units for u in g.units)
            assert g.activation in space.activations and g.solver in space.solvers
            assert space.min_learning_rate <= g.learning_rate <= space.max_learning_rate
            assert space.min_l2 <= g.l2 <= space.max_l2
    assert {len(g.units) for g in genomes} == {1, 2, 3, 4}


def test_crossover_takes_every_gene_from_one_parent():
    rng = np.random.default_rng(4)
    a = _genome(units=(10, 11, 12), activation="tanh", solver="sgd", learning_rate=0.1, l2=0.001)
    b = _genome(units=(20,), activation="relu", solver="adam", learning_rate=0.2, l2=0.002)
    children = [crossover(a, b, rng) for _ in range(200)]
    for child in children:
        assert child.units in {(10,), (20,), (10, 11, 12), (20, 11, 12)}
        assert (child.activation, child.solver) in {(x, y) for x in ("tanh", "relu") for y in ("sgd", "adam")}
        assert child.learning_rate in (0.1, 0.2) and child.l2 in (0.001, 0.002)
    assert len({c.units for c in children}) == 4


def test_configs_that_cannot_work_are_refused():
    with pytest.raises(ConfigError, match="min_units"):
        ArchGA.default_config().replace(**{"genome.min_units": 300})
    with pytest.raises(ConfigError, match="elites"):
        ArchGA.default_config().replace(**{"population.size": 4, "population.elites": 4})
    with pytest.raises(ConfigError, match="initial_max_layers"):
        ArchRandom.default_config().replace(**{"genome.initial_max_layers": 5})
    with pytest.raises(ConfigError):
        ArchGA.default_config().replace(**{"genome.activations": ["elu"]})


def test_the_learning_rate_gene_is_the_learning_rate():
    # The reference trains with lr = weight decay; here two recipes differing only in the learning
    # rate train differently.
    data_key = make_task(TINY_TASK).data_key
    slow, fast = (Recipe((16,), "relu", "sgd", lr, 0.001, 7) for lr in (0.0005, 0.2))
    (slow_val, _, _), (fast_val, _, _) = train_recipes([slow, fast], data_key, 3, 32)
    assert fast_val > slow_val + 0.2


# --- runs -------------------------------------------------------------------------------------


def test_a_tiny_run_reports_the_population_table_elites_and_lineage():
    run = _run()
    reports = [run.step() for _ in range(3)]
    for previous, report in zip([None, *reports], reports):
        extras = report.extras
        assert len(extras.population) == 6 and len(extras.accuracies) == 6
        assert report.best_fitness == max(extras.accuracies) and 0.0 <= extras.champion_test_accuracy <= 1.0
        assert extras.champion_validation_accuracy == report.best_fitness_ever
        assert report.champion.hidden_count == len(extras.champion_units)
        if previous is not None:
            before = {row[0]: row for row in previous.extras.population}
            ranked = sorted(previous.extras.population, key=lambda row: -row[7])
            ids = [row[0] for row in extras.population]
            # The two best of the last generation come through unchanged; everyone else's parent was there.
            assert {row[0] for row in ranked[:2]} == set(ids[:2])
            assert all(row[2:7] == before[row[0]][2:7] for row in extras.population[:2])
            assert all(row[1] in before for row in extras.population[2:])
    assert [r.best_fitness_ever for r in reports] == sorted(r.best_fitness_ever for r in reports)
    assert run.evaluations == 18
    summary = run.summary_extras()
    assert summary["champion_test_accuracy"] == reports[-1].extras.champion_test_accuracy
    assert len(summary["population_accuracies"]) == 3


def test_random_search_draws_a_fresh_population_each_generation():
    run = _run(ArchRandom)
    first, second = run.step(), run.step()
    assert {row[0] for row in first.extras.population}.isdisjoint(row[0] for row in second.extras.population)
    assert all(row[1] == -1 for row in second.extras.population)


@pytest.mark.parametrize("cls", [ArchGA, ArchRandom])
def test_save_load_resume_is_bit_identical(cls):
    run = _run(cls)
    run.step(), run.step()
    resumed = loads_run(dumps_run(run))
    assert type(resumed) is cls and resumed.history == run.history and _state(resumed) == _state(run)
    assert resumed.step() == run.step()
    assert _state(resumed) == _state(run)


def test_workers_give_the_serial_results():
    serial = _run(seed=9)
    parallel = _run(seed=9, task={**TINY_TASK, "workers": 2})
    try:
        assert [serial.step() for _ in range(2)] == [parallel.step() for _ in range(2)]
        assert json.loads(_state(serial))["state"] == json.loads(_state(parallel))["state"]
    finally:
        parallel.task.close()


def test_a_stop_inside_a_generation_leaves_the_run_unchanged():
    run, twin = _run(seed=4), _run(seed=4)
    before = _state(run)
    calls = []

    def stop_on_the_third_call():
        calls.append(1)
        if len(calls) == 3:
            raise EvaluationInterrupted

    with pytest.raises(EvaluationInterrupted):
        run.step(stop_on_the_third_call)
    assert _state(run) == before and run.history == []
    assert run.step() == twin.step()


def test_other_tasks_and_algorithms_are_refused_with_one_message():
    with pytest.raises(ValueError, match="digits"):
        _run(task={"name": "xor"})
    with pytest.raises(ValueError, match="arch-ga"):
        make_task(TINY_TASK).evaluate(None, np.random.default_rng(0))
    from core.algorithms.registry import algorithm_class

    for name in ("neat", "ga", "es", "random"):
        cls = algorithm_class(name)
        with pytest.raises(ValueError, match="arch-ga or arch-random"):
            cls(cls.default_config(), make_task(TINY_TASK), 0)


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("population", 0, "units"), [4, 4, 4, 4, 4], "units"),
        (("population", 0, "units"), [400], "units"),
        (("population", 0, "activation"), "elu", "activation"),
        (("population", 1, "learning_rate"), 5.0, "learning_rate"),
        (("population", 1, "l2"), -1.0, "l2"),
        (("best", "validation_accuracy"), 1.5, "validation_accuracy"),
        (("next_genome_id", ), 0, "next_genome_id"),
    ],
)
def test_the_loader_refuses_genes_outside_the_space(path, value, message):
    run = _run()
    run.step()
    data = json.loads(dumps_run(run))
    target = data["state"]
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(RunFileError, match=message):
        loads_run(json.dumps(data))


def test_the_loader_refuses_a_bad_population_row_in_the_history():
    run = _run()
    run.step()
    data = json.loads(dumps_run(run))
    data["history"][0]["extras"]["population"][0][3] = "elu"
    with pytest.raises(RunFileError, match="activation"):
        loads_run(json.dumps(data))


# --- command line -----------------------------------------------------------------------------


def test_the_cli_runs_digits_and_reports_the_champions_test_accuracy(tmp_path, capsys):
    from neatscope.cli import main

    out = tmp_path / "summary.json"
    code = main(["run", "digits", "--algorithm", "arch-random", "--samples", "150", "--epochs", "1", "--population", "4",
                 "--generations", "2", "--seed", "3", "--quiet", "--json", str(out)])  # fmt: skip
    assert code == 0
    summary = json.loads(out.read_text())
    assert summary["algorithm"] == "arch-random" and summary["task"]["samples"] == 150
    assert 0.0 <= summary["champion_test_accuracy"] <= 1.0
    assert [len(g) for g in summary["population_accuracies"]] == [4, 4]
    assert summary["champion_architecture"]["units"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["run", "xor", "--algorithm", "arch-ga"], "digits task"),
        (["run", "digits", "--algorithm", "neat"], "arch-ga or arch-random"),
        (["run", "xor", "--samples", "200"], "--samples applies to the digits task only"),
        (["run", "digits", "--samples", "20"], "task.samples"),
    ],
)
def test_the_cli_says_what_is_wrong_in_one_line(argv, message, capsys):
    from neatscope.cli import main

    assert main(argv) == 2
    error = capsys.readouterr().err.strip()
    assert error.startswith("error:") and message in error and "\n" not in error
