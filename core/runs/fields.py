"""Strict readers for fields of run files: each check fails with one ``RunFileError`` naming
where in the file the problem is (``population[3].connections[0].weight: expected ...``).

Readers accept exactly what the writers write: a missing key, an unknown key, a bool where a
number belongs, a string where a number belongs or a number out of its range is an error, so
that anything accepted is saved again identically. Values quoted in messages go through
``shown`` (cut to about 80 characters), so a 10 MB string never ends up in an error line.

A leaf module (standard library only), so every layer that reads saved data can use it.
"""

from __future__ import annotations

import json
import math
import re
import reprlib
from typing import Any

# Ids and counters stay below this: numpy's int64 arrays then have 2**62 of headroom, so no
# arithmetic on ids can overflow, and a run refuses a generation that would pass it.
MAX_COUNTER = 2**62
SHOWN_CHARACTERS = 80

_repr = reprlib.Repr()
_repr.maxstring = SHOWN_CHARACTERS
_repr.maxother = SHOWN_CHARACTERS
_repr.maxlong = 40
_repr.maxlevel = 2
_repr.maxlist = _repr.maxtuple = _repr.maxdict = _repr.maxset = 4


class RunFileError(ValueError):
    """A run file cannot be read: not JSON, wrong format or version, or an invalid field."""


def shown(value: Any) -> str:
    """``repr(value)`` fit for a one-line message: long strings, big numbers and deep or long
    containers are abbreviated with ``...`` (at most about 80 characters)."""
    try:
        text = _repr.repr(value)
    except (ValueError, RecursionError):  # an int too long to print, a container too deep
        text = f"<{type(value).__name__}>"
    return text if len(text) <= SHOWN_CHARACTERS + 4 else text[: SHOWN_CHARACTERS - 3] + "..."


def short(text: str, limit: int = 2 * SHOWN_CHARACTERS) -> str:
    """Free text (an exception's message) cut to ``limit`` characters, on one line."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _kind_names(kinds: tuple[type, ...]) -> str:
    return "/".join(k.__name__ for k in kinds)


def check_value(value: Any, kind: type | tuple[type, ...], where: str) -> Any:
    """``value`` if it has one of the types ``kind`` (a bool is never an int here) and is not a
    NaN or infinite float.

    Raises:
        RunFileError: naming ``where``.
    """
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if isinstance(value, bool) and bool not in kinds:
        raise RunFileError(f"{where}: expected {_kind_names(kinds)}, got a boolean")
    if not isinstance(value, kinds):
        raise RunFileError(f"{where}: expected {_kind_names(kinds)}, got {type(value).__name__}")
    if isinstance(value, float) and not math.isfinite(value):
        raise RunFileError(f"{where}: must be finite")
    return value


def read_field(data: Any, key: str, kind: type | tuple[type, ...], where: str) -> Any:
    """``data[key]`` if it has one of the types ``kind`` (see ``check_value``).

    Raises:
        RunFileError: ``data`` is not an object, the key is missing, the type is wrong, or a
            float is NaN or infinite.
    """
    if not isinstance(data, dict):
        raise RunFileError(f"{where}: expected an object, got {type(data).__name__}")
    if key not in data:
        raise RunFileError(f"{where}: missing field '{key}'")
    return check_value(data[key], kind, f"{where}.{key}")


def check_int(value: Any, where: str, low: int = 0, high: int = MAX_COUNTER - 1) -> int:
    """An integer in [low, high] (a float such as ``1e30`` or ``Infinity`` is not one)."""
    value = check_value(value, int, where)
    if not low <= value <= high:
        raise RunFileError(f"{where}: {shown(value)} is out of range ({low} to {_bound(high)})")
    return value


def _bound(value: int) -> str:
    return "2**62 - 1" if value == MAX_COUNTER - 1 else "2**62" if value == MAX_COUNTER else f"{value:,}"


def read_int(data: Any, key: str, where: str, low: int = 0, high: int = MAX_COUNTER - 1) -> int:
    """An integer in [low, high]."""
    read_field(data, key, int, where)
    return check_int(data[key], f"{where}.{key}", low, high)


def read_counter(data: Any, key: str, where: str) -> int:
    """A non-negative integer below ``MAX_COUNTER`` (ids, counts, generations)."""
    return read_int(data, key, where)


def check_number(value: Any, where: str, low: float = -math.inf, high: float = math.inf) -> float:
    """A finite number in [low, high], as float (an integer literal too large for a float is an error)."""
    value = check_value(value, (int, float), where)
    try:
        number = float(value)
    except OverflowError:
        raise RunFileError(f"{where}: must be finite") from None
    if not math.isfinite(number):
        raise RunFileError(f"{where}: must be finite")
    if isinstance(value, int) and number != value:
        # Saved again it would be another number: 2**62 - 1 reads back as 4.611686018427388e+18.
        raise RunFileError(f"{where}: {shown(value)} is not a number a float holds exactly")
    if not low <= number <= high:
        raise RunFileError(f"{where}: {shown(number)} is out of range ({low:g} to {high:g})")
    return number


def read_number(data: Any, key: str, where: str, low: float = -math.inf, high: float = math.inf) -> float:
    """A finite number in [low, high], as float."""
    read_field(data, key, (int, float), where)
    return check_number(data[key], f"{where}.{key}", low, high)


def read_optional_number(data: Any, key: str, where: str, low: float = -math.inf, high: float = math.inf) -> float | None:
    """A finite number or null (a missing key is an error)."""
    if isinstance(data, dict) and key in data and data[key] is None:
        return None
    return read_number(data, key, where, low, high)


def read_str(data: Any, key: str, where: str, choices: tuple[str, ...] | None = None) -> str:
    """A string, one of ``choices`` when given."""
    value = read_field(data, key, str, where)
    if choices is not None and value not in choices:
        raise RunFileError(f"{where}.{key}: unknown value {shown(value)}; expected one of {', '.join(choices)}")
    return value


def read_bool(data: Any, key: str, where: str) -> bool:
    """true or false."""
    return read_field(data, key, bool, where)


def read_list(data: Any, key: str, where: str, max_length: int | None = None) -> list:
    """A JSON array (of at most ``max_length`` items when given)."""
    value = read_field(data, key, list, where)
    if max_length is not None and len(value) > max_length:
        raise RunFileError(f"{where}.{key}: {len(value):,} items, at most {max_length:,} expected")
    return value


def read_dict(data: Any, key: str, where: str) -> dict:
    """A JSON object."""
    return read_field(data, key, dict, where)


def check_keys(data: dict, allowed: frozenset[str] | set[str], where: str) -> None:
    """Reject fields this version does not know (a typo or a file from elsewhere)."""
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise RunFileError(f"{where}: unknown field(s) {', '.join(shown(k) for k in unknown[:5])}")


def check_exact_keys(data: Any, keys: frozenset[str] | set[str] | tuple[str, ...], where: str) -> dict:
    """``data`` as an object holding exactly ``keys``: an unknown or a missing one is an error
    (a missing key would be filled in on saving, and the saved file would differ)."""
    if not isinstance(data, dict):
        raise RunFileError(f"{where}: expected an object, got {type(data).__name__}")
    check_keys(data, frozenset(keys), where)
    missing = [k for k in keys if k not in data]
    if missing:
        raise RunFileError(f"{where}: missing field '{missing[0]}'")
    return data


RNG_KEYS = ("bit_generator", "state", "has_uint32", "uinteger")


def read_rng_state(data: Any, key: str, where: str) -> dict:
    """A numpy PCG64 bit-generator state, exactly as numpy reports it back (a state numpy would
    quietly adjust, such as an even increment or a 200-bit value, is an error)."""
    import numpy as np

    at = f"{where}.{key}"
    state = check_exact_keys(read_dict(data, key, where), RNG_KEYS, at)
    if state["bit_generator"] != "PCG64":
        raise RunFileError(f"{at}.bit_generator: expected 'PCG64', got {shown(state['bit_generator'])}")
    inner = check_exact_keys(read_dict(state, "state", at), ("state", "inc"), f"{at}.state")
    check_int(inner["state"], f"{at}.state.state", 0, 2**128 - 1)
    if check_int(inner["inc"], f"{at}.state.inc", 0, 2**128 - 1) % 2 == 0:
        raise RunFileError(f"{at}.state.inc: must be odd (the increment of a PCG64 stream)")
    check_int(state["has_uint32"], f"{at}.has_uint32", 0, 1)
    check_int(state["uinteger"], f"{at}.uinteger", 0, 2**32 - 1)
    generator = np.random.PCG64()
    try:
        generator.state = state
    except (KeyError, TypeError, ValueError, OverflowError) as error:
        raise RunFileError(f"{at}: not a PCG64 state ({short(str(error))})") from error
    if generator.state != state:
        raise RunFileError(f"{at}: not a state numpy keeps as it is")
    return state


# --- parsing JSON without letting a hostile file take the memory ------------------------------

# What CPython's json module builds, per token, at most (64-bit): a dict 64 bytes plus about
# 40 per key; a list 56 bytes plus 9 per item; a string value 50 bytes plus its characters; a
# number 36. Counted from the text before parsing, they bound the memory the parse will take,
# so a file of millions of tiny values ([{},{},...]: 20 times its size) is refused unparsed.
_DICT, _KEY, _LIST, _ITEM, _STRING, _NUMBER = 64, 40, 56, 9, 50, 36
# Files NEAT Scope writes estimate at 6.8 to 8.6 times their size (NEAT genes, the GA's seed
# chains); parsed, they take 3.3 to 4.7 times their size besides the text.
MAX_PARSE_FACTOR = 10.0
PARSE_ALLOWANCE = 32 * 2**20
# A run file has a few hundred different field names; the parser keeps one copy of each, so a
# file of millions of different keys ({"k1": 0, "k2": 0, ...}) is refused before parsing.
MAX_DISTINCT_KEYS = 10_000
_KEY_PATTERN = re.compile(r'"([^"\\]{0,200})"\s*:')


def parse_cost(text: str) -> int:
    """An upper-bound estimate of the memory ``json.loads(text)`` takes, text included, in bytes."""
    import sys

    dicts, lists, keys = text.count("{"), text.count("["), text.count(":")
    items = text.count(",") + dicts + lists
    strings = max(0, text.count('"') // 2 - keys)
    numbers = max(0, items - strings)
    return (
        sys.getsizeof(text) + len(text) + _DICT * dicts + _KEY * keys + _LIST * lists + _ITEM * max(0, items - keys)
        + _STRING * strings + _NUMBER * numbers
    )  # fmt: skip


def distinct_keys(text: str, stop_after: int, chunk: int = 2**20) -> int:
    """How many different object keys (of up to 200 characters) ``text`` holds, counting stopped
    once past ``stop_after`` (a key split by a chunk boundary may count twice)."""
    keys: set[str] = set()
    for start in range(0, len(text), chunk):
        keys.update(_KEY_PATTERN.findall(text, start, start + chunk))
        if len(keys) > stop_after:
            break
    return len(keys)


def decode_text(raw: bytes, what: str) -> str:
    """UTF-8 bytes as text.

    Raises:
        RunFileError: not UTF-8 (binary data, a pickle).
    """
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise RunFileError(f"{what} is not a text file (binary data at byte {error.start})") from None


# Node genes repeat a few short strings ("hidden", "sigmoid", "sum") hundreds of thousands of times.
_SHARED_FIELDS = ("kind", "activation", "aggregation")


def _share_strings() -> Any:
    """An ``object_hook`` that makes the equal strings of node genes one object: a run file's
    parse then takes about a fifth less memory."""
    table: dict[str, str] = {}

    def hook(data: dict) -> dict:
        if "kind" in data:
            for key in _SHARED_FIELDS:
                value = data.get(key)
                if type(value) is str and len(value) <= 16:
                    data[key] = table.setdefault(value, value)
        return data

    return hook


def loads_guarded(data: bytes | str, what: str) -> Any:
    """Parse JSON, refusing first a file whose parse could take more than ``MAX_PARSE_FACTOR``
    times its size plus ``PARSE_ALLOWANCE`` (see ``parse_cost``: nothing NEAT Scope writes).

    Pass text rather than bytes (and drop the bytes) to keep only one copy in memory.

    Raises:
        RunFileError: not UTF-8, not JSON, or too dense to be parsed within the budget.
    """
    text = decode_text(data, what) if isinstance(data, bytes) else data
    if parse_cost(text) > MAX_PARSE_FACTOR * len(text) + PARSE_ALLOWANCE:
        raise RunFileError(f"{what} holds too many tiny JSON values for its size ({len(text) / 2**20:,.1f} MB): not a file NEAT Scope writes")
    # Below 8 MB even a file of different keys (13 times its size parsed) stays within the allowance.
    if len(text) > 8 * 2**20 and distinct_keys(text, MAX_DISTINCT_KEYS) > MAX_DISTINCT_KEYS:
        raise RunFileError(f"{what} has more than {MAX_DISTINCT_KEYS:,} different field names: not a file NEAT Scope writes")
    try:
        return json.loads(text, object_hook=_share_strings())
    except (json.JSONDecodeError, RecursionError) as error:
        raise RunFileError(f"{what}: not valid JSON ({short(str(error))})") from None
    except ValueError as error:  # e.g. an integer with more digits than Python converts
        raise RunFileError(f"{what}: not a usable JSON file ({short(str(error))})") from None
