"""anonymity at rest: outbox for shuffled release, coarse pulse answers, no anonymous authors

Revision ID: 0003_anonymity
Revises: 0002_lookback_indexes
Create Date: 2026-11-28 01:20:00

Existing data is brought to the same standard as new data:
- pulse answers lose their week, start cohort and profession group; each keeps the
  quarter of its week and its milestone, the milestone only where at least the
  unit's minimum group size of people were invited to it in that quarter (small
  milestones pooled with the smallest others), and neither where the quarter had
  fewer invited people in all. The table is rebuilt with new random ids in a
  shuffled order, so that its rows no longer follow the order of answering;
- invitations lose their week of completion (and the postponement of answered ones);
- anonymous report drafts, which carried their author, are deleted: nothing could
  give them back to their author without naming them. How many, and why, is kept in
  app_meta under "anonymous_drafts_removed".

Dropped and deleted pages are overwritten (secure delete), and the write-ahead log is
emptied after the upgrade (store.migrations). A downgrade cannot give pulse answers
back their old groups: it removes them.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import secrets
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0003_anonymity"
down_revision = "0002_lookback_indexes"
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


def _kept(invited: dict[int, set[int]], k: int) -> tuple[set[int], bool]:
    """The same rule as services.anonymity.kept_milestones, frozen here."""
    everyone: set[int] = set().union(*invited.values()) if invited else set()
    if len(everyone) < k:
        return set(), True
    kept = {m for m, who in invited.items() if len(who) >= k}

    def pooled() -> set[int]:
        return set().union(*(who for m, who in invited.items() if m not in kept))

    while 0 < len(pooled()) < k and kept:
        kept.remove(min(kept, key=lambda m: (len(invited[m]), m)))
    return kept, False


def upgrade() -> None:
    bind = op.get_bind()

    op.create_table(
        "anonymous_outbox",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("filed_shift", sa.DateTime(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("receipt_hash", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_anonymous_outbox_unit_id_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_anonymous_outbox")),
        sa.UniqueConstraint("receipt_hash", name=op.f("uq_anonymous_outbox_receipt_hash")),
        sqlite_with_rowid=False,
    )

    with op.batch_alter_table("safety_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("filed_shift", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("released_shift", sa.DateTime(), nullable=True))
    op.create_index(
        "ix_safety_events_unit_released", "safety_events", ["unit_id", "released_shift"]
    )

    # -- invitations: answered or not, never when --------------------------------------
    op.execute("UPDATE pulse_invitations SET postponed_until = NULL WHERE status = 'done'")
    with op.batch_alter_table("pulse_invitations", schema=None) as batch_op:
        batch_op.drop_column("completed_week")

    # -- pulse answers: coarsened, re-keyed, shuffled -----------------------------------
    mins = {
        int(u): max(ABSOLUTE_MINIMUM, int(k or 5))
        for u, k in bind.execute(sa.text("SELECT id, min_group_size FROM units"))
    }
    invitations = [
        (int(u), int(pid), int(m), _date(d))
        for u, pid, m, d in bind.execute(
            sa.text(
                "SELECT p.unit_id, p.id, i.milestone_day, i.due_on FROM pulse_invitations i "
                "JOIN people p ON p.id = i.person_id"
            )
        )
    ]
    old = [
        dict(r._mapping)
        for r in bind.execute(
            sa.text(
                "SELECT unit_id, instrument_key, instrument_version, milestone_day, week_start, "
                "answers, comment FROM pulse_responses"
            )
        )
    ]
    op.drop_table("pulse_responses")
    responses = op.create_table(
        "pulse_responses",
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
    )
    op.create_index(
        "ix_pulse_responses_unit_period", "pulse_responses", ["unit_id", "period"], unique=False
    )
    decided: dict[tuple[int, str], tuple[set[int], bool]] = {}
    rows = []
    for r in old:
        unit_id = int(r["unit_id"])
        period = _quarter(_date(r["week_start"]))
        key = (unit_id, period)
        if key not in decided:
            first, last = _bounds(period)
            invited: dict[int, set[int]] = {}
            for u, pid, m, due in invitations:
                if u == unit_id and first - dt.timedelta(days=OFFER_DAYS + 1) <= due <= last:
                    invited.setdefault(m, set()).add(pid)
            decided[key] = _kept(invited, mins.get(unit_id, 5))
        kept, too_small = decided[key]
        milestone = int(r["milestone_day"])
        answers = r["answers"]
        if isinstance(answers, str):
            answers = json.loads(answers)
        rows.append(
            {
                "id": secrets.token_hex(16),
                "unit_id": unit_id,
                "instrument_key": r["instrument_key"],
                "instrument_version": int(r["instrument_version"]),
                "milestone_day": None if too_small or milestone not in kept else milestone,
                "period": None if too_small else period,
                "answers": answers,
                "comment": r["comment"],
            }
        )
    random.SystemRandom().shuffle(rows)
    if rows:
        op.bulk_insert(responses, rows)

    # -- anonymous drafts carried their author -------------------------------------------
    drafts = sa.table(
        "drafts",
        sa.column("id", sa.Integer),
        sa.column("kind", sa.String),
        sa.column("payload", sa.JSON),
    )
    doomed = [
        int(i)
        for i, kind, payload in bind.execute(sa.select(drafts.c.id, drafts.c.kind, drafts.c.payload))
        if kind == "event_form"
        and isinstance(payload, dict)
        and bool(payload.get("anonymous"))
    ]
    if doomed:
        bind.execute(sa.delete(drafts).where(drafts.c.id.in_(doomed)))
        meta = sa.table("app_meta", sa.column("key", sa.String), sa.column("value", sa.Text))
        op.bulk_insert(
            meta,
            [
                {
                    "key": "anonymous_drafts_removed",
                    "value": (
                        f"{len(doomed)} unsent anonymous report draft(s) removed by the upgrade "
                        "to 0003_anonymity: they were stored with their author, and nothing "
                        "could return them to the author without naming them."
                    ),
                }
            ],
        )


def downgrade() -> None:
    op.drop_index("ix_pulse_responses_unit_period", table_name="pulse_responses")
    op.drop_table("pulse_responses")
    op.create_table(
        "pulse_responses",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("instrument_key", sa.String(length=60), nullable=False),
        sa.Column("instrument_version", sa.Integer(), nullable=False),
        sa.Column("milestone_day", sa.Integer(), nullable=False),
        sa.Column("cohort", sa.String(length=8), nullable=False),
        sa.Column("profession_group", sa.String(length=40), nullable=False),
        sa.Column("week_start", sa.Date(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_pulse_responses_unit_id_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pulse_responses")),
    )
    with op.batch_alter_table("pulse_invitations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("completed_week", sa.Date(), nullable=True))
    op.drop_index("ix_safety_events_unit_released", table_name="safety_events")
    with op.batch_alter_table("safety_events", schema=None) as batch_op:
        batch_op.drop_column("released_shift")
        batch_op.drop_column("filed_shift")
    op.drop_table("anonymous_outbox")
