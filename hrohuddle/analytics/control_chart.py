"""Shewhart control charts for event data: u-, p- and c-charts.

Per-point 3-sigma limits; lower limits below zero are drawn at zero (and upper
limits of a proportion above one at one). Rules flagged: a point outside the
limits, and 8 or more points in a row on one side of the centre line.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from hrohuddle.analytics.signals import Signal

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


@dataclass(frozen=True)
class ControlChart:
    kind: str
    centre: float | None
    points: list[Point]
    signals: tuple[Signal, ...] = ()
    skipped: list[int] = field(default_factory=list)
    rule_text: str = RULE_TEXT
    note: str = ""

    @property
    def values(self) -> list[float | None]:
        return [p.value for p in self.points]

    @property
    def run_points(self) -> list[int]:
        """The points of every run of RUN_LENGTH or more on one side of the centre."""
        return sorted({i for s in self.signals if s.rule == "run" for i in s.points})


def _runs(centre: float, points: list[Point]) -> list[tuple[int, list[int]]]:
    """Runs of points on one side of the centre (+1 above, -1 below), each with its
    points; gaps and points on the centre neither count nor break a run."""
    runs: list[tuple[int, list[int]]] = []
    for i, p in enumerate(points):
        if p.value is None or p.value == centre:
            continue
        side = 1 if p.value > centre else -1
        if runs and runs[-1][0] == side:
            runs[-1][1].append(i)
        else:
            runs.append((side, [i]))
    return runs


def _finish(
    kind: str, centre: float | None, points: list[Point], skipped: list[int]
) -> ControlChart:
    signals: list[Signal] = []
    outside = tuple(i for i, p in enumerate(points) if p.outside)
    if outside:
        words = f"{len(outside)} point(s) outside the control limits."
        signals.append(Signal("outside_limits", outside, words))
    if centre is not None:
        for side, run in _runs(centre, points):
            if len(run) >= RUN_LENGTH:
                signals.append(
                    Signal(
                        "run",
                        tuple(run),
                        f"{RUN_LENGTH} or more points in a row "
                        f"{'above' if side > 0 else 'below'} the centre line.",
                    )
                )
    return ControlChart(kind, centre, points, tuple(signals), skipped)


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
