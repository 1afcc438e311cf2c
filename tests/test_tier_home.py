"""A tier's leaders are told on Home, and in the top bar, what waits for them."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import Team
from PySide6.QtWidgets import QLabel, QWidget
from test_escalations import _escalate_item, _hospital

from hrohuddle.services import home, people
from hrohuddle.ui.shell import HomePage, PageSpec


@pytest.mark.postgres
def test_the_department_lead_reads_on_home_what_waits_for_the_departments_answer(
    qtbot: Any, pg_team: Team
) -> None:
    db = pg_team.db
    leaders = _hospital(db)
    lead = leaders["med"]
    assert home.needs(db, lead).tier_waiting == []
    _escalate_item(pg_team)
    (waiting,) = home.needs(db, lead).tier_waiting
    assert waiting.tier_name == "Medicine" and waiting.waiting == 1
    # The hospital's executive waits for nothing yet; the unit's staff never see it.
    assert home.needs(db, leaders["exec"]).tier_waiting == []
    assert home.needs(db, pg_team["staff"]).tier_waiting == []

    gone: list[str] = []
    page = HomePage(
        lead,
        people.unit_settings(db, lead.unit_id),
        [PageSpec("tier_board", "Department huddle", None, QWidget)],
        db,
        gone.append,
    )
    qtbot.addWidget(page)
    page.show()
    said = " ".join(w.text() for w in page.findChildren(QLabel))
    assert ", and department lead of Medicine." in said
    lines = [page.list.item(i).text() for i in range(page.list.count())]
    (line,) = [t for t in lines if t.startswith("Medicine:")]
    assert "1 escalation waits for your answer, the oldest sent" in line


def test_on_its_own_file_home_has_no_tier_lines(sqlite_team: Team) -> None:
    assert home.needs(sqlite_team.db, sqlite_team["manager"]).tier_waiting == []
