"""The unit's actions: made with an owner and a due date, changed, escalated and closed,
each change audited."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import Team

from hrohuddle.services import actions
from hrohuddle.services.errors import PermissionDenied, ValidationError

MORNING = dt.datetime(2026, 11, 23, 7, 30)


def test_bad_actions_get_clear_messages(team: Team, db) -> None:
    cn = team["charge_nurse"]
    today = MORNING.date()
    with pytest.raises(ValidationError, match="has passed"):
        actions.create_action(
            db, cn, "Fix it", team["staff"].person_id, today - dt.timedelta(days=1), today=today
        )
    with pytest.raises(ValidationError, match="Choose who owns"):
        actions.create_action(db, cn, "Fix it", None, today, today=today)
    with pytest.raises(ValidationError, match="someone on this unit"):
        actions.create_action(db, cn, "Fix it", 99999, today, today=today)
    with pytest.raises(PermissionDenied):
        actions.create_action(
            db, team["staff"], "Fix it", team["staff"].person_id, today, today=today
        )


def test_follow_up_lifecycle_is_audited(team: Team, db) -> None:
    from sqlalchemy import select

    from hrohuddle.store.models import AuditEntry

    cn, today = team["charge_nurse"], MORNING.date()
    a = actions.create_action(
        db, cn, "Replace the sharps bin", team["staff"].person_id, today, today=today
    )
    actions.reassign_action(db, cn, a.id, team["preceptor"].person_id)
    actions.change_due(db, cn, a.id, today + dt.timedelta(days=3), today=today)
    actions.escalate_action(db, cn, a.id, "Needs a purchase order")
    rows = actions.open_actions(db, cn)
    assert rows[0].escalated and rows[0].owner == "Pat Preceptor"
    assert not rows[0].overdue(today) and rows[0].overdue(today + dt.timedelta(days=4))
    actions.close_action(db, cn, a.id, "New bin fitted")
    assert actions.open_actions(db, cn) == []
    with db.read() as s:
        steps = list(
            s.scalars(select(AuditEntry.action).where(AuditEntry.target == f"action:{a.id}"))
        )
    assert steps == [
        "action.created",
        "action.reassigned",
        "action.due_changed",
        "action.escalated",
        "action.closed",
    ]


def test_a_due_date_that_does_not_change_is_refused_and_not_recorded(team: Team, db) -> None:
    from sqlalchemy import func, select

    from hrohuddle.store.models import AuditEntry

    cn, today = team["charge_nurse"], MORNING.date()
    due = today + dt.timedelta(days=2)
    a = actions.create_action(db, cn, "Check the resus trolley", cn.person_id, due, today=today)
    with pytest.raises(ValidationError, match="already due on Wed 25 Nov 2026"):
        actions.change_due(db, cn, a.id, due, today=today)
    with db.read() as s:
        changes = s.scalar(
            select(func.count(AuditEntry.id)).where(
                AuditEntry.target == f"action:{a.id}", AuditEntry.action == "action.due_changed"
            )
        )
    assert changes == 0
    assert actions.open_actions(db, cn)[0].due_on == due
