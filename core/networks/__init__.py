"""Networks: the graph genome every network kind is decoded from, activations, the one-genome
reference evaluator, and the population-batched evaluator all algorithms share."""
