"""The anonymity proofs of test_anonymity.py, extended to the conversation: an anonymous
reporter's messages link to no person and no sign-in, keep only the shift, and carry no
order of writing, in the tables, the audit log, the raw file and its write-ahead log."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from conftest import Team
from sqlalchemy import select, text
from test_anonymity import NAME, _is_shift_start, _links, _person, _rows

from hrohuddle.services import anonymity, conversation, events, signin
from hrohuddle.store.models import AuditEntry, ReportMessage, SafetyEvent, Unit

ANSWER = "Quietly answered: the hoist sling was frayed at the seam"
DETAIL = "More detail typed later about the frayed seam of the sling"


def _report(team: Team, actor: Any, narrative: str) -> str:
    sent = events.report(
        team.db,
        actor,
        events.EventInput(
            kind="near_miss",
            narrative=narrative,
            category="fall",
            occurred_at=dt.datetime.now().replace(microsecond=0) - dt.timedelta(minutes=30),
            anonymous=True,
        ),
    )
    assert sent.receipt_code is not None
    return sent.receipt_code


def _event_id(team: Team, code: str) -> int:
    with team.db.read() as s:
        found = s.scalar(
            select(SafetyEvent.id).where(SafetyEvent.receipt_hash == events.receipt_hash(code))
        )
    assert found is not None
    return int(found)


def test_nothing_at_rest_links_an_anonymous_reporters_message(team: Team) -> None:
    db = team.db
    for i in range(24):  # so that the reporter's id is like no other number stored
        _person(team, f"Filler Person{chr(65 + i)}")
    me_id = _person(team, NAME, learner=True)
    clock_in = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    me = signin.sign_in(db, me_id, "6157")
    code = _report(team, me, "A sling with a frayed seam was still in use")
    anonymity.release_due(db, force=True)
    event_id = _event_id(team, code)
    conversation.ask(db, team["charge_nurse"], event_id, "Which sling was it?")
    conversation.write_by_receipt(db, code, "answer", ANSWER)
    conversation.write_by_receipt(db, code, "detail", DETAIL)
    # Someone else writes, named, while the answer waits.
    named = events.report(
        db,
        team["staff"],
        events.EventInput(
            kind="near_miss",
            narrative="Named report after the answer",
            category="fall",
            occurred_at=dt.datetime.now().replace(microsecond=0),
        ),
    )
    assert named.event_id is not None
    wal = Path(f"{db.file}-wal") if db.is_sqlite else None
    if wal is not None and wal.exists():
        assert ANSWER.encode() not in wal.read_bytes()
    with db.read() as s:
        unit = s.get(Unit, me.unit_id)
        signed_in = s.execute(
            select(AuditEntry.id, AuditEntry.at).where(AuditEntry.actor_id == me_id)
        ).all()
    assert unit is not None
    waiting_rows = _rows(db.engine)
    # Sent, not passed on: the reviewers' screens do not see it within the shift.
    assert [
        m.text for m in conversation.for_review(db, team["charge_nurse"], event_id).messages
    ] == ["Which sling was it?"]
    signin.sign_out(db, me)
    clock_out = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    later = dt.datetime.now() + dt.timedelta(hours=13)
    assert anonymity.release_due(db, local_now=later, messages=True) == 2

    window = (clock_in - dt.timedelta(seconds=1), clock_out + dt.timedelta(seconds=1))
    kw = {
        "person_id": me_id,
        "session_ids": {r.id for r in signed_in},
        "session": window,
        "unit": unit,
    }
    rows = _rows(db.engine)
    for seen in (waiting_rows, rows):
        assert _links(seen, [ANSWER, DETAIL], **kw) == []
    released = [r for r in rows["report_messages"] if r["sender"] == "reporter"]
    assert {r["text"] for r in released} == {ANSWER, DETAIL}
    for r in released:
        assert r["author_id"] is None and _is_shift_start(r["sent_at"], unit)
        assert len(r["id"]) == 32 and r["event_id"] == event_id
    assert rows["anonymous_outbox"] == []
    # The report's own steps keep no moment finer than the shift either.
    steps = [r for r in rows["report_steps"] if r["event_id"] == event_id]
    assert steps and all(_is_shift_start(r["created_at"], unit) for r in steps)
    # The audit log records each message without its text and without anyone.
    audited = [
        r
        for r in rows["audit_log"]
        if r["action"] == "event.message" and r["target"] == f"event:{event_id}"
    ]
    from_reporter = [r for r in audited if r["detail"].get("from") == "reporter"]
    assert len(from_reporter) == 2
    for r in from_reporter:
        assert r["actor_id"] is None and set(r["detail"]) == {"kind", "from"}
        blob = json.dumps(r, default=str)
        assert str(me_id) not in json.dumps(r["detail"]) and "Quinta" not in blob
        assert r["at"] > clock_out, "released after the sender left, at a reviewer's moment"
    everything = json.dumps(rows["audit_log"], default=str)
    assert ANSWER not in everything and code not in everything

    if db.is_sqlite:
        assert db.file is not None
        raw = db.file.read_bytes()
        assert raw.count(ANSWER.encode()) == 1
        page = 4096
        at = raw.index(ANSWER.encode())
        near = raw[at - at % page : at - at % page + page]
        assert NAME.encode() not in near and b"Quinta" not in near
        assert wal is None or not wal.exists() or ANSWER.encode() not in wal.read_bytes()
        with db.engine.connect() as conn:
            sql = conn.execute(
                text("SELECT sql FROM sqlite_master WHERE name = 'report_messages'")
            ).scalar()
        assert sql is not None and "WITHOUT ROWID" in sql.upper()
    else:
        with db.read() as s:
            message_xids = set(
                s.scalars(
                    text("SELECT xmin::text::bigint FROM report_messages WHERE sender = 'reporter'")
                )
            )
            session_xids = set(
                s.scalars(
                    text("SELECT xmin::text::bigint FROM audit_log WHERE actor_id = :p"),
                    {"p": me_id},
                )
            )
        # Both messages were written by the release, in one transaction, after the session.
        assert len(message_xids) == 1 and message_xids.isdisjoint(session_xids)


def test_messages_leave_in_a_shuffled_batch_whatever_the_order_of_writing(
    team: Team, monkeypatch
) -> None:
    db = team.db
    order: list[list[str]] = []

    def reverse(items: list[Any]) -> None:
        items.reverse()
        order.append([str(i.payload.get("text", "")) for i in items])

    codes = [_report(team, team["learner"], f"Report number {n}") for n in range(3)]
    anonymity.release_due(db, force=True)
    ids = [_event_id(team, c) for c in codes]
    for n, code in enumerate(codes):
        conversation.write_by_receipt(db, code, "detail", f"Message {n}")
    # Sending never releases: three waiting messages stay until a reviewer's screen asks.
    assert anonymity.waiting(db, team.admin.unit_id) == 3
    events.report(
        db,
        team["staff"],
        events.EventInput(
            kind="good_catch",
            narrative="Named",
            category="fall",
            occurred_at=dt.datetime.now().replace(microsecond=0),
        ),
    )
    _report(team, team["learner"], "Another anonymous report")
    assert anonymity.waiting(db, team.admin.unit_id) >= 3
    monkeypatch.setattr(anonymity, "_shuffle", reverse)
    conversation.for_review(db, team["charge_nurse"], ids[0])  # three waiting: a batch leaves
    with db.read() as s:
        audited = (
            s.execute(
                select(AuditEntry.target)
                .where(AuditEntry.action == "event.message")
                .order_by(AuditEntry.id)
            )
            .scalars()
            .all()
        )
        texts = {
            r.event_id: r.text
            for r in s.scalars(select(ReportMessage).where(ReportMessage.sender == "reporter"))
        }
    released = [texts[int(t.split(":")[1])] for t in audited]
    # The audit entries, and the positions, follow the shuffle, not the order of sending.
    assert order and released == [m for m in order[-1] if m.startswith("Message")]
    assert sorted(released) == ["Message 0", "Message 1", "Message 2"]
