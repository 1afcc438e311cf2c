"""people and scope: sign-in sessions re-checked by every service call

Revision ID: 0004_people_and_scope
Revises: 0002_lookback_indexes
Create Date: 2026-11-28 01:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_people_and_scope"
down_revision = "0002_lookback_indexes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sign_in_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("workstation", sa.String(length=120), nullable=True),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("locked_at", sa.DateTime(), nullable=True),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column("ended_because", sa.String(length=60), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_sign_in_sessions_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_sign_in_sessions_unit_id_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_sessions")),
    )
    op.create_index(
        op.f("ix_sign_in_sessions_person_id"), "sign_in_sessions", ["person_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_sign_in_sessions_person_id"), table_name="sign_in_sessions")
    op.drop_table("sign_in_sessions")
