"""Save and load whole runs of any algorithm as versioned JSON (never pickle).

A run file holds everything an algorithm needs to continue bit-identically: its name, config,
task, seed entropy, RNG state, counters, the algorithm's own state (``state``) and the report
history. Every field is checked while reading, before any run object exists, so a bad file
raises one ``RunFileError`` that says where it is wrong. The algorithm is looked up by name in
a fixed table (``core.algorithms.registry``); nothing a file names is ever imported.

Format version 2 added the algorithm name and the ``state`` object; version 1 files (NEAT
only) are read by upgrading them in memory.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from pathlib import Path
from typing import Any

from core.algorithms.registry import algorithm_class
from core.runs.config import ConfigError, config_from_dict
from core.runs.fields import (
    RunFileError,
    check_keys,
    read_counter,
    read_dict,
    read_field,
    read_list,
    read_rng_state,
)
from core.runs.reports import GenerationReport
from core.tasks import make_task

FILE_FORMAT = "neatscope-run"
FORMAT_VERSION = 2
# A population of 10,000 grown genomes is about 30 MB; anything far beyond is not ours.
MAX_RUN_FILE_BYTES = 512 * 1024 * 1024
RUN_KEYS = frozenset(
    {
        "format", "version", "algorithm", "task", "config", "seed_entropy", "rng_state", "generation", "evaluations",
        "env_steps", "state", "history",
    }
)  # fmt: skip
V1_KEYS = frozenset(
    {
        "format", "version", "task", "config", "seed_entropy", "rng_state", "generation", "evaluations",
        "next_genome_id", "innovation", "population", "species", "history",
    }
)  # fmt: skip


def run_to_dict(run: Any, with_history: bool = True) -> dict[str, Any]:
    """The complete state of a run (any algorithm) as plain JSON data."""
    return {
        "format": FILE_FORMAT,
        "version": FORMAT_VERSION,
        "algorithm": run.name,
        "task": run.task.spec(),
        "config": run.config.to_dict(),
        "seed_entropy": run.seed_entropy,
        "rng_state": run.rng.bit_generator.state,
        "generation": run.generation,
        "evaluations": run.evaluations,
        "env_steps": run.env_steps,
        "state": run.state_to_dict(),
        **({"history": [report.to_dict() for report in run.history]} if with_history else {}),
    }


def dumps_run(run: Any) -> str:
    """The run as JSON text (strict JSON: no NaN or Infinity), equal to ``run_to_dict``.

    Reports never change once made, so each is serialised once and kept on the run
    (``history_json``): an autosave then costs the population, not the whole history.
    """
    cache = run.history_json
    if len(cache) > len(run.history):
        cache.clear()
    for report in run.history[len(cache) :]:
        cache.append(json.dumps(report.to_dict(), allow_nan=False, separators=(",", ":")))
    data = run_to_dict(run, with_history=False)
    head = json.dumps(data, allow_nan=False, separators=(",", ":"))
    return f'{head[:-1]},"history":[{",".join(cache)}]}}'


def write_atomically(path: str | Path, text: str) -> None:
    """Write text so that a crash leaves either the old file or the new one, never a mix.

    The data goes to a temporary file in the same folder, is flushed to disk, then renamed over
    the target (rename is atomic within one file system).
    """
    target = Path(path)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent or ".")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    if hasattr(os, "O_DIRECTORY"):
        directory = os.open(target.parent or ".", os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)


def save_run(run: Any, path: str | Path) -> None:
    """Save a run atomically to ``path`` (a file, or a run folder: see ``run_file_path``)."""
    write_atomically(run_file_path(path), dumps_run(run))


RUN_FILE_NAME = "run.json"
GOAL_FILE_NAME = "goal.json"


def run_file_path(path: str | Path) -> Path:
    """The run file of ``path``: the path itself, or ``run.json`` inside a run folder."""
    target = Path(path)
    return target / RUN_FILE_NAME if target.is_dir() else target


def autosave(run: Any, run_dir: str | Path) -> Path:
    """Save the run into its run folder, replacing the previous autosave atomically.

    A process killed mid-save leaves the previous ``run.json`` intact plus, at worst, a
    temporary file, which the next autosave removes.
    """
    folder = Path(run_dir)
    folder.mkdir(parents=True, exist_ok=True)
    for leftover in folder.glob(f".{RUN_FILE_NAME}.*.tmp"):
        leftover.unlink(missing_ok=True)
    target = folder / RUN_FILE_NAME
    write_atomically(target, dumps_run(run))
    return target


def write_goal(run_dir: str | Path, total_generations: int, stop_when_solved: bool) -> None:
    """Record what the run in ``run_dir`` was asked to do, so a resume can finish the job."""
    folder = Path(run_dir)
    folder.mkdir(parents=True, exist_ok=True)
    write_atomically(folder / GOAL_FILE_NAME, json.dumps({"total_generations": total_generations, "stop_when_solved": stop_when_solved}))


def read_goal(run_dir: str | Path) -> tuple[int, bool] | None:
    """``(total_generations, stop_when_solved)`` of a run folder, or None when it has no goal file.

    Raises:
        RunFileError: the goal file exists but is not valid.
    """
    path = Path(run_dir) / GOAL_FILE_NAME
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise RunFileError(f"{path}: not a valid goal file ({error})") from error
    total = read_counter(data, "total_generations", "goal")
    return total, read_field(data, "stop_when_solved", bool, "goal")


# --- reading -------------------------------------------------------------------------------


def _upgrade_v1(data: dict[str, Any]) -> dict[str, Any]:
    """A version 1 (NEAT-only) run as version 2 data."""
    check_keys(data, V1_KEYS, "file")
    upgraded = {key: data[key] for key in ("task", "config", "seed_entropy", "rng_state", "generation", "evaluations") if key in data}
    upgraded.update(format=FILE_FORMAT, version=FORMAT_VERSION, algorithm="neat", env_steps=0)
    upgraded["state"] = {key: data[key] for key in ("next_genome_id", "innovation", "population", "species") if key in data}
    history = data.get("history")
    if isinstance(history, list):
        best_so_far = -math.inf
        reports = []
        for report in history:
            if not isinstance(report, dict):
                reports.append(report)
                continue
            report = dict(report)
            if isinstance(report.get("best_fitness"), (int, float)):
                best_so_far = max(best_so_far, report["best_fitness"])
            report.update(algorithm="neat", env_steps=0, best_fitness_ever=best_so_far)
            report["extras"] = {"species": report.pop("species", []), "compatibility_threshold": report.pop("compatibility_threshold", 0.0)}
            reports.append(report)
        upgraded["history"] = reports
    return upgraded


def run_from_dict(data: Any) -> Any:
    """Rebuild a run from ``run_to_dict`` data, checking every field first.

    Raises:
        RunFileError: the data is not a valid run of a version this NEAT Scope reads.
    """
    if not isinstance(data, dict) or data.get("format") != FILE_FORMAT:
        raise RunFileError("not a NEAT Scope run file (missing format marker)")
    version = read_field(data, "version", int, "file")
    if version > FORMAT_VERSION:
        raise RunFileError(f"this run file was made by a newer NEAT Scope (format version {version}; this one reads up to {FORMAT_VERSION})")
    if version < 1:
        raise RunFileError(f"unknown run file version {version}")
    if version == 1:
        data = _upgrade_v1(data)
    check_keys(data, RUN_KEYS, "file")
    try:
        cls = algorithm_class(read_field(data, "algorithm", str, "file"))
    except ValueError as error:
        raise RunFileError(f"file.algorithm: {error}") from error
    try:
        config = config_from_dict(cls.config_type, read_dict(data, "config", "file"), source="run file config")
    except ConfigError as error:
        raise RunFileError(str(error)) from error
    try:
        task = make_task(read_dict(data, "task", "file"))
    except ValueError as error:
        raise RunFileError(f"task: {error}") from error
    try:
        generation = read_counter(data, "generation", "file")
        try:
            history = [GenerationReport.from_dict(r, cls.extras_type) for r in read_list(data, "history", "file")]
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise RunFileError(f"history: malformed report ({error})") from error
        if [r.generation for r in history] != list(range(generation)):
            raise RunFileError(f"history: expected reports of generations 0 to {generation - 1}, one each")
        return cls.restore(
            config,
            task,
            seed_entropy=_seed_entropy(data),
            rng_state=read_rng_state(data, "rng_state", "file"),
            generation=generation,
            evaluations=read_counter(data, "evaluations", "file"),
            env_steps=read_counter(data, "env_steps", "file"),
            history=history,
            state=read_dict(data, "state", "file"),
        )
    except BaseException:
        task.close()
        raise


def _seed_entropy(data: dict) -> int:
    value = read_field(data, "seed_entropy", int, "file")
    # SeedSequence entropy is a non-negative integer of up to 128 bits when drawn fresh.
    if not 0 <= value < 2**256:
        raise RunFileError("file.seed_entropy: out of range (0 to 2**256)")
    return value


def loads_run(text: str) -> Any:
    """Parse run JSON text; see ``run_from_dict``."""
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as error:
        raise RunFileError(f"not valid JSON: {error}") from error
    except ValueError as error:  # e.g. an integer with more digits than Python converts
        raise RunFileError(f"not a usable JSON file: {error}") from error
    return run_from_dict(data)


def load_run(path: str | Path) -> Any:
    """Read a run file.

    ``path`` may also be a run folder (its ``run.json`` is read).

    Raises:
        RunFileError: unreadable, not JSON, not a run file, or invalid anywhere.
    """
    path = run_file_path(path)
    try:
        size = Path(path).stat().st_size
        if size > MAX_RUN_FILE_BYTES:
            raise RunFileError(f"{path} is {size / 2**20:,.0f} MB, larger than any run file ({MAX_RUN_FILE_BYTES // 2**20} MB at most)")
        if size == 0:
            raise RunFileError(f"{path} is empty")
        raw = Path(path).read_bytes()
    except OSError as error:
        raise RunFileError(f"cannot read {path}: {error.strerror or error}") from error
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise RunFileError(f"{path} is not a text file (binary data at byte {error.start})") from error
    return loads_run(text)
