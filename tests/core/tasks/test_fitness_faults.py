"""Faults in user fitness functions: marked, counted, reported; all-fail stops the run."""

import numpy as np
import pytest

from core.algorithms.neat.evolution import Neat
from core.algorithms.protocol import EvaluationFailed
from core.runs.persistence import load_run, save_run
from core.tasks import make_task
from core.tasks.function import FunctionTask
from neatscope.cli import main


def _task(name):
    return make_task({"name": "function", "target": f"tests.core.tasks.user_fitness:{name}", "num_inputs": 2, "num_outputs": 1})


def test_a_user_function_gives_the_same_fitness_as_the_batched_xor_task(config):
    ours = Neat(config, _task("xor_fitness"), 3).step()
    batched = Neat(config, make_task("xor"), 3).step()
    assert ours.best_fitness == pytest.approx(batched.best_fitness, abs=1e-12)
    assert ours.fitness_faults == 0


def test_raising_and_nan_genomes_are_counted_and_the_run_continues(config):
    evolution = Neat(config, _task("flaky_fitness"), 1)
    reports = [evolution.step() for _ in range(3)]
    assert any(r.fitness_faults > 0 for r in reports)
    first = next(r for r in reports if r.fitness_faults)
    assert 0 < first.fitness_faults < config.population.size
    assert any("ZeroDivisionError: user code divided by zero" in m or "fitness nan" in m for m in first.fault_examples)
    assert all(np.isfinite(r.mean_fitness) for r in reports)


def test_a_task_that_fails_for_every_genome_stops_with_one_message_and_changes_nothing(config):
    evolution = Neat(config, _task("always_fails"), 1)
    with pytest.raises(EvaluationFailed, match="every genome failed in generation 0 .*RuntimeError: simulator not found"):
        evolution.step()
    assert evolution.generation == 0 and evolution.history == [] and evolution.evaluations == 0


def test_function_tasks_save_and_resume(config, tmp_path):
    evolution = Neat(config, _task("flaky_fitness"), 2)
    evolution.step()
    save_run(evolution, tmp_path / "run.json")
    resumed = load_run(tmp_path / "run.json", user_code="tests.core.tasks.user_fitness:flaky_fitness")
    assert isinstance(resumed.task, FunctionTask)
    assert resumed.step() == evolution.step()


def test_unimportable_function_is_a_clear_error():
    with pytest.raises(ValueError, match="cannot import module 'no_such_module'"):
        make_task({"name": "function", "target": "no_such_module:f", "num_inputs": 2, "num_outputs": 1})


def test_cli_reports_faults_and_stops_on_total_failure(capsys):
    assert main(["run", "--fitness", "tests.core.tasks.user_fitness:flaky_fitness", "--inputs", "2", "--outputs", "1", "--seed", "1", "--generations", "3", "--no-stop"]) == 0
    assert "faults" in capsys.readouterr().out
    assert main(["run", "--fitness", "tests.core.tasks.user_fitness:always_fails", "--inputs", "2", "--outputs", "1", "--seed", "1"]) == 2
    err = capsys.readouterr().err
    assert err.count("error:") == 1 and "simulator not found" in err


def huge_fitness(network):
    """1e308 for some networks: finite, but no population statistic over it would be."""
    return 1e308 if network.activate([0.0, 1.0])[0] > 0.5 else 1.0


def test_astronomical_fitness_is_a_fault_not_an_overflow(config, tmp_path):
    evolution = Neat(config, make_task({"name": "function", "target": f"{__name__}:huge_fitness", "num_inputs": 2, "num_outputs": 1}), 4)
    reports = [evolution.step() for _ in range(3)]
    assert any(r.fitness_faults for r in reports)
    faulted = next(r for r in reports if r.fitness_faults)
    assert any("is beyond ±1e+100" in m for m in faulted.fault_examples)
    assert all(np.isfinite([r.mean_fitness, r.stdev_fitness, r.best_fitness]).all() for r in reports)
    save_run(evolution, tmp_path / "run.json")  # statistics stayed finite: the run saves
