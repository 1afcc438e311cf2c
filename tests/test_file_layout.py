"""What a copy of the SQLite file, and of its write-ahead log, shows to whoever holds it.

Each test plays the privacy reviewer: they copy the database file (and its ``-wal``)
while the app is open and read the raw bytes, page by page and frame by frame, to
find when an anonymous report, an anonymous reporter's message or an "I have seen
this too" was written and who was signed in then.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
import threading
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import Team
from sqlalchemy import func, select
from test_anonymity import PIN, _near_miss, _person

from hrohuddle.services import anonymity, conversation, events, huddles, me_too, pulses, signin
from hrohuddle.store.database import Database
from hrohuddle.store.models import AnonymousOutbox, AuditEntry, MeToo, SafetyEvent


def _file(db: Database) -> Path:
    assert db.file is not None
    return db.file


def _wal_bytes(db: Database) -> int:
    wal = Path(f"{_file(db)}-wal")
    return wal.stat().st_size if wal.exists() else 0


def _copy_of_the_file_alone(db: Database, tmp_path: Path) -> sqlite3.Connection:
    """The main file as a copy taken now shows it, without its log."""
    copy = tmp_path / "copied.sqlite3"
    shutil.copy(_file(db), copy)
    return sqlite3.connect(f"file:{copy}?immutable=1", uri=True)


def test_a_copy_of_the_file_taken_while_the_app_is_open_shows_the_present(
    sqlite_team: Team, tmp_path: Path
) -> None:
    """The reviewer's first finding: the log was emptied after each anonymous write only,
    so the file stood still at the sender's moment (its last audit entry the sender's
    sign-in) and the log held exactly what happened since."""
    team = sqlite_team
    db = team.db
    sender = signin.sign_in(db, _person(team, "Jude Sender", learner=True), PIN)
    code = events.report(db, sender, _near_miss("Second checker signed unseen", anonymous=True))
    assert code.receipt_code
    signin.sign_out(db, sender)
    later = signin.sign_in(db, _person(team, "Gale Later"), PIN)
    events.report(db, later, _near_miss("Hand gel dispenser empty at bay 2", anonymous=False))
    conversation.write_by_receipt(db, code.receipt_code, "detail", "It was the lunchtime round")
    signin.sign_out(db, later)
    huddles.start_or_resume(db, team["charge_nurse"])

    with db.read() as s:
        newest_entry = s.scalar(select(func.max(AuditEntry.id)))
        stored = s.scalar(select(func.count()).select_from(SafetyEvent))
    copy = _copy_of_the_file_alone(db, tmp_path)
    try:
        in_file = copy.execute("SELECT max(id) FROM audit_log").fetchone()[0]
        in_file_events = copy.execute("SELECT count(*) FROM safety_events").fetchone()[0]
    finally:
        copy.close()
    assert in_file == newest_entry, "the file stands still at an earlier moment"
    assert in_file_events == stored
    assert _wal_bytes(db) == 0, "the log keeps a run of commits in the order they were made"


def test_the_log_is_empty_after_every_write_not_only_the_anonymous_ones(
    sqlite_team: Team,
) -> None:
    team = sqlite_team
    db = team.db
    me = signin.sign_in(db, _person(team, "Wren Writer"), PIN)
    assert _wal_bytes(db) == 0
    events.report(db, me, _near_miss("Anonymous, first", anonymous=True))
    assert _wal_bytes(db) == 0
    events.report(db, me, _near_miss("Named, just after", anonymous=False))
    assert _wal_bytes(db) == 0
    signin.sign_out(db, me)
    assert _wal_bytes(db) == 0


def _offsets(db: Database, needles: list[bytes]) -> dict[bytes, int]:
    """Where each value lies in the raw file (each must lie there exactly once: secure
    delete leaves no old copy to read instead)."""
    anonymity.wipe_journal(db)
    raw = _file(db).read_bytes()
    for needle in needles:
        assert raw.count(needle) == 1, needle
    return {needle: raw.find(needle) for needle in needles}


def _readings(at: dict[bytes, int], written: list[bytes]) -> dict[str, bool]:
    """Whether each reading of the byte layout finds the newest write."""
    newest = written[-1]
    by_place = sorted(written, key=lambda n: at[n])
    return {
        "lowest offset": by_place[0] == newest,
        "highest offset": by_place[-1] == newest,
        "offsets follow the order of writing": by_place in (written, written[::-1]),
    }


def test_me_too_markers_keep_no_order_of_pressing_in_the_file(sqlite_team: Team) -> None:
    """In a table without rowid SQLite carves each new cell below the last one, so the
    lowest cell of a report's markers was the latest press. Pressed one after another by
    thirteen people, no reading of the page bytes may find the newest press every time."""
    team = sqlite_team
    db = team.db
    named = _near_miss("Suction in bay 3 too weak", anonymous=False)
    sent = events.report(db, team["staff"], named)
    assert sent.event_id is not None
    huddles.start_or_resume(db, team["charge_nurse"])  # the look back shows it to everyone
    key = me_too._key(db)
    written: list[bytes] = []
    hits: Counter[str] = Counter()
    rounds = 0
    for n in range(13):
        pid = _person(team, f"Presser {chr(65 + n)}son")
        me_too.add(db, signin.sign_in(db, pid, PIN), sent.event_id)
        written.append(me_too.marker(key, sent.event_id, pid).encode())
        if n == 0:
            continue
        rounds += 1
        for reading, hit in _readings(_offsets(db, written), written).items():
            hits[reading] += hit
    always = [reading for reading, n in hits.items() if n == rounds]
    assert always == [], f"the latest press is read off the page: {always} ({dict(hits)})"
    # By chance the newest is lowest in about two of twelve rounds; in the order of
    # writing it is lowest in every one.
    assert hits["lowest offset"] <= rounds - 4, dict(hits)


def test_waiting_items_keep_no_order_of_writing_over_many_trials(
    sqlite_team: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Three times, six reports wait on the unit, then leave together. After each report,
    no reading of the page bytes may find the newest waiting one every time."""
    monkeypatch.setattr(anonymity, "RELEASE_AT", 100)  # only the release below lets go
    team = sqlite_team
    db = team.db
    hits: Counter[str] = Counter()
    rounds = 0
    for group in range(3):
        written: list[bytes] = []
        for n in range(6):
            text = f"Waiting report {group}{chr(65 + n)} about the sluice door"
            events.report(db, team["learner"], _near_miss(text, anonymous=True))
            written.append(text.encode())
            if n == 0:
                continue
            rounds += 1
            for reading, hit in _readings(_offsets(db, written), written).items():
                hits[reading] += hit
        assert anonymity.waiting(db, team.admin.unit_id) == 6
        assert anonymity.release_due(db, force=True) == 6
    always = [reading for reading, n in hits.items() if n == rounds]
    assert always == [], f"the newest waiting report is read off the page: {always}"
    # By chance the newest is lowest in about four of fifteen rounds; in the order of
    # writing it is lowest in every one.
    assert hits["lowest offset"] <= rounds - 4, dict(hits)


def test_sending_never_releases_a_batch(sqlite_team: Team) -> None:
    """The third anonymous report released the batch during its sender's own send, so
    the new reports' ids fell between the rows written just before and after it."""
    team = sqlite_team
    db = team.db
    unit_id = team.admin.unit_id
    for n in range(4):
        events.report(db, team["learner"], _near_miss(f"Held report {n}", anonymous=True))
    newcomer = signin.sign_in(
        db, _person(team, "Nia Newcomer", start=dt.date.today() - dt.timedelta(days=8)), PIN
    )
    due = pulses.due_pulse(db, newcomer)
    assert due is not None
    pulses.submit(db, newcomer, due.invitation_id, {"E1": 4}, None)
    with db.read() as s:
        released = s.scalar(
            select(func.count()).select_from(SafetyEvent).where(SafetyEvent.anonymous)
        )
    assert released == 0 and anonymity.waiting(db, unit_id) == 4
    # The board asks, at a moment the charge nurse chose.
    huddles.start_or_resume(db, team["charge_nurse"])
    assert anonymity.waiting(db, unit_id) == 0
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(AnonymousOutbox)) == 0


def _at_once(db: Database, presses: list[Callable[[Database], object]]) -> list[object]:
    """Each press on its own workstation (its own connection), all at the same moment."""
    stations = [Database.connect(db.url) for _ in presses]
    start = threading.Barrier(len(presses))
    results: list[object] = []

    def run(press: Callable[[Database], object], station: Database) -> None:
        start.wait()
        try:
            results.append(press(station))
        except Exception as exc:
            results.append(exc)

    try:
        threads = [
            threading.Thread(target=run, args=(p, st))
            for p, st in zip(presses, stations, strict=True)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    finally:
        for st in stations:
            st.dispose()
    return results


def test_written_again_at_once_nothing_is_lost_or_doubled(team: Team) -> None:
    """Rewriting a group must not lose or double a row when several people write at once
    (on PostgreSQL the transactions really run side by side)."""
    db = team.db
    named = _near_miss("Suction in bay 3 too weak", anonymous=False)
    sent = events.report(db, team["staff"], named)
    assert sent.event_id is not None
    event_id = sent.event_id
    huddles.start_or_resume(db, team["charge_nurse"])
    pressers = [
        signin.sign_in(db, _person(team, f"Together {chr(65 + n)}son"), PIN) for n in range(4)
    ]
    results = _at_once(db, [lambda st, a=a: me_too.add(st, a, event_id) for a in pressers])
    assert sorted(r for r in results if isinstance(r, int)) == [1, 2, 3, 4], results
    with db.read() as s:
        assert s.scalar(select(func.count()).where(MeToo.event_id == event_id)) == 4

    senders = [signin.sign_in(db, _person(team, f"Sender {chr(65 + n)}son"), PIN) for n in range(4)]
    texts = [f"Sent together {n}" for n in range(4)]
    results = _at_once(
        db,
        [
            lambda st, a=a, t=t: events.report(st, a, _near_miss(t, anonymous=True))
            for a, t in zip(senders, texts, strict=True)
        ],
    )
    assert all(isinstance(r, events.Submitted) for r in results), results
    with db.read() as s:
        waiting = s.scalars(select(AnonymousOutbox.payload)).all()
    assert sorted(p["narrative"] for p in waiting) == texts
    huddles.start_or_resume(
        db, team["charge_nurse"], local_now=dt.datetime.now() + dt.timedelta(hours=12)
    )
    with db.read() as s:
        stored = s.scalars(select(SafetyEvent.narrative).where(SafetyEvent.anonymous)).all()
    assert sorted(stored) == texts


def test_the_weekly_figures_release_a_due_batch_before_counting(team: Team) -> None:
    """Sending never releases; the report a manager prints counts what is due."""
    from hrohuddle.services import reporting
    from hrohuddle.services.anonymity import waiting

    db = team.db
    for n in range(3):
        events.report(
            db,
            team["learner"],
            events.EventInput(
                kind="near_miss",
                narrative=f"Bed rail {n} left down",
                category="fall",
                occurred_at=dt.datetime.now() - dt.timedelta(minutes=30),
                anonymous=True,
            ),
        )
    assert waiting(db, team.admin.unit_id) == 3
    reporting.weekly_figures(db, team["manager"], reporting.Week.last_complete())
    assert waiting(db, team.admin.unit_id) == 0
