"""``neatscope run --preset paper`` and ``--neat-python-config`` (issue 12), run as a user would."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.runs.config import ConfigError
from core.runs.neat_python import read_neat_python_config
from neatscope.cli import main

EXAMPLES = Path(__file__).parent / "data" / "neat_python"


def test_run_xor_with_the_paper_preset(capsys):
    assert main(["run", "xor", "--preset", "paper", "--seed", "2", "--generations", "3", "--no-stop", "--quiet"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["task"] == {"name": "xor", "fitness_threshold": 3.9, "fitness": "paper", "solved_by": "criterion"}
    assert summary["evaluations"] == 450
    kinds = [node["kind"] for node in summary["champion"]["nodes"]]
    assert kinds.count("bias") == 1 and kinds.count("input") == 2


def test_the_preset_is_under_the_users_config_and_population(tmp_path, capsys):
    own = tmp_path / "own.toml"
    own.write_text("[speciation]\nthreshold = 4.0\n")
    run_file = tmp_path / "run.json"
    assert main(["run", "xor", "--preset", "paper", "--config", str(own), "--population", "40", "--seed", "1",
                 "--generations", "1", "--no-stop", "--quiet", "--save", str(run_file)]) == 0  # fmt: skip
    config = json.loads(run_file.read_text())["config"]
    assert config["speciation"]["threshold"] == 4.0 and config["population"]["size"] == 40
    assert config["nodes"]["bias_input"] is True and config["reproduction"]["fitness_sharing"] == "raw"
    capsys.readouterr()


def test_preset_errors_are_one_line(capsys):
    assert main(["run", "xor", "--preset", "nope"]) == 2
    assert "unknown preset 'nope'" in capsys.readouterr().err
    assert main(["run", "xor", "--preset", "paper", "--algorithm", "ga"]) == 2
    assert "--preset paper is for --algorithm neat, not ga" in capsys.readouterr().err


def test_neat_pythons_xor_example_maps_onto_our_keys():
    imported = read_neat_python_config(EXAMPLES / "xor-config-feedforward")
    overrides = imported.overrides
    assert overrides["population"] == {"size": 150, "feed_forward": True, "initial_connection": "full"}
    assert overrides["speciation"] == {"excess_coefficient": 1.0, "disjoint_coefficient": 1.0, "weight_coefficient": 0.5, "threshold": 3.0}
    assert overrides["weights"]["perturb_power"] == 0.5 and overrides["weights"]["perturb_prob"] == pytest.approx(0.9)
    assert (overrides["weights"]["min"], overrides["weights"]["max"]) == (-30.0, 30.0)
    assert overrides["structure"] == {"add_connection_prob": 0.5, "add_node_prob": 0.2, "toggle_enable_prob": 0.01}
    assert overrides["reproduction"] == {"stagnation_generations": 20, "stagnation_protected_species": 2, "survival_threshold": 0.2}
    assert imported.task_options == {"fitness_threshold": 3.9}
    assert (imported.num_inputs, imported.num_outputs) == (2, 1)
    unmapped = {entry.split(" = ")[0] for entry in imported.unmapped}
    assert "DefaultGenome.conn_delete_prob" in unmapped and "DefaultReproduction.elitism" in unmapped
    # Keys whose value is what we do anyway need no warning.
    assert not unmapped & {"DefaultGenome.num_hidden", "NEAT.fitness_criterion", "DefaultGenome.response_replace_rate"}


def test_the_cli_runs_a_neat_python_config_with_one_warning(capsys):
    code = main(["run", "xor", "--neat-python-config", str(EXAMPLES / "xor-config-feedforward"), "--seed", "1", "--generations", "2", "--no-stop", "--quiet"])
    assert code == 0
    captured = capsys.readouterr()
    warnings = [line for line in captured.err.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1 and "DefaultGenome.node_delete_prob = 0.2" in warnings[0]
    assert json.loads(captured.out)["evaluations"] == 300


def test_neat_pythons_cartpole_example_maps_and_its_interface_is_checked(capsys):
    imported = read_neat_python_config(EXAMPLES / "cartpole-config-feedforward")
    assert imported.overrides["weights"]["min"] == -10.0 and imported.overrides["structure"]["add_node_prob"] == 0.0
    assert imported.overrides["nodes"]["bias_init_mean"] == 0.5
    # neat-python's cartpole net has one output; ours has two (left, right).
    assert main(["run", "cartpole", "--neat-python-config", str(EXAMPLES / "cartpole-config-feedforward"), "--generations", "1"]) == 2
    assert "[DefaultGenome] num_outputs = 1, but task cartpole has 2 outputs" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("weight_mutate_power = strong", r"\[DefaultGenome\] weight_mutate_power = 'strong': not a number"),
        ("activation_default = cube", r"\[DefaultGenome\] activation_default: 'cube' has no NEAT Scope equivalent"),
        ("conn_add_prob = 1.5", r"\[DefaultGenome\] conn_add_prob: structure.add_connection_prob = 1.5 is outside"),
        ("feed_forward = sometimes", r"\[DefaultGenome\] feed_forward = 'sometimes': not true or false"),
    ],
)
def test_bad_values_name_the_neat_python_key(tmp_path, line, message):
    text = (EXAMPLES / "xor-config-feedforward").read_text()
    key = line.split(" = ")[0]
    changed = "\n".join(line if raw.split("=")[0].strip() == key else raw for raw in text.splitlines())
    path = tmp_path / "config"
    path.write_text(changed)
    with pytest.raises(ConfigError, match=message):
        read_neat_python_config(path)


def test_not_a_neat_python_config_is_one_error(tmp_path, capsys):
    path = tmp_path / "config"
    path.write_text("[weights]\nmutate_prob = 0.5\n")
    assert main(["run", "xor", "--neat-python-config", str(path)]) == 2
    assert "has no [NEAT] section" in capsys.readouterr().err
