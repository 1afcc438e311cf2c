"""Shared lessons between units on the hospital's shared server: a unit's reviewers share
what they learned with the department or the hospital, in their own words and naming no
one; other units read it, adopt it once and raise it at their own huddle."""

from __future__ import annotations

import dataclasses
import threading

import pytest
from conftest import PINS, Team
from sqlalchemy import select
from test_bulletin import report

from hrohuddle.services import events, huddles, lessons, people, signin, tiers
from hrohuddle.services.errors import (
    IdentifierWarning,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from hrohuddle.services.permissions import ROLES, Actor, command_line_actor
from hrohuddle.store.database import Database
from hrohuddle.store.models import AuditEntry, LessonAdoption, ReportStep, SharedLesson, Tier

IT = command_line_actor(0, "command line (it)", frozenset({"manager", "admin"}))


@dataclasses.dataclass
class Hospital:
    """Unit 4W (the team) and 5E in Medicine, 6S in Surgery, all in one hospital."""

    team: Team
    db: Database
    med: int
    surg: int
    hosp: int
    east: dict[str, Actor]
    south: dict[str, Actor]


def _unit(db: Database, code: str, name: str, prefix: str) -> dict[str, Actor]:
    admin = people.create_unit(
        db,
        code=code,
        name=name,
        admin=people.PersonInput(f"{prefix} Admin", "nursing", ["admin"], pin="2580"),
    )
    out = {"admin": admin}
    for role in ("manager", "charge_nurse", "staff", "learner"):
        pid = people.save_person(
            db,
            admin,
            people.PersonInput(
                f"{prefix} {role.title().replace('_', '')}",
                "nursing",
                [role],
                is_learner=role == "learner",
                pin=PINS[role],
            ),
        )
        out[role] = signin.sign_in(db, pid, PINS[role])
    return out


@pytest.fixture
def hospital(pg_team: Team) -> Hospital:
    db = pg_team.db
    tiers.create_tier(db, IT, code="HOSP", name="St Elsewhere", level=3)
    tiers.create_tier(db, IT, code="MED", name="Medicine", level=2, parent_code="HOSP")
    tiers.create_tier(db, IT, code="SURG", name="Surgery", level=2, parent_code="HOSP")
    east = _unit(db, "5E", "Ward 5 East", "Ezra")
    south = _unit(db, "6S", "Ward 6 South", "Sana")
    tiers.place_unit(db, IT, "4W", "MED")
    tiers.place_unit(db, IT, "5E", "MED")
    tiers.place_unit(db, IT, "6S", "SURG")
    with db.read() as s:
        ids = {t.code: t.id for t in s.scalars(select(Tier))}
    return Hospital(pg_team, db, ids["MED"], ids["SURG"], ids["HOSP"], east, south)


def _closed(db: Database, cn: Actor, event_id: int, summary: str) -> None:
    events.triage(db, cn, event_id, status="closed", summary=summary)


def _share(h: Hospital, who: Actor, tier_id: int, title: str = "Check pump lines") -> int:
    return lessons.share(
        h.db, who, tier_id=tier_id, kind="change", title=title, text="Trace every line."
    )


@pytest.mark.postgres
def test_a_closed_report_is_shared_in_the_reviewers_words_without_its_reporter(
    hospital: Hospital,
) -> None:
    h, team = hospital, hospital.team
    cn = team["charge_nurse"]
    catch = report(
        h.db, team["learner"], "good_catch", "Lee saw the Quinzel pump rate was tenfold", named=True
    )
    _closed(h.db, cn, catch, "A tenfold pump rate caught at the second check")
    draft = lessons.draft_from_report(h.db, cn, catch)
    assert draft.kind == "good_catch"
    assert draft.text == "A tenfold pump rate caught at the second check"
    assert "Quinzel" not in draft.title + draft.text
    lesson = lessons.share(
        h.db,
        cn,
        tier_id=h.med,
        kind=draft.kind,
        title=draft.title,
        text=draft.text + " Second checks read the rate aloud.",
        event_id=catch,
    )
    seen = {r.id: r for r in lessons.feed(h.db, h.east["staff"])}
    row = seen[lesson]
    assert (row.unit_name, row.tier_name, row.kind_words) == (
        "Ward 4 West",
        "Medicine",
        "Good catch",
    )
    assert row.text.endswith("Second checks read the rate aloud.")
    assert "Lee Learner" not in repr(row) and "Quinzel" not in repr(row)
    # Its reporter reads in the journey that it became a shared lesson, without their name.
    with h.db.read() as s:
        steps = s.scalars(
            select(ReportStep.sentence).where(
                ReportStep.event_id == catch, ReportStep.step == "shared"
            )
        ).all()
    assert steps == [lessons.SHARED_SENTENCE.format(tier="Medicine")]


@pytest.mark.postgres
def test_a_report_still_open_without_a_summary_is_not_shared(hospital: Hospital) -> None:
    h, cn = hospital, hospital.team["charge_nurse"]
    open_one = report(h.db, h.team["staff"], "near_miss", "Pump line crossed at bay 4")
    with pytest.raises(ValidationError, match="closed or has a reviewer's summary"):
        lessons.draft_from_report(h.db, cn, open_one)
    with pytest.raises(ValidationError, match="closed or has a reviewer's summary"):
        lessons.share(
            h.db, cn, tier_id=h.med, kind="summary", title="t", text="x", event_id=open_one
        )
    other_units = report(h.db, h.east["staff"], "near_miss", "Elsewhere")
    with pytest.raises(NotFound):
        lessons.draft_from_report(h.db, cn, other_units)


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("MRN 1234567 given the wrong dose", "MRN 1234567"),
        ("Jane Doe in bed 4 was given a double dose", "Jane Doe"),
        ("Ezra Staff spotted the pump rate", "Ezra Staff"),  # a colleague on a reading unit
        ("Sol Staff spotted the pump rate", "Sol Staff"),  # a colleague on the sharing unit
    ],
    ids=["record number", "patient name", "reading unit's colleague", "own colleague"],
)
def test_identifiers_and_names_are_refused_saying_what_to_remove(
    hospital: Hospital, text: str, named: str
) -> None:
    h, cn = hospital, hospital.team["charge_nurse"]
    with pytest.raises(IdentifierWarning) as refused:
        lessons.share(h.db, cn, tier_id=h.med, kind="change", title="Pump rates", text=text)
    assert f"“{named}”" in refused.value.message
    assert "remove" in refused.value.message
    with pytest.raises(IdentifierWarning, match="title"):
        lessons.share(h.db, cn, tier_id=h.med, kind="change", title=text, text="Fine words.")
    with h.db.read() as s:
        assert s.scalar(select(SharedLesson.id)) is None


@pytest.mark.postgres
def test_a_department_lesson_stays_in_its_department_and_a_hospital_lesson_reaches_all(
    hospital: Hospital,
) -> None:
    h, cn = hospital, hospital.team["charge_nurse"]
    department = _share(h, cn, h.med, "For Medicine")
    everyone = _share(h, cn, h.hosp, "For the hospital")

    def ids(who: Actor) -> list[int]:
        return [r.id for r in lessons.feed(h.db, who)]

    assert ids(h.east["learner"]) == [everyone, department]  # newest first
    assert ids(h.south["learner"]) == [everyone]
    assert ids(h.team["learner"]) == [everyone, department]  # the unit's own
    assert all(r.ours for r in lessons.feed(h.db, cn))
    with pytest.raises(NotFound):
        lessons.adopt(h.db, h.south["manager"], department)
    with pytest.raises(NotFound):
        lessons.raise_at_huddle(h.db, h.south["staff"], department)
    with pytest.raises(ValidationError, match="department or the hospital"):
        lessons.share(h.db, h.east["manager"], tier_id=h.surg, kind="change", title="t", text="x")


@pytest.mark.postgres
def test_a_tier_leader_reads_the_lessons_of_the_tiers_they_lead(hospital: Hospital) -> None:
    h = hospital
    department = _share(h, h.team["manager"], h.med, "For Medicine")
    lead = h.south["manager"]  # works on 6S, in Surgery
    assert department not in [r.id for r in lessons.feed(h.db, lead)]
    tiers.grant_role(h.db, IT, "MED", lead.person_id, "department_lead")
    assert department in [r.id for r in lessons.feed(h.db, lead)]
    tiers.revoke_role(h.db, IT, "MED", lead.person_id)
    tiers.grant_role(h.db, IT, "HOSP", lead.person_id, "executive_on_call")
    assert department in [r.id for r in lessons.feed(h.db, lead)]  # every tier below


@pytest.mark.postgres
def test_the_same_report_is_shared_once_with_each_tier(hospital: Hospital) -> None:
    h, cn = hospital, hospital.team["charge_nurse"]
    event = report(h.db, h.team["staff"], "near_miss", "Pump line crossed at bay 4")
    _closed(h.db, cn, event, "Two pump lines crossed")

    def share(tier_id: int) -> int:
        return lessons.share(
            h.db, cn, tier_id=tier_id, kind="summary", title="Lines", text="Trace.", event_id=event
        )

    first = share(h.med)
    with pytest.raises(ValidationError, match="already shared with Medicine"):
        share(h.med)
    share(h.hosp)  # the hospital is another tier
    lessons.withdraw(h.db, h.team["manager"], first)
    share(h.med)  # withdrawn, it may be shared again
    # One "shared" step for the reporter that day, however often it was shared.
    with h.db.read() as s:
        steps = s.scalars(
            select(ReportStep.id).where(ReportStep.event_id == event, ReportStep.step == "shared")
        ).all()
    assert len(steps) == 1


@pytest.mark.postgres
def test_a_unit_adopts_a_lesson_once_and_the_feed_counts_the_units(hospital: Hospital) -> None:
    h = hospital
    lesson = _share(h, h.team["charge_nurse"], h.hosp)
    lessons.adopt(h.db, h.east["charge_nurse"], lesson)
    with pytest.raises(ValidationError, match="already adopted"):
        lessons.adopt(h.db, h.east["manager"], lesson)
    lessons.adopt(h.db, h.south["manager"], lesson)
    with pytest.raises(ValidationError, match="own lesson"):
        lessons.adopt(h.db, h.team["manager"], lesson)
    east = next(r for r in lessons.feed(h.db, h.east["learner"]) if r.id == lesson)
    assert (east.adopted, east.adopted_by_us) == (2, True)
    ours = next(r for r in lessons.feed(h.db, h.team["staff"]) if r.id == lesson)
    assert (ours.adopted, ours.adopted_by_us, ours.ours) == (2, False, True)


@pytest.mark.postgres
def test_two_workstations_of_one_unit_adopting_at_once_count_once(hospital: Hospital) -> None:
    h = hospital
    lesson = _share(h, h.team["charge_nurse"], h.hosp)
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def press(who: Actor) -> None:
        start.wait()
        try:
            lessons.adopt(h.db, who, lesson)
            outcomes.append("adopted")
        except ValidationError as exc:
            outcomes.append(exc.message)

    pair = [threading.Thread(target=press, args=(h.east[r],)) for r in REVIEWERS]
    for t in pair:
        t.start()
    for t in pair:
        t.join()
    assert sorted(o[:20] for o in outcomes) == ["Your unit already ad", "adopted"]
    with h.db.read() as s:
        assert len(s.scalars(select(LessonAdoption.unit_id)).all()) == 1


@pytest.mark.postgres
def test_raising_a_lesson_makes_it_the_open_huddles_teaching_point(hospital: Hospital) -> None:
    h = hospital
    lesson = _share(h, h.team["charge_nurse"], h.med, "Check pump lines")
    learner = h.east["learner"]
    with pytest.raises(ValidationError, match="No huddle is open"):
        lessons.raise_at_huddle(h.db, learner, lesson)
    huddle = huddles.start_or_resume(h.db, h.east["charge_nurse"]).id
    item = lessons.raise_at_huddle(h.db, learner, lesson)
    assert item.text == "Lesson from Ward 4 West: Check pump lines. Trace every line."
    board = huddles.board(h.db, learner, huddle)
    assert [i.text for i in board.items["teach"]] == [item.text]
    with pytest.raises(ValidationError, match="already has its teaching point"):
        lessons.raise_at_huddle(h.db, h.east["staff"], lesson)


@pytest.mark.postgres
def test_a_withdrawn_lesson_leaves_the_feed_and_only_its_unit_withdraws_it(
    hospital: Hospital,
) -> None:
    h = hospital
    lesson = _share(h, h.team["charge_nurse"], h.med)
    with pytest.raises(PermissionDenied):
        lessons.withdraw(h.db, h.east["manager"], lesson)
    lessons.withdraw(h.db, h.team["manager"], lesson)
    assert lessons.feed(h.db, h.east["staff"]) == []
    with pytest.raises(NotFound):
        lessons.adopt(h.db, h.east["manager"], lesson)
    with pytest.raises(NotFound):
        lessons.withdraw(h.db, h.team["manager"], lesson)


#: Who may do what with lessons, by unit role.
REVIEWERS = {"charge_nurse", "manager"}


@pytest.mark.postgres
@pytest.mark.parametrize("role", ROLES)
def test_the_role_matrix_for_every_lesson_function(hospital: Hospital, role: str) -> None:
    h = hospital
    who = h.team[role]
    theirs = _share(h, h.east["manager"], h.med, "From 5E")
    event = report(h.db, h.team["staff"], "near_miss", "Pump line crossed at bay 4")
    _closed(h.db, h.team["manager"], event, "Two pump lines crossed")
    may_review = role in REVIEWERS

    def outcome(call: object) -> str:
        try:
            call()  # type: ignore[operator]
        except PermissionDenied:
            return "refused"
        return "done"

    expected = "done" if may_review else "refused"
    assert outcome(lambda: lessons.draft_from_report(h.db, who, event)) == expected
    assert outcome(lambda: _share(h, who, h.med, "Ours")) == expected
    assert outcome(lambda: lessons.adopt(h.db, who, theirs)) == expected
    own = _share(h, h.team["manager"], h.hosp, "Ours to withdraw")
    assert outcome(lambda: lessons.withdraw(h.db, who, own)) == expected
    # Everyone on the unit reads the feed and may give the huddle its teaching point.
    assert outcome(lambda: lessons.feed(h.db, who)) == "done"
    assert outcome(lambda: lessons.share_targets(h.db, who)) == "done"
    huddles.start_or_resume(h.db, h.team["charge_nurse"])
    assert outcome(lambda: lessons.raise_at_huddle(h.db, who, theirs)) == "done"
    with h.db.read() as s:
        refusals = s.scalar(
            select(AuditEntry.id).where(
                AuditEntry.action == "permission.refused",
                AuditEntry.actor_id == who.person_id,
            )
        )
    assert (refusals is not None) == (not may_review)


@pytest.mark.postgres
def test_nothing_the_feed_or_the_table_holds_names_a_reporter_or_quotes_a_narrative(
    hospital: Hospital,
) -> None:
    """Every report of three units is shared from its draft, as the reviewers would;
    then everything the feed hands any reader, and every stored column of the lessons,
    is searched for every reporter's name and every narrative."""
    h = hospital
    units = [
        (h.team.by_role, h.team["charge_nurse"]),
        (h.east, h.east["charge_nurse"]),
        (h.south, h.south["charge_nurse"]),
    ]
    narratives: list[str] = []
    names: set[str] = set()
    shared = 0
    for n, (staff, cn) in enumerate(units):
        for m, (role, kind, anonymous) in enumerate(
            [
                ("learner", "good_catch", False),
                ("staff", "near_miss", True),
                ("manager", "unsafe_condition", False),
            ]
        ):
            who = staff[role]
            narrative = f"Narrative Zq{n}{m}x: the syringe driver alarm was silenced twice"
            event = report(h.db, who, kind, narrative, anonymous=anonymous, named=not anonymous)
            narratives.append(narrative)
            names.add(who.display_name)
            _closed(h.db, cn, event, f"Summary {n}{m}: alarms silenced without a check")
            draft = lessons.draft_from_report(h.db, cn, event)
            for tier_id in ([h.med] if n < 2 else [h.surg]) + [h.hosp]:
                lessons.share(
                    h.db,
                    cn,
                    tier_id=tier_id,
                    kind=draft.kind,
                    title=draft.title,
                    text=draft.text,
                    event_id=event,
                )
                shared += 1
    readers = [a for staff, _cn in units for a in staff.values()] + [IT]
    seen = [repr(r) for who in readers for r in lessons.feed(h.db, who)]
    with h.db.read() as s:
        stored = [repr(tuple(row)) for row in s.execute(select(SharedLesson.__table__)).all()]
        stored += [repr(tuple(row)) for row in s.execute(select(LessonAdoption.__table__)).all()]
        audited = [
            repr((e.action, e.target, e.detail))
            for e in s.scalars(select(AuditEntry).where(AuditEntry.action.like("lesson.%")))
        ]
    haystack = "\n".join(seen + stored + audited)
    assert len(stored) == shared and seen
    for name in names:
        assert name not in haystack
    for narrative in narratives:
        assert narrative not in haystack
        marker = narrative.split()[1].rstrip(":")
        assert marker not in haystack
    assert "Summary 00" in haystack  # the search does look at what was shared


def test_a_unit_on_its_own_file_says_plainly_that_lessons_need_the_shared_server(
    sqlite_team: Team,
) -> None:
    db, cn = sqlite_team.db, sqlite_team["charge_nurse"]
    for call in (
        lambda: lessons.feed(db, cn),
        lambda: lessons.share_targets(db, cn),
        lambda: lessons.share(db, cn, tier_id=1, kind="change", title="t", text="x"),
        lambda: lessons.adopt(db, cn, 1),
        lambda: lessons.withdraw(db, cn, 1),
        lambda: lessons.raise_at_huddle(db, cn, 1),
        lambda: lessons.draft_from_report(db, cn, 1),
    ):
        with pytest.raises(tiers.NeedsSharedServer, match="shared server"):
            call()


@pytest.mark.postgres
@pytest.mark.parametrize(
    "text",
    [
        "The only student nurse on last night's shift made the anonymous report about the "
        "interpreter",
        "Reported by the bank HCA on nights: book the interpreter before handover",
        "The student who reported it works nights",
        "Whoever filed the datix was new to the ward",
    ],
)
def test_a_lesson_that_says_who_reported_never_leaves_the_unit(
    hospital: Hospital, text: str
) -> None:
    h, cn = hospital, hospital.team["charge_nurse"]
    with pytest.raises(IdentifierWarning) as refused:
        lessons.share(h.db, cn, tier_id=h.hosp, kind="change", title="Interpreters", text=text)
    assert "Leave out who reported: what leaves the unit never says who made a report." in (
        refused.value.message
    )
    with pytest.raises(IdentifierWarning, match="Leave out who reported"):
        lessons.share(h.db, cn, tier_id=h.med, kind="change", title=text, text="Book early.")
    with h.db.read() as s:
        assert s.scalar(select(SharedLesson.id)) is None
    # Advice about reporting is a lesson like any other.
    lessons.share(
        h.db,
        cn,
        tier_id=h.med,
        kind="change",
        title="Report it early",
        text="Staff can report anonymously; tell the reporter what changed within 7 days.",
    )


@pytest.mark.postgres
@pytest.mark.parametrize(
    "text,named",
    [
        ("Thanks to Aisha for booking the interpreter", "Aisha"),
        ("Lena spotted it at the second check", "Lena"),
        ("Nurse Okafor rang the interpreter line", "Nurse Okafor"),
        ("Dr Bello changed the prescription", "Dr Bello"),
    ],
)
def test_a_first_name_or_a_titled_surname_of_a_colleague_never_leaves_the_unit(
    hospital: Hospital, text: str, named: str
) -> None:
    """Lena Okafor works on the sharing unit, Aisha Evans on a reading one; Dr Bello on
    neither (a title and a surname are refused whoever they name)."""
    h, cn = hospital, hospital.team["charge_nurse"]
    people.save_person(
        h.db, h.team["admin"], people.PersonInput("Lena Okafor", "nursing", ["staff"], pin="8642")
    )
    people.save_person(
        h.db, h.east["admin"], people.PersonInput("Aisha Evans", "nursing", ["staff"], pin="8642")
    )
    with pytest.raises(IdentifierWarning) as refused:
        lessons.share(h.db, cn, tier_id=h.med, kind="good_catch", title="Catch", text=text)
    message = refused.value.message
    assert f"“{named}”" in message and "a person" in message and "patient" not in message
    with h.db.read() as s:
        assert s.scalar(select(SharedLesson.id)) is None
