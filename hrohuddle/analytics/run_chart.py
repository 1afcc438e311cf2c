"""Run-chart analysis: median, runs, crossings, and the published signal rules.

Two rule sets:

* Anhøj (Anhøj J, Olesen AV. PLoS ONE 2014;9(11):e113825), the default: an
  unusually long run (longest run > round(log2(n) + 3)) or too few crossings
  (crossings < the 5th percentile of Binomial(n - 1, 0.5)), where n is the
  number of useful observations (those not on the median).
* IHI (Perla RJ, Provost LP, Murray SK. BMJ Qual Saf 2011;20:46-51): a shift
  (6 or more consecutive points on one side of the median), a trend (5 or more
  points all going up or all going down; equal neighbours count once), too few
  or too many runs (limits from the runs distribution at 5% two-sided), and an
  astronomical point, flagged only when a person marks it.

Points on the median neither count towards a run nor break it.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from hrohuddle.analytics.signals import Signal

ANHOJ = "anhoj"
IHI = "ihi"

RULE_TEXT = {
    ANHOJ: (
        "Anhøj rules: a run longer than round(log2(n) + 3) points, or fewer median "
        "crossings than the 5th percentile of Binomial(n - 1, 0.5), n = points not on the "
        "median."
    ),
    IHI: (
        "IHI run-chart rules (Perla, Provost and Murray 2011): shift of 6 or more points on "
        "one side of the median; trend of 5 or more points going one way; too few or too "
        "many runs; astronomical point when marked."
    ),
}


@dataclass(frozen=True)
class RunChart:
    values: list[float | None]
    median: float | None
    useful: int
    runs: int
    crossings: int
    longest_run: int
    rules: str
    signals: tuple[Signal, ...] = ()
    limits: dict[str, int] = field(default_factory=dict)
    note: str = ""

    @property
    def centre(self) -> float | None:
        """The centre line of a run chart is its median."""
        return self.median

    @property
    def rule_text(self) -> str:
        return RULE_TEXT[self.rules]


def _sides(values: Sequence[float | None], median: float) -> list[tuple[int, int]]:
    """(index, +1 above / -1 below) for every point not on the median."""
    return [
        (i, 1 if v > median else -1) for i, v in enumerate(values) if v is not None and v != median
    ]


def _runs(sides: list[tuple[int, int]]) -> list[list[int]]:
    runs: list[list[int]] = []
    last = 0
    for i, side in sides:
        if runs and side == last:
            runs[-1].append(i)
        else:
            runs.append([i])
        last = side
    return runs


def binom_quantile(p: float, n: int, q: float = 0.5) -> int:
    """The smallest x with P(X <= x) >= p for X ~ Binomial(n, q) (R's qbinom)."""
    total = 0.0
    for x in range(n + 1):
        total += math.comb(n, x) * q**x * (1 - q) ** (n - x)
        if total >= p - 1e-12:
            return x
    return n


def runs_pmf(n1: int, n2: int) -> dict[int, float]:
    """The distribution of the number of runs for n1 and n2 points on either side."""
    total = math.comb(n1 + n2, n1)
    pmf: dict[int, float] = {}
    if n1 == 0 or n2 == 0:
        return {1: 1.0}
    for r in range(2, n1 + n2 + 1):
        k = r // 2
        if r % 2 == 0:
            ways = 2 * math.comb(n1 - 1, k - 1) * math.comb(n2 - 1, k - 1)
        else:
            ways = math.comb(n1 - 1, k - 1) * math.comb(n2 - 1, k) + math.comb(
                n1 - 1, k
            ) * math.comb(n2 - 1, k - 1)
        if ways:
            pmf[r] = ways / total
    return pmf


def runs_limits(n: int, alpha: float = 0.05) -> tuple[int, int]:
    """(fewest, most) runs expected for n useful points, two-sided at ``alpha``.

    Fewer runs than the first, or more than the second, is a signal. The limits
    are computed exactly from the runs distribution (Swed and Eisenhart) with the
    points split evenly, 2.5% in each tail; Perla et al. (2011) tabulate limits
    from the same distribution, so a few n differ from their printed table by one.
    """
    n1, n2 = n // 2, n - n // 2
    pmf = runs_pmf(n1, n2)
    lower, cumulative = min(pmf), 0.0
    for r in sorted(pmf):
        if cumulative + pmf[r] > alpha / 2:
            lower = r
            break
        cumulative += pmf[r]
    upper, tail = max(pmf), 0.0
    for r in sorted(pmf, reverse=True):
        if tail + pmf[r] > alpha / 2:
            upper = r
            break
        tail += pmf[r]
    return lower, upper


def analyse(
    values: Sequence[float | None],
    *,
    rules: str = ANHOJ,
    astronomical: Sequence[int] = (),
    min_points: int = 10,
) -> RunChart:
    """Analyse a series in time order (None for a period with no data).

    With fewer than ``min_points`` points the chart is drawn but no signal is
    tested, and ``note`` says so.
    """
    if rules not in RULE_TEXT:
        raise ValueError(f"unknown rule set {rules!r}")
    present = [v for v in values if v is not None]
    if not present:
        return RunChart(list(values), None, 0, 0, 0, 0, rules, note="No data in this period.")
    median = statistics.median(present)
    sides = _sides(values, median)
    runs = _runs(sides)
    useful = len(sides)
    crossings = max(0, len(runs) - 1)
    longest = max((len(r) for r in runs), default=0)
    chart = RunChart(list(values), median, useful, len(runs), crossings, longest, rules)
    if len(present) < min_points:
        return replace(
            chart,
            note=f"Only {len(present)} points: at least {min_points} are needed before "
            "run-chart rules are tested.",
        )
    if useful == 0:
        return replace(chart, note="Every point is on the median: no runs to test.")
    signals: list[Signal] = []
    if rules == ANHOJ:
        limit = round(math.log2(useful) + 3)
        min_cross = binom_quantile(0.05, useful - 1)
        limits = {"longest_run_max": limit, "crossings_min": min_cross}
        for run in runs:
            if len(run) > limit:
                signals.append(
                    Signal(
                        "shift",
                        tuple(run),
                        f"Unusually long run: {len(run)} points on one side of the median "
                        f"(more than {limit}).",
                    )
                )
        if crossings < min_cross:
            signals.append(
                Signal(
                    "few_crossings",
                    (),
                    f"Too few crossings of the median: {crossings} (fewer than {min_cross}).",
                )
            )
    else:
        for run in runs:
            if len(run) >= 6:
                signals.append(
                    Signal(
                        "shift",
                        tuple(run),
                        f"Shift: {len(run)} points in a row on one side of the median.",
                    )
                )
        signals += _trends(values)
        lower, upper = runs_limits(useful)
        limits = {"runs_min": lower, "runs_max": upper}
        if len(runs) < lower:
            signals.append(
                Signal(
                    "too_few_runs", (), f"Too few runs: {len(runs)} (expected {lower} to {upper})."
                )
            )
        elif len(runs) > upper:
            signals.append(
                Signal(
                    "too_many_runs",
                    (),
                    f"Too many runs: {len(runs)} (expected {lower} to {upper}).",
                )
            )
    for i in astronomical:
        signals.append(Signal("astronomical", (i,), "Astronomical point, marked by a reviewer."))
    return replace(chart, signals=tuple(signals), limits=limits)


def _trends(values: Sequence[float | None]) -> list[Signal]:
    """Runs of 5 or more points all going up or all going down; equal neighbours count once."""
    pts = [(i, v) for i, v in enumerate(values) if v is not None]
    dedup: list[tuple[int, float]] = []
    for i, v in pts:
        if dedup and dedup[-1][1] == v:
            continue
        dedup.append((i, v))
    signals: list[Signal] = []
    start = 0
    direction = 0
    for k in range(1, len(dedup) + 1):
        step = 0
        if k < len(dedup):
            step = 1 if dedup[k][1] > dedup[k - 1][1] else -1
        if k < len(dedup) and (direction == 0 or step == direction):
            direction = step
            continue
        length = k - start
        if length >= 5 and direction != 0:
            idx = tuple(i for i, _ in dedup[start:k])
            word = "up" if direction > 0 else "down"
            signals.append(Signal("trend", idx, f"Trend: {length} points in a row going {word}."))
        start = k - 1
        direction = step
    return signals
