"""Regenerate tests/data/bad_files/: hostile run files, each with the message it must produce.

    .venv/bin/python tests/data/make_bad_files.py

Every file starts from one small valid run (format 3; XOR, population 12, 2 generations; the
baselines with population 8) and breaks one thing. Each class of problem issue 14 found has its
cases here. The 50 MB files are made by the tests themselves in a temporary folder, not kept in
git.
"""

from __future__ import annotations

import json
import pickle
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from core.algorithms.neat.config import default_config  # noqa: E402
from core.algorithms.neat.evolution import Neat  # noqa: E402
from core.algorithms.registry import algorithm_class  # noqa: E402
from core.runs.persistence import run_to_dict  # noqa: E402
from core.tasks import make_task  # noqa: E402
from core.tasks.xor import XorTask  # noqa: E402

OUT = Path(__file__).resolve().parent / "bad_files"
SMALL = {"ga": {"population.size": 8, "selection.truncation": 3, "selection.elite_candidates": 2}, "es": {"population.size": 8}, "random": {"population.size": 8}}
SMALL["arch-ga"] = {"population.size": 4, "population.elites": 1, "tournament.size": 2, "genome.min_units": 2, "genome.max_units": 6}
SMALL["arch-random"] = {"population.size": 4, "genome.min_units": 2, "genome.max_units": 6}
# Architecture search runs on a digits subsample, one epoch per recipe.
TASK_OF = {"arch-ga": {"name": "digits", "samples": 100, "epochs": 1}, "arch-random": {"name": "digits", "samples": 100, "epochs": 1}}


def valid_run() -> dict:
    evolution = Neat(default_config().replace(**{"population.size": 12}), XorTask(), 7)
    evolution.step()
    evolution.step()
    return run_to_dict(evolution)


def valid_baseline(name: str) -> dict:
    cls = algorithm_class(name)
    run = cls(cls.default_config().replace(**SMALL[name]), make_task(TASK_OF.get(name, "xor")), 7)
    run.step()
    run.step()
    return json.loads(json.dumps(run_to_dict(run)))


def changed(change, base=None) -> str:
    data = json.loads(json.dumps(valid_run())) if base is None else valid_baseline(base)
    change(data)
    return json.dumps(data)


def _set(path: str, value):
    """A change setting one field, addressed like ``state/innovation/next_node_id`` (list indexes as numbers)."""

    def change(d: dict) -> None:
        *parents, last = [int(p) if p.isdigit() else p for p in path.split("/")]
        for key in parents:
            d = d[key]
        d[last] = value

    return change


def _duplicate_species(d: dict) -> None:
    species = d["state"]["species"]["species"]
    moved = species[0]["members"].pop()
    species.append({**species[0], "members": [moved]})


def _two_meanings(d: dict) -> None:
    genome = d["state"]["population"][1]
    genome["connections"][0]["in"], genome["connections"][0]["out"] = genome["connections"][1]["in"], genome["connections"][1]["out"]
    genome["connections"].pop(1)


def _function_task(target) -> dict:
    return {"name": "function", "target": target, "num_inputs": 2, "num_outputs": 1, "fitness_threshold": None,
            "isolate": False, "timeout": None, "memory_limit_mb": None, "workers": 0}  # fmt: skip


GYM_MODULE = {"name": "gym", "env_id": "evil_module:Evil-v0", "episodes": 1, "max_steps": None, "fitness_threshold": None, "workers": 0, "mode": "auto"}


def _cycle(d: dict) -> None:
    genome = d["state"]["population"][0]
    genome["nodes"].append({"id": 900, "kind": "hidden", "bias": 0.0, "response": 1.0, "activation": "sigmoid", "aggregation": "sum"})
    genome["nodes"].append({"id": 901, "kind": "hidden", "bias": 0.0, "response": 1.0, "activation": "sigmoid", "aggregation": "sum"})
    genome["connections"] += [
        {"innovation": 900, "in": 900, "out": 901, "weight": 1.0, "enabled": True},
        {"innovation": 901, "in": 901, "out": 900, "weight": 1.0, "enabled": True},
    ]
    d["state"]["innovation"]["next_node_id"] = 1000
    d["state"]["innovation"]["next_innovation"] = 1000


CASES: dict[str, tuple[str | bytes, str]] = {
    "truncated.json": (json.dumps(valid_run())[:5000], "not valid JSON"),
    "empty.json": (b"", "is empty"),
    "binary_garbage.json": (bytes(range(256)) * 8, "not a text file"),
    "pickle.json": (pickle.dumps({"population": [1, 2, 3]}), "not a text file"),
    "not_an_object.json": ("[1, 2, 3]", "not a NEAT Scope run file"),
    "other_json.json": ('{"name": "something else"}', "not a NEAT Scope run file"),
    "newer_version.json": (changed(lambda d: d.update(version=999)), "newer NEAT Scope"),
    "missing_population.json": (changed(lambda d: d["state"].pop("population")), "missing field 'population'"),
    "missing_weight.json": (changed(lambda d: d["state"]["population"][3]["connections"][0].pop("weight")), "missing field 'weight'"),
    "wrong_type_weight.json": (changed(lambda d: d["state"]["population"][0]["connections"][0].update(weight="heavy")), r"weight: expected int/float, got str"),
    "wrong_type_generation.json": (changed(lambda d: d.update(generation="2")), r"generation: expected int, got str"),
    "wrong_type_enabled.json": (changed(lambda d: d["state"]["population"][0]["connections"][0].update(enabled=1)), r"enabled: expected bool"),
    "huge_float.json": (changed(lambda d: d["state"]["population"][0]["nodes"][2].update(bias=1e999)), "must be finite"),
    "huge_counter.json": (changed(lambda d: d.update(evaluations=10**40)), r"evaluations: .* out of range"),
    "huge_integer_literal.json": ('{"format": "neatscope-run", "version": ' + "9" * 5000 + "}", "not a usable JSON file"),
    "huge_population_size.json": (changed(lambda d: d["config"]["population"].update(size=10**12)), "population.size"),
    "missing_node.json": (changed(lambda d: d["state"]["population"][0]["connections"][0].update({"in": 4242})), "connection to missing node 4242"),
    "duplicate_innovation.json": (
        changed(lambda d: d["state"]["population"][1]["connections"].append({**d["state"]["population"][1]["connections"][0], "in": 1})),
        "duplicate innovation number",
    ),
    "cycle_in_feed_forward.json": (changed(_cycle), "closes a cycle in a feed-forward run"),
    "unknown_field.json": (changed(lambda d: d.update(padding="x")), "unknown field"),
    "bad_rng_state.json": (changed(lambda d: d.update(rng_state={"bit_generator": "MT19937"})), "rng_state"),
    "history_gap.json": (changed(lambda d: d["history"].pop(0)), "history: expected reports"),
    "unknown_activation.json": (changed(lambda d: d["state"]["population"][0]["nodes"][2].update(activation="softsign")), "unknown activation 'softsign'"),
    "probability_out_of_range.json": (changed(lambda d: d["config"]["structure"].update(add_node_prob=1.5)), "structure.add_node_prob"),
    # Issue 14, item 1: loading never imports or calls what a file names.
    "user_code_module_beside.json": (changed(lambda d: d.update(task=_function_task("evil_module:fit"))), "'evil_module:fit', which loading a file never imports"),
    "user_code_installed_callable.json": (changed(lambda d: d.update(task=_function_task("sys:exit"))), "'sys:exit', which loading a file never imports"),
    "user_code_gym_module.json": (changed(lambda d: d.update(task=GYM_MODULE)), "'evil_module:Evil-v0', which loading a file never imports"),
    "user_code_and_bad_field.json": (changed(lambda d: d.update(task=_function_task("evil_module:fit"), generation=-1)), r"generation: -1 is out of range"),
    "non_string_target.json": (changed(lambda d: d.update(task=_function_task(5))), "named module:function, got int"),
    "task_unknown_parameter.json": (changed(_set("task/function", "os:system")), "task xor: unknown parameter"),
    # Item 2: whatever loads is saved identically and runs: counters checked against ids and 2**62.
    "next_node_id_too_big.json": (changed(_set("state/innovation/next_node_id", 2**62)), r"next_node_id: 4611686018427387904 is out of range"),
    "next_node_id_float.json": (changed(_set("state/innovation/next_node_id", 1e30)), "next_node_id: expected int, got float"),
    "next_node_id_string.json": (changed(_set("state/innovation/next_node_id", "100")), "next_node_id: expected int, got str"),
    "next_node_id_behind.json": (changed(_set("state/innovation/next_node_id", 2)), "next_node_id: 2 is not beyond the node ids in use"),
    "next_innovation_2_63.json": (changed(_set("state/innovation/next_innovation", 2**63)), "next_innovation: .* is out of range"),
    "node_id_near_cap.json": (changed(_set("state/population/0/nodes/2/id", 2**62 - 1)), r"connection to missing node|not beyond the node ids|node 4611686018427387903"),
    "next_genome_id_behind.json": (changed(_set("state/next_genome_id", 5)), "next_genome_id: 5 is not beyond the genome ids in use"),
    "duplicate_species_id.json": (changed(_duplicate_species), "duplicate species id"),
    "innovation_two_meanings.json": (changed(_two_meanings), r"innovation \d+ is .* here but .* elsewhere"),
    # Item 5: no overflow or recursion tracebacks.
    "huge_literal_bias.json": (changed(_set("state/population/0/nodes/2/bias", 10**400)), r"population\[0\]\.nodes\[2\]\.bias: must be finite"),
    "huge_literal_history.json": (changed(_set("history/1/mean_fitness", 10**400)), r"history\[1\]\.mean_fitness: must be finite"),
    "huge_literal_config.json": (changed(_set("config/weights/max", 10**400)), "weights.max must be finite"),
    "inexact_float_integer.json": (changed(_set("state/population/0/connections/0/weight", 2**62 - 1)), "not a number a float holds exactly"),
    "infinity_counter.json": (changed(_set("evaluations", float("inf"))), "evaluations: expected int, got float"),
    "deep_nesting.json": ("[" * 100_000 + "]" * 100_000, "not valid JSON"),
    "deep_nesting_in_field.json": (changed(_set("history/0/extras/species/0/best_genome", [[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]])), r"best_genome: expected dict"),
    # Item 8: garbled but once accepted; each an error naming the field.
    "history_wrong_type.json": (changed(_set("history/0/best_fitness", "high")), r"history\[0\]\.best_fitness: expected int/float, got str"),
    "history_missing_field.json": (changed(lambda d: d["history"][1].pop("fitness_faults")), r"history\[1\]: missing field 'fitness_faults'"),
    "history_extras_wrong_type.json": (changed(_set("history/0/extras/species/0/size", "x")), r"history\[0\]\.extras\.species\[0\]\.size: expected int"),
    "species_threshold_zero.json": (changed(_set("state/species/threshold", 0)), "species.threshold: 0.0 must be positive"),
    "species_negative_id.json": (changed(_set("state/species/species/0/id", -1)), r"species\.species\[0\]\.id: -1 is out of range"),
    "species_empty.json": (changed(lambda d: d["state"]["species"]["species"].append({**d["state"]["species"]["species"][0], "id": 99, "members": []})), "a species has at least one member"),
    "rng_even_increment.json": (changed(lambda d: d["rng_state"]["state"].update(inc=d["rng_state"]["state"]["inc"] - 1)), "inc: must be odd"),
    "rng_too_big.json": (changed(_set("rng_state/state/state", 2**200)), r"rng_state\.state\.state: .* is out of range"),
    "innovation_scope_bogus.json": (changed(_set("state/innovation/scope", "bogus")), "innovation.scope: unknown value 'bogus'"),
    "innovation_scope_not_the_config.json": (changed(_set("state/innovation/scope", "run")), "but the config's structure.innovation_scope is 'generation'"),
    "population_larger_than_config.json": (changed(lambda d: d["state"]["population"].extend(d["state"]["population"] * 3)), "48 genomes; the config allows 12"),
    "nan_threshold.json": (changed(_set("task/fitness_threshold", float("nan"))), "task.fitness_threshold: must be finite"),
    "evaluations_not_the_history.json": (changed(_set("evaluations", 25)), "evaluations/env_steps: 25/0, but the last report counts 24/0"),
    "missing_run_id.json": (changed(lambda d: d.pop("run_id")), "missing field 'run_id'"),
    # Item 11: long values are cut to about 80 characters in messages.
    "long_string_algorithm.json": (changed(_set("algorithm", "x" * 100_000)), r"unknown algorithm 'xxxx[x.]*'; known"),
    "long_string_key.json": (changed(_set("k" * 100_000, 1)), r"unknown field\(s\) 'kkk[k.]*'$"),
    "long_string_activation.json": (changed(_set("state/population/0/nodes/2/activation", "a" * 100_000)), "unknown activation 'aaa"),
    # The baselines' states.
    "ga_huge_literal_sigma.json": (changed(_set("state/population/1/chain/1/1", 10**400), "ga"), r"chain\[1\]\[1\]: must be finite"),
    "ga_chain_longer_than_the_run.json": (changed(lambda d: d["state"]["population"][1]["chain"].extend([[1, 0.1]] * 5), "ga"), "at most 3 expected"),
    "ga_population_size.json": (changed(lambda d: d["state"]["population"].pop(), "ga"), "7 genomes, the config says 8"),
    "es_adam_steps_not_generations.json": (changed(_set("state/adam/t", 7), "es"), r"state\.adam\.t: 7 is out of range \(2 to 2\)"),
    "es_sigma_above_config.json": (changed(_set("state/sigma", 5.0), "es"), r"state\.sigma: 5\.0 is out of range"),
    "random_best_missing.json": (changed(lambda d: d["state"].pop("best"), "random"), "missing field 'best'"),
    "arch_ga_units_beyond_the_config.json": (changed(_set("state/population/1/units", [4, 7]), "arch-ga"), r"state\.population\[1\]\.units\[1\]: 7 is out of range \(2 to 6\)"),
    "arch_ga_five_layers.json": (changed(_set("state/population/0/units", [3, 3, 3, 3, 3]), "arch-ga"), r"state\.population\[0\]\.units: .*at most 4"),
    "arch_random_unknown_solver.json": (changed(_set("state/population/2/solver", "rmsprop"), "arch-random"), r"state\.population\[2\]\.solver: 'rmsprop' is not one of"),
    "arch_random_best_test_accuracy_above_one.json": (changed(_set("state/best/test_accuracy", 1.5), "arch-random"), r"state\.best\.test_accuracy: 1\.5 is out of range"),
    "random_next_genome_id.json": (changed(_set("state/next_genome_id", 3), "random"), r"state\.next_genome_id: 3 is out of range \(16 to 16\)"),
}


def main() -> None:
    OUT.mkdir(exist_ok=True)
    expected = {}
    for name, (content, message) in CASES.items():
        data = content.encode() if isinstance(content, str) else content
        (OUT / name).write_bytes(data)
        expected[name] = message
    (OUT / "EXPECTED.json").write_text(json.dumps(expected, indent=1, sort_keys=True) + "\n")
    print(f"wrote {len(CASES)} files to {OUT}")


if __name__ == "__main__":
    main()
