"""The registration points of the desktop app: every workspace and every panel, one line each.

Adding a workspace or a panel is a new module plus one line here (see desktop_app/__init__.py):

- a workspace is a ``desktop_app.workspaces.base.Workspace`` subclass, shown as a top-level tab
  of the main window in the order listed;
- a panel is a ``desktop_app.panels.base.Panel`` subclass; the Evolve workspace shows it for
  every run its ``accepts(run)`` takes, tabs sorted by ``Panel.order``;
- a task offered by name in the task boxes is one ``TASKS`` entry: its label and the spec
  ``core.tasks.make_task`` builds (any gymnasium id can be typed without an entry).

Entries are "module:Class" strings, imported when the window is built.
"""

from __future__ import annotations

import importlib

WORKSPACES: tuple[str, ...] = (
    "desktop_app.workspaces.evolve:EvolveWorkspace",
    "desktop_app.workspaces.compare:CompareWorkspace",
    "desktop_app.workspaces.playground:PlaygroundWorkspace",
    "desktop_app.workspaces.substrate:SubstrateWorkspace",
    "desktop_app.workspaces.arch_search:ArchSearchWorkspace",
)

PANELS: tuple[str, ...] = (
    "desktop_app.panels.fitness:FitnessPanel",
    "desktop_app.panels.champion:ChampionPanel",
    "desktop_app.panels.species:SpeciesPanel",
    "desktop_app.panels.alignment:AlignmentPanel",
    "desktop_app.panels.es_traces:EsTracesPanel",
    "desktop_app.panels.ga_lineage:GaLineagePanel",
    "desktop_app.panels.replay:ReplayPanel",
)


TASKS: dict[str, dict] = {
    "XOR": {"name": "xor"},
    "CartPole-v1": {"name": "cartpole"},
    "Double pole (velocities)": {"name": "double-pole"},
    "Double pole (no velocities)": {"name": "double-pole-nv"},
    "Playground: spiral": {"name": "playground", "dataset": "spiral"},
    "Playground: circle": {"name": "playground", "dataset": "circle"},
    "Playground: xor": {"name": "playground", "dataset": "xor"},
    "Playground: gaussian": {"name": "playground", "dataset": "gaussian"},
    "Boxes (HyperNEAT)": {"name": "boxes"},
    "Digits (architecture search)": {"name": "digits"},
}


def load(entry: str) -> type:
    """The class a "module:Class" entry names."""
    module, _, name = entry.partition(":")
    return getattr(importlib.import_module(module), name)


def workspace_classes() -> list[type]:
    """Workspace classes in tab order."""
    return [load(entry) for entry in WORKSPACES]


def panel_classes() -> list[type]:
    """Panel classes sorted by their ``order``."""
    return sorted((load(entry) for entry in PANELS), key=lambda cls: cls.order)
