"""The audit log: append-only, each entry chained to the previous by SHA-256."""

from __future__ import annotations

import contextvars
import datetime as dt
import functools
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Concatenate, ParamSpec, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from hrohuddle.services.errors import PermissionDenied, SessionEnded
from hrohuddle.services.permissions import ACTION_WORDS, Actor
from hrohuddle.store.database import Database
from hrohuddle.store.unit_models import AuditEntry, AuditHead, Person, SignInSession, utcnow

P = ParamSpec("P")
R = TypeVar("R")

GENESIS = "0" * 64
#: Entries that say when someone's session began, paused or ended keep only the day:
#: joined with the shift an anonymous report was filed in, the minute would name who
#: was on that shift (THREAT_MODEL.md).
DAY_ONLY_ACTIONS = frozenset({"signin", "unlocked", "signout", "screen.locked", "signin.no_role"})


def _digest(
    prev: str,
    at: dt.datetime,
    unit_id: int | None,
    actor_id: int | None,
    action: str,
    target: str | None,
    detail: dict[str, Any],
) -> str:
    body = json.dumps(
        [prev, at.isoformat(timespec="microseconds"), unit_id, actor_id, action, target, detail],
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=True,
    )
    return hashlib.sha256(body.encode()).hexdigest()


def record(
    session: Session,
    action: str,
    *,
    actor: Actor | None = None,
    actor_id: int | None = None,
    unit_id: int | None = None,
    target: str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Append one entry inside the caller's transaction.

    The head row is locked for update, so concurrent writers on PostgreSQL
    queue instead of forking the chain (SQLite's write lock already does).
    """
    detail = dict(detail or {})
    if actor is not None:
        actor_id = actor.person_id or None
        unit_id = unit_id if unit_id is not None else (actor.unit_id or None)
        if actor_id is None:
            detail.setdefault("by", actor.display_name)
    head = session.execute(
        select(AuditHead).where(AuditHead.id == 1).with_for_update()
    ).scalar_one()
    at = utcnow()
    if action in DAY_ONLY_ACTIONS:
        at = at.replace(hour=0, minute=0, second=0, microsecond=0)
    digest = _digest(head.last_hash, at, unit_id, actor_id, action, target, detail)
    entry = AuditEntry(
        at=at,
        unit_id=unit_id,
        actor_id=actor_id,
        action=action,
        target=target,
        detail=detail,
        prev_hash=head.last_hash,
        hash=digest,
    )
    session.add(entry)
    session.flush()
    head.last_hash = digest
    head.last_id = entry.id


_depth: contextvars.ContextVar[int] = contextvars.ContextVar("service_depth", default=0)


def confirm(
    session: Session, actor: Actor, *, while_locked: bool = False, own_drafts: bool = False
) -> Actor:
    """The Actor as the database sees them now, or PermissionDenied (not yet audited).

    A session object is re-checked, not trusted: the person must still exist on
    the same unit, be active, and their sign-in session must still be open and not
    behind a locked screen. The roles are read afresh, so a demotion takes effect
    at the next call of every open screen. The command line (person 0) acts for
    IT with access to the machine and is trusted as it is.
    """
    if actor.person_id == 0:
        return actor
    person = session.get(Person, actor.person_id)
    if person is None or person.unit_id != actor.unit_id:
        raise SessionEnded(
            "This sign-in does not belong to this unit. Sign in again.", reason="other unit"
        )
    if not person.active:
        raise SessionEnded(
            f"{person.display_name}'s account is no longer active, so this sign-in has "
            "ended. Ask the unit admin if that is a mistake.",
            reason="inactive",
        )
    signed = session.get(SignInSession, actor.session_id) if actor.session_id else None
    if own_drafts and signed is not None and signed.person_id == person.id:
        # Text typed just before sign-out is saved for its author alone, never lost.
        return actor
    if signed is None or signed.person_id != person.id or signed.ended_at is not None:
        raise SessionEnded("You are signed out. Sign in again to carry on.", reason="signed out")
    if signed.locked_at is not None and not while_locked:
        raise SessionEnded("The screen is locked. Type your PIN to carry on.", reason="locked")
    roles = frozenset(r.role for r in person.roles)
    if roles == actor.roles and person.display_name == actor.display_name:
        return actor
    return replace(actor, roles=roles, display_name=person.display_name)


def require(actor: Actor, action: str) -> None:
    """Refuse unless the (already confirmed) actor may do ``action``.

    Safe inside a write transaction: it writes nothing. The refusal is audited by
    the ``requires`` wrapper of the service once the transaction has ended.
    """
    if not actor.can(action):
        words = ACTION_WORDS.get(action, action)
        raise PermissionDenied(f"Your role does not allow you to {words}.", action=action)


def requires(
    action: str | None, *, while_locked: bool = False, own_drafts: bool = False
) -> Callable[
    [Callable[Concatenate[Database, Actor, P], R]], Callable[Concatenate[Database, Actor, P], R]
]:
    """Declare what a service needs: the one way services are guarded.

    Before the call, the actor is confirmed afresh (``confirm``) and, when
    ``action`` is given, must hold it; the service body receives the fresh Actor.
    Any PermissionDenied from the call, whether raised here or by ``require`` deep
    inside a transaction, is audited in a transaction of its own after the
    service's transactions have ended, once, by the outermost service.
    ``while_locked`` lets a call through behind a locked screen; ``own_drafts``
    also after sign-out, for the author's own drafts only (a draft being saved as
    the screen locks or its author signs out), never for anything others see.
    """

    def wrap(
        fn: Callable[Concatenate[Database, Actor, P], R],
    ) -> Callable[Concatenate[Database, Actor, P], R]:
        @functools.wraps(fn)
        def guarded(db: Database, actor: Actor, /, *args: P.args, **kwargs: P.kwargs) -> R:
            depth = _depth.get()
            token = _depth.set(depth + 1)
            try:
                with db.read() as s:
                    fresh = confirm(s, actor, while_locked=while_locked, own_drafts=own_drafts)
                if action is not None:
                    require(fresh, action)
                return fn(db, fresh, *args, **kwargs)
            except PermissionDenied as exc:
                if depth == 0 and not exc.recorded:
                    _record_refusal(db, actor, exc, action)
                raise
            finally:
                _depth.reset(token)

        guarded.required_permission = action  # type: ignore[attr-defined]
        return guarded

    return wrap


def _record_refusal(
    db: Database, actor: Actor, exc: PermissionDenied, declared: str | None
) -> None:
    detail: dict[str, Any] = {"action": exc.action or declared or "signed-in"}
    if isinstance(exc, SessionEnded):
        detail["why"] = exc.reason
    with db.write() as s:
        record(s, "permission.refused", actor=actor, detail=detail)
    exc.recorded = True


@dataclass(frozen=True)
class ChainBreak:
    entry_id: int
    reason: str


@dataclass(frozen=True)
class ChainReport:
    entries: int
    breaks: list[ChainBreak]

    @property
    def intact(self) -> bool:
        return not self.breaks


def verify_chain(db: Database, batch: int = 5000) -> ChainReport:
    """Recompute every hash; report each entry where the chain breaks."""
    breaks: list[ChainBreak] = []
    prev = GENESIS
    count = 0
    last_id = 0
    with db.read() as s:
        while True:
            rows = s.execute(
                select(AuditEntry)
                .where(AuditEntry.id > last_id)
                .order_by(AuditEntry.id)
                .limit(batch)
            ).scalars()
            chunk = list(rows)
            if not chunk:
                break
            for e in chunk:
                count += 1
                if e.prev_hash != prev:
                    breaks.append(ChainBreak(e.id, "does not follow the entry before it"))
                want = _digest(
                    e.prev_hash, e.at, e.unit_id, e.actor_id, e.action, e.target, e.detail
                )
                if want != e.hash:
                    breaks.append(ChainBreak(e.id, "was changed after it was written"))
                prev = e.hash
                last_id = e.id
            s.expunge_all()
        head = s.get(AuditHead, 1)
        if head is not None and head.last_hash != prev:
            breaks.append(ChainBreak(last_id, "entries after it were removed"))
    return ChainReport(count, breaks)


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: dt.datetime
    action: str
    who: str
    target: str | None
    detail: dict[str, Any]
    actor_id: int | None = None


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
    if flt.since is not None:
        q = q.where(AuditEntry.at >= dt.datetime.combine(flt.since, dt.time()))
    if flt.until is not None:
        q = q.where(
            AuditEntry.at < dt.datetime.combine(flt.until + dt.timedelta(days=1), dt.time())
        )
    return q


@requires("audit.view")
def entries(
    db: Database,
    actor: Actor,
    *,
    limit: int = 200,
    offset: int = 0,
    where: AuditFilter | None = None,
) -> list[AuditRow]:
    """The unit's audit entries (and the database's own, like a restore), newest first,
    one page at a time, narrowed by ``where``."""
    with db.read() as s:
        names = dict(
            s.execute(
                select(Person.id, Person.display_name).where(Person.unit_id == actor.unit_id)
            ).all()
        )
        q = _filtered(select(AuditEntry), actor, where or AuditFilter())
        rows = s.scalars(
            q.order_by(AuditEntry.id.desc()).offset(max(0, offset)).limit(max(1, min(limit, 1000)))
        ).all()
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


@requires("audit.view")
def kinds(db: Database, actor: Actor) -> list[str]:
    """The kinds of entry present (the part of each action before its dot), sorted."""
    with db.read() as s:
        actions = s.scalars(
            _filtered(select(AuditEntry.action).distinct(), actor, AuditFilter())
        ).all()
    return sorted({a.split(".")[0] for a in actions})


@requires("audit.view")
def export_entries(db: Database, actor: Actor, path: Any, where: AuditFilter | None = None) -> int:
    """Write the matching entries to a CSV file (owner-only); the export is audited."""
    import csv
    import os

    flt = where or AuditFilter()
    rows: list[AuditRow] = []
    offset = 0
    while True:
        page = entries(db, actor, limit=1000, offset=offset, where=flt)
        rows += page
        if len(page) < 1000:
            break
        offset += 1000
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["id", "at_utc", "action", "who", "about", "detail"])
        for r in rows:
            out.writerow(
                [
                    r.id,
                    r.at.isoformat(timespec="seconds"),
                    r.action,
                    r.who,
                    r.target or "",
                    json.dumps(r.detail, sort_keys=True, ensure_ascii=False),
                ]
            )
    with db.write() as s:
        record(
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


@requires("audit.view")
def verify(db: Database, actor: Actor) -> ChainReport:
    """Check the whole chain (``verify_chain``) for someone allowed to read the log."""
    return verify_chain(db)


@requires(None)
def report_printed(
    db: Database,
    actor: Actor,
    report: str,
    *,
    target: str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Record, in its own transaction, that ``actor`` printed or saved a report.

    Screens and report builders call this instead of writing to the database.
    """
    with db.write() as s:
        record(
            s,
            "report.printed",
            actor=actor,
            target=target,
            detail={"report": report, **(detail or {})},
        )
