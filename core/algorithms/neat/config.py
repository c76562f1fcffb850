"""NEAT's configuration: frozen, validated sections read from ``resources/neat_default.toml``.

The machinery (validation, TOML overlay, schema for forms) is shared by every algorithm and
lives in ``core.runs.config``; this module declares NEAT's keys and their ranges.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.networks.activations import ACTIVATIONS, AGGREGATIONS, NODE_FUNCTIONS
from core.runs.config import (
    ConfigBase,
    ConfigError,
    bounded,
    choice,
    config_from_dict,
    plain,
    probability,
    resource_toml,
)
from core.runs.config import (
    load_config as _load_config,
)

DEFAULTS_RESOURCE = "neat_default.toml"


@dataclass(frozen=True, slots=True)
class PopulationConfig:
    """Population size and the shape genomes start with."""

    size: int = bounded(2, 1_000_000)
    initial_connection: str = choice("full", "none")
    feed_forward: bool = plain()


@dataclass(frozen=True, slots=True)
class NodeConfig:
    """Node genes: activation, aggregation, bias and response."""

    activation_default: str = choice(*ACTIVATIONS)
    activation_options: tuple[str, ...] = choice(*ACTIVATIONS)
    activation_mutate_prob: float = probability()
    aggregation_default: str = choice(*AGGREGATIONS)
    aggregation_options: tuple[str, ...] = choice(*AGGREGATIONS)
    aggregation_mutate_prob: float = probability()
    bias_init_mean: float = bounded(-1e6, 1e6)
    bias_init_stdev: float = bounded(0.0, 1e6)
    response_init: float = bounded(-1e6, 1e6)
    response_mutate_prob: float = probability()
    response_mutate_power: float = bounded(0.0, 1e6)
    # The paper's bias: one extra input node fixed at 1.0 whose links are connection genes.
    bias_input: bool = plain(legacy=False)
    # Empty: new hidden nodes get activation_default and aggregation_default (the paper).
    new_node_functions: tuple[str, ...] = choice(*NODE_FUNCTIONS, legacy=())


@dataclass(frozen=True, slots=True)
class WeightConfig:
    """Connection weight initialisation and mutation (paper: 80% of genomes, 90% perturb)."""

    init_stdev: float = bounded(0.0, 1e6)
    init_distribution: str = choice("gaussian", "uniform", legacy="gaussian")
    init_range: float = bounded(0.0, 1e6, legacy=1.0)
    mutate_prob: float = probability()
    perturb_prob: float = probability()
    perturb_power: float = bounded(0.0, 1e6)
    perturb_distribution: str = choice("gaussian", "uniform", legacy="gaussian")
    min: float = bounded(-1e6, 1e6)
    max: float = bounded(-1e6, 1e6)


@dataclass(frozen=True, slots=True)
class StructureConfig:
    """Structural mutation rates and innovation numbering."""

    add_node_prob: float = probability()
    add_connection_prob: float = probability()
    add_connection_attempts: int = bounded(1, 10_000)
    # "uniform": add-node splits any enabled link; "older": Stanley's C++ in genomes under 15 genes.
    split_choice: str = choice("uniform", "older", legacy="uniform")
    toggle_enable_prob: float = probability()
    innovation_scope: str = choice("generation", "run")


@dataclass(frozen=True, slots=True)
class CrossoverConfig:
    """Mating: how often, how disabled genes are inherited, interspecies rate."""

    crossover_prob: float = probability()
    disable_inherit_prob: float = probability()
    interspecies_prob: float = probability()
    mate_only_prob: float = probability()
    # What a crossover whose two parents are one genome does: "mutate" (Stanley's C++: the
    # mutation-only path) or "mate" (before the fix: mate the genome with itself).
    same_parent: str = choice("mutate", "mate", legacy="mate")


@dataclass(frozen=True, slots=True)
class SpeciationConfig:
    """Compatibility distance coefficients and threshold."""

    excess_coefficient: float = bounded(0.0, 1e6)
    disjoint_coefficient: float = bounded(0.0, 1e6)
    weight_coefficient: float = bounded(0.0, 1e6)
    threshold: float = bounded(1e-9, 1e6)
    normalize_min_genes: int = bounded(0, 1_000_000)
    target_species: int = bounded(0, 1_000_000)
    threshold_step: float = bounded(0.0, 1e6)
    threshold_min: float = bounded(1e-9, 1e6)
    method: str = choice("threshold", "kmedoids", legacy="threshold")
    clusters: int = bounded(1, 1_000_000, legacy=5)


@dataclass(frozen=True, slots=True)
class ReproductionConfig:
    """Selection, elitism and stagnation."""

    survival_threshold: float = bounded(1e-9, 1.0)
    elitism_min_members: int = bounded(1, 1_000_000)
    stagnation_generations: int = bounded(1, 1_000_000)
    stagnation_protected_species: int = bounded(0, 1_000_000)
    # 0: stagnant species get no offspring; > 0: their shares are multiplied by it (C++: 0.01).
    stagnant_share_factor: float = bounded(0.0, 1.0, legacy=0.0)
    # "shifted": mean of (fitness - population minimum); "raw": the paper's eq. 2, mean of raw
    # fitness (negative fitness counts as 0).
    fitness_sharing: str = choice("shifted", "raw", legacy="shifted")
    hall_of_fame: int = bounded(0, 1_000_000, legacy=0)
    extinction_prob: float = probability(legacy=0.0)


@dataclass(frozen=True, slots=True)
class NeatConfig(ConfigBase):
    """NEAT's whole configuration, one attribute per TOML section."""

    population: PopulationConfig
    nodes: NodeConfig
    weights: WeightConfig
    structure: StructureConfig
    crossover: CrossoverConfig
    speciation: SpeciationConfig
    reproduction: ReproductionConfig

    def __post_init__(self) -> None:
        if self.weights.min > self.weights.max:
            raise ConfigError(
                f"weights.min ({self.weights.min}) must not exceed weights.max ({self.weights.max})"
            )
        for section, default_key, options_key in (
            (self.nodes, "activation_default", "activation_options"),
            (self.nodes, "aggregation_default", "aggregation_options"),
        ):
            if not getattr(section, options_key):
                raise ConfigError(f"nodes.{options_key} must list at least one name")
            if getattr(section, default_key) not in getattr(section, options_key):
                raise ConfigError(
                    f"nodes.{default_key} = {getattr(section, default_key)!r} must be one of "
                    f"nodes.{options_key} {list(getattr(section, options_key))}"
                )


def default_config_dict() -> dict[str, dict[str, Any]]:
    """The shipped defaults as a nested dict."""
    return resource_toml(DEFAULTS_RESOURCE)


def default_config() -> NeatConfig:
    """The defaults shipped in ``resources/neat_default.toml`` (the paper's XOR settings)."""
    return config_from_dict(NeatConfig, default_config_dict(), source=DEFAULTS_RESOURCE)


def load_config(path: str | Path | None = None, overrides: dict[str, Any] | None = None) -> NeatConfig:
    """Read a TOML config, overlaying it on the defaults.

    Args:
        path: a TOML file listing only the keys it changes; None for the defaults alone.
        overrides: further nested ``{section: {key: value}}`` changes applied last.

    Raises:
        ConfigError: unreadable TOML, or an unknown, mistyped or out-of-range key.
    """
    return _load_config(NeatConfig, DEFAULTS_RESOURCE, path, overrides)


__all__ = ["ConfigError", "NeatConfig", "default_config", "default_config_dict", "load_config"]
