"""The audit log as people read it: entries in words, filtered, paged and exported."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, case, func, or_, select

from hrohuddle.paths import open_private
from hrohuddle.services import audit
from hrohuddle.services.dates import to_utc
from hrohuddle.services.permissions import Actor
from hrohuddle.store.database import Database
from hrohuddle.store.unit_models import AuditEntry, Person

ACTION_LABELS: dict[str, str] = {
    "action.closed": "Action closed",
    "action.created": "Action created",
    "action.due_changed": "Action due date changed",
    "action.escalated": "Action escalated",
    "action.reassigned": "Action reassigned",
    "audit.exported": "Audit log exported",
    "audit.head_rebuilt": "Audit head rebuilt",
    "backup.deleted": "Backup deleted",
    "backup.restore_approved": "Restore approved",
    "backup.restored": "Backup restored",
    "backup.taken": "Backup taken",
    "census.imported": "Census imported",
    "census.set": "Census saved",
    "checklist.discarded": "Checklist observation discarded",
    "checklist.version_removed": "Checklist version removed",
    "checklist.version_retired": "Checklist version retired",
    "checklist.version_saved": "Checklist version saved",
    "demo.created": "Demo data created",
    "event.triaged": "Safety report reviewed",
    "export": "Data exported",
    "export.checklist_reliability": "Reliability exported",
    "huddle.closed": "Huddle closed",
    "huddle.started": "Huddle started",
    "observation.acknowledged": "Observation acknowledged",
    "observation.logged": "Observation logged",
    "observation.viewed": "Observation viewed",
    "permission.refused": "Permission refused",
    "person.added": "Person added",
    "person.changed": "Person changed",
    "person.pin_changed": "PIN changed",
    "person.pin_reset": "PIN reset",
    "person.roles_changed": "Roles changed",
    "person.unlocked": "Account unlocked",
    "preceptor.assigned": "Preceptor assigned",
    "preceptor.ended": "Preceptor pairing ended",
    "report.printed": "Report printed",
    "screen.locked": "Screen locked",
    "signin": "Signed in",
    "signin.no_role": "Sign-in without a role",
    "signin.waiting": "Sign-in waiting",
    "signout": "Signed out",
    "unit.created": "Unit created",
    "unit.settings_changed": "Unit settings changed",
    "unlocked": "Screen unlocked",
    "escalation.raised": "Escalated to the department",
    "escalation.answered": "Escalation answered",
    "lesson.shared": "Lesson shared",
    "lesson.adopted": "Lesson adopted",
    "lesson.withdrawn": "Lesson withdrawn",
    "lesson.raised": "Lesson raised at the huddle",
    "tier.created": "Department or hospital set out",
    "tier.unit_placed": "Unit placed in a department",
    "tier.role_granted": "Tier role given",
    "tier.role_revoked": "Tier role taken away",
    "tier_huddle.started": "Department huddle started",
    "tier_huddle.closed": "Department huddle closed",
}

#: Kinds of entry (the part before the dot) in words, for the filter.
KIND_LABELS: dict[str, str] = {
    "action": "Actions",
    "audit": "Audit log",
    "backup": "Backups",
    "census": "Census",
    "checklist": "Checklists",
    "demo": "Demo data",
    "escalation": "Escalations",
    "event": "Safety reports",
    "export": "Exports",
    "huddle": "Huddles",
    "lesson": "Shared lessons",
    "observation": "Observations",
    "permission": "Refusals",
    "person": "People",
    "preceptor": "Preceptors",
    "report": "Reports",
    "screen": "Screen locks",
    "signin": "Sign-ins",
    "signout": "Sign-outs",
    "tier": "Departments and hospital",
    "tier_huddle": "Department huddles",
    "unit": "Unit",
    "unlocked": "Unlocks",
}

_TARGET_WORDS = {
    "action": "Action",
    "checklist": "Checklist",
    "event": "Safety report",
    "huddle": "Huddle",
    "observation": "Observation",
    "person": "Person",
    "session": "Checklist observation",
}


def action_words(action: str) -> str:
    """An entry's kind in words ("PIN reset"); an unknown code is shown readably."""
    return ACTION_LABELS.get(action) or action.replace(".", ": ").replace("_", " ").capitalize()


def kind_words(kind: str) -> str:
    return KIND_LABELS.get(kind) or kind.replace("_", " ").capitalize()


def _value_words(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{_key_words(k)} {_value_words(v)}" for k, v in sorted(value.items()))
    if isinstance(value, list | tuple):
        return ", ".join(_value_words(v) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _key_words(key: str) -> str:
    return str(key).replace("_", " ")


def about_words(target: str | None, detail: dict[str, Any], names: dict[str, str]) -> str:
    """What an entry is about, in words: "Jordan Reyes · reason: idle", "Observation 13"."""
    about = ""
    if target:
        if target in names:
            about = names[target]
        else:
            kind, _, ident = target.partition(":")
            about = f"{_TARGET_WORDS.get(kind, kind.capitalize())} {ident}".strip()
    details = "; ".join(
        f"{_key_words(k)}: {_value_words(v)}"
        for k, v in sorted(detail.items())
        if v not in (None, "", [], {})
    )
    return " · ".join(x for x in (about, details) if x)


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: dt.datetime
    action: str
    who: str
    target: str | None
    detail: dict[str, Any]
    actor_id: int | None = None

    @property
    def day_only(self) -> bool:
        """Whether the entry keeps its day only (a sign-in, unlock, lock or sign-out): its
        stored midnight is no time of day, so it is shown and exported as the day alone.
        Told by its kind, which decided the coarsening when it was written."""
        return self.action in audit.DAY_ONLY_ACTIONS

    @property
    def at_text(self) -> str:
        """When, for a file: the UTC day alone for a day-only entry, else to the second."""
        if self.day_only:
            return self.at.date().isoformat()
        return self.at.isoformat(timespec="seconds")

    @property
    def what(self) -> str:
        return action_words(self.action)


@dataclass(frozen=True)
class AuditFilter:
    """Which entries to list: a kind (the part before the dot, e.g. "person", or a whole
    action), one person, a period of days (inclusive)."""

    kind: str | None = None
    person_id: int | None = None
    since: dt.date | None = None
    until: dt.date | None = None


def _filtered(q: Any, actor: Actor, flt: AuditFilter) -> Any:
    # Entries of the whole database (a restore, the command line without a unit) have no
    # unit; they concern every unit on it, so every unit's readers see them.
    q = q.where((AuditEntry.unit_id == actor.unit_id) | (AuditEntry.unit_id.is_(None)))
    if flt.kind:
        kind = flt.kind.strip()
        q = q.where((AuditEntry.action == kind) | (AuditEntry.action.like(f"{kind}.%")))
    if flt.person_id is not None:
        q = q.where(
            (AuditEntry.actor_id == flt.person_id)
            | (AuditEntry.target == f"person:{flt.person_id}")
        )
    # The period is of local days, as the screen shows timed entries. A day-only entry
    # keeps its UTC day, so it is listed when that day overlaps the period at all.
    day_only = AuditEntry.action.in_(sorted(audit.DAY_ONLY_ACTIONS))
    if flt.since is not None:
        start = _local_midnight_utc(flt.since)
        q = q.where(
            or_(
                and_(day_only, AuditEntry.at > start - dt.timedelta(days=1)),
                and_(~day_only, AuditEntry.at >= start),
            )
        )
    if flt.until is not None:
        q = q.where(AuditEntry.at < _local_midnight_utc(flt.until + dt.timedelta(days=1)))
    return q


def _local_midnight_utc(day: dt.date) -> dt.datetime:
    """The start of a local day as the naive UTC time the log stores."""
    return to_utc(dt.datetime.combine(day, dt.time()))


@audit.requires("audit.view")
def entries(
    db: Database,
    actor: Actor,
    *,
    limit: int = 200,
    offset: int = 0,
    where: AuditFilter | None = None,
) -> list[AuditRow]:
    """The unit's audit entries (and the database's own, like a restore), newest day
    first, one page at a time, narrowed by ``where``.

    Each (UTC) day begins with its day-only entries (signing in and out, locking,
    unlocking) in a block ordered by person and kind, then its timed entries newest
    first: where a day-only entry stands says nothing of its time of day.
    """
    with db.read() as s:
        names = dict(
            s.execute(
                select(Person.id, Person.display_name).where(Person.unit_id == actor.unit_id)
            ).all()
        )
        day_only = AuditEntry.action.in_(sorted(audit.DAY_ONLY_ACTIONS))
        q = _filtered(
            select(AuditEntry).outerjoin(Person, Person.id == AuditEntry.actor_id),
            actor,
            where or AuditFilter(),
        )
        q = q.order_by(
            func.date(AuditEntry.at).desc(),
            case((day_only, 0), else_=1),
            case((day_only, func.coalesce(Person.display_name, "")), else_=""),
            case((day_only, AuditEntry.action), else_=""),
            case((day_only, AuditEntry.actor_id), else_=None),
            AuditEntry.id.desc(),
        )
        rows = s.scalars(q.offset(max(0, offset)).limit(max(1, min(limit, 1000)))).all()
        return [
            AuditRow(
                e.id,
                e.at,
                e.action,
                names.get(e.actor_id, "") if e.actor_id else str(e.detail.get("by", "")),
                e.target,
                dict(e.detail),
                e.actor_id,
            )
            for e in rows
        ]


@audit.requires("audit.view")
def kinds(db: Database, actor: Actor) -> list[str]:
    """The kinds of entry present (the part of each action before its dot), sorted."""
    with db.read() as s:
        actions = s.scalars(
            _filtered(select(AuditEntry.action).distinct(), actor, AuditFilter())
        ).all()
    return sorted({a.split(".")[0] for a in actions})


@audit.requires("audit.view")
def export_entries(db: Database, actor: Actor, path: Any, where: AuditFilter | None = None) -> int:
    """Write the matching entries to a CSV file (owner-only); the export is audited.

    Rows are in the viewer's order, numbered in that order: the chain's own ids
    would tell when a day-only entry was written."""
    import csv

    flt = where or AuditFilter()
    with db.read() as s:
        names = {
            f"person:{pid}": name
            for pid, name in s.execute(
                select(Person.id, Person.display_name).where(Person.unit_id == actor.unit_id)
            ).all()
        }
    rows: list[AuditRow] = []
    offset = 0
    while True:
        page = entries(db, actor, limit=1000, offset=offset, where=flt)
        rows += page
        if len(page) < 1000:
            break
        offset += 1000
    with open_private(path, newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["row", "at_utc", "what", "action", "who", "about"])
        for n, r in enumerate(rows, start=1):
            out.writerow(
                [n, r.at_text, r.what, r.action, r.who, about_words(r.target, r.detail, names)]
            )
    with db.write() as s:
        audit.record(
            s,
            "audit.exported",
            actor=actor,
            detail={
                "rows": len(rows),
                "kind": flt.kind,
                "person": flt.person_id,
                "since": flt.since.isoformat() if flt.since else None,
                "until": flt.until.isoformat() if flt.until else None,
            },
        )
    return len(rows)
