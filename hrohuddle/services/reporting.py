"""The figures behind the dashboard and the weekly report: SQL aggregates, no Qt, no PDF.

Over 600 lines because each section's aggregate (huddles, events, actions, behaviours,
learners) reads the same week and unit and feeds the one WeeklyFigures that the dashboard
and the weekly report both show.
"""

from __future__ import annotations

import datetime as dt
import re
import statistics
from dataclasses import dataclass, field
from typing import Any, Generic, NamedTuple

from sqlalchemy import ColumnElement, case, func, literal, select
from sqlalchemy.orm import Session

# TypeVar with a default (PEP 696): typing's own has one from Python 3.13.
from typing_extensions import TypeVar

from hrohuddle.analytics import control_chart, run_chart
from hrohuddle.analytics.control_chart import ControlChart
from hrohuddle.analytics.run_chart import RunChart
from hrohuddle.analytics.signals import Analysis
from hrohuddle.services import anonymity, audit, bulletin, huddle_record, loop_measure, pulses
from hrohuddle.services.dates import day as day_text
from hrohuddle.services.dates import local_date, to_local, to_utc
from hrohuddle.services.errors import ValidationError
from hrohuddle.services.permissions import Actor
from hrohuddle.services.personal_names import unit_roster
from hrohuddle.services.shifts import ShiftClock
from hrohuddle.services.vocabulary import taxonomy, unit_vocabulary
from hrohuddle.store.database import Database
from hrohuddle.store.models import (
    Action,
    ChecklistItem,
    ChecklistResponse,
    ChecklistSession,
    Huddle,
    HuddleAttendance,
    HuddleItem,
    LearnerObservation,
    SafetyEvent,
    Unit,
    WeeklyCensus,
)
from hrohuddle.wording import counts_in

HISTORY_WEEKS = 26
ON_TIME_MINUTES = 45
RUN_CHART_KINDS = ("near_miss", "good_catch")


@dataclass(frozen=True)
class Week:
    year: int
    week: int

    @classmethod
    def parse(cls, text: str) -> Week:
        m = re.fullmatch(r"(\d{4})-?W(\d{1,2})", (text or "").strip().upper())
        if not m:
            raise ValidationError(f"“{text}” is not an ISO week; write it like 2026-W47.")
        year, week = int(m.group(1)), int(m.group(2))
        if not 1970 <= year <= 2999:
            raise ValidationError(f"{year} is outside the years a report can cover (1970-2999).")
        try:
            dt.date.fromisocalendar(year, week, 1)
        except ValueError:
            raise ValidationError(f"{year} has no week {week}.") from None
        return cls(year, week)

    @classmethod
    def of(cls, day: dt.date) -> Week:
        iso = day.isocalendar()
        return cls(iso[0], iso[1])

    @classmethod
    def last_complete(cls, today: dt.date | None = None) -> Week:
        today = today or dt.date.today()
        return cls.of(today - dt.timedelta(days=7))

    @property
    def monday(self) -> dt.date:
        return dt.date.fromisocalendar(self.year, self.week, 1)

    @property
    def label(self) -> str:
        return f"{self.year}-W{self.week:02d}"

    def shifted(self, weeks: int) -> Week:
        return Week.of(self.monday + dt.timedelta(weeks=weeks))

    def utc_bounds(self) -> tuple[dt.datetime, dt.datetime]:
        start = dt.datetime.combine(self.monday, dt.time())
        end = start + dt.timedelta(days=7)
        return to_utc(start), to_utc(end)


@dataclass(frozen=True)
class Headline:
    label: str
    value: float | None
    previous: float | None
    unit: str = ""

    @property
    def change(self) -> float | None:
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous


#: The analysis a series carries; a bare ``Series`` reads it untyped.
A_co = TypeVar("A_co", bound=Analysis, covariant=True, default=Any)


@dataclass(frozen=True)
class Series(Generic[A_co]):
    weeks: list[str]
    values: list[float | None]
    analysis: A_co
    title: str
    ylabel: str
    missing: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class HuddleWeek:
    held: int
    expected: int  # one huddle at each shift start of the week (so far, in the current week)
    on_time: int
    median_minutes: float | None
    attendance: dict[str, int]  # head count by profession
    attendance_total: int
    teaching_points: int
    # Everybody teaches: who gave the week's teaching points, by profession and how
    # many were learners (the huddle summary's tally, over the week's days).
    teaching: huddle_record.TeachingCount
    actions_raised: int


@dataclass(frozen=True)
class EventsWeek:
    total: int
    by_kind: dict[str, int]
    by_category: dict[str, int]
    by_harm: dict[str, int]
    # The first 20 of the week, in the reviewers' words (the reporter's only if they agreed).
    good_catches: list[str]


@dataclass(frozen=True)
class ActionsWeek:
    opened: int
    closed: int
    escalated: int
    open: int  # at the end of the week
    overdue: int  # at the end of the week
    ages: dict[str, int]  # open actions by age band, in band order


class Share(NamedTuple):
    observed: int
    opportunities: int


@dataclass(frozen=True)
class BehavioursWeek:
    by_behaviour: dict[str, Share]  # by the behaviour's text
    by_principle: dict[str, Share]  # by the HRO principle's key


@dataclass(frozen=True)
class LearnersWeek:
    # Named reports by learners per learner, shown only where no one can be singled out.
    reports: loop_measure.LearnerSensors
    observations: int
    acknowledged: int


@dataclass(frozen=True)
class WeeklyFigures:
    unit_code: str
    unit_name: str
    week: Week
    huddles: HuddleWeek
    events: EventsWeek
    actions: ActionsWeek
    behaviours: BehavioursWeek
    pulses: pulses.Results | None
    learners: LearnersWeek
    headlines: list[Headline]
    signals: list[str]
    event_run: Series[RunChart]
    event_u: Series[ControlChart] | None
    huddle_p: Series[ControlChart]
    behaviour_p: Series[ControlChart] | None
    has_data: bool
    # Closing the loop: the measure of it and "you said, we did" for the week.
    loop: loop_measure.LoopWeek
    loop_share: Series[ControlChart]
    loop_days: Series[RunChart]
    you_said: list[bulletin.Done]


def _week_of(column: Any, weeks: list[Week]) -> ColumnElement[int]:
    """The position in ``weeks`` (consecutive, oldest first) of the local week a stored
    UTC time falls in; ``len(weeks)`` after the last. Counting by week in the database
    spares reading and converting every row of a busy half year."""
    ends = [w.utc_bounds()[1] for w in weeks]
    return case(*[(column < end, i) for i, end in enumerate(ends)], else_=len(weeks))


def _expected_huddles(unit: Unit, week: Week, now: dt.datetime) -> int:
    """One huddle at every shift start of the week that has come by ``now`` (local) and
    came after the unit was created: no huddle is missed before there was a unit."""
    clock = ShiftClock.of(unit)
    next_monday = week.monday + dt.timedelta(days=7)
    began = to_local(unit.created_at) if unit.created_at else dt.datetime.min
    return sum(
        began <= clock.start(day, shift) <= now
        for day, shift in clock.shifts(week.monday, next_monday)
    )


def _huddle_weeks(s: Session, unit: Unit, weeks: list[Week], now: dt.datetime) -> list[HuddleWeek]:
    """The huddles of each of ``weeks`` (consecutive, oldest first), read together: one
    statement for the huddles, one for attendance, one for teaching points and actions."""
    start, end = weeks[0].utc_bounds()[0], weeks[-1].utc_bounds()[1]
    rows = s.execute(
        select(
            Huddle.id, Huddle.shift, Huddle.huddle_date, Huddle.started_at, Huddle.ended_at
        ).where(Huddle.unit_id == unit.id, Huddle.started_at >= start, Huddle.started_at < end)
    ).all()
    ids = [r[0] for r in rows]
    attendance: dict[int, list[tuple[str, int]]] = {}
    teaching: dict[int, int] = {}
    raised: dict[int, int] = {}
    if ids:
        for hid, profession, n in s.execute(
            select(
                HuddleAttendance.huddle_id,
                HuddleAttendance.profession,
                func.sum(HuddleAttendance.head_count),
            )
            .where(HuddleAttendance.huddle_id.in_(ids))
            .group_by(HuddleAttendance.huddle_id, HuddleAttendance.profession)
        ):
            attendance.setdefault(hid, []).append((profession, int(n or 0)))
        for hid, what, n in s.execute(
            select(HuddleItem.huddle_id, literal("teach"), func.count(HuddleItem.id))
            .where(
                HuddleItem.huddle_id.in_(ids),
                HuddleItem.section == "teach",
                HuddleItem.deleted.is_(False),
            )
            .group_by(HuddleItem.huddle_id)
            .union_all(
                select(Action.huddle_id, literal("action"), func.count(Action.id))
                .where(Action.huddle_id.in_(ids))
                .group_by(Action.huddle_id)
            )
        ):
            (teaching if what == "teach" else raised)[hid] = int(n)
    clock = ShiftClock.of(unit)
    out = []
    for week in weeks:
        w_start, w_end = week.utc_bounds()
        held = [r for r in rows if w_start <= r[3] < w_end]
        lengths = [(r[4] - r[3]).total_seconds() / 60 for r in held if r[4]]
        on_time = sum(
            1
            for _id, shift, day, started, _ended in held
            if started <= to_utc(clock.start(day, shift)) + dt.timedelta(minutes=ON_TIME_MINUTES)
        )
        mix: dict[str, int] = {}
        for r in held:
            for profession, n in attendance.get(r[0], []):
                mix[profession] = mix.get(profession, 0) + n
        out.append(
            HuddleWeek(
                held=len(held),
                expected=_expected_huddles(unit, week, now),
                on_time=on_time,
                median_minutes=statistics.median(lengths) if lengths else None,
                attendance=mix,
                attendance_total=sum(mix.values()),
                teaching_points=sum(teaching.get(r[0], 0) for r in held),
                teaching=huddle_record.teaching_counts(
                    s, unit.id, week.monday, week.monday + dt.timedelta(days=6)
                ),
                actions_raised=sum(raised.get(r[0], 0) for r in held),
            )
        )
    return out


def _events_weeks(
    s: Session, unit_id: int, weeks: list[Week], roster: list[str]
) -> list[EventsWeek]:
    """Each week's reports by kind, category and harm, and its good catches written as
    the bulletin writes them: the reviewer's summary (or the category), and the
    reporter's own words only when they agreed and the words pass the checks again
    (``roster``: the unit's people, whose names are kept out). One statement for all
    of ``weeks`` (consecutive, oldest first)."""
    start, end = weeks[0].utc_bounds()[0], weeks[-1].utc_bounds()[1]
    rows = s.execute(
        select(
            SafetyEvent.occurred_at,
            SafetyEvent.kind,
            SafetyEvent.category,
            SafetyEvent.harm,
            SafetyEvent.reviewer_summary,
            SafetyEvent.narrative,
            SafetyEvent.words_may_be_shared,
        )
        .where(
            SafetyEvent.unit_id == unit_id,
            SafetyEvent.occurred_at >= start,
            SafetyEvent.occurred_at < end,
        )
        .order_by(SafetyEvent.occurred_at, SafetyEvent.id)
    ).all()
    tax = taxonomy()
    out = []
    for week in weeks:
        w_start, w_end = week.utc_bounds()
        mine = [r for r in rows if w_start <= r[0] < w_end]
        by_kind: dict[str, int] = {}
        by_category: dict[str, int] = {}
        by_harm: dict[str, int] = {}
        for r in mine:
            by_kind[r[1]] = by_kind.get(r[1], 0) + 1
            by_category[r[2]] = by_category.get(r[2], 0) + 1
            if r[3] is not None:
                by_harm[r[3]] = by_harm.get(r[3], 0) + 1
        catches = []
        for occurred, _kind, category, _harm, summary, narrative, words in [
            r for r in mine if r[1] == "good_catch"
        ][:20]:
            said = bulletin.shorten(bulletin.sentence(summary), bulletin.TEXT_CHARS)
            if not said:
                said = f"A good catch about {tax.label('categories', category).lower()}."
            quote = bulletin.reporter_words(narrative, roster) if words else None
            said = f"{day_text(local_date(occurred))} · {said}"
            catches.append(f"{said} In the reporter's words: “{quote}”" if quote else said)
        out.append(
            EventsWeek(
                total=len(mine),
                # In the order of their codes, as the tables have always listed them.
                by_kind=dict(sorted(by_kind.items())),
                by_category=dict(sorted(by_category.items())),
                by_harm=dict(sorted(by_harm.items())),
                good_catches=catches,
            )
        )
    return out


AGE_BANDS = ("0-7 days", "8-30 days", "31-90 days", "over 90 days")


def _actions_weeks(s: Session, unit_id: int, weeks: list[Week]) -> list[ActionsWeek]:
    """Each week's actions opened, closed and escalated, and those open at its end by
    age: one statement for all of ``weeks`` (consecutive, oldest first), which reads
    the actions open at the first week's start or touched since."""
    start, end = weeks[0].utc_bounds()[0], weeks[-1].utc_bounds()[1]
    rows = s.execute(
        select(
            Action.created_at, Action.closed_at, Action.escalated_at, Action.due_on, Action.status
        ).where(
            Action.unit_id == unit_id,
            Action.created_at < end,
            Action.closed_at.is_(None)
            | (Action.closed_at >= start)
            | (Action.escalated_at >= start)
            | (Action.created_at >= start),
        )
    ).all()
    out = []
    for week in weeks:
        w_start, w_end = week.utc_bounds()
        end_day = week.monday + dt.timedelta(days=7)

        def within(moment: dt.datetime | None) -> bool:
            return moment is not None and w_start <= moment < w_end  # noqa: B023

        still_open = [
            r
            for r in rows
            if r[0] < w_end and (r[1] is None or r[1] >= w_end) and r[4] != "cancelled"
        ]
        ages = dict.fromkeys(AGE_BANDS, 0)
        overdue = 0
        for created, _closed, _escalated, due, _status in still_open:
            age = (w_end - created).days
            band = 0 if age <= 7 else 1 if age <= 30 else 2 if age <= 90 else 3
            ages[AGE_BANDS[band]] += 1
            if due is not None and due < end_day:
                overdue += 1
        out.append(
            ActionsWeek(
                opened=sum(1 for r in rows if within(r[0])),
                closed=sum(1 for r in rows if within(r[1])),
                escalated=sum(1 for r in rows if within(r[2])),
                open=len(still_open),
                overdue=overdue,
                ages=ages,
            )
        )
    return out


def _behaviours(
    s: Session, unit_id: int, weeks: list[Week]
) -> tuple[BehavioursWeek, Series[ControlChart] | None]:
    first, _ = weeks[0].utc_bounds()
    _, last = weeks[-1].utc_bounds()
    rows = s.execute(
        select(
            ChecklistSession.started_at,
            ChecklistItem.code,
            ChecklistItem.text,
            ChecklistItem.hro_principle,
            ChecklistResponse.result,
        )
        .join(ChecklistResponse, ChecklistResponse.session_id == ChecklistSession.id)
        .join(ChecklistItem, ChecklistItem.id == ChecklistResponse.item_id)
        .where(
            ChecklistSession.unit_id == unit_id,
            ChecklistSession.started_at >= first,
            ChecklistSession.started_at < last,
            ChecklistResponse.result.in_(["observed", "missed"]),
        )
    ).all()
    if not rows:
        return BehavioursWeek({}, {}), None
    week_start, _ = weeks[-1].utc_bounds()
    by_b: dict[str, list[int]] = {}
    by_p: dict[str, list[int]] = {}
    per_week: dict[str, list[int]] = {w.label: [0, 0] for w in weeks}
    for started, _code, text, principle, result in rows:
        ok = 1 if result == "observed" else 0
        label = Week.of(started.date()).label
        if label in per_week:
            per_week[label][0] += ok
            per_week[label][1] += 1
        if started >= week_start:
            by_b.setdefault(text, [0, 0])
            by_b[text][0] += ok
            by_b[text][1] += 1
            if principle:
                by_p.setdefault(principle, [0, 0])
                by_p[principle][0] += ok
                by_p[principle][1] += 1
    chart = control_chart.p_chart(
        [v[0] for v in per_week.values()], [v[1] for v in per_week.values()]
    )
    series = Series(
        list(per_week),
        chart.values,
        chart,
        "HRO behaviours observed, share of applicable opportunities",
        "share observed",
    )
    shares = BehavioursWeek(
        {k: Share(*v) for k, v in by_b.items()}, {k: Share(*v) for k, v in by_p.items()}
    )
    return shares, series


def first_week(s: Session, unit_id: int) -> Week | None:
    """The week of the unit's first huddle, report or checklist session (None: no data)."""
    firsts = [
        s.scalar(select(func.min(Huddle.started_at)).where(Huddle.unit_id == unit_id)),
        s.scalar(select(func.min(SafetyEvent.occurred_at)).where(SafetyEvent.unit_id == unit_id)),
        s.scalar(
            select(func.min(ChecklistSession.started_at)).where(ChecklistSession.unit_id == unit_id)
        ),
    ]
    days = [local_date(f) for f in firsts if f is not None]
    return Week.of(min(days)) if days else None


@audit.requires("report.view")
def weekly_figures(
    db: Database,
    actor: Actor,
    week: Week,
    unit_id: int | None = None,
    *,
    today: dt.date | None = None,
) -> WeeklyFigures:
    """Every figure of the weekly report for one unit and one ISO week.

    Huddles are expected at the shift starts that have come by now (by the end of
    ``today`` when that is an earlier day): all of them in a past week.
    """
    today = today or dt.date.today()
    now = min(dt.datetime.now(), dt.datetime.combine(today, dt.time.max))
    if week.monday > today:
        raise ValidationError(f"{week.label} has not started yet; choose a week that has.")
    unit_id = unit_id or actor.unit_id
    weeks = [week.shifted(-i) for i in range(HISTORY_WEEKS - 1, -1, -1)]
    # Reports and messages whose batch is due are counted: sending never releases them.
    anonymity.release_due(db, messages=True)
    # Computing a figure notes the unit's group size: lowering it later shows nothing new.
    group_sizes = loop_measure.note_group_size(db, unit_id, today)
    kept_learners = loop_measure.note_learners(db, unit_id, week.monday, today)  # kept for good
    roster = unit_roster(db, unit_id)
    with db.read() as s:
        unit = s.get(Unit, unit_id)
        if unit is None:
            raise ValidationError("That unit does not exist.")
        # Charts begin at the unit's first week of data: earlier weeks are not zeros.
        start = first_week(s, unit_id)
        if start is not None and start.monday > weeks[0].monday:
            weeks = [w for w in weeks if w.monday >= min(start.monday, week.monday)]
        prev_hud, hud = _huddle_weeks(s, unit, [week.shifted(-1), week], now)
        expected = {w.label: _expected_huddles(unit, w, now) for w in weeks}
        whole_week = _expected_huddles(unit, week, dt.datetime.max)
        prev_ev, ev = _events_weeks(s, unit_id, [week.shifted(-1), week], roster)
        prev_act, act = _actions_weeks(s, unit_id, [week.shifted(-1), week])
        first, _ = weeks[0].utc_bounds()
        _, last = week.utc_bounds()
        event_week = _week_of(SafetyEvent.occurred_at, weeks)
        event_rows = s.execute(
            select(event_week, SafetyEvent.kind, func.count(SafetyEvent.id))
            .where(
                SafetyEvent.unit_id == unit_id,
                SafetyEvent.occurred_at >= first,
                SafetyEvent.occurred_at < last,
            )
            .group_by(event_week, SafetyEvent.kind)
        ).all()
        huddle_week = _week_of(Huddle.started_at, weeks)
        huddle_rows = s.execute(
            select(huddle_week, func.count(Huddle.id))
            .where(Huddle.unit_id == unit_id, Huddle.started_at >= first, Huddle.started_at < last)
            .group_by(huddle_week)
        ).all()
        census = {
            r[0]: r[1]
            for r in s.execute(
                select(WeeklyCensus.week_start, WeeklyCensus.patient_days).where(
                    WeeklyCensus.unit_id == unit_id,
                    WeeklyCensus.week_start >= weeks[0].monday,
                    WeeklyCensus.week_start <= week.monday,
                )
            ).all()
        }
        behaviours, behaviour_series = _behaviours(s, unit_id, weeks)
        obs_start, obs_end = week.monday, week.monday + dt.timedelta(days=7)
        obs = s.execute(
            select(
                func.count(LearnerObservation.id), func.count(LearnerObservation.acknowledged_at)
            ).where(
                LearnerObservation.unit_id == unit_id,
                LearnerObservation.observed_on >= obs_start,
                LearnerObservation.observed_on < obs_end,
            )
        ).one()
        loop = loop_measure.loop_week(
            s, unit, [(w.label, w.monday) for w in weeks], today, group_sizes, kept_learners
        )
        code, name = unit.code, unit.name
    you_said = bulletin.you_said_we_did(
        db, unit_id, week.monday, week.monday + dt.timedelta(days=7)
    )
    labels = [w.label for w in weeks]
    counts = {lbl: 0 for lbl in labels}
    all_counts = {lbl: 0 for lbl in labels}
    for i, kind, n in event_rows:
        if 0 <= i < len(labels):
            all_counts[labels[i]] += n
            if kind in RUN_CHART_KINDS:
                counts[labels[i]] += n
    run = run_chart.analyse([float(counts[lbl]) for lbl in labels])
    event_run = Series(
        labels,
        [float(counts[lbl]) for lbl in labels],
        run,
        "Near misses and good catches reported per week",
        "reports per week",
    )
    exposure = [census.get(w.monday) for w in weeks]
    event_u: Series[ControlChart] | None = None
    if any(exposure):
        chart = control_chart.u_chart(
            [all_counts[lbl] for lbl in labels], [(e / 1000) if e else None for e in exposure]
        )
        missing = [labels[i] for i in chart.skipped]
        event_u = Series(
            labels,
            chart.values,
            chart,
            "Safety reports per 1,000 patient-days",
            "reports per 1,000 patient-days",
            missing,
        )
    held = {lbl: 0 for lbl in labels}
    for i, n in huddle_rows:
        if 0 <= i < len(labels):
            held[labels[i]] += n
    p = control_chart.p_chart(
        [min(expected[lbl], held[lbl]) for lbl in labels], [expected[lbl] for lbl in labels]
    )
    huddle_p = Series(
        labels,
        p.values,
        p,
        f"Huddles held, share of the {whole_week} expected per week",
        "share held",
    )
    loop_share = Series(
        loop.weeks,
        loop.share_chart.values,
        loop.share_chart,
        f"Reporters who heard back within 7 days, by week of report (target {loop.target_pct}%)",
        "share fed back in 7 days",
    )
    loop_days = Series(
        loop.weeks,
        loop.median_values,
        loop.median_chart,
        "Median days to first feedback, by week of report",
        "days to first feedback",
    )
    pulse_results = None
    if actor.can("pulse.results"):
        # The quarters closed by the end of the week: what any earlier copy showed too.
        pulse_results = pulses.results(
            db, actor, today=min(today, week.monday + dt.timedelta(days=7))
        )
    learners = LearnersWeek(loop.learners, int(obs[0]), int(obs[1]))
    headlines = [
        Headline(f"Huddles held (of {hud.expected})", hud.held, prev_hud.held),
        Headline("Median huddle length", hud.median_minutes, prev_hud.median_minutes, "min"),
        Headline("Safety reports", ev.total, prev_ev.total),
        Headline(
            "Good catches", ev.by_kind.get("good_catch", 0), prev_ev.by_kind.get("good_catch", 0)
        ),
        Headline("Actions closed", act.closed, prev_act.closed),
        Headline("Actions overdue", act.overdue, prev_act.overdue),
    ]
    charted: list[tuple[str, Series[Analysis] | None]] = [
        ("Reports run chart", event_run),
        ("Reports per 1,000 patient-days", event_u),
        ("Huddles held", huddle_p),
        ("HRO behaviours", behaviour_series),
        ("Feedback within 7 days", loop_share),
        ("Days to first feedback", loop_days),
    ]
    # The control charts count points as "1 point(s)": written as people write them.
    signals = [
        counts_in(f"{name}: {sig.sentence}")
        for name, series in charted
        if series is not None
        for sig in series.analysis.signals
    ]
    has_data = bool(hud.held or ev.total or act.opened or act.closed)
    return WeeklyFigures(
        code,
        name,
        week,
        hud,
        ev,
        act,
        behaviours,
        pulse_results,
        learners,
        headlines,
        signals,
        event_run,
        event_u,
        huddle_p,
        behaviour_series,
        has_data,
        loop,
        loop_share,
        loop_days,
        you_said,
    )


def labels() -> dict[str, dict[str, str]]:
    """Display labels for the report's vocabularies."""
    tax, unit = taxonomy(), unit_vocabulary()
    return {
        "kinds": tax.labels_by_key("kinds"),
        "categories": tax.labels_by_key("categories"),
        "harm": tax.labels_by_key("harm"),
        "professions": unit.labels_by_key("professions"),
        "principles": unit.labels_by_key("hro_principles"),
    }
