"""The pieces the network diagram is drawn with: neurons, edges and small clickable buttons.

Items call back into the editor through plain callables. A click is delivered on the next turn
of the event loop, because the editor rebuilds its scene after an edit and an item must not be
deleted while Qt is still inside its mouse handler.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt, QTimer
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QImage,
    QPainterPath,
    QPainterPathStroker,
    QPen,
    QPixmap,
)
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsPathItem,
    QGraphicsPixmapItem,
    QGraphicsSimpleTextItem,
)

#: TensorFlow Playground's colours: orange for negative, blue for positive.
NEGATIVE = QColor("#f59322")
POSITIVE = QColor("#0877bd")
NEURON_SIZE = 44.0


def playground_lut() -> np.ndarray:
    """A (256,) uint32 lookup table of opaque RGB32 pixels from orange (-1) through white (0)
    to blue (+1)."""
    cmap = pg.ColorMap(
        [0.0, 0.5, 1.0], [NEGATIVE.getRgb()[:3], (232, 234, 235), POSITIVE.getRgb()[:3]]
    )
    rgb = cmap.getLookupTable(0.0, 1.0, 256, alpha=False).astype(np.uint32)
    return 0xFF000000 | rgb[:, 0] << 16 | rgb[:, 1] << 8 | rgb[:, 2]


def thumbnails(maps: np.ndarray, lut: np.ndarray) -> list[QImage]:
    """Images of a stack of 2D maps (units, h, w), row 0 at the bottom of the plane, each
    with levels symmetric around 0; one vectorised pass for the whole stack."""
    a = np.nan_to_num(np.asarray(maps, dtype=np.float32))
    scale = np.maximum(1.0, np.abs(a).max(axis=(1, 2), keepdims=True, initial=0.0))
    index = np.clip((a / scale + 1.0) * 127.5, 0, 255).astype(np.uint8)
    pixels = np.ascontiguousarray(lut[index[:, ::-1]])
    _, h, w = a.shape
    return [QImage(p.data, w, h, 4 * w, QImage.Format.Format_RGB32).copy() for p in pixels]


def opaque(colour: QColor, background: QColor) -> QColor:
    """``colour`` blended over ``background``: looks the same, draws several times faster
    (the raster engine fills opaque antialiased curves on a fast path)."""
    a = colour.alphaF()
    return QColor.fromRgbF(
        *(
            a * c + (1 - a) * b
            for c, b in zip(colour.getRgbF()[:3], background.getRgbF()[:3], strict=True)
        )
    )


#: Edge widths and opacities come in this many steps: a frame restyles only the edges whose
#: step changed, and the pens are made once.
WEIGHT_STEPS = 24


def weight_styles(weights: np.ndarray) -> np.ndarray:
    """Each weight's edge style as one integer: ``2 * step + positive``, where ``step`` is
    its magnitude relative to the layer's largest in WEIGHT_STEPS steps; -1 if not finite.

    Worked out for a whole layer at once, so a frame restyles (in Python) only the edges
    whose code changed.
    """
    finite = np.isfinite(weights)
    magnitude = np.abs(np.where(finite, weights, 0.0))
    largest = float(magnitude.max(initial=0.0))
    share = np.minimum(magnitude / largest, 1.0) if largest > 0 else magnitude * 0.0
    styles = 2 * np.rint(share * WEIGHT_STEPS).astype(np.int64) + (weights >= 0)
    return np.where(finite, styles, -1)


@functools.cache
def weight_pen(positive: bool, step: int, background: int) -> QPen:
    """The pen of an edge whose weight has this sign and magnitude step (of WEIGHT_STEPS)."""
    share = step / WEIGHT_STEPS
    colour = QColor(POSITIVE if positive else NEGATIVE)
    colour.setAlphaF(0.35 + 0.65 * share)
    return QPen(opaque(colour, QColor.fromRgba(background)), 0.6 + 5.0 * share)


def _later(callback: Callable[[], None]) -> None:
    QTimer.singleShot(0, callback)


class ButtonItem(QGraphicsPathItem):
    """A rounded label that acts as a button; ``flat`` ones show a frame only on hover."""

    def __init__(
        self,
        name: str,
        text: str,
        on_click: Callable[[], None],
        palette_text: QColor,
        tooltip: str = "",
        flat: bool = False,
        bold: bool = False,
        enabled: bool = True,
        font: QFont | None = None,
    ) -> None:
        super().__init__()
        self.name = name
        self.enabled = enabled
        self._on_click = on_click
        self._flat = flat
        self._colour = QColor(palette_text)
        self.label = QGraphicsSimpleTextItem(text, self)
        font = QFont(font or QFont())
        font.setBold(bold)
        self.label.setFont(font)
        self.label.setBrush(QBrush(palette_text))
        rect = self.label.boundingRect().adjusted(-7, -3, 7, 3)
        self.label.setPos(-rect.left(), -rect.top())
        path = QPainterPath()
        path.addRoundedRect(QRectF(0, 0, rect.width(), rect.height()), 5, 5)
        self.setPath(path)
        self.setToolTip(tooltip)
        self.setAcceptHoverEvents(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor if enabled else Qt.CursorShape.ArrowCursor)
        self.setOpacity(1.0 if enabled else 0.3)
        self._show_frame(False)

    def _show_frame(self, hovered: bool) -> None:
        frame = QColor(self._colour)
        frame.setAlpha(160 if hovered or not self._flat else 0)
        fill = QColor(self._colour)
        fill.setAlpha(40 if hovered and self.enabled else 0)
        self.setPen(QPen(frame, 1))
        self.setBrush(QBrush(fill))

    def hoverEnterEvent(self, event) -> None:
        self._show_frame(True)

    def hoverLeaveEvent(self, event) -> None:
        self._show_frame(False)

    def mousePressEvent(self, event) -> None:
        event.accept()

    def mouseReleaseEvent(self, event) -> None:
        if self.enabled and self.contains(event.pos()):
            _later(self._on_click)


class NeuronItem(QGraphicsPathItem):
    """A neuron: a rounded square with a thumbnail of its output over the input plane."""

    def __init__(
        self,
        name: str,
        key: tuple[int, int],
        palette_text: QColor,
        on_hover: Callable[[tuple[int, int] | None], None],
        on_click: Callable[[], None] | None = None,
        active: bool = True,
    ) -> None:
        super().__init__()
        self.name = name
        self.key = key
        self.active = active
        self._on_hover = on_hover
        self._on_click = on_click
        path = QPainterPath()
        path.addRoundedRect(QRectF(0, 0, NEURON_SIZE, NEURON_SIZE), 6, 6)
        self.setPath(path)
        frame = QColor(palette_text)
        frame.setAlpha(110)
        self.setPen(QPen(frame, 1.2))
        self.setBrush(QBrush(QColor(232, 234, 235) if active else Qt.GlobalColor.transparent))
        self.setOpacity(1.0 if active else 0.45)
        self.setAcceptHoverEvents(True)
        self.setZValue(2)
        if on_click is not None:
            self.setCursor(Qt.CursorShape.PointingHandCursor)
        self._picture: QGraphicsItem | None = None
        #: Works out the tooltip when the mouse comes, for tips that change with the weights.
        self.tip: Callable[[], str] | None = None

    def centre(self) -> QPointF:
        return self.pos() + QPointF(NEURON_SIZE / 2, NEURON_SIZE / 2)

    def set_picture(self, picture: QImage | np.ndarray | None) -> None:
        """Show a thumbnail image (plane) or a tiny curve of 1D values (line); None clears it.

        Called many times a second while training runs, so the picture item is reused.
        """
        if picture is None or not self.active:
            if self._picture is not None:
                self._picture.setVisible(False)
            return
        inner = NEURON_SIZE - 4
        if isinstance(picture, QImage):
            item = self._reuse(QGraphicsPixmapItem)
            item.setPixmap(QPixmap.fromImage(picture))
            item.setScale(inner / max(picture.width(), picture.height(), 1))
        else:
            item = self._reuse(QGraphicsPathItem)
            item.setPath(_curve_path(picture, inner))
        item.setVisible(True)

    @property
    def picture(self) -> QGraphicsItem | None:
        """The thumbnail shown (None when there is none)."""
        return self._picture if self._picture is not None and self._picture.isVisible() else None

    def _reuse(self, kind):
        if not isinstance(self._picture, kind):
            if self._picture is not None:
                self._picture.setParentItem(None)
                if self.scene() is not None:
                    self.scene().removeItem(self._picture)
            self._picture = kind(self)
            self._picture.setPos(2, 2)
            self._picture.setAcceptHoverEvents(False)
            if kind is QGraphicsPixmapItem:
                self._picture.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
            else:
                self._picture.setPen(QPen(POSITIVE, 1.5))
        return self._picture

    def hoverEnterEvent(self, event) -> None:
        if self.tip is not None:
            self.setToolTip(self.tip())
        if self.active:
            self._on_hover(self.key)

    def hoverLeaveEvent(self, event) -> None:
        if self.active:
            self._on_hover(None)

    def mousePressEvent(self, event) -> None:
        if self._on_click is None:
            event.ignore()
        else:
            event.accept()

    def mouseReleaseEvent(self, event) -> None:
        if self._on_click is not None and self.contains(event.pos()):
            _later(self._on_click)


def _curve_path(values: np.ndarray, size: float) -> QPainterPath:
    y = np.nan_to_num(np.asarray(values, dtype=np.float64))
    lo, hi = float(y.min(initial=0.0)), float(y.max(initial=0.0))
    span = hi - lo if hi > lo else 1.0
    xs = np.linspace(0.0, size, len(y))
    ys = size - (y - lo) / span * size
    path = QPainterPath()
    for i, (px, py) in enumerate(zip(xs, ys, strict=True)):
        if i == 0:
            path.moveTo(px, py)
        else:
            path.lineTo(px, py)
    return path


class EdgeItem(QGraphicsPathItem):
    """A connection drawn as an S-curve; colour and width follow its weight once there is one.

    Colours are opaque (blended over ``background``): translucent curves cost the window
    several times more to draw, and the diagram is redrawn many times a second while training.
    """

    def __init__(
        self,
        start: QPointF,
        end: QPointF,
        neutral: QColor,
        background: QColor,
        tip: Callable[[], str],
    ) -> None:
        super().__init__()
        self.tip = tip  # the tooltip, worked out when the mouse comes (weights change often)
        dx = (end.x() - start.x()) / 2
        path = QPainterPath(start)
        path.cubicTo(start + QPointF(dx, 0), end - QPointF(dx, 0), end)
        self.setPath(path)
        stroker = QPainterPathStroker()
        stroker.setWidth(8)
        self._hover_shape = stroker.createStroke(path)
        self._neutral = QPen(opaque(neutral, background), 1.0)
        self._background = background.rgba()
        self.setAcceptHoverEvents(True)
        self.setZValue(1)
        self.setPen(self._neutral)

    def shape(self) -> QPainterPath:
        return self._hover_shape

    def set_style(self, style: int) -> None:
        """Restyle for a code of :func:`weight_styles` (negative: no weight, the bare line)."""
        if style < 0:
            self.setPen(self._neutral)
        else:
            self.setPen(weight_pen(bool(style % 2), style // 2, self._background))

    def hoverEnterEvent(self, event) -> None:
        self.setToolTip(self.tip())
