"""Fitness functions as a user would write them, for the fault-handling tests."""

import numpy as np

CASES = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
TARGETS = np.array([0.0, 1.0, 1.0, 0.0])


def xor_fitness(network):
    outputs = np.array([network.activate(case)[0] for case in CASES])
    return 4.0 - float(((outputs - TARGETS) ** 2).sum())


def flaky_fitness(network):
    """Raises or returns NaN/inf for some networks, depending on their first output."""
    value = network.activate(CASES[1])[0]
    if value > 0.8:
        raise ZeroDivisionError("user code divided by zero")
    if value < 0.2:
        return float("nan")
    return xor_fitness(network)


def always_fails(network):
    raise RuntimeError("simulator not found")
