"""Panels chosen per algorithm and task, the schema-built config form, the task box, the graph at
size, species lineage clicks, Help, and the one-line registration of a new panel."""

import numpy as np
import pytest
from PySide6.QtWidgets import QApplication

from core.algorithms.registry import algorithm_class
from core.networks.snapshot import GenomeSnapshot
from core.runs.config import schema
from desktop_app.panels.base import Panel
from tests.desktop_app.conftest import run


def _choose(evolve, algorithm, task="XOR", population=None):
    evolve.algorithm_box.setCurrentIndex(evolve.algorithm_box.findData(algorithm))
    evolve.task_box.combo.setCurrentText(task)
    if population is not None:
        evolve.config_form.set_field(algorithm_class(algorithm).population_size_key, population)


@pytest.mark.parametrize(
    "algorithm, task, tabs",
    [
        ("neat", "XOR", ["graph", "species", "alignment"]),
        ("es", "XOR", ["graph", "es"]),
        ("ga", "CartPole-v1", ["graph", "ga", "replay"]),
        ("random", "XOR", ["graph"]),
    ],
)
def test_each_algorithm_gets_the_panels_its_reports_can_feed(qtbot, evolve, algorithm, task, tabs):
    _choose(evolve, algorithm, task, population=20)
    run(qtbot, evolve, 2)
    assert [p.key for p in evolve.visible_tab_panels()] == tabs
    assert evolve.history[-1].algorithm == algorithm
    for key in tabs:
        assert evolve.show_panel(key)  # every shown panel draws this run without error
    assert not evolve.show_panel("species") or "species" in tabs


def test_es_panel_traces_are_the_reports_optimiser_statistics(qtbot, evolve):
    _choose(evolve, "es", population=20)
    run(qtbot, evolve, 4)
    evolve.show_panel("es")
    panel = evolve.panel("es")
    for name in ("sigma", "gradient_norm", "update_ratio"):
        xs, ys = panel.curves[name].getData()
        assert list(xs) == [0, 1, 2, 3]
        if name == "update_ratio":  # drawn as log10
            ys = 10**ys
        assert np.allclose(ys, [getattr(r.extras, name) for r in evolve.history])
    _, theta = panel.theta_curve.getData()
    assert np.allclose(theta, [r.extras.mean_theta_fitness for r in evolve.history])


def test_ga_panel_draws_every_elite_chain_and_the_latest_one_in_full(qtbot, evolve):
    from desktop_app.panels.ga_lineage import ancestor_generations, chain_seeds, seed_colour

    _choose(evolve, "ga", population=20)
    run(qtbot, evolve, 6)
    evolve.show_panel("ga")
    panel = evolve.panel("ga")
    image = panel.image.image
    assert image.shape[0] == 6
    for g, report in enumerate(evolve.history):
        seeds = chain_seeds(report.extras.elite_chain)
        assert [tuple(px[:3]) for px in image[g, : len(seeds)]] == [seed_colour(s) for s in seeds]
        assert (image[g, len(seeds) :, 3] == 0).all()
    last = evolve.history[-1].extras
    assert panel.table.rowCount() == len(last.elite_chain)
    assert panel.table.item(0, 1).text() == str(last.elite_chain[0])
    assert f"elite genome {last.elite_id}" in panel.summary.text()
    marks = ancestor_generations(evolve.history)
    assert evolve.history[-1].generation in marks and list(panel.ancestors.getData()[0]) == marks


def test_config_form_has_every_key_with_its_toml_key_range_and_meaning(qtbot, evolve):
    for name in ("neat", "ga", "es", "random"):
        _choose(evolve, name)
        cls = algorithm_class(name)
        keys = schema(cls.config_type)
        assert set(evolve.config_form.fields) == {k.dotted for k in keys}
        for key in keys:
            tip = evolve.config_form.fields[key.dotted].toolTip()
            assert f"[{key.dotted}]" in tip and len(tip.splitlines()) >= 2, key.dotted
            if key.range is not None:
                assert "range [" in tip
        assert set(evolve.config_form.sections) == {k.section for k in keys}
        if name == "es":
            tip = evolve.config_form.fields["optimizer.sigma"].toolTip()
            assert "Noise standard deviation sigma" in tip and "range [" in tip


def test_a_rule_across_keys_is_marked_at_the_key_it_names(qtbot, evolve):
    _choose(evolve, "es")
    evolve.config_form.fields["population.size"].setText("21")
    assert not evolve.new_run()
    assert evolve.config_form.invalid_fields() == ["population.size"]
    assert "must be even" in evolve.config_form.error_labels["population.size"].text()


def test_load_task_defaults_adapts_outputs_to_continuous_actions(qtbot, evolve):
    _choose(evolve, "es", task="Pendulum-v1")
    evolve.config_form.fields["optimizer.sigma"].setText("0.7")
    evolve.load_task_defaults()
    assert evolve.config_form.fields["optimizer.sigma"].text() == "0.1"
    assert evolve.config_form.fields["policy.output_activation"].currentText() == "identity"
    _choose(evolve, "neat", task="Pendulum-v1")
    evolve.load_task_defaults()
    assert evolve.config_form.fields["nodes.activation_default"].currentText() == "tanh"
    _choose(evolve, "es", task="CartPole-v1")
    evolve.load_task_defaults()
    assert evolve.config_form.fields["policy.output_activation"].currentText() == "sigmoid"


def test_any_gymnasium_id_is_offered_and_its_spaces_checked_before_the_run(qtbot, evolve):
    box = evolve.task_box
    qtbot.waitUntil(lambda: box.combo.findText("Acrobot-v1") >= 0, timeout=5_000)
    box.combo.setCurrentText("Acrobot-v1")
    assert box.check() and box.info.text().startswith("6 inputs, 3 outputs")
    box.combo.setCurrentText("Blackjack-v1")  # a Tuple observation space
    assert not evolve.new_run()
    assert "unsupported observation space" in box.info.text() and "Tuple" in evolve.last_error
    assert evolve.worker is None
    box.combo.setCurrentText("NoSuchEnv-v0")
    assert not box.check() and "unknown gymnasium environment" in box.info.text()
    box.combo.setCurrentText("Acrobot-v1")
    evolve.config_form.fields["population.size"].setText("10")
    box.episodes.setValue(1)
    evolve.config_form.fields["population.size"].setText("10")
    run(qtbot, evolve, 1)
    assert evolve.run.task_spec["env_id"] == "Acrobot-v1" and evolve.run.input_names[0] == "cos θ1"


def _grown_genome(hidden_count, rng):
    """A feed-forward genome with about ``hidden_count`` hidden nodes in several layers."""
    from tests.conftest import make_genome

    inputs, outputs = 4, 2
    hidden = list(range(inputs + outputs, inputs + outputs + hidden_count))
    layers = np.array_split(hidden, 4)
    connections = []
    sources = list(range(inputs))
    innovation = 0
    for layer in [*layers, list(range(inputs, inputs + outputs))]:
        for node in layer:
            for source in rng.choice(sources, size=min(3, len(sources)), replace=False):
                connections.append((innovation, int(source), int(node), float(rng.normal()), bool(rng.random() > 0.1)))
                innovation += 1
        sources = sources + [int(n) for n in layer]
    return GenomeSnapshot.from_genome(make_genome(0, inputs, outputs, connections, hidden=hidden))


@pytest.mark.parametrize("hidden_count", [10, 40])
def test_graph_labels_never_overlap_at_10_to_40_hidden_nodes(qtbot, evolve, hidden_count):
    evolve.window().resize(1400, 860)
    view = evolve.panel("graph").view
    view.set_names(("x", "ẋ", "θ", "ω"), ("left", "right"))
    genome = _grown_genome(hidden_count, np.random.default_rng(hidden_count))
    view.show_genome(genome, "test", force=True)
    QApplication.processEvents()
    view._place_labels()
    boxes = view.label_boxes()
    assert boxes  # some numbers fit; the rest are on hover
    for i, (x, y, w, h) in enumerate(boxes):
        for u, v, p, q in boxes[i + 1 :]:
            assert x + w <= u + 0.5 or u + p <= x + 0.5 or y + h <= v + 0.5 or v + q <= y + 0.5
    assert set(view.visible_names) == {"x", "ẋ", "θ", "ω", "left", "right"}
    assert view.layout_info.crossings >= 0 and len(view.visible_edges) == len(genome.connections)
    assert "sigmoid" in view.key.text() and "positive weight" in view.key.text()


def test_clicking_the_lineage_or_the_bands_shows_that_species_best(qtbot, evolve):
    run(qtbot, evolve, 6)
    evolve.show_panel("species")
    panel = evolve.panel("species")
    last = evolve.history[-1]
    target = next(s for s in reversed(last.species) if s.species_id in panel.rows)
    row = panel.rows.index(target.species_id)
    shown = []
    panel.speciesSelected.connect(shown.append)

    from PySide6.QtCore import QPointF

    class Click:
        """What the plots' scene click handler reads from a mouse event."""

        def __init__(self, plot, x, y):
            self._pos = plot.getPlotItem().vb.mapViewToScene(QPointF(x, y))

        def scenePos(self):
            return self._pos

    panel._on_plot_clicked(Click(panel.lineage_plot, last.generation, row + 0.4), panel.lineage_plot)
    assert shown == [target.species_id]
    assert evolve.panel("graph").view.genome == target.best_genome
    height = sum(s.size for s in last.species if panel.order.index(s.species_id) < row) + 0.5
    panel._on_plot_clicked(Click(panel.sizes_plot, last.generation, height), panel.sizes_plot)
    assert shown == [target.species_id, target.species_id]


def test_help_explains_the_panel_in_front_first(qtbot, window):
    evolve = window.evolve
    run(qtbot, evolve, 2)
    evolve.show_panel("species")
    from PySide6.QtWidgets import QTextBrowser

    dialog = window.show_help()
    text = dialog.findChild(QTextBrowser).toPlainText()
    assert text.index("Species") < text.index("Champion graph") and "lineage" in text
    window.show_workspace("compare")
    assert "ECDF" in window.help_text()
    assert window.help_action.shortcut().toString() == "F1"


def test_a_new_panel_is_one_module_and_one_registration_line(qtbot, settings, monkeypatch):
    import sys
    import types

    from desktop_app import registry
    from desktop_app.main_window import MainWindow

    module = types.ModuleType("tests_fake_panel")

    class GenerationsPanel(Panel):
        key = "generations"
        title = "Generations"
        help = "How many generations ran."
        order = 15

        @classmethod
        def accepts(cls, run):
            return run.task_spec["name"] == "xor"

        def update_from(self, history):
            self.seen = len(history)

    module.GenerationsPanel = GenerationsPanel
    monkeypatch.setitem(sys.modules, "tests_fake_panel", module)
    monkeypatch.setattr(registry, "PANELS", registry.PANELS + ("tests_fake_panel:GenerationsPanel",))
    window = MainWindow(settings)
    qtbot.addWidget(window)
    evolve = window.evolve
    run(qtbot, evolve, 3)
    assert [p.key for p in evolve.visible_tab_panels()] == ["graph", "generations", "species", "alignment"]
    evolve.show_panel("generations")
    assert evolve.panel("generations").seen == 3
    assert "How many generations ran." in window.help_text()
    window.close_discarding()


def test_an_algorithm_that_cannot_run_the_task_says_why_in_one_message(qtbot, window):
    evolve = window.evolve
    shown = []
    window.errorShown.connect(shown.append)
    _choose(evolve, "backprop-neat", task="XOR")
    assert not evolve.new_run()
    assert len(shown) == 1 and "training set" in shown[0] and evolve.worker is None
    compare = window.compare
    compare.task_box.combo.setCurrentText("XOR")
    compare.check_algorithms()  # as when the task box is left
    box = compare.algorithm_boxes["backprop-neat"]
    assert not box.isEnabled() and not box.isChecked() and "training set" in box.toolTip()
    assert compare.algorithm_boxes["neat"].isEnabled()
    compare.task_box.combo.setCurrentText("Playground: circle")
    compare.check_algorithms()
    assert box.isEnabled() and box.isChecked()
    compare.task_box.combo.setCurrentText("XOR")
    box.setEnabled(True)
    box.setChecked(True)  # even when forced, Run says why before starting any process
    assert not compare.start_compare()
    assert len(shown) == 2 and shown[1].startswith("backprop-neat on XOR") and not compare.running
    _choose(evolve, "backprop-neat", task="Playground: spiral", population=10)
    run(qtbot, evolve, 1)
    assert evolve.run.task_spec["dataset"] == "spiral" and evolve.run.input_names == ("x", "y")
    assert evolve.task_box.text() == "Playground: spiral"


def test_ga_ancestry_is_the_chain_prefix_relation():
    from types import SimpleNamespace

    from desktop_app.panels.ga_lineage import ancestor_generations, shared_prefix

    chains = [(11,), (11, (22, 0.1)), (33,), (33, (44, 0.1)), (11, (22, 0.1), (55, 0.1))]
    history = [SimpleNamespace(generation=g, extras=SimpleNamespace(elite_chain=c)) for g, c in enumerate(chains)]
    assert ancestor_generations(history) == [0, 1, 4]
    assert ancestor_generations(history[:4]) == [2, 3]
    assert shared_prefix([11, 22, 55], [11, 22, 66]) == 2 and shared_prefix([33], [11]) == 0
