"""The neuroevolution family: one package or module per algorithm, all speaking ``protocol``."""
