"""Speciation by compatibility distance (Stanley & Miikkulainen 2002, section 3.3), or by
K-medoids clustering on the same distance (Backprop NEAT, backprop-neat-js ``ml/kmedoids.js``).

"Each existing species is represented by a random genome inside the species from the previous
generation. A given genome g in the current generation is placed in the first species in which
g is compatible with the representative genome of that species. If g is not compatible with
any existing species, a new species is created with g as its representative." (p. 110)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from core.algorithms.neat.compatibility import compatibility, distance_matrix
from core.algorithms.neat.config import SpeciationConfig
from core.networks.genome import Genome


@dataclass(slots=True)
class Species:
    """A niche of mutually compatible genomes.

    ``best_fitness`` is the best fitness any member ever reached; ``last_improved`` is the
    generation it last rose, which drives stagnation.
    """

    species_id: int
    created_generation: int
    representative: Genome
    members: list[Genome] = field(default_factory=list)
    best_fitness: float = -math.inf
    last_improved: int = 0
    # The species whose offspring founded this one (-1 for the first generation's species).
    parent_id: int = -1

    def update_fitness_record(self, generation: int) -> None:
        """Record this generation's best member fitness, for stagnation."""
        best = max(g.fitness for g in self.members if g.fitness is not None)
        if best > self.best_fitness:
            self.best_fitness = best
            self.last_improved = generation


@dataclass(slots=True)
class SpeciesSet:
    """All species of a run, in creation order, plus the id counter and the live threshold."""

    species: list[Species]
    next_species_id: int
    threshold: float

    def speciate(
        self, genomes: list[Genome], config: SpeciationConfig, generation: int, rng: np.random.Generator, origin: dict[int, int] | None = None
    ) -> None:
        """Place every genome in the first species whose representative is within the threshold.

        Representatives are random members of the previous generation; species left empty go
        extinct. With ``target_species`` > 0 the threshold then moves one step toward that count.
        ``origin`` (genome id -> breeding species id, from ``reproduce``) records which species
        a newly founded species split from.
        With ``method = "kmedoids"`` the genomes are clustered instead (``cluster``).
        """
        if config.method == "kmedoids":
            self.cluster(genomes, config, generation, rng, origin)
            return
        for species in self.species:
            if species.members:
                species.representative = species.members[int(rng.integers(len(species.members)))]
            species.members = []
        threshold = self.threshold
        existing = list(self.species)
        distances = distance_matrix(genomes, [s.representative for s in existing], config)
        compatible = distances < threshold
        if existing:
            first_match = np.where(compatible.any(axis=1), np.argmax(compatible, axis=1), -1).tolist()
        else:
            first_match = [-1] * len(genomes)
        founded: list[Species] = []
        for genome, match in zip(genomes, first_match):
            if match >= 0:
                existing[match].members.append(genome)
                continue
            # Species founded in this pass come after all existing ones, so only they remain.
            for species in founded:
                if compatibility(genome, species.representative, config).distance < threshold:
                    species.members.append(genome)
                    break
            else:
                parent = origin.get(genome.genome_id, -1) if origin else -1
                founded.append(Species(self.next_species_id, generation, genome, [genome], last_improved=generation, parent_id=parent))
                self.next_species_id += 1
        self.species.extend(founded)
        self.species = [s for s in self.species if s.members]
        if config.target_species:
            if len(self.species) < config.target_species:
                self.threshold = max(config.threshold_min, self.threshold - config.threshold_step)
            elif len(self.species) > config.target_species:
                self.threshold += config.threshold_step

    def cluster(
        self, genomes: list[Genome], config: SpeciationConfig, generation: int, rng: np.random.Generator, origin: dict[int, int] | None = None
    ) -> None:
        """Split the genomes into ``config.clusters`` species by K-medoids on the compatibility distance.

        Each cluster's medoid is its representative. Clusters inherit the id (and fitness record)
        of the previous species whose representative is nearest their medoid, nearest pairs
        first, so a species stays the same species from one generation to the next; the others
        found new species. Backprop NEAT re-clusters from scratch every generation and has no
        such continuity; only the ids and records depend on it, not the clustering.
        """
        distances = distance_matrix(genomes, genomes, config)
        medoids, assignment = k_medoids(distances, config.clusters, rng)
        medoid_genomes = [genomes[m] for m in medoids.tolist()]
        previous = list(self.species)
        matched: dict[int, Species] = {}
        if previous:
            to_previous = distance_matrix(medoid_genomes, [s.representative for s in previous], config)
            taken: set[int] = set()
            for flat in np.argsort(to_previous, axis=None, kind="stable").tolist():
                cluster, old = divmod(flat, len(previous))
                if cluster not in matched and old not in taken:
                    matched[cluster] = previous[old]
                    taken.add(old)
        species = []
        for cluster, medoid in enumerate(medoid_genomes):
            members = [genomes[i] for i in np.flatnonzero(assignment == cluster).tolist()]
            if cluster in matched:
                found = matched[cluster]
                found.representative, found.members = medoid, members
            else:
                parent = origin.get(medoid.genome_id, -1) if origin else -1
                found = Species(self.next_species_id, generation, medoid, members, last_improved=generation, parent_id=parent)
                self.next_species_id += 1
            species.append(found)
        self.species = sorted(species, key=lambda s: s.species_id)

    def species_of(self) -> dict[int, int]:
        """Map genome id -> species id."""
        return {g.genome_id: s.species_id for s in self.species for g in s.members}


# backprop-neat-js ml/kmedoids.js: maxTry = 100 sweeps of PAM's swap phase.
KMEDOIDS_MAX_SWEEPS = 100


def k_medoids(distances: np.ndarray, k: int, rng: np.random.Generator, max_sweeps: int = KMEDOIDS_MAX_SWEEPS) -> tuple[np.ndarray, np.ndarray]:
    """Partition around medoids as backprop-neat-js ``pam_partition`` does it.

    Start from ``k`` random medoids. A sweep tries, for each medoid in turn, swapping it with
    every non-medoid in turn and keeps a swap unless it raises the total distance of the points
    to their nearest medoid (ties are kept, as in the source). Sweeps repeat until one leaves the
    medoids unchanged, at most ``max_sweeps`` times.

    Args:
        distances: (n, n) symmetric distances with a zero diagonal.
        k: number of clusters (at most n are made).

    Returns:
        The medoids' indices (k,) and each point's cluster (n,), an index into the medoids; a
        point joins the first of its nearest medoids.
    """
    count = len(distances)
    k = min(k, count)
    order = rng.permutation(count)
    medoids, others = order[:k].copy(), order[k:].copy()
    for _ in range(max_sweeps):
        before = medoids.copy()
        for slot in range(k):
            rest = np.delete(medoids, slot)
            nearest_rest = distances[:, rest].min(axis=1) if len(rest) else np.full(count, np.inf)
            # Costs are row sums of the same shape for the current set and every candidate, so
            # equal costs compare equal (distances are symmetric: row c is column c).
            best = np.minimum(nearest_rest[None, :], distances[medoids[slot : slot + 1]]).sum(axis=1)[0]
            start = 0
            while start < len(others):
                # Rejected swaps change nothing, so all remaining candidates are costed at once
                # and the first one that is not worse is taken; the scan goes on after it.
                costs = np.minimum(nearest_rest[None, :], distances[others[start:]]).sum(axis=1)
                hits = np.flatnonzero(costs <= best)
                if not len(hits):
                    break
                position = start + int(hits[0])
                medoids[slot], others[position] = others[position], medoids[slot]
                best = costs[hits[0]]
                start = position + 1
        if np.array_equal(medoids, before):
            break
    assignment = np.argmin(distances[:, medoids], axis=1)
    assignment[medoids] = np.arange(k)
    return medoids, assignment
