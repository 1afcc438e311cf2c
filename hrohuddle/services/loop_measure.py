"""The measure of the loop: did the reporter hear back, how soon, and who is still waiting.

Read by the dashboard and the weekly report (through ``reporting.weekly_figures``).

Feedback within 7 days is counted by the week a report was made (its ``reported_on``),
as of the end of the chosen week (or today, in a week still running), so that a
report printed later shows what the first copy showed. A report's first feedback is
the first day its reporter was told anything beyond the automatic acknowledgement:
``SafetyEvent.first_feedback_on``, or a reviewer's message if that came earlier (a
question to an anonymous reporter reaches the receipt, so it counts as feedback). A
duplicate merged into another report is not counted apart: the report it joined is.

The 7-day window includes its seventh day. So a report fed back on day 7 is a
success, on day 8 a failure; a report not yet fed back is not counted while its
window is still open (up to and including its seventh day), and counts as a failure
from its eighth day.

Reports by learners per learner (learners as sensors of the system) count named
reports only: an anonymous report is never attributed. A week's learner figures are
published only once the week has ended and only when both its learner reports and
the unit's learners are at least the unit's minimum group size (or no reports at
all); the week is fixed by the day a report was made, which never changes, so every
copy of a week's figures is the same and no difference of two copies reveals a
hidden figure.
"""

from __future__ import annotations

import datetime as dt
import json
import statistics
from dataclasses import dataclass

from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hrohuddle.analytics import control_chart, run_chart
from hrohuddle.analytics.control_chart import ControlChart
from hrohuddle.analytics.run_chart import RunChart
from hrohuddle.services.dates import local_date, to_utc
from hrohuddle.store.database import Database
from hrohuddle.store.models import AppMeta, Person, ReportMessage, SafetyEvent, Unit

#: The reporter is owed word within this many days of the report.
FEEDBACK_DAYS = 7


@dataclass(frozen=True)
class LearnerSensors:
    """Named reports by learners in a week, per learner on the unit that week.

    ``reports``, ``learners`` and ``per_learner`` are None when hidden; ``reason`` then
    says why in a sentence for the report ("" when everything is shown). ``min_size``
    is the smallest group used for this week: the largest the unit has had since the
    week ended, which may be more than ``unit_min_size``, the unit's setting today.
    """

    reports: int | None
    learners: int | None
    per_learner: float | None
    min_size: int
    reason: str = ""
    unit_min_size: int | None = None

    @property
    def _why_hidden(self) -> str:
        if self.reason == WEEK_RUNNING:
            return "shown when the week has ended"
        if self.reason == FEW_LEARNERS:
            return f"hidden: fewer than {self.min_size} learners"
        if self.reason == FEW_REPORTS:
            return f"hidden: fewer than {self.min_size} reports"
        return "hidden"

    @property
    def reports_text(self) -> str:
        if self.reports is not None:
            return str(self.reports)
        if self.reason == FEW_REPORTS:
            return f"fewer than {self.min_size}"
        return self._why_hidden

    @property
    def learners_text(self) -> str:
        if self.learners is not None:
            return str(self.learners)
        if self.reason == FEW_LEARNERS:
            return f"fewer than {self.min_size}"
        return self._why_hidden

    @property
    def per_learner_text(self) -> str:
        if self.per_learner is not None:
            return f"{self.per_learner:.2f}"
        return self._why_hidden

    @property
    def threshold_text(self) -> str:
        """The smallest group used, and why when it is more than the unit's setting."""
        if self.unit_min_size is not None and self.min_size > self.unit_min_size:
            return (
                f"{self.min_size} (the largest since the week ended; "
                f"the unit's setting is now {self.unit_min_size})"
            )
        return str(self.min_size)


WEEK_RUNNING = "week_running"
FEW_REPORTS = "few_reports"
FEW_LEARNERS = "few_learners"


@dataclass(frozen=True)
class LoopWeek:
    """The loop's figures for the reports made in one week, and its 26-week history.

    ``share_values`` and ``median_values`` follow ``weeks``; ``share_chart`` is a
    p-chart of feedback within 7 days, ``median_chart`` a run chart of the median days
    to first feedback. ``unanswered`` reports were fed back with a question their
    anonymous reporter has not answered: counted as fed back, and named apart.
    """

    as_of: dt.date
    target_pct: int
    reported: int
    counted: int
    within: int
    not_yet_due: int
    unanswered: int
    median_days: float | None
    awaiting: int
    awaiting_over_7: int
    oldest_awaiting_days: int | None
    learners: LearnerSensors
    weeks: list[str]
    within_counts: list[int]
    counted_counts: list[int]
    share_chart: ControlChart
    median_values: list[float | None]
    median_chart: RunChart

    @property
    def share(self) -> float | None:
        return self.within / self.counted if self.counted else None


@dataclass(frozen=True)
class _Report:
    """``count`` reports made on one day that had first word on the same day (or none)."""

    reported_on: dt.date
    first_feedback: dt.date | None  # as of the measure's day
    unanswered: bool
    count: int = 1


@dataclass(frozen=True)
class _Awaiting:
    """Reports still awaiting word: how many, how many for over 7 days, the oldest's age."""

    count: int
    over_7: int
    oldest_days: int | None


def _reports(
    s: Session, unit_id: int, since: dt.date, as_of: dt.date
) -> tuple[list[_Report], _Awaiting]:
    """(the reports made from ``since`` to ``as_of``, every report still awaiting word).

    The weeks charted are read by day: reports with no conversation counted by the day
    they were made and their first feedback day (a busy unit's half year is a few
    hundred groups, not thousands of rows), those with one report by report; reports
    made before them that still await word are counted in the database, however many
    years of them there are. A report has had word by ``as_of`` when its first feedback
    day is on or before it, or a reviewer wrote to it before that day ended (local time).
    """
    day_after = to_utc(dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time()))
    counted = (
        SafetyEvent.unit_id == unit_id,
        SafetyEvent.merged_into_id.is_(None),
        SafetyEvent.reported_on <= as_of,
    )
    in_weeks = (*counted, SafetyEvent.reported_on >= since)
    talked_about = select(ReportMessage.event_id)
    groups = s.execute(
        select(SafetyEvent.reported_on, SafetyEvent.first_feedback_on, func.count(SafetyEvent.id))
        .where(*in_weeks, SafetyEvent.id.not_in(talked_about))
        .group_by(SafetyEvent.reported_on, SafetyEvent.first_feedback_on)
    ).all()
    rows = s.execute(
        select(
            SafetyEvent.id,
            SafetyEvent.reported_on,
            SafetyEvent.anonymous,
            SafetyEvent.first_feedback_on,
        ).where(*in_weeks, SafetyEvent.id.in_(talked_about))
    ).all()
    # The conversations of those reports, read in one go (the same filter, joined).
    messages = s.execute(
        select(
            ReportMessage.event_id,
            ReportMessage.position,
            ReportMessage.sender,
            ReportMessage.kind,
            ReportMessage.sent_at,
        )
        .join(SafetyEvent, SafetyEvent.id == ReportMessage.event_id)
        .where(*in_weeks)
        .order_by(ReportMessage.event_id, ReportMessage.position)
    ).all()
    first_word: dict[int, dt.date] = {}
    open_question: dict[int, bool] = {}
    for event_id, _pos, sender, kind, sent_at in messages:
        day = local_date(sent_at)
        if day > as_of:
            continue
        if sender == "reviewer":
            first_word.setdefault(event_id, day)
            if kind == "question":
                open_question[event_id] = True
        else:
            open_question[event_id] = False
    made = [
        _Report(
            reported_on,
            first_on if first_on is not None and first_on <= as_of else None,
            False,
            int(n),
        )
        for reported_on, first_on, n in groups
    ]
    for event_id, reported_on, anonymous, first_on in rows:
        dates = [d for d in (first_on, first_word.get(event_id)) if d is not None and d <= as_of]
        made.append(
            _Report(
                reported_on,
                min(dates) if dates else None,
                bool(anonymous) and open_question.get(event_id, False),
            )
        )
    waiting_here = [r for r in made if r.first_feedback is None]
    # Reports from before those weeks still awaiting word: counted from the index of
    # reports by date (which holds the first feedback day), less those a reviewer wrote
    # to, found from the far fewer reviewers' messages; the oldest found by walking
    # that index from its start. A correlated look-up per report took a tenth of a
    # second on a unit with 100,000 reports.
    older = (
        *counted,
        SafetyEvent.reported_on < since,
        or_(SafetyEvent.first_feedback_on.is_(None), SafetyEvent.first_feedback_on > as_of),
    )
    overdue = SafetyEvent.reported_on < as_of - dt.timedelta(days=FEEDBACK_DAYS)
    reviewer_wrote_to = select(ReportMessage.event_id).where(
        ReportMessage.sender == "reviewer", ReportMessage.sent_at < day_after
    )
    tally = (func.count(SafetyEvent.id), func.count(SafetyEvent.id).filter(overdue))
    no_feedback, no_feedback_over_7 = s.execute(select(*tally).where(*older)).one()
    written_to, written_to_over_7 = s.execute(
        select(*tally).where(*older, SafetyEvent.id.in_(reviewer_wrote_to))
    ).one()
    older_count = int(no_feedback or 0) - int(written_to or 0)
    older_over_7 = int(no_feedback_over_7 or 0) - int(written_to_over_7 or 0)
    older_oldest = (
        s.execute(
            select(SafetyEvent.reported_on)
            .where(*older, SafetyEvent.id.not_in(reviewer_wrote_to))
            .order_by(SafetyEvent.reported_on)
            .limit(1)
        ).scalar()
        if older_count
        else None
    )
    oldest_here = min((r.reported_on for r in waiting_here), default=None)
    oldest = [d for d in (older_oldest, oldest_here) if d is not None]
    return made, _Awaiting(
        count=older_count + sum(r.count for r in waiting_here),
        over_7=older_over_7
        + sum(r.count for r in waiting_here if (as_of - r.reported_on).days > FEEDBACK_DAYS),
        oldest_days=(as_of - min(oldest)).days if oldest else None,
    )


def _learners_on_unit(s: Session, unit_id: int, sunday: dt.date) -> int:
    """Active learners of the unit who had started by the week's end (the day they
    were added when no start day was given)."""
    rows = s.execute(
        select(Person.start_date, Person.created_at).where(
            Person.unit_id == unit_id, Person.is_learner.is_(True), Person.active.is_(True)
        )
    ).all()
    return sum((start or local_date(created)) <= sunday for start, created in rows)


def _learners_key(unit_id: int) -> str:
    return f"unit:{unit_id}:learners_by_week"


def _read_learners(s: Session, unit_id: int) -> dict[str, int]:
    row = s.get(AppMeta, _learners_key(unit_id))
    if row is None:
        return {}
    try:
        return {str(d): int(n) for d, n in json.loads(row.value).items()}
    except (ValueError, TypeError, AttributeError):
        return {}  # unreadable: each week is noted again the next time it is computed


def note_learners(db: Database, unit_id: int, monday: dt.date, today: dt.date) -> int | None:
    """The count of learners on the unit in the week starting ``monday``, as it was
    the first time it was computed after the week ended; None while the week runs.

    Kept in app_meta (no change to the schema), so that editing the staff list later
    (a start day moved back, someone marked a learner, a leaver made active again)
    never turns a hidden learner figure into a shown one.
    """
    sunday = monday + dt.timedelta(days=6)
    if today <= sunday:
        return None
    day = monday.isoformat()
    with db.read() as s:
        kept = _read_learners(s, unit_id)
        if day in kept:
            return kept[day]
    key = _learners_key(unit_id)
    with db.write() as s:
        try:
            with s.begin_nested():  # two first computations at once on a server
                row = s.get(AppMeta, key)
                kept = _read_learners(s, unit_id)
                if day in kept:
                    return kept[day]
                kept[day] = _learners_on_unit(s, unit_id, sunday)
                if row is None:
                    s.add(AppMeta(key=key, value=json.dumps(kept, sort_keys=True)))
                else:
                    row.value = json.dumps(kept, sort_keys=True)
        except IntegrityError:
            kept = _read_learners(s, unit_id)
            if day in kept:
                return kept[day]
            return _learners_on_unit(s, unit_id, sunday)
    return kept[day]


#: The unit's minimum group sizes over time, kept in app_meta (no change to the units table).
GroupSizes = list[tuple[dt.date, int]]


def _group_sizes_key(unit_id: int) -> str:
    return f"unit:{unit_id}:group_sizes"


def noted_group_size(history: GroupSizes, today: dt.date, k: int) -> GroupSizes:
    """``history`` with ``k`` noted as the unit's minimum group size on ``today``: a new
    entry only when it differs from the last one, never dated before it."""
    if history and history[-1][1] == k:
        return history
    day = max(today, history[-1][0]) if history else today
    return [*history, (day, k)]


def group_size_since(history: GroupSizes, sunday: dt.date, current: int) -> int:
    """The largest minimum group size the unit has had since the week ending ``sunday``
    ended: the one in force that Sunday, every later one, and ``current``.

    Learner figures of a week use it, so that lowering the minimum never shows a figure
    an earlier copy hid; raising it only hides more.
    """
    sizes = [current] + [k for day, k in history if day > sunday]
    before = [k for day, k in history if day <= sunday]
    if before:
        sizes.append(before[-1])
    return max(sizes)


def _read_sizes(s: Session, unit_id: int) -> GroupSizes:
    row = s.get(AppMeta, _group_sizes_key(unit_id))
    if row is None:
        return []
    try:
        return [(dt.date.fromisoformat(str(d)), int(k)) for d, k in json.loads(row.value)]
    except (ValueError, TypeError):
        # Never a reason to show more: an unreadable history keeps its largest number.
        numbers = [
            int(n) for n in row.value.replace("]", " ").replace(",", " ").split() if n.isdigit()
        ]
        return [(dt.date.min, max(numbers))] if numbers else []


def note_group_size(db: Database, unit_id: int, today: dt.date | None = None) -> GroupSizes:
    """Note the unit's minimum group size as in force ``today`` and return its history.

    Called whenever learner figures are computed and around every save of the unit's
    settings; written only when the size differs from the last one noted.
    """
    today = today or dt.date.today()
    with db.read() as s:
        k = s.scalar(select(Unit.min_group_size).where(Unit.id == unit_id))
        history = _read_sizes(s, unit_id)
    if k is None:
        return history
    noted = noted_group_size(history, today, int(k))
    if noted is history:
        return history
    key = _group_sizes_key(unit_id)
    with db.write() as s:
        history = noted_group_size(_read_sizes(s, unit_id), today, int(k))
        row = s.get(AppMeta, key)
        if row is None:
            try:
                with s.begin_nested():  # two first computations at once on a server
                    s.add(AppMeta(key=key, value=_sizes_text(history)))
                return history
            except IntegrityError:
                history = noted_group_size(_read_sizes(s, unit_id), today, int(k))
                row = s.get(AppMeta, key)
                assert row is not None
        row.value = _sizes_text(history)
    return history


def _sizes_text(history: GroupSizes) -> str:
    return json.dumps([[d.isoformat(), n] for d, n in history])


def learner_sensors(
    s: Session,
    unit_id: int,
    monday: dt.date,
    today: dt.date,
    min_size: int,
    *,
    unit_min_size: int | None = None,
    learners: int | None = None,
) -> LearnerSensors:
    """The week's named reports by learners per learner on the unit, or why it is hidden.

    ``min_size`` is the group size for this week (``group_size_since``), ``unit_min_size``
    the unit's setting today, named beside it when smaller; ``learners`` the week's
    learner count as first computed (``note_learners``), else counted from today's list.
    """
    sunday = monday + dt.timedelta(days=6)
    if today <= sunday:
        return LearnerSensors(None, None, None, min_size, WEEK_RUNNING, unit_min_size)
    reports = int(
        s.scalar(
            select(func.count(SafetyEvent.id)).where(
                SafetyEvent.unit_id == unit_id,
                SafetyEvent.anonymous.is_(False),
                SafetyEvent.reporter_is_learner.is_(True),
                and_(SafetyEvent.reported_on >= monday, SafetyEvent.reported_on <= sunday),
            )
        )
        or 0
    )
    if learners is None:  # a count kept earlier wins over today's staff list
        learners = _read_learners(s, unit_id).get(monday.isoformat())
    if learners is None:
        learners = _learners_on_unit(s, unit_id, sunday)
    return publish_learners(reports, learners, True, min_size, unit_min_size)


def publish_learners(
    reports: int,
    learners: int,
    week_ended: bool,
    min_size: int,
    unit_min_size: int | None = None,
) -> LearnerSensors:
    """What may be shown of a week's ``reports`` by ``learners`` learners.

    Nothing while the week runs; no count beside fewer than ``min_size`` learners; no
    count of 1 to ``min_size - 1`` reports; the rate only beside both counts.
    """
    if not week_ended:
        return LearnerSensors(None, None, None, min_size, WEEK_RUNNING, unit_min_size)
    if 0 < learners < min_size:
        # The count of reports is shown only beside a learner count that may be shown.
        return LearnerSensors(None, None, None, min_size, FEW_LEARNERS, unit_min_size)
    if 0 < reports < min_size:
        return LearnerSensors(None, learners, None, min_size, FEW_REPORTS, unit_min_size)
    rate = reports / learners if learners else None
    return LearnerSensors(reports, learners, rate, min_size, "", unit_min_size)


def loop_week(
    s: Session,
    unit: Unit,
    weeks: list[tuple[str, dt.date]],
    today: dt.date,
    group_sizes: GroupSizes | None = None,
    learners: int | None = None,
) -> LoopWeek:
    """The loop's figures for the last of ``weeks`` (label, Monday), as of the end of
    that week or ``today`` if earlier, with the history of every week in ``weeks``.

    Learner figures use the largest minimum group size in ``group_sizes`` (from
    ``note_group_size``) since the week ended, never less than the unit's own, and
    ``learners``, the week's learner count kept by ``note_learners``.
    """
    monday = weeks[-1][1]
    k = group_size_since(group_sizes or [], monday + dt.timedelta(days=6), unit.min_group_size)
    as_of = min(today, monday + dt.timedelta(days=6))
    made, awaiting = _reports(s, unit.id, weeks[0][1], as_of)
    by_week: dict[dt.date, list[_Report]] = {m: [] for _label, m in weeks}
    for r in made:
        week_monday = r.reported_on - dt.timedelta(days=r.reported_on.weekday())
        if week_monday in by_week:
            by_week[week_monday].append(r)
    within_counts, counted_counts, medians = [], [], []
    for _label, m in weeks:
        within = counted = 0
        days = []
        for r in by_week[m]:
            if r.first_feedback is not None:
                took = (r.first_feedback - r.reported_on).days
                days.extend([took] * r.count)
                counted += r.count
                within += r.count if took <= FEEDBACK_DAYS else 0
            elif (as_of - r.reported_on).days > FEEDBACK_DAYS:
                counted += r.count
        within_counts.append(within)
        counted_counts.append(counted)
        medians.append(float(statistics.median(days)) if days else None)
    this_week = by_week[monday]
    fed = [
        (r.first_feedback - r.reported_on).days
        for r in this_week
        if r.first_feedback
        for _ in range(r.count)
    ]
    return LoopWeek(
        as_of=as_of,
        target_pct=unit.feedback_target_pct,
        reported=sum(r.count for r in this_week),
        counted=counted_counts[-1],
        within=within_counts[-1],
        not_yet_due=sum(r.count for r in this_week) - counted_counts[-1],
        unanswered=sum(r.count for r in this_week if r.unanswered and r.first_feedback is not None),
        median_days=float(statistics.median(fed)) if fed else None,
        awaiting=awaiting.count,
        awaiting_over_7=awaiting.over_7,
        oldest_awaiting_days=awaiting.oldest_days,
        learners=learner_sensors(
            s, unit.id, monday, today, k, unit_min_size=unit.min_group_size, learners=learners
        ),
        weeks=[label for label, _m in weeks],
        within_counts=within_counts,
        counted_counts=counted_counts,
        share_chart=control_chart.p_chart(within_counts, counted_counts),
        median_values=medians,
        median_chart=run_chart.analyse(medians),
    )
