"""The digits task: scikit-learn's bundled 8x8 handwritten digits (1,797 images, no download),
on which the architecture-search algorithms train one ``MLPClassifier`` per genome.

Unlike the other tasks, a genome here is not a network to activate but a recipe for one
(layers, units, activation, solver, learning rate, L2; see ``core.algorithms.arch_search``).
The task splits the data once (stratified, by ``split_seed``) into train, validation and test
sets, trains every recipe for a fixed budget on the training set and scores it: fitness is the
validation accuracy, the test accuracy is only reported (the champion's, in the summary).

Training fans out over ``workers`` processes. Every process trains with one BLAS/OpenMP
thread and every genome gets an integer ``random_state`` from the run's SeedSequence, so the
scores are bit-identical with any worker count. scikit-learn is imported inside the functions:
``neatscope run xor`` never loads it.
"""

from __future__ import annotations

import math
from concurrent.futures import ProcessPoolExecutor, wait
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from core.runs.fields import check_int, check_number

# Digits has 1,797 images; a subsample keeps tests fast. Below this, a stratified split of ten
# classes into three sets is not possible.
MIN_SAMPLES = 100
FULL_SAMPLES = 1797
MAX_WORKERS = 64
MAX_EPOCHS = 10_000


@dataclass(frozen=True, slots=True)
class Recipe:
    """What one training needs: the MLP's hidden layers and hyperparameters, and its seed."""

    hidden: tuple[int, ...]
    activation: str
    solver: str
    learning_rate: float
    l2: float
    random_state: int


@dataclass(frozen=True, slots=True)
class Scores:
    """Validation and test accuracy per recipe, and a message per recipe whose training failed
    (its accuracies are then 0)."""

    validation: np.ndarray
    test: np.ndarray
    errors: tuple[tuple[int, str], ...]


@lru_cache(maxsize=4)
def digits_split(samples: int, split_seed: int, validation_fraction: float, test_fraction: float) -> tuple[np.ndarray, ...]:
    """(x_train, y_train, x_val, y_val, x_test, y_test): digits scaled to [0, 1], stratified.

    ``samples`` below 1,797 takes a stratified subsample first (for quick tests).
    Cached per process: workers build it once.
    """
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    data = load_digits()
    x, y = data.data / 16.0, data.target
    if samples < len(y):
        x, _, y, _ = train_test_split(x, y, train_size=samples, stratify=y, random_state=split_seed)
    x_rest, x_test, y_rest, y_test = train_test_split(x, y, test_size=test_fraction, stratify=y, random_state=split_seed)
    share = validation_fraction / (1.0 - test_fraction)
    x_train, x_val, y_train, y_val = train_test_split(x_rest, y_rest, test_size=share, stratify=y_rest, random_state=split_seed)
    return x_train, y_train, x_val, y_val, x_test, y_test


def _limit_threads() -> None:
    """One BLAS/OpenMP thread in this process: the machine's cores go to the worker processes,
    and the float results cannot depend on how many threads a matrix product was split over."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)


def train_recipes(recipes: list[Recipe], data_key: tuple, epochs: int, batch_size: int) -> list[tuple[float, float, str | None]]:
    """Train and score recipes one after another: (validation accuracy, test accuracy, error or None) each."""
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    x_train, y_train, x_val, y_val, x_test, y_test = digits_split(*data_key)
    # The fixed budget rarely converges; that is the point, not a problem. Set for the whole
    # process rather than in catch_warnings, which is not thread-safe (the app trains both
    # algorithms in two threads at once).
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    results: list[tuple[float, float, str | None]] = []
    for recipe in recipes:
        model = MLPClassifier(
            hidden_layer_sizes=recipe.hidden,
            activation=recipe.activation,
            solver=recipe.solver,
            # The reference passes the weight decay as the learning rate (its lr gene is never
            # used); here the learning-rate gene is the learning rate.
            learning_rate_init=recipe.learning_rate,
            alpha=recipe.l2,
            batch_size=min(batch_size, len(y_train)),
            max_iter=epochs,
            # The budget is fixed: no stopping on a plateau, no held-out share of the training set.
            n_iter_no_change=epochs + 1,
            tol=0.0,
            random_state=recipe.random_state,
        )
        try:
            # Diverging recipes overflow; they are scored (or fail) below.
            with np.errstate(all="ignore"):
                model.fit(x_train, y_train)
                results.append((float(model.score(x_val, y_val)), float(model.score(x_test, y_test)), None))
        except (ValueError, FloatingPointError, ArithmeticError) as error:
            # A diverged training (non-finite weights) scores 0, like the reference's abort.
            results.append((0.0, 0.0, f"{type(error).__name__}: {error}"[:200]))
    return results


def _train_in_worker(recipes: list[Recipe], data_key: tuple, epochs: int, batch_size: int) -> list[tuple[float, float, str | None]]:
    _limit_threads()
    return train_recipes(recipes, data_key, epochs, batch_size)


class DigitsTask:
    """8x8 digits classification for architecture search (see the module docstring).

    Args:
        samples: images used (default all 1,797; fewer for quick tests).
        split_seed: seed of the stratified train/validation/test split (fixed per run).
        validation_fraction: share of the images that scores fitness.
        test_fraction: held-out share, reported for the champion only.
        epochs: training budget of every genome: passes over the training set (``max_iter``;
            for the lbfgs solver, its iterations).
        batch_size: minibatch size of sgd and adam.
        fitness_threshold: validation accuracy that counts as solved (default 1: never stop early
            short of a perfect score).
        workers: 0 trains in this process; N > 0 splits each generation over N processes
            (results identical).

    Raises:
        ValueError: a parameter out of range.
    """

    name = "digits"
    num_inputs = 64
    num_outputs = 10
    # The same recipe and seed train to the same bits: re-evaluating is never needed.
    deterministic = True
    activations_per_genome = 0
    trains_architectures = True
    spec_keys = ("samples", "split_seed", "validation_fraction", "test_fraction", "epochs", "batch_size", "fitness_threshold", "workers")

    def __init__(
        self,
        samples: int = FULL_SAMPLES,
        split_seed: int = 0,
        validation_fraction: float = 0.2,
        test_fraction: float = 0.2,
        epochs: int = 10,
        batch_size: int = 64,
        fitness_threshold: float | None = 1.0,
        workers: int = 0,
    ):
        self.samples = check_int(samples, "task.samples", MIN_SAMPLES, FULL_SAMPLES)
        self.split_seed = check_int(split_seed, "task.split_seed", 0, 2**32 - 1)
        self.validation_fraction = check_number(validation_fraction, "task.validation_fraction", 0.05, 0.45)
        self.test_fraction = check_number(test_fraction, "task.test_fraction", 0.05, 0.45)
        self.epochs = check_int(epochs, "task.epochs", 1, MAX_EPOCHS)
        self.batch_size = check_int(batch_size, "task.batch_size", 1, 100_000)
        self.fitness_threshold = 1.0 if fitness_threshold is None else check_number(fitness_threshold, "task.fitness_threshold")
        self.workers = check_int(workers, "task.workers", 0, MAX_WORKERS)
        self._pool: ProcessPoolExecutor | None = None

    @property
    def data_key(self) -> tuple:
        """The arguments of ``digits_split`` for this task."""
        return (self.samples, self.split_seed, self.validation_fraction, self.test_fraction)

    def evaluate(self, population: Any, rng: np.random.Generator, episodes: int | None = None) -> Any:
        """Digits trains architectures, not fixed networks: only the architecture-search algorithms run it."""
        raise ValueError("the digits task trains MLP architectures: run it with --algorithm arch-ga or arch-random")

    def train(self, recipes: list[Recipe], checkpoint: Any = None) -> Scores:
        """Train and score every recipe; the checkpoint runs between trainings (it may raise to stop).

        Raises:
            ImportError: scikit-learn is not installed.
        """
        if self.workers and len(recipes) > 1:
            results = self._train_in_pool(recipes, checkpoint)
        else:
            _limit_threads()
            results = []
            for recipe in recipes:
                if checkpoint is not None:
                    checkpoint()
                results += train_recipes([recipe], self.data_key, self.epochs, self.batch_size)
        validation = np.array([r[0] for r in results], dtype=np.float64)
        test = np.array([r[1] for r in results], dtype=np.float64)
        errors = tuple((i, r[2]) for i, r in enumerate(results) if r[2] is not None)
        return Scores(validation, test, errors)

    def _train_in_pool(self, recipes: list[Recipe], checkpoint: Any) -> list[tuple[float, float, str | None]]:
        import multiprocessing

        if self._pool is None:
            # spawn, not fork: the app's Qt threads must not be duplicated into children.
            self._pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"))
        # Small chunks balance uneven training times (a 4 x 256 net takes ten times a 1 x 16 one).
        chunk = max(1, math.ceil(len(recipes) / (4 * self.workers)))
        futures = [
            self._pool.submit(_train_in_worker, recipes[a : a + chunk], self.data_key, self.epochs, self.batch_size) for a in range(0, len(recipes), chunk)
        ]
        try:
            while True:
                # Poll rather than block so the engine's pause/stop checkpoint still runs.
                _, pending = wait(futures, timeout=0.05)
                if not pending:
                    break
                if checkpoint is not None:
                    checkpoint()
        except BaseException:
            for future in futures:
                future.cancel()
            raise
        return [result for future in futures for result in future.result()]

    def spec(self) -> dict[str, Any]:
        """Task name and parameters."""
        return {
            "name": self.name,
            "samples": self.samples,
            "split_seed": self.split_seed,
            "validation_fraction": self.validation_fraction,
            "test_fraction": self.test_fraction,
            "epochs": self.epochs,
            "batch_size": self.batch_size,
            "fitness_threshold": self.fitness_threshold,
            "workers": self.workers,
        }

    def close(self) -> None:
        """Shut the worker processes down."""
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None
