"""Submitted once: a pulse answer, a report and an action made from an item are stored
once, however often the button is pressed or the process dies between steps."""

from __future__ import annotations

import datetime as dt
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import Team
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hrohuddle.services import actions, events, huddles, people, pulses, signin
from hrohuddle.services.errors import ServiceError, ValidationError
from hrohuddle.store.models import (
    Action,
    AnonymousOutbox,
    PulseInvitation,
    PulseResponse,
    SafetyEvent,
)

ROOT = Path(__file__).resolve().parent.parent
SUBMITTER = Path(__file__).parent / "tools" / "pulse_submitter.py"


def _newcomer(team: Team, name: str, start: dt.date) -> people.Actor:
    pid = people.save_person(
        team.db,
        team.admin,
        people.PersonInput(name, "nursing", ["staff"], start_date=start, pin="5827"),
    )
    return signin.sign_in(team.db, pid, "5827")


def _stored(s: Session, kind: str) -> int:
    """Answers (or reports) stored: released, and still waiting in the anonymous outbox."""
    table = PulseResponse if kind == "pulse" else SafetyEvent
    released = s.scalar(select(func.count()).select_from(table)) or 0
    waiting = (
        s.scalar(
            select(func.count()).select_from(AnonymousOutbox).where(AnonymousOutbox.kind == kind)
        )
        or 0
    )
    return int(released) + int(waiting)


def _at_once(calls: list) -> list[object]:  # type: ignore[type-arg]
    """Run the calls together, released by one barrier, as a double press on two threads."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = calls[i]()
        except Exception as exc:  # the refusals are what the test counts
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def test_a_pulse_pressed_twice_at_once_is_counted_once(team: Team) -> None:
    me = _newcomer(team, "Nina New", dt.date(2026, 10, 1))
    today = dt.date(2026, 10, 9)
    due = pulses.due_pulse(team.db, me, today=today)
    assert due is not None
    answer = {"E1": 3, "E2": 6}

    def press() -> None:
        pulses.submit(team.db, me, due.invitation_id, answer, today=today)

    results = _at_once([press, press, press])
    refused = [r for r in results if isinstance(r, ServiceError)]
    assert len(refused) == 2 and all("already been answered" in r.message for r in refused)
    with team.db.read() as s:
        assert _stored(s, "pulse") == 1
        assert s.get(PulseInvitation, due.invitation_id).status == "done"


def test_a_kill_between_steps_never_leaves_an_answered_pulse_pending(
    sqlite_team: Team,
) -> None:
    team = sqlite_team
    for i in range(15):
        starter = _newcomer(team, f"New Starter {i}", dt.date(2026, 10, 1))
        pulses.schedule(team.db, starter.person_id)
    env = {**os.environ}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    rng = random.Random(15)
    kills = 0
    for _ in range(10):
        proc = subprocess.Popen(
            [sys.executable, str(SUBMITTER), team.db.url],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        assert proc.stdout is not None
        first = proc.stdout.readline()  # answering has begun
        time.sleep(rng.uniform(0.0, 0.08))
        proc.send_signal(signal.SIGKILL)
        out, _err = proc.communicate()
        out = first + out
        kills += proc.returncode == -signal.SIGKILL
        with team.db.read() as s:
            done = s.scalar(
                select(func.count())
                .select_from(PulseInvitation)
                .where(PulseInvitation.status == "done")
            )
            answers = _stored(s, "pulse")
        assert done == answers
        if "DONE" in out:
            break
    assert kills >= 1
    with pytest.raises(ValidationError, match="already been answered"):
        with team.db.read() as s:
            inv = s.scalars(select(PulseInvitation).where(PulseInvitation.status == "done")).first()
            assert inv is not None
            actor = signin.sign_in(team.db, inv.person_id, "5827")
        pulses.submit(team.db, actor, inv.id, {"E1": 3})


def _report(**changes: object) -> events.EventInput:
    data = events.EventInput(
        kind="near_miss",
        narrative="Insulin drawn up for the wrong bay, caught at the check",
        category="medication",
        occurred_at=dt.datetime.now().replace(microsecond=0) - dt.timedelta(hours=1),
        area="Bays 1-4",
        stopped_by="barrier",
    )
    for k, v in changes.items():
        setattr(data, k, v)
    return data


def test_a_report_sent_twice_is_stored_once(team: Team) -> None:
    key = events.new_submission_key()
    me = team["staff"]
    first = events.report(team.db, me, _report(anonymous=True), submission_key=key)
    assert first.receipt_code
    results = _at_once(
        [lambda: events.report(team.db, me, _report(anonymous=True), submission_key=key)] * 3
    )
    assert all(isinstance(r, events.Submitted) for r in results), results
    assert {r.event_id for r in results} == {first.event_id}  # type: ignore[union-attr]
    assert all(r.receipt_code is None for r in results)  # type: ignore[union-attr]
    with team.db.read() as s:
        assert _stored(s, "event") == 1
    other = events.report(team.db, me, _report(), submission_key=events.new_submission_key())
    assert other.event_id != first.event_id


def test_make_action_twice_on_one_item_makes_one_open_action(team: Team) -> None:
    nurse = team["charge_nurse"]
    huddle = huddles.start_or_resume(team.db, nurse)
    item = huddles.add_item(team.db, nurse, huddle.id, "look_ahead", "Two pumps out for service")

    def make() -> actions.ActionRow:
        return actions.create_action(
            team.db, nurse, "Chase the pump repair", nurse.person_id, None, item_id=item.id
        )

    results = _at_once([make, make])
    assert all(isinstance(r, actions.ActionRow) for r in results), results
    again = make()
    with team.db.read() as s:
        open_from_item = s.scalars(
            select(Action.id).where(Action.huddle_item_id == item.id, Action.status == "open")
        ).all()
    assert len(open_from_item) == 1 and again.id == open_from_item[0]
