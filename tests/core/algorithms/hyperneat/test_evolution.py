"""HyperNEAT and ES-HyperNEAT runs: the CPPN interface, reports, resume, configs, the CLI."""

import json

import numpy as np
import pytest

from core.algorithms.hyperneat.evolution import EsHyperNeat, HyperNeat, HyperNeatExtras
from core.algorithms.hyperneat.inspect import boxes_accuracy, boxes_playback, quadtree, substrate_view, weight_slice
from core.algorithms.registry import algorithm_class
from core.runs.config import ConfigError
from core.runs.persistence import load_run, run_to_dict, save_run
from core.tasks.boxes import BoxesTask, random_trials
from core.tasks.cartpole import CartPoleTask
from neatscope.cli import main


def small(cls, **changes):
    return cls.load_config(overrides={"population": {"size": 24}, **changes})


def es_small():
    return small(EsHyperNeat, es_hyperneat={"initial_depth": 2, "max_depth": 2})


@pytest.fixture(params=["hyperneat", "es-hyperneat"])
def run_and_file(request, tmp_path):
    cls = algorithm_class(request.param)
    config = small(cls) if cls is HyperNeat else es_small()
    task = BoxesTask(resolution=5) if cls is HyperNeat else CartPoleTask(episodes=2, max_steps=60)
    run = cls(config, task, 7)
    for _ in range(4):
        run.step()
    path = tmp_path / "run.json"
    save_run(run, path)
    return run, path


def test_registered_with_the_cppn_interface():
    run = HyperNeat(small(HyperNeat), BoxesTask(resolution=5), 1)
    assert (run.genome_inputs, run.genome_outputs) == (6, 2)  # x1 y1 x2 y2 d bias -> weight, bias
    assert all(len(g.input_ids()) == 6 and len(g.output_ids()) == 2 for g in run.population)
    assert algorithm_class("es-hyperneat") is EsHyperNeat
    leo = HyperNeat(small(HyperNeat, hyperneat={"leo": True, "delta_inputs": True}), BoxesTask(resolution=5), 1)
    assert (leo.genome_inputs, leo.genome_outputs) == (8, 3)


def test_reports_carry_the_decoded_champion(run_and_file):
    run, _ = run_and_file
    report = run.history[-1]
    assert isinstance(report.extras, HyperNeatExtras)
    assert report.species and report.compatibility_threshold > 0
    champion_cppn = report.champion.to_genome()
    view = substrate_view(run.config, champion_cppn, run.task)
    assert report.extras.links == view.link_count
    assert report.extras.hidden == view.hidden_count
    if run.name == "es-hyperneat":
        assert len(report.extras.hidden_points) == report.extras.hidden and report.extras.potential_links == 0
    else:
        assert report.extras.potential_links == 25 * 25 and report.extras.hidden_points == ()
    assert HyperNeatExtras.from_dict(json.loads(json.dumps(report.extras.to_dict()))) == report.extras
    assert "decode_s" in dict(report.timings)


def test_resume_is_bit_identical(run_and_file):
    run, path = run_and_file
    resumed = load_run(path)
    assert type(resumed) is type(run) and resumed.history == run.history
    assert [resumed.step() for _ in range(3)] == [run.step() for _ in range(3)]
    mine, theirs = run_to_dict(resumed), run_to_dict(run)
    for key in mine:
        if key != "history":
            assert mine[key] == theirs[key], key


def test_new_hidden_cppn_nodes_draw_their_function_from_the_set():
    config = small(HyperNeat, structure={"add_node_prob": 0.5})
    run = HyperNeat(config, BoxesTask(resolution=5), 3)
    for _ in range(5):
        run.step()
    functions: dict[int, set[str]] = {}
    for genome in run.population:
        for node_id, node in genome.nodes.items():
            if node.kind == "hidden":
                functions.setdefault(node_id, set()).add(node.activation)
            elif node.kind == "output":
                assert node.activation == config.nodes.activation_default
    assert len(functions) > 5
    used = set().union(*functions.values())
    assert used <= set(config.nodes.activation_options) and len(used) >= 3
    assert all(len(f) == 1 for f in functions.values())  # one innovation, one function


@pytest.mark.parametrize(
    ("cls", "changes", "message"),
    [
        (HyperNeat, {"population": {"feed_forward": False}}, "feed_forward"),
        (HyperNeat, {"substrate": {"input_coordinates": [0.1]}}, "x, y pairs"),
        (HyperNeat, {"hyperneat": {"weight_threshold": 1.0}}, "hyperneat.weight_threshold"),
        (EsHyperNeat, {"substrate": {"hidden_sheets": [3]}}, "hidden_sheets must be empty"),
        (EsHyperNeat, {"es_hyperneat": {"initial_depth": 4}}, "initial_depth"),
        (EsHyperNeat, {"es_hyperneat": {"max_depth": 6}}, "es_hyperneat.max_depth"),
    ],
)
def test_bad_configs_name_the_key(cls, changes, message):
    with pytest.raises(ConfigError, match=message):
        cls.load_config(overrides=changes)


def test_workspace_data_for_a_champion():
    run = HyperNeat(small(HyperNeat), BoxesTask(resolution=5), 2)
    run.step()
    cppn = run.history[-1].champion.to_genome()
    image = weight_slice(run.config, cppn, (0.0, 0.0), resolution=9)
    assert image.raw.shape == image.weights.shape == (9, 9)
    view = substrate_view(run.config, cppn, BoxesTask(resolution=5))
    network = view.network
    assert np.array_equal(view.outgoing_image(12, 5, 5), network.weights[0][0, :, 12].reshape(5, 5))
    # the slice at a neuron's own position agrees with the decoded weights into that neuron
    centre_outgoing = network.weights[0][0, :, 12].reshape(5, 5)
    coarse = weight_slice(run.config, cppn, (0.0, 0.0), resolution=5)
    assert np.array_equal(coarse.weights, centre_outgoing)
    playback = boxes_playback(run.config, cppn, random_trials(np.random.default_rng(0), 2), resolution=5)
    assert playback.inputs.shape == playback.outputs.shape == (6, 5, 5) and playback.chosen.shape == (6, 2)
    # A viewer that has decoded the CPPN already passes its network: the same playback.
    reused = boxes_playback(run.config, cppn, random_trials(np.random.default_rng(0), 2), resolution=5, network=view.network)
    assert np.array_equal(reused.outputs, playback.outputs) and np.array_equal(reused.chosen, playback.chosen)
    accuracy = boxes_accuracy(run.config, cppn, (5, 7))
    assert set(accuracy) == {5, 7} and 0.0 <= accuracy[5].accuracy <= 1.0 and accuracy[7].links <= 49 * 49
    es = EsHyperNeat(es_small(), CartPoleTask(episodes=1, max_steps=20), 2)
    es.step()
    cells = quadtree(es.config, es.history[-1].champion.to_genome(), (-0.75, -1.0))
    assert len(cells) == 4 + 16 and {c.level for c in cells} == {2, 3}


def test_cli_runs_boxes_and_reports_accuracy_at_three_resolutions(tmp_path, capsys, monkeypatch):
    import core.algorithms.hyperneat.evolution as evolution

    monkeypatch.setattr(evolution, "BOXES_RESOLUTIONS", (5, 15))  # the shipped 11/33/55 cost seconds
    out = tmp_path / "summary.json"
    code = main(["run", "boxes", "--resolution", "5", "--algorithm", "hyperneat", "--population", "20", "--generations", "2", "--seed", "1", "--quiet", "--json", str(out)])
    assert code == 0
    summary = json.loads(out.read_text())
    assert set(summary["boxes_accuracy"]) == {"5", "15"} and summary["boxes_trials"] == 484
    assert summary["task"]["resolution"] == 5
    assert main(["run", "xor", "--resolution", "5"]) == 2
    assert "error: --resolution applies to the boxes task only" in capsys.readouterr().err


@pytest.mark.parametrize("name", ["hyperneat", "es-hyperneat"])
def test_any_task_runs_through_a_line_substrate(name):
    from core.tasks.xor import XorTask

    cls = algorithm_class(name)
    run = cls(small(cls) if cls is HyperNeat else es_small(), XorTask(), 0)
    report = run.step()
    sheets = run.substrate.sheets
    assert sheets[0].coordinates.tolist() == [[-0.5, -1.0], [0.5, -1.0]] and sheets[-1].coordinates.tolist() == [[0.0, 1.0]]
    assert np.isfinite(report.best_fitness)


def test_a_substrate_that_does_not_fit_the_task_fails_at_once(tmp_path):
    config = small(HyperNeat, substrate={"input_layout": "custom", "input_coordinates": [0.0, -1.0]})
    with pytest.raises(ValueError, match="input_coordinates gives 1 positions; the task has 4"):
        HyperNeat(config, CartPoleTask(), 0)
    assert main(["run", "cartpole", "--algorithm", "hyperneat", "--config", str(_write(tmp_path, "[substrate]\\nlinks = []\\n"))]) == 2


def _write(folder, text):
    path = folder / "c.toml"
    path.write_text(text)
    return path


def test_substrate_genome_is_the_decoded_network():
    run = HyperNeat(small(HyperNeat), CartPoleTask(episodes=1, max_steps=10), 4)
    genome = run.substrate_genome(run.population[0])
    assert len(genome.input_ids()) == 4 and len(genome.output_ids()) == 2
    assert genome.enabled_count() == run.decode(run.population[:1]).link_counts()[0]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda e: e.update(links=-1), "extras.links"),
        (lambda e: e.update(hidden_points=[[0.5]]), r"extras.hidden_points\[0\]"),
        (lambda e: e.update(surprise=1), "unknown field"),
        (lambda e: e.pop("mean_links"), "missing field 'mean_links'"),
    ],
)
def test_saved_extras_are_checked_field_by_field(run_and_file, change, message):
    from core.runs.fields import RunFileError

    run, path = run_and_file
    data = json.loads(path.read_text())
    change(data["history"][-1]["extras"])
    path.write_text(json.dumps(data))
    with pytest.raises(RunFileError, match=message):
        load_run(path)


def test_substrate_view_is_the_same_on_the_compiled_kernel():
    from core.compiled import numba_installed

    if not numba_installed():
        pytest.skip("numba is not installed")
    for cls, config in ((HyperNeat, small(HyperNeat)), (EsHyperNeat, es_small())):
        run = cls(config, BoxesTask(resolution=5), 4)
        run.step()
        cppn = run.history[-1].champion.to_genome()
        plain, compiled = (substrate_view(run.config, cppn, BoxesTask(resolution=7), kernel) for kernel in ("numpy", "numba"))
        for field in ("coordinates", "present", "sources", "targets", "weights", "biases"):
            assert np.array_equal(getattr(plain, field), getattr(compiled, field)), field
