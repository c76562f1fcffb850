"""The run record every algorithm shares: reports, config, persistence, export and comparison."""
