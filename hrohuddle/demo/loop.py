"""The demo unit's closed loop: every report acknowledged, most fed back, some asked about.

Drawn from its own seeded generator, after the reports are drawn, so the rest of the
unit is the same with or without it. Over the demo's years the share of reporters
who hear back within 7 days rises from about 40% to about 85%. The sentences are in
resources/demo/loop_text.yaml.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from hrohuddle.paths import resources_dir
from hrohuddle.services import dates
from hrohuddle.services.journey import ACKNOWLEDGED
from hrohuddle.services.shifts import ShiftClock
from hrohuddle.services.vocabulary import load_yaml

_TEXT = load_yaml(resources_dir() / "demo" / "loop_text.yaml")
_QUESTIONS: list[str] = [e["text"] for e in _TEXT["questions"]]
_ANSWERS: list[str] = [e["text"] for e in _TEXT["answers"]]
_LOCAL_FIX: list[str] = [e["text"] for e in _TEXT["local_fix"]]
_SHARED: list[str] = [e["text"] for e in _TEXT["shared"]]
_ACTIONS: list[tuple[str, str]] = [(e["owner"], e["text"]) for e in _TEXT["actions"]]
_SYSTEM: list[str] = [e["text"] for e in _TEXT["system_change"]]
_SUMMARIES: list[str] = [e["text"] for e in _TEXT["summaries"]]

#: In time: the reviewers' usual first word; late: when a report waited.
_IN_TIME_DAYS = (0, 1, 1, 2, 2, 3, 3, 4, 5, 6, 7)
_LATE_DAYS = (8, 9, 10, 12, 14, 17, 21, 28, 35, 45)


@dataclass
class LoopRows:
    """What the loop adds: rows for report_steps, report_messages and me_too."""

    steps: list[dict[str, object]] = field(default_factory=list)
    messages: list[dict[str, object]] = field(default_factory=list)
    me_too: list[dict[str, object]] = field(default_factory=list)


def fill(
    events: list[dict[str, object]],
    *,
    seed: int,
    reviewers: list[int],
    clock: ShiftClock,
    start: dt.date,
    today: dt.date,
) -> LoopRows:
    """Give each report (a row about to be inserted) its journey, conversation, "me too"
    marks and consents, and set its first feedback day to match them."""
    rng = random.Random(seed * 31 + 7)
    out = LoopRows()
    span = max(1, (today - start).days)
    for row in events:
        event_id = int(str(row["id"]))
        reported = row["reported_on"]
        assert isinstance(reported, dt.date)
        anonymous = bool(row["anonymous"])
        kind = str(row["kind"])
        row.update(
            reviewer_summary=None,
            feedback=None,
            feedback_on=None,
            first_feedback_on=None,
            teaching_consent=False,
            recognise_by_name=False,
        )
        steps: list[tuple[str, dt.date, str]] = [("acknowledged", reported, ACKNOWLEDGED)]
        progress = (reported - start).days / span
        in_time = rng.random() < 0.40 + 0.45 * progress
        first = reported + dt.timedelta(days=rng.choice(_IN_TIME_DAYS if in_time else _LATE_DAYS))
        asked = rng.random() < (0.35 if anonymous else 0.15)
        talk: list[tuple[str, str, str, dt.datetime]] = []
        if first < today:
            if asked:
                talk.append(("reviewer", "question", rng.choice(_QUESTIONS), _daytime(rng, first)))
                # Some anonymous reporters never come back with their receipt.
                answered_on = first + dt.timedelta(days=rng.randint(0, 4))
                if (not anonymous or rng.random() < 0.6) and answered_on < today:
                    at = (
                        clock.start_of(_daytime(rng, answered_on, local=True))
                        if anonymous
                        else _daytime(rng, answered_on, local=True)
                    )
                    talk.append(("reporter", "answer", rng.choice(_ANSWERS), dates.to_utc(at)))
                    if rng.random() < 0.5:
                        later = answered_on + dt.timedelta(days=rng.randint(0, 3))
                        if later < today:
                            talk.append(
                                ("reviewer", "note", rng.choice(_LOCAL_FIX), _daytime(rng, later))
                            )
            if not asked or rng.random() < 0.7:
                if kind == "good_catch" or rng.random() < 0.4:
                    steps.append(("shared", first, rng.choice(_SHARED)))
                else:
                    steps.append(("local_fix", first, rng.choice(_LOCAL_FIX)))
            after = first + dt.timedelta(days=rng.randint(1, 10))
            if steps[-1][0] != "shared" and rng.random() < 0.35 and after < today:
                steps.append(("shared", after, rng.choice(_SHARED)))
            acted = first + dt.timedelta(days=rng.randint(3, 20))
            if rng.random() < 0.12 and acted < today:
                owner, what = rng.choice(_ACTIONS)
                due = acted + dt.timedelta(days=rng.randint(7, 28))
                steps.append(
                    (
                        "action",
                        acted,
                        f"An action was opened: {owner} {what}, due {dates.day(due)}.",
                    )
                )
                row["reviewer_summary"] = rng.choice(_SUMMARIES)
                changed = acted + dt.timedelta(days=rng.randint(30, 120))
                if rng.random() < 0.25 and changed < today:
                    steps.append(("system_change", changed, rng.choice(_SYSTEM)))
            told = [d for _s, d, _t in steps[1:]] + [
                dates.local_date(t[3]) for t in talk if t[0] == "reviewer"
            ]
            row["first_feedback_on"] = min(told) if told else None
            if steps[1:] and rng.random() < 0.7:
                row["feedback"] = steps[1][2]
                row["feedback_on"] = steps[1][1]
        for step, on, sentence in steps:
            out.steps.append(
                {
                    "event_id": event_id,
                    "step": step,
                    "on_date": on,
                    "sentence": sentence,
                    "created_at": dates.to_utc(dt.datetime.combine(on, dt.time(12))),
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


def _daytime(rng: random.Random, day: dt.date, *, local: bool = False) -> dt.datetime:
    """A time in the working day of ``day``: local wall-clock, or as the stored UTC."""
    at = dt.datetime.combine(day, dt.time(rng.randint(9, 16), rng.randint(0, 59)))
    return at if local else dates.to_utc(at)
