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
#: Rows a revision merges on purpose: 0006 makes repeat-back and check-back one
#: behaviour, so one answer replaces two (tests/test_vocabulary_migration.py counts it).
MERGED = {"checklist_items", "checklist_responses"}


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
    for table, n in before.items():
        if table in MERGED:
            assert after.get(table, 0) > 0, table
            continue
        assert after.get(table, 0) >= n, table
    print(f"\nrevision {revision} -> {schema.HEAD}: {sum(before.values())} rows kept")
