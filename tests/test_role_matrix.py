"""Every role is allowed exactly what the permission table says, in the services themselves.

The table of calls below has one entry per permission, and the test fails when
the permission table gains an entry without one: a new permission cannot go
untested. Each call is also tried with stale and other-unit sessions.
"""

from __future__ import annotations

import ast
import dataclasses
import datetime as dt
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import Clock, Team
from sqlalchemy import Date, bindparam, func, select, text

from hrohuddle.services import (
    actions,
    audit_log,
    backups,
    census,
    checklists,
    events,
    exports,
    huddle_record,
    huddles,
    observations,
    people,
    pulses,
    reporting,
    signin,
)
from hrohuddle.services.errors import NotFound, PermissionDenied, SessionEnded
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
    template = checklists.templates(db, team.admin.unit_id)[0]
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
    # A learner nobody precepts: only those who may see every learner's log see theirs.
    unassigned = people.save_person(
        db,
        team.admin,
        people.PersonInput("Una Unassigned", "nursing", ["learner"], is_learner=True, pin="5827"),
    )
    out = Path(tempfile.mkdtemp(prefix="hh-matrix-"))
    return {
        "event.view_own": lambda a: events.my_reports(db, a),
        "huddle.view": lambda a: huddle_record.history(db, a),
        "observation.view_all": lambda a: observations.observations(db, a, unassigned),
        "export.data": lambda a: exports.export_huddles(db, a, out / f"{a.person_id}.csv"),
        "audit.view": lambda a: audit_log.entries(db, a),
        "backup.manage": lambda a: backups.list_backups(db, a, out),
        "huddle.run": lambda a: huddles.start_or_resume(db, a),
        "huddle.contribute": lambda a: huddles.add_item(
            db,
            a,
            huddles.start_or_resume(db, team["charge_nurse"]).id,
            "recognise",
            f"Thanks from {a.display_name}",
        ),
        "action.manage": lambda a: actions.create_action(db, a, "Fix the pump", owner, today),
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
        "preceptor.assign": lambda a: observations.assignments(db, a),
        "pulse.results": lambda a: pulses.results(db, a),
        "report.view": lambda a: reporting.weekly_figures(db, a, reporting.Week.last_complete()),
        "census.edit": lambda a: census.set_week(db, a, "2026-W40", 170),
        "people.manage": lambda a: people.save_person(
            db, a, people.PersonInput(f"New {a.display_name}", "nursing", ["staff"], pin="5827")
        ),
        "unit.configure": lambda a: people.update_unit_settings(db, a, idle_lock_minutes=7),
    }


def _refusals(team: Team) -> int:
    with team.db.read() as s:
        return int(
            s.scalar(
                select(func.count())
                .select_from(AuditEntry)
                .where(AuditEntry.action == "permission.refused")
            )
            or 0
        )


def test_every_permission_in_the_table_has_a_call_here(team: Team, clock: Clock) -> None:
    assert set(_calls(team, clock)) == set(PERMISSIONS)


def test_every_role_against_every_service_action(team: Team, clock: Clock) -> None:
    calls = _calls(team, clock)
    checked = 0
    for action, call in calls.items():
        for role in ROLES:
            actor = team[role]
            if role == "learner" and action == "observation.log":
                continue  # a learner observing themselves is refused for that reason first
            refused_before = _refusals(team)
            if role in PERMISSIONS[action]:
                call(actor)
            else:
                with pytest.raises(PermissionDenied) as info:
                    call(actor)
                assert info.value.message.startswith(("Your role does not allow you to", "You may"))
                assert _refusals(team) == refused_before + 1, (action, role)
            checked += 1
    assert checked >= 6 * len(PERMISSIONS) - 1
    print(f"\nrole-action pairs checked: {checked}")


def test_stale_and_other_unit_sessions_are_refused_for_every_permission(
    team: Team, clock: Clock
) -> None:
    calls = _calls(team, clock)
    db = team.db
    other = people.create_unit(
        db,
        code="ICU",
        name="Intensive Care",
        admin=people.PersonInput("Oz Other", "nursing", ["admin"], pin="5827"),
    )
    for action, call in calls.items():
        role = sorted(PERMISSIONS[action])[0]
        live = team[role]
        # Signed in again and then out: that Actor object must not work any more.
        pid = live.person_id
        from conftest import PINS

        stale = signin.sign_in(db, pid, PINS[role])
        signin.sign_out(db, stale)
        before = _refusals(team)
        with pytest.raises(SessionEnded, match="signed out"):
            call(stale)
        assert _refusals(team) == before + 1, action
        # The same person and session, claiming to act for another unit.
        forged = dataclasses.replace(live, unit_id=other.unit_id)
        with pytest.raises(SessionEnded, match="does not belong to this unit"):
            call(forged)
        # An Actor with no session at all (made up in code) is refused too.
        with pytest.raises(SessionEnded):
            call(dataclasses.replace(live, session_id=None))


def test_another_units_manager_finds_nothing_of_this_unit(team: Team) -> None:
    db = team.db
    event = events.report(
        db,
        team["staff"],
        events.EventInput(
            kind="near_miss", narrative="Wrong pump", category="device",
            occurred_at=dt.datetime.now() - dt.timedelta(hours=1),
        ),
    )  # fmt: skip
    other = people.create_unit(
        db,
        code="ICU",
        name="Intensive Care",
        admin=people.PersonInput("Oz Other", "nursing", ["admin", "manager"], pin="5827"),
    )
    with pytest.raises(NotFound):
        events.triage(db, other, event.event_id, status="under_review")
    with pytest.raises(NotFound):
        events.get(db, other, event.event_id)
    assert team["staff"].display_name not in {r.display_name for r in people.list_people(db, other)}


def test_demotion_and_deactivation_take_effect_in_every_permission(
    team: Team, clock: Clock
) -> None:
    calls = _calls(team, clock)
    db = team.db
    manager = team["manager"]
    people.save_person(
        db, team.admin, people.PersonInput("Mo Manager", "nursing", ["staff"]), manager.person_id
    )
    for action, call in calls.items():
        if "manager" in PERMISSIONS[action] and "staff" not in PERMISSIONS[action]:
            with pytest.raises(PermissionDenied):
                call(manager)
    people.save_person(
        db,
        team.admin,
        people.PersonInput("Mo Manager", "nursing", ["staff"], active=False),
        manager.person_id,
    )
    for call in calls.values():
        with pytest.raises(SessionEnded, match="no longer active"):
            call(manager)


SERVICES = Path(__file__).resolve().parent.parent / "hrohuddle" / "services"
#: Services that take a person but must work for a session that has just ended.
UNGUARDED = {("signin", "sign_out"), ("signin", "lock_session")}


def test_every_service_that_takes_a_person_declares_what_it_needs() -> None:
    """The boundary is one decorator: a public service taking (db, actor) without it fails."""
    missing, declared = [], set()
    for path in sorted(SERVICES.glob("*.py")):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if not isinstance(node, ast.FunctionDef) or node.name.startswith("_"):
                continue
            args = [a.arg for a in node.args.posonlyargs + node.args.args]
            if args[:2] != ["db", "actor"] or (path.stem, node.name) in UNGUARDED:
                continue
            guards = [
                d for d in node.decorator_list
                if isinstance(d, ast.Call) and ast.unparse(d.func) in ("audit.requires", "requires")
            ]  # fmt: skip
            if not guards:
                missing.append(f"{path.stem}.{node.name}")
            for g in guards:
                if isinstance(g.args[0], ast.Constant) and g.args[0].value:
                    declared.add(g.args[0].value)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            calls_require = isinstance(node, ast.Call) and ast.unparse(node.func) in (
                "audit.require",
                "require",
            )
            if calls_require and isinstance(node.args[1], ast.Constant):  # type: ignore[attr-defined]
                declared.add(node.args[1].value)  # type: ignore[attr-defined]
    assert missing == []
    assert set(PERMISSIONS) <= declared, set(PERMISSIONS) - declared


def test_screens_and_report_builders_open_no_write_transaction_of_their_own() -> None:
    """Audit entries and every other write go through a service, which owns its transaction."""
    package = SERVICES.parent
    offenders = [
        f"{path.relative_to(package)}:{node.lineno}"
        for folder in ("ui", "reports")
        for path in sorted((package / folder).glob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("write", "record")
        and ast.unparse(node.func.value).endswith(("db", "audit"))
    ]
    assert offenders == []
