"""The demo hospital above the demo units, on a shared PostgreSQL server.

``hrohuddle demo-data --units N`` (N > 1) makes the units first; on a shared server
this then sets out the hospital (tier 3) and its departments (tier 2) of about 4 to
12 units each, places every unit, gives two named people of unit 4W their tier roles,
holds the tiers' huddles on most weekdays, sends escalations up from the units'
huddles with their answers coming back down, and lets units share lessons and adopt
each other's. On a unit's own SQLite file there are no tiers: ``build`` returns None
and the command says so in one line.

Seeded, drawn after the units in its own generator, and written in bulk as the rest
of the demo is; every row follows the services' rules (an answer by the person holding
the tier's role, its version bumped once, answers shown on the unit's next huddle).
Its sentences are in resources/demo/hospital_text.yaml.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
import random
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, insert, select

from hrohuddle.demo import loop
from hrohuddle.paths import resources_dir
from hrohuddle.services import audit, dates, escalations, signin
from hrohuddle.services.shifts import ShiftClock
from hrohuddle.services.tiers import DEPARTMENT, HOSPITAL, huddle_due
from hrohuddle.services.vocabulary import load_yaml
from hrohuddle.store.database import Database
from hrohuddle.store.models import (
    Escalation,
    Huddle,
    HuddleAttendance,
    LessonAdoption,
    Person,
    PersonRole,
    SafetyEvent,
    SharedLesson,
    Tier,
    TierHuddle,
    TierPlacement,
    TierRole,
    Unit,
)

_TEXT = load_yaml(resources_dir() / "demo" / "hospital_text.yaml")
_NAMES = load_yaml(resources_dir() / "demo" / "sample_text.yaml")

#: Said by demo-data on a unit's own SQLite file when asked for more than one unit.
NEEDS_SHARED_LINE = (
    "Departments and the hospital need the shared server: these units are on one "
    "SQLite file, so each stands alone (no tiers, escalations or shared lessons)."
)

#: A unit is in a department of at most this many units (and, where there are enough
#: units, at least about four).
_MOST_PER_DEPARTMENT = 12
#: Unit huddles at which something is sent up to the department, on average.
_ESCALATE_SHARE = 0.05
#: Of a department's answers: accepted, declined, resolved, escalated to the hospital.
_OUTCOMES = (("accepted", 0.45), ("declined", 0.15), ("resolved", 0.25), ("escalated", 0.15))
#: A tier huddle skipped now and then; late by these minutes when held.
_SKIPPED = 0.07
_LATE_MINUTES = (0, 0, 0, 0, 0, 2, 3, 5, 8, 15)
#: The escalation criteria's keys, in the order of resources/tiers.yaml.
CRITERIA = tuple(escalations.criteria())
#: Escalations raised within these days may still wait for their answer (a share of
#: them): a department that leaves one for more than a few huddles is not the demo's.
_RECENT_DAYS = 4
_LEFT_OPEN = 0.35


@dataclass(frozen=True)
class TierPerson:
    """A person to sign in as, with the tier role the demo gave them."""

    name: str
    unit_code: str
    unit_role: str
    tier_code: str
    tier_role: str
    pin: str


#: The people the command prints: a department lead of 4W's department and the
#: hospital's executive on call; on their unit they are staff, nothing more.
NAMED_TIER_PEOPLE: tuple[TierPerson, ...] = (
    TierPerson("Grace Mensah", "4W", "staff", "MED", "department_lead", "3579"),
    TierPerson("Omar Haddad", "4W", "staff", "HOSP", "executive_on_call", "8024"),
)


@dataclass
class HospitalSummary:
    hospital: str
    departments: dict[str, list[str]]
    people: list[TierPerson]
    counts: dict[str, int] = field(default_factory=dict)

    def lines(self) -> list[str]:
        """What demo-data prints about the hospital."""
        out = [
            f"Hospital {self.hospital}: "
            + ", ".join(f"{code} ({len(units)} units)" for code, units in self.departments.items())
            + f"; {self.counts.get('tier_huddles', 0)} tier huddles, "
            f"{self.counts.get('escalations', 0)} escalations "
            f"({self.counts.get('open', 0)} open), {self.counts.get('lessons', 0)} shared lessons."
        ]
        for p in self.people:
            out.append(
                f"  {p.name}, PIN {p.pin}: {p.tier_role.replace('_', ' ')} of {p.tier_code} "
                f"(on unit {p.unit_code} as {p.unit_role})"
            )
        return out


def advance_sequences(db: Database) -> None:
    """On PostgreSQL, move each table's id sequence past the ids the demo wrote itself.

    The demo writes many rows with ids it chose (to link them in bulk); PostgreSQL's
    sequences do not see those, and the first huddle or report made in the app would
    then be refused as a duplicate.
    """
    if db.is_sqlite:
        return
    from sqlalchemy import Integer, text

    from hrohuddle.store.unit_models import Base

    with db.write() as s:
        for table in Base.metadata.sorted_tables:
            pk = list(table.primary_key.columns)
            if len(pk) != 1 or pk[0].name != "id" or not isinstance(pk[0].type, Integer):
                continue
            s.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                    f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"
                )
            )


def department_count(units: int) -> int:
    """About 4 to 12 units a department: one department for a few units, more as they grow."""
    if units < 4:
        return 1
    wanted = max(2, math.ceil(units / 10), math.ceil(units / _MOST_PER_DEPARTMENT))
    return min(len(_TEXT["departments"]), wanted)


def build(
    db: Database,
    unit_codes: list[str],
    *,
    years: float,
    seed: int,
    today: dt.date,
    extra_pin: str,
) -> HospitalSummary | None:
    """Set out the hospital above ``unit_codes`` (already made), with its history.

    None on a unit's own SQLite file, which has no tiers.
    """
    if db.is_sqlite:
        return None
    advance_sequences(db)  # the rows below take the server's next ids
    rng = random.Random(seed * 53 + 11)
    start = today - dt.timedelta(days=int(365 * years))
    depts = _TEXT["departments"][: department_count(len(unit_codes))]
    # Contiguous blocks, as even as they go: 4W leads the first department.
    blocks: list[list[str]] = []
    size, extra = divmod(len(unit_codes), len(depts))
    at = 0
    for i in range(len(depts)):
        n = size + (1 if i < extra else 0)
        blocks.append(unit_codes[at : at + n])
        at += n
    hosp = _TEXT["hospital"]
    named_hash = {p.pin: signin.hash_pin(db, p.pin) for p in NAMED_TIER_PEOPLE}
    shared_hash = signin.hash_pin(db, extra_pin)
    people: list[TierPerson] = []
    with db.write() as s:
        units = {u.code: u for u in s.scalars(select(Unit).where(Unit.code.in_(unit_codes)))}
        created = dt.datetime.combine(start, dt.time(8))
        hospital = Tier(
            code=hosp["code"],
            name=hosp["name"],
            level=HOSPITAL,
            huddle_time=hosp["huddle_time"],
            huddle_target_minutes=int(hosp["target_minutes"]),
            leader_role="executive_on_call",
            created_at=created,
        )
        s.add(hospital)
        s.flush()
        tiers: list[Tier] = []
        unit_tier: dict[int, Tier] = {}
        for spec, block in zip(depts, blocks, strict=True):
            tier = Tier(
                code=spec["code"],
                name=spec["name"],
                level=DEPARTMENT,
                parent_id=hospital.id,
                huddle_time=spec["huddle_time"],
                huddle_target_minutes=15,
                leader_role="department_lead",
                created_at=created,
            )
            s.add(tier)
            s.flush()
            tiers.append(tier)
            wards = list(spec["wards"])
            for n, code in enumerate(block):
                unit = units[code]
                unit.tier_id = tier.id
                # In its department since the unit began: its past weeks show there.
                began = dates.local_date(unit.created_at) if unit.created_at else start
                s.add(TierPlacement(unit_id=unit.id, tier_id=tier.id, since=began))
                unit_tier[unit.id] = tier
                if code != "4W":
                    unit.name = wards[n] if n < len(wards) else f"{spec['name']} ward {code}"
        # The named people on 4W; the other tiers' leaders on their first unit.
        used = set(s.scalars(select(Person.display_name)))
        leads: dict[int, list[tuple[int, str]]] = {}
        first = units[unit_codes[0]]
        for p in NAMED_TIER_PEOPLE:
            tier = hospital if p.tier_code == "HOSP" else tiers[0]
            pid = _person(s, first.id, p.name, named_hash[p.pin], start)
            s.add(TierRole(person_id=pid, tier_id=tier.id, role=p.tier_role))
            leads.setdefault(tier.id, []).append((pid, p.tier_role))
            people.append(
                TierPerson(p.name, first.code, p.unit_role, tier.code, p.tier_role, p.pin)
            )
            used.add(p.name)
        others: list[tuple[Tier, str, str]] = [
            (t, b[0], "department_lead") for t, b in zip(tiers[1:], blocks[1:], strict=True)
        ]
        others.append((hospital, blocks[-1][0], "duty_manager"))
        for tier, code, role in others:
            name = _new_name(rng, used)
            pid = _person(s, units[code].id, name, shared_hash, start)
            s.add(TierRole(person_id=pid, tier_id=tier.id, role=role))
            leads.setdefault(tier.id, []).append((pid, role))
            people.append(TierPerson(name, code, "staff", tier.code, role, extra_pin))
        s.flush()
        counts_today = _todays_huddles(s, rng, [units[c] for c in unit_codes[1:]], today)
        all_tiers = [*tiers, hospital]
        tier_huddles = _tier_huddles(s, rng, all_tiers, leads, start, today)
        counts = _escalations(s, rng, units, unit_tier, hospital, leads, tier_huddles, today)
        counts.update(_lessons(s, rng, units, unit_tier, hospital, start, today))
        counts["tier_huddles"] = sum(len(v) for v in tier_huddles.values())
        counts["held_today"] = counts_today
        audit.record(
            s,
            "demo.hospital_created",
            target=f"tier:{hospital.code}",
            detail={"departments": [t.code for t in tiers], **counts},
        )
    return HospitalSummary(
        hospital=hosp["code"],
        departments={t.code: b for t, b in zip(tiers, blocks, strict=True)},
        people=people,
        counts=counts,
    )


def _todays_huddles(s: Any, rng: random.Random, units: list[Unit], today: dt.date) -> int:
    """The shift's huddle most other units have held already today, for the tier board.

    The units' history leaves the running shift's huddle to be started (4W's charge
    nurse starts it in the demo); across a hospital most wards have held theirs by the
    time the department meets.
    """
    if today != dt.date.today():
        return 0
    local_now = dt.datetime.now()
    held = 0
    for unit in units:
        clock = ShiftClock.of(unit)
        day, shift = clock.shift_of(local_now)
        began = clock.start(day, shift) + dt.timedelta(minutes=30 + rng.choice(_LATE_MINUTES))
        length = rng.randint(8, 18)
        if rng.random() >= 0.85 or began + dt.timedelta(minutes=length) > local_now:
            continue
        present = list(
            s.execute(
                select(Person.id, Person.profession).where(
                    Person.unit_id == unit.id, Person.active.is_(True)
                )
            ).all()
        )
        leader = s.scalar(
            select(PersonRole.person_id)
            .join(Person, Person.id == PersonRole.person_id)
            .where(Person.unit_id == unit.id, PersonRole.role.in_(["charge_nurse", "manager"]))
            .order_by(PersonRole.person_id)
            .limit(1)
        )
        started = dates.to_utc(began)
        hid = s.scalar(
            insert(Huddle)
            .values(
                unit_id=unit.id,
                huddle_date=day,
                shift=shift,
                status="closed",
                started_at=started,
                ended_at=started + dt.timedelta(minutes=length),
                led_by_id=leader,
                revision=1,
                updated_at=started,
                reflection={},
            )
            .returning(Huddle.id)
        )
        people = rng.sample(present, k=min(len(present), rng.randint(5, 9)))
        s.execute(
            insert(HuddleAttendance),
            [
                {"huddle_id": hid, "person_id": pid, "profession": prof, "head_count": 1}
                for pid, prof in people
            ],
        )
        held += 1
    return held


def _new_name(rng: random.Random, used: set[str]) -> str:
    while True:
        name = f"{rng.choice(_NAMES['given_names'])} {rng.choice(_NAMES['surnames'])}"
        if name not in used:
            used.add(name)
            return name


def _person(s: Any, unit_id: int, name: str, pin_hash: str, start: dt.date) -> int:
    person = Person(
        unit_id=unit_id,
        display_name=name,
        profession="nursing",
        is_learner=False,
        start_date=start - dt.timedelta(days=1500),
        pin_hash=pin_hash,
        roles=[PersonRole(role="staff")],
    )
    s.add(person)
    s.flush()
    return person.id


@dataclass(frozen=True)
class _Held:
    id: int
    started_at: dt.datetime
    led_by_id: int
    role: str


def _tier_huddles(
    s: Any,
    rng: random.Random,
    tiers: list[Tier],
    leads: dict[int, list[tuple[int, str]]],
    start: dt.date,
    today: dt.date,
) -> dict[int, list[_Held]]:
    """Each tier's huddle on most weekdays before today (today's is the leader's to start)."""
    notes = [n["text"] for n in _TEXT["tier_huddle_notes"]]
    rows: list[dict[str, object]] = []
    who: list[tuple[int, int, str]] = []
    for tier in tiers:
        day = start
        while day < today:
            if day.weekday() < 5 and rng.random() >= _SKIPPED:
                due = huddle_due(tier, day)
                started = due + dt.timedelta(minutes=rng.choice(_LATE_MINUTES))
                leader, role = rng.choice(leads[tier.id])
                rows.append(
                    {
                        "tier_id": tier.id,
                        "huddle_date": day,
                        "scheduled_at": due,
                        "started_at": started,
                        "ended_at": started
                        + dt.timedelta(minutes=rng.randint(8, tier.huddle_target_minutes + 8)),
                        "led_by_id": leader,
                        "status": "closed",
                        "note": rng.choice(notes),
                    }
                )
                who.append((tier.id, leader, role))
            day += dt.timedelta(days=1)
    ids = (
        list(
            s.scalars(
                insert(TierHuddle).returning(TierHuddle.id, sort_by_parameter_order=True), rows
            )
        )
        if rows
        else []
    )
    held: dict[int, list[_Held]] = {t.id: [] for t in tiers}
    for hid, row, (tier_id, leader, role) in zip(ids, rows, who, strict=True):
        begun = row["started_at"]
        assert isinstance(begun, dt.datetime)
        held[tier_id].append(_Held(hid, begun, leader, role))
    return held


#: The share of accepted escalations whose follow-up the tier records as resolved
#: within three weeks; every one older than that is seen through.
_SEEN_THROUGH = 0.85
_SEEN_BY_DAYS = 21


def _next_held(held: list[_Held], after: dt.datetime, skip: int = 0) -> _Held | None:
    i = bisect.bisect_right([h.started_at for h in held], after) + skip
    return held[i] if i < len(held) else None


def _pick_outcome(rng: random.Random) -> str:
    roll, acc = rng.random(), 0.0
    for outcome, share in _OUTCOMES:
        acc += share
        if roll < acc:
            return outcome
    return _OUTCOMES[-1][0]


def _raised(row: dict[str, object]) -> dt.datetime:
    raised = row["raised_at"]
    assert isinstance(raised, dt.datetime)
    return raised


def _reopen(row: dict[str, object]) -> None:
    """An escalation still waiting for its answer."""
    row.update(
        status="open",
        answer=None,
        owner=None,
        answered_by_id=None,
        answered_role=None,
        answered_at=None,
        answered_in_id=None,
        shown_in_huddle_id=None,
        updated_at=row["raised_at"],
        version=1,
    )


def criteria_keys(keys: list[str]) -> list[str]:
    """The criteria's keys as services.escalations keeps them: once each, in the order
    of resources/tiers.yaml."""
    return sorted(set(keys), key=lambda k: CRITERIA.index(k) if k in CRITERIA else len(CRITERIA))


def _escalations(
    s: Any,
    rng: random.Random,
    units: dict[str, Unit],
    unit_tier: dict[int, Tier],
    hospital: Tier,
    leads: dict[int, list[tuple[int, str]]],
    held: dict[int, list[_Held]],
    today: dt.date,
) -> dict[str, int]:
    """Items sent up from the units' huddles, answered at the department's next huddle
    (now and then the one after), some sent on to the hospital; the last few days'
    partly still open, a few of them past the department's next huddle."""
    templates = _TEXT["escalations"]
    unit_ids = [u.id for u in units.values()]
    huddles: dict[int, list[tuple[dt.datetime, int, int | None]]] = {}
    for unit_id, hid, started, leader in s.execute(
        select(Huddle.unit_id, Huddle.id, Huddle.started_at, Huddle.led_by_id)
        .where(Huddle.unit_id.in_(unit_ids), Huddle.started_at.is_not(None))
        .order_by(Huddle.unit_id, Huddle.started_at)
    ):
        huddles.setdefault(unit_id, []).append((started, hid, leader))
    starts = {u: [h[0] for h in hs] for u, hs in huddles.items()}
    now = dates.to_utc(
        dt.datetime.now() if today >= dt.date.today() else dt.datetime.combine(today, dt.time(0))
    )

    def shown_in(unit_id: int, answered_at: dt.datetime) -> int | None:
        i = bisect.bisect_right(starts.get(unit_id, []), answered_at)
        hs = huddles.get(unit_id, [])
        return hs[i][1] if i < len(hs) else None

    def answer(
        row: dict[str, object], tier_id: int, at: _Held, outcome: str, text: str, owner: str | None
    ) -> None:
        answered = at.started_at + dt.timedelta(minutes=rng.randint(2, 12))
        row.update(
            status=outcome,
            answer=text,
            owner=owner,
            answered_by_id=at.led_by_id,
            answered_role=at.role,
            answered_at=answered,
            answered_in_id=at.id,
            shown_in_huddle_id=shown_in(int(str(row["unit_id"])), answered),
            updated_at=answered,
            version=2,
        )

    def base(
        unit_id: int, tier_id: int, raised: dt.datetime, tpl: dict[str, Any]
    ) -> dict[str, object]:
        return {
            "unit_id": unit_id,
            "tier_id": tier_id,
            "parent_id": None,
            "huddle_id": None,
            "huddle_item_id": None,
            "action_id": None,
            "tier_huddle_id": None,
            "title": tpl["title"],
            "reason": tpl["reason"],
            "criteria": [],
            "needed": tpl["needed"],
            "needed_by": dates.local_date(raised) + dt.timedelta(days=rng.randint(1, 14)),
            "raised_by_id": None,
            "raised_at": raised,
            "status": "open",
            "answer": None,
            "owner": None,
            "answered_by_id": None,
            "answered_role": None,
            "answered_at": None,
            "answered_in_id": None,
            "shown_in_huddle_id": None,
            "updated_at": raised,
            "version": 1,
        }

    ups: list[dict[str, object]] = []
    raised_before: set[tuple[int, str]] = set()
    # For each escalation sent on: (its place in ``ups``, the hospital's row).
    onward: list[tuple[int, dict[str, object]]] = []
    accepted: list[tuple[dict[str, object], int, str]] = []
    for unit in sorted(units.values(), key=lambda u: u.code):
        tier = unit_tier[unit.id]
        for started, hid, leader in huddles.get(unit.id, []):
            if rng.random() >= _ESCALATE_SHARE:
                continue
            tpl = rng.choice(templates)
            raised = started + dt.timedelta(minutes=rng.randint(5, 14))
            row = base(unit.id, tier.id, raised, tpl)
            keys = list(tpl["criteria"])
            if (unit.id, tpl["title"]) in raised_before:
                keys.append("repeated")
            raised_before.add((unit.id, tpl["title"]))
            row.update(huddle_id=hid, raised_by_id=leader, criteria=criteria_keys(keys))
            ups.append(row)
            recent = (now - raised).days < _RECENT_DAYS
            if recent and rng.random() < _LEFT_OPEN:
                continue  # still waiting (past the next huddle, if one has been)
            late = rng.choices((0, 1, 2), weights=(80, 15, 5))[0]
            at = _next_held(held[tier.id], raised, late) or _next_held(held[tier.id], raised)
            if at is None:
                continue
            outcome = _pick_outcome(rng)
            answers = tpl["answers"]
            owner = tpl["owner"] if outcome == "accepted" else None
            answer(row, tier.id, at, outcome, answers[outcome], owner)
            if outcome == "accepted":
                accepted.append((row, tier.id, answers["resolved"]))
            if outcome != "escalated":
                continue
            sent_at = row["answered_at"]
            assert isinstance(sent_at, dt.datetime)
            up = base(unit.id, hospital.id, sent_at, tpl)
            # As services.escalations sends one on: the unit's own words and criteria go
            # up unchanged, from the department's huddle, by the person who answered.
            up.update(
                reason=row["reason"],
                criteria=row["criteria"],
                needed_by=row["needed_by"],
                huddle_id=hid,
                raised_by_id=at.led_by_id,
                tier_huddle_id=at.id,
            )
            sent = up["raised_at"]
            assert isinstance(sent, dt.datetime)
            top = _next_held(held[hospital.id], sent)
            if top is not None and not (
                (now - sent).days < _RECENT_DAYS and rng.random() < _LEFT_OPEN
            ):
                final = "accepted" if rng.random() < 0.65 else "resolved"
                answer(
                    up,
                    hospital.id,
                    top,
                    final,
                    tpl["hospital"],
                    tpl["owner"] if final == "accepted" else None,
                )
                if final == "accepted":
                    accepted.append((up, hospital.id, tpl["answers"]["resolved"]))
            onward.append((len(ups) - 1, up))
    # Most of what a tier accepted is seen through: its leader records it resolved at a
    # later huddle, owner kept; the last few days' and a few of the last three weeks' still run.
    for row, tier_id, done in accepted:
        took = row["answered_at"]
        assert isinstance(took, dt.datetime)
        age = (now - took).days
        if age < _RECENT_DAYS or (age < _SEEN_BY_DAYS and rng.random() >= _SEEN_THROUGH):
            continue
        later = _next_held(held[tier_id], took + dt.timedelta(days=rng.randint(2, 10)))
        if later is not None and later.started_at < now:
            answer(row, tier_id, later, "resolved", done, str(row["owner"] or "") or None)
            row["version"] = 3
    # Every department's board shows one waiting past its huddle, whatever the day:
    # if none is, the latest answered before its last huddle is left unanswered.
    for tier in {t.id: t for t in unit_tier.values()}.values():
        if not held[tier.id]:
            continue
        last = held[tier.id][-1].started_at
        before = [r for r in ups if r["tier_id"] == tier.id and _raised(r) < last]
        settled = [r for r in before if r["status"] not in ("open", "escalated")]
        if settled and not any(r["status"] == "open" for r in before):
            _reopen(max(settled, key=_raised))
    # The table, not the mapped class: the ORM would set every version to 1, and an
    # answered escalation has been changed once.
    table = Escalation.__table__
    assert isinstance(table, Table)
    ids: list[int] = []
    if ups:
        ids = list(
            s.scalars(insert(table).returning(table.c.id, sort_by_parameter_order=True), ups)
        )
    tops = []
    for index, up in onward:
        up["parent_id"] = ids[index]
        tops.append(up)
    if tops:
        s.execute(insert(table), tops)
    every = ups + tops
    return {
        "escalations": len(every),
        "to_hospital": len(tops),
        "answered": sum(1 for r in every if r["status"] != "open"),
        "open": sum(1 for r in every if r["status"] == "open"),
    }


def _lessons(
    s: Any,
    rng: random.Random,
    units: dict[str, Unit],
    unit_tier: dict[int, Tier],
    hospital: Tier,
    start: dt.date,
    today: dt.date,
) -> dict[str, int]:
    """A lesson a unit every few months: a reviewer's summary of one of its closed
    reports (never its narrative or its reporter), a good catch or a change that worked,
    shared with the department or the hospital; other units in reach adopt some."""
    unit_ids = [u.id for u in units.values()]
    reviewers: dict[int, list[int]] = {}
    for unit_id, pid in s.execute(
        select(Person.unit_id, Person.id)
        .join(PersonRole, PersonRole.person_id == Person.id)
        .where(Person.unit_id.in_(unit_ids), PersonRole.role.in_(["charge_nurse", "manager"]))
        .order_by(Person.unit_id, Person.id)
    ):
        reviewers.setdefault(unit_id, []).append(pid)
    closed: dict[int, list[tuple[dt.date, int, str]]] = {}
    for unit_id, closed_id, reported, narrative in s.execute(
        select(SafetyEvent.unit_id, SafetyEvent.id, SafetyEvent.reported_on, SafetyEvent.narrative)
        .where(
            SafetyEvent.unit_id.in_(unit_ids),
            SafetyEvent.status == "closed",
            SafetyEvent.reviewer_summary.is_not(None),
        )
        .order_by(SafetyEvent.unit_id, SafetyEvent.reported_on, SafetyEvent.id)
    ):
        closed.setdefault(unit_id, []).append((reported, closed_id, narrative))
    by_tier: dict[int, list[int]] = {}
    for unit_id, tier in unit_tier.items():
        by_tier.setdefault(tier.id, []).append(unit_id)
    good = _TEXT["good_catches"]
    changes = _TEXT["changes"]
    # When each unit means to share, then taken in date order across the hospital: a
    # lesson another unit shared where the same people read it (the department, or
    # the hospital) less than a year ago is adopted there, not shared again.
    moments: list[tuple[dt.date, str, Unit]] = []
    for unit in units.values():
        day = start + dt.timedelta(days=rng.randint(3, 60))
        while day < today:
            moments.append((day, unit.code, unit))
            day += dt.timedelta(days=rng.randint(40, 110))
    moments.sort(key=lambda m: (m[0], m[1]))
    last_shared: dict[tuple[int, str], dt.date] = {}
    used: set[int] = set()
    lessons: list[dict[str, object]] = []
    for day, _code, unit in moments:
        kind = rng.choices(("summary", "good_catch", "change"), weights=(45, 30, 25))[0]
        tier = hospital if rng.random() < 0.3 else unit_tier[unit.id]
        event_id: int | None = None
        if kind == "summary":
            before = [e for e in closed.get(unit.id, []) if e[0] < day and e[1] not in used]
            if not before:
                kind = "change"
            else:
                _on, event_id, narrative = rng.choice(before[-60:])
                theme = loop._theme(narrative)
                title = str(theme["summary"])
                text = f"{theme['local_fix']} Then: {str(theme['action']['title']).lower()}."
        if kind != "summary":
            chosen = rng.choice(good if kind == "good_catch" else changes)
            title, text = chosen["title"], chosen["text"]
        # The hospital's readers are everyone: shared there, it must be new to all.
        seen = (
            [on for (_t, said), on in last_shared.items() if said == title]
            if tier.id == hospital.id
            else [last_shared.get((t, title)) for t in (tier.id, hospital.id)]
        )
        if any(on is not None and (day - on).days < 365 for on in seen):
            continue
        last_shared[(tier.id, title)] = day
        if event_id is not None:
            used.add(event_id)
        lessons.append(
            {
                "unit_id": unit.id,
                "tier_id": tier.id,
                "kind": kind,
                "title": title,
                "text": text,
                "event_id": event_id,
                "shared_by_id": rng.choice(reviewers[unit.id]) if unit.id in reviewers else None,
                "shared_on": day,
                "withdrawn": rng.random() < 0.02,
            }
        )
    ids = (
        list(
            s.scalars(
                insert(SharedLesson).returning(SharedLesson.id, sort_by_parameter_order=True),
                lessons,
            )
        )
        if lessons
        else []
    )
    every_unit = sorted(unit_ids)
    adoptions: list[dict[str, object]] = []
    for lid, lesson in zip(ids, lessons, strict=True):
        if lesson["withdrawn"]:
            continue
        reach = (
            every_unit if lesson["tier_id"] == hospital.id else by_tier[int(str(lesson["tier_id"]))]
        )
        others = [u for u in reach if u != lesson["unit_id"]]
        shared_on = lesson["shared_on"]
        assert isinstance(shared_on, dt.date)
        for adopter in rng.sample(others, k=min(len(others), rng.choice((0, 0, 1, 1, 2, 3, 5)))):
            on = shared_on + dt.timedelta(days=rng.randint(1, 30))
            if on >= today:
                continue
            adoptions.append(
                {
                    "lesson_id": lid,
                    "unit_id": adopter,
                    "adopted_on": on,
                    "adopted_by_id": rng.choice(reviewers[adopter])
                    if adopter in reviewers
                    else None,
                }
            )
    if adoptions:
        s.execute(insert(LessonAdoption), adoptions)
    return {"lessons": len(lessons), "adoptions": len(adoptions)}


__all__ = [
    "NAMED_TIER_PEOPLE",
    "NEEDS_SHARED_LINE",
    "HospitalSummary",
    "TierPerson",
    "advance_sequences",
    "build",
]
