"""The weekly safety and learning report: one unit, one ISO week, one PDF."""

from __future__ import annotations

import datetime as dt
import io
import os
from pathlib import Path
from typing import Any

from reportlab.platypus import Image, KeepTogether, PageBreak, Spacer

from hrohuddle.reports import blocks, charts
from hrohuddle.services import audit, reporting
from hrohuddle.services.permissions import Actor
from hrohuddle.services.reporting import Series, Week, WeeklyFigures
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
    else:
        s.append(
            blocks.para("No behaviour observations were recorded in the last 26 weeks.", "small")
        )

    # Pulses
    s.append(blocks.para("Onboarding pulses", "h2"))
    if f.pulses is None:
        s.append(blocks.para("Pulse results are shown to managers only.", "small"))
    else:
        s.append(
            blocks.para(
                "Team psychological safety (Edmondson 1999; mean of 7 items, 1-7, items 1, 3 "
                f"and 5 reversed). Groups with fewer than {f.min_group_size} answers are hidden, "
                "and so is any group that would let a hidden one be worked out.",
                "small",
            )
        )
        rows = [["Milestone", "Answers (n)", "Scale mean", "Favourable"]]
        for g in [*f.pulses.groups, f.pulses.total]:
            if g.hidden:
                rows.append([g.label, "hidden", f"fewer than {f.min_group_size}", ""])
            else:
                rows.append(
                    [
                        g.label,
                        str(g.n),
                        _fmt(g.scale_mean)
                        if g.scale_mean is None
                        else f"{g.scale_mean:.2f} (n={g.complete})",
                        "—" if g.favourable_share is None else f"{g.favourable_share:.0%}",
                    ]
                )
        s.append(
            blocks.table(rows, [50 * blocks.mm, 35 * blocks.mm, 55 * blocks.mm, 40 * blocks.mm])
        )

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
    return s


def write(
    db: Database, actor: Actor, week: Week, path: Path, *, unit_id: int | None = None
) -> Path:
    """Build the weekly report PDF at ``path`` (owner-only) and audit that it was made."""
    figures = reporting.weekly_figures(db, actor, week, unit_id)
    audit.publish(
        db,
        path,
        lambda partial, head: build(figures, partial, author=actor.display_name, head=head),
        "report.printed",
        actor=actor,
        unit_id=unit_id or actor.unit_id,
        detail={"report": "weekly", "week": week.label},
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
