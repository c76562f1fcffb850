"""Fitness over generations (best, mean ± sd, per-species best) and complexity below it."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QVBoxLayout, QWidget

from core.runs.reports import GenerationReport


def grown_range(current: tuple[float, float] | None, lo: float, hi: float, fixed_lo: bool = False) -> tuple[float, float]:
    """A view range covering [lo, hi] that only changes when the data leave it.

    Axes redraw their tick text whenever the range moves, which is most of a redraw's cost;
    growing in steps of a quarter span keeps that to a handful of times per run.
    """
    if current is not None and current[0] <= lo and hi <= current[1]:
        return current
    span = max(hi - lo, 1e-9)
    margin = 0.25 * span
    if fixed_lo:
        new_lo = lo
    else:
        new_lo = lo - margin if current is None or lo < current[0] else current[0]
    new_hi = hi + margin if current is None or hi > current[1] else current[1]
    return float(new_lo), float(new_hi)


class FitnessPlot(QWidget):
    """Two stacked plots sharing the generation axis; items are made once and re-fed data."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.graphics = pg.GraphicsLayoutWidget()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.graphics)

        self.fitness = self.graphics.addPlot(row=0, col=0, title="Fitness")
        self.fitness.addLegend(offset=(10, 10))
        self.fitness.showGrid(x=True, y=True, alpha=0.2)
        self.fitness.setLabel("left", "fitness")
        # The ± sd band is two light curves: a filled band hides the species-best dots under it.
        band_pen = pg.mkPen(80, 140, 255, 110, width=1)
        self.upper = self.fitness.plot(pen=band_pen)
        self.lower = self.fitness.plot(pen=band_pen)
        self.species_best = pg.ScatterPlotItem(size=3, pen=None, brush=pg.mkBrush(150, 150, 150, 120), name="species best")
        self.fitness.addItem(self.species_best)
        self.mean_curve = self.fitness.plot(pen=pg.mkPen(80, 140, 255, width=2), name="mean ± sd")
        self.best_curve = self.fitness.plot(pen=pg.mkPen(230, 90, 40, width=2), name="best")

        self.complexity = self.graphics.addPlot(row=1, col=0, title="Complexity")
        self.complexity.addLegend(offset=(10, 10))
        self.complexity.showGrid(x=True, y=True, alpha=0.2)
        self.complexity.setLabel("bottom", "generation")
        self.complexity.setXLink(self.fitness)
        self.champion_connections = self.complexity.plot(pen=pg.mkPen(230, 90, 40, width=2), name="champion connections")
        self.champion_nodes = self.complexity.plot(pen=pg.mkPen(40, 160, 90, width=2), name="champion hidden nodes")
        self.mean_connections = self.complexity.plot(pen=pg.mkPen(80, 140, 255, width=1, style=pg.QtCore.Qt.PenStyle.DashLine), name="mean connections")
        for plot in (self.fitness, self.complexity):
            plot.disableAutoRange()
        self._ranges: dict[str, tuple[float, float] | None] = {"x": None, "fitness": None, "complexity": None}
        self.graphics.ci.layout.setRowStretchFactor(0, 3)
        self.graphics.ci.layout.setRowStretchFactor(1, 2)

    def update_from(self, history: Sequence[GenerationReport]) -> None:
        """Redraw from the whole report history."""
        if not history:
            for item in (self.best_curve, self.mean_curve, self.upper, self.lower, self.champion_connections, self.champion_nodes, self.mean_connections):
                item.setData([], [])
            self.species_best.setData([], [])
            self._ranges = dict.fromkeys(self._ranges)
            return
        generations = np.array([r.generation for r in history], dtype=float)
        best = np.array([r.best_fitness for r in history])
        mean = np.array([r.mean_fitness for r in history])
        sd = np.array([r.stdev_fitness for r in history])
        self.best_curve.setData(generations, best)
        self.mean_curve.setData(generations, mean)
        self.upper.setData(generations, mean + sd)
        self.lower.setData(generations, mean - sd)
        xs = [r.generation for r in history for _ in r.species]
        ys = [s.best_fitness for r in history for s in r.species]
        self.species_best.setData(xs, ys)
        self.champion_connections.setData(generations, [r.champion.enabled_count for r in history])
        self.champion_nodes.setData(generations, [r.champion.hidden_count for r in history])
        mean_connections = np.array([r.mean_connections for r in history])
        champion_connections = np.array([r.champion.enabled_count for r in history], dtype=float)
        self.mean_connections.setData(generations, mean_connections)
        self._set_range("x", self.fitness.setXRange, -0.5, max(float(generations[-1]), 10.0), fixed_lo=True)
        fitness_values = np.concatenate([best, mean - sd, ys]) if ys else np.concatenate([best, mean - sd])
        self._set_range("fitness", self.fitness.setYRange, float(fitness_values.min()), float(fitness_values.max()))
        self._set_range("complexity", self.complexity.setYRange, 0.0, float(max(champion_connections.max(), mean_connections.max(), 1.0)), fixed_lo=True)

    def _set_range(self, key: str, setter, lo: float, hi: float, fixed_lo: bool = False) -> None:
        wanted = grown_range(self._ranges[key], lo, hi, fixed_lo)
        if wanted != self._ranges[key]:
            self._ranges[key] = wanted
            setter(*wanted, padding=0)
