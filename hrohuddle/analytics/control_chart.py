"""Shewhart control charts for event data: u-, p- and c-charts.

Per-point 3-sigma limits; lower limits below zero are drawn at zero (and upper
limits of a proportion above one at one). Rules flagged: a point outside the
limits, and 8 or more points in a row on one side of the centre line.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

RULE_TEXT = (
    "Shewhart rules: a point outside the 3-sigma limits; 8 or more points in a row "
    "on one side of the centre line."
)
RUN_LENGTH = 8


@dataclass(frozen=True)
class Point:
    value: float | None  # None where the exposure is zero or missing
    lcl: float | None
    ucl: float | None
    outside: bool


@dataclass
class ControlChart:
    kind: str
    centre: float | None
    points: list[Point]
    signals: list[str] = field(default_factory=list)
    run_points: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)
    rule_text: str = RULE_TEXT


def _finish(
    kind: str, centre: float | None, points: list[Point], skipped: list[int]
) -> ControlChart:
    chart = ControlChart(kind, centre, points, skipped=skipped)
    outside = [i for i, p in enumerate(points) if p.outside]
    if outside:
        chart.signals.append(f"{len(outside)} point(s) outside the control limits.")
    if centre is not None:
        run: list[int] = []
        side = 0
        for i, p in enumerate(points):
            if p.value is None or p.value == centre:
                continue
            s = 1 if p.value > centre else -1
            run = [*run, i] if s == side else [i]
            side = s
            if len(run) == RUN_LENGTH:
                chart.signals.append(
                    f"{RUN_LENGTH} or more points in a row "
                    f"{'above' if s > 0 else 'below'} the centre line."
                )
            if len(run) >= RUN_LENGTH:
                chart.run_points = sorted(set(chart.run_points) | set(run))
    return chart


def u_chart(counts: Sequence[float], exposure: Sequence[float | None]) -> ControlChart:
    """Counts per unit of exposure (for example reports per 1,000 patient-days).

    ``exposure`` is in the chart's unit (patient-days / 1000). A period with no or
    zero exposure is skipped and listed in ``skipped``.
    """
    if len(counts) != len(exposure):
        raise ValueError("counts and exposure differ in length")
    usable = [(c, n) for c, n in zip(counts, exposure, strict=True) if n]
    total_n = sum(n for _c, n in usable)
    centre = sum(c for c, _n in usable) / total_n if total_n else None
    points, skipped = [], []
    for i, (c, n) in enumerate(zip(counts, exposure, strict=True)):
        if not n or centre is None:
            skipped.append(i)
            points.append(Point(None, None, None, False))
            continue
        sigma = math.sqrt(centre / n)
        lcl, ucl = max(0.0, centre - 3 * sigma), centre + 3 * sigma
        value = c / n
        points.append(Point(value, lcl, ucl, value < lcl or value > ucl))
    return _finish("u", centre, points, skipped)


def p_chart(events: Sequence[int], totals: Sequence[int]) -> ControlChart:
    """Proportions with varying denominators (huddles held, behaviours observed)."""
    if len(events) != len(totals):
        raise ValueError("events and totals differ in length")
    if any(x > n for x, n in zip(events, totals, strict=True)):
        raise ValueError("a count is larger than its denominator")
    total = sum(totals)
    centre = sum(events) / total if total else None
    points, skipped = [], []
    for i, (x, n) in enumerate(zip(events, totals, strict=True)):
        if not n or centre is None:
            skipped.append(i)
            points.append(Point(None, None, None, False))
            continue
        sigma = math.sqrt(centre * (1 - centre) / n)
        lcl, ucl = max(0.0, centre - 3 * sigma), min(1.0, centre + 3 * sigma)
        value = x / n
        points.append(Point(value, lcl, ucl, value < lcl or value > ucl))
    return _finish("p", centre, points, skipped)


def c_chart(counts: Sequence[float]) -> ControlChart:
    """Counts with equal exposure in every period."""
    if not counts:
        return ControlChart("c", None, [])
    centre = sum(counts) / len(counts)
    sigma = math.sqrt(centre)
    lcl, ucl = max(0.0, centre - 3 * sigma), centre + 3 * sigma
    points = [Point(float(c), lcl, ucl, c < lcl or c > ucl) for c in counts]
    return _finish("c", centre, points, [])
