"""What a Substrate workspace draws, as plain data (Qt-free): a CPPN's weight slice for a chosen
source neuron, the decoded connectivity at any resolution, ES-HyperNEAT's quadtree cells and
hidden neurons, and boxes trials replayed by a champion.

Every function takes a run's config (``HyperNeatConfig`` or ``EsHyperNeatConfig``), the CPPN as
a ``Genome`` (``report.champion.to_genome()``) and, where a substrate is needed, a task (another
``BoxesTask(resolution=R)`` re-decodes the same CPPN at R x R without further evolution).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from core.algorithms.hyperneat.config import EsHyperNeatConfig
from core.algorithms.hyperneat.cppn import link_network, link_weights, query, query_inputs
from core.algorithms.hyperneat.decode import SubstrateDecoder
from core.algorithms.hyperneat.es_hyperneat import EsDecoder, QuadtreeLevel, explore
from core.algorithms.hyperneat.substrate import Substrate, grid, substrate_for_task
from core.networks.batch import PopulationNetwork
from core.networks.genome import Genome
from core.networks.layered import LayeredNetworks
from core.tasks.boxes import BoxesTask, BoxesTrials, exhaustive_trials, render


def decoder_for(config: Any, substrate: Substrate) -> SubstrateDecoder | EsDecoder:
    """The decoder a config asks for (ES-HyperNEAT's or HyperNEAT's) onto ``substrate``."""
    if isinstance(config, EsHyperNeatConfig):
        return EsDecoder(substrate, config.hyperneat, config.es_hyperneat)
    return SubstrateDecoder(substrate, config.hyperneat)


def decode_one(config: Any, cppn: Genome, task: Any, kernel: str = "numpy") -> LayeredNetworks:
    """One CPPN decoded onto the substrate of ``task`` (a batch of one network), on ``kernel``
    ("numpy" or "numba": the same numbers)."""
    return decoder_for(config, substrate_for_task(config.substrate, task)).decode([cppn], None, kernel)


@dataclass(frozen=True, slots=True)
class SubstrateView:
    """One decoded network, ready to draw.

    ``coordinates`` (N, 2) and ``kinds`` (N,) ("input", "hidden", "output") by node index (inputs,
    hidden, outputs); ``present`` (N,) False for hidden neurons this network does not have;
    ``sources``, ``targets`` (L,) node indices and ``weights`` (L,) of the expressed links;
    ``biases`` (N,). ``network`` is the runnable one-network batch.
    """

    coordinates: np.ndarray
    kinds: tuple[str, ...]
    present: np.ndarray
    sources: np.ndarray
    targets: np.ndarray
    weights: np.ndarray
    biases: np.ndarray
    network: LayeredNetworks

    @property
    def link_count(self) -> int:
        """Expressed links."""
        return len(self.weights)

    @property
    def hidden_count(self) -> int:
        """Hidden neurons the network has."""
        return int(sum(1 for kind, here in zip(self.kinds, self.present.tolist()) if kind == "hidden" and here))

    def outgoing(self, node: int) -> tuple[np.ndarray, np.ndarray]:
        """Targets and weights of the links leaving ``node`` (click a neuron: its outgoing weights)."""
        mine = self.sources == node
        return self.targets[mine], self.weights[mine]

    def outgoing_image(self, node: int, rows: int, columns: int) -> np.ndarray:
        """The weights from ``node`` to the output sheet as a rows x columns image (row-major, as
        grid sheets are laid out; 0 where no link), e.g. 11 x 11 for the boxes task."""
        image = np.zeros(len(self.kinds))
        targets, weights = self.outgoing(node)
        image[targets] = weights
        outputs = image[len(self.kinds) - self.network.num_outputs :]
        return outputs.reshape(rows, columns)


def substrate_view(config: Any, cppn: Genome, task: Any, kernel: str = "numpy") -> SubstrateView:
    """The network a CPPN decodes into on ``task``'s substrate, as drawable arrays (decoded on
    ``kernel``, "numpy" or "numba": the same numbers)."""
    substrate = substrate_for_task(config.substrate, task)
    network = decoder_for(config, substrate).decode([cppn], None, kernel)
    n_in, n_out = network.num_inputs, network.num_outputs
    hidden_points = getattr(network, "hidden_points", None)
    if hidden_points is None:
        coordinates = substrate.coordinates
    else:
        coordinates = np.concatenate([substrate.sheets[0].coordinates, hidden_points, substrate.sheets[-1].coordinates])
    kinds = tuple("input" if i < n_in else "output" if i >= network.node_count - n_out else "hidden" for i in range(network.node_count))
    sources, targets, weights = [], [], []
    for group, w in zip(network.groups, network.weights):
        rows, columns = np.nonzero(w[0])
        targets.append(group.start + rows)
        sources.append(group.source_start + columns)
        weights.append(w[0][rows, columns])
    present = np.ones(network.node_count, dtype=bool) if network.present is None else network.present[0]
    return SubstrateView(
        coordinates, kinds, present, np.concatenate(sources), np.concatenate(targets), np.concatenate(weights), network.biases[0], network
    )


@dataclass(frozen=True, slots=True)
class WeightSlice:
    """The CPPN's answer for one source neuron over a grid of targets (or one target over sources).

    ``raw`` (R, R) is the weight output, ``weights`` (R, R) the expressed weights (0 = no link),
    row-major with ``ys`` down the rows and ``xs`` across the columns (pixel centres over [-1, 1]).
    """

    xs: np.ndarray
    ys: np.ndarray
    raw: np.ndarray
    weights: np.ndarray


def weight_slice(config: Any, cppn: Genome, point: tuple[float, float], resolution: int = 64, outgoing: bool = True) -> WeightSlice:
    """The 2-D slice of the CPPN's output for links from ``point`` (``outgoing``) or into it."""
    points = grid(resolution, resolution)  # the positions of an R x R substrate sheet, bit for bit
    centres = points[:resolution, 0]
    fixed = np.broadcast_to(np.asarray(point, dtype=np.float64), points.shape)
    inputs = query_inputs(fixed, points, config.hyperneat) if outgoing else query_inputs(points, fixed, config.hyperneat)
    outputs = query(PopulationNetwork([cppn]), inputs)[0]
    return WeightSlice(
        centres,
        centres,
        outputs[:, 0].reshape(resolution, resolution).copy(),
        link_weights(outputs, config.hyperneat).reshape(resolution, resolution),
    )


@dataclass(frozen=True, slots=True)
class QuadCell:
    """One quadtree cell: centre, half-width, level (2 = the root's children) and its decisions."""

    x: float
    y: float
    half_width: float
    level: int
    weight: float
    variance: float
    divided: bool
    visited: bool
    band: bool
    selected: bool


def quadtree(config: EsHyperNeatConfig, cppn: Genome, point: tuple[float, float], outgoing: bool = True) -> list[QuadCell]:
    """ES-HyperNEAT's quadtree from (``outgoing``) or into a neuron at ``point``: every cell that
    exists, with the decisions that drew the band. Cells that are ``selected`` and lie above
    (outgoing) or below the point become links."""
    network = link_network([cppn], config.hyperneat)
    levels: list[QuadtreeLevel] = explore(network, np.asarray([point], dtype=np.float64), outgoing, config.hyperneat, config.es_hyperneat)
    cells = []
    for index, level in enumerate(levels):
        n = level.side
        centres = -1.0 + (2 * np.arange(n) + 1) / n
        for row in range(n):
            for column in range(n):
                at = (0, 0, row, column)
                if level.exists[at]:
                    cells.append(
                        QuadCell(
                            float(centres[column]),
                            float(centres[row]),
                            1.0 / n,
                            index + 2,
                            float(level.weight[at]),
                            float(level.variance[at]),
                            bool(level.divided[at]),
                            bool(level.visited[at]),
                            bool(level.band[at]),
                            bool(level.selected[at]),
                        )
                    )
    return cells


@dataclass(frozen=True, slots=True)
class BoxesPlayback:
    """Boxes trials as a network saw and answered them, for a trial viewer.

    ``inputs`` and ``outputs`` (T, R, R) row-major images; ``small``, ``large`` (T, 2) box
    positions (x, y) on the 11x11 test field (``large`` is the target centre); ``chosen`` (T, 2)
    the answered pixel (x, y) at resolution R; ``distance`` (T,) from the target in field pixels.
    """

    resolution: int
    inputs: np.ndarray
    outputs: np.ndarray
    small: np.ndarray
    large: np.ndarray
    chosen: np.ndarray
    distance: np.ndarray


def boxes_playback(config: Any, cppn: Genome, trials: BoxesTrials, resolution: int = 11, network: LayeredNetworks | None = None) -> BoxesPlayback:
    """Decode a CPPN at ``resolution`` and show it ``trials`` (e.g. ``random_trials(rng)``).

    ``network``: the CPPN already decoded at ``resolution`` (``SubstrateView.network``), so a
    viewer that has decoded it once does not decode it again (a 55x55 decode takes seconds)."""
    task = BoxesTask(resolution)
    network = decode_one(config, cppn, task) if network is None else network
    score = task.score(network, trials)
    inputs = render(trials, resolution)
    network.reset()
    outputs = network.activate(inputs)[0]
    return BoxesPlayback(
        resolution,
        inputs.reshape(len(trials), resolution, resolution),
        outputs.reshape(len(trials), resolution, resolution),
        trials.small,
        trials.large,
        score.chosen[0],
        score.distance[0],
    )


@dataclass(frozen=True, slots=True)
class BoxesAccuracy:
    """A CPPN's boxes result at one resolution over a fixed trial set."""

    resolution: int
    trials: int
    accuracy: float
    exact: float
    mean_distance: float
    links: int


def boxes_accuracy(config: Any, cppn: Genome, resolutions: tuple[int, ...] = (11, 33, 55), trials: BoxesTrials | None = None) -> dict[int, BoxesAccuracy]:
    """Share of trials answered within one field pixel (and exactly) when the CPPN is decoded at
    each resolution, with no further evolution; by default all 484 trials of
    ``exhaustive_trials`` (every small-box pixel, every relative position)."""
    trials = exhaustive_trials() if trials is None else trials
    results = {}
    for resolution in resolutions:
        task = BoxesTask(resolution)
        network = decode_one(config, cppn, task)
        score = task.score(network, trials)
        results[resolution] = BoxesAccuracy(
            resolution,
            len(trials),
            float(score.accuracy[0]),
            float((score.distance[0] < 1e-9).mean()),
            float(score.distance[0].mean()),
            int(network.link_counts()[0]),
        )
    return results
