"""The audit log: append-only, each entry chained to the previous by SHA-256.

Here entries are appended and services are guarded (``requires``, ``confirm``,
``require``, refusals recorded); checking the chain and its witnessed heads lives
in ``audit_chain``, reading the log in words in ``audit_log``.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import functools
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
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


@dataclass(frozen=True)
class Head:
    """The last entry of the chain: printed on reports and kept in backups as a witness."""

    last_id: int
    last_hash: str

    @property
    def printed(self) -> str:
        return f"audit head #{self.last_id} {self.last_hash[:16]}"


def _head_row(session: Session) -> AuditHead:
    """The head row, locked; rebuilt from the last entry when someone deleted it.

    Its loss is reported by ``verify_chain`` (the rebuilt row says so); audited
    actions carry on rather than fail.
    """
    head = session.execute(
        select(AuditHead).where(AuditHead.id == 1).with_for_update()
    ).scalar_one_or_none()
    if head is not None:
        return head
    last = session.execute(
        select(AuditEntry.id, AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)
    ).first()
    head = AuditHead(id=1, last_id=last[0] if last else 0, last_hash=last[1] if last else GENESIS)
    session.add(head)
    session.flush()
    entry = _append(session, head, "audit.head_rebuilt", None, None, None, {})
    del entry
    return head


def _append(
    session: Session,
    head: AuditHead,
    action: str,
    unit_id: int | None,
    actor_id: int | None,
    target: str | None,
    detail: dict[str, Any],
) -> AuditEntry:
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
    return entry


def record(
    session: Session,
    action: str,
    *,
    actor: Actor | None = None,
    actor_id: int | None = None,
    unit_id: int | None = None,
    target: str | None = None,
    detail: dict[str, Any] | None = None,
) -> Head:
    """Append one entry inside the caller's transaction; return the new head.

    The head row is locked for update, so concurrent writers on PostgreSQL
    queue instead of forking the chain (SQLite's write lock already does).
    """
    detail = dict(detail or {})
    if actor is not None:
        actor_id = actor.person_id or None
        unit_id = unit_id if unit_id is not None else (actor.unit_id or None)
        if actor_id is None:
            detail.setdefault("by", actor.display_name)
    head = _head_row(session)
    entry = _append(session, head, action, unit_id, actor_id, target, detail)
    return Head(entry.id, entry.hash)


def current_head(db: Database) -> Head:
    """The head as it stands (the genesis when the log is empty)."""
    with db.read() as s:
        row = s.execute(
            select(AuditHead.last_id, AuditHead.last_hash).where(AuditHead.id == 1)
        ).first()
    if row is None:
        return Head(0, GENESIS)
    return Head(int(row[0]), str(row[1]))


def restore_recorder(source: Path, *, by: str, replaced: Path) -> Callable[[Path], None]:
    """What a restore hands the staged copy: record, in the restored database's own
    audit log, that it was restored, from where, and which head it replaced."""

    def prepare(staged: Path) -> None:
        from hrohuddle.store.backup import read_audit_head

        replaced_head = read_audit_head(replaced) if replaced.exists() else None
        db = Database.connect(f"sqlite:///{staged}")
        try:
            with db.write() as s:
                record(
                    s,
                    "backup.restored",
                    detail={
                        "by": by,
                        "from": str(source),
                        "replaced_head": list(replaced_head) if replaced_head else None,
                    },
                )
        finally:
            db.dispose()

    return prepare


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
