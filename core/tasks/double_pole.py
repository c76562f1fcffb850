"""Double pole balancing (Stanley & Miikkulainen 2002, section 4), with and without velocities.

Physics, inputs, limits and fitness are those of Stanley's NEAT 1.2.1 C++ ``experiments.cpp``
(``CartPole::step``, ``rk4``, ``performAction``, ``evalNet``, ``outsideBounds``), the code the
paper's numbers came from; see ``/work/shared/specs/double_pole.md``. The physics is written
once, over arrays of any shape with the state component first (6, ...), so a whole population
(and every start state of the generalisation test) steps together. The compiled twin is
``core.compiled.numba_kernels._double_pole_decide``; both give bit-identical fitness.

Two tasks:

* ``double-pole`` (Markovian, 7 inputs): fitness is the number of decisions balanced from the
  standard start, up to 100,000; solved at 100,000.
* ``double-pole-nv`` (no velocities, 4 inputs, needs recurrent networks): the damping fitness
  0.1 f1 + 0.9 f2 over 1,000 decisions. Each generation the best genome that balanced all
  1,000 decisions takes the paper's success test: 100,000 decisions from the standard start,
  then the 625-start generalisation test, passed with >= 200 starts balanced. A genome that
  passes gets fitness ``SOLVED_FITNESS + F`` so that every algorithm stops on the paper's
  criterion; every other genome's damping fitness is kept below ``SOLVED_FITNESS``.

Both tasks feed the C++ code's constant bias input of 0.5 as the last input (our nodes also
carry their own biases; the extra input is kept so the input layer is the paper's).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from core.networks.batch import PopulationNetwork
from core.runs.fields import check_int, check_number
from core.tasks import TaskResult
from core.tasks.episodes import run_compiled_episodes

GRAVITY = -9.8  # m/s^2, negative as the C++ equations expect
MASS_CART = 1.0  # kg
MASS_POLE_1 = 0.1  # kg
HALF_LENGTH_1 = 0.5  # m (the long pole is 1 m)
MASS_POLE_2 = 0.01  # kg
HALF_LENGTH_2 = 0.05  # m (the short pole is 0.1 m)
FRICTION_POLE = 0.000002  # hinge friction of both poles (no cart-track friction, as in the C++)
FORCE_MAG = 10.0  # N: force = (out - 0.5) * 2 * FORCE_MAG, out in [0, 1]
TAU = 0.01  # s per RK4 step
STEPS_PER_DECISION = 2  # RK4 steps per network decision (one decision every 0.02 s)
X_LIMIT = 2.4  # m
THETA_LIMIT = 0.628329  # rad (36 degrees), both poles
START_THETA_1 = 0.07  # rad: the C++ start of the long pole
MARKOV_STEPS = 100_000  # decisions that solve double-pole
NV_STEPS = 1_000  # decisions of one damping-fitness trial
JIGGLE_WINDOW = 100  # decisions summed by f2
# Generalisation test: x, x_dot, theta_1, theta_1_dot each at these fractions of their range.
GRID_FRACTIONS = (0.05, 0.25, 0.5, 0.75, 0.95)
GRID_SCALE = (4.32, 2.70, 0.12566304, 0.30019504)
GRID_OFFSET = (2.16, 1.35, 0.06283152, 0.15009752)
GENERALISATION_STEPS = 1_000
GENERALISATION_BALANCED = 999  # a start passes with this many decisions balanced
GENERALISATION_NEEDED = 200  # of 625 starts
# Fitness of a genome that passed the double-pole-nv success test (plus its damping fitness).
# Damping fitness reaches it only if the last 100 states sum to under 7.5e-7, far below what any
# controller achieves; it is capped just under, so "solved" always means "passed the test".
SOLVED_FITNESS = 1e6
BIAS_INPUT = 0.5
# Input scaling of the C++ evalNet: Markov reads all six components, non-Markov x, theta_1, theta_2.
MARKOV_SCALES = (4.8, 2.0, 0.52, 2.0, 0.52, 2.0)
NV_COMPONENTS = (0, 2, 4)
NV_SCALES = (4.8, 0.52, 0.52)
MAX_STEPS_LIMIT = 10_000_000

# Derived constants, computed once in one place so the numpy code and its compiled twin (which
# reads them from COMPILED_PARAMS in this order) use the same doubles.
ML_1 = HALF_LENGTH_1 * MASS_POLE_1
ML_2 = HALF_LENGTH_2 * MASS_POLE_2
FI_1 = 0.75 * MASS_POLE_1
FI_2 = 0.75 * MASS_POLE_2
HALF_TAU = TAU * 0.5
SIXTH_TAU = TAU / 6.0
COMPILED_PARAMS = np.array(
    [GRAVITY, MASS_CART, MASS_POLE_1, HALF_LENGTH_1, MASS_POLE_2, HALF_LENGTH_2, FRICTION_POLE, FORCE_MAG,
     TAU, HALF_TAU, SIXTH_TAU, ML_1, ML_2, FI_1, FI_2, X_LIMIT, THETA_LIMIT, BIAS_INPUT, *MARKOV_SCALES, JIGGLE_WINDOW]
)
# Compiled state of double-pole-nv: the 6 physics components, the count of balanced decisions,
# then a ring of the last JIGGLE_WINDOW jiggle terms (written at count % JIGGLE_WINDOW).
NV_STATE_SIZE = 6 + 1 + JIGGLE_WINDOW


def force_of(out: np.ndarray) -> np.ndarray:
    """Force (N) from the network's output: (out - 0.5) * 2 * 10 with out clipped to [0, 1].

    The C++ output is a sigmoid, always in [0, 1]; clipping keeps any other output function in
    the same +-10 N. NaN stays NaN, and the state it produces counts as a failure.
    """
    return (np.clip(out, 0.0, 1.0) - 0.5) * (FORCE_MAG * 2.0)


def derivatives(state: np.ndarray, force: np.ndarray) -> np.ndarray:
    """dy/dt (6, ...) of states (6, ...) = (x, x_dot, theta_1, theta_1_dot, theta_2, theta_2_dot)
    under ``force`` (...), in the C++ ``CartPole::step``'s order of operations."""
    _, x_dot, theta_1, theta_1_dot, theta_2, theta_2_dot = state
    cos_1, sin_1 = np.cos(theta_1), np.sin(theta_1)
    cos_2, sin_2 = np.cos(theta_2), np.sin(theta_2)
    g_sin_1 = GRAVITY * sin_1
    g_sin_2 = GRAVITY * sin_2
    friction_1 = FRICTION_POLE * theta_1_dot / ML_1
    friction_2 = FRICTION_POLE * theta_2_dot / ML_2
    fi_1 = ML_1 * theta_1_dot * theta_1_dot * sin_1 + FI_1 * cos_1 * (friction_1 + g_sin_1)
    fi_2 = ML_2 * theta_2_dot * theta_2_dot * sin_2 + FI_2 * cos_2 * (friction_2 + g_sin_2)
    mi_1 = MASS_POLE_1 * (1.0 - 0.75 * cos_1 * cos_1)
    mi_2 = MASS_POLE_2 * (1.0 - 0.75 * cos_2 * cos_2)
    x_acc = (force + fi_1 + fi_2) / (mi_1 + mi_2 + MASS_CART)
    out = np.empty_like(state)
    out[0] = x_dot
    out[1] = x_acc
    out[2] = theta_1_dot
    out[3] = -0.75 * (x_acc * cos_1 + g_sin_1 + friction_1) / HALF_LENGTH_1
    out[4] = theta_2_dot
    out[5] = -0.75 * (x_acc * cos_2 + g_sin_2 + friction_2) / HALF_LENGTH_2
    return out


def rk4_step(state: np.ndarray, force: np.ndarray) -> np.ndarray:
    """One RK4 step of TAU seconds, as the C++ ``rk4`` computes it."""
    k1 = derivatives(state, force)
    k2 = derivatives(state + HALF_TAU * k1, force)
    k3 = derivatives(state + HALF_TAU * k2, force)
    k4 = derivatives(state + TAU * k3, force)
    return state + SIXTH_TAU * (k1 + k4 + 2.0 * (k3 + k2))


def failed(state: np.ndarray) -> np.ndarray:
    """(...) True where a state is outside the limits (or NaN)."""
    x, _, theta_1, _, theta_2, _ = state
    return ~((np.abs(x) <= X_LIMIT) & (np.abs(theta_1) <= THETA_LIMIT) & (np.abs(theta_2) <= THETA_LIMIT))


def decide(state: np.ndarray, out: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One network decision: the force of ``out`` held for two RK4 steps (0.02 s).

    Returns the new states (6, ...) and where they failed (...).
    """
    force = force_of(out)
    for _ in range(STEPS_PER_DECISION):
        state = rk4_step(state, force)
    return state, failed(state)


def jiggle(state: np.ndarray) -> np.ndarray:
    """|x| + |x_dot| + |theta_1| + |theta_1_dot| of states (6, ...), the damping fitness's term."""
    return np.abs(state[0]) + np.abs(state[1]) + np.abs(state[2]) + np.abs(state[3])


def observe(state: np.ndarray, velocities: bool) -> np.ndarray:
    """The network's inputs (..., 7) or (..., 4) from states (6, ...), bias input last."""
    if velocities:
        columns = [state[i] / MARKOV_SCALES[i] for i in range(6)]
    else:
        columns = [state[i] / scale for i, scale in zip(NV_COMPONENTS, NV_SCALES)]
    columns.append(np.full(state.shape[1:], BIAS_INPUT))
    return np.stack(columns, axis=-1)


def standard_start(theta_1: float = START_THETA_1) -> np.ndarray:
    """The standard start state (6,): only the long pole tilted."""
    return np.array([0.0, 0.0, theta_1, 0.0, 0.0, 0.0])


def generalisation_starts() -> np.ndarray:
    """The 625 start states (625, 6) of the generalisation test, x slowest, theta_1_dot fastest.

    Row ``((i * 5 + j) * 5 + k) * 5 + l`` has x, x_dot, theta_1, theta_1_dot at fractions
    i, j, k, l of ``GRID_FRACTIONS``; both theta_2 and theta_2_dot are 0.
    """
    fractions = np.array(GRID_FRACTIONS)
    grids = np.meshgrid(*[fractions * scale - offset for scale, offset in zip(GRID_SCALE, GRID_OFFSET)], indexing="ij")
    starts = np.zeros((625, 6))
    for component, grid in zip((0, 1, 2, 3), grids):
        starts[:, component] = grid.ravel()
    return starts


def grid_picture(outcomes: np.ndarray) -> np.ndarray:
    """(25, 25) view of 625 per-start outcomes: row = (x, x_dot) pair, column = (theta_1, theta_1_dot) pair."""
    return np.asarray(outcomes).reshape(5, 5, 5, 5).reshape(25, 25)


def damping_fitness(balanced: np.ndarray, ring: np.ndarray, max_steps: int = NV_STEPS) -> np.ndarray:
    """0.1 f1 + 0.9 f2 (Gruau et al. 1996 as the C++ ``evalNet`` computes it).

    Args:
        balanced: (...) decisions balanced (the C++ ``balanced_sum``).
        ring: (..., JIGGLE_WINDOW) jiggle terms of the balanced decisions, decision t at
            ``t % JIGGLE_WINDOW``; the failing decision is not in it.
        max_steps: decisions of a full trial (f1 = balanced / max_steps).

    f2 = 0.75 / (sum of the last 100 jiggle terms), summed oldest first as the C++ loop does,
    and only when more than 100 decisions were balanced.
    """
    balanced = np.asarray(balanced, dtype=np.int64)
    total = np.zeros(balanced.shape)
    for offset in range(JIGGLE_WINDOW):
        index = (balanced - JIGGLE_WINDOW + offset) % JIGGLE_WINDOW
        total = total + np.take_along_axis(ring, index[..., None], axis=-1)[..., 0]
    f1 = balanced / float(max_steps)
    with np.errstate(divide="ignore"):
        f2 = np.where(balanced > JIGGLE_WINDOW, 0.75 / np.where(balanced > JIGGLE_WINDOW, total, 1.0), 0.0)
    return np.where(balanced > JIGGLE_WINDOW, 0.1 * f1 + 0.9 * f2, 0.1 * f1)


@dataclass(frozen=True, slots=True)
class Trials:
    """Outcome of every (genome, start) trial: decisions balanced (P, E), decisions taken in
    all (env steps), and for damping trials the jiggle ring (P, E, JIGGLE_WINDOW)."""

    balanced: np.ndarray
    env_steps: int
    ring: np.ndarray | None


def run_trials(population: PopulationNetwork, starts: np.ndarray, max_steps: int, velocities: bool, damping: bool) -> Trials:
    """Every genome from every start state (E, 6), up to ``max_steps`` decisions each.

    The network state is reset before the trials (each start is its own case, with its own
    recurrent state). Uses the compiled kernel when the population is on it, else numpy in lock
    step, dropping genomes whose trials have all ended once they are half the batch.
    """
    starts = np.asarray(starts, dtype=np.float64)
    episodes = len(starts)
    env = "double-pole" if velocities else "double-pole-nv"
    if damping and velocities:
        raise ValueError("the damping fitness is the task without velocities")
    # The compiled twin without velocities always keeps the jiggle ring in its state.
    compiled_starts = starts if velocities else np.concatenate([starts, np.zeros((episodes, NV_STATE_SIZE - 6))], axis=1)
    compiled = run_compiled_episodes(population, env, COMPILED_PARAMS, compiled_starts, max_steps)
    if compiled is not None:
        returns, steps, final_states = compiled
        return Trials(returns.astype(np.int64), int(steps.sum()), final_states[..., 7:] if damping else None)
    size = population.size
    balanced = np.zeros((size, episodes), dtype=np.int64)
    ring = np.zeros((size, episodes, JIGGLE_WINDOW)) if damping else None
    active = np.arange(size)
    state = np.broadcast_to(starts.T[:, None, :], (6, size, episodes)).copy()
    alive = np.ones((size, episodes), dtype=bool)
    active_balanced = np.zeros((size, episodes), dtype=np.int64)
    active_ring = np.zeros((size, episodes, JIGGLE_WINDOW)) if damping else None
    network = population
    network.reset()
    env_steps = 0
    for _ in range(max_steps):
        out = network.activate(observe(state, velocities))[..., 0]
        new_state, failing = decide(state, out)
        state = np.where(alive, new_state, state)  # ended trials keep their last (finite) state
        env_steps += int(np.count_nonzero(alive))
        balanced_now = alive & ~failing
        if active_ring is not None:
            genome, episode = np.nonzero(balanced_now)
            active_ring[genome, episode, active_balanced[genome, episode] % JIGGLE_WINDOW] = jiggle(state)[genome, episode]
        active_balanced += balanced_now
        alive = balanced_now
        genome_alive = alive.any(axis=1)
        live_count = int(np.count_nonzero(genome_alive))
        if live_count == 0:
            break
        if live_count * 2 <= len(active):
            balanced[active] = active_balanced
            if ring is not None:
                ring[active] = active_ring
            keep = np.flatnonzero(genome_alive)
            network = network.select(keep)
            active, state, alive, active_balanced = active[keep], state[:, keep], alive[keep], active_balanced[keep]
            if active_ring is not None:
                active_ring = active_ring[keep]
    balanced[active] = active_balanced
    if ring is not None:
        ring[active] = active_ring
    return Trials(balanced, env_steps, ring)


@dataclass(frozen=True, slots=True)
class SuccessTest:
    """The paper's success test of one network.

    ``standard_balanced``: decisions balanced from the standard start (of ``test_steps``).
    ``generalisation``: (625,) decisions balanced from each start of ``generalisation_starts``
    (None when the standard test failed, as in the paper, which only then generalises).
    """

    standard_balanced: int
    test_steps: int
    generalisation: np.ndarray | None

    @property
    def passed_standard(self) -> bool:
        """Balanced the whole long test."""
        return self.standard_balanced >= self.test_steps

    @property
    def generalisation_passed(self) -> np.ndarray | None:
        """(625,) bool: the starts balanced for (nearly) the whole 1,000 decisions."""
        return None if self.generalisation is None else self.generalisation >= GENERALISATION_BALANCED

    @property
    def generalisation_score(self) -> int | None:
        """How many of the 625 starts passed."""
        passed = self.generalisation_passed
        return None if passed is None else int(passed.sum())

    @property
    def solved(self) -> bool:
        """Passed the standard test and generalised to at least 200 of 625 starts."""
        return self.passed_standard and (self.generalisation_score or 0) >= GENERALISATION_NEEDED

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready numbers for a run summary."""
        return {
            "standard_start_balanced": self.standard_balanced,
            "standard_start_steps": self.test_steps,
            "generalisation": self.generalisation_score,
            "generalisation_starts": 625,
            "solved": self.solved,
        }


def generalisation_test(network: PopulationNetwork, velocities: bool = False, steps: int = GENERALISATION_STEPS) -> np.ndarray:
    """(P, 625) decisions balanced by every genome of ``network`` from each of the 625 starts."""
    return run_trials(network, generalisation_starts(), steps, velocities, damping=False).balanced


def success_test(
    network: PopulationNetwork, velocities: bool = False, test_steps: int = MARKOV_STEPS, start_theta: float = START_THETA_1,
    always_generalise: bool = False,
) -> list[SuccessTest]:
    """The paper's success test for every genome of ``network``: ``test_steps`` decisions from
    the standard start, then (for those that pass, or all with ``always_generalise``) the
    625-start generalisation test."""
    standard = run_trials(network, standard_start(start_theta)[None], test_steps, velocities, damping=False).balanced[:, 0]
    passing = np.arange(network.size) if always_generalise else np.flatnonzero(standard >= test_steps)
    general: dict[int, np.ndarray] = {}
    if len(passing):
        rows = generalisation_test(network.select(passing) if len(passing) < network.size else network, velocities)
        general = dict(zip(passing.tolist(), rows))
    return [SuccessTest(int(standard[i]), int(test_steps), general.get(i)) for i in range(network.size)]


def _genome_key(genome: Any) -> tuple:
    """Everything of a genome that decides its network (ids aside)."""
    nodes = tuple(sorted((n.node_id, n.kind, n.bias, n.response, n.activation, n.aggregation) for n in genome.nodes.values()))
    links = tuple(sorted((c.innovation, c.in_node, c.out_node, c.weight, c.enabled) for c in genome.connections.values()))
    return nodes, links


def _genome_network(genome: Any, recurrent: bool) -> PopulationNetwork:
    """A one-genome network on the compiled kernel when it is ready (the long tests are 725,000
    decisions), else numpy; both give the same numbers."""
    from core.compiled import BIG_GENERATION_WORK, choose_kernel

    kernel = choose_kernel("auto", BIG_GENERATION_WORK, 0.0, True)
    return PopulationNetwork([genome], recurrent=recurrent, kernel=kernel)


class DoublePoleTask:
    """Double pole balancing with velocities (Markovian): 7 inputs, 1 output (the force).

    Fitness is the number of decisions balanced from the standard start, up to ``max_steps``
    (100,000, about 33 minutes of simulated time); solved when all are balanced.
    """

    name = "double-pole"
    velocities = True
    spec_keys = ("max_steps", "start_theta", "fitness_threshold")
    num_inputs = 7
    num_outputs = 1
    deterministic = True

    def __init__(self, max_steps: int = MARKOV_STEPS, start_theta: float = START_THETA_1, fitness_threshold: float | None = None):
        self.max_steps = check_int(max_steps, "task.max_steps", 1, MAX_STEPS_LIMIT)
        self.start_theta = check_number(start_theta, "task.start_theta", -THETA_LIMIT, THETA_LIMIT)
        self.fitness_threshold = float(self.max_steps) if fitness_threshold is None else check_number(fitness_threshold, "task.fitness_threshold")
        self.last_seconds = 0.0

    @property
    def activations_per_genome(self) -> int:
        """Most network activations one genome's evaluation can take (sizes the kernel choice)."""
        return self.max_steps

    def evaluate(self, population: PopulationNetwork, rng: np.random.Generator, episodes: int | None = None) -> TaskResult:
        """Decisions balanced by every genome (one deterministic trial; ``rng`` and ``episodes`` unused)."""
        started = time.perf_counter()
        trials = run_trials(population, standard_start(self.start_theta)[None], self.max_steps, True, damping=False)
        self.last_seconds = time.perf_counter() - started
        fitness = trials.balanced[:, 0].astype(np.float64)
        return TaskResult(fitness, fitness >= self.max_steps, env_steps=trials.env_steps)

    def spec(self) -> dict[str, Any]:
        """Task name and parameters."""
        return {"name": self.name, "max_steps": self.max_steps, "start_theta": self.start_theta, "fitness_threshold": self.fitness_threshold}

    def close(self) -> None:
        """Nothing to release."""


class DoublePoleNvTask:
    """Double pole balancing without velocities: 4 inputs (x, theta_1, theta_2, bias), 1 output.

    Fitness is the damping fitness over ``max_steps`` decisions. Each generation the
    ``champions`` best genomes that balanced every decision take the paper's success test
    (``test_steps`` decisions, then the 625 starts); passing it is ``criterion_met`` and lifts
    the genome's fitness to ``SOLVED_FITNESS`` + its damping fitness, the task's threshold.
    Run it with recurrent networks (NEAT: ``population.feed_forward = false``).
    """

    name = "double-pole-nv"
    velocities = False
    spec_keys = ("max_steps", "test_steps", "champions", "start_theta", "fitness_threshold")
    num_inputs = 4
    num_outputs = 1
    deterministic = True

    def __init__(
        self, max_steps: int = NV_STEPS, test_steps: int = MARKOV_STEPS, champions: int = 1, start_theta: float = START_THETA_1,
        fitness_threshold: float = SOLVED_FITNESS,
    ):
        self.max_steps = check_int(max_steps, "task.max_steps", JIGGLE_WINDOW, MAX_STEPS_LIMIT)
        self.test_steps = check_int(test_steps, "task.test_steps", 1, MAX_STEPS_LIMIT)
        self.champions = check_int(champions, "task.champions", 0, 1_000_000)
        self.start_theta = check_number(start_theta, "task.start_theta", -THETA_LIMIT, THETA_LIMIT)
        self.fitness_threshold = check_number(fitness_threshold, "task.fitness_threshold")
        self.recurrent = True  # of the last evaluated population: ``describe`` decodes the same way
        # The last generation's tested champion (index in that batch, outcome) and its genes.
        self.last_test: tuple[int, SuccessTest] | None = None
        self.last_tested_genome: tuple = ()

    @property
    def activations_per_genome(self) -> int:
        """Most network activations one genome's evaluation can take (sizes the kernel choice)."""
        return self.max_steps

    def evaluate(self, population: PopulationNetwork, rng: np.random.Generator, episodes: int | None = None) -> TaskResult:
        """Damping fitness of every genome, and the success test of the best full balancers."""
        self.recurrent = population.recurrent
        trials = run_trials(population, standard_start(self.start_theta)[None], self.max_steps, False, damping=True)
        assert trials.ring is not None
        balanced = trials.balanced[:, 0]
        fitness = np.minimum(damping_fitness(balanced, trials.ring[:, 0], self.max_steps), np.nextafter(SOLVED_FITNESS, 0.0))
        solved = np.zeros(population.size, dtype=bool)
        self.last_test = None
        candidates = np.flatnonzero(balanced >= self.max_steps)
        if self.champions and len(candidates):
            # Best first, ties to the lower index (stable), as argmax picks a champion.
            candidates = candidates[np.argsort(-fitness[candidates], kind="stable")[: self.champions]]
            tests = success_test(population.select(candidates), False, self.test_steps, self.start_theta)
            genomes = getattr(population, "genomes", None)  # decoded substrates (HyperNEAT) have none
            for index, test in zip(candidates.tolist(), tests):
                solved[index] = test.solved
                if self.last_test is None or test.solved:
                    self.last_test = (index, test)
                    self.last_tested_genome = _genome_key(genomes[index]) if genomes is not None else ()
        fitness = np.where(solved, SOLVED_FITNESS + fitness, fitness)
        return TaskResult(fitness, solved, env_steps=trials.env_steps)

    def describe(self, genome: Any) -> dict[str, Any]:
        """The champion's success test (standard start, then generalisation) for a run summary."""
        if self.last_test is not None and self.last_tested_genome == _genome_key(genome):
            return self.last_test[1].to_dict()  # tested in the last generation: the same numbers
        network = _genome_network(genome, self.recurrent)
        return success_test(network, False, self.test_steps, self.start_theta)[0].to_dict()

    def spec(self) -> dict[str, Any]:
        """Task name and parameters."""
        return {
            "name": self.name, "max_steps": self.max_steps, "test_steps": self.test_steps, "champions": self.champions,
            "start_theta": self.start_theta, "fitness_threshold": self.fitness_threshold,
        }

    def close(self) -> None:
        """Nothing to release."""
