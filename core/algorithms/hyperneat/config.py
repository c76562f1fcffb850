"""HyperNEAT's and ES-HyperNEAT's configuration: NEAT's sections for the CPPNs plus the substrate,
the CPPN interface with the expression rule, and ES-HyperNEAT's quadtree settings.

Defaults live in ``resources/hyperneat_default.toml`` and ``resources/es_hyperneat_default.toml``
(every key documented there); constants follow ``shared/specs/hyperneat.md``.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.algorithms.neat.config import NeatConfig
from core.networks.activations import ACTIVATIONS
from core.runs.config import ConfigError, bounded, choice, plain

LAYOUTS = ("auto", "line", "grid", "custom")
LINK_CLASSES = ("input-hidden", "hidden-hidden", "hidden-output", "input-output")


@dataclass(frozen=True, slots=True)
class SubstrateConfig:
    """Where the substrate's neurons sit and which sheets may connect."""

    input_layout: str = choice(*LAYOUTS)
    input_coordinates: tuple[float, ...] = bounded(-1e6, 1e6)
    output_layout: str = choice(*LAYOUTS)
    output_coordinates: tuple[float, ...] = bounded(-1e6, 1e6)
    hidden_sheets: tuple[int, ...] = bounded(1, 100_000)
    hidden_layout: str = choice("line", "grid", "custom")
    hidden_coordinates: tuple[float, ...] = bounded(-1e6, 1e6)
    links: tuple[str, ...] = choice(*LINK_CLASSES)
    hidden_activation: str = choice(*ACTIVATIONS)
    output_activation: str = choice(*ACTIVATIONS)


@dataclass(frozen=True, slots=True)
class HyperNeatSection:
    """The CPPN's inputs and outputs and how its weight output becomes a link."""

    distance_input: bool = plain()
    delta_inputs: bool = plain()
    leo: bool = plain()
    bias_output: bool = plain()
    weight_threshold: float = bounded(0.0, 0.99)
    max_weight: float = bounded(1e-9, 1e6)


@dataclass(frozen=True, slots=True)
class EsSection:
    """ES-HyperNEAT's quadtree: depths, variance, division and band thresholds, iterations."""

    initial_depth: int = bounded(1, 5)
    max_depth: int = bounded(1, 5)
    division_threshold: float = bounded(0.0, 1e6)
    variance_threshold: float = bounded(0.0, 1e6)
    band_threshold: float = bounded(0.0, 1e6)
    iteration_level: int = bounded(0, 10)


def _check_substrate(config: NeatConfig, substrate: SubstrateConfig) -> None:
    if config.nodes.bias_input:
        raise ConfigError("nodes.bias_input must be false for HyperNEAT: the CPPN's inputs hold its own bias input")
    if not config.population.feed_forward:
        raise ConfigError("population.feed_forward must be true: a CPPN is queried once per coordinate pair")
    for key in ("input_coordinates", "output_coordinates", "hidden_coordinates"):
        if len(getattr(substrate, key)) % 2:
            raise ConfigError(f"substrate.{key} must list x, y pairs (an even count of numbers)")
    if not substrate.links:
        raise ConfigError("substrate.links must name at least one link class")


@dataclass(frozen=True, slots=True)
class HyperNeatConfig(NeatConfig):
    """NEAT's sections (they evolve the CPPNs) plus [substrate] and [hyperneat]."""

    substrate: SubstrateConfig
    hyperneat: HyperNeatSection

    def __post_init__(self) -> None:
        NeatConfig.__post_init__(self)
        _check_substrate(self, self.substrate)


@dataclass(frozen=True, slots=True)
class EsHyperNeatConfig(NeatConfig):
    """NEAT's sections plus [substrate] (inputs and outputs only), [hyperneat] and [es_hyperneat]."""

    substrate: SubstrateConfig
    hyperneat: HyperNeatSection
    es_hyperneat: EsSection

    def __post_init__(self) -> None:
        NeatConfig.__post_init__(self)
        _check_substrate(self, self.substrate)
        if self.substrate.hidden_sheets:
            raise ConfigError("substrate.hidden_sheets must be empty for ES-HyperNEAT: it places hidden neurons itself")
        es = self.es_hyperneat
        if es.initial_depth > es.max_depth:
            raise ConfigError(f"es_hyperneat.initial_depth ({es.initial_depth}) must not exceed es_hyperneat.max_depth ({es.max_depth})")
