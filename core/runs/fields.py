"""Strict readers for fields of run files: each check fails with one ``RunFileError`` naming
where in the file the problem is (``population[3].connections[0].weight: expected ...``).

A leaf module (standard library only), so every layer that reads saved data can use it.
"""

from __future__ import annotations

import math
from typing import Any

# Counters and ids beyond this are corrupt, not large: numpy and the arrays need int64.
MAX_COUNTER = 2**62


class RunFileError(ValueError):
    """A run file cannot be read: not JSON, wrong format or version, or an invalid field."""


def read_field(data: Any, key: str, kind: type | tuple[type, ...], where: str) -> Any:
    """``data[key]`` if it has one of the types ``kind`` (a bool is never an int here).

    Raises:
        RunFileError: ``data`` is not an object, the key is missing, the type is wrong, or a
            float is NaN or infinite.
    """
    if not isinstance(data, dict):
        raise RunFileError(f"{where}: expected an object, got {type(data).__name__}")
    if key not in data:
        raise RunFileError(f"{where}: missing field '{key}'")
    value = data[key]
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if isinstance(value, bool) and bool not in kinds:
        raise RunFileError(f"{where}.{key}: expected {'/'.join(k.__name__ for k in kinds)}, got a boolean")
    if not isinstance(value, kinds):
        raise RunFileError(f"{where}.{key}: expected {'/'.join(k.__name__ for k in kinds)}, got {type(value).__name__}")
    if isinstance(value, float) and not math.isfinite(value):
        raise RunFileError(f"{where}.{key}: must be finite")
    return value


def read_counter(data: Any, key: str, where: str) -> int:
    """A non-negative integer below ``MAX_COUNTER`` (ids, counts, generations)."""
    value = read_field(data, key, int, where)
    if not 0 <= value < MAX_COUNTER:
        raise RunFileError(f"{where}.{key}: {value} is out of range (0 to 2**62)")
    return value


def read_number(data: Any, key: str, where: str) -> float:
    """A finite number, as float."""
    value = read_field(data, key, (int, float), where)
    try:
        number = float(value)
    except OverflowError:
        raise RunFileError(f"{where}.{key}: must be finite") from None
    if not math.isfinite(number):
        raise RunFileError(f"{where}.{key}: must be finite")
    return number


def read_optional_number(data: Any, key: str, where: str) -> float | None:
    """A finite number or null (a missing key is an error)."""
    if isinstance(data, dict) and key in data and data[key] is None:
        return None
    return read_number(data, key, where)


def read_list(data: Any, key: str, where: str) -> list:
    """A JSON array."""
    return read_field(data, key, list, where)


def read_dict(data: Any, key: str, where: str) -> dict:
    """A JSON object."""
    return read_field(data, key, dict, where)


def check_keys(data: dict, allowed: frozenset[str] | set[str], where: str) -> None:
    """Reject fields this version does not know (a typo or a file from elsewhere)."""
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise RunFileError(f"{where}: unknown field(s) {', '.join(repr(k) for k in unknown[:5])}")


def read_rng_state(data: Any, key: str, where: str) -> dict:
    """A numpy PCG64 bit-generator state that numpy accepts."""
    import numpy as np

    state = read_dict(data, key, where)
    try:
        np.random.PCG64().state = state
    except (KeyError, TypeError, ValueError, OverflowError) as error:
        raise RunFileError(f"{where}.{key}: not a PCG64 state ({error})") from error
    return state
