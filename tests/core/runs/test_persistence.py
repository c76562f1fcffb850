"""Run files: round trip, bit-identical resume, and clear errors for bad files."""

import json

import pytest

from core.algorithms.neat.evolution import Neat
from core.runs.persistence import (
    FORMAT_VERSION,
    RunFileError,
    load_run,
    run_to_dict,
    save_run,
)
from core.tasks.xor import XorTask


@pytest.fixture
def saved(tmp_path, config):
    evolution = Neat(config, XorTask(), 21)
    for _ in range(6):
        evolution.step()
    path = tmp_path / "run.json"
    save_run(evolution, path)
    return evolution, path


def test_resume_is_bit_identical_to_the_uninterrupted_run(saved):
    evolution, path = saved
    resumed = load_run(path)
    assert resumed.history == evolution.history
    continued = [evolution.step() for _ in range(8)]
    again = [resumed.step() for _ in range(8)]
    assert again == continued
    assert resumed.history == evolution.history
    resumed_state, original_state = run_to_dict(resumed), run_to_dict(evolution)
    for key in original_state:
        if key != "history":  # reports hold wall timings, which differ between executions
            assert resumed_state[key] == original_state[key], key
    assert set(original_state["state"]) == {"next_genome_id", "innovation", "population", "species"}


def _as_version_1(data: dict) -> dict:
    """The same run as NEAT Scope 0.1 wrote it (format version 1, NEAT only)."""
    old = {k: v for k, v in data.items() if k not in ("algorithm", "run_id", "env_steps", "state")}
    old.update(data["state"], version=1)
    reports = []
    for report in data["history"]:
        old_report = {k: v for k, v in report.items() if k not in ("algorithm", "env_steps", "best_fitness_ever", "extras", "solved_at_evaluation")}
        old_report.update(report["extras"])  # species and compatibility_threshold were top-level
        reports.append(old_report)
    old["history"] = reports
    return old


def test_version_1_files_still_load_and_continue_identically(saved, tmp_path):
    evolution, path = saved
    old = tmp_path / "old.json"
    old.write_text(json.dumps(_as_version_1(json.loads(path.read_text()))))
    resumed = load_run(old)
    assert [r.species for r in resumed.history] == [r.species for r in evolution.history]
    assert [r.best_fitness_ever for r in resumed.history] == [r.best_fitness_ever for r in evolution.history]
    assert [resumed.step() for _ in range(3)] == [evolution.step() for _ in range(3)]


def test_saved_file_is_plain_versioned_json(saved):
    _, path = saved
    data = json.loads(path.read_text())
    assert data["format"] == "neatscope-run" and data["version"] == FORMAT_VERSION
    assert data["algorithm"] == "neat"
    assert len(data["state"]["population"]) == 150 and len(data["history"]) == 6


def _rewrite(path, change):
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(version=FORMAT_VERSION + 1), "newer NEAT Scope"),
        (lambda d: d.pop("format"), "not a NEAT Scope run file"),
        (lambda d: d["state"]["population"][0]["connections"][0].update({"out": 999}), "missing node 999"),
        (lambda d: d["state"]["population"][0]["connections"].append(dict(d["state"]["population"][0]["connections"][0])), "duplicate innovation"),
        (lambda d: d["state"]["population"][0]["nodes"][0].update({"bias": "x"}), r"population\[0\]\.nodes\[0\]\.bias"),
        (lambda d: d["config"]["population"].update({"size": -3}), "population.size"),
        (lambda d: d["task"].update({"name": "nope"}), "unknown task"),
    ],
)
def test_bad_files_raise_one_clear_error(saved, change, message):
    _, path = saved
    _rewrite(path, change)
    with pytest.raises(RunFileError, match=message):
        load_run(path)


@pytest.mark.parametrize("content", [b"", b"{\"format\": \"neatscope-run\", ", b"\x80\x04\x95pickle", b"[1, 2, 3]"])
def test_garbage_is_rejected(tmp_path, content):
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    with pytest.raises(RunFileError):
        load_run(path)


def test_atomic_save_leaves_no_temporary_files(saved):
    evolution, path = saved
    save_run(evolution, path)
    assert [p.name for p in path.parent.iterdir()] == ["run.json"]


def test_serialised_text_equals_the_run_dict_as_the_history_grows(saved):
    import json as json_module

    from core.runs.persistence import dumps_run

    evolution, _ = saved
    for _ in range(3):
        assert json_module.loads(dumps_run(evolution)) == json_module.loads(json_module.dumps(run_to_dict(evolution)))
        evolution.step()


def test_a_write_that_cannot_start_names_the_target_not_the_temporary_file(tmp_path):
    from core.runs.persistence import write_atomically

    target = tmp_path / "missing-folder" / "stats.csv"
    with pytest.raises(OSError) as raised:
        write_atomically(target, "x")
    assert str(target) in str(raised.value) and ".tmp" not in str(raised.value)


# Config keys and task parameters that format 5 added (the paper's NEAT, issue 12).
ADDED_IN_V5 = {
    "nodes": ("bias_input",),
    "weights": ("init_distribution", "init_range", "perturb_distribution"),
    "crossover": ("same_parent",),
    "structure": ("split_choice",),
    "reproduction": ("stagnant_share_factor", "fitness_sharing"),
}


def test_version_4_files_keep_their_meaning(tmp_path, config):
    # A run as format 4 made it: self-mating crossover (the behaviour before the fix).
    before_fix = config.replace(**{"crossover.same_parent": "mate"})
    evolution = Neat(before_fix, XorTask(), 5)
    for _ in range(4):
        evolution.step()
    path = tmp_path / "run.json"
    save_run(evolution, path)
    data = json.loads(path.read_text())
    data["version"] = 4
    for section, keys in ADDED_IN_V5.items():
        for key in keys:
            del data["config"][section][key]
    del data["task"]["fitness"], data["task"]["solved_by"]
    old = tmp_path / "v4.json"
    old.write_text(json.dumps(data))
    resumed = load_run(old)
    assert resumed.config == before_fix
    assert resumed.task.spec() == {"name": "xor", "fitness_threshold": 3.9, "fitness": "squared", "solved_by": "threshold"}
    assert [resumed.step() for _ in range(3)] == [evolution.step() for _ in range(3)]
    # A format 5 file must hold every key.
    data["version"] = FORMAT_VERSION
    old.write_text(json.dumps(data))
    with pytest.raises(RunFileError, match="missing"):
        load_run(old)


@pytest.mark.parametrize("algorithm", ["neat", "ga", "es", "random"])
def test_run_text_in_pieces_is_exactly_one_json_dumps(algorithm):
    from core.runs.persistence import dumps_in_pieces
    from tests.core.runs.mutants import valid_run_data

    data = valid_run_data(algorithm, generations=4)
    assert dumps_in_pieces(data) == json.dumps(data, allow_nan=False, separators=(",", ":"))
    odd = {"a": [float(i) / 7 for i in range(40)], "b": {"c": ["é", None, True, [1, 2] * 20]}, "d": []}
    assert dumps_in_pieces(odd) == json.dumps(odd, allow_nan=False, separators=(",", ":"))
    with pytest.raises(ValueError):
        dumps_in_pieces({"x": [0.0] * 20 + [float("nan")]})
