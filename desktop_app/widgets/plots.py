"""Plot helpers shared by the panels: legends beside the data, ranges that grow in steps, and
exports of plot areas as PNG (at a chosen DPI) or SVG."""

from __future__ import annotations

import math
from pathlib import Path

import pyqtgraph as pg
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QImage, QPainter

from desktop_app.theme import BACKGROUND, TEXT, style_plot

SCREEN_DPI = 96.0


def grown_range(current: tuple[float, float] | None, lo: float, hi: float, fixed_lo: bool = False) -> tuple[float, float]:
    """A view range covering [lo, hi] that only changes when the data leave it.

    Axes redraw their tick text whenever the range moves, which is most of a redraw's cost;
    growing in steps of half the span keeps that to a handful of times per run.
    """
    if current is not None and current[0] <= lo and hi <= current[1]:
        return current
    span = max(hi - lo, 1e-9)
    margin = 0.5 * span
    if fixed_lo:
        new_lo = lo
    else:
        new_lo = lo - margin if current is None or lo < current[0] else current[0]
    new_hi = hi + margin if current is None or hi > current[1] else current[1]
    return float(new_lo), float(new_hi)


def legend_row(layout: pg.GraphicsLayout, row: int, col: int = 0, columns: int = 4) -> pg.LegendItem:
    """A legend in its own row of a graphics layout, so it never covers the data below it."""
    legend = pg.LegendItem(colCount=columns, labelTextColor=TEXT, labelTextSize="8pt", verSpacing=-6, horSpacing=16)
    legend.setParentItem(None)
    layout.addItem(legend, row=row, col=col)
    # The row is as tall as the legend's text, no more.
    layout.layout.setRowStretchFactor(row, 0)
    return legend


def add_plot(layout: pg.GraphicsLayout, row: int, title: str | None = None, col: int = 0) -> pg.PlotItem:
    """A themed plot item at ``row`` of a graphics layout."""
    plot = layout.addPlot(row=row, col=col, title=title)
    style_plot(plot)
    plot.getViewBox().setBackgroundColor(QColor(BACKGROUND))
    return plot


class RangeKeeper:
    """Axis ranges of one or more plots that grow in steps and reset on a new run."""

    def __init__(self) -> None:
        self._ranges: dict[str, tuple[float, float] | None] = {}

    def reset(self) -> None:
        """Forget every range (a new run, or the user's zoom is to be discarded)."""
        self._ranges.clear()

    def apply(self, key: str, setter, lo: float, hi: float, fixed_lo: bool = False) -> None:
        """Call ``setter(lo, hi)`` when the range for ``key`` must grow (or was reset)."""
        if not (math.isfinite(lo) and math.isfinite(hi)):
            return
        current = self._ranges.get(key)
        wanted = grown_range(current, lo, hi, fixed_lo)
        if wanted != current:
            self._ranges[key] = wanted
            setter(*wanted, padding=0)


def render_png(scene, source: QRectF, path: str | Path, dpi: float = SCREEN_DPI) -> QImage:
    """Paint ``source`` (scene coordinates) of a graphics scene into a PNG at ``dpi``.

    The scene is painted as vectors scaled by dpi / 96, so text and lines stay sharp at any
    resolution. Returns the image written.

    Raises:
        OSError: the file could not be written.
    """
    scale = dpi / SCREEN_DPI
    image = QImage(max(1, math.ceil(source.width() * scale)), max(1, math.ceil(source.height() * scale)), QImage.Format.Format_ARGB32)
    image.fill(QColor(BACKGROUND))
    dots_per_metre = round(dpi / 0.0254)
    image.setDotsPerMeterX(dots_per_metre)
    image.setDotsPerMeterY(dots_per_metre)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    try:
        scene.render(painter, QRectF(0, 0, image.width(), image.height()), source)
    finally:
        painter.end()
    if not image.save(str(path)):
        raise OSError(f"could not write {path}")
    return image


def render_svg(scene, source: QRectF, path: str | Path, title: str = "NEAT Scope plot") -> None:
    """Paint ``source`` of a graphics scene into an SVG file.

    Qt's QSvgGenerator, not pyqtgraph's SVGExporter: pyqtgraph 0.14's exporter fails on the
    path syntax Qt 6.11 emits (pyqtgraph issue #3485).

    Raises:
        OSError: the file could not be written.
    """
    from PySide6.QtSvg import QSvgGenerator

    generator = QSvgGenerator()
    generator.setFileName(str(path))
    generator.setSize(source.size().toSize())
    generator.setViewBox(QRectF(0, 0, source.width(), source.height()))
    generator.setTitle(title)
    painter = QPainter(generator)
    try:
        painter.fillRect(QRectF(0, 0, source.width(), source.height()), QColor(BACKGROUND))
        scene.render(painter, QRectF(0, 0, source.width(), source.height()), source)
    finally:
        painter.end()
    if not Path(path).is_file():
        raise OSError(f"could not write {path}")


def export_scene_area(scene, source: QRectF, path: str | Path, dpi: float = SCREEN_DPI, title: str = "NEAT Scope plot") -> None:
    """PNG or SVG by the file's extension (see ``render_png`` and ``render_svg``)."""
    if Path(path).suffix.lower() == ".svg":
        render_svg(scene, source, path, title)
    else:
        render_png(scene, source, path, dpi)
