"""Backpropagation through a whole population of feed-forward genomes at once.

``TrainableNetwork`` takes the layered schedule a ``PopulationNetwork`` compiled (every genome's
depth-d nodes computed together) and lays its connection weights and node biases out as one
parameter vector, so a forward pass, a reverse pass over the same layers and an optimiser step
each cost a handful of numpy calls for all genomes together. No autodiff library batches
thousands of distinct small graphs well on a CPU; a reverse pass over the existing schedule does.

``train_population`` is Backprop NEAT's inner loop (backprop-neat-js, ``example.js``): RMSProp on
minibatches drawn with replacement, gradient clipping, decoupled L2 weight decay, weight bounds,
and early stopping on the full training set every ``check_every`` steps with a restore of the
last checkpoint. The forward pass computes exactly what the batched evaluator computes (same
operations in the same order), so a trained genome's loss here equals its evaluated loss.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from core.networks.activations import ACTIVATIONS, AGGREGATIONS, aggregate
from core.networks.batch import PopulationNetwork, _sum_left_to_right
from core.networks.genome import Genome

# Training calls its checkpoint at least this often (in steps), so a pause or stop is prompt even
# when early-stopping checks are rare.
CHECKPOINT_EVERY = 20

# Outputs are clipped this far from 0 and 1 before the log, so a saturated wrong answer costs
# about 37 nats instead of infinity (float64's sigmoid reaches exactly 1.0 near x = 37).
LOG_LOSS_EPSILON = 1e-16


def log_loss(outputs: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Mean binary cross-entropy over the last axis: -(t ln y + (1 - t) ln(1 - y)).

    Args:
        outputs: (..., E) probabilities from the network's sigmoid output.
        targets: (..., E) or (E,) labels in {0, 1}.
    """
    y = np.clip(outputs, LOG_LOSS_EPSILON, 1.0 - LOG_LOSS_EPSILON)
    return -(targets * np.log(y) + (1.0 - targets) * np.log1p(-y)).mean(axis=-1)


def _derivative(name: str, pre: np.ndarray, out: np.ndarray) -> np.ndarray | None:
    """d activation / d pre-activation, from the pre-activation and the output; None means 1."""
    if name == "identity":
        return None
    if name == "logistic":
        return out * (1.0 - out)
    if name == "sigmoid":
        return 4.9 * out * (1.0 - out)
    if name == "tanh":
        return 1.0 - out * out
    if name == "relu":
        return (pre > 0.0).astype(np.float64)
    if name == "gaussian":
        # The forward pass clips x^2 at 60, where the curve is flat.
        return np.where(pre * pre < 60.0, -2.0 * pre * out, 0.0)
    if name == "std_gaussian":
        return np.where(pre * pre < 120.0, -pre * out, 0.0)
    if name == "sin":
        return np.cos(pre)
    if name == "abs":
        return np.sign(pre)
    if name == "square":
        return 2.0 * pre
    raise ValueError(f"no derivative for activation {name!r}")


DIFFERENTIABLE = frozenset(ACTIVATIONS)


@dataclass(frozen=True, slots=True)
class _Segment:
    """Rows [start, stop) of a layer sharing one aggregation and one activation."""

    start: int
    stop: int
    aggregation: str
    activation: str


@dataclass(frozen=True, slots=True)
class _TrainLayer:
    """One layer of the schedule in the trainer's own row layout (rows of a layer are contiguous)."""

    row_start: int
    rows: int
    sources: np.ndarray  # (M, K) value rows read; padding reads row 0 (always 0.0)
    padding: np.ndarray | None  # (M, K, 1), kept when some row does not sum
    has_inputs: np.ndarray  # (M, 1)
    response: np.ndarray | None  # (M, 1)
    segments: tuple[_Segment, ...]
    aggregations: tuple[tuple[int, int, str], ...]  # contiguous (start, stop, kind) runs of one aggregation
    all_sum: bool
    weight_slice: slice
    bias_slice: slice
    logistic_outputs: np.ndarray  # rows (within the layer) that are outputs with a logistic activation
    logistic_output_index: np.ndarray  # their position among all outputs (genome-major)
    scatter_order: np.ndarray  # positions of (M*K) entries that feed hidden rows, sorted by source row
    scatter_starts: np.ndarray
    scatter_rows: np.ndarray


class TrainableNetwork:
    """A feed-forward ``PopulationNetwork`` whose weights and biases can be trained together.

    ``theta`` holds, layer by layer, the padded (M, K) weight block then the M biases; padding
    entries read a row that is always zero, so their gradient is zero and they never move.

    Args:
        population: a feed-forward population network (its genomes are left untouched).

    Raises:
        ValueError: the population is recurrent, has bias input nodes, or uses an activation without a derivative.
    """

    def __init__(self, population: PopulationNetwork):
        if population.recurrent:
            raise ValueError("backpropagation needs feed-forward networks")
        if len(population._constant_slots):
            raise ValueError("backpropagation trains per-node biases: genomes with a bias input node (nodes.bias_input) are not supported")
        self.population = population
        self.size = population.size
        self.num_inputs = population.num_inputs
        self.num_outputs = population.num_outputs
        layers = population._layers
        inputs_end = population._inputs_end
        # New rows: 0 is the zero row, the input block keeps the population's rows, then each
        # layer's rows follow contiguously, sorted so that rows of one node function are adjacent.
        row_of_slot = np.full(population.slot_count, -1, dtype=np.intp)
        row_of_slot[:inputs_end] = np.arange(inputs_end)
        next_row = inputs_end
        orders = []
        for layer in layers:
            activation = np.zeros(len(layer.slots), dtype=np.intp)
            for code, (_, rows) in enumerate(layer.activation_groups):
                activation[slice(None) if rows is None else rows] = code
            aggregation = np.zeros(len(layer.slots), dtype=np.intp)
            for code, (_, rows) in enumerate(layer.aggregation_groups):
                aggregation[slice(None) if rows is None else rows] = code
            order = np.lexsort((np.arange(len(layer.slots)), activation, aggregation))
            orders.append((order, activation[order], aggregation[order]))
            row_of_slot[layer.slots[order]] = np.arange(next_row, next_row + len(order))
            next_row += len(order)
        self.row_count = next_row

        outputs_begin, outputs_end = population._inputs_end, population._outputs_end
        self.output_rows = row_of_slot[outputs_begin:outputs_end].reshape(self.size, self.num_outputs)
        slot_of_row = np.zeros(self.row_count, dtype=np.intp)
        computed = row_of_slot >= 0
        slot_of_row[row_of_slot[computed]] = np.flatnonzero(computed)
        self.row_owner = population._slot_owner[slot_of_row]
        self.row_node_id = population._slot_node_id[slot_of_row]
        self._output_rows_flat = self.output_rows.ravel()
        output_index = np.full(self.row_count, -1, dtype=np.intp)
        output_index[self._output_rows_flat] = np.arange(len(self._output_rows_flat))

        weight_blocks, bias_blocks, owner_blocks, real_blocks = [], [], [], []
        self._edge_index: list[np.ndarray] = []
        compiled = []
        offset = 0
        row_start = inputs_end
        for layer, (order, activation, aggregation) in zip(layers, orders):
            count, width = layer.sources.shape
            sources = row_of_slot[layer.sources[order]]
            sources[layer.sources[order] == 0] = 0
            weights = layer.weights[order, :, 0]
            bias = layer.bias[order, 0]
            edges = layer.edges[order]
            segments = []
            start = 0
            for row in range(1, count + 1):
                if row == count or activation[row] != activation[start] or aggregation[row] != aggregation[start]:
                    segments.append(
                        _Segment(start, row, layer.aggregation_groups[aggregation[start]][0], layer.activation_groups[activation[start]][0])
                    )
                    start = row
            for segment in segments:
                if segment.activation not in DIFFERENTIABLE:
                    raise ValueError(f"no derivative for activation {segment.activation!r}")
            layer_rows = np.arange(row_start, row_start + count)
            logistic_outputs = np.array(
                [r for s in segments if s.activation == "logistic" for r in range(s.start, s.stop) if output_index[row_start + r] >= 0], dtype=np.intp
            )
            aggregations = []
            for segment in segments:
                if aggregations and aggregations[-1][2] == segment.aggregation:
                    aggregations[-1] = (aggregations[-1][0], segment.stop, segment.aggregation)
                else:
                    aggregations.append((segment.start, segment.stop, segment.aggregation))
            feeds_hidden = np.flatnonzero(sources.ravel() >= inputs_end)
            scatter_order = feeds_hidden[np.argsort(sources.ravel()[feeds_hidden], kind="stable")]
            scatter_sources = sources.ravel()[scatter_order]
            scatter_rows, scatter_starts = np.unique(scatter_sources, return_index=True)
            weight_slice = slice(offset, offset + count * width)
            bias_slice = slice(weight_slice.stop, weight_slice.stop + count)
            offset = bias_slice.stop
            compiled.append(
                _TrainLayer(
                    row_start=row_start,
                    rows=count,
                    sources=sources,
                    padding=None if layer.padding is None else layer.padding[order],
                    has_inputs=layer.has_inputs[order],
                    response=None if layer.response is None else layer.response[order],
                    segments=tuple(segments),
                    aggregations=tuple(aggregations),
                    all_sum=all(s.aggregation == "sum" for s in segments),
                    weight_slice=weight_slice,
                    bias_slice=bias_slice,
                    logistic_outputs=logistic_outputs,
                    logistic_output_index=output_index[row_start + logistic_outputs],
                    scatter_order=scatter_order,
                    scatter_starts=scatter_starts,
                    scatter_rows=scatter_rows,
                )
            )
            weight_blocks.append(weights.ravel())
            bias_blocks.append(bias)
            owner = self.row_owner[layer_rows]
            owner_blocks += [np.repeat(owner, width), owner]
            real_blocks += [(edges >= 0).ravel(), np.ones(count, dtype=bool)]
            self._edge_index.append(edges)
            row_start += count
        self.layers: tuple[_TrainLayer, ...] = tuple(compiled)
        self.outputs_all_logistic = sum(len(layer.logistic_outputs) for layer in compiled) == len(self._output_rows_flat)
        blocks = [block for pair in zip(weight_blocks, bias_blocks) for block in pair]
        self.theta = np.concatenate(blocks) if blocks else np.zeros(0)
        self.parameter_owner = np.concatenate(owner_blocks).astype(np.intp) if owner_blocks else np.zeros(0, dtype=np.intp)
        self.parameter_is_real = np.concatenate(real_blocks) if real_blocks else np.zeros(0, dtype=bool)
        self._cache: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self._positions: dict[tuple[int, int, int], int] | None = None
        self.values: np.ndarray | None = None

    # --- parameters -------------------------------------------------------------------------

    def weights(self, layer: _TrainLayer, theta: np.ndarray | None = None) -> np.ndarray:
        """The (M, K) weight block of a layer (a view into ``theta``)."""
        source = self.theta if theta is None else theta
        return source[layer.weight_slice].reshape(layer.rows, -1)

    def parameter_count(self, genome_index: int) -> int:
        """Trainable weights and biases of one genome."""
        return int(np.count_nonzero(self.parameter_is_real & (self.parameter_owner == genome_index)))

    def write_back(self, genomes: Sequence[Genome], theta: np.ndarray | None = None, only: int | None = None) -> list[Genome]:
        """Copies of ``genomes`` (the population's, in batch order) carrying ``theta``'s weights and biases.

        Connections and nodes outside the schedule (disabled, or unable to reach an output) keep
        their values. Copies keep the genome ids. With ``only``, ``genomes`` is just that
        genome of the batch.
        """
        values = self.theta if theta is None else theta
        copies = [g.copy(g.genome_id) for g in genomes]
        target = {only: copies[0]} if only is not None else dict(enumerate(copies))
        edge_keys = self.population.edge_keys
        for layer, edges in zip(self.layers, self._edge_index):
            block = values[layer.weight_slice].reshape(layer.rows, -1)
            real = edges >= 0
            for edge, weight in zip(edges[real].tolist(), block[real].tolist()):
                genome_index, innovation = edge_keys[edge]
                if genome_index in target:
                    target[genome_index].connections[innovation].weight = weight
            rows = np.arange(layer.row_start, layer.row_start + layer.rows)
            for owner, node_id, bias in zip(self.row_owner[rows].tolist(), self.row_node_id[rows].tolist(), values[layer.bias_slice].tolist()):
                if owner in target:
                    target[owner].nodes[node_id].bias = bias
        return copies

    def parameter_keys(self) -> list[tuple[int, int, int]]:
        """One key per entry of ``theta``: (genome index, 0, innovation) for a weight, (genome
        index, 1, node id) for a bias, (genome index, 2, position) for padding."""
        keys: list[tuple[int, int, int]] = []
        edge_keys = self.population.edge_keys
        for layer, edges in zip(self.layers, self._edge_index):
            owners = np.repeat(self.row_owner[layer.row_start : layer.row_start + layer.rows], edges.shape[1]).tolist()
            for position, (owner, edge) in enumerate(zip(owners, edges.ravel().tolist())):
                keys.append((edge_keys[edge][0], 0, edge_keys[edge][1]) if edge >= 0 else (owner, 2, layer.weight_slice.start + position))
            rows = range(layer.row_start, layer.row_start + layer.rows)
            keys.extend((int(self.row_owner[r]), 1, int(self.row_node_id[r])) for r in rows)
        return keys

    def parameter_positions(self) -> dict[tuple[int, int, int], int]:
        """``parameter_keys`` -> index into ``theta`` (cached)."""
        if self._positions is None:
            self._positions = {key: i for i, key in enumerate(self.parameter_keys())}
        return self._positions

    def genome(self, index: int, theta: np.ndarray | None = None) -> Genome:
        """A copy of the batch's genome ``index`` carrying ``theta``'s weights and biases."""
        return self.write_back([self.population._genomes[index]], theta, only=index)[0]

    # --- forward and reverse passes -----------------------------------------------------------

    def forward(self, inputs: np.ndarray, theta: np.ndarray | None = None, keep: bool = False) -> np.ndarray:
        """Every genome's outputs for a batch of cases, as ``PopulationNetwork.activate`` computes them.

        Args:
            inputs: (P, E, num_inputs) per-genome cases, or (E, num_inputs) shared by all.
            theta: parameters to use instead of ``self.theta``.
            keep: keep what the reverse pass needs (``backward`` then works on this pass).

        Returns:
            (P, E, num_outputs) outputs.
        """
        params = self.theta if theta is None else theta
        cases = inputs.shape[-2]
        values = np.zeros((self.row_count, cases))
        block = values[1 : 1 + self.size * self.num_inputs].reshape(self.size, self.num_inputs, cases)
        block[...] = inputs.T if inputs.ndim == 2 else inputs.transpose(0, 2, 1)
        cache = []
        for layer in self.layers:
            sources = np.take(values, layer.sources, axis=0)  # (M, K, E)
            weighted = sources * params[layer.weight_slice].reshape(layer.rows, -1, 1)
            if layer.all_sum:
                totals = _sum_left_to_right(weighted)
            else:
                totals = np.empty((layer.rows, cases))
                for start, stop, kind in layer.aggregations:
                    if kind == "sum":  # padding already holds 0.0, sum's neutral value
                        totals[start:stop] = _sum_left_to_right(weighted[start:stop])
                    else:
                        part = np.where(layer.padding[start:stop], AGGREGATIONS[kind], weighted[start:stop])
                        if kind == "product":  # as aggregate() does it, without its axis bookkeeping
                            totals[start:stop] = np.where(layer.has_inputs[start:stop], part.prod(axis=1), 0.0)
                        else:
                            totals[start:stop] = aggregate(kind, np.moveaxis(part, 1, -1), layer.has_inputs[start:stop])
            bias = params[layer.bias_slice][:, None]
            pre = bias + (totals if layer.response is None else layer.response * totals)
            out = values[layer.row_start : layer.row_start + layer.rows]
            for segment in layer.segments:
                out[segment.start : segment.stop] = ACTIVATIONS[segment.activation](pre[segment.start : segment.stop])
            if keep:
                cache.append((sources, weighted, pre))
        if keep:
            self._cache = cache
            self.values = values
        return values[self._output_rows_flat].reshape(self.size, self.num_outputs, cases).transpose(0, 2, 1)

    def backward(self, output_gradient: np.ndarray | None, logistic_pre_gradient: np.ndarray | None = None, theta: np.ndarray | None = None) -> np.ndarray:
        """Gradient of a loss with respect to ``theta``, after ``forward(..., keep=True)``.

        Args:
            output_gradient: (P, E, num_outputs) d loss / d output; may be None when every
                output is logistic and ``logistic_pre_gradient`` is given.
            logistic_pre_gradient: (P, E, num_outputs) d loss / d pre-activation, used instead
                for outputs with a logistic activation (for the log loss it is y - t, which
                stays exact where the sigmoid saturates).
            theta: the parameters the forward pass used, if not ``self.theta``.

        Returns:
            A vector shaped like ``theta``.
        """
        params = self.theta if theta is None else theta
        values = self.values
        assert values is not None and len(self._cache) == len(self.layers), "backward needs forward(..., keep=True) first"
        cases = values.shape[1]
        grad = np.empty_like(params)
        dvalues = np.zeros_like(values)
        if output_gradient is not None:
            dvalues[self._output_rows_flat] = output_gradient.transpose(0, 2, 1).reshape(-1, cases)
        pre_outputs = None
        if logistic_pre_gradient is not None:
            pre_outputs = logistic_pre_gradient.transpose(0, 2, 1).reshape(-1, cases)
        for layer, (sources, weighted, pre) in zip(reversed(self.layers), reversed(self._cache)):
            dout = dvalues[layer.row_start : layer.row_start + layer.rows]
            out = values[layer.row_start : layer.row_start + layer.rows]
            if len(layer.segments) == 1 and layer.segments[0].activation == "identity":
                dpre = dout.copy()
            else:
                dpre = np.empty_like(dout)
                for segment in layer.segments:
                    part = slice(segment.start, segment.stop)
                    derivative = _derivative(segment.activation, pre[part], out[part])
                    if derivative is None:
                        dpre[part] = dout[part]
                    else:
                        np.multiply(dout[part], derivative, out=dpre[part])
            if pre_outputs is not None and len(layer.logistic_outputs):
                dpre[layer.logistic_outputs] = pre_outputs[layer.logistic_output_index]
            grad[layer.bias_slice] = dpre.sum(axis=1)
            dtotals = dpre if layer.response is None else dpre * layer.response
            weights = params[layer.weight_slice].reshape(layer.rows, -1)
            feeds_hidden = len(layer.scatter_order) > 0
            if layer.all_sum:
                grad[layer.weight_slice] = np.einsum("me,mke->mk", dtotals, sources).ravel()
                if feeds_hidden:
                    dsources = dtotals[:, None, :] * weights[:, :, None]
            else:
                dweighted = np.repeat(dtotals[:, None, :], weights.shape[1], axis=1)
                for start, stop, kind in layer.aggregations:
                    if kind == "sum":
                        continue
                    terms = np.where(layer.padding[start:stop], AGGREGATIONS[kind], weighted[start:stop])
                    dweighted[start:stop] *= _aggregation_gradient(kind, terms) * layer.has_inputs[start:stop, :, None]
                dweighted[layer.padding[:, :, 0]] = 0.0
                grad[layer.weight_slice] = np.einsum("mke,mke->mk", dweighted, sources).ravel()
                if feeds_hidden:
                    dsources = dweighted * weights[:, :, None]
            if feeds_hidden:
                contributions = dsources.reshape(-1, cases)[layer.scatter_order]
                dvalues[layer.scatter_rows] += np.add.reduceat(contributions, layer.scatter_starts, axis=0)
        return grad

    def node_values(self, genome_index: int) -> dict[int, np.ndarray]:
        """Each computed node's values (node id -> (E,)) of one genome in the last ``forward(keep=True)``."""
        assert self.values is not None, "node_values needs forward(..., keep=True) first"
        rows = np.flatnonzero(self.row_owner == genome_index)
        return {int(self.row_node_id[r]): self.values[r] for r in rows.tolist()}


def _aggregation_gradient(kind: str, terms: np.ndarray) -> np.ndarray:
    """d aggregate / d term for (M, K, E) terms (padding holds the neutral value)."""
    if kind == "product":
        # The product of the other terms: prefix products times suffix products (no division, so zeros are fine).
        left = np.empty_like(terms)
        left[:, 0] = 1.0
        np.cumprod(terms[:, :-1], axis=1, out=left[:, 1:])
        right = np.empty_like(terms)
        right[:, -1] = 1.0
        np.cumprod(terms[:, :0:-1], axis=1, out=right[:, -2::-1])
        left *= right
        return left
    if kind == "max":
        first = np.argmax(terms, axis=1)  # the first maximum takes the whole gradient
        return (np.arange(terms.shape[1])[None, :, None] == first[:, None, :]).astype(np.float64)
    raise ValueError(f"no gradient for aggregation {kind!r}")


@dataclass(frozen=True, slots=True)
class TrainingSettings:
    """Backprop NEAT's optimiser (backprop-neat-js ``R.Solver``, ``example.js``)."""

    steps: int = 600
    batch_size: int = 10
    learning_rate: float = 0.01
    decay: float = 0.001
    rmsprop_decay: float = 0.999
    gradient_clip: float = 5.0
    weight_min: float = -50.0
    weight_max: float = 50.0
    check_every: int = 20


@dataclass(frozen=True, slots=True)
class TrainingResult:
    """What training did to each genome of a batch.

    ``loss_curve[i]`` is genome i's full-training-set loss before training and at every early
    stopping check (after it stopped, its kept loss repeats). ``steps`` counts the optimiser
    steps whose result was kept.
    """

    theta: np.ndarray
    initial_loss: np.ndarray
    final_loss: np.ndarray
    steps: np.ndarray
    loss_curve: np.ndarray


def loss_and_gradient(
    network: TrainableNetwork, inputs: np.ndarray, targets: np.ndarray, theta: np.ndarray | None = None, with_loss: bool = True
) -> tuple[np.ndarray | None, np.ndarray]:
    """Each genome's mean log loss on its cases and the gradient of their sum over genomes.

    Args:
        network: a single-output trainable population.
        inputs: (P, E, I) or (E, I).
        targets: (P, E) or (E,) labels in {0, 1}.
        with_loss: False skips the losses (None is returned), for training steps.

    Returns:
        (P,) losses and the gradient vector (genome i's parameters get d loss_i / d theta).
    """
    outputs = network.forward(inputs, theta, keep=True)[:, :, 0]
    if targets.shape != outputs.shape:
        targets = np.broadcast_to(targets, outputs.shape)
    cases = outputs.shape[1]
    pre_gradient = (outputs - targets) / cases
    output_gradient = None
    if not network.outputs_all_logistic:
        clipped = np.clip(outputs, LOG_LOSS_EPSILON, 1.0 - LOG_LOSS_EPSILON)
        output_gradient = ((clipped - targets) / (clipped * (1.0 - clipped)) / cases)[:, :, None]
    gradient = network.backward(output_gradient, pre_gradient[:, :, None], theta)
    return (log_loss(outputs, targets) if with_loss else None), gradient


def train_population(
    network: TrainableNetwork,
    inputs: np.ndarray,
    targets: np.ndarray,
    settings: TrainingSettings,
    rng: np.random.Generator,
    checkpoint: Callable[[], None] | None = None,
    shrink: bool = True,
) -> TrainingResult:
    """Train every genome's weights and biases on a shared training set (Backprop NEAT's inner loop).

    Each step draws a minibatch per genome with replacement, takes the gradient of its mean log
    loss and applies RMSProp: ``cache = r cache + (1 - r) g^2``; ``g`` clipped to
    ``gradient_clip``; ``w += -lr g / sqrt(max(cache, 1e-8)) - decay w``; weights bounded. Every
    ``check_every`` steps the full training loss is computed: a genome that got worse returns to
    its last checkpoint and stops, the others record a new checkpoint. A genome that ends worse
    than it started gets its original weights back. ``network.theta`` is not changed.

    Most genomes stop after a few checks, so once half of a batch has stopped the rest continue
    in a smaller batch (optimiser state carried over, ``shrink``); the result does not depend on it.

    Args:
        network: the population to train (single output, logistic or any output activation).
        inputs: (N, I) training inputs.
        targets: (N,) labels in {0, 1}.
        settings: optimiser settings.
        rng: draws the minibatches.
        checkpoint: called before every early-stopping check and at least every
            ``CHECKPOINT_EVERY`` steps; may block (pause) or raise (abandon).
    """
    population = network.size
    initial_loss = log_loss(network.forward(inputs)[:, :, 0], targets)
    # One spare entry at the end takes the padding of smaller batches (see _continue_with).
    result_theta = np.append(network.theta, 0.0)
    best_loss = initial_loss.copy()
    steps = np.zeros(population, dtype=np.int64)
    curve = [initial_loss.copy()]
    active_all = np.ones(population, dtype=bool)

    batch = network
    members = np.arange(population)  # original index of each genome of the current batch
    positions = np.arange(len(network.theta))  # where each parameter of the batch lives in result_theta
    theta = network.theta.copy()
    best_theta = theta.copy()
    cache = np.zeros_like(theta)
    active = np.ones(population, dtype=bool)
    count = len(targets)
    checked_last_step = True  # no steps at all: the initial loss stands
    for step in range(1, settings.steps + 1):
        # Drawn for the whole population every step, so a genome's minibatches do not depend
        # on when the batch shrinks.
        draws = rng.integers(0, count, size=(population, settings.batch_size))[members]
        _, gradient = loss_and_gradient(batch, inputs[draws], targets[draws], theta, with_loss=False)
        if not np.isfinite(gradient.sum()):  # as backprop-neat-js: a NaN gradient counts as 0
            gradient[~np.isfinite(gradient)] = 0.0
        owner = batch.parameter_owner
        new_cache = cache * settings.rmsprop_decay
        new_cache += (1.0 - settings.rmsprop_decay) * gradient * gradient
        np.clip(gradient, -settings.gradient_clip, settings.gradient_clip, out=gradient)
        gradient *= -settings.learning_rate
        gradient /= np.sqrt(np.maximum(new_cache, 1e-8))
        new_theta = theta * (1.0 - settings.decay)
        new_theta += gradient
        np.minimum(new_theta, settings.weight_max, out=new_theta)
        np.maximum(new_theta, settings.weight_min, out=new_theta)
        if active.all():
            cache, theta = new_cache, new_theta
        else:
            moving = active[owner]
            cache = np.where(moving, new_cache, cache)
            theta = np.where(moving, new_theta, theta)
        steps[members[active]] += 1
        checked_last_step = step % settings.check_every == 0
        if checkpoint is not None and (checked_last_step or step % CHECKPOINT_EVERY == 0):
            checkpoint()
        if not checked_last_step:
            continue
        loss = log_loss(batch.forward(inputs, theta)[:, :, 0], targets)
        kept = best_loss[members]
        worse = active & ~(loss <= kept)  # NaN counts as worse
        improved = active & ~worse
        theta = np.where(worse[owner], best_theta, theta)
        steps[members[worse]] -= settings.check_every
        best_theta = np.where(improved[owner], theta, best_theta)
        best_loss[members[improved]] = loss[improved]
        active &= ~worse
        active_all[members] = active
        curve.append(best_loss.copy())
        stopped = ~active[owner]
        result_theta[positions[stopped]] = theta[stopped]
        if not active.any():
            break
        if shrink and active.sum() * 2 <= batch.size:
            batch, members, positions, (theta, best_theta, cache) = _continue_with(
                network, batch, members, positions, active, (theta, best_theta, cache)
            )
            active = np.ones(batch.size, dtype=bool)
    if checked_last_step:
        final_loss = best_loss
    else:
        # Steps after the last check are kept as they are, as in backprop-neat-js.
        loss = log_loss(batch.forward(inputs, theta)[:, :, 0], targets)
        final_loss = best_loss.copy()
        final_loss[members[active]] = loss[active]
    result_theta[positions] = theta
    result_theta = result_theta[:-1]
    # backprop-neat-js keeps the untrained genome when training made it worse overall.
    worse_than_start = ~(final_loss <= initial_loss)
    result_theta = np.where(worse_than_start[network.parameter_owner], network.theta, result_theta)
    final_loss = np.where(worse_than_start, initial_loss, final_loss)
    steps[worse_than_start] = 0
    return TrainingResult(result_theta, initial_loss, final_loss, steps, np.stack(curve, axis=1))


def _continue_with(
    network: TrainableNetwork,
    batch: TrainableNetwork,
    members: np.ndarray,
    positions: np.ndarray,
    active: np.ndarray,
    arrays: tuple[np.ndarray, ...],
) -> tuple[TrainableNetwork, np.ndarray, np.ndarray, tuple[np.ndarray, ...]]:
    """A batch of just the still active genomes, with their parameters and optimiser state."""
    keep = np.flatnonzero(active)
    genomes = [batch.genome(int(i)) for i in keep]
    smaller = TrainableNetwork(PopulationNetwork(genomes))
    new_members = members[keep]
    full_position = network.parameter_positions()
    scratch = len(network.theta)  # padding of the smaller batch maps here
    new_positions = np.array(
        [scratch if kind == 2 else full_position[(int(new_members[g]), kind, key)] for g, kind, key in smaller.parameter_keys()],
        dtype=np.intp,
    )
    moved = []
    for array in arrays:
        full = np.zeros(scratch + 1)
        full[positions] = array
        moved.append(full[new_positions])
    return smaller, new_members, new_positions, tuple(moved)
