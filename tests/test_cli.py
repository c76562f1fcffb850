"""The neatscope command, run as a user would."""

import json
import os
import subprocess
import sys

from neatscope.cli import main


def test_run_prints_one_line_per_generation_and_a_summary(tmp_path, capsys):
    out = tmp_path / "out.json"
    assert main(["run", "xor", "--seed", "3", "--generations", "5", "--no-stop", "--json", str(out)]) == 0
    printed = capsys.readouterr().out
    lines = [line for line in printed.splitlines() if line.startswith("gen ")]
    assert len(lines) == 5
    summary = json.loads(out.read_text())
    assert summary["generations"] == 5 and summary["evaluations"] == 750
    assert json.loads(printed[printed.index("{"):]) == summary


def test_save_then_resume_continues_the_run(tmp_path, capsys):
    run_file = tmp_path / "run.json"
    assert main(["run", "xor", "--seed", "4", "--generations", "3", "--no-stop", "--save", str(run_file), "--quiet"]) == 0
    assert main(["resume", str(run_file), "--generations", "2", "--no-stop", "--quiet"]) == 0
    resumed = json.loads(capsys.readouterr().out.split("\n}\n")[1] + "\n}")
    assert resumed["generations"] == 5
    capsys.readouterr()
    assert main(["run", "xor", "--seed", "4", "--generations", "5", "--no-stop", "--quiet"]) == 0
    straight = json.loads(capsys.readouterr().out)
    assert straight["champion"] == resumed["champion"] and straight["best_fitness"] == resumed["best_fitness"]


def test_bad_input_is_one_error_line_and_status_2(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[weights]\nmutate_prob = 2\n")
    result = subprocess.run([sys.executable, "-m", "neatscope", "run", "xor", "--config", str(bad)], capture_output=True, text=True)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == ["error: weights.mutate_prob = 2.0 is outside the allowed range [0.0, 1.0]"]
    missing = subprocess.run([sys.executable, "-m", "neatscope", "resume", str(tmp_path / "none.json")], capture_output=True, text=True)
    assert missing.returncode == 2 and "cannot read" in missing.stderr


def test_cartpole_and_gymnasium_envs_from_the_command_line(capsys):
    assert main(["run", "cartpole", "--seed", "1", "--generations", "20", "--episodes", "2", "--quiet"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["solved"] and summary["best_fitness"] >= 475
    assert main(["run", "--env", "Acrobot-v1", "--population", "8", "--generations", "1", "--episodes", "1", "--max-steps", "30", "--quiet"]) == 0
    assert json.loads(capsys.readouterr().out)["task"]["env_id"] == "Acrobot-v1"


def test_unknown_env_from_the_command_line_is_one_error(capsys):
    assert main(["run", "--env", "NoSuchEnv-v9"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: unknown gymnasium environment 'NoSuchEnv-v9'")


def test_screenshot_command_renders_the_window_after_a_real_run(tmp_path):
    out = tmp_path / "shot.png"
    result = subprocess.run(
        [sys.executable, "-m", "neatscope", "screenshot", str(out), "--task", "xor", "--generations", "3", "--size", "1280x800"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    from PySide6.QtGui import QImage

    image = QImage(str(out))
    assert (image.width(), image.height()) == (1280, 800)


def test_screenshot_command_rejects_an_unknown_task(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "neatscope", "screenshot", str(tmp_path / "x.png"), "--task", "pong"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        check=False,
    )
    assert result.returncode == 2
    assert "unknown gymnasium environment 'pong'" in result.stderr
    assert [line for line in result.stderr.splitlines() if line.startswith("error:")] == [result.stderr.splitlines()[-1]]
    assert not (tmp_path / "x.png").exists()
