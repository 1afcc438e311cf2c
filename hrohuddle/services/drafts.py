"""Text being typed, kept in the database so a crash or a lock loses nothing."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select

from hrohuddle.services import audit
from hrohuddle.services.permissions import Actor
from hrohuddle.store.database import Database
from hrohuddle.store.models import Draft, utcnow

MAX_DRAFT_CHARS = 20_000


@audit.requires(None, own_drafts=True)
def save(db: Database, actor: Actor, kind: str, key: str, payload: dict[str, Any]) -> None:
    """Store (or replace) the actor's draft; an empty payload removes it."""
    if not any(v not in (None, "", [], {}) for v in payload.values()):
        discard(db, actor, kind, key)
        return
    trimmed = {k: (v[:MAX_DRAFT_CHARS] if isinstance(v, str) else v) for k, v in payload.items()}
    with db.write() as s:
        row = s.scalar(
            select(Draft).where(
                Draft.owner_id == actor.person_id, Draft.kind == kind, Draft.key == key
            )
        )
        if row is None:
            s.add(Draft(owner_id=actor.person_id, kind=kind, key=key, payload=trimmed))
        else:
            row.payload = trimmed
            row.updated_at = utcnow()


@audit.requires(None, while_locked=True)
def load(db: Database, actor: Actor, kind: str, key: str) -> dict[str, Any] | None:
    with db.read() as s:
        row = s.scalar(
            select(Draft.payload).where(
                Draft.owner_id == actor.person_id, Draft.kind == kind, Draft.key == key
            )
        )
    return dict(row) if row else None


@audit.requires(None, while_locked=True)
def load_all(db: Database, actor: Actor, kind: str, key_prefix: str) -> dict[str, dict[str, Any]]:
    """Every draft of ``kind`` whose key starts with ``key_prefix``, by key."""
    with db.read() as s:
        rows = s.execute(
            select(Draft.key, Draft.payload).where(
                Draft.owner_id == actor.person_id,
                Draft.kind == kind,
                Draft.key.startswith(key_prefix, autoescape=True),
            )
        ).all()
    return {k: dict(p) for k, p in rows}


@audit.requires(None, own_drafts=True)
def discard(db: Database, actor: Actor, kind: str, key: str) -> None:
    with db.write() as s:
        s.execute(
            delete(Draft).where(
                Draft.owner_id == actor.person_id, Draft.kind == kind, Draft.key == key
            )
        )
