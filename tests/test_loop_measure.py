"""The measure of the loop, checked against figures worked out by hand on a small unit.

Weeks 45 and 46 of 2026 (Mon 2 Nov to Sun 15 Nov). Each report is written down with the
day it was made, the day its reporter first heard back, and what its conversation holds.
"""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from conftest import Team
from sqlalchemy import update

from hrohuddle.services import loop_measure, people, reporting
from hrohuddle.services.reporting import Week
from hrohuddle.store.models import Person, ReportMessage, SafetyEvent, Unit

W44, W45, W46 = Week(2026, 44), Week(2026, 45), Week(2026, 46)
D = dt.date


def _report(
    team: Team,
    reported_on: dt.date,
    first_feedback_on: dt.date | None = None,
    *,
    anonymous: bool = False,
    learner: bool = False,
    merged_into: int | None = None,
    messages: tuple[tuple[str, str, dt.date], ...] = (),
) -> int:
    """One report as the services leave it; ``messages`` are (sender, kind, day) in order."""
    reporter = team["learner" if learner else "staff"]
    with team.db.write() as s:
        event = SafetyEvent(
            unit_id=reporter.unit_id,
            kind="near_miss",
            category="medication",
            narrative="Pump line swapped, caught before it ran",
            occurred_at=dt.datetime.combine(reported_on, dt.time(10)),
            shift="day",
            anonymous=anonymous,
            reporter_id=None if anonymous else reporter.person_id,
            reporter_is_learner=None if anonymous else learner,
            reported_on=reported_on,
            first_feedback_on=first_feedback_on,
            merged_into_id=merged_into,
        )
        s.add(event)
        s.flush()
        for position, (sender, kind, day) in enumerate(messages, start=1):
            s.add(
                ReportMessage(
                    id=uuid.uuid4().hex,
                    event_id=event.id,
                    position=position,
                    sender=sender,
                    kind=kind,
                    text="Which pump was it?" if kind == "question" else "The one in bay 3.",
                    sent_at=dt.datetime.combine(day, dt.time(12)),
                )
            )
        return event.id


def _two_weeks(team: Team) -> None:
    """Weeks 45 and 46, as worked out in each test below."""
    with team.db.write() as s:
        s.execute(update(Unit).values(created_at=dt.datetime(2026, 1, 1), feedback_target_pct=80))
    # Week 45 (Mon 2 to Sun 8 Nov).
    _report(team, D(2026, 11, 2), D(2026, 11, 9))  # A: on day 7, in time
    _report(team, D(2026, 11, 2), D(2026, 11, 10))  # B: on day 8, late
    _report(team, D(2026, 11, 3))  # C: never
    _report(team, D(2026, 11, 8))  # D: made on the Sunday, never
    _report(  # E: an anonymous reporter asked on day 2, never answered
        team, D(2026, 11, 4), anonymous=True, messages=(("reviewer", "question", D(2026, 11, 6)),)
    )
    _report(team, D(2026, 11, 4), D(2026, 11, 16))  # F: day 12
    _report(team, D(2026, 11, 5), D(2026, 11, 6))  # G: day 1
    # Week 46 (Mon 9 to Sun 15 Nov).
    h = _report(team, D(2026, 11, 9), D(2026, 11, 11))  # H: day 2
    _report(team, D(2026, 11, 10))  # I: not yet
    _report(team, D(2026, 11, 14), D(2026, 11, 15))  # J: day 1
    _report(  # K: asked on day 1 and answered the next day
        team,
        D(2026, 11, 12),
        anonymous=True,
        messages=(
            ("reviewer", "question", D(2026, 11, 13)),
            ("reporter", "answer", D(2026, 11, 14)),
        ),
    )
    _report(team, D(2026, 11, 10), merged_into=h)  # M: a duplicate of H, not counted apart
    _report(team, D(2026, 10, 1))  # L: week 40, still waiting


def _figures(team: Team, week: Week, today: dt.date) -> reporting.WeeklyFigures:
    return reporting.weekly_figures(team.db, team["manager"], week, today=today)


def test_manager_reads_who_heard_back_within_seven_days(team: Team) -> None:
    """Week 46 read on 30 Nov: the loop as of Sunday 15 Nov, week 45 complete in the chart."""
    _two_weeks(team)
    f = _figures(team, W46, D(2026, 11, 30))
    loop = f.loop
    assert loop.as_of == D(2026, 11, 15) and loop.target_pct == 80
    # Week 46: H, I, J, K made (M merged into H); I has had 5 days only.
    assert (loop.reported, loop.counted, loop.within, loop.not_yet_due) == (4, 3, 3, 1)
    assert loop.unanswered == 0  # K's reporter answered
    assert loop.median_days == 1.0  # H 2, J 1, K 1
    # Week 45 as of 15 Nov: A in time on day 7, B late on day 8, C late, D's seventh day
    # is 15 Nov (not counted yet), E fed back by its question, F late (heard on the 16th),
    # G in time.
    i45 = loop.weeks.index("2026-W45")
    assert (loop.within_counts[i45], loop.counted_counts[i45]) == (3, 6)
    assert f.loop_share.values[i45] == pytest.approx(0.5)
    # Days to first feedback in week 45: A 7, B 8, E 2, G 1: an even count, median 4.5.
    assert loop.median_values[i45] == 4.5
    assert f.loop_days.values[i45] == 4.5
    # Waiting on 15 Nov: L 45 days, C 12, F 11, D 7, I 5.
    assert (loop.awaiting, loop.awaiting_over_7, loop.oldest_awaiting_days) == (5, 3, 45)
    # The p-chart's centre is every counted report of the weeks shown.
    i40 = loop.weeks.index("2026-W40")
    assert loop.counted_counts[i40] == 1 and loop.within_counts[i40] == 0
    assert loop.share_chart.centre == pytest.approx(6 / 10)


def test_a_question_nobody_answered_counts_as_word_and_is_named_apart(team: Team) -> None:
    """Week 45 read on 20 Nov: as of Sunday 8 Nov, most of it is not due yet."""
    _two_weeks(team)
    loop = _figures(team, W45, D(2026, 11, 20)).loop
    assert loop.as_of == D(2026, 11, 8)
    # E (question on day 2) and G (day 1) heard back by the 8th; the rest are still inside
    # their seven days and counted neither way.
    assert (loop.reported, loop.counted, loop.within, loop.not_yet_due) == (7, 2, 2, 5)
    assert loop.unanswered == 1
    assert loop.median_days == 1.5
    assert loop.share == 1.0


def test_day_seven_without_word_waits_and_day_eight_counts_late(team: Team) -> None:
    with team.db.write() as s:
        s.execute(update(Unit).values(created_at=dt.datetime(2026, 1, 1)))
        s.execute(update(Person).values(created_at=dt.datetime(2026, 1, 1)))
    _report(team, D(2026, 11, 2))
    on_day_7 = _figures(team, W45, D(2026, 11, 9)).loop
    assert (on_day_7.counted, on_day_7.not_yet_due) == (0, 1)
    week46 = _figures(team, W46, D(2026, 11, 10)).loop  # as of the 10th: day 8
    i45 = week46.weeks.index("2026-W45")
    assert (week46.within_counts[i45], week46.counted_counts[i45]) == (0, 1)
    assert week46.awaiting_over_7 == 1 and week46.oldest_awaiting_days == 8


def _learners(team: Team, n: int) -> None:
    for i in range(n):
        people.save_person(
            team.db,
            team.admin,
            people.PersonInput(
                f"Student {chr(65 + i)} Test",
                "nursing",
                ["learner"],
                is_learner=True,
                start_date=D(2026, 9, 1),
                pin="5827",
            ),
        )


def test_learners_as_sensors_are_counted_only_in_groups_large_enough(team: Team) -> None:
    with team.db.write() as s:
        s.execute(update(Unit).values(created_at=dt.datetime(2026, 1, 1)))
        s.execute(update(Person).values(created_at=dt.datetime(2026, 1, 1)))
    for day in (2, 3, 4):  # three named learner reports in week 45
        _report(team, D(2026, 11, day), learner=True)
    _report(team, D(2026, 11, 5), anonymous=True)  # anonymous: never a learner's
    for day in (9, 10, 10, 11, 12):  # five in week 46
        _report(team, D(2026, 11, day), learner=True)
    # One learner on the unit (the team's): nothing is shown beside so few.
    one = _figures(team, W44, D(2026, 11, 20)).learners.reports
    assert (one.reports, one.learners, one.per_learner) == (None, None, None)
    assert one.learners_text == "fewer than 5"
    assert one.reports_text == one.per_learner_text == "hidden: fewer than 5 learners"
    _learners(team, 5)  # six learners from September
    # Week 44 keeps the learner count it was first computed with: still hidden.
    again = _figures(team, W44, D(2026, 11, 20)).learners.reports
    assert (again.learners, again.learners_text) == (None, "fewer than 5")
    w45 = _figures(team, W45, D(2026, 11, 20)).learners.reports
    assert (w45.reports, w45.learners, w45.per_learner) == (None, 6, None)
    assert w45.reports_text == "fewer than 5"
    assert w45.per_learner_text == "hidden: fewer than 5 reports"
    w46 = _figures(team, W46, D(2026, 11, 20)).learners.reports
    assert (w46.reports, w46.learners) == (5, 6)
    assert w46.per_learner == pytest.approx(5 / 6)
    # While the week runs nothing is shown, so no two copies of a week differ.
    running = _figures(team, W46, D(2026, 11, 13)).learners.reports
    assert running.reports is None and running.reports_text == "shown when the week has ended"
    assert running.per_learner_text == "shown when the week has ended"


def test_the_hidden_learner_count_cannot_be_had_by_subtraction(team: Team, tmp_path) -> None:
    """Week 45's three learner reports: no printed figure, nor any difference of two
    copies printed on different days, gives them back."""
    from pypdf import PdfReader

    from hrohuddle.reports import weekly

    with team.db.write() as s:
        s.execute(update(Unit).values(created_at=dt.datetime(2026, 1, 1)))
        s.execute(update(Person).values(created_at=dt.datetime(2026, 1, 1)))
    _learners(team, 5)
    for day in (2, 3, 4):
        _report(team, D(2026, 11, day), learner=True)
    for day in (5, 6, 7, 8, 8):  # five named reports by staff
        _report(team, D(2026, 11, day))
    copies = []
    for today in (D(2026, 11, 4), D(2026, 11, 6), D(2026, 11, 9), D(2026, 11, 30)):
        figures = _figures(team, W45, today)
        sensors = figures.learners.reports
        copies.append((sensors.reports, sensors.per_learner))
        pdf = weekly.preview(
            team.db, team["manager"], W45, tmp_path / f"{today}.pdf", figures=figures
        )
        body = " ".join(" ".join(p.extract_text() for p in PdfReader(pdf).pages).split())
        assert "by learners" not in body.split("Safety events", 1)[1].split("Actions", 1)[0]
        assert "Named safety reports by learners fewer than 5" in body or today <= D(2026, 11, 8)
    assert copies == [(None, None)] * 4


def test_publishing_rules_for_learners() -> None:
    k = 5
    assert loop_measure.publish_learners(7, 10, False, k).reports is None
    assert loop_measure.publish_learners(7, 4, True, k).reports is None
    assert loop_measure.publish_learners(4, 10, True, k).reports is None
    assert loop_measure.publish_learners(0, 10, True, k).per_learner == 0.0
    shown = loop_measure.publish_learners(5, 10, True, k)
    assert (shown.reports, shown.learners, shown.per_learner) == (5, 10, 0.5)


def test_admin_sets_the_feedback_target_between_50_and_100_per_cent(team: Team) -> None:
    from hrohuddle.services.errors import ValidationError

    saved = people.update_unit_settings(team.db, team.admin, feedback_target_pct=85)
    assert saved.feedback_target_pct == 85
    for wrong in (49, 101, "ninety"):
        with pytest.raises(ValidationError) as refused:
            people.update_unit_settings(team.db, team.admin, feedback_target_pct=wrong)
        assert "reporters who hear back within 7 days" in refused.value.message
    assert people.unit_settings(team.db, team.admin.unit_id).feedback_target_pct == 85
    f = _figures(team, W46, D(2026, 11, 30))
    assert f.loop.target_pct == 85 and "(target 85%)" in f.loop_share.title


def test_the_weekly_report_reads_back_closing_the_loop_and_you_said_we_did(
    team: Team, tmp_path
) -> None:
    from pypdf import PdfReader

    from hrohuddle.reports import weekly
    from hrohuddle.store.models import ReportStep

    _two_weeks(team)
    h = _report(team, D(2026, 11, 10), D(2026, 11, 11))
    with team.db.write() as s:
        event = s.get(SafetyEvent, h)
        assert event is not None
        event.reviewer_summary = "Pumps set up without the current drug library"
        s.add(
            ReportStep(
                event_id=h,
                step="action",
                on_date=D(2026, 11, 12),
                sentence="The pharmacy lead checks every pump's library each Monday",
            )
        )
    figures = _figures(team, W46, D(2026, 11, 30))
    pdf = weekly.preview(team.db, team["manager"], W46, tmp_path / "w46.pdf", figures=figures)
    body = " ".join(" ".join(p.extract_text() for p in PdfReader(pdf).pages).split())
    loop = body[body.index("Closing the loop") :]
    assert "Made this week 5" in loop
    assert "Reporter heard back within 7 days (target 80%) 4/4 (100%)" in loop
    assert "Not yet due (inside their 7 days, no word yet) 1" in loop
    assert "Median days to first feedback 1 day" in loop
    assert "Reports waiting 5" in loop and "Oldest 45 days" in loop
    assert "Reporters who heard back within 7 days, by week of report (target 80%)" in loop
    assert "Median days to first feedback, by week of report" in loop
    said = body[body.index("You said, we did") :]
    assert (
        "You said: Pumps set up without the current drug library. We did: The pharmacy lead "
        "checks every pump's library each Monday." in said
    )


def test_a_group_size_set_and_undone_without_a_screen_is_still_remembered(team: Team) -> None:
    """A script or the command line changes the size: the service notes every size."""
    from hrohuddle.services import loop_measure, people

    db, admin = team.db, team.admin
    people.update_unit_settings(db, admin, min_group_size=8)
    people.update_unit_settings(db, admin, min_group_size=5)
    history = loop_measure.note_group_size(db, admin.unit_id)
    assert 8 in [k for _day, k in history]
    last_week = dt.date.today() - dt.timedelta(days=dt.date.today().weekday() + 1)
    assert loop_measure.group_size_since(history, last_week, 5) == 8


def test_reports_older_than_the_chart_still_awaiting_word_are_counted_to_the_day(
    team: Team,
) -> None:
    """Years of reports before the charted weeks are counted in the database: one a
    reviewer wrote to before the week ended has had word, one written to after it, or
    first told after it, still waits on that day."""
    _two_weeks(team)
    _report(team, D(2025, 3, 2), messages=(("reviewer", "note", D(2025, 3, 9)),))
    _report(team, D(2025, 2, 1), messages=(("reviewer", "note", D(2026, 11, 20)),))
    _report(team, D(2025, 4, 1), D(2026, 11, 16))
    _report(team, D(2024, 12, 30), merged_into=None, anonymous=True)
    # Older still, written to twice before the week: had word, counted out once.
    _report(
        team,
        D(2024, 6, 1),
        messages=(("reviewer", "note", D(2024, 6, 3)), ("reviewer", "question", D(2024, 6, 4))),
    )
    loop = _figures(team, W46, D(2026, 11, 30)).loop
    assert "2025-W09" not in loop.weeks  # these lie before the chart
    # Waiting on 15 Nov: the five of the two weeks, then 2 Feb 2025, 1 Apr 2025 and
    # 30 Dec 2024 (the oldest); 2 Mar 2025 had word on 9 Mar 2025.
    assert (loop.awaiting, loop.awaiting_over_7) == (8, 6)
    assert loop.oldest_awaiting_days == (D(2026, 11, 15) - D(2024, 12, 30)).days
