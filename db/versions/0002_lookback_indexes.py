"""indexes for the huddle's look back: reports by report date, items by event

Revision ID: 0002_lookback_indexes
Revises: 0001_initial
Create Date: 2026-11-22 22:20:00
"""

from __future__ import annotations

from alembic import op

revision = "0002_lookback_indexes"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_safety_events_unit_reported", "safety_events", ["unit_id", "reported_on"]
    )
    op.create_index("ix_huddle_items_event", "huddle_items", ["event_id"])


def downgrade() -> None:
    op.drop_index("ix_huddle_items_event", table_name="huddle_items")
    op.drop_index("ix_safety_events_unit_reported", table_name="safety_events")
