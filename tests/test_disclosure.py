"""The disclosure auditor: nothing hidden can be worked out from everything published.

The adversary holds every pulse figure the results screen, the CSV export and the
weekly report ever showed (every quarter, every date of publication) and knows which
answers exist. Every published figure of a group is a sum, over the group's answers,
of one quantity per answer (1 for the count, 1 if complete, an item's value if
complete, the favourable answers if complete, the comment): so what can be worked out
is exactly the row space of the matrix whose rows are the published groups' answer
sets. A hidden group, or one person, is determined only if its indicator vector lies
in that row space: the rank of the matrix goes up when it is added if and only if it
does not (numpy.linalg.matrix_rank).

    python -m pytest tests/test_disclosure.py -s -k auditor   # prints the auditor's figures
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
from collections import Counter
from dataclasses import dataclass

import numpy as np
import pytest
from conftest import Team
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from hrohuddle.analytics import scoring, suppression
from hrohuddle.services import anonymity, events, loop_measure, people, pulses, reporting, signin
from hrohuddle.services.anonymity import kept_milestones, quarter_bounds, quarter_of
from hrohuddle.store.models import PulseResponse, Unit

INST = pulses.instrument()
CODES = [i.code for i in INST.items]
QUARTERS = ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]
STATS: Counter[str] = Counter()
MONTH_ENDS = [dt.date(2026, m, 1) for m in range(2, 13)] + [dt.date(2027, 1, 1)]


@dataclass(frozen=True)
class Sent:
    """One answer as the auditor knows it: when it was released and what it said."""

    released: dt.date
    answer: pulses.Answer


# -- the auditor -------------------------------------------------------------------------
def _members(sent: list[Sent], period: str, label: str, today: dt.date) -> list[int]:
    """The answers behind a published group (or the quarter's total), as indices."""
    return [
        i
        for i, s in enumerate(sent)
        if s.released < today
        and s.answer.period == period
        and (label == "All milestones" or pulses.group_label(s.answer.milestone_day) == label)
    ]


def _check_figures(g: pulses.GroupResult, rows: list[pulses.Answer], k: int) -> None:
    """A published figure is the sum over exactly these answers: checked, not assumed."""
    complete = [r.answers for r in rows if pulses.is_complete(r.answers, INST)]
    assert g.n == len(rows) and g.complete == len(complete)
    assert g.n >= k and g.complete >= k, "a shown group is never smaller than k"
    for code, mean in g.item_means.items():
        item = next(i for i in INST.items if i.code == code)
        values = [scoring.item_value(a[code], reverse=item.reverse, points=7) for a in complete]
        assert mean == pytest.approx(sum(values) / len(complete))
    assert g.scale_mean == pytest.approx(
        sum(scoring.scale_score(a, INST.scale_specs, points=7) or 0 for a in complete)
        / len(complete)
    )


def published_sets(
    sent: list[Sent], k: int | list[int], dates: list[dt.date]
) -> tuple[list[frozenset[int]], list[frozenset[int]], int]:
    """Publish on every date; return the shown sets, the hidden sets and how many figures.

    ``k`` is the unit's minimum group size, or one per date when an admin changes it
    between publications. Each quarter's first publication is remembered as the
    service remembers it (``first_k``); after it, a group of that quarter is shown
    again only with the very same figures, and a group hidden then is never shown.
    """
    ks = [k] * len(dates) if isinstance(k, int) else list(k)
    shown: set[frozenset[int]] = set()
    hidden: set[frozenset[int]] = set()
    first_k: dict[str, int] = {}
    first_seen: dict[tuple[str, str], pulses.GroupResult] = {}
    figures = 0
    for today, k_now in zip(dates, ks, strict=True):
        visible = [s.answer for s in sent if s.released < today]
        for p in pulses.publish(visible, today, INST, k_now, first_k):
            k_used = max(k_now, first_k[p.period])
            for g in [*p.groups, p.total]:
                members = frozenset(_members(sent, p.period, g.label, today))
                before = first_seen.setdefault((p.period, g.label), g)
                if not g.hidden:
                    assert not before.hidden, f"{p.period} {g.label} was hidden, now shown"
                    assert g == before, f"{p.period} {g.label} changed after it was shown"
                if g.hidden:
                    assert g.n == 0 and g.scale_mean is None and not g.item_means
                    hidden.add(members)
                    continue
                _check_figures(g, [sent[i].answer for i in members], k_used)
                shown.add(members)
                figures += 4 + len(g.item_means)  # n, complete, mean, share, item means
            if p.comments:
                assert len(p.comments) >= pulses.comment_min(k_used) and not p.total.hidden
                shown.add(frozenset(_members(sent, p.period, "All milestones", today)))
                figures += len(p.comments)
    STATS["minimum group size changes"] += sum(a != b for a, b in itertools.pairwise(ks))
    return sorted(shown, key=sorted), sorted(hidden - shown, key=sorted), figures


def undetermined(system: np.ndarray, target: np.ndarray) -> bool:
    """Whether ``target`` lies outside the row space of ``system``."""
    if system.size == 0:
        return bool(target.any())
    base = np.linalg.matrix_rank(system)
    return bool(np.linalg.matrix_rank(np.vstack([system, target])) > base)


def audit(sent: list[Sent], k: int | list[int], dates: list[dt.date]) -> None:
    shown, hidden, figures = published_sets(sent, k, dates)
    n = len(sent)
    system = np.array([[1.0 if i in s else 0.0 for i in range(n)] for s in shown]).reshape(
        len(shown), n
    )
    for h in hidden:
        vec = np.array([1.0 if i in h else 0.0 for i in range(n)])
        assert undetermined(system, vec), f"hidden group {sorted(h)} can be worked out"
        STATS["hidden cells proven undetermined"] += 1
    for i in range(n):
        assert undetermined(system, np.eye(n)[i]), f"answer {i} can be worked out"
    STATS["individuals proven undetermined"] += n
    STATS["figures published"] += figures
    STATS["units generated"] += 1


# -- random units ------------------------------------------------------------------------
@st.composite
def answers(draw: st.DrawFn) -> dict[str, int]:
    values = {c: draw(st.integers(1, 7)) for c in CODES}
    if draw(st.integers(0, 4)) == 0:  # about one in five skips something
        for c in draw(st.sets(st.sampled_from(CODES), min_size=1, max_size=3)):
            values.pop(c)
    return values


@st.composite
def units(draw: st.DrawFn) -> tuple[list[int], list[Sent]]:
    k = draw(st.sampled_from([3, 5]))
    # An admin may change the minimum group size between any two publications.
    ks = [k]
    for _ in MONTH_ENDS[1:]:
        ks.append(draw(st.sampled_from([ks[-1]] * 3 + [3, 4, 5, 6])))
    count = draw(st.integers(0, 45))
    sent = []
    for _ in range(count):
        released = dt.date(2026, 1, 1) + dt.timedelta(days=draw(st.integers(0, 364)))
        quarter = quarter_of(released)
        milestone = draw(st.sampled_from([7, 30, 60, 90, None]))
        comment = draw(st.sampled_from([None, None, "Kind team", "More buddy time"]))
        period = None if draw(st.integers(0, 19)) == 0 else quarter
        sent.append(Sent(released, pulses.Answer(milestone, period, draw(answers()), comment)))
    return ks, sent


@settings(
    max_examples=100,
    deadline=None,
    database=None,
    derandomize=True,  # the same units on every run, so the printed figures can be quoted
    suppress_health_check=[HealthCheck.too_slow],
)
@given(unit=units())
def _audit_random_units(unit: tuple[list[int], list[Sent]]) -> None:
    ks, sent = unit
    audit(sent, ks, MONTH_ENDS)


def test_disclosure_auditor_proves_nothing_hidden_is_determined(
    capsys: pytest.CaptureFixture[str],
) -> None:
    STATS.clear()
    _audit_random_units()
    with capsys.disabled():
        print(
            "\ndisclosure auditor: {u} units generated, {f} figures published (each quarter "
            "re-published on 12 dates, {c} changes of the minimum group size), {h} hidden "
            "cells and {i} individuals proven undetermined".format(
                u=STATS["units generated"],
                c=STATS["minimum group size changes"],
                f=STATS["figures published"],
                h=STATS["hidden cells proven undetermined"],
                i=STATS["individuals proven undetermined"],
            )
        )
    assert STATS["units generated"] >= 100 and STATS["hidden cells proven undetermined"] >= 50
    assert STATS["minimum group size changes"] >= 100


def _q3_hidden_at_5_shown_at_3() -> list[Sent]:
    """A 2026-Q3: Day 7 and Day 60 with 4 answers (3 complete), hidden at k=5."""
    sent = []
    for milestone, n in ((7, 4), (30, 6), (60, 4), (90, 5)):
        for i in range(n):
            answer = {c: 1 + (i + j + milestone) % 7 for j, c in enumerate(CODES)}
            if i == 0 and milestone in (7, 60):
                answer.pop(CODES[0])  # one partial answer in each
            released = dt.date(2026, 7, 2 + i)
            sent.append(Sent(released, pulses.Answer(milestone, "2026-Q3", answer, None)))
    return sent


def test_lowering_the_minimum_group_size_never_shows_a_hidden_group() -> None:
    """Lowering k from 5 to 3 showed a closed quarter's hidden Day 7 and Day 60."""
    sent = _q3_hidden_at_5_shown_at_3()
    dates = MONTH_ENDS[9:]  # 1 October 2026 onwards: Q3 closed
    at_five = pulses.publish([s.answer for s in sent], dates[0], INST, 5)[0]
    assert {g.label for g in at_five.groups if g.hidden} >= {"Day 7", "Day 60"}
    audit(sent, [5, 3, 3], dates)  # hidden at 5 stays hidden after k is lowered
    audit(sent, [5, 6, 3], dates)  # raising it hides more; lowering again shows nothing new


def _day7(n: int) -> list[Sent]:
    full = dict.fromkeys(CODES, 5)
    return [
        Sent(dt.date(2026, 7, 1 + i), pulses.Answer(7, "2026-Q3", dict(full), None))
        for i in range(n)
    ]


def test_the_auditor_catches_the_old_leaks() -> None:
    """Without closed quarters and complementary suppression, the auditor finds the sixth."""
    sent = _day7(6)
    n = len(sent)
    # Day 7 read at n=5, and again at n=6 (the figures were published all-time, live).
    system = np.array([[1.0] * 5 + [0.0], [1.0] * 6])
    assert not undetermined(system, np.eye(n)[5])
    # Day 30 (n=6) minus Nursing (n=5): two breakdowns of the same answers.
    system = np.array([[1.0] * 6, [1.0] * 5 + [0.0]])
    assert not undetermined(system, np.eye(n)[5])


def test_a_quarter_is_never_published_twice_with_different_answers() -> None:
    sent = _day7(6)
    shown, _hidden, _figures = published_sets(sent, 5, MONTH_ENDS)
    assert shown == [frozenset(range(6))]


@settings(max_examples=200, deadline=None, database=None)
@given(
    counts=st.dictionaries(
        st.sampled_from(["a", "b", "c", "d", "e"]),
        st.tuples(st.integers(0, 12), st.integers(0, 12)),
    ),
    k=st.integers(3, 6),
)
def test_hidden_groups_together_hold_none_or_at_least_k(counts, k) -> None:
    sizes = {g: (max(a, b), min(a, b)) for g, (a, b) in counts.items()}  # complete <= answers
    hidden = suppression.hidden_cells(sizes, k)
    shown = [g for g in sizes if g not in hidden and any(sizes[g])]
    assert all(min(sizes[g]) >= k for g in shown)
    for i in range(2):
        pooled = sum(sizes[g][i] for g in hidden)
        assert pooled == 0 or pooled >= k or not suppression.total_shown_multi(sizes, k)


@settings(max_examples=200, deadline=None, database=None)
@given(
    invited=st.dictionaries(
        st.sampled_from([7, 30, 60, 90]), st.sets(st.integers(1, 14), max_size=10)
    ),
    k=st.integers(3, 6),
)
def test_every_stored_pulse_group_matches_at_least_k_invited(invited, k) -> None:
    kept, too_small = kept_milestones(invited, k)
    if too_small:
        assert len(set().union(*invited.values())) < k and kept == set()
        return
    assert all(len(invited[m]) >= k for m in kept)
    pooled = set().union(*(who for m, who in invited.items() if m not in kept))
    assert len(pooled) == 0 or len(pooled) >= k


# -- the same figures on screen, in the CSV and in the weekly report ----------------------
def _newcomer(team: Team, name: str, start: dt.date) -> people.Actor:
    pid = people.save_person(
        team.db,
        team.admin,
        people.PersonInput(name, "nursing", ["staff"], start_date=start, pin="5827"),
    )
    return signin.sign_in(team.db, pid, "5827")


def test_screen_csv_and_weekly_report_publish_the_same_audited_figures(
    team: Team, tmp_path
) -> None:
    """Real answers through the service, on SQLite and PostgreSQL, audited as published."""
    from hrohuddle.services import exports

    start = dt.date(2026, 6, 20)
    # The first four answers are sent while fewer than five people have answered, so
    # they keep no quarter (THREAT_MODEL.md); nine more reach 2026-Q2.
    crowd = [_newcomer(team, f"Newcomer {chr(65 + i)} Test", start) for i in range(13)]
    day7 = start + dt.timedelta(days=9)  # 29 June: Q2
    day30 = start + dt.timedelta(days=31)  # 21 July: Q3
    for n, me in enumerate(crowd):
        due = pulses.due_pulse(team.db, me, today=day7)
        values = {c: 1 + (n + j) % 7 for j, c in enumerate(CODES)}
        if n == 12:
            values.pop("O2")
        pulses.submit(team.db, me, due.invitation_id, values, today=day7)
    for me in crowd[:4]:  # Day 30: too few, hidden with its complement
        due = pulses.due_pulse(team.db, me, today=day30)
        pulses.submit(team.db, me, due.invitation_id, dict.fromkeys(CODES, 4), today=day30)
    anonymity.release_due(team.db, local_now=dt.datetime.combine(day30, dt.time(20)), force=True)
    with team.db.read() as s:
        stored = s.execute(
            select(
                PulseResponse.milestone_day,
                PulseResponse.period,
                PulseResponse.answers,
                PulseResponse.comment,
            )
        ).all()
    sent = []
    for m, p, a, c in stored:
        released = quarter_bounds(p)[0] if p else dt.date(2026, 1, 1)
        sent.append(Sent(released, pulses.Answer(m, p, dict(a), c)))
    audit(sent, 5, MONTH_ENDS)

    mgr = team["manager"]
    res = pulses.results(team.db, mgr, today=dt.date(2026, 10, 2))
    assert [p.period for p in res.periods] == ["2026-Q3", "2026-Q2"]
    out = tmp_path / "pulses.csv"
    exports.export_pulses(team.db, mgr, out)
    with out.open(newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    current = pulses.results(team.db, mgr)
    expected = [
        (p.period, g.label, g.hidden, g.n, pulses._r(g.scale_mean))
        for p in current.periods
        for g in [*p.groups, p.total]
    ]
    got = [
        (
            r["quarter"],
            r["group"],
            r["answers"].startswith("hidden"),
            0 if r["answers"].startswith("hidden") else int(r["answers"]),
            r["scale_mean"],
        )
        for r in rows
    ]
    assert got == expected
    weekly = reporting.weekly_figures(
        team.db, mgr, reporting.Week.of(dt.date(2026, 10, 5)), today=dt.date(2026, 10, 20)
    )
    assert weekly.pulses is not None
    assert [(p.period, p.groups, p.total) for p in weekly.pulses.periods] == [
        (p.period, p.groups, p.total) for p in res.periods
    ]
    from pypdf import PdfReader

    from hrohuddle.reports import weekly as weekly_pdf

    with team.db.write() as s:  # a named report in week 41, so that the report has a body
        unit = s.get(Unit, mgr.unit_id)
        assert unit is not None
        unit.created_at = dt.datetime(2026, 1, 1)
    when = dt.datetime(2026, 10, 6, 10)
    events.report(
        team.db,
        team["staff"],
        events.EventInput("near_miss", "Pump line swapped, caught", "medication", when),
        local_now=when + dt.timedelta(hours=1),
    )
    pdf = weekly_pdf.write(team.db, mgr, reporting.Week(2026, 41), tmp_path / "w41.pdf")
    body = " ".join(" ".join(p.extract_text() for p in PdfReader(pdf).pages).split())
    section = body[body.index("Onboarding pulses") :]
    assert "Period: 2026-Q3, Wed 1 Jul 2026 to Wed 30 Sep 2026" in section  # the one date format
    assert "Period: 2026-Q2, Wed 1 Apr 2026 to Tue 30 Jun 2026" in section
    q2_mean = res.periods[1].total.scale_mean
    assert q2_mean is not None and f"{q2_mean:.2f} (n=8)" in section
    assert "(n=56 item answers)" in section and "hidden" in section
    q3 = res.periods[0]
    assert q3.total.hidden and all(g.hidden for g in q3.groups)  # 4 answers only
    q2 = res.periods[1]
    assert not q2.total.hidden and q2.total.n == 9 and q2.total.complete == 8


def test_the_results_keep_a_quarters_first_minimum_when_it_is_lowered(team: Team) -> None:
    """The same through the service: results, then k 5 -> 3, then results again."""
    start = dt.date(2026, 6, 1)
    crowd = [_newcomer(team, f"Lowered {chr(65 + i)} Test", start) for i in range(7)]
    for me in crowd:  # Day 7, 9 June: 2026-Q2, seven answers
        due = pulses.due_pulse(team.db, me, today=start + dt.timedelta(days=8))
        pulses.submit(
            team.db,
            me,
            due.invitation_id,
            dict.fromkeys(CODES, 5),
            today=start + dt.timedelta(days=8),
        )
    anonymity.release_due(team.db, local_now=dt.datetime(2026, 6, 9, 20), force=True)
    for me in crowd[:4]:  # Day 30, 2 July: 2026-Q3, four answers (fewer than 5)
        due = pulses.due_pulse(team.db, me, today=start + dt.timedelta(days=31))
        pulses.submit(
            team.db,
            me,
            due.invitation_id,
            dict.fromkeys(CODES, 3),
            today=start + dt.timedelta(days=31),
        )
    anonymity.release_due(team.db, local_now=dt.datetime(2026, 7, 2, 20), force=True)
    mgr = team["manager"]
    today = dt.date(2026, 10, 2)

    def shown() -> list[tuple[str, str, int, float | None]]:
        res = pulses.results(team.db, mgr, today=today)
        return [
            (p.period, g.label, g.n, g.scale_mean)
            for p in res.periods
            for g in [*p.groups, p.total]
            if not g.hidden
        ]

    before = shown()
    assert not [s for s in before if s[0] == "2026-Q3"]  # four answers: hidden at 5
    with team.db.write() as s:
        unit = s.get(Unit, mgr.unit_id)
        assert unit is not None
        unit.min_group_size = 3
    assert shown() == before, "lowering the minimum showed a group hidden before"


# -- learners as sensors: named reports by learners, per week ------------------------------
# The adversary holds every copy of the week's learner figures (weekly report, dashboard)
# printed on any day, and knows which named reports exist and the day each was made. The
# unknown is, for each named report, whether a learner made it: every published count is
# the sum of that over a set of reports, so the same row-space test applies.
LEARNER_WEEKS = [dt.date(2026, 11, 2) + dt.timedelta(weeks=w) for w in range(4)]
LEARNER_DAYS = [LEARNER_WEEKS[0] + dt.timedelta(days=d) for d in range(35)]


def learner_publications(
    made: list[dt.date], by_learner: list[bool], learners: int, k: int, *, while_running: bool
) -> tuple[list[frozenset[int]], list[frozenset[int]]]:
    """Publish every week's learner figure on every day; the shown and hidden report sets.

    ``while_running`` publishes a week's figure before the week has ended, as the
    dashboard's "this week, so far" would without the rule: the leak the rule closes.
    """
    shown: set[frozenset[int]] = set()
    hidden: set[frozenset[int]] = set()
    for today in LEARNER_DAYS:
        for monday in LEARNER_WEEKS:
            sunday = monday + dt.timedelta(days=6)
            if monday > today:
                continue
            members = frozenset(i for i, d in enumerate(made) if monday <= d <= min(sunday, today))
            ended = today > sunday or while_running
            count = sum(by_learner[i] for i in members)
            published = loop_measure.publish_learners(count, learners, ended, k)
            if published.reports is not None:
                assert published.reports == 0 or published.reports >= k
                shown.add(members)
            elif published.reason != loop_measure.WEEK_RUNNING and count:
                hidden.add(members)
    return sorted(shown, key=sorted), sorted(hidden - shown, key=sorted)


def learner_audit(
    made: list[dt.date], by_learner: list[bool], learners: int, k: int, *, while_running: bool
) -> list[str]:
    """What can be worked out: hidden weeks or single learners' reports (empty: nothing)."""
    shown, hidden = learner_publications(made, by_learner, learners, k, while_running=while_running)
    n = len(made)
    system = np.array([[1.0 if i in s else 0.0 for i in range(n)] for s in shown]).reshape(
        len(shown), n
    )
    found = [
        f"hidden week {sorted(h)}"
        for h in hidden
        if not undetermined(system, np.array([1.0 if i in h else 0.0 for i in range(n)]))
    ]
    found += [
        f"report {i} by a learner"
        for i in range(n)
        if by_learner[i] and not undetermined(system, np.eye(n)[i])
    ]
    return found


@settings(max_examples=150, deadline=None, database=None, derandomize=True)
@given(
    reports=st.lists(st.tuples(st.integers(0, 27), st.booleans()), max_size=40),
    learners=st.integers(0, 9),
    k=st.integers(3, 6),
)
def test_no_learner_figure_can_be_worked_out_from_every_copy_printed(
    reports: list[tuple[int, bool]], learners: int, k: int
) -> None:
    """Random named reports over four weeks (the day each was made, whether a learner
    made it), every week's figure printed on each of 35 days."""
    made = [LEARNER_WEEKS[0] + dt.timedelta(days=d) for d, _learner in reports]
    by_learner = [learner for _d, learner in reports]
    assert learner_audit(made, by_learner, learners, k, while_running=False) == []


def test_the_auditor_catches_a_learner_figure_published_while_the_week_runs() -> None:
    """Five learner reports by Friday, a sixth on Saturday: Friday's copy and Saturday's
    differ by one report, so that one learner's report could be worked out."""
    monday = LEARNER_WEEKS[1]
    made = [monday + dt.timedelta(days=d) for d in (0, 1, 2, 3, 4, 5)]
    by_learner = [True] * 6
    assert learner_audit(made, by_learner, 8, 5, while_running=True) != []
    assert learner_audit(made, by_learner, 8, 5, while_running=False) == []


def test_lowering_the_group_size_never_shows_a_hidden_learner_figure(team: Team, tmp_path) -> None:
    """Week 45 printed at k=5 says "fewer than 5"; the admin lowers k to 3: the same week
    must not now print its 3 learner reports and 0.50 per learner (3 of 6 learners)."""
    from sqlalchemy import update

    from hrohuddle.store.models import Person, SafetyEvent

    week = reporting.Week(2026, 45)
    mgr = team["manager"]
    with team.db.write() as s:
        s.execute(update(Unit).values(created_at=dt.datetime(2026, 1, 1)))
        s.execute(update(Person).values(created_at=dt.datetime(2026, 1, 1)))
    for i in range(5):
        people.save_person(
            team.db,
            team.admin,
            people.PersonInput(
                f"Sensor {chr(65 + i)} Test",
                "nursing",
                ["learner"],
                is_learner=True,
                start_date=dt.date(2026, 9, 1),
                pin="5827",
            ),
        )
    with team.db.write() as s:
        for day in (2, 3, 4):
            s.add(
                SafetyEvent(
                    unit_id=mgr.unit_id,
                    kind="near_miss",
                    category="medication",
                    narrative="Pump line swapped, caught before it ran",
                    occurred_at=dt.datetime(2026, 11, day, 10),
                    shift="day",
                    anonymous=False,
                    reporter_id=team["learner"].person_id,
                    reporter_is_learner=True,
                    reported_on=dt.date(2026, 11, day),
                )
            )

    def printed(today: dt.date) -> tuple[int | None, float | None, str, int]:
        f = reporting.weekly_figures(team.db, mgr, week, today=today)
        r = f.learners.reports
        return r.reports, r.per_learner, r.reports_text, r.min_size

    assert printed(dt.date(2026, 11, 10)) == (None, None, "fewer than 5", 5)
    people.update_unit_settings(team.db, team.admin, min_group_size=3)
    assert printed(dt.date(2026, 11, 20)) == (None, None, "fewer than 5", 5)
    from pypdf import PdfReader

    from hrohuddle.reports import weekly

    figures = reporting.weekly_figures(team.db, mgr, week, today=dt.date(2026, 11, 20))
    pdf = weekly.preview(team.db, mgr, week, tmp_path / "w45.pdf", figures=figures)
    body = " ".join(" ".join(p.extract_text() for p in PdfReader(pdf).pages).split())
    assert "Named reports by learners per learner hidden: fewer than 5 reports" in body
    assert "only with at least 5 learners and 5 reports" in body
    assert (
        "The unit's setting is now 3, but this week keeps 5, the largest it has had since "
        "the week ended" in body
    )
    # A week that ended after k was lowered (the save noted it today) is published at
    # the unit's new k.
    next_monday = dt.date.today() + dt.timedelta(days=7 - dt.date.today().weekday())
    with team.db.write() as s:
        for offset in (0, 1, 2):
            day = next_monday + dt.timedelta(days=offset)
            s.add(
                SafetyEvent(
                    unit_id=mgr.unit_id,
                    kind="near_miss",
                    category="medication",
                    narrative="Pump line swapped, caught before it ran",
                    occurred_at=dt.datetime.combine(day, dt.time(10)),
                    shift="day",
                    anonymous=False,
                    reporter_id=team["learner"].person_id,
                    reporter_is_learner=True,
                    reported_on=day,
                )
            )
    iso = next_monday.isocalendar()
    later = reporting.weekly_figures(
        team.db,
        mgr,
        reporting.Week(iso[0], iso[1]),
        today=next_monday + dt.timedelta(days=8),
    )
    assert (later.learners.reports.reports, later.learners.reports.min_size) == (3, 3)


def test_the_auditor_catches_learner_figures_shown_again_when_k_is_lowered() -> None:
    """Every week printed every day while k goes 5, then 3 from the third week: with the
    unit's largest k since each week ended nothing leaks; with today's k alone, the
    weeks hidden at 5 come back at 3 and the auditor finds them."""
    monday = LEARNER_WEEKS[0]
    made = [monday + dt.timedelta(days=d) for d in (0, 1, 2, 7, 8, 9, 10, 11)]
    by_learner = [True, True, True, True, True, False, True, False]
    lowered = LEARNER_WEEKS[2]

    def publications(kept: bool) -> list[str]:
        history: list[tuple[dt.date, int]] = []
        shown: set[frozenset[int]] = set()
        hidden: set[frozenset[int]] = set()
        for today in LEARNER_DAYS:
            k_now = 5 if today < lowered else 3
            history = loop_measure.noted_group_size(history, today, k_now)
            for week_monday in LEARNER_WEEKS:
                sunday = week_monday + dt.timedelta(days=6)
                if today <= sunday:
                    continue
                k = loop_measure.group_size_since(history, sunday, k_now) if kept else k_now
                members = frozenset(i for i, d in enumerate(made) if week_monday <= d <= sunday)
                n = sum(by_learner[i] for i in members)
                published = loop_measure.publish_learners(n, 8, True, k)
                (shown if published.reports is not None else hidden).add(members)
        system = np.array(
            [[1.0 if i in s else 0.0 for i in range(len(made))] for s in shown]
        ).reshape(len(shown), len(made))
        return [
            f"hidden week {sorted(h)}"
            for h in hidden
            if not undetermined(
                system, np.array([1.0 if i in h else 0.0 for i in range(len(made))])
            )
        ]

    assert publications(kept=False) != []
    assert publications(kept=True) == []


def test_a_hidden_learner_figure_stays_hidden_when_the_staff_list_is_edited(team: Team) -> None:
    """Week 45 ended with one learner on the unit: "fewer than 5 learners". Moving
    start days back and adding learners afterwards (what the staff list allows) must
    not turn that week into "0 | 6 | 0.00": the week keeps the learner count it had
    the first time it was computed."""
    from sqlalchemy import update

    from hrohuddle.store.models import Person

    week = reporting.Week(2026, 45)
    mgr = team["manager"]
    with team.db.write() as s:
        s.execute(update(Unit).values(created_at=dt.datetime(2026, 1, 1)))
        s.execute(update(Person).values(created_at=dt.datetime(2026, 1, 1)))

    def printed() -> tuple[int | None, int | None, str, str]:
        f = reporting.weekly_figures(team.db, mgr, week, today=dt.date(2026, 11, 20))
        r = f.learners.reports
        return r.reports, r.learners, r.learners_text, r.per_learner_text

    hidden = (None, None, "fewer than 5", "hidden: fewer than 5 learners")
    assert printed() == hidden
    # The reviewer's edit: every learner's start day moved back, and five more learners.
    with team.db.write() as s:
        s.execute(
            update(Person).where(Person.is_learner.is_(True)).values(start_date=dt.date(2025, 1, 1))
        )
    for i in range(5):
        people.save_person(
            team.db,
            team.admin,
            people.PersonInput(
                f"Sensor {chr(65 + i)} Test",
                "nursing",
                ["learner"],
                is_learner=True,
                start_date=dt.date(2025, 1, 1),
                pin="5827",
            ),
        )
    assert printed() == hidden
    # A week that has not been computed yet is counted with today's staff list.
    later = reporting.weekly_figures(
        team.db, mgr, reporting.Week(2026, 46), today=dt.date(2026, 11, 20)
    )
    assert later.learners.reports.learners == 6
