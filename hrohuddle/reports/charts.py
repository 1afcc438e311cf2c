"""Charts as matplotlib Figures (never pyplot): drawn on the Agg canvas for PDFs and
on FigureCanvasQTAgg on screen. Okabe-Ito colours, and marker shapes and line
styles that still read in grayscale print."""

from __future__ import annotations

import io
from typing import Any

from matplotlib.figure import Figure

from hrohuddle.services.reporting import Series

OKABE_ITO = ["#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7"]
BLUE, ORANGE, VERMILLION, GREEN = "#0072B2", "#E69F00", "#D55E00", "#009E73"


def _figure(width: float = 7.2, height: float = 3.0) -> Figure:
    fig = Figure(figsize=(width, height), dpi=100, layout="constrained")
    return fig


def _title(ax: Any, text: str) -> None:
    import textwrap

    ax.set_title("\n".join(textwrap.wrap(text, 70)), fontsize=10)


def _ticks(ax: Any, labels: list[str]) -> None:
    step = max(1, len(labels) // 7)
    ax.set_xticks(range(0, len(labels), step))
    ax.set_xticklabels([labels[i][2:] for i in range(0, len(labels), step)], fontsize=8)
    ax.set_xlabel("ISO week", fontsize=9)


def run_chart(series: Series) -> Figure:
    """Weekly values, the median labelled, signal points marked with a triangle."""
    fig = _figure()
    ax = fig.add_subplot()
    xs = [i for i, v in enumerate(series.values) if v is not None]
    ys = [v for v in series.values if v is not None]
    ax.plot(xs, ys, color=BLUE, marker="o", markersize=4, linewidth=1.4, label="weekly value")
    chart = series.analysis
    if chart.median is not None:
        ax.axhline(chart.median, color="#333333", linestyle="--", linewidth=1)
        ax.annotate(
            f"median {chart.median:g}",
            xy=(len(series.values) - 1, chart.median),
            xytext=(4, 4),
            textcoords="offset points",
            fontsize=8,
            ha="right",
        )
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
            label="signal",
        )
        ax.legend(fontsize=8, loc="best")
    n = sum(1 for v in series.values if v is not None)
    _title(ax, f"{series.title}, {series.weeks[0]} to {series.weeks[-1]} (n = {n} weeks)")
    ax.set_ylabel(series.ylabel, fontsize=9)
    _ticks(ax, series.weeks)
    ax.grid(axis="y", color="#DDDDDD")
    return fig


def control_chart(series: Series, *, percent: bool = False) -> Figure:
    """Points with per-point 3-sigma limits; points outside marked with an X."""
    fig = _figure()
    ax = fig.add_subplot()
    chart = series.analysis
    scale = 100.0 if percent else 1.0
    xs = [i for i, p in enumerate(chart.points) if p.value is not None]
    ax.plot(
        xs,
        [chart.points[i].value * scale for i in xs],
        color=BLUE,
        marker="o",
        markersize=4,
        linewidth=1.2,
    )
    if chart.centre is not None:
        ax.axhline(chart.centre * scale, color="#333333", linewidth=1)
        ax.annotate(
            f"centre {chart.centre * scale:.2f}",
            xy=(len(chart.points) - 1, chart.centre * scale),
            xytext=(4, 4),
            textcoords="offset points",
            fontsize=8,
            ha="right",
        )
        ucl = [p.ucl * scale if p.ucl is not None else None for p in chart.points]
        lcl = [p.lcl * scale if p.lcl is not None else None for p in chart.points]
        ax.step(
            range(len(ucl)),
            [u if u is not None else float("nan") for u in ucl],
            where="mid",
            color=ORANGE,
            linestyle=":",
            linewidth=1.2,
            label="3-sigma limits",
        )
        ax.step(
            range(len(lcl)),
            [v if v is not None else float("nan") for v in lcl],
            where="mid",
            color=ORANGE,
            linestyle=":",
            linewidth=1.2,
        )
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
            label="outside limits",
        )
    ax.legend(fontsize=8, loc="best")
    _title(ax, f"{series.title}, {series.weeks[0]} to {series.weeks[-1]} (n = {len(xs)} weeks)")
    ax.set_ylabel(series.ylabel + (" (%)" if percent else ""), fontsize=9)
    _ticks(ax, series.weeks)
    ax.grid(axis="y", color="#DDDDDD")
    return fig


def bars(values: dict[str, float], title: str, xlabel: str) -> Figure:
    """Horizontal bars with the value written at each bar's end."""
    items = sorted(values.items(), key=lambda kv: kv[1])
    fig = _figure(7.2, max(1.4, 0.32 * len(items) + 0.8))
    ax = fig.add_subplot()
    names = [k for k, _ in items]
    nums = [v for _, v in items]
    ax.barh(names, nums, color=BLUE, edgecolor="black", linewidth=0.5, hatch="//")
    for y, v in enumerate(nums):
        ax.annotate(
            f"{v:g}", xy=(v, y), xytext=(3, 0), textcoords="offset points", va="center", fontsize=8
        )
    _title(ax, title)
    ax.set_xlabel(xlabel, fontsize=9)
    ax.tick_params(axis="y", labelsize=8)
    return fig


def png(fig: Figure, dpi: int = 150) -> bytes:
    """The figure as PNG bytes, rendered on the Agg canvas."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()
