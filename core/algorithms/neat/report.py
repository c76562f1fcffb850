"""NEAT's part of a generation report: the species and the live compatibility threshold."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, ClassVar

from core.networks.snapshot import GenomeSnapshot, genome_snapshot_to_dict
from core.runs.fields import check_exact_keys, read_counter, read_dict, read_int, read_list, read_number
from core.runs.genome_json import snapshot_from_dict


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
    # The species this one split from (-1: founded in generation 0, or read from an older file).
    parent_id: int = -1


_SPECIES_FIELDS = tuple(f for f in dataclasses.fields(SpeciesSnapshot) if f.name != "best_genome")
_SPECIES_KEYS = tuple(f.name for f in dataclasses.fields(SpeciesSnapshot))


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
    def from_dict(cls, data: Any, where: str = "extras") -> NeatExtras:
        """Inverse of ``to_dict``, checking every field.

        Raises:
            RunFileError: naming the field that is missing, unknown or wrong.
        """
        check_exact_keys(data, ("species", "compatibility_threshold"), where)
        species = []
        for i, raw in enumerate(read_list(data, "species", where)):
            at = f"{where}.species[{i}]"
            check_exact_keys(raw, _SPECIES_KEYS, at)
            species.append(
                SpeciesSnapshot(
                    species_id=read_counter(raw, "species_id", at),
                    size=read_counter(raw, "size", at),
                    best_fitness=read_number(raw, "best_fitness", at),
                    mean_fitness=read_number(raw, "mean_fitness", at),
                    best_fitness_ever=read_number(raw, "best_fitness_ever", at),
                    age=read_counter(raw, "age", at),
                    stagnation=read_counter(raw, "stagnation", at),
                    adjusted_fitness_sum=read_number(raw, "adjusted_fitness_sum", at),
                    offspring=read_counter(raw, "offspring", at),
                    best_genome=snapshot_from_dict(read_dict(raw, "best_genome", at), f"{at}.best_genome"),
                    parent_id=read_int(raw, "parent_id", at, -1),
                )
            )
        return cls(tuple(species), read_number(data, "compatibility_threshold", where))
