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
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

from core.networks.snapshot import GenomeSnapshot, genome_snapshot_from_dict, genome_snapshot_to_dict


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


def _tuples(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_tuples(v) for v in value)
    return value


def _lists(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_lists(v) for v in value]
    return value


class FlatExtras:
    """Mixin for extras made only of numbers, strings and (nested) tuples of them."""

    __slots__ = ()

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data; tuples become lists."""
        return {f.name: _lists(getattr(self, f.name)) for f in dataclasses.fields(self)}  # type: ignore[arg-type]

    @classmethod
    def from_dict(cls, data: dict[str, Any]):
        """Inverse of ``to_dict``; lists become tuples again."""
        return cls(**{k: _tuples(v) for k, v in data.items()})


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
    def from_dict(cls, data: dict[str, Any], extras_type: type | None = None) -> GenerationReport:
        """Inverse of ``to_dict``; ``extras_type`` reads the algorithm's extras."""
        values = dict(data)
        values["champion"] = genome_snapshot_from_dict(data["champion"])
        extras = data.get("extras")
        if extras is not None and extras_type is None:
            raise ValueError("this report has extras but no type was given to read them")
        values["extras"] = None if extras is None else extras_type.from_dict(extras)  # type: ignore[union-attr]
        values["timings"] = tuple((str(k), float(v)) for k, v in data.get("timings", {}).items())
        values["fault_examples"] = tuple(str(m) for m in data.get("fault_examples", ()))
        return cls(**values)
