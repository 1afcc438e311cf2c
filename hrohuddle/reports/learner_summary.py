"""The one-page learner summary for the end of a placement."""

from __future__ import annotations

import os
from pathlib import Path

from hrohuddle.reports import blocks
from hrohuddle.services import audit, observations
from hrohuddle.services.permissions import Actor
from hrohuddle.store.database import Database


@audit.requires(None)
def write(db: Database, actor: Actor, learner_id: int, path: Path) -> Path:
    """Write the summary (owner-only); visibility rules apply and printing is audited."""
    progress = observations.progress(db, actor, learner_id)
    rows = observations.observations(db, actor, learner_id)
    data = observations.scale_data()
    # The latest observation is read on the scale it was made on.
    levels = observations.scale_levels(rows[0].scale_key if rows else str(data["key"]))
    domains = {d["key"]: d["label"] for d in data["ipec_domains"]}
    settings = {d["key"]: d["label"] for d in data["settings"]}
    story: list[object] = [
        blocks.para(f"Learner summary · {progress.learner}", "title"),
        blocks.para(
            f"Started {progress.start_date:%d %B %Y}."
            if progress.start_date
            else "Start date not recorded."
        ),
        blocks.para(
            f"{progress.count} observation(s). Latest rating: "
            + (
                f"{progress.latest} — {levels.get(progress.latest, '')}"
                if progress.latest
                else "none"
            )
            + f". Trend: {progress.trend}."
        ),
        blocks.para("Competency domains observed (IPEC 2023)", "h2"),
        blocks.table(
            [["Domain", "Observations (n)"]]
            + [[domains.get(k, k), str(v)] for k, v in sorted(progress.by_domain.items())]
            or [["Domain", "Observations (n)"]],
            [110 * blocks.mm, 70 * blocks.mm],
        ),
        blocks.para("Observations", "h2"),
    ]
    table = [["Date", "Setting", "Rating", "Strengths / next steps", "Acknowledged"]]
    for r in rows[:12]:
        table.append(
            [
                f"{r.observed_on:%d %b}",
                settings.get(r.setting, r.setting),
                f"{r.rating} {observations.scale_levels(r.scale_key).get(r.rating, '')}",
                f"{r.strengths or ''}\nNext: {r.next_steps or ''}",
                "yes" if r.acknowledged_at else "not yet",
            ]
        )
    story.append(
        blocks.table(
            table, [18 * blocks.mm, 30 * blocks.mm, 38 * blocks.mm, 72 * blocks.mm, 22 * blocks.mm]
        )
    )
    story.append(blocks.para("Behaviours not yet observed", "h2"))
    story.append(blocks.para("; ".join(progress.never_observed) or "All have been observed."))
    blocks.build(
        path, story, header=f"Learner summary · {progress.learner}", author=actor.display_name
    )
    os.chmod(path, 0o600)
    audit.report_printed(db, actor, "learner summary", target=f"person:{learner_id}")
    return path
