"""The audit chain checked and witnessed: verifying every hash against heads seen outside
the database, and publishing files whose entry and printed head go in together."""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Text, select, type_coerce

from hrohuddle.services import audit
from hrohuddle.services.permissions import Actor
from hrohuddle.store.database import Database
from hrohuddle.store.unit_models import AuditEntry, AuditHead, utcnow


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
    prev = audit.GENESIS
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
                    want = audit._digest(prev_hash, at, unit_id, actor_id, action, target, detail)
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


@audit.requires("audit.view")
def verify(db: Database, actor: Actor, witnesses: Iterable[Witness] = ()) -> ChainReport:
    """Check the whole chain (``verify_chain``), against any heads witnessed outside the
    database, for someone allowed to read the log."""
    return verify_chain(db, witnesses)


@audit.requires(None)
def report_published(
    db: Database,
    actor: Actor,
    path: Path,
    write: Callable[[Path, audit.Head], None],
    report: str,
    *,
    unit_id: int | None = None,
    target: str | None = None,
    detail: dict[str, Any] | None = None,
) -> audit.Head:
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
    write: Callable[[Path, audit.Head], None],
    action: str,
    *,
    actor: Actor | None = None,
    unit_id: int | None = None,
    target: str | None = None,
    detail: dict[str, Any] | None = None,
) -> audit.Head:
    """Write a file and its audit entry together, or neither.

    ``write`` builds the file under a temporary name beside ``path``, given the
    head to print on it; the file takes its name inside the audit transaction,
    and is removed again if that transaction cannot commit.
    """
    head = audit.current_head(db)
    partial = path.with_name(f".{path.name}.partial")
    moved = False
    try:
        write(partial, head)
        with db.write() as s:
            audit.record(
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


def remember_head(folder: Path, head: audit.Head, where: str) -> None:
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
