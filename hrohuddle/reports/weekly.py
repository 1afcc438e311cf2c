"""The weekly safety and learning report: one unit, one ISO week, one PDF."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from reportlab.platypus import KeepTogether, Spacer, Table, TableStyle

from hrohuddle.analytics.signals import Analysis
from hrohuddle.reports import blocks, charts
from hrohuddle.services import (
    audit,
    audit_chain,
    dates,
    huddle_record,
    loop_measure,
    pulses,
    reporting,
)
from hrohuddle.services.permissions import Actor
from hrohuddle.services.reporting import Series, Share, Week, WeeklyFigures
from hrohuddle.services.vocabulary import common_formats_class, source_line, taxonomy
from hrohuddle.store.database import Database
from hrohuddle.wording import count, counts_in

REPORTING_NOTE = (
    "More near-miss and good-catch reports usually mean more reporting, not less "
    "safety: a unit that reports more is a unit that is learning."
)
CHART_WIDTH = 180 * blocks.mm
#: A chart in the report is drawn 7.2 by 2.6 inches (then fitted to the text width): low
#: enough that a chart with its caption and rules fits the half page a section leaves.
CHART_SIZE = (7.2 * 72, 2.6 * 72)


def _image(fig: Any) -> Any:
    return charts.picture(fig, width=CHART_WIDTH)


def _fmt(v: float | None, unit: str = "") -> str:
    if v is None:
        return "—"
    text = f"{v:.0f}" if float(v).is_integer() else f"{v:.1f}"
    return f"{text} {unit}".strip()


def _change(h: reporting.Headline) -> str:
    c = h.change
    if c is None:
        return "—"
    if c == 0:
        return "no change"
    word = "up" if c > 0 else "down"
    return f"{word} {_fmt(abs(c), h.unit)}"


def _pct(ok: int, n: int) -> str:
    return f"{ok}/{n} ({ok / n:.0%})" if n else "—"


def _share(v: Share) -> str:
    return _pct(v.observed, v.opportunities)


def _side_by_side(*parts: tuple[Any, float]) -> Table:
    """Tables next to each other (each with its width), top-aligned, with a gutter."""
    gap = 4 * blocks.mm
    cells: list[Any] = []
    widths: list[float] = []
    for i, (part, width) in enumerate(parts):
        if i:
            cells.append("")
            widths.append(gap)
        cells.append(part)
        widths.append(width)
    outer = Table([cells], colWidths=widths)
    outer.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return outer


def _section(title: str, *first: Any) -> list[Any]:
    """A heading kept on the same page as what follows it."""
    return [KeepTogether([blocks.para(title, "h2"), *first])]


def _chart_block(
    series: Series[Analysis],
    *,
    percent: bool = False,
    control: bool = False,
    notes: list[str] | None = None,
    target: float | None = None,
    line_label: str | None = None,
) -> list[Any]:
    """The chart, its caption, what it shows and the rules used, on one page."""
    size = CHART_SIZE
    if target is not None:
        fig = charts.p_chart_with_target(series, target, titled=False, size=size)
    elif control:
        fig = charts.control_chart(series, percent=percent, titled=False, size=size)
    elif line_label:
        fig = charts.run_chart_of(series, line_label, titled=False, size=size)
    else:
        fig = charts.run_chart(series, titled=False, size=size)
    analysis = series.analysis
    sentence = (
        " ".join(counts_in(s.sentence) for s in analysis.signals)
        if analysis.signals
        else "No signal: the variation is what this process usually shows."
    )
    out: list[Any] = [
        blocks.para(series.title, "h3"),
        _image(fig),
        blocks.para(f"{sentence} {analysis.note}".strip(), "small"),
        blocks.para(f"Rules used: {analysis.rule_text}", "small"),
    ]
    # The notes read on their own: they may follow on the next page rather than
    # pushing the chart there and leaving half a page blank.
    return [
        KeepTogether(out),
        *[blocks.para(n, "small") for n in (notes or [])],
        Spacer(1, 4),
    ]


def _count_table(title: str, counts: dict[str, int], vocab: dict[str, str], width: float) -> Any:
    rows = [[title, "n"]] + [
        [vocab.get(k, k), str(v)] for k, v in sorted(counts.items(), key=lambda kv: -kv[1])
    ]
    if len(rows) == 1:
        rows.append(["none", "0"])
    return blocks.table(rows, [width - 12 * blocks.mm, 12 * blocks.mm])


def story(f: WeeklyFigures, author: str, generated: dt.datetime) -> list[Any]:
    lab = reporting.labels()
    monday = f.week.monday
    mm = blocks.mm
    s: list[Any] = [
        blocks.para("Weekly safety and learning report", "title"),
        blocks.para(
            f"{f.unit_name} ({f.unit_code}) · week {f.week.label}, {dates.week_span(monday)}"
        ),
        blocks.para(f"Generated {dates.day_time(generated)} by {author}.", "small"),
        Spacer(1, 4),
    ]
    if not f.has_data:
        s += [
            blocks.para("Nothing was recorded this week", "h2"),
            blocks.para(
                "No huddles, safety reports or actions were recorded in this week, so "
                "there are no figures or charts to show. If huddles were held, check "
                "that they were run in HRO Huddle on this unit."
            ),
        ]
        return s
    rows: list[list[Any]] = [["Headline", "This week", "Last week", "Change"]]
    for head in f.headlines:
        rows.append(
            [head.label, _fmt(head.value, head.unit), _fmt(head.previous, head.unit), _change(head)]
        )
    signal_lines = (
        [blocks.para("• " + text) for text in f.signals]
        if f.signals
        else [blocks.para("No chart shows a signal this week.")]
    )
    s += _section(
        "Headlines",
        blocks.table(rows, [80 * mm, 30 * mm, 30 * mm, 40 * mm]),
    )
    s += _section("Signals this week", *signal_lines)

    # Huddles
    h = f.huddles
    figures_table = blocks.table(
        [
            ["Figure", "Value"],
            ["Held", f"{h.held} of {h.expected} expected\n(two shifts a day)"],
            [
                f"Started on time (within {reporting.ON_TIME_MINUTES} min of the shift)",
                _pct(h.on_time, h.held),
            ],
            ["Median length", _fmt(h.median_minutes, "min")],
            ["Attendance, all professions (n)", str(h.attendance_total)],
            ["Teaching points", str(h.teaching_points)],
            ["Actions raised in huddles", str(h.actions_raised)],
        ],
        [72 * mm, 34 * mm],
    )
    professions = _count_table(
        "Attendance by profession", h.attendance, lab["professions"], 70 * mm
    )
    s += _section("Huddles", _side_by_side((figures_table, 106 * mm), (professions, 70 * mm)))
    s += _everybody_teaches(h.teaching, lab["professions"])
    s += _chart_block(f.huddle_p, percent=True, control=True)

    # Safety events
    e = f.events
    kinds = _count_table("Kind", e.by_kind, lab["kinds"], 48 * mm)
    cats = _count_table("Category", e.by_category, lab["categories"], 76 * mm)
    harm = _count_table("Harm", e.by_harm, lab["harm"], 48 * mm)
    s += _section(
        "Safety events",
        blocks.para(
            f"{count(e.total, 'report')} of things that happened this week, joined ones "
            "included (Closing the loop and the bulletin count by the day a report was "
            "made, a joined report with the one it joined)."
        ),
        _side_by_side((kinds, 48 * mm), (cats, 76 * mm), (harm, 48 * mm)),
        Spacer(1, 4),
        blocks.para(_cf_mapping_note(), "small"),
    )
    s += _chart_block(f.event_run, notes=[REPORTING_NOTE])
    if f.event_u is not None:
        missing = (
            [
                "Weeks without a census entry are left out of this chart (shown as gaps): "
                + ", ".join(f.event_u.missing)
                + "."
            ]
            if f.event_u.missing
            else []
        )
        s += _chart_block(f.event_u, control=True, notes=missing)
    else:
        s.append(
            blocks.para(
                "No weekly census has been entered, so rates per 1,000 "
                "patient-days cannot be shown.",
                "small",
            )
        )
    s += _closing_the_loop(f)
    s += _you_said_we_did(f)

    # Good catches and actions follow "you said, we did": what was recognised and done.
    catches = (
        [blocks.para("• " + " ".join(text.split())) for text in e.good_catches]
        if e.good_catches
        else [blocks.para("No good catches were reported this week.", "small")]
    )
    s += _section("Good catches to recognise", *catches[:1])
    s += catches[1:]

    # Actions
    a = f.actions
    s += _section(
        "Actions",
        _side_by_side(
            (
                blocks.table(
                    [
                        ["Figure", "Value"],
                        ["Opened this week", str(a.opened)],
                        ["Closed this week", str(a.closed)],
                        ["Escalated this week", str(a.escalated)],
                        ["Open at the end of the week", str(a.open)],
                        ["Overdue at the end of the week", str(a.overdue)],
                    ],
                    [70 * mm, 36 * mm],
                ),
                106 * mm,
            ),
            (
                blocks.table(
                    [["Age of open actions", "n"]] + [[k, str(v)] for k, v in a.ages.items()],
                    [58 * mm, 12 * mm],
                ),
                70 * mm,
            ),
        ),
    )

    # HRO behaviours
    b = f.behaviours
    if b.by_behaviour:
        behaviour_table = blocks.table(
            [["Behaviour, this week", "Observed / opportunities"]]
            + [[name, _share(v)] for name, v in sorted(b.by_behaviour.items())],
            [72 * mm, 34 * mm],
        )
        principle_table = blocks.table(
            [["HRO principle", "Observed"]]
            + [[lab["principles"].get(k, k), _share(v)] for k, v in sorted(b.by_principle.items())],
            [40 * mm, 30 * mm],
        )
        s += _section(
            "HRO behaviours",
            _side_by_side((behaviour_table, 106 * mm), (principle_table, 70 * mm)),
            Spacer(1, 4),
            blocks.para(source_line("checklists/team_performance.yaml"), "small"),
            blocks.para(source_line("checklists/error_prevention.yaml"), "small"),
            Spacer(1, 4),
        )
        if f.behaviour_p is not None:
            s += _chart_block(f.behaviour_p, percent=True, control=True)
    else:
        s += _section(
            "HRO behaviours",
            blocks.para(
                "No behaviour observations were recorded in the last "
                f"{reporting.HISTORY_WEEKS} weeks.",
                "small",
            ),
        )

    # Pulses
    if f.pulses is None:
        s += _section(
            "Onboarding pulses",
            blocks.para("Pulse results are shown to managers only.", "small"),
        )
    else:
        pulse = _pulse_section(f.pulses)
        s += _section("Onboarding pulses", *pulse[:1])
        s += pulse[1:]

    # Learners
    le = f.learners
    sensors = le.reports
    s += _section(
        "Learners",
        blocks.table(
            [
                ["Figure", "Value"],
                ["Named safety reports by learners", sensors.reports_text],
                ["Learners on the unit", sensors.learners_text],
                ["Named reports by learners per learner", sensors.per_learner_text],
                ["Preceptor observations logged", str(le.observations)],
                [
                    "Observations acknowledged by the learner",
                    _pct(le.acknowledged, le.observations),
                ],
            ],
            [110 * mm, 70 * mm],
        ),
        blocks.para(_sensors_note(sensors), "small"),
    )
    s.append(Spacer(1, 6))
    s.append(
        blocks.para("No patient identifiers: free text was checked before it was saved.", "small")
    )
    sources = [blocks.para(source_line(path), "small") for path in SOURCE_FILES]
    s += _section("Sources of the instruments and vocabularies", *sources[:1])
    s += sources[1:]
    s.append(
        blocks.para(
            "Each data file marks every item as published (verbatim), adapted or local; "
            "see resources/ in HRO Huddle.",
            "small",
        )
    )
    return s


def _days(v: float | None) -> str:
    return "—" if v is None else _fmt(v, "day" if v == 1 else "days")


def _sensors_note(sensors: loop_measure.LearnerSensors) -> str:
    """What the learner figures count, and why any is hidden."""
    k = sensors.min_size
    kept = (
        f" The unit's setting is now {sensors.unit_min_size}, but this week keeps {k}, the "
        "largest it has had since the week ended, so that lowering it never shows a "
        "figure an earlier copy hid."
        if sensors.unit_min_size is not None and k > sensors.unit_min_size
        else ""
    )
    return (
        "Learners are sensors of the system: reports they made under their own name in "
        "the week, per learner on the unit (anonymous reports are never attributed). "
        f"Shown once the week has ended, and only with at least {k} learners and {k} "
        f"reports (or none), so that no learner can be singled out.{kept}"
    )


def _closing_the_loop(f: WeeklyFigures) -> list[Any]:
    """The week's figures of the loop, then its p-chart with the target and its run chart."""
    mm = blocks.mm
    loop = f.loop
    within = _pct(loop.within, loop.counted)
    oldest = (
        "none waiting"
        if loop.oldest_awaiting_days is None
        else count(loop.oldest_awaiting_days, "day")
    )
    rows = [
        ["Reports made this week", "Value"],
        ["Made this week", str(loop.reported)],
        [f"Reporter heard back within 7 days (target {loop.target_pct}%)", within],
        ["Not yet due (inside their 7 days, no word yet)", str(loop.not_yet_due)],
        [
            "Of those heard back, by a question the anonymous reporter has not answered",
            str(loop.unanswered),
        ],
        ["Median days to first feedback", _days(loop.median_days)],
    ]
    waiting = [
        [f"Awaiting a first response on {dates.day(loop.as_of)}", "Value"],
        ["Reports waiting", str(loop.awaiting)],
        ["Waiting more than 7 days", str(loop.awaiting_over_7)],
        ["Oldest", oldest],
    ]
    intro = blocks.para(
        "Every reporter, named or anonymous, is owed word of what became of their report. "
        "Counted by the week the report was made, as of the end of this week: a report "
        "fed back on its seventh day is in time, on its eighth late; one without word is "
        "counted only once its 7 days are over. A question to an anonymous reporter "
        "reaches their receipt, so it counts as word, and an unanswered one is named apart.",
        "small",
    )
    s = _section(
        "Closing the loop",
        intro,
        _side_by_side(
            (blocks.table(rows, [96 * mm, 24 * mm]), 120 * mm),
            (blocks.table(waiting, [40 * mm, 16 * mm]), 56 * mm),
        ),
        Spacer(1, 4),
    )
    s += _chart_block(
        f.loop_share,
        percent=True,
        control=True,
        target=loop.target_pct,
        notes=[
            f"The dotted line is the unit's target, {loop.target_pct}%, set in Unit settings; "
            "the limits say what the process now gives, the target what the unit wants."
        ],
    )
    s += _chart_block(f.loop_days, line_label="median days, reports of the week")
    return s


def _you_said_we_did(f: WeeklyFigures) -> list[Any]:
    """Reports whose journey reached action or system change this week, one line each."""
    if not f.you_said:
        return _section(
            "You said, we did",
            blocks.para("No report reached an action or a system change this week.", "small"),
        )
    lines = [
        blocks.para(f"• {d.kind}, {d.category.lower()} ({dates.day(d.on_date)}). {d.line()}")
        for d in f.you_said
    ]
    note = blocks.para(
        "Written from the reviewers' summaries and the journey's sentences, never from "
        "the reporters' own words.",
        "small",
    )
    return _section("You said, we did", note, *lines[:1]) + lines[1:]


#: The data files whose source the report's closing notes name.
SOURCE_FILES = (
    "taxonomies/common_formats.yaml",
    "checklists/team_performance.yaml",
    "checklists/error_prevention.yaml",
    "instruments/onboarding_pulse.yaml",
    "scales/entrustment.yaml",
    "identifier_patterns.yaml",
    "unit.yaml",
)


def _everybody_teaches(
    tally: huddle_record.TeachingCount, professions: dict[str, str]
) -> list[Any]:
    """Who gave the week's teaching points: by profession, and how many were learners."""
    mm = blocks.mm
    if not tally.total:
        return _section(
            "Everybody teaches",
            blocks.para("No teaching point was given in this week's huddles.", "small"),
        )
    learners = tally.by_learners
    line = (
        f"{count(tally.total, 'teaching point')} in this week's huddles, "
        f"{learners} of them by {'a learner' if learners == 1 else 'learners'}."
    )
    rows = [["Teaching points by who gave them", "n"]] + [
        [professions.get(k, k), str(v)]
        for k, v in sorted(tally.by_profession.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    rows.append(["Of them by learners (any profession)", str(learners)])
    table = blocks.table(rows, [58 * mm, 12 * mm])
    table.hAlign = "LEFT"  # under its sentence, as the tables beside each other above
    return _section("Everybody teaches", blocks.para(line), table, Spacer(1, 4))


def _cf_mapping_note() -> str:
    """Good catch and workaround are local kinds: say which Common Formats class they are."""
    parts = []
    for kind in taxonomy().terms("kinds"):
        cf = common_formats_class(kind.key)
        if cf is not None and kind.get("status") == "local":
            parts.append(f"{kind.label} is reported as {cf.label}")
    return f"{source_line('taxonomies/common_formats.yaml')} {'; '.join(parts)}."


@audit.requires(None)
def write(
    db: Database, actor: Actor, week: Week, path: Path, *, unit_id: int | None = None
) -> Path:
    """Build the weekly report PDF at ``path`` (owner-only) and audit that it was made."""
    figures = reporting.weekly_figures(db, actor, week, unit_id)
    audit_chain.report_published(
        db,
        actor,
        path,
        lambda partial, head: build(figures, partial, author=actor.display_name, head=head),
        "weekly",
        unit_id=unit_id or actor.unit_id or None,
        detail={"week": week.label, "unit": figures.unit_name},
    )
    return path


@audit.requires("report.view")
def preview(
    db: Database,
    actor: Actor,
    week: Week,
    path: Path,
    *,
    unit_id: int | None = None,
    figures: WeeklyFigures | None = None,
) -> Path:
    """Build the PDF for a look on screen; nothing is recorded until it is printed or saved.

    ``figures`` already computed for this week (the dashboard's) are used as they
    are; the person is still confirmed afresh and must still be allowed to see them.
    """
    if figures is None or figures.week != week:
        figures = reporting.weekly_figures(db, actor, week, unit_id)
    build(figures, path, author=actor.display_name)
    return path


def build(
    figures: WeeklyFigures, path: Path, *, author: str, head: audit.Head | None = None
) -> None:
    header = f"{figures.unit_name} · weekly report {figures.week.label}"
    blocks.build(
        path,
        story(figures, author, dt.datetime.now()),
        header=header,
        author=author,
        witness=head.printed if head else None,
    )


def _pulse_section(res: pulses.Results) -> list[Any]:
    """The two latest closed quarters: each states its period, with n beside every figure."""
    out: list[Any] = []
    k = res.min_size
    out.append(
        blocks.para(
            "Team psychological safety (Edmondson 1999; mean of 7 items, 1-7, items 1, 3 and 5 "
            f"reversed). Published per closed quarter ({res.open_period} is published on "
            f"{dates.day(res.open_period_closes)}); a group is shown only with at least {k} "
            f"answers and {k} complete answers, and any group that would let a hidden one be "
            "worked out is hidden too. Means and shares are over complete answers only. "
            f"Favourable: an answer of {pulses.instrument().favourable_from} or more after "
            "reversal, the unit's own threshold, not part of the published scale.",
            "small",
        )
    )
    out.append(blocks.para(source_line("instruments/onboarding_pulse.yaml"), "small"))
    if not res.periods:
        out.append(blocks.para("No quarter has closed with pulse answers yet.", "small"))
    for p in res.periods[:2]:
        rows = [["Milestone", "Answers (n)", "Complete (n)", "Scale mean", "Favourable"]]
        for g in [*p.groups, p.total]:
            if g.hidden:
                rows.append([g.label, "hidden", "hidden", "hidden", "hidden"])
                continue
            rows.append(
                [
                    g.label,
                    str(g.n),
                    str(g.complete),
                    "—" if g.scale_mean is None else f"{g.scale_mean:.2f} (n={g.complete})",
                    "—"
                    if g.favourable_share is None
                    else f"{g.favourable_share:.0%} (n={g.favourable_n} item answers)",
                ]
            )
        out.append(
            KeepTogether(
                [
                    blocks.para(
                        f"Period: {p.period}, {dates.day(p.first_day)} to {dates.day(p.last_day)}",
                        "body",
                    ),
                    blocks.table(
                        rows,
                        [
                            45 * blocks.mm,
                            25 * blocks.mm,
                            25 * blocks.mm,
                            40 * blocks.mm,
                            45 * blocks.mm,
                        ],
                    ),
                    *[blocks.para(note, "small") for note in p.notes],
                ]
            )
        )
    return out
