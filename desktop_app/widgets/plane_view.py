"""Pictures over the TensorFlow Playground's plane: a network's output as an orange-grey-blue heat map
with the data points on top (``PlaneView``), and a network drawn with each node's own output as
its picture (``NodePictureGraph``), as the Playground draws its neurons.

Both draw immutable data handed to them (numpy grids computed from genome snapshots by
``core.tasks.playground``); neither holds anything of a live run.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QImage, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from core.networks.activations import node_function_name
from core.networks.layout import sugiyama_layout
from core.networks.snapshot import GenomeSnapshot
from core.tasks.playground import NODE_FUNCTION_COLORS, PLAYGROUND_COLORS, PLAYGROUND_EXTENT, colorize

ORANGE = QColor(*PLAYGROUND_COLORS[0])
BLUE = QColor(*PLAYGROUND_COLORS[2])
# Names shown in keys and tips for the engine's node-function names.
KIND_LABELS = {"logistic": "sigmoid", "std_gaussian": "gaussian"}


def kind_label(kind: str) -> str:
    """The name a user knows a node kind by (``logistic`` is the Playground's sigmoid)."""
    return KIND_LABELS.get(kind, kind)


def node_kind(activation: str, aggregation: str, kind: str) -> str:
    """A node's kind for colouring: "input", or its function ("tanh", "mult", "add", ...)."""
    return "input" if kind == "input" else node_function_name(activation, aggregation)


def kind_colour(kind: str) -> QColor:
    """The colour of a node kind (``core.tasks.playground.NODE_FUNCTION_COLORS``; grey if unknown)."""
    return QColor(NODE_FUNCTION_COLORS.get(kind, "#7f7f7f"))


def to_qimage(rgb: np.ndarray) -> QImage:
    """An (H, W, 3) uint8 array as a QImage that owns its pixels."""
    rgb = np.ascontiguousarray(rgb, dtype=np.uint8)
    height, width = rgb.shape[:2]
    return QImage(rgb.data, width, height, 3 * width, QImage.Format.Format_RGB888).copy()


class PlaneView(QWidget):
    """A square picture of the plane [-extent, extent]²: a heat map (``set_values``) and points.

    Training points are filled dots with a white rim, test points (``show_test``) dots with a dark
    rim, as the Playground draws them. The image keeps the grid's own resolution (one pixel per
    grid cell, row 0 at the top) and is scaled when painted.

    Signals:
        clicked(): the user clicked the picture.
    """

    clicked = Signal()

    def __init__(self, minimum: int = 120, point_radius: float = 3.2, parent: QWidget | None = None):
        super().__init__(parent)
        self.setMinimumSize(minimum, minimum)
        policy = QSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self.point_radius = point_radius
        self.extent = PLAYGROUND_EXTENT
        self.values: np.ndarray | None = None
        self.image: QImage | None = None
        self.train_points = np.zeros((0, 2))
        self.train_positive = np.zeros(0, dtype=bool)
        self.test_points = np.zeros((0, 2))
        self.test_positive = np.zeros(0, dtype=bool)
        self.show_test = False
        self.caption = ""
        self.selected = False
        self.axes = False
        self.caption_size = 0.0  # points added to the font size of the caption
        self.align_top = False  # the square at the top of the widget instead of centred

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt override
        return width

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt override
        return True

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(self.minimumWidth(), self.minimumHeight())

    def set_values(self, values: np.ndarray | None, low: float = 0.0, high: float = 1.0, discretize: bool = False) -> None:
        """The heat map: a (density, density) grid (row 0 at the top) coloured from ``low`` (orange)
        to ``high`` (blue); None clears it."""
        self.values = None if values is None else np.asarray(values, dtype=np.float64)
        self.image = None if values is None else to_qimage(colorize(self.values, low, high, discretize))
        self.update()

    def set_points(self, train_points: np.ndarray, train_positive: np.ndarray, test_points: np.ndarray, test_positive: np.ndarray) -> None:
        """The data: (N, 2) points and whether each is of the positive (blue) class."""
        self.train_points, self.train_positive = np.asarray(train_points, dtype=np.float64), np.asarray(train_positive, dtype=bool)
        self.test_points, self.test_positive = np.asarray(test_points, dtype=np.float64), np.asarray(test_positive, dtype=bool)
        self.update()

    def set_show_test(self, show: bool) -> None:
        """Draw the test points too."""
        self.show_test = show
        self.update()

    def set_caption(self, text: str) -> None:
        """A line drawn over the picture's top edge."""
        self.caption = text
        self.update()

    def set_selected(self, selected: bool) -> None:
        """Frame the picture as the one chosen."""
        self.selected = selected
        self.update()

    def square(self) -> QRectF:
        """Where the picture is painted (the largest centred square)."""
        side = min(self.width(), self.height()) - 2
        return QRectF((self.width() - side) / 2, 1 if self.align_top else (self.height() - side) / 2, side, side)

    def to_screen(self, points: np.ndarray) -> np.ndarray:
        """Widget coordinates of (N, 2) plane points."""
        area = self.square()
        x = area.left() + (points[:, 0] + self.extent) / (2 * self.extent) * area.width()
        y = area.top() + (self.extent - points[:, 1]) / (2 * self.extent) * area.height()
        return np.stack([x, y], axis=1)

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        area = self.square()
        if self.image is not None:
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            painter.drawImage(area, self.image)
        else:
            painter.fillRect(area, QColor(*PLAYGROUND_COLORS[1]))
        sets = [(self.train_points, self.train_positive, QColor(255, 255, 255))]
        if self.show_test:
            sets.append((self.test_points, self.test_positive, QColor(30, 30, 30)))
        radius = self.point_radius * max(0.6, min(1.4, area.width() / 300))
        for points, positive, rim in sets:
            if len(points) == 0:
                continue
            painter.setPen(QPen(rim, 1.0))
            for (x, y), is_positive in zip(self.to_screen(points), positive):
                painter.setBrush(BLUE if is_positive else ORANGE)
                painter.drawEllipse(QPointF(x, y), radius, radius)
        if self.axes:
            painter.setPen(QPen(QColor(120, 120, 120, 110), 1.0, Qt.PenStyle.DashLine))
            painter.drawLine(QPointF(area.center().x(), area.top()), QPointF(area.center().x(), area.bottom()))
            painter.drawLine(QPointF(area.left(), area.center().y()), QPointF(area.right(), area.center().y()))
            painter.setPen(QColor(60, 60, 60))
            font = QFont(self.font())
            font.setPointSizeF(max(6.0, font.pointSizeF() - 2))
            painter.setFont(font)
            painter.drawText(QRectF(area.left() + 3, area.bottom() - 16, 40, 14), Qt.AlignmentFlag.AlignLeft, f"-{self.extent:g}")
            painter.drawText(QRectF(area.right() - 43, area.bottom() - 16, 40, 14), Qt.AlignmentFlag.AlignRight, f"{self.extent:g}")
        if self.caption:
            font = QFont(self.font())
            font.setPointSizeF(max(6.0, font.pointSizeF() + self.caption_size))
            painter.setFont(font)
            metrics = painter.fontMetrics()
            box = QRectF(area.left(), area.top(), area.width(), metrics.height() + 4)
            painter.fillRect(box, QColor(255, 255, 255, 200))
            painter.setPen(QColor(20, 20, 20))
            painter.drawText(box.adjusted(4, 0, -4, 0), Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, metrics.elidedText(self.caption, Qt.TextElideMode.ElideRight, int(box.width() - 8)))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(QPen(QColor(40, 40, 40), 3.0) if self.selected else QPen(QColor(170, 170, 170), 1.0))
        painter.drawRect(area)
        painter.end()

    def mousePressEvent(self, event) -> None:  # noqa: N802 - Qt override
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit()
        super().mousePressEvent(event)


class NodePictureGraph(QWidget):
    """A genome drawn left to right, every node a small picture of its own output over the plane.

    Inputs show their feature, hidden nodes their output on the Playground's [-1, 1] scale, the
    output its probability (0..1). Each picture is framed in its node kind's colour (key at the
    bottom); edges are blue for positive weights and orange for negative, wider for larger |w|.
    Hovering a node shows its picture enlarged in the corner and its details as a tip.
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setMinimumSize(260, 200)
        self.setMouseTracking(True)
        self.genome: GenomeSnapshot | None = None
        self.pictures: dict[int, np.ndarray] = {}
        self.images: dict[int, QImage] = {}
        self.kinds: dict[int, str] = {}
        self.roles: dict[int, str] = {}
        self.names: dict[int, str] = {}
        self.positions: dict[int, tuple[float, float]] = {}
        self.key_kinds: tuple[str, ...] = ()
        self.hovered: int | None = None
        self.title = ""
        self._boxes: dict[int, QRectF] = {}

    @property
    def thumbnails(self) -> dict[int, QImage]:
        """Pictures of the hidden nodes (node id -> image), one per hidden node of the genome."""
        return {node_id: image for node_id, image in self.images.items() if self.roles.get(node_id) == "hidden"}

    def show_network(
        self,
        genome: GenomeSnapshot | None,
        pictures: dict[int, np.ndarray],
        input_names: Sequence[str],
        key_kinds: Sequence[str] = (),
        title: str = "",
    ) -> None:
        """Draw ``genome`` with ``pictures`` (node id -> grid, from ``node_pictures``).

        Nodes without a picture (they cannot reach the output, so they are never computed) are
        drawn as grey squares. ``key_kinds`` are listed in the key whether present or not.
        """
        self.genome, self.title, self.hovered = genome, title, None
        self.pictures = dict(pictures)
        self.images, self.kinds, self.names, self.positions = {}, {}, {}, {}
        self.roles = {}  # node id -> "input", "hidden" or "output"
        self.key_kinds = tuple(key_kinds)
        if genome is not None:
            inputs = sorted(n.node_id for n in genome.nodes if n.kind == "input")
            for node in genome.nodes:
                kind = node_kind(node.activation, node.aggregation, node.kind)
                self.kinds[node.node_id] = kind
                self.roles[node.node_id] = node.kind
                if node.kind == "input":
                    index = inputs.index(node.node_id)
                    self.names[node.node_id] = input_names[index] if index < len(input_names) else f"x{index + 1}"
                elif node.kind == "output":
                    self.names[node.node_id] = "output"
                else:
                    self.names[node.node_id] = f"{kind_label(kind)} {node.node_id}"
                values = self.pictures.get(node.node_id)
                if values is None:
                    grey = np.full((2, 2, 3), 205, dtype=np.uint8)
                    self.images[node.node_id] = to_qimage(grey)
                    continue
                if node.kind == "output":
                    rgb = colorize(values, 0.0, 1.0)
                elif node.kind == "input":
                    scale = float(np.nanmax(np.abs(values))) if np.isfinite(values).any() else 1.0
                    rgb = colorize(values, -(scale or 1.0), scale or 1.0)
                else:
                    rgb = colorize(values, -1.0, 1.0)
                self.images[node.node_id] = to_qimage(rgb)
            layout = sugiyama_layout(genome, include_disabled=False)
            self.positions = dict(layout.positions)
            self._routes = layout.routes
        self.update()

    # --- geometry ------------------------------------------------------------------------------

    def _areas(self) -> tuple[QRectF, QRectF]:
        """The graph's area and the key's strip below it."""
        key_height = self.fontMetrics().height() * 2 + 10
        top = self.fontMetrics().height() + 6
        return QRectF(0, top, self.width(), self.height() - top - key_height), QRectF(0, self.height() - key_height, self.width(), key_height)

    def _node_side(self, area: QRectF) -> float:
        columns: dict[float, int] = {}
        for x, _ in self.positions.values():
            columns[round(x, 6)] = columns.get(round(x, 6), 0) + 1
        tallest = max(columns.values(), default=1)
        return float(np.clip(min(area.height() / (tallest + 0.6), area.width() / (len(columns) * 2.2 + 1)), 18.0, 64.0))

    def _mapper(self):
        area, _ = self._areas()
        side = self._node_side(area)
        left_margin = max((self.fontMetrics().horizontalAdvance(name) for node, name in self.names.items() if self.kinds.get(node) == "input"), default=0) + 10
        inner = area.adjusted(left_margin + side / 2, side / 2 + 4, -(side / 2 + 54), -(side / 2 + 4))

        def point(xy: tuple[float, float]) -> QPointF:
            return QPointF(inner.left() + xy[0] * inner.width(), inner.bottom() - xy[1] * inner.height())

        return point, side

    def node_box(self, node_id: int) -> QRectF:
        """Where a node's picture is painted (widget coordinates)."""
        point, side = self._mapper()
        centre = point(self.positions[node_id])
        return QRectF(centre.x() - side / 2, centre.y() - side / 2, side, side)

    # --- painting ------------------------------------------------------------------------------

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor(255, 255, 255))
        painter.setPen(QColor(30, 30, 30))
        painter.drawText(QRectF(4, 2, self.width() - 8, self.fontMetrics().height() + 2), Qt.AlignmentFlag.AlignLeft, self.title)
        if self.genome is None:
            painter.setPen(QColor(120, 120, 120))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "No network yet: Step (F10) or Run (F5)")
            painter.end()
            return
        point, side = self._mapper()
        connections = [c for c in self.genome.connections if c.enabled and c.in_node in self.positions and c.out_node in self.positions]
        largest = max((abs(c.weight) for c in connections), default=1.0) or 1.0
        for conn in connections:
            route = self._routes.get(conn.innovation) or (self.positions[conn.in_node], self.positions[conn.out_node])
            path = QPainterPath(point(route[0]))
            for xy in route[1:]:
                path.lineTo(point(xy))
            colour = QColor(BLUE if conn.weight >= 0 else ORANGE)
            colour.setAlpha(200)
            painter.setPen(QPen(colour, 0.6 + 5.0 * abs(conn.weight) / largest))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawPath(path)
        self._boxes = {}
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        for node_id in self.positions:
            box = self.node_box(node_id)
            self._boxes[node_id] = box
            painter.drawImage(box, self.images[node_id])
            frame = kind_colour(self.kinds[node_id])
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.setPen(QPen(frame, 3.0 if node_id == self.hovered else 2.4))
            painter.drawRect(box)
            if node_id not in self.pictures:
                painter.setPen(QColor(90, 90, 90))
                painter.drawText(box, Qt.AlignmentFlag.AlignCenter, "–")
            role = self.roles[node_id]
            if role == "input":
                painter.setPen(QColor(30, 30, 30))
                width = self.fontMetrics().horizontalAdvance(self.names[node_id]) + 4
                painter.drawText(QRectF(box.left() - width - 4, box.top(), width, box.height()), Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, self.names[node_id])
            elif role == "output":
                painter.setPen(QColor(30, 30, 30))
                painter.drawText(QRectF(box.right() + 4, box.top(), 60, box.height()), Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, "output")
        if self.hovered is not None and self.hovered in self.images:
            # Beside the node, on the side with more room, like a tooltip.
            big = min(150.0, self.width() * 0.3, self.height() * 0.45)
            node = self._boxes.get(self.hovered, QRectF())
            left = node.right() + 12 if node.center().x() < self.width() / 2 else node.left() - 12 - big
            top = min(max(node.center().y() - big / 2, 4.0), self.height() - big - 24)
            box = QRectF(left, top, big, big)
            painter.fillRect(box.adjusted(-4, -4, 4, 20), QColor(255, 255, 255, 235))
            painter.drawImage(box, self.images[self.hovered])
            painter.setPen(QPen(kind_colour(self.kinds[self.hovered]), 3.0))
            painter.drawRect(box)
            painter.setPen(QColor(30, 30, 30))
            painter.drawText(QRectF(box.left(), box.bottom() + 2, box.width(), 16), Qt.AlignmentFlag.AlignCenter, self.names[self.hovered])
        self._paint_key(painter)
        painter.end()

    def _paint_key(self, painter: QPainter) -> None:
        _, strip = self._areas()
        present = set(self.kinds.values())
        kinds = list(self.key_kinds) + [k for k in sorted(present) if k not in self.key_kinds]
        x, y = strip.left() + 6, strip.top() + 4
        line = self.fontMetrics().height() + 2
        for kind in ["input", *[k for k in kinds if k != "input"]]:
            label = kind_label(kind)
            width = 16 + self.fontMetrics().horizontalAdvance(label) + 12
            if x + width > strip.right():
                x, y = strip.left() + 6, y + line
            painter.setPen(QPen(kind_colour(kind), 2.4))
            painter.setBrush(QBrush(QColor(255, 255, 255)))
            painter.drawRect(QRectF(x, y + 3, 10, 10))
            painter.setPen(QColor(30, 30, 30) if kind in present else QColor(150, 150, 150))
            painter.drawText(QRectF(x + 14, y, width, line), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, label)
            x += width

    # --- hover ---------------------------------------------------------------------------------

    def node_at(self, position: QPointF) -> int | None:
        """The node whose picture is under ``position``, if any."""
        for node_id, box in self._boxes.items():
            if box.contains(position):
                return node_id
        return None

    def node_tip(self, node_id: int) -> str:
        """What hovering a node says."""
        if self.genome is None:
            return ""
        node = next(n for n in self.genome.nodes if n.node_id == node_id)
        values = self.pictures.get(node_id)
        if node.kind == "input":
            text = f"input {self.names[node_id]} (node {node_id})"
        else:
            text = f"{self.names[node_id]}: {'output' if node.kind == 'output' else 'hidden'} node {node_id}, {kind_label(self.kinds[node_id])}, bias {node.bias:+.3f}"
        if values is None:
            return text + "\nnot computed: no enabled path reaches the output"
        return text + f"\noutput over the plane: {np.nanmin(values):+.3f} to {np.nanmax(values):+.3f}"

    def mouseMoveEvent(self, event) -> None:  # noqa: N802 - Qt override
        node = self.node_at(event.position())
        if node != self.hovered:
            self.hovered = node
            self.update()
            if node is None:
                QToolTip.hideText()
            else:
                QToolTip.showText(event.globalPosition().toPoint(), self.node_tip(node), self)
        super().mouseMoveEvent(event)

    def leaveEvent(self, event) -> None:  # noqa: N802 - Qt override
        if self.hovered is not None:
            self.hovered = None
            self.update()
        super().leaveEvent(event)
