"""Speciation by compatibility distance (Stanley & Miikkulainen 2002, section 3.3).

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

    def speciate(self, genomes: list[Genome], config: SpeciationConfig, generation: int, rng: np.random.Generator) -> None:
        """Place every genome in the first species whose representative is within the threshold.

        Representatives are random members of the previous generation; species left empty go
        extinct. With ``target_species`` > 0 the threshold then moves one step toward that count.
        """
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
                founded.append(Species(self.next_species_id, generation, genome, [genome], last_improved=generation))
                self.next_species_id += 1
        self.species.extend(founded)
        self.species = [s for s in self.species if s.members]
        if config.target_species:
            if len(self.species) < config.target_species:
                self.threshold = max(config.threshold_min, self.threshold - config.threshold_step)
            elif len(self.species) > config.target_species:
                self.threshold += config.threshold_step

    def species_of(self) -> dict[int, int]:
        """Map genome id -> species id."""
        return {g.genome_id: s.species_id for s in self.species for g in s.members}
