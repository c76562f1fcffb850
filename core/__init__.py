"""NEAT Scope engine: NEAT (Stanley & Miikkulainen 2002) in pure Python and numpy, no Qt."""
