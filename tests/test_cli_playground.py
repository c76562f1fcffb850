"""`neatscope run playground`: Backprop NEAT by default, the --no-backprop ablation, clear errors."""

import json

import pytest

from neatscope.cli import main


def _run(capsys, *arguments):
    assert main(["run", "playground", "--population", "20", "--generations", "2", "--quiet", *arguments]) == 0
    return json.loads(capsys.readouterr().out)


def test_playground_runs_backprop_neat_and_reports_accuracy_and_size(capsys):
    summary = _run(capsys, "--dataset", "xor", "--noise", "0.5", "--backprop-steps", "40", "--seed", "1")
    assert summary["algorithm"] == "backprop-neat" and summary["generations"] == 2
    assert summary["task"]["dataset"] == "xor" and summary["task"]["data_seed"] == 1
    metrics = summary["champion_metrics"]
    assert set(metrics) == {"train_accuracy", "test_accuracy", "train_loss", "test_loss", "hidden_nodes", "enabled_connections", "connections"}
    assert metrics["connections"] == len(summary["champion"]["connections"])
    again = _run(capsys, "--dataset", "xor", "--noise", "0.5", "--backprop-steps", "40", "--seed", "1")
    assert again["champion"] == summary["champion"]


def test_no_backprop_is_the_same_run_without_training(capsys, tmp_path):
    run_file = tmp_path / "run.json"
    _run(capsys, "--dataset", "circle", "--no-backprop", "--seed", "2", "--features", "x,y,x2", "--save", str(run_file))
    saved = json.loads(run_file.read_text())
    assert saved["algorithm"] == "backprop-neat" and saved["config"]["backprop"]["steps"] == 0
    assert saved["config"]["weights"]["perturb_power"] == 0.5 and saved["task"]["features"] == ["x", "y", "x2"]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["run", "xor", "--dataset", "spiral"], "--dataset applies to the playground task only"),
        (["run", "xor", "--no-backprop"], "apply to --algorithm backprop-neat"),
        (["run", "playground", "--algorithm", "neat", "--backprop-steps", "5"], "apply to --algorithm backprop-neat"),
        (["run", "playground", "--no-backprop", "--backprop-steps", "5"], "not both"),
        (["run", "playground", "--dataset", "moons"], "unknown dataset 'moons'"),
        (["run", "playground", "--noise", "2"], "noise must be in"),
        (["run", "playground", "--features", "x,x"], "features repeat"),
        (["run", "xor", "--algorithm", "backprop-neat"], "training set"),
    ],
)
def test_misuse_is_one_error_line(arguments, message, capsys):
    import re

    assert main(arguments) == 2
    error = capsys.readouterr().err.strip().splitlines()
    assert len(error) == 1 and error[0].startswith("error: ") and re.search(message, error[0])
