"""Runs to compare across backends: a gymnasium env without a vector form, a user's function."""

from __future__ import annotations

from core.algorithms.registry import algorithm_class

GYM_ENV = "Acrobot-v1"  # no native vector env: it runs on workers
FITNESS = "tests.core.tasks.user_fitness:xor_fitness"


def history_of(task, algorithm: str = "neat", generations: int = 2, population: int = 12, seed: int = 5) -> list[tuple]:
    """A short run's every report field that results consist of (timings aside), and the task closed."""
    cls = algorithm_class(algorithm)
    config = cls.load_config(None).replace(**{cls.population_size_key: population})
    try:
        run = cls(config, task, seed)
        reports = list(run.run(generations, stop_when_solved=False))
    finally:
        task.close()
    return [
        (r.generation, r.evaluations, r.env_steps, r.best_fitness, r.mean_fitness, r.stdev_fitness, r.fitness_faults, r.champion)
        for r in reports
    ]
