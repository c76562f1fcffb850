"""Immutable per-generation reports: the only thing the GUI, the CLI and comparisons read from a run.

Every algorithm's ``step()`` returns a ``GenerationReport``: common fields (generation,
evaluations, env steps, fitness statistics, the champion as a drawable genome snapshot,
timings) plus ``extras``, the algorithm's own frozen record (NEAT: species; ES: sigma and
gradient norm; GA: the elite's seed chain). Everything is a frozen, slotted dataclass of tuples
and numbers, safe to hand to another thread. Timings are excluded from equality so that two runs
of the same seed compare equal.
"""

from __future__ import annotations

import dataclasses
import math
import types
import typing
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

from core.networks.snapshot import GenomeSnapshot, genome_snapshot_to_dict
from core.runs.fields import (
    MAX_COUNTER,
    RunFileError,
    check_exact_keys,
    check_int,
    check_number,
    check_value,
    read_bool,
    read_counter,
    read_dict,
    read_list,
    read_number,
    read_str,
    shown,
)
from core.runs.genome_json import snapshot_from_dict


class ReportExtras(Protocol):
    """An algorithm's own part of a report: a frozen dataclass that round-trips through JSON."""

    kind: ClassVar[str]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        ...

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ReportExtras:
        """Inverse of ``to_dict``."""
        ...


def _lists(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_lists(v) for v in value]
    return value


# Nested tuples in flat extras (e.g. the GA's seed chain) are at most this deep and long.
MAX_TUPLE_DEPTH = 3
MAX_TUPLE_ITEMS = 10_000_000


def _read_tuple(value: Any, where: str, depth: int = 1) -> tuple:
    """A JSON array of numbers, strings, booleans and nested arrays (at most ``MAX_TUPLE_DEPTH``
    deep) as nested tuples; every float finite, every integer within ±2**62."""
    check_value(value, list, where)
    if len(value) > MAX_TUPLE_ITEMS:
        raise RunFileError(f"{where}: {len(value):,} items, at most {MAX_TUPLE_ITEMS:,} expected")
    items = []
    for i, item in enumerate(value):
        at = f"{where}[{i}]"
        if isinstance(item, list):
            if depth >= MAX_TUPLE_DEPTH:
                raise RunFileError(f"{at}: nested more than {MAX_TUPLE_DEPTH} deep")
            items.append(_read_tuple(item, at, depth + 1))
        elif isinstance(item, bool) or isinstance(item, str):
            items.append(item)
        elif isinstance(item, int):
            items.append(check_int(item, at, -MAX_COUNTER, MAX_COUNTER - 1))
        elif isinstance(item, float):
            items.append(check_number(item, at))
        else:
            raise RunFileError(f"{at}: expected a number, string or array, got {type(item).__name__}")
    return tuple(items)


def read_typed(value: Any, annotation: Any, where: str) -> Any:
    """A value of a flat extras field, checked against the field's annotation: ``int`` (-1 to
    2**62 - 1: ids, or -1 for none yet), ``float`` (finite), ``bool``, ``str``, ``tuple``, or any
    of them ``| None``."""
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        options = [a for a in typing.get_args(annotation) if a is not type(None)]
        if value is None:
            return None
        annotation = options[0]
    if annotation is int:
        return check_int(value, where, -1)
    if annotation is float:
        return check_number(value, where)
    if annotation is bool or annotation is str:
        return check_value(value, annotation, where)
    if typing.get_origin(annotation) is tuple and typing.get_args(annotation) in ((float, Ellipsis), (int, Ellipsis)):
        item = typing.get_args(annotation)[0]
        check_value(value, list, where)
        return tuple(read_typed(v, item, f"{where}[{i}]") if item is float else check_int(v, f"{where}[{i}]", -1) for i, v in enumerate(value))
    if annotation is tuple or typing.get_origin(annotation) is tuple:
        return _read_tuple(value, where)
    raise TypeError(f"{where}: no reader for fields of type {annotation}")


class FlatExtras:
    """Mixin for extras made only of numbers, strings and (nested) tuples of them."""

    __slots__ = ()

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data; tuples become lists."""
        return {f.name: _lists(getattr(self, f.name)) for f in dataclasses.fields(self)}  # type: ignore[arg-type]

    @classmethod
    def from_dict(cls, data: dict[str, Any], where: str = "extras"):
        """Inverse of ``to_dict``: every field present and of its annotated type; lists become tuples again.

        Raises:
            RunFileError: naming the field that is missing, unknown or wrong.
        """
        fields = dataclasses.fields(cls)  # type: ignore[arg-type]
        check_exact_keys(data, tuple(f.name for f in fields), where)
        hints = typing.get_type_hints(cls)
        return cls(**{f.name: read_typed(data[f.name], hints[f.name], f"{where}.{f.name}") for f in fields})


@dataclass(frozen=True, slots=True)
class GenerationReport:
    """Everything observable about one evaluated generation, for any algorithm.

    ``solved`` means the generation's best reached the task's fitness threshold;
    ``criterion_met`` means some genome met the task's own success test (for XOR the paper's:
    every output on the right side of 0.5). ``best_fitness_ever`` is the best fitness seen in
    the run so far (the best-so-far curve comparisons draw). ``env_steps`` counts real
    environment steps (ended episodes excluded), 0 for tasks without an environment.
    ``solved_at_evaluation`` counts evaluations the paper's way when this generation solved the
    task: all earlier generations plus the first solving genome's place in this one.
    """

    algorithm: str
    generation: int
    evaluations: int
    env_steps: int
    best_fitness: float
    mean_fitness: float
    stdev_fitness: float
    best_fitness_ever: float
    champion: GenomeSnapshot
    mean_nodes: float
    mean_connections: float
    solved: bool
    criterion_met: bool
    fitness_faults: int
    fault_examples: tuple[str, ...] = ()
    solved_at_evaluation: int | None = None
    extras: Any = None
    timings: tuple[tuple[str, float], ...] = field(default=(), compare=False)

    @property
    def species(self) -> tuple:
        """The species snapshots of a speciated algorithm (NEAT and its kin), else ()."""
        return getattr(self.extras, "species", ())

    @property
    def compatibility_threshold(self) -> float:
        """NEAT's live compatibility threshold; NaN for algorithms without speciation."""
        return getattr(self.extras, "compatibility_threshold", math.nan)

    def with_timings(self, timings: dict[str, float]) -> GenerationReport:
        """The same report with these wall timings (seconds by phase)."""
        return dataclasses.replace(self, timings=tuple(timings.items()))

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (the same as ``dataclasses.asdict``, written out because
        autosaves serialise the whole history and ``asdict`` deep-copies every leaf)."""
        data = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        data["champion"] = genome_snapshot_to_dict(self.champion)
        data["fault_examples"] = list(self.fault_examples)
        data["extras"] = None if self.extras is None else self.extras.to_dict()
        data["timings"] = dict(self.timings)
        return data

    @classmethod
    def from_dict(cls, data: Any, extras_type: type | None = None, where: str = "report") -> GenerationReport:
        """Inverse of ``to_dict``, checking every field; ``extras_type`` reads the algorithm's extras.

        Raises:
            RunFileError: naming the field that is missing, unknown or wrong.
        """
        check_exact_keys(data, REPORT_KEYS, where)
        extras = data["extras"]
        if extras is not None and extras_type is None:
            raise RunFileError(f"{where}.extras: this algorithm's reports have no extras")
        if extras is None and extras_type is not None:
            raise RunFileError(f"{where}.extras: expected an object, got null")
        timings = read_dict(data, "timings", where)
        for key, value in timings.items():
            check_number(value, f"{where}.timings[{shown(key)}]", 0.0)
        fault_examples = read_list(data, "fault_examples", where)
        for i, message in enumerate(fault_examples):
            check_value(message, str, f"{where}.fault_examples[{i}]")
        solved_at = data["solved_at_evaluation"]
        return cls(
            algorithm=read_str(data, "algorithm", where),
            generation=read_counter(data, "generation", where),
            evaluations=read_counter(data, "evaluations", where),
            env_steps=read_counter(data, "env_steps", where),
            best_fitness=read_number(data, "best_fitness", where),
            mean_fitness=read_number(data, "mean_fitness", where),
            stdev_fitness=read_number(data, "stdev_fitness", where, 0.0),
            best_fitness_ever=read_number(data, "best_fitness_ever", where),
            champion=snapshot_from_dict(read_dict(data, "champion", where), f"{where}.champion"),
            mean_nodes=read_number(data, "mean_nodes", where, 0.0),
            mean_connections=read_number(data, "mean_connections", where, 0.0),
            solved=read_bool(data, "solved", where),
            criterion_met=read_bool(data, "criterion_met", where),
            fitness_faults=read_counter(data, "fitness_faults", where),
            fault_examples=tuple(fault_examples),
            solved_at_evaluation=None if solved_at is None else read_counter(data, "solved_at_evaluation", where),
            extras=None if extras is None else extras_type.from_dict(read_dict(data, "extras", where), f"{where}.extras"),  # type: ignore[union-attr]
            timings=tuple(timings.items()),
        )


REPORT_KEYS = tuple(f.name for f in dataclasses.fields(GenerationReport))
