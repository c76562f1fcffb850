"""Engine configuration: frozen, validated dataclasses read from TOML.

The defaults live in one place, ``resources/neat_default.toml``; a user's file overlays it.
Unknown keys, wrong types and out-of-range values raise ``ConfigError`` naming the key.
"""

from __future__ import annotations

import dataclasses
import math
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, get_type_hints

from core.activations import ACTIVATIONS, AGGREGATIONS


class ConfigError(ValueError):
    """A configuration key is unknown, of the wrong type, or outside its allowed range."""


def _probability() -> Any:
    return field(metadata={"range": (0.0, 1.0)})


def _bounded(low: float, high: float = math.inf) -> Any:
    return field(metadata={"range": (low, high)})


def _choice(*choices: str) -> Any:
    return field(metadata={"choices": choices})


def _activation_names() -> Any:
    return field(metadata={"choices": tuple(ACTIVATIONS)})


def _aggregation_names() -> Any:
    return field(metadata={"choices": tuple(AGGREGATIONS)})


def _plain() -> Any:
    return field(metadata={})


@dataclass(frozen=True, slots=True)
class PopulationConfig:
    """Population size and the shape genomes start with."""

    size: int = _bounded(2, 1_000_000)
    initial_connection: str = _choice("full", "none")
    feed_forward: bool = _plain()


@dataclass(frozen=True, slots=True)
class NodeConfig:
    """Node genes: activation, aggregation, bias and response."""

    activation_default: str = _activation_names()
    activation_options: tuple[str, ...] = _activation_names()
    activation_mutate_prob: float = _probability()
    aggregation_default: str = _aggregation_names()
    aggregation_options: tuple[str, ...] = _aggregation_names()
    aggregation_mutate_prob: float = _probability()
    bias_init_mean: float = _bounded(-1e6, 1e6)
    bias_init_stdev: float = _bounded(0.0, 1e6)
    response_init: float = _bounded(-1e6, 1e6)
    response_mutate_prob: float = _probability()
    response_mutate_power: float = _bounded(0.0, 1e6)


@dataclass(frozen=True, slots=True)
class WeightConfig:
    """Connection weight initialisation and mutation (paper: 80% of genomes, 90% perturb)."""

    init_stdev: float = _bounded(0.0, 1e6)
    mutate_prob: float = _probability()
    perturb_prob: float = _probability()
    perturb_power: float = _bounded(0.0, 1e6)
    min: float = _bounded(-1e6, 1e6)
    max: float = _bounded(-1e6, 1e6)


@dataclass(frozen=True, slots=True)
class StructureConfig:
    """Structural mutation rates and innovation numbering."""

    add_node_prob: float = _probability()
    add_connection_prob: float = _probability()
    add_connection_attempts: int = _bounded(1, 10_000)
    toggle_enable_prob: float = _probability()
    innovation_scope: str = _choice("generation", "run")


@dataclass(frozen=True, slots=True)
class CrossoverConfig:
    """Mating: how often, how disabled genes are inherited, interspecies rate."""

    crossover_prob: float = _probability()
    disable_inherit_prob: float = _probability()
    interspecies_prob: float = _probability()
    mate_only_prob: float = _probability()


@dataclass(frozen=True, slots=True)
class SpeciationConfig:
    """Compatibility distance coefficients and threshold."""

    excess_coefficient: float = _bounded(0.0, 1e6)
    disjoint_coefficient: float = _bounded(0.0, 1e6)
    weight_coefficient: float = _bounded(0.0, 1e6)
    threshold: float = _bounded(1e-9, 1e6)
    normalize_min_genes: int = _bounded(0, 1_000_000)
    target_species: int = _bounded(0, 1_000_000)
    threshold_step: float = _bounded(0.0, 1e6)
    threshold_min: float = _bounded(1e-9, 1e6)


@dataclass(frozen=True, slots=True)
class ReproductionConfig:
    """Selection, elitism and stagnation."""

    survival_threshold: float = _bounded(1e-9, 1.0)
    elitism_min_members: int = _bounded(1, 1_000_000)
    stagnation_generations: int = _bounded(1, 1_000_000)
    stagnation_protected_species: int = _bounded(0, 1_000_000)


@dataclass(frozen=True, slots=True)
class EngineConfig:
    """The whole engine configuration, one attribute per TOML section."""

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

    def to_dict(self) -> dict[str, dict[str, Any]]:
        """Nested plain-data form (TOML/JSON ready); tuples become lists."""
        return {
            section.name: {
                key: list(value) if isinstance(value, tuple) else value
                for key, value in dataclasses.asdict(getattr(self, section.name)).items()
            }
            for section in dataclasses.fields(self)
        }

    def replace(self, **changes: Any) -> EngineConfig:
        """A copy with ``"section.key": value`` changes applied and validated."""
        data = self.to_dict()
        for dotted, value in changes.items():
            section, _, key = dotted.partition(".")
            data.setdefault(section, {})[key] = value
        return config_from_dict(data, source="changes")


_SECTION_TYPES: dict[str, type] = {
    f.name: get_type_hints(EngineConfig)[f.name] for f in dataclasses.fields(EngineConfig)
}


def _check_value(dotted_key: str, value: Any, annotation: Any, metadata: dict) -> Any:
    """Coerce one TOML value to its annotated type or raise a ConfigError naming the key."""
    if annotation is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{dotted_key} must be true or false, got {value!r}")
        return value
    if annotation is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{dotted_key} must be a whole number, got {value!r}")
    elif annotation is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"{dotted_key} must be a number, got {value!r}")
        value = float(value)
        if not math.isfinite(value):
            raise ConfigError(f"{dotted_key} must be finite, got {value!r}")
    elif annotation is str:
        if not isinstance(value, str):
            raise ConfigError(f"{dotted_key} must be a string, got {value!r}")
    elif annotation == tuple[str, ...]:
        if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{dotted_key} must be a list of strings, got {value!r}")
        value = tuple(value)
    if "range" in metadata:
        low, high = metadata["range"]
        if not low <= value <= high:
            shown_high = "inf" if high == math.inf else high
            raise ConfigError(f"{dotted_key} = {value!r} is outside the allowed range [{low}, {shown_high}]")
    if "choices" in metadata:
        choices = metadata["choices"]
        for item in value if isinstance(value, tuple) else (value,):
            if item not in choices:
                raise ConfigError(f"{dotted_key}: unknown name {item!r}; allowed: {', '.join(choices)}")
    return value


def config_from_dict(data: dict[str, Any], source: str = "config") -> EngineConfig:
    """Build and validate an ``EngineConfig`` from a complete nested dict.

    Raises:
        ConfigError: a section or key is missing, unknown, mistyped or out of range.
    """
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: expected a table of sections, got {type(data).__name__}")
    unknown_sections = set(data) - set(_SECTION_TYPES)
    if unknown_sections:
        raise ConfigError(
            f"{source}: unknown section [{sorted(unknown_sections)[0]}]; known: {', '.join(_SECTION_TYPES)}"
        )
    sections = {}
    for section_name, section_type in _SECTION_TYPES.items():
        values = data.get(section_name)
        if not isinstance(values, dict):
            raise ConfigError(f"{source}: section [{section_name}] is missing or not a table")
        fields = {f.name: f for f in dataclasses.fields(section_type)}
        unknown = set(values) - set(fields)
        if unknown:
            raise ConfigError(f"{source}: unknown key {section_name}.{sorted(unknown)[0]}")
        hints = get_type_hints(section_type)
        checked = {}
        for name, f in fields.items():
            dotted = f"{section_name}.{name}"
            if name not in values:
                raise ConfigError(f"{source}: missing key {dotted}")
            checked[name] = _check_value(dotted, values[name], hints[name], dict(f.metadata))
        sections[section_name] = section_type(**checked)
    return EngineConfig(**sections)


def default_config_dict() -> dict[str, dict[str, Any]]:
    """The shipped defaults as a nested dict."""
    text = resources.files("resources").joinpath("neat_default.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def _overlay(base: dict[str, Any], overrides: dict[str, Any], source: str) -> dict[str, Any]:
    merged = {section: dict(values) for section, values in base.items()}
    for section, values in overrides.items():
        if section not in merged:
            raise ConfigError(f"{source}: unknown section [{section}]; known: {', '.join(merged)}")
        if not isinstance(values, dict):
            raise ConfigError(f"{source}: [{section}] must be a table of keys")
        for key, value in values.items():
            if key not in merged[section]:
                raise ConfigError(f"{source}: unknown key {section}.{key}")
            merged[section][key] = value
    return merged


def default_config() -> EngineConfig:
    """The defaults shipped in ``resources/neat_default.toml`` (the paper's XOR settings)."""
    return config_from_dict(default_config_dict(), source="neat_default.toml")


def load_config(path: str | Path | None = None, overrides: dict[str, Any] | None = None) -> EngineConfig:
    """Read a TOML config, overlaying it on the defaults.

    Args:
        path: a TOML file listing only the keys it changes; None for the defaults alone.
        overrides: further nested ``{section: {key: value}}`` changes applied last.

    Raises:
        ConfigError: unreadable TOML, or an unknown, mistyped or out-of-range key.
    """
    data = default_config_dict()
    source = "config"
    if path is not None:
        source = str(path)
        try:
            user = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except OSError as error:
            raise ConfigError(f"cannot read config {path}: {error.strerror or error}") from error
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            raise ConfigError(f"{path} is not valid TOML: {error}") from error
        data = _overlay(data, user, source)
    if overrides:
        data = _overlay(data, overrides, "overrides")
    return config_from_dict(data, source=source)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def config_to_toml(config: EngineConfig) -> str:
    """Serialise a config as TOML text that ``load_config`` reads back to an equal config."""
    lines = ["# NEAT Scope configuration (keys as in resources/neat_default.toml)"]
    for section, values in config.to_dict().items():
        lines.append(f"\n[{section}]")
        lines.extend(f"{key} = {_toml_value(value)}" for key, value in values.items())
    return "\n".join(lines) + "\n"
