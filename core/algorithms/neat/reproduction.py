"""Explicit fitness sharing, offspring allotment, stagnation and breeding (paper, section 3.3).

Adjusted fitness f'_i = f_i / |S| for a genome of species S; "every species is assigned a
potentially different number of offspring in proportion to the sum of adjusted fitnesses f'_i
of its member organisms" (p. 110).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from core.algorithms.neat.config import NeatConfig
from core.algorithms.neat.crossover import crossover
from core.algorithms.neat.innovation import InnovationTracker
from core.algorithms.neat.mutation import mutate
from core.algorithms.neat.species import Species
from core.networks.genome import Genome


@dataclass(frozen=True, slots=True)
class Allotment:
    """How one generation's offspring were shared out, per species id."""

    adjusted_fitness_sum: dict[int, float]
    offspring: dict[int, int]
    stagnant: frozenset[int]


def compute_spawn(adjusted_fitness_sums: Sequence[float], population_size: int) -> list[int]:
    """Offspring counts proportional to adjusted-fitness sums, adding up to the population size.

    Rounds by largest remainder (ties to the earlier species). All-zero sums share equally.

    Args:
        adjusted_fitness_sums: one non-negative sum per reproducing species.
        population_size: total offspring to hand out.

    Returns:
        One count per species, summing to ``population_size`` (or [] for no species).
    """
    count = len(adjusted_fitness_sums)
    if count == 0:
        return []
    total = math.fsum(adjusted_fitness_sums)
    if total > 0:
        quotas = [population_size * s / total for s in adjusted_fitness_sums]
    else:
        quotas = [population_size / count] * count
    spawn = [int(math.floor(q)) for q in quotas]
    leftover = population_size - sum(spawn)
    by_remainder = sorted(range(count), key=lambda i: (-(quotas[i] - spawn[i]), i))
    for i in by_remainder[:leftover]:
        spawn[i] += 1
    return spawn


def stagnant_species(species: Sequence[Species], generation: int, config: NeatConfig) -> frozenset[int]:
    """Ids of species that stop reproducing: best fitness flat for ``stagnation_generations``.

    The ``stagnation_protected_species`` best species (by best fitness ever) are exempt.
    """
    repro = config.reproduction
    ranked = sorted(species, key=lambda s: (-s.best_fitness, s.species_id))
    protected = {s.species_id for s in ranked[: repro.stagnation_protected_species]}
    return frozenset(
        s.species_id
        for s in species
        if generation - s.last_improved >= repro.stagnation_generations and s.species_id not in protected
    )


def allot_offspring(species: Sequence[Species], generation: int, config: NeatConfig) -> Allotment:
    """Share the next generation among species by explicit fitness sharing.

    ``reproduction.fitness_sharing = "shifted"``: fitnesses are shifted by the population
    minimum so that negative task scores share correctly; the sum of a species' adjusted
    fitnesses is then its mean shifted fitness. ``"raw"``: the paper's eq. 2, f_i / |S| summed
    over the species (negative fitness counts as 0, as Stanley's C++ floors it).
    A stagnant species gets nothing, or with ``stagnant_share_factor`` > 0 its sum times that
    factor (Stanley's C++ divides its fitness by 100).
    K-medoids clusters (Backprop NEAT's sub-populations) share equally and never stagnate.
    """
    repro = config.reproduction
    clustered = config.speciation.method == "kmedoids"
    stagnant = frozenset() if clustered else stagnant_species(species, generation, config)
    if repro.fitness_sharing == "raw":
        lowest = 0.0
        shared = {s.species_id: math.fsum(max(g.fitness, 0.0) for g in s.members) / len(s.members) for s in species}
    else:
        lowest = min(g.fitness for s in species for g in s.members)
        shared = {s.species_id: math.fsum(g.fitness - lowest for g in s.members) / len(s.members) for s in species}
    factor = repro.stagnant_share_factor
    sums = {
        species_id: total * factor if species_id in stagnant else total
        for species_id, total in shared.items()
        if species_id not in stagnant or factor > 0
    }
    counts = compute_spawn([1.0] * len(sums) if clustered else list(sums.values()), config.population.size)
    return Allotment(sums, dict(zip(sums, counts)), stagnant)


def _ranked(members: list[Genome]) -> list[Genome]:
    return sorted(members, key=lambda g: (-g.fitness, g.genome_id))


def _fitter_first(a: Genome, b: Genome) -> tuple[Genome, Genome]:
    """Order parents for crossover; equal fitness favours the smaller genome (fewer genes)."""
    if a.fitness != b.fitness:
        return (a, b) if a.fitness > b.fitness else (b, a)
    return (a, b) if len(a.connections) <= len(b.connections) else (b, a)


def reproduce(
    species: Sequence[Species],
    allotment: Allotment,
    config: NeatConfig,
    tracker: InnovationTracker,
    next_genome_id: int,
    rng: np.random.Generator,
    origin: dict[int, int] | None = None,
    paths: dict[int, str] | None = None,
) -> tuple[list[Genome], int]:
    """Breed the next generation.

    Per species: the champion of a species with at least ``elitism_min_members`` members is
    copied unchanged (paper: more than five); parents are the best ``survival_threshold`` share;
    ``crossover_prob`` of the other offspring come from crossover (rarely with another species'
    genome), the rest are mutated copies. Backprop NEAT's extinction (``extinction_prob``): the
    species whose best genome is worst breeds from the parents of the species whose best is
    best. Its hall of fame (``hall_of_fame``): the best genomes of the generation are copied
    into the next one unchanged, after the offspring, unless elitism already kept them.

    A crossover whose two parents are one genome (a pool of one parent, or the same genome
    drawn twice) takes the mutation-only path with ``crossover.same_parent = "mutate"``, as
    Stanley's C++ NEAT does; ``"mate"`` mates the genome with itself (the behaviour before the
    fix, kept for old run files).

    Args:
        origin: when given, filled with child genome id -> id of the species that bred it
            (what a species founded by that child split from).
        paths: when given, filled with child genome id -> how it was made: "elite",
            "crossover" (two different parents), "self-mate" (a genome mated with itself),
            "mutation" (a mutated copy) or "hall-of-fame".

    Returns:
        The new genomes and the next unused genome id.
    """
    repro, cross = config.reproduction, config.crossover
    ranked_by_species = {s.species_id: _ranked(s.members) for s in species}
    breeding = [s.species_id for s in species if allotment.offspring.get(s.species_id, 0) > 0]
    parent_source = {species_id: species_id for species_id in breeding}
    # Drawn only when extinction is on, so runs without it keep their random stream.
    if repro.extinction_prob > 0 and len(breeding) > 1 and rng.random() < repro.extinction_prob:
        by_best = sorted(breeding, key=lambda i: (ranked_by_species[i][0].fitness, -i))
        parent_source[by_best[0]] = by_best[-1]
    children: list[Genome] = []
    for species_id in breeding:
        members = ranked_by_species[species_id]
        quota = allotment.offspring[species_id]
        if len(members) >= repro.elitism_min_members:
            champion = members[0]
            children.append(champion.copy(champion.genome_id))
            if paths is not None:
                paths[champion.genome_id] = "elite"
            quota -= 1
        breeders = ranked_by_species[parent_source[species_id]]
        parents = breeders[: max(1, math.ceil(repro.survival_threshold * len(breeders)))]
        draws = rng.random((quota, 5)).tolist()
        self_mating = cross.same_parent == "mate"
        for breed_draw, first_draw, second_draw, foreign_draw, mate_only_draw in draws:
            first = parents[int(first_draw * len(parents))]
            second = None
            if breed_draw < cross.crossover_prob:
                if foreign_draw < cross.interspecies_prob and len(breeding) > 1:
                    others = [i for i in breeding if i != species_id]
                    foreign = ranked_by_species[others[int(second_draw * len(others))]]
                    second = foreign[0]
                else:
                    second = parents[int(second_draw * len(parents))]
                if second is first and not self_mating:
                    second = None
            if second is not None:
                fitter, other = _fitter_first(first, second)
                child = crossover(fitter, other, next_genome_id, config, rng)
                if mate_only_draw >= cross.mate_only_prob:
                    mutate(child, config, tracker, rng)
                path = "self-mate" if second is first else "crossover"
            else:
                child = first.copy(next_genome_id)
                mutate(child, config, tracker, rng)
                path = "mutation"
            if paths is not None:
                paths[child.genome_id] = path
            next_genome_id += 1
            children.append(child)
        if origin is not None:
            for child in children[len(children) - allotment.offspring[species_id] :]:
                origin[child.genome_id] = species_id
    if repro.hall_of_fame:
        kept = {child.genome_id for child in children}
        everyone = sorted((g for members in ranked_by_species.values() for g in members), key=lambda g: (-g.fitness, g.genome_id))
        for famous in everyone[: repro.hall_of_fame]:
            if famous.genome_id not in kept:
                children.append(famous.copy(famous.genome_id))
                if paths is not None:
                    paths[famous.genome_id] = "hall-of-fame"
                if origin is not None:
                    origin[famous.genome_id] = next(sid for sid, members in ranked_by_species.items() if famous in members)
    return children, next_genome_id
