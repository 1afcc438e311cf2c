""" "I have seen this too": counted once per person, never named, on SQLite and PostgreSQL.

The marker kept beside a report is a keyed hash whose key lives in the PIN secret file
beside the database, never in it: the tests search the whole database for the person
and try to recompute the marker from everything the database holds.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import shutil
import threading
from typing import Any

import pytest
from conftest import Team
from sqlalchemy import MetaData, Table, inspect, select, update

from hrohuddle.services import events, huddles, me_too, signin
from hrohuddle.services.errors import NotFound, ServiceError, ValidationError
from hrohuddle.store.database import Database
from hrohuddle.store.models import AuditEntry, MeToo, ReportStep, SafetyEvent


def _report(team: Team, role: str = "staff", text: str = "Suction in bay 3 too weak") -> int:
    sent = events.report(
        team.db,
        team[role],
        events.EventInput(
            kind="unsafe_condition",
            narrative=text,
            category="device",
            occurred_at=dt.datetime.now().replace(second=0, microsecond=0)
            - dt.timedelta(minutes=20),
        ),
    )
    assert sent.event_id is not None
    return sent.event_id


def _on_the_board(team: Team) -> int:
    """A report the next huddle's look back takes up, as the board shows it."""
    event_id = _report(team)
    huddles.start_or_resume(team.db, team["charge_nurse"])
    return event_id


def _count(db: Database, event_id: int) -> int:
    with db.read() as s:
        return int(s.scalar(select(SafetyEvent.me_too_count).where(SafetyEvent.id == event_id)))


def test_each_person_counts_once_and_a_second_press_is_answered_kindly(team: Team) -> None:
    db = team.db
    event_id = _on_the_board(team)
    with db.read() as s:
        version = s.scalar(select(SafetyEvent.version).where(SafetyEvent.id == event_id))
    assert me_too.add(db, team["learner"], event_id) == 1
    with pytest.raises(me_too.AlreadySaid) as again:
        me_too.add(db, team["learner"], event_id)
    assert str(again.value) == "You have already said you have seen this too."
    assert me_too.add(db, team["preceptor"], event_id) == 2
    assert me_too.add(db, team["manager"], event_id) == 3
    assert _count(db, event_id) == 3
    assert me_too.counts(db, team.admin.unit_id, [event_id]) == {event_id: 3}
    assert me_too.seen_by(3) == "Seen by 3 others too"
    assert me_too.seen_by(1) == "Seen by 1 other too"
    assert me_too.said(db, team["learner"], [event_id]) == {event_id}
    assert me_too.said(db, team["admin"], [event_id]) == set()
    with db.read() as s:
        # A reviewer's open edit is not refused because someone said "me too".
        assert s.scalar(select(SafetyEvent.version).where(SafetyEvent.id == event_id)) == version


def test_the_reporter_cannot_add_to_their_own_named_report(team: Team) -> None:
    event_id = _on_the_board(team)
    with pytest.raises(ValidationError, match="your own report"):
        me_too.add(team.db, team["staff"], event_id)
    assert _count(team.db, event_id) == 0


def test_only_reports_the_person_can_see(team: Team) -> None:
    db = team.db
    unseen = _report(team, text="Not on any board yet")
    with pytest.raises(NotFound):
        me_too.add(db, team["learner"], unseen)
    with pytest.raises(NotFound):
        me_too.add(db, team["learner"], unseen + 1000)
    # Reviewers see every report of the unit.
    assert me_too.add(db, team["manager"], unseen) == 1
    # Shared in the bulletin: now everyone may say they have seen it too.
    with db.write() as s:
        s.add(
            ReportStep(event_id=unseen, step="shared", on_date=dt.date.today(), sentence="Shared")
        )
    assert me_too.add(db, team["learner"], unseen) == 2


def test_a_duplicate_counts_on_the_report_it_was_merged_into(team: Team) -> None:
    db = team.db
    first = _on_the_board(team)
    duplicate = _report(team, "preceptor", "Suction weak again in bay 3")
    with db.write() as s:
        s.execute(
            update(SafetyEvent)
            .where(SafetyEvent.id == duplicate)
            .values(merged_into_id=first)
            .execution_options(synchronize_session=False)
        )
    assert me_too.add(db, team["learner"], duplicate) == 1
    with pytest.raises(me_too.AlreadySaid):
        me_too.add(db, team["learner"], first)
    assert (_count(db, first), _count(db, duplicate)) == (1, 0)


def test_two_workstations_at_once_count_the_same_person_once(team: Team) -> None:
    event_id = _on_the_board(team)
    learner = team["learner"]
    stations = [Database.connect(team.db.url) for _ in range(2)]
    start = threading.Barrier(2)
    results: list[Any] = []

    def press(station: Database) -> None:
        start.wait()
        try:
            results.append(me_too.add(station, learner, event_id))
        except ServiceError as exc:
            results.append(exc)

    try:
        threads = [threading.Thread(target=press, args=(st,)) for st in stations]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    finally:
        for st in stations:
            st.dispose()
    counted = [r for r in results if isinstance(r, int)]
    refused = [r for r in results if isinstance(r, me_too.AlreadySaid)]
    assert (counted, len(refused)) == ([1], 1), results
    assert _count(team.db, event_id) == 1
    with team.db.read() as s:
        assert len(s.scalars(select(MeToo.marker).where(MeToo.event_id == event_id)).all()) == 1


def _everything(db: Database) -> dict[str, list[dict[str, Any]]]:
    meta = MetaData()
    out = {}
    for name in inspect(db.engine).get_table_names():
        table = Table(name, meta, autoload_with=db.engine)
        with db.engine.connect() as conn:
            out[name] = [dict(r._mapping) for r in conn.execute(select(table))]
    return out


def _changed(before: dict[str, list[dict[str, Any]]], after: dict[str, list[dict[str, Any]]]):  # type: ignore[no-untyped-def]
    """Every row that is new or different after, by table."""
    out: dict[str, list[dict[str, Any]]] = {}
    for table, rows in after.items():
        old = {json.dumps(r, default=str, sort_keys=True) for r in before.get(table, [])}
        new = [r for r in rows if json.dumps(r, default=str, sort_keys=True) not in old]
        if new:
            out[table] = new
    return out


def test_nothing_stored_names_who_said_it_and_the_marker_needs_the_key_file(team: Team) -> None:
    db = team.db
    event_id = _on_the_board(team)
    learner = team["learner"]
    before = _everything(db)
    me_too.add(db, learner, event_id)
    after = _everything(db)

    changed = _changed(before, after)
    # Exactly the mark and the report's count; no audit entry, no session, no time.
    assert sorted(changed) == ["me_too", "safety_events"], sorted(changed)
    assert [set(r) for r in changed["me_too"]] == [{"event_id", "marker"}]
    (row,) = changed["safety_events"]
    old = next(r for r in before["safety_events"] if r["id"] == event_id)
    assert {k for k in row if row[k] != old[k]} == {"me_too_count"}
    assert len(after["audit_log"]) == len(before["audit_log"])
    with db.read() as s:
        assert not s.scalars(select(AuditEntry.id).where(AuditEntry.action.like("%me_too%"))).all()

    # Search: beside the mark, only the report's id; no person id, name or session.
    marker = changed["me_too"][0]["marker"]
    assert changed["me_too"][0]["event_id"] == event_id
    assert learner.display_name not in json.dumps(changed, default=str)

    # The marker cannot be made from what the database holds: not as a plain hash,
    # nor keyed with any value stored anywhere in it.
    texts = {
        str(v).encode()
        for rows in after.values()
        for r in rows
        for v in r.values()
        if v is not None and not isinstance(v, (bool, int, float))
    }
    keys = [b"", *texts]
    with db.read() as s:
        people = [int(p) for p in s.scalars(select(AuditEntry.actor_id).distinct()) if p]
    for p in {*people, learner.person_id}:
        message = f"{event_id}:{p}".encode()
        assert hashlib.sha256(message).hexdigest() != marker
        for key in keys:
            assert hmac.new(key, message, hashlib.sha256).hexdigest() != marker

    # With the key file, it is the learner's mark (a second press is refused) ...
    key = hmac.new(signin.pin_secret(db), b"hrohuddle me-too marker v1", hashlib.sha256).digest()
    assert me_too.marker(key, event_id, learner.person_id) == marker
    # ... and without it, no one can say whose it is: nothing can be marked at all.
    secret = signin.secret_file(db)
    kept = secret.with_name("kept-aside.key")
    shutil.move(secret, kept)
    try:
        with pytest.raises(ServiceError, match="PIN secret"):
            me_too.add(db, team["preceptor"], event_id)
    finally:
        shutil.move(kept, secret)
    assert _count(db, event_id) == 1


def test_recurring_hazards_rise_to_the_top_of_triage(team: Team) -> None:
    db = team.db
    seen = _on_the_board(team)
    newer = _report(team, "preceptor", "Bed rails on bay 2 do not lock")
    for role in ("learner", "manager"):
        me_too.add(db, team[role], seen)
    newest = events.list_events(db, team["manager"], events.EventFilter())
    assert [r.id for r in newest.rows][:2] == [newer, seen]  # same minute: the later first
    by_seen = events.list_events(db, team["manager"], events.EventFilter(order="seen_too"))
    assert [r.id for r in by_seen.rows][:2] == [seen, newer]
    assert [r.me_too for r in by_seen.rows][:2] == [2, 0]


def test_the_words_never_count_the_reader_among_the_others() -> None:
    assert me_too.seen_by(0) == ""
    assert me_too.seen_by(1) == "Seen by 1 other too"
    assert me_too.seen_by(7) == "Seen by 7 others too"
    assert me_too.seen_by(1, mine=True) == "You have seen this too"
    assert me_too.seen_by(7, mine=True) == "Seen by 7 people, you among them"
