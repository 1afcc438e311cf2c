"""A weekly report built in the running app leaves nothing behind: no chart of its own
once it is done, no page image once its preview is closed.

Counts of objects, never timings: what a report leaves stays in memory for the rest of
the day, on a workstation that must keep room under its 250 MB.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import PINS, Team, sign_in_as


@pytest.fixture
def rare_full_collections() -> Iterator[None]:
    """As in the running app, where a full collection is rare: so many objects live
    there that Python waits long before it looks at them all again, and what lives
    a while (a chart while it is drawn) soon counts among them. A small test process
    would otherwise find the report's garbage by chance."""
    before = gc.get_threshold()
    gc.set_threshold(before[0], 1, 1_000_000)
    try:
        yield
    finally:
        gc.set_threshold(*before)


def _a_week_with_reports(team: Team) -> None:
    """Reports in the last complete week and the one before, so the report draws its
    charts (a week with nothing recorded has none)."""
    from sqlalchemy import text

    from hrohuddle.services import events
    from hrohuddle.services.reporting import Week

    with team.db.write() as s:
        s.execute(text("UPDATE units SET created_at = '2025-01-01 00:00:00'"))
    monday = Week.last_complete().monday
    for days in (-5, 1, 2):
        events.report(
            team.db,
            team["staff"],
            events.EventInput(
                kind="good_catch",
                narrative="Allergy band missing, caught at the bedside",
                category="medication",
                occurred_at=dt.datetime.combine(monday + dt.timedelta(days=days), dt.time(10)),
            ),
        )


def _figures_alive() -> int:
    from hrohuddle.reports.charts import Chart

    return sum(1 for o in gc.get_objects() if isinstance(o, Chart))


def test_a_report_built_on_the_dashboard_leaves_no_chart_behind(
    qtbot, window, sqlite_team: Team, tmp_path: Path, monkeypatch, rare_full_collections
) -> None:
    import tempfile

    from hrohuddle.reports import charts

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    _a_week_with_reports(sqlite_team)
    drawn: list[int] = []  # how many charts the reports drew (holding none of them)
    real = charts.picture
    monkeypatch.setattr(
        charts, "picture", lambda fig, *a, **k: drawn.append(1) or real(fig, *a, **k)
    )
    sign_in_as(qtbot, window, "Mo Manager", PINS["manager"])
    panel = window.open_page("dashboard").week_panel
    qtbot.waitUntil(lambda: len(panel.canvases) == 2, timeout=20000)
    qtbot.waitUntil(gc.isenabled)  # no screen still loading
    # Each chart laid out again for its place on the screen, once.
    qtbot.waitUntil(lambda: not any(v.relayout.isActive() for v in panel.canvases))
    qtbot.wait(100)
    gc.collect()  # what earlier tests left
    on_screen = _figures_alive()
    # The dashboard's own charts, and only they: as computed, and as laid out on screen.
    assert on_screen <= len(panel.built) + len(panel.canvases)

    panel.preview()
    # Shown, and the job's end seen through (the collector is given back at its end).
    qtbot.waitUntil(
        lambda: getattr(panel, "preview_dialog", None) is not None and gc.isenabled(),
        timeout=60_000,
    )
    assert len(drawn) >= 2  # the report drew its charts...
    assert _figures_alive() == on_screen  # ...and they are gone already
    dialog = panel.preview_dialog
    assert dialog.pages and all(not label.pixmap().isNull() for label in dialog.pages)
    dialog.reject()
    # The pages on screen go as the preview closes, not when the dialog is deleted.
    assert dialog.images == []
    assert all(label.pixmap().isNull() for label in dialog.pages)

    saved = tmp_path / "saved.pdf"
    panel._start(saved, panel._saved)
    qtbot.waitUntil(lambda: "Saved" in panel.status.text() and gc.isenabled(), timeout=60_000)
    assert saved.exists()
    assert len(drawn) >= 4
    assert _figures_alive() == on_screen


def test_a_report_still_building_at_sign_out_gives_the_collector_back(
    qtbot, window, sqlite_team: Team, tmp_path: Path, monkeypatch
) -> None:
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    _a_week_with_reports(sqlite_team)
    sign_in_as(qtbot, window, "Mo Manager", PINS["manager"])
    panel = window.open_page("dashboard").week_panel
    qtbot.waitUntil(lambda: len(panel.canvases) == 2, timeout=20000)
    qtbot.waitUntil(gc.isenabled)
    panel.preview()
    assert not gc.isenabled()  # held while the report builds
    window.sign_out()  # the dashboard goes with the session, its report still building
    qtbot.waitUntil(gc.isenabled, timeout=60_000)
