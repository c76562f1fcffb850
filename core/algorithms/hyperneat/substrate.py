"""Substrates: sheets of neurons at 2-D coordinates and the sheet pairs that may be linked.

Coordinates run over [-1, 1]. A line of n neurons sits at pixel centres ``-1 + s/2 + i*s``
(``s = 2/n``, SharpNEAT's convention); a grid of r x c neurons is row-major (y outer, x inner),
as the boxes task numbers its pixels. With the line layout, sheets are stacked from y = -1
(inputs) to y = +1 (outputs), hidden sheets evenly between; with the grid layout every sheet
covers the whole square (SharpNEAT's sandwich, without the z coordinate).

Layout "auto" takes the task's geometry when it declares one (``input_grid``/``output_grid``,
e.g. the boxes task's R x R fields) and a line otherwise (CartPole, double pole, XOR): any task
runs through a substrate without further code.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from core.algorithms.hyperneat.config import SubstrateConfig

INPUT, HIDDEN, OUTPUT = "input", "hidden", "output"


@dataclass(frozen=True, slots=True)
class Sheet:
    """A named group of neurons; ``coordinates`` is (n, 2) x, y."""

    name: str
    kind: str
    coordinates: np.ndarray

    def __len__(self) -> int:
        return len(self.coordinates)


@dataclass(frozen=True, slots=True)
class Substrate:
    """Sheets in evaluation order (inputs first, hidden sheets, outputs last) and the sheet
    pairs ``(source, target)`` that may be linked, sources always before targets."""

    sheets: tuple[Sheet, ...]
    links: tuple[tuple[int, int], ...]
    hidden_activation: str = "sigmoid"
    output_activation: str = "sigmoid"

    @property
    def num_inputs(self) -> int:
        """Input neurons."""
        return len(self.sheets[0])

    @property
    def num_outputs(self) -> int:
        """Output neurons."""
        return len(self.sheets[-1])

    @property
    def offsets(self) -> tuple[int, ...]:
        """Index of each sheet's first neuron in the node order (and the total at the end)."""
        starts = [0]
        for sheet in self.sheets:
            starts.append(starts[-1] + len(sheet))
        return tuple(starts)

    @property
    def coordinates(self) -> np.ndarray:
        """(N, 2) every neuron's position in node order."""
        return np.concatenate([sheet.coordinates for sheet in self.sheets])

    @property
    def potential_links(self) -> int:
        """Links the substrate allows (each may be expressed or not)."""
        return sum(len(self.sheets[s]) * len(self.sheets[t]) for s, t in self.links)

    def sources_of(self, target: int) -> tuple[int, ...]:
        """Sheets linked into sheet ``target``."""
        return tuple(s for s, t in self.links if t == target)


def line(count: int, y: float) -> np.ndarray:
    """``count`` neurons across [-1, 1] at height y, at pixel centres."""
    size = 2.0 / count
    return np.column_stack([-1.0 + size / 2.0 + np.arange(count) * size, np.full(count, float(y))])


def grid(rows: int, columns: int) -> np.ndarray:
    """A rows x columns sheet over [-1, 1]^2, row-major (y outer, x inner), at pixel centres."""
    xs = line(columns, 0.0)[:, 0]
    ys = line(rows, 0.0)[:, 0]
    return np.column_stack([np.tile(xs, rows), np.repeat(ys, columns)])


def _pairs(values: tuple[float, ...]) -> np.ndarray:
    return np.asarray(values, dtype=np.float64).reshape(-1, 2)


def _square_side(count: int, what: str) -> int:
    side = math.isqrt(count)
    if side * side != count:
        raise ValueError(f"substrate: a grid layout for {what} needs a square count, got {count}")
    return side


def _io_sheet(kind: str, count: int, layout: str, custom: tuple[float, ...], task_grid: Any, y: float) -> Sheet:
    if layout == "custom":
        coordinates = _pairs(custom)
        if len(coordinates) != count:
            raise ValueError(f"substrate.{kind}_coordinates gives {len(coordinates)} positions; the task has {count} {kind}s")
        return Sheet(kind + "s", kind, coordinates)
    if layout == "auto":
        layout = "grid" if task_grid is not None else "line"
    if layout == "grid":
        rows, columns = task_grid if task_grid is not None else (_square_side(count, kind + "s"),) * 2
        if rows * columns != count:
            raise ValueError(f"substrate: the task's {kind} grid {rows}x{columns} does not hold its {count} {kind}s")
        return Sheet(kind + "s", kind, grid(rows, columns))
    return Sheet(kind + "s", kind, line(count, y))


def build_substrate(config: SubstrateConfig, num_inputs: int, num_outputs: int, input_grid: Any = None, output_grid: Any = None) -> Substrate:
    """The substrate a config describes for a task's input and output counts (and grids).

    Raises:
        ValueError: coordinates that do not fit the task, or links that leave the outputs
            unreachable from the inputs.
    """
    hidden_count = len(config.hidden_sheets)
    levels = hidden_count + 2
    heights = [-1.0 + 2.0 * k / (levels - 1) for k in range(levels)]
    sheets = [_io_sheet(INPUT, num_inputs, config.input_layout, config.input_coordinates, input_grid, heights[0])]
    custom_hidden = _pairs(config.hidden_coordinates)
    if config.hidden_layout == "custom" and len(custom_hidden) != sum(config.hidden_sheets):
        raise ValueError(
            f"substrate.hidden_coordinates gives {len(custom_hidden)} positions; substrate.hidden_sheets asks for {sum(config.hidden_sheets)}"
        )
    used = 0
    for k, size in enumerate(config.hidden_sheets, start=1):
        if config.hidden_layout == "custom":
            coordinates = custom_hidden[used : used + size]
            used += size
        elif config.hidden_layout == "grid":
            coordinates = grid(size, size)
        else:
            coordinates = line(size, heights[k])
        sheets.append(Sheet(f"hidden {k}", HIDDEN, coordinates))
    sheets.append(_io_sheet(OUTPUT, num_outputs, config.output_layout, config.output_coordinates, output_grid, heights[-1]))

    out = len(sheets) - 1
    links: list[tuple[int, int]] = []
    for link_class in config.links:
        if link_class == "input-output":
            links.append((0, out))
        elif hidden_count and link_class == "input-hidden":
            links.append((0, 1))
        elif hidden_count and link_class == "hidden-output":
            links.append((hidden_count, out))
        elif link_class == "hidden-hidden":
            links.extend((k, k + 1) for k in range(1, hidden_count))
    links = sorted(set(links), key=lambda pair: (pair[1], pair[0]))
    reached = {0}
    for source, target in sorted(links):
        if source in reached:
            reached.add(target)
    if out not in reached:
        raise ValueError(f"substrate.links {list(config.links)} with {hidden_count} hidden sheets leave no path from the inputs to the outputs")
    return Substrate(tuple(sheets), tuple(links), config.hidden_activation, config.output_activation)


def substrate_for_task(config: SubstrateConfig, task: Any) -> Substrate:
    """The substrate for a task, using the grids it declares (``input_grid``/``output_grid``)."""
    return build_substrate(config, task.num_inputs, task.num_outputs, getattr(task, "input_grid", None), getattr(task, "output_grid", None))
