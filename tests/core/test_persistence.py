"""Run files: round trip, bit-identical resume, and clear errors for bad files."""

import json

import pytest

from core.engine import Evolution
from core.persistence import (
    FORMAT_VERSION,
    RunFileError,
    load_run,
    run_to_dict,
    save_run,
)
from core.tasks.xor import XorTask


@pytest.fixture
def saved(tmp_path, config):
    evolution = Evolution(config, XorTask(), 21)
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
    for key in ("rng_state", "population", "species", "innovation", "generation", "evaluations", "next_genome_id"):
        assert resumed_state[key] == original_state[key], key


def test_saved_file_is_plain_versioned_json(saved):
    _, path = saved
    data = json.loads(path.read_text())
    assert data["format"] == "neatscope-run" and data["version"] == FORMAT_VERSION
    assert len(data["population"]) == 150 and len(data["history"]) == 6


def _rewrite(path, change):
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(version=FORMAT_VERSION + 1), "newer NEAT Scope"),
        (lambda d: d.pop("format"), "not a NEAT Scope run file"),
        (lambda d: d["population"][0]["connections"][0].update({"out": 999}), "missing node 999"),
        (lambda d: d["population"][0]["connections"].append(dict(d["population"][0]["connections"][0])), "duplicate innovation"),
        (lambda d: d["population"][0]["nodes"][0].update({"bias": "x"}), r"population\[0\]\.nodes\[0\]\.bias"),
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

    from core.persistence import dumps_run

    evolution, _ = saved
    for _ in range(3):
        assert json_module.loads(dumps_run(evolution)) == json_module.loads(json_module.dumps(run_to_dict(evolution)))
        evolution.step()
