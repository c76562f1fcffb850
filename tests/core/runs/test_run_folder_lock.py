"""Run folders cannot be clobbered (issue 14): locked for the life of a run, temporary files
per process, goal and run file of one run."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from core.algorithms.neat.evolution import Neat
from core.runs.persistence import (
    RunFileError,
    RunFolder,
    RunFolderInUse,
    autosave,
    load_run,
    remove_stale_temporaries,
    write_atomically,
    write_goal,
)
from core.tasks import make_task

ROOT = Path(__file__).resolve().parents[3]


def _neatscope(*args, **kwargs):
    return subprocess.Popen([sys.executable, "-m", "neatscope", *args], cwd=ROOT, text=True, **kwargs)


@pytest.mark.skipif(not hasattr(signal, "SIGINT"), reason="needs SIGINT")
def test_a_second_process_gets_the_folder_in_use_by_the_first(tmp_path):
    folder = tmp_path / "run"
    first = _neatscope("run", "xor", "--run-dir", str(folder), "--generations", "100000", "--no-stop", "--population", "30", stdout=subprocess.PIPE)
    try:
        assert first.stdout.readline().startswith("gen    0")
        for second in (["resume", str(folder)], ["run", "xor", "--run-dir", str(folder), "--generations", "1"]):
            result = subprocess.run([sys.executable, "-m", "neatscope", *second], cwd=ROOT, capture_output=True, text=True, timeout=120)
            assert result.returncode == 2
            assert result.stderr.splitlines() == [f"error: run folder {folder} is in use by process {first.pid}"]
    finally:
        first.send_signal(signal.SIGINT)
        first.communicate(timeout=60)
    assert first.returncode == 130
    # The lock dies with its holder: the folder resumes, continuing the same run.
    stopped_at = load_run(folder).generation
    result = subprocess.run([sys.executable, "-m", "neatscope", "resume", str(folder), "--generations", "1", "--quiet"], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["generations"] == stopped_at + 1


_HOLD = """
import sys, time
from core.runs.persistence import RunFolder
with RunFolder(sys.argv[1]):
    print("held", flush=True)
    time.sleep(60)
"""


@pytest.fixture
def held_elsewhere(tmp_path):
    folder = tmp_path / "held"
    holder = subprocess.Popen([sys.executable, "-c", _HOLD, str(folder)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    yield folder, holder
    holder.kill()
    holder.wait(timeout=30)


def test_autosave_and_goal_refuse_a_folder_another_process_holds(held_elsewhere, config):
    folder, holder = held_elsewhere
    run = Neat(config.replace(**{"population.size": 10}), make_task("xor"), 1)
    with pytest.raises(RunFolderInUse, match=f"in use by process {holder.pid}") as caught:
        autosave(run, folder)
    assert caught.value.pid == holder.pid
    with pytest.raises(RunFolderInUse):
        write_goal(folder, 10, True, run.run_id)
    assert not (folder / "run.json").exists()


def test_temporary_files_of_live_processes_are_left_alone(held_elsewhere, config):
    folder, holder = held_elsewhere
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait(timeout=30)
    run = Neat(config.replace(**{"population.size": 10}), make_task("xor"), 1)
    holder.kill()  # frees the folder; its pid is now a dead process too
    holder.wait(timeout=30)
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        from core.runs.persistence import _HOST_TAG

        names = {
            "alive": f".run.json.{sleeper.pid}-{_HOST_TAG}.abc.tmp",
            "dead": f".run.json.{gone.pid}-{_HOST_TAG}.def.tmp",
            "mine": f".run.json.{os.getpid()}-{_HOST_TAG}.ghi.tmp",
            "other host, fresh": ".run.json.12-00000000.jkl.tmp",
        }
        for name in names.values():
            (folder / name).write_text("partial")
        old = folder / ".run.json.13-00000001.mno.tmp"
        old.write_text("partial")
        os.utime(old, (time.time() - 2 * 86400, time.time() - 2 * 86400))
        autosave(run, folder)
        left = sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))
        assert left == sorted([names["alive"], names["other host, fresh"]])
    finally:
        sleeper.kill()
        sleeper.wait(timeout=30)
    assert remove_stale_temporaries(folder, "run.json") == [folder / names["alive"]]


def test_a_goal_of_another_run_is_an_error_on_save_and_on_load(tmp_path, config):
    folder = tmp_path / "run"
    first = Neat(config.replace(**{"population.size": 10}), make_task("xor"), 1)
    second = Neat(config.replace(**{"population.size": 10}), make_task("xor"), 2)
    assert first.run_id != second.run_id
    with RunFolder(folder) as held:
        held.write_goal(5, True, first.run_id)
        held.autosave(first)
        with pytest.raises(RunFileError, match=f"holds another run's goal \\(run {first.run_id}\\)"):
            held.autosave(second)
    assert load_run(folder).run_id == first.run_id
    # Two runs' files in one folder (written by an older NEAT Scope, or by hand): an error, not a silent resume.
    write_atomically(folder / "goal.json", json.dumps({"total_generations": 5, "stop_when_solved": True, "run_id": second.run_id}))
    with pytest.raises(RunFileError, match="two runs were written into one folder"):
        load_run(folder)


def test_holding_a_folder_twice_in_one_process_counts(tmp_path, config):
    run = Neat(config.replace(**{"population.size": 10}), make_task("xor"), 1)
    with RunFolder(tmp_path / "run") as outer:
        assert autosave(run, outer.path) == outer.path / "run.json"  # the same process: allowed
        assert outer.owner_pid() == os.getpid()
    assert outer.owner_pid() is None  # released: the note is gone


def test_a_file_in_the_way_is_one_clear_error(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(RunFileError, match="is a file, not a run folder"):
        RunFolder(tmp_path / "file").acquire()
