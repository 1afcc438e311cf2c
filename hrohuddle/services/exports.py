"""CSV exports, safe to open in a spreadsheet, readable by their owner only."""

from __future__ import annotations

import csv
import datetime as dt
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from hrohuddle.paths import make_private, open_private
from hrohuddle.services import audit
from hrohuddle.services.errors import ValidationError
from hrohuddle.services.permissions import Actor
from hrohuddle.store.database import Database
from hrohuddle.store.models import (
    Action,
    Huddle,
    HuddleAttendance,
    HuddleItem,
    Person,
    Unit,
)

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """Neutralise text a spreadsheet would run as a formula (CSV injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Write rows to ``path`` (created owner-only); returns the number of rows."""
    count = 0
    try:
        with open_private(path, newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            for row in rows:
                writer.writerow([safe_cell(v) for v in row])
                count += 1
    except BaseException:
        path.unlink(missing_ok=True)  # never half a file
        raise
    make_private(path)
    return count


def unit_id_for(db: Database, code: str | None) -> int:
    """The unit named by ``code``, or the only unit when ``code`` is None."""
    with db.read() as s:
        if code:
            found = s.scalar(select(Unit.id).where(Unit.code == code.strip().upper()))
            if found is None:
                raise ValidationError(f"There is no unit with the code {code}.")
            return int(found)
        ids = list(s.scalars(select(Unit.id)))
    if len(ids) == 1:
        return ids[0]
    if not ids:
        raise ValidationError("This database has no unit yet.")
    raise ValidationError("This database holds several units: name one with --unit CODE.")


@audit.requires("export.data")
def export_huddles(db: Database, actor: Actor, path: Path) -> int:
    unit_id = actor.unit_id
    with db.read() as s:
        present = (
            select(HuddleAttendance.huddle_id, func.sum(HuddleAttendance.head_count).label("n"))
            .group_by(HuddleAttendance.huddle_id)
            .subquery()
        )
        items = (
            select(HuddleItem.huddle_id, func.count(HuddleItem.id).label("n"))
            .where(HuddleItem.deleted.is_(False))
            .group_by(HuddleItem.huddle_id)
            .subquery()
        )
        rows = s.execute(
            select(
                Huddle.id,
                Huddle.huddle_date,
                Huddle.shift,
                Huddle.status,
                Huddle.started_at,
                Huddle.ended_at,
                Person.display_name,
                func.coalesce(present.c.n, 0),
                func.coalesce(items.c.n, 0),
                Huddle.reflection,
            )
            .outerjoin(Person, Person.id == Huddle.led_by_id)
            .outerjoin(present, present.c.huddle_id == Huddle.id)
            .outerjoin(items, items.c.huddle_id == Huddle.id)
            .where(Huddle.unit_id == unit_id)
            .order_by(Huddle.started_at)
        ).all()
    out = []
    for r in rows:
        minutes = round((r[5] - r[4]).total_seconds() / 60, 1) if r[5] else None
        touched = sum(1 for v in (r[9] or {}).values() if v)
        out.append([r[0], r[1], r[2], r[3], r[4], r[5], minutes, r[6], r[7], r[8], touched])
    count = write_csv(
        _partial(path),
        [
            "huddle_id",
            "date",
            "shift",
            "status",
            "started_utc",
            "ended_utc",
            "minutes",
            "led_by",
            "present",
            "items",
            "hro_principles_touched",
        ],
        out,
    )
    _audit_export(db, actor, "huddles", count, path)
    return count


@audit.requires("export.data")
def export_actions(db: Database, actor: Actor, path: Path) -> int:
    unit_id = actor.unit_id
    with db.read() as s:
        rows = s.execute(
            select(
                Action.id,
                Action.title,
                Person.display_name,
                Action.due_on,
                Action.status,
                Action.origin,
                Action.created_at,
                Action.closed_at,
                Action.escalated_at,
                Action.escalation_reason,
                Action.huddle_id,
                Action.event_id,
            )
            .outerjoin(Person, Person.id == Action.owner_id)
            .where(Action.unit_id == unit_id)
            .order_by(Action.created_at)
        ).all()
    count = write_csv(
        _partial(path),
        [
            "action_id",
            "title",
            "owner",
            "due",
            "status",
            "origin",
            "created_utc",
            "closed_utc",
            "escalated_utc",
            "escalation_reason",
            "huddle_id",
            "event_id",
        ],
        rows,
    )
    _audit_export(db, actor, "actions", count, path)
    return count


@audit.requires("export.data")
def export_events(db: Database, actor: Actor, path: Path) -> int:
    """Every report of the unit; only for those who may see every report."""
    audit.require(actor, "event.view_all")
    unit_id = actor.unit_id
    from hrohuddle.services import events

    header, rows = events.export_rows(db, unit_id)
    count = write_csv(_partial(path), header, rows)
    _audit_export(db, actor, "events", count, path)
    return count


@audit.requires("export.data")
def export_pulses(db: Database, actor: Actor, path: Path) -> int:
    """Pulse aggregates only, per closed quarter, suppressed exactly as on screen."""
    from hrohuddle.services import pulses

    header, rows = pulses.export_rows(db, actor)
    count = write_csv(_partial(path), header, rows)
    _audit_export(db, actor, "pulses", count, path)
    return count


@audit.requires("export.data")
def export_checklists(db: Database, actor: Actor, path: Path) -> int:
    """One row per behaviour answered in an observation session."""
    unit_id = actor.unit_id
    from hrohuddle.store.models import (
        ChecklistItem,
        ChecklistResponse,
        ChecklistSession,
        ChecklistTemplate,
    )

    with db.read() as s:
        rows = s.execute(
            select(
                ChecklistSession.id,
                ChecklistTemplate.key,
                ChecklistTemplate.version,
                ChecklistSession.context,
                ChecklistSession.started_at,
                ChecklistSession.completed_at,
                ChecklistItem.code,
                ChecklistItem.hro_principle,
                ChecklistItem.ipec_competency,
                ChecklistResponse.result,
                ChecklistResponse.rating,
                ChecklistResponse.note,
            )
            .join(ChecklistTemplate, ChecklistTemplate.id == ChecklistSession.template_id)
            .join(ChecklistResponse, ChecklistResponse.session_id == ChecklistSession.id)
            .join(ChecklistItem, ChecklistItem.id == ChecklistResponse.item_id)
            .where(ChecklistSession.unit_id == unit_id)
            .order_by(ChecklistSession.started_at, ChecklistItem.position)
        ).all()
    count = write_csv(
        _partial(path),
        [
            "session_id",
            "checklist",
            "version",
            "setting",
            "started_utc",
            "completed_utc",
            "behaviour",
            "hro_principle",
            "ipec",
            "result",
            "rating",
            "note",
        ],
        rows,
    )
    _audit_export(db, actor, "checklists", count, path)
    return count


@audit.requires("export.data")
def export_observations(db: Database, actor: Actor, path: Path) -> int:
    """Every learner observation of the unit; only for those who may see them all."""
    audit.require(actor, "observation.view_all")
    unit_id = actor.unit_id
    from hrohuddle.store.models import LearnerObservation

    with db.read() as s:
        names = dict(
            s.execute(select(Person.id, Person.display_name).where(Person.unit_id == unit_id)).all()
        )
        rows = [
            [
                o.id,
                names.get(o.learner_id),
                names.get(o.preceptor_id),
                o.observed_on,
                o.setting,
                ";".join(o.domains or []),
                ";".join(o.behaviours or []),
                o.rating,
                o.strengths,
                o.next_steps,
                o.acknowledged_at,
                o.learner_reply,
            ]
            for o in s.scalars(
                select(LearnerObservation)
                .where(LearnerObservation.unit_id == unit_id)
                .order_by(LearnerObservation.observed_on)
            )
        ]
    count = write_csv(
        _partial(path),
        [
            "observation_id",
            "learner",
            "preceptor",
            "observed_on",
            "setting",
            "domains",
            "behaviours",
            "rating",
            "strengths",
            "next_steps",
            "acknowledged_utc",
            "learner_reply",
        ],
        rows,
    )
    _audit_export(db, actor, "observations", count, path)
    return count


def _partial(path: Path) -> Path:
    return path.with_name(f".{path.name}.partial")


def _audit_export(db: Database, actor: Actor, kind: str, count: int, path: Path) -> None:
    """The audit entry and the file together, or neither: the written file takes its name
    inside the audit transaction and is removed if that cannot commit."""
    partial = _partial(path)
    moved = False
    try:
        with db.write() as s:
            audit.record(s, "export", actor=actor, detail={"kind": kind, "rows": count})
            os.replace(partial, path)
            moved = True
    except BaseException:
        partial.unlink(missing_ok=True)
        if moved:
            path.unlink(missing_ok=True)
        raise
