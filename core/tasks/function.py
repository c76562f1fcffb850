"""A task defined by a user's own fitness function, called once per genome.

``neatscope run --fitness mymodule:fitness --inputs 2 --outputs 1`` imports ``fitness`` and
calls it with each genome's network (``activate(inputs) -> outputs``; recurrent networks also
have ``reset()``). A function that raises, or returns NaN or ±inf, marks only that genome as a
fault; the engine counts it and gives it the generation's worst fitness.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Callable
from typing import Any

import numpy as np

from core.networks.batch import PopulationNetwork
from core.networks.decode import decode
from core.tasks import TaskResult

FitnessFunction = Callable[[Any], float]


def import_function(target: str) -> FitnessFunction:
    """The callable named ``module:attribute`` (``attribute`` may be dotted).

    Raises:
        ValueError: malformed name, module not importable, or attribute missing / not callable.
    """
    module_name, _, attribute = target.partition(":")
    if not module_name or not attribute:
        raise ValueError(f"a fitness function is named module:function, got {target!r}")
    try:
        value: Any = importlib.import_module(module_name)
    except ImportError as error:
        raise ValueError(f"cannot import module {module_name!r} for the fitness function: {error}") from error
    for part in attribute.split("."):
        if not hasattr(value, part):
            raise ValueError(f"{module_name!r} has no {attribute!r}")
        value = getattr(value, part)
    if not callable(value):
        raise ValueError(f"{target} is not callable")
    return value


class FunctionTask:
    """Evaluate each genome with ``function(network) -> fitness``.

    Args:
        target: ``module:function`` to import; kept in run files so a resume finds it again.
        num_inputs, num_outputs: the network's interface.
        fitness_threshold: fitness that counts as solved (default: never).
        function: the callable itself (library use); ``target`` must still name it for saving.
    """

    name = "function"
    deterministic = False

    def __init__(
        self,
        target: str,
        num_inputs: int,
        num_outputs: int,
        fitness_threshold: float | None = None,
        function: FitnessFunction | None = None,
    ):
        if not (isinstance(num_inputs, int) and isinstance(num_outputs, int)) or num_inputs < 1 or num_outputs < 1:
            raise ValueError("a fitness function task needs num_inputs >= 1 and num_outputs >= 1")
        self.target = target
        self.function = function if function is not None else import_function(target)
        self.num_inputs = num_inputs
        self.num_outputs = num_outputs
        self.fitness_threshold = math.inf if fitness_threshold is None else float(fitness_threshold)

    def evaluate(self, population: PopulationNetwork, rng: np.random.Generator, episodes: int | None = None) -> TaskResult:
        """Call the function once per genome; a failure is that genome's NaN and error message."""
        fitness = np.empty(population.size)
        errors = []
        for index, genome in enumerate(population.genomes):
            if population.checkpoint is not None:
                population.checkpoint()
            try:
                value = float(self.function(decode(genome, recurrent=population.recurrent)))
            except Exception as error:  # noqa: BLE001 - a user function may raise anything; it faults one genome
                value = math.nan
                errors.append((index, f"genome {genome.genome_id}: {type(error).__name__}: {error}"))
            else:
                if not math.isfinite(value):
                    errors.append((index, f"genome {genome.genome_id}: fitness {value}"))
            fitness[index] = value
        return TaskResult(fitness, fitness >= self.fitness_threshold, tuple(errors))

    def spec(self) -> dict[str, Any]:
        """Task name and parameters."""
        return {
            "name": self.name,
            "target": self.target,
            "num_inputs": self.num_inputs,
            "num_outputs": self.num_outputs,
            "fitness_threshold": None if math.isinf(self.fitness_threshold) else self.fitness_threshold,
        }

    def close(self) -> None:
        """Nothing to release."""
