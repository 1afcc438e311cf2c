"""The department weekly report: a tier's units side by side and together, one PDF.

Landscape A4, so that the units' table fits a dozen units and more on a page (it
breaks across pages with its header repeated). The department's own charts come
first; each unit's charts follow when there are few enough units for them to be
drawn in a moment (their signals are always in the table).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import (
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
)

from hrohuddle import APP_NAME, __version__
from hrohuddle.analytics.signals import Analysis
from hrohuddle.paths import make_private, open_private
from hrohuddle.reports import blocks, charts
from hrohuddle.services import audit, audit_chain, dates, department, tiers
from hrohuddle.services.department import Column, DepartmentWeek
from hrohuddle.services.permissions import Actor
from hrohuddle.services.reporting import Series, Week
from hrohuddle.store.database import Database
from hrohuddle.wording import count, counts_in

PAGE = landscape(A4)
LOOSE_H2 = ParagraphStyle("loose_h2", parent=blocks.STYLES["h2"], keepWithNext=0)
MARGIN = 12 * blocks.mm
WIDTH = PAGE[0] - 2 * MARGIN
#: Each unit's own charts are drawn for up to this many units (a chart takes a moment).
UNIT_CHARTS_UP_TO = 12
NEVER_SHOWN = (
    "This report holds aggregates only: never a single report, its narrative, who made "
    "it, or a pulse answer. Each unit's own weekly report shows its reports' detail to "
    "its own managers."
)


def _image(fig: Any, width: float) -> Any:
    return charts.picture(fig, width=width)


def _chart(series: Series[Analysis], width: float, *, control: bool) -> list[Any]:
    fig = (
        charts.control_chart(series, percent=True, titled=False)
        if control
        else charts.run_chart(series, titled=False)
    )
    analysis = series.analysis
    said = (
        " ".join(counts_in(s.sentence) for s in analysis.signals)
        if analysis.signals
        else "No signal: the variation is what this process usually shows."
    )
    return [
        blocks.para(series.title, "h3"),
        _image(fig, width),
        blocks.para(f"{said} {analysis.note}".strip(), "small"),
    ]


def _units_table(f: DepartmentWeek) -> Table:
    word = f.column_word.capitalize()
    rows: list[list[Any]] = [[word, *department.HEADERS]]
    for col in f.columns:
        rows.append([f"{col.code} · {col.name}", *department.row_cells(col)])
    rows.append([f"{f.name} together", *department.row_cells(f.together)])
    # Relative widths: the unit's name, then each figure (the pulse and signals wider).
    weights = [2.2, 1.2, 1.1, 1, 0.9, 0.9, 0.9, 1, 1.1, 1.1, 1.2, 1.7, 1.4]
    widths = [WIDTH * w / sum(weights) for w in weights]
    table = blocks.table(rows, widths)
    table.setStyle(
        [
            ("BACKGROUND", (0, len(rows) - 1), (-1, len(rows) - 1), colors.HexColor("#F3F4F6")),
            ("LINEABOVE", (0, len(rows) - 1), (-1, len(rows) - 1), 1.2, colors.black),
        ]
    )
    return table


def _escalations(f: DepartmentWeek) -> list[Any]:
    # While the week runs, escalations are those open today, with their ages on today.
    end = f.last_day
    today = " (today)" if f.running else ""
    out: list[Any] = [blocks.para("Open escalations by age", "h2")]
    if not f.escalations:
        out.append(
            blocks.para(f"No escalation from these units was open on {dates.day(end)}{today}.")
        )
        return out
    bands = [
        ["Age on " + dates.day(end) + today, *f.escalation_ages],
        ["Open", *map(str, f.escalation_ages.values())],
    ]
    band_table = blocks.table(bands, [40 * blocks.mm] + [28 * blocks.mm] * len(f.escalation_ages))
    band_table.hAlign = "LEFT"
    out += [band_table, Spacer(1, 6)]
    rows: list[list[Any]] = [["Unit", "Escalation", "Raised", "Age", "Needed by", "Now with"]]
    for e in f.escalations:
        rows.append(
            [
                e.unit_code,
                e.title,
                dates.day(e.raised_on),
                count(e.age_days, "day"),
                dates.day(e.needed_by) if e.needed_by else "—",
                e.with_tier,
            ]
        )
    mm = blocks.mm
    out.append(blocks.table(rows, [22 * mm, WIDTH - 132 * mm, 30 * mm, 22 * mm, 30 * mm, 28 * mm]))
    return out


def story(f: DepartmentWeek, author: str) -> list[Any]:
    what = "hospital" if f.level >= 3 else "department"
    out: list[Any] = [
        blocks.para(f"{f.name} · {what} week {f.week.label}", "title"),
        blocks.para(
            f"{f.span_words} · "
            + (
                f"{count(len(f.columns), f.column_word)} side by side and together · "
                if f.together.units
                else ""
            )
            + f"printed for {author}",
            "small",
        ),
        Spacer(1, 4),
    ]
    if not f.together.units:
        # A week before any of its units began (or with none in it): say so, no zeros.
        return [*out, *[blocks.para(n) for n in f.notes[:1]], blocks.para(NEVER_SHOWN, "small")]
    out += [
        # Not kept with the table: a long table starts on the first page, under its title.
        Paragraph(blocks.escape(f"The {f.column_word}s side by side"), LOOSE_H2),
        _units_table(f),
        Spacer(1, 3),
        blocks.para(
            "Huddles are expected at every shift start; on time means started within 45 "
            "minutes of it. Harm reached the patient: mild, moderate, severe harm or death "
            "on the AHRQ harm scale. Heard back within 7 days counts the reports made in the "
            "week whose 7 days are over. Signals: how many run or control chart signals "
            "each chart below shows.",
            "small",
        ),
        *[blocks.para(n, "small") for n in f.notes],
        blocks.para(NEVER_SHOWN, "small"),
    ]
    half = (WIDTH - 8 * blocks.mm) / 2
    together = f.together
    out.append(PageBreak())
    out.append(blocks.para(f"{f.name} together", "h2"))
    out += _unit_charts(together, half)
    out += _escalations(f)
    if f.columns and len(f.columns) <= UNIT_CHARTS_UP_TO:
        out.append(PageBreak())
        out.append(blocks.para(f"Each {f.column_word}'s charts", "h2"))
        for col in f.columns:
            out += _unit_charts(col, half)
    elif f.columns:
        out.append(
            blocks.para(
                f"Each {f.column_word}'s own charts are in its weekly report; with more than "
                f"{UNIT_CHARTS_UP_TO} {f.column_word}s, this report gives their signals in "
                "the table.",
                "small",
            )
        )
    return out


def _unit_charts(col: Column, width: float) -> list[Any]:
    """A column's charts, every one its Signals cell counts."""
    left = _chart(col.huddle_p, width, control=True)
    right = _chart(col.event_run, width, control=False)
    pair = Table([[left, right]], colWidths=[width + 4 * blocks.mm, width + 4 * blocks.mm])
    return [pair, KeepTogether(_chart(col.heard_back, width, control=True))]


def build(f: DepartmentWeek, path: Path, *, author: str, head: audit.Head | None = None) -> None:
    """Write the report to ``path`` (owner-only), with the audit head in the footer."""
    what = "hospital" if f.level >= 3 else "department"
    header = f"{f.name} · {what} report {f.week.label}"
    generated = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    witness = head.printed if head else None

    def frame(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.setFillColor(colors.HexColor("#333333"))
        width, height = PAGE
        canvas.drawString(MARGIN, height - 8 * blocks.mm, header)
        canvas.drawRightString(width - MARGIN, 6 * blocks.mm, f"Page {doc.page}")
        canvas.drawString(
            MARGIN, 6 * blocks.mm, f"{APP_NAME} {__version__} · generated {generated} by {author}"
        )
        if witness:
            canvas.drawString(MARGIN, 3 * blocks.mm, f"Witness of the {witness}")
        canvas.restoreState()

    doc = SimpleDocTemplate(
        str(path),
        pagesize=PAGE,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=12 * blocks.mm,
        bottomMargin=11 * blocks.mm,
        title=header,
        author=APP_NAME,
    )
    open_private(path, "wb").close()
    doc.build(story(f, author), onFirstPage=frame, onLaterPages=frame)
    make_private(path)


@audit.requires(None)
def write(db: Database, actor: Actor, tier_code: str, week: Week, out: Path) -> Path:
    """Build the department report for ``tier_code`` and ``week`` at ``out``, audited."""
    tier_id = department.tier_id_of(db, tier_code)
    figures = department.department_week(db, actor, tier_id, week)
    audit_chain.report_published(
        db,
        actor,
        out,
        lambda partial, head: build(figures, partial, author=actor.display_name, head=head),
        "department",
        target=f"tier:{figures.code}",
        detail={"week": week.label, "tier": figures.code},
    )
    return out


@audit.requires(None)
def preview(db: Database, actor: Actor, figures: DepartmentWeek, path: Path) -> Path:
    """Build the PDF for a look on screen; nothing is recorded until it is printed."""
    with db.read() as s:
        tiers.require_tier(s, actor, figures.tier_id)
    build(figures, path, author=actor.display_name)
    return path
