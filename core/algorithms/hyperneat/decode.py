"""HyperNEAT decoding: a population of CPPNs painted onto one substrate, in array passes.

Every link the substrate allows and every computed neuron's bias is one query row, shared by all
CPPNs; one batched pass (``cppn.query``) answers all of them for the whole population, and the
answers are cut into the per-sheet weight matrices of a ``LayeredNetworks``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from core.algorithms.hyperneat.config import HyperNeatSection
from core.algorithms.hyperneat.cppn import QueryRows, bias_inputs, bias_network, input_names, link_network, link_weights, node_biases, query
from core.algorithms.hyperneat.substrate import Substrate
from core.networks.genome import Genome
from core.networks.layered import LayeredNetworks, NodeGroup

MAX_CACHED_ROWS = 2**18


class SubstrateDecoder:
    """Decodes CPPNs onto a fixed substrate (the query rows are built once).

    Query rows are, in order, each link class (target-major: for every target neuron, every
    source neuron), then the bias of every computed neuron.
    """

    def __init__(self, substrate: Substrate, section: HyperNeatSection):
        self.substrate = substrate
        self.section = section
        offsets = substrate.offsets
        self.blocks: list[tuple[int, int, int, int]] = []  # (source sheet, target sheet, first row, row count)
        pairs = []
        position = 0
        for source, target in substrate.links:
            src = substrate.sheets[source].coordinates
            tgt = substrate.sheets[target].coordinates
            pairs.append((src, tgt))
            self.blocks.append((source, target, position, len(src) * len(tgt)))
            position += len(src) * len(tgt)
        rows = QueryRows(pairs, np.empty((0, len(input_names(section)))), section)
        # Small substrates keep every row; a 55 x 55 sandwich (9 million rows) makes them per chunk.
        self.link_inputs: np.ndarray | QueryRows = rows.array() if len(rows) <= MAX_CACHED_ROWS else rows
        self.bias_inputs = bias_inputs(substrate.coordinates[offsets[1] :], section)
        self.groups = tuple(
            NodeGroup(
                offsets[k],
                offsets[k + 1],
                min((offsets[s] for s in substrate.sources_of(k)), default=offsets[k]),
                substrate.output_activation if k == len(substrate.sheets) - 1 else substrate.hidden_activation,
            )
            for k in range(1, len(substrate.sheets))
        )

    @property
    def rows(self) -> int:
        """Query rows per CPPN (links and biases)."""
        return len(self.link_inputs) + len(self.bias_inputs)

    def decode(self, cppns: Sequence[Genome], checkpoint: Callable[[], None] | None = None, kernel: str = "numpy") -> LayeredNetworks:
        """The substrate networks of ``cppns`` (feed-forward CPPNs), in batched query passes on
        ``kernel`` ("numpy" or "numba": the same numbers)."""
        links = query(link_network(cppns, self.section, kernel), self.link_inputs, checkpoint)
        biases = query(bias_network(cppns, self.section, kernel), self.bias_inputs, checkpoint) if self.section.bias_output else None
        return self.from_outputs(links, biases, [g.genome_id for g in cppns])

    def from_outputs(self, links: np.ndarray, biases: np.ndarray | None, genome_ids: Sequence[int]) -> LayeredNetworks:
        """The networks for CPPN answers to the link rows (P, rows, outputs) and bias rows."""
        size = links.shape[0]
        substrate = self.substrate
        offsets = substrate.offsets
        weights = [np.zeros((size, g.stop - g.start, g.start - g.source_start)) for g in self.groups]
        for source, target, first, count in self.blocks:
            group = self.groups[target - 1]
            block = link_weights(links[:, first : first + count], self.section)
            block = block.reshape(size, len(substrate.sheets[target]), len(substrate.sheets[source]))
            column = offsets[source] - group.source_start
            weights[target - 1][:, :, column : column + len(substrate.sheets[source])] = block
        node_bias = np.zeros((size, offsets[-1]))
        if biases is not None:
            node_bias[:, offsets[1] :] = node_biases(biases, self.section)
        return LayeredNetworks(substrate.num_inputs, self.groups, weights, node_bias, genome_ids)
