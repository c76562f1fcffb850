"""The boxes visual-discrimination task of HyperNEAT (Stanley, D'Ambrosio & Gauci 2009, section 4).

A visual field holds a 1x1 and a 3x3 box; the network must point at the large box's centre.
Trials, inputs, the answer and the fitness follow SharpNEAT 2's implementation
(``SharpNeatDomains/BoxesVisualDiscrimination``, see ``shared/specs/hyperneat.md``):

- The test field is always 11x11 pixels over [-1, 1]^2. A network of resolution R sees an RxR
  visual field whose pixel centres sample it (``-1 + s/2 + i*s``, ``s = 2/R``), so the same boxes
  can be shown at 11x11, 33x33 or 55x55.
- A trial places the small box on a random pixel; the large box's centre is 5 pixels to the right,
  down, or diagonally ((3, 4) or (4, 3) at random) from it. Past the edge it wraps; a centre on
  the border row or column moves one pixel inward so all nine pixels are in view.
- 75 trials: 25 per relative position (right, down, diagonal). SharpNEAT's evaluator passes
  position 0 for every trial (right only); we use all three as the paper and its comments say.
- The answer is the output with the largest activation (first on ties), one activation.
- Fitness (SharpNEAT): ``rmsd`` of the distances in field units, ``thr = 2 * 0.5772``;
  0 if ``rmsd > thr``, else ``(thr - rmsd) * 100 / thr + sum(max - min activation) / 7.5``
  (at most 110).

Unlike SharpNEAT, where each genome draws its own trials, every genome of a generation faces the
same 75 trials (drawn from the generation's task stream), so selection compares networks rather
than luck.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from core.networks.batch import PopulationNetwork
from core.runs.fields import check_int, check_number
from core.tasks import TaskResult

FIELD = 11  # pixels per side of the test field
FIELD_PIXEL = 2.0 / FIELD  # one test-field pixel in field units
LARGE_OFFSETS = ((5, 0), (0, 5))  # right, down; the diagonal is (3, 4) or (4, 3)
DIAGONALS = ((3, 4), (4, 3))
# Root mean square distance of two random points in the 2x2 field: a random answer's rmsd.
RANDOM_RMSD = 2.0 * 0.5772
MAX_FITNESS = 110.0
TRIALS_PER_POSITION = 25


@dataclass(frozen=True, slots=True)
class BoxesTrials:
    """Box positions of a set of trials as (x, y) pixel indices on the 11x11 test field.

    ``small`` is the 1x1 box, ``large`` the centre of the 3x3 box (the target); both (T, 2) ints.
    """

    small: np.ndarray
    large: np.ndarray

    def __len__(self) -> int:
        return len(self.small)


def _bring_into_view(coordinate: np.ndarray) -> np.ndarray:
    """Wrap a large-box centre past the far edge, then move a centre on the border inward.

    After a wrap the centre is at most 4, so only the near border can be hit (SharpNEAT's
    ``GenerateRandomTestCase``).
    """
    coordinate = np.where(coordinate > FIELD - 1, coordinate - FIELD, coordinate)
    coordinate = np.where(coordinate == 0, 1, coordinate)
    return np.where(coordinate == FIELD - 1, FIELD - 2, coordinate)


def place_large_box(small: np.ndarray, offset: np.ndarray) -> np.ndarray:
    """The large box's centre for small boxes at ``small`` and relative offsets (both (T, 2))."""
    return _bring_into_view(np.asarray(small, dtype=np.int64) + np.asarray(offset, dtype=np.int64))


def random_trials(rng: np.random.Generator, per_position: int = TRIALS_PER_POSITION) -> BoxesTrials:
    """``3 * per_position`` trials: right, then down, then diagonal, small boxes anywhere."""
    small = rng.integers(0, FIELD, size=(3 * per_position, 2))
    diagonal = np.array(DIAGONALS)[rng.integers(0, 2, size=per_position)]
    offsets = np.concatenate([np.repeat(np.array(LARGE_OFFSETS), per_position, axis=0), diagonal])
    return BoxesTrials(small, place_large_box(small, offsets))


def exhaustive_trials() -> BoxesTrials:
    """Every small-box pixel with every relative position, both diagonals: 484 trials.

    A fixed set for measuring a champion (accuracy at several resolutions) without sampling noise.
    """
    ys, xs = np.divmod(np.arange(FIELD * FIELD), FIELD)
    small = np.tile(np.column_stack([xs, ys]), (4, 1))
    offsets = np.repeat(np.array([*LARGE_OFFSETS, *DIAGONALS]), FIELD * FIELD, axis=0)
    return BoxesTrials(small, place_large_box(small, offsets))


def pixel_centres(resolution: int) -> np.ndarray:
    """Centres of ``resolution`` pixels across [-1, 1] (SharpNEAT's convention)."""
    size = 2.0 / resolution
    return -1.0 + size / 2.0 + np.arange(resolution) * size


def field_pixel_of(resolution: int) -> np.ndarray:
    """The test-field pixel each of ``resolution`` visual pixels samples, per axis.

    ``floor((c + 1) * 11 / 2)`` for the pixel centre c, in integers so that no rounding decides.
    """
    return (2 * np.arange(resolution) + 1) * FIELD // (2 * resolution)


def render(trials: BoxesTrials, resolution: int) -> np.ndarray:
    """(T, R*R) visual inputs, row-major (y outer, x inner): 1 on a box pixel, else 0."""
    sample = field_pixel_of(resolution)
    x = sample[None, None, :]
    y = sample[None, :, None]
    small = trials.small[:, :, None, None]
    large = trials.large[:, :, None, None]
    on_small = (x == small[:, 0]) & (y == small[:, 1])
    on_large = (np.abs(x - large[:, 0]) <= 1) & (np.abs(y - large[:, 1]) <= 1)
    return (on_small | on_large).reshape(len(trials), resolution * resolution).astype(np.float64)


@dataclass(frozen=True, slots=True)
class BoxesScore:
    """How networks did on a set of trials.

    ``chosen`` (P, T, 2) is each answer as (x, y) visual pixel indices; ``distance`` (P, T) the
    distance from the target in test-field pixels; ``activation_range`` (P, T) max - min output.
    """

    fitness: np.ndarray
    chosen: np.ndarray
    distance: np.ndarray
    activation_range: np.ndarray

    @property
    def accuracy(self) -> np.ndarray:
        """(P,) share of trials answered within one test-field pixel of the target."""
        return (self.distance <= 1.0 + 1e-9).mean(axis=1)

    @property
    def exact(self) -> np.ndarray:
        """(P,) whether every trial's answer is exactly the target."""
        return (self.distance < 1e-9).all(axis=1)


def score(outputs: np.ndarray, trials: BoxesTrials, resolution: int) -> BoxesScore:
    """Score (P, T, R*R) network outputs on ``trials`` (SharpNEAT's fitness, see the module docstring)."""
    outputs = np.asarray(outputs, dtype=np.float64)
    winner = np.argmax(outputs, axis=2)
    chosen = np.stack([winner % resolution, winner // resolution], axis=2)
    centres = pixel_centres(resolution)
    target = -1.0 + FIELD_PIXEL * (trials.large + 0.5)
    delta = centres[chosen] - target[None]
    squared = (delta * delta).sum(axis=2)
    activation_range = np.maximum(outputs.max(axis=2) - outputs.min(axis=2), 0.0)
    count = len(trials)
    rmsd = np.sqrt(squared.sum(axis=1) / count)
    fitness = np.where(
        rmsd > RANDOM_RMSD, 0.0, (RANDOM_RMSD - rmsd) * 100.0 / RANDOM_RMSD + activation_range.sum(axis=1) * 10.0 / count
    )
    return BoxesScore(fitness, chosen, np.sqrt(squared) / FIELD_PIXEL, activation_range)


class BoxesTask:
    """Point at the large box: R*R visual inputs, R*R outputs, 75 trials, fitness out of 110.

    ``input_grid`` and ``output_grid`` tell substrate encodings (HyperNEAT) that inputs and
    outputs are RxR sheets, row-major.
    """

    name = "boxes"
    deterministic = False

    def __init__(self, resolution: int = FIELD, fitness_threshold: float = MAX_FITNESS, trials_per_position: int = TRIALS_PER_POSITION):
        # Checked like a run file's fields: a saved run's task parameters reach this constructor.
        self.resolution = check_int(resolution, "task.resolution", 3, 201)
        # Each trial is resolution**2 inputs for every genome; 1,000 per position is 40x the default.
        self.trials_per_position = check_int(trials_per_position, "task.trials_per_position", 1, 1_000)
        self.fitness_threshold = check_number(fitness_threshold, "task.fitness_threshold")
        self.num_inputs = self.num_outputs = resolution * resolution
        self.input_grid = self.output_grid = (resolution, resolution)

    def evaluate(self, population: PopulationNetwork, rng: np.random.Generator, episodes: int | None = None) -> TaskResult:
        """Show every network the generation's trials in one batch; one activation each."""
        trials = random_trials(rng, self.trials_per_position)
        result = self.score(population, trials)
        return TaskResult(result.fitness, result.exact)

    def score(self, population: PopulationNetwork, trials: BoxesTrials) -> BoxesScore:
        """Every network's answers and fitness on the given trials."""
        population.reset()
        outputs = population.activate(render(trials, self.resolution))
        return score(outputs, trials, self.resolution)

    def spec(self) -> dict[str, Any]:
        """Task name and parameters."""
        return {
            "name": self.name,
            "resolution": self.resolution,
            "fitness_threshold": self.fitness_threshold,
            "trials_per_position": self.trials_per_position,
        }

    def close(self) -> None:
        """Nothing to release."""
