"""The audit log: append-only, each entry chained to the previous by SHA-256."""

from __future__ import annotations

import contextvars
import datetime as dt
import functools
import hashlib
import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

from sqlalchemy import Text, and_, case, func, or_, select, type_coerce
from sqlalchemy.orm import Session

from hrohuddle.paths import open_private
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


@dataclass(frozen=True)
class Witness:
    """A head seen outside the database: in a backup, on a printed report, typed in."""

    last_id: int
    last_hash: str  # the whole hash, or the 16 characters a report prints
    where: str
    seen_at: dt.datetime | None = None  # UTC; None when unknown


def parse_witness(text: str, where: str = "the head you gave") -> Witness:
    """Read ``ID:HASH`` (or ``#ID HASH`` as reports print it); ValueError when it is not one."""
    cleaned = text.strip().lstrip("#").replace(" ", ":")
    ident, _, digest = cleaned.partition(":")
    digest = digest.strip(":").lower()
    if not ident.isdigit() or len(digest) < 8 or any(c not in "0123456789abcdef" for c in digest):
        raise ValueError(f"“{text}” is not an audit head: give it as ID:HASH, as reports print it")
    return Witness(int(ident), digest, where)


def _as_datetime(value: object) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        return dt.datetime.fromisoformat(value)
    raise ValueError("no time")


def _as_detail(value: object) -> dict[str, Any]:
    if isinstance(value, str):
        value = json.loads(value)
    if not isinstance(value, dict):
        raise ValueError("detail is not an object")
    return value


def verify_chain(db: Database, witnesses: Iterable[Witness] = (), batch: int = 5000) -> ChainReport:
    """Recompute every hash; check the head row and every witnessed head.

    Reports each entry where the chain breaks. Rows holding anything that cannot
    be read are reported as breaks, never raised. A chain rewritten or cut short
    after a head was witnessed (in a backup or on a printed report) is reported,
    even when its hashes were recomputed to fit. A witness taken before a restore
    that the chain records, and beyond the point restored to, is set aside.
    """
    wanted = list(witnesses)
    watched = {w.last_id for w in wanted}
    seen: dict[int, str] = {}
    restores: list[tuple[int, dt.datetime]] = []
    replaced: set[tuple[int, str]] = set()
    breaks: list[ChainBreak] = []
    prev = GENESIS
    count = 0
    last_id = 0
    cols = (
        AuditEntry.id,
        type_coerce(AuditEntry.at, Text),
        AuditEntry.unit_id,
        AuditEntry.actor_id,
        AuditEntry.action,
        AuditEntry.target,
        type_coerce(AuditEntry.detail, Text),
        AuditEntry.prev_hash,
        AuditEntry.hash,
    )
    with db.read() as s:
        while True:
            chunk = s.execute(
                select(*cols).where(AuditEntry.id > last_id).order_by(AuditEntry.id).limit(batch)
            ).all()
            if not chunk:
                break
            for ident, at_raw, unit_id, actor_id, action, target, raw, prev_hash, digest in chunk:
                count += 1
                last_id = ident
                if ident in watched:
                    seen[ident] = str(digest)
                if prev_hash != prev:
                    breaks.append(ChainBreak(ident, "does not follow the entry before it"))
                try:
                    at = _as_datetime(at_raw)
                    detail = _as_detail(raw)
                    want = _digest(prev_hash, at, unit_id, actor_id, action, target, detail)
                except (ValueError, TypeError):
                    breaks.append(ChainBreak(ident, "holds data that cannot be read"))
                    prev = str(digest)
                    continue
                if want != digest:
                    breaks.append(ChainBreak(ident, "was changed after it was written"))
                if action == "audit.head_rebuilt":
                    breaks.append(ChainBreak(ident, "follows a removed head row (rebuilt here)"))
                if action == "backup.restored":
                    restores.append((ident, at))
                    old = detail.get("replaced_head")
                    if isinstance(old, list) and len(old) == 2:
                        replaced.add((int(old[0]), str(old[1])))
                prev = str(digest)
        head = s.execute(
            select(type_coerce(AuditHead.last_id, Text), AuditHead.last_hash).where(
                AuditHead.id == 1
            )
        ).first()
    if head is None:
        breaks.append(ChainBreak(last_id, "is the last entry, and the head row is missing"))
    elif str(head[1]) != prev or str(head[0]) != str(last_id):
        if count == 0:
            breaks.append(ChainBreak(0, "every entry was removed (the head names a later one)"))
        else:
            breaks.append(ChainBreak(last_id, "entries after it were removed"))
    for w in wanted:
        if w.seen_at is not None and any(
            w.seen_at < at and w.last_id >= ident for ident, at in restores
        ):
            continue  # that history was replaced by a restore the chain records
        if w.last_id == 0 or any(i == w.last_id and h.startswith(w.last_hash) for i, h in replaced):
            continue  # the head of a database that a restore replaced
        got = seen.get(w.last_id)
        if got is None:
            breaks.append(
                ChainBreak(
                    w.last_id, f"was witnessed in {w.where} but is gone: the log was cut short"
                )
            )
        elif not got.startswith(w.last_hash):
            breaks.append(
                ChainBreak(
                    w.last_id, f"differs from the one witnessed in {w.where}: the log was rewritten"
                )
            )
    return ChainReport(count, breaks)


#: Each kind of entry in words, for the viewer and the export; the code stays in the
#: export's ``action`` column for whoever filters the file.
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
}

#: Kinds of entry (the part before the dot) in words, for the filter.
KIND_LABELS: dict[str, str] = {
    "action": "Actions",
    "audit": "Audit log",
    "backup": "Backups",
    "census": "Census",
    "checklist": "Checklists",
    "demo": "Demo data",
    "event": "Safety reports",
    "export": "Exports",
    "huddle": "Huddles",
    "observation": "Observations",
    "permission": "Refusals",
    "person": "People",
    "preceptor": "Preceptors",
    "report": "Reports",
    "screen": "Screen locks",
    "signin": "Sign-ins",
    "signout": "Sign-outs",
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
        return self.action in DAY_ONLY_ACTIONS

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
    day_only = AuditEntry.action.in_(sorted(DAY_ONLY_ACTIONS))
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
    return dt.datetime.combine(day, dt.time()).astimezone(dt.UTC).replace(tzinfo=None)


@requires("audit.view")
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
        day_only = AuditEntry.action.in_(sorted(DAY_ONLY_ACTIONS))
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
def verify(db: Database, actor: Actor, witnesses: Iterable[Witness] = ()) -> ChainReport:
    """Check the whole chain (``verify_chain``), against any heads witnessed outside the
    database, for someone allowed to read the log."""
    return verify_chain(db, witnesses)


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


@requires(None)
def report_published(
    db: Database,
    actor: Actor,
    path: Path,
    write: Callable[[Path, Head], None],
    report: str,
    *,
    unit_id: int | None = None,
    target: str | None = None,
    detail: dict[str, Any] | None = None,
) -> Head:
    """Write a report's file and its "report.printed" entry together (``publish``).

    Screens and report builders call this instead of writing to the database.
    """
    return publish(
        db,
        path,
        write,
        "report.printed",
        actor=actor,
        unit_id=unit_id,
        target=target,
        detail={"report": report, **(detail or {})},
    )


def publish(
    db: Database,
    path: Path,
    write: Callable[[Path, Head], None],
    action: str,
    *,
    actor: Actor | None = None,
    unit_id: int | None = None,
    target: str | None = None,
    detail: dict[str, Any] | None = None,
) -> Head:
    """Write a file and its audit entry together, or neither.

    ``write`` builds the file under a temporary name beside ``path``, given the
    head to print on it; the file takes its name inside the audit transaction,
    and is removed again if that transaction cannot commit.
    """
    head = current_head(db)
    partial = path.with_name(f".{path.name}.partial")
    moved = False
    try:
        write(partial, head)
        with db.write() as s:
            record(
                s,
                action,
                actor=actor,
                unit_id=unit_id,
                target=target,
                detail={**(detail or {}), "printed_head": f"{head.last_id}:{head.last_hash[:16]}"},
            )
            os.replace(partial, path)
            moved = True
    except BaseException:
        partial.unlink(missing_ok=True)
        if moved:
            path.unlink(missing_ok=True)
        raise
    return head


WITNESS_FILE = "audit-heads.txt"


def remember_head(folder: Path, head: Head, where: str) -> None:
    """Note a printed head outside the database, for ``verify_chain`` to check later."""
    line = json.dumps(
        {
            "at": utcnow().isoformat(timespec="seconds"),
            "id": head.last_id,
            "hash": head.last_hash,
            "where": where,
        }
    )
    try:
        with open(folder / WITNESS_FILE, "a", encoding="utf-8") as handle:
            handle.write(line + "\n")
    except OSError:
        pass  # the printed page is a witness too


def known_witnesses(backup_dir: Path | None, data_dir: Path | None) -> list[Witness]:
    """Every head this workstation can find: in its backups and its list of printed heads."""
    from hrohuddle.store import backup

    found: list[Witness] = []
    if backup_dir is not None:
        for b in backup.list_backups(backup_dir):
            head = backup.read_audit_head(b.path)
            if head is None:
                continue
            try:
                mtime = dt.datetime.fromtimestamp(b.path.stat().st_mtime, dt.UTC)
            except OSError:
                continue
            found.append(
                Witness(head[0], head[1], f"backup {b.path.name}", mtime.replace(tzinfo=None))
            )
    if data_dir is not None:
        try:
            lines = (data_dir / WITNESS_FILE).read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            lines = []
        for line in lines:
            try:
                item = json.loads(line)
                found.append(
                    Witness(
                        int(item["id"]),
                        str(item["hash"]),
                        str(item["where"]),
                        dt.datetime.fromisoformat(str(item["at"])),
                    )
                )
            except (ValueError, KeyError, TypeError):
                continue
    return found
