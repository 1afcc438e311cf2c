"""huddle loop: each report is taken up by exactly one huddle's look back

``safety_events.look_back_huddle_id`` names the huddle whose look back took the
report up: the first huddle started after the report reached the unit's reports
(on filing for a named report, on release for an anonymous one). Reports already
shown by a huddle are given to that huddle; the others stay free for the next.

Revision ID: 0007_huddle_loop
Revises: 0006_anonymity_order
Create Date: 2026-11-28 02:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_huddle_loop"
down_revision = "0006_anonymity_order"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("safety_events") as batch:
        batch.add_column(sa.Column("look_back_huddle_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_safety_events_look_back_huddle_id_huddles",
            "huddles",
            ["look_back_huddle_id"],
            ["id"],
        )
    op.create_index(
        "ix_safety_events_unit_look_back",
        "safety_events",
        ["unit_id", "look_back_huddle_id"],
        unique=False,
    )
    op.execute(
        sa.text(
            "UPDATE safety_events SET look_back_huddle_id = ("
            " SELECT MIN(huddle_items.huddle_id) FROM huddle_items"
            " WHERE huddle_items.event_id = safety_events.id)"
            " WHERE EXISTS (SELECT 1 FROM huddle_items"
            " WHERE huddle_items.event_id = safety_events.id)"
        )
    )


def downgrade() -> None:
    op.drop_index("ix_safety_events_unit_look_back", table_name="safety_events")
    with op.batch_alter_table("safety_events") as batch:
        batch.drop_constraint("fk_safety_events_look_back_huddle_id_huddles", type_="foreignkey")
        batch.drop_column("look_back_huddle_id")
