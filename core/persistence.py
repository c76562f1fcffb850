"""Save and load whole runs as versioned JSON (never pickle).

A run file holds everything ``Evolution`` needs to continue bit-identically: config, task,
seed entropy, RNG state, innovation history, counters, population, species and the report
history. Every field is checked while reading, before any run object exists, so a bad file
raises one ``RunFileError`` that says where it is wrong.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from core.config import ConfigError, config_from_dict
from core.engine import Evolution
from core.genome import ConnectionGene, Genome, NodeGene
from core.innovation import InnovationTracker
from core.reports import GenerationReport
from core.species import Species, SpeciesSet
from core.tasks import make_task

FILE_FORMAT = "neatscope-run"
FORMAT_VERSION = 1
# A population of 10,000 grown genomes is about 30 MB; anything far beyond is not ours.
MAX_RUN_FILE_BYTES = 512 * 1024 * 1024
RUN_KEYS = frozenset(
    {
        "format", "version", "task", "config", "seed_entropy", "rng_state", "generation", "evaluations",
        "next_genome_id", "innovation", "population", "species", "history",
    }
)  # fmt: skip
# Counters and ids beyond this are corrupt, not large: numpy and the arrays need int64.
MAX_COUNTER = 2**62


class RunFileError(ValueError):
    """A run file cannot be read: not JSON, wrong format or version, or an invalid field."""


def genome_to_dict(genome: Genome) -> dict[str, Any]:
    """A genome as plain JSON data."""
    return {
        "id": genome.genome_id,
        "fitness": genome.fitness,
        "nodes": [
            {"id": n.node_id, "kind": n.kind, "bias": n.bias, "response": n.response, "activation": n.activation, "aggregation": n.aggregation}
            for n in genome.nodes.values()
        ],
        "connections": [
            {"innovation": c.innovation, "in": c.in_node, "out": c.out_node, "weight": c.weight, "enabled": c.enabled}
            for c in genome.connections.values()
        ],
    }


def run_to_dict(evolution: Evolution, with_history: bool = True) -> dict[str, Any]:
    """The complete state of a run as plain JSON data."""
    population_ids = {g.genome_id for g in evolution.population}
    return {
        "format": FILE_FORMAT,
        "version": FORMAT_VERSION,
        "task": evolution.task.spec(),
        "config": evolution.config.to_dict(),
        "seed_entropy": evolution.seed_entropy,
        "rng_state": evolution.rng.bit_generator.state,
        "generation": evolution.generation,
        "evaluations": evolution.evaluations,
        "next_genome_id": evolution.next_genome_id,
        "innovation": evolution.tracker.to_dict(),
        "population": [genome_to_dict(g) for g in evolution.population],
        "species": {
            "next_species_id": evolution.species.next_species_id,
            "threshold": evolution.species.threshold,
            "species": [
                {
                    "id": s.species_id,
                    "created_generation": s.created_generation,
                    "best_fitness": s.best_fitness if math.isfinite(s.best_fitness) else None,
                    "last_improved": s.last_improved,
                    "representative": genome_to_dict(s.representative),
                    "members": [g.genome_id for g in s.members if g.genome_id in population_ids],
                }
                for s in evolution.species.species
            ],
        },
        **({"history": [report.to_dict() for report in evolution.history]} if with_history else {}),
    }


def dumps_run(evolution: Evolution) -> str:
    """The run as JSON text (strict JSON: no NaN or Infinity), equal to ``run_to_dict``.

    Reports never change once made, so each is serialised once and kept on the run
    (``Evolution.history_json``): an autosave then costs the population, not the whole history.
    """
    cache = evolution.history_json
    if len(cache) > len(evolution.history):
        cache.clear()
    for report in evolution.history[len(cache) :]:
        cache.append(json.dumps(report.to_dict(), allow_nan=False, separators=(",", ":")))
    data = run_to_dict(evolution, with_history=False)
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


def save_run(evolution: Evolution, path: str | Path) -> None:
    """Save a run atomically to ``path`` (a file, or a run folder: see ``run_file_path``)."""
    write_atomically(run_file_path(path), dumps_run(evolution))


RUN_FILE_NAME = "run.json"
GOAL_FILE_NAME = "goal.json"


def run_file_path(path: str | Path) -> Path:
    """The run file of ``path``: the path itself, or ``run.json`` inside a run folder."""
    target = Path(path)
    return target / RUN_FILE_NAME if target.is_dir() else target


def autosave(evolution: Evolution, run_dir: str | Path) -> Path:
    """Save the run into its run folder, replacing the previous autosave atomically.

    A process killed mid-save leaves the previous ``run.json`` intact plus, at worst, a
    temporary file, which the next autosave removes.
    """
    folder = Path(run_dir)
    folder.mkdir(parents=True, exist_ok=True)
    for leftover in folder.glob(f".{RUN_FILE_NAME}.*.tmp"):
        leftover.unlink(missing_ok=True)
    target = folder / RUN_FILE_NAME
    write_atomically(target, dumps_run(evolution))
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
    total = _counter(data, "total_generations", "goal")
    return total, _field(data, "stop_when_solved", bool, "goal")


# --- reading -------------------------------------------------------------------------------


def _field(data: Any, key: str, kind: type | tuple[type, ...], where: str) -> Any:
    if not isinstance(data, dict):
        raise RunFileError(f"{where}: expected an object, got {type(data).__name__}")
    if key not in data:
        raise RunFileError(f"{where}: missing field '{key}'")
    value = data[key]
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if isinstance(value, bool) and bool not in kinds:
        raise RunFileError(f"{where}.{key}: expected {'/'.join(k.__name__ for k in kinds)}, got a boolean")
    if not isinstance(value, kinds):
        raise RunFileError(f"{where}.{key}: expected {'/'.join(k.__name__ for k in kinds)}, got {type(value).__name__}")
    if isinstance(value, float) and not math.isfinite(value):
        raise RunFileError(f"{where}.{key}: must be finite")
    return value


def _counter(data: Any, key: str, where: str) -> int:
    value = _field(data, key, int, where)
    if not 0 <= value < MAX_COUNTER:
        raise RunFileError(f"{where}.{key}: {value} is out of range (0 to 2**62)")
    return value


def _number(data: Any, key: str, where: str) -> float:
    return float(_field(data, key, (int, float), where))


def _list(data: Any, key: str, where: str) -> list:
    return _field(data, key, list, where)


def genome_from_dict(data: Any, where: str) -> Genome:
    """Read and check one genome (node kinds and functions, unique ids, connection ends)."""
    from core.activations import ACTIVATIONS, AGGREGATIONS

    nodes: dict[int, NodeGene] = {}
    for i, raw in enumerate(_list(data, "nodes", where)):
        at = f"{where}.nodes[{i}]"
        node_id = _counter(raw, "id", at)
        kind = _field(raw, "kind", str, at)
        if kind not in ("input", "output", "hidden"):
            raise RunFileError(f"{at}.kind: unknown node kind {kind!r}")
        activation = _field(raw, "activation", str, at)
        if activation not in ACTIVATIONS:
            raise RunFileError(f"{at}.activation: unknown activation {activation!r}")
        aggregation = _field(raw, "aggregation", str, at)
        if aggregation not in AGGREGATIONS:
            raise RunFileError(f"{at}.aggregation: unknown aggregation {aggregation!r}")
        if node_id in nodes:
            raise RunFileError(f"{at}.id: duplicate node id {node_id}")
        nodes[node_id] = NodeGene(node_id, kind, _number(raw, "bias", at), _number(raw, "response", at), activation, aggregation)
    connections: dict[int, ConnectionGene] = {}
    pairs = set()
    for i, raw in enumerate(_list(data, "connections", where)):
        at = f"{where}.connections[{i}]"
        innovation = _counter(raw, "innovation", at)
        in_node = _counter(raw, "in", at)
        out_node = _counter(raw, "out", at)
        if innovation in connections:
            raise RunFileError(f"{at}.innovation: duplicate innovation number {innovation}")
        for end, node_id in (("in", in_node), ("out", out_node)):
            if node_id not in nodes:
                raise RunFileError(f"{at}.{end}: connection to missing node {node_id}")
        if nodes[out_node].kind == "input":
            raise RunFileError(f"{at}.out: connection into input node {out_node}")
        if (in_node, out_node) in pairs:
            raise RunFileError(f"{at}: duplicate connection {in_node} -> {out_node}")
        pairs.add((in_node, out_node))
        connections[innovation] = ConnectionGene(innovation, in_node, out_node, _number(raw, "weight", at), _field(raw, "enabled", bool, at))
    fitness = data.get("fitness")
    if fitness is not None and (isinstance(fitness, bool) or not isinstance(fitness, (int, float)) or not math.isfinite(fitness)):
        raise RunFileError(f"{where}.fitness: expected a finite number or null")
    return Genome(_counter(data, "id", where), nodes, connections, None if fitness is None else float(fitness))


def run_from_dict(data: Any) -> Evolution:
    """Rebuild a run from ``run_to_dict`` data, checking every field first.

    Raises:
        RunFileError: the data is not a valid run of a version this NEAT Scope reads.
    """
    if not isinstance(data, dict) or data.get("format") != FILE_FORMAT:
        raise RunFileError("not a NEAT Scope run file (missing format marker)")
    version = _field(data, "version", int, "file")
    if version > FORMAT_VERSION:
        raise RunFileError(f"this run file was made by a newer NEAT Scope (format version {version}; this one reads up to {FORMAT_VERSION})")
    if version < 1:
        raise RunFileError(f"unknown run file version {version}")
    unknown = sorted(set(data) - RUN_KEYS)
    if unknown:
        raise RunFileError(f"file: unknown field(s) {', '.join(repr(k) for k in unknown[:5])}")
    try:
        config = config_from_dict(_field(data, "config", dict, "file"), source="run file config")
    except ConfigError as error:
        raise RunFileError(str(error)) from error
    try:
        task = make_task(_field(data, "task", dict, "file"))
    except ValueError as error:
        raise RunFileError(f"task: {error}") from error

    population = [genome_from_dict(raw, f"population[{i}]") for i, raw in enumerate(_list(data, "population", "file"))]
    if len(population) == 0:
        raise RunFileError("population: empty")
    by_id = {}
    for genome in population:
        if genome.genome_id in by_id:
            raise RunFileError(f"population: duplicate genome id {genome.genome_id}")
        by_id[genome.genome_id] = genome
        inputs, outputs = len(genome.input_ids()), len(genome.output_ids())
        if (inputs, outputs) != (task.num_inputs, task.num_outputs):
            raise RunFileError(
                f"population: genome {genome.genome_id} has {inputs} inputs and {outputs} outputs; task {task.name} needs "
                f"{task.num_inputs} and {task.num_outputs}"
            )
        if config.population.feed_forward:
            _check_acyclic(genome)

    species_data = _field(data, "species", dict, "file")
    species_list = []
    placed: set[int] = set()
    for i, raw in enumerate(_list(species_data, "species", "species")):
        at = f"species.species[{i}]"
        members = []
        for member_id in _list(raw, "members", at):
            if isinstance(member_id, bool) or not isinstance(member_id, int) or member_id not in by_id:
                raise RunFileError(f"{at}.members: {member_id!r} is not a genome of the population")
            if member_id in placed:
                raise RunFileError(f"{at}.members: genome {member_id} is in two species")
            placed.add(member_id)
            members.append(by_id[member_id])
        best = raw.get("best_fitness") if isinstance(raw, dict) else None
        if best is not None and (isinstance(best, bool) or not isinstance(best, (int, float)) or not math.isfinite(best)):
            raise RunFileError(f"{at}.best_fitness: expected a finite number or null")
        species_list.append(
            Species(
                _field(raw, "id", int, at),
                _field(raw, "created_generation", int, at),
                genome_from_dict(_field(raw, "representative", dict, at), f"{at}.representative"),
                members,
                -math.inf if best is None else float(best),
                _field(raw, "last_improved", int, at),
            )
        )
    if placed != set(by_id):
        raise RunFileError(f"species: {len(set(by_id) - placed)} genomes belong to no species")
    species_set = SpeciesSet(species_list, _field(species_data, "next_species_id", int, "species"), _number(species_data, "threshold", "species"))

    innovation = _field(data, "innovation", dict, "file")
    try:
        tracker = InnovationTracker.from_dict(innovation)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise RunFileError(f"innovation: malformed ({error})") from error
    highest_node = max(n for g in population for n in g.nodes)
    highest_innovation = max((c for g in population for c in g.connections), default=-1)
    if tracker.next_node_id <= highest_node or tracker.next_innovation <= highest_innovation:
        raise RunFileError("innovation: counters are behind the ids used by the population")

    try:
        history = [GenerationReport.from_dict(r) for r in _list(data, "history", "file")]
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise RunFileError(f"history: malformed report ({error})") from error
    generation = _counter(data, "generation", "file")
    if [r.generation for r in history] != list(range(generation)):
        raise RunFileError(f"history: expected reports of generations 0 to {generation - 1}, one each")

    rng_state = _field(data, "rng_state", dict, "file")
    try:
        np.random.PCG64().state = rng_state
    except (KeyError, TypeError, ValueError, OverflowError) as error:
        raise RunFileError(f"rng_state: not a PCG64 state ({error})") from error
    evolution = Evolution.restore(
        config,
        task,
        seed_entropy=_seed_entropy(data),
        rng_state=rng_state,
        generation=generation,
        evaluations=_counter(data, "evaluations", "file"),
        tracker=tracker,
        population=population,
        species=species_set,
        next_genome_id=_counter(data, "next_genome_id", "file"),
        history=history,
    )
    return evolution


def _seed_entropy(data: dict) -> int:
    value = _field(data, "seed_entropy", int, "file")
    # SeedSequence entropy is a non-negative integer of up to 128 bits when drawn fresh.
    if not 0 <= value < 2**256:
        raise RunFileError("file.seed_entropy: out of range (0 to 2**256)")
    return value


def _check_acyclic(genome: Genome) -> None:
    from core.genome import creates_cycle

    seen: dict[int, ConnectionGene] = {}
    for innovation, conn in genome.connections.items():
        if creates_cycle(seen, conn.in_node, conn.out_node):
            raise RunFileError(f"genome {genome.genome_id}: connection {innovation} closes a cycle in a feed-forward run")
        seen[innovation] = conn


def loads_run(text: str) -> Evolution:
    """Parse run JSON text; see ``run_from_dict``."""
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as error:
        raise RunFileError(f"not valid JSON: {error}") from error
    except ValueError as error:  # e.g. an integer with more digits than Python converts
        raise RunFileError(f"not a usable JSON file: {error}") from error
    return run_from_dict(data)


def load_run(path: str | Path) -> Evolution:
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
