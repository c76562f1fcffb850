"""The champion's graph: layered layout, edges coloured by weight sign, width by |weight|,
innovation number on every edge, node details on hover."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from core.networks.layout import layered_layout, node_depths
from core.networks.snapshot import GenomeSnapshot

POSITIVE = (220, 70, 50)
NEGATIVE = (50, 110, 230)
NODE_COLOURS = {"input": (90, 180, 90), "output": (240, 170, 40), "hidden": (170, 170, 170)}
MAX_EDGE_WIDTH = 6.0


def edge_path(start: tuple[float, float], end: tuple[float, float], recurrent: bool) -> tuple[np.ndarray, np.ndarray]:
    """Points of an edge: a straight line, or a bowed curve (a loop for self connections)."""
    if not recurrent:
        return np.array([start[0], end[0]]), np.array([start[1], end[1]])
    t = np.linspace(0.0, 1.0, 24)
    if start == end:
        angle = 2 * np.pi * t
        return start[0] + 0.04 * np.sin(angle), start[1] + 0.06 * (1 - np.cos(angle))
    (x0, y0), (x1, y1) = start, end
    # A quadratic Bezier bowed above the straight line, so back edges are told apart.
    cx, cy = (x0 + x1) / 2, max(y0, y1) + 0.15
    xs = (1 - t) ** 2 * x0 + 2 * (1 - t) * t * cx + t**2 * x1
    ys = (1 - t) ** 2 * y0 + 2 * (1 - t) * t * cy + t**2 * y1
    return xs, ys


def activation_colour(value: float) -> tuple[int, int, int]:
    """White at 0, saturating to red at +1 and blue at -1."""
    v = max(-1.0, min(1.0, value)) if np.isfinite(value) else 0.0
    if v >= 0:
        return 255, int(255 * (1 - v)), int(255 * (1 - v))
    return int(255 * (1 + v)), int(255 * (1 + v)), 255


class NetworkView(QWidget):
    """Draws one ``GenomeSnapshot``; ``show_disabled`` toggles dashed disabled genes."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.title = QLabel("Champion")
        self.disabled_toggle = QCheckBox("Show disabled genes")
        self.disabled_toggle.setToolTip("Draw disabled connection genes as dashed lines")
        self.disabled_toggle.setChecked(True)
        self.disabled_toggle.toggled.connect(lambda _: self.show_genome(self.genome))
        header = QHBoxLayout()
        header.addWidget(self.title, 1)
        header.addWidget(self.disabled_toggle)
        self.plot = pg.PlotWidget(background="w")
        self.plot.setAspectLocked(False)
        self.plot.hideAxis("left")
        self.plot.hideAxis("bottom")
        self.plot.setMouseEnabled(x=True, y=True)
        self.plot.setXRange(-0.08, 1.08, padding=0)
        self.plot.setYRange(-0.05, 1.12, padding=0)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(header)
        layout.addWidget(self.plot, 1)
        self.genome: GenomeSnapshot | None = None
        self.edge_items: list[pg.PlotCurveItem] = []
        self.label_items: list[pg.TextItem] = []
        self.nodes = pg.ScatterPlotItem(size=22, hoverable=True, tip=self._node_tip, pen=pg.mkPen(40, 40, 40))
        self.node_labels: list[pg.TextItem] = []
        self.plot.addItem(self.nodes)
        self._node_info: dict[int, str] = {}
        self._spots: list[dict] = []
        self._drawn_edges = []
        self.node_activations = {}

    def _node_tip(self, x: float, y: float, data: object) -> str:
        node_id = int(data)  # type: ignore[arg-type]
        info = self._node_info.get(node_id, "")
        if node_id in self.node_activations:
            info += f"\nactivation now {self.node_activations[node_id]:+.4f}"
        return info

    def _pooled(self, pool: list, index: int, make) -> object:
        """Item ``index`` of a pool, created on first need. Items are reused and hidden, never
        removed: a live run redraws the graph many times a second, and reuse avoids rebuilding."""
        while len(pool) <= index:
            item = make()
            self.plot.addItem(item)
            pool.append(item)
        item = pool[index]
        item.setVisible(True)
        return item

    @property
    def visible_edges(self) -> list[pg.PlotCurveItem]:
        """Edge items currently drawn."""
        return [item for item in self.edge_items if item.isVisible()]

    @property
    def visible_labels(self) -> list[str]:
        """Innovation-number labels currently drawn."""
        return [item.textItem.toPlainText() for item in self.label_items if item.isVisible()]

    def show_genome(self, genome: GenomeSnapshot | None, title: str | None = None) -> None:
        """Draw a genome (or clear the view for None)."""
        self.genome = genome
        self._drawn_edges: list[tuple[pg.PlotCurveItem, object, object]] = []
        self.node_activations: dict[int, float] = {}
        if title is not None:
            self.title.setText(title)
        edges = labels = names = 0
        spots = []
        self._node_info = {}
        if genome is not None:
            positions = layered_layout(genome)
            depth = node_depths(genome)
            show_disabled = self.disabled_toggle.isChecked()
            largest = max((abs(c.weight) for c in genome.connections), default=1.0) or 1.0
            for conn in genome.connections:
                if (not conn.enabled and not show_disabled) or conn.in_node not in positions or conn.out_node not in positions:
                    continue
                recurrent = conn.in_node == conn.out_node or depth[conn.out_node] <= depth[conn.in_node]
                xs, ys = edge_path(positions[conn.in_node], positions[conn.out_node], recurrent)
                colour = POSITIVE if conn.weight >= 0 else NEGATIVE
                pen = pg.mkPen(
                    *colour,
                    200 if conn.enabled else 120,
                    width=max(0.8, MAX_EDGE_WIDTH * abs(conn.weight) / largest),
                    style=Qt.PenStyle.SolidLine if conn.enabled else Qt.PenStyle.DashLine,
                )
                edge = self._pooled(self.edge_items, edges, pg.PlotCurveItem)
                edge.setData(xs, ys, pen=pen)
                self._drawn_edges.append((edge, conn, pen))
                edge.setToolTip(
                    f"innovation {conn.innovation}: {conn.in_node} → {conn.out_node}, weight {conn.weight:+.3f}"
                    + ("" if conn.enabled else " (disabled)")
                )
                edges += 1
                middle = len(xs) // 2
                label = self._pooled(self.label_items, labels, lambda: pg.TextItem("", color=(20, 20, 20), anchor=(0.5, 0.5), fill=pg.mkBrush(255, 255, 255, 200)))
                label.setText(str(conn.innovation))
                label.setPos(float((xs[middle] + xs[-1 - middle]) / 2), float((ys[middle] + ys[-1 - middle]) / 2))
                label.setZValue(15)
                labels += 1
            for node in genome.nodes:
                x, y = positions[node.node_id]
                spots.append({"pos": (x, y), "data": node.node_id, "brush": pg.mkBrush(*NODE_COLOURS.get(node.kind, (170, 170, 170)))})
                self._node_info[node.node_id] = (
                    f"node {node.node_id} ({node.kind})"
                    if node.kind == "input"
                    else f"node {node.node_id} ({node.kind})\nactivation {node.activation}, aggregation {node.aggregation}\n"
                    f"bias {node.bias:+.3f}, response {node.response:+.3f}"
                )
                text = self._pooled(self.node_labels, names, lambda: pg.TextItem("", color=(0, 0, 0), anchor=(0.5, 0.5)))
                text.setText(str(node.node_id))
                text.setPos(x, y)
                text.setZValue(20)
                names += 1
        for pool, used in ((self.edge_items, edges), (self.label_items, labels), (self.node_labels, names)):
            for item in pool[used:]:
                item.setVisible(False)
        self.nodes.setData(spots)
        self.nodes.setZValue(10)
        self._spots = spots

    def show_activations(self, activations: dict[int, float]) -> None:
        """Overlay one step's activations on the drawn genome: node fill by value (blue
        negative, white zero, red positive), edges glowing by |weight × source activation|."""
        if self.genome is None:
            return
        self.node_activations = {node_id: float(value) for node_id, value in activations.items()}
        spots = []
        for spot in self._spots:
            value = self.node_activations.get(spot["data"], 0.0)
            spots.append({**spot, "brush": pg.mkBrush(*activation_colour(value))})
        self.nodes.setData(spots)
        signals = [abs(conn.weight * self.node_activations.get(conn.in_node, 0.0)) for _, conn, _ in self._drawn_edges]
        strongest = max(signals, default=0.0) or 1.0
        for (edge, conn, pen), signal in zip(self._drawn_edges, signals):
            glow = pg.mkPen(pen)
            colour = glow.color()
            colour.setAlpha(int(40 + 215 * signal / strongest) if conn.enabled else 40)
            glow.setColor(colour)
            glow.setWidthF(max(0.8, MAX_EDGE_WIDTH * signal / strongest) if conn.enabled else 0.8)
            edge.setPen(glow)

    def clear_activations(self) -> None:
        """Back to the plain drawing."""
        self.node_activations = {}
        if self.genome is not None:
            self.nodes.setData(self._spots)
            for edge, _, pen in self._drawn_edges:
                edge.setPen(pen)
