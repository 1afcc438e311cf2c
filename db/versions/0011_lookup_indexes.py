"""indexes for look-ups that walked years of rows: the reports-by-date index also holds
each report's first feedback day and merge, so that reports still awaiting word are
counted from the index alone; the reports-by-time index holds each report's kind, so
that a half year is counted by week and kind from it; a unit's open huddle is found
among its open huddles

Revision ID: 0011_lookup_indexes
Revises: 0010_tiers
Create Date: 2026-11-28 16:30:00
"""

from __future__ import annotations

from alembic import op

revision = "0011_lookup_indexes"
down_revision = "0010_tiers"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_safety_events_unit_reported", table_name="safety_events")
    op.create_index(
        "ix_safety_events_unit_reported_feedback",
        "safety_events",
        ["unit_id", "reported_on", "first_feedback_on", "merged_into_id"],
    )
    op.drop_index("ix_safety_events_unit_occurred", table_name="safety_events")
    op.create_index(
        "ix_safety_events_unit_occurred_kind", "safety_events", ["unit_id", "occurred_at", "kind"]
    )
    op.create_index("ix_huddles_unit_status", "huddles", ["unit_id", "status"])


def downgrade() -> None:
    op.drop_index("ix_huddles_unit_status", table_name="huddles")
    op.drop_index("ix_safety_events_unit_occurred_kind", table_name="safety_events")
    op.create_index(
        "ix_safety_events_unit_occurred", "safety_events", ["unit_id", "occurred_at"]
    )
    op.drop_index("ix_safety_events_unit_reported_feedback", table_name="safety_events")
    op.create_index(
        "ix_safety_events_unit_reported", "safety_events", ["unit_id", "reported_on"]
    )
