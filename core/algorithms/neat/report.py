"""NEAT's part of a generation report: the species and the live compatibility threshold."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, ClassVar

from core.networks.snapshot import GenomeSnapshot, genome_snapshot_from_dict, genome_snapshot_to_dict


@dataclass(frozen=True, slots=True)
class SpeciesSnapshot:
    """One species at the end of a generation's evaluation."""

    species_id: int
    size: int
    best_fitness: float
    mean_fitness: float
    best_fitness_ever: float
    age: int
    stagnation: int
    adjusted_fitness_sum: float
    offspring: int
    best_genome: GenomeSnapshot


_SPECIES_FIELDS = tuple(f for f in dataclasses.fields(SpeciesSnapshot) if f.name != "best_genome")


@dataclass(frozen=True, slots=True)
class NeatExtras:
    """Species of the evaluated generation and the compatibility threshold they were formed with."""

    kind: ClassVar[str] = "neat"

    species: tuple[SpeciesSnapshot, ...]
    compatibility_threshold: float

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        return {
            "species": [
                {**{f.name: getattr(s, f.name) for f in _SPECIES_FIELDS}, "best_genome": genome_snapshot_to_dict(s.best_genome)}
                for s in self.species
            ],
            "compatibility_threshold": self.compatibility_threshold,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> NeatExtras:
        """Inverse of ``to_dict``."""
        return cls(
            tuple(SpeciesSnapshot(**{**s, "best_genome": genome_snapshot_from_dict(s["best_genome"])}) for s in data["species"]),
            float(data["compatibility_threshold"]),
        )
