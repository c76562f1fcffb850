"""The algorithms NEAT Scope knows, by the name the CLI, run files and the app use.

Classes are imported on first use, so ``neatscope run xor`` never loads the baselines. The
table is fixed in code: a run file names an algorithm by key, and loading one never imports
anything the file itself names.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class AlgorithmEntry:
    """Where an algorithm lives and how to describe it in one line."""

    name: str
    module: str
    class_name: str
    summary: str


ALGORITHMS: dict[str, AlgorithmEntry] = {
    entry.name: entry
    for entry in (
        AlgorithmEntry("neat", "core.algorithms.neat.evolution", "Neat", "NEAT: evolves topology and weights (Stanley & Miikkulainen 2002)"),
        AlgorithmEntry("ga", "core.algorithms.weight_ga", "WeightGA", "Deep-GA: truncation selection on a fixed MLP, seed-chain genomes (Such et al. 2017)"),
        AlgorithmEntry("es", "core.algorithms.openai_es", "OpenAIES", "OpenAI-ES: mirrored sampling, centered ranks, Adam (Salimans et al. 2017)"),
        AlgorithmEntry("random", "core.algorithms.random_search", "RandomSearch", "Random search: fresh random weights for a fixed MLP every generation"),
        AlgorithmEntry(
            "backprop-neat", "core.algorithms.backprop_neat", "BackpropNeat", "Backprop NEAT: NEAT topologies, weights trained by backprop (Ha 2016)"
        ),
        AlgorithmEntry("hyperneat", "core.algorithms.hyperneat.evolution", "HyperNeat", "HyperNEAT: NEAT evolves CPPNs that paint a substrate's weights (Stanley et al. 2009)"),
        AlgorithmEntry("arch-ga", "core.algorithms.arch_search", "ArchGA", "Architecture GA: tournament search over MLP layers and hyperparameters (Design by Evolution)"),
        AlgorithmEntry("arch-random", "core.algorithms.arch_search", "ArchRandom", "Architecture random search: fresh random MLP recipes every generation"),
        AlgorithmEntry("es-hyperneat", "core.algorithms.hyperneat.evolution", "EsHyperNeat", "ES-HyperNEAT: the CPPN also places hidden neurons, by quadtree (Risi & Stanley 2012)"),
    )
}


def algorithm_names() -> tuple[str, ...]:
    """Every algorithm name, in the order the CLI and app list them."""
    return tuple(ALGORITHMS)


def algorithm_class(name: str) -> type:
    """The class of a named algorithm.

    Raises:
        ValueError: unknown name.
    """
    entry = ALGORITHMS.get(name) if isinstance(name, str) else None
    if entry is None:
        from core.runs.fields import shown

        raise ValueError(f"unknown algorithm {shown(name)}; known: {', '.join(ALGORITHMS)}")
    return getattr(importlib.import_module(entry.module), entry.class_name)
