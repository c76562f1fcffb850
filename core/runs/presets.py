"""Named config presets shipped in ``resources/presets/``: e.g. ``paper``, the paper's NEAT.

A preset is a TOML file with a ``[preset]`` table (the ``algorithm`` it is for and a
``description``), the config sections it changes (a layer over the algorithm's defaults, below
a user's ``--config`` file) and ``[task.NAME]`` tables of task options applied when the preset
runs that task (``[task.xor] fitness = "paper"``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from core.runs.config import ConfigError, resource_text
from core.runs.fields import shown

PRESET_FOLDER = "presets"
PRESET_NAMES = ("paper",)
_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")


@dataclass(frozen=True, slots=True)
class Preset:
    """One preset: what it is for, the config layer and per-task options."""

    name: str
    algorithm: str
    description: str
    config: dict[str, Any]
    task_options: dict[str, dict[str, Any]]

    def options_for(self, task_name: str) -> dict[str, Any]:
        """The task options this preset sets for ``task_name`` (empty if none)."""
        return dict(self.task_options.get(task_name, {}))


def load_preset(name: str) -> Preset:
    """Read a shipped preset by name.

    Raises:
        ConfigError: unknown preset, or a malformed preset file.
    """
    import tomllib

    if not isinstance(name, str) or not _NAME.fullmatch(name) or name not in PRESET_NAMES:
        raise ConfigError(f"unknown preset {shown(name)}; known: {', '.join(PRESET_NAMES)}")
    source = f"preset {name}"
    try:
        data = tomllib.loads(resource_text(f"{PRESET_FOLDER}/{name}.toml"))
    except (FileNotFoundError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"{source}: {error}") from error
    meta = data.pop("preset", None)
    if not isinstance(meta, dict) or set(meta) != {"algorithm", "description"} or not all(isinstance(v, str) for v in meta.values()):
        raise ConfigError(f"{source}: [preset] must hold exactly algorithm and description (strings)")
    tasks = data.pop("task", {})
    if not isinstance(tasks, dict) or not all(isinstance(options, dict) for options in tasks.values()):
        raise ConfigError(f"{source}: [task.NAME] tables hold task options")
    return Preset(name, meta["algorithm"], meta["description"], data, {task: dict(options) for task, options in tasks.items()})


__all__ = ["PRESET_NAMES", "Preset", "load_preset"]
