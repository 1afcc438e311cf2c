"""Escalation up, answer down: from a unit's huddle to its department, and on to the
hospital; the tier's board; and the answer back on the unit's next board.

A unit's charge nurse or manager sends an item or an action up with the criteria that
make it the next tier's business (resources/tiers.yaml), a reason, what is needed and
by when. The tier's leaders see it on their board, grouped by unit with each unit's
headline figures (counts only: never a report, its narrative, a reporter or a pulse
answer), and answer it: accepted with an owner, declined with a reason, resolved, or
escalated further (a new escalation at the tier above, pointing back). The answer is on
the unit's board under follow-up until a unit huddle closes with it shown there
(``mark_answers_shown``, called as the huddle closes).

An escalation never waits unseen: one still open once a huddle of its tier has been
held, or was due, after it was raised is flagged "waiting past the department's huddle"
on both boards. A skipped tier huddle changes nothing else: what is open stays open and
is on the next huddle's board.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import lru_cache

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hrohuddle.paths import resources_dir
from hrohuddle.services import audit, dates, edits, outbound, tiers, validation
from hrohuddle.services.errors import NotFound, ServiceError, ValidationError
from hrohuddle.services.permissions import Actor
from hrohuddle.services.shifts import ShiftClock
from hrohuddle.services.vocabulary import load_yaml, taxonomy
from hrohuddle.store.database import Database
from hrohuddle.store.models import (
    Action,
    Escalation,
    Huddle,
    HuddleItem,
    Person,
    SafetyEvent,
    Tier,
    TierHuddle,
    Unit,
)
from hrohuddle.store.unit_models import utcnow

OUTCOMES = ("accepted", "declined", "escalated", "resolved")
OPEN = "open"
ACCEPTED = "accepted"
#: Still with a tier: waiting for its answer, or accepted and not yet resolved.
IN_HAND = (OPEN, ACCEPTED)
#: A unit huddle started this long after its shift began still counts as on time
#: (the same allowance as the weekly report's).
ON_TIME_MINUTES = 45
#: However long ago the tier last met, its board's figures reach back at most this far.
MAX_LOOK_BACK = dt.timedelta(days=7)

NO_DEPARTMENT = (
    "This unit has no department yet, so there is nowhere to escalate to. Ask IT to "
    "place the unit in its department (hrohuddle tier place)."
)


class NoDepartment(ServiceError):
    """The unit is on the shared server but sits in no department yet."""

    def __init__(self) -> None:
        super().__init__(NO_DEPARTMENT)


# ---------------------------------------------------------------- the words, as data


@lru_cache(maxsize=1)
def _words() -> dict[str, dict[str, str]]:
    data = load_yaml(resources_dir() / "tiers.yaml")
    return {
        "criteria": {c["key"]: c["label"] for c in data["escalation_criteria"]},
        "answers": {a["key"]: a["label"] for a in data["answers"]},
        "answer_help": {a["key"]: a.get("help", "") for a in data["answers"]},
    }


def criteria() -> dict[str, str]:
    """The explicit criteria for escalating, by key, in the file's order."""
    return dict(_words()["criteria"])


def outcome_words() -> dict[str, str]:
    """The answers a tier gives, by key, as people read them."""
    return dict(_words()["answers"])


def outcome_help() -> dict[str, str]:
    return dict(_words()["answer_help"])


# ---------------------------------------------------------------- rows for the screens


@dataclass(frozen=True)
class EscalationRow:
    id: int
    unit_id: int
    unit_code: str
    unit_name: str
    tier_id: int
    tier_name: str
    tier_level: int
    parent_id: int | None
    title: str
    reason: str
    #: The criteria chosen, as people read them.
    criteria: tuple[str, ...]
    needed: str | None
    needed_by: dt.date | None
    raised_at: dt.datetime
    raised_by: str | None
    #: The tier it came up from (escalated further), else None: it came from the unit.
    came_from: str | None
    status: str
    answer: str | None
    owner: str | None
    answered_at: dt.datetime | None
    answered_by: str | None
    answered_role: str | None
    #: Escalated further: the tier it went on to.
    passed_to: str | None
    version: int
    #: Still open after a huddle of its tier was held or due: it is waiting.
    waiting: bool
    #: Days since the unit raised it (not since a tier sent it on).
    age_days: int
    #: Sent on by a tier (``came_from``): when, and why (that tier's answer), else None.
    sent_on_at: dt.datetime | None = None
    sent_on_why: str | None = None
    #: Open or accepted: when the tier it is with next meets (naive UTC), else None.
    tier_next_huddle: dt.datetime | None = None
    #: On the unit's board: the answer was shown at an earlier unit huddle already (an
    #: accepted one stays on the follow-up until it is resolved).
    answer_shown: bool = False

    @property
    def is_open(self) -> bool:
        return self.status == OPEN

    @property
    def is_accepted(self) -> bool:
        """Accepted and not yet resolved: its owner is on it."""
        return self.status == ACCEPTED

    @property
    def outcome_words(self) -> str:
        if self.status == OPEN:
            return "Waiting for an answer"
        return _words()["answers"].get(self.status, self.status)

    @property
    def raised_words(self) -> str:
        """ "Raised by 4W on Fri 20 Nov 2026, sent on by Medicine on Sat 28 Nov 2026"."""
        words = f"Raised by {self.unit_code} on {dates.day(dates.to_local(self.raised_at))}"
        if self.came_from and self.sent_on_at is not None:
            words += (
                f", sent on by {self.came_from} on {dates.day(dates.to_local(self.sent_on_at))}"
            )
        return words

    @property
    def follow_up_words(self) -> str:
        """What the unit's follow-up says of one still in hand: "Accepted, owner Bed
        manager, needed by Mon 30 Nov 2026" or "Waiting for an answer: Medicine meets Mon
        30 Nov 2026 at 10:30"."""
        if self.status == ACCEPTED:
            words = f"Accepted, owner {self.owner}" if self.owner else "Accepted"
            if self.needed_by is not None:
                words += f", needed by {dates.day(self.needed_by)}"
            return words
        if self.status == OPEN:
            words = "Waiting for an answer"
            if self.tier_next_huddle is not None:
                at = dates.to_local(self.tier_next_huddle)
                words += f": {self.tier_name} meets {dates.day(at)} at {at:%H:%M}"
            return words
        return self.outcome_words

    @property
    def answered_by_words(self) -> str:
        """Who answered: "Dee Lead, department lead"."""
        if not self.answered_by:
            return ""
        role = tiers.TIER_ROLES.get(self.answered_role or "", self.answered_role or "")
        return f"{self.answered_by}, {role}" if role else self.answered_by

    @property
    def waiting_words(self) -> str:
        if not self.waiting:
            return ""
        level = tiers.LEVEL_WORDS.get(self.tier_level, "tier")
        return f"Waiting past the {level}'s huddle"


@dataclass(frozen=True)
class TierHuddleRow:
    id: int
    huddle_date: dt.date
    scheduled_at: dt.datetime
    started_at: dt.datetime
    ended_at: dt.datetime | None
    status: str
    led_by: str | None
    note: str | None

    @property
    def is_open(self) -> bool:
        return self.status == OPEN


@dataclass(frozen=True)
class UnitHeadline:
    """One unit's figures beside its escalations: counts only, never a report."""

    unit_id: int
    code: str
    name: str
    #: The department it sits in (on the hospital's board), by name.
    department: str | None
    huddles_today: int
    #: None when no huddle was held today.
    huddle_on_time: bool | None
    #: Look-ahead items of category staffing on today's huddles: the unit's own words.
    staffing: tuple[str, ...]
    #: (kind label, harm label or "", count), since the board's "since".
    events: tuple[tuple[str, str, int], ...]
    open_actions: int
    overdue_actions: int
    escalations: tuple[EscalationRow, ...] = ()
    #: A unit that has moved out of the tier since it sent these up: the department it is
    #: in now ("" when it is in none). Its figures are that department's business now: they
    #: are not given (all zero and empty), only its escalations answered here.
    moved_to: str | None = None

    @property
    def moved(self) -> bool:
        return self.moved_to is not None

    @property
    def moved_words(self) -> str:
        """ "Moved to Surgery": what the card says instead of the unit's figures."""
        if self.moved_to is None:
            return ""
        return f"Moved to {self.moved_to}" if self.moved_to else "Moved away: in no department now"

    @property
    def huddle_held(self) -> bool:
        return self.huddles_today > 0

    @property
    def events_total(self) -> int:
        return sum(n for _k, _h, n in self.events)


@dataclass
class TierBoard:
    tier_id: int
    code: str
    name: str
    level: int
    huddle_time: str
    target_minutes: int
    leader_words: str
    #: Today's tier huddle (open or closed), else None.
    huddle: TierHuddleRow | None
    #: When the tier last met before today's huddle, else None.
    last_held: dt.datetime | None
    #: The figures count from here (the last 24 hours, or since the tier last met).
    since: dt.datetime
    today: dt.date
    units: list[UnitHeadline] = field(default_factory=list)
    #: Units under the tier with nothing sent up (the hospital lists only the others).
    quiet_units: int = 0
    #: The days the tier meets, ISO weekdays.
    huddle_days: tuple[int, ...] = (1, 2, 3, 4, 5, 6, 7)

    @property
    def meets_today(self) -> bool:
        return self.today.isoweekday() in self.huddle_days

    @property
    def days_words(self) -> str:
        return tiers.days_words(self.huddle_days)

    @property
    def level_words(self) -> str:
        return tiers.LEVEL_WORDS.get(self.level, "tier")

    @property
    def escalations(self) -> list[EscalationRow]:
        return [e for u in self.units for e in u.escalations]

    @property
    def open_count(self) -> int:
        return sum(1 for e in self.escalations if e.is_open)

    @property
    def waiting_count(self) -> int:
        return sum(1 for e in self.escalations if e.waiting)


# ---------------------------------------------------------------- timing


def _first_due_after(tier: Tier, raised_at: dt.datetime) -> dt.datetime:
    """The end of the first huddle of ``tier`` due after ``raised_at`` (naive UTC), on a
    day the tier meets: one raised on a Friday evening waits for Monday's."""
    due = tiers.next_huddle_due(tier, raised_at)
    return due + dt.timedelta(minutes=tier.huddle_target_minutes)


def _waiting(esc: Escalation, tier: Tier, held_starts: list[dt.datetime], now: dt.datetime) -> bool:
    if esc.status != OPEN:
        return False
    if now >= _first_due_after(tier, esc.raised_at):
        return True
    return any(start > esc.raised_at for start in held_starts)


def _held_starts(s: Session, tier_ids: set[int]) -> dict[int, list[dt.datetime]]:
    out: dict[int, list[dt.datetime]] = {}
    if not tier_ids:
        return out
    for tier_id, started in s.execute(
        select(TierHuddle.tier_id, TierHuddle.started_at).where(
            TierHuddle.tier_id.in_(tier_ids), TierHuddle.status == "closed"
        )
    ):
        out.setdefault(tier_id, []).append(started)
    return out


def first_raised(
    s: Session, escalation_ids: Iterable[int]
) -> dict[int, tuple[dt.datetime, int | None]]:
    """For each escalation, when the unit raised it and who did (naive UTC, person id):
    one a tier sent on is a new row pointing back (``parent_id``); this follows it back to
    the unit's own row, so its age counts from the unit's raise wherever it is now.
    A query per tier climbed, whatever the number of escalations."""
    pointer = {i: i for i in escalation_ids}
    known: dict[int, tuple[int | None, dt.datetime, int | None]] = {}
    for _ in range(20):  # deeper than any hospital's tiers
        need = set(pointer.values()) - known.keys()
        if need:
            for eid, parent, raised, by in s.execute(
                select(
                    Escalation.id,
                    Escalation.parent_id,
                    Escalation.raised_at,
                    Escalation.raised_by_id,
                ).where(Escalation.id.in_(need))
            ):
                known[eid] = (parent, raised, by)
        moved = False
        for key, at in pointer.items():
            parent = known[at][0] if at in known else None
            if parent is not None:
                pointer[key] = parent
                moved = True
        if not moved:
            break
    return {key: (known[at][1], known[at][2]) for key, at in pointer.items() if at in known}


def _rows(s: Session, found: list[Escalation], now: dt.datetime) -> list[EscalationRow]:
    """Rows for ``found``, in a few queries whatever their number."""
    if not found:
        return []
    units = {
        u.id: u for u in s.scalars(select(Unit).where(Unit.id.in_({e.unit_id for e in found})))
    }
    all_tiers = {t.id: t for t in s.scalars(select(Tier))}
    origins = first_raised(s, [e.id for e in found])
    person_ids = (
        {e.raised_by_id for e in found}
        | {e.answered_by_id for e in found}
        | {by for _at, by in origins.values()}
    )
    names = {
        pid: name
        for pid, name in s.execute(
            select(Person.id, Person.display_name).where(
                Person.id.in_({p for p in person_ids if p is not None})
            )
        )
    }
    parents = {e.parent_id for e in found if e.parent_id is not None}
    parent_tier: dict[int, int] = {}
    parent_answer: dict[int, str | None] = {}
    for pid, tid, said in s.execute(
        select(Escalation.id, Escalation.tier_id, Escalation.answer).where(
            Escalation.id.in_(parents)
        )
    ):
        parent_tier[pid] = tid
        parent_answer[pid] = said
    escalated = {e.id for e in found if e.status == "escalated"}
    children = {
        pid: tid
        for pid, tid in s.execute(
            select(Escalation.parent_id, Escalation.tier_id).where(
                Escalation.parent_id.in_(escalated)
            )
        )
    }
    held = _held_starts(s, {e.tier_id for e in found if e.status == OPEN})
    crit = _words()["criteria"]
    rows = []
    for e in found:
        tier = all_tiers[e.tier_id]
        unit = units[e.unit_id]
        keys, reason = tuple(e.criteria or ()), e.reason
        came = all_tiers.get(parent_tier.get(e.parent_id or 0, 0))
        to = all_tiers.get(children.get(e.id, 0))
        raised_at, raised_by = origins.get(e.id, (e.raised_at, e.raised_by_id))
        rows.append(
            EscalationRow(
                e.id,
                e.unit_id,
                unit.code,
                unit.name,
                e.tier_id,
                tier.name,
                tier.level,
                e.parent_id,
                e.title,
                reason,
                tuple(crit.get(k, k) for k in keys),
                e.needed,
                e.needed_by,
                raised_at,
                names.get(raised_by) if raised_by else None,
                came.name if came else None,
                e.status,
                e.answer,
                e.owner,
                e.answered_at,
                names.get(e.answered_by_id) if e.answered_by_id else None,
                e.answered_role,
                to.name if to else None,
                e.version,
                _waiting(e, tier, held.get(e.tier_id, []), now),
                max(0, (now - raised_at).days),
                e.raised_at if came else None,
                parent_answer.get(e.parent_id) if came and e.parent_id else None,
                tiers.next_huddle_due(tier, now) if e.status in IN_HAND else None,
            )
        )
    return rows


# ---------------------------------------------------------------- escalating


def department_name(db: Database, unit_id: int) -> str | None:
    """The name of the unit's department, for the escalate box; None when it has none."""
    if not tiers.shared(db):
        return None
    with db.read() as s:
        tier = tiers.department_of(s, unit_id)
        return tier.name if tier is not None else None


@dataclass(frozen=True)
class Escalated:
    """What ``escalate`` made: the escalation, the tier it went to and when that tier next
    meets (naive UTC; None if it never meets)."""

    id: int
    tier_name: str
    next_huddle: dt.datetime | None

    @property
    def words(self) -> str:
        """ "Sent to Medicine: it meets next on Mon 30 Nov 2026 at 10:30"."""
        if self.next_huddle is None:
            return f"Sent to {self.tier_name}"
        at = dates.to_local(self.next_huddle)
        return f"Sent to {self.tier_name}: it meets next on {dates.day(at)} at {at:%H:%M}"


def _in_hand(
    s: Session, unit_id: int, action_id: int | None, huddle_item_id: int | None
) -> Escalation | None:
    """The unit's escalation of this action or item still with a tier, if any."""
    links = []
    if huddle_item_id is not None:
        links.append(Escalation.huddle_item_id == huddle_item_id)
    if action_id is not None:
        links.append(Escalation.action_id == action_id)
    if not links:
        return None
    return s.scalar(
        select(Escalation)
        .where(Escalation.unit_id == unit_id, Escalation.status.in_(IN_HAND), or_(*links))
        .order_by(Escalation.raised_at.desc(), Escalation.id.desc())
        .limit(1)
    )


def _in_hand_words(s: Session, esc: Escalation) -> str:
    tier = s.get(Tier, esc.tier_id)
    level = tiers.LEVEL_WORDS.get(tier.level, "tier") if tier is not None else "tier"
    where = f"the {level} ({tier.name})" if tier is not None else f"the {level}"
    raised, _by = first_raised(s, [esc.id]).get(esc.id, (esc.raised_at, None))
    sent = dates.day(dates.to_local(raised))
    if esc.status == ACCEPTED:
        owner = f", owner {esc.owner}" if esc.owner else ""
        return (
            f"This is already with {where}: sent up on {sent}, accepted{owner}. It stays on "
            "the follow-up until it is resolved."
        )
    return f"This is already with {where}: sent up on {sent} and waiting for its answer."


@audit.requires("huddle.view")
def already_escalated(
    db: Database,
    actor: Actor,
    *,
    action_id: int | None = None,
    huddle_item_id: int | None = None,
) -> str | None:
    """The sentence to say before the escalate box opens when this action or item is
    still with a tier (waiting for its answer, or accepted and not yet resolved); None
    when it may be sent up."""
    if not tiers.shared(db):
        return None
    with db.read() as s:
        esc = _in_hand(s, actor.unit_id, action_id, huddle_item_id)
        return _in_hand_words(s, esc) if esc is not None else None


@audit.requires("huddle.view")
def next_meeting(db: Database, actor: Actor) -> dt.datetime | None:
    """When the unit's department next meets, in local wall-clock time (naive), for the
    escalate box's "Needed by" suggestion; None on a unit's own file or with no
    department."""
    if not tiers.shared(db):
        return None
    with db.read() as s:
        department = tiers.department_of(s, actor.unit_id)
        if department is None:
            return None
        return dates.to_local(tiers.next_huddle_due(department, utcnow()))


def _criteria_keys(chosen: list[str]) -> list[str]:
    known = criteria()
    keys = [k for k in known if k in set(chosen)]
    unknown = [k for k in chosen if k not in known]
    if unknown or not keys:
        raise ValidationError(
            "Choose at least one reason why this is the department's business "
            "(the criteria for escalating).",
            "criteria",
        )
    return keys


@audit.requires("huddle.run")
def escalate(
    db: Database,
    actor: Actor,
    *,
    title: str,
    reason: str,
    criteria: list[str],
    needed: str | None = None,
    needed_by: dt.date | None = None,
    huddle_item_id: int | None = None,
    action_id: int | None = None,
) -> Escalated:
    """Send an item of the unit's huddle, or an open action, to the unit's department.

    The action (if any) is marked escalated, as escalating it to the manager always did.
    Returns the escalation, its department and when that department next meets.
    """
    tiers.require_shared(db)
    if not actor.can("action.manage") and action_id is not None:
        raise ValidationError("Only the charge nurse or the manager may escalate an action.")
    with db.read() as s:
        # Said before anything typed is checked: there is nothing to fill in again.
        held = _in_hand(s, actor.unit_id, action_id, huddle_item_id)
        if held is not None:
            raise ValidationError(_in_hand_words(s, held))
        roster = outbound.readers(s, actor.unit_id)
    clean_title = outbound.check(
        title, "What is being escalated", field="title", max_len=300, roster=roster
    )
    clean_reason = outbound.check(
        reason, "The reason for escalating", field="reason", max_len=1000, roster=roster
    )
    clean_needed = outbound.check(
        needed, "What is needed", field="needed", max_len=500, required=False, roster=roster
    )
    keys = _criteria_keys(criteria)
    today = dates.to_local(utcnow()).date()
    if needed_by is not None and needed_by < today:
        raise ValidationError(
            "“Needed by” is in the past: choose today or a later day.", "needed_by"
        )
    assert clean_title is not None and clean_reason is not None
    with db.write() as s:
        department = tiers.department_of(s, actor.unit_id)
        if department is None:
            raise NoDepartment()
        huddle_id: int | None = None
        if huddle_item_id is not None:
            item = s.get(HuddleItem, huddle_item_id)
            huddle = s.get(Huddle, item.huddle_id) if item is not None else None
            if item is None or item.deleted or huddle is None or huddle.unit_id != actor.unit_id:
                raise NotFound("That item is not on this unit's board.")
            huddle_id = huddle.id
        action: Action | None = None
        if action_id is not None:
            action = s.get(Action, action_id)
            if action is None or action.unit_id != actor.unit_id:
                raise NotFound("That action is not on this unit.")
            if action.status != "open":
                raise ValidationError("That action is already closed.")
            huddle_id = huddle_id or action.huddle_id
        if huddle_id is None:
            huddle_id = s.scalar(
                select(Huddle.id)
                .where(Huddle.unit_id == actor.unit_id, Huddle.status == OPEN)
                .order_by(Huddle.started_at.desc())
                .limit(1)
            )
        held = _in_hand(s, actor.unit_id, action_id, huddle_item_id)
        if held is not None:
            raise ValidationError(_in_hand_words(s, held))
        esc = Escalation(
            unit_id=actor.unit_id,
            tier_id=department.id,
            huddle_id=huddle_id,
            huddle_item_id=huddle_item_id,
            action_id=action_id,
            title=clean_title,
            reason=clean_reason,
            criteria=keys,
            needed=clean_needed,
            needed_by=needed_by,
            raised_by_id=actor.person_id or None,
            raised_at=utcnow(),
            updated_at=utcnow(),
        )
        s.add(esc)
        if action is not None:
            action.escalated_at = utcnow()
            action.escalation_reason = clean_reason
            action.updated_at = utcnow()
            audit.record(s, "action.escalated", actor=actor, target=f"action:{action.id}")
        s.flush()
        audit.record(
            s,
            "escalation.raised",
            actor=actor,
            target=f"escalation:{esc.id}",
            detail={"tier": department.code, "criteria": keys},
        )
        return Escalated(esc.id, department.name, tiers.next_huddle_due(department, utcnow()))


# ---------------------------------------------------------------- answering


@audit.requires(None)
def answer(
    db: Database,
    actor: Actor,
    escalation_id: int,
    version: int | None,
    *,
    outcome: str,
    text: str | None,
    owner: str | None = None,
) -> None:
    """The tier's answer. Two workstations answering at once: the second is refused
    with who answered first (EditConflict), never a silent overwrite.

    Escalated further, the text is why: it goes on with the new row (``sent_on_why``).
    Resolved, the text is what was done. An accepted one is followed up by its tier's
    leaders until it is resolved: "resolved" is the one answer it still takes, and the
    unit's next board shows that answer once more. Declined, an action sent up comes
    back to the unit: it no longer reads "Escalated" but why it was declined.
    """
    tiers.require_shared(db)
    if outcome not in OUTCOMES:
        raise ValidationError(
            f"“{outcome}” is not an answer: choose one of {', '.join(OUTCOMES)}.", "outcome"
        )
    clean_text = validation.text(
        text,
        "The reason for declining" if outcome == "declined" else "The answer",
        field="text",
        max_len=1000,
        required=outcome == "declined",
        check_identifiers=True,
    )
    if not clean_text and outcome == "escalated":
        raise ValidationError(
            "Say what the hospital needs to decide: it goes on with the escalation.", "text"
        )
    if not clean_text and outcome == "resolved":
        raise ValidationError("Say what was done: the unit reads it on its board.", "text")
    clean_owner = validation.text(
        owner,
        "Who owns it",
        field="owner",
        max_len=120,
        required=outcome == "accepted",
        check_identifiers=False,
    )
    with db.write() as s:
        esc = s.get(Escalation, escalation_id, with_for_update=True)
        if esc is None:
            raise NotFound("That escalation is not there any more.")
        scope = tiers.require_tier(s, actor, esc.tier_id)
        first = s.get(Person, esc.answered_by_id) if esc.answered_by_id else None
        answered = (
            f"{outcome_words().get(esc.status, esc.status)} by "
            f"{first.display_name if first else 'someone else'}"
            if esc.status != OPEN
            else None
        )
        edits.check(esc.version, version, "this escalation", [], [("the answer", answered)])
        following_up = esc.status == ACCEPTED
        if following_up and outcome != "resolved":
            raise ValidationError(
                f"This escalation was {answered}: it is in hand, and can now only be marked "
                "resolved, with what was done."
            )
        if esc.status not in (OPEN, ACCEPTED):
            raise ValidationError(f"This escalation was already answered: {answered}.")
        answered_in = s.scalar(
            select(TierHuddle.id).where(
                TierHuddle.tier_id == esc.tier_id, TierHuddle.status == OPEN
            )
        )
        if outcome == "escalated":
            above = tiers.next_tier(s, tier_id=esc.tier_id)
            if above is None:
                raise ValidationError(
                    "There is no tier above this one to escalate to: accept, decline or "
                    "resolve it here."
                )
            s.add(
                Escalation(
                    unit_id=esc.unit_id,
                    tier_id=above.id,
                    parent_id=esc.id,
                    huddle_id=esc.huddle_id,
                    huddle_item_id=esc.huddle_item_id,
                    action_id=esc.action_id,
                    tier_huddle_id=answered_in,
                    title=esc.title,
                    reason=esc.reason,
                    criteria=list(esc.criteria or []),
                    needed=esc.needed,
                    needed_by=esc.needed_by,
                    raised_by_id=actor.person_id or None,
                    raised_at=utcnow(),
                    updated_at=utcnow(),
                )
            )
        if outcome == "declined" and esc.action_id is not None:
            _action_declined(s, esc, clean_text or "")
        esc.status = outcome
        esc.answer = clean_text
        if following_up:
            # Its owner stays; the unit's next board shows that it was resolved.
            esc.shown_in_huddle_id = None
        else:
            esc.owner = clean_owner if outcome == "accepted" else None
        esc.answered_by_id = actor.person_id or None
        esc.answered_role = scope.role if scope is not None else None
        esc.answered_at = utcnow()
        esc.answered_in_id = answered_in
        esc.updated_at = utcnow()
        s.flush()
        audit.record(
            s,
            "escalation.answered",
            actor=actor,
            unit_id=esc.unit_id,
            target=f"escalation:{esc.id}",
            detail={"outcome": outcome, "after": "accepted"}
            if following_up
            else {"outcome": outcome},
        )


def _action_declined(s: Session, esc: Escalation, why: str) -> None:
    """A declined escalation's action is the unit's again: no longer "Escalated", and
    the tier's reason kept on it for the charge nurse (``ActionRow.escalation_words``)."""
    action = s.get(Action, esc.action_id)
    tier = s.get(Tier, esc.tier_id)
    if action is None or action.status != "open" or tier is None:
        return
    action.escalated_at = None
    action.escalation_reason = (
        f"Declined by {tier.name} on {dates.day(dates.to_local(utcnow()))}: {why}"
    )
    action.updated_at = utcnow()


# ---------------------------------------------------------------- tier huddles


def _tier_huddle_row(s: Session, h: TierHuddle) -> TierHuddleRow:
    lead = s.get(Person, h.led_by_id) if h.led_by_id else None
    return TierHuddleRow(
        h.id,
        h.huddle_date,
        h.scheduled_at,
        h.started_at,
        h.ended_at,
        h.status,
        lead.display_name if lead else None,
        h.note,
    )


@audit.requires(None)
def start_tier_huddle(
    db: Database, actor: Actor, tier_id: int, *, local_now: dt.datetime | None = None
) -> int:
    """Today's huddle of the tier: started now, or the one already open (one a day)."""
    tiers.require_shared(db)
    day = (local_now or dates.to_local(utcnow())).date()
    try:
        with db.write() as s:
            tiers.require_tier(s, actor, tier_id)
            tier = s.get(Tier, tier_id)
            if tier is None:
                raise NotFound("There is no such tier.")
            existing = s.scalar(
                select(TierHuddle).where(
                    TierHuddle.tier_id == tier_id, TierHuddle.huddle_date == day
                )
            )
            if existing is not None:
                if existing.status != OPEN:
                    raise ValidationError(
                        f"{tier.name}'s huddle of {dates.day(day)} is already closed."
                    )
                return existing.id
            h = TierHuddle(
                tier_id=tier_id,
                huddle_date=day,
                scheduled_at=tiers.huddle_due(tier, day),
                started_at=utcnow(),
                led_by_id=actor.person_id or None,
                status=OPEN,
            )
            s.add(h)
            s.flush()
            audit.record(s, "tier_huddle.started", actor=actor, target=f"tier_huddle:{h.id}")
            return h.id
    except IntegrityError:
        return start_tier_huddle(db, actor, tier_id, local_now=local_now)


@audit.requires(None)
def close_tier_huddle(db: Database, actor: Actor, tier_huddle_id: int, note: str | None) -> None:
    """Close the tier's huddle with an optional note. Closed from two workstations at
    once, nothing is lost: the huddle's row is locked, the first closes it, and the
    second's note is added to the closing note with who wrote it and when."""
    tiers.require_shared(db)
    clean = validation.text(
        note, "The closing note", field="note", max_len=1000, required=False, check_identifiers=True
    )
    with db.write() as s:
        h = s.get(TierHuddle, tier_huddle_id, with_for_update=True)
        if h is None:
            raise NotFound("That tier huddle is not there.")
        tiers.require_tier(s, actor, h.tier_id)
        if h.status != OPEN:
            if clean is None:
                return  # closed already, and nothing to add
            at = dates.to_local(utcnow())
            added = f"Added by {actor.display_name} at {at:%H:%M}: {clean}"
            h.note = f"{h.note}\n{added}" if h.note else added
            audit.record(
                s,
                "tier_huddle.closed",
                actor=actor,
                target=f"tier_huddle:{h.id}",
                detail={"note_added": True},
            )
            return
        h.status = "closed"
        h.ended_at = utcnow()
        h.note = clean
        audit.record(s, "tier_huddle.closed", actor=actor, target=f"tier_huddle:{h.id}")


# ---------------------------------------------------------------- the tier's board


def _headlines(
    s: Session,
    units: list[Unit],
    departments: dict[int, str],
    today: dt.date,
    since: dt.datetime,
) -> dict[int, UnitHeadline]:
    """Each unit's figures in four queries, whatever the number of units."""
    ids = [u.id for u in units]
    by_id = {u.id: u for u in units}
    huddles: dict[int, list[tuple[str, dt.datetime]]] = {}
    for unit_id, shift, started in s.execute(
        select(Huddle.unit_id, Huddle.shift, Huddle.started_at).where(
            Huddle.unit_id.in_(ids), Huddle.huddle_date == today
        )
    ):
        huddles.setdefault(unit_id, []).append((shift, started))
    staffing: dict[int, list[str]] = {}
    for unit_id, text in s.execute(
        select(Huddle.unit_id, HuddleItem.text)
        .join(Huddle, Huddle.id == HuddleItem.huddle_id)
        .where(
            Huddle.unit_id.in_(ids),
            Huddle.huddle_date == today,
            HuddleItem.section == "look_ahead",
            HuddleItem.category == "staffing",
            HuddleItem.deleted.is_(False),
        )
        .order_by(HuddleItem.position, HuddleItem.id)
    ):
        staffing.setdefault(unit_id, []).append(text)
    vocab = taxonomy()
    kinds = vocab.labels_by_key("kinds")
    harms = vocab.labels_by_key("harm")
    events: dict[int, list[tuple[str, str, int]]] = {}
    for unit_id, kind, harm, n in s.execute(
        select(SafetyEvent.unit_id, SafetyEvent.kind, SafetyEvent.harm, func.count())
        .where(SafetyEvent.unit_id.in_(ids), SafetyEvent.reported_on >= since.date())
        .group_by(SafetyEvent.unit_id, SafetyEvent.kind, SafetyEvent.harm)
        .order_by(SafetyEvent.unit_id, SafetyEvent.kind, SafetyEvent.harm)
    ):
        events.setdefault(unit_id, []).append(
            (kinds.get(kind, kind), harms.get(harm, harm) if harm else "", int(n))
        )
    actions: dict[int, tuple[int, int]] = {}
    for unit_id, n in s.execute(
        select(Action.unit_id, func.count())
        .where(Action.unit_id.in_(ids), Action.status == "open")
        .group_by(Action.unit_id)
    ):
        actions[unit_id] = (int(n), 0)
    for unit_id, n in s.execute(
        select(Action.unit_id, func.count())
        .where(Action.unit_id.in_(ids), Action.status == "open", Action.due_on < today)
        .group_by(Action.unit_id)
    ):
        actions[unit_id] = (actions.get(unit_id, (0, 0))[0], int(n))
    out = {}
    for unit_id in ids:
        unit = by_id[unit_id]
        held = huddles.get(unit_id, [])
        on_time: bool | None = None
        if held:
            clock = ShiftClock.of(unit)
            on_time = any(
                started
                <= dates.to_utc(clock.start(today, shift)) + dt.timedelta(minutes=ON_TIME_MINUTES)
                for shift, started in held
            )
        open_n, overdue_n = actions.get(unit_id, (0, 0))
        out[unit_id] = UnitHeadline(
            unit_id,
            unit.code,
            unit.name,
            departments.get(unit.tier_id or 0),
            len(held),
            on_time,
            tuple(staffing.get(unit_id, [])),
            tuple(events.get(unit_id, [])),
            open_n,
            overdue_n,
        )
    return out


@audit.requires(None)
def tier_board(
    db: Database, actor: Actor, tier_id: int, *, now: dt.datetime | None = None
) -> TierBoard:
    """Everything the tier's board shows: the escalations still open or raised since the
    tier last met, grouped by unit, each unit's headline figures beside them."""
    tiers.require_shared(db)
    now = now or utcnow()
    today = dates.to_local(now).date()
    with db.read() as s:
        tiers.require_tier(s, actor, tier_id)
        tier = s.get(Tier, tier_id)
        if tier is None:
            raise NotFound("There is no such tier.")
        todays = s.scalar(
            select(TierHuddle).where(TierHuddle.tier_id == tier_id, TierHuddle.huddle_date == today)
        )
        last_held = s.scalar(
            select(func.max(TierHuddle.started_at)).where(
                TierHuddle.tier_id == tier_id,
                TierHuddle.status == "closed",
                TierHuddle.huddle_date < today,
            )
        )
        since = now - dt.timedelta(hours=24)
        if last_held is not None:
            since = min(since, max(last_held, now - MAX_LOOK_BACK))
        # Open, or accepted and not yet resolved: its leaders follow it up until resolved.
        shown: list[ColumnElement[bool]] = [Escalation.status.in_(IN_HAND)]
        if last_held is not None:
            shown.append(Escalation.raised_at >= last_held)
            shown.append(Escalation.answered_at >= last_held)
        else:
            shown.append(Escalation.answered_at >= since)
        if todays is not None:
            shown.append(Escalation.answered_in_id == todays.id)
        found = list(
            s.scalars(
                select(Escalation)
                .where(Escalation.tier_id == tier_id, or_(*shown))
                .order_by(Escalation.raised_at)
            )
        )
        rows = _rows(s, found, now)
        unit_ids = set(tiers.units_under(s, tier_id))
        units = list(s.scalars(select(Unit).where(Unit.id.in_(unit_ids)).order_by(Unit.code)))
        departments = {
            t.id: t.name for t in s.scalars(select(Tier).where(Tier.level == tiers.DEPARTMENT))
        }
        quiet = 0
        if tier.level != tiers.DEPARTMENT:
            # The hospital's board lists the units with something sent up; the rest are
            # counted (fifty units' figures are the departments' boards' business).
            with_rows = {r.unit_id for r in rows}
            quiet = sum(1 for u in units if u.id not in with_rows)
            units = [u for u in units if u.id in with_rows]
        heads = _headlines(s, units, departments, today, since)
        # An escalation from a unit since moved out of this tier is still listed, under
        # where the unit is now, without its figures: those are its new tier's business.
        missing = {r.unit_id for r in rows} - {u.id for u in units}
        for unit in s.scalars(select(Unit).where(Unit.id.in_(missing))):
            heads[unit.id] = UnitHeadline(
                unit.id,
                unit.code,
                unit.name,
                departments.get(unit.tier_id or 0),
                0,
                None,
                (),
                (),
                0,
                0,
                moved_to=departments.get(unit.tier_id or 0, ""),
            )
        # Within a card, what this huddle deals with (open, or answered since the tier
        # last met) in the order raised; then those accepted at an earlier huddle and not
        # yet resolved, the soonest needed first. Answering moves nothing.
        cutoff = last_held if last_held is not None else since

        def carried(r: EscalationRow) -> bool:
            return r.is_accepted and r.answered_at is not None and r.answered_at < cutoff

        grouped: dict[int, list[EscalationRow]] = {}
        for r in sorted(
            rows,
            key=lambda r: (
                carried(r),
                (r.needed_by or dt.date.max) if carried(r) else dt.date.min,
                r.raised_at,
                r.id,
            ),
        ):
            grouped.setdefault(r.unit_id, []).append(r)
        # By unit code, whatever is answered meanwhile: a card never moves under the
        # leader's hand (what is waiting is counted and flagged on its card).
        ordered = sorted(heads.values(), key=lambda h: h.code)
        board = TierBoard(
            tier.id,
            tier.code,
            tier.name,
            tier.level,
            tier.huddle_time,
            tier.huddle_target_minutes,
            tiers.TIER_ROLES.get(tier.leader_role, tier.leader_role),
            _tier_huddle_row(s, todays) if todays is not None else None,
            last_held,
            since,
            today,
            [
                UnitHeadline(
                    h.unit_id,
                    h.code,
                    h.name,
                    h.department,
                    h.huddles_today,
                    h.huddle_on_time,
                    h.staffing,
                    h.events,
                    h.open_actions,
                    h.overdue_actions,
                    tuple(grouped.get(h.unit_id, [])),
                    h.moved_to,
                )
                for h in ordered
            ],
            quiet,
            tuple(tier.huddle_days or range(1, 8)),
        )
    return board


# ---------------------------------------------------------------- back on the unit's board


@audit.requires("huddle.view")
def unit_follow_up(
    db: Database,
    actor: Actor,
    huddle_id: int | None = None,
    *,
    now: dt.datetime | None = None,
) -> list[EscalationRow]:
    """The unit board's "From the department": answers not yet shown at a closed unit
    huddle (or shown at ``huddle_id``), then what is still in hand, oldest first: open
    ones, and accepted ones whose answer was shown already (``answer_shown``: "Accepted,
    owner X, needed by …") until they are resolved. Each in-hand row carries when its
    tier next meets (``tier_next_huddle``).

    Empty on a unit's own file (nothing can have been escalated there).
    """
    if not tiers.shared(db):
        return []
    now = now or utcnow()
    with db.read() as s:
        shown: ColumnElement[bool] = Escalation.shown_in_huddle_id.is_(None)
        if huddle_id is not None:
            shown = or_(shown, Escalation.shown_in_huddle_id == huddle_id)
        found = list(
            s.scalars(
                select(Escalation)
                .where(
                    Escalation.unit_id == actor.unit_id,
                    or_(
                        Escalation.status.in_(IN_HAND),
                        and_(Escalation.answered_at.is_not(None), shown),
                    ),
                )
                .order_by(Escalation.answered_at.desc().nulls_last(), Escalation.raised_at)
            )
        )
        earlier = {
            e.id
            for e in found
            if e.status == ACCEPTED
            and e.shown_in_huddle_id is not None
            and e.shown_in_huddle_id != huddle_id
        }
        rows = [replace(r, answer_shown=r.id in earlier) for r in _rows(s, found, now)]
    answers = [r for r in rows if not r.is_open and not r.answer_shown]
    # Open ones, oldest first; then those accepted and in hand, the soonest needed first.
    in_hand = sorted(
        (r for r in rows if r.is_open or r.answer_shown),
        key=lambda r: (
            not r.is_open,
            dt.date.min if r.is_open else (r.needed_by or dt.date.max),
            r.raised_at,
        ),
    )
    return answers + in_hand


def mark_answers_shown(s: Session, unit_id: int, huddle_id: int) -> int:
    """As a unit huddle closes: the answers its board showed are marked shown there, so
    the next board shows only newer ones. Inside the closing transaction."""
    marked = 0
    for esc in s.scalars(
        select(Escalation).where(
            Escalation.unit_id == unit_id,
            Escalation.answered_at.is_not(None),
            Escalation.shown_in_huddle_id.is_(None),
        )
    ):
        esc.shown_in_huddle_id = huddle_id
        marked += 1
    return marked


__all__ = [
    "NO_DEPARTMENT",
    "OUTCOMES",
    "Escalated",
    "EscalationRow",
    "NoDepartment",
    "TierBoard",
    "TierHuddleRow",
    "UnitHeadline",
    "already_escalated",
    "answer",
    "close_tier_huddle",
    "criteria",
    "department_name",
    "escalate",
    "first_raised",
    "mark_answers_shown",
    "next_meeting",
    "outcome_help",
    "outcome_words",
    "start_tier_huddle",
    "tier_board",
    "unit_follow_up",
]
