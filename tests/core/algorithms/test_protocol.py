"""Every algorithm of the family keeps the protocol: reports, determinism, resume, interruption."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from core.algorithms.protocol import Algorithm, EvaluationInterrupted
from core.algorithms.registry import algorithm_class, algorithm_names
from core.runs.persistence import dumps_run, loads_run, run_to_dict
from core.runs.reports import GenerationReport
from core.tasks import make_task

SMALL = {"neat": 30, "ga": 30, "es": 30, "random": 30}
TASKS = ({"name": "xor"}, {"name": "cartpole", "episodes": 2, "max_steps": 60})


def _make(name: str, task_spec: dict, seed: int = 5) -> Algorithm:
    cls = algorithm_class(name)
    config = cls.default_config().replace(**{cls.population_size_key: SMALL.get(name, 20)})
    if name == "ga":
        config = config.replace(**{"selection.truncation": 5, "selection.elite_candidates": 4, "selection.validation_episodes": 3})
    return cls(config, make_task(task_spec), seed)


def _state(run) -> str:
    data = run_to_dict(run, with_history=False)
    return json.dumps(data, sort_keys=True)


ALGORITHMS = [name for name in algorithm_names() if name in SMALL]


@pytest.mark.parametrize("task_spec", TASKS, ids=lambda t: t["name"])
@pytest.mark.parametrize("name", ALGORITHMS)
def test_reports_carry_the_common_fields(name, task_spec):
    run = _make(name, task_spec)
    assert isinstance(run, Algorithm)
    reports = [run.step() for _ in range(3)]
    for index, report in enumerate(reports):
        assert isinstance(report, GenerationReport)
        assert report.algorithm == name and report.generation == index
        assert report.best_fitness >= report.mean_fitness
        assert report.best_fitness_ever == max(r.best_fitness for r in reports[: index + 1])
        assert report.champion.fitness is not None and report.champion.connections
        assert dict(report.timings)["total_s"] > 0
        with pytest.raises(dataclasses.FrozenInstanceError):
            report.generation = 99  # type: ignore[misc]
        if report.extras is not None:
            assert type(report.extras).from_dict(json.loads(json.dumps(report.extras.to_dict()))) == report.extras
    assert [r.evaluations for r in reports] == sorted(r.evaluations for r in reports) and reports[0].evaluations > 0
    assert (reports[-1].env_steps > 0) == (task_spec["name"] == "cartpole")
    assert run.generation == 3 and run.history == reports


@pytest.mark.parametrize("name", ALGORITHMS)
def test_same_seed_same_run_and_other_seed_another(name):
    first, second, other = (_make(name, TASKS[1], seed) for seed in (3, 3, 4))
    a = [first.step() for _ in range(3)]
    assert a == [second.step() for _ in range(3)]
    assert a != [other.step() for _ in range(3)]


@pytest.mark.parametrize("task_spec", TASKS, ids=lambda t: t["name"])
@pytest.mark.parametrize("name", ALGORITHMS)
def test_save_load_resume_is_bit_identical(name, task_spec):
    run = _make(name, task_spec)
    for _ in range(3):
        run.step()
    resumed = loads_run(dumps_run(run))
    assert type(resumed) is type(run)
    assert resumed.history == run.history
    assert _state(resumed) == _state(run)
    assert [resumed.step() for _ in range(3)] == [run.step() for _ in range(3)]
    assert _state(resumed) == _state(run)


class _StopAt:
    """A checkpoint that abandons the generation at its n-th call (a Stop pressed mid-generation)."""

    def __init__(self, n: int):
        self.calls, self.n = 0, n

    def __call__(self) -> None:
        self.calls += 1
        if self.calls >= self.n:
            raise EvaluationInterrupted


@pytest.mark.parametrize("name", ALGORITHMS)
def test_stop_inside_a_generation_leaves_the_run_unchanged(name):
    run, twin = _make(name, TASKS[1]), _make(name, TASKS[1])
    run.step()
    twin.step()
    before = _state(run)
    stop = _StopAt(7)
    with pytest.raises(EvaluationInterrupted):
        run.step(stop)
    assert stop.calls == 7  # it really stopped inside the episodes, not before them
    assert _state(run) == before and len(run.history) == 1
    assert run.step() == twin.step()


@pytest.mark.parametrize("name", ALGORITHMS)
def test_a_paused_checkpoint_blocks_and_the_generation_completes_identically(name):
    import threading

    run, twin = _make(name, TASKS[0]), _make(name, TASKS[0])
    release = threading.Event()
    waited = []

    def pause_once():
        if not waited:
            waited.append(True)
            assert release.wait(5)

    timer = threading.Timer(0.05, release.set)
    timer.start()
    assert run.step(pause_once) == twin.step()
    timer.join()
    assert waited == [True]


def test_the_paper_count_of_evaluations_to_solve():
    run = _make("neat", {"name": "xor", "fitness_threshold": 3.0}, seed=1)
    report = run.step()
    while not report.solved:
        report = run.step()
    fitness = np.array([g.fitness for g in _previous_population(run, report)])
    first = int(np.flatnonzero(fitness >= 3.0)[0])
    assert report.solved_at_evaluation == report.evaluations - len(fitness) + first + 1


def _previous_population(run, report):
    """The genomes evaluated in ``report``'s generation, re-evaluated from a fresh twin run."""
    twin = _make("neat", {"name": "xor", "fitness_threshold": 3.0}, seed=1)
    while twin.generation < report.generation:
        twin.step()
    evaluation = twin.evaluate(twin.population, None, twin.task_rng(twin.generation))
    for genome, value in zip(twin.population, evaluation.fitness.tolist()):
        genome.fitness = value
    return twin.population
