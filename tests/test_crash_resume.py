"""kill -9 mid-run and mid-save, then `neatscope resume RUN_DIR`: the same generations, bit for bit."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from core.runs.persistence import autosave, load_run

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")

ROOT = Path(__file__).resolve().parents[1]
RUN = ["run", "xor", "--seed", "11", "--population", "400", "--generations", "30", "--no-stop", "--autosave-every", "3"]


def _neatscope(*args, **kwargs):
    return subprocess.Popen([sys.executable, "-m", "neatscope", *args], cwd=ROOT, text=True, **kwargs)


def test_sigkill_mid_run_then_resume_gives_the_uninterrupted_history(tmp_path):
    reference_dir, crashed_dir = tmp_path / "reference", tmp_path / "crashed"
    assert _neatscope(*RUN, "--run-dir", str(reference_dir), "--quiet", stdout=subprocess.DEVNULL).wait(timeout=300) == 0

    victim = _neatscope(*RUN, "--run-dir", str(crashed_dir), stdout=subprocess.PIPE)
    for line in victim.stdout:
        if line.startswith("gen   10"):
            break
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=30)
    assert victim.returncode == -signal.SIGKILL
    last_autosave = load_run(crashed_dir)
    assert 0 < last_autosave.generation < 30  # killed part way, after at least one autosave

    assert _neatscope("resume", str(crashed_dir), "--quiet", stdout=subprocess.DEVNULL).wait(timeout=300) == 0
    resumed, reference = load_run(crashed_dir), load_run(reference_dir)
    assert resumed.generation == reference.generation == 30
    assert resumed.history == reference.history
    assert resumed.rng.bit_generator.state == reference.rng.bit_generator.state


_KILLED_WHILE_SAVING = """
import sys, time
import core.runs.persistence
from core.algorithms.neat.config import default_config
from core.algorithms.neat.evolution import Neat
from core.runs.persistence import autosave
from core.tasks.xor import XorTask
evolution = Neat(default_config().replace(**{"population.size": 300}), XorTask(), 3)
evolution.step()
autosave(evolution, sys.argv[1])
evolution.step()
real_fsync = core.runs.persistence.os.fsync

def fsync_then_wait(fd):
    # The new file is fully written to its temporary name; the rename has not happened yet.
    print("saving", flush=True)
    time.sleep(30)
    real_fsync(fd)

core.runs.persistence.os.fsync = fsync_then_wait
autosave(evolution, sys.argv[1])
"""


def test_sigkill_mid_save_leaves_the_previous_autosave_intact(tmp_path):
    run_dir = tmp_path / "run"
    child = subprocess.Popen([sys.executable, "-c", _KILLED_WHILE_SAVING, str(run_dir)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "saving"
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=30)
    leftovers = [p for p in run_dir.iterdir() if p.name.endswith(".tmp")]
    assert len(leftovers) == 1  # the kill really landed inside the save
    evolution = load_run(run_dir)
    assert evolution.generation == 1  # the previous autosave, whole
    evolution.step()
    autosave(evolution, run_dir)
    # The next autosave tidies up (the folder's lock file stays: deleting lock files races).
    assert sorted(p.name for p in run_dir.iterdir()) == [".neatscope.lock", "run.json"]
    assert load_run(run_dir).generation == 2
