"""nothing lost: version columns for records two people edit at once, and a
submission key so that a report is stored once however often it is sent

Revision ID: 0008_nothing_lost
Revises: 0007_huddle_loop
Create Date: 2026-11-28 01:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_nothing_lost"
down_revision = "0007_huddle_loop"
branch_labels = None
depends_on = None

#: Records two people can edit at once; existing rows start at version 1.
VERSIONED = (
    "safety_events",
    "actions",
    "learner_observations",
    "weekly_census",
    "units",
    "people",
)


def upgrade() -> None:
    for table in VERSIONED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("version", sa.Integer(), nullable=False, server_default="1")
            )
    with op.batch_alter_table("safety_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("submission_key", sa.String(length=32), nullable=True))
        batch_op.create_index(
            "ux_safety_events_submission_key", ["submission_key"], unique=True
        )
    # The outbox keeps no rowid on SQLite, so it is altered in place, not rebuilt.
    op.add_column("anonymous_outbox", sa.Column("submission_key", sa.String(32), nullable=True))
    op.create_index(
        "ux_anonymous_outbox_submission_key", "anonymous_outbox", ["submission_key"], unique=True
    )


def downgrade() -> None:
    op.drop_index("ux_anonymous_outbox_submission_key", table_name="anonymous_outbox")
    with op.batch_alter_table("anonymous_outbox", schema=None) as batch_op:
        batch_op.drop_column("submission_key")
    with op.batch_alter_table("safety_events", schema=None) as batch_op:
        batch_op.drop_index("ux_safety_events_submission_key")
        batch_op.drop_column("submission_key")
    for table in reversed(VERSIONED):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("version")
