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
