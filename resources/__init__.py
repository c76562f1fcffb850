"""Default configuration files shipped with NEAT Scope (read with importlib.resources)."""
