"""Revision 0005 on a real demo database made the way the earlier build made it:
V1.2 category keys move to Common Formats V2.0 with nothing lost, and repeat-back and
check-back, observed as two behaviours, become one without counting an exchange twice.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text, update

from hrohuddle import demo
from hrohuddle.services import checklists
from hrohuddle.services.permissions import command_line_actor
from hrohuddle.store import migrations
from hrohuddle.store.database import Database
from hrohuddle.store.models import Base, LearnerObservation

V1_RESOURCES = Path(__file__).parent / "fixtures" / "resources_v1"
#: Reports the earlier build could hold under V1.2 keys.
V1_2_EVENTS = [
    ("unsafe_condition", "infection", "Hand gel dispensers empty in bays 5-8", None),
    ("incident", "surgery", "Wrong-site marking found at the pre-operative check", None),
    (
        "near_miss",
        "surgery",
        "Anaesthetic chart not with the patient, found before induction",
        "barrier",
    ),
]
TODAY = dt.date(2026, 11, 1)
WEEK = dt.timedelta(days=7)  # demo sessions fall up to six days after their week starts


def _merged(results: set[str]) -> str | None:
    if "missed" in results:
        return "missed"
    if "observed" in results:
        return "observed"
    return "na" if "na" in results else None


def _snapshot(db: Database) -> dict[str, Any]:
    with db.read() as s:
        q = s.execute
        answers: dict[int, dict[str, str | None]] = {}
        for session_id, code, result in q(
            text(
                "SELECT r.session_id, i.code, r.result FROM checklist_responses r "
                "JOIN checklist_items i ON i.id = r.item_id "
                "WHERE i.code IN ('REPEAT_BACK', 'CHECK_BACK')"
            )
        ):
            answers.setdefault(session_id, {})[code] = result
        return {
            "events": q(text("SELECT count(*) FROM safety_events")).scalar(),
            "by_category": Counter(
                dict(
                    q(text("SELECT category, count(*) FROM safety_events GROUP BY category")).all()
                )
            ),
            "responses": q(text("SELECT count(*) FROM checklist_responses")).scalar(),
            "sessions": q(text("SELECT count(*) FROM checklist_sessions")).scalar(),
            "answers": answers,
            "opportunities": Counter(
                code
                for per in answers.values()
                for code, result in per.items()
                if result in ("observed", "missed")
            ),
            "obs_naming_repeat_back": sum(
                1
                for (b,) in q(text("SELECT behaviours FROM learner_observations"))
                if "REPEAT_BACK" in (b if isinstance(b, str) else str(b))
            ),
            "scale_keys": Counter(
                dict(
                    q(text("SELECT scale_key, count(*) FROM learner_observations GROUP BY 1")).all()
                )
            ),
            "templates": dict(
                ((k, v), st)
                for k, v, st in q(text("SELECT key, version, status FROM checklist_templates"))
            ),
        }


#: Tables that revision 0008_nothing_lost gives a version column.
LATER_VERSIONED = (
    "safety_events",
    "actions",
    "learner_observations",
    "weekly_census",
    "units",
    "people",
)

#: What revision 0009_close_the_loop adds, which the demo writes.
LOOP_TABLES = ("report_messages", "report_steps", "me_too")
LOOP_COLUMNS = (
    ("safety_events", "first_feedback_on DATE"),
    ("safety_events", "reporter_seen_at DATETIME"),
    ("safety_events", "teaching_consent BOOLEAN NOT NULL DEFAULT 0"),
    ("safety_events", "recognise_by_name BOOLEAN NOT NULL DEFAULT 0"),
    ("safety_events", "words_may_be_shared BOOLEAN NOT NULL DEFAULT 0"),
    ("safety_events", "me_too_count INTEGER NOT NULL DEFAULT 0"),
    ("safety_events", "merged_into_id INTEGER"),
    ("units", "feedback_target_pct INTEGER NOT NULL DEFAULT 90"),
    # revision 0010_tiers
    ("units", "tier_id INTEGER"),
)


@pytest.fixture
def earlier_demo_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[Database, dict[str, Any]]:
    """A one-year demo unit at the revision before 0005, with the earlier checklists and
    V1.2 keys (the demo writes nothing into the one table 0005 adds)."""
    db = Database.connect(f"sqlite:///{tmp_path / 'unit.sqlite3'}")
    migrations.upgrade(db, "0004_people_and_scope")
    monkeypatch.setattr(checklists, "resources_dir", lambda: V1_RESOURCES)
    monkeypatch.setattr(demo, "_EVENTS", [*demo._EVENTS, *V1_2_EVENTS])
    # The models carry the columns later revisions add; the demo writes them, and they
    # are taken away again so the database is as 0004 left it.
    later = [(t, "version INTEGER NOT NULL DEFAULT 1") for t in LATER_VERSIONED] + [
        ("safety_events", "submission_key VARCHAR(32)"),
        ("safety_events", "look_back_huddle_id INTEGER"),
        ("anonymous_outbox", "submission_key VARCHAR(32)"),
        *LOOP_COLUMNS,
    ]
    loop_tables = [Base.metadata.tables[t] for t in LOOP_TABLES]
    with db.write() as s:
        for table, column in later:
            s.execute(text(f"ALTER TABLE {table} ADD COLUMN {column}"))
        Base.metadata.create_all(s.connection(), tables=loop_tables)
    demo.create(db, years=1, seed=11, today=TODAY)
    with db.write() as s:
        s.execute(update(LearnerObservation).values(scale_key="entrustment"))
        Base.metadata.drop_all(s.connection(), tables=loop_tables)
        for table, column in later:
            s.execute(text(f"ALTER TABLE {table} DROP COLUMN {column.split()[0]}"))
    monkeypatch.undo()
    return db, _snapshot(db)


def test_v1_2_categories_move_to_v2_0_and_keep_their_old_key(
    earlier_demo_database: tuple[Database, dict[str, Any]],
) -> None:
    db, before = earlier_demo_database
    assert before["by_category"]["infection"] > 0 and before["by_category"]["surgery"] > 0
    migrations.upgrade(db, "0005_faithful_vocabularies")
    after = _snapshot(db)
    print(f"\nevents by category before: {dict(before['by_category'])}")
    print(f"events by category after:  {dict(after['by_category'])}")
    assert after["events"] == before["events"]
    assert "infection" not in after["by_category"]
    assert after["by_category"]["other"] == (
        before["by_category"]["other"] + before["by_category"]["infection"]
    )
    for kept in ("surgery", "device", "fall", "medication", "blood"):
        assert after["by_category"][kept] == before["by_category"][kept]
    with db.read() as s:
        legacy = Counter(
            dict(
                s.execute(
                    text("SELECT category, count(*) FROM event_category_v1_2 GROUP BY 1")
                ).all()
            )
        )
    assert legacy == Counter(
        {k: before["by_category"][k] for k in ("infection", "surgery", "device")}
    )
    assert after["scale_keys"] == Counter({"o_score": sum(before["scale_keys"].values())})
    db.dispose()


def test_repeat_back_and_check_back_merge_into_one_observation_per_session(
    earlier_demo_database: tuple[Database, dict[str, Any]],
) -> None:
    db, before = earlier_demo_database
    both = [a for a in before["answers"].values() if len(a) == 2]
    assert len(both) > 20, "the demo should answer both behaviours in many sessions"
    expected = {sid: _merged({r for r in a.values() if r}) for sid, a in before["answers"].items()}

    migrations.upgrade(db, "0005_faithful_vocabularies")
    after = _snapshot(db)
    print(
        f"\nresponses {before['responses']} -> {after['responses']}; "
        f"opportunities REPEAT_BACK {before['opportunities']['REPEAT_BACK']} + "
        f"CHECK_BACK {before['opportunities']['CHECK_BACK']} -> "
        f"CHECK_BACK {after['opportunities']['CHECK_BACK']}"
    )
    assert after["sessions"] == before["sessions"]
    assert after["responses"] == before["responses"] - len(both)
    assert all(set(a) == {"CHECK_BACK"} for a in after["answers"].values())
    assert {sid: a["CHECK_BACK"] for sid, a in after["answers"].items()} == expected
    assert after["opportunities"]["CHECK_BACK"] == sum(
        1 for r in expected.values() if r in ("observed", "missed")
    )
    assert after["opportunities"]["CHECK_BACK"] < (
        before["opportunities"]["REPEAT_BACK"] + before["opportunities"]["CHECK_BACK"]
    )
    assert before["obs_naming_repeat_back"] > 0 and after["obs_naming_repeat_back"] == 0
    with db.read() as s:
        for (behaviours,) in s.execute(text("SELECT behaviours FROM learner_observations")):
            assert str(behaviours).count("CHECK_BACK") <= 1

    # Reliability is recomputed from the merged answers: one row, one count per session.
    with db.read() as s:
        unit_id = s.execute(text("SELECT id FROM units")).scalar()
    actor = command_line_actor(int(unit_id), "test", frozenset({"manager"}))
    rel = {
        r.label: r
        for r in checklists.reliability(db, actor, TODAY - dt.timedelta(days=400), TODAY + WEEK)
    }
    check_back = [r for label, r in rel.items() if "check-back" in label.lower()]
    assert len(check_back) == 1
    assert check_back[0].opportunities == after["opportunities"]["CHECK_BACK"]
    assert not any("repeats back" in label.lower() for label in rel)

    # The earlier bundled templates are retired; the new ones arrive as new versions.
    assert after["templates"][("team_performance", 1)] == "retired"
    assert after["templates"][("error_prevention", 1)] == "retired"
    checklists.sync_templates(db, unit_id=int(unit_id))
    offered = {(t.key, t.version): t for t in checklists.templates(db, int(unit_id))}
    assert set(offered) == {("team_performance", 2), ("error_prevention", 2)}
    tpot = checklists.items(db, offered[("team_performance", 2)].id)
    assert len([i for i in tpot if not i.overall]) == 23
    db.dispose()
