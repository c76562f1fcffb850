"""A genome's graph: layered layout with few crossings, edges coloured by weight sign and sized by
|weight|, node fill by activation function, task names on inputs and outputs, innovation
numbers placed where they overlap nothing (hover shows every edge), and a colour key."""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from core.networks.layout import GraphLayout, node_depths, place_labels, sugiyama_layout
from core.networks.snapshot import GenomeSnapshot
from desktop_app.theme import NEGATIVE, POSITIVE

MAX_EDGE_WIDTH = 6.0
# Beyond this many drawn edges innovation numbers are shown on hover only; below it as many as
# fit without overlapping, strongest edges first.
MAX_LABELLED_EDGES = 200
MAX_NODE_SIZE = 22.0
MIN_NODE_SIZE = 7.0
INPUT_FILL = (215, 215, 215)
# Fill per activation function (kept apart from the edge colours red/blue).
ACTIVATION_COLOURS = {
    "sigmoid": (255, 214, 120),
    "tanh": (150, 215, 160),
    "relu": (190, 170, 230),
    "identity": (235, 235, 235),
    "gaussian": (245, 170, 200),
    "sin": (150, 210, 230),
    "abs": (220, 200, 160),
    "square": (200, 230, 120),
}
OTHER_ACTIVATION = (190, 190, 190)
SYMBOLS = {"input": "s", "bias": "s", "hidden": "o", "output": "d"}
LAYOUT_CACHE_SIZE = 16


def edge_path(start: tuple[float, float], end: tuple[float, float], recurrent: bool) -> tuple[np.ndarray, np.ndarray]:
    """Points of an edge drawn outside the layered routes: a straight line, or a bowed curve
    (a loop for self connections) for recurrent and backward edges."""
    if not recurrent:
        return np.array([start[0], end[0]]), np.array([start[1], end[1]])
    t = np.linspace(0.0, 1.0, 24)
    if start == end:
        angle = 2 * np.pi * t
        return start[0] + 0.03 * np.sin(angle), start[1] + 0.05 * (1 - np.cos(angle))
    (x0, y0), (x1, y1) = start, end
    # A quadratic Bezier bowed above the straight line, so back edges are told apart.
    cx, cy = (x0 + x1) / 2, max(y0, y1) + 0.12
    xs = (1 - t) ** 2 * x0 + 2 * (1 - t) * t * cx + t**2 * x1
    ys = (1 - t) ** 2 * y0 + 2 * (1 - t) * t * cy + t**2 * y1
    return xs, ys


def activation_colour(value: float) -> tuple[int, int, int]:
    """White at 0, saturating to red at +1 and blue at -1."""
    v = max(-1.0, min(1.0, value)) if np.isfinite(value) else 0.0
    if v >= 0:
        return 255, int(255 * (1 - v)), int(255 * (1 - v))
    return int(255 * (1 + v)), int(255 * (1 + v)), 255


def _structure_key(genome: GenomeSnapshot, include_disabled: bool) -> tuple:
    return (
        include_disabled,
        tuple((n.node_id, n.kind) for n in genome.nodes),
        tuple((c.innovation, c.in_node, c.out_node, c.enabled) for c in genome.connections),
    )


def _swatch(rgb: tuple[int, int, int], shape: str = "■") -> str:
    return f'<span style="color: rgb{rgb}; font-size: 13px">{shape}</span>'


class NetworkView(QWidget):
    """Draws one ``GenomeSnapshot``; ``show_disabled`` toggles dashed disabled genes."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.title = QLabel("Champion")
        # One line that never changes the layout: a title that rewraps with every new champion
        # would resize the plot under it, and a resized plot repaints everything.
        self.title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.disabled_toggle = QCheckBox("Show disabled genes")
        self.disabled_toggle.setToolTip("Draw disabled connection genes as dashed lines")
        self.disabled_toggle.setChecked(True)
        self.disabled_toggle.toggled.connect(lambda _: self.show_genome(self.genome, force=True))
        header = QHBoxLayout()
        header.addWidget(self.title, 1)
        header.addWidget(self.disabled_toggle)
        self.plot = pg.PlotWidget()
        self.plot.setMinimumSize(160, 120)
        self.plot.hideAxis("left")
        self.plot.hideAxis("bottom")
        self.plot.setMouseEnabled(x=True, y=True)
        self.plot.setMenuEnabled(False)
        self.input_names: tuple[str, ...] = ()
        self.output_names: tuple[str, ...] = ()
        self.reset_view()
        self.key = QLabel()
        self.key.setTextFormat(Qt.TextFormat.RichText)
        self.key.setWordWrap(True)
        self.key.setToolTip("Edges: colour is the weight's sign, width its size. Nodes: fill is the activation function.")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(header)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.key)
        self.genome: GenomeSnapshot | None = None
        self.edge_items: list[pg.PlotCurveItem] = []
        self.label_items: list[pg.TextItem] = []
        self.name_items: list[pg.TextItem] = []
        self.nodes = pg.ScatterPlotItem(hoverable=True, tip=self._node_tip, pen=pg.mkPen(50, 50, 50))
        self.nodes.setZValue(10)
        self.plot.addItem(self.nodes)
        self._node_info: dict[int, str] = {}
        self._spots: list[dict] = []
        self._drawn_edges: list[tuple[pg.PlotCurveItem, object, object]] = []
        self._label_routes: list[tuple[int, tuple]] = []
        self._layouts: OrderedDict[tuple, GraphLayout] = OrderedDict()
        self.layout_info: GraphLayout | None = None
        self.node_activations: dict[int, float] = {}
        # Label placement depends on the pixel scale: redone (once) after resizes settle.
        self._relabel_timer = QTimer(self)
        self._relabel_timer.setSingleShot(True)
        self._relabel_timer.setInterval(60)
        self._relabel_timer.timeout.connect(self._place_labels)

    def set_names(self, input_names: tuple[str, ...], output_names: tuple[str, ...]) -> None:
        """Names of the input and output nodes, in node-id order (from the task)."""
        self.input_names, self.output_names = tuple(input_names), tuple(output_names)
        self.reset_view()

    def reset_view(self) -> None:
        """Back to the whole graph, with room for the node names beside it (a new run, a genome
        picked by the user, a resize that has not been zoomed)."""
        metrics = QFontMetrics(self.font())
        # "bias": the paper's bias input is drawn as one more input, named so.
        left = max((metrics.horizontalAdvance(name) for name in (*self.input_names, "bias")), default=0) + 28
        right = max((metrics.horizontalAdvance(name) for name in self.output_names), default=0) + 28
        width = max(float(self.plot.getViewBox().width()), left + right + 40.0)
        per_pixel = 1.0 / (width - left - right)
        self._home = (-left * per_pixel, 1.0 + right * per_pixel)
        self.plot.setXRange(*self._home, padding=0)
        self.plot.setYRange(-0.04, 1.1, padding=0)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        if np.allclose(self.plot.getViewBox().viewRange()[0], self._home, rtol=0, atol=1e-6):
            QTimer.singleShot(0, self.reset_view)  # keep the names in view unless the user zoomed
        if self.genome is not None:
            self._relabel_timer.start()

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

    @property
    def visible_names(self) -> list[str]:
        """Node names currently drawn."""
        return [item.textItem.toPlainText() for item in self.name_items if item.isVisible()]

    def _layout(self, genome: GenomeSnapshot, include_disabled: bool) -> GraphLayout:
        key = _structure_key(genome, include_disabled)
        cached = self._layouts.get(key)
        if cached is None:
            cached = sugiyama_layout(genome, include_disabled=include_disabled)
            self._layouts[key] = cached
            if len(self._layouts) > LAYOUT_CACHE_SIZE:
                self._layouts.popitem(last=False)
        else:
            self._layouts.move_to_end(key)
        return cached

    def node_name(self, node_id: int) -> str:
        """The task's name of an input or output node, else its id."""
        if self.genome is None:
            return str(node_id)
        if any(n.node_id == node_id and n.kind == "bias" for n in self.genome.nodes):
            return "bias"
        for kind, names in (("input", self.input_names), ("output", self.output_names)):
            ids = sorted(n.node_id for n in self.genome.nodes if n.kind == kind)
            if node_id in ids and len(names) == len(ids):
                return names[ids.index(node_id)]
        return str(node_id)

    def show_genome(self, genome: GenomeSnapshot | None, title: str | None = None, force: bool = False) -> None:
        """Draw a genome (or clear the view for None); an unchanged genome is not redrawn."""
        if title is not None:
            self.title.setText(title)
        if genome == self.genome and not force and genome is not None:
            return
        self.genome = genome
        self._drawn_edges = []
        self.node_activations = {}
        self._label_routes = []
        self._name_places: list[tuple[pg.TextItem, float, float, float]] = []
        edges = names = 0
        spots = []
        self._node_info = {}
        self.layout_info = None
        if genome is not None:
            show_disabled = self.disabled_toggle.isChecked()
            layout = self._layout(genome, show_disabled)
            self.layout_info = layout
            positions = layout.positions
            depth = node_depths(genome)
            largest = max((abs(c.weight) for c in genome.connections), default=1.0) or 1.0
            for conn in genome.connections:
                if (not conn.enabled and not show_disabled) or conn.in_node not in positions or conn.out_node not in positions:
                    continue
                route = layout.routes.get(conn.innovation)
                if route is not None:
                    xs, ys = np.array([p[0] for p in route]), np.array([p[1] for p in route])
                else:
                    recurrent = conn.in_node == conn.out_node or depth[conn.out_node] <= depth[conn.in_node]
                    xs, ys = edge_path(positions[conn.in_node], positions[conn.out_node], recurrent or positions[conn.out_node][0] <= positions[conn.in_node][0])
                colour = POSITIVE if conn.weight >= 0 else NEGATIVE
                pen = pg.mkPen(
                    *colour,
                    210 if conn.enabled else 110,
                    width=max(0.8, MAX_EDGE_WIDTH * abs(conn.weight) / largest),
                    style=Qt.PenStyle.SolidLine if conn.enabled else Qt.PenStyle.DashLine,
                )
                edge = self._pooled(self.edge_items, edges, pg.PlotCurveItem)
                edge.setData(xs, ys, pen=pen)
                self._drawn_edges.append((edge, conn, pen))
                edge.setToolTip(
                    f"innovation {conn.innovation}: {self.node_name(conn.in_node)} → {self.node_name(conn.out_node)}, weight {conn.weight:+.3f}"
                    + ("" if conn.enabled else " (disabled)")
                )
                edges += 1
                self._label_routes.append((conn.innovation, tuple(zip(xs.tolist(), ys.tolist())), abs(conn.weight) * (1 if conn.enabled else 0.5)))
            activations_seen = []
            for node in genome.nodes:
                x, y = positions[node.node_id]
                # The bias node (the paper's bias input, always 1.0) is drawn as one more input.
                source = node.kind in ("input", "bias")
                fill = INPUT_FILL if source else ACTIVATION_COLOURS.get(node.activation, OTHER_ACTIVATION)
                if not source and node.activation not in activations_seen:
                    activations_seen.append(node.activation)
                spots.append({"pos": (x, y), "data": node.node_id, "brush": pg.mkBrush(*fill), "symbol": SYMBOLS.get(node.kind, "o")})
                name = self.node_name(node.node_id)
                self._node_info[node.node_id] = (
                    (f"{name}: input node {node.node_id}" if node.kind == "input" else f"bias node {node.node_id}, always 1.0")
                    if source
                    else f"{name if node.kind == 'output' else 'hidden'} node {node.node_id}\n"
                    f"activation {node.activation}, aggregation {node.aggregation}\nbias {node.bias:+.3f}, response {node.response:+.3f}"
                )
                if node.kind in ("input", "bias", "output"):
                    text = self._pooled(self.name_items, names, lambda: pg.TextItem("", color=(30, 30, 30)))
                    text.setText(name)
                    text.setAnchor((1.0, 0.5) if source else (0.0, 0.5))
                    text.setZValue(20)
                    self._name_places.append((text, x, y, -1.0 if source else 1.0))
                    names += 1
            self._update_key(activations_seen)
        else:
            self.key.setText("")
        for pool, used in ((self.edge_items, edges), (self.name_items, names)):
            for item in pool[used:]:
                item.setVisible(False)
        self._spots = spots
        self.nodes.setData(spots)
        self._size_nodes()
        self._place_labels()

    def _update_key(self, activations: list[str]) -> None:
        parts = [
            f'<span style="color: rgb{POSITIVE}">━</span> positive weight',
            f'<span style="color: rgb{NEGATIVE}">━</span> negative',
            "╌ disabled",
            "⌒ recurrent",
            f"{_swatch(INPUT_FILL)} input",
            "● hidden",
            "◆ output",
        ]
        parts += [f"{_swatch(ACTIVATION_COLOURS.get(a, OTHER_ACTIVATION), '●')} {a}" for a in activations]
        self.key.setText("&nbsp;&nbsp; ".join(parts))

    def _pixel_size(self) -> tuple[float, float]:
        """Data units per screen pixel (x, y)."""
        box = self.plot.getViewBox()
        (x0, x1), (y0, y1) = box.viewRange()
        width, height = max(1.0, box.width()), max(1.0, box.height())
        return (x1 - x0) / width, (y1 - y0) / height

    def _size_nodes(self) -> None:
        if self.layout_info is None:
            return
        gaps = [
            abs(self.layout_info.positions[a][1] - self.layout_info.positions[b][1])
            for column in self.layout_info.columns
            for a, b in zip(column[:-1], column[1:])
        ]
        _, per_pixel_y = self._pixel_size()
        spacing_px = min(gaps, default=0.5) / per_pixel_y
        self.node_size = float(np.clip(0.75 * spacing_px, MIN_NODE_SIZE, MAX_NODE_SIZE))
        self.nodes.setSize(self.node_size)

    def _place_labels(self) -> None:
        """Node names just outside their nodes; innovation numbers where they overlap no other
        label and no node (strong edges first). Depends on the pixel scale, so redone on resize."""
        self._size_nodes()
        px, _ = self._pixel_size()
        offset = (getattr(self, "node_size", MAX_NODE_SIZE) / 2 + 3) * px
        for text, x, y, side in getattr(self, "_name_places", ()):
            text.setPos(x + side * offset, y)
        routes = sorted(self._label_routes, key=lambda item: -item[2])
        if len(routes) > MAX_LABELLED_EDGES:
            routes = []
        px, py = self._pixel_size()
        width_px, height_px = self._label_pixels(max((len(str(innovation)) for innovation, _, _ in routes), default=1))
        size = (width_px * px, height_px * py)
        node_size = getattr(self, "node_size", MAX_NODE_SIZE)
        obstacles = [spot["pos"] for spot in self._spots]
        places = place_labels([route for _, route, _ in routes], size, obstacles, (node_size * px, node_size * py))
        shown = 0
        for (innovation, _, _), place in zip(routes, places):
            if place is None:
                continue
            label = self._pooled(
                self.label_items, shown, lambda: pg.TextItem("", color=(20, 20, 20), anchor=(0.5, 0.5), fill=pg.mkBrush(255, 255, 255, 215))
            )
            label.setText(str(innovation))
            label.setPos(*place)
            label.setZValue(15)
            shown += 1
        for item in self.label_items[shown:]:
            item.setVisible(False)

    def _label_pixels(self, digits: int) -> tuple[float, float]:
        """Screen size of an innovation label of ``digits`` digits (measured once per length)."""
        sizes = self.__dict__.setdefault("_label_sizes", {})
        if digits not in sizes:
            probe = pg.TextItem("8" * digits)
            rect = probe.textItem.boundingRect()
            sizes[digits] = (rect.width() + 2.0, rect.height() + 1.0)
        return sizes[digits]

    def label_boxes(self) -> list[tuple[float, float, float, float]]:
        """Scene rectangles (x, y, w, h) of the innovation labels drawn (for overlap checks)."""
        boxes = []
        for item in self.label_items:
            if item.isVisible():
                rect = item.mapRectToScene(item.boundingRect())
                boxes.append((rect.x(), rect.y(), rect.width(), rect.height()))
        return boxes

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
        self.nodes.setSize(getattr(self, "node_size", MAX_NODE_SIZE))
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
            self.nodes.setSize(getattr(self, "node_size", MAX_NODE_SIZE))
            for edge, _, pen in self._drawn_edges:
                edge.setPen(pen)
