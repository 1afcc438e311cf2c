"""A busy huddle, as the board must show it on the wall screen (issue: board mode fits).

Six reports to look back on, five look-ahead items, ten open follow-ups, a teaching
point, three recognitions and eight people present. Used by the fit tests and by
tests/tools/drive.py --busy for screenshots.
"""

from __future__ import annotations

import datetime as dt

from hrohuddle.services import actions, huddles, people
from hrohuddle.services.permissions import Actor
from hrohuddle.store.database import Database
from hrohuddle.store.models import SafetyEvent, utcnow

REPORTS = (
    ("near_miss", "medication", "Insulin drawn up for the wrong bay; caught at the bedside check."),
    ("good_catch", "medication", "Allergy to penicillin spotted by the student before the dose."),
    ("unsafe_condition", "device", "Suction in bay 3 not working at the start of the shift."),
    ("near_miss", "fall", "Bed left high after a wash; the alarm was not switched on."),
    ("workaround", "device", "Pump tubing borrowed from the next ward; ours had run out."),
    ("good_catch", "other", "Two patients with similar names flagged at handover."),
)
AHEAD = (
    ("staffing", "Two nurses short after 15:00; a float is asked for."),
    ("equipment", "Only one working bladder scanner on the unit."),
    ("procedures", "Two bronchoscopies this afternoon in side rooms."),
    ("patient_family", "A family asked to be called before any change in plan."),
    ("other", "Fire alarm test at 14:00."),
)
ACTIONS = (
    "Order spare pump tubing",
    "Fix the suction in bay 3",
    "Label the look-alike insulin pens",
    "Check the bed alarms every shift",
    "Book the bladder scanner repair",
    "Share the allergy good catch at the teaching round",
    "Review the two-identifier check at handover",
    "Update the falls risk poster",
    "Ask pharmacy for a second fridge thermometer",
    "Restock the resuscitation trolley checklist",
)


def reports_before_the_huddle(db: Database, unit_id: int) -> None:
    with db.write() as s:
        for n, (kind, category, text) in enumerate(REPORTS):
            s.add(
                SafetyEvent(
                    unit_id=unit_id,
                    kind=kind,
                    category=category,
                    harm=None,
                    narrative=text,
                    occurred_at=utcnow() - dt.timedelta(hours=8 - n),
                    shift="day",
                    reported_on=dt.date.today(),
                )
            )


def fill(db: Database, charge: Actor, huddle_id: int) -> None:
    """Everything but the reports, which must exist before the huddle starts."""
    for category, text in AHEAD:
        huddles.add_item(db, charge, huddle_id, "look_ahead", text, category=category)
    team = people.list_people(db, charge)
    for n, title in enumerate(ACTIONS):
        actions.create_action(
            db,
            charge,
            title,
            team[n % len(team)].id,
            dt.date.today() + dt.timedelta(days=n + 1),
        )
    learner = next((p for p in team if p.is_learner), team[0])
    huddles.add_item(
        db,
        charge,
        huddle_id,
        "teach",
        "Read back every verbal order, then write it down before acting.",
        hro_principle="sensitivity_to_operations",
        given_by=learner.id,
    )
    for text in (
        "Thanks to pharmacy for the quick insulin check",
        "Well done to the night team for the calm handover",
        "Thank you to the porters for the bed move",
    ):
        huddles.add_item(db, charge, huddle_id, "recognise", text)
    for p in team[:8]:
        huddles.set_present(db, charge, huddle_id, p.id, True)
