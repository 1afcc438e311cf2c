"""Weekly census (patient-days), the exposure behind rates per 1,000 patient-days."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from hrohuddle.services import audit
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
    if not 0 <= number <= MAX_PATIENT_DAYS:
        raise ValidationError(f"Patient-days are between 0 and {MAX_PATIENT_DAYS:,}.")
    return number


@audit.requires("census.edit")
def set_week(db: Database, actor: Actor, week: str, patient_days: object) -> CensusRow:
    """Enter (or correct) one week's patient-days."""
    monday, days = _monday(week), _days(patient_days)
    with db.write() as s:
        row = s.scalar(
            select(WeeklyCensus).where(
                WeeklyCensus.unit_id == actor.unit_id, WeeklyCensus.week_start == monday
            )
        )
        if row is None:
            s.add(WeeklyCensus(unit_id=actor.unit_id, week_start=monday, patient_days=days))
        else:
            row.patient_days = days
        audit.record(
            s, "census.set", actor=actor, detail={"week": monday.isoformat(), "patient_days": days}
        )
    return CensusRow(monday, days)


@audit.requires("census.edit")
def import_csv(db: Database, actor: Actor, path: Path) -> int:
    """Import ``week,patient_days`` rows; nothing is stored unless every row is good.

    A bad row is named by its line number in the message.
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValidationError(f"The file {path.name} cannot be read as text: {exc}.") from exc
    parsed: dict[dt.date, int] = {}
    reader = csv.reader(io.StringIO(text))
    for line, row in enumerate(reader, start=1):
        if not row or all(not c.strip() for c in row):
            continue
        if line == 1 and not any(ch.isdigit() for ch in row[0]):
            continue  # a header
        if len(row) < 2:
            raise ValidationError(f"Line {line} needs two values: week, patient-days.")
        try:
            parsed[_monday(row[0])] = _days(row[1])
        except ValidationError as exc:
            raise ValidationError(f"Line {line}: {exc.message}") from None
    if not parsed:
        raise ValidationError(f"The file {path.name} holds no census rows.")
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
                existing[monday].patient_days = days
            else:
                s.add(WeeklyCensus(unit_id=actor.unit_id, week_start=monday, patient_days=days))
        audit.record(s, "census.imported", actor=actor, detail={"rows": len(parsed)})
    return len(parsed)


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
