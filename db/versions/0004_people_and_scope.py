"""people and scope: sign-in sessions; checklist templates belong to a unit

Existing templates go to the unit(s) whose sessions use them: the first such unit
keeps the row, every other one gets its own copy (with its items), and its
sessions and answers are moved onto the copy. A template no session uses goes to
every unit. Nothing is dropped except templates on a database with no unit yet
(each new unit receives the bundled ones when it is created).

Revision ID: 0004_people_and_scope
Revises: 0002_lookback_indexes
Create Date: 2026-11-28 01:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_people_and_scope"
down_revision = "0003_anonymity"
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


    _templates_to_units()


def _templates_to_units() -> None:
    conn = op.get_bind()
    with op.batch_alter_table("checklist_templates") as batch:
        batch.add_column(sa.Column("unit_id", sa.Integer(), nullable=True))
        batch.drop_constraint("uq_checklist_templates_key", type_="unique")
    units = [r[0] for r in conn.execute(sa.text("SELECT id FROM units ORDER BY id"))]
    templates = [r[0] for r in conn.execute(sa.text("SELECT id FROM checklist_templates"))]
    for template_id in templates:
        users = [
            r[0]
            for r in conn.execute(
                sa.text(
                    "SELECT DISTINCT unit_id FROM checklist_sessions WHERE template_id = :t "
                    "ORDER BY unit_id"
                ),
                {"t": template_id},
            )
        ]
        owners = users or units
        if not owners:
            conn.execute(
                sa.text("DELETE FROM checklist_items WHERE template_id = :t"), {"t": template_id}
            )
            conn.execute(sa.text("DELETE FROM checklist_templates WHERE id = :t"), {"t": template_id})
            continue
        conn.execute(
            sa.text("UPDATE checklist_templates SET unit_id = :u WHERE id = :t"),
            {"u": owners[0], "t": template_id},
        )
        for unit_id in owners[1:]:
            _copy_for_unit(conn, template_id, unit_id)
    with op.batch_alter_table("checklist_templates") as batch:
        batch.alter_column("unit_id", existing_type=sa.Integer(), nullable=False)
        batch.create_unique_constraint(
            "uq_checklist_templates_unit_id", ["unit_id", "key", "version"]
        )
        batch.create_foreign_key(
            "fk_checklist_templates_unit_id_units", "units", ["unit_id"], ["id"]
        )
        batch.create_index("ix_checklist_templates_unit_id", ["unit_id"], unique=False)


def _copy_for_unit(conn: sa.Connection, template_id: int, unit_id: int) -> None:
    conn.execute(
        sa.text(
            "INSERT INTO checklist_templates "
            "(unit_id, key, version, title, response_kind, sources, status, created_at) "
            "SELECT :u, key, version, title, response_kind, sources, status, created_at "
            "FROM checklist_templates WHERE id = :t"
        ),
        {"u": unit_id, "t": template_id},
    )
    copy_id = conn.execute(
        sa.text(
            "SELECT c.id FROM checklist_templates c JOIN checklist_templates o "
            "ON o.key = c.key AND o.version = c.version WHERE o.id = :t AND c.unit_id = :u"
        ),
        {"t": template_id, "u": unit_id},
    ).scalar_one()
    conn.execute(
        sa.text(
            "INSERT INTO checklist_items (template_id, position, code, text, domain, "
            "hro_principle, ipec_competency, is_overall) "
            "SELECT :c, position, code, text, domain, hro_principle, ipec_competency, is_overall "
            "FROM checklist_items WHERE template_id = :t"
        ),
        {"c": copy_id, "t": template_id},
    )
    old_items = dict(
        conn.execute(
            sa.text("SELECT position, id FROM checklist_items WHERE template_id = :t"),
            {"t": template_id},
        ).all()
    )
    new_items = dict(
        conn.execute(
            sa.text("SELECT position, id FROM checklist_items WHERE template_id = :c"),
            {"c": copy_id},
        ).all()
    )
    sessions = sa.text(
        "SELECT id FROM checklist_sessions WHERE template_id = :t AND unit_id = :u"
    )
    moved = [r[0] for r in conn.execute(sessions, {"t": template_id, "u": unit_id})]
    for position, old_id in old_items.items():
        for session_id in moved:
            conn.execute(
                sa.text(
                    "UPDATE checklist_responses SET item_id = :n "
                    "WHERE item_id = :o AND session_id = :s"
                ),
                {"n": new_items[position], "o": old_id, "s": session_id},
            )
    conn.execute(
        sa.text(
            "UPDATE checklist_sessions SET template_id = :c "
            "WHERE template_id = :t AND unit_id = :u"
        ),
        {"c": copy_id, "t": template_id, "u": unit_id},
    )


def downgrade() -> None:
    # Copies made for other units stay as rows; only the column and its rules go.
    with op.batch_alter_table("checklist_templates") as batch:
        batch.drop_index("ix_checklist_templates_unit_id")
        batch.drop_constraint("fk_checklist_templates_unit_id_units", type_="foreignkey")
        batch.drop_constraint("uq_checklist_templates_unit_id", type_="unique")
        batch.drop_column("unit_id")
    op.drop_index(op.f("ix_sign_in_sessions_person_id"), table_name="sign_in_sessions")
    op.drop_table("sign_in_sessions")
