"""The table models pass Qt's own model checks, fed plain rows."""

from __future__ import annotations

import datetime as dt

from conftest import Team

from hrohuddle.services import events, people
from hrohuddle.ui.admin_people import PeopleModel
from hrohuddle.ui.events import EventModel


def test_people_model(qtmodeltester, sqlite_team: Team) -> None:
    model = PeopleModel()
    model.set_rows(people.list_people(sqlite_team.db, sqlite_team.admin))
    qtmodeltester.check(model)
    assert (
        model.rowCount() == 6
        and model.headerData(0, __import__("PySide6").QtCore.Qt.Orientation.Horizontal, 0) == "Name"
    )


def test_event_model(qtmodeltester, sqlite_team: Team) -> None:
    for n in range(3):
        events.report(
            sqlite_team.db,
            sqlite_team["staff"],
            events.EventInput(
                kind="near_miss",
                narrative=f"Pump {n} " + "long text " * 30,
                category="device",
                occurred_at=dt.datetime.now(),
            ),
        )
    model = EventModel()
    page = events.list_events(sqlite_team.db, sqlite_team["manager"], events.EventFilter())
    model.set_rows(page.rows)
    qtmodeltester.check(model)
    index = model.index(0, len(EventModel.COLUMNS) - 1)  # what happened, the last
    from PySide6.QtCore import Qt

    assert len(model.data(index)) <= 120
    assert len(model.data(index, Qt.ItemDataRole.ToolTipRole)) > 120
    assert model.data(model.index(0, 6)) == "Sol Staff (staff)"
