"""HyperNEAT and ES-HyperNEAT: CPPNs evolved by NEAT, decoded onto substrates."""
