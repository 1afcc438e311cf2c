"""The one-page huddle summary, printed or saved at the end of a huddle."""

from __future__ import annotations

import os
from pathlib import Path

from hrohuddle.reports import blocks
from hrohuddle.services import audit, huddles, people
from hrohuddle.services.permissions import Actor
from hrohuddle.services.vocabulary import unit_vocabulary
from hrohuddle.store.database import Database


@audit.requires("huddle.view")
def write(db: Database, actor: Actor, huddle_id: int, path: Path) -> Path:
    """Write the summary PDF (owner-only) and audit that it was printed."""
    b = huddles.board(db, actor, huddle_id)
    unit = people.unit_settings(db, actor.unit_id)
    vocab = unit_vocabulary()
    professions = {t.key: t.label for t in vocab.terms("professions")}
    ahead = {t.key: t.label for t in vocab.terms("look_ahead_categories")}
    principles = {t.key: t.label for t in vocab.terms("hro_principles")}
    h = b.huddle
    minutes = round((h.ended_at - h.started_at).total_seconds() / 60) if h.ended_at else None
    header = f"{unit.name} · safety huddle {h.huddle_date:%a %d %b %Y}, {h.shift} shift"
    story: list[object] = [blocks.para(f"Safety huddle · {unit.name}", "title")]
    facts = [
        f"{h.huddle_date:%A %d %B %Y}, {h.shift} shift; led by {h.led_by or 'not recorded'}.",
        f"Length: {minutes} minutes (target {b.target_minutes})."
        if minutes is not None
        else "Still open.",
        f"Present: {b.head_count} — "
        + ", ".join(f"{professions.get(k, k)} {v}" for k, v in sorted(b.profession_mix.items())),
    ]
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
    section(
        "Teaching point",
        [
            i.text + (f" ({principles[i.hro_principle]})" if i.hro_principle else "")
            for i in b.items["teach"]
        ],
    )
    section("Recognition", [i.text for i in b.items["recognise"]])
    story.append(blocks.para("Open actions (follow up)", "h2"))
    if b.follow_ups:
        rows = [["Action", "Owner", "Due", "State"]]
        for a in b.follow_ups:
            state = "OVERDUE" if a.overdue(b.today) else "open"
            if a.escalated:
                state += ", escalated"
            rows.append([a.title, a.owner or "—", f"{a.due_on:%d %b}" if a.due_on else "—", state])
        story.append(
            blocks.table(rows, [95 * blocks.mm, 40 * blocks.mm, 20 * blocks.mm, 25 * blocks.mm])
        )
    else:
        story.append(blocks.para("No open actions.", "small"))
    touched = [principles[k] for k, v in b.reflection.items() if v and k in principles]
    story.append(blocks.para("HRO reflection", "h2"))
    story.append(
        blocks.para(
            f"Touched {len(touched)} of 5 principles"
            + (f": {', '.join(touched)}." if touched else ".")
        )
    )
    story.append(
        blocks.para("No patient identifiers: text was checked before it was saved.", "small")
    )

    def build(partial: Path, head: audit.Head) -> None:
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.close(fd)
        blocks.build(partial, story, header=header, author=actor.display_name, witness=head.printed)
        os.chmod(partial, 0o600)

    audit.report_published(db, actor, path, build, "huddle summary", target=f"huddle:{huddle_id}")
    return path
