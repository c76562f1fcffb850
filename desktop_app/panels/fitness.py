"""Fitness over generations (best, mean ± sd, per-species best) and complexity below it."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QVBoxLayout, QWidget

from core.runs.reports import GenerationReport
from desktop_app.panels.base import Panel, PanelHost, RunInfo
from desktop_app.theme import BEST, MEAN, THIRD
from desktop_app.widgets.plots import RangeKeeper, add_plot, export_scene_area, legend_row

# Below this many generations the best curve also draws a dot per generation, so a run of one
# generation is visible.
DOTS_UP_TO = 30
EMPTY_GENERATIONS = 10.0


class FitnessPanel(Panel):
    """Two stacked plots sharing the generation axis, each with its legend above it.

    Items are made once and re-fed data; ranges grow in steps and are reset for every new run.
    """

    key = "fitness"
    title = "Fitness"
    order = 0
    placement = "main"
    help = (
        "<b>Fitness</b> (top): the best genome of each generation (orange), the population's mean "
        "with ± one standard deviation (blue lines), and, for NEAT, each species' best as grey dots. "
        "The dashed line is the task's solve threshold.<br>"
        "<b>Complexity</b> (bottom): the champion's enabled connections and hidden nodes, and the "
        "population's mean connections. NEAT grows networks from minimal ones; fixed-topology "
        "baselines stay flat.<br>Drag to pan, wheel to zoom; a new run resets the view."
    )

    def __init__(self, host: PanelHost, parent: QWidget | None = None):
        super().__init__(host, parent)
        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setMinimumSize(220, 220)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.graphics)
        ci = self.graphics.ci

        self.fitness_legend = legend_row(ci, 0)
        self.fitness = add_plot(ci, 1)
        self.fitness.setLabel("left", "fitness")
        band_pen = pg.mkPen(*MEAN, 110, width=1)
        self.upper = self.fitness.plot(pen=band_pen)
        self.lower = self.fitness.plot(pen=band_pen)
        self.species_best = pg.ScatterPlotItem(size=3, pen=None, brush=pg.mkBrush(120, 120, 120, 130))
        self.fitness.addItem(self.species_best)
        self.mean_curve = self.fitness.plot(pen=pg.mkPen(*MEAN, width=2))
        self.best_curve = self.fitness.plot(pen=pg.mkPen(*BEST, width=2), symbolBrush=pg.mkBrush(*BEST), symbolPen=None, symbolSize=6)
        self.threshold_line = pg.InfiniteLine(angle=0, pen=pg.mkPen(80, 80, 80, width=1, style=Qt.PenStyle.DashLine))
        self.threshold_line.setVisible(False)
        self.fitness.addItem(self.threshold_line)
        self.fitness_legend.addItem(self.best_curve, "best")
        self.fitness_legend.addItem(self.mean_curve, "mean ± sd")
        self._species_legend_shown = False

        self.complexity_legend = legend_row(ci, 2, columns=2)
        self.complexity = add_plot(ci, 3)
        self.complexity.setLabel("bottom", "generation")
        self.complexity.setLabel("left", "genes")
        self.complexity.setXLink(self.fitness)
        self.champion_connections = self.complexity.plot(pen=pg.mkPen(*BEST, width=2))
        self.champion_nodes = self.complexity.plot(pen=pg.mkPen(*THIRD, width=2))
        self.mean_connections = self.complexity.plot(pen=pg.mkPen(*MEAN, width=1, style=Qt.PenStyle.DashLine))
        self.complexity_legend.addItem(self.champion_connections, "champion connections")
        self.complexity_legend.addItem(self.champion_nodes, "champion hidden nodes")
        self.complexity_legend.addItem(self.mean_connections, "mean connections")
        for plot in (self.fitness, self.complexity):
            plot.disableAutoRange()
        ci.layout.setRowStretchFactor(1, 3)
        ci.layout.setRowStretchFactor(3, 2)
        self.ranges = RangeKeeper()
        self._show_empty()

    # --- run lifecycle ---------------------------------------------------------------------

    def start_run(self, run: RunInfo) -> None:
        """Clear the curves and forget ranges and zoom from the previous run."""
        super().start_run(run)
        threshold = run.task_spec.get("fitness_threshold")
        finite = isinstance(threshold, (int, float)) and np.isfinite(threshold)
        self.threshold_line.setVisible(bool(finite))
        if finite:
            self.threshold_line.setValue(float(threshold))
        if run.extras_field("species") and not self._species_legend_shown:
            self.fitness_legend.addItem(self.species_best, "species best")
            self._species_legend_shown = True
        elif not run.extras_field("species") and self._species_legend_shown:
            self.fitness_legend.removeItem(self.species_best)
            self._species_legend_shown = False
        self._show_empty()

    def _show_empty(self) -> None:
        self._cache = {"count": 0, "first": None, "rows": [], "dots_x": [], "dots_y": []}
        for item in (self.best_curve, self.mean_curve, self.upper, self.lower, self.champion_connections, self.champion_nodes, self.mean_connections):
            item.setData([], [])
        self.species_best.setData([], [])
        self.ranges.reset()
        # An empty plot shows generations 0-10 and fitness 0-1, not pyqtgraph's -500..500 ± x0.001.
        self.fitness.setXRange(-0.5, EMPTY_GENERATIONS, padding=0)
        self.fitness.setYRange(0.0, 1.0, padding=0)
        self.complexity.setYRange(0.0, 1.0, padding=0)

    def _columns(self, history: Sequence[GenerationReport]) -> dict[str, np.ndarray]:
        """Per-generation values as arrays, extended by the new reports only.

        Reports never change, so what was read for earlier batches is kept; a history that does
        not extend the cached one (a new run, a Reset) starts the cache again.
        """
        cache = self._cache
        if cache["count"] > len(history) or (cache["count"] and cache["first"] is not history[0]):
            cache = self._cache = {"count": 0, "first": None, "rows": [], "dots_x": [], "dots_y": []}
        for report in history[cache["count"] :]:
            cache["rows"].append(
                (report.generation, report.best_fitness, report.mean_fitness, report.stdev_fitness,
                 report.champion.enabled_count, report.champion.hidden_count, report.mean_connections)
            )  # fmt: skip
            for species in report.species:
                cache["dots_x"].append(report.generation)
                cache["dots_y"].append(species.best_fitness)
        cache["count"], cache["first"] = len(history), history[0]
        rows = np.array(cache["rows"], dtype=float).reshape(-1, 7)
        names = ("generation", "best", "mean", "sd", "champion_connections", "champion_nodes", "mean_connections")
        columns = {name: rows[:, i] for i, name in enumerate(names)}
        columns["dots_x"], columns["dots_y"] = np.asarray(cache["dots_x"], dtype=float), np.asarray(cache["dots_y"], dtype=float)
        return columns

    def update_from(self, history: Sequence[GenerationReport]) -> None:
        """Redraw from the whole report history."""
        if not history:
            self._show_empty()
            return
        c = self._columns(history)
        generations, best, mean, sd = c["generation"], c["best"], c["mean"], c["sd"]
        self.best_curve.setData(generations, best, symbol="o" if len(history) <= DOTS_UP_TO else None)
        # A line through one point draws nothing: the first generation gets a dot on every curve.
        single = len(history) == 1
        self.mean_curve.setData(generations, mean, **_dot(self.mean_curve, single))
        self.upper.setData(generations, mean + sd)
        self.lower.setData(generations, mean - sd)
        ys = c["dots_y"]
        self.species_best.setData(c["dots_x"], ys)
        champion_connections, mean_connections = c["champion_connections"], c["mean_connections"]
        self.champion_connections.setData(generations, champion_connections, **_dot(self.champion_connections, single))
        self.champion_nodes.setData(generations, c["champion_nodes"], **_dot(self.champion_nodes, single))
        self.mean_connections.setData(generations, mean_connections, **_dot(self.mean_connections, single))
        self.ranges.apply("x", self.fitness.setXRange, -0.5, max(float(generations[-1]) + 0.5, EMPTY_GENERATIONS), fixed_lo=True)
        fitness_values = np.concatenate([best, mean - sd, mean + sd, ys])
        lo, hi = float(fitness_values.min()), float(fitness_values.max())
        if self.threshold_line.isVisible() and self.threshold_line.value() <= hi + 0.25 * max(hi - lo, 1e-9):
            hi = max(hi, float(self.threshold_line.value()))
        if hi - lo < 1e-9:
            lo, hi = lo - 0.5, hi + 0.5
        self.ranges.apply("fitness", self.fitness.setYRange, lo, hi)
        self.ranges.apply("complexity", self.complexity.setYRange, 0.0, float(max(champion_connections.max(), mean_connections.max(), 1.0)), fixed_lo=True)

    # --- export ----------------------------------------------------------------------------

    def plot_items(self) -> list[tuple[str, pg.PlotItem]]:
        """The plots this panel can export, by name."""
        return [("fitness", self.fitness), ("complexity", self.complexity)]

    def export(self, path: str | Path, combined: bool, dpi: float) -> list[Path]:
        """Write the plots (one combined figure, or one file per plot) as PNG at ``dpi`` or SVG.

        Each plot is written with its legend. Returns the files written.

        Raises:
            OSError: a file could not be written.
        """
        target = Path(path)
        suffix = target.suffix.lower() or ".png"
        scene = self.graphics.scene()
        if combined:
            out = target.with_suffix(suffix)
            export_scene_area(scene, self.graphics.ci.sceneBoundingRect(), out, dpi, "NEAT Scope: fitness and complexity")
            return [out]
        written = []
        for (name, plot), legend in zip(self.plot_items(), (self.fitness_legend, self.complexity_legend)):
            out = target.with_name(f"{target.stem}-{name}{suffix}")
            export_scene_area(scene, plot.sceneBoundingRect().united(legend.sceneBoundingRect()), out, dpi, f"NEAT Scope: {name}")
            written.append(out)
        return written


def _dot(curve: pg.PlotDataItem, on: bool) -> dict:
    """setData options: a dot in the curve's own colour, or none."""
    if not on:
        return {"symbol": None}
    colour = pg.mkPen(curve.opts["pen"]).color()
    return {"symbol": "o", "symbolSize": 6, "symbolBrush": colour, "symbolPen": colour}
