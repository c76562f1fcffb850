"""Default configuration files shipped with NEAT Scope (read by core.runs.config.resource_toml)."""
