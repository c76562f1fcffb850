"""The compiled (numba) path gives the numpy path's fitness bit for bit, and falls back quietly.

The kernels compile once per machine (cached on disk); these tests use two compiled signatures
only (the forward pass and the episode loop), so a cold cache costs one compile of each.
"""

import json
import logging
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import core.compiled as compiled
from core.algorithms.neat.evolution import Neat
from core.algorithms.protocol import EvaluationInterrupted
from core.compiled import choose_kernel
from core.networks import activations, flat
from core.networks.activations import ACTIVATIONS, exp_ieee, tanh_ieee
from core.networks.batch import PopulationNetwork
from core.tasks import episodes as episodes_module
from core.tasks import make_task
from core.tasks.cartpole import COMPILED_PARAMS, CartPoleTask, cartpole_reset
from core.tasks.episodes import run_compiled_episodes
from core.tasks.xor import XorTask
from tests.conftest import grow_random_genomes

ROOT = Path(__file__).resolve().parents[3]
needs_numba = pytest.mark.skipif(not compiled.numba_installed(), reason="numba is not installed")


def ulps_apart(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.abs(a - b) / np.array([math.ulp(v) for v in np.maximum(np.abs(a), np.abs(b)).tolist()])


# --- the IEEE exponential and tanh shared by both paths -------------------------------------


def test_ieee_exp_is_within_one_ulp_of_libm():
    x = np.concatenate([np.random.default_rng(0).uniform(-60, 60, 20_000), np.random.default_rng(1).normal(size=20_000)])
    ours = exp_ieee(x)
    libm = np.array([math.exp(v) for v in x.tolist()])
    # Ours is within 0.84 ulp of the exact value (measured), libm within 0.5: never 2 ulp apart.
    assert ulps_apart(ours, libm).max() <= 1.0
    assert (ours != libm).any(), "the sample should show the rounding differences this function removes"


def test_ieee_tanh_is_within_two_ulp_of_libm_and_odd():
    x = np.concatenate([np.random.default_rng(2).uniform(-25, 25, 20_000), np.random.default_rng(3).uniform(-0.7, 0.7, 20_000)])
    ours = tanh_ieee(x)
    libm = np.array([math.tanh(v) for v in x.tolist()])
    assert ulps_apart(ours, libm).max() <= 2.0
    assert np.array_equal(tanh_ieee(-x), -ours)
    assert tanh_ieee(np.array([30.0, -30.0, 1e300])).tolist() == [1.0, -1.0, 1.0]


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "gaussian"])
def test_scalar_array_and_blockwise_evaluations_agree_bit_for_bit(name):
    # The reference network calls activations on scalars, the batch on small and large arrays.
    x = np.concatenate([np.random.default_rng(4).normal(size=5000) * 4, [0.0, 60.0, -60.0, np.inf, -np.inf, np.nan]])
    function = ACTIVATIONS[name]
    array = function(x)
    scalars = np.array([function(np.float64(v)) for v in x])
    blockwise = function(np.tile(x, 2).reshape(2, -1))  # above the block size
    assert np.array_equal(array, scalars, equal_nan=True)
    assert np.array_equal(blockwise[1], array, equal_nan=True)
    assert np.isnan(array[-1])


# --- choosing a kernel ------------------------------------------------------------------------


def test_auto_stays_on_numpy_for_small_work_and_switches_when_it_pays(monkeypatch):
    monkeypatch.setitem(compiled._state, "installed", True)
    monkeypatch.setattr(compiled, "kernels_ready", lambda: True)
    assert choose_kernel("auto", 600, 0.0, True) == "numpy"  # XOR, population 150
    assert choose_kernel("auto", compiled.BIG_GENERATION_WORK, 0.0, True) == "numba"
    assert choose_kernel("auto", 600, compiled.SWITCH_AFTER_NUMPY_S, True) == "numba"
    assert choose_kernel("auto", 10**9, 100.0, False) == "numpy"  # no compiled path for this task
    assert choose_kernel("numpy", 10**9, 100.0, True) == "numpy"
    assert choose_kernel("numba", 1, 0.0, True) == "numba"
    with pytest.raises(ValueError, match="unknown kernel 'fast'"):
        choose_kernel("fast", 1, 0.0, True)


def test_auto_never_compiles_in_the_run_but_waits_for_a_background_build(monkeypatch):
    monkeypatch.setattr(compiled, "_state", {"installed": True})
    monkeypatch.setattr(compiled, "_compiled_on_disk", lambda: False)
    started = []

    class Build:
        def __init__(self, command, **_):
            started.append(command)
            self.code = None

        def poll(self):
            return self.code

    monkeypatch.setattr(compiled.subprocess, "Popen", Build)
    big = compiled.BIG_GENERATION_WORK
    assert choose_kernel("auto", big, 0.0, True) == "numpy"
    assert choose_kernel("auto", big, 0.0, True) == "numpy"
    assert len(started) == 1 and "core.compiled" in started[0][-1]  # one build, in another process
    compiled._state["warming"].code = 0
    assert choose_kernel("auto", big, 0.0, True) == "numba"
    assert "module" not in compiled._state  # nothing was imported or compiled here


def test_numba_missing_or_disabled_means_numpy_without_error(monkeypatch, caplog, config):
    monkeypatch.setenv("NUMBA_DISABLE_JIT", "1")
    monkeypatch.setattr(compiled, "_state", {})
    assert not compiled.numba_installed()
    assert choose_kernel("numba", 10**9, 0.0, True) == "numpy"
    evolution = Neat(config.replace(**{"population.size": 20}), CartPoleTask(episodes=1, max_steps=50), 3)
    evolution.kernel = "numba"
    with caplog.at_level(logging.WARNING):
        report = evolution.step()
    assert evolution.last_kernel == "numpy" and report.env_steps > 0
    assert "numba is not installed" in caplog.text


# --- identical fitness ------------------------------------------------------------------------


@needs_numba
@pytest.mark.parametrize("recurrent", [False, True])
def test_compiled_forward_pass_equals_numpy_bit_for_bit(recurrent):
    rng = np.random.default_rng(21 + recurrent)
    genomes = grow_random_genomes(50, 3, 2, recurrent=recurrent, rng=rng, steps=30)
    extra = sorted(set(ACTIVATIONS) - {n.activation for g in genomes for n in g.nodes.values()})
    for i, node in enumerate(n for g in genomes for n in g.nodes.values() if n.kind == "hidden"):
        if extra and i % 4 == 0:
            node.activation = extra[(i // 4) % len(extra)]  # functions the shared genome grower does not draw
    used = {n.activation for g in genomes for n in g.nodes.values() if n.kind != "input"}
    assert used == set(ACTIVATIONS), "want every activation in the sample"
    numpy_net = PopulationNetwork(genomes, recurrent, "numpy")
    numba_net = PopulationNetwork(genomes, recurrent, "numba")
    assert numba_net.kernel == "numba"
    for step in range(5):
        inputs = rng.normal(size=(50, 4, 3)) * 3
        if step % 2:
            inputs = inputs[0]  # shared by all genomes
        assert np.array_equal(numpy_net.activate(inputs), numba_net.activate(inputs), equal_nan=True)
    keep = np.array([7, 0, 33, 12])
    numpy_subset, numba_subset = numpy_net.select(keep), numba_net.select(keep)
    inputs = rng.normal(size=(4, 3))
    assert np.array_equal(numpy_subset.activate(inputs), numba_subset.activate(inputs), equal_nan=True)


@needs_numba
@pytest.mark.parametrize("recurrent", [False, True])
def test_compiled_cartpole_equals_numpy_on_random_genomes_and_seeds(recurrent):
    genomes = grow_random_genomes(60, 4, 2, recurrent=recurrent, rng=np.random.default_rng(31 + recurrent), steps=20)
    task = CartPoleTask(episodes=3, max_steps=200)
    for seed in range(3):
        with np.errstate(over="ignore", invalid="ignore"):  # random recurrent nets can blow up; both paths must agree anyway
            expected = task.evaluate(PopulationNetwork(genomes, recurrent, "numpy"), np.random.default_rng(seed))
        got = task.evaluate(PopulationNetwork(genomes, recurrent, "numba"), np.random.default_rng(seed))
        assert task.last_stats.fused_s > 0  # the fused loop ran
        assert np.array_equal(expected.fitness, got.fitness)
        assert expected.env_steps == got.env_steps > 0


@needs_numba
@pytest.mark.parametrize("recurrent", [False, True])
def test_compiled_xor_equals_numpy_on_random_genomes(recurrent):
    genomes = grow_random_genomes(80, 2, 1, recurrent=recurrent, rng=np.random.default_rng(41 + recurrent), steps=25)
    task = XorTask()
    expected = task.evaluate(PopulationNetwork(genomes, recurrent, "numpy"), np.random.default_rng(0))
    got = task.evaluate(PopulationNetwork(genomes, recurrent, "numba"), np.random.default_rng(0))
    assert np.array_equal(expected.fitness, got.fitness)
    assert np.array_equal(expected.criterion_met, got.criterion_met)


@needs_numba
def test_compiled_playground_fitness_equals_numpy():
    task = make_task({"name": "playground", "dataset": "spiral", "train_size": 60, "test_size": 10})
    genomes = grow_random_genomes(30, task.num_inputs, 1, recurrent=False, rng=np.random.default_rng(43), steps=25)
    expected = task.evaluate(PopulationNetwork(genomes, False, "numpy"), np.random.default_rng(0))
    got = task.evaluate(PopulationNetwork(genomes, False, "numba"), np.random.default_rng(0))
    assert task.activations_per_genome == len(task.train_inputs) > 0
    assert np.array_equal(expected.fitness, got.fitness, equal_nan=True)


@needs_numba
@pytest.mark.parametrize("task_spec", [{"name": "cartpole", "episodes": 2}, {"name": "xor"}])
def test_whole_runs_are_identical_on_either_kernel(config, task_spec):
    def run(kernel):
        evolution = Neat(config.replace(**{"population.size": 60}), make_task(task_spec), 8)
        evolution.kernel = kernel
        reports = [evolution.step() for _ in range(4)]
        assert evolution.last_kernel == kernel
        return [(r.best_fitness, r.mean_fitness, r.env_steps, r.champion) for r in reports]

    assert run("numpy") == run("numba")


@needs_numba
@pytest.mark.parametrize("name", ["ga", "es", "random"])
def test_the_baselines_run_identically_on_either_kernel(name):
    from core.algorithms.registry import algorithm_class

    def run(kernel):
        cls = algorithm_class(name)
        algorithm = cls(cls.default_config().replace(**{cls.population_size_key: 24}), make_task({"name": "cartpole", "episodes": 2}), 4)
        algorithm.kernel = kernel
        reports = [algorithm.step() for _ in range(2)]
        assert algorithm.last_kernel == kernel
        return [(r.best_fitness, r.mean_fitness, r.env_steps, r.evaluations) for r in reports]

    assert run("numpy") == run("numba")


# --- chunks, pause and stop ------------------------------------------------------------------


@needs_numba
def test_a_stop_between_kernel_chunks_changes_nothing(config, monkeypatch):
    monkeypatch.setattr(episodes_module, "CHUNK_ACTIVATIONS", 2 * 300)  # two genomes per kernel call
    cartpole_config = config.replace(**{"population.size": 30})
    reference = Neat(cartpole_config, CartPoleTask(episodes=2, max_steps=150), 5)
    reference.kernel = "numba"
    expected = [reference.step() for _ in range(2)]

    evolution = Neat(cartpole_config, CartPoleTask(episodes=2, max_steps=150), 5)
    evolution.kernel = "numba"
    before = (evolution.generation, evolution.evaluations, evolution.env_steps, evolution.rng.bit_generator.state, len(evolution.history))
    calls = []

    def stop_at_the_fourth_chunk():
        calls.append(1)
        if len(calls) > 4:
            raise EvaluationInterrupted

    with pytest.raises(EvaluationInterrupted):
        evolution.step(stop_at_the_fourth_chunk)
    assert len(calls) == 5  # one before the evaluation, then one per chunk
    assert (evolution.generation, evolution.evaluations, evolution.env_steps, evolution.rng.bit_generator.state, len(evolution.history)) == before
    pauses = []
    assert [evolution.step(lambda: pauses.append(1)), evolution.step()] == expected
    assert len(pauses) == 1 + 15  # 30 genomes in chunks of 2


# --- fallbacks ----------------------------------------------------------------------------------


@needs_numba
def test_a_function_the_kernels_lack_falls_back_to_numpy(monkeypatch):
    genomes = grow_random_genomes(20, 4, 2, recurrent=False, rng=np.random.default_rng(51), steps=25)
    assert any(n.activation == "sin" for g in genomes for n in g.nodes.values())
    monkeypatch.setattr(compiled, "ACTIVATION_CODES", {k: v for k, v in compiled.ACTIVATION_CODES.items() if k != "sin"})
    population = PopulationNetwork(genomes, False, "numba")
    assert population.kernel == "numpy" and population.flat is None
    task = CartPoleTask(episodes=1, max_steps=50)
    assert np.array_equal(task.evaluate(population, np.random.default_rng(0)).fitness, task.evaluate(PopulationNetwork(genomes), np.random.default_rng(0)).fitness)


@needs_numba
def test_a_population_too_big_for_one_kernel_call_falls_back_to_numpy(monkeypatch):
    genomes = grow_random_genomes(10, 2, 1, recurrent=False, rng=np.random.default_rng(52), steps=5)
    monkeypatch.setattr(flat, "MAX_ENTRIES", 12)
    population = PopulationNetwork(genomes, False, "numba")
    assert population.kernel == "numpy"
    assert population.activate(np.zeros((4, 2))).shape == (10, 4, 1)


@needs_numba
def test_an_environment_without_a_compiled_twin_is_left_to_numpy():
    population = PopulationNetwork(grow_random_genomes(3, 4, 2, recurrent=False, rng=np.random.default_rng(53), steps=3), False, "numba")
    assert population.kernel == "numba"
    starts = cartpole_reset(np.array([1, 2])).T
    assert run_compiled_episodes(population, "no-such-env", COMPILED_PARAMS, starts, 10) is None
    assert run_compiled_episodes(PopulationNetwork(population.genomes), "cartpole", COMPILED_PARAMS, starts, 10) is None


def test_kernels_that_disagree_with_numpy_are_switched_off(monkeypatch, caplog):
    monkeypatch.setattr(compiled, "_state", {"installed": True})
    monkeypatch.setattr(compiled, "_import_kernels", lambda: activations)  # any module: no numba needed
    monkeypatch.setattr(compiled, "_agrees_with_numpy", lambda module: False)
    monkeypatch.setattr(compiled, "_rebuild", lambda module: module)
    with caplog.at_level(logging.WARNING):
        assert compiled.load() is None
    assert "still disagree" in caplog.text
    population = PopulationNetwork(grow_random_genomes(3, 2, 1, recurrent=False, rng=np.random.default_rng(54), steps=3), False, "numba")
    assert population.kernel == "numpy"


@needs_numba
def test_the_kernels_pass_their_own_check():
    module = compiled.load()
    assert module is not None and compiled._agrees_with_numpy(module)


# --- start-up -----------------------------------------------------------------------------------


def test_a_small_run_never_imports_numba(tmp_path):
    script = (
        "import sys\n"
        "from neatscope.cli import main\n"
        "main(['run', 'xor', '--seed', '1', '--generations', '3', '--quiet'])\n"
        "print('NUMBA' if 'numba' in sys.modules else 'NO-NUMBA')\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "NO-NUMBA"


@needs_numba
def test_kernel_option_of_the_command_line(tmp_path, capsys):
    from neatscope.cli import main

    summaries = {}
    for kernel in ("numpy", "numba"):
        out = tmp_path / f"{kernel}.json"
        args = ["run", "cartpole", "--seed", "2", "--generations", "2", "--episodes", "2", "--population", "40", "--no-stop", "--quiet"]
        assert main([*args, "--kernel", kernel, "--json", str(out)]) == 0
        summaries[kernel] = json.loads(out.read_text())
    capsys.readouterr()
    assert summaries["numba"]["last_kernel"] == "numba" and summaries["numpy"]["last_kernel"] == "numpy"
    same = ("best_fitness", "env_steps", "champion", "evaluations")
    assert {k: summaries["numpy"][k] for k in same} == {k: summaries["numba"][k] for k in same}
    result = subprocess.run([sys.executable, "-m", "neatscope", "run", "xor", "--kernel", "fast"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 2 and "invalid choice: 'fast'" in result.stderr
