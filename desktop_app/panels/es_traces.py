"""OpenAI-ES's optimiser over generations: noise σ, gradient norm, update ratio, and the fitness
of the mean parameters θ against the best perturbation."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QVBoxLayout, QWidget

from core.runs.reports import GenerationReport
from desktop_app.panels.base import Panel, PanelHost, RunInfo
from desktop_app.theme import BEST, FOURTH, MEAN, THIRD
from desktop_app.widgets.plots import RangeKeeper, add_plot, legend_row

EMPTY_GENERATIONS = 10.0
# (extras field, label, colour) per trace, one plot each; the last plot holds two fitness traces.
TRACES = (
    ("sigma", "noise σ", MEAN),
    ("gradient_norm", "gradient norm |g|", BEST),
    ("update_ratio", "log₁₀ update ratio |Δθ| / |θ|", THIRD),
)


class EsTracesPanel(Panel):
    """Four stacked plots sharing the generation axis, legends above each."""

    key = "es"
    title = "ES optimiser"
    order = 40
    help = (
        "<b>ES optimiser</b> (OpenAI-ES, Salimans et al. 2017): each generation samples mirrored "
        "perturbations θ ± σε, ranks their returns and moves θ with Adam along the estimated "
        "gradient.<br><b>σ</b>: the noise scale (constant unless sigma_decay &lt; 1). "
        "<b>|g|</b>: the gradient estimate's norm; it shrinks as returns stop depending on the "
        "direction. <b>Update ratio</b> (log₁₀): the step's size relative to θ; around 1e-3 to "
        "1e-2 (−3 to −2) is healthy, much larger means the learning rate is too high. <b>Fitness</b>: θ itself "
        "(what ES returns) against the best perturbation of the generation."
    )

    @classmethod
    def accepts(cls, run: RunInfo) -> bool:
        """Runs whose reports carry ES optimiser statistics."""
        return all(run.extras_field(name) for name, _, _ in TRACES)

    def __init__(self, host: PanelHost, parent: QWidget | None = None):
        super().__init__(host, parent)
        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setMinimumSize(200, 200)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.graphics)
        ci = self.graphics.ci
        self.plots: dict[str, pg.PlotItem] = {}
        self.curves: dict[str, pg.PlotDataItem] = {}
        row = 0
        first = None
        for name, label, colour in TRACES:
            legend = legend_row(ci, row)
            plot = add_plot(ci, row + 1)
            curve = plot.plot(pen=pg.mkPen(*colour, width=2))
            legend.addItem(curve, label)
            plot.disableAutoRange()
            if first is None:
                first = plot
            else:
                plot.setXLink(first)
            # The generation axis is labelled once, under the last plot: fewer axes to repaint.
            plot.getAxis("bottom").setStyle(showValues=False)
            self.plots[name], self.curves[name] = plot, curve
            ci.layout.setRowStretchFactor(row + 1, 2)
            row += 2
        legend = legend_row(ci, row)
        self.fitness_plot = add_plot(ci, row + 1)
        self.fitness_plot.setLabel("bottom", "generation")
        self.fitness_plot.setXLink(first)
        self.fitness_plot.disableAutoRange()
        self.theta_curve = self.fitness_plot.plot(pen=pg.mkPen(*FOURTH, width=2))
        self.best_curve = self.fitness_plot.plot(pen=pg.mkPen(*BEST, width=1, style=Qt.PenStyle.DashLine))
        legend.addItem(self.theta_curve, "fitness of θ")
        legend.addItem(self.best_curve, "best perturbation")
        ci.layout.setRowStretchFactor(row + 1, 3)
        self.ranges = RangeKeeper()
        self._show_empty()

    def start_run(self, run: RunInfo) -> None:
        """Clear traces and ranges."""
        super().start_run(run)
        self._show_empty()

    def _show_empty(self) -> None:
        for curve in (*self.curves.values(), self.theta_curve, self.best_curve):
            curve.setData([], [])
        self.ranges.reset()
        first = next(iter(self.plots.values()))
        first.setXRange(-0.5, EMPTY_GENERATIONS, padding=0)
        for plot in (*self.plots.values(), self.fitness_plot):
            plot.setYRange(0, 1, padding=0)

    def update_from(self, history: Sequence[GenerationReport]) -> None:
        """Redraw every trace from the history's extras."""
        if not history:
            self._show_empty()
            return
        generations = np.array([r.generation for r in history], dtype=float)
        for name, _, _ in TRACES:
            values = np.array([getattr(r.extras, name) for r in history], dtype=float)
            if name == "update_ratio":
                # Drawn as log10 on a plain axis (pyqtgraph's log axis crowds its labels when short).
                values = np.log10(np.where(values > 0, values, np.nan))
            self.curves[name].setData(generations, values, connect="finite")
            finite = values[np.isfinite(values)]
            if finite.size:
                if name == "update_ratio":
                    self.ranges.apply(name, self.plots[name].setYRange, float(finite.min()), float(finite.max()))
                else:
                    self.ranges.apply(name, self.plots[name].setYRange, 0.0, float(max(finite.max(), 1e-12)), fixed_lo=True)
        theta = np.array([r.extras.mean_theta_fitness for r in history], dtype=float)
        best = np.array([r.extras.best_perturbation_fitness for r in history], dtype=float)
        self.theta_curve.setData(generations, theta)
        self.best_curve.setData(generations, best)
        both = np.concatenate([theta, best])
        lo, hi = float(both.min()), float(both.max())
        if hi - lo < 1e-9:
            lo, hi = lo - 0.5, hi + 0.5
        self.ranges.apply("fitness", self.fitness_plot.setYRange, lo, hi)
        first = next(iter(self.plots.values()))
        self.ranges.apply("x", first.setXRange, -0.5, max(float(generations[-1]) + 0.5, EMPTY_GENERATIONS), fixed_lo=True)
