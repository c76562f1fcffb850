"""Save and load whole runs of any algorithm as versioned JSON (never pickle), and keep run
folders safe from a second process.

A run file holds everything an algorithm needs to continue bit-identically: its name, a run id,
config, task, seed entropy, RNG state, counters, the algorithm's own state (``state``) and the
report history. Every field is checked while reading, before any run object exists, so a bad
file raises one ``RunFileError`` that says where it is wrong; whatever is accepted is saved
again identically and runs. The algorithm is looked up by name in a fixed table
(``core.algorithms.registry``) and **loading never imports or calls anything a file names**: a
run whose task needs the user's code (a fitness function, a gymnasium env module) is checked in
full without it, then ``UserCodeRequired`` says which code it needs; the caller asks the user
and loads again with ``user_code=`` that exact name (``neatscope resume RUN --fitness MOD:FUNC``,
a confirmation in the app).

A run folder (``neatscope run --run-dir``, the app's autosaves) is locked for the life of a run
(``RunFolder``, an advisory OS lock through ``filelock``): a second process gets
``RunFolderInUse``. Temporary files carry their process id, and a process removes only its own
or those of processes that no longer exist. ``goal.json`` and ``run.json`` carry the same run
id; a folder whose two files disagree is an error.

Format version 3 added the run id; version 2 the algorithm name and ``state`` (versions 1 and 2
are read by upgrading them in memory).
"""

from __future__ import annotations

import json
import math
import os
import re
import socket
import tempfile
import time
import uuid
import zlib
from pathlib import Path
from typing import Any, NamedTuple

from core.algorithms.registry import algorithm_class
from core.runs.config import ConfigError, config_from_dict
from core.runs.fields import (
    RunFileError,
    check_exact_keys,
    check_keys,
    decode_text,
    loads_guarded,
    read_bool,
    read_counter,
    read_dict,
    read_field,
    read_list,
    read_rng_state,
    read_str,
    short,
    shown,
)
from core.runs.reports import GenerationReport
from core.tasks import UserCode, make_task, required_code

FILE_FORMAT = "neatscope-run"
FORMAT_VERSION = 5
# A population of 10,000 grown genomes is about 30 MB; anything far beyond is not ours.
MAX_RUN_FILE_BYTES = 512 * 1024 * 1024
RUN_KEYS = (
    "format", "version", "algorithm", "run_id", "task", "config", "seed_entropy", "rng_state", "generation", "evaluations",
    "env_steps", "state", "history",
)  # fmt: skip
V2_KEYS = frozenset(RUN_KEYS) - {"run_id"}
V1_KEYS = frozenset(
    {
        "format", "version", "task", "config", "seed_entropy", "rng_state", "generation", "evaluations",
        "next_genome_id", "innovation", "population", "species", "history",
    }
)  # fmt: skip
RUN_ID_PATTERN = re.compile(r"[0-9a-f]{32}")
# Task parameters added after format 2, with the values older files meant.
TASK_DEFAULTS_BEFORE_V3 = {"function": {"isolate": False, "timeout": None, "memory_limit_mb": None, "workers": 0}}
# Task parameters added in format 5 (the paper's XOR), at the values that keep a run's meaning.
TASK_DEFAULTS_BEFORE_V5 = {"xor": {"fitness": "squared", "solved_by": "threshold"}}


class UserCodeRequired(RunFileError):
    """The run is valid, but its task needs the user's code, which loading never imports.

    Ask the user (show ``code.kind`` and ``code.target``), then load again with
    ``user_code=code.target``.

    Attributes:
        code: what would be imported (``core.tasks.UserCode``: kind, target, module).
        algorithm: the run's algorithm name.
        generation: generations the run has done.
    """

    def __init__(self, message: str, code: UserCode, algorithm: str, generation: int):
        """``algorithm`` is "compare" for a compare folder (``generation`` 0 then)."""
        super().__init__(message)
        self.code, self.algorithm, self.generation = code, algorithm, generation


class RunFolderInUse(RunFileError):
    """Another process holds the run folder (it is running, resuming or autosaving that run)."""

    def __init__(self, message: str, pid: int | None):
        super().__init__(message)
        self.pid = pid


def new_run_id() -> str:
    """A fresh run id: 32 hex digits (an identity, not a random draw of the run)."""
    return uuid.uuid4().hex


def run_to_dict(run: Any, with_history: bool = True) -> dict[str, Any]:
    """The complete state of a run (any algorithm) as plain JSON data."""
    return {
        "format": FILE_FORMAT,
        "version": FORMAT_VERSION,
        "algorithm": run.name,
        "run_id": run.run_id,
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


_COMPACT = {"allow_nan": False, "separators": (",", ":")}


def dumps_in_pieces(value: Any, depth: int = 0) -> str:
    """``json.dumps(value, allow_nan=False, separators=(",", ":"))``, the same text, built from
    many small C calls instead of one.

    One ``json.dumps`` holds the GIL for its whole length: 20-50 ms for a long GA run's seed
    chains, which the app's window, drawing on the other thread, felt as a stall at every
    autosave. The top levels of dicts and every long list are joined here in Python, so the
    interpreter can switch threads between the pieces.
    """
    if isinstance(value, dict) and depth < 3 and all(isinstance(key, str) for key in value):
        return "{" + ",".join(f"{json.dumps(key)}:{dumps_in_pieces(item, depth + 1)}" for key, item in value.items()) + "}"
    if isinstance(value, list) and len(value) > 16:
        return "[" + ",".join(dumps_in_pieces(item, depth + 1) for item in value) + "]"
    return json.dumps(value, **_COMPACT)


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
    head = dumps_in_pieces(data)
    return f'{head[:-1]},"history":[{",".join(cache)}]}}'


# --- writing files -------------------------------------------------------------------------

_HOST_TAG = f"{zlib.crc32(socket.gethostname().encode()):08x}"
TEMPORARY_PATTERN = re.compile(r"\.(?P<name>.+)\.(?P<pid>\d+)-(?P<host>[0-9a-f]{8})\.[^.]+\.tmp")
# A temporary file of another host (a shared folder) is provably abandoned only when this old.
FOREIGN_TEMPORARY_AGE_S = 24 * 3600


def write_atomically(path: str | Path, text: str) -> None:
    """Write text so that a crash leaves either the old file or the new one, never a mix.

    The data goes to a temporary file in the same folder, named after this process (so another
    process can tell whose it is), is flushed to disk, then renamed over the target (rename is
    atomic within one file system). On failure the temporary file is removed.
    """
    target = Path(path)
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.{os.getpid()}-{_HOST_TAG}.", suffix=".tmp", dir=target.parent or ".")
    except OSError as error:
        # Name the file the user asked for, not our temporary one beside it.
        raise type(error)(error.errno, f"cannot write {target}: {error.strerror}") from None
    try:
        # mkstemp makes the file private (0600); the saved file gets the mode any other program's
        # new file would get, under the user's umask.
        os.chmod(temporary, 0o666 & ~_umask())
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


def _process_exists(pid: int) -> bool:
    if os.name == "nt":  # os.kill(pid, 0) would end the process there: assume it lives
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def remove_stale_temporaries(folder: str | Path, name: str) -> list[Path]:
    """Remove temporary files of ``name`` in ``folder`` left by this process or by a process
    that no longer exists (another host's only when a day old); returns what was removed.

    Files of live processes are left alone: they may be in the middle of a save."""
    removed = []
    for candidate in Path(folder).glob(f".{name}.*.tmp"):
        match = TEMPORARY_PATTERN.fullmatch(candidate.name)
        try:
            if match is None or match["host"] != _HOST_TAG:
                stale = time.time() - candidate.stat().st_mtime > FOREIGN_TEMPORARY_AGE_S
            else:
                pid = int(match["pid"])
                stale = pid == os.getpid() or not _process_exists(pid)
            if stale:
                candidate.unlink()
                removed.append(candidate)
        except FileNotFoundError:
            continue
    return removed


def _umask() -> int:
    """The process's umask, read without changing it where the system allows (Linux)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    # Elsewhere the only way is to set and restore it (a brief window other threads could see).
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def save_run(run: Any, path: str | Path) -> None:
    """Save a run atomically to ``path`` (a file, or a run folder: see ``run_file_path``)."""
    write_atomically(run_file_path(path), dumps_run(run))


RUN_FILE_NAME = "run.json"
GOAL_FILE_NAME = "goal.json"
LOCK_FILE_NAME = ".neatscope.lock"
OWNER_FILE_NAME = ".neatscope.lock.owner"


def run_file_path(path: str | Path) -> Path:
    """The run file of ``path``: the path itself, or ``run.json`` inside a run folder."""
    target = Path(path)
    return target / RUN_FILE_NAME if target.is_dir() else target


class Goal(NamedTuple):
    """What a run folder's run was asked to do (``goal.json``)."""

    total_generations: int
    stop_when_solved: bool
    run_id: str | None


class RunFolder:
    """A run folder held by this process: an advisory OS lock for the life of a run.

    ``with RunFolder(path) as folder:`` creates the folder if needed and locks it (another
    process trying the same gets ``RunFolderInUse`` naming this process); ``folder.autosave(run)``
    and ``folder.write_goal(...)`` write into it. Holding it again in the same process is fine
    (the lock counts), so ``autosave(run, path)`` works inside.

    Raises:
        RunFolderInUse: another process holds the folder.
        RunFileError: the folder cannot be created or locked (a file is in the way, no permission).
    """

    def __init__(self, path: str | Path, noun: str = "run folder"):
        self.path = Path(path)
        self.noun = noun
        self._lock: Any = None

    def __enter__(self) -> RunFolder:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    def acquire(self) -> None:
        """Create and lock the folder (see the class docstring)."""
        import filelock

        if self.path.exists() and not self.path.is_dir():
            raise RunFileError(f"{self.path} is a file, not a {self.noun}")
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            lock = filelock.FileLock(self.path / LOCK_FILE_NAME, timeout=0, is_singleton=True, thread_local=False)
            first = not lock.is_locked
            lock.acquire()
        except filelock.Timeout:
            pid, host = self._owner()
            who = f"process {pid}" if pid is not None else "another process"
            if host is not None and host != socket.gethostname():
                who += f" on {shown(host)[1:-1]}"
            raise RunFolderInUse(f"{self.noun} {self.path} is in use by {who}", pid) from None
        except OSError as error:
            raise RunFileError(f"cannot use {self.path} as a {self.noun}: {error.strerror or error}") from error
        self._lock = lock
        if first:
            # A note for the message another process gets; the lock itself is the OS's.
            note = json.dumps({"pid": os.getpid(), "host": socket.gethostname(), "since": time.time()})
            try:
                (self.path / OWNER_FILE_NAME).write_text(note, encoding="utf-8")
            except OSError:
                pass

    def release(self) -> None:
        """Unlock (the last release of this process removes the owner note)."""
        lock, self._lock = self._lock, None
        if lock is None:
            return
        last = getattr(lock, "lock_counter", 1) <= 1
        if last:
            (self.path / OWNER_FILE_NAME).unlink(missing_ok=True)
        lock.release()

    def owner_pid(self) -> int | None:
        """The process holding the folder, as its owner note says (None if unknown)."""
        return self._owner()[0]

    def _owner(self) -> tuple[int | None, str | None]:
        try:
            with (self.path / OWNER_FILE_NAME).open(encoding="utf-8", errors="replace") as stream:
                note = json.loads(stream.read(4096))
            pid, host = note.get("pid"), note.get("host")
        except (OSError, ValueError, AttributeError):
            return None, None
        return (pid if type(pid) is int else None), (host if isinstance(host, str) else None)

    def write_goal(self, total_generations: int, stop_when_solved: bool, run_id: str | None) -> None:
        """Record what the run is asked to do, so a resume can finish the job."""
        goal = {"total_generations": total_generations, "stop_when_solved": stop_when_solved, "run_id": run_id}
        write_atomically(self.path / GOAL_FILE_NAME, json.dumps(goal))

    def autosave(self, run: Any) -> Path:
        """Save the run as the folder's ``run.json`` (see ``autosave``)."""
        goal = read_goal(self.path)
        if goal is not None and goal.run_id is not None and goal.run_id != run.run_id:
            raise RunFileError(f"run folder {self.path} holds another run's goal (run {goal.run_id}); this run is {run.run_id}")
        remove_stale_temporaries(self.path, RUN_FILE_NAME)
        target = self.path / RUN_FILE_NAME
        write_atomically(target, dumps_run(run))
        return target


def autosave(run: Any, run_dir: str | Path) -> Path:
    """Save the run into its run folder, replacing the previous autosave atomically.

    Locks the folder while saving (already held for the run's life by ``RunFolder``, this only
    counts). A process killed mid-save leaves the previous ``run.json`` intact plus, at worst, a
    temporary file, which the next autosave removes.

    Raises:
        RunFolderInUse: another process holds the folder.
        RunFileError: the folder holds another run's goal.
        OSError: the save failed (disk full); the previous autosave is intact.
    """
    with RunFolder(run_dir) as folder:
        return folder.autosave(run)


def write_goal(run_dir: str | Path, total_generations: int, stop_when_solved: bool, run_id: str | None = None) -> None:
    """Record what the run in ``run_dir`` was asked to do, so a resume can finish the job."""
    with RunFolder(run_dir) as folder:
        folder.write_goal(total_generations, stop_when_solved, run_id)


def read_goal(run_dir: str | Path) -> Goal | None:
    """The goal of a run folder, or None when it has no goal file.

    Raises:
        RunFileError: the goal file exists but is not valid.
    """
    path = Path(run_dir) / GOAL_FILE_NAME
    if not path.is_file():
        return None
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise RunFileError(f"cannot read {path}: {error.strerror or error}") from error
    if len(raw) > 4096:
        raise RunFileError(f"{path}: not a goal file ({len(raw):,} bytes)")
    data = loads_guarded(raw, str(path))
    check_keys(data if isinstance(data, dict) else {}, {"total_generations", "stop_when_solved", "run_id"}, "goal")
    total = read_counter(data, "total_generations", "goal")
    stop = read_bool(data, "stop_when_solved", "goal")
    run_id = data.get("run_id")
    if run_id is not None:
        _check_run_id(read_str(data, "run_id", "goal"), "goal.run_id")
    return Goal(total, stop, run_id)


# --- reading -------------------------------------------------------------------------------


def _check_run_id(value: str, where: str) -> str:
    if not RUN_ID_PATTERN.fullmatch(value):
        raise RunFileError(f"{where}: {shown(value)} is not a run id (32 hex digits)")
    return value


def _upgrade_v1(data: dict[str, Any]) -> dict[str, Any]:
    """A version 1 (NEAT-only) run as version 2 data."""
    check_keys(data, V1_KEYS, "file")
    upgraded = {key: data[key] for key in ("task", "config", "seed_entropy", "rng_state", "generation", "evaluations") if key in data}
    upgraded.update(format=FILE_FORMAT, version=2, algorithm="neat", env_steps=0)
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
            if isinstance(report.get("best_fitness"), (int, float)) and not isinstance(report.get("best_fitness"), bool):
                best_so_far = max(best_so_far, report["best_fitness"])
            report.update(algorithm="neat", env_steps=0, best_fitness_ever=best_so_far)
            report.setdefault("solved_at_evaluation", None)
            report.setdefault("fault_examples", [])
            report.setdefault("timings", {})
            report["extras"] = {"species": report.pop("species", []), "compatibility_threshold": report.pop("compatibility_threshold", 0.0)}
            reports.append(report)
        upgraded["history"] = reports
    return upgraded


def _upgrade_v2(data: dict[str, Any]) -> dict[str, Any]:
    """A version 2 run as version 3 data (a fresh run id; new task parameters at their old meaning)."""
    check_keys(data, V2_KEYS, "file")
    upgraded = {**data, "version": 3, "run_id": new_run_id()}
    task = data.get("task")
    if isinstance(task, dict) and isinstance(task.get("name"), str) and task["name"] in TASK_DEFAULTS_BEFORE_V3:
        upgraded["task"] = {**TASK_DEFAULTS_BEFORE_V3[task["name"]], **task}
    return upgraded


def _upgrade_v3(data: dict[str, Any]) -> dict[str, Any]:
    """A version 3 run as version 4 data: species of NEAT and its kin gain their lineage, unknown
    then (parent -1), in the saved state and in every report."""
    upgraded = {**data, "version": 4}
    state = data.get("state")
    species = state.get("species") if isinstance(state, dict) else None
    if isinstance(species, dict) and isinstance(species.get("species"), list):
        entries = [{**entry, "parent": -1} if isinstance(entry, dict) and "parent" not in entry else entry for entry in species["species"]]
        upgraded["state"] = {**state, "species": {**species, "species": entries}}
    history = data.get("history")
    if isinstance(history, list):
        upgraded["history"] = [_report_with_species_parents(report) for report in history]
    return upgraded


def _upgrade_v4(data: dict[str, Any]) -> dict[str, Any]:
    """A version 4 run as version 5 data: the XOR task gains its fitness and success rules at
    their old meaning. Config keys added in format 5 (the paper's NEAT options: bias input,
    uniform weights, same-parent crossover, fitness sharing, stagnant share) take their legacy
    values, which keep the old behaviour, so the run continues exactly as before."""
    upgraded = {**data, "version": FORMAT_VERSION}
    task = data.get("task")
    if isinstance(task, dict) and isinstance(task.get("name"), str) and task["name"] in TASK_DEFAULTS_BEFORE_V5:
        upgraded["task"] = {**TASK_DEFAULTS_BEFORE_V5[task["name"]], **task}
    return upgraded


def _report_with_species_parents(report: Any) -> Any:
    extras = report.get("extras") if isinstance(report, dict) else None
    if not (isinstance(extras, dict) and isinstance(extras.get("species"), list)):
        return report
    species = [{**s, "parent_id": -1} if isinstance(s, dict) and "parent_id" not in s else s for s in extras["species"]]
    return {**report, "extras": {**extras, "species": species}}


def _same_json(a: Any, b: Any) -> bool:
    """Equal as JSON values (an int equals the float of the same value; a bool only a bool)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same_json(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same_json(x, y) for x, y in zip(a, b))
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    return type(a) is type(b) and a == b


def same_task_spec(task: Any, spec: dict, where: str = "task") -> None:
    """The task built from ``spec`` must describe itself with exactly ``spec`` (else the saved
    file would differ from the one read).

    Raises:
        RunFileError: naming the first field that differs.
    """
    rebuilt = task.spec()
    for key in sorted(set(rebuilt) | set(spec), key=str):
        if key not in spec:
            raise RunFileError(f"{where}: missing field '{key}'")
        if key not in rebuilt:
            raise RunFileError(f"{where}: unknown field {shown(key)}")
        if not _same_json(rebuilt[key], spec[key]):
            raise RunFileError(f"{where}.{key}: {shown(spec[key])} is not a value this task keeps (it would be saved as {shown(rebuilt[key])})")


def run_from_dict(
    data: Any, user_code: str | None = None, code_folder: str | None = None, expected_run_id: str | None = None, without_code: bool = False
) -> Any:
    """Rebuild a run from ``run_to_dict`` data, checking every field first.

    Args:
        data: parsed run file.
        user_code: the user's code the caller allows this run to import, exactly as the run
            names it (``UserCodeRequired.code.target``); None allows none.
        code_folder: where that code's module is looked up first (default: the current folder).
        expected_run_id: the run id the run folder's goal names, if any.
        without_code: return a run that needs a fitness function without it (its task cannot
            evaluate; ``run.task.loaded`` is False): enough to read its history and state.

    Raises:
        UserCodeRequired: the run is valid and needs the user's code (not allowed by ``user_code``).
        RunFileError: the data is not a valid run of a version this NEAT Scope reads, or
            ``user_code`` does not match what the run names.
    """
    if not isinstance(data, dict) or data.get("format") != FILE_FORMAT:
        raise RunFileError("not a NEAT Scope run file (missing format marker)")
    version = read_field(data, "version", int, "file")
    if version > FORMAT_VERSION:
        raise RunFileError(f"this run file was made by a newer NEAT Scope (format version {shown(version)}; this one reads up to {FORMAT_VERSION})")
    if version < 1:
        raise RunFileError(f"unknown run file version {version}")
    # Keys added to configs since format 2 may be missing from older files only.
    allow_legacy = version < FORMAT_VERSION
    if version == 1:
        data = _upgrade_v1(data)
    if data["version"] == 2:
        data = _upgrade_v2(data)
    if data["version"] == 3:
        data = _upgrade_v3(data)
    if data["version"] == 4:
        data = _upgrade_v4(data)
    check_exact_keys(data, RUN_KEYS, "file")
    try:
        cls = algorithm_class(read_field(data, "algorithm", str, "file"))
    except ValueError as error:
        raise RunFileError(f"file.algorithm: {error}") from error
    run_id = _check_run_id(read_str(data, "run_id", "file"), "file.run_id")
    if expected_run_id is not None and expected_run_id != run_id:
        raise RunFileError(f"the run folder's goal.json belongs to run {expected_run_id}, its run.json to run {run_id}: two runs were written into one folder")
    try:
        config = config_from_dict(cls.config_type, read_dict(data, "config", "file"), source="run file config", allow_legacy=allow_legacy)
    except ConfigError as error:
        raise RunFileError(str(error)) from error
    task_spec = read_dict(data, "task", "file")
    code = required_code(task_spec)
    if user_code is not None and (code is None or user_code != code.target):
        needs = f"its {code.kind} is {code.target}" if code is not None else f"it uses no code of yours (task {shown(task_spec.get('name'))})"
        raise RunFileError(f"this run cannot use {shown(user_code)}: {needs}")
    generation = read_counter(data, "generation", "file")
    evaluations = read_counter(data, "evaluations", "file")
    env_steps = read_counter(data, "env_steps", "file")
    seed_entropy = _seed_entropy(data)
    rng_state = read_rng_state(data, "rng_state", "file")
    history = _read_history(data, cls, generation, evaluations, env_steps)
    code_allowed = code is not None and user_code == code.target
    if code is not None and code.kind == "gymnasium environment" and not code_allowed:
        # Its interface is only known by importing the env's module: the rest is checked.
        raise _code_required(code, cls.name, generation)
    try:
        task = make_task(task_spec, load_code=code_allowed and code.kind != "fitness function", code_folder=code_folder)  # type: ignore[union-attr]
    except ValueError as error:
        raise RunFileError(f"task: {error}" if not str(error).startswith("task") else str(error)) from error
    try:
        same_task_spec(task, task_spec)
        run = cls.restore(
            config,
            task,
            seed_entropy=seed_entropy,
            rng_state=rng_state,
            generation=generation,
            evaluations=evaluations,
            env_steps=env_steps,
            history=history,
            state=read_dict(data, "state", "file"),
            run_id=run_id,
        )
        if code is not None and code.kind == "fitness function" and not (without_code and not code_allowed):
            if not code_allowed:
                raise _code_required(code, cls.name, generation)
            try:
                task.load_function(code_folder)
            except ValueError as error:
                raise RunFileError(f"task: {error}") from error
        return run
    except RunFileError:
        task.close()
        raise
    except ValueError as error:  # an algorithm refusing its task or state in its own words
        task.close()
        raise RunFileError(f"{cls.name}: {short(str(error))}") from None
    except BaseException:
        task.close()
        raise


def _code_required(code: UserCode, algorithm: str, generation: int) -> UserCodeRequired:
    option = "--fitness" if code.kind == "fitness function" else "--env"
    return UserCodeRequired(
        f"this run calls your {code.kind} {shown(code.target)}, which loading a file never imports; "
        f"name it to continue (neatscope resume RUN {option} {shown(code.target)[1:-1]})",
        code,
        algorithm,
        generation,
    )


def _read_history(data: dict, cls: type, generation: int, evaluations: int, env_steps: int) -> list[GenerationReport]:
    history = []
    for i, raw in enumerate(read_list(data, "history", "file")):
        report = GenerationReport.from_dict(raw, cls.extras_type, f"history[{i}]")
        if report.algorithm != cls.name:
            raise RunFileError(f"history[{i}].algorithm: {shown(report.algorithm)} in a run of {cls.name}")
        history.append(report)
    if len(history) != generation or any(r.generation != i for i, r in enumerate(history)):
        raise RunFileError(f"history: expected reports of generations 0 to {generation - 1}, one each")
    last = (history[-1].evaluations, history[-1].env_steps) if history else (0, 0)
    if last != (evaluations, env_steps):
        raise RunFileError(
            f"file.evaluations/env_steps: {evaluations}/{env_steps}, but the last report counts {last[0]}/{last[1]}"
        )
    return history


def _seed_entropy(data: dict) -> int:
    value = read_field(data, "seed_entropy", int, "file")
    # SeedSequence entropy is a non-negative integer of up to 128 bits when drawn fresh.
    if not 0 <= value < 2**256:
        raise RunFileError("file.seed_entropy: out of range (0 to 2**256)")
    return value


def loads_run(text: str | bytes, user_code: str | None = None, code_folder: str | None = None) -> Any:
    """Parse run JSON text; see ``run_from_dict``."""
    return run_from_dict(loads_guarded(text, "run file"), user_code, code_folder)


def read_run_bytes(path: str | Path) -> bytes:
    """The bytes of a run file (or a run folder's ``run.json``), size-checked.

    Raises:
        RunFileError: unreadable, empty or larger than any run file.
    """
    path = run_file_path(path)
    try:
        size = Path(path).stat().st_size
        if size > MAX_RUN_FILE_BYTES:
            raise RunFileError(f"{path} is {size / 2**20:,.0f} MB, larger than any run file ({MAX_RUN_FILE_BYTES // 2**20} MB at most)")
        if size == 0:
            raise RunFileError(f"{path} is empty")
        return Path(path).read_bytes()
    except OSError as error:
        raise RunFileError(f"cannot read {path}: {error.strerror or error}") from error


def load_run(path: str | Path, user_code: str | None = None, code_folder: str | None = None, *, without_code: bool = False) -> Any:
    """Read a run file, or a run folder's ``run.json`` (checked against its ``goal.json``).

    Args:
        path: a run file or a run folder.
        user_code: the user's code this run may import, exactly as it names it; see
            ``run_from_dict`` and ``UserCodeRequired``.
        code_folder: where that code's module is looked up first (default: the current folder).
        without_code: a run needing a fitness function comes back without it, to be read, not
            run (see ``run_from_dict``).

    Raises:
        UserCodeRequired: the run is valid but needs the user's code (``error.code.target``).
        RunFileError: unreadable, not JSON, not a run file, invalid anywhere, or ``user_code``
            is not what the run names.
    """
    folder = Path(path) if Path(path).is_dir() else None
    goal = read_goal(folder) if folder is not None else None
    # One copy in memory at a time: the bytes go once decoded, the text once parsed.
    where = str(run_file_path(path))
    text = decode_text(read_run_bytes(path), where)
    data = loads_guarded(text, where)
    del text
    return run_from_dict(data, user_code, code_folder, expected_run_id=goal.run_id if goal is not None else None, without_code=without_code)
