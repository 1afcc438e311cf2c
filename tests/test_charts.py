"""Charts as a reader meets them: vector lines and text in the PDF, the same drawing on
screen, signals marked by shape as well as colour, and a line a screen reader says."""

from __future__ import annotations

from hrohuddle.analytics import control_chart, run_chart
from hrohuddle.reports import charts
from hrohuddle.services.reporting import Series, Week

WEEKS = [Week(2026, w).label for w in range(22, 48)]


def _run_series(values: list[float | None]) -> Series:
    return Series(WEEKS, values, run_chart.analyse(values), "Reports per week", "reports")


def _texts(drawing: object) -> list[str]:
    from reportlab.graphics.shapes import Group, String

    out: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, String):
            out.append(node.text)
        if isinstance(node, Group):
            for child in node.contents:
                walk(child)

    for child in drawing.contents:  # type: ignore[attr-defined]
        walk(child)
    return out


def test_a_run_chart_names_its_period_median_and_weeks_and_marks_a_shift_by_shape() -> None:
    values: list[float | None] = [4.0] * 13 + [9.0] * 13  # a shift: 13 weeks above the median
    chart = charts.run_chart(_run_series(values))
    words = _texts(chart)
    assert "Reports per week" in words
    assert "2026-W22 to 2026-W47 (25 May to 22 Nov 2026), n = 26 weeks" in words
    assert "ISO week and its Monday" in words and "reports in the week" in words
    assert any(w.startswith(" median ") for w in words)
    assert "part of a signal" in words  # the legend names the triangle
    assert chart.summary.startswith("Latest, 2026-W47: 9.")
    assert "marked with a triangle" in chart.summary
    # The report's own: no title on the drawing (the caption is above it).
    assert "Reports per week" not in _texts(charts.run_chart(_run_series(values), titled=False))


def test_a_week_without_data_breaks_the_line_and_is_no_point() -> None:
    values: list[float | None] = [3.0] * 26
    values[10] = None
    chart = charts.run_chart_of(_run_series(values), "median days")
    assert chart.values[10] is None
    assert [p[2] for p in chart.points] == [i for i in range(26) if i != 10]
    assert "median days" in _texts(chart)


def test_a_point_outside_the_limits_is_an_x_named_in_the_legend_and_the_summary() -> None:
    events = [5] * 25 + [19]
    analysis = control_chart.p_chart(events, [20] * 26)
    series = Series(WEEKS, [e / 20 for e in events], analysis, "Huddles held", "share held")
    chart = charts.p_chart_with_target(series, 90.0)
    words = _texts(chart)
    assert "outside the limits" in words and "target 90%" in words
    assert any(w.startswith(" upper limit ") for w in words)
    assert "Latest, 2026-W47: 95%." in chart.summary and "Target 90%." in chart.summary
    assert "1 week outside the limits, marked with an X" in chart.summary


def test_the_pdf_picture_is_vector_and_the_width_of_the_page_text() -> None:
    chart = charts.run_chart(_run_series([2.0] * 26), titled=False)
    flowable = charts.picture(chart)
    assert round(flowable.width) == round(180 * 72 / 25.4)
    assert abs(flowable.height / flowable.width - 2.9 / 7.2) < 0.01
    assert "ISO week and its Monday" in _texts(flowable)


def test_a_chart_laid_out_for_a_wide_window_keeps_its_margins_and_text() -> None:
    series = _run_series([float(i % 5) for i in range(26)])
    wide = charts.run_chart(series, size=(900.0, 400.0))
    assert (wide.width, wide.height) == (900.0, 400.0)
    assert wide.plot[2] == 900.0 - charts.RIGHT and wide.plot[3] == 400.0 - charts.SCREEN_TOP
    assert _texts(wide) == _texts(charts.run_chart(series))


def test_the_screen_svg_draws_lines_unfilled_and_no_clip_shape() -> None:
    from hrohuddle.ui.chart_view import chart_svg

    svg = chart_svg(charts.run_chart(_run_series([1.0, 2.0] * 13))).decode()
    assert "clipPath" not in svg and "fill: None" not in svg
    for path in svg.split("<path ")[1:]:
        assert "fill:" in path.split(">")[0]
