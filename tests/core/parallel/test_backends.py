"""The evaluator interface (issue 19) on its serial and process backends, and issue 12's
"same seed, same run whatever --workers is; an option that does not apply is an error"."""

import json
import sys

import pytest

from core.parallel import BackendSettings, check_backend, split
from core.tasks.function import FunctionTask
from core.tasks.gym_env import GymTask
from neatscope.cli import main
from tests.core.parallel.helpers import FITNESS, GYM_ENV, history_of


def _gym(backend):
    return GymTask(GYM_ENV, episodes=2, max_steps=40, backend=backend)


def test_a_gym_env_without_vector_form_gives_the_same_run_serial_and_on_1_or_2_processes():
    serial = history_of(_gym(BackendSettings("serial")))
    assert serial[-1][2] > 0  # env steps were counted
    assert history_of(_gym(BackendSettings("process", 2))) == serial
    assert history_of(_gym(BackendSettings("process", 1))) == serial


def test_a_user_function_gives_the_same_run_in_process_and_on_workers():
    serial = history_of(FunctionTask(FITNESS, 2, 1))
    assert history_of(FunctionTask(FITNESS, 2, 1, isolate=True, backend=BackendSettings("process", 2))) == serial


def test_switching_backend_mid_run_changes_nothing():
    task = _gym(BackendSettings("serial"))
    expected = history_of(_gym(BackendSettings("serial")), generations=3)
    from core.algorithms.registry import algorithm_class

    cls = algorithm_class("neat")
    run = cls(cls.load_config(None).replace(**{cls.population_size_key: 12}), task, 5)
    try:
        first = run.step()
        task.use_backend(BackendSettings("process", 2))
        rest = [run.step(), run.step()]
    finally:
        task.close()
    got = [(r.generation, r.evaluations, r.env_steps, r.best_fitness, r.mean_fitness, r.stdev_fitness, r.fitness_faults, r.champion) for r in [first, *rest]]
    assert got == expected


def test_reports_carry_workers_and_evaluations_per_second():
    task = _gym(BackendSettings("process", 2))
    from core.algorithms.registry import algorithm_class

    cls = algorithm_class("ga")
    run = cls(cls.load_config(None).replace(**{cls.population_size_key: 8}), task, 1)
    try:
        timings = dict(run.step().timings)
    finally:
        task.close()
    assert timings["workers"] == 2
    assert timings["evaluations_per_s"] > 0


@pytest.mark.parametrize(
    "settings, message",
    [
        (("threads", 0), "backend must be one of serial, process, ray"),
        (("serial", 2), "2 workers need the process or ray backend"),
        (("process", -1), "workers must be a whole number"),
        (("process", 2, "auto"), "a Ray address applies to the ray backend only"),
    ],
)
def test_settings_that_do_not_fit_are_one_clear_error(settings, message):
    with pytest.raises(ValueError, match=message):
        check_backend(*settings)


def test_chunks_cover_every_item_once_in_order():
    for count in (1, 5, 12, 150):
        for chunks in (1, 2, 3, 7, 400):
            ranges = split(count, chunks)
            assert [i for a, b in ranges for i in range(a, b)] == list(range(count))
            assert max(b - a for a, b in ranges) - min(b - a for a, b in ranges) <= 1


def test_the_ray_backend_without_ray_installed_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray now raises ImportError
    from core.parallel.ray_backend import require_ray

    with pytest.raises(ValueError, match=r"pip install 'neatscope\[ray\]'"):
        require_ray()
    with pytest.raises(ValueError, match=r"neatscope\[ray\]"):
        FunctionTask(FITNESS, 2, 1, isolate=True, backend=BackendSettings("ray", 2))


@pytest.mark.parametrize(
    "argv, message",
    [
        (["run", "cartpole", "--workers", "2"], "--workers applies to --env, --fitness and digits tasks only"),
        (["run", "xor", "--backend", "process"], "--backend applies to --env, --fitness and digits tasks only"),
        (["run", "--env", "CartPole-v1", "--workers", "2"], "cannot be split over workers"),
        (["run", "--env", "CartPole-v1", "--backend", "ray"], "cannot be split over workers"),
        (["run", "--env", GYM_ENV, "--backend", "serial", "--workers", "2"], "2 workers need the process or ray backend"),
        (["run", "--env", GYM_ENV, "--ray-address", "auto"], "--ray-address applies to --backend ray"),
        (["run", "--fitness", FITNESS, "--inputs", "2", "--outputs", "1", "--workers", "2"], "--workers applies to --fitness with --isolate"),
        (["run", "--fitness", FITNESS, "--inputs", "2", "--outputs", "1", "--isolate", "--backend", "serial"], "--isolate runs the function in workers"),
    ],
)
def test_an_option_that_does_not_apply_is_an_error(argv, message, capsys):
    assert main(argv + ["--generations", "1", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and err.count("\n") == 1, err


def test_a_config_file_chooses_the_backend(tmp_path, capsys):
    config = tmp_path / "evaluate.toml"
    config.write_text('[evaluation]\nbackend = "process"\nworkers = 2\n\n[population]\nsize = 8\n')
    argv = ["run", "--env", GYM_ENV, "--episodes", "1", "--max-steps", "20", "--seed", "3", "--generations", "1", "--config", str(config)]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "2 workers" in out.splitlines()[0]
    summary = json.loads(out[out.index("{"):])
    assert summary["task"]["workers"] == 2
    config.write_text('[evaluation]\nbackends = "process"\n')
    assert main(argv) == 2
    assert "unknown key evaluation.backends" in capsys.readouterr().err


def test_the_cli_gives_the_same_run_whatever_workers(capsys):
    """Issue 12: ``--env ID --workers 2`` used to differ from the serial run from generation 0."""
    argv = ["run", "--env", GYM_ENV, "--episodes", "2", "--max-steps", "30", "--population", "10", "--seed", "4", "--generations", "2", "--quiet", "--no-stop"]
    summaries = []
    for extra in ([], ["--workers", "2"], ["--backend", "process", "--workers", "1"]):
        assert main(argv + extra) == 0
        out = capsys.readouterr().out
        summary = json.loads(out[out.index("{"):])
        summaries.append({key: summary[key] for key in ("best_fitness", "best_fitness_ever", "champion", "evaluations", "env_steps")})
    assert summaries[1] == summaries[0] and summaries[2] == summaries[0]
