"""Unit admin, People and roles: at 1366x768 every column is in view and wide enough for
what it holds, and the Sign-in column says for everyone whether they can sign in."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import PINS, Team, sign_in_as
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QApplication

from hrohuddle.services import people
from hrohuddle.store.models import Person


def _busy_unit(team: Team) -> None:
    """The widest texts a real unit has: long names, programmes, many roles, a lockout."""
    admin = team.admin
    people.save_person(
        team.db,
        admin,
        people.PersonInput(
            "Alexandra Montgomery-Okonkwo",
            "respiratory_therapy",
            ["learner"],
            is_learner=True,
            programme="New graduate nurse residency programme",
            start_date=dt.date.today(),
            pin="5827",
        ),
    )
    people.save_person(
        team.db,
        admin,
        people.PersonInput(
            "Ravi Chandrasekhar",
            "nursing",
            ["admin", "manager", "charge_nurse", "preceptor", "staff"],
            pin="3691",
        ),
    )
    with team.db.write() as s:
        for p in s.query(Person).filter(Person.display_name.in_(["Sol Staff"])):
            p.failed_attempts = 12
            p.locked_until = dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(minutes=5)
        for p in s.query(Person).filter(Person.display_name == "Mo Manager"):
            p.failed_attempts = 2


@pytest.mark.parametrize("size", [(1366, 768), (1920, 1080)])
def test_every_column_is_in_view_and_wide_enough(
    qtbot, window, sqlite_team: Team, size: tuple[int, int]
) -> None:
    from hrohuddle.ui.admin_people import PeopleTab

    _busy_unit(sqlite_team)
    window.resize(*size)
    sign_in_as(qtbot, window, "Ada Admin", PINS["admin"])
    tab = window.open_page("admin").findChild(PeopleTab)
    tab.show_inactive.setChecked(True)
    QApplication.processEvents()
    table, header = tab.table, tab.table.horizontalHeader()
    assert "Programme" in tab.model.COLUMNS and "Sign-in" in tab.model.COLUMNS
    metrics = table.fontMetrics()
    for column, name in enumerate(tab.model.COLUMNS):
        start = table.columnViewportPosition(column)
        width = table.columnWidth(column)
        assert start >= 0 and start + width <= table.viewport().width(), name
        assert width >= header.sectionSizeHint(column), f"the heading {name} is cut"
        if name not in tab.model.WRAPPING:
            assert width >= table.sizeHintForColumn(column), f"{name} is cut"
            continue
        for row in range(tab.model.rowCount()):  # wrapped onto lines the row has room for
            text = tab.model.index(row, column).data()
            box = metrics.boundingRect(
                QRect(0, 0, width - 6, 10_000), Qt.TextFlag.TextWordWrap, text
            )
            assert box.width() <= width - 6 and box.height() <= table.rowHeight(row), text
    assert not table.horizontalScrollBar().isVisible()
    assert table.viewport().height() >= 8 * table.rowHeight(0)  # a screenful of people


def test_the_sign_in_column_says_for_everyone_whether_they_can_sign_in(
    qtbot, window, sqlite_team: Team
) -> None:
    from hrohuddle.ui.admin_people import PeopleTab

    _busy_unit(sqlite_team)
    people.save_person(
        sqlite_team.db,
        sqlite_team.admin,
        people.PersonInput("Gone Person", "nursing", ["staff"], active=False, pin="4826"),
    )
    sign_in_as(qtbot, window, "Ada Admin", PINS["admin"])
    tab = window.open_page("admin").findChild(PeopleTab)
    tab.show_inactive.setChecked(True)
    column = tab.model.COLUMNS.index("Sign-in")
    rows = enumerate(tab.model.rows)
    shown = {r.display_name: tab.model.index(i, column).data() for i, r in rows}
    assert all(shown.values()), shown
    assert shown["Cai Charge"] == "Can sign in"
    assert shown["Mo Manager"] == "2 wrong PINs"
    assert shown["Sol Staff"].startswith("Waits until")
    assert shown["Gone Person"] == "Not active"


def test_a_new_person_form_says_the_true_pin_rule_and_every_problem_at_its_field(
    qtbot, window, sqlite_team: Team
) -> None:
    from hrohuddle.ui.admin_people import PeopleTab

    sign_in_as(qtbot, window, "Ada Admin", PINS["admin"])
    tab = window.open_page("admin").findChild(PeopleTab)
    form = tab.form
    form.clear()
    assert "4 to 12 digits" in form.pin.placeholderText()
    assert "8" not in form.pin.placeholderText()
    form.name.setText("")
    form.pin.setText("12")
    tab.save()
    name_problem, pin_problem = form.problems["display_name"], form.problems["pin"]
    assert name_problem.isVisibleTo(form) and "name" in name_problem.text().lower()
    assert pin_problem.isVisibleTo(form) and "4 to 12 digits" in pin_problem.text()
    assert form.name.maxLength() == people.NAME_MAX
    qtbot.keyClicks(form.name, "x" * (people.NAME_MAX + 20))
    assert len(form.name.text()) == people.NAME_MAX
    form.name.setText("Zed Nurse")
    form.pin.setText("5827")
    tab.save()
    assert not name_problem.isVisibleTo(form) and not pin_problem.isVisibleTo(form)
    assert "Zed Nurse was added" in tab.saved.text()
