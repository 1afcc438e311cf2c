"""The safety huddle: look back, look ahead, follow up, teach, recognise; actions to closure.

Structure from The Joint Commission's Quick Safety 34 and IHI/AHRQ huddle guidance
(resources/unit.yaml). Every change is one short transaction; text typed but not
yet added is kept as a draft (services.drafts). Actions are in services.actions, what
past huddles did in services.huddle_record.

One module of about 700 lines, because starting, the board, items, attendance and closing
are one running huddle that share its rows and its open-huddle check (``unit_huddle``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hrohuddle.services import actions, audit, dates, journey, validation
from hrohuddle.services.actions import ActionRow
from hrohuddle.services.errors import Conflict, NotFound, ValidationError
from hrohuddle.services.permissions import Actor
from hrohuddle.services.shifts import ShiftClock
from hrohuddle.services.vocabulary import taxonomy, unit_vocabulary
from hrohuddle.store.database import Database
from hrohuddle.store.models import (
    Action,
    Huddle,
    HuddleAttendance,
    HuddleItem,
    Person,
    ReportStep,
    SafetyEvent,
    Unit,
    utcnow,
)

MAX_ITEM_CHARS = 500
MANUAL_SECTIONS = ("look_back", "look_ahead", "teach", "recognise")
REQUIRED_SECTIONS = ("look_back", "look_ahead")


# -- rows handed to the UI ---------------------------------------------------------------
@dataclass(frozen=True)
class ItemRow:
    id: int
    section: str
    category: str | None
    text: str
    hro_principle: str | None
    author: str | None
    updated_at: dt.datetime
    action_id: int | None
    #: The action made from this item: its owner and due date, shown beside the item.
    action_owner: str | None = None
    action_due: dt.date | None = None
    #: Who wrote or gave it (for a teaching point: the person who taught).
    author_id: int | None = None
    author_profession: str | None = None
    author_is_learner: bool | None = None
    #: The report this item came from (a report the look back took up), else None.
    event_id: int | None = None


@dataclass(frozen=True)
class LookBackReport:
    """A report as a huddle's look back lists it: its kind, harm and a one-line summary."""

    id: int
    kind: str
    category: str
    harm: str | None
    summary: str
    occurred_at: dt.datetime
    #: Anonymous: only the shift is kept, and ``occurred_at`` is that shift's start.
    anonymous: bool = False


@dataclass(frozen=True)
class AttendanceRow:
    person_id: int | None
    name: str | None
    profession: str
    head_count: int


@dataclass(frozen=True)
class HuddleRow:
    id: int
    huddle_date: dt.date
    shift: str
    status: str
    started_at: dt.datetime
    ended_at: dt.datetime | None
    led_by: str | None
    attendance: int
    items: int


@dataclass
class Board:
    huddle: HuddleRow
    target_minutes: int
    items: dict[str, list[ItemRow]]
    look_back_events: list[LookBackReport]
    good_catches: list[LookBackReport]
    follow_ups: list[ActionRow]
    attendance: list[AttendanceRow]
    reflection: dict[str, bool]
    today: dt.date
    profession_mix: dict[str, int] = field(default_factory=dict)

    @property
    def present_ids(self) -> set[int]:
        return {a.person_id for a in self.attendance if a.person_id is not None}

    @property
    def head_count(self) -> int:
        return sum(a.head_count for a in self.attendance)


def _local_now() -> dt.datetime:
    return dt.datetime.now()


# -- huddles -----------------------------------------------------------------------------
def _row(s: Session, h: Huddle) -> HuddleRow:
    lead = s.get(Person, h.led_by_id) if h.led_by_id else None
    leader = lead.display_name if lead else None
    present = s.scalar(
        select(func.coalesce(func.sum(HuddleAttendance.head_count), 0)).where(
            HuddleAttendance.huddle_id == h.id
        )
    )
    items = s.scalar(
        select(func.count(HuddleItem.id)).where(
            HuddleItem.huddle_id == h.id, HuddleItem.deleted.is_(False)
        )
    )
    return HuddleRow(
        h.id,
        h.huddle_date,
        h.shift,
        h.status,
        h.started_at,
        h.ended_at,
        leader,
        int(present or 0),
        int(items or 0),
    )


@audit.requires("huddle.run")
def start_or_resume(
    db: Database, actor: Actor, *, local_now: dt.datetime | None = None
) -> HuddleRow:
    """The huddle of the current shift: started now, or the one already started.

    Two workstations pressing Start at once get the same huddle (the database's
    unique key on unit, date and shift decides).
    """
    from hrohuddle.services import anonymity

    local_now = local_now or _local_now()
    with db.read() as s:
        unit = s.get(Unit, actor.unit_id)
        assert unit is not None
        day, shift = ShiftClock.of(unit).shift_of(local_now)
        exists = s.scalar(
            select(Huddle.id).where(
                Huddle.unit_id == actor.unit_id, Huddle.huddle_date == day, Huddle.shift == shift
            )
        )
    if exists is None:
        # Whatever was sent anonymously before this huddle started belongs to its look
        # back: released now, at a moment the charge nurse chooses, not the sender.
        anonymity.release_due(db, local_now=local_now, force=True, messages=True)
    try:
        with db.write() as s:
            existing = s.scalar(
                select(Huddle).where(
                    Huddle.unit_id == actor.unit_id,
                    Huddle.huddle_date == day,
                    Huddle.shift == shift,
                )
            )
            if existing is not None:
                if existing.status == "closed":
                    raise ValidationError(
                        f"The {shift}-shift huddle of {dates.day(day)} is already closed. "
                        "Open it from the history to read its summary."
                    )
                return _row(s, existing)
            huddle = Huddle(
                unit_id=actor.unit_id,
                huddle_date=day,
                shift=shift,
                led_by_id=actor.person_id,
                started_at=utcnow(),
            )
            s.add(huddle)
            s.flush()
            s.add(
                HuddleAttendance(
                    huddle_id=huddle.id,
                    person_id=actor.person_id,
                    profession=actor.profession,
                    head_count=1,
                )
            )
            _claim_look_back(s, huddle)
            audit.record(s, "huddle.started", actor=actor, target=f"huddle:{huddle.id}")
            s.flush()
            return _row(s, huddle)
    except IntegrityError:
        return start_or_resume(db, actor, local_now=local_now)


#: A report older than this that no huddle took up is not pulled onto a new board.
CLAIM_DAYS = 7


def _claim_look_back(s: Session, h: Huddle) -> None:
    """Give the new huddle every report of the unit that no huddle has taken up yet.

    A report reaches the reports table when it is filed (named) or released
    (anonymous); the first huddle to start after that takes it, whatever time the
    report itself stores, so each report is in exactly one look back: the next one.
    """
    previous = s.scalar(
        select(func.max(Huddle.huddle_date)).where(
            Huddle.unit_id == h.unit_id, Huddle.id != h.id, Huddle.huddle_date <= h.huddle_date
        )
    )
    floor = h.huddle_date - dt.timedelta(days=CLAIM_DAYS)
    if previous is not None:
        floor = min(floor, previous - dt.timedelta(days=1))
    shown = select(HuddleItem.event_id).where(HuddleItem.event_id.is_not(None))
    s.execute(
        update(SafetyEvent)
        .where(
            SafetyEvent.unit_id == h.unit_id,
            SafetyEvent.look_back_huddle_id.is_(None),
            SafetyEvent.reported_on >= floor,
            SafetyEvent.id.not_in(shown),
        )
        .values(look_back_huddle_id=h.id)
        .execution_options(synchronize_session=False)
    )


def open_huddle(db: Database, unit_id: int) -> HuddleRow | None:
    """The unit's huddle still open (after a crash, the board returns to it)."""
    with db.read() as s:
        h = s.scalar(
            select(Huddle)
            .where(Huddle.unit_id == unit_id, Huddle.status == "open")
            .order_by(Huddle.started_at.desc())
            .limit(1)
        )
        return _row(s, h) if h else None


def unit_huddle(s: Session, actor: Actor, huddle_id: int, *, must_be_open: bool = True) -> Huddle:
    """The actor's unit's huddle, refused when it is another unit's (or closed, unless
    ``must_be_open`` is False)."""
    h = s.get(Huddle, huddle_id)
    if h is None or h.unit_id != actor.unit_id:
        raise NotFound("That huddle is not on this unit.")
    if must_be_open and h.status != "open":
        raise ValidationError("This huddle is closed; its summary can be read but not changed.")
    return h


def _touch(h: Huddle) -> None:
    h.revision += 1
    h.updated_at = utcnow()


@audit.requires("huddle.view")
def board(db: Database, actor: Actor, huddle_id: int, *, today: dt.date | None = None) -> Board:
    """Everything the board shows, in a handful of queries (no query per row)."""
    from hrohuddle.services import anonymity

    today = today or _local_now().date()
    # Anonymous reports (and reporters' messages) due for release reach this look back,
    # in the session of someone who runs the huddle or reviews reports: a learner or
    # staff member reading the board may have just sent one, so theirs releases nothing.
    if actor.can("huddle.run") or actor.can("event.triage"):
        anonymity.release_due(db, messages=True)
    with db.read() as s:
        h = unit_huddle(s, actor, huddle_id, must_be_open=False)
        unit = s.get(Unit, actor.unit_id)
        assert unit is not None
        row = _row(s, h)
        item_rows = s.execute(
            select(HuddleItem, Person)
            .outerjoin(Person, Person.id == HuddleItem.author_id)
            .where(HuddleItem.huddle_id == h.id, HuddleItem.deleted.is_(False))
            .order_by(HuddleItem.section, HuddleItem.position, HuddleItem.id)
        ).all()
        item_ids = [i.id for i, _ in item_rows]
        linked: dict[int, tuple[int, str | None, dt.date | None]] = {}
        if item_ids:
            owner = Person.__table__.alias("owner")
            # An open action wins over closed ones made from the same item.
            for item_id, action_id, name, due, status in s.execute(
                select(
                    Action.huddle_item_id,
                    Action.id,
                    owner.c.display_name,
                    Action.due_on,
                    Action.status,
                )
                .outerjoin(owner, owner.c.id == Action.owner_id)
                .where(Action.huddle_item_id.in_(item_ids))
                .order_by(Action.status.desc(), Action.id)
            ).all():
                if item_id is not None and (item_id not in linked or status == "open"):
                    linked[item_id] = (action_id, name, due)
        items: dict[str, list[ItemRow]] = {k: [] for k in MANUAL_SECTIONS}
        for item, person in item_rows:
            action = linked.get(item.id)
            items.setdefault(item.section, []).append(
                ItemRow(
                    item.id,
                    item.section,
                    item.category,
                    item.text,
                    item.hro_principle,
                    person.display_name if person else None,
                    item.updated_at,
                    action[0] if action else None,
                    action[1] if action else None,
                    action[2] if action else None,
                    person.id if person else None,
                    person.profession if person else None,
                    person.is_learner if person else None,
                    item.event_id,
                )
            )
        events, catches = _look_back_events(s, h)
        follow = actions.unit_open_actions(s, actor.unit_id)
        att = [
            AttendanceRow(a.person_id, name, a.profession, a.head_count)
            for a, name in s.execute(
                select(HuddleAttendance, Person.display_name)
                .outerjoin(Person, Person.id == HuddleAttendance.person_id)
                .where(HuddleAttendance.huddle_id == h.id)
                .order_by(HuddleAttendance.id)
            ).all()
        ]
    mix: dict[str, int] = {}
    for a in att:
        mix[a.profession] = mix.get(a.profession, 0) + a.head_count
    return Board(
        row,
        unit.huddle_target_minutes,
        items,
        events,
        catches,
        follow,
        att,
        {k: bool(v) for k, v in (h.reflection or {}).items()},
        today,
        mix,
    )


def _look_back_events(s: Session, h: Huddle) -> tuple[list[LookBackReport], list[LookBackReport]]:
    """The reports this huddle took up when it started (see ``_claim_look_back``).

    Sorted here rather than in SQL: an ORDER BY on the time tempts SQLite, when it has
    no statistics, to walk the unit's every report in time order instead of using the
    look-back index (150 ms on 100,000 reports, for the dozen a look back holds).
    """
    rows = s.execute(
        select(
            SafetyEvent.id,
            SafetyEvent.kind,
            SafetyEvent.category,
            SafetyEvent.harm,
            SafetyEvent.narrative,
            SafetyEvent.occurred_at,
            SafetyEvent.anonymous,
        ).where(SafetyEvent.unit_id == h.unit_id, SafetyEvent.look_back_huddle_id == h.id)
    ).all()
    rows = sorted(rows, key=lambda r: (r[5], r[0]))[:200]
    events = [
        LookBackReport(r[0], r[1], r[2], r[3], _summary(r[4]), r[5], bool(r[6])) for r in rows
    ]
    return events, [e for e in events if e.kind == "good_catch"]


def _summary(text: str, limit: int = 160) -> str:
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= limit else one_line[: limit - 1] + "…"


def refuse_a_second_teaching_point(s: Session, huddle_id: int) -> None:
    """A huddle has one teaching point: a second is refused, in the caller's transaction."""
    taken = s.scalar(
        select(func.count(HuddleItem.id)).where(
            HuddleItem.huddle_id == huddle_id,
            HuddleItem.section == "teach",
            HuddleItem.deleted.is_(False),
        )
    )
    if taken:
        raise ValidationError(
            "This huddle already has its teaching point. Change that one, or keep this "
            "for the next huddle.",
            "text",
        )


@audit.requires("huddle.contribute")
def add_item(
    db: Database,
    actor: Actor,
    huddle_id: int,
    section: str,
    text: str,
    *,
    category: str | None = None,
    hro_principle: str | None = None,
    given_by: int | None = None,
) -> ItemRow:
    """Add an item by hand; anyone signed in may add a teaching point or a shout-out.

    A teaching point is credited to ``given_by``, the person of the unit who taught
    it (learners included), and to whoever typed it when no one is named.
    """
    validation.choice(section, list(MANUAL_SECTIONS), "a board section", field="section")
    needed = "huddle.contribute" if section in ("teach", "recognise") else "huddle.run"
    audit.require(actor, needed)
    clean = _checked_text(db, actor, text, section)
    assert clean is not None
    vocab = unit_vocabulary()
    if section == "look_ahead":
        category = validation.choice(
            category or "other",
            vocab.keys("look_ahead_categories"),
            "a look-ahead category",
            field="category",
        )
    else:
        category = None
    if hro_principle is not None:
        validation.choice(
            hro_principle, vocab.keys("hro_principles"), "an HRO principle", field="hro_principle"
        )
    with db.write() as s:
        h = unit_huddle(s, actor, huddle_id)
        if section == "teach":
            refuse_a_second_teaching_point(s, h.id)
        position = s.scalar(
            select(func.coalesce(func.max(HuddleItem.position), 0) + 1).where(
                HuddleItem.huddle_id == h.id, HuddleItem.section == section
            )
        )
        author = _giver(s, actor, given_by if section == "teach" else None)
        item = HuddleItem(
            huddle_id=h.id,
            section=section,
            category=category,
            text=clean,
            hro_principle=hro_principle,
            author_id=author.id,
            position=int(position or 1),
        )
        s.add(item)
        _touch(h)
        s.flush()
        return _item_row(item, author)


def _checked_text(db: Database, actor: Actor, text: str, section: str) -> str:
    """An item's text, checked for patient identifiers and personal names.

    Staff of the unit may be named where they are thanked or teach; anywhere else
    their names are flagged too (the board is read by the whole room).
    """
    from hrohuddle.services.personal_names import unit_roster

    roster = unit_roster(db, actor.unit_id)
    clean = validation.text(
        text,
        "The item",
        field="text",
        max_len=MAX_ITEM_CHARS,
        check_identifiers=True,
        roster=roster,
        allowed_names=roster if section in ("teach", "recognise") else (),
    )
    assert clean is not None
    return clean


def _giver(s: Session, actor: Actor, given_by: int | None) -> Person:
    person = s.get(Person, given_by if given_by is not None else actor.person_id)
    if person is None or person.unit_id != actor.unit_id:
        raise ValidationError("Choose who gave the teaching point from this unit.", "given_by")
    return person


def _item_row(item: HuddleItem, author: Person | None) -> ItemRow:
    return ItemRow(
        item.id,
        item.section,
        item.category,
        item.text,
        item.hro_principle,
        author.display_name if author else None,
        item.updated_at,
        None,
        author_id=author.id if author else None,
        author_profession=author.profession if author else None,
        author_is_learner=author.is_learner if author else None,
    )


@audit.requires("huddle.contribute")
def update_item(
    db: Database,
    actor: Actor,
    item_id: int,
    text: str,
    expected_updated_at: dt.datetime,
    *,
    given_by: int | None = None,
    hro_principle: str | None = None,
) -> ItemRow:
    """Change an item's text (and a teaching point's giver), unless someone changed it since.

    A second workstation's change is never silently overwritten: the caller gets
    Conflict with the other text in the message, and keeps its own on screen.
    """
    if hro_principle is not None:
        validation.choice(
            hro_principle,
            unit_vocabulary().keys("hro_principles"),
            "an HRO principle",
            field="hro_principle",
        )
    with db.read() as s:
        current = s.get(HuddleItem, item_id)
        section = current.section if current is not None else "look_back"
    checked = _checked_text(db, actor, text, section)
    clean = checked
    with db.write() as s:
        item = s.get(HuddleItem, item_id)
        if item is None or item.deleted:
            raise NotFound("That item was removed on another screen.")
        h = unit_huddle(s, actor, item.huddle_id)
        if item.section not in ("teach", "recognise"):
            audit.require(actor, "huddle.run")
        if item.updated_at != expected_updated_at:
            raise Conflict(
                f"Someone changed this item on another screen. It now says: “{item.text}”. "
                "Your text is still here: check both, then save again."
            )
        item.text = clean
        if item.section == "teach":
            if given_by is not None:
                item.author_id = _giver(s, actor, given_by).id
            if hro_principle is not None:
                item.hro_principle = hro_principle
        item.updated_at = utcnow()
        _touch(h)
        s.flush()
        person = s.get(Person, item.author_id) if item.author_id else None
        return _item_row(item, person)


@audit.requires("huddle.contribute")
def remove_item(db: Database, actor: Actor, item_id: int) -> None:
    """Remove an item; a teaching point or shout-out by anyone, the rest by the charge nurse.

    A teaching point taken from a good catch takes with it the recognition it added
    (services.teaching): the board and the summary keep only what is still there.
    """
    with db.write() as s:
        item = s.get(HuddleItem, item_id)
        if item is None:
            return
        h = unit_huddle(s, actor, item.huddle_id)
        if item.section not in ("teach", "recognise") or item.event_id is not None:
            audit.require(actor, "huddle.run")
        now = utcnow()
        gone = [item]
        if item.section == "teach" and item.event_id is not None:
            gone += s.scalars(
                select(HuddleItem).where(
                    HuddleItem.huddle_id == h.id,
                    HuddleItem.section == "recognise",
                    HuddleItem.event_id == item.event_id,
                    HuddleItem.deleted.is_(False),
                )
            ).all()
        for row in gone:
            row.deleted = True
            row.updated_at = now
        _touch(h)


# -- attendance --------------------------------------------------------------------------
@audit.requires("huddle.run")
def set_present(db: Database, actor: Actor, huddle_id: int, person_id: int, present: bool) -> None:
    """Tick a person with an account as present (or not)."""
    with db.write() as s:
        h = unit_huddle(s, actor, huddle_id)
        person = s.get(Person, person_id)
        if person is None or person.unit_id != actor.unit_id:
            raise NotFound("That person is not on this unit.")
        row = s.scalar(
            select(HuddleAttendance).where(
                HuddleAttendance.huddle_id == h.id, HuddleAttendance.person_id == person_id
            )
        )
        if present and row is None:
            s.add(
                HuddleAttendance(
                    huddle_id=h.id, person_id=person_id, profession=person.profession, head_count=1
                )
            )
        elif not present and row is not None:
            s.delete(row)
        _touch(h)


@audit.requires("huddle.run")
def set_head_count(db: Database, actor: Actor, huddle_id: int, profession: str, count: int) -> None:
    """People without an account (agency, floats, short rotations), counted by profession."""
    validation.choice(
        profession, unit_vocabulary().keys("professions"), "a profession", field="profession"
    )
    if not 0 <= count <= 50:
        raise ValidationError("A head count is between 0 and 50.", "count")
    with db.write() as s:
        h = unit_huddle(s, actor, huddle_id)
        row = s.scalar(
            select(HuddleAttendance).where(
                HuddleAttendance.huddle_id == h.id,
                HuddleAttendance.person_id.is_(None),
                HuddleAttendance.profession == profession,
            )
        )
        if count == 0 and row is not None:
            s.delete(row)
        elif count > 0 and row is None:
            s.add(
                HuddleAttendance(
                    huddle_id=h.id, person_id=None, profession=profession, head_count=count
                )
            )
        elif row is not None:
            row.head_count = count
        _touch(h)


@audit.requires("huddle.run")
def set_reflection(
    db: Database, actor: Actor, huddle_id: int, principle: str, touched: bool
) -> None:
    """HRO reflection: did this huddle touch the principle (merged key by key)."""
    validation.choice(
        principle, unit_vocabulary().keys("hro_principles"), "an HRO principle", field="principle"
    )
    with db.write() as s:
        h = unit_huddle(s, actor, huddle_id)
        h.reflection = {**(h.reflection or {}), principle: touched}
        _touch(h)


# -- closing ---------------------------------------------------------------------------------
def closing_warnings(b: Board) -> list[str]:
    """What is missing before closing: the charge nurse is warned, not stopped."""
    labels = unit_vocabulary().labels_by_key("huddle_sections")
    warnings = []
    for section in REQUIRED_SECTIONS:
        has = bool(b.items.get(section))
        if section == "look_back":
            has = has or bool(b.look_back_events)
        if not has:
            warnings.append(f"{labels[section]} is empty.")
    if b.head_count <= 1:
        warnings.append("Only one person is marked present.")
    return warnings


def shared_sentence(shift: str, day: dt.date) -> str:
    """The reporter's sentence for a report the huddle's look back took up."""
    return (
        f"Your report was talked about at the {shift}-shift safety huddle of {dates.day(day)}, "
        "so that the whole team can learn from it."
    )


def _record_shared(s: Session, h: Huddle) -> None:
    """Each report on the closing huddle's board reached the team: its journey says so,
    dated the huddle's day, once per huddle."""
    on_board = set(
        s.scalars(
            select(HuddleItem.event_id).where(
                HuddleItem.huddle_id == h.id,
                HuddleItem.event_id.is_not(None),
                HuddleItem.deleted.is_(False),
            )
        )
    )
    done = set(
        s.scalars(
            select(ReportStep.event_id).where(
                ReportStep.huddle_id == h.id, ReportStep.step == "shared"
            )
        )
    )
    for event_id in sorted(e for e in on_board - done if e is not None):
        journey.add_step(
            s,
            event_id,
            "shared",
            h.huddle_date,
            shared_sentence(h.shift, h.huddle_date),
            told_on=h.huddle_date,
            huddle_id=h.id,
        )


@audit.requires("huddle.run")
def close_huddle(db: Database, actor: Actor, huddle_id: int, note: str | None = None) -> HuddleRow:
    """Close the huddle; the reports it looked back on are kept with it."""
    clean = validation.text(
        note, "The closing note", field="note", max_len=1000, required=False, check_identifiers=True
    )
    b = board(db, actor, huddle_id)
    with db.write() as s:
        h = unit_huddle(s, actor, huddle_id)
        already = set(
            s.scalars(
                select(HuddleItem.event_id).where(
                    HuddleItem.huddle_id == h.id, HuddleItem.event_id.is_not(None)
                )
            )
        )
        kinds = taxonomy().labels_by_key("kinds")
        for e in b.look_back_events:
            if e.id in already:
                continue
            s.add(
                HuddleItem(
                    huddle_id=h.id,
                    section="recognise" if e.kind == "good_catch" else "look_back",
                    text=f"{kinds.get(e.kind, e.kind)}: {e.summary}",
                    event_id=e.id,
                    author_id=None,
                )
            )
        s.flush()
        _record_shared(s, h)
        # The department's answers this board showed under follow-up are marked shown
        # here, so the unit's next board shows only newer ones.
        from hrohuddle.services.escalations import mark_answers_shown

        mark_answers_shown(s, h.unit_id, h.id)
        h.status = "closed"
        h.ended_at = utcnow()
        h.closing_note = clean
        _touch(h)
        audit.record(s, "huddle.closed", actor=actor, target=f"huddle:{h.id}")
        s.flush()
        return _row(s, h)
