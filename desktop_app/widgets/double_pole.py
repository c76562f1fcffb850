"""Double pole balancing drawn with QPainter: the cart with both poles and the damping terms,
and the generalisation test's 625 outcomes as a 25 x 25 grid."""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QMouseEvent, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from core.tasks.double_pole import GENERALISATION_BALANCED, GENERALISATION_STEPS, HALF_LENGTH_1, HALF_LENGTH_2, THETA_LIMIT, X_LIMIT, grid_picture

LONG_POLE = QColor(202, 152, 101)
SHORT_POLE = QColor(90, 140, 200)
PASSED = QColor(60, 160, 90)


class DoublePoleCanvas(QWidget):
    """Track, cart, the long (1 m) and short (0.1 m) poles to scale, a caption and the damping terms."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.state = np.zeros(6)
        self.caption = ""
        self.terms: dict[str, float] | None = None
        self.setMinimumSize(160, 120)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def show_state(self, state: np.ndarray, caption: str, terms: dict[str, float] | None = None) -> None:
        """Draw this state (x, x_dot, theta_1, theta_1_dot, theta_2, theta_2_dot) with a caption and terms."""
        self.state = np.asarray(state, dtype=float)
        self.caption = caption
        self.terms = terms
        self.update()

    def terms_lines(self) -> list[str]:
        """The damping fitness's terms as shown, one per line."""
        t = self.terms
        if not t:
            return []
        return [
            f"balanced t = {t['balanced']:.0f}",
            f"f1 = t/1000 = {t['f1']:.3f}",
            f"Σ(|x|+|ẋ|+|θ1|+|ω1|), last 100 = {t['jiggle_sum']:.3f}",
            f"f2 = 0.75/Σ (t > 100) = {t['f2']:.4f}",
            f"F = 0.1·f1 + 0.9·f2 = {t['fitness']:.4f}",
        ]

    def terms_text(self) -> str:
        """The damping fitness's terms as one text."""
        return "\n".join(self.terms_lines())

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor(255, 255, 255))
        width, height = self.width(), self.height()
        scale = min(width / (2 * X_LIMIT * 1.1), height * 0.45 / (2 * HALF_LENGTH_1))
        track_y = height - 30
        painter.setPen(QPen(QColor(60, 60, 60), 2))
        painter.drawLine(QPointF(0, track_y), QPointF(width, track_y))
        for limit in (-X_LIMIT, X_LIMIT):
            x = width / 2 + limit * scale
            painter.setPen(QPen(QColor(200, 60, 60), 1, Qt.PenStyle.DashLine))
            painter.drawLine(QPointF(x, track_y - 2 * HALF_LENGTH_1 * scale), QPointF(x, track_y + 10))
        x, _, theta_1, _, theta_2, _ = self.state
        cart_x = width / 2 + x * scale
        cart_w, cart_h = max(30.0, 0.5 * scale), max(16.0, 0.25 * scale)
        hinge_y = track_y - cart_h / 2
        # The failure cone (±36°) of the long pole, faint.
        reach = 2 * HALF_LENGTH_1 * scale
        painter.setPen(QPen(QColor(230, 200, 200), 1, Qt.PenStyle.DotLine))
        for sign in (-1, 1):
            painter.drawLine(QPointF(cart_x, hinge_y), QPointF(cart_x + sign * reach * math.sin(THETA_LIMIT), hinge_y - reach * math.cos(THETA_LIMIT)))
        painter.setPen(QPen(QColor(30, 30, 30), 1))
        painter.setBrush(QBrush(QColor(40, 40, 40)))
        painter.drawRect(QRectF(cart_x - cart_w / 2, track_y - cart_h, cart_w, cart_h))
        for theta, half, colour, thickness, offset in ((theta_1, HALF_LENGTH_1, LONG_POLE, 8, -cart_w / 5), (theta_2, HALF_LENGTH_2, SHORT_POLE, 6, cart_w / 5)):
            length = max(2 * half * scale, 6.0)  # the 0.1 m pole stays visible on small views
            base = QPointF(cart_x + offset, hinge_y)
            tip = QPointF(base.x() + length * math.sin(theta), base.y() - length * math.cos(theta))
            painter.setPen(QPen(colour, thickness, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
            painter.drawLine(base, tip)
        painter.setPen(QColor(20, 20, 20))
        painter.drawText(QRectF(8, 6, width - 16, 20), Qt.AlignmentFlag.AlignLeft, self.caption)
        painter.setPen(QColor(70, 70, 70))
        for line, text in enumerate(self.terms_lines()):
            painter.drawText(QRectF(8, 26 + 17 * line, width - 16, 17), Qt.AlignmentFlag.AlignLeft, text)
        painter.setPen(LONG_POLE)
        painter.drawText(QRectF(8, height - 19, width - 16, 17), Qt.AlignmentFlag.AlignLeft, "━ long pole 1 m")
        painter.setPen(SHORT_POLE)
        painter.drawText(QRectF(8, height - 19, width - 16, 17), Qt.AlignmentFlag.AlignRight, "━ short pole 0.1 m")
        painter.end()


class GeneralisationGrid(QWidget):
    """The 625 starts of the generalisation test as 25 x 25 cells: green = balanced 1,000
    decisions, otherwise grey to red by how soon it failed. Row: (x, x_dot); column:
    (theta_1, theta_1_dot), each from low to high. Clicking a cell asks to replay that start.

    Signals:
        startPicked(int): the start clicked, 1..625 (the replay's start numbering).
    """

    startPicked = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.balanced: np.ndarray | None = None
        self.title = "Generalisation: not run"
        self.setMinimumSize(180, 160)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setToolTip("The 625 generalisation starts; click one to replay it")

    def show_outcomes(self, balanced: np.ndarray | None) -> None:
        """Show (625,) decisions balanced per start, or nothing (None)."""
        self.balanced = None if balanced is None else np.asarray(balanced)
        if self.balanced is None:
            self.title = "Generalisation: not run"
        else:
            self.title = f"Generalisation {int((self.balanced >= GENERALISATION_BALANCED).sum())}/625"
        self.update()

    def _cell(self) -> tuple[float, float, float]:
        side = max(1.0, min(self.width() - 8, self.height() - 26) / 25)
        return side, 4.0, 22.0

    def cell_colours(self) -> np.ndarray | None:
        """(25, 25, 3) the colours drawn (for tests and exports)."""
        if self.balanced is None:
            return None
        picture = grid_picture(self.balanced)
        share = np.clip(picture / GENERALISATION_STEPS, 0.0, 1.0)[..., None]
        failed = (1 - share) * np.array([205, 80, 70]) + share * np.array([225, 225, 225])
        passed = np.array([PASSED.red(), PASSED.green(), PASSED.blue()])
        return np.where((picture >= GENERALISATION_BALANCED)[..., None], passed, failed).astype(int)

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(255, 255, 255))
        painter.setPen(QColor(20, 20, 20))
        painter.drawText(QRectF(4, 2, self.width() - 8, 18), Qt.AlignmentFlag.AlignLeft, self.title)
        side, left, top = self._cell()
        colours = self.cell_colours()
        painter.setPen(Qt.PenStyle.NoPen)
        for row in range(25):
            for column in range(25):
                rgb = colours[row, column] if colours is not None else (238, 238, 238)
                painter.setBrush(QColor(int(rgb[0]), int(rgb[1]), int(rgb[2])))
                painter.drawRect(QRectF(left + column * side, top + row * side, max(side - 1, 1), max(side - 1, 1)))
        painter.end()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        side, left, top = self._cell()
        column = int((event.position().x() - left) // side)
        row = int((event.position().y() - top) // side)
        if 0 <= row < 25 and 0 <= column < 25:
            # Row = i*5 + j over (x, x_dot), column = k*5 + l over (theta_1, theta_1_dot).
            i, j, k, m = row // 5, row % 5, column // 5, column % 5
            self.startPicked.emit(((i * 5 + j) * 5 + k) * 5 + m + 1)
