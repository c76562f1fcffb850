"""Loading a run file or a compare folder never imports or calls anything it names (issue 14):
a run that needs the user's code is checked in full, then the user names the code again."""

import json
import sys
import uuid

import pytest

from core.algorithms.neat.evolution import Neat
from core.runs.compare import CompareSpec, run_compare
from core.runs.persistence import RunFileError, UserCodeRequired, load_run, run_to_dict, save_run
from core.tasks import make_task
from neatscope.cli import main

TARGET = "tests.core.tasks.user_fitness:xor_fitness"


@pytest.fixture
def evil(tmp_path, monkeypatch):
    """A module beside the file, on the path as with ``python -m``, that leaves a mark when imported."""
    name = f"evil_{uuid.uuid4().hex[:8]}"
    marker = tmp_path / "IMPORTED"
    (tmp_path / f"{name}.py").write_text(f"open({str(marker)!r}, 'w').write('x')\ndef fit(network):\n    return 1.0\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    yield name, marker
    assert name not in sys.modules


def _function_run(config, target=TARGET, generations=1):
    run = Neat(config.replace(**{"population.size": 20}), make_task({"name": "function", "target": target, "num_inputs": 2, "num_outputs": 1}), 3)
    for _ in range(generations):
        run.step()
    return run


def _saved_with(tmp_path, config, change) -> str:
    data = json.loads(json.dumps(run_to_dict(_function_run(config))))
    change(data)
    path = tmp_path / f"run-{uuid.uuid4().hex[:6]}.json"
    path.write_text(json.dumps(data))
    return str(path)


def test_a_run_naming_a_module_beside_it_is_checked_without_importing_it(tmp_path, config, evil):
    name, marker = evil
    path = _saved_with(tmp_path, config, lambda d: d["task"].update(target=f"{name}:fit"))
    with pytest.raises(UserCodeRequired) as caught:
        load_run(path)
    assert caught.value.code.target == f"{name}:fit" and caught.value.code.module == name and caught.value.code.kind == "fitness function"
    assert caught.value.algorithm == "neat" and caught.value.generation == 1
    assert "--fitness" in str(caught.value)
    assert not marker.exists()


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d.update(generation="1"),  # rejected anyway: never imported first
        lambda d: d["state"]["population"][0]["nodes"][0].update(bias="x"),
        lambda d: d["history"].pop(),
    ],
)
def test_a_bad_run_naming_user_code_is_rejected_without_importing_it(tmp_path, config, evil, change):
    name, marker = evil

    def both(d):
        d["task"]["target"] = f"{name}:fit"
        change(d)

    with pytest.raises(RunFileError) as caught:
        load_run(_saved_with(tmp_path, config, both))
    assert not isinstance(caught.value, UserCodeRequired)
    assert not marker.exists()


def test_a_gymnasium_id_naming_a_module_is_not_imported(tmp_path, config, evil):
    name, marker = evil
    spec = {"name": "gym", "env_id": f"{name}:Evil-v0", "episodes": 1, "max_steps": None, "fitness_threshold": None, "workers": 0, "mode": "auto"}
    with pytest.raises(UserCodeRequired) as caught:
        load_run(_saved_with(tmp_path, config, lambda d: d.update(task=spec)))
    assert caught.value.code.kind == "gymnasium environment" and caught.value.code.module == name
    assert not marker.exists()


@pytest.mark.parametrize("target", ["sys:exit", "os:system", "builtins:exec"])
def test_any_installed_callable_named_by_a_file_is_not_called(tmp_path, config, target):
    with pytest.raises(UserCodeRequired, match=target):
        load_run(_saved_with(tmp_path, config, lambda d: d["task"].update(target=target)))


@pytest.mark.parametrize(
    ("target", "message"),
    [(5, "fitness function is named module:function, got int"), ("no_colon", "got 'no_colon'"), ("a b:c", "not a dotted Python name"),
     (["x"], "got list"), ("x" * 100_000 + ":f", "not a dotted Python name")],
)  # fmt: skip
def test_a_malformed_target_is_one_short_error(tmp_path, config, target, message):
    with pytest.raises(RunFileError, match=message) as caught:
        load_run(_saved_with(tmp_path, config, lambda d: d["task"].update(target=target)))
    assert len(str(caught.value)) < 300


def test_naming_the_code_again_continues_the_run_identically(tmp_path, config):
    run = _function_run(config)
    save_run(run, tmp_path / "run.json")
    resumed = load_run(tmp_path / "run.json", user_code=TARGET)
    assert resumed.task.loaded
    assert [resumed.step() for _ in range(2)] == [run.step() for _ in range(2)]
    with pytest.raises(RunFileError, match="cannot use 'tests.core.tasks.user_fitness:flaky_fitness': its fitness function is"):
        load_run(tmp_path / "run.json", user_code="tests.core.tasks.user_fitness:flaky_fitness")
    reading = load_run(tmp_path / "run.json", without_code=True)
    assert not reading.task.loaded and reading.history == resumed.history[:1]


def test_naming_code_for_a_run_that_has_none_is_an_error(tmp_path, config):
    save_run(Neat(config, make_task("xor"), 1), tmp_path / "xor.json")
    with pytest.raises(RunFileError, match="uses no code of yours"):
        load_run(tmp_path / "xor.json", user_code=TARGET)


def test_cli_looks_for_the_named_module_in_the_current_folder(tmp_path, monkeypatch, capsys):
    name = f"mine_{uuid.uuid4().hex[:8]}"
    (tmp_path / f"{name}.py").write_text("def fit(network):\n    return float(network.activate([1.0, 0.0])[0])\n")
    monkeypatch.chdir(tmp_path)  # not on sys.path: the user typed the name, so the folder is searched
    assert str(tmp_path) not in sys.path
    base = ["--inputs", "2", "--outputs", "1", "--population", "10", "--seed", "2", "--quiet", "--no-stop"]
    assert main(["run", "--fitness", f"{name}:fit", "--generations", "2", "--save", "run.json", *base[:-2], "--no-stop"]) == 0
    capsys.readouterr()
    assert main(["resume", "run.json", "--generations", "1", "--quiet"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"--fitness {name}:fit" in err[0]
    assert main(["resume", "run.json", "--generations", "1", "--quiet", "--fitness", f"{name}:fit"]) == 0
    assert json.loads(capsys.readouterr().out)["generations"] == 3


def test_a_compare_folder_never_imports_its_task_code(tmp_path, config, evil):
    name, marker = evil
    neat = config.replace(**{"population.size": 10}).to_dict()
    task = {"name": "function", "target": f"{name}:fit", "num_inputs": 2, "num_outputs": 1, "fitness_threshold": None,
            "isolate": False, "timeout": None, "memory_limit_mb": None, "workers": 0}  # fmt: skip
    spec = CompareSpec(task, ("neat",), (0,), 20, 100, True, {"neat": neat})
    out = tmp_path / "compare"
    out.mkdir()
    (out / "compare.json").write_text(json.dumps(spec.to_dict()))
    assert main(["compare", "--resume", str(out), "--quiet"]) == 2
    with pytest.raises(UserCodeRequired, match=f"--fitness {name}:fit"):
        run_compare(spec, out, progress=None)
    assert not marker.exists()
    with pytest.raises(RunFileError, match="its fitness function is"):
        run_compare(spec, out, progress=None, user_code=TARGET)
    assert not marker.exists()
    summary = run_compare(spec, out, progress=None, user_code=f"{name}:fit")  # named: now it may
    assert marker.exists() and summary["algorithms"][0]["runs"] == 1
    sys.modules.pop(name)


def test_a_module_that_exits_while_imported_is_one_error(tmp_path, monkeypatch):
    name = f"quits_{uuid.uuid4().hex[:8]}"
    (tmp_path / f"{name}.py").write_text("import sys\nsys.exit(3)\n")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ValueError, match=f"module '{name}' failed while being imported: SystemExit: 3"):
        make_task({"name": "function", "target": f"{name}:fit", "num_inputs": 2, "num_outputs": 1})
