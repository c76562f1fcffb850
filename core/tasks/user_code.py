"""Importing the user's own code (fitness functions, gymnasium env modules) the user named.

Only names the user typed (or confirmed in the app) reach this module; a run file never does by
itself (see ``core.tasks.required_code``). The named module is looked up in the given folder
(the current folder by default) before the installed packages, as ``python -m`` would.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any

from core.runs.fields import short, shown

MAX_TARGET_LENGTH = 300


def check_dotted(name: Any, what: str) -> str:
    """``name`` if it is a dotted Python name (``pkg.module``, ``Class.method``).

    Raises:
        ValueError: naming ``what``.
    """
    if not isinstance(name, str):
        raise ValueError(f"{what}: expected a string, got {type(name).__name__}")
    if not name or len(name) > MAX_TARGET_LENGTH or not all(part.isidentifier() for part in name.split(".")):
        raise ValueError(f"{what}: {shown(name)} is not a dotted Python name")
    return name


def split_target(target: Any) -> tuple[str, str]:
    """``(module, attribute)`` of a ``module:attribute`` name, both checked.

    Raises:
        ValueError: not a string of that form.
    """
    if not isinstance(target, str):
        raise ValueError(f"a fitness function is named module:function, got {type(target).__name__}")
    module_name, colon, attribute = target.partition(":")
    if not colon or not module_name or not attribute:
        raise ValueError(f"a fitness function is named module:function, got {shown(target)}")
    return check_dotted(module_name, "fitness function module"), check_dotted(attribute, "fitness function name")


def import_user_module(module_name: str, folder: str | None = None) -> Any:
    """Import a module the user named, looking in ``folder`` (default: the current folder) first.

    The folder stays at the end of ``sys.path`` afterwards, so the module's own later imports of
    its neighbours work while nothing installed is ever shadowed by it.

    Raises:
        ValueError: the module cannot be imported (or raised while importing).
    """
    check_dotted(module_name, "module")
    folder = os.path.abspath(folder or os.getcwd())
    sys.path.insert(0, folder)
    try:
        return importlib.import_module(module_name)
    except ImportError as error:
        raise ValueError(f"cannot import module {shown(module_name)} (looked in {folder} and the installed packages): {short(str(error))}") from error
    except KeyboardInterrupt:
        raise
    except BaseException as error:  # noqa: BLE001 - the user's module failed (or called sys.exit) while being imported
        raise ValueError(f"module {shown(module_name)} failed while being imported: {type(error).__name__}: {short(str(error))}") from None
    finally:
        sys.path.remove(folder)
        if folder not in sys.path:
            sys.path.append(folder)


def import_function(target: str, folder: str | None = None) -> Any:
    """The callable named ``module:attribute`` (``attribute`` may be dotted).

    Raises:
        ValueError: malformed name, module not importable, or attribute missing / not callable.
    """
    module_name, attribute = split_target(target)
    value: Any = import_user_module(module_name, folder)
    for part in attribute.split("."):
        if not hasattr(value, part):
            raise ValueError(f"{shown(module_name)} has no {shown(attribute)}")
        value = getattr(value, part)
    if not callable(value):
        raise ValueError(f"{shown(target)} is not callable")
    return value
