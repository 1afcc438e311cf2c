"""Charts as matplotlib Figures (never pyplot): drawn on the Agg canvas for PDFs and
on FigureCanvasQTAgg on screen. Okabe-Ito colours, and marker shapes and line
styles that still read in grayscale print: data a solid line with dots, the centre
a solid dark line, limits a dashed black line, signals a large outlined marker."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from matplotlib.figure import Figure

from hrohuddle.services.reporting import Series, Week

# Colours of the Okabe-Ito palette, safe for colour-blind readers.
BLUE, VERMILLION = "#0072B2", "#D55E00"
LIMIT = "#1A1A1A"
CENTRE = "#4D4D4D"


def _figure(width: float = 7.2, height: float = 2.9) -> Figure:
    return Figure(figsize=(width, height), dpi=100, layout="constrained")


# Room in inches around a chart's plot for the y label and its ticks (left), the line
# labels (right), the two-line ticks, the x label and the legend (bottom), and the title
# above: two lines on screen, the period line alone in a report (its title is the caption).
LEFT_IN, RIGHT_IN, BOTTOM_IN, SCREEN_TOP_IN = 0.61, 1.04, 0.87, 0.62


def _fixed_axes(titled: bool) -> tuple[Figure, Any]:
    """A figure and its axes with fixed margins: drawn once, not twice as a layout engine
    needs (it measures the text in a first pass), which halves the time of every chart.
    In a report the size is known, so the margins are fractions of it; on screen the
    canvas takes any size, so the margins stay the same in inches whatever it is."""
    fig = Figure(figsize=(7.2, 2.9), dpi=100)
    if not titled:
        fig.subplots_adjust(left=0.085, right=0.855, top=0.9, bottom=0.3)
        return fig, fig.add_subplot()
    from mpl_toolkits.axes_grid1 import axes_size
    from mpl_toolkits.axes_grid1.axes_divider import Divider

    divider = Divider(
        fig,
        (0, 0, 1, 1),
        [axes_size.Fixed(LEFT_IN), axes_size.Scaled(1), axes_size.Fixed(RIGHT_IN)],
        [axes_size.Fixed(BOTTOM_IN), axes_size.Scaled(1), axes_size.Fixed(SCREEN_TOP_IN)],
        aspect=False,
    )
    ax = fig.add_axes(divider.get_position(), axes_locator=divider.new_locator(nx=1, ny=1))
    return fig, ax


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


def _title(ax: Any, title: str | None, weeks: list[str], n_text: str) -> None:
    # The title on one line and the period on the next: never wrapped mid-bracket. In a
    # PDF the title is the caption above the picture, so only the period is drawn.
    period = f"{period_text(weeks)}, {n_text}"
    # On screen, raised clear of the line labels at the top right (an upper limit at
    # the top runs under a title wider than the plot).
    ax.set_title(
        f"{title}\n{period}" if title else period, fontsize=9, loc="left", pad=12 if title else 6
    )


def _ticks(ax: Any, labels: list[str]) -> None:
    step = max(1, math.ceil(len(labels) / 8))
    idx = list(range(0, len(labels), step))
    texts = []
    for i in idx:
        monday = _monday(labels[i])
        week = labels[i].split("-")[-1]
        texts.append(f"{week}\n{monday.day} {monday:%b}" if monday else labels[i])
    ax.set_xticks(idx)
    ax.set_xticklabels(texts, fontsize=7.5)
    ax.set_xlabel("ISO week and its Monday", fontsize=8.5)
    ax.set_xlim(-0.6, len(labels) - 0.4)


def _gapped(values: list[float | None], scale: float = 1.0) -> list[float]:
    """None becomes NaN, so the line breaks at a week without data instead of bridging it."""
    return [float("nan") if v is None else v * scale for v in values]


def _number(v: float, unit: str) -> str:
    if unit == "%":
        return f"{v:.0f}%"
    text = f"{v:.0f}" if abs(v) >= 10 or float(v).is_integer() else f"{v:.1f}"
    return f"{text} {unit}".strip()


def _label_lines(ax: Any, labels: list[tuple[float, str]]) -> None:
    """Labels of horizontal lines at the right edge, outside the plotted points, spread
    apart so that two close lines (a limit near the centre) never print over each other."""
    low, high = ax.get_ylim()
    gap = (high - low) * 0.11
    placed: list[float] = []
    for y, text in sorted(labels):
        at = max(y, placed[-1] + gap) if placed else y
        placed.append(at)
        ax.annotate(
            text,
            xy=(1.0, y),
            xycoords=("axes fraction", "data"),
            xytext=(1.0, at),
            textcoords=("axes fraction", "data"),
            fontsize=7.5,
            va="center",
            ha="left",
            color="black",
            annotation_clip=False,
        )


def _legend(ax: Any, fig: Figure) -> None:
    handles, labels = ax.get_legend_handles_labels()
    if handles:
        fig.legend(
            handles,
            labels,
            loc="outside lower center" if fig.get_layout_engine() else "lower center",
            ncols=len(handles),
            fontsize=7.5,
            frameon=False,
        )


def run_chart(series: Series, *, titled: bool = True) -> Figure:
    """Weekly counts from zero, the median labelled, signal points marked with a triangle."""
    fig, ax = _fixed_axes(titled)
    ys = _gapped(series.values)
    ax.plot(
        range(len(ys)),
        ys,
        color=BLUE,
        marker="o",
        markersize=3.5,
        linewidth=1.3,
        label="reports in the week",
    )
    chart = series.analysis
    if chart.median is not None:
        ax.axhline(chart.median, color=CENTRE, linestyle="--", linewidth=1.1, label="median")
    flagged = sorted({i for s in chart.signals for i in s.points})
    if flagged:
        ax.plot(
            flagged,
            [series.values[i] for i in flagged],
            linestyle="none",
            marker="^",
            markersize=8,
            color=VERMILLION,
            markeredgecolor="black",
            label="part of a signal",
        )
    n = sum(1 for v in series.values if v is not None)
    _title(ax, series.title if titled else None, series.weeks, f"n = {n} weeks")
    ax.set_ylabel(series.ylabel, fontsize=8.5)
    top = max([v for v in series.values if v is not None] or [1.0])
    ax.set_ylim(0, max(1.0, top) * 1.12)
    from matplotlib.ticker import MaxNLocator

    ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # counts are whole numbers
    if chart.median is not None:
        _label_lines(ax, [(chart.median, f" median {_number(chart.median, '')}")])
    _ticks(ax, series.weeks)
    ax.grid(axis="y", color="#E5E5E5")
    _legend(ax, fig)
    return fig


def control_chart(series: Series, *, percent: bool = False, titled: bool = True) -> Figure:
    """Points with per-point 3-sigma limits; points outside marked with an X; gaps kept."""
    fig, ax = _fixed_axes(titled)
    chart = series.analysis
    scale = 100.0 if percent else 1.0
    unit = "%" if percent else ""
    values = [p.value for p in chart.points]
    line_labels: list[tuple[float, str]] = []
    ax.plot(
        range(len(values)),
        _gapped(values, scale),
        color=BLUE,
        marker="o",
        markersize=3.5,
        linewidth=1.2,
        label="weekly value",
    )
    if chart.centre is not None:
        centre = chart.centre * scale
        ax.axhline(centre, color=CENTRE, linewidth=1.1, label="centre line (mean)")
        line_labels.append((centre, f" centre {_number(centre, unit)}"))
        ucl = _gapped([p.ucl for p in chart.points], scale)
        lcl = _gapped([p.lcl for p in chart.points], scale)
        ax.step(
            range(len(ucl)),
            ucl,
            where="mid",
            color=LIMIT,
            linestyle=(0, (4, 2)),
            linewidth=1.1,
            label="3-sigma limits",
        )
        ax.step(
            range(len(lcl)), lcl, where="mid", color=LIMIT, linestyle=(0, (4, 2)), linewidth=1.1
        )
        last_u = next((u for u in reversed(ucl) if not math.isnan(u)), None)
        last_l = next((v for v in reversed(lcl) if not math.isnan(v)), None)
        if last_u is not None:
            line_labels.append((last_u, f" upper limit {_number(last_u, unit)}"))
        if last_l is not None:
            line_labels.append((last_l, f" lower limit {_number(last_l, unit)}"))
    out = [i for i, p in enumerate(chart.points) if p.outside]
    if out:
        ax.plot(
            out,
            [chart.points[i].value * scale for i in out],
            linestyle="none",
            marker="X",
            markersize=9,
            color=VERMILLION,
            markeredgecolor="black",
            label="outside the limits",
        )
    n = sum(1 for v in values if v is not None)
    _title(ax, series.title if titled else None, series.weeks, f"n = {n} weeks")
    ax.set_ylabel(series.ylabel + (" (%)" if percent else ""), fontsize=8.5)
    highs = [v * scale for p in chart.points for v in (p.value, p.ucl) if v is not None]
    top = max(highs or [1.0])
    ax.set_ylim(0, min(105.0, max(10.0, top * 1.08)) if percent else max(1.0, top * 1.1))
    _label_lines(ax, line_labels)
    _ticks(ax, series.weeks)
    ax.grid(axis="y", color="#E5E5E5")
    _legend(ax, fig)
    return fig


def picture(fig: Figure, dpi: int = 150) -> Any:
    """The figure drawn on the Agg canvas, as an RGB PIL image for the PDF.

    The pixels go to reportlab as they are: encoding a PNG only for reportlab to
    decode it again cost more than drawing the chart. The figure's background is
    opaque, so dropping the alpha channel spares the PDF a soft mask and changes
    nothing that shows.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image

    canvas = FigureCanvasAgg(fig)
    fig.set_dpi(dpi)
    canvas.draw()  # type: ignore[no-untyped-call]
    width, height = canvas.get_width_height()
    pixels = canvas.buffer_rgba()  # type: ignore[no-untyped-call]
    return Image.frombuffer("RGBA", (width, height), pixels, "raw", "RGBA", 0, 1).convert("RGB")


#: The target line: bluish green and dotted, apart from the limits in grayscale too.
TARGET = "#009E73"


def p_chart_with_target(series: Series, target_pct: float, *, titled: bool = True) -> Figure:
    """A p-chart in per cent with the reviewers' target drawn as a dotted line, named on
    the line inside the plot at the left (the right edge holds the limits' labels, and
    the legend has no room for a fifth entry on a half-width chart)."""
    fig = control_chart(series, percent=True, titled=titled)
    ax = fig.axes[0]
    low, high = ax.get_ylim()
    ax.set_ylim(low, max(high, min(105.0, target_pct * 1.1)))
    ax.axhline(target_pct, color=TARGET, linestyle=":", linewidth=1.8)
    ax.annotate(
        f"target {target_pct:.0f}%",
        xy=(0.01, target_pct),
        xycoords=("axes fraction", "data"),
        xytext=(0, 3),
        textcoords="offset points",
        fontsize=7.5,
        color="black",
        va="bottom",
    )
    return fig


def run_chart_of(series: Series, line_label: str, *, titled: bool = True) -> Figure:
    """A run chart whose line is not a count of reports (days, for example)."""
    fig = run_chart(series, titled=titled)
    ax = fig.axes[0]
    ax.lines[0].set_label(line_label)
    for legend in list(fig.legends):
        legend.remove()
    _legend(ax, fig)
    return fig
