"""The weekly safety and learning report: one unit, one ISO week, one PDF."""

from __future__ import annotations

import datetime as dt
import io
import os
from pathlib import Path
from typing import Any

from reportlab.platypus import Image, KeepTogether, PageBreak, Spacer

from hrohuddle.reports import blocks, charts
from hrohuddle.services import audit, pulses, reporting
from hrohuddle.services.permissions import Actor
from hrohuddle.services.reporting import Series, Week, WeeklyFigures
from hrohuddle.services.vocabulary import common_formats_class, source_line, taxonomy
from hrohuddle.store.database import Database

REPORTING_NOTE = (
    "More near-miss and good-catch reports usually mean more reporting, not less "
    "safety: a unit that reports more is a unit that is learning."
)
CHART_WIDTH = 180 * blocks.mm


def _image(fig: Any) -> Image:
    data = charts.png(fig)
    width_in, height_in = fig.get_size_inches()
    img = Image(io.BytesIO(data), width=CHART_WIDTH, height=CHART_WIDTH * height_in / width_in)
    return img


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


def _chart_block(series: Series, *, percent: bool = False, control: bool = False) -> list[Any]:
    fig = charts.control_chart(series, percent=percent) if control else charts.run_chart(series)
    analysis = series.analysis
    out: list[Any] = [_image(fig)]
    signals = [s.text for s in analysis.signals] if not control else list(analysis.signals)
    sentence = (
        " ".join(signals)
        if signals
        else "No signal: the variation is what this process usually shows."
    )
    note = getattr(analysis, "note", "")
    out.append(blocks.para(f"{sentence} {note}".strip(), "small"))
    out.append(blocks.para(f"Rules used: {analysis.rule_text}", "small"))
    return [KeepTogether(out)]


def story(f: WeeklyFigures, author: str, generated: dt.datetime) -> list[Any]:
    lab = reporting.labels()
    monday = f.week.monday
    sunday = monday + dt.timedelta(days=6)
    s: list[Any] = [
        blocks.para("Weekly safety and learning report", "title"),
        blocks.para(
            f"{f.unit_name} ({f.unit_code}) · week {f.week.label}, "
            f"{monday:%a %d %b} to {sunday:%a %d %b %Y}"
        ),
        blocks.para(f"Generated {generated:%Y-%m-%d %H:%M} by {author}.", "small"),
        Spacer(1, 6),
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
    s += [
        blocks.para("Headlines", "h2"),
        blocks.table(rows, [80 * blocks.mm, 30 * blocks.mm, 30 * blocks.mm, 40 * blocks.mm]),
    ]
    s.append(blocks.para("Signals this week", "h2"))
    if f.signals:
        s += [blocks.para("• " + text) for text in f.signals]
    else:
        s.append(blocks.para("No chart shows a signal this week."))

    # Huddles
    h = f.huddles
    s += [
        blocks.para("Huddles", "h2"),
        blocks.table(
            [
                ["Figure", "Value"],
                ["Held (expected 14: two a day)", f"{h['held']} of {h['expected']}"],
                ["Started on time (within 45 min of the shift)", _pct(h["on_time"], h["held"])],
                ["Median length", _fmt(h["median_minutes"], "min")],
                ["Attendance, all professions (n)", str(h["attendance_total"])],
                ["Teaching points", str(h["teaching_points"])],
                ["Actions raised in huddles", str(h["actions_raised"])],
            ],
            [110 * blocks.mm, 70 * blocks.mm],
        ),
    ]
    if h["attendance"]:
        s.append(Spacer(1, 4))
        s.append(
            blocks.table(
                [["Profession", "Attendances (n)"]]
                + [
                    [lab["professions"].get(k, k), str(v)]
                    for k, v in sorted(h["attendance"].items(), key=lambda kv: -kv[1])
                ],
                [110 * blocks.mm, 70 * blocks.mm],
            )
        )
    s += _chart_block(f.huddle_p, percent=True, control=True)

    # Safety events
    e = f.events
    s += [
        PageBreak(),
        blocks.para("Safety events", "h2"),
        blocks.para(f"{e['total']} report(s) this week; {e['by_learners']} by learners."),
    ]
    for key, title in (("by_kind", "Kind"), ("by_category", "Category"), ("by_harm", "Harm")):
        vocab = {"by_kind": lab["kinds"], "by_category": lab["categories"], "by_harm": lab["harm"]}[
            key
        ]
        if e[key]:
            s.append(
                blocks.table(
                    [[title, "Reports (n)"]]
                    + [
                        [vocab.get(k, k), str(v)]
                        for k, v in sorted(e[key].items(), key=lambda kv: -kv[1])
                    ],
                    [110 * blocks.mm, 70 * blocks.mm],
                )
            )
            s.append(Spacer(1, 4))
    s.append(blocks.para(_cf_mapping_note(), "small"))
    s += _chart_block(f.event_run)
    s.append(blocks.para(REPORTING_NOTE, "small"))
    if f.event_u is not None:
        s += _chart_block(f.event_u, control=True)
        if f.event_u.missing:
            s.append(
                blocks.para(
                    "Weeks without a census entry (left out of the u-chart): "
                    + ", ".join(f.event_u.missing)
                    + ".",
                    "small",
                )
            )
    else:
        s.append(
            blocks.para(
                "No weekly census has been entered, so rates per 1,000 "
                "patient-days cannot be shown.",
                "small",
            )
        )
    s.append(blocks.para("Good catches to recognise", "h2"))
    if e["good_catches"]:
        s += [blocks.para("• " + " ".join(text.split())) for text in e["good_catches"]]
    else:
        s.append(blocks.para("No good catches were reported this week.", "small"))

    # Actions
    a = f.actions
    s += [
        blocks.para("Actions", "h2"),
        blocks.table(
            [
                ["Figure", "Value"],
                ["Opened this week", str(a["opened"])],
                ["Closed this week", str(a["closed"])],
                ["Escalated this week", str(a["escalated"])],
                ["Open at the end of the week", str(a["open"])],
                ["Overdue at the end of the week", str(a["overdue"])],
            ],
            [110 * blocks.mm, 70 * blocks.mm],
        ),
        Spacer(1, 4),
        blocks.table(
            [["Age of open actions", "Actions (n)"]] + [[k, str(v)] for k, v in a["ages"].items()],
            [110 * blocks.mm, 70 * blocks.mm],
        ),
    ]

    # HRO behaviours
    s += [PageBreak(), blocks.para("HRO behaviours", "h2")]
    b = f.behaviours
    if b["by_behaviour"]:
        s.append(
            blocks.table(
                [["Behaviour", "Observed / opportunities"]]
                + [[name, _pct(v[0], v[1])] for name, v in sorted(b["by_behaviour"].items())],
                [120 * blocks.mm, 60 * blocks.mm],
            )
        )
        s.append(Spacer(1, 4))
        s.append(
            blocks.table(
                [["HRO principle", "Observed / opportunities"]]
                + [
                    [lab["principles"].get(k, k), _pct(v[0], v[1])]
                    for k, v in sorted(b["by_principle"].items())
                ],
                [120 * blocks.mm, 60 * blocks.mm],
            )
        )
        if f.behaviour_p is not None:
            s += _chart_block(f.behaviour_p, percent=True, control=True)
        s.append(blocks.para(source_line("checklists/team_performance.yaml"), "small"))
        s.append(blocks.para(source_line("checklists/error_prevention.yaml"), "small"))
    else:
        s.append(
            blocks.para("No behaviour observations were recorded in the last 26 weeks.", "small")
        )

    # Pulses
    s.append(blocks.para("Onboarding pulses", "h2"))
    if f.pulses is None:
        s.append(blocks.para("Pulse results are shown to managers only.", "small"))
    else:
        s += _pulse_section(f.pulses)

    # Learners
    le = f.learners
    s += [
        blocks.para("Learners", "h2"),
        blocks.table(
            [
                ["Figure", "Value"],
                ["Safety reports by learners", str(le["reports"])],
                ["Preceptor observations logged", str(le["observations"])],
                [
                    "Observations acknowledged by the learner",
                    _pct(le["acknowledged"], le["observations"]),
                ],
            ],
            [110 * blocks.mm, 70 * blocks.mm],
        ),
    ]
    s.append(Spacer(1, 8))
    s.append(
        blocks.para("No patient identifiers: free text was checked before it was saved.", "small")
    )
    s.append(blocks.para("Sources of the instruments and vocabularies", "h2"))
    for path in SOURCE_FILES:
        s.append(blocks.para(source_line(path), "small"))
    s.append(
        blocks.para(
            "Each data file marks every item as published (verbatim), adapted or local; "
            "see resources/ in HRO Huddle.",
            "small",
        )
    )
    return s


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
    audit.report_published(
        db,
        actor,
        path,
        lambda partial, head: build(figures, partial, author=actor.display_name, head=head),
        "weekly",
        unit_id=unit_id or actor.unit_id or None,
        detail={"week": week.label, "unit": figures.unit_name},
    )
    return path


def build(
    figures: WeeklyFigures, path: Path, *, author: str, head: audit.Head | None = None
) -> None:
    header = f"{figures.unit_name} · weekly report {figures.week.label}"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.close(fd)
    blocks.build(
        path,
        story(figures, author, dt.datetime.now()),
        header=header,
        author=author,
        witness=head.printed if head else None,
    )
    os.chmod(path, 0o600)


def _pulse_section(res: Any) -> list[Any]:
    """The two latest closed quarters: each states its period, with n beside every figure."""
    out: list[Any] = []
    k = res.min_size
    out.append(
        blocks.para(
            "Team psychological safety (Edmondson 1999; mean of 7 items, 1-7, items 1, 3 and 5 "
            f"reversed). Published per closed quarter ({res.open_period} is published on "
            f"{res.open_period_closes:%d %B %Y}); a group is shown only with at least {k} "
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
                        f"Period: {p.period}, {p.first_day:%d %B %Y} to {p.last_day:%d %B %Y}",
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
