"""NEAT Scope desktop workbench: a thin PySide6 shell over the Qt-free ``core`` engine."""
