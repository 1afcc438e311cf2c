"""The demo unit's closed loop: every report acknowledged, most fed back, some asked about.

Drawn from its own seeded generator, after the reports are drawn, so the rest of the
unit is the same with or without it. Over the demo's years the share of reporters
who hear back within 7 days rises from about 40% to about 85%. Each report's journey
follows the theme of what it said (resources/demo/loop_text.yaml): its reviewer's
summary, local fix, action and lasting change belong together; an action is a real
one, told in the app's own sentence (services.journey.action_sentence); and the
report's status agrees with how far its journey went.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

from hrohuddle.paths import resources_dir
from hrohuddle.services import dates
from hrohuddle.services.journey import ACKNOWLEDGED, action_sentence
from hrohuddle.services.shifts import ShiftClock
from hrohuddle.services.vocabulary import load_yaml

_TEXT = load_yaml(resources_dir() / "demo" / "loop_text.yaml")
_QUESTIONS: list[tuple[str, str]] = [(e["text"], e["answer"]) for e in _TEXT["questions"]]
_SHARED: list[str] = [e["text"] for e in _TEXT["shared"]]
_SHARED_GOOD_CATCH: list[str] = [e["text"] for e in _TEXT["shared_good_catch"]]
_THEMES: dict[str, dict[str, Any]] = {e["report"]: e for e in _TEXT["themes"]}


def _theme(narrative: str) -> dict[str, Any]:
    """The theme written for a demo report; a report the demo has no theme for (an
    earlier vocabulary's, in the migration tests) borrows one, the same every time."""
    found = _THEMES.get(narrative)
    if found is not None:
        return found
    themes = list(_THEMES.values())
    return themes[sum(map(ord, narrative)) % len(themes)]


#: In time: the reviewers' usual first word; late: when a report waited.
_IN_TIME_DAYS = (0, 1, 1, 2, 2, 3, 3, 4, 5, 6, 7)
_LATE_DAYS = (8, 9, 10, 12, 14, 17, 21, 28, 35, 45)
#: A report reviewed but not acted on is closed this many days after its last step.
_CLOSED_AFTER_DAYS = 14


@dataclass(frozen=True)
class Owner:
    """Who owns the actions of a role's themes, and how the reporter reads that role."""

    person_id: int
    words: str


@dataclass
class LoopRows:
    """What the loop adds: rows for report_steps, report_messages, me_too and actions.

    ``steps`` of an action carry ``action_index``, the place of their action in
    ``actions``: the caller stores the actions, then sets each step's ``action_id``.
    """

    steps: list[dict[str, object]] = field(default_factory=list)
    actions: list[dict[str, object]] = field(default_factory=list)
    messages: list[dict[str, object]] = field(default_factory=list)
    me_too: list[dict[str, object]] = field(default_factory=list)


def fill(
    events: list[dict[str, object]],
    *,
    seed: int,
    reviewers: list[int],
    owners: dict[str, Owner],
    clock: ShiftClock,
    start: dt.date,
    today: dt.date,
) -> LoopRows:
    """Give each report (a row about to be inserted) its journey, conversation, "me too"
    marks, consents and status, and set its first feedback day to match them.

    ``owners`` names, for each role a theme's action may belong to, the person who
    owns it (a role missing falls back to the first reviewer's).
    """
    rng = random.Random(seed * 31 + 7)
    out = LoopRows()
    span = max(1, (today - start).days)
    # A theme's action stays open until it is closed or due: a report of the same theme
    # meanwhile is answered by that one rather than by a second, identical action.
    busy_until: dict[str, dt.date] = {}
    for row in events:
        event_id = int(str(row["id"]))
        reported = row["reported_on"]
        assert isinstance(reported, dt.date)
        anonymous = bool(row["anonymous"])
        kind = str(row["kind"])
        theme = _theme(str(row["narrative"]))
        row.update(
            reviewer_summary=None,
            feedback=None,
            feedback_on=None,
            first_feedback_on=None,
            teaching_consent=False,
            recognise_by_name=False,
        )
        steps: list[tuple[str, dt.date, str, int | None]] = [
            ("acknowledged", reported, ACKNOWLEDGED, None)
        ]
        progress = (reported - start).days / span
        in_time = rng.random() < 0.40 + 0.45 * progress
        first = reported + dt.timedelta(days=rng.choice(_IN_TIME_DAYS if in_time else _LATE_DAYS))
        asked = rng.random() < (0.35 if anonymous else 0.15)
        talk: list[tuple[str, str, str, dt.datetime]] = []
        status = "new"
        if first < today:
            status = "under_review"
            if asked:
                question, answer = rng.choice(_QUESTIONS)
                talk.append(("reviewer", "question", question, _daytime(rng, first)))
                # Some anonymous reporters never come back with their receipt.
                answered_on = first + dt.timedelta(days=rng.randint(0, 4))
                if (not anonymous or rng.random() < 0.6) and answered_on < today:
                    at = (
                        clock.start_of(_daytime(rng, answered_on, local=True))
                        if anonymous
                        else _daytime(rng, answered_on, local=True)
                    )
                    talk.append(("reporter", "answer", answer, dates.to_utc(at)))
                    if rng.random() < 0.5:
                        later = answered_on + dt.timedelta(days=rng.randint(0, 3))
                        if later < today:
                            talk.append(
                                ("reviewer", "note", theme["local_fix"], _daytime(rng, later))
                            )
            if not asked or rng.random() < 0.7:
                if kind == "good_catch":
                    steps.append(("shared", first, rng.choice(_SHARED_GOOD_CATCH), None))
                elif rng.random() < 0.4:
                    steps.append(("shared", first, rng.choice(_SHARED), None))
                else:
                    steps.append(("local_fix", first, theme["local_fix"], None))
            after = first + dt.timedelta(days=rng.randint(1, 10))
            if steps[-1][0] != "shared" and rng.random() < 0.35 and after < today:
                shared = _SHARED_GOOD_CATCH if kind == "good_catch" else _SHARED
                steps.append(("shared", after, rng.choice(shared), None))
            acted = first + dt.timedelta(days=rng.randint(3, 20))
            key = str(row["narrative"])
            if rng.random() < 0.12 and acted < today and busy_until.get(key, dt.date.min) < acted:
                status = _act(rng, out, row, theme, owners, reviewers, acted, steps, today)
                closed = out.actions[-1]["closed_at"]
                busy_until[key] = (
                    dates.local_date(closed)
                    if isinstance(closed, dt.datetime)
                    else max(acted, _due(out.actions[-1]))
                )
            if steps[1:]:
                row["reviewer_summary"] = theme["summary"]
                last = max(on for _s, on, _t, _a in steps)
                if status == "under_review" and (today - last).days > _CLOSED_AFTER_DAYS:
                    status = "closed"
            told = [on for _s, on, _t, _a in steps[1:]] + [
                dates.local_date(t[3]) for t in talk if t[0] == "reviewer"
            ]
            row["first_feedback_on"] = min(told) if told else None
            if steps[1:] and rng.random() < 0.7:
                row["feedback"] = steps[1][2]
                row["feedback_on"] = steps[1][1]
        row["status"] = status
        for step, on, sentence, action_index in steps:
            out.steps.append(
                {
                    "event_id": event_id,
                    "step": step,
                    "on_date": on,
                    "sentence": sentence,
                    "created_at": dates.to_utc(dt.datetime.combine(on, dt.time(12))),
                    "action_index": action_index,
                }
            )
        for position, (sender, what, text, at) in enumerate(talk, start=1):
            author = rng.choice(reviewers) if sender == "reviewer" else row["reporter_id"]
            out.messages.append(
                {
                    "id": f"{rng.getrandbits(128):032x}",
                    "event_id": event_id,
                    "position": position,
                    "sender": sender,
                    "author_id": author,
                    "kind": what,
                    "text": text,
                    "sent_at": at,
                }
            )
        seen = 0
        if kind in ("unsafe_condition", "near_miss", "workaround") and rng.random() < 0.45:
            seen = rng.choice((1, 1, 2, 2, 3, 4, 6))
        # The demo has no key to make a marker from a person, so its markers are random.
        for _ in range(seen):
            out.me_too.append({"event_id": event_id, "marker": f"{rng.getrandbits(256):064x}"})
        row["me_too_count"] = seen
        if kind == "good_catch":
            row["teaching_consent"] = rng.random() < 0.6
            row["recognise_by_name"] = not anonymous and rng.random() < 0.5
        row["words_may_be_shared"] = rng.random() < 0.3
    return out


def _due(action: dict[str, object]) -> dt.date:
    due = action["due_on"]
    assert isinstance(due, dt.date)
    return due


def _act(
    rng: random.Random,
    out: LoopRows,
    row: dict[str, object],
    theme: dict[str, Any],
    owners: dict[str, Owner],
    reviewers: list[int],
    acted: dt.date,
    steps: list[tuple[str, dt.date, str, int | None]],
    today: dt.date,
) -> str:
    """The theme's action opened from the report on ``acted``, as services.actions opens
    one: a real action, its journey step in the app's sentence, and perhaps, once it is
    done, the lasting change. Returns the report's status."""
    plan = theme["action"]
    owner = owners.get(str(plan["owner"])) or next(iter(owners.values()))
    due = acted + dt.timedelta(days=int(plan["days"]))
    # Done by its due day, and closed that day: a report's action stays open only while
    # it is being done, so nobody's list fills with actions long finished.
    done_on = acted + dt.timedelta(days=rng.randint(2, int(plan["days"])))
    closed = done_on < today
    created = dates.to_utc(dt.datetime.combine(acted, dt.time(rng.randint(9, 16))))
    closed_at = dates.to_utc(dt.datetime.combine(done_on, dt.time(15))) if closed else None
    out.actions.append(
        {
            "unit_id": row["unit_id"],
            "title": plan["title"],
            "owner_id": owner.person_id,
            "due_on": due,
            "status": "closed" if closed else "open",
            "origin": "event",
            "event_id": row["id"],
            "created_by_id": rng.choice(reviewers),
            "created_at": created,
            "closed_at": closed_at,
            "escalated_at": None,
            "escalation_reason": None,
            "updated_at": closed_at or created,
        }
    )
    index = len(out.actions) - 1
    steps.append(("action", acted, action_sentence(plan["title"], owner.words, due), index))
    if not closed:
        return "action_planned"
    changed = done_on + dt.timedelta(days=rng.randint(30, 120))
    if rng.random() < 0.25 and changed < today:
        steps.append(("system_change", changed, theme["system_change"], None))
    return "closed"


def _daytime(rng: random.Random, day: dt.date, *, local: bool = False) -> dt.datetime:
    """A time in the working day of ``day``: local wall-clock, or as the stored UTC."""
    at = dt.datetime.combine(day, dt.time(rng.randint(9, 16), rng.randint(0, 59)))
    return at if local else dates.to_utc(at)
