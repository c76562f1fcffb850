"""User fitness functions that exit, crash, hang or eat memory (issue 14): isolated, each fault
is one genome's, with its reason, and the run goes on; not isolated, everything but Ctrl-C is a
fault too. Isolated results equal in-process ones."""

import math

import numpy as np
import pytest

from core.algorithms.neat.evolution import Neat
from core.networks.batch import PopulationNetwork
from core.tasks import make_task
from core.tasks.function import FunctionTask
from tests.conftest import make_genome

MODULE = "tests.core.tasks.user_fitness"
BIASES = [0.5, 7.0, -1.25]  # the middle genome misbehaves (see user_fitness.MARKED)


def _population():
    genomes = []
    for genome_id, bias in enumerate(BIASES):
        genome = make_genome(genome_id, 2, 1, activation="identity")
        genome.nodes[2].bias = bias
        genomes.append(genome)
    return PopulationNetwork(genomes)


FAILURES = {
    "exits": "SystemExit: 3",
    "raises_generator_exit": "GeneratorExit: closed",
    "exits_the_process": "ended its worker process (exit status 0)",
    "segfaults": "crashed its worker process (SIGSEGV",
    "sleeps_forever": "took longer than 1 s",
    "eats_memory": "MemoryError",
}


@pytest.fixture(scope="module")
def isolated_tasks():
    tasks = {}
    yield lambda name: tasks.setdefault(
        name, FunctionTask(f"{MODULE}:{name}", 2, 1, isolate=True, timeout=1.0, memory_limit_mb=256)
    )
    for task in tasks.values():
        task.close()


@pytest.mark.parametrize("name", sorted(FAILURES))
def test_an_isolated_misbehaving_function_faults_only_its_genome(name, isolated_tasks):
    task = isolated_tasks(name)
    for _ in range(2):  # the worker it killed is replaced: the next evaluation works the same
        result = task.evaluate(_population(), np.random.default_rng(0))
        assert result.fitness[0] == 0.5 and result.fitness[2] == -1.25
        assert math.isnan(result.fitness[1])
        assert [index for index, _ in result.errors] == [1]
        assert result.errors[0][1].startswith("genome 1: ") and FAILURES[name] in result.errors[0][1], result.errors


@pytest.mark.parametrize("name", ["exits", "raises_generator_exit"])
def test_in_process_system_exit_and_generator_exit_are_faults_too(name):
    result = FunctionTask(f"{MODULE}:{name}", 2, 1).evaluate(_population(), np.random.default_rng(0))
    assert [index for index, _ in result.errors] == [1] and FAILURES[name] in result.errors[0][1]
    assert result.fitness[0] == 0.5


def test_ctrl_c_still_stops_an_in_process_function():
    with pytest.raises(KeyboardInterrupt):
        FunctionTask(f"{MODULE}:interrupts", 2, 1).evaluate(_population(), np.random.default_rng(0))


def test_isolated_runs_equal_in_process_runs(config):
    config = config.replace(**{"population.size": 24})
    spec = {"name": "function", "target": f"{MODULE}:flaky_fitness", "num_inputs": 2, "num_outputs": 1}
    isolated = make_task({**spec, "isolate": True, "workers": 2, "timeout": 30.0})
    try:
        reports = [Neat(config, task, 5).run(3, stop_when_solved=False) for task in (make_task(spec), isolated)]
        plain, separate = (list(r) for r in reports)
    finally:
        isolated.close()
    assert separate == plain and any(r.fitness_faults for r in plain)


def test_an_unimportable_isolated_function_is_one_clear_error():
    with pytest.raises(ValueError, match="cannot import module 'no_such_module'"):
        FunctionTask("no_such_module:f", 2, 1, isolate=True)


def test_stopping_an_isolated_generation_leaves_the_run_unchanged(config):
    from core.algorithms.protocol import EvaluationInterrupted
    from core.runs.persistence import run_to_dict

    task = FunctionTask(f"{MODULE}:xor_fitness", 2, 1, isolate=True, workers=2)
    try:
        run = Neat(config.replace(**{"population.size": 20}), task, 3)
        before = run_to_dict(run)
        calls = []

        def stop_after_a_few():
            calls.append(1)
            if len(calls) > 3:
                raise EvaluationInterrupted

        with pytest.raises(EvaluationInterrupted):
            run.step(stop_after_a_few)
        assert run_to_dict(run) == before
        assert run.step().generation == 0  # fresh workers take over
    finally:
        task.close()
