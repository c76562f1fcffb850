"""Hostile command lines (issue 14): every bad option is one ``error:`` line before anything runs,
long values are cut short, a full disk is one message naming the last good save, and a command
that has nothing to do says so."""

import errno
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from core.runs.persistence import load_run
from neatscope.cli import main

ROOT = Path(__file__).resolve().parents[1]


def _cli(capsys, *args):
    try:
        code = main(list(args))
    except SystemExit as exit_:  # argparse's own errors
        code = exit_.code
    out, err = capsys.readouterr()
    return code, out, err


BAD = [
    (["run", "xor", "--generations", "-5"], "--generations must be at least 0, got -5"),
    (["run", "cartpole", "--max-steps", "0"], "--max-steps must be at least 1"),
    (["run", "xor", "--threshold", "nan"], "--threshold must be a finite number"),
    (["run", "xor", "--threshold", "inf"], "--threshold must be a finite number"),
    (["run", "xor", "--population", "0"], "--population must be at least 1"),
    (["run", "cartpole", "--episodes", "0"], "--episodes must be at least 1"),
    (["run", "xor", "--seed", "-1"], "--seed must be at least 0"),
    (["run", "xor", "--autosave-every", "-1"], "--autosave-every must be at least 0"),
    (["run", "xor", "--generations", "abc"], "argument --generations: invalid int value: 'abc'"),
    (["--log-level", "BOGUS", "run", "xor"], "argument --log-level: invalid choice: 'BOGUS'"),
    (["run", "xor", "--max-steps", "5"], "--max-steps applies to cartpole, double-pole(-nv) and --env tasks only"),
    (["run", "xor", "--isolate"], "--isolate applies to --fitness only"),
    (["run", "--fitness", "m:f", "--inputs", "2", "--outputs", "1", "--fitness-timeout", "5"], "apply with --isolate"),
    (["run", "xor", "--save", "/nonexistent/x.json"], "--save /nonexistent/x.json: the folder /nonexistent does not exist"),
    (["run", "xor", "--json", "{tmp}"], "--json {tmp} is a folder; give a file name"),
    (["run", "xor", "--save", "{tmp}"], "--save {tmp} is a folder; give a file name"),
    (["run", "xor", "--run-dir", "{tmp}/file"], "--run-dir {tmp}/file is a file, not a folder"),
    (["run", "xor", "--run-dir", "{tmp}/file/below"], "--run-dir {tmp}/file/below: {tmp}/file is a file, not a folder"),
    (["compare", "xor", "--out", "{tmp}/file"], "--out {tmp}/file is a file, not a folder"),
    (["compare", "xor", "--seeds", "0", "--out", "{tmp}/c"], "--seeds must be at least 1"),
    (["run", "--fitness", "x" * 100_000 + ":f", "--inputs", "2", "--outputs", "1"], "is not a dotted Python name"),
    (["resume", "{tmp}/missing.json"], "cannot read {tmp}/missing.json"),
    # Options of one task given to another are errors, whichever branch the task takes.
    (["run", "digits", "--resolution", "5"], "--resolution applies to the boxes task only"),
    (["run", "cartpole", "--samples", "200"], "--samples applies to the digits task only"),
    (["run", "--env", "CartPole-v1", "--epochs", "2"], "--epochs applies to the digits task only"),
    (["run", "xor", "--workers", "2"], "--workers applies to --env, --fitness and digits tasks only"),
    (["run", "digits", "--backend", "ray"], "the digits task trains in worker processes"),
]


@pytest.mark.parametrize(("args", "message"), BAD, ids=[" ".join(a)[:60] for a, _ in BAD])
def test_bad_options_are_one_error_line_before_anything_runs(tmp_path, capsys, args, message):
    (tmp_path / "file").write_text("not a folder")
    before = sorted(tmp_path.rglob("*"))
    code, out, err = _cli(capsys, *[a.replace("{tmp}", str(tmp_path)) for a in args])
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message.replace("{tmp}", str(tmp_path)) in lines[0], err[:500]
    assert len(lines[0]) < 500
    assert "gen " not in out and sorted(tmp_path.rglob("*")) == before  # nothing ran, nothing was written


def test_long_and_deep_values_in_a_config_are_cut_short(tmp_path, capsys):
    cases = {
        "long.toml": '[structure]\ninnovation_scope = "' + "x" * 5_000_000 + '"\n',
        "key.toml": "[structure]\n" + "k" * 1_000_000 + " = 1\n",
        "deep.toml": "[structure]\nadd_node_prob = " + "[" * 5000 + "]" * 5000 + "\n",
        "list.toml": "[nodes]\nactivation_options = [" + '"sigmoid", ' * 100_000 + "]\n",
        "huge.toml": "[weights]\nmax = " + "9" * 400 + "\n",
    }
    for name, text in cases.items():
        (tmp_path / name).write_text(text)
        code, _, err = _cli(capsys, "run", "xor", "--config", str(tmp_path / name))
        lines = err.strip().splitlines()
        assert code == 2 and len(lines) == 1 and lines[0].startswith("error: ") and len(lines[0]) < 400, (name, err[:300])


def test_a_solved_run_resumed_without_no_stop_says_why_nothing_ran(tmp_path, capsys):
    run_file = tmp_path / "run.json"
    assert _cli(capsys, "run", "xor", "--seed", "3", "--save", str(run_file), "--quiet")[0] == 0
    solved = load_run(run_file)
    assert solved.solved
    code, out, err = _cli(capsys, "resume", str(run_file), "--quiet")
    assert code == 0 and "already solved its task" in err and "--no-stop" in err
    assert json.loads(out)["generations"] == solved.generation
    code, out, err = _cli(capsys, "resume", str(run_file), "--quiet", "--no-stop", "--generations", "2")
    assert code == 0 and json.loads(out)["generations"] == solved.generation + 2


def test_nothing_to_do_is_said(tmp_path, capsys):
    folder = tmp_path / "run"
    assert _cli(capsys, "run", "xor", "--seed", "1", "--generations", "2", "--no-stop", "--run-dir", str(folder), "--quiet")[0] == 0
    code, out, err = _cli(capsys, "resume", str(folder), "--quiet")
    assert code == 0 and "goal of 2 generations is already reached" in err
    code, out, err = _cli(capsys, "run", "xor", "--generations", "0", "--quiet")
    assert code == 0 and "no generation to run" in err and json.loads(out)["generations"] == 0


def test_a_full_disk_is_one_message_naming_the_last_good_autosave(tmp_path, capsys, monkeypatch):
    import core.runs.persistence as persistence

    real_fsync, calls = os.fsync, []

    def disk_fills_up(fd):
        if not stat.S_ISREG(os.fstat(fd).st_mode):  # the folder's own fsync after a rename
            return real_fsync(fd)
        calls.append(fd)
        if len(calls) > 4:  # goal, generation 0, 2 and 4 fit; generation 6 does not
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_fsync(fd)

    monkeypatch.setattr(persistence.os, "fsync", disk_fills_up)
    folder = tmp_path / "run"
    code, out, err = _cli(capsys, "run", "xor", "--seed", "2", "--generations", "20", "--no-stop", "--autosave-every", "2", "--run-dir", str(folder))
    lines = err.strip().splitlines()
    assert code == 1 and len(lines) == 1
    assert lines[0] == (
        f"error: could not save generation 6 to {folder / 'run.json'}: No space left on device; "
        f"the run stops, the last good save is generation 4 (neatscope resume {folder})"
    )
    assert "gen    5" in out and "gen    6" not in out
    monkeypatch.setattr(persistence.os, "fsync", real_fsync)
    assert load_run(folder).generation == 4  # intact, and resumable
    assert not [p for p in folder.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.skipif(sys.platform == "win32", reason="needs RLIMIT_FSIZE")
def test_a_real_file_size_limit_stops_the_run_with_one_message(tmp_path):
    import resource

    def small_files():
        resource.setrlimit(resource.RLIMIT_FSIZE, (150_000, 150_000))

    folder = tmp_path / "run"
    result = subprocess.run(
        [sys.executable, "-m", "neatscope", "run", "xor", "--seed", "2", "--generations", "200", "--no-stop", "--autosave-every", "1",
         "--population", "60", "--run-dir", str(folder), "--quiet"],
        cwd=ROOT, capture_output=True, text=True, timeout=300, preexec_fn=small_files,
    )  # fmt: skip
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 1 and len(lines) == 1, result.stderr[-2000:]
    assert "File too large; the run stops, the last good save is generation" in lines[0]
    last_good = int(lines[0].rsplit("generation ", 1)[1].split(" ")[0])
    assert load_run(folder).generation == last_good > 0
    assert not [p for p in folder.iterdir() if p.name.endswith(".tmp")]


def test_workers_of_a_config_evaluation_table_alone_mean_worker_processes(tmp_path, capsys):
    from neatscope.cli import backend_from_args, build_parser

    args = build_parser().parse_args(["run", "xor"])
    settings = backend_from_args(args, {"workers": 2})
    assert (settings.name, settings.workers) == ("process", 2)
    (tmp_path / "ev.toml").write_text("[evaluation]\nworkers = 2\n")
    code, _, err = _cli(capsys, "run", "xor", "--config", str(tmp_path / "ev.toml"))
    assert code == 2 and "the config's [evaluation] applies to --env, --fitness and digits tasks only" in err
