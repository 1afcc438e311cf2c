"""Text being typed, kept in the database so a crash or a lock loses nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import delete, select

from hrohuddle.services import anonymity, audit
from hrohuddle.services.permissions import Actor
from hrohuddle.store.database import Database
from hrohuddle.store.models import AnonymousOutbox, Draft, Unit, utcnow

MAX_DRAFT_CHARS = 20_000


@audit.requires(None, own_drafts=True)
def save(db: Database, actor: Actor, kind: str, key: str, payload: dict[str, Any]) -> None:
    """Store (or replace) the actor's draft; an empty payload removes it.

    Never for an anonymous report: see ``save_anonymous``.
    """
    if payload.get("anonymous"):
        raise ValueError("an anonymous draft is saved with save_anonymous, without its author")
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


# -- anonymous drafts --------------------------------------------------------------------
# An anonymous report's draft is kept without its author: in the anonymous outbox,
# under a random key that only the author's open app holds in memory, with the start
# of the shift as its only time. It survives closing the form and the idle lock, not a
# restart of the app (nothing stored could say whose it is); unclaimed ones are wiped
# after two days (services.anonymity.DRAFT_KEEP).


@audit.requires(None, own_drafts=True)
def save_anonymous(
    db: Database,
    actor: Actor,
    key: str | None,
    payload: dict[str, Any],
    *,
    named_kind: str | None = None,
    local_now: dt.datetime | None = None,
) -> str | None:
    """Store an anonymous draft under ``key`` (a new one when None); returns the key.

    Any named draft of ``named_kind`` the actor had for the same form is removed in
    the same transaction (overwritten on disk), so ticking "anonymous" after typing
    leaves nothing with their name. An empty payload removes the draft and returns None.
    """
    local_now = local_now or dt.datetime.now()
    empty = not any(v not in (None, "", [], {}) for v in payload.values())
    trimmed = {k: (v[:MAX_DRAFT_CHARS] if isinstance(v, str) else v) for k, v in payload.items()}
    with db.write() as s:
        if named_kind is not None:
            s.execute(
                delete(Draft).where(
                    Draft.owner_id == actor.person_id, Draft.kind == named_kind, Draft.key == ""
                )
            )
        row = s.get(AnonymousOutbox, key) if key else None
        if row is not None and row.kind != "draft":
            row = None
        if empty:
            if row is not None:
                s.delete(row)
            key = None
        elif row is None:
            unit = s.get(Unit, actor.unit_id)
            assert unit is not None
            key = anonymity.new_key()
            s.add(
                AnonymousOutbox(
                    id=key,
                    unit_id=unit.id,
                    kind="draft",
                    filed_shift=anonymity.shift_start(unit, local_now),
                    payload=trimmed,
                )
            )
        else:
            row.payload = trimmed
    anonymity.wipe_journal(db)
    return key


def load_anonymous(db: Database, key: str | None) -> dict[str, Any] | None:
    if not key:
        return None
    with db.read() as s:
        row = s.get(AnonymousOutbox, key)
        return dict(row.payload) if row is not None and row.kind == "draft" else None


def discard_anonymous(db: Database, key: str | None) -> None:
    if not key:
        return
    with db.write() as s:
        anonymity.discard_drafts(s, [key])
    anonymity.wipe_journal(db)
