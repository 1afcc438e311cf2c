"""Charts as a reader meets them: vector lines and text in the PDF, the same drawing on
screen, signals marked by shape as well as colour, and a line a screen reader says."""

from __future__ import annotations

import itertools

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
    assert chart.summary.startswith("Latest, 2026-W47: 9 reports.")
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
    assert "outside the limits" in words and " target 90%" in words
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


def _markers(drawing: object) -> list[object]:
    from reportlab.graphics.shapes import Polygon

    return [n for n in drawing.contents if isinstance(n, Polygon)]  # type: ignore[attr-defined]


def test_a_run_of_eight_on_one_side_is_marked_by_shape_named_in_the_legend_and_the_summary() -> (
    None
):
    events = [10] * 8 + [6] * 8 + [8] * 4
    analysis = control_chart.p_chart(events, [10] * 20)
    assert [s.rule for s in analysis.signals] == ["run", "run"]
    series = Series(WEEKS[:20], [e / 10 for e in events], analysis, "Huddles held", "share held")
    for chart in (
        charts.control_chart(series, percent=True),
        charts.control_chart(series, percent=True, titled=False),
    ):
        # Sixteen weeks in the two runs, each with a triangle, and one in the legend.
        assert len(_markers(chart)) == 16 + 1
        assert "part of a run on one side" in _texts(chart)
        assert "No signal" not in chart.summary
        assert "8 or more points in a row above the centre line. Marked with a triangle." in (
            chart.summary
        )
        assert chart.read_out(0) == (
            "2026-W22: 100%, part of a run: 8 or more points in a row above the centre line."
        )
    # And in the PDF: the report's picture carries the same shapes.
    picture = charts.picture(charts.control_chart(series, percent=True, titled=False))
    assert "part of a run on one side" in _texts(picture)


def test_a_week_alone_between_weeks_without_data_gets_a_limit_tick_and_its_label() -> None:
    from reportlab.graphics.shapes import PolyLine

    counts = [20.0] * 26
    exposure: list[float | None] = [1.0] * 23 + [None, 1.0, None]
    analysis = control_chart.u_chart(counts, exposure)
    values = analysis.values
    series = Series(WEEKS, values, analysis, "Reports per 1,000 patient-days", "reports")
    chart = charts.control_chart(series)
    lone = analysis.points[24]
    assert lone.lcl is not None and lone.ucl is not None
    lines = [n for n in chart.contents if isinstance(n, PolyLine)]
    for limit in (lone.lcl, lone.ucl):
        y = chart.y(limit)
        ticks = [
            p.points
            for p in lines
            if len(p.points) == 4 and abs(p.points[1] - y) < 1e-6 and abs(p.points[3] - y) < 1e-6
        ]
        # A short line across the lone week's point, there to read its label against.
        assert any(pts[0] < chart.x(24) < pts[2] and pts[2] - pts[0] > 4 for pts in ticks)
    words = _texts(chart)
    assert f" lower limit {lone.lcl:.1f} reports".split(" reports")[0] in " ".join(words)
    # The week without data is read out as such.
    assert chart.read_out(25) == "2026-W47: no data."
    assert chart.read_out(24).startswith("2026-W46: 20 reports")


def test_the_line_labels_have_room_at_the_right_edge_and_titles_are_bold_on_screen() -> None:
    from reportlab.graphics.shapes import String

    from hrohuddle.ui.chart_view import chart_svg

    events = [20] * 26
    analysis = control_chart.p_chart(events, [20] * 26)
    series = Series(WEEKS, [1.0] * 26, analysis, "Huddles held", "share held")
    chart = charts.control_chart(series, percent=True)
    labels = [
        n for n in chart.contents if isinstance(n, String) and n.text.startswith(" upper limit")
    ]
    assert labels and labels[0].text == " upper limit 100%"
    room = chart.width - labels[0].x
    assert room >= charts.text_width(labels[0].text, charts.TEXT) + 4
    svg = chart_svg(chart).decode()
    assert "Helvetica-Bold" not in svg
    assert "font-weight: bold" in svg


def test_the_feedback_target_is_named_at_the_right_edge_clear_of_the_data_line() -> None:
    from reportlab.graphics.shapes import String

    # Weeks hovering about the 90% target: its name stands outside the plot, at the right.
    events = [17, 19, 18, 20] * 6 + [17, 18]
    analysis = control_chart.p_chart(events, [20] * 26)
    series = Series(WEEKS, [e / 20 for e in events], analysis, "Feedback", "share")
    chart = charts.p_chart_with_target(series, 90.0)
    label = next(n for n in chart.contents if isinstance(n, String) and "target 90%" in n.text)
    assert label.x >= chart.plot[2]
    labels = sorted(
        n.y
        for n in chart.contents
        if isinstance(n, String) and n.x >= chart.plot[2] and n.text.startswith(" ")
    )
    assert all(b - a >= charts.TEXT for a, b in itertools.pairwise(labels))
