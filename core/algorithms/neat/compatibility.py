"""Gene alignment and the compatibility distance delta (Stanley & Miikkulainen 2002, eq. 1).

delta = c1 * E / N + c2 * D / N + c3 * W_bar, where E counts excess genes, D disjoint genes,
W_bar is the mean weight difference of matching genes (disabled ones included) and N the gene
count of the larger genome, set to 1 when both have fewer than 20 genes (p. 110).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.algorithms.neat.config import SpeciationConfig
from core.networks.genome import Genome


@dataclass(frozen=True, slots=True)
class GeneAlignment:
    """Innovation numbers of two genomes sorted into matching, disjoint and excess (fig. 4)."""

    matching: tuple[int, ...]
    disjoint_a: tuple[int, ...]
    disjoint_b: tuple[int, ...]
    excess_a: tuple[int, ...]
    excess_b: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Compatibility:
    """The parts of delta, kept apart so they can be shown and checked one by one."""

    excess: int
    disjoint: int
    matching: int
    mean_weight_difference: float
    normalizer: int
    excess_term: float
    disjoint_term: float
    weight_term: float

    @property
    def distance(self) -> float:
        """delta = c1*E/N + c2*D/N + c3*W_bar."""
        return self.excess_term + self.disjoint_term + self.weight_term


def align(a: Genome, b: Genome) -> GeneAlignment:
    """Line up two genomes' connection genes by innovation number.

    Genes of one genome past the other's highest innovation number are excess; the other
    non-matching genes are disjoint.
    """
    keys_a, keys_b = a.connections.keys(), b.connections.keys()
    max_a = max(keys_a, default=-1)
    max_b = max(keys_b, default=-1)
    only_a = sorted(keys_a - keys_b)
    only_b = sorted(keys_b - keys_a)
    return GeneAlignment(
        matching=tuple(sorted(keys_a & keys_b)),
        disjoint_a=tuple(k for k in only_a if k <= max_b),
        disjoint_b=tuple(k for k in only_b if k <= max_a),
        excess_a=tuple(k for k in only_a if k > max_b),
        excess_b=tuple(k for k in only_b if k > max_a),
    )


def compatibility(a: Genome, b: Genome, config: SpeciationConfig) -> Compatibility:
    """Compatibility distance between two genomes, with its breakdown.

    This runs for every genome against species representatives each generation, so it counts
    with set operations instead of building the full ``align`` lists.
    """
    conns_a, conns_b = a.connections, b.connections
    matching_keys = conns_a.keys() & conns_b.keys()
    matching = len(matching_keys)
    max_a = max(conns_a, default=-1)
    max_b = max(conns_b, default=-1)
    if max_a > max_b:
        excess = sum(1 for k in conns_a if k > max_b)
    else:
        excess = sum(1 for k in conns_b if k > max_a)
    disjoint = len(conns_a) + len(conns_b) - 2 * matching - excess
    mean_weight_difference = (
        sum(abs(conns_a[k].weight - conns_b[k].weight) for k in matching_keys) / matching if matching else 0.0
    )
    larger = max(len(conns_a), len(conns_b))
    normalizer = 1 if larger < config.normalize_min_genes else larger
    return Compatibility(
        excess=excess,
        disjoint=disjoint,
        matching=matching,
        mean_weight_difference=mean_weight_difference,
        normalizer=normalizer,
        excess_term=config.excess_coefficient * excess / normalizer,
        disjoint_term=config.disjoint_coefficient * disjoint / normalizer,
        weight_term=config.weight_coefficient * mean_weight_difference,
    )


# Bounds the (representatives x genes) temporaries of distance_matrix to about 32 MB each.
_MAX_BLOCK_ELEMENTS = 4_000_000


def distance_matrix(genomes: list[Genome], representatives: list[Genome], config: SpeciationConfig) -> np.ndarray:
    """Compatibility distance of every genome to every representative, shape (P, R).

    The same formula as ``compatibility`` computed with numpy over the population's
    concatenated genes, because speciation needs P x R distances every generation.
    """
    population = len(genomes)
    if population == 0 or not representatives:
        return np.zeros((population, len(representatives)))
    gene_counts = [len(g.connections) for g in genomes]
    innovations = np.fromiter((k for g in genomes for k in g.connections), dtype=np.intp, count=sum(gene_counts))
    weights = np.fromiter(
        (c.weight for g in genomes for c in g.connections.values()), dtype=np.float64, count=len(innovations)
    )
    owner = np.repeat(np.arange(population), gene_counts)
    genome_len = np.array(gene_counts)
    genome_max = np.full(population, -1, dtype=np.intp)
    np.maximum.at(genome_max, owner, innovations)

    width = 1 + max(int(innovations.max(initial=-1)), max((max(r.connections, default=-1) for r in representatives)))
    block = max(1, _MAX_BLOCK_ELEMENTS // max(1, len(innovations), width))
    columns = []
    for start in range(0, len(representatives), block):
        reps = representatives[start : start + block]
        count = len(reps)
        rep_weight = np.zeros((count, width))
        rep_has = np.zeros((count, width), dtype=bool)
        for row, rep in enumerate(reps):
            keys = np.fromiter(rep.connections, dtype=np.intp, count=len(rep.connections))
            rep_has[row, keys] = True
            rep_weight[row, keys] = [c.weight for c in rep.connections.values()]
        rep_len = rep_has.sum(axis=1)
        rep_max = np.where(rep_len > 0, width - 1 - np.argmax(rep_has[:, ::-1], axis=1), -1)
        rep_cumulative = np.concatenate([np.zeros((count, 1), dtype=np.intp), np.cumsum(rep_has, axis=1)], axis=1)

        matched = rep_has[:, innovations]  # (R, G)
        differences = np.abs(weights[None, :] - rep_weight[:, innovations]) * matched
        bins = (np.arange(count)[:, None] * population + owner[None, :]).ravel()
        matching = np.bincount(bins, weights=matched.ravel(), minlength=count * population).reshape(count, population)
        weight_sum = np.bincount(bins, weights=differences.ravel(), minlength=count * population).reshape(count, population)
        genome_beyond = np.bincount(
            bins, weights=(innovations[None, :] > rep_max[:, None]).ravel(), minlength=count * population
        ).reshape(count, population)
        # Only one side can have genes past the other's maximum, so excess is the sum of both.
        rep_beyond = rep_len[:, None] - rep_cumulative[:, genome_max + 1]
        excess = genome_beyond + rep_beyond
        disjoint = genome_len[None, :] + rep_len[:, None] - 2 * matching - excess
        larger = np.maximum(genome_len[None, :], rep_len[:, None])
        normalizer = np.where(larger < config.normalize_min_genes, 1, larger)
        mean_difference = np.divide(weight_sum, matching, out=np.zeros_like(weight_sum), where=matching > 0)
        columns.append(
            (
                config.excess_coefficient * excess / normalizer
                + config.disjoint_coefficient * disjoint / normalizer
                + config.weight_coefficient * mean_difference
            ).T
        )
    return np.concatenate(columns, axis=1)
