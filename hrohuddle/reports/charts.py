"""Charts as reportlab Drawings: vector lines and text in a PDF, and the same drawing on
screen (painted from SVG). Okabe-Ito colours, and marker shapes and line styles that
still read in grayscale print: data a solid line with dots, the centre a solid dark line,
limits a dashed black line, signals a large outlined marker (an X outside a control
chart's limits, a triangle on every point of any other signal: a run, a shift, a trend),
each with its legend entry."""

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
#: The smallest text of a chart, in points (ticks, legend, line labels).
TEXT = 7.5
#: On screen the text is drawn in the system's sans-serif, up to this much wider than
#: Helvetica: room is measured with it, so no label touches an edge.
WIDEST_SANS = 1.15


def text_width(text: str, size: float, *, bold: bool = False) -> float:
    """The room ``text`` takes at ``size`` points, in the PDF's font or the screen's."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return float(stringWidth(text, BOLD if bold else FONT, size)) * WIDEST_SANS


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
                "unit",
                "flags",
                "rules",
                "title_lines",
                "titled",
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
        #: How a value is read out: "%" or the chart's unit ("reports per 1,000 ...").
        self.unit = ""
        #: What each marked week is part of, by week index ("outside the limits", ...).
        self.flags: dict[int, str] = {}
        #: The rule set the signals follow, in words.
        self.rules = ""
        #: The lines above the plot (text, bold); set by ``head``.
        self.title_lines: list[tuple[str, bool]] = []
        self.titled = titled

    def make_room(self, labels: Sequence[str], legend_rows: int = 1) -> None:
        """Room at the right for the widest line label (measured, never touching the
        edge), under the plot for the legend's rows, and above it for the title's lines."""
        x0, y0, x1, y1 = self.plot
        widest = max((text_width(t, TEXT) for t in labels), default=0.0)
        x1 = self.width - max(RIGHT, widest + 6)
        y0 = BOTTOM + (legend_rows - 1) * (TEXT + 5)
        if self.titled and self.title_lines:
            y1 = self.height - SCREEN_TOP - 12 * (len(self.title_lines) - 2)
        self.plot = (x0, y0, x1, y1)

    def head(self, title: str | None, n_text: str) -> None:
        """The title on its own line and the period under it, the weeks' count on a line
        of its own when the period would not fit the width (never wrapped mid-bracket)."""
        period = period_text(self.weeks)
        if not title:
            self.title_lines = [(f"{period}, {n_text}", False)]
            return
        lines = [(line, True) for line in _wrap(title, 9, self.width - 12, bold=True)]
        if text_width(f"{period}, {n_text}", 9) <= self.width - 12:
            lines.append((f"{period}, {n_text}", False))
        else:
            lines += [(period, False), (n_text, False)]
        self.title_lines = lines

    def read_out(self, i: int) -> str:
        """Week ``i`` as a screen reader says it: its value in the chart's unit and
        rounding, and what it is part of ("no data" for a week without)."""
        value = self.values[i] if 0 <= i < len(self.values) else None
        if value is None:
            return f"{self.weeks[i]}: no data."
        flag = self.flags.get(i)
        return f"{self.weeks[i]}: {_number(value, self.unit)}" + (f", {flag}." if flag else ".")

    def week_at_x(self, x: float) -> int | None:
        """The week whose column holds ``x`` (drawing points), or None outside the plot."""
        x0, _, x1, _ = self.plot
        if not self.weeks or x < x0 or x > x1:
            return None
        lo, hi = -0.6, len(self.weeks) - 0.4
        i = round(lo + (x - x0) / (x1 - x0) * (hi - lo))
        return max(0, min(len(self.weeks) - 1, i))

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
    """A value as the chart rounds it, with its unit: "86%", "1 report per week"."""
    if unit == "%":
        return f"{v:.0f}%"
    text = f"{v:.0f}" if abs(v) >= 10 or float(v).is_integer() else f"{v:.1f}"
    first, _, rest = unit.partition(" ")
    if text == "1" and first.endswith("s"):  # "1 report per week", "1 day"
        unit = f"{first[:-1]} {rest}".strip()
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
    # The y label along the plot's height, on two lines when one would overrun it.
    lines = _wrap(ylabel, 8.5, y1 - y0)[:2]
    for k, line in enumerate(lines):
        label = Group(_string(0, 0, line, 8.5, "middle"))
        label.transform = (0, 1, -1, 0, 11 if len(lines) == 1 else 9 + 10 * k, (y0 + y1) / 2)
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


def _wrap(text: str, size: float, width: float, *, bold: bool = False) -> list[str]:
    """``text`` in lines no wider than ``width`` at ``size`` points, broken at spaces."""
    lines: list[str] = []
    for word in text.split():
        if lines and text_width(f"{lines[-1]} {word}", size, bold=bold) <= width:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    return lines or [""]


def _title(chart: Chart) -> None:
    # On screen, the title and the period from the drawing's left edge; in a PDF the
    # title is the caption above the picture, so only the period is drawn, over the plot.
    x0, _, _, y1 = chart.plot
    if not chart.titled:
        chart.add(_string(x0, y1 + 6, chart.title_lines[0][0], 9))
        return
    for k, (text, bold) in enumerate(chart.title_lines):
        chart.add(_string(8, chart.height - 15 - 12 * k, text, 9, font=BOLD if bold else FONT))


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
    gap = max(TEXT + 1.5, (y1 - y0) * 0.11)
    placed: list[float] = []
    for v, text in sorted(chart.line_labels):
        y = chart.y(v)
        at = max(y, placed[-1] + gap) if placed else y
        placed.append(at)
        chart.add(_string(x1 + 1, at - 2.6, text, 7.5))


def _legend_widths(legend: Sequence[tuple[str, str]]) -> list[float]:
    return [22 + text_width(text, TEXT) for _, text in legend]


def legend_rows(width: float, legend: Sequence[tuple[str, str]]) -> list[list[int]]:
    """The legend's entries (by index) in rows that fit ``width``, in order."""
    gap = 12.0
    rows: list[list[int]] = [[]]
    used = 0.0
    for i, w in enumerate(_legend_widths(legend)):
        if rows[-1] and used + gap + w > width - 8:
            rows.append([])
            used = 0.0
        used += (gap if rows[-1] else 0.0) + w
        rows[-1].append(i)
    return rows


def _legend(chart: Chart) -> None:
    """The legend centred under the x label, in as many rows as the width asks: each
    entry's sample as drawn."""
    size = TEXT
    widths = _legend_widths(chart.legend)
    gap = 12.0
    rows = legend_rows(chart.width, chart.legend)
    for r, row in enumerate(rows):
        x = (chart.width - (sum(widths[i] for i in row) + gap * (len(row) - 1))) / 2
        y = 9.0 + (len(rows) - 1 - r) * (size + 5)
        for i in row:
            kind, text = chart.legend[i]
            _sample(chart, kind, x, y + 2.6)
            chart.add(_string(x + 20, y, text, size))
            x += widths[i] + gap


def _sample(chart: Chart, kind: str, x: float, mid: float) -> None:
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


def _signals_text(count: int, what: str) -> str:
    return f"{count} {'week' if count == 1 else 'weeks'} {what}."


def _summary(chart: Chart, parts: list[str], signals: Sequence[Any]) -> str:
    """The latest week and the centre, then every signal: the marked weeks by shape, and
    the sentence of a signal about the whole series (too few crossings, for one)."""
    whole = [s.sentence for s in signals if not s.points]
    none = [] if signals else ["No signal."]
    return " ".join([_latest(chart, chart.unit), *parts, *whole, *none])


def _latest(chart: Chart, unit: str) -> str:
    last = next(((i, v) for i, v in reversed(list(enumerate(chart.values))) if v is not None), None)
    if last is None:
        return "No week has data yet."
    i, v = last
    return f"Latest, {chart.weeks[i]}: {_number(v, unit)}."


def _mark(chart: Chart, weeks: Sequence[int], kind: str, size: float) -> None:
    for i in weeks:
        v = chart.values[i]
        if v is not None:
            chart.add(_marker(kind, chart.x(i), chart.y(v), size, VERMILLION))


def _what(signal: Any) -> str:
    """What a point is part of, said short: "a run of 8 or more above the centre line"."""
    sentence = str(signal.sentence).rstrip(".")
    if signal.rule == "run":
        return "part of a run: " + sentence[0].lower() + sentence[1:]
    return "part of a signal: " + sentence[0].lower() + sentence[1:]


def _run(series: Series, line_label: str, titled: bool, size: tuple[float, float] | None) -> Chart:
    chart = Chart(titled, size)
    chart.title, chart.weeks, chart.line_label = series.title, list(series.weeks), line_label
    chart.unit, chart.rules = series.ylabel, series.analysis.rule_text
    analysis = series.analysis
    values = list(series.values)
    chart.values = values
    flagged = sorted({i for s in analysis.signals for i in s.points if values[i] is not None})
    for sig in analysis.signals:
        for i in sig.points:
            chart.flags.setdefault(i, _what(sig))
    chart.legend.append(("data", line_label))
    if analysis.median is not None:
        chart.legend.append(("median", "median"))
        chart.line_labels.append((analysis.median, f" median {_number(analysis.median, '')}"))
    if flagged:
        chart.legend.append(("^", "part of a signal"))
    n = sum(1 for v in values if v is not None)
    chart.head(series.title if titled else None, f"n = {n} weeks")
    chart.make_room([t for _, t in chart.line_labels], len(legend_rows(chart.width, chart.legend)))
    top = max([v for v in values if v is not None] or [1.0])
    chart.high = max(1.0, top) * 1.12
    _frame(chart, series.ylabel, integer=True)  # counts are whole numbers
    if analysis.median is not None:
        chart.add(_hline(chart, analysis.median, CENTRE, 1.1, [3.7, 1.6]))
    _data_line(chart, values, 1.3)
    _mark(chart, flagged, "^", 8)
    _box(chart)
    _title(chart)
    _label_lines(chart)
    _legend(chart)
    median = [f"Median {_number(analysis.median, '')}."] if analysis.median is not None else []
    marked = (
        [_signals_text(len(flagged), "marked with a triangle, part of a signal")] if flagged else []
    )
    chart.summary = _summary(chart, median + marked, analysis.signals)
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
    """Points with per-point 3-sigma limits; points outside marked with an X, the points
    of every other signal (a run on one side of the centre) with a triangle; gaps kept."""
    chart = Chart(titled, size)
    chart.title, chart.weeks, chart.line_label = series.title, list(series.weeks), "weekly value"
    analysis = series.analysis
    chart.rules = analysis.rule_text
    scale = 100.0 if percent else 1.0
    unit = "%" if percent else ""
    chart.unit = "%" if percent else series.ylabel

    def scaled(v: float | None) -> float | None:
        return None if v is None else v * scale

    values = [scaled(p.value) for p in analysis.points]
    chart.values = values
    ucl = [scaled(p.ucl) for p in analysis.points]
    lcl = [scaled(p.lcl) for p in analysis.points]
    out = [i for i, p in enumerate(analysis.points) if p.outside and values[i] is not None]
    other = [s for s in analysis.signals if s.rule != "outside_limits"]
    in_run = sorted({i for s in other for i in s.points if values[i] is not None} - set(out))
    for i in out:
        chart.flags[i] = "outside the limits"
    for sig in other:
        for i in sig.points:
            chart.flags.setdefault(i, _what(sig))
    chart.legend.append(("data", "weekly value"))
    if analysis.centre is not None:
        centre = analysis.centre * scale
        chart.legend.append(("centre", "centre line (mean)"))
        chart.line_labels.append((centre, f" centre {_number(centre, unit)}"))
        chart.legend.append(("limits", "3-sigma limits"))
        # The limits of the last week with data: the lines reaching furthest right.
        last = next((i for i in reversed(range(len(values))) if ucl[i] is not None), None)
        high, low = (ucl[last], lcl[last]) if last is not None else (None, None)
        if high is not None:
            chart.line_labels.append((high, f" upper limit {_number(high, unit)}"))
        if low is not None:
            chart.line_labels.append((low, f" lower limit {_number(low, unit)}"))
    if target is not None:
        # Named at the right edge with the other lines, clear of the data.
        chart.line_labels.append((target, f" target {target:.0f}%"))
    if out:
        chart.legend.append(("X", "outside the limits"))
    if in_run:
        chart.legend.append(("^", "part of a run on one side"))
    n = sum(1 for v in values if v is not None)
    chart.head(series.title if titled else None, f"n = {n} weeks")
    chart.make_room([t for _, t in chart.line_labels], len(legend_rows(chart.width, chart.legend)))
    highs = [v for v in values + ucl if v is not None]
    top = max(highs or [1.0])
    chart.high = min(105.0, max(10.0, top * 1.08)) if percent else max(1.0, top * 1.1)
    if target is not None:
        chart.high = max(chart.high, min(105.0, target * 1.1))
    _frame(chart, series.ylabel + (" (%)" if percent else ""), integer=False)
    if analysis.centre is not None:
        chart.add(_hline(chart, analysis.centre * scale, CENTRE, 1.1, None))
        for limits in (ucl, lcl):
            for run in _steps(chart, limits):
                chart.add(
                    PolyLine(run, strokeColor=_colour(LIMIT), strokeWidth=1.1,
                             strokeDashArray=[4, 2])
                )  # fmt: skip
    if target is not None:
        chart.add(_hline(chart, target, TARGET, 1.8, [1.2, 2.4]))
    _data_line(chart, values, 1.2)
    _mark(chart, out, "X", 9)
    _mark(chart, in_run, "^", 8)
    _box(chart)
    _title(chart)
    _label_lines(chart)
    _legend(chart)
    said = []
    if analysis.centre is not None:
        said.append(f"Centre {_number(analysis.centre * scale, unit)}.")
    if target is not None:
        said.append(f"Target {target:.0f}%.")
    if out:
        said.append(_signals_text(len(out), "outside the limits, marked with an X"))
    for sig in other:
        if sig.points:
            said.append(f"{sig.sentence} Marked with a triangle.")
    chart.summary = _summary(chart, said, analysis.signals)
    return chart


def _steps(chart: Chart, limits: Sequence[float | None]) -> list[list[float]]:
    """A limit as steps changing half-way between weeks, each run beginning and ending at
    its own first and last week; a week without a limit breaks it, and a week alone
    between two without gets a short tick of its own."""
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
        if len(run) == 4:  # one week alone: a tick across its point
            run[0], run[2] = run[0] - half * 0.6, run[2] - half * 0.4
        else:
            run[-2] -= half
    return runs


def p_chart_with_target(
    series: Series,
    target_pct: float,
    *,
    titled: bool = True,
    size: tuple[float, float] | None = None,
) -> Chart:
    """A p-chart in per cent with the reviewers' target drawn as a dotted line, named at
    the right edge with the centre and the limits, clear of the data."""
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
