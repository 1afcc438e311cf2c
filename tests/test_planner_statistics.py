"""SQLite plans its look-ups from statistics the app keeps: a handful of reports looked up
by id never walks every report of the unit."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from conftest import Team
from sqlalchemy import insert

from hrohuddle.store.database import PLANNED_TABLES, Database
from hrohuddle.store.models import SafetyEvent
from hrohuddle.store.opening import open_database


def _reports(db: Database, unit_id: int, n: int, start: int = 1_000) -> None:
    day = dt.date(2026, 1, 5)
    rows = [
        {
            "id": start + i,
            "unit_id": unit_id,
            "kind": "near_miss",
            "category": "medication",
            "narrative": f"report {i}",
            "occurred_at": dt.datetime(2026, 1, 5, 10, 0),
            "shift": "day",
            "contributing_factors": [],
            "anonymous": False,
            "reported_on": day,
            "status": "closed",
        }
        for i in range(n)
    ]
    with db.write() as s:
        s.execute(insert(SafetyEvent), rows)


def _plan(db: Database, unit_id: int) -> str:
    ids = ",".join(str(1_000 + i) for i in range(5))
    with db.engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "EXPLAIN QUERY PLAN SELECT id, me_too_count FROM safety_events "
            f"WHERE unit_id = {unit_id} AND id IN ({ids})"
        ).fetchall()
    return " ".join(str(r[-1]) for r in rows)


def test_opening_the_database_lets_a_few_reports_be_found_by_id(
    sqlite_team: Team, tmp_path: Path
) -> None:
    db = sqlite_team.db
    unit_id = sqlite_team.admin.unit_id
    _reports(db, unit_id, 3_000)
    # Without statistics SQLite walks the unit's reports by an index on the unit.
    assert "PRIMARY KEY" not in _plan(db, unit_id)
    url = str(db.engine.url)
    db.dispose()
    opened = open_database(url, None)
    try:
        assert "INTEGER PRIMARY KEY" in _plan(opened.db, unit_id)
        # Kept for the tables a unit's years fill; nothing that counts anonymous answers.
        assert _analysed(opened.db) <= set(PLANNED_TABLES)
        assert "safety_events" in _analysed(opened.db)
        # Kept, not redone at every start: only when the reports double or halve.
        assert opened.db.keep_statistics() is False
        _reports(opened.db, unit_id, 7_000, start=10_000)
        assert opened.db.keep_statistics() is True
        assert opened.db.keep_statistics() is False
    finally:
        opened.db.dispose()


def _analysed(db: Database) -> set[str]:
    with db.engine.connect() as conn:
        return {r[0] for r in conn.exec_driver_sql("SELECT DISTINCT tbl FROM sqlite_stat1")}


def test_no_statistics_outlive_anonymous_rows_and_a_small_unit_needs_none(
    sqlite_team: Team,
) -> None:
    db = sqlite_team.db
    unit_id = sqlite_team.admin.unit_id
    _reports(db, unit_id, 50)
    assert db.keep_statistics() is False  # a small unit plans well without; nothing written
    with db.engine.begin() as conn:  # counts left by an earlier, wider analysis
        conn.exec_driver_sql("ANALYZE")
    assert "people" in _analysed(db)
    _reports(db, unit_id, 3_000, start=10_000)
    assert db.keep_statistics() is True
    assert _analysed(db) <= set(PLANNED_TABLES)
