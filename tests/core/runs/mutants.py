"""Random mutants of valid run files, and the property every one of them must keep.

Used by ``test_mutants.py`` (a bounded number in ``make test``) and ``bench/hostile_bench.py``
(as many as you like). The property (issue 14): a mutant is either rejected with one
``RunFileError`` (one line, values cut short) or accepted; an accepted one is saved again
identically (equal JSON values, an int equal to the float of its value), the saved text loads
and saves to the very same text, and the run goes on for three generations, or stops with the
engine's own one-message ``EvaluationFailed`` (every genome failed, every species stagnated, a
counter would pass 2**62), after which its state still saves and loads.
"""

from __future__ import annotations

import copy
import json
import traceback
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from core.algorithms.protocol import EvaluationFailed
from core.algorithms.registry import algorithm_class
from core.runs.fields import RunFileError
from core.runs.persistence import dumps_run, loads_run, run_to_dict
from core.tasks import make_task

SMALL_CONFIG = {
    "neat": {"population.size": 12},
    "ga": {"population.size": 8, "selection.truncation": 3, "selection.elite_candidates": 2},
    "es": {"population.size": 8, "policy.hidden": [3]},
    "random": {"population.size": 8, "policy.hidden": [3]},
}
SMALL_CONFIG["ga"]["policy.hidden"] = [3]
SMALL_CONFIG["backprop-neat"] = {"population.size": 12, "backprop.steps": 4, "speciation.clusters": 3, "reproduction.hall_of_fame": 2}
SMALL_CONFIG["hyperneat"] = {"population.size": 8}
SMALL_CONFIG["es-hyperneat"] = {"population.size": 8, "es_hyperneat.initial_depth": 2, "es_hyperneat.max_depth": 2}
TASKS = {
    "backprop-neat": {"name": "playground", "dataset": "xor", "train_size": 20, "test_size": 20},
    # A 5x5 field keeps a substrate of 50 neurons: the trial decodes and runs every mutant.
    "hyperneat": {"name": "boxes", "resolution": 5, "trials_per_position": 1},
    "es-hyperneat": {"name": "boxes", "resolution": 5, "trials_per_position": 1},
}
# Architecture search trains tiny MLPs on a digits subsample: one epoch, a handful of units.
ARCH_SMALL = {"population.size": 4, "genome.min_units": 2, "genome.max_units": 6}
SMALL_CONFIG["arch-ga"] = {**ARCH_SMALL, "population.elites": 1, "tournament.size": 2}
SMALL_CONFIG["arch-random"] = dict(ARCH_SMALL)
TASKS["arch-ga"] = TASKS["arch-random"] = {"name": "digits", "samples": 100, "epochs": 1}


def valid_run_data(algorithm: str, generations: int = 3, seed: int = 7) -> dict:
    """A small valid run of ``algorithm`` after ``generations`` generations, as run file data."""
    cls = algorithm_class(algorithm)
    config = cls.default_config().replace(**SMALL_CONFIG[algorithm])
    run = cls(config, make_task(TASKS.get(algorithm, "xor")), seed)
    for _ in range(generations):
        run.step()
    return json.loads(dumps_run(run))


def same_json(a: Any, b: Any) -> bool:
    """Equal JSON values: an int equals the float of the same value, a bool only a bool."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_json(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same_json(x, y) for x, y in zip(a, b))
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    return type(a) is type(b) and a == b


def _paths(data: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(data, dict):
        for key, value in data.items():
            out.extend(_paths(value, (*prefix, key)))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            out.extend(_paths(value, (*prefix, index)))
    return out


def _walk(data: Any, rng: np.random.Generator) -> tuple:
    """A path chosen by walking down from the root, stopping at each level with probability 1/4:
    top-level fields are hit as often as genes deep in the population."""
    path: tuple = ()
    node = data
    while isinstance(node, (dict, list)) and node and rng.random() > 0.25:
        keys = list(node) if isinstance(node, dict) else list(range(len(node)))
        key = keys[int(rng.integers(len(keys)))]
        path, node = (*path, key), node[key]
    return path


def _get(data: Any, path: tuple) -> Any:
    for key in path:
        data = data[key]
    return data


def _numbers(value: Any) -> list:
    """Nearby and hostile replacements for a number."""
    out: list = [0, -1, 1, 2**31, 2**62 - 1, 2**62, 2**63, 2**64, 10**30, 10**400, 1e308, 1e30, -1e30, 5e-324, 0.5, -0.0,
                 float("nan"), float("inf"), float("-inf")]  # fmt: skip
    if isinstance(value, (int, float)) and not isinstance(value, bool) and abs(value) < 1e300:
        out += [value + 1, value - 1, value * 2, -value, value + 0.5, value * 1.0000001]
        if isinstance(value, int):
            out += [float(value), str(value)]
    return out


HOSTILE = [None, True, False, "", "x" * 100_000, "NaN", [], {}, [[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]], {"name": "function", "target": "os:system"}]


def mutate(data: dict, rng: np.random.Generator) -> tuple[dict, str]:
    """One random change to a deep copy of ``data`` and what it was."""
    mutant = copy.deepcopy(data)
    all_paths = None
    for _ in range(20):
        if rng.random() < 0.5:
            path = _walk(mutant, rng)
        else:
            all_paths = all_paths or _paths(mutant)
            path = all_paths[int(rng.integers(len(all_paths)))]
        if path:
            break
    else:
        return mutant, "unchanged"
    parent, key = _get(mutant, path[:-1]), path[-1]
    value = parent[key]
    where = "/".join(str(p) for p in path)
    kind = int(rng.integers(8))
    if kind <= 2:  # a nearby or hostile number, or a hostile value
        options = _numbers(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else []
        options = options + HOSTILE if kind == 2 or not options else options
        new = options[int(rng.integers(len(options)))]
        parent[key] = copy.deepcopy(new)
        return mutant, f"{where} = {str(new)[:40]}"
    if kind == 3 and isinstance(parent, dict):
        del parent[key]
        return mutant, f"del {where}"
    if kind == 3 and isinstance(parent, list):
        del parent[key]
        return mutant, f"remove {where}"
    if kind == 4 and isinstance(parent, list):
        parent.insert(key, copy.deepcopy(value))
        return mutant, f"duplicate {where}"
    if kind == 4 and isinstance(parent, dict):
        parent["extra"] = copy.deepcopy(value)
        return mutant, f"add {where[: where.rfind('/') + 1]}extra"
    if kind == 5 and isinstance(parent, list) and len(parent) > 1:
        other = int(rng.integers(len(parent)))
        parent[key], parent[other] = parent[other], parent[key]
        return mutant, f"swap {where} with [{other}]"
    if kind == 6 and isinstance(value, str):
        options = ["generation", "run", "hidden", "output", "input", "sigmoid", "relu", "sum", "max", "neat", "ga", "es", "random",
                   "xor", "cartpole", "function", "gym", value.upper(), value + "x", "PCG64", "MT19937"]  # fmt: skip
        parent[key] = options[int(rng.integers(len(options)))]
        return mutant, f"{where} = {parent[key]!r}"
    if kind == 7 and isinstance(value, (dict, list)):
        parent[key] = [value] if isinstance(value, dict) else {"0": value}
        return mutant, f"wrap {where}"
    parent[key] = _numbers(value)[int(rng.integers(19))] if not isinstance(value, (dict, list)) else None
    return mutant, f"{where} = {str(parent[key])[:40]}"


@dataclass
class Tally:
    """What happened to the mutants of one trial."""

    tried: int = 0
    rejected: int = 0
    accepted: int = 0
    stopped_cleanly: int = 0
    failures: list[str] = field(default_factory=list)
    reasons: Counter = field(default_factory=Counter)
    stops: Counter = field(default_factory=Counter)

    def line(self, name: str) -> str:
        """One line for reports."""
        return (
            f"{name}: {self.tried} mutants, {self.rejected} rejected cleanly, {self.accepted} accepted and round-tripped "
            f"({self.accepted - self.stopped_cleanly} ran 3 generations, {self.stopped_cleanly} stopped with the engine's message), "
            f"{len(self.failures)} failures"
        )


def as_older_version(data: dict, version: int) -> dict:
    """The same NEAT run as format ``version`` (1 or 2) stored it."""
    old = {k: v for k, v in data.items() if k != "run_id"}
    old["version"] = version
    if version == 1:
        old = {k: v for k, v in old.items() if k not in ("algorithm", "env_steps", "state")}
        old.update(data["state"])
        reports = []
        for report in data["history"]:
            dropped = ("algorithm", "env_steps", "best_fitness_ever", "extras", "solved_at_evaluation")
            old_report = {k: v for k, v in report.items() if k not in dropped}
            old_report.update(report["extras"])
            reports.append(old_report)
        old["history"] = reports
    return old


def check_mutant(mutant: dict, what: str, tally: Tally, legacy: bool = False) -> None:
    """Apply the property to one mutant, counting the outcome (failures keep their story).

    ``legacy`` mutants are of an older format: saved, they become the current one, so the
    first save is compared with its own reload instead of with the mutant."""
    tally.tried += 1
    text = json.dumps(mutant)
    try:
        run = loads_run(text)
    except RunFileError as error:
        message = str(error)
        if "\n" in message or len(message) > 600:
            tally.failures.append(f"{what}: message not one short line ({len(message)} characters)")
        tally.rejected += 1
        tally.reasons[message.split(":")[0][:50]] += 1
        return
    except Exception:  # noqa: BLE001 - exactly what the property forbids
        tally.failures.append(f"{what}: loading raised\n{traceback.format_exc()}")
        return
    try:
        saved = dumps_run(run)
        if not legacy and not same_json(json.loads(saved), json.loads(text)):
            first = _first_difference(json.loads(text), json.loads(saved))
            tally.failures.append(f"{what}: accepted but saved differently at {first}")
            return
        again = loads_run(saved)
        if dumps_run(again) != saved:
            tally.failures.append(f"{what}: the saved file does not save to the same text")
            return
        for _ in range(3):
            try:
                run.step()
            except EvaluationFailed as stop:
                tally.stopped_cleanly += 1
                tally.stops[f"{what} -> {str(stop)[:90]}"] += 1
                break
        after = loads_run(dumps_run(run))
        if not same_json(run_to_dict(after), run_to_dict(run)):
            tally.failures.append(f"{what}: after running, the saved run loads differently")
            return
        tally.accepted += 1
    except Exception:  # noqa: BLE001
        tally.failures.append(f"{what}: accepted, then raised\n{traceback.format_exc()}")
    finally:
        run.task.close()


def _first_difference(a: Any, b: Any, path: str = "") -> str:
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b), key=str):
            if key not in a or key not in b:
                return f"{path}/{key} (present in one only)"
            if not same_json(a[key], b[key]):
                return _first_difference(a[key], b[key], f"{path}/{key}")
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for index, (x, y) in enumerate(zip(a, b)):
            if not same_json(x, y):
                return _first_difference(x, y, f"{path}/{index}")
    return f"{path}: {str(a)[:60]} -> {str(b)[:60]}"


def run_trial(algorithm: str, count: int, seed: int = 0, base: dict | None = None, legacy: bool = False) -> Tally:
    """``count`` mutants of a valid ``algorithm`` run (1 to 3 changes each), checked."""
    base = base if base is not None else valid_run_data(algorithm)
    rng = np.random.default_rng(seed)
    tally = Tally()
    for _ in range(count):
        mutant, what = base, []
        for _ in range(int(rng.integers(1, 4)) if rng.random() < 0.3 else 1):
            mutant, change = mutate(mutant, rng)
            what.append(change)
        check_mutant(mutant, f"{algorithm}: {'; '.join(what)}", tally, legacy)
    return tally
