"""NEAT (Stanley & Miikkulainen 2002): one module per concept of the paper."""
