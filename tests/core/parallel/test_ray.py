"""The ray backend (issue 19): one local Ray for this module (2 CPUs, no dashboard, no usage
stats); serial = process = ray on a gymnasium env without a vector form and on a user's
function; a worker killed mid-generation is retried with the identical result; a compare fanned
out to Ray equals the serial compare and resumes an interrupted one; Ray shuts down leaving no
process behind. Kept few: Ray starts slowly on 2 cores."""

import json
import os
import shutil
import time

import pytest

ray = pytest.importorskip("ray", reason="the ray backend's tests need Ray: pip install 'neatscope[ray]'")

from core.parallel import BackendSettings  # noqa: E402
from core.tasks.function import FunctionTask  # noqa: E402
from core.tasks.gym_env import GymTask  # noqa: E402
from tests.core.parallel.helpers import FITNESS, GYM_ENV, history_of  # noqa: E402

RAY = BackendSettings("ray", 2)


@pytest.fixture(scope="module")
def local_ray(tmp_path_factory):
    os.environ["RAY_USAGE_STATS_ENABLED"] = "0"
    # Workers inherit the environment Ray starts with: the marker of user_fitness.dies_once.
    os.environ["NEATSCOPE_DIES_ONCE"] = str(tmp_path_factory.mktemp("ray") / "die-once")
    if ray.is_initialized():
        ray.shutdown()
    ray.init(num_cpus=2, include_dashboard=False, logging_level="WARNING")
    yield ray
    if ray.is_initialized():
        ray.shutdown()


def test_serial_process_and_ray_give_the_same_run_on_a_gym_env(local_ray):
    def gym(backend):
        return GymTask(GYM_ENV, episodes=2, max_steps=40, backend=backend)

    serial = history_of(gym(BackendSettings("serial")))
    assert history_of(gym(RAY)) == serial
    assert history_of(gym(BackendSettings("process", 2))) == serial


def test_serial_process_and_ray_give_the_same_run_on_a_user_function(local_ray):
    serial = history_of(FunctionTask(FITNESS, 2, 1), algorithm="ga")
    assert history_of(FunctionTask(FITNESS, 2, 1, isolate=True, backend=RAY), algorithm="ga") == serial
    assert history_of(FunctionTask(FITNESS, 2, 1, isolate=True, backend=BackendSettings("process", 2)), algorithm="ga") == serial


def test_a_worker_killed_mid_generation_is_retried_with_the_identical_result(local_ray):
    target = "tests.core.tasks.user_fitness:dies_once"
    expected = history_of(FunctionTask(target, 2, 1), algorithm="ga")  # no marker: nobody dies
    marker = os.environ["NEATSCOPE_DIES_ONCE"]
    open(marker, "w").close()
    task = FunctionTask(target, 2, 1, isolate=True, backend=RAY)
    evaluator = task._evaluator
    assert history_of(task, algorithm="ga") == expected
    assert not os.path.exists(marker)  # a worker did die
    assert evaluator.retries == 1


def test_a_genome_that_kills_every_worker_faults_alone(local_ray):
    from tests.core.tasks.test_isolation import _population

    task = FunctionTask("tests.core.tasks.user_fitness:exits_the_process", 2, 1, isolate=True, backend=RAY)
    try:
        result = task.evaluate(_population(), None)
    finally:
        task.close()
    assert list(result.fitness[[0, 2]]) == [0.5, -1.25]
    assert [index for index, _ in result.errors] == [1]
    assert "lost its Ray worker" in result.errors[0][1]


def test_a_compare_on_ray_equals_the_serial_compare_and_resumes(local_ray, tmp_path):
    from core.runs.compare import CompareSpec, run_compare, run_folder, run_one
    from core.tasks import make_task

    task = make_task({"name": "gym", "env_id": GYM_ENV, "episodes": 1, "max_steps": 30})
    from core.algorithms.registry import algorithm_class

    configs = {}
    for name in ("ga", "random"):
        cls = algorithm_class(name)
        configs[name] = cls.load_config(None).replace(**{cls.population_size_key: 10}).to_dict()
    spec = CompareSpec(task=task.spec(), algorithms=("ga", "random"), seeds=(0, 1), max_evaluations=60, max_generations=100, stop_when_solved=False, configs=configs)
    task.close()
    serial, on_ray = tmp_path / "serial", tmp_path / "ray"
    run_compare(spec, serial, progress=None)
    # An interrupted compare: one run finished, one stopped after its first generation.
    on_ray.mkdir()
    shutil.copy(serial / "compare.json", on_ray / "compare.json")
    shutil.copytree(run_folder(serial, "ga", 0), run_folder(on_ray, "ga", 0))
    polls = iter([False, True])
    stopped = run_one(spec.to_dict(), str(on_ray), "random", 1, should_stop=lambda: next(polls))
    assert stopped["stopped"] and stopped["generations"] == 1
    started = time.perf_counter()
    result = run_compare(spec, on_ray, progress=None, backend=RAY)
    assert result is not None and time.perf_counter() - started < 300

    def table(folder):  # runs.csv without its wall-time column
        return [line.split(",")[:5] + line.split(",")[6:] for line in (folder / "runs.csv").read_text().splitlines()]

    assert table(on_ray) == table(serial)
    assert len(table(serial)) > 5
    summary = json.loads((on_ray / "summary.json").read_text())
    assert [a["runs"] for a in summary["algorithms"]] == [2, 2]


def test_ray_shuts_down_leaving_no_process(local_ray):
    node = ray._private.worker.global_worker.node
    pids = [info.process.pid for infos in node.all_processes.values() for info in infos if info.process is not None]
    assert pids  # the raylet, the GCS...
    ray.shutdown()
    deadline = time.monotonic() + 20
    alive = pids
    while alive and time.monotonic() < deadline:
        alive = [pid for pid in pids if _running(pid)]
        time.sleep(0.2)
    assert not alive, f"Ray processes left after shutdown: {alive}"
    assert not ray.is_initialized()


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stream:
            return stream.read().split(")")[-1].split()[0] != "Z"  # a zombie has ended
    except FileNotFoundError:
        return False
