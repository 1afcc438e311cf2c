"""tiers: departments and the hospital above the units, their huddles, escalations
up and answers down, and lessons shared between units

Revision ID: 0010_tiers
Revises: 0009_close_the_loop
Create Date: 2026-11-28 13:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_tiers"
down_revision = "0009_close_the_loop"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tiers",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("code", sa.String(16), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), sa.ForeignKey("tiers.id"), nullable=True),
        sa.Column("huddle_time", sa.String(5), nullable=False),
        sa.Column("huddle_days", sa.JSON(), nullable=False),
        sa.Column("huddle_target_minutes", sa.Integer(), nullable=False),
        sa.Column("leader_role", sa.String(30), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False, server_default="1"),
        sa.UniqueConstraint("code", name="uq_tiers_code"),
    )
    with op.batch_alter_table("units", schema=None) as batch_op:
        batch_op.add_column(sa.Column("tier_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_units_tier_id_tiers", "tiers", ["tier_id"], ["id"])
    op.create_table(
        "tier_placements",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("unit_id", sa.Integer(), sa.ForeignKey("units.id"), nullable=False),
        sa.Column("tier_id", sa.Integer(), sa.ForeignKey("tiers.id"), nullable=False),
        sa.Column("since", sa.Date(), nullable=False),
        sa.Column("until", sa.Date(), nullable=True),
    )
    op.create_index("ix_tier_placements_unit_id", "tier_placements", ["unit_id"])
    op.create_index("ix_tier_placements_tier_id", "tier_placements", ["tier_id"])
    op.create_table(
        "tier_roles",
        sa.Column(
            "person_id",
            sa.Integer(),
            sa.ForeignKey("people.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "tier_id", sa.Integer(), sa.ForeignKey("tiers.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("role", sa.String(30), nullable=False),
    )
    op.create_table(
        "tier_huddles",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("tier_id", sa.Integer(), sa.ForeignKey("tiers.id"), nullable=False),
        sa.Column("huddle_date", sa.Date(), nullable=False),
        sa.Column("scheduled_at", sa.DateTime(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column("led_by_id", sa.Integer(), sa.ForeignKey("people.id"), nullable=True),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.UniqueConstraint("tier_id", "huddle_date", name="uq_tier_huddles_tier_id"),
    )
    op.create_index("ix_tier_huddles_tier_id", "tier_huddles", ["tier_id"])
    op.create_table(
        "escalations",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("unit_id", sa.Integer(), sa.ForeignKey("units.id"), nullable=False),
        sa.Column("tier_id", sa.Integer(), sa.ForeignKey("tiers.id"), nullable=False),
        sa.Column("parent_id", sa.Integer(), sa.ForeignKey("escalations.id"), nullable=True),
        sa.Column("huddle_id", sa.Integer(), sa.ForeignKey("huddles.id"), nullable=True),
        sa.Column("huddle_item_id", sa.Integer(), sa.ForeignKey("huddle_items.id"), nullable=True),
        sa.Column("action_id", sa.Integer(), sa.ForeignKey("actions.id"), nullable=True),
        sa.Column("tier_huddle_id", sa.Integer(), sa.ForeignKey("tier_huddles.id"), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("criteria", sa.JSON(), nullable=False),
        sa.Column("needed", sa.Text(), nullable=True),
        sa.Column("needed_by", sa.Date(), nullable=True),
        sa.Column("raised_by_id", sa.Integer(), sa.ForeignKey("people.id"), nullable=True),
        sa.Column("raised_at", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("owner", sa.String(120), nullable=True),
        sa.Column("answered_by_id", sa.Integer(), sa.ForeignKey("people.id"), nullable=True),
        sa.Column("answered_role", sa.String(30), nullable=True),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
        sa.Column("answered_in_id", sa.Integer(), sa.ForeignKey("tier_huddles.id"), nullable=True),
        sa.Column("shown_in_huddle_id", sa.Integer(), sa.ForeignKey("huddles.id"), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False, server_default="1"),
    )
    op.create_index("ix_escalations_tier_status", "escalations", ["tier_id", "status"])
    op.create_index("ix_escalations_unit_status", "escalations", ["unit_id", "status"])
    op.create_table(
        "shared_lessons",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("unit_id", sa.Integer(), sa.ForeignKey("units.id"), nullable=False),
        sa.Column("tier_id", sa.Integer(), sa.ForeignKey("tiers.id"), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("event_id", sa.Integer(), sa.ForeignKey("safety_events.id"), nullable=True),
        sa.Column("shared_by_id", sa.Integer(), sa.ForeignKey("people.id"), nullable=True),
        sa.Column("shared_on", sa.Date(), nullable=False),
        sa.Column("withdrawn", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.create_index("ix_shared_lessons_unit_id", "shared_lessons", ["unit_id"])
    op.create_index("ix_shared_lessons_tier_id", "shared_lessons", ["tier_id"])
    op.create_table(
        "lesson_adoptions",
        sa.Column(
            "lesson_id",
            sa.Integer(),
            sa.ForeignKey("shared_lessons.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("unit_id", sa.Integer(), sa.ForeignKey("units.id"), primary_key=True),
        sa.Column("adopted_on", sa.Date(), nullable=False),
        sa.Column("adopted_by_id", sa.Integer(), sa.ForeignKey("people.id"), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("lesson_adoptions")
    op.drop_index("ix_shared_lessons_tier_id", table_name="shared_lessons")
    op.drop_index("ix_shared_lessons_unit_id", table_name="shared_lessons")
    op.drop_table("shared_lessons")
    op.drop_index("ix_escalations_unit_status", table_name="escalations")
    op.drop_index("ix_escalations_tier_status", table_name="escalations")
    op.drop_table("escalations")
    op.drop_index("ix_tier_huddles_tier_id", table_name="tier_huddles")
    op.drop_table("tier_huddles")
    op.drop_table("tier_roles")
    op.drop_index("ix_tier_placements_tier_id", table_name="tier_placements")
    op.drop_index("ix_tier_placements_unit_id", table_name="tier_placements")
    op.drop_table("tier_placements")
    with op.batch_alter_table("units", schema=None) as batch_op:
        batch_op.drop_constraint("fk_units_tier_id_tiers", type_="foreignkey")
        batch_op.drop_column("tier_id")
    op.drop_table("tiers")
