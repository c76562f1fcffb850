"""Configuration machinery shared by every algorithm: frozen, validated dataclasses read from TOML.

An algorithm's config is a frozen dataclass whose fields are *sections*, each a frozen
dataclass of keys. Each key's ``field(metadata=...)`` says what it may hold (a range, a set of
choices), so one checker validates every algorithm's config and the GUI can build a form from
the same schema (``schema``). Defaults live in one TOML file per algorithm under
``resources/``; a user's file overlays it and lists only what it changes. Unknown keys, wrong
types and out-of-range values raise ``ConfigError`` naming the key.
"""

from __future__ import annotations

import dataclasses
import math
import tomllib
from dataclasses import dataclass, field
from importlib.util import find_spec
from pathlib import Path
from typing import Any, TypeVar, get_type_hints

from core.runs.fields import shown

C = TypeVar("C")


# List keys (hidden layer sizes, activation options) hold at most this many items.
MAX_LIST_ITEMS = 64


class ConfigError(ValueError):
    """A configuration key is unknown, of the wrong type, or outside its allowed range."""


# Keys added after run files of format 2 existed carry a ``legacy`` value: the one that makes
# the engine behave as it did before the key, used when a saved run's config lacks the key.
_NO_LEGACY = object()


def _metadata(legacy: Any, **entries: Any) -> dict[str, Any]:
    return entries if legacy is _NO_LEGACY else {**entries, "legacy": legacy}


def probability(help: str = "", legacy: Any = _NO_LEGACY) -> Any:
    """A key holding a probability in [0, 1]."""
    return field(metadata=_metadata(legacy, range=(0.0, 1.0), help=help))


def bounded(low: float, high: float = math.inf, help: str = "", legacy: Any = _NO_LEGACY) -> Any:
    """A number (or whole number) in [low, high]."""
    return field(metadata=_metadata(legacy, range=(low, high), help=help))


def choice(*choices: str, help: str = "", legacy: Any = _NO_LEGACY) -> Any:
    """A string (or list of strings) from ``choices``."""
    return field(metadata=_metadata(legacy, choices=choices, help=help))


def plain(help: str = "", legacy: Any = _NO_LEGACY) -> Any:
    """A key with no constraint beyond its type."""
    return field(metadata=_metadata(legacy, help=help))


@dataclass(frozen=True, slots=True)
class KeySchema:
    """One config key as a form needs it: where it lives, its type and what it may hold."""

    section: str
    key: str
    type_name: str
    range: tuple[float, float] | None
    choices: tuple[str, ...] | None
    help: str

    @property
    def dotted(self) -> str:
        """``section.key``, as the TOML file and error messages name it."""
        return f"{self.section}.{self.key}"


class ConfigBase:
    """Mixin for an algorithm's top-level config dataclass (fields are sections)."""

    __slots__ = ()

    def to_dict(self) -> dict[str, dict[str, Any]]:
        """Nested plain-data form (TOML/JSON ready); tuples become lists."""
        return {
            section.name: {
                key: list(value) if isinstance(value, tuple) else value
                for key, value in dataclasses.asdict(getattr(self, section.name)).items()
            }
            for section in dataclasses.fields(self)  # type: ignore[arg-type]
        }

    def replace(self: C, **changes: Any) -> C:
        """A copy with ``"section.key": value`` changes applied and validated."""
        data = self.to_dict()  # type: ignore[attr-defined]
        for dotted, value in changes.items():
            section, _, key = dotted.partition(".")
            data.setdefault(section, {})[key] = value
        return config_from_dict(type(self), data, source="changes")

    def get(self, dotted: str) -> Any:
        """The value of ``section.key``."""
        section, _, key = dotted.partition(".")
        return getattr(getattr(self, section), key)


def _type_name(annotation: Any) -> str:
    if annotation == tuple[str, ...]:
        return "list[str]"
    if annotation == tuple[int, ...]:
        return "list[int]"
    if annotation == tuple[float, ...]:
        return "list[float]"
    return getattr(annotation, "__name__", str(annotation))


def schema(config_type: type) -> tuple[KeySchema, ...]:
    """Every key of a config type, in declaration order (for forms and documentation)."""
    keys = []
    for section in dataclasses.fields(config_type):
        section_type = get_type_hints(config_type)[section.name]
        hints = get_type_hints(section_type)
        for f in dataclasses.fields(section_type):
            meta = dict(f.metadata)
            keys.append(
                KeySchema(section.name, f.name, _type_name(hints[f.name]), meta.get("range"), meta.get("choices"), meta.get("help", ""))
            )
    return tuple(keys)


def check_value(dotted_key: str, value: Any, annotation: Any, metadata: dict) -> Any:
    """Coerce one TOML value to its annotated type or raise a ConfigError naming the key."""
    if annotation is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{dotted_key} must be true or false, got {shown(value)}")
        return value
    if annotation is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{dotted_key} must be a whole number, got {shown(value)}")
    elif annotation is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"{dotted_key} must be a number, got {shown(value)}")
        try:
            number = float(value)
        except OverflowError:
            raise ConfigError(f"{dotted_key} must be finite") from None
        if not math.isfinite(number):
            raise ConfigError(f"{dotted_key} must be finite, got {shown(value)}")
        if number != value:
            raise ConfigError(f"{dotted_key}: {shown(value)} is not a number a float holds exactly")
        value = number
    elif annotation is str:
        if not isinstance(value, str):
            raise ConfigError(f"{dotted_key} must be a string, got {shown(value)}")
    if isinstance(value, (list, tuple)) and len(value) > MAX_LIST_ITEMS:
        raise ConfigError(f"{dotted_key}: {len(value):,} items, at most {MAX_LIST_ITEMS} allowed")
    if annotation == tuple[str, ...]:
        if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{dotted_key} must be a list of strings, got {shown(value)}")
        value = tuple(value)
    elif annotation == tuple[int, ...]:
        if not isinstance(value, (list, tuple)) or not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
            raise ConfigError(f"{dotted_key} must be a list of whole numbers, got {shown(value)}")
        value = tuple(value)
    elif annotation == tuple[float, ...]:
        if not isinstance(value, (list, tuple)) or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value):
            raise ConfigError(f"{dotted_key} must be a list of numbers, got {value!r}")
        try:
            value = tuple(float(v) for v in value)
        except OverflowError:
            raise ConfigError(f"{dotted_key} must hold finite numbers") from None
        if not all(math.isfinite(v) for v in value):
            raise ConfigError(f"{dotted_key} must hold finite numbers, got {value!r}")
    if "range" in metadata:
        low, high = metadata["range"]
        for item in value if isinstance(value, tuple) else (value,):
            if not low <= item <= high:
                shown_high = "inf" if high == math.inf else high
                raise ConfigError(f"{dotted_key} = {shown(value)} is outside the allowed range [{low}, {shown_high}]")
    if "choices" in metadata:
        choices = metadata["choices"]
        for item in value if isinstance(value, tuple) else (value,):
            if item not in choices:
                raise ConfigError(f"{dotted_key}: unknown name {shown(item)}; allowed: {', '.join(choices)}")
    return value


def config_from_dict(config_type: type[C], data: dict[str, Any], source: str = "config", allow_legacy: bool = True) -> C:
    """Build and validate a config from a complete nested dict.

    ``allow_legacy`` lets keys added since format 2 run files be missing (they take their
    legacy value); a run file of the current format must hold every key.

    Raises:
        ConfigError: a section or key is missing, unknown, mistyped or out of range.
    """
    section_types = {f.name: get_type_hints(config_type)[f.name] for f in dataclasses.fields(config_type)}  # type: ignore[arg-type]
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: expected a table of sections, got {type(data).__name__}")
    unknown_sections = set(data) - set(section_types)
    if unknown_sections:
        raise ConfigError(f"{source}: unknown section [{shown(sorted(unknown_sections, key=str)[0])[1:-1]}]; known: {', '.join(section_types)}")
    sections = {}
    for section_name, section_type in section_types.items():
        values = data.get(section_name)
        if not isinstance(values, dict):
            raise ConfigError(f"{source}: section [{section_name}] is missing or not a table")
        fields = {f.name: f for f in dataclasses.fields(section_type)}
        unknown = set(values) - set(fields)
        if unknown:
            raise ConfigError(f"{source}: unknown key {section_name}.{shown(sorted(unknown, key=str)[0])[1:-1]}")
        hints = get_type_hints(section_type)
        checked = {}
        for name, f in fields.items():
            dotted = f"{section_name}.{name}"
            if name not in values:
                if allow_legacy and "legacy" in f.metadata:  # a run saved before this key existed
                    checked[name] = f.metadata["legacy"]
                    continue
                raise ConfigError(f"{source}: missing key {dotted}")
            checked[name] = check_value(dotted, values[name], hints[name], dict(f.metadata))
        sections[section_name] = section_type(**checked)
    return config_type(**sections)


def resource_text(name: str) -> str:
    """The text of a file shipped in ``resources/``."""
    # Read beside the package rather than through importlib.resources, whose import (tempfile,
    # zipfile, ...) is a tenth of a short command's start-up.
    spec = find_spec("resources")
    folder = Path(next(iter(spec.submodule_search_locations or ()))) if spec else None
    if folder is None or not (folder / name).is_file():
        raise FileNotFoundError(f"NEAT Scope's resources folder lacks {name}")
    return (folder / name).read_text(encoding="utf-8")


def resource_toml(name: str) -> dict[str, Any]:
    """A TOML file shipped in ``resources/`` as a nested dict."""
    return tomllib.loads(resource_text(name))


def overlay(base: dict[str, Any], overrides: dict[str, Any], source: str) -> dict[str, Any]:
    """``base`` with the keys of ``overrides`` replaced; unknown sections or keys are errors."""
    merged = {section: dict(values) for section, values in base.items()}
    if not isinstance(overrides, dict):
        raise ConfigError(f"{source}: expected a table of sections")
    for section, values in overrides.items():
        if section not in merged:
            raise ConfigError(f"{source}: unknown section [{shown(section)[1:-1]}]; known: {', '.join(merged)}")
        if not isinstance(values, dict):
            raise ConfigError(f"{source}: [{shown(section)[1:-1]}] must be a table of keys")
        for key, value in values.items():
            if key not in merged[section]:
                raise ConfigError(f"{source}: unknown key {section}.{shown(key)[1:-1]}")
            merged[section][key] = value
    return merged


def read_toml(path: str | Path) -> dict[str, Any]:
    """A user's TOML file.

    Raises:
        ConfigError: unreadable or not valid TOML.
    """
    try:
        return tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigError(f"cannot read config {path}: {error.strerror or error}") from error
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path} is not valid TOML: {error}") from error
    except RecursionError:
        raise ConfigError(f"{path}: nested too deeply to be a config") from None


def load_config(
    config_type: type[C],
    defaults_resource: str,
    path: str | Path | None = None,
    overrides: dict[str, Any] | None = None,
    layers: tuple[dict[str, Any], ...] = (),
) -> C:
    """Read a config: shipped defaults, then ``layers`` (e.g. a preset), then a user file, then overrides.

    Raises:
        ConfigError: unreadable TOML, or an unknown, mistyped or out-of-range key.
    """
    data = resource_toml(defaults_resource)
    source = defaults_resource
    for layer in layers:
        data = overlay(data, layer, source)
    if path is not None:
        source = str(path)
        data = overlay(data, read_toml(path), source)
    if overrides:
        data = overlay(data, overrides, "overrides")
    return config_from_dict(config_type, data, source=source)


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


def config_to_toml(config: ConfigBase, title: str = "NEAT Scope configuration") -> str:
    """Serialise a config as TOML text that ``load_config`` reads back to an equal config."""
    lines = [f"# {title}"]
    for section, values in config.to_dict().items():
        lines.append(f"\n[{section}]")
        lines.extend(f"{key} = {_toml_value(value)}" for key, value in values.items())
    return "\n".join(lines) + "\n"


def key_help(defaults_resource: str) -> dict[str, str]:
    """The documentation of every key of a shipped defaults file, read from its comments.

    A comment block applies to the keys right below it, up to the next blank line or comment
    (``bias_init_mean`` and ``bias_init_stdev`` share one); an inline ``# ...`` after a value is
    appended. The block above a ``[section]`` header documents the section and is returned under
    the section's name. Forms show these as tooltips, so the TOML stays the one place keys are
    explained.
    """
    text = resource_text(defaults_resource)
    helps: dict[str, str] = {}
    section = ""
    block: list[str] = []
    shared = ""  # the comment block of the key group being read
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            block, shared = [], ""
        elif line.startswith("#"):
            if shared:
                block, shared = [], ""
            block.append(line.lstrip("#").strip())
        elif line.startswith("[") and line.endswith("]"):
            section = line.strip("[]").strip()
            if block:
                helps[section] = " ".join(block)
            block, shared = [], ""
        elif "=" in line:
            key = line.split("=", 1)[0].strip()
            if block:
                shared = " ".join(block)
                block = []
            helps[f"{section}.{key}"] = " ".join(part for part in (shared, _inline_comment(line.split("=", 1)[1])) if part)
    return helps


def _inline_comment(value: str) -> str:
    """The ``# comment`` after a TOML value, ignoring ``#`` inside quoted strings."""
    quote = ""
    for index, char in enumerate(value):
        if quote:
            if char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char == "#":
            return value[index + 1 :].strip()
    return ""
