"""Nothing is lost: power cuts mid-write, two writers at once, full disks, read-only media."""

from __future__ import annotations

import datetime as dt
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import Team
from sqlalchemy import func, select, text

from hrohuddle.services import huddles
from hrohuddle.store.database import Database
from hrohuddle.store.errors import DatabaseUnavailable
from hrohuddle.store.models import HuddleItem

WRITER = Path(__file__).parent / "tools" / "writer.py"
KILLS = int(os.environ.get("HROHUDDLE_TEST_KILLS", "200"))


def _huddle(team: Team) -> int:
    return huddles.start_or_resume(
        team.db, team["charge_nurse"], local_now=dt.datetime(2026, 11, 23, 7, 30)
    ).id


def _texts(db: Database) -> set[str]:
    with db.read() as s:
        return set(s.scalars(select(HuddleItem.text)))


@pytest.mark.slow
def test_power_cut_mid_write_loses_no_acknowledged_commit(sqlite_team: Team) -> None:
    """SIGKILL a writer at random moments, again and again; every ACK must be in the file."""
    db = sqlite_team.db
    assert _huddle(sqlite_team) == 1
    rng = random.Random(11)
    acknowledged: set[str] = set()
    for kill in range(KILLS):
        proc = subprocess.Popen(
            [sys.executable, str(WRITER), db.url, f"k{kill}", "30"],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "READY"
        deadline = time.monotonic() + rng.uniform(0.01, 0.25)
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if line.startswith("ACK"):
                acknowledged.add(f"k{kill}-{line.split()[1]}")
        proc.send_signal(signal.SIGKILL)
        for line in proc.stdout:  # ACKs printed before the kill landed
            if line.startswith("ACK"):
                acknowledged.add(f"k{kill}-{line.split()[1]}")
        proc.stdout.close()
        proc.wait()
    check = Database.connect(db.url)
    try:
        check.quick_check()
        with check.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
        stored = _texts(check)
    finally:
        check.dispose()
    assert len(acknowledged) > KILLS  # the writers did get work done
    assert acknowledged <= stored, sorted(acknowledged - stored)[:5]
    print(f"\nkills survived: {KILLS}; acknowledged commits: {len(acknowledged)}; lost: 0")


def _two_writers(url: str, seconds: float, writers: int) -> tuple[int, int]:
    procs = [
        subprocess.Popen(
            [sys.executable, str(WRITER), url, f"w{i}", str(seconds)],
            stdout=subprocess.PIPE,
            text=True,
        )
        for i in range(writers)
    ]
    acks = locked = 0
    acked: set[str] = set()
    for i, p in enumerate(procs):
        out, _ = p.communicate(timeout=seconds + 120)
        for line in out.splitlines():
            if line.startswith("ACK"):
                acks += 1
                acked.add(f"w{i}-{line.split()[1]}")
            elif line.startswith(("LOCKED", "ERROR")):
                locked += 1
    check = Database.connect(url)
    try:
        stored = _texts(check)
    finally:
        check.dispose()
    assert acked <= stored
    return acks, locked


@pytest.mark.slow
def test_two_writers_on_sqlite_see_no_lock_errors(sqlite_team: Team) -> None:
    _huddle(sqlite_team)
    seconds = float(os.environ.get("HROHUDDLE_TEST_WRITER_SECONDS", "10"))
    acks, locked = _two_writers(sqlite_team.db.url, seconds, 2)
    assert locked == 0 and acks > 100
    print(f"\nSQLite, 2 writers for {seconds:g} s: {acks} writes, 0 lost, {locked} lock errors")


@pytest.mark.slow
@pytest.mark.postgres
def test_several_writers_on_postgres_lose_nothing(pg_url: str) -> None:
    from hrohuddle.store.opening import open_database

    opened = open_database(pg_url, None)
    team = Team(opened.db)
    _huddle(team)
    opened.db.dispose()
    acks, locked = _two_writers(pg_url, 5, 4)
    assert locked == 0 and acks > 100
    print(f"\nPostgreSQL, 4 writers for 5 s: {acks} writes, 0 lost, {locked} errors")


def test_a_full_disk_is_explained_and_nothing_half_written_remains(sqlite_team: Team) -> None:
    db, cn = sqlite_team.db, sqlite_team["charge_nurse"]
    hid = _huddle(sqlite_team)
    with db.engine.connect() as conn:
        pages = conn.exec_driver_sql("PRAGMA page_count").scalar()
    full = Database.connect(db.url)
    try:
        from sqlalchemy import event

        @event.listens_for(full.engine, "connect")
        def _cap(dbapi_conn, _rec) -> None:  # the disk has no room for another page
            dbapi_conn.execute(f"PRAGMA max_page_count = {pages}")

        full.engine.dispose()
        before = _texts(db)
        with pytest.raises(DatabaseUnavailable, match="disk is full"):
            for n in range(200):
                huddles.add_item(full, cn, hid, "look_back", "x" * 480 + str(n))
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
        added = _texts(db) - before
        assert all(t.startswith("x" * 480) for t in added)  # whole items, nothing half-written
    finally:
        full.dispose()


def test_read_only_media_is_explained(sqlite_team: Team) -> None:
    db, cn = sqlite_team.db, sqlite_team["charge_nurse"]
    hid = _huddle(sqlite_team)
    path = db.file
    readonly = Database.connect(f"sqlite:///file:{path}?mode=ro&uri=true")
    try:
        with pytest.raises(DatabaseUnavailable, match="read-only"):
            huddles.add_item(readonly, cn, hid, "look_back", "Suction unit missing")
    finally:
        readonly.dispose()
    assert "Suction unit missing" not in _texts(db)
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(HuddleItem)) == 0
        assert s.execute(text("SELECT 1")).scalar() == 1
