"""Charts as reportlab Drawings: vector lines and text in a PDF, and the same drawing on
screen (painted from SVG). Okabe-Ito colours, and marker shapes and line styles that
still read in grayscale print: data a solid line with dots, the centre a solid dark line,
limits a dashed black line, signals a large outlined marker (a triangle on a run chart,
an X outside a control chart's limits)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from typing import Any

from reportlab.graphics.shapes import Circle, Drawing, Group, Line, Polygon, PolyLine, Rect, String
from reportlab.lib.attrmap import AttrMap, AttrMapValue
from reportlab.lib.colors import Color, HexColor, black
from reportlab.lib.validators import isAnything

from hrohuddle.services.reporting import Series, Week

# Colours of the Okabe-Ito palette, safe for colour-blind readers.
BLUE, VERMILLION = "#0072B2", "#D55E00"
LIMIT = "#1A1A1A"
CENTRE = "#4D4D4D"
#: The target line: bluish green and dotted, apart from the limits in grayscale too.
TARGET = "#009E73"
GRID = "#E5E5E5"

#: The size every chart is drawn at, in points (7.2 by 2.9 inches).
WIDTH, HEIGHT = 7.2 * 72, 2.9 * 72
#: The width a chart takes in a report: the page's text width.
REPORT_WIDTH = 180 * 72 / 25.4

# Room in points around a chart's plot for the y label and its ticks (left), the line
# labels (right), the two-line ticks, the x label and the legend (bottom), and the title
# above: two lines on screen, the period line alone in a report (its title is the caption).
LEFT, RIGHT, BOTTOM, SCREEN_TOP, REPORT_TOP = 44.0, 75.0, 63.0, 45.0, 21.0
FONT, BOLD = "Helvetica", "Helvetica-Bold"


class Chart(Drawing):  # type: ignore[misc]  # reportlab has no type hints
    """A chart drawing that also knows what to say of itself (its title and a one-line
    summary of the latest week and the signals, for a screen reader) and where its
    points are (for a click on a point)."""

    _attrMap = AttrMap(
        BASE=Drawing,
        **{
            name: AttrMapValue(isAnything)
            for name in (
                "title",
                "summary",
                "line_label",
                "values",
                "points",
                "plot",
                "low",
                "high",
                "weeks",
                "legend",
                "line_labels",
            )
        },
    )

    def __init__(self, titled: bool, size: tuple[float, float] | None = None) -> None:
        width, height = size or (WIDTH, HEIGHT)
        super().__init__(width, height)
        self.title = ""
        self.summary = ""
        self.line_label = ""
        #: The plotted values, in the chart's unit (None for a gap), one per week.
        self.values: list[float | None] = []
        #: Each plotted point as (x, y, week index), in the drawing's points.
        self.points: list[tuple[float, float, int]] = []
        self.plot = (LEFT, BOTTOM, width - RIGHT, height - (SCREEN_TOP if titled else REPORT_TOP))
        self.low, self.high = 0.0, 1.0
        self.weeks: list[str] = []
        self.legend: list[tuple[str, str]] = []  # (kind of sample, text)
        self.line_labels: list[tuple[float, str]] = []

    def get_size_inches(self) -> tuple[float, float]:
        return self.width / 72, self.height / 72

    def x(self, i: float) -> float:
        x0, _, x1, _ = self.plot
        lo, hi = -0.6, len(self.weeks) - 0.4
        return x0 + (i - lo) / (hi - lo) * (x1 - x0)

    def y(self, v: float) -> float:
        _, y0, _, y1 = self.plot
        return y0 + (v - self.low) / ((self.high - self.low) or 1.0) * (y1 - y0)

    def point_at(self, x: float, y: float, reach: float = 6.0) -> int | None:
        """The week index of the point nearest (x, y), in drawing points, within reach."""
        best: tuple[float, int] | None = None
        for px, py, i in self.points:
            d = math.hypot(px - x, py - y)
            if d <= reach and (best is None or d < best[0]):
                best = (d, i)
        return best[1] if best else None


def _colour(hex_code: str) -> Color:
    return HexColor(hex_code)


def _monday(label: str) -> dt.date | None:
    try:
        return Week.parse(label).monday
    except ValueError:
        return None


def period_text(weeks: list[str]) -> str:
    """ "2026-W22 to 2026-W47 (25 May to 22 Nov 2026)": codes with their dates, short
    enough for a chart on a 1366-pixel screen."""
    first, last = _monday(weeks[0]), _monday(weeks[-1])
    if first is None or last is None:
        return f"{weeks[0]} to {weeks[-1]}"
    sunday = last + dt.timedelta(days=6)
    start = f"{first.day} {first:%b}" + (f" {first:%Y}" if first.year != sunday.year else "")
    return f"{weeks[0]} to {weeks[-1]} ({start} to {sunday.day} {sunday:%b %Y})"


def _number(v: float, unit: str) -> str:
    if unit == "%":
        return f"{v:.0f}%"
    text = f"{v:.0f}" if abs(v) >= 10 or float(v).is_integer() else f"{v:.1f}"
    return f"{text} {unit}".strip()


def _ticks_between(low: float, high: float, *, integer: bool) -> list[float]:
    """Round steps (1, 2, 2.5 or 5 times a power of ten) giving four to eight ticks."""
    span = (high - low) or 1.0
    raw = span / 6
    power = 10 ** math.floor(math.log10(raw))
    steps = (1, 2, 5, 10) if integer else (1, 2, 2.5, 5, 10)
    step = next((m * power for m in steps if m * power >= raw), 10 * power)
    if integer:
        step = max(1.0, float(math.ceil(step)))
    first = math.ceil(low / step) * step
    out = []
    v = first
    while v <= high + 1e-9:
        out.append(round(v, 10))
        v += step
    return out


def _tick_text(v: float) -> str:
    return f"{v:.0f}" if float(v).is_integer() else f"{v:g}"


def _string(
    x: float, y: float, text: str, size: float, anchor: str = "start", font: str = FONT
) -> String:
    return String(x, y, text, fontName=font, fontSize=size, fillColor=black, textAnchor=anchor)


def _marker(kind: str, x: float, y: float, size: float, fill: str) -> Any:
    """A marker centred on (x, y): "o" a dot, "^" a triangle, "X" a bold cross."""
    r = size / 2
    if kind == "o":
        return Circle(x, y, r, fillColor=_colour(fill), strokeColor=_colour(fill), strokeWidth=0.5)
    if kind == "^":
        points = [x - r, y - r * 0.8, x + r, y - r * 0.8, x, y + r]
    else:  # a thick X as one outlined polygon
        t = r * 0.38
        points = [
            x - r, y - r + t, x - t, y, x - r, y + r - t, x - r + t, y + r, x, y + t,
            x + r - t, y + r, x + r, y + r - t, x + t, y, x + r, y - r + t, x + r - t, y - r,
            x, y - t, x - r + t, y - r,
        ]  # fmt: skip
    return Polygon(points, fillColor=_colour(fill), strokeColor=black, strokeWidth=0.6)


def _segments(chart: Chart, values: Sequence[float | None]) -> list[list[float]]:
    """The line's runs of consecutive weeks: a week without data breaks the line."""
    runs: list[list[float]] = []
    current: list[float] = []
    for i, v in enumerate(values):
        if v is None:
            if current:
                runs.append(current)
            current = []
        else:
            current += [chart.x(i), chart.y(v)]
    if current:
        runs.append(current)
    return runs


def _hline(chart: Chart, v: float, colour: str, width: float, dash: list[float] | None) -> Line:
    x0, _, x1, _ = chart.plot
    return Line(
        x0, chart.y(v), x1, chart.y(v),
        strokeColor=_colour(colour), strokeWidth=width, strokeDashArray=dash,
    )  # fmt: skip


def _frame(chart: Chart, ylabel: str, *, integer: bool) -> None:
    """Grid, axes box, ticks and axis labels: what lies under the data."""
    x0, y0, x1, y1 = chart.plot
    ticks = _ticks_between(chart.low, chart.high, integer=integer)
    for v in ticks:
        y = chart.y(v)
        chart.add(Line(x0, y, x1, y, strokeColor=_colour(GRID), strokeWidth=0.8))
        chart.add(Line(x0 - 3, y, x0, y, strokeColor=black, strokeWidth=0.8))
        chart.add(_string(x0 - 5, y - 2.6, _tick_text(v), 7.5, "end"))
    label = Group(_string(0, 0, ylabel, 8.5, "middle"))
    label.transform = (0, 1, -1, 0, 11, (y0 + y1) / 2)
    chart.add(label)
    labels = chart.weeks
    step = max(1, math.ceil(len(labels) / 8))
    for i in range(0, len(labels), step):
        x = chart.x(i)
        chart.add(Line(x, y0, x, y0 - 3, strokeColor=black, strokeWidth=0.8))
        monday = _monday(labels[i])
        chart.add(
            _string(x, y0 - 12, labels[i].split("-")[-1] if monday else labels[i], 7.5, "middle")
        )
        if monday:
            chart.add(_string(x, y0 - 21, f"{monday.day} {monday:%b}", 7.5, "middle"))
    chart.add(_string((x0 + x1) / 2, y0 - 33, "ISO week and its Monday", 8.5, "middle"))


def _box(chart: Chart) -> None:
    x0, y0, x1, y1 = chart.plot
    chart.add(Rect(x0, y0, x1 - x0, y1 - y0, fillColor=None, strokeColor=black, strokeWidth=0.8))


def _title(chart: Chart, title: str | None, n_text: str) -> None:
    # The title on one line and the period on the next: never wrapped mid-bracket. In a
    # PDF the title is the caption above the picture, so only the period is drawn.
    x0, _, _, y1 = chart.plot
    period = f"{period_text(chart.weeks)}, {n_text}"
    if title:
        chart.add(_string(x0, chart.height - 15, title, 9, font=BOLD))
        chart.add(_string(x0, chart.height - 27, period, 9))
    else:
        chart.add(_string(x0, y1 + 6, period, 9))


def _data_line(chart: Chart, values: Sequence[float | None], width: float) -> None:
    chart.values = list(values)
    for run in _segments(chart, values):
        chart.add(PolyLine(run, strokeColor=_colour(BLUE), strokeWidth=width))
    for i, v in enumerate(values):
        if v is not None:
            x, y = chart.x(i), chart.y(v)
            chart.add(_marker("o", x, y, 3.5, BLUE))
            chart.points.append((x, y, i))


def _label_lines(chart: Chart) -> None:
    """Labels of horizontal lines at the right edge, outside the plotted points, spread
    apart so that two close lines (a limit near the centre) never print over each other."""
    _, y0, x1, y1 = chart.plot
    gap = (y1 - y0) * 0.11
    placed: list[float] = []
    for v, text in sorted(chart.line_labels):
        y = chart.y(v)
        at = max(y, placed[-1] + gap) if placed else y
        placed.append(at)
        chart.add(_string(x1 + 1, at - 2.6, text, 7.5))


def _legend(chart: Chart) -> None:
    """The legend in one row, centred under the x label: each entry's sample as drawn."""
    size = 7.5
    from reportlab.pdfbase.pdfmetrics import stringWidth

    widths = [22 + stringWidth(text, FONT, size) for _, text in chart.legend]
    gap = 12.0
    x = (chart.width - (sum(widths) + gap * (len(widths) - 1))) / 2
    y = 9.0
    for (kind, text), w in zip(chart.legend, widths, strict=True):
        mid = y + 2.6
        if kind == "data":
            chart.add(Line(x, mid, x + 16, mid, strokeColor=_colour(BLUE), strokeWidth=1.3))
            chart.add(_marker("o", x + 8, mid, 3.5, BLUE))
        elif kind == "median":
            chart.add(
                Line(x, mid, x + 16, mid, strokeColor=_colour(CENTRE), strokeWidth=1.1,
                     strokeDashArray=[3.7, 1.6])
            )  # fmt: skip
        elif kind == "centre":
            chart.add(Line(x, mid, x + 16, mid, strokeColor=_colour(CENTRE), strokeWidth=1.1))
        elif kind == "limits":
            chart.add(
                Line(x, mid, x + 16, mid, strokeColor=_colour(LIMIT), strokeWidth=1.1,
                     strokeDashArray=[4, 2])
            )  # fmt: skip
        elif kind in ("^", "X"):
            chart.add(_marker(kind, x + 8, mid, 8, VERMILLION))
        chart.add(_string(x + 20, y, text, size))
        x += w + gap


def _signals_text(count: int, what: str) -> str:
    if not count:
        return "No signal."
    return f"{count} {'week' if count == 1 else 'weeks'} {what}."


def _latest(chart: Chart, unit: str) -> str:
    last = next(((i, v) for i, v in reversed(list(enumerate(chart.values))) if v is not None), None)
    if last is None:
        return "No week has data yet."
    i, v = last
    return f"Latest, {chart.weeks[i]}: {_number(v, unit)}."


def _run(series: Series, line_label: str, titled: bool, size: tuple[float, float] | None) -> Chart:
    chart = Chart(titled, size)
    chart.title, chart.weeks, chart.line_label = series.title, list(series.weeks), line_label
    analysis = series.analysis
    values = list(series.values)
    top = max([v for v in values if v is not None] or [1.0])
    chart.high = max(1.0, top) * 1.12
    _frame(chart, series.ylabel, integer=True)  # counts are whole numbers
    chart.legend.append(("data", line_label))
    if analysis.median is not None:
        chart.add(_hline(chart, analysis.median, CENTRE, 1.1, [3.7, 1.6]))
        chart.legend.append(("median", "median"))
        chart.line_labels.append((analysis.median, f" median {_number(analysis.median, '')}"))
    _data_line(chart, values, 1.3)
    flagged = sorted({i for s in analysis.signals for i in s.points})
    for i in flagged:
        v = values[i]
        if v is not None:
            chart.add(_marker("^", chart.x(i), chart.y(v), 8, VERMILLION))
    if flagged:
        chart.legend.append(("^", "part of a signal"))
    _box(chart)
    n = sum(1 for v in values if v is not None)
    _title(chart, series.title if titled else None, f"n = {n} weeks")
    _label_lines(chart)
    _legend(chart)
    median = f" Median {_number(analysis.median, '')}." if analysis.median is not None else ""
    chart.summary = (
        f"{_latest(chart, '')}{median} "
        f"{_signals_text(len(flagged), 'marked with a triangle, part of a signal')}"
    )
    return chart


def run_chart(
    series: Series, *, titled: bool = True, size: tuple[float, float] | None = None
) -> Chart:
    """Weekly counts from zero, the median labelled, signal points marked with a triangle.
    ``size`` in points (on screen, the widget's); 7.2 by 2.9 inches by default."""
    return _run(series, "reports in the week", titled, size)


def run_chart_of(
    series: Series,
    line_label: str,
    *,
    titled: bool = True,
    size: tuple[float, float] | None = None,
) -> Chart:
    """A run chart whose line is not a count of reports (days, for example)."""
    return _run(series, line_label, titled, size)


def control_chart(
    series: Series,
    *,
    percent: bool = False,
    titled: bool = True,
    target: float | None = None,
    size: tuple[float, float] | None = None,
) -> Chart:
    """Points with per-point 3-sigma limits; points outside marked with an X; gaps kept."""
    chart = Chart(titled, size)
    chart.title, chart.weeks, chart.line_label = series.title, list(series.weeks), "weekly value"
    analysis = series.analysis
    scale = 100.0 if percent else 1.0
    unit = "%" if percent else ""

    def scaled(v: float | None) -> float | None:
        return None if v is None else v * scale

    values = [scaled(p.value) for p in analysis.points]
    ucl = [scaled(p.ucl) for p in analysis.points]
    lcl = [scaled(p.lcl) for p in analysis.points]
    highs = [v for v in values + ucl if v is not None]
    top = max(highs or [1.0])
    chart.high = min(105.0, max(10.0, top * 1.08)) if percent else max(1.0, top * 1.1)
    if target is not None:
        chart.high = max(chart.high, min(105.0, target * 1.1))
    _frame(chart, series.ylabel + (" (%)" if percent else ""), integer=False)
    chart.legend.append(("data", "weekly value"))
    if analysis.centre is not None:
        centre = analysis.centre * scale
        chart.add(_hline(chart, centre, CENTRE, 1.1, None))
        chart.legend.append(("centre", "centre line (mean)"))
        chart.line_labels.append((centre, f" centre {_number(centre, unit)}"))
        for limits in (ucl, lcl):
            for run in _steps(chart, limits):
                chart.add(
                    PolyLine(run, strokeColor=_colour(LIMIT), strokeWidth=1.1,
                             strokeDashArray=[4, 2])
                )  # fmt: skip
        chart.legend.append(("limits", "3-sigma limits"))
        last_u = next((u for u in reversed(ucl) if u is not None), None)
        last_l = next((v for v in reversed(lcl) if v is not None), None)
        if last_u is not None:
            chart.line_labels.append((last_u, f" upper limit {_number(last_u, unit)}"))
        if last_l is not None:
            chart.line_labels.append((last_l, f" lower limit {_number(last_l, unit)}"))
    if target is not None:
        chart.add(_hline(chart, target, TARGET, 1.8, [1.2, 2.4]))
        x0 = chart.plot[0]
        chart.add(_string(x0 + 4, chart.y(target) + 3, f"target {target:.0f}%", 7.5))
    _data_line(chart, values, 1.2)
    out = [i for i, p in enumerate(analysis.points) if p.outside and values[i] is not None]
    for i in out:
        chart.add(_marker("X", chart.x(i), chart.y(values[i] or 0.0), 9, VERMILLION))
    if out:
        chart.legend.append(("X", "outside the limits"))
    _box(chart)
    n = sum(1 for v in values if v is not None)
    _title(chart, series.title if titled else None, f"n = {n} weeks")
    _label_lines(chart)
    _legend(chart)
    centre_text = (
        f" Centre {_number(analysis.centre * scale, unit)}." if analysis.centre is not None else ""
    )
    target_text = f" Target {target:.0f}%." if target is not None else ""
    chart.summary = (
        f"{_latest(chart, unit)}{centre_text}{target_text} "
        f"{_signals_text(len(out), 'outside the limits, marked with an X')}"
    )
    return chart


def _steps(chart: Chart, limits: Sequence[float | None]) -> list[list[float]]:
    """A limit as steps changing half-way between weeks, each run beginning and ending at
    its own first and last week; a week without a limit breaks it."""
    runs: list[list[float]] = []
    current: list[float] = []
    for i, v in enumerate(limits):
        if v is None:
            if current:
                runs.append(current)
            current = []
            continue
        y = chart.y(v)
        start = chart.x(i - 0.5) if current else chart.x(i)
        current += [start, y, chart.x(i + 0.5), y]
    if current:
        runs.append(current)
    half = chart.x(0.5) - chart.x(0)
    for run in runs:
        run[-2] -= half
    return runs


def p_chart_with_target(
    series: Series,
    target_pct: float,
    *,
    titled: bool = True,
    size: tuple[float, float] | None = None,
) -> Chart:
    """A p-chart in per cent with the reviewers' target drawn as a dotted line, named on
    the line inside the plot at the left (the right edge holds the limits' labels, and
    the legend has no room for a fifth entry on a half-width chart)."""
    return control_chart(series, percent=True, titled=titled, target=target_pct, size=size)


def picture(chart: Drawing, dpi: int = 150, *, width: float = REPORT_WIDTH) -> Drawing:
    """The chart as a flowable for a PDF, vector throughout, the report's text width wide
    (as the pictures of old were) and as tall as its shape asks. ``dpi`` is kept for old
    callers and means nothing to a vector drawing."""
    del dpi
    k = width / chart.width
    out = Drawing(width, chart.height * k)
    group = Group(*chart.contents)
    group.transform = (k, 0, 0, k, 0, 0)
    out.add(group)
    out.hAlign = "CENTER"
    return out


__all__ = [
    "Chart",
    "control_chart",
    "p_chart_with_target",
    "period_text",
    "picture",
    "run_chart",
    "run_chart_of",
]
