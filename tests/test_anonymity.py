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
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from conftest import Team
from sqlalchemy import MetaData, Table, inspect, select, text

from hrohuddle.services import anonymity, drafts, events, huddles, people, pulses, signin
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
    clock_in = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    me = signin.sign_in(db, me_id, PIN)
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
    signin.sign_out(db, me)
    clock_out = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    with db.read() as s:
        signed_out = s.execute(
            select(AuditEntry.id, AuditEntry.at).where(AuditEntry.actor_id == me_id)
        ).all()[-1]
    assert anonymity.release_due(db, force=True) == 1  # the report; the answer never waited
    released_copy = (
        backup.take_backup(db.file, data_paths.backup_dir, reason="manual") if db.file else None
    )

    session_ids = {signed_in.id, signed_out.id}
    window = (clock_in - dt.timedelta(seconds=1), clock_out + dt.timedelta(seconds=1))
    rows = _rows(db.engine)
    kw = {"person_id": me_id, "session_ids": session_ids, "session": window, "unit": unit}
    assert _links(rows, [REPORT, COMMENT], **kw) == []
    # The report's filed shift, joined with when people signed in, must not give the
    # shift's people: sessions and their audit entries keep the day only.
    session_times = [
        (f"sign_in_sessions.{c}", v)
        for r in rows["sign_in_sessions"]
        for c, v in r.items()
        if isinstance(v, dt.datetime)
    ] + [
        (f"audit_log.at ({r['action']})", r["at"])
        for r in rows["audit_log"]
        if r["action"] in ("signin", "unlocked", "signout", "screen.locked")
    ]
    assert session_times and [w for w, v in session_times if v.time() != dt.time()] == []
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
                copied = _rows(engine)
                assert _links(copied, [REPORT, COMMENT], **kw) == []
                # Nothing waits that, beside the invitations marked done, names a sender.
                assert [r for r in copied["anonymous_outbox"] if r["kind"] == "pulse"] == []
            finally:
                engine.dispose()
            assert DRAFT.encode() not in copy.path.read_bytes()
    else:
        with db.read() as s:
            report_xid = s.scalar(
                text("SELECT xmin::text::bigint FROM safety_events WHERE id = :i"),
                {"i": event["id"]},
            )
            answers = {
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
        # Every answer and every answered invitation of the unit share one transaction id.
        assert len(answers) == 1 and answers.isdisjoint(session_xids)
        assert report_xid not in session_xids and report_xid > max(session_xids)

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
    # Sending never releases: the batch leaves when the board (or a reviewer) asks.
    assert anonymity.waiting(db, team.admin.unit_id) == 3 and order == []
    assert anonymity.release_due(db) == 3
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
    me = signin.sign_in(db, me_id, PIN)
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
        assert anonymity.release_due(reopened, force=True) == 1
        with reopened.read() as s:
            assert s.scalars(select(PulseResponse.comment)).all() == [COMMENT]
            assert s.scalar(select(SafetyEvent.narrative).where(SafetyEvent.anonymous)) == REPORT
            assert s.scalars(select(AnonymousOutbox)).all() == []
    finally:
        reopened.dispose()


def test_an_answer_sent_twice_counts_once(team: Team) -> None:
    me_id = _person(team, NAME, start=dt.date.today() - dt.timedelta(days=8))
    me = signin.sign_in(team.db, me_id, PIN)
    due = pulses.due_pulse(team.db, me)
    assert due is not None
    pulses.submit(team.db, me, due.invitation_id, {"E1": 4})
    with pytest.raises(ValidationError, match="already been answered"):
        pulses.submit(team.db, me, due.invitation_id, {"E1": 4})
    assert anonymity.waiting(team.db, me.unit_id) == 0
    with team.db.read() as s:
        assert len(s.scalars(select(PulseResponse.id)).all()) == 1


def test_a_change_of_profession_changes_nothing_stored(team: Team) -> None:
    start = dt.date(2026, 4, 1)
    ids = [_person(team, f"Newcomer {chr(65 + i)}son", start=start) for i in range(6)]
    for pid in ids:
        me = signin.sign_in(team.db, pid, PIN)
        due = pulses.due_pulse(team.db, me, today=start + dt.timedelta(days=8))
        assert due is not None
        pulses.submit(team.db, me, due.invitation_id, {"E1": 4}, today=start + dt.timedelta(days=8))

    def stored() -> list[tuple[int | None, str | None]]:
        with team.db.read() as s:
            rows = s.execute(select(PulseResponse.milestone_day, PulseResponse.period)).all()
            return sorted(((m, p) for m, p in rows), key=str)

    before = stored()
    people.save_person(
        team.db,
        team.admin,
        people.PersonInput("Newcomer Ason", "pharmacy", ["staff"], start_date=start),
        person_id=ids[0],
    )
    anonymity.release_due(team.db, local_now=dt.datetime(2026, 4, 9, 20), force=True)
    assert stored() == before and len(before) == 6
    # The first four were sent while fewer than five people had answered: no quarter.
    assert before.count((None, None)) == 4 and before.count((7, "2026-Q2")) == 2


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
    """The 71-of-77 finding: every stored answer matches at least k people who answered."""
    import random

    from hrohuddle import demo

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
            columns = {c["name"] for c in inspect(db.engine).get_columns("pulse_invitations")}
        assert "completed_week" not in columns and len(stored) > 50
        random.seed(0)
        for milestone, period in stored:
            if period is None:
                assert milestone is None
                continue
            with db.read() as s:
                who = _answered(s, unit.id, period, milestone)
            assert len(who) >= k, (milestone, period, len(who))
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
        new_ids = [r[0] for r in conn.execute("SELECT id FROM pulse_responses")]
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


# -- what one copy of the file showed a determined manager ------------------------------
def _answered(s: Any, unit_id: int, period: str, milestone: int | None) -> set[int]:
    """Who could have sent a row stored as (period, milestone), read as a copy-holder would:
    people whose invitation is done and whose offer window reaches into the quarter."""
    first, last = anonymity.quarter_bounds(period)
    rows = s.execute(
        text(
            "SELECT i.person_id, i.milestone_day, i.due_on FROM pulse_invitations i "
            "JOIN people p ON p.id = i.person_id WHERE p.unit_id = :u AND i.status = 'done'"
        ),
        {"u": unit_id},
    ).all()
    out = set()
    for pid, day, due in rows:
        due = due if isinstance(due, dt.date) else dt.date.fromisoformat(str(due)[:10])
        reaches = due <= last and due + dt.timedelta(days=anonymity.OFFER_DAYS) >= first
        if reaches and (milestone is None or day == milestone):
            out.add(pid)
    return out


def test_a_stored_milestone_matches_at_least_k_people_who_answered(team: Team) -> None:
    """The rule counted people invited; a copy of the file shows who answered."""
    start = dt.date(2026, 4, 1)
    ids = [_person(team, f"Cohort {chr(65 + i)}son", start=start) for i in range(8)]
    for day, answering in ((7, ids[:6]), (30, ids[:3])):
        today = start + dt.timedelta(days=day + 1)
        for pid in answering:
            me = signin.sign_in(team.db, pid, PIN)
            due = pulses.due_pulse(team.db, me, today=today)
            assert due is not None and due.milestone_day == day
            pulses.submit(team.db, me, due.invitation_id, {"E1": 4}, today=today)
        anonymity.release_due(
            team.db, local_now=dt.datetime.combine(today, dt.time(20)), force=True
        )
    with team.db.read() as s:
        stored = s.execute(select(PulseResponse.milestone_day, PulseResponse.period)).all()
        assert len(stored) == 9
        for milestone, period in stored:
            if period is None:
                assert milestone is None
                continue
            who = _answered(s, team.admin.unit_id, period, milestone)
            assert len(who) >= 5, f"({period}, Day {milestone}) could only be {len(who)} people"


def test_a_copy_taken_right_after_an_answer_holds_no_waiting_answer(team: Team, data_paths) -> None:
    """A waiting answer's milestone, beside the invitations marked done
    whose offer is open, named its sender; the start-up backup kept it for weeks."""
    db = team.db
    others = [
        _person(team, f"Earlier {chr(65 + i)}son", start=dt.date(2026, 1, 5)) for i in range(5)
    ]
    for pid in others:
        me = signin.sign_in(db, pid, PIN)
        due = pulses.due_pulse(db, me, today=dt.date(2026, 4, 10))
        assert due is not None
        pulses.submit(db, me, due.invitation_id, {"E1": 5}, today=dt.date(2026, 4, 10))
    anonymity.release_due(db, local_now=dt.datetime(2026, 4, 10, 20), force=True)
    me_id = _person(team, NAME, start=dt.date.today() - dt.timedelta(days=8))
    me = signin.sign_in(db, me_id, PIN)
    due = pulses.due_pulse(db, me)
    assert due is not None
    pulses.submit(db, me, due.invitation_id, {"E1": 2}, COMMENT)
    copy = backup.take_backup(db.file, data_paths.backup_dir, reason="manual") if db.file else None
    engines = [db.engine]
    if copy is not None:
        engines.append(Database.connect(f"sqlite:///{copy.path}").engine)
    try:
        for engine in engines:
            with engine.connect() as conn:
                waiting = conn.execute(
                    text("SELECT payload FROM anonymous_outbox WHERE kind = 'pulse'")
                ).all()
                stored = conn.execute(text("SELECT comment FROM pulse_responses")).scalars().all()
            assert waiting == [], "an answer waits beside the invitation marked done"
            assert COMMENT in stored
    finally:
        for engine in engines[1:]:
            engine.dispose()


def _storage_guesses(db: Database, markers: list[str]) -> dict[str, str | None]:
    """Which answer each reading of the storage order takes for the newest."""
    guesses: dict[str, str | None] = {}
    with db.engine.connect() as conn:
        scan = [c for c in conn.execute(text("SELECT comment FROM pulse_responses")).scalars()]
        guesses["first in storage"], guesses["last in storage"] = scan[0], scan[-1]
        if db.is_sqlite:
            try:
                guesses["highest rowid"] = conn.execute(
                    text("SELECT comment FROM pulse_responses ORDER BY rowid DESC LIMIT 1")
                ).scalar()
            except Exception:  # no rowid to read
                guesses["highest rowid"] = None
        else:
            guesses["newest xmin"] = conn.execute(
                text(
                    "SELECT comment FROM pulse_responses "
                    "ORDER BY xmin::text::bigint DESC, ctid DESC LIMIT 1"
                )
            ).scalar()
    if db.is_sqlite:
        anonymity.wipe_journal(db)
        assert db.file is not None
        raw = db.file.read_bytes()
        at = sorted((raw.find(m.encode()), m) for m in markers if m.encode() in raw)
        guesses["first in the file"], guesses["last in the file"] = at[0][1], at[-1][1]
    return guesses


def test_pulse_answers_keep_no_order_of_writing_at_rest(team: Team) -> None:
    """SQLite's hidden rowid numbered answers in the order written.

    Eight newcomers answer one after another, each answer released before the next
    (a shift change between them). After each, every way of reading the storage
    order (rowid, the order of a table scan, byte offsets in the file; on PostgreSQL
    the scan order and transaction ids) guesses which answer is the newest. A reading
    that follows the order of writing is right every time; none may be.
    """
    db = team.db
    start = dt.date.today() - dt.timedelta(days=8)
    markers = [f"Order marker {chr(65 + i)}x" for i in range(8)]
    hits: Counter[str] = Counter()
    rounds = 0
    for n, marker in enumerate(markers):
        pid = _person(team, f"Orderly {chr(65 + n)}son", start=start)
        me = signin.sign_in(db, pid, PIN)
        due = pulses.due_pulse(db, me)
        assert due is not None
        pulses.submit(db, me, due.invitation_id, {"E1": 1 + n % 7}, marker)
        anonymity.release_due(db, force=True)
        if n == 0:
            continue
        rounds += 1
        for reading, guess in _storage_guesses(db, markers[: n + 1]).items():
            hits[reading] += guess == marker
    always = [reading for reading, n in hits.items() if n == rounds]
    assert always == [], f"the newest answer is read off the storage order: {always}"
    if db.is_sqlite:
        with db.engine.connect() as conn:
            sql = conn.execute(
                text("SELECT sql FROM sqlite_master WHERE name = 'pulse_responses'")
            ).scalar()
        assert sql is not None and "WITHOUT ROWID" in sql.upper()


def test_sign_in_sessions_and_their_audit_entries_keep_the_day_only(team: Team) -> None:
    """A report's filed shift joined with the sessions' start times gave
    the people signed in on that shift. Times are kept to the day; ended sessions go."""
    from hrohuddle.services import audit_chain
    from hrohuddle.services.errors import SessionEnded
    from hrohuddle.store.unit_models import SignInSession

    db = team.db
    me_id = _person(team, NAME)
    me = signin.sign_in(db, me_id, PIN)
    sent = events.report(db, me, _near_miss(REPORT, anonymous=True))
    assert sent.receipt_code
    signin.lock_session(db, me)
    with pytest.raises(SessionEnded):
        events.my_reports(db, me)  # behind the locked screen
    again = signin.sign_in(db, me_id, PIN, resume=me)
    assert again.session_id == me.session_id
    events.report(db, again, _near_miss("Named, after the lock", anonymous=False))
    signin.sign_out(db, again)
    with pytest.raises(SessionEnded):
        events.report(db, again, _near_miss("After sign-out", anonymous=False))
    anonymity.release_due(db, force=True)

    with db.read() as s:
        filed = s.scalar(select(SafetyEvent.filed_shift).where(SafetyEvent.narrative == REPORT))
        sessions = s.execute(
            select(
                SignInSession.person_id,
                SignInSession.started_at,
                SignInSession.locked_at,
                SignInSession.ended_at,
            )
        ).all()
        entries = s.execute(
            select(AuditEntry.action, AuditEntry.at).where(
                AuditEntry.action.in_(["signin", "unlocked", "signout", "screen.locked"])
            )
        ).all()
    assert filed is not None
    # The copy-holder's join: sessions that began within the report's filed shift.
    on_shift = {
        pid for pid, started, *_ in sessions if filed <= started < filed + dt.timedelta(hours=12)
    }
    assert on_shift <= {pid for pid, started, *_ in sessions if started.time() == dt.time()}
    for _pid, *times in sessions:
        for t in times:
            assert t is None or t.time() == dt.time(), f"a session keeps the time {t}"
    assert entries and all(at.time() == dt.time() for _a, at in entries), entries
    assert audit_chain.verify_chain(db).intact

    # The day after, ended sessions are gone; the ended sign-in is still refused.
    tomorrow = dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(days=1)
    assert anonymity.forget_ended_sessions(db, now=tomorrow) >= 1
    with db.read() as s:
        assert s.scalar(select(SignInSession.id).where(SignInSession.person_id == me_id)) is None
        assert s.scalar(select(SignInSession.id).where(SignInSession.ended_at.is_(None)))
    with pytest.raises(SessionEnded):
        events.report(db, again, _near_miss("After the purge", anonymous=False))
    events.report(db, team["staff"], _near_miss("Open sessions still work", anonymous=False))


def test_the_upgrade_to_0006_keeps_no_order_and_counts_who_answered(tmp_path: Path) -> None:
    """The 0005 fixture: answers rebuilt without rowid, coarsened by who answered;
    sessions kept to the day, the ended ones removed; closed quarters' k recorded."""
    db_file = tmp_path / "unit.sqlite3"
    shutil.copy(FIXTURES_DB / "0005_faithful_vocabularies.sqlite3", db_file)
    conn = sqlite3.connect(db_file)
    old = sorted(r[0] for r in conn.execute("SELECT answers FROM pulse_responses"))
    old_ids = {r[0] for r in conn.execute("SELECT id FROM pulse_responses")}
    open_sessions = conn.execute(
        "SELECT count(*) FROM sign_in_sessions WHERE ended_at IS NULL"
    ).fetchone()[0]
    conn.close()
    opened = open_database(f"sqlite:///{db_file}", tmp_path / "backups")
    db = opened.db
    try:
        with db.read() as s:
            unit = s.scalars(select(Unit)).first()
            assert unit is not None
            stored = s.execute(
                select(PulseResponse.id, PulseResponse.milestone_day, PulseResponse.period)
            ).all()
            for _id, milestone, period in stored:
                if period is not None:
                    assert len(_answered(s, unit.id, period, milestone)) >= unit.min_group_size
            sessions = s.execute(
                text("SELECT started_at, locked_at, ended_at FROM sign_in_sessions")
            ).all()
            published = s.execute(text("SELECT period, min_size FROM pulse_publications")).all()
    finally:
        db.dispose()
    conn = sqlite3.connect(db_file)
    try:
        sql = conn.execute(
            "SELECT sql FROM sqlite_master WHERE name = 'pulse_responses'"
        ).fetchone()
        assert "WITHOUT ROWID" in sql[0].upper()
        assert sorted(r[0] for r in conn.execute("SELECT answers FROM pulse_responses")) == old
        assert not {r[0] for r in stored} & old_ids, "new random ids"
        removed = conn.execute(
            "SELECT value FROM app_meta WHERE key = 'ended_sessions_removed'"
        ).fetchone()
    finally:
        conn.close()
    assert len(sessions) == open_sessions and removed is not None
    for row in sessions:
        for value in row:
            assert value is None or str(value).endswith("00:00:00.000000"), value
    assert published and all(k == 5 for _p, k in published)
