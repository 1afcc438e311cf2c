"""The department view: a tier's units side by side and together, for one ISO week.

For a department lead (or anyone holding a role on the department or the hospital
above it): per unit and for the department, huddle reliability, reports and harm,
loop closure, behaviour reliability, pulse results, open escalations and their age,
and run and control charts built by the same analytics as the unit's weekly report.
For the hospital's leaders the columns are its departments.

Only aggregates leave this module: never a report, its narrative, its reporter or a
pulse answer. Figures are read in a few grouped queries over every unit at once.
Over 600 lines because the figures, the pulse suppression that guards them and the
words of the units' table (shared by the screen and the PDF) belong together.

Which figures are suppressed, and why:

- Huddles held, expected and on time, their length, reports by kind and harm, actions
  and escalations count things the unit does together, not people; each unit's own
  weekly report and dashboard already print them for every manager to see, unsuppressed.
  Putting them side by side discloses nothing that is not printed already.
- Loop closure and behaviour reliability are shares of reports and of observed
  opportunities, printed per unit on its weekly report in the same way.
- Pulse results come from anonymous answers: each unit's figure for the latest closed
  quarter is shown only with at least ``k`` answers and ``k`` complete answers (``k``
  the largest minimum group size of any unit on the server, or of any quarter's first
  publication), further units are hidden so that the hidden ones pool to none or at
  least ``k`` (``suppression.hidden_cells``), and the tier's total is shown only when
  what it gives away beyond every figure published anywhere (a unit's own results
  included) pools to none or at least ``k``. tests/test_department_disclosure.py proves
  it with the disclosure auditor's linear algebra.
- No per-learner or per-profession figure is shown.

What the proof covers: one quarter's figures as the views publish them with the
units each department held in the week shown. A unit moved between departments during
a quarter, or a minimum group size raised later, makes different pools of the same
quarter; pooling to at least ``k`` keeps every single unit hidden in each, but weeks
shown before and after a move are not audited together.

Which units a week shows: those the tier held on the week's last day (or today, while
the week runs), from the dated placements (``tiers.units_under(..., on=...)``). Moving a
unit later leaves a department's past weeks as they were; a unit moved during a week
shows, with its own figures, in the department it ended the week in.
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select

from hrohuddle.analytics import control_chart, run_chart, suppression
from hrohuddle.analytics.control_chart import ControlChart
from hrohuddle.analytics.run_chart import RunChart
from hrohuddle.services import audit, checklists, escalations, loop_measure, pulses, tiers
from hrohuddle.services.anonymity import quarter_bounds, quarter_of
from hrohuddle.services.dates import day as day_text
from hrohuddle.services.dates import local_date, to_utc
from hrohuddle.services.errors import NotFound, ValidationError
from hrohuddle.services.permissions import Actor
from hrohuddle.services.reporting import (
    HISTORY_WEEKS,
    ON_TIME_MINUTES,
    RUN_CHART_KINDS,
    Series,
    Week,
    _expected_huddles,
)
from hrohuddle.services.shifts import ShiftClock
from hrohuddle.store.database import Database
from hrohuddle.store.models import (
    Escalation,
    Huddle,
    PulsePublication,
    PulseResponse,
    SafetyEvent,
    Tier,
    Unit,
)

#: Harm levels that reached the patient and hurt them (the AHRQ harm scale's keys).
HARMED = ("death", "severe", "moderate", "mild")
AGE_BANDS = ("0-2 days", "3-7 days", "8-30 days", "over 30 days")


@dataclass(frozen=True)
class PulseFigure:
    """One column's psychological-safety figures for a closed quarter (None: hidden)."""

    period: str
    n: int | None
    complete: int | None
    scale_mean: float | None

    @property
    def hidden(self) -> bool:
        return self.n is None


@dataclass(frozen=True)
class Column:
    """One unit (or one department of the hospital), or the tier together."""

    code: str
    name: str
    units: int
    held: int
    expected: int
    on_time: int
    median_minutes: float | None
    reports: int
    by_kind: dict[str, int]
    by_harm: dict[str, int]
    harmed: int
    loop_within: int
    loop_counted: int
    observed: int
    opportunities: int
    open_escalations: int
    oldest_escalation_days: int | None
    pulse: PulseFigure
    huddle_p: Series[ControlChart]
    event_run: Series[RunChart]
    heard_back: Series[ControlChart]

    @property
    def charts(self) -> list[tuple[str, Series[Any]]]:
        """Every chart of the column, with the few words the table's signals use."""
        return [
            ("huddles held", self.huddle_p),
            ("reports", self.event_run),
            ("heard back", self.heard_back),
        ]

    @property
    def signal_count(self) -> int:
        return sum(len(series.analysis.signals) for _w, series in self.charts)

    @property
    def held_share(self) -> float | None:
        return self.held / self.expected if self.expected else None

    @property
    def on_time_share(self) -> float | None:
        return self.on_time / self.held if self.held else None

    @property
    def loop_share(self) -> float | None:
        return self.loop_within / self.loop_counted if self.loop_counted else None

    @property
    def behaviour_share(self) -> float | None:
        return self.observed / self.opportunities if self.opportunities else None


@dataclass(frozen=True)
class OpenEscalation:
    unit_code: str
    unit_name: str
    title: str
    raised_on: dt.date
    age_days: int
    needed_by: dt.date | None
    with_tier: str


@dataclass(frozen=True)
class DepartmentWeek:
    tier_id: int
    code: str
    name: str
    level: int
    week: Week
    #: "unit" on a department, "department" on the hospital.
    column_word: str
    columns: list[Column]
    together: Column
    escalations: list[OpenEscalation]
    escalation_ages: dict[str, int]
    pulse_period: str
    pulse_min_size: int
    loop_share: Series[ControlChart]
    notes: list[str] = field(default_factory=list)
    #: The day its figures run to: the week's Sunday, or today while the week runs.
    as_of: dt.date | None = None

    @property
    def has_data(self) -> bool:
        return bool(self.together.held or self.together.reports or self.escalations)

    @property
    def last_day(self) -> dt.date:
        return self.as_of or self.week.monday + dt.timedelta(days=6)

    @property
    def running(self) -> bool:
        """The week is not over: its figures count what has happened so far."""
        return self.last_day < self.week.monday + dt.timedelta(days=6)

    @property
    def span_words(self) -> str:
        """The days the figures cover: the whole week, or so far, to today."""
        sunday = self.week.monday + dt.timedelta(days=6)
        first = f"{self.week.monday:%a} {self.week.monday.day} {self.week.monday:%b}"
        if self.running:
            return (
                f"{first} to {day_text(self.last_day)} so far "
                f"(the week is not over: it ends on {day_text(sunday)})"
            )
        return f"{first} to {day_text(sunday)}"

    @property
    def open_words(self) -> str:
        """When the escalations counted as open were open: the week's end, or today."""
        if self.running:
            return f"open today, {day_text(self.last_day)}"
        return f"open at the week's end, {day_text(self.last_day)}"


@dataclass
class _Tally:
    """A unit's raw figures, summed into columns."""

    held: int = 0
    expected: int = 0
    on_time: int = 0
    lengths: list[float] = field(default_factory=list)
    by_kind: dict[str, int] = field(default_factory=dict)
    by_harm: dict[str, int] = field(default_factory=dict)
    loop_within: int = 0
    loop_counted: int = 0
    observed: int = 0
    opportunities: int = 0
    escalation_ages: list[int] = field(default_factory=list)
    weekly_held: list[int] = field(default_factory=list)
    weekly_expected: list[int] = field(default_factory=list)
    weekly_reports: list[int] = field(default_factory=list)
    weekly_within: list[int] = field(default_factory=list)
    weekly_counted: list[int] = field(default_factory=list)


def _add(into: _Tally, t: _Tally) -> None:
    into.held += t.held
    into.expected += t.expected
    into.on_time += t.on_time
    into.lengths += t.lengths
    for k, v in t.by_kind.items():
        into.by_kind[k] = into.by_kind.get(k, 0) + v
    for k, v in t.by_harm.items():
        into.by_harm[k] = into.by_harm.get(k, 0) + v
    into.loop_within += t.loop_within
    into.loop_counted += t.loop_counted
    into.observed += t.observed
    into.opportunities += t.opportunities
    into.escalation_ages += t.escalation_ages
    for name in (
        "weekly_held",
        "weekly_expected",
        "weekly_reports",
        "weekly_within",
        "weekly_counted",
    ):
        mine: list[int] = getattr(into, name)
        theirs: list[int] = getattr(t, name)
        if not mine:
            mine.extend(theirs)
        else:
            for i, v in enumerate(theirs):
                mine[i] += v


def closed_quarter(week: Week, today: dt.date | None = None) -> str:
    """The latest quarter closed by the end of ``week`` (by ``today`` while the week
    runs): the one its pulse figures show."""
    last = week.monday + dt.timedelta(days=6)
    after = min(last, today or last) + dt.timedelta(days=1)
    return quarter_of(quarter_bounds(quarter_of(after))[0] - dt.timedelta(days=1))


def _pulse_sizes(rows: Iterable[tuple[int, dict[str, Any] | None]]) -> dict[int, list[int]]:
    inst = pulses.instrument()
    sizes: dict[int, list[int]] = {}
    for unit_id, answers in rows:
        n = sizes.setdefault(unit_id, [0, 0])
        n[0] += 1
        n[1] += int(pulses.is_complete(dict(answers or {}), inst))
    return sizes


def pulse_suppression(
    sizes: Mapping[str, Sequence[int]],
    k: int,
    own_k: dict[str, int],
    members: dict[str, list[str]] | None = None,
) -> tuple[set[str], bool, set[str]]:
    """Which columns' pulse figures to hide and whether the total may be shown (pure).

    ``sizes`` holds each unit's (answers, complete answers); ``own_k`` each unit's own
    minimum group size, with which its own results may already show its total.
    ``members`` groups units into columns (the hospital's departments); without it each
    unit is a column. Returns (hidden columns, total shown, units published anywhere).
    """
    by_unit = members is None
    members = members or {u: [u] for u in sizes}

    def pooled(units: Iterable[str]) -> tuple[int, int]:
        got = [sizes.get(u, (0, 0)) for u in units]
        return sum(g[0] for g in got), sum(g[1] for g in got)

    # A unit whose own results can show its quarter's total is known to the adversary.
    published = {
        u for u, (n, c) in sizes.items() if n and n >= own_k.get(u, k) and c >= own_k.get(u, k)
    }
    if by_unit:
        hidden = suppression.hidden_cells({col: pooled(u) for col, u in members.items()}, k)
        published.update(u for col, units in members.items() if col not in hidden for u in units)
    else:
        # Departments of the hospital: a department's figure is shown only as its own
        # department view shows its total, so both views publish the very same figures,
        # and whatever a department view shows of its units is published too.
        hidden = set()
        for col, units in members.items():
            _, shown, seen = pulse_suppression({u: sizes.get(u, (0, 0)) for u in units}, k, own_k)
            published.update(seen)
            if not shown and any(pooled(units)):
                hidden.add(col)
    all_units = [u for units in members.values() for u in units]
    shown_cols = [c for c in members if c not in hidden]
    # What the total gives away beyond what is published: the units of hidden columns
    # that no figure anywhere shows (a shown department's total covers its own units).
    residual = [
        u
        for c in members
        if c in hidden
        for u in members[c]
        if u not in published and any(sizes.get(u, (0, 0)))
    ]
    total_n, total_c = pooled(all_units)
    res_n, res_c = pooled(residual)
    total_shown = (
        total_n >= k
        and total_c >= k
        and (res_n == 0 or res_n >= k)
        and (res_c == 0 or res_c >= k)
        and bool(shown_cols or residual)
    )
    return hidden, total_shown, published


def _weeks(week: Week) -> list[Week]:
    return [week.shifted(-i) for i in range(HISTORY_WEEKS - 1, -1, -1)]


@audit.requires(None)
def department_week(
    db: Database, actor: Actor, tier_id: int, week: Week, *, today: dt.date | None = None
) -> DepartmentWeek:
    """Every figure of the department view for one tier and one ISO week."""
    tiers.require_shared(db)
    today = today or dt.date.today()
    if week.monday > today:
        raise ValidationError(f"{week.label} has not started yet; choose a week that has.")
    now = min(dt.datetime.now(), dt.datetime.combine(today, dt.time.max))
    weeks = _weeks(week)
    labels = [w.label for w in weeks]
    # Each week's first moment in UTC: a time's week is found by bisection, the same
    # week as Week.of(local_date(t)) gives, without converting every row's time.
    starts = [w.utc_bounds()[0] for w in weeks]
    last_end = weeks[-1].utc_bounds()[1]

    def week_index(t: dt.datetime) -> int | None:
        i = bisect.bisect_right(starts, t) - 1
        return i if i >= 0 and t < last_end else None

    first, _ = weeks[0].utc_bounds()
    start, end = week.utc_bounds()
    # While the week runs its figures are so far, to today: escalations open now, their
    # ages on today, and the reports' run chart leaves the unfinished week out.
    as_of = tiers.week_day(week.monday, today)
    running = as_of < week.monday + dt.timedelta(days=6)
    cutoff = min(end, to_utc(now)) if running else end
    period = closed_quarter(week, today)
    with db.read() as s:
        tier = s.get(Tier, tier_id)
        if tier is None:
            raise NotFound("That department does not exist.")
        tiers.require_tier(s, actor, tier_id)
        # The units it held that week (on its last day, or today while it runs), not
        # the units it holds now: moving a unit later does not rewrite this week.
        in_week = tiers.week_day(week.monday, today)
        unit_ids = tiers.units_under(s, tier_id, on=in_week)
        units_now = tiers.units_under(s, tier_id)
        first_began = s.scalar(select(func.min(Unit.created_at)).where(Unit.id.in_(units_now)))
        units = {u.id: u for u in s.scalars(select(Unit).where(Unit.id.in_(unit_ids)))}
        # Columns: a department's units, or the hospital's departments and their units.
        groups: dict[str, tuple[str, list[int]]] = {}
        if tier.level == tiers.HOSPITAL:
            column_word = "department"
            below = s.scalars(select(Tier).where(Tier.parent_id == tier_id).order_by(Tier.code))
            for dept in below:
                groups[dept.code] = (dept.name, tiers.units_under(s, dept.id, on=in_week))
        else:
            column_word = "unit"
            for uid in unit_ids:
                groups[units[uid].code] = (units[uid].name, [uid])
        tallies = {uid: _Tally() for uid in unit_ids}
        for t in tallies.values():
            t.weekly_held = [0] * len(weeks)
            t.weekly_reports = [0] * len(weeks)
        clocks = {uid: ShiftClock.of(u) for uid, u in units.items()}
        for uid, u in units.items():
            t = tallies[uid]
            t.expected = _expected_huddles(u, week, now)
            t.weekly_expected = [_expected_huddles(u, w, now) for w in weeks]
        # Huddles: one query over every unit and the 26 weeks.
        for uid, shift, day, started, ended in s.execute(
            select(
                Huddle.unit_id, Huddle.shift, Huddle.huddle_date, Huddle.started_at, Huddle.ended_at
            ).where(
                Huddle.unit_id.in_(unit_ids), Huddle.started_at >= first, Huddle.started_at < end
            )
        ):
            t = tallies[uid]
            i = week_index(started)
            if i is not None:
                t.weekly_held[i] += 1
            if started >= start:
                t.held += 1
                if ended:
                    t.lengths.append((ended - started).total_seconds() / 60)
                planned = to_utc(clocks[uid].start(day, shift))
                t.on_time += started <= planned + dt.timedelta(minutes=ON_TIME_MINUTES)
        # Reports: kind and harm of the week, and the run chart's weekly counts.
        for uid, occurred, kind, harm in s.execute(
            select(
                SafetyEvent.unit_id, SafetyEvent.occurred_at, SafetyEvent.kind, SafetyEvent.harm
            ).where(
                SafetyEvent.unit_id.in_(unit_ids),
                SafetyEvent.occurred_at >= first,
                SafetyEvent.occurred_at < end,
            )
        ):
            t = tallies[uid]
            i = week_index(occurred)
            if i is not None and kind in RUN_CHART_KINDS:
                t.weekly_reports[i] += 1
            if occurred >= start:
                t.by_kind[kind] = t.by_kind.get(kind, 0) + 1
                if harm is not None:
                    t.by_harm[harm] = t.by_harm.get(harm, 0) + 1
        # Escalations from these units still open at the end of the week, wherever they
        # sit now (a unit's open escalations moved with it to its new department).
        tier_codes: dict[int, str] = {i: c for i, c in s.execute(select(Tier.id, Tier.code))}
        open_escalations = []
        found = s.execute(
            select(
                Escalation.id,
                Escalation.unit_id,
                Escalation.title,
                Escalation.needed_by,
                Escalation.tier_id,
            )
            .where(
                Escalation.unit_id.in_(unit_ids),
                Escalation.raised_at < cutoff,
                (Escalation.status == "open")
                | ((Escalation.answered_at.is_not(None)) & (Escalation.answered_at >= cutoff)),
            )
            .order_by(Escalation.raised_at)
        ).all()
        # One sent on by the department is a new row: its age counts from the unit's raise.
        raised_by_unit = escalations.first_raised(s, [r[0] for r in found])
        for eid, uid, title, needed_by, with_tier in found:
            raised = local_date(raised_by_unit[eid][0])
            # Days from the day the unit raised it to the week's last day (today while it runs).
            age = max(0, (as_of - raised).days)
            tallies[uid].escalation_ages.append(age)
            open_escalations.append(
                OpenEscalation(
                    units[uid].code,
                    units[uid].name,
                    title,
                    raised,
                    age,
                    needed_by,
                    tier_codes.get(with_tier, ""),
                )
            )
        # Closing the loop, each unit's own measure (the weekly report's).
        loop_weeks = [(w.label, w.monday) for w in weeks]
        for uid, u in units.items():
            lw = loop_measure.loop_week(s, u, loop_weeks, today)
            t = tallies[uid]
            t.loop_within, t.loop_counted = lw.within, lw.counted
            t.weekly_within, t.weekly_counted = list(lw.within_counts), list(lw.counted_counts)
            # Behaviours: observed among applicable opportunities, as the unit counts them.
            rows = checklists._reliability_rows(
                s,
                dataclasses.replace(actor, unit_id=uid),
                week.monday,
                week.monday + dt.timedelta(days=6),
                "behaviour",
                None,
            )
            t.opportunities = len(rows)
            t.observed = sum(done for _started, _key, done in rows)
        # Pulse answers of the latest closed quarter: sizes only leave the query.
        inst = pulses.instrument()
        pulse_rows = s.execute(
            select(PulseResponse.unit_id, PulseResponse.answers).where(
                PulseResponse.unit_id.in_(unit_ids),
                PulseResponse.period == period,
                PulseResponse.instrument_key == inst.key,
            )
        ).all()
        all_k = s.scalar(select(func.max(Unit.min_group_size))) or suppression.ABSOLUTE_MINIMUM
        first_k = s.scalar(
            select(func.max(PulsePublication.min_size)).where(PulsePublication.period == period)
        )
        own_first: dict[int, int] = {
            uid: size
            for uid, size in s.execute(
                select(PulsePublication.unit_id, PulsePublication.min_size).where(
                    PulsePublication.period == period
                )
            )
        }
        tier_code, tier_name, level = tier.code, tier.name, tier.level
    k = max(all_k, first_k or 0, suppression.ABSOLUTE_MINIMUM)
    answers_by_unit: dict[int, list[pulses.Answer]] = {}
    for uid, answers in pulse_rows:
        answers_by_unit.setdefault(uid, []).append(
            pulses.Answer(None, period, dict(answers or {}), None)
        )
    raw_sizes = _pulse_sizes((uid, a.answers) for uid, lst in answers_by_unit.items() for a in lst)
    code_of = {uid: u.code for uid, u in units.items()}
    sizes = {code_of[uid]: tuple(v) for uid, v in raw_sizes.items()}
    own_k = {code_of[uid]: max(u.min_group_size, own_first.get(uid, 0)) for uid, u in units.items()}
    members = {code: [code_of[uid] for uid in ids] for code, (_n, ids) in groups.items()}
    hidden, total_shown, _published = pulse_suppression(
        sizes, k, own_k, None if column_word == "unit" else members
    )

    def pulse_of(ids: list[int], shown: bool) -> PulseFigure:
        if not any(answers_by_unit.get(uid) for uid in ids):
            # None answered in the quarter: nothing about anyone to hide.
            return PulseFigure(period, 0, 0, None)
        if not shown:
            return PulseFigure(period, None, None, None)
        rows = [a for uid in ids for a in answers_by_unit.get(uid, [])]
        g = pulses.tabulate(period, rows, inst, suppression.ABSOLUTE_MINIMUM).total
        # tabulate's own suppression is not what decides here: the tier's is.
        complete = [r.answers for r in rows if pulses.is_complete(r.answers, inst)]
        mean = g.scale_mean if not g.hidden else None
        return PulseFigure(period, len(rows), len(complete), mean if complete else None)

    # Charts begin at the tier's first week of data, as a unit's own begin at its first.
    busy = [
        i
        for t in tallies.values()
        for i, (h, r) in enumerate(zip(t.weekly_held, t.weekly_reports, strict=True))
        if h or r
    ]
    cut = min([*busy, len(weeks) - 1])
    labels = labels[cut:]
    for t in tallies.values():
        for name in ("weekly_held", "weekly_expected", "weekly_reports"):
            setattr(t, name, getattr(t, name)[cut:])
        t.weekly_within, t.weekly_counted = t.weekly_within[cut:], t.weekly_counted[cut:]

    def column(code: str, name: str, ids: list[int], shown: bool) -> Column:
        t = _Tally()
        for uid in ids:
            _add(t, tallies[uid])
        if not t.weekly_held:
            t.weekly_held = [0] * len(labels)
            t.weekly_expected = [0] * len(labels)
            t.weekly_reports = [0] * len(labels)
        t.weekly_within = t.weekly_within or [0] * len(labels)
        t.weekly_counted = t.weekly_counted or [0] * len(labels)
        p = control_chart.p_chart(
            [min(h, e) for h, e in zip(t.weekly_held, t.weekly_expected, strict=True)],
            t.weekly_expected,
        )
        # A week not over has fewer reports yet: its count is no drop, so the run chart
        # stops at the last whole week (the huddles' share counts the shifts come so far).
        reports = [float(v) for v in t.weekly_reports][: len(run_labels)]
        run = run_chart.analyse(reports)
        share = control_chart.p_chart(t.weekly_within, t.weekly_counted)
        ages = t.escalation_ages
        return Column(
            code,
            name,
            len(ids),
            t.held,
            t.expected,
            t.on_time,
            statistics.median(t.lengths) if t.lengths else None,
            sum(t.by_kind.values()),
            t.by_kind,
            t.by_harm,
            sum(t.by_harm.get(h, 0) for h in HARMED),
            t.loop_within,
            t.loop_counted,
            t.observed,
            t.opportunities,
            len(ages),
            max(ages) if ages else None,
            pulse_of(ids, shown),
            Series(
                labels,
                p.values,
                p,
                f"{name}: huddles held, share expected{held_so_far}",
                "share held",
            ),
            Series(
                run_labels,
                list[float | None](reports),
                run,
                f"{name}: near misses and good catches per week{reports_to}",
                "reports per week",
            ),
            Series(
                labels,
                share.values,
                share,
                f"{name}: reporters who heard back within 7 days, by week of report",
                "share fed back in 7 days",
            ),
        )

    run_labels = labels
    held_so_far = reports_to = ""
    if running:
        held_so_far = f" ({week.label} so far, to {day_text(as_of)})"
        if len(labels) > 1:
            run_labels = labels[:-1]
            reports_to = f" (to {run_labels[-1]}: {week.label} is not over)"
        else:
            reports_to = f" ({week.label} so far, to {day_text(as_of)})"

    columns = [column(code, name, ids, code not in hidden) for code, (name, ids) in groups.items()]
    together = column(tier_code, tier_name, unit_ids, total_shown)
    ages_banded = dict.fromkeys(AGE_BANDS, 0)
    for e in open_escalations:
        band = (
            AGE_BANDS[0]
            if e.age_days <= 2
            else AGE_BANDS[1]
            if e.age_days <= 7
            else AGE_BANDS[2]
            if e.age_days <= 30
            else AGE_BANDS[3]
        )
        ages_banded[band] += 1
    notes = [
        f"Pulse results are for {period}, the latest quarter closed by "
        f"{'today' if running else 'the end of the week'}. "
        f"A {column_word}'s result is shown only with at least {k} answers and {k} complete "
        f"answers; further {column_word}s are hidden so that no hidden one can be worked out "
        "from the total, and the total is hidden when it would give one away."
    ]
    if not unit_ids and not units_now:
        notes.insert(0, f"{tier_name} has no units yet: IT places units with hrohuddle tier place.")
    elif not unit_ids and first_began is not None and local_date(first_began) > in_week:
        notes.insert(
            0,
            f"Nothing to show for {week.label}: none of {tier_name}'s units had begun by "
            f"then (the first began on {day_text(local_date(first_began))}).",
        )
    elif not unit_ids:
        notes.insert(
            0,
            f"{tier_name} held none of its units in {week.label}: they came to it later. "
            "Each unit's own weekly report keeps its weeks.",
        )
    if running and unit_ids:
        notes.insert(
            0,
            f"{week.label} is not over: its figures are so far, to {day_text(as_of)}, "
            "escalations are those open today with their ages on today, and the reports' "
            f"run chart stops at the last whole week.",
        )
    notes.append(
        f"The {column_word}s are those {tier_name} held on {day_text(in_week)}, the week's "
        f"{'last day' if in_week.weekday() == 6 else 'latest day so far'}: a unit moved "
        "during a week shows in the department it ended the week in, with its own figures."
    )
    return DepartmentWeek(
        tier_id,
        tier_code,
        tier_name,
        level,
        week,
        column_word,
        columns,
        together,
        sorted(open_escalations, key=lambda e: (-e.age_days, e.unit_code)),
        ages_banded,
        period,
        k,
        together.heard_back,
        notes,
        as_of,
    )


def tier_id_of(db: Database, code: str) -> int:
    """A tier's id from its code (NotFound with a plain sentence otherwise)."""
    tiers.require_shared(db)
    with db.read() as s:
        return tiers.tier_by_code(s, code).id


__all__ = [
    "HEADERS",
    "Column",
    "DepartmentWeek",
    "OpenEscalation",
    "PulseFigure",
    "closed_quarter",
    "department_week",
    "pulse_suppression",
    "pulse_words",
    "row_cells",
    "signal_words",
    "sort_key",
    "tier_id_of",
]


# ---------------------------------------------------------------- the table's words

#: The units side by side, as the department view and the department report set them out.
HEADERS = (
    "Huddles held (of expected)",
    "On time",
    "Median length",
    "Reports",
    "Near misses",
    "Good catches",
    "Harm reached the patient",
    "Reporter heard back within 7 days",
    "HRO behaviours observed",
    "Open escalations (oldest)",
    "Psychological safety (answers)",
    "Signals",
)


def _share(ok: int, n: int) -> str:
    return f"{ok}/{n} ({ok / n:.0%})" if n else "—"


def _minutes(v: float | None) -> str:
    if v is None:
        return "—"
    return f"{v:.0f} min" if float(v).is_integer() else f"{v:.1f} min"


def pulse_words(p: PulseFigure) -> str:
    if p.hidden:
        return "hidden (small group)"
    if not p.n:
        return "no answers"
    mean = "—" if p.scale_mean is None else f"{p.scale_mean:.2f} of 7"
    return f"{mean} (n = {p.n}, {p.complete} complete)"


def signal_words(col: Column) -> str:
    """The run and control chart signals of every chart of a column, in a few words."""
    parts = [
        f"{words}: {len(series.analysis.signals)}"
        for words, series in col.charts
        if series.analysis.signals
    ]
    return "; ".join(parts) if parts else "none"


def row_cells(col: Column) -> list[str]:
    """One column's figures as text, in the order of ``HEADERS``."""
    oldest = "" if col.oldest_escalation_days is None else f" ({col.oldest_escalation_days} d)"
    return [
        f"{col.held} of {col.expected}",
        _share(col.on_time, col.held),
        _minutes(col.median_minutes),
        str(col.reports),
        str(col.by_kind.get("near_miss", 0)),
        str(col.by_kind.get("good_catch", 0)),
        str(col.harmed),
        _share(col.loop_within, col.loop_counted),
        _share(col.observed, col.opportunities),
        f"{col.open_escalations}{oldest}",
        pulse_words(col.pulse),
        signal_words(col),
    ]


def sort_key(col: Column, header: int) -> tuple[int, float, str]:
    """What a column sorts by under ``HEADERS[header]``: the figure, not its words."""
    values: list[float | None] = [
        col.held_share,
        col.on_time_share,
        col.median_minutes,
        col.reports,
        col.by_kind.get("near_miss", 0),
        col.by_kind.get("good_catch", 0),
        col.harmed,
        col.loop_share,
        col.behaviour_share,
        col.open_escalations,
        col.pulse.scale_mean,
        col.signal_count,
    ]
    v = values[header]
    return (0, float(v), col.code) if v is not None else (1, 0.0, col.code)
