"""Onboarding pulses: scored as published, shown only for groups large enough, unlinkable."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from conftest import Team
from sqlalchemy import inspect, select, text

from hrohuddle.analytics import scoring, suppression
from hrohuddle.services import anonymity, people, pulses, signin
from hrohuddle.services.errors import PermissionDenied, ResourceFileError, ValidationError
from hrohuddle.store.models import AnonymousOutbox, PulseInvitation, PulseResponse

E = [scoring.ScaleItem(f"E{i}", i in (1, 3, 5)) for i in range(1, 8)]


def test_scale_score_reverses_items_one_three_and_five() -> None:
    # Answers 2,6,1,5,3,6,7 -> scored 6,6,7,5,5,6,7 -> mean 42/7 = 6.0
    answers = {"E1": 2, "E2": 6, "E3": 1, "E4": 5, "E5": 3, "E6": 6, "E7": 7}
    assert scoring.scale_score(answers, E, points=7) == pytest.approx(6.0)
    # All 4s stay 4 whichever way they are scored.
    assert scoring.scale_score({f"E{i}": 4 for i in range(1, 8)}, E, points=7) == 4.0
    # Agreeing strongly with everything: reversed items pull the mean to (4*7 + 3*1)/7.
    assert scoring.scale_score({f"E{i}": 7 for i in range(1, 8)}, E, points=7) == pytest.approx(
        31 / 7
    )


def test_a_partial_answer_is_not_scored() -> None:
    assert scoring.scale_score({"E1": 2, "E2": 6}, E, points=7) is None
    with pytest.raises(ValueError):
        scoring.item_value(8, reverse=False, points=7)


def test_the_instrument_matches_the_published_scale() -> None:
    inst = pulses.instrument()
    assert inst.points == 7 and len(inst.scale_items) == 7
    assert [s.code for s in inst.scale_specs if s.reverse] == ["E1", "E3", "E5"]
    assert "Edmondson" in inst.source


def test_a_malformed_instrument_file_names_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "broken.yaml"
    bad.write_text("key: x\nitems: [\n  {code: E1\n")
    with pytest.raises(ResourceFileError, match=r"broken.yaml is malformed at line \d"):
        pulses.parse_instrument(bad)
    missing = tmp_path / "missing.yaml"
    missing.write_text(
        "key: x\nversion: 1\ntitle: t\nscale: {points: 7, labels: {1: a}, "
        "favourable_from: 5}\nitems: [{code: E1, text: t}]\nscale_items: [E1, E9]\n"
    )
    with pytest.raises(ResourceFileError, match="E9"):
        pulses.parse_instrument(missing)


@pytest.mark.parametrize(
    ("counts", "minimum", "hidden"),
    [
        ({"a": 10, "b": 12, "c": 9}, 5, set()),
        ({"a": 10, "b": 12, "c": 2}, 5, {"c", "a"}),  # c alone could be total - a - b
        ({"a": 3, "b": 3, "c": 20}, 5, {"a", "b"}),  # hidden together hold 6 >= 5
        ({"a": 4, "b": 30}, 5, {"a", "b"}),
        ({"a": 3, "b": 8}, 3, set()),
    ],
)
def test_suppression_hides_small_groups_and_their_complements(counts, minimum, hidden) -> None:
    assert suppression.hidden_groups(counts, minimum) == hidden


def test_no_hidden_group_can_be_recovered_by_subtraction() -> None:
    import itertools
    import random

    rng = random.Random(3)
    for _ in range(500):
        counts = {f"g{i}": rng.randint(1, 12) for i in range(rng.randint(1, 6))}
        hidden = suppression.hidden_groups(counts, 5)
        if suppression.total_shown(counts, 5) and hidden:
            # What an attacker can compute: the total minus every shown group.
            assert sum(counts[g] for g in hidden) >= 5
        for g in hidden:
            assert not (counts[g] >= 5 and len(hidden) == 1)
        for r in range(1, len(hidden)):
            for subset in itertools.combinations(sorted(hidden), r):
                # A strict subset of hidden groups is never itself derivable from shown figures.
                assert set(subset) != hidden
    with pytest.raises(ValueError):
        suppression.hidden_groups({"a": 1}, 2)


def _newcomer(team: Team, name: str, start: dt.date, profession: str = "nursing") -> people.Actor:
    pid = people.save_person(
        team.db,
        team.admin,
        people.PersonInput(name, profession, ["staff"], start_date=start, pin="5827"),
    )
    return signin.sign_in(team.db, pid, "5827")


def test_invitations_follow_the_start_date_and_can_be_postponed(team: Team) -> None:
    start = dt.date(2026, 10, 1)
    me = _newcomer(team, "Nina New", start)
    due = pulses.due_pulse(team.db, me, today=start + dt.timedelta(days=8))
    assert due is not None and due.milestone_day == 7
    pulses.postpone(team.db, me, due.invitation_id, today=start + dt.timedelta(days=8))
    assert pulses.due_pulse(team.db, me, today=start + dt.timedelta(days=8)) is None
    again = pulses.due_pulse(team.db, me, today=start + dt.timedelta(days=9))
    assert again is not None and again.invitation_id == due.invitation_id
    assert pulses.due_pulse(team.db, team["staff"]) is None  # no start date, no invitations


def test_answers_are_checked(team: Team) -> None:
    me = _newcomer(team, "Nina New", dt.date(2026, 10, 1))
    due = pulses.due_pulse(team.db, me, today=dt.date(2026, 10, 9))
    with pytest.raises(ValidationError, match="from 1 to 7"):
        pulses.submit(team.db, me, due.invitation_id, {"E1": 9})
    with pytest.raises(ValidationError, match="name someone"):
        pulses.submit(team.db, me, due.invitation_id, {"E1": 3}, "sol STAFF was unkind at handover")
    with pytest.raises(ValidationError, match="identify a patient"):
        pulses.submit(team.db, me, due.invitation_id, {"E1": 3}, "Mrs Smith was lovely")
    pulses.submit(team.db, me, due.invitation_id, {"E1": 3, "E2": 6}, "Felt welcome")
    with pytest.raises(ValidationError, match="already been answered"):
        pulses.submit(team.db, me, due.invitation_id, {"E1": 3})


def test_results_wait_for_the_quarter_to_close_and_hide_small_groups(team: Team) -> None:
    start = dt.date(2026, 7, 1)
    day = start + dt.timedelta(days=8)
    full = {i.code: 6 for i in pulses.instrument().items} | {"E1": 2, "E3": 2, "E5": 2}
    partial = {k: v for k, v in full.items() if k != "O3"}
    # The first four are sent while fewer than five people have answered: they keep no
    # quarter (services.anonymity.kept_milestones) and are never shown.
    first = [_newcomer(team, f"Early {n}C", start) for n in range(4)]
    nurses = [_newcomer(team, f"Nurse {n}A", start) for n in range(6)]
    doctors = [_newcomer(team, f"Doctor {n}B", start, "medicine") for n in range(2)]
    everyone = [*[(a, full) for a in first + nurses], *[(a, partial) for a in doctors]]
    for me, answers in everyone:
        due = pulses.due_pulse(team.db, me, today=day)
        pulses.submit(team.db, me, due.invitation_id, answers, today=day)
    anonymity.release_due(team.db, local_now=dt.datetime.combine(day, dt.time(12)), force=True)
    mgr = team["manager"]
    still_open = pulses.results(team.db, mgr, today=dt.date(2026, 9, 30))
    assert still_open.periods == [] and "published on Thu 1 Oct 2026" in still_open.notes[0]
    res = pulses.results(team.db, mgr, today=dt.date(2026, 10, 1))
    (q3,) = res.periods
    assert q3.period == "2026-Q3" and (q3.first_day, q3.last_day) == (start, dt.date(2026, 9, 30))
    (day7,) = q3.groups
    assert day7.label == "Day 7" and not day7.hidden and (day7.n, day7.complete) == (8, 6)
    assert day7.scale_mean == pytest.approx(6.0) and day7.favourable_n == 42
    assert q3.total.n == 8 and q3.total.scale_mean == pytest.approx(6.0)
    assert any("2 partial answers are counted" in n for n in q3.notes)
    for role in ("learner", "staff", "preceptor", "charge_nurse", "admin"):
        with pytest.raises(PermissionDenied):
            pulses.results(team.db, team[role])


def test_a_pulse_answer_cannot_be_joined_to_the_person(team: Team) -> None:
    me = _newcomer(team, "Nina New", dt.date(2026, 10, 1))
    due = pulses.due_pulse(team.db, me, today=dt.date(2026, 10, 9))
    pulses.submit(
        team.db,
        me,
        due.invitation_id,
        {"E1": 1, "E2": 7},
        "Quiet but kind team",
        today=dt.date(2026, 10, 9),
    )
    with team.db.read() as s:
        # Stored at once: a waiting answer, beside the invitation marked done, would
        # name its sender.
        assert s.scalars(select(AnonymousOutbox)).all() == []
    anonymity.release_due(team.db, local_now=dt.datetime(2026, 10, 10, 8), force=True)
    with team.db.read() as s:
        response = s.scalars(select(PulseResponse)).one()
        invitation = s.get(PulseInvitation, due.invitation_id)
        columns = {c["name"] for c in inspect(team.db.engine).get_columns("pulse_responses")}
        inv_columns = {c["name"] for c in inspect(team.db.engine).get_columns("pulse_invitations")}
        audit_text = " ".join(str(r) for r in s.execute(text("SELECT * FROM audit_log")).all())
        drafts_text = " ".join(str(r) for r in s.execute(text("SELECT * FROM drafts")).all())
        assert s.scalars(select(AnonymousOutbox)).all() == []
    assert not {c for c in columns if "person" in c or "invitation" in c}
    assert not {"week_start", "cohort", "profession_group"} & columns
    assert inv_columns == {
        "id",
        "person_id",
        "milestone_day",
        "due_on",
        "status",
        "postponed_until",
    }
    assert len(response.id) == 32 and not response.id.isdigit()
    # One person has answered in the quarter: neither the milestone nor the quarter is kept.
    assert response.milestone_day is None and response.period is None
    assert invitation.status == "done" and invitation.postponed_until is None
    assert "Quiet but kind" not in audit_text and "Quiet but kind" not in drafts_text
    assert "pulse" not in audit_text
