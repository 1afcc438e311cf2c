"""The department view on screen: a tier's lead reads the units side by side.

On a real PostgreSQL server; a unit on its own file is told plainly what it needs.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import Clock, Team
from PySide6.QtCore import QSettings, Qt
from test_department import IT, build_hospital

from hrohuddle.paths import DataPaths
from hrohuddle.services import department, tiers
from hrohuddle.services.reporting import Week


def _page(qtbot, team: Team, actor, week: Week):  # type: ignore[no-untyped-def]
    from hrohuddle.ui.department import DepartmentPage

    page = DepartmentPage(team.db, actor)
    qtbot.addWidget(page)
    page.resize(1366, 768)
    page.show()
    page.week.setCurrentIndex(page.week.findData(week.label))
    qtbot.waitUntil(
        lambda: page.figures is not None and page.figures.week == week and bool(page.canvases),
        timeout=30_000,
    )
    return page


@pytest.mark.postgres
def test_a_lead_reads_the_units_side_by_side_sorts_them_and_prints(
    qtbot, pg_team: Team, clock: Clock, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    week = build_hospital(pg_team.db, clock.today)
    lead = pg_team["manager"]
    tiers.grant_role(pg_team.db, IT, "MED", lead.person_id, "department_lead")
    page = _page(qtbot, pg_team, lead, week)
    assert page.tier.count() == 1 and page.tier.currentText() == "Medicine (MED)"
    table = page.table
    assert table.rowCount() == 2 and table.accessibleName() == "Units side by side"
    assert [table.item(r, 0).text() for r in range(2)] == ["4W · Ward 4 West", "5E · Ward 5 East"]
    held = table.item(0, 1)
    assert held.text() == "5 of 14"
    assert held.data(Qt.ItemDataRole.AccessibleTextRole) == "Huddles held (of expected): 5 of 14"
    assert page.together.item(0, 0).text() == "Medicine together"
    assert page.together.item(0, 1).text().startswith("8 of ")
    # Sorting by a figure puts the most huddles held first; by unit, back A to Z.
    page.sort_by.setCurrentIndex(page.sort_by.findData(department.HEADERS.index("Reports")))
    reports = [int(table.item(r, 4).text()) for r in range(2)]
    assert reports == sorted(reports, reverse=True)
    page.sort_by.setCurrentIndex(0)
    assert table.item(0, 0).text().startswith("4W")
    # A unit's own charts, named for screen readers.
    page.chart_for.setCurrentIndex(page.chart_for.findData("5E"))
    assert [c.accessibleName() for c in page.canvases] == [
        "Ward 5 East: huddles held, share expected",
        "Ward 5 East: near misses and good catches per week",
    ]
    assert page.escalations.rowCount() == 2
    out = tmp_path / "med.pdf"
    page.start_report(out)
    qtbot.waitUntil(lambda: page.status.text() == "Saved med.pdf.", timeout=60_000)
    assert out.stat().st_size > 10_000


@pytest.mark.postgres
def test_only_tier_leaders_have_the_department_view(
    qtbot, pg_team: Team, data_paths: DataPaths, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    from hrohuddle.ui.main_window import MainWindow

    tiers.create_tier(pg_team.db, IT, code="MED", name="Medicine", level=2)
    tiers.place_unit(pg_team.db, IT, "4W", "MED")
    win = MainWindow(data_paths, QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    win.offer_pulses = False
    qtbot.addWidget(win)
    win.attach(pg_team.db, pg_team.admin.unit_id)
    lead = pg_team["charge_nurse"]
    for role, actor in pg_team.by_role.items():
        keys = [s.key for s in win.page_specs(actor)]
        assert "department" not in keys, role
    tiers.grant_role(pg_team.db, IT, "MED", lead.person_id, "department_lead")
    specs = {s.key: s for s in win.page_specs(lead)}
    assert specs["department"].label == "Department view"


def test_a_unit_on_its_own_file_is_told_what_the_view_needs(qtbot, sqlite_team: Team) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QLabel

    from hrohuddle.ui.department import DepartmentPage

    page = DepartmentPage(sqlite_team.db, sqlite_team["manager"])
    qtbot.addWidget(page)
    texts = [label.text() for label in page.findChildren(QLabel)]
    assert tiers.NEEDS_SHARED_SERVER in texts
