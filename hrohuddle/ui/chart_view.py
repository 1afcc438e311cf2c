"""A chart on screen: the same reportlab drawing as in the PDF, painted from SVG and
scaled to the widget (crisp at any size), its text at the size of the window's own and
following View → Larger text. A screen reader hears the chart's title and a line on its
latest week and signals; the arrow keys walk the weeks (each read out in the chart's unit
and rounding), and where a week opens its reports, Enter or a click in its column does."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QByteArray, QEvent, QPointF, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QPainter, QPalette, QPen
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QBoxLayout, QSizePolicy, QWidget

from hrohuddle.ui.common import tr

#: A path drawn without a fill named: a line, which SVG would otherwise fill black.
_UNFILLED = re.compile(r'(<path [^>]*style="(?![^"]*fill:))')

_CLIP = re.compile(r"<clipPath id=\"clip\">.*?</clipPath>", re.DOTALL)

#: The smallest drawing, in points, that a chart is laid out at: below it, the chart is
#: drawn at this size and scaled down whole.
SMALLEST = (330.0, 170.0)

#: Qt's SVG renderer knows no "Helvetica-Bold": the family and the weight said apart.
_BOLD = re.compile(r"font-family: Helvetica-Bold;")
_PLAIN = re.compile(r"font-family: Helvetica;")


def chart_svg(chart: Any) -> bytes:
    """The drawing as SVG: pure Python, so it may be made off the GUI thread."""
    from reportlab.graphics import renderSVG

    svg = str(renderSVG.drawToString(chart))
    # Qt's SVG renderer draws the clip's rectangle as a shape (black, over everything),
    # and knows no "None": the drawing needs no clip, and "none" is what is meant.
    svg = _CLIP.sub("", svg).replace(' style="clip-path: url(#clip)"', "")
    svg = svg.replace("fill: None;", "fill: none;")
    svg = _BOLD.sub("font-family: Helvetica, Arial, sans-serif; font-weight: bold;", svg)
    svg = _PLAIN.sub("font-family: Helvetica, Arial, sans-serif;", svg)
    return _UNFILLED.sub(r"\1fill: none; ", svg).encode("utf-8")


class ChartView(QWidget):
    """One chart (a ``charts.Chart``), scaled to the widget with its shape kept. Given
    ``remake`` (a chart of a size in points), the chart is laid out again for the
    widget's size, so that its text reads at the size of the window's own."""

    #: The week index of a point chosen with the mouse or the keyboard.
    point_chosen = Signal(int)

    def __init__(
        self,
        chart: Any,
        svg: bytes | None = None,
        *,
        remake: Callable[[tuple[float, float]], Any] | None = None,
        opens_week: bool = False,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.chart = chart
        self.remake = remake
        self.renderer = QSvgRenderer(QByteArray(svg or chart_svg(chart)), self)
        self.relayout = QTimer(self)
        self.relayout.setSingleShot(True)
        self.relayout.setInterval(60)  # once a resize has settled, not at every step
        self.relayout.timeout.connect(self._lay_out)
        self.current: int | None = None  # the week the keyboard stands on
        #: Whether Enter or a click opens a week (said so only where it does).
        self.opens_week = opens_week
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName(chart.title)
        self.setAccessibleDescription(chart.summary)
        self.setToolTip(chart.summary)
        self.setSizePolicy(QSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred))
        self._follow_font()
        self.setAutoFillBackground(True)
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.Window, QColor("white"))
        self.setPalette(palette)

    def zoom(self) -> float:
        """Screen pixels per drawing point: the chart's smallest text (7.5 points in the
        drawing) comes out at the size of the widget's own text."""
        from hrohuddle.reports.charts import TEXT

        font = self.font()
        size = font.pointSizeF() if font.pointSizeF() > 0 else font.pixelSize() * 72 / 96
        return max(1.0, self.logicalDpiY() / 72) * max(1.0, size / TEXT)

    def _follow_font(self) -> None:
        # Tall enough for the smallest layout at this text size: the layout under the
        # chart is pushed down (or scrolled), never drawn over.
        zoom = self.zoom()
        self.setMinimumHeight(round(SMALLEST[1] * zoom))
        self.updateGeometry()

    def sizeHint(self) -> QSize:
        zoom = self.zoom()
        return QSize(round(SMALLEST[0] * zoom), round(SMALLEST[1] * zoom * 1.25))

    def changeEvent(self, event: Any) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._follow_font()
            if self.remake is not None:
                self.relayout.start()

    def points_size(self) -> tuple[float, float]:
        """The widget's size in points, as the chart is laid out for it."""
        zoom = self.zoom()
        return (
            max(SMALLEST[0], round(self.width() / zoom)),
            max(SMALLEST[1], round(self.height() / zoom)),
        )

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        if self.remake is not None and self.points_size() != (
            round(self.chart.width),
            round(self.chart.height),
        ):
            self.relayout.start()

    def _lay_out(self) -> None:
        if self.remake is None:
            return
        self.chart = self.remake(self.points_size())
        self.renderer.load(QByteArray(chart_svg(self.chart)))
        self.update()

    def target(self) -> QRectF:
        """Where the drawing goes: as large as fits, its shape kept, centred."""
        w, h = self.chart.width, self.chart.height
        scale = min(self.width() / w, self.height() / h)
        return QRectF(
            (self.width() - w * scale) / 2, (self.height() - h * scale) / 2, w * scale, h * scale
        )

    def _to_screen(self, x: float, y: float) -> QPointF:
        rect = self.target()
        scale = rect.width() / self.chart.width
        return QPointF(rect.x() + x * scale, rect.y() + (self.chart.height - y) * scale)

    def paintEvent(self, event: Any) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.renderer.render(painter, self.target())
        point = self._current_point()
        if self.current is not None and self.hasFocus():
            # The week the keyboard stands on: its column outlined (a week without data
            # has no point), and a ring round its point.
            painter.setBrush(Qt.BrushStyle.NoBrush)
            x0, y0, x1, y1 = self.chart.plot
            half = (x1 - x0) / (2 * max(1, len(self.chart.weeks)))
            x = self.chart.x(self.current)
            painter.setPen(QPen(QColor("#555555"), 1, Qt.PenStyle.DotLine))
            painter.drawRect(QRectF(self._to_screen(x - half, y1), self._to_screen(x + half, y0)))
            if point is not None:
                painter.setPen(QPen(QColor("black"), 2))
                painter.drawEllipse(self._to_screen(point[0], point[1]), 8, 8)
        if self.hasFocus():
            painter.setPen(QPen(self.palette().color(QPalette.ColorRole.Highlight), 2))
            painter.drawRect(self.rect().adjusted(1, 1, -2, -2))
        painter.end()

    def _current_point(self) -> tuple[float, float, int] | None:
        for point in self.chart.points:
            if point[2] == self.current:
                return point  # type: ignore[no-any-return]
        return None

    def week_at(self, pos: QPointF) -> int | None:
        """The week whose column is under ``pos`` (widget pixels), anywhere from the
        plot's top to its week labels; None elsewhere."""
        rect = self.target()
        scale = rect.width() / self.chart.width
        x = (pos.x() - rect.x()) / scale
        y = self.chart.height - (pos.y() - rect.y()) / scale
        _, y0, _, y1 = self.chart.plot
        if not y0 - 24 <= y <= y1:
            return None
        return self.chart.week_at_x(x)  # type: ignore[no-any-return]

    def mousePressEvent(self, event: Any) -> None:
        week = self.week_at(event.position())
        if week is None:
            super().mousePressEvent(event)
            return
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        self._stand_on(week)
        if self.opens_week:
            self.point_chosen.emit(week)

    def _stand_on(self, week: int) -> None:
        self.current = week
        said = self.chart.read_out(week)
        if self.opens_week:
            said += " " + tr("Press Enter to list that week's reports.")
        self.setAccessibleDescription(said)
        self.update()

    def keyPressEvent(self, event: Any) -> None:
        # Every week is a stop, those without data too (read out as "no data").
        last = len(self.chart.weeks) - 1
        key = event.key()
        if last >= 0 and key in (
            Qt.Key.Key_Left, Qt.Key.Key_Right, Qt.Key.Key_Home, Qt.Key.Key_End
        ):  # fmt: skip
            if key == Qt.Key.Key_Home:
                at = 0
            elif key == Qt.Key.Key_End or self.current is None:
                at = last
            else:
                step = 1 if key == Qt.Key.Key_Right else -1
                at = max(0, min(last, self.current + step))
            self._stand_on(at)
            return
        if (
            key in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and self.current is not None
            and self.opens_week
        ):
            self.point_chosen.emit(self.current)
            return
        super().keyPressEvent(event)

    def focusOutEvent(self, event: Any) -> None:
        super().focusOutEvent(event)
        self.setAccessibleDescription(self.chart.summary)
        self.update()


def arrange(layout: QBoxLayout, width: int) -> None:
    """Charts side by side while each still gets its smallest layout at the text's size,
    else one under the other (the screen scrolls): never shrunk below their text."""
    views: list[ChartView] = []
    for i in range(layout.count()):
        item = layout.itemAt(i)
        view = item.widget() if item is not None else None
        if isinstance(view, ChartView):
            views.append(view)
    if not views:
        return
    need = sum(round(SMALLEST[0] * v.zoom()) for v in views) + layout.spacing() * len(views)
    direction = (
        QBoxLayout.Direction.LeftToRight if width >= need else QBoxLayout.Direction.TopToBottom
    )
    if layout.direction() != direction:
        layout.setDirection(direction)
