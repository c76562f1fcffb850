"""The drawings of the Substrate workspace, each fed only immutable data from
``core.algorithms.hyperneat.inspect`` (a ``SubstrateView``, a ``WeightSlice``, quadtree cells, a
``BoxesPlayback``): the decoded substrate with clickable neurons, the CPPN's weight image for the
chosen neuron (with ES-HyperNEAT's quadtree and hidden neurons over it) and the boxes trial viewer.

Every drawing uses the substrate's own frame: x to the right, y up, [-1, 1] per sheet.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QSpinBox, QVBoxLayout, QWidget

from core.algorithms.hyperneat.inspect import BoxesPlayback, QuadCell, SubstrateView, WeightSlice
from core.tasks.boxes import FIELD, FIELD_PIXEL, pixel_centres
from desktop_app.theme import MUTED, NEGATIVE, POSITIVE

# Beyond this many links from the chosen neuron only the partner neurons' colours show them:
# more lines are a smear (and thousands cost a second to draw). Sheets drawn side by side
# smear sooner: every line crosses the gap.
MAX_DRAWN_LINKS = 150
MAX_DRAWN_LINKS_APART = 40
SHEET_GAP = 0.6  # between sheets drawn side by side, in sheet units (a sheet is 2 wide)
INPUT_BRUSH = (200, 200, 200)
HIDDEN_BRUSH = (230, 159, 0)
SELECTED_PEN = (20, 20, 20)
CELL_PEN = (90, 90, 90, 150)
BASE_BRUSHES = {"input": INPUT_BRUSH, "hidden": HIDDEN_BRUSH, "output": (245, 245, 245)}
BAND_PEN = (0, 158, 115)
RELATIVE_POSITIONS = ("right", "down", "diagonal")


def diverging_lut(size: int = 256) -> np.ndarray:
    """(size, 4) colours: blue (negative) through white (0) to orange-red (positive), the app's
    weight colours."""
    t = np.linspace(-1.0, 1.0, size)[:, None]
    white = np.array([255.0, 255.0, 255.0])
    positive, negative = np.array(POSITIVE, dtype=float), np.array(NEGATIVE, dtype=float)
    colours = np.where(t >= 0, white + t * (positive - white), white - t * (negative - white))
    return np.column_stack([colours, np.full(size, 255.0)]).astype(np.ubyte)


WEIGHT_LEVELS = 65  # colours on the weight scale: few shared brushes, so each symbol is rendered once
_BRUSHES: dict[tuple, object] = {}


def brush(rgb: tuple) -> object:
    """One shared QBrush per colour (pyqtgraph renders a symbol per distinct brush)."""
    found = _BRUSHES.get(rgb)
    if found is None:
        found = _BRUSHES[rgb] = pg.mkBrush(*rgb)
    return found


def weight_brushes(weights: np.ndarray, limit: float) -> list:
    """One brush per weight on the diverging scale (0 white, +limit red, -limit blue)."""
    lut = diverging_lut(WEIGHT_LEVELS)
    scaled = np.clip(np.nan_to_num(np.asarray(weights, dtype=float)) / max(limit, 1e-12), -1.0, 1.0)
    rows = np.round((scaled + 1.0) * 0.5 * (len(lut) - 1)).astype(int)
    return [brush(tuple(lut[r][:3].tolist())) for r in rows.tolist()]


def _plain_plot() -> pg.PlotWidget:
    plot = pg.PlotWidget()
    plot.hideAxis("left")
    plot.hideAxis("bottom")
    plot.setMenuEnabled(False)
    plot.setAspectLocked(True)
    plot.setMinimumSize(160, 140)
    return plot


def side_by_side(view: SubstrateView) -> bool:
    """Whether the input and output sheets overlap in the plane (grid layouts such as the boxes
    task put both over the whole square), so they must be drawn apart to be seen."""
    kinds = np.asarray(view.kinds)
    inputs, outputs = view.coordinates[kinds == "input"], view.coordinates[kinds == "output"]
    (ix0, iy0), (ix1, iy1) = inputs.min(axis=0), inputs.max(axis=0)
    (ox0, oy0), (ox1, oy1) = outputs.min(axis=0), outputs.max(axis=0)
    return bool(ix0 <= ox1 and ox0 <= ix1 and iy0 <= oy1 and oy0 <= iy1)


@dataclass(frozen=True, slots=True)
class Selection:
    """The neuron the user chose: its kind and substrate position (kept across re-decodes, where
    node indices change with the resolution)."""

    kind: str
    x: float
    y: float

    @property
    def outgoing(self) -> bool:
        """Inputs and hidden neurons show the links they send; outputs the links they receive."""
        return self.kind != "output"


class SubstrateGraph(QWidget):
    """The decoded network: every neuron at its substrate position (sheets that overlap drawn side
    by side: inputs, hidden, outputs), the chosen neuron's links drawn or, when there are many,
    shown as its partners' colours. Click a neuron to choose it.

    Signals:
        nodeClicked(int): the node index the user clicked.
    """

    nodeClicked = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.title = QLabel("Decoded substrate")
        self.title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.plot = _plain_plot()
        self.plot.setToolTip("The decoded network at its substrate positions. Click a neuron to see its links and the CPPN's weight image for it.")
        self.nodes = pg.ScatterPlotItem(hoverable=True, tip=self._tip, pxMode=True, pen=pg.mkPen(120, 120, 120, 120))
        self.nodes.setZValue(10)
        # The chosen neuron: the same star marks it in the weight image.
        self.chosen = pg.ScatterPlotItem(symbol="star", size=16, brush=pg.mkBrush(255, 230, 0), pen=pg.mkPen(*SELECTED_PEN, width=1.5))
        self.chosen.setZValue(11)
        self.plot.addItem(self.chosen)
        self.nodes.sigClicked.connect(self._on_clicked)
        self.positive_links = pg.PlotCurveItem(connect="pairs", pen=pg.mkPen(*POSITIVE, 170, width=1.2))
        self.negative_links = pg.PlotCurveItem(connect="pairs", pen=pg.mkPen(*NEGATIVE, 170, width=1.2))
        for item in (self.positive_links, self.negative_links, self.nodes):
            self.plot.addItem(item)
        self.sheet_labels: list[pg.TextItem] = []
        self.key = QLabel()
        self.key.setWordWrap(True)
        self.key.setStyleSheet(f"color: {MUTED};")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.key)
        self.view: SubstrateView | None = None
        self._base_brushes: list = []
        self.selected: int | None = None
        self.positions = np.zeros((0, 2))
        self.apart = False
        self.shown = np.zeros(0, dtype=int)
        self.max_weight = 1.0

    def clear(self, message: str = "") -> None:
        """Nothing to draw (no run yet, or a failed decode)."""
        self.view = None
        self.selected = None
        self.nodes.setData([])
        self.chosen.setData([])
        self.positive_links.setData([], [])
        self.negative_links.setData([], [])
        for label in self.sheet_labels:
            self.plot.removeItem(label)
        self.sheet_labels = []
        self.title.setText(message or "Decoded substrate")
        self.key.setText("")

    def show_view(self, view: SubstrateView, title: str, max_weight: float, selected: int | None = None) -> None:
        """Draw a decoded network with ``selected`` chosen."""
        self.view = view
        self.max_weight = max_weight
        self.selected = selected
        self.title.setText(title)
        kinds = np.asarray(view.kinds)
        positions = view.coordinates.astype(float).copy()
        for label in self.sheet_labels:
            self.plot.removeItem(label)
        self.sheet_labels = []
        apart = side_by_side(view)
        hidden_here = bool(((kinds == "hidden") & view.present).any())
        order = ["input", "hidden", "output"] if hidden_here else ["input", "output"]
        if apart:
            for column, kind in enumerate(order):
                positions[kinds == kind, 0] += column * (2.0 + SHEET_GAP)
            for column, kind in enumerate(order):
                label = pg.TextItem({"input": "inputs", "hidden": "hidden", "output": "outputs"}[kind], color=(60, 60, 60), anchor=(0.5, 1.0))
                label.setPos(column * (2.0 + SHEET_GAP), 1.12)
                self.plot.addItem(label)
                self.sheet_labels.append(label)
        self.positions = positions
        self.apart = apart
        self.shown = np.flatnonzero(view.present)
        low, high = positions[self.shown].min(axis=0), positions[self.shown].max(axis=0)
        # Explicit, not autoRange: the widget may not have its final size yet.
        self.plot.getViewBox().setRange(xRange=(low[0] - 0.15, high[0] + 0.15), yRange=(low[1] - 0.15, high[1] + 0.3), padding=0)
        shown_kinds = kinds[self.shown]
        self._base_brushes = [brush(BASE_BRUSHES[kind]) for kind in shown_kinds.tolist()]
        size = 9.0 if len(self.shown) < 300 else 6.0 if len(self.shown) < 2000 else 4.0
        self.nodes.setData(
            x=positions[self.shown, 0],
            y=positions[self.shown, 1],
            data=self.shown,
            size=size,
            symbol=np.where(shown_kinds == "hidden", "o", "s").tolist(),
            brush=self._base_brushes,
        )
        self._redraw()

    def node_at(self, selection: Selection) -> int | None:
        """The shown node of the selection's kind nearest its position (None without a view)."""
        if self.view is None:
            return None
        kinds = np.asarray(self.view.kinds)
        candidates = np.flatnonzero((kinds == selection.kind) & self.view.present)
        if not len(candidates):
            candidates = np.flatnonzero((kinds == "input") & self.view.present)
        distance = np.hypot(self.view.coordinates[candidates, 0] - selection.x, self.view.coordinates[candidates, 1] - selection.y)
        return int(candidates[int(np.argmin(distance))])

    def selection_of(self, node: int) -> Selection:
        """What the user chose by clicking ``node``."""
        assert self.view is not None
        x, y = self.view.coordinates[node]
        return Selection(self.view.kinds[node], float(x), float(y))

    def select(self, node: int | None) -> None:
        """Highlight ``node`` and draw its links."""
        self.selected = node
        self._redraw()

    def links_of(self, node: int) -> tuple[np.ndarray, np.ndarray]:
        """Partner nodes and weights of the links the view draws for ``node`` (out of inputs and
        hidden neurons, into outputs)."""
        assert self.view is not None
        if self.view.kinds[node] == "output":
            mine = self.view.targets == node
            return self.view.sources[mine], self.view.weights[mine]
        return self.view.outgoing(node)

    @property
    def drawn_link_count(self) -> int:
        """Link lines on screen now."""
        return sum(len(item.getData()[0] if item.getData()[0] is not None else ()) // 2 for item in (self.positive_links, self.negative_links))

    def _redraw(self) -> None:
        view = self.view
        if view is None:
            return
        kinds = view.kinds
        count = len(kinds)
        partner_weight = np.full(count, np.nan)
        partners = np.zeros(0, dtype=int)
        weights = np.zeros(0)
        if self.selected is not None:
            partners, weights = self.links_of(self.selected)
            partner_weight[partners] = weights
        if self.selected is None:
            self.nodes.setBrush(self._base_brushes)
            self.chosen.setData([])
        else:
            linked = ~np.isnan(partner_weight[self.shown])
            colours = weight_brushes(np.nan_to_num(partner_weight[self.shown]), self.max_weight)
            self.nodes.setBrush([c if hit else b for c, b, hit in zip(colours, self._base_brushes, linked.tolist())])
            self.chosen.setData(pos=[tuple(self.positions[self.selected])], data=[self.selected])
        limit = MAX_DRAWN_LINKS_APART if self.apart else MAX_DRAWN_LINKS
        for item, sign in ((self.positive_links, 1), (self.negative_links, -1)):
            if self.selected is None or len(partners) > limit:
                item.setData([], [])
                continue
            mine = partners[np.sign(weights) == sign]
            starts = np.repeat(self.positions[[self.selected]], len(mine), axis=0)
            ends = self.positions[mine]
            pairs = np.empty((2 * len(mine), 2))
            pairs[0::2], pairs[1::2] = starts, ends
            item.setData(pairs[:, 0], pairs[:, 1])
        hidden = view.hidden_count
        text = f"{view.link_count:,} links, {hidden} hidden neurons" if hidden else f"{view.link_count:,} links"
        if self.selected is not None:
            direction = "into" if kinds[self.selected] == "output" else "from"
            drawn = " (drawn)" if len(partners) <= limit else " (their partners are coloured)"
            text += f". {len(partners)} links {direction} the chosen neuron{drawn}"
        self.key.setText(text + ". Partner colour: red positive, blue negative weight.")

    def _tip(self, x: float, y: float, data: object) -> str:
        node = int(data)  # type: ignore[arg-type]
        if self.view is None:
            return ""
        cx, cy = self.view.coordinates[node]
        text = f"{self.view.kinds[node]} neuron {node} at ({cx:+.3f}, {cy:+.3f}), bias {self.view.biases[node]:+.3f}"
        if self.selected is not None and node != self.selected:
            partners, weights = self.links_of(self.selected)
            hit = np.flatnonzero(partners == node)
            text += f"\nlink weight {weights[hit[0]]:+.3f}" if len(hit) else "\nno link with the chosen neuron"
        return text + "\nclick: choose this neuron"

    def _on_clicked(self, _item, points, _event=None) -> None:
        if len(points):
            self.nodeClicked.emit(int(points[0].data()))


class WeightImage(QWidget):
    """The CPPN's weight slice for the chosen neuron as an image over [-1, 1]^2, the neuron marked;
    for ES-HyperNEAT the quadtree cells (thin), the band cells that became links (green) and the
    hidden neurons found (orange) drawn over it. Hovering reads the weight under the cursor."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.title = QLabel("CPPN weight image")
        self.title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.plot = _plain_plot()
        self.plot.setToolTip("The CPPN's weight for links from the chosen neuron (to it, for an output) to every point of the plane.")
        self.image = pg.ImageItem()
        self.image.setLookupTable(diverging_lut())
        self.plot.addItem(self.image)
        self.cells = pg.PlotCurveItem(connect="pairs", pen=pg.mkPen(*CELL_PEN, width=1))
        self.band = pg.PlotCurveItem(connect="pairs", pen=pg.mkPen(*BAND_PEN, width=2))
        self.hidden = pg.ScatterPlotItem(symbol="o", size=7, brush=pg.mkBrush(*HIDDEN_BRUSH), pen=pg.mkPen(60, 60, 60))
        self.source = pg.ScatterPlotItem(symbol="star", size=16, brush=pg.mkBrush(255, 230, 0), pen=pg.mkPen(20, 20, 20, width=1.5))
        for z, item in enumerate((self.cells, self.band, self.hidden, self.source), start=5):
            item.setZValue(z)
            self.plot.addItem(item)
        frame = pg.PlotCurveItem([-1, 1, 1, -1, -1], [-1, -1, 1, 1, -1], pen=pg.mkPen(150, 150, 150))
        self.plot.addItem(frame)
        self.readout = QLabel(" ")
        self.readout.setStyleSheet(f"color: {MUTED};")
        self.plot.scene().sigMouseMoved.connect(self._on_mouse_moved)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.readout)
        self.slice: WeightSlice | None = None
        self.shown: np.ndarray | None = None
        self.quadtree_cells: tuple[QuadCell, ...] = ()
        self.plot.getViewBox().setRange(xRange=(-1.05, 1.05), yRange=(-1.05, 1.05), padding=0)

    def clear(self, message: str = "") -> None:
        """No image."""
        self.slice = None
        self.shown = None
        self.image.clear()
        self.show_quadtree((), np.zeros((0, 2)))
        self.source.setData([])
        self.title.setText(message or "CPPN weight image")

    def show_slice(self, weight_slice: WeightSlice, raw: bool, limit: float, point: tuple[float, float], title: str) -> None:
        """Draw the slice (``raw``: the weight output itself, else the expressed weights) with the
        chosen neuron at ``point``."""
        self.slice = weight_slice
        values = weight_slice.raw if raw else weight_slice.weights
        self.shown = values
        # ImageItem reads axis 0 as x; slices are row-major with y down the rows.
        self.image.setImage(values.T, levels=(-limit, limit), autoLevels=False)
        self.image.setRect(QRectF(-1.0, -1.0, 2.0, 2.0))
        self.source.setData([{"pos": point}])
        self.title.setText(title)

    def show_quadtree(self, cells: Sequence[QuadCell], hidden_points: np.ndarray) -> None:
        """ES-HyperNEAT's cells (outlines; band cells that became links in green) and hidden neurons."""
        self.quadtree_cells = tuple(cells)
        for item, chosen in ((self.cells, [c for c in cells if not c.selected]), (self.band, [c for c in cells if c.selected])):
            xs, ys = _outlines(chosen)
            item.setData(xs, ys)
        self.hidden.setData(pos=np.asarray(hidden_points, dtype=float).reshape(-1, 2))

    def drawn_cells(self) -> list[tuple[float, float, float, bool]]:
        """(x, y, half-width, selected) of every cell outline on screen, read back from the plot."""
        cells = []
        for item, selected in ((self.cells, False), (self.band, True)):
            xs, ys = item.getData()
            if xs is None:
                continue
            for k in range(0, len(xs), 8):
                left, right = xs[k : k + 8].min(), xs[k : k + 8].max()
                bottom, top = ys[k : k + 8].min(), ys[k : k + 8].max()
                cells.append(((left + right) / 2, (bottom + top) / 2, (right - left) / 2, selected))
        return cells

    def _on_mouse_moved(self, position) -> None:
        if self.slice is None or self.shown is None:
            return
        point = self.plot.getViewBox().mapSceneToView(position)
        x, y = point.x(), point.y()
        n = self.shown.shape[0]
        column, row = int((x + 1.0) / 2.0 * n), int((y + 1.0) / 2.0 * n)
        if 0 <= row < n and 0 <= column < n:
            raw = self.slice.raw[row, column]
            expressed = self.slice.weights[row, column]
            link = f"link weight {expressed:+.3f}" if expressed else "no link (below the threshold)"
            self.readout.setText(f"({self.slice.xs[column]:+.3f}, {self.slice.ys[row]:+.3f}): CPPN output {raw:+.3f}, {link}")
        else:
            self.readout.setText(" ")


def _outlines(cells: Sequence[QuadCell]) -> tuple[np.ndarray, np.ndarray]:
    """Segments (pairs of points, ``connect="pairs"``) outlining each cell: 4 edges, 8 points."""
    if not cells:
        return np.zeros(0), np.zeros(0)
    centre = np.array([(c.x, c.y) for c in cells])
    half = np.array([c.half_width for c in cells])[:, None]
    corners = np.array([(-1, -1), (1, -1), (1, -1), (1, 1), (1, 1), (-1, 1), (-1, 1), (-1, -1)], dtype=float)
    points = centre[:, None, :] + half[:, :, None] * corners[None]
    points = points.reshape(-1, 2)
    return points[:, 0], points[:, 1]


class TrialViewer(QWidget):
    """Boxes trials as the decoded champion saw and answered them: the visual field (boxes), the
    target (the large box's centre, green cross), the answer (red square) and the output field.

    Signals:
        newTrialsRequested(): the user asked for another set of trials.
    """

    newTrialsRequested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.title = QLabel("Boxes trials")
        self.title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.canvas = pg.GraphicsLayoutWidget()
        self.canvas.setMinimumSize(200, 140)
        self.canvas.setToolTip("Left: what the network sees. Right: its output activations. Green +: the large box's centre; red square: the answer.")
        self.field_box = self.canvas.addViewBox(row=0, col=0, lockAspect=True, enableMouse=False)
        self.output_box = self.canvas.addViewBox(row=0, col=1, lockAspect=True, enableMouse=False)
        self.field_image = pg.ImageItem()
        self.field_image.setLookupTable(np.array([[255, 255, 255, 255], [70, 70, 70, 255]], dtype=np.ubyte))
        self.output_image = pg.ImageItem()
        self.output_image.setLookupTable(pg.colormap.get("viridis").getLookupTable(nPts=256))
        self.targets: list[pg.ScatterPlotItem] = []
        self.answers: list[pg.ScatterPlotItem] = []
        for box, image in ((self.field_box, self.field_image), (self.output_box, self.output_image)):
            box.addItem(image)
            box.addItem(pg.PlotCurveItem([-1, 1, 1, -1, -1], [-1, -1, 1, 1, -1], pen=pg.mkPen(150, 150, 150)))
            target = pg.ScatterPlotItem(symbol="+", size=18, brush=pg.mkBrush(0, 170, 90), pen=pg.mkPen(0, 140, 70, width=2))
            answer = pg.ScatterPlotItem(symbol="s", pxMode=False, brush=pg.mkBrush(0, 0, 0, 0), pen=pg.mkPen(220, 30, 30, width=2.5))
            for item in (target, answer):
                item.setZValue(10)
                box.addItem(item)
            self.targets.append(target)
            self.answers.append(answer)
            box.setRange(xRange=(-1, 1), yRange=(-1, 1), padding=0.02)
        self.previous_button = QPushButton("◀")
        self.previous_button.setToolTip("Previous trial (click the trials, then Left or Page Up)")
        self.previous_button.clicked.connect(lambda: self.step(-1))
        self.next_button = QPushButton("▶")
        self.next_button.setToolTip("Next trial (click the trials, then Right or Page Down)")
        self.next_button.clicked.connect(lambda: self.step(1))
        self.trial_box = QSpinBox()
        self.trial_box.setPrefix("Trial ")
        self.trial_box.setToolTip("The trial shown")
        self.trial_box.valueChanged.connect(lambda value: self.show_trial(value - 1))
        self.new_button = QPushButton("New trials")
        self.new_button.setToolTip("Draw another 75 trials (25 per relative position)")
        self.new_button.clicked.connect(self.newTrialsRequested.emit)
        self.summary = QLabel(" ")
        self.summary.setWordWrap(True)
        controls = QHBoxLayout()
        for widget in (self.previous_button, self.trial_box, self.next_button, self.new_button):
            controls.addWidget(widget)
        controls.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.canvas, 1)
        layout.addLayout(controls)
        layout.addWidget(self.summary)
        self.playback: BoxesPlayback | None = None
        self.index = 0
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)  # click the trials, then arrows / Page keys step
        self._set_enabled(False)

    def _set_enabled(self, enabled: bool) -> None:
        for widget in (self.previous_button, self.next_button, self.trial_box, self.new_button):
            widget.setEnabled(enabled)

    def clear(self, message: str = "") -> None:
        """No trials (not the boxes task, or nothing decoded yet)."""
        self.playback = None
        self.field_image.clear()
        self.output_image.clear()
        for item in (*self.targets, *self.answers):
            item.setData([])
        self.summary.setText(message or " ")
        self._set_enabled(False)

    def show_playback(self, playback: BoxesPlayback, keep_index: bool = True) -> None:
        """New trials, or the same trials answered at another resolution."""
        self.playback = playback
        count = len(playback.small)
        self.trial_box.blockSignals(True)
        self.trial_box.setRange(1, count)
        self.trial_box.setSuffix(f" of {count}")
        self.trial_box.blockSignals(False)
        self._set_enabled(True)
        self.show_trial(min(self.index, count - 1) if keep_index else 0)

    def step(self, delta: int) -> None:
        """Show the trial ``delta`` away (wrapping around)."""
        if self.playback is not None:
            self.show_trial((self.index + delta) % len(self.playback.small))

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt override
        if event.key() in (Qt.Key.Key_PageDown, Qt.Key.Key_Right):
            self.step(1)
        elif event.key() in (Qt.Key.Key_PageUp, Qt.Key.Key_Left):
            self.step(-1)
        else:
            super().keyPressEvent(event)

    def show_trial(self, index: int) -> None:
        """Draw trial ``index``: field, output, target and answer."""
        playback = self.playback
        if playback is None:
            return
        self.index = index
        self.trial_box.blockSignals(True)
        self.trial_box.setValue(index + 1)
        self.trial_box.blockSignals(False)
        resolution = playback.resolution
        self.field_image.setImage(playback.inputs[index].T, levels=(0, 1), autoLevels=False)
        outputs = playback.outputs[index]
        low, high = float(outputs.min()), float(outputs.max())
        self.output_image.setImage(outputs.T, levels=(low, high if high > low else low + 1.0), autoLevels=False)
        for image in (self.field_image, self.output_image):
            image.setRect(QRectF(-1.0, -1.0, 2.0, 2.0))
        target = -1.0 + FIELD_PIXEL * (playback.large[index] + 0.5)
        centres = pixel_centres(resolution)
        answer = centres[playback.chosen[index]]
        pixel = 2.0 / resolution
        for item in self.targets:
            item.setData(pos=[tuple(target)])
        for item in self.answers:
            item.setData(pos=[tuple(answer)], size=max(pixel, 2.0 / FIELD / 3))
        hits = int((playback.distance <= 1.0 + 1e-9).sum())
        count = len(playback.distance)
        per_position = count // 3 if count % 3 == 0 else count
        relative = RELATIVE_POSITIONS[min(index // per_position, 2)] if per_position else ""
        distance = float(playback.distance[index])
        verdict = "hit" if distance < 1e-9 else "within one pixel" if distance <= 1.0 + 1e-9 else "miss"
        self.summary.setText(
            f"Trial {index + 1}: large box {relative} of the small one, answer {distance:.2f} field pixels from its centre ({verdict}). "
            f"At {resolution}×{resolution}: {hits} of {count} trials within one pixel ({hits / count:.0%})."
        )
        self.title.setText(f"Boxes trials at {resolution}×{resolution} (test field {FIELD}×{FIELD})")

    def drawn_answer(self) -> tuple[float, float]:
        """The answer marker's position (for tests and the status line)."""
        data = self.answers[0].data
        return float(data["x"][0]), float(data["y"][0])
