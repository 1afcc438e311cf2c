"""Anonymity against a determined look: the database, its log, its backups, its order.

Each test plays the adversary of THREAT_MODEL.md: a manager with every screen and
report, or anyone with a copy of the database or a backup.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from conftest import Team
from sqlalchemy import MetaData, Table, inspect, select, text

from hrohuddle.services import anonymity, drafts, events, huddles, people, pulses
from hrohuddle.services.errors import ValidationError
from hrohuddle.store import backup
from hrohuddle.store.database import Database
from hrohuddle.store.models import (
    AnonymousOutbox,
    AuditEntry,
    Draft,
    Huddle,
    Person,
    PulseResponse,
    SafetyEvent,
    Unit,
)
from hrohuddle.store.opening import open_database

NAME = "Quinta Zephyrine"
REPORT = "Oxygen tubing kinked behind bed nine during the drug round"
COMMENT = "Handover felt calm and unhurried"
DRAFT = "Words typed in a draft and never sent about the sluice"
PIN = "6157"
FIXTURES_DB = Path(__file__).parent / "fixtures" / "db"


def _near_miss(narrative: str, *, anonymous: bool) -> events.EventInput:
    return events.EventInput(
        kind="near_miss",
        narrative=narrative,
        category="medication",
        occurred_at=dt.datetime.now().replace(microsecond=0) - dt.timedelta(minutes=20),
        area="Bays 1-4",
        noticed_by="learner",
        anonymous=anonymous,
    )


def _person(team: Team, name: str, *, start: dt.date | None = None, learner: bool = False) -> int:
    return people.save_person(
        team.db,
        team.admin,
        people.PersonInput(
            name,
            "nursing",
            ["learner" if learner else "staff"],
            is_learner=learner,
            start_date=start,
            pin=PIN,
        ),
    )


def _is_shift_start(value: dt.datetime, unit: Unit) -> bool:
    local = value.replace(tzinfo=dt.UTC).astimezone()
    return (
        value.second == 0
        and value.microsecond == 0
        and local.strftime("%H:%M")
        in (
            unit.day_shift_start,
            unit.night_shift_start,
        )
    )


def _rows(engine: Any) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table, typed (reflected, so nothing is skipped)."""
    meta = MetaData()
    out = {}
    for name in inspect(engine).get_table_names():
        table = Table(name, meta, autoload_with=engine)
        with engine.connect() as conn:
            out[name] = [dict(r._mapping) for r in conn.execute(select(table))]
    return out


def _links(
    rows: dict[str, list[dict[str, Any]]],
    markers: list[str],
    *,
    person_id: int,
    session_ids: set[int],
    session: tuple[dt.datetime, dt.datetime],
    unit: Unit,
) -> list[str]:
    """What ties a row holding anonymous content to the person or the session."""
    found = []
    for table, table_rows in rows.items():
        for row in table_rows:
            blob = json.dumps(row, default=str)
            if not any(m in blob for m in markers):
                continue
            for column, value in row.items():
                where = f"{table}.{column}={value!r}"
                if isinstance(value, bool) or value is None:
                    continue
                if isinstance(value, int) and (value == person_id or value in session_ids):
                    found.append(where)
                if isinstance(value, str) and (
                    str(person_id) == value or any(p.lower() in value.lower() for p in NAME.split())
                ):
                    found.append(where)
                if isinstance(value, dt.datetime) and not _is_shift_start(value, unit):
                    found.append(where)
                if (
                    isinstance(value, dt.datetime)
                    and session[0] <= value <= session[1]
                    and not _is_shift_start(value, unit)
                ):
                    found.append(where + " (inside the session)")
    return found


@pytest.fixture
def log_file(data_paths) -> Any:
    """The app's own log file for one test, closed afterwards."""
    from hrohuddle import logs

    root = logging.getLogger()
    before = list(root.handlers)
    logs.setup(data_paths.log_dir, verbose=True)
    yield data_paths.log_dir
    for handler in root.handlers:
        if handler not in before:
            handler.close()
    root.handlers[:] = before


def test_nothing_at_rest_links_an_anonymous_report_or_a_pulse_answer(
    team: Team, data_paths, log_file, caplog: pytest.LogCaptureFixture
) -> None:
    """Search every column of every table, the log, the raw file and the backups."""
    caplog.set_level(logging.DEBUG)
    db = team.db
    for i in range(24):  # so that the reporter's id is like no other number stored
        _person(team, f"Filler Person{chr(65 + i)}")
    start = dt.date.today() - dt.timedelta(days=8)
    me_id = _person(team, NAME, start=start, learner=True)
    me = people.sign_in(db, me_id, PIN)
    with db.read() as s:
        signed_in = s.execute(
            select(AuditEntry.id, AuditEntry.at).where(AuditEntry.actor_id == me_id)
        ).all()[-1]
        unit = s.get(Unit, me.unit_id)
    assert unit is not None

    key = drafts.save_anonymous(db, me, None, {"narrative": DRAFT, "anonymous": True})
    key = drafts.save_anonymous(db, me, key, {"narrative": REPORT, "anonymous": True})
    sent = events.report(db, me, _near_miss(REPORT, anonymous=True))
    drafts.discard_anonymous(db, key)
    due = pulses.due_pulse(db, me)
    assert due is not None
    pulses.submit(db, me, due.invitation_id, dict.fromkeys(("E1", "E2", "E3"), 3), COMMENT)
    # Someone else files a named report after the anonymous one, before its release.
    named = events.report(db, team["staff"], _near_miss("Named report after", anonymous=False))
    wal = Path(f"{db.file}-wal") if db.is_sqlite else None
    if wal is not None and wal.exists():
        body = wal.read_bytes()
        assert REPORT.encode() not in body and COMMENT.encode() not in body
    waiting_copy = (
        backup.take_backup(db.file, data_paths.backup_dir, reason="manual") if db.file else None
    )
    people.sign_out(db, me)
    with db.read() as s:
        signed_out = s.execute(
            select(AuditEntry.id, AuditEntry.at).where(AuditEntry.actor_id == me_id)
        ).all()[-1]
    assert anonymity.release_due(db, force=True) == 2
    released_copy = (
        backup.take_backup(db.file, data_paths.backup_dir, reason="manual") if db.file else None
    )

    session_ids = {signed_in.id, signed_out.id}
    window = (signed_in.at - dt.timedelta(seconds=1), signed_out.at + dt.timedelta(seconds=1))
    rows = _rows(db.engine)
    kw = {"person_id": me_id, "session_ids": session_ids, "session": window, "unit": unit}
    assert _links(rows, [REPORT, COMMENT], **kw) == []
    assert DRAFT not in json.dumps(rows, default=str)
    (event,) = [r for r in rows["safety_events"] if r["narrative"] == REPORT]
    assert event["id"] > (named.event_id or 0), "the anonymous report keeps its order of sending"
    assert event["noticed_by"] is None  # "noticed by a learner": one learner on this unit
    assert rows["anonymous_outbox"] == []
    assert sent.receipt_code and sent.receipt_code not in json.dumps(rows, default=str)

    if db.is_sqlite:
        assert db.file is not None and wal is not None
        assert (
            not wal.exists() or wal.stat().st_size == 0 or REPORT.encode() not in wal.read_bytes()
        )
        raw = db.file.read_bytes()
        assert raw.count(REPORT.encode()) == 1 and raw.count(COMMENT.encode()) == 1
        assert DRAFT.encode() not in raw
        for copy in (waiting_copy, released_copy):
            assert copy is not None
            engine = Database.connect(f"sqlite:///{copy.path}").engine
            try:
                assert _links(_rows(engine), [REPORT, COMMENT], **kw) == []
            finally:
                engine.dispose()
            assert DRAFT.encode() not in copy.path.read_bytes()
    else:
        with db.read() as s:
            batch = {
                s.scalar(
                    text("SELECT xmin::text::bigint FROM safety_events WHERE id = :i"),
                    {"i": event["id"]},
                ),
                *s.scalars(text("SELECT xmin::text::bigint FROM pulse_responses")),
                *s.scalars(
                    text("SELECT xmin::text::bigint FROM pulse_invitations WHERE status = 'done'")
                ),
            }
            session_xids = set(
                s.scalars(
                    text("SELECT xmin::text::bigint FROM audit_log WHERE id IN (:a, :b)"),
                    {"a": signed_in.id, "b": signed_out.id},
                )
            )
        assert len(batch) == 1, "one batch, one transaction id, invitations included"
        assert batch.isdisjoint(session_xids) and min(batch) > max(session_xids)

    logged = caplog.text + "".join(
        p.read_text(errors="replace") for p in Path(data_paths.log_dir).glob("*.log*")
    )
    for needle in (REPORT, COMMENT, DRAFT, NAME, sent.receipt_code):
        assert needle not in logged


def test_an_anonymous_draft_keeps_no_author_and_replaces_the_named_one(team: Team) -> None:
    db, me = team.db, team["learner"]
    drafts.save(db, me, "event_form", "", {"narrative": DRAFT, "anonymous": False})
    key = drafts.save_anonymous(
        db, me, None, {"narrative": DRAFT, "anonymous": True}, named_kind="event_form"
    )
    assert key and drafts.load_anonymous(db, key) == {"narrative": DRAFT, "anonymous": True}
    with db.read() as s:
        assert s.scalars(select(Draft)).all() == []  # the named draft is gone
        (row,) = s.scalars(select(AnonymousOutbox)).all()
        unit = s.get(Unit, me.unit_id)
    assert row.kind == "draft" and row.receipt_hash is None and unit is not None
    assert _is_shift_start(row.filed_shift, unit)
    assert "owner" not in {c["name"] for c in inspect(db.engine).get_columns("anonymous_outbox")}
    with pytest.raises(ValueError):
        drafts.save(db, me, "event_form", "", {"narrative": DRAFT, "anonymous": True})
    assert anonymity.release_due(db, force=True) == 0  # a draft is never released
    # Unclaimed (the app closed or crashed), it is wiped after two days.
    later = dt.datetime.now() + dt.timedelta(days=3)
    anonymity.release_due(db, local_now=later)
    assert drafts.load_anonymous(db, key) is None


def test_reports_leave_in_shuffled_batches_of_three_or_at_the_shift_change(
    team: Team, monkeypatch
) -> None:
    db = team.db
    order: list[list[str]] = []

    def reverse(items: list[Any]) -> None:
        items.reverse()
        order.append([i.payload["narrative"] for i in items])

    monkeypatch.setattr(anonymity, "_shuffle", reverse)
    now = dt.datetime.now().replace(microsecond=0)
    for n in range(2):
        events.report(db, team["learner"], _near_miss(f"Batch report {n}", anonymous=True))
    assert anonymity.waiting(db, team.admin.unit_id) == 2
    events.report(db, team["learner"], _near_miss("Batch report 2", anonymous=True))
    assert anonymity.waiting(db, team.admin.unit_id) == 0
    with db.read() as s:
        stored = s.execute(select(SafetyEvent.narrative).order_by(SafetyEvent.id)).scalars().all()
    assert len(order) == 1 and sorted(order[0]) == [f"Batch report {n}" for n in range(3)]
    assert stored == order[0], "ids follow the shuffle, not the order of sending"
    # One waiting report leaves at the next shift change, not before.
    events.report(db, team["learner"], _near_miss("Alone", anonymous=True), local_now=now)
    assert anonymity.release_due(db, local_now=now) == 0
    assert anonymity.release_due(db, local_now=now + dt.timedelta(hours=12, minutes=1)) == 1


def test_a_receipt_works_before_and_after_release_and_the_look_back_finds_it(
    team: Team,
) -> None:
    db = team.db
    charge = team["charge_nurse"]
    with db.read() as s:
        unit = s.get(Unit, charge.unit_id)
    assert unit is not None
    now = dt.datetime.now().replace(microsecond=0)
    first = huddles.start_or_resume(db, charge, local_now=now)
    huddles.close_huddle(db, charge, first.id)
    sent = events.report(db, team["learner"], _near_miss(REPORT, anonymous=True))
    assert sent.receipt_code
    before = events.check_receipt(db, sent.receipt_code)
    assert before is not None and not before.released and before.status == "new"
    anonymity.release_due(db, force=True)
    after = events.check_receipt(db, sent.receipt_code)
    assert after is not None and after.released and after.kind == "near_miss"
    second = huddles.start_or_resume(db, charge, local_now=now + dt.timedelta(hours=12))
    board = huddles.board(db, charge, second.id)
    with db.read() as s:
        event = s.scalars(select(SafetyEvent).where(SafetyEvent.narrative == REPORT)).one()
        started = s.scalar(select(Huddle.started_at).where(Huddle.id == first.id))
    # Filed after the previous huddle started, but stored as the start of its shift,
    # which is before it: the look back still finds it.
    assert event.filed_shift is not None and started is not None
    assert event.filed_shift <= started
    assert event.id in {e.id for e in board.look_back_events}


def test_a_crash_between_sending_and_release_loses_and_links_nothing(
    team: Team, data_paths
) -> None:
    db = team.db
    me_id = _person(team, NAME, start=dt.date.today() - dt.timedelta(days=8))
    me = people.sign_in(db, me_id, PIN)
    due = pulses.due_pulse(db, me)
    assert due is not None
    pulses.submit(db, me, due.invitation_id, {"E1": 4}, COMMENT)
    sent = events.report(db, me, _near_miss(REPORT, anonymous=True))
    url = db.url
    db.dispose()  # the app dies here
    reopened = open_database(url, data_paths.backup_dir if "sqlite" in url else None).db
    try:
        assert sent.receipt_code and events.check_receipt(reopened, sent.receipt_code)
        assert pulses.due_pulse(reopened, me) is None  # answered, not offered again
        assert anonymity.release_due(reopened, force=True) == 2
        with reopened.read() as s:
            assert s.scalars(select(PulseResponse.comment)).all() == [COMMENT]
            assert s.scalar(select(SafetyEvent.narrative).where(SafetyEvent.anonymous)) == REPORT
            assert s.scalars(select(AnonymousOutbox)).all() == []
    finally:
        reopened.dispose()


def test_an_answer_sent_twice_counts_once(team: Team) -> None:
    me_id = _person(team, NAME, start=dt.date.today() - dt.timedelta(days=8))
    me = people.sign_in(team.db, me_id, PIN)
    due = pulses.due_pulse(team.db, me)
    assert due is not None
    pulses.submit(team.db, me, due.invitation_id, {"E1": 4})
    with pytest.raises(ValidationError, match="already been answered"):
        pulses.submit(team.db, me, due.invitation_id, {"E1": 4})
    assert anonymity.waiting(team.db, me.unit_id) == 1


def test_a_change_of_profession_changes_nothing_stored(team: Team) -> None:
    start = dt.date(2026, 4, 1)
    ids = [_person(team, f"Newcomer {chr(65 + i)}son", start=start) for i in range(6)]
    for pid in ids:
        me = people.sign_in(team.db, pid, PIN)
        due = pulses.due_pulse(team.db, me, today=start + dt.timedelta(days=8))
        assert due is not None
        pulses.submit(team.db, me, due.invitation_id, {"E1": 4}, today=start + dt.timedelta(days=8))
    people.save_person(
        team.db,
        team.admin,
        people.PersonInput("Newcomer Ason", "pharmacy", ["staff"], start_date=start),
        person_id=ids[0],
    )
    anonymity.release_due(team.db, local_now=dt.datetime(2026, 4, 9, 20), force=True)
    with team.db.read() as s:
        stored = s.execute(select(PulseResponse.milestone_day, PulseResponse.period)).all()
    assert set(stored) == {(7, "2026-Q2")} and len(stored) == 6


def test_a_unit_smaller_than_the_minimum_shows_nothing_and_says_why(team: Team) -> None:
    with team.db.write() as s:
        unit = s.get(Unit, team.admin.unit_id)
        assert unit is not None
        unit.min_group_size = 10  # six people on the unit
    res = pulses.results(team.db, team["manager"], today=dt.date(2026, 10, 2))
    assert res.periods == []
    assert res.notes[0].startswith("This unit has fewer than 10 people")


@pytest.mark.parametrize(
    ("comment", "flagged"),
    [
        ("sol staff was unkind at handover", True),
        ("SOL STAFF was unkind", True),
        ("Staff, Sol was unkind", True),
        ("The charge nurse was kind", False),  # "charge" is part of Cai Charge's name
        ("Staff were welcoming", False),
        ("Ask Sol or the pharmacist", False),  # a first name alone is not a full name
        ("cai   charge helped me", True),
    ],
)
def test_the_comment_name_check_catches_full_names_only(
    team: Team, comment: str, flagged: bool
) -> None:
    with team.db.read() as s:
        names = list(s.scalars(select(Person.display_name)))
    assert bool(pulses.names_in(comment, names)) is flagged


def test_the_one_year_demo_unit_links_no_pulse_answer_to_fewer_than_k_people(
    tmp_path: Path,
) -> None:
    """The 71-of-77 finding: every stored answer now matches at least k possible people."""
    import random

    from hrohuddle.services import demo

    opened = open_database(f"sqlite:///{tmp_path / 'demo.sqlite3'}", tmp_path / "backups")
    db = opened.db
    try:
        today = dt.date(2026, 11, 20)
        demo.create(db, years=1, seed=3, today=today)
        with db.read() as s:
            unit = s.scalars(select(Unit)).first()
            assert unit is not None
            k = unit.min_group_size
            stored = s.execute(select(PulseResponse.milestone_day, PulseResponse.period)).all()
            starts = s.execute(
                select(Person.id, Person.start_date).where(Person.start_date.is_not(None))
            ).all()
            columns = {c["name"] for c in inspect(db.engine).get_columns("pulse_invitations")}
        assert "completed_week" not in columns and len(stored) > 50
        random.seed(0)
        for milestone, period in stored:
            if period is None:
                assert milestone is None
                continue
            first, last = anonymity.quarter_bounds(period)
            days = [milestone] if milestone is not None else [int(d) for d in unit.pulse_milestones]
            candidates = {
                pid
                for pid, st in starts
                for d in days
                if first - dt.timedelta(days=anonymity.OFFER_DAYS + 1)
                <= st + dt.timedelta(days=d)
                <= last
            }
            assert len(candidates) >= k, (milestone, period, len(candidates))
        hidden = [
            g
            for p in pulses.results(db, _manager(db), today=today).periods
            for g in p.groups
            if g.hidden
        ]
        assert hidden, "the demo shows what a hidden group looks like"
    finally:
        db.dispose()


def _manager(db: Database) -> people.Actor:
    from hrohuddle.services.permissions import command_line_actor

    with db.read() as s:
        unit_id = s.scalars(select(Unit.id)).first()
    assert unit_id is not None
    return command_line_actor(unit_id, "test", frozenset({"manager"}))


def test_the_upgrade_unlinks_existing_answers_and_removes_anonymous_drafts(tmp_path: Path) -> None:
    db_file = tmp_path / "unit.sqlite3"
    shutil.copy(FIXTURES_DB / "0002_lookback_indexes.sqlite3", db_file)
    conn = sqlite3.connect(db_file)
    old_answers = sorted(r[0] for r in conn.execute("SELECT answers FROM pulse_responses"))
    old_order = [r[0] for r in conn.execute("SELECT id FROM pulse_responses ORDER BY rowid")]
    conn.close()
    opened = open_database(f"sqlite:///{db_file}", tmp_path / "backups")
    opened.db.dispose()
    conn = sqlite3.connect(db_file)
    try:
        columns = {r[1] for r in conn.execute("PRAGMA table_info(pulse_responses)")}
        assert columns == {
            "id",
            "unit_id",
            "instrument_key",
            "instrument_version",
            "milestone_day",
            "period",
            "answers",
            "comment",
        }
        assert "completed_week" not in {
            r[1] for r in conn.execute("PRAGMA table_info(pulse_invitations)")
        }
        new_answers = sorted(r[0] for r in conn.execute("SELECT answers FROM pulse_responses"))
        assert [json.loads(a) for a in new_answers] == [json.loads(a) for a in old_answers]
        new_ids = [r[0] for r in conn.execute("SELECT id FROM pulse_responses ORDER BY rowid")]
        assert not set(new_ids) & set(old_order), "new random ids"
        drafts_left = [json.loads(p) for (p,) in conn.execute("SELECT payload FROM drafts")]
        assert drafts_left and not any(d.get("anonymous") for d in drafts_left)
        (reason,) = conn.execute(
            "SELECT value FROM app_meta WHERE key = 'anonymous_drafts_removed'"
        ).fetchone()
        assert reason.startswith("1 unsent anonymous report draft")
        raw = db_file.read_bytes()
        assert b"Anonymous draft typed before the upgrade" not in raw
        done_postponed = conn.execute(
            "SELECT count(*) FROM pulse_invitations "
            "WHERE status = 'done' AND postponed_until IS NOT NULL"
        ).fetchone()[0]
        assert done_postponed == 0
    finally:
        conn.close()


def test_two_workstations_releasing_at_once_release_each_item_once(team: Team, monkeypatch) -> None:
    import threading

    for n in range(2):
        events.report(team.db, team["learner"], _near_miss(f"Waiting {n}", anonymous=True))
    other = Database.connect(team.db.url)
    start = threading.Barrier(2)
    inside = threading.Barrier(2)
    released: list[int] = []

    def shuffle_when_both_are_inside(items: list[Any]) -> None:
        # Both would meet here if both could read the waiting rows; the lock lets one in.
        try:
            inside.wait(timeout=2)
        except threading.BrokenBarrierError:
            pass

    monkeypatch.setattr(anonymity, "_shuffle", shuffle_when_both_are_inside)

    def release(db: Database) -> None:
        start.wait()
        released.append(anonymity.release_due(db, force=True))

    try:
        threads = [threading.Thread(target=release, args=(d,)) for d in (team.db, other)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
    finally:
        other.dispose()
    assert sorted(released) == [0, 2]
    with team.db.read() as s:
        assert len(s.scalars(select(SafetyEvent.id).where(SafetyEvent.anonymous)).all()) == 2


@pytest.mark.postgres
def test_the_upgrade_unlinks_existing_answers_on_postgresql(pg_url: str) -> None:
    """The 0002 fixture's people, invitations, answers and drafts, upgraded on a server."""
    from sqlalchemy import create_engine

    from hrohuddle.store import migrations

    db = Database.connect(pg_url)
    source = create_engine(f"sqlite:///{FIXTURES_DB / '0002_lookback_indexes.sqlite3'}")
    try:
        migrations.upgrade(db, "0002_lookback_indexes")
        old, new = MetaData(), MetaData()
        tables = ("units", "people", "pulse_invitations", "pulse_responses", "drafts")
        with source.connect() as src, db.engine.begin() as dst:
            for name in tables:
                rows = [
                    dict(r._mapping)
                    for r in src.execute(select(Table(name, old, autoload_with=src)))
                ]
                dst.execute(Table(name, new, autoload_with=dst).insert(), rows)
            before = sorted(
                json.dumps(a, sort_keys=True)
                for (a,) in dst.execute(text("SELECT answers FROM pulse_responses"))
            )
        migrations.upgrade(db)
        with db.engine.connect() as conn:
            after = sorted(
                json.dumps(a, sort_keys=True)
                for (a,) in conn.execute(text("SELECT answers FROM pulse_responses"))
            )
            columns = {c["name"] for c in inspect(conn).get_columns("pulse_responses")}
            anonymous_drafts = [
                p for (p,) in conn.execute(text("SELECT payload FROM drafts")) if p.get("anonymous")
            ]
            reason = conn.execute(
                text("SELECT value FROM app_meta WHERE key = 'anonymous_drafts_removed'")
            ).scalar()
            xids = set(conn.execute(text("SELECT xmin::text FROM pulse_responses")).scalars())
        assert after == before and len(after) > 50
        assert not {"week_start", "cohort", "profession_group"} & columns
        assert anonymous_drafts == [] and reason and reason.startswith("1 ")
        assert len(xids) == 1  # rewritten in one transaction: no order of answering left
    finally:
        source.dispose()
        db.dispose()
