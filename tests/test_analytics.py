"""Run-chart and control-chart rules against hand-computed and published examples."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hrohuddle.analytics import control_chart as cc
from hrohuddle.analytics import run_chart as rc


def test_median_runs_and_crossings_by_hand() -> None:
    # median 5; points on the median (index 4) neither count nor break a run.
    values = [1, 2, 8, 9, 5, 7, 3, 2, 6, 9]
    chart = rc.analyse(values)
    assert chart.median == 5.5
    values = [1, 2, 8, 9, 5, 7, 3, 2, 6, 9, 5]
    chart = rc.analyse(values)
    assert chart.median == 5 and chart.useful == 9
    # sides: - - + + (5 skipped) + - - + +  -> runs: [--][+++][--][++] = 4, crossings 3
    assert chart.runs == 4 and chart.crossings == 3 and chart.longest_run == 3


def test_anhoj_limits_follow_the_published_formulas() -> None:
    # Anhøj and Olesen 2014: longest run > round(log2(n) + 3); crossings < qbinom(0.05, n-1).
    for n, longest, crossings in [(10, 6, 2), (24, 8, 8), (20, 7, 6), (30, 8, 10)]:
        assert round(math.log2(n) + 3) == longest
        assert rc.binom_quantile(0.05, n - 1) == crossings


def test_anhoj_flags_a_long_run_and_too_few_crossings() -> None:
    values = [5, 6, 5, 6, 5, 6, 5, 6, 9, 9, 9, 9, 9, 9, 9, 9]
    chart = rc.analyse(values)
    kinds = {s.rule for s in chart.signals}
    assert "shift" in kinds  # 8 points above the median 7.5 > round(log2(16) + 3) = 7
    assert "few_crossings" in kinds
    assert "round(log2(n) + 3)" in chart.rule_text


def test_random_looking_data_has_no_signal() -> None:
    values = [3, 7, 8, 4, 2, 6, 9, 5, 3, 4, 8, 7, 2, 6]
    assert rc.analyse(values).signals == ()
    assert rc.analyse(values, rules=rc.IHI).signals == ()


def test_ihi_shift_and_trend() -> None:
    shift = [4, 5, 4, 5, 4, 5, 8, 9, 8, 9, 8, 9, 3, 2]
    chart = rc.analyse(shift, rules=rc.IHI)
    assert any(s.rule == "shift" and len(s.points) == 6 for s in chart.signals)
    # 1,2,2,3,4,5 : the repeated 2 counts once, so 5 points going up.
    trend = [6, 1, 2, 2, 3, 4, 5, 3, 6, 2, 7, 3]
    chart = rc.analyse(trend, rules=rc.IHI)
    assert [s.rule for s in chart.signals if s.rule == "trend"] == ["trend"]
    assert next(s for s in chart.signals if s.rule == "trend").points == (1, 2, 4, 5, 6)


def test_runs_distribution_gives_the_expected_limits() -> None:
    pmf = rc.runs_pmf(5, 5)
    assert sum(pmf.values()) == pytest.approx(1.0)
    assert pmf[2] == pytest.approx(2 / 252) and pmf[3] == pytest.approx(8 / 252)
    assert rc.runs_limits(10) == (3, 9)  # as in Perla et al. 2011 for 10 points
    too_many = [1, 9] * 6
    chart = rc.analyse(too_many, rules=rc.IHI)
    assert any(s.rule == "too_many_runs" for s in chart.signals)


def test_edge_cases() -> None:
    few = rc.analyse([1, 2, 3])
    assert few.signals == () and "at least 10" in few.note
    flat = rc.analyse([4] * 12)
    assert flat.useful == 0 and flat.signals == () and "on the median" in flat.note
    empty = rc.analyse([None, None])
    assert empty.median is None and "No data" in empty.note
    marked = rc.analyse(list(range(12)), rules=rc.IHI, astronomical=[3])
    assert any(s.rule == "astronomical" and s.points == (3,) for s in marked.signals)
    with pytest.raises(ValueError):
        rc.analyse([1], rules="nope")


@given(
    st.lists(st.one_of(st.none(), st.integers(0, 20)), max_size=60),
    st.sampled_from([rc.ANHOJ, rc.IHI]),
)
def test_any_series_is_analysed_without_error(values, rules) -> None:
    chart = rc.analyse(values, rules=rules)
    assert chart.crossings == max(0, chart.runs - 1)
    assert chart.longest_run <= chart.useful


def test_u_chart_by_hand_with_zero_exposure() -> None:
    # 4 reports over 2 (thousand patient-days), 6 over 3, nothing known for week 3, 20 over 2.
    chart = cc.u_chart([4, 6, 1, 20], [2, 3, 0, 2])
    ubar = 30 / 7
    assert chart.centre == pytest.approx(ubar)
    assert chart.skipped == [2] and chart.points[2].value is None
    p = chart.points[0]
    assert p.ucl == pytest.approx(ubar + 3 * math.sqrt(ubar / 2))
    assert p.lcl == pytest.approx(max(0.0, ubar - 3 * math.sqrt(ubar / 2)))
    assert chart.points[3].outside and chart.signals


def test_p_chart_by_hand_and_limits_clipped() -> None:
    chart = cc.p_chart([9, 10, 2], [10, 10, 10])
    pbar = 21 / 30
    assert chart.centre == pytest.approx(pbar)
    sigma = math.sqrt(pbar * (1 - pbar) / 10)
    assert chart.points[0].ucl == pytest.approx(min(1.0, pbar + 3 * sigma))
    assert chart.points[0].lcl == pytest.approx(max(0.0, pbar - 3 * sigma))
    assert chart.points[1].ucl <= 1.0
    with pytest.raises(ValueError):
        cc.p_chart([11], [10])


def test_c_chart_floors_the_lower_limit_and_flags_a_run() -> None:
    chart = cc.c_chart([1, 0, 2, 1, 0, 1, 1, 2, 0, 1])
    assert chart.points[0].lcl == 0.0
    run = cc.c_chart([5, 5, 5, 5, 5, 5, 5, 5, 1, 1, 1, 1, 1, 1, 1, 1])
    assert any("8 or more" in s.sentence for s in run.signals) and len(run.run_points) == 16
    assert cc.c_chart([]).centre is None
