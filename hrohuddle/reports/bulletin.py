"""The unit safety bulletin: one A4 page for the staff room, whatever the week held.

Written from services.bulletin (the reviewers' words; a reporter's own only with their
consent). When the week holds more than the page, each list is cut, the longest
first, and says "and N more" instead of running onto a second page.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph, Spacer

from hrohuddle.reports import blocks
from hrohuddle.services import audit, audit_chain, bulletin, dates
from hrohuddle.services.bulletin import Bulletin
from hrohuddle.services.me_too import seen_by
from hrohuddle.services.permissions import Actor
from hrohuddle.store.database import Database

#: Larger than the weekly report's: it is read standing, on a wall.
STYLES = {
    "title": ParagraphStyle(
        "b-title", parent=blocks.STYLES["title"], fontSize=22, leading=26, spaceAfter=2
    ),
    "thanks": ParagraphStyle(
        "b-thanks",
        parent=blocks.STYLES["body"],
        fontName="Helvetica-Bold",
        fontSize=13,
        leading=17,
        spaceBefore=4,
        spaceAfter=4,
    ),
    "h2": ParagraphStyle(
        "b-h2", parent=blocks.STYLES["h2"], fontSize=15, leading=19, spaceBefore=8, spaceAfter=3
    ),
    "item": ParagraphStyle(
        "b-item",
        parent=blocks.STYLES["body"],
        fontSize=11,
        leading=14.5,
        leftIndent=10,
        bulletIndent=0,
        spaceAfter=3,
    ),
    "quote": ParagraphStyle(
        "b-quote",
        parent=blocks.STYLES["body"],
        fontName="Helvetica-Oblique",
        fontSize=10,
        leading=13,
        leftIndent=22,
        spaceAfter=3,
        textColor=colors.HexColor("#222222"),
    ),
    "body": ParagraphStyle("b-body", parent=blocks.STYLES["body"], fontSize=11, leading=14.5),
    "small": blocks.STYLES["small"],
}

SECTIONS = ("done", "learning", "good_catches")
TITLES = {
    "done": "You said, we did",
    "learning": "What we learned together",
    "good_catches": "Good catches",
}
EMPTY = {
    "done": "No report reached an action or a change this week.",
    "learning": "Nothing new was shared from the reports this week.",
    "good_catches": "No good catch was reported or shared this week.",
}
#: The frame the story is laid out in (blocks.build's margins, less the frame's padding).
FRAME_WIDTH = A4[0] - 30 * blocks.mm - 12
FRAME_HEIGHT = A4[1] - 30 * blocks.mm - 12
#: Kept free below the last line, so that a rounding in the layout never makes a page two.
SAFETY = 18


def _p(markup: str, style: str) -> Paragraph:
    return Paragraph(markup, STYLES[style])


def _e(text: str) -> str:
    return blocks.escape(text)


def _seen(n: int) -> str:
    return f" <i>({_e(seen_by(n))})</i>" if n else ""


def _quoted(quote: str | None) -> list[Any]:
    if not quote:
        return []
    return [_p(f"In the reporter's own words: “{_e(quote)}”", "quote")]


def _items(b: Bulletin, section: str) -> list[list[Any]]:
    """Each item of a section as the flowables it takes."""
    out: list[list[Any]] = []
    if section == "done":
        for d in b.done:
            out.append([_p(f"<b>{_e(d.said)}</b> {_e(d.did)}{_seen(d.me_too)}", "item")])
    elif section == "learning":
        for item in b.learning:
            out.append(
                [
                    _p(
                        f"<b>{_e(item.kind)} · {_e(item.category)}.</b> "
                        f"{_e(item.text)}{_seen(item.me_too)}",
                        "item",
                    ),
                    *_quoted(item.quote),
                ]
            )
    else:
        for g in b.good_catches:
            thanks = f" Thank you, {_e(g.named)}." if g.named else ""
            out.append(
                [
                    _p(f"<b>{_e(g.category)}.</b> {_e(g.text)}{thanks}{_seen(g.me_too)}", "item"),
                    *_quoted(g.quote),
                ]
            )
    return out


#: More items than this in a section can never fit the page: they are not measured.
MOST_MEASURED = 60


def story(
    b: Bulletin,
    shown: dict[str, int] | None = None,
    items: dict[str, list[list[Any]]] | None = None,
) -> list[Any]:
    """The page, with at most ``shown[section]`` items of each section (all by default)."""
    items = items if items is not None else {s: _items(b, s) for s in SECTIONS}
    totals = _totals(b)
    s: list[Any] = [
        _p("Unit safety bulletin", "title"),
        _p(
            f"{_e(b.unit_name)} ({_e(b.unit_code)}) · week {b.week_label}, "
            f"{_e(dates.week_span(b.week_start))}",
            "body",
        ),
        _p(_e(b.thank_you), "thanks"),
    ]
    for section in SECTIONS:
        s.append(_p(TITLES[section], "h2"))
        rows = items[section]
        if not totals[section]:
            s.append(_p(EMPTY[section], "body"))
            continue
        limit = totals[section] if shown is None else shown.get(section, totals[section])
        for flowables in rows[:limit]:
            s.extend(flowables)
        if limit < totals[section]:
            s.append(_more(totals[section] - limit))
    s += [
        Spacer(1, 6),
        _p(
            "Seen the same? Say “I have seen this too” on the huddle board: it is counted, "
            "never named. Report anything in a minute from any workstation, anonymously if "
            "you wish. Written from the reviewers' summaries; a reporter is quoted or named "
            "only when they agreed.",
            "small",
        ),
    ]
    return s


def _more(n: int) -> Paragraph:
    return _p(f"… and {n} more: ask the charge nurse.", "body")


def _totals(b: Bulletin) -> dict[str, int]:
    return {"done": len(b.done), "learning": len(b.learning), "good_catches": len(b.good_catches)}


def _height(flowables: list[Any]) -> float:
    total = 0.0
    for f in flowables:
        _w, h = f.wrap(FRAME_WIDTH, FRAME_HEIGHT)
        total += h + f.getSpaceBefore() + f.getSpaceAfter()
    return total


def fitted(b: Bulletin) -> tuple[list[Any], dict[str, int]]:
    """The story cut to one page: the section showing most loses an item until it fits.

    Each item is measured once; returns the story and how many items of each section
    it shows.
    """
    totals = _totals(b)
    items = {s: _items(b, s)[:MOST_MEASURED] for s in SECTIONS}
    heights = {s: [_height(flowables) for flowables in items[s]] for s in SECTIONS}
    more = _height([_more(999)])
    cut = sum(1 for s in SECTIONS if totals[s])
    fixed = _height(story(b, dict.fromkeys(SECTIONS, 0), items)) - more * cut
    shown = {s: len(items[s]) for s in SECTIONS}

    def need() -> float:
        return (
            fixed
            + sum(sum(heights[s][: shown[s]]) for s in SECTIONS)
            + more * sum(1 for s in SECTIONS if shown[s] < totals[s])
        )

    while need() > FRAME_HEIGHT - SAFETY and any(shown.values()):
        longest = max(SECTIONS, key=lambda k: shown[k])
        shown[longest] -= 1
    return story(b, shown, items), shown


def build(b: Bulletin, path: Path, *, author: str, head: audit.Head | None = None) -> None:
    """Write the one-page PDF at ``path`` (owner-only)."""
    page, _shown = fitted(b)
    blocks.build(
        path,
        page,
        header=f"{b.unit_name} · safety bulletin {b.week_label}",
        author=author,
        witness=head.printed if head else None,
    )


@audit.requires(None)
def write(db: Database, actor: Actor, week_start: dt.date, path: Path) -> Path:
    """Build the bulletin PDF at ``path`` (owner-only) and audit that it was made."""
    b = bulletin.build(db, actor, week_start)
    audit_chain.report_published(
        db,
        actor,
        path,
        lambda partial, head: build(b, partial, author=actor.display_name, head=head),
        "bulletin",
        unit_id=actor.unit_id or None,
        detail={"week": b.week_label, "unit": b.unit_name},
    )
    return path


@audit.requires(None)
def preview(db: Database, actor: Actor, week_start: dt.date, path: Path) -> Path:
    """Build the PDF for a look on screen; nothing is recorded until it is printed."""
    b = bulletin.build(db, actor, week_start)
    build(b, path, author=actor.display_name)
    return path
