"""NEAT Scope command line: headless runs over ``core`` and the desktop app in ``desktop_app``."""
