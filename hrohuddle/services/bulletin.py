"""Shared learning: "you said, we did", read by the huddle board, the weekly report
and the unit's safety bulletin.

Every line is written from the reviewers' words (the report's reviewer summary and
the journey step's sentence), never from the reporter's own narrative.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from hrohuddle.services.vocabulary import taxonomy
from hrohuddle.store.database import Database
from hrohuddle.store.models import ReportStep, SafetyEvent

#: The journey steps that count as "we did".
DONE_STEPS = ("action", "system_change")


@dataclass(frozen=True)
class Done:
    """One report whose journey reached action or system change in a period."""

    event_id: int
    kind: str  # display label, e.g. "Near miss"
    category: str  # display label
    step: str  # action | system_change
    on_date: dt.date
    said: str  # the reviewer's summary, or the kind and category when there is none
    did: str  # the step's sentence for the reporter

    def line(self) -> str:
        return f"You said: {self.said} We did: {self.did}"


def you_said_we_did(
    db: Database, unit_id: int, since: dt.date, until: dt.date
) -> list[Done]:
    """Reports of the unit whose journey reached action or system change on a day in
    ``[since, until)``, oldest first; a report counted once, by its latest such step."""
    tax = taxonomy()
    with db.read() as s:
        rows = s.execute(
            select(
                SafetyEvent.id,
                SafetyEvent.kind,
                SafetyEvent.category,
                SafetyEvent.reviewer_summary,
                ReportStep.step,
                ReportStep.on_date,
                ReportStep.sentence,
            )
            .join(ReportStep, ReportStep.event_id == SafetyEvent.id)
            .where(
                SafetyEvent.unit_id == unit_id,
                ReportStep.step.in_(DONE_STEPS),
                ReportStep.on_date >= since,
                ReportStep.on_date < until,
            )
            .order_by(ReportStep.on_date, ReportStep.id)
        ).all()
    latest: dict[int, Done] = {}
    for event_id, kind, category, summary, step, on_date, sentence in rows:
        kind_label = tax.label("kinds", kind)
        category_label = tax.label("categories", category)
        said = _sentence(summary) or f"A {kind_label.lower()} about {category_label.lower()}."
        latest.pop(event_id, None)  # re-inserted, so the dict keeps date order
        latest[event_id] = Done(
            event_id, kind_label, category_label, step, on_date, said, _sentence(sentence)
        )
    return list(latest.values())


def _sentence(text: str | None) -> str:
    words = " ".join((text or "").split())
    if words and words[-1] not in ".!?":
        words += "."
    return words
