"""close the loop: a conversation on every report, its journey back to the reporter,
"I have seen this too", and the reporter's consents

Revision ID: 0009_close_the_loop
Revises: 0008_nothing_lost
Create Date: 2026-11-28 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_close_the_loop"
down_revision = "0008_nothing_lost"
branch_labels = None
depends_on = None

#: The sentence every report's first step says to its reporter.
ACKNOWLEDGED = "Your report reached the unit's reviewers. Thank you for speaking up."


def upgrade() -> None:
    op.create_table(
        "report_messages",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column(
            "event_id",
            sa.Integer(),
            sa.ForeignKey("safety_events.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("sender", sa.String(10), nullable=False),
        sa.Column("author_id", sa.Integer(), sa.ForeignKey("people.id"), nullable=True),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("event_id", "position", name="ux_report_messages_position"),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "report_steps",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "event_id",
            sa.Integer(),
            sa.ForeignKey("safety_events.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("step", sa.String(16), nullable=False),
        sa.Column("on_date", sa.Date(), nullable=False),
        sa.Column("sentence", sa.Text(), nullable=False),
        sa.Column("action_id", sa.Integer(), sa.ForeignKey("actions.id"), nullable=True),
        sa.Column("huddle_id", sa.Integer(), sa.ForeignKey("huddles.id"), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), sa.ForeignKey("people.id"), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_report_steps_event_id", "report_steps", ["event_id"])
    op.create_table(
        "me_too",
        sa.Column(
            "event_id",
            sa.Integer(),
            sa.ForeignKey("safety_events.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("marker", sa.String(64), primary_key=True),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table("safety_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("first_feedback_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("reporter_seen_at", sa.DateTime(), nullable=True))
        for flag in ("teaching_consent", "recognise_by_name", "words_may_be_shared"):
            batch_op.add_column(
                sa.Column(flag, sa.Boolean(), nullable=False, server_default=sa.false())
            )
        batch_op.add_column(
            sa.Column("me_too_count", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("merged_into_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_safety_events_merged_into", "safety_events", ["merged_into_id"], ["id"]
        )
    with op.batch_alter_table("units", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("feedback_target_pct", sa.Integer(), nullable=False, server_default="90")
        )
    # Every report so far was received: its journey starts with the acknowledgement,
    # dated the day it was reported; feedback already given counts as the first.
    op.execute(
        sa.text(
            "INSERT INTO report_steps (event_id, step, on_date, sentence, created_at) "
            "SELECT id, 'acknowledged', reported_on, :sentence, CURRENT_TIMESTAMP "
            "FROM safety_events"
        ).bindparams(sentence=ACKNOWLEDGED)
    )
    op.execute(sa.text("UPDATE safety_events SET first_feedback_on = feedback_on"))


def downgrade() -> None:
    with op.batch_alter_table("units", schema=None) as batch_op:
        batch_op.drop_column("feedback_target_pct")
    with op.batch_alter_table("safety_events", schema=None) as batch_op:
        batch_op.drop_constraint("fk_safety_events_merged_into", type_="foreignkey")
        for column in (
            "merged_into_id",
            "me_too_count",
            "words_may_be_shared",
            "recognise_by_name",
            "teaching_consent",
            "reporter_seen_at",
            "first_feedback_on",
        ):
            batch_op.drop_column(column)
    op.drop_table("me_too")
    op.drop_index("ix_report_steps_event_id", table_name="report_steps")
    op.drop_table("report_steps")
    op.drop_table("report_messages")
