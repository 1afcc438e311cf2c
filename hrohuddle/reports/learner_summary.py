"""The learner summary for the end of a placement: every observation, with its
preceptor, the learner's reply and acknowledgement."""

from __future__ import annotations

from pathlib import Path

from hrohuddle.reports import blocks
from hrohuddle.services import audit, dates, observations
from hrohuddle.services.permissions import Actor
from hrohuddle.store.database import Database
from hrohuddle.wording import count


@audit.requires(None)
def build(db: Database, actor: Actor, learner_id: int, path: Path) -> Path:
    """Write the summary PDF (owner-only) under the visibility rules; records nothing."""
    progress = observations.progress(db, actor, learner_id)
    rows = observations.observations(db, actor, learner_id)
    catalogue = observations.behaviour_catalogue(db)
    data = observations.scale_data()
    # The latest observation is read on the scale it was made on.
    latest_scale = rows[0].scale_key if rows else str(data["key"])
    levels = observations.scale_levels(latest_scale)
    scale_title = dict(observations.scales()).get(latest_scale, str(data["title"]))
    domains = {d["key"]: d["label"] for d in data["ipec_domains"]}
    settings = dict(observations.settings())
    latest = (
        f"{progress.latest} — {levels.get(progress.latest, '')} "
        f"({dates.day(progress.ratings[-1][0])})"
        if progress.latest is not None
        else "none yet"
    )
    story: list[object] = [
        blocks.para(f"Learner summary · {progress.learner}", "title"),
        blocks.para(
            f"Started {dates.day(progress.start_date)}."
            if progress.start_date
            else "Start date not recorded."
        ),
        blocks.para(
            f"{count(progress.count, 'observation')}. Latest rating: {latest}. "
            f"Trend: {progress.trend}. Scale: {scale_title}."
        ),
        blocks.para("Competency domains observed (IPEC 2023)", "h2"),
        blocks.table(
            [["Domain", "Observations (n)"]]
            + [[domains.get(k, k), str(progress.by_domain.get(k, 0))] for k in domains],
            [110 * blocks.mm, 70 * blocks.mm],
        ),
        blocks.para("Observations, newest first", "h2"),
    ]
    table: list[list[str]] = [
        ["Date", "Setting and preceptor", "Rating", "What was seen", "Learner's reply", "Ack."]
    ]
    for r in rows:
        seen = [f"Strengths: {r.strengths}" if r.strengths else "Strengths: none written"]
        if r.next_steps:
            seen.append(f"Next steps: {r.next_steps}")
        if r.behaviours:
            seen.append("Behaviours: " + "; ".join(catalogue.get(b, b) for b in r.behaviours))
        table.append(
            [
                dates.day(r.observed_on),
                f"{settings.get(r.setting, r.setting)}\nby {r.preceptor}",
                f"{r.rating} — {observations.scale_levels(r.scale_key).get(r.rating, '')}",
                "\n".join(seen),
                r.learner_reply or "—",
                dates.day(dates.to_local(r.acknowledged_at)) if r.acknowledged_at else "not yet",
            ]
        )
    if len(table) == 1:
        table.append(["—", "No observations yet", "", "", "", ""])
    story.append(
        blocks.table(
            table,
            [
                22 * blocks.mm,
                30 * blocks.mm,
                22 * blocks.mm,
                58 * blocks.mm,
                30 * blocks.mm,
                18 * blocks.mm,
            ],
        )
    )
    story.append(blocks.para("Behaviours not yet observed", "h2"))
    if progress.never_observed:
        story.append(
            blocks.table(
                [["Behaviour (from the unit's checklists)"]]
                + [[text] for text in progress.never_observed],
                [180 * blocks.mm],
            )
        )
    else:
        story.append(blocks.para("Every behaviour on the unit's checklists has been observed."))
    blocks.build(
        path, story, header=f"Learner summary · {progress.learner}", author=actor.display_name
    )
    return path


@audit.requires(None)
def write(db: Database, actor: Actor, learner_id: int, path: Path) -> Path:
    """Save the summary (``build``) and audit that it was saved."""
    build(db, actor, learner_id, path)
    audit.report_printed(db, actor, "learner summary", target=f"person:{learner_id}")
    return path
