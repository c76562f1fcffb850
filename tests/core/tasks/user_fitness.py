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


# --- misbehaving functions for the isolation tests -----------------------------------------
# The genome whose network outputs 7 for inputs (0, 0) (an output bias of 7 with identity
# activation) misbehaves; every other genome scores its output.

MARKED = 7.0


def _marked(network) -> float:
    return float(network.activate([0.0, 0.0])[0])


def exits(network):
    value = _marked(network)
    if value == MARKED:
        import sys

        sys.exit(3)
    return value


def raises_generator_exit(network):
    value = _marked(network)
    if value == MARKED:
        raise GeneratorExit("closed")
    return value


def exits_the_process(network):
    value = _marked(network)
    if value == MARKED:
        import os

        os._exit(0)
    return value


def segfaults(network):
    value = _marked(network)
    if value == MARKED:
        import ctypes

        ctypes.string_at(0)
    return value


def sleeps_forever(network):
    value = _marked(network)
    if value == MARKED:
        import time

        time.sleep(3600)
    return value


def eats_memory(network):
    value = _marked(network)
    if value == MARKED:
        hoard = []
        while True:  # 64 MB at a time, touched, until the memory runs out
            hoard.append(bytearray(64 * 2**20))
    return value


def interrupts(network):
    raise KeyboardInterrupt


# --- a worker lost mid-generation (the ray backend's retry test) ---------------------------
# While the file NEATSCOPE_DIES_ONCE names exists, the first genome evaluated deletes it and
# kills its own process with SIGKILL: a worker lost once, mid-generation.


def dies_once(network):
    import os
    import signal

    marker = os.environ.get("NEATSCOPE_DIES_ONCE")
    if marker and os.path.exists(marker):
        os.remove(marker)
        os.kill(os.getpid(), signal.SIGKILL)
    return xor_fitness(network)
