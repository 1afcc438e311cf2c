"""The audit log: append-only, each entry chained to the previous by SHA-256."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hrohuddle.services.errors import PermissionDenied
from hrohuddle.services.permissions import ACTION_WORDS, Actor
from hrohuddle.store.database import Database
from hrohuddle.store.unit_models import AuditEntry, AuditHead, utcnow

GENESIS = "0" * 64


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
        unit_id = unit_id if unit_id is not None else actor.unit_id
        if actor_id is None:
            detail.setdefault("by", actor.display_name)
    head = session.execute(
        select(AuditHead).where(AuditHead.id == 1).with_for_update()
    ).scalar_one()
    at = utcnow()
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


def authorize(db: Database, actor: Actor, action: str) -> None:
    """Raise PermissionDenied, audited, unless ``actor`` may do ``action``."""
    if actor.can(action):
        return
    with db.write() as s:
        record(s, "permission.refused", actor=actor, detail={"action": action})
    words = ACTION_WORDS.get(action, action)
    raise PermissionDenied(f"Your role does not allow you to {words}.")


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
