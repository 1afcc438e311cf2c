"""Weekly census (patient-days), the exposure behind rates per 1,000 patient-days."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from hrohuddle.services import audit, dates, edits
from hrohuddle.services.errors import ValidationError
from hrohuddle.services.permissions import Actor
from hrohuddle.store.database import Database
from hrohuddle.store.models import WeeklyCensus

MAX_PATIENT_DAYS = 20_000


@dataclass(frozen=True)
class CensusRow:
    week_start: dt.date
    patient_days: int


def _monday(text: str) -> dt.date:
    from hrohuddle.services.reporting import Week

    text = (text or "").strip()
    if "W" in text.upper():
        return Week.parse(text).monday
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise ValidationError(
            f"“{text[:40]}” is not a week: write 2026-W47 or the Monday's date, 2026-11-16."
        ) from None
    return day - dt.timedelta(days=day.weekday())


def _days(value: object) -> int:
    try:
        number = int(str(value).strip())
    except ValueError:
        raise ValidationError(
            f"“{str(value)[:40]}” is not a whole number of patient-days."
        ) from None
    if number < 1:
        # A stored 0 would stand for a week with a census but no patients, and be read
        # as "no census" everywhere rates are shown: it is refused, not kept.
        raise ValidationError(
            "A week with patients has at least 1 patient-day: patient-days are between 1 "
            f"and {MAX_PATIENT_DAYS:,}. Leave a week without a census empty instead."
        )
    if number > MAX_PATIENT_DAYS:
        raise ValidationError(f"Patient-days are between 1 and {MAX_PATIENT_DAYS:,}.")
    return number


MAX_LINE_CHARS = 200
MAX_ROWS = 5_000


@dataclass(frozen=True)
class CensusWeek:
    """One week as stored: None for patient-days (and version) when nothing is stored."""

    week_start: dt.date
    patient_days: int | None
    version: int | None
    complete: bool


@dataclass(frozen=True)
class ImportPlan:
    """What an import would do, read before anything is stored."""

    added: list[CensusRow]
    replaced: list[tuple[dt.date, int, int]]  # week, stored, in the file
    unchanged: int


def _complete(monday: dt.date, today: dt.date) -> bool:
    return monday + dt.timedelta(days=7) <= today


def _refuse_incomplete(monday: dt.date, today: dt.date) -> None:
    if not _complete(monday, today):
        sunday = monday + dt.timedelta(days=6)
        raise ValidationError(
            f"The week starting {dates.day(monday)} is not over yet (it ends on "
            f"{dates.day(sunday)}); enter its patient-days once it is complete."
        )


@audit.requires(None)
def get_week(db: Database, actor: Actor, week: str, *, today: dt.date | None = None) -> CensusWeek:
    """The week as stored, for the form to show before anyone types over it."""
    monday = _monday(week)
    with db.read() as s:
        row = s.execute(
            select(WeeklyCensus.patient_days, WeeklyCensus.version).where(
                WeeklyCensus.unit_id == actor.unit_id, WeeklyCensus.week_start == monday
            )
        ).first()
    complete = _complete(monday, today or dt.date.today())
    if row is None:
        return CensusWeek(monday, None, None, complete)
    return CensusWeek(monday, int(row[0]), int(row[1]), complete)


@audit.requires("census.edit")
def set_week(
    db: Database,
    actor: Actor,
    week: str,
    patient_days: object,
    *,
    expected_version: int | None = None,
    today: dt.date | None = None,
) -> CensusRow:
    """Enter (or correct) one complete week's patient-days.

    ``expected_version`` is the version ``get_week`` returned (0 when the week held
    nothing): a save made after someone else's is refused with the stored value.
    """
    monday, days = _monday(week), _days(patient_days)
    _refuse_incomplete(monday, today or dt.date.today())
    with db.write() as s:
        row = s.scalar(
            select(WeeklyCensus).where(
                WeeklyCensus.unit_id == actor.unit_id, WeeklyCensus.week_start == monday
            )
        )
        edits.check(
            row.version if row is not None else 0,
            expected_version,
            f"the census for the week starting {monday:%d %b %Y}",
            [("patient-days", row.patient_days if row is not None else None, days)],
        )
        before = row.patient_days if row is not None else None
        if row is None:
            s.add(WeeklyCensus(unit_id=actor.unit_id, week_start=monday, patient_days=days))
        else:
            row.patient_days = days
        audit.record(
            s,
            "census.set",
            actor=actor,
            detail={"week": monday.isoformat(), "patient_days": days, "was": before},
        )
    return CensusRow(monday, days)


def _lines(path: Path) -> Iterator[str]:
    """The file's lines, each read with a bound, so that a huge line costs no memory."""
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise ValidationError(f"The file {path.name} cannot be read: {exc.strerror}.") from exc
    with handle:
        number = 0
        while True:
            try:
                line = handle.readline(MAX_LINE_CHARS + 1)
            except UnicodeDecodeError:
                raise ValidationError(
                    f"The file {path.name} is not UTF-8 text near line {number + 1}; save it "
                    "as CSV (UTF-8) and import it again."
                ) from None
            except OSError as exc:
                raise ValidationError(
                    f"The file {path.name} cannot be read: {exc.strerror}."
                ) from exc
            if not line:
                return
            number += 1
            if len(line) > MAX_LINE_CHARS and not line.endswith(("\n", "\r")):
                raise ValidationError(
                    f"Line {number} of {path.name} is longer than a census row can be "
                    f"({MAX_LINE_CHARS} characters): is this the right file?"
                )
            if number > MAX_ROWS:
                raise ValidationError(
                    f"{path.name} has more than {MAX_ROWS:,} lines: is this the right file?"
                )
            yield line


def _read(path: Path, today: dt.date) -> dict[dt.date, int]:
    parsed: dict[dt.date, int] = {}
    reader = csv.reader(_lines(path))
    try:
        for row in reader:
            line = reader.line_num
            if not row or all(not c.strip() for c in row):
                continue
            if line == 1 and not any(ch.isdigit() for ch in row[0]):
                continue  # a header
            if len(row) < 2:
                raise ValidationError(f"Line {line} needs two values: week, patient-days.")
            try:
                monday = _monday(row[0])
                _refuse_incomplete(monday, today)
                parsed[monday] = _days(row[1])
            except ValidationError as exc:
                raise ValidationError(f"Line {line}: {exc.message}") from None
    except csv.Error as exc:
        raise ValidationError(f"{path.name} is not a CSV file this can read: {exc}.") from None
    if not parsed:
        raise ValidationError(f"The file {path.name} holds no census rows.")
    return parsed


@audit.requires("census.edit")
def plan_import(
    db: Database, actor: Actor, path: Path, *, today: dt.date | None = None
) -> ImportPlan:
    """Read and check the file; say which weeks it would add and which it would replace."""
    parsed = _read(path, today or dt.date.today())
    with db.read() as s:
        stored = dict(
            s.execute(
                select(WeeklyCensus.week_start, WeeklyCensus.patient_days).where(
                    WeeklyCensus.unit_id == actor.unit_id,
                    WeeklyCensus.week_start.in_(list(parsed)),
                )
            ).all()
        )
    added = [CensusRow(m, d) for m, d in sorted(parsed.items()) if m not in stored]
    replaced = [
        (m, stored[m], d) for m, d in sorted(parsed.items()) if m in stored and stored[m] != d
    ]
    unchanged = sum(1 for m, d in parsed.items() if stored.get(m) == d)
    return ImportPlan(added, replaced, unchanged)


@audit.requires("census.edit")
def import_csv(
    db: Database,
    actor: Actor,
    path: Path,
    *,
    replace: bool = True,
    today: dt.date | None = None,
) -> int:
    """Import ``week,patient_days`` rows; nothing is stored unless every row is good.

    A bad row is named by its line number in the message; weeks not yet complete
    are refused. With ``replace=False`` weeks already stored keep their value (the
    screen asks first, with ``plan_import``). Returns how many weeks were added or
    changed.
    """
    parsed = _read(path, today or dt.date.today())
    added = replaced = 0
    with db.write() as s:
        existing = {
            r.week_start: r
            for r in s.scalars(
                select(WeeklyCensus).where(
                    WeeklyCensus.unit_id == actor.unit_id, WeeklyCensus.week_start.in_(list(parsed))
                )
            )
        }
        for monday, days in parsed.items():
            if monday in existing:
                if replace and existing[monday].patient_days != days:
                    existing[monday].patient_days = days
                    replaced += 1
            else:
                s.add(WeeklyCensus(unit_id=actor.unit_id, week_start=monday, patient_days=days))
                added += 1
        audit.record(
            s,
            "census.imported",
            actor=actor,
            detail={"rows": len(parsed), "added": added, "replaced": replaced},
        )
    return added + replaced


@audit.requires(None)
def recent(db: Database, actor: Actor, weeks: int = 26) -> list[CensusRow]:
    with db.read() as s:
        rows = s.execute(
            select(WeeklyCensus.week_start, WeeklyCensus.patient_days)
            .where(WeeklyCensus.unit_id == actor.unit_id)
            .order_by(WeeklyCensus.week_start.desc())
            .limit(weeks)
        ).all()
    return [CensusRow(r[0], r[1]) for r in rows]
