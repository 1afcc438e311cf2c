"""The one-page huddle summary, printed or saved at the end of a huddle."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from reportlab.platypus import KeepTogether

from hrohuddle.reports import blocks
from hrohuddle.services import audit, audit_chain, huddle_record, huddles, people
from hrohuddle.services.permissions import Actor
from hrohuddle.services.vocabulary import unit_vocabulary
from hrohuddle.store.database import Database
from hrohuddle.wording import count


@audit.requires("huddle.view")
def write(db: Database, actor: Actor, huddle_id: int, path: Path) -> Path:
    """Write the summary PDF (owner-only) and audit that it was printed."""
    b = huddles.board(db, actor, huddle_id)
    unit = people.unit_settings(db, actor.unit_id)
    vocab = unit_vocabulary()
    professions = vocab.labels_by_key("professions")
    ahead = vocab.labels_by_key("look_ahead_categories")
    principles = vocab.labels_by_key("hro_principles")
    h = b.huddle
    minutes = round((h.ended_at - h.started_at).total_seconds() / 60) if h.ended_at else None
    header = f"{unit.name} · safety huddle {_day(h.huddle_date.isoformat())}, {h.shift} shift"
    story: list[object] = [blocks.para(f"Safety huddle · {unit.name}", "title")]
    facts = [
        f"{_day(h.huddle_date.isoformat())}, {h.shift} shift; led by {h.led_by or 'not recorded'}.",
        f"Length: {count(minutes, 'minute')} (target {count(b.target_minutes, 'minute')})."
        if minutes is not None
        else "Still open.",
        f"Present: {b.head_count} — "
        + ", ".join(f"{professions.get(k, k)} {v}" for k, v in sorted(b.profession_mix.items())),
    ]
    n = huddle_record.huddle_counts(b)
    facts.append(
        f"Look back: {count(n.look_back, 'item')}; look ahead: {count(n.look_ahead, 'item')}; "
        f"{count(n.teaching_points, 'teaching point')}; "
        f"{count(n.recognitions, 'recognition')} given, "
        f"{count(n.good_catches, 'good catch', 'good catches')} recognised; "
        f"HRO principles touched: {len(n.principles)} of {len(principles)}."
    )
    story += [blocks.para(f) for f in facts]

    def section(title: str, lines: list[str]) -> None:
        story.append(blocks.para(title, "h2"))
        if not lines:
            story.append(blocks.para("Nothing recorded.", "small"))
        for line in lines:
            story.append(blocks.para("• " + line))

    # Once closed, the reports looked back on are items of the huddle itself.
    reports = [f"Report: {e.summary}" for e in b.look_back_events] if h.status == "open" else []
    section("Look back", [i.text for i in b.items["look_back"]] + reports)
    section(
        "Look ahead",
        [
            f"{ahead.get(i.category or '', i.category or '')}: {i.text}"
            for i in b.items["look_ahead"]
        ],
    )

    def giver(i: huddles.ItemRow) -> str:
        if not i.author:
            return ""
        who = professions.get(i.author_profession or "", i.author_profession or "")
        if i.author_is_learner:
            who = f"{who} learner" if who else "learner"
        return f", taught by {i.author} ({who})" if who else f", taught by {i.author}"

    section(
        "Teaching point",
        [
            i.text.rstrip(". ")
            + giver(i)
            + (f"; {principles[i.hro_principle]}" if i.hro_principle in principles else "")
            for i in b.items["teach"]
        ],
    )
    tally = huddle_record.teaching_tally(
        db, actor, h.huddle_date - dt.timedelta(days=27), h.huddle_date
    )
    if tally.total:
        by = ", ".join(
            f"{professions.get(k, k)} {v}"
            for k, v in sorted(tally.by_profession.items(), key=lambda kv: -kv[1])
        )
        story.append(
            blocks.para(
                f"Everybody teaches: {count(tally.total, 'teaching point')} in the 4 weeks "
                f"to this huddle — {by}; {tally.by_learners} by learners.",
                "small",
            )
        )
    recognised = {i.event_id for i in b.items["recognise"] if i.event_id is not None}
    section(
        "Recognition",
        [
            i.text
            + (
                f" (from {i.author})"
                if i.author and not i.text.startswith(("Good catch", "Near miss"))
                else ""
            )
            for i in b.items["recognise"]
        ]
        # A good catch that is also the teaching point is already thanked above.
        + (
            [f"Good catch: {e.summary}" for e in b.good_catches if e.id not in recognised]
            if h.status == "open"
            else []
        ),
    )
    changes = huddle_record.follow_up_record(db, actor, huddle_id)
    story.append(blocks.para("What the huddle did to follow-ups", "h2"))
    if changes:
        # Each row says what that step did, with the owner and due date it left.
        rows = [["Action", "Done in the huddle", "Owner", "Due"]]
        for c in changes:
            rows.append(
                [
                    c.title,
                    _step(c),
                    c.owner or "—",
                    _day(c.due_on.isoformat()) if c.due_on else "—",
                ]
            )
        story.append(
            blocks.table(rows, [52 * blocks.mm, 72 * blocks.mm, 32 * blocks.mm, 29 * blocks.mm])
        )
    else:
        story.append(blocks.para("No action was made, closed or changed.", "small"))
    # Escalated to the department at this huddle: the tier's business now.
    sent = huddle_record.escalations_sent(db, actor, huddle_id)
    if sent:
        story.append(blocks.para("Escalated to the department", "h2"))
        for e in sent:
            story.append(blocks.para("• " + e.words))
    # The other open actions: those the huddle changed are in the table above.
    changed = {c.action_id for c in changes}
    others = [a for a in b.follow_ups if a.id not in changed]
    story.append(blocks.para("Other open actions", "h2"))
    # The short HRO reflection stays on the page of the section before it: with the
    # heading and the list when they are short, else with the list's last rows, so it
    # is never left alone on a nearly empty last page.
    closing_from = len(story) - 1
    if others:
        rows = [["Action", "Owner", "Due", "State"]]
        for a in others:
            state = "overdue" if a.overdue(b.today) else "open"
            if a.escalated:
                state += ", escalated"
            rows.append(
                [a.title, a.owner or "—", _day(a.due_on.isoformat()) if a.due_on else "—", state]
            )
        widths = [88 * blocks.mm, 40 * blocks.mm, 29 * blocks.mm, 25 * blocks.mm]
        if len(rows) > 8:
            story.append(blocks.table(rows[:-3], widths))
            closing_from = len(story)
            story.append(blocks.table(rows[-3:], widths, header=False))
        else:
            story.append(blocks.table(rows, widths))
    else:
        story.append(blocks.para("No other open actions.", "small"))
    # Ticked in the reflection or tagged on a teaching point or any other item.
    touched = [principles[k] for k in n.principles]
    story.append(blocks.para("HRO reflection", "h2"))
    story.append(
        blocks.para(
            f"Touched {len(touched)} of {len(principles)} principles"
            + (f": {', '.join(touched)}." if touched else ".")
        )
    )
    story.append(
        blocks.para("No patient identifiers: text was checked before it was saved.", "small")
    )
    story[closing_from:] = [KeepTogether(story[closing_from:])]

    def build(partial: Path, head: audit.Head) -> None:
        blocks.build(partial, story, header=header, author=actor.display_name, witness=head.printed)

    audit_chain.report_published(
        db, actor, path, build, "huddle summary", target=f"huddle:{huddle_id}"
    )
    return path


def _step(c: huddle_record.FollowUpChange) -> str:
    """What one step did to an action, with the values of that moment."""

    def when(d: dt.date | None) -> str:
        return _day(d.isoformat()) if d else "no date"

    if c.change == "created":
        return f"Made for {c.owner or 'nobody'}, due {when(c.due_on)}"
    if c.change == "reassigned":
        return f"Reassigned from {c.owner_before or 'nobody'} to {c.owner or 'nobody'}"
    if c.change == "due_changed":
        return f"Due date moved from {when(c.due_before)} to {when(c.due_on)}"
    if c.change == "closed":
        return f"Closed: {c.detail}" if c.detail else "Closed"
    return f"Escalated to the manager: {c.detail}" if c.detail else "Escalated to the manager"


def _day(iso: str) -> str:
    """A date as every screen and report shows it: "Fri 27 Nov 2026"."""
    d = dt.date.fromisoformat(iso)
    return f"{d:%a} {d.day} {d:%b %Y}"
