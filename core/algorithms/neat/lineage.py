"""Species lineage from a run's reports: which species split from which, when each was born
and went extinct, and an order that keeps relatives next to each other.

A species' parent is the species whose offspring founded it (``SpeciesSnapshot.parent_id``,
recorded by speciation). Ordering every species depth-first through this tree (children right
after their parent, oldest first) lets a stacked-area plot draw a family as one band of
neighbouring stripes, and gives the lineage tree its rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True, slots=True)
class SpeciesLife:
    """One species over the run.

    Attributes:
        species_id: its id.
        parent_id: the species it split from (-1 for a root: generation 0, or unknown).
        born: the first generation it was reported in.
        last: the last generation it was reported in.
        peak_size: its largest member count.
        extinct: whether it is missing from the latest report.
        member_generations: its member counts summed over its life (its weight in the run).
    """

    species_id: int
    parent_id: int
    born: int
    last: int
    peak_size: int
    extinct: bool
    member_generations: int = 0


def species_lives(history: Sequence[Any]) -> dict[int, SpeciesLife]:
    """Every species that appears in ``history`` (reports with ``species``), by id."""
    first: dict[int, int] = {}
    last: dict[int, int] = {}
    parent: dict[int, int] = {}
    peak: dict[int, int] = {}
    total: dict[int, int] = {}
    for report in history:
        for s in report.species:
            sid = s.species_id
            if sid not in first:
                first[sid] = report.generation
                parent[sid] = int(getattr(s, "parent_id", -1))
            last[sid] = report.generation
            peak[sid] = max(peak.get(sid, 0), s.size)
            total[sid] = total.get(sid, 0) + s.size
    final = history[-1].generation if history else -1
    return {
        sid: SpeciesLife(
            sid, parent[sid] if parent[sid] in first and parent[sid] != sid else -1, first[sid], last[sid], peak[sid], last[sid] != final, total[sid]
        )
        for sid in first
    }


def lineage_order(lives: dict[int, SpeciesLife]) -> list[int]:
    """Species ids depth-first through the lineage tree: roots by birth, each parent followed by
    its descendants (children by birth, then id). Stable as the run grows: a new species is
    inserted after its parent's existing descendants, never reordering older rows relative to
    each other."""
    children: dict[int, list[int]] = {}
    roots = []
    for sid, life in lives.items():
        if life.parent_id == -1:
            roots.append(sid)
        else:
            children.setdefault(life.parent_id, []).append(sid)
    by_birth = lambda sid: (lives[sid].born, sid)  # noqa: E731
    order: list[int] = []
    stack = sorted(roots, key=by_birth, reverse=True)
    while stack:
        sid = stack.pop()
        order.append(sid)
        stack.extend(sorted(children.get(sid, ()), key=by_birth, reverse=True))
    return order


def lineage_root(lives: dict[int, SpeciesLife], species_id: int) -> int:
    """The root species a species descends from."""
    seen = set()
    while lives[species_id].parent_id != -1 and species_id not in seen:
        seen.add(species_id)
        species_id = lives[species_id].parent_id
    return species_id


def lineage_depth(lives: dict[int, SpeciesLife], species_id: int) -> int:
    """How many splits separate a species from its root."""
    depth = 0
    while lives[species_id].parent_id != -1 and depth <= len(lives):
        species_id = lives[species_id].parent_id
        depth += 1
    return depth


def size_matrix(history: Sequence[Any], order: Sequence[int]) -> np.ndarray:
    """Member counts, shape (len(order), len(history)): row i is species ``order[i]``."""
    row = {sid: i for i, sid in enumerate(order)}
    sizes = np.zeros((len(order), len(history)))
    for g, report in enumerate(history):
        for s in report.species:
            if s.species_id in row:
                sizes[row[s.species_id], g] = s.size
    return sizes


def species_at(history: Sequence[Any], order: Sequence[int], generation_index: int, height: float) -> int | None:
    """The species whose band covers ``height`` (0 at the bottom) in a stacked-area plot drawn
    in ``order`` at report ``generation_index``; None outside every band."""
    if not 0 <= generation_index < len(history):
        return None
    sizes = {s.species_id: s.size for s in history[generation_index].species}
    top = 0.0
    for sid in order:
        top += sizes.get(sid, 0)
        if height < top:
            return sid if sizes.get(sid, 0) else None
    return None


def major_species(lives: dict[int, SpeciesLife], min_size: int, most: int | None = None) -> set[int]:
    """Species that ever had at least ``min_size`` members, at most the ``most`` weightiest
    (by member-generations; ties to the older species).

    A large population splits off many species each generation, most of them small or short
    lived; folding those into their nearest major ancestor keeps a plot of thousands of genomes
    readable.
    """
    candidates = [sid for sid, life in lives.items() if life.peak_size >= min_size]
    candidates.sort(key=lambda sid: (-lives[sid].member_generations, sid))
    return set(candidates if most is None else candidates[:most])


def major_ancestor(lives: dict[int, SpeciesLife], species_id: int, majors: set[int]) -> int:
    """The species itself when major, else its nearest major ancestor (-1 when it has none)."""
    seen = set()
    while species_id != -1 and species_id not in majors and species_id not in seen:
        seen.add(species_id)
        species_id = lives[species_id].parent_id
    return species_id if species_id in majors else -1
