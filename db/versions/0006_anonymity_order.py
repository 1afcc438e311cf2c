"""anonymity order: pulse answers without rowid and counted by who answered; coarse sessions

Revision ID: 0006_anonymity_order
Revises: 0005_faithful_vocabularies
Create Date: 2026-11-28 02:30:00

What it changes, and how existing data is brought to the same standard as new data:

- ``pulse_responses`` is rebuilt without rowid (SQLite), its rows written in a
  shuffled order under new random ids, so that neither the hidden rowid nor the
  order of the rows follows the order of answering. Each answer keeps its milestone
  only where at least the unit's minimum group size of people have *answered* that
  milestone (their invitation is done) with an offer window reaching into the
  answer's quarter, pooled as in services.anonymity.kept_milestones, and its
  quarter only where the quarter has that many in all; the rule of 0003 counted
  everyone invited, more than a copy of the database shows to have answered. Only
  coarsened, never refined.
- Pulse answers still waiting in the outbox are released into it (an answer no
  longer waits: a waiting answer beside the invitations marked answered points at
  its sender).
- ``pulse_publications`` keeps, for each closed quarter, the minimum group size its
  results were first published with; quarters closed at the upgrade are recorded
  with the unit's current minimum.
- Sign-in sessions keep their times to the day; sessions that ended before today
  are deleted.

A downgrade keeps the coarser answers and drops ``pulse_publications``.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import secrets
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0006_anonymity_order"
down_revision = "0005_faithful_vocabularies"
branch_labels = None
depends_on = None

OFFER_DAYS = 30
ABSOLUTE_MINIMUM = 3


def _quarter(day: dt.date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def _bounds(label: str) -> tuple[dt.date, dt.date]:
    year, q = int(label[:4]), int(label[-1])
    first = dt.date(year, 3 * (q - 1) + 1, 1)
    nxt = dt.date(year + (q == 4), 1 if q == 4 else 3 * q + 1, 1)
    return first, nxt - dt.timedelta(days=1)


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _kept(answered: dict[int, set[int]], k: int) -> tuple[set[int], bool]:
    """The rule of services.anonymity.kept_milestones, frozen here."""
    everyone: set[int] = set().union(*answered.values()) if answered else set()
    if len(everyone) < k:
        return set(), True
    kept = {m for m, who in answered.items() if len(who) >= k}

    def pooled() -> set[int]:
        return set().union(*(who for m, who in answered.items() if m not in kept))

    while 0 < len(pooled()) < k and kept:
        kept.remove(min(kept, key=lambda m: (len(answered[m]), m)))
    return kept, False


def _columns() -> list[sa.Column[Any]]:
    return [
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("instrument_key", sa.String(length=60), nullable=False),
        sa.Column("instrument_version", sa.Integer(), nullable=False),
        sa.Column("milestone_day", sa.Integer(), nullable=True),
        sa.Column("period", sa.String(length=8), nullable=True),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_pulse_responses_unit_id_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pulse_responses")),
    ]


def upgrade() -> None:
    bind = op.get_bind()
    today = dt.date.today()
    now_local = dt.datetime.now()

    mins = {
        int(u): max(ABSOLUTE_MINIMUM, int(k or 5))
        for u, k in bind.execute(sa.text("SELECT id, min_group_size FROM units"))
    }
    done = [
        (int(u), int(pid), int(m), _date(d))
        for u, pid, m, d in bind.execute(
            sa.text(
                "SELECT p.unit_id, p.id, i.milestone_day, i.due_on FROM pulse_invitations i "
                "JOIN people p ON p.id = i.person_id WHERE i.status = 'done'"
            )
        )
    ]
    rows = [
        {
            "unit_id": int(r["unit_id"]),
            "instrument_key": r["instrument_key"],
            "instrument_version": int(r["instrument_version"]),
            "milestone_day": None if r["milestone_day"] is None else int(r["milestone_day"]),
            "period": r["period"],
            "answers": _json(r["answers"]),
            "comment": r["comment"],
        }
        for r in (
            dict(m._mapping)
            for m in bind.execute(
                sa.text(
                    "SELECT unit_id, instrument_key, instrument_version, milestone_day, period, "
                    "answers, comment FROM pulse_responses"
                )
            )
        )
    ]
    waiting = [
        (int(u), str(i), _json(p))
        for i, u, p in bind.execute(
            sa.text("SELECT id, unit_id, payload FROM anonymous_outbox WHERE kind = 'pulse'")
        )
    ]
    for unit_id, _key, payload in waiting:
        rows.append(
            {
                "unit_id": unit_id,
                "instrument_key": payload["instrument_key"],
                "instrument_version": int(payload["instrument_version"]),
                "milestone_day": int(payload["milestone_day"]),
                "period": _quarter(now_local.date()),
                "answers": dict(payload["answers"]),
                "comment": payload.get("comment"),
            }
        )

    decided: dict[tuple[int, str], tuple[set[int], bool]] = {}
    for r in rows:
        if r["period"] is None:
            r["milestone_day"] = None
            continue
        key = (r["unit_id"], r["period"])
        if key not in decided:
            first, last = _bounds(r["period"])
            answered: dict[int, set[int]] = {}
            for u, pid, m, due in done:
                if u == key[0] and due <= last and due + dt.timedelta(days=OFFER_DAYS) >= first:
                    answered.setdefault(m, set()).add(pid)
            decided[key] = _kept(answered, mins.get(key[0], 5))
        kept, too_small = decided[key]
        if too_small:
            r["milestone_day"], r["period"] = None, None
        elif r["milestone_day"] not in kept:
            r["milestone_day"] = None
        r["id"] = secrets.token_hex(16)

    op.drop_index("ix_pulse_responses_unit_period", table_name="pulse_responses")
    op.drop_table("pulse_responses")
    responses = op.create_table("pulse_responses", *_columns(), sqlite_with_rowid=False)
    op.create_index(
        "ix_pulse_responses_unit_period", "pulse_responses", ["unit_id", "period"], unique=False
    )
    for r in rows:
        r.setdefault("id", secrets.token_hex(16))
    random.SystemRandom().shuffle(rows)
    if rows:
        op.bulk_insert(responses, rows)
    if waiting:
        outbox = sa.table("anonymous_outbox", sa.column("id", sa.String))
        bind.execute(sa.delete(outbox).where(outbox.c.id.in_([k for _u, k, _p in waiting])))
    if bind.dialect.name == "postgresql":
        # Every answered invitation shares this transaction's id with the answers.
        op.execute("UPDATE pulse_invitations SET status = 'done' WHERE status = 'done'")

    publications = op.create_table(
        "pulse_publications",
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=8), nullable=False),
        sa.Column("min_size", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_pulse_publications_unit_id_units")
        ),
        sa.PrimaryKeyConstraint("unit_id", "period", name=op.f("pk_pulse_publications")),
    )
    closed = sorted(
        {
            (r["unit_id"], r["period"])
            for r in rows
            if r["period"] is not None and _bounds(r["period"])[1] < today
        }
    )
    if closed:
        op.bulk_insert(
            publications,
            [{"unit_id": u, "period": p, "min_size": mins.get(u, 5)} for u, p in closed],
        )

    # -- sign-in sessions: to the day; ended ones before today are forgotten ------------
    midnight = dt.datetime.combine(dt.datetime.now(dt.UTC).date(), dt.time())
    sessions = sa.table(
        "sign_in_sessions",
        sa.column("id", sa.Integer),
        sa.column("started_at", sa.DateTime),
        sa.column("locked_at", sa.DateTime),
        sa.column("ended_at", sa.DateTime),
    )
    gone = bind.execute(
        sa.delete(sessions).where(sessions.c.ended_at.is_not(None), sessions.c.ended_at < midnight)
    ).rowcount
    if gone:
        meta = sa.table("app_meta", sa.column("key", sa.String), sa.column("value", sa.Text))
        op.bulk_insert(
            meta,
            [
                {
                    "key": "ended_sessions_removed",
                    "value": (
                        f"{gone} sign-in session(s) that had ended before the upgrade to "
                        "0006_anonymity_order removed: kept, they said who worked when."
                    ),
                }
            ],
        )
    for sid, started, locked, ended in bind.execute(
        sa.select(sessions.c.id, sessions.c.started_at, sessions.c.locked_at, sessions.c.ended_at)
    ).all():
        bind.execute(
            sa.update(sessions)
            .where(sessions.c.id == sid)
            .values(
                started_at=_day(started),
                locked_at=_day(locked),
                ended_at=_day(ended),
            )
        )


def _day(value: Any) -> dt.datetime | None:
    if value is None:
        return None
    if not isinstance(value, dt.datetime):
        value = dt.datetime.fromisoformat(str(value))
    return value.replace(hour=0, minute=0, second=0, microsecond=0)


def downgrade() -> None:
    op.drop_table("pulse_publications")
    bind = op.get_bind()
    rows = [
        dict(r._mapping)
        for r in bind.execute(
            sa.text(
                "SELECT id, unit_id, instrument_key, instrument_version, milestone_day, period, "
                "answers, comment FROM pulse_responses"
            )
        )
    ]
    for r in rows:
        r["answers"] = _json(r["answers"])
    op.drop_index("ix_pulse_responses_unit_period", table_name="pulse_responses")
    op.drop_table("pulse_responses")
    responses = op.create_table("pulse_responses", *_columns())
    op.create_index(
        "ix_pulse_responses_unit_period", "pulse_responses", ["unit_id", "period"], unique=False
    )
    random.SystemRandom().shuffle(rows)
    if rows:
        op.bulk_insert(responses, rows)
