"""faithful vocabularies: Common Formats V2.0 categories, one check-back, O-SCORE key

Revision ID: 0005_faithful_vocabularies
Revises: 0002_lookback_indexes
Create Date: 2026-11-28 01:30:00

What it changes, and how nothing is lost:

- Safety events: HRO Huddle used V1.2 category keys. ``infection`` (the HAI module,
  retired in CFER-H V2.0, where HAIs go to the Generic module) becomes ``other``;
  ``surgery`` (V1.2 "Surgery or anesthesia", split in V2.0) stays ``surgery``;
  ``device`` (V1.2 included health IT; V2.0 moved it to the contributing factors)
  stays ``device``. Each of these events keeps its V1.2 key in the new table
  ``event_category_v1_2``, shown in the export, so a reviewer can re-classify.
- Checklists: TeamSTEPPS teaches repeat-back and check-back as one tool. In every
  ``error_prevention`` version that has both REPEAT_BACK and CHECK_BACK, each
  observation session's two answers become one answer on CHECK_BACK (missed if
  either was missed, else observed if either was observed, else not applicable;
  notes kept together), the REPEAT_BACK item goes, and learner observations that
  named REPEAT_BACK name CHECK_BACK once. Reliability is computed from the
  answers, so it is recomputed with the next query.
- The bundled templates those versions came from are retired (readable, no longer
  offered): ``team_performance`` 1 (15 rewritten items; TPOT 2.0 as published
  arrives as version 2) and ``error_prevention`` 1 (version 2 names its sources).
- Learner observations on the old ``entrustment`` scale (O-SCORE anchors) say
  ``o_score``, the key of that scale in resources/scales/entrustment.yaml.

Only tables of 0001 and 0002 are touched, so the revision can be re-chained.
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0005_faithful_vocabularies"
down_revision = "0004_people_and_scope"
branch_labels = None
depends_on = None

#: V1.2 key -> V2.0 key, for every key whose meaning changed.
CATEGORY_MAP = {"infection": "other", "surgery": "surgery", "device": "device"}
MERGED_FROM, MERGED_INTO = "REPEAT_BACK", "CHECK_BACK"
RETIRE = (("team_performance", 1), ("error_prevention", 1))


def merged_result(results: list[str | None]) -> str | None:
    """One answer for one exchange: a check-back is complete only if no step was missed."""
    given = {r for r in results if r}
    if "missed" in given:
        return "missed"
    if "observed" in given:
        return "observed"
    if "na" in given:
        return "na"
    return None


def _json(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, str):
        loaded = json.loads(value)
        return loaded if isinstance(loaded, list) else []
    return list(value)


def upgrade() -> None:
    conn = op.get_bind()
    op.create_table(
        "event_category_v1_2",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["safety_events.id"],
            name=op.f("fk_event_category_v1_2_event_id_safety_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_event_category_v1_2")),
    )
    events = sa.table(
        "safety_events", sa.column("id", sa.Integer), sa.column("category", sa.String)
    )
    legacy = sa.table(
        "event_category_v1_2", sa.column("event_id", sa.Integer), sa.column("category", sa.String)
    )
    for old, new in CATEGORY_MAP.items():
        ids = [r[0] for r in conn.execute(sa.select(events.c.id).where(events.c.category == old))]
        if ids:
            conn.execute(sa.insert(legacy), [{"event_id": i, "category": old} for i in ids])
        if old != new:
            conn.execute(sa.update(events).where(events.c.category == old).values(category=new))

    _merge_check_back(conn)

    templates = sa.table(
        "checklist_templates",
        sa.column("key", sa.String),
        sa.column("version", sa.Integer),
        sa.column("status", sa.String),
    )
    for key, version in RETIRE:
        conn.execute(
            sa.update(templates)
            .where(templates.c.key == key, templates.c.version == version)
            .values(status="retired")
        )

    learner = sa.table("learner_observations", sa.column("scale_key", sa.String))
    conn.execute(
        sa.update(learner).where(learner.c.scale_key == "entrustment").values(scale_key="o_score")
    )


def _merge_check_back(conn: sa.Connection) -> None:
    items = sa.table(
        "checklist_items",
        sa.column("id", sa.Integer),
        sa.column("template_id", sa.Integer),
        sa.column("code", sa.String),
    )
    responses = sa.table(
        "checklist_responses",
        sa.column("id", sa.Integer),
        sa.column("session_id", sa.Integer),
        sa.column("item_id", sa.Integer),
        sa.column("result", sa.String),
        sa.column("note", sa.Text),
    )
    pairs: dict[int, dict[str, int]] = {}
    for item_id, template_id, code in conn.execute(
        sa.select(items.c.id, items.c.template_id, items.c.code).where(
            items.c.code.in_([MERGED_FROM, MERGED_INTO])
        )
    ):
        pairs.setdefault(template_id, {})[code] = item_id
    for codes in pairs.values():
        if MERGED_FROM not in codes or MERGED_INTO not in codes:
            continue
        old_item, new_item = codes[MERGED_FROM], codes[MERGED_INTO]
        by_session: dict[int, dict[int, Any]] = {}
        for row in conn.execute(
            sa.select(responses).where(responses.c.item_id.in_([old_item, new_item]))
        ):
            by_session.setdefault(row.session_id, {})[row.item_id] = row
        for answers in by_session.values():
            old, new = answers.get(old_item), answers.get(new_item)
            result = merged_result([a.result for a in (old, new) if a is not None])
            notes = [a.note for a in (new, old) if a is not None and a.note]
            note = " / ".join(dict.fromkeys(notes)) or None
            if new is not None:
                conn.execute(
                    sa.update(responses)
                    .where(responses.c.id == new.id)
                    .values(result=result, note=note)
                )
                if old is not None:
                    conn.execute(sa.delete(responses).where(responses.c.id == old.id))
            elif old is not None:
                conn.execute(
                    sa.update(responses)
                    .where(responses.c.id == old.id)
                    .values(item_id=new_item, result=result, note=note)
                )
        conn.execute(sa.delete(items).where(items.c.id == old_item))

    observations = sa.table(
        "learner_observations", sa.column("id", sa.Integer), sa.column("behaviours", sa.JSON)
    )
    for obs_id, behaviours in conn.execute(sa.select(observations.c.id, observations.c.behaviours)):
        codes = _json(behaviours)
        if MERGED_FROM not in codes:
            continue
        renamed = list(dict.fromkeys(MERGED_INTO if c == MERGED_FROM else c for c in codes))
        conn.execute(
            sa.update(observations).where(observations.c.id == obs_id).values(behaviours=renamed)
        )


def downgrade() -> None:
    """Category keys and the scale key go back; merged answers stay merged.

    A merged answer cannot be split into the two it came from, and splitting it
    would count one exchange twice again.
    """
    conn = op.get_bind()
    events = sa.table(
        "safety_events", sa.column("id", sa.Integer), sa.column("category", sa.String)
    )
    legacy = sa.table(
        "event_category_v1_2", sa.column("event_id", sa.Integer), sa.column("category", sa.String)
    )
    for event_id, old in conn.execute(sa.select(legacy.c.event_id, legacy.c.category)).all():
        conn.execute(sa.update(events).where(events.c.id == event_id).values(category=old))
    learner = sa.table("learner_observations", sa.column("scale_key", sa.String))
    conn.execute(
        sa.update(learner).where(learner.c.scale_key == "o_score").values(scale_key="entrustment")
    )
    op.drop_table("event_category_v1_2")
