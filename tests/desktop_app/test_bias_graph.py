"""The network view draws a genome with the paper's bias input as one more input (issue 12)."""

from core.algorithms.neat.config import default_config
from core.algorithms.neat.evolution import Neat
from core.tasks.xor import XorTask
from desktop_app.widgets.network_view import INPUT_FILL, NetworkView


def test_the_bias_node_is_drawn_as_a_named_input(qtbot):
    run = Neat(default_config().replace(**{"nodes.bias_input": True, "population.size": 30}), XorTask(), 3)
    report = run.step()
    view = NetworkView()
    qtbot.addWidget(view)
    view.set_names(("x1", "x2"), ("y",))
    view.show_genome(report.champion)
    bias_id = next(n.node_id for n in report.champion.nodes if n.kind == "bias")
    assert view.node_name(bias_id) == "bias" and view.node_name(0) == "x1"
    assert view._node_info[bias_id] == f"bias node {bias_id}, always 1.0"
    spot = next(s for s in view._spots if s["data"] == bias_id)
    assert spot["symbol"] == "s" and spot["brush"].color().getRgb()[:3] == tuple(INPUT_FILL[:3])
    assert len(view._spots) == len(report.champion.nodes)
