"""Regenerate tests/data/bad_files/: hostile run files, each with the message it must produce.

    .venv/bin/python tests/data/make_bad_files.py

Every file starts from one small valid run (XOR, population 12, 2 generations) and breaks one
thing. The 50 MB file is made by the test itself in a temporary folder, not kept in git.
"""

from __future__ import annotations

import json
import pickle
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from core.algorithms.neat.config import default_config  # noqa: E402
from core.algorithms.neat.evolution import Neat  # noqa: E402
from core.runs.persistence import run_to_dict  # noqa: E402
from core.tasks.xor import XorTask  # noqa: E402

OUT = Path(__file__).resolve().parent / "bad_files"


def valid_run() -> dict:
    evolution = Neat(default_config().replace(**{"population.size": 12}), XorTask(), 7)
    evolution.step()
    evolution.step()
    return run_to_dict(evolution)


def changed(change) -> str:
    data = valid_run()
    change(data)
    return json.dumps(data)


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
