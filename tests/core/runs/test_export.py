"""Genome exports (networkx graph, GraphML, DOT) and the statistics CSV."""

import csv
import io

import networkx as nx

from core.algorithms.neat.evolution import Neat
from core.runs.export import (
    STATS_COLUMNS,
    genome_graph,
    genome_to_dot,
    genome_to_graphml,
    history_to_csv,
)
from core.tasks.xor import XorTask


def _history(config, generations=6):
    evolution = Neat(config, XorTask(), 2)
    return [evolution.step() for _ in range(generations)]


def test_graph_keeps_every_gene_including_parallel_disabled_ones(config):
    champion = _history(config)[-1].champion
    graph = genome_graph(champion)
    assert graph.number_of_nodes() == len(champion.nodes)
    assert graph.number_of_edges() == len(champion.connections)
    for conn in champion.connections:
        data = graph.edges[conn.in_node, conn.out_node, conn.innovation]
        assert (data["weight"], data["enabled"]) == (conn.weight, conn.enabled)


def test_graphml_round_trips_through_networkx(config):
    champion = _history(config)[-1].champion
    parsed = nx.parse_graphml(genome_to_graphml(champion), force_multigraph=True)
    weights = sorted(float(d["weight"]) for _, _, d in parsed.edges(data=True))
    assert weights == sorted(c.weight for c in champion.connections)


def test_dot_labels_each_edge_with_its_innovation_and_dashes_disabled_genes(config):
    champion = _history(config)[-1].champion
    dot = genome_to_dot(champion)
    assert dot.startswith("digraph") and dot.rstrip().endswith("}")
    for conn in champion.connections:
        line = next(line for line in dot.splitlines() if f'label="{conn.innovation}"' in line)
        assert line.strip().startswith(f"{conn.in_node} -> {conn.out_node}")
        assert ("dashed" in line) == (not conn.enabled)


def test_csv_has_one_row_per_generation_at_full_precision(config):
    history = _history(config)
    rows = list(csv.DictReader(io.StringIO(history_to_csv(history))))
    assert tuple(rows[0]) == STATS_COLUMNS
    assert len(rows) == len(history)
    for row, report in zip(rows, history):
        assert float(row["mean_fitness"]) == report.mean_fitness
        assert int(row["species"]) == len(report.species)


def test_a_bias_input_genome_exports_with_its_bias_node_beside_the_inputs(config):
    with_bias = config.replace(**{"nodes.bias_input": True})
    champion = _history(with_bias, 4)[-1].champion
    bias_id = next(n.node_id for n in champion.nodes if n.kind == "bias")
    dot = genome_to_dot(champion)
    sources = next(line for line in dot.splitlines() if "rank=source" in line)
    assert f" {bias_id};" in sources and " 0 " in sources
    assert f'{bias_id} [fillcolor="#5ab45a", tooltip="bias (always 1.0)"]' in dot
    parsed = nx.parse_graphml(genome_to_graphml(champion), force_multigraph=True)
    assert parsed.nodes[str(bias_id)]["kind"] == "bias"
    assert any(c.in_node == bias_id for c in champion.connections)
