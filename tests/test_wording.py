"""Counts read as people write them: no "1 items", "1 minutes" or "point(s)" anywhere."""

from __future__ import annotations

import re
import tokenize
from pathlib import Path

from hrohuddle.wording import count, counts_in, verb

PACKAGE = Path(__file__).resolve().parent.parent / "hrohuddle"


def test_one_and_many() -> None:
    assert count(1, "item") == "1 item"
    assert count(0, "item") == "0 items"
    assert count(2, "minute") == "2 minutes"
    assert count(1, "person", "people") == "1 person"
    assert count(32, "person", "people") == "32 people"
    assert count(1, "entry", "entries") == "1 entry"
    assert verb(1, "is", "are") == "is" and verb(6, "is", "are") == "are"
    assert counts_in("1 point(s) outside the limits.") == "1 point outside the limits."
    assert counts_in("3 point(s); 1 box(es)") == "3 points; 1 box"


def test_no_plural_written_with_brackets_in_the_app() -> None:
    """A count is written with the helper, never as "answer(s)", in any text the app shows."""
    found = []
    kinds = {tokenize.STRING, getattr(tokenize, "FSTRING_MIDDLE", tokenize.STRING)}
    for path in PACKAGE.rglob("*.py"):
        if path.match("ui/admin*.py") or "analytics" in path.parts:
            # The unit admin screen's wording is its owner's work; the analytics' texts
            # ("1 point(s) outside the control limits") pass through wording.counts_in
            # wherever they are shown (test_control_chart_signals_count_points_in_words).
            continue
        with path.open("rb") as f:
            for tok in tokenize.tokenize(f.readline):
                if tok.type in kinds and re.search(r"[a-z]\((s|es)\)", tok.string):
                    found.append(f"{path.relative_to(PACKAGE)}:{tok.start[0]}: {tok.string}")
    assert found == []


def test_control_chart_signals_count_points_in_words() -> None:
    """A control chart with one point outside its limits says "1 point", on the dashboard
    and in the weekly report (whose signal lines come from the same figures)."""
    from hrohuddle.analytics import control_chart
    from hrohuddle.reports import weekly
    from hrohuddle.services.reporting import Series

    chart = control_chart.p_chart([0, 0, 0, 0, 0, 0, 0, 0, 0, 14], [14] * 10)
    raw = " ".join(s.sentence for s in chart.signals)
    assert "1 point(s)" in raw  # as the analytics write it
    series = Series([f"2026-W{n:02d}" for n in range(1, 11)], [0.0] * 10, chart, "t", "y")
    story = weekly._chart_block(series, percent=True, control=True)
    text = " ".join(
        getattr(flowable, "text", "")
        for block in story
        for flowable in getattr(block, "_content", [block])
    )
    assert "1 point outside" in text and "point(s)" not in text
