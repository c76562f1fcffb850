"""Exports for use outside NEAT Scope: genomes as GraphML or Graphviz DOT, run statistics as CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from core.networks.snapshot import GenomeSnapshot
from core.runs.reports import GenerationReport

STATS_COLUMNS = (
    "generation",
    "best_fitness",
    "mean_fitness",
    "stdev_fitness",
    "species",
    "champion_id",
    "champion_hidden_nodes",
    "champion_enabled_connections",
    "mean_nodes",
    "mean_connections",
    "evaluations",
    "fitness_faults",
    "compatibility_threshold",
    "solved",
)


def genome_graph(genome: GenomeSnapshot):
    """The genome as a ``networkx.MultiDiGraph``: node attributes kind/activation/aggregation/
    bias/response, edge attributes innovation/weight/enabled, keyed by innovation number.

    A multigraph because disabled and enabled genes may join the same two nodes.
    """
    import networkx as nx

    graph = nx.MultiDiGraph(genome_id=genome.genome_id, fitness=float("nan") if genome.fitness is None else genome.fitness)
    for node in genome.nodes:
        graph.add_node(
            node.node_id, kind=node.kind, activation=node.activation, aggregation=node.aggregation, bias=node.bias, response=node.response
        )
    for conn in genome.connections:
        graph.add_edge(conn.in_node, conn.out_node, key=conn.innovation, innovation=conn.innovation, weight=conn.weight, enabled=conn.enabled)
    return graph


def genome_to_graphml(genome: GenomeSnapshot) -> str:
    """GraphML text of ``genome_graph`` (opens in Gephi, yEd, Cytoscape, networkx)."""
    import networkx as nx

    return "\n".join(nx.generate_graphml(genome_graph(genome)))


def genome_to_dot(genome: GenomeSnapshot) -> str:
    """Graphviz DOT text: inputs left, outputs right, edges labelled with innovation numbers,
    coloured by weight sign, pen width by |weight|, disabled genes dashed."""
    largest = max((abs(c.weight) for c in genome.connections), default=1.0) or 1.0
    lines = [f'digraph "genome_{genome.genome_id}" {{', "  rankdir=LR;", "  node [shape=circle, style=filled];"]
    fills = {"input": "#5ab45a", "bias": "#5ab45a", "output": "#f0aa28", "hidden": "#aaaaaa"}
    for kinds, rank in ((("input", "bias"), "source"), (("output",), "sink")):
        members = " ".join(str(n.node_id) for n in genome.nodes if n.kind in kinds)
        if members:
            lines.append(f"  {{ rank={rank}; {members}; }}")
    for node in genome.nodes:
        tooltip = "input" if node.kind == "input" else "bias (always 1.0)" if node.kind == "bias" else f"{node.activation}, bias {node.bias:+.3f}"
        lines.append(f'  {node.node_id} [fillcolor="{fills[node.kind]}", tooltip="{tooltip}"];')
    for conn in genome.connections:
        colour = "#dc4632" if conn.weight >= 0 else "#326ee6"
        width = max(0.5, 4.0 * abs(conn.weight) / largest)
        style = "solid" if conn.enabled else "dashed"
        lines.append(
            f'  {conn.in_node} -> {conn.out_node} [label="{conn.innovation}", color="{colour}", penwidth={width:.2f}, '
            f'style={style}, tooltip="weight {conn.weight:+.4f}"];'
        )
    lines.append("}")
    return "\n".join(lines) + "\n"


def history_to_csv(history: Sequence[GenerationReport]) -> str:
    """One row per generation with the columns of ``STATS_COLUMNS`` (floats at full precision)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(STATS_COLUMNS)
    for r in history:
        writer.writerow(
            [
                r.generation,
                repr(r.best_fitness),
                repr(r.mean_fitness),
                repr(r.stdev_fitness),
                len(r.species),
                r.champion.genome_id,
                r.champion.hidden_count,
                r.champion.enabled_count,
                repr(r.mean_nodes),
                repr(r.mean_connections),
                r.evaluations,
                r.fitness_faults,
                repr(r.compatibility_threshold),
                int(r.solved),
            ]
        )
    return buffer.getvalue()
