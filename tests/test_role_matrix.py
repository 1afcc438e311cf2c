"""Every role is allowed exactly what the permission table says, in the services themselves."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from conftest import Clock, Team
from sqlalchemy import Date, bindparam, func, select, text

from hrohuddle.services import (
    census,
    checklists,
    events,
    huddles,
    observations,
    people,
    pulses,
    reporting,
)
from hrohuddle.services.errors import PermissionDenied
from hrohuddle.services.permissions import PERMISSIONS, ROLES, Actor
from hrohuddle.store.models import AuditEntry


def _calls(team: Team, clock: Clock) -> dict[str, Callable[[Actor], object]]:
    db = team.db
    today = clock.today
    with db.write() as s:
        s.execute(text("UPDATE units SET created_at = '2025-01-01 00:00:00'"))
        s.execute(
            text("UPDATE people SET start_date = :d WHERE id = :i").bindparams(
                bindparam("d", today - dt.timedelta(days=30), type_=Date),
                i=team["learner"].person_id,
            )
        )
    checklists.sync_templates(db)
    template = checklists.templates(db)[0]
    event = events.report(
        db,
        team["staff"],
        events.EventInput(
            kind="near_miss",
            narrative="Pump alarm ignored",
            category="device",
            occurred_at=clock.now - dt.timedelta(hours=1),
        ),
    )
    learner = team["learner"].person_id
    for role in ROLES:  # every would-be preceptor precepts the learner, so only roles decide
        if role != "learner":
            with db.write() as s:
                s.execute(
                    text(
                        "INSERT INTO preceptor_assignments (preceptor_id, learner_id, "
                        "starts_on) VALUES (:p, :l, :d)"
                    ).bindparams(bindparam("d", type_=Date)),
                    {"p": team[role].person_id, "l": learner, "d": today - dt.timedelta(days=30)},
                )
    owner = team["staff"].person_id
    return {
        "huddle.run": lambda a: huddles.start_or_resume(db, a),
        "huddle.contribute": lambda a: huddles.add_item(
            db,
            a,
            huddles.start_or_resume(db, team["charge_nurse"]).id,
            "recognise",
            f"Thanks from {a.display_name}",
        ),
        "action.manage": lambda a: huddles.create_action(db, a, "Fix the pump", owner, today),
        "event.report": lambda a: events.report(
            db,
            a,
            events.EventInput(
                kind="good_catch",
                narrative="Caught it",
                category="other",
                occurred_at=clock.now,
            ),
        ),
        "event.triage": lambda a: events.triage(db, a, event.event_id, status="under_review"),
        "event.view_all": lambda a: events.list_events(db, a, events.EventFilter()),
        "checklist.observe": lambda a: checklists.start_session(db, a, template.id, "huddle"),
        "checklist.edit_templates": lambda a: checklists.save_version(
            db, a, template.id, checklists.items(db, template.id)
        ),
        "observation.log": lambda a: observations.log(
            db,
            a,
            learner,
            observed_on=today,
            setting="handoff",
            domains=["C"],
            behaviours=[],
            rating=3,
            strengths=None,
            next_steps=None,
        ),
        "pulse.results": lambda a: pulses.results(db, a),
        "report.view": lambda a: reporting.weekly_figures(db, a, reporting.Week.last_complete()),
        "census.edit": lambda a: census.set_week(db, a, "2026-W40", 170),
        "people.manage": lambda a: people.save_person(
            db, a, people.PersonInput(f"New {a.display_name}", "nursing", ["staff"], pin="5827")
        ),
        "unit.configure": lambda a: people.update_unit_settings(db, a, idle_lock_minutes=7),
    }


def test_every_role_against_every_service_action(team: Team, clock: Clock) -> None:
    calls = _calls(team, clock)
    checked = 0
    for action, call in calls.items():
        for role in ROLES:
            actor = team[role]
            if role == "learner" and action == "observation.log":
                continue  # a learner observing themselves is refused for that reason first
            with team.db.read() as s:
                refused_before = s.scalar(
                    select(func.count())
                    .select_from(AuditEntry)
                    .where(AuditEntry.action == "permission.refused")
                )
            if role in PERMISSIONS[action]:
                call(actor)
            else:
                with pytest.raises(PermissionDenied) as info:
                    call(actor)
                assert info.value.message.startswith("Your role does not allow you to")
                with team.db.read() as s:
                    after = s.scalar(
                        select(func.count())
                        .select_from(AuditEntry)
                        .where(AuditEntry.action == "permission.refused")
                    )
                assert after == refused_before + 1, (action, role)
            checked += 1
    assert checked >= 80
    print(f"\nrole-action pairs checked: {checked}")
