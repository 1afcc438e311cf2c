"""The week's figures are read in a fixed number of statements, whatever the unit
recorded: a weekly report on a ten-year unit asks the database no more than one on a
new unit. Counts of statements, never timings."""

from __future__ import annotations

import datetime as dt

from conftest import Team
from sqlalchemy import event, text

from hrohuddle.services import actions, events, reporting
from hrohuddle.services.reporting import Week


def _statements(team: Team, week: Week) -> tuple[int, reporting.WeeklyFigures]:
    said: list[str] = []

    def count(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        said.append(statement)

    event.listen(team.db.engine, "before_cursor_execute", count)
    try:
        figures = reporting.weekly_figures(team.db, team["manager"], week)
    finally:
        event.remove(team.db.engine, "before_cursor_execute", count)
    return len([s for s in said if not s.startswith(("BEGIN", "SAVEPOINT", "RELEASE"))]), figures


def _report(team: Team, when: dt.datetime, kind: str, category: str) -> None:
    events.report(
        team.db,
        team["staff"],
        events.EventInput(
            kind=kind,
            narrative="Allergy band missing, caught at the bedside",
            category=category,
            occurred_at=when,
            harm="mild" if kind == "incident" else None,
        ),
    )


def test_the_week_is_read_in_the_same_few_statements_however_much_was_recorded(
    team: Team,
) -> None:
    with team.db.write() as s:
        s.execute(text("UPDATE units SET created_at = '2025-01-01 00:00:00'"))
    last = Week.last_complete()
    monday = dt.datetime.combine(last.monday, dt.time(10))
    _report(team, monday + dt.timedelta(days=1), "good_catch", "medication")
    reporting.weekly_figures(team.db, team["manager"], last)  # notes what a first look notes
    few, _ = _statements(team, last)

    for days, kind, category in (
        (-6, "near_miss", "fall"),
        (-2, "good_catch", "medication"),
        (0, "incident", "fall"),
        (2, "good_catch", "device"),
        (3, "near_miss", "medication"),
        (5, "incident", "medication"),
    ):
        _report(team, monday + dt.timedelta(days=days), kind, category)
    for n in range(3):
        actions.create_action(
            team.db,
            team["manager"],
            f"Check the pumps, round {n}",
            team["charge_nurse"].person_id,
            None,
        )
    many, figures = _statements(team, last)

    assert many == few
    # The two weeks the report compares, each with its own reports, read together.
    assert figures.events.total == 5
    assert figures.events.by_kind == {"good_catch": 2, "incident": 2, "near_miss": 1}
    assert figures.events.by_category == {"device": 1, "fall": 1, "medication": 3}
    assert figures.events.by_harm == {"mild": 2}
    assert len(figures.events.good_catches) == 2
    heads = {h.label: h for h in figures.headlines}
    assert (heads["Safety reports"].value, heads["Safety reports"].previous) == (5, 2)
    assert (heads["Good catches"].value, heads["Good catches"].previous) == (2, 1)
    # A week is read in one go: not a statement per week shown, per table.
    assert many <= 40, many
