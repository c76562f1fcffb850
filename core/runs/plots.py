"""Pictures written next to results (compare curves), drawn with matplotlib's Agg canvas.

matplotlib is imported lazily and without pyplot, so no GUI backend is ever selected and
``core`` stays free of Qt.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

# One colour per algorithm, the same in every picture (colour-blind-safe Okabe-Ito palette).
ALGORITHM_COLOURS = {
    "neat": "#0072B2",
    "ga": "#D55E00",
    "es": "#009E73",
    "random": "#7f7f7f",
    "hyperneat": "#CC79A7",
    "es-hyperneat": "#E69F00",
    "arch-ga": "#56B4E9",
    "arch-random": "#000000",
    "backprop-neat": "#F0E442",
}
FALLBACK_COLOURS = ("#F0E442", "#882255", "#117733", "#332288")


def algorithm_colour(name: str, index: int = 0) -> str:
    """The colour an algorithm is drawn in."""
    return ALGORITHM_COLOURS.get(name, FALLBACK_COLOURS[index % len(FALLBACK_COLOURS)])


def plot_compare_curves(
    grid: np.ndarray,
    quartiles: dict[str, np.ndarray],
    *,
    title: str,
    threshold: float | None,
    out_stem: Path,
    x_label: str = "evaluations",
) -> list[Path]:
    """Median best-so-far against evaluations, one colour per algorithm, IQR as a band.

    The legend sits outside the axes so it never hides a curve. Writes ``out_stem`` + .png
    (150 dpi) and .svg; returns both paths.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(8.5, 4.8), layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    for index, (name, (q1, median, q3)) in enumerate(quartiles.items()):
        colour = algorithm_colour(name, index)
        axes.fill_between(grid, q1, q3, color=colour, alpha=0.18, linewidth=0)
        axes.plot(grid, median, color=colour, linewidth=2, label=name)
    if threshold is not None:
        axes.axhline(threshold, color="#444444", linestyle="--", linewidth=1, label="solved threshold")
    axes.set_xlabel(x_label)
    axes.set_ylabel("best fitness so far")
    axes.set_title(title, fontsize=10)
    axes.grid(True, alpha=0.3)
    axes.set_xlim(float(grid[0]), float(grid[-1]))
    figure.legend(loc="outside right upper", frameon=False)
    paths = []
    for suffix, options in ((".png", {"dpi": 150}), (".svg", {})):
        path = Path(str(out_stem) + suffix)
        figure.savefig(path, **options)
        paths.append(path)
    return paths
