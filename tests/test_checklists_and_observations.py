"""HRO behaviour checklists and preceptors' observations, as observers and learners use them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from conftest import Clock, Team
from sqlalchemy import select

from hrohuddle.services import checklists, observations, people
from hrohuddle.services.errors import (
    NotFound,
    PermissionDenied,
    ResourceFileError,
    ValidationError,
)
from hrohuddle.store.models import AuditEntry


def _template(db, key: str) -> checklists.TemplateRow:
    checklists.sync_templates(db)
    return next(t for t in checklists.templates(db, 1) if t.key == key)


def test_bundled_templates_are_seeded_once_with_their_sources(team: Team) -> None:
    assert checklists.sync_templates(team.db) == 2
    assert checklists.sync_templates(team.db) == 0
    ep = _template(team.db, "error_prevention")
    codes = [i.code for i in checklists.items(team.db, ep.id)]
    for needed in (
        "STAR",
        "SBAR",
        "CHECK_BACK",
        "CALL_OUT",
        "HANDOFF",
        "CUS",
        "ARCC",
        "TWO_CHALLENGE",
        "STOP_LINE",
        "PEER_CHECK",
        "QUESTIONING",
    ):
        assert needed in codes
    assert "REPEAT_BACK" not in codes  # TeamSTEPPS: check-back and repeat-back are one tool
    assert all(
        i.hro_principle and i.ipec in ("VE", "RR", "C", "TT")
        for i in checklists.items(team.db, ep.id)
    )
    tpot = _template(team.db, "team_performance")
    domains = {i.domain for i in checklists.items(team.db, tpot.id)}
    assert domains == {
        "Team Structure",
        "Communication",
        "Leadership",
        "Situation Monitoring",
        "Mutual Support",
    }
    tpot_items = checklists.items(team.db, tpot.id)
    assert sum(i.overall for i in tpot_items) == 5
    per_domain = [
        sum(1 for i in tpot_items if i.domain == d and not i.overall)
        for d in (
            "Team Structure",
            "Communication",
            "Leadership",
            "Situation Monitoring",
            "Mutual Support",
        )
    ]
    assert per_domain == [4, 4, 6, 5, 4]  # TPOT's 23 behaviours
    assert any("patients and families as part of the team" in i.text for i in tpot_items)
    assert ep.sources and tpot.sources


def test_a_malformed_template_file_names_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("key: x\nitems:\n  - {code: A, text: 'unclosed\n")
    with pytest.raises(ResourceFileError, match=r"bad.yaml is malformed at line \d"):
        checklists.parse_template(tmp_path / "bad.yaml")
    (tmp_path / "p.yaml").write_text(
        "key: x\nversion: 1\ntitle: t\nresponse_kind: observed\n"
        "items: [{code: A, text: t, hro_principle: luck, ipec: C}]\n"
    )
    with pytest.raises(ResourceFileError, match="luck"):
        checklists.parse_template(tmp_path / "p.yaml")


def test_observer_records_a_session_and_reliability_is_computed(team: Team, clock: Clock) -> None:
    today = clock.today
    db, cn = team.db, team["charge_nurse"]
    ep = _template(db, "error_prevention")
    items = {
        r.code: r
        for r in checklists.session_view(
            db, cn, checklists.start_session(db, cn, ep.id, "huddle")
        ).responses
    }
    first = checklists.open_session(db, cn)
    # Hand-computed: SBAR observed 2 of 3 applicable, STAR 0 of 1, CHECK_BACK n/a only.
    plan = [("SBAR", "observed"), ("STAR", "missed"), ("CHECK_BACK", "na")]
    for code, result in plan:
        checklists.record(db, cn, first, items[code].item_id, result=result)
    checklists.finish(db, cn, first)
    second = checklists.start_session(db, cn, ep.id, "handoff", "Night team")
    checklists.record(db, cn, second, items["SBAR"].item_id, result="observed")
    checklists.record(db, cn, second, items["SBAR"].item_id, result="missed")  # corrected
    checklists.finish(db, cn, second)
    third = checklists.start_session(db, cn, ep.id, "rounds")
    checklists.record(db, cn, third, items["SBAR"].item_id, result="observed")
    checklists.finish(db, cn, third)
    rel = {r.label: r for r in checklists.reliability(db, team["manager"], today, today)}
    sbar = rel[items["SBAR"].text]
    assert (sbar.observed, sbar.opportunities) == (2, 3)
    assert rel[items["STAR"].text].share == 0
    assert items["CHECK_BACK"].text not in rel
    by_principle = {
        r.label: r
        for r in checklists.reliability(db, team["manager"], today, today, by="principle")
    }
    assert by_principle["Deference to expertise"].opportunities == 3


def test_a_low_tpot_rating_needs_its_comment(team: Team) -> None:
    db, cn = team.db, team["charge_nurse"]
    tpot = _template(db, "team_performance")
    session = checklists.start_session(db, cn, tpot.id, "rapid_response")
    item = checklists.session_view(db, cn, session).responses[0]
    with pytest.raises(ValidationError, match="from 1 to 5"):
        checklists.record(db, cn, session, item.item_id, rating=6)
    checklists.record(db, cn, session, item.item_id, rating=2)
    with pytest.raises(ValidationError, match="needs a comment"):
        checklists.finish(db, cn, session)
    checklists.record(db, cn, session, item.item_id, rating=2, note="Roles were unclear")
    checklists.finish(db, cn, session)


def test_versions_in_use_are_kept_and_edits_make_a_new_version(team: Team) -> None:
    db = team.db
    ep = _template(db, "error_prevention")
    session = checklists.start_session(db, team["charge_nurse"], ep.id, "huddle")
    edited = checklists.items(db, ep.id)
    edited[0].text = "Uses STAR (stop, think, act, review) before every high-risk step"
    edited.append(
        checklists.ItemSpec(
            "DEBRIEF",
            "Leads a short debrief",
            "Supporting each other",
            "commitment_to_resilience",
            "TT",
        )
    )
    new_id = checklists.save_version(db, team["manager"], ep.id, edited)
    versions = [t for t in checklists.templates(db, 1) if t.key == "error_prevention"]
    assert [v.version for v in versions] == [3, 2]
    assert checklists.items(db, ep.id)[0].text.startswith("Uses STAR before")  # old unchanged
    assert checklists.session_view(db, team["charge_nurse"], session).template.version == 2
    with pytest.raises(ValidationError, match="cannot be removed"):
        checklists.remove_version(db, team["manager"], ep.id)
    checklists.remove_version(db, team["manager"], new_id)  # unused: may go
    with pytest.raises(PermissionDenied):
        checklists.save_version(db, team["staff"], ep.id, edited)


def _pair(team: Team, today: dt.date) -> int:
    learner = team["learner"]
    with team.db.write() as s:
        from hrohuddle.store.models import Person

        person = s.get(Person, learner.person_id)
        person.start_date = today - dt.timedelta(days=30)
    observations.assign(
        team.db,
        team["manager"],
        team["preceptor"].person_id,
        learner.person_id,
        today - dt.timedelta(days=30),
    )
    checklists.sync_templates(team.db)
    return learner.person_id


def _log(team: Team, learner_id: int, today: dt.date, **changes) -> int:
    args = dict(
        observed_on=today - dt.timedelta(days=1),
        setting="handoff",
        domains=["C"],
        behaviours=["SBAR"],
        rating=3,
        strengths="Clear and calm",
        next_steps="Lead a handoff",
    )
    args.update(changes)
    return observations.log(team.db, team["preceptor"], learner_id, **args)


def test_preceptor_logs_and_learner_acknowledges_with_a_reply(team: Team, clock: Clock) -> None:
    today = clock.today
    learner_id = _pair(team, today)
    obs_id = _log(team, learner_id, today)
    observations.acknowledge(team.db, team["learner"], obs_id, "Thanks, will do")
    (row,) = observations.observations(team.db, team["preceptor"], learner_id)
    assert row.acknowledged_at is not None and row.learner_reply == "Thanks, will do"
    with pytest.raises(PermissionDenied):
        observations.acknowledge(team.db, team["preceptor"], obs_id)


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"rating": 9}, "on the scale"),
        ({"observed_on": dt.timedelta(days=-90)}, "dated before"),
        ({"observed_on": dt.timedelta(days=2)}, "future"),
        ({"domains": []}, "competency domain"),
        ({"behaviours": ["JUGGLING"]}, "not a behaviour"),
        ({"strengths": "Handled Mrs Jones well"}, "identify a patient"),
    ],
)
def test_bad_observations_are_explained(team: Team, clock: Clock, changes, words) -> None:
    learner_id = _pair(team, clock.today)
    if "observed_on" in changes:  # days from today
        changes = {**changes, "observed_on": clock.today + changes["observed_on"]}
    with pytest.raises(ValidationError, match=words):
        _log(team, learner_id, clock.today, **changes)


def test_a_preceptor_cannot_observe_themselves_or_an_unassigned_learner(
    team: Team, clock: Clock
) -> None:
    today = clock.today
    learner_id = _pair(team, today)
    with pytest.raises(ValidationError, match="yourself"):
        _log(team, team["preceptor"].person_id, today)
    other = people.save_person(
        team.db,
        team.admin,
        people.PersonInput("Otto Other", "nursing", ["learner"], is_learner=True, pin="5827"),
    )
    with pytest.raises(PermissionDenied, match="not Otto Other's preceptor"):
        _log(team, other, today)
    assert learner_id


def test_visibility_for_every_role(team: Team, clock: Clock) -> None:
    today = clock.today
    learner_id = _pair(team, today)
    _log(team, learner_id, today)
    allowed = {
        "learner": True,
        "preceptor": True,
        "manager": True,
        "staff": False,
        "charge_nurse": False,
        "admin": False,
    }
    for role, may in allowed.items():
        if may:
            assert len(observations.observations(team.db, team[role], learner_id)) == 1
        else:
            with pytest.raises(PermissionDenied):
                observations.observations(team.db, team[role], learner_id)
    with team.db.read() as s:
        viewed = s.scalars(
            select(AuditEntry.action).where(AuditEntry.action == "observation.viewed")
        ).all()
    assert len(viewed) == 2  # preceptor and manager; the learner reading their own is not


def test_progress_shows_domains_trend_and_never_observed(team: Team, clock: Clock) -> None:
    today = clock.today
    learner_id = _pair(team, today)
    for days, rating, behaviours in (
        (20, 2, ["SBAR"]),
        (12, 3, ["SBAR", "CUS"]),
        (5, 4, ["STAR"]),
        (1, 4, ["CUS"]),
    ):
        _log(
            team,
            learner_id,
            today,
            observed_on=today - dt.timedelta(days=days),
            rating=rating,
            behaviours=behaviours,
            domains=["C", "TT"] if days > 10 else ["VE"],
        )
    p = observations.progress(team.db, team["manager"], learner_id)
    assert p.count == 4 and p.latest == 4 and p.trend == "rising"
    assert p.by_domain == {"C": 2, "TT": 2, "VE": 2}
    assert "Peer checks or cross-monitors a colleague's work" in p.never_observed
    assert all("SBAR" not in n for n in p.never_observed if n.startswith("Structures"))


def test_each_unit_manages_its_own_checklists(team: Team) -> None:
    db = team.db
    other = people.create_unit(
        db,
        code="ICU",
        name="Intensive Care",
        admin=people.PersonInput("Oz Other", "nursing", ["admin", "manager"], pin="5827"),
    )
    checklists.sync_templates(db)
    mine = checklists.templates(db, team.admin.unit_id)
    theirs = checklists.templates(db, other.unit_id)
    assert {t.key for t in mine} == {t.key for t in theirs}
    assert not {t.id for t in mine} & {t.id for t in theirs}
    # Another unit's manager can neither retire nor edit this unit's checklist.
    with pytest.raises(NotFound):
        checklists.retire_version(db, other, mine[0].id)
    with pytest.raises(NotFound):
        checklists.start_session(db, team["staff"], theirs[0].id, "huddle")
    checklists.retire_version(db, other, theirs[0].id)
    assert all(t.status == "active" for t in checklists.templates(db, team.admin.unit_id))


def test_a_learner_sees_only_their_own_checklist_sessions(team: Team) -> None:
    db = team.db
    ep = _template(db, "error_prevention")
    sid = checklists.start_session(db, team["staff"], ep.id, "huddle", "Night team")
    assert checklists.session_view(db, team["staff"], sid).observed == "Night team"
    assert checklists.session_view(db, team["manager"], sid).id == sid
    with pytest.raises(PermissionDenied, match="only the observations you recorded"):
        checklists.session_view(db, team["learner"], sid)
