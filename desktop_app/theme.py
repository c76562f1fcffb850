"""One light theme for the whole app: Qt's Fusion style with a light palette, and pyqtgraph
plots drawn dark-on-white to match (pyqtgraph's default is a black background).

Applied before any plot is made (``apply_theme`` is idempotent and called by the window too, so
tests and scripts that build a window without ``make_application`` look the same).
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QGraphicsItem

from core.runs.plots import algorithm_colour

BACKGROUND = "#ffffff"
WINDOW = "#f4f4f2"
TEXT = "#1e1e1e"
MUTED = "#6b6b6b"
GRID_ALPHA = 0.25
ERROR = "#b00020"
ERROR_BACKGROUND = "#fde7ea"
NOTICE_BACKGROUND = "#fff4d6"
# Series colours shared by all panels (Okabe-Ito, colour-blind safe).
BEST = (213, 94, 0)
MEAN = (0, 114, 178)
THIRD = (0, 158, 115)
FOURTH = (204, 121, 167)
FIFTH = (230, 159, 0)
SERIES = (BEST, MEAN, THIRD, FOURTH, FIFTH, (86, 180, 233), (120, 120, 120))
POSITIVE = (213, 94, 0)
NEGATIVE = (0, 114, 178)


def apply_theme(app: QApplication | None = None) -> None:
    """Light palette on the application, white plots in pyqtgraph (call before making plots)."""
    # No antialiasing: it multiplies the cost of painting long curves during a live run.
    pg.setConfigOptions(background=BACKGROUND, foreground=TEXT, antialias=False)
    app = app or QApplication.instance()
    if app is None or app.property("neatscope_theme"):
        return
    app.setStyle("Fusion")
    palette = QPalette()
    colours = {
        QPalette.ColorRole.Window: WINDOW,
        QPalette.ColorRole.WindowText: TEXT,
        QPalette.ColorRole.Base: BACKGROUND,
        QPalette.ColorRole.AlternateBase: "#f0f0ee",
        QPalette.ColorRole.ToolTipBase: "#ffffe8",
        QPalette.ColorRole.ToolTipText: TEXT,
        QPalette.ColorRole.Text: TEXT,
        QPalette.ColorRole.Button: "#ececea",
        QPalette.ColorRole.ButtonText: TEXT,
        QPalette.ColorRole.BrightText: "#ffffff",
        QPalette.ColorRole.Highlight: "#2f6db5",
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.PlaceholderText: MUTED,
        QPalette.ColorRole.Link: "#2f6db5",
    }
    for role, colour in colours.items():
        palette.setColor(role, QColor(colour))
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#a0a0a0"))
    app.setPalette(palette)
    app.setProperty("neatscope_theme", True)


def algorithm_qcolour(name: str, index: int = 0) -> QColor:
    """The colour an algorithm is drawn in everywhere (the same as the CLI's pictures)."""
    return QColor(algorithm_colour(name, index))


def style_plot(plot: pg.PlotItem) -> None:
    """Grid and axis text of every plot in the app.

    Axes are cached as pixmaps: new data repaints the whole plot area, and replaying an axis's
    tick text (pyqtgraph paints it in Python) was most of a live redraw's cost. A cached axis is
    painted again only when its range or size changes.
    """
    plot.showGrid(x=True, y=True, alpha=GRID_ALPHA)
    for name in ("left", "bottom", "top", "right"):
        axis = plot.getAxis(name)
        axis.setTextPen(TEXT)
        axis.setPen(MUTED)
        axis.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        # Values as they are: "fitness (x0.001)" over ticks 0-3.5 misreads double pole's 0.0025.
        axis.enableAutoSIPrefix(False)
