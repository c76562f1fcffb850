"""Read a neat-python INI config (``config-feedforward``) and map its keys onto NEAT's config.

neat-python (CodeReclaimers/neat-python) configures a run with an INI file of four sections
(``[NEAT]``, ``[DefaultGenome]``, ``[DefaultSpeciesSet]``, ``[DefaultStagnation]``,
``[DefaultReproduction]``). Every key with an equivalent here becomes a NEAT override; a key
whose value means what NEAT Scope does anyway (``conn_delete_prob = 0``, ``num_hidden = 0``)
needs none; every other key is returned in ``unmapped`` for one warning. A value that is not of
its key's type, or is outside NEAT Scope's range for the key it maps to, is an error naming the
key.

Where the two libraries differ in detail, the nearest key is used:

- Activations are mapped by name: neat-python's ``sigmoid`` is 1/(1+e^-5x), ours the paper's
  1/(1+e^-4.9x); its ``tanh``, ``sin`` and ``gauss`` scale their input (2.5x, 5x, 5x^2) where ours
  do not. Names without a counterpart (``cube``, ``elu``, ...) are errors.
- ``compatibility_disjoint_coefficient`` sets both our excess and disjoint coefficients
  (neat-python counts excess genes as disjoint).
- Weights: ``weight_mutate_rate`` is our per-genome ``weights.mutate_prob`` (neat-python draws
  per connection) and ``weight_replace_rate`` our ``1 - perturb_prob``.
- ``enabled_mutate_rate`` is our per-genome ``structure.toggle_enable_prob``.
- ``species_elitism`` (species kept whatever their stagnation) is ``stagnation_protected_species``.
- ``fitness_threshold`` is the task's ``fitness_threshold``; ``num_inputs``/``num_outputs`` must
  match the task.
"""

from __future__ import annotations

import configparser
import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_type_hints

from core.runs.config import ConfigError, check_value
from core.runs.fields import shown

ACTIVATION_NAMES = {
    "sigmoid": "sigmoid", "tanh": "tanh", "sin": "sin", "gauss": "gaussian", "relu": "relu",
    "identity": "identity", "abs": "abs", "square": "square",
}  # fmt: skip
AGGREGATION_NAMES = {"sum": "sum", "product": "product", "max": "max"}
INITIAL_CONNECTIONS = {"full": "full", "full_direct": "full", "full_nodirect": "full", "unconnected": "none"}

# neat-python key -> (our section, our key, kind); kinds: float, int, bool, activation(s), aggregation(s)
DIRECT = {
    ("NEAT", "pop_size"): ("population", "size", "int"),
    ("DefaultGenome", "activation_default"): ("nodes", "activation_default", "activation"),
    ("DefaultGenome", "activation_options"): ("nodes", "activation_options", "activations"),
    ("DefaultGenome", "activation_mutate_rate"): ("nodes", "activation_mutate_prob", "float"),
    ("DefaultGenome", "aggregation_default"): ("nodes", "aggregation_default", "aggregation"),
    ("DefaultGenome", "aggregation_options"): ("nodes", "aggregation_options", "aggregations"),
    ("DefaultGenome", "aggregation_mutate_rate"): ("nodes", "aggregation_mutate_prob", "float"),
    ("DefaultGenome", "bias_init_mean"): ("nodes", "bias_init_mean", "float"),
    ("DefaultGenome", "bias_init_stdev"): ("nodes", "bias_init_stdev", "float"),
    ("DefaultGenome", "response_init_mean"): ("nodes", "response_init", "float"),
    ("DefaultGenome", "response_mutate_rate"): ("nodes", "response_mutate_prob", "float"),
    ("DefaultGenome", "response_mutate_power"): ("nodes", "response_mutate_power", "float"),
    ("DefaultGenome", "compatibility_weight_coefficient"): ("speciation", "weight_coefficient", "float"),
    ("DefaultGenome", "conn_add_prob"): ("structure", "add_connection_prob", "float"),
    ("DefaultGenome", "node_add_prob"): ("structure", "add_node_prob", "float"),
    ("DefaultGenome", "enabled_mutate_rate"): ("structure", "toggle_enable_prob", "float"),
    ("DefaultGenome", "feed_forward"): ("population", "feed_forward", "bool"),
    ("DefaultGenome", "weight_init_stdev"): ("weights", "init_stdev", "float"),
    ("DefaultGenome", "weight_max_value"): ("weights", "max", "float"),
    ("DefaultGenome", "weight_min_value"): ("weights", "min", "float"),
    ("DefaultGenome", "weight_mutate_power"): ("weights", "perturb_power", "float"),
    ("DefaultGenome", "weight_mutate_rate"): ("weights", "mutate_prob", "float"),
    ("DefaultSpeciesSet", "compatibility_threshold"): ("speciation", "threshold", "float"),
    ("DefaultStagnation", "max_stagnation"): ("reproduction", "stagnation_generations", "int"),
    ("DefaultStagnation", "species_elitism"): ("reproduction", "stagnation_protected_species", "int"),
    ("DefaultReproduction", "survival_threshold"): ("reproduction", "survival_threshold", "float"),
}
# Keys whose value, when it is this one, is what NEAT Scope does anyway.
NEUTRAL = {
    ("NEAT", "fitness_criterion"): "max",
    ("NEAT", "reset_on_extinction"): False,
    ("NEAT", "no_fitness_termination"): False,
    ("DefaultGenome", "conn_delete_prob"): 0.0,
    ("DefaultGenome", "node_delete_prob"): 0.0,
    ("DefaultGenome", "num_hidden"): 0,
    ("DefaultGenome", "enabled_default"): True,
    ("DefaultGenome", "response_init_stdev"): 0.0,
    ("DefaultGenome", "response_replace_rate"): 0.0,
    ("DefaultGenome", "weight_init_mean"): 0.0,
    ("DefaultGenome", "single_structural_mutation"): False,
    ("DefaultGenome", "structural_mutation_surer"): "default",
    ("DefaultGenome", "bias_init_type"): "gaussian",
    ("DefaultGenome", "response_init_type"): "gaussian",
    ("DefaultGenome", "enabled_rate_to_true_add"): 0.0,
    ("DefaultGenome", "enabled_rate_to_false_add"): 0.0,
    ("DefaultStagnation", "species_fitness_func"): "max",
}
# Handled below, each by its own rule.
SPECIAL = {
    ("NEAT", "fitness_threshold"),
    ("DefaultGenome", "num_inputs"),
    ("DefaultGenome", "num_outputs"),
    ("DefaultGenome", "initial_connection"),
    ("DefaultGenome", "compatibility_disjoint_coefficient"),
    ("DefaultGenome", "weight_replace_rate"),
    ("DefaultGenome", "weight_init_type"),
}


@dataclass(frozen=True, slots=True)
class NeatPythonConfig:
    """What a neat-python config says, in NEAT Scope's terms.

    Attributes:
        overrides: nested ``{section: {key: value}}`` for ``Neat.load_config``.
        task_options: task parameters (``fitness_threshold``).
        num_inputs, num_outputs: the network interface the file declares (None if absent).
        unmapped: ``Section.key = value`` of every key without an equivalent, in file order.
    """

    overrides: dict[str, dict[str, Any]]
    task_options: dict[str, Any] = field(default_factory=dict)
    num_inputs: int | None = None
    num_outputs: int | None = None
    unmapped: tuple[str, ...] = ()


def _parse(kind: str, raw: str, where: str) -> Any:
    """One INI value as ``kind``; a wrong one is a ``ConfigError`` naming ``where``."""
    text = raw.strip()
    try:
        if kind == "float":
            return float(text)
        if kind == "int":
            return int(text)
    except ValueError:
        raise ConfigError(f"{where} = {shown(text)}: not {'a number' if kind == 'float' else 'a whole number'}") from None
    if kind == "bool":
        lowered = text.lower()
        if lowered in ("true", "1", "yes", "on"):
            return True
        if lowered in ("false", "0", "no", "off"):
            return False
        raise ConfigError(f"{where} = {shown(text)}: not true or false")
    if kind in ("activation", "activations", "aggregation", "aggregations"):
        table = ACTIVATION_NAMES if kind.startswith("activation") else AGGREGATION_NAMES
        names = text.split()
        if not names:
            raise ConfigError(f"{where}: names no function")
        for name in names:
            if name not in table:
                raise ConfigError(f"{where}: {shown(name)} has no NEAT Scope equivalent (known: {', '.join(table)})")
        mapped = [table[name] for name in names]
        return mapped if kind.endswith("s") else (mapped[0] if len(mapped) == 1 else _too_many(where))
    return text


def _too_many(where: str) -> Any:
    raise ConfigError(f"{where}: one name expected")


def _same(value: Any, neutral: Any) -> bool:
    return type(value) is type(neutral) and value == neutral


def read_neat_python_config(path: str | Path) -> NeatPythonConfig:
    """Map a neat-python config file onto NEAT Scope's NEAT config.

    Raises:
        ConfigError: unreadable or not INI, or a bad value (the message names the key).
    """
    from core.algorithms.neat.config import NeatConfig
    from core.algorithms.neat.evolution import Neat

    parser = configparser.ConfigParser(interpolation=None, inline_comment_prefixes=("#", ";"))
    try:
        with open(path, encoding="utf-8") as handle:
            parser.read_file(handle)
    except OSError as error:
        raise ConfigError(f"cannot read {path}: {error.strerror or error}") from error
    except (configparser.Error, UnicodeDecodeError) as error:
        raise ConfigError(f"{path} is not a neat-python config (INI): {' '.join(str(error).split())[:300]}") from error
    if not parser.has_section("NEAT"):
        raise ConfigError(f"{path} is not a neat-python config: it has no [NEAT] section")
    overrides: dict[str, dict[str, Any]] = {}
    origin: dict[tuple[str, str], str] = {}
    task_options: dict[str, Any] = {}
    interface: dict[str, int] = {}
    unmapped: list[str] = []
    replace_rate: float | None = None

    def put(section: str, key: str, value: Any, where: str) -> None:
        overrides.setdefault(section, {})[key] = value
        origin[(section, key)] = where

    for section in parser.sections():
        for key, raw in parser.items(section):
            where = f"[{section}] {key}"
            ident = (section, key)
            if ident in DIRECT:
                ours_section, ours_key, kind = DIRECT[ident]
                put(ours_section, ours_key, _parse(kind, raw, where), where)
            elif ident in NEUTRAL:
                neutral = NEUTRAL[ident]
                kind = "bool" if isinstance(neutral, bool) else "int" if isinstance(neutral, int) else "float" if isinstance(neutral, float) else "str"
                if not _same(_parse(kind, raw, where), neutral):
                    unmapped.append(f"{section}.{key} = {raw.strip()}")
            elif ident == ("NEAT", "fitness_threshold"):
                task_options["fitness_threshold"] = _parse("float", raw, where)
            elif ident in (("DefaultGenome", "num_inputs"), ("DefaultGenome", "num_outputs")):
                interface[key] = _parse("int", raw, where)
            elif ident == ("DefaultGenome", "initial_connection"):
                value = raw.strip()
                if value in INITIAL_CONNECTIONS:
                    put("population", "initial_connection", INITIAL_CONNECTIONS[value], where)
                else:
                    unmapped.append(f"{section}.{key} = {value}")
            elif ident == ("DefaultGenome", "compatibility_disjoint_coefficient"):
                value = _parse("float", raw, where)
                put("speciation", "disjoint_coefficient", value, where)
                put("speciation", "excess_coefficient", value, where)
            elif ident == ("DefaultGenome", "weight_replace_rate"):
                replace_rate = _parse("float", raw, where)
                if not 0.0 <= replace_rate <= 1.0:
                    raise ConfigError(f"{where} = {raw.strip()}: must be between 0 and 1")
                put("weights", "perturb_prob", 1.0 - replace_rate, where)
            elif ident == ("DefaultGenome", "weight_init_type"):
                value = raw.strip()
                if value not in ("gaussian", "normal", "uniform"):
                    raise ConfigError(f"{where} = {shown(value)}: not gaussian, normal or uniform")
                put("weights", "init_distribution", "uniform" if value == "uniform" else "gaussian", where)
            else:
                unmapped.append(f"{section}.{key} = {raw.strip()}")
    # neat-python's uniform init spans mean +- 2 stdev.
    if overrides.get("weights", {}).get("init_distribution") == "uniform" and "init_stdev" in overrides.get("weights", {}):
        put("weights", "init_range", 2.0 * overrides["weights"]["init_stdev"], origin[("weights", "init_stdev")])
    # Each mapped value is checked alone so that an error names the neat-python key it came from.
    section_types = {f.name: get_type_hints(NeatConfig)[f.name] for f in dataclasses.fields(NeatConfig)}
    for (section, key), where in origin.items():
        key_field = next(f for f in dataclasses.fields(section_types[section]) if f.name == key)
        try:
            check_value(f"{section}.{key}", overrides[section][key], get_type_hints(section_types[section])[key], dict(key_field.metadata))
        except ConfigError as error:
            raise ConfigError(f"{where}: {error}") from None
    try:
        Neat.load_config(None, overrides=overrides)
    except ConfigError as error:
        raise ConfigError(f"{path}: {error}") from None
    return NeatPythonConfig(overrides, task_options, interface.get("num_inputs"), interface.get("num_outputs"), tuple(unmapped))


__all__ = ["NeatPythonConfig", "read_neat_python_config"]
