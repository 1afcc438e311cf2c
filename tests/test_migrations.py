"""Every earlier schema revision, filled with data, upgrades to head with every row kept."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from hrohuddle.store import schema
from hrohuddle.store.database import SchemaState
from hrohuddle.store.opening import open_database

FIXTURES = Path(__file__).parent / "fixtures" / "db"
#: Rows a revision merges on purpose: 0005 makes repeat-back and check-back one
#: behaviour, so one answer replaces two (tests/test_vocabulary_migration.py counts it).
MERGED = {"checklist_items", "checklist_responses"}

#: Rows an upgrade removes on purpose, each with the reason kept in app_meta.
REMOVED = {
    "drafts": "anonymous_drafts_removed",
    "sign_in_sessions": "ended_sessions_removed",
}


def _counts(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    finally:
        conn.close()


def test_there_is_a_fixture_for_every_earlier_revision() -> None:
    assert sorted(p.stem for p in FIXTURES.glob("*.sqlite3")) == sorted(schema.REVISIONS[:-1])


@pytest.mark.parametrize("revision", schema.REVISIONS[:-1])
def test_fixture_upgrades_to_head_keeping_every_row(revision: str, tmp_path: Path) -> None:
    db_file = tmp_path / "unit.sqlite3"
    shutil.copy(FIXTURES / f"{revision}.sqlite3", db_file)
    before = _counts(db_file)
    assert sum(before.values()) > 1000, "the fixture should hold real data"
    opened = open_database(f"sqlite:///{db_file}", tmp_path / "backups")
    try:
        expected = SchemaState.CURRENT if revision == schema.HEAD else SchemaState.OUTDATED
        assert opened.migrated_from is expected
        if expected is SchemaState.OUTDATED:
            assert opened.backup_taken is not None and opened.backup_taken.exists()
        assert opened.db.schema_state() is SchemaState.CURRENT
    finally:
        opened.db.dispose()
    after = _counts(db_file)
    conn = sqlite3.connect(db_file)
    try:
        reasons = dict(conn.execute("SELECT key, value FROM app_meta").fetchall())
    finally:
        conn.close()
    for table, n in before.items():
        if after.get(table, 0) < n and table in REMOVED:
            reason = reasons.get(REMOVED[table], "")
            assert reason.startswith(f"{n - after[table]} "), (table, reason)
            continue
        if table in MERGED:
            assert after.get(table, 0) > 0, table
            continue
        assert after.get(table, 0) >= n, table
    print(f"\nrevision {revision} -> {schema.HEAD}: {sum(before.values())} rows kept")


_UNIT = "'2026-01-01', 15, 5, 5, '[]', '[]', '07:00', '19:00')"
SHARED_TEMPLATES = (
    "INSERT INTO units (id, code, name, created_at, huddle_target_minutes, idle_lock_minutes, "
    "min_group_size, pulse_milestones, areas, day_shift_start, night_shift_start) VALUES "
    f"(1, 'A', 'A', {_UNIT}, (2, 'B', 'B', {_UNIT}, (3, 'C', 'C', {_UNIT}",
    "INSERT INTO checklist_templates (id, key, version, title, response_kind, sources, status, "
    "created_at) VALUES (10, 'ep', 1, 'Error prevention', 'observed', '[]', 'active', "
    "'2026-01-01'), (11, 'tpot', 1, 'TPOT', 'rating', '[]', 'active', '2026-01-01')",
    "INSERT INTO checklist_items (id, template_id, position, code, text, is_overall) VALUES "
    "(100, 10, 0, 'EP1', 'STAR', false), (101, 10, 1, 'EP2', 'Read back', false), "
    "(110, 11, 0, 'T1', 'Brief', false)",
    "INSERT INTO checklist_sessions (id, unit_id, template_id, context, started_at) VALUES "
    "(1000, 1, 10, 'huddle', '2026-01-02'), (1001, 2, 10, 'handoff', '2026-01-03')",
    "INSERT INTO checklist_responses (session_id, item_id, result) VALUES "
    "(1000, 100, 'observed'), (1000, 101, 'missed'), (1001, 100, 'missed'), "
    "(1001, 101, 'observed')",
)


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_shared_checklist_templates_go_to_the_units_that_use_them(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """Two units observed with one shared template: each ends with its own copy, answers kept."""
    from sqlalchemy import text

    from hrohuddle.store import migrations
    from hrohuddle.store.database import Database

    url = (
        f"sqlite:///{tmp_path / 'two.sqlite3'}"
        if backend == "sqlite"
        else request.getfixturevalue("pg_url")
    )
    db = Database.connect(url)
    try:
        migrations.upgrade(db, "0002_lookback_indexes")
        with db.engine.begin() as c:
            for statement in SHARED_TEMPLATES:
                c.execute(text(statement))
        migrations.upgrade(db)
        with db.engine.connect() as c:
            owners = c.execute(
                text("SELECT key, unit_id FROM checklist_templates ORDER BY key, unit_id")
            ).all()
            answers = c.execute(
                text(
                    "SELECT s.unit_id, t.unit_id, i.code, r.result FROM checklist_responses r "
                    "JOIN checklist_sessions s ON s.id = r.session_id "
                    "JOIN checklist_items i ON i.id = r.item_id "
                    "JOIN checklist_templates t ON t.id = i.template_id "
                    "ORDER BY s.unit_id, i.code"
                )
            ).all()
            sessions = c.execute(
                text(
                    "SELECT s.unit_id, t.unit_id FROM checklist_sessions s "
                    "JOIN checklist_templates t ON t.id = s.template_id ORDER BY s.unit_id"
                )
            ).all()
    finally:
        db.dispose()
    # Used by units 1 and 2: one each. Used by nobody: one for every unit.
    assert [tuple(r) for r in owners] == [
        ("ep", 1),
        ("ep", 2),
        ("tpot", 1),
        ("tpot", 2),
        ("tpot", 3),
    ]
    assert [tuple(r) for r in sessions] == [(1, 1), (2, 2)]
    assert [tuple(r) for r in answers] == [
        (1, 1, "EP1", "observed"), (1, 1, "EP2", "missed"),
        (2, 2, "EP1", "missed"), (2, 2, "EP2", "observed"),
    ]  # fmt: skip
