"""Human names for a task's network inputs and outputs, for drawing and explaining genomes.

A task (or an algorithm whose genomes have their own interface, like a HyperNEAT CPPN) may
carry ``input_names`` / ``output_names`` attributes; otherwise the table below names the
built-in tasks and gymnasium's classic-control environments, and anything else is x1.., y1...
Observation meanings come from each environment's documentation (gymnasium 1.x); angular
velocities are ω (a combining dot over θ renders badly in many fonts).
"""

from __future__ import annotations

from typing import Any

# Names by task key: "xor", "cartpole", or a gymnasium id for the "gym" task.
KNOWN: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "xor": (("x1", "x2"), ("y",)),
    "cartpole": (("x", "ẋ", "θ", "ω"), ("left", "right")),
    "CartPole-v1": (("x", "ẋ", "θ", "ω"), ("left", "right")),
    "double-pole": (("x", "ẋ", "θ1", "ω1", "θ2", "ω2", "bias"), ("force",)),
    "double-pole-nv": (("x", "θ1", "θ2", "bias"), ("force",)),
    "CartPole-v0": (("x", "ẋ", "θ", "ω"), ("left", "right")),
    "Acrobot-v1": (("cos θ1", "sin θ1", "cos θ2", "sin θ2", "ω1", "ω2"), ("torque −1", "torque 0", "torque +1")),
    "MountainCar-v0": (("position", "velocity"), ("left", "none", "right")),
    "MountainCarContinuous-v0": (("position", "velocity"), ("force",)),
    "Pendulum-v1": (("cos θ", "sin θ", "ω"), ("torque",)),
    "LunarLander-v3": (("x", "y", "vx", "vy", "angle", "ω", "left leg", "right leg"), ("noop", "left engine", "main engine", "right engine")),
}


def _fits(names: Any, count: int) -> bool:
    return isinstance(names, (tuple, list)) and len(names) == count and all(isinstance(n, str) for n in names)


def node_names(task_spec: dict[str, Any], num_inputs: int, num_outputs: int, source: Any = None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Names of the ``num_inputs`` inputs and ``num_outputs`` outputs of a run's genomes.

    Args:
        task_spec: the task's ``spec()``.
        num_inputs: input nodes of the genomes (may differ from the task's for indirect encodings).
        num_outputs: output nodes of the genomes.
        source: an object (algorithm or task) whose ``input_names``/``output_names`` win when
            they fit these counts.
    """
    inputs: tuple[str, ...] | None = None
    outputs: tuple[str, ...] | None = None
    if source is not None:
        if _fits(getattr(source, "input_names", None), num_inputs):
            inputs = tuple(source.input_names)
        elif _fits(getattr(source, "features", None), num_inputs):  # the Playground's input features
            inputs = tuple(source.features)
        if _fits(getattr(source, "output_names", None), num_outputs):
            outputs = tuple(source.output_names)
    key = task_spec.get("env_id") if task_spec.get("name") == "gym" else task_spec.get("name")
    known_inputs, known_outputs = KNOWN.get(str(key), ((), ()))
    if inputs is None:
        inputs = tuple(known_inputs) if len(known_inputs) == num_inputs else tuple(f"x{i + 1}" for i in range(num_inputs))
    if outputs is None:
        outputs = tuple(known_outputs) if len(known_outputs) == num_outputs else tuple(f"y{i + 1}" for i in range(num_outputs))
    return inputs, outputs
