"""HyperNEAT and ES-HyperNEAT: NEAT evolves CPPNs, and each CPPN is decoded into the substrate
network that the task evaluates.

Both reuse ``Neat`` whole (speciation, reproduction, saved state); they change only what a genome
is (a CPPN: ``genome_inputs``/``genome_outputs``) and how a population is scored
(``evaluate_population``: decode every CPPN in batched passes, then evaluate the substrate
networks in one batch). Hidden CPPN nodes draw their function uniformly from
``nodes.activation_options`` when they are created (a CPPN's nodes mix sin, gaussian, abs,
sigmoid...; Stanley 2007); output nodes keep ``nodes.activation_default``.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from core.algorithms.base import Evaluation
from core.algorithms.hyperneat.config import EsHyperNeatConfig, HyperNeatConfig
from core.algorithms.hyperneat.cppn import input_names, output_names
from core.algorithms.hyperneat.decode import SubstrateDecoder
from core.algorithms.hyperneat.es_hyperneat import EsDecoder, EsNetworks
from core.algorithms.hyperneat.substrate import Substrate, substrate_for_task
from core.algorithms.neat.evolution import Neat
from core.algorithms.neat.report import NeatExtras, SpeciesSnapshot
from core.algorithms.neat.reproduction import Allotment
from core.algorithms.protocol import Checkpoint
from core.compiled import choose_kernel
from core.networks.genome import Genome
from core.networks.layered import LayeredNetworks
from core.runs.fields import RunFileError, check_exact_keys, check_number, read_counter, read_list, read_number
from core.runs.reports import GenerationReport

BOXES_RESOLUTIONS = (11, 33, 55)


@dataclass(frozen=True, slots=True)
class HyperNeatExtras:
    """NEAT's species plus what the champion's CPPN decoded into.

    ``links`` and ``hidden`` are the champion substrate's expressed links and hidden neurons
    (fixed sheets for HyperNEAT, the ones it found for ES-HyperNEAT), ``mean_links`` and
    ``mean_hidden`` the population's means, ``potential_links`` what a fixed substrate allows
    (0 for ES-HyperNEAT), ``hidden_points`` the champion's hidden neuron positions (x, y) found by
    ES-HyperNEAT (empty for HyperNEAT, whose sheets are in the config).
    """

    kind: ClassVar[str] = "hyperneat"

    species: tuple[SpeciesSnapshot, ...]
    compatibility_threshold: float
    links: int
    hidden: int
    mean_links: float
    mean_hidden: float
    potential_links: int
    hidden_points: tuple[tuple[float, float], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        return {
            **NeatExtras(self.species, self.compatibility_threshold).to_dict(),
            "links": self.links,
            "hidden": self.hidden,
            "mean_links": self.mean_links,
            "mean_hidden": self.mean_hidden,
            "potential_links": self.potential_links,
            "hidden_points": [list(p) for p in self.hidden_points],
        }

    @classmethod
    def from_dict(cls, data: Any, where: str = "extras") -> HyperNeatExtras:
        """Inverse of ``to_dict``, checking every field.

        Raises:
            RunFileError: naming the field that is missing, unknown or wrong.
        """
        check_exact_keys(data, _EXTRAS_KEYS, where)
        neat = NeatExtras.from_dict({key: data[key] for key in ("species", "compatibility_threshold")}, where)
        points = []
        for i, point in enumerate(read_list(data, "hidden_points", where, max_length=1_000_000)):
            if not isinstance(point, list) or len(point) != 2:
                raise RunFileError(f"{where}.hidden_points[{i}]: expected [x, y]")
            points.append((check_number(point[0], f"{where}.hidden_points[{i}][0]"), check_number(point[1], f"{where}.hidden_points[{i}][1]")))
        return cls(
            neat.species,
            neat.compatibility_threshold,
            read_counter(data, "links", where),
            read_counter(data, "hidden", where),
            read_number(data, "mean_links", where, 0.0),
            read_number(data, "mean_hidden", where, 0.0),
            read_counter(data, "potential_links", where),
            tuple(points),
        )


_EXTRAS_KEYS = ("species", "compatibility_threshold", "links", "hidden", "mean_links", "mean_hidden", "potential_links", "hidden_points")


class HyperNeat(Neat):
    """HyperNEAT (Stanley, D'Ambrosio & Gauci 2009): CPPNs paint the weights of a fixed substrate."""

    name = "hyperneat"
    title = "HyperNEAT"
    config_type = HyperNeatConfig
    defaults_resource = "hyperneat_default.toml"
    extras_type = HyperNeatExtras

    config: HyperNeatConfig

    @property
    def genome_inputs(self) -> int:
        """The CPPN's inputs: x1, y1, x2, y2, optional distance and deltas, bias."""
        return len(input_names(self.config.hyperneat))

    @property
    def genome_outputs(self) -> int:
        """The CPPN's outputs: weight, optional LEO, optional bias."""
        return len(output_names(self.config.hyperneat))

    @property
    def input_names(self) -> tuple[str, ...]:
        """Names of the CPPN's inputs (its genomes are drawn with these, not the task's)."""
        return input_names(self.config.hyperneat)

    @property
    def output_names(self) -> tuple[str, ...]:
        """Names of the CPPN's outputs."""
        return output_names(self.config.hyperneat)

    @property
    def substrate(self) -> Substrate:
        """The substrate this run's CPPNs are decoded onto (built from the config and the task)."""
        substrate = getattr(self, "_substrate", None)
        if substrate is None:
            substrate = self._substrate = substrate_for_task(self.config.substrate, self.task)
        return substrate

    @property
    def decoder(self) -> Any:
        """The decoder for this run's substrate (built once, its query rows cached)."""
        decoder = getattr(self, "_decoder", None)
        if decoder is None:
            decoder = self._decoder = self.make_decoder(self.substrate)
        return decoder

    def make_decoder(self, substrate: Substrate) -> Any:
        """A decoder onto ``substrate`` with this run's settings (e.g. another resolution)."""
        return SubstrateDecoder(substrate, self.config.hyperneat)

    def _initialise(self) -> None:
        self.substrate  # a substrate that does not fit the task fails here, before any work
        super()._initialise()

    def _load_state(self, state: dict[str, Any]) -> None:
        try:
            self.substrate
        except ValueError as error:
            raise RunFileError(f"config: {error}") from error
        super()._load_state(state)

    def substrate_genome(self, cppn: Genome) -> Genome:
        """The network a CPPN decodes into on this run's substrate, as a graph genome (for
        replay, export and drawing with the graph view)."""
        return self.decode([cppn]).genome(0)

    def decode(self, cppns: list[Genome], checkpoint: Checkpoint | None = None) -> LayeredNetworks:
        """The substrate networks of ``cppns`` (batched), on the kernel the run's setting picks
        (``kernel``: "auto" switches to numba for big decodes; the answers are the same)."""
        work = len(cppns) * self.decoder.rows
        kernel = choose_kernel(self.kernel, work, self.numpy_evaluation_s, True)
        started = time.perf_counter()
        networks = self.decoder.decode(cppns, checkpoint, kernel)
        if kernel == "numpy":
            self.numpy_evaluation_s += time.perf_counter() - started
        return networks

    def evaluate_population(self, checkpoint: Checkpoint | None) -> Evaluation:
        """Decode every CPPN, then score the substrate networks in one batch (nothing else changes)."""
        started = time.perf_counter()
        networks = self.decode(self.population, checkpoint)
        self._decode_s = time.perf_counter() - started
        evaluation = self.evaluate_network(networks, checkpoint, self.task_rng(self.generation))
        self._decoded = networks
        return evaluation

    def hidden_counts(self, networks: LayeredNetworks) -> np.ndarray:
        """(P,) hidden neurons of each decoded network."""
        return np.full(networks.size, self.substrate.offsets[-2] - self.substrate.num_inputs)

    def _potential_links(self) -> int:
        return self.substrate.potential_links

    def _report(self, evaluation: Evaluation, allotment: Allotment, timings: dict[str, float], evaluated_from: int) -> GenerationReport:
        report = super()._report(evaluation, allotment, timings, evaluated_from)
        networks = self._decoded
        champion = int(np.argmax(evaluation.fitness))
        links = networks.link_counts()
        hidden = self.hidden_counts(networks)
        points: tuple[tuple[float, float], ...] = ()
        if isinstance(networks, EsNetworks):
            mine = networks.present[champion, networks.num_inputs : networks.node_count - networks.num_outputs]
            points = tuple((float(x), float(y)) for x, y in networks.hidden_points[mine].tolist())
        extras = HyperNeatExtras(
            report.species,
            report.compatibility_threshold,
            int(links[champion]),
            int(hidden[champion]),
            float(links.mean()),
            float(hidden.mean()),
            self._potential_links(),
            points,
        )
        timings["decode_s"] = getattr(self, "_decode_s", 0.0)
        return dataclasses.replace(report, extras=extras)

    def step(self, checkpoint: Checkpoint | None = None) -> GenerationReport:
        """One NEAT generation of CPPNs; new hidden CPPN nodes then get a random function."""
        first_new_node = self.tracker.next_node_id
        report = super().step(checkpoint)
        self._draw_new_node_functions(first_new_node)
        self._decoded = None
        return report

    def _draw_new_node_functions(self, first_new_node: int) -> None:
        """Give each hidden node created this generation a function from ``nodes.activation_options``.

        One draw per new node id, so a structural innovation shared by several offspring (the
        same id within a generation) gets the same function in all of them. A config that sets
        ``nodes.new_node_functions`` gets NEAT's per-offspring draw instead.
        """
        if self.config.nodes.new_node_functions:
            return  # the user chose NEAT's per-offspring draw (nodes.new_node_functions)
        new_nodes = sorted({n for g in self.population for n, node in g.nodes.items() if node.kind == "hidden" and n >= first_new_node})
        if not new_nodes:
            return
        options = self.config.nodes.activation_options
        picks = self.rng.integers(0, len(options), size=len(new_nodes)).tolist()
        function_of = {node_id: options[pick] for node_id, pick in zip(new_nodes, picks)}
        for genome in self.population:
            for node_id, node in genome.nodes.items():
                if node_id in function_of:
                    node.activation = function_of[node_id]

    # --- what the summary and the workspace ask of a finished run ---------------------------

    def summary_extras(self) -> dict[str, Any]:
        """Extra JSON summary fields: on the boxes task, the last champion's accuracy when its
        CPPN is decoded at 11x11, 33x33 and 55x55 without further evolution."""
        if self.task.name != "boxes" or not self.history:
            return {}
        from core.algorithms.hyperneat.inspect import boxes_accuracy

        cppn = self.history[-1].champion.to_genome()
        results = boxes_accuracy(self.config, cppn, BOXES_RESOLUTIONS)
        return {
            "boxes_accuracy": {str(r): results[r].accuracy for r in BOXES_RESOLUTIONS},
            "boxes_exact": {str(r): results[r].exact for r in BOXES_RESOLUTIONS},
            "boxes_mean_distance": {str(r): results[r].mean_distance for r in BOXES_RESOLUTIONS},
            "boxes_trials": results[BOXES_RESOLUTIONS[0]].trials,
        }


class EsHyperNeat(HyperNeat):
    """ES-HyperNEAT (Risi & Stanley 2012): the CPPN's weight pattern also places the hidden neurons."""

    name = "es-hyperneat"
    title = "ES-HyperNEAT"
    config_type = EsHyperNeatConfig
    defaults_resource = "es_hyperneat_default.toml"

    config: EsHyperNeatConfig  # type: ignore[assignment]

    def make_decoder(self, substrate: Substrate) -> Any:
        """An ES-HyperNEAT decoder between ``substrate``'s inputs and outputs."""
        return EsDecoder(substrate, self.config.hyperneat, self.config.es_hyperneat)

    def hidden_counts(self, networks: LayeredNetworks) -> np.ndarray:
        """(P,) hidden neurons each network found and kept."""
        return networks.hidden_counts()  # type: ignore[attr-defined]

    def _potential_links(self) -> int:
        return 0
