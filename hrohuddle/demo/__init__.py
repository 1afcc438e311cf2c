"""A realistic demo unit to explore, teach with and benchmark against.

Over 600 lines because the unit and its history are drawn in one fixed order from generators
seeded by the one seed, which is what makes the same seed give the same unit.

Seeded: the same seed and the same arguments give the same unit. It sits beside the
command line, above the services it writes through (tests/test_layers.py); its sample
sentences are in resources/demo/sample_text.yaml.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from sqlalchemy import func, insert, select, update

from hrohuddle.demo import loop
from hrohuddle.paths import resources_dir
from hrohuddle.services import audit, journey, signin
from hrohuddle.services.dates import to_local, to_utc
from hrohuddle.services.errors import ValidationError
from hrohuddle.services.shifts import SHIFTS, ShiftClock
from hrohuddle.services.vocabulary import load_yaml
from hrohuddle.store.database import Database
from hrohuddle.store.models import Person, PersonRole, PreceptorAssignment, Unit


@dataclass(frozen=True)
class DemoPerson:
    name: str
    profession: str
    roles: tuple[str, ...]
    pin: str
    is_learner: bool = False
    programme: str | None = None
    started_days_ago: int | None = None


#: The people the README lists, one for each role, with their PINs.
NAMED_PEOPLE: tuple[DemoPerson, ...] = (
    DemoPerson("Sam Okafor", "nursing", ("admin", "manager", "staff"), "2468"),
    DemoPerson("Priya Shah", "nursing", ("charge_nurse", "staff"), "1357"),
    DemoPerson("Tom Becker", "nursing", ("preceptor", "staff"), "8642"),
    DemoPerson("Lukas Novak", "pharmacy", ("preceptor", "staff"), "3690"),
    DemoPerson("Mei Lin", "medicine", ("staff",), "9753"),
    DemoPerson("Daniel Cohen", "physiotherapy", ("staff",), "7531"),
    DemoPerson("Fatima Noor", "healthcare_assistant", ("staff",), "8520"),
    DemoPerson("Jordan Reyes", "nursing", ("learner",), "1470", True, "BSc Nursing, year 3", 20),
    DemoPerson(
        "Aisha Bello", "medicine", ("learner",), "2580", True, "Internal medicine residency", 45
    ),
    DemoPerson(
        "Grace Kim", "nursing", ("learner", "staff"), "1593", True, "New graduate programme", 12
    ),
)

#: The demo's sample sentences and names, from resources/demo/sample_text.yaml.
_TEXT = load_yaml(resources_dir() / "demo" / "sample_text.yaml")
_FIRST: list[str] = list(_TEXT["given_names"])
_LAST: list[str] = list(_TEXT["surnames"])
_LOOK_BACK: list[str] = [e["text"] for e in _TEXT["look_back"]]
_LOOK_AHEAD: list[tuple[str, str]] = [(e["category"], e["text"]) for e in _TEXT["look_ahead"]]
_TEACH: list[tuple[str, str]] = [(e["text"], e["hro_principle"]) for e in _TEXT["teach"]]
_SHOUT_OUTS: list[str] = [e["text"] for e in _TEXT["shout_outs"]]
_EVENTS: list[tuple[str, str, str, str | None]] = [
    (e["kind"], e["category"], e["text"], e["stopped_by"]) for e in _TEXT["events"]
]
_PULSE_COMMENTS: list[str | None] = [e["text"] for e in _TEXT["pulse_comments"]]
_OBSERVATION_NOTE: dict[str, str] = _TEXT["observation_notes"][0]


_PROFESSION_MIX = (
    ["nursing"] * 12
    + ["medicine"] * 4
    + ["healthcare_assistant"] * 4
    + [
        "pharmacy",
        "physiotherapy",
        "occupational_therapy",
        "respiratory_therapy",
        "social_work",
        "dietetics",
    ]
)
#: Extra staff share one demo PIN, so a large demo does not spend minutes hashing.
EXTRA_PIN = "4826"


@dataclass(frozen=True)
class DemoSummary:
    unit_codes: list[str]
    people: int
    #: What demo-data says of the hospital above the units (hrohuddle.demo.hospital).
    hospital_lines: tuple[str, ...] = ()


def create(
    db: Database,
    *,
    years: float = 1.0,
    seed: int = 7,
    units: int = 1,
    today: dt.date | None = None,
) -> DemoSummary:
    """Create ``units`` demo units with their people (the named ones on the first)."""
    if years <= 0 or years > 20:
        raise ValidationError("--years must be more than 0 and at most 20.")
    if units < 1 or units > 200:
        raise ValidationError("--units must be between 1 and 200.")
    today = today or dt.date.today()
    rng = random.Random(seed)
    codes = ["4W"] + [f"U{n:02d}" for n in range(2, units + 1)]
    with db.read() as s:
        existing = set(s.scalars(select(Unit.code).where(Unit.code.in_(codes))))
    if existing:
        raise ValidationError(
            "This database already holds the demo unit "
            f"{', '.join(sorted(existing))}. Use a new database file for a fresh demo."
        )
    shared_hash = signin.hash_pin(db, EXTRA_PIN)
    total = 0
    start = today - dt.timedelta(days=int(365 * years))
    for index, code in enumerate(codes):
        total += _create_unit(db, code, index, rng, shared_hash, start, today)
        add_history(db, code, years=years, seed=seed + index, today=today)
    from hrohuddle.demo import hospital

    lines: tuple[str, ...] = ()
    if units > 1:
        built = hospital.build(db, codes, years=years, seed=seed, today=today, extra_pin=EXTRA_PIN)
        lines = tuple(built.lines()) if built else (hospital.NEEDS_SHARED_LINE,)
    hospital.advance_sequences(db)
    return DemoSummary(codes, total, lines)


def _create_unit(
    db: Database,
    code: str,
    index: int,
    rng: random.Random,
    shared_hash: str,
    start: dt.date,
    today: dt.date,
) -> int:
    name = "Ward 4 West (Acute Medicine)" if index == 0 else f"Demo unit {code}"
    with db.write() as s:
        unit = Unit(
            code=code,
            name=name,
            areas=["Bays 1-4", "Bays 5-8", "Side rooms", "Nurses' station", "Medication room"],
        )
        s.add(unit)
        s.flush()
        unit_id = unit.id
        unit.created_at = dt.datetime.combine(start, dt.time(8))
        rows = []
        # Every unit has its manager, charge nurse and a preceptor (who observe behaviours).
        named = NAMED_PEOPLE if index == 0 else NAMED_PEOPLE[:3]
        for p in named:
            pin_hash = signin.hash_pin(db, p.pin) if index == 0 else shared_hash
            display = p.name if index == 0 else f"{p.name} ({code})"
            rows.append((p, display, pin_hash))
        used = {r[1] for r in rows}
        extras: list[str] = []
        while len(extras) < 22:
            candidate = f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"
            if candidate not in used:
                used.add(candidate)
                extras.append(candidate)
        for p, display, pin_hash in rows:
            # Established staff started long before the demo period; learners recently.
            started = (
                today - dt.timedelta(days=p.started_days_ago)
                if p.started_days_ago
                else start - dt.timedelta(days=730)
            )
            person = Person(
                unit_id=unit_id,
                display_name=display,
                profession=p.profession,
                is_learner=p.is_learner,
                programme=p.programme,
                start_date=started,
                pin_hash=pin_hash,
                roles=[PersonRole(role=r) for r in p.roles],
            )
            s.add(person)
        s.flush()
        values = []
        for n, extra in enumerate(extras):
            is_learner = n % 6 == 5
            started_days = rng.randint(0, max(1, (today - start).days))
            values.append(
                {
                    "unit_id": unit_id,
                    "display_name": extra,
                    "profession": rng.choice(_PROFESSION_MIX),
                    "is_learner": is_learner,
                    "programme": "Clinical placement" if is_learner else None,
                    "start_date": today - dt.timedelta(days=started_days),
                    "pin_hash": shared_hash,
                    "failed_attempts": 0,
                    "active": True,
                    "created_at": dt.datetime.combine(start, dt.time(8)),
                }
            )
        s.execute(insert(Person), values)
        ids = s.execute(
            select(Person.id, Person.display_name, Person.is_learner).where(
                Person.unit_id == unit_id, Person.display_name.in_(extras)
            )
        ).all()
        s.execute(
            insert(PersonRole),
            [{"person_id": i, "role": "learner" if learner else "staff"} for i, _n, learner in ids],
        )
        everyone = {
            n: i
            for i, n in s.execute(
                select(Person.id, Person.display_name).where(Person.unit_id == unit_id)
            )
        }
        if index == 0:
            for preceptor, learner in (
                ("Tom Becker", "Jordan Reyes"),
                ("Tom Becker", "Grace Kim"),
                ("Lukas Novak", "Aisha Bello"),
            ):
                s.add(
                    PreceptorAssignment(
                        preceptor_id=everyone[preceptor],
                        learner_id=everyone[learner],
                        starts_on=today - dt.timedelta(days=60),
                    )
                )
        audit.record(s, "demo.created", unit_id=unit_id, target=code)
        return len(everyone)


def add_history(
    db: Database, unit_code: str, *, years: float, seed: int, today: dt.date | None = None
) -> dict[str, int]:
    """Huddles twice a day with items, attendance and actions, and a stream of reports.

    Bulk inserts, so ten years take seconds rather than minutes.
    """
    from hrohuddle.store.models import (
        Action,
        Huddle,
        HuddleAttendance,
        HuddleItem,
        MeToo,
        ReportMessage,
        ReportStep,
        SafetyEvent,
    )

    today = today or dt.date.today()
    rng = random.Random(seed * 31 + 1)
    start = today - dt.timedelta(days=int(365 * years))
    with db.read() as s:
        unit = s.scalars(select(Unit).where(Unit.code == unit_code)).one()
        unit_id, clock = unit.id, ShiftClock.of(unit)
        staff = s.execute(
            select(Person.id, Person.profession, Person.is_learner, PersonRole.role)
            .join(PersonRole, PersonRole.person_id == Person.id)
            .where(Person.unit_id == unit_id)
        ).all()
    ids = sorted({r[0] for r in staff})
    profession = {r[0]: r[1] for r in staff}
    learner = {r[0]: r[2] for r in staff}
    leaders = sorted({r[0] for r in staff if r[3] in ("charge_nurse", "manager")}) or ids[:1]
    counts = {"huddles": 0, "items": 0, "actions": 0, "events": 0}
    day = start
    with db.write() as s:
        next_huddle = (s.scalar(select(func.max(Huddle.id))) or 0) + 1
        next_item = (s.scalar(select(func.max(HuddleItem.id))) or 0) + 1
        next_event = (s.scalar(select(func.max(SafetyEvent.id))) or 0) + 1
        huddle_rows: list[dict[str, object]] = []
        item_rows: list[dict[str, object]] = []
        att_rows: list[dict[str, object]] = []
        action_rows: list[dict[str, object]] = []
        event_rows: list[dict[str, object]] = []
        # The shift running now keeps its huddle for the charge nurse to start.
        current = clock.shift_of(dt.datetime.now())
        while day < today:
            for shift in SHIFTS:
                if rng.random() < 0.06:  # a huddle missed now and then
                    continue
                if (day, shift) == current:
                    continue
                late = rng.choice([0, 0, 0, 2, 5, 12])
                started = to_utc(clock.start(day, shift) + dt.timedelta(minutes=30))
                started += dt.timedelta(minutes=late)
                length = rng.randint(7, 19)
                hid = next_huddle
                next_huddle += 1
                huddle_rows.append(
                    {
                        "id": hid,
                        "unit_id": unit_id,
                        "huddle_date": day,
                        "shift": shift,
                        "status": "closed",
                        "started_at": started,
                        "ended_at": started + dt.timedelta(minutes=length),
                        "led_by_id": rng.choice(leaders),
                        "revision": 1,
                        "updated_at": started,
                        "reflection": {k: rng.random() < 0.6 for k, _ in _PRINCIPLES},
                    }
                )
                present = rng.sample(ids, k=min(len(ids), rng.randint(5, 10)))
                for pid in present:
                    att_rows.append(
                        {
                            "huddle_id": hid,
                            "person_id": pid,
                            "profession": profession[pid],
                            "head_count": 1,
                        }
                    )
                if rng.random() < 0.3:
                    att_rows.append(
                        {
                            "huddle_id": hid,
                            "person_id": None,
                            "profession": "nursing",
                            "head_count": rng.randint(1, 2),
                        }
                    )
                entries: list[tuple[str, str | None, str, str | None]] = [
                    ("look_back", None, rng.choice(_LOOK_BACK), None)
                ]
                for _ in range(rng.randint(1, 2)):
                    risk_kind, risk = rng.choice(_LOOK_AHEAD)
                    entries.append(("look_ahead", risk_kind, risk, None))
                if rng.random() < 0.8:
                    lesson, why = rng.choice(_TEACH)
                    entries.append(("teach", None, lesson, why))
                if rng.random() < 0.5:
                    entries.append(("recognise", None, rng.choice(_SHOUT_OUTS), None))
                for pos, (section, cat, text, principle) in enumerate(entries):
                    iid = next_item
                    next_item += 1
                    item_rows.append(
                        {
                            "id": iid,
                            "huddle_id": hid,
                            "section": section,
                            "category": cat,
                            "text": text,
                            "hro_principle": principle,
                            "author_id": rng.choice(present),
                            "position": pos,
                            "deleted": False,
                            "created_at": started,
                            "updated_at": started,
                        }
                    )
                    if section in ("look_back", "look_ahead") and rng.random() < 0.12:
                        due = day + dt.timedelta(days=rng.randint(1, 14))
                        age = (today - day).days
                        closed = age > 21 or (age > 3 and rng.random() < 0.7)
                        closed_at = started + dt.timedelta(
                            days=rng.randint(1, max(1, min(age, 20)))
                        )
                        action_rows.append(
                            {
                                "unit_id": unit_id,
                                "title": text,
                                "owner_id": rng.choice(ids),
                                "due_on": due,
                                "status": "closed" if closed else "open",
                                "origin": "huddle",
                                "huddle_id": hid,
                                "huddle_item_id": iid,
                                "created_by_id": rng.choice(leaders),
                                "created_at": started,
                                "closed_at": closed_at if closed else None,
                                "escalated_at": started if rng.random() < 0.05 else None,
                                "escalation_reason": None,
                                "updated_at": started,
                            }
                        )
            for _ in range(_poisson(rng, 1.6)):
                kind, category, text, stopped = rng.choice(_EVENTS)
                when = to_utc(
                    dt.datetime.combine(day, dt.time(rng.randint(0, 23), rng.randint(0, 59)))
                )
                reporter = rng.choice(ids)
                anonymous = rng.random() < 0.25
                if anonymous:  # as services.events keeps it: the shift, not the minute
                    when = to_utc(clock.start_of(to_local(when)))
                event_rows.append(
                    {
                        "id": next_event,
                        "unit_id": unit_id,
                        "kind": kind,
                        "category": category,
                        "harm": rng.choice(["none", "none", "mild", "moderate"])
                        if kind == "incident"
                        else None,
                        "stopped_by": stopped if kind in ("near_miss", "good_catch") else None,
                        "narrative": text,
                        "occurred_at": when,
                        "shift": clock.shift_of(when)[1],
                        "area": rng.choice(
                            ["Bays 1-4", "Bays 5-8", "Side rooms", "Medication room"]
                        ),
                        "noticed_by": rng.choice(["staff", "staff", "learner", "patient_family"]),
                        "contributing_factors": [],
                        "anonymous": anonymous,
                        "reporter_id": None if anonymous else reporter,
                        "reporter_profession": None if anonymous else profession[reporter],
                        "reporter_is_learner": None if anonymous else learner[reporter],
                        "reported_on": when.date(),
                        "status": "closed"
                        if (today - day).days > 30
                        else rng.choice(["new", "under_review", "action_planned", "closed"]),
                        "updated_at": None,
                    }
                )
                next_event += 1
            day += dt.timedelta(days=1)
        # An action's owner holds its theme's role; the reporter reads the role as the
        # app words it (services.journey.owner_role).
        owners = {}
        for role in ("manager", "charge_nurse", "preceptor", "staff"):
            holders = sorted(pid for pid, _p, _l, r in staff if r == role)
            if holders:
                owners[role] = loop.Owner(holders[0], journey.owner_role(s, holders[0]))
        if not owners:
            owners["manager"] = loop.Owner(leaders[0], journey.owner_role(s, leaders[0]))
        loop_rows = loop.fill(
            event_rows,
            seed=seed,
            reviewers=leaders,
            owners=owners,
            clock=clock,
            start=start,
            today=today,
        )
        for table, rows in (
            (SafetyEvent, event_rows),
            (Huddle, huddle_rows),
            (HuddleAttendance, att_rows),
            (HuddleItem, item_rows),
            (Action, action_rows),
        ):
            for i in range(0, len(rows), 5000):
                s.execute(insert(table), rows[i : i + 5000])
        # The actions opened from reports, then the steps that tell their reporters.
        action_ids: list[int] = []
        if loop_rows.actions:
            action_ids = list(
                s.scalars(
                    insert(Action).returning(Action.id, sort_by_parameter_order=True),
                    loop_rows.actions,
                )
            )
        for step in loop_rows.steps:
            index = step.pop("action_index")
            step["action_id"] = action_ids[int(str(index))] if index is not None else None
        for said_table, said in (
            (ReportStep, loop_rows.steps),
            (ReportMessage, loop_rows.messages),
            (MeToo, loop_rows.me_too),
        ):
            for i in range(0, len(said), 5000):
                s.execute(insert(said_table), said[i : i + 5000])
        # Each report was taken up by the first huddle that started after it, as the
        # app does; those filed since the last huddle wait for the next one.
        first_after = (
            select(Huddle.id)
            .where(Huddle.unit_id == unit_id, Huddle.started_at > SafetyEvent.occurred_at)
            .order_by(Huddle.started_at)
            .limit(1)
            .scalar_subquery()
        )
        s.execute(
            update(SafetyEvent)
            .where(SafetyEvent.unit_id == unit_id, SafetyEvent.look_back_huddle_id.is_(None))
            .values(look_back_huddle_id=first_after)
            .execution_options(synchronize_session=False)
        )
        counts.update(
            huddles=len(huddle_rows),
            items=len(item_rows),
            actions=len(action_rows) + len(loop_rows.actions),
            events=len(event_rows),
        )
    counts["pulses"] = _pulses(db, unit_id, rng, start, today)
    counts["census"] = _census(db, unit_id, rng, start, today)
    counts["checklists"], counts["observations"] = _observations(db, unit_id, rng, start, today)
    return counts


def _observations(
    db: Database, unit_id: int, rng: random.Random, start: dt.date, today: dt.date
) -> tuple[int, int]:
    """Weekly checklist sessions by observers, and preceptors' notes on their learners."""
    from hrohuddle.services import checklists
    from hrohuddle.store.models import (
        ChecklistItem,
        ChecklistResponse,
        ChecklistSession,
        ChecklistTemplate,
        LearnerObservation,
    )

    checklists.sync_templates(db, unit_id=unit_id)
    with db.read() as s:
        tpl = s.scalars(
            select(ChecklistTemplate)
            .where(
                ChecklistTemplate.unit_id == unit_id,
                ChecklistTemplate.key == "error_prevention",
            )
            .order_by(ChecklistTemplate.version.desc())
        ).first()
        assert tpl is not None
        item_rows = s.execute(
            select(ChecklistItem.id, ChecklistItem.code).where(ChecklistItem.template_id == tpl.id)
        ).all()
        observers = list(
            s.scalars(
                select(PersonRole.person_id)
                .join(Person, Person.id == PersonRole.person_id)
                .where(
                    Person.unit_id == unit_id, PersonRole.role.in_(["charge_nurse", "preceptor"])
                )
            )
        )
        pairs = s.execute(
            select(
                PreceptorAssignment.preceptor_id, PreceptorAssignment.learner_id, Person.start_date
            )
            .join(Person, Person.id == PreceptorAssignment.learner_id)
            .where(Person.unit_id == unit_id)
        ).all()
        next_session = (s.scalar(select(func.max(ChecklistSession.id))) or 0) + 1
    # Behaviour reliability improves slowly over the period, unevenly by behaviour.
    base = {code: rng.uniform(0.45, 0.8) for _i, code in item_rows}
    sessions: list[dict[str, object]] = []
    responses: list[dict[str, object]] = []
    day = start
    while day < today and observers:
        for _ in range(rng.randint(1, 3)):
            when = to_utc(
                dt.datetime.combine(
                    day + dt.timedelta(days=rng.randint(0, 6)), dt.time(rng.randint(8, 18), 0)
                )
            )
            sessions.append(
                {
                    "id": next_session,
                    "unit_id": unit_id,
                    "template_id": tpl.id,
                    "observer_id": rng.choice(observers),
                    "context": rng.choice(["huddle", "handoff", "rounds", "procedure"]),
                    "observed": None,
                    "started_at": when,
                    "completed_at": when + dt.timedelta(minutes=12),
                    "overall_note": None,
                }
            )
            progress = (day - start).days / max(1, (today - start).days)
            for item_id, code in item_rows:
                roll = rng.random()
                if roll < 0.25:
                    result = "na"
                else:
                    p = min(0.97, base[code] + 0.15 * progress)
                    result = "observed" if rng.random() < p else "missed"
                responses.append(
                    {
                        "session_id": next_session,
                        "item_id": item_id,
                        "result": result,
                        "rating": None,
                        "note": None,
                    }
                )
            next_session += 1
        day += dt.timedelta(days=7)
    codes = [code for _i, code in item_rows]
    obs_rows: list[dict[str, object]] = []
    for preceptor, learner, started in pairs:
        first = max(started or start, start)
        d = first + dt.timedelta(days=2)
        level = 2
        while d < today:
            level = min(5, level + (1 if rng.random() < 0.3 else 0))
            obs_rows.append(
                {
                    "unit_id": unit_id,
                    "learner_id": learner,
                    "preceptor_id": preceptor,
                    "observed_on": d,
                    "setting": rng.choice(
                        ["bedside_care", "handoff", "medication_round", "huddle"]
                    ),
                    "domains": sorted(rng.sample(["VE", "RR", "C", "TT"], k=rng.randint(1, 2))),
                    "behaviours": rng.sample(codes, k=2),
                    "scale_key": "o_score",
                    "rating": level,
                    "strengths": _OBSERVATION_NOTE["strengths"],
                    "next_steps": _OBSERVATION_NOTE["next_steps"],
                    # Read the next morning, when that morning has come.
                    "acknowledged_at": to_utc(
                        dt.datetime.combine(d + dt.timedelta(days=1), dt.time(9))
                    )
                    if rng.random() < 0.8 and d + dt.timedelta(days=1) < today
                    else None,
                    "learner_reply": None,
                    "created_at": to_utc(dt.datetime.combine(d, dt.time(18))),
                }
            )
            d += dt.timedelta(days=rng.randint(4, 9))
    with db.write() as s:
        if sessions:
            s.execute(insert(ChecklistSession), sessions)
            for i in range(0, len(responses), 5000):
                s.execute(insert(ChecklistResponse), responses[i : i + 5000])
        if obs_rows:
            s.execute(insert(LearnerObservation), obs_rows)
    return len(sessions), len(obs_rows)


def _census(db: Database, unit_id: int, rng: random.Random, start: dt.date, today: dt.date) -> int:
    """Weekly patient-days for a 28-bed unit, with the odd week not entered."""
    from hrohuddle.store.models import WeeklyCensus

    monday = start - dt.timedelta(days=start.weekday())
    rows = []
    while monday + dt.timedelta(days=7) <= today:
        if rng.random() > 0.04:
            rows.append(
                {
                    "unit_id": unit_id,
                    "week_start": monday,
                    "patient_days": int(28 * 7 * rng.uniform(0.82, 0.99)),
                }
            )
        monday += dt.timedelta(days=7)
    with db.write() as s:
        if rows:
            s.execute(insert(WeeklyCensus), rows)
    return len(rows)


def _pulses(db: Database, unit_id: int, rng: random.Random, start: dt.date, today: dt.date) -> int:
    """Onboarding cohorts answer their pulses; answers are stored as a release stores them.

    Each answer keeps the quarter it was sent in and its milestone only where enough
    people answered (services.anonymity); invitations say only whether they were
    answered. In the latest closed quarter, one milestone gets fewer complete
    answers than the minimum group size, so that the results show a hidden group.
    """
    from hrohuddle.services import anonymity, pulses
    from hrohuddle.store.models import PulseInvitation, PulseResponse

    inst = pulses.instrument()
    with db.read() as s:
        newcomers = s.execute(
            select(Person.id, Person.start_date, Person.profession).where(
                Person.unit_id == unit_id, Person.start_date >= start
            )
        ).all()
        unit = s.get(Unit, unit_id)
        assert unit is not None
        milestones = [int(d) for d in unit.pulse_milestones]
        k = unit.min_group_size
    invitations: list[dict[str, object]] = []
    answered: list[tuple[int, str, dict[str, int], str | None]] = []
    for pid, started, _profession in newcomers:
        assert started is not None
        mood = rng.uniform(-1.2, 1.2)
        for day in milestones:
            due = started + dt.timedelta(days=day)
            released_on = due + dt.timedelta(days=rng.randint(0, 10))
            done = released_on <= today and rng.random() < 0.85
            invitations.append(
                {
                    "person_id": pid,
                    "milestone_day": day,
                    "due_on": due,
                    "status": "done" if done else "pending",
                }
            )
            if not done:
                continue
            answers = {}
            for item in inst.items:
                positive = min(7, max(1, round(5 + mood + rng.gauss(0, 1))))
                answers[item.code] = 8 - positive if item.reverse else positive
            if rng.random() < 0.1:
                answers.pop(rng.choice(inst.scale_items))
            comment = rng.choice(_PULSE_COMMENTS)
            answered.append((day, anonymity.quarter_of(released_on), answers, comment))
    # One hidden group to show: in the latest closed quarter, the milestone with the
    # fewest answers keeps fewer complete answers than the minimum group size.
    closed = sorted({q for _d, q, _a, _c in answered if anonymity.quarter_bounds(q)[1] < today})
    if closed:
        latest = closed[-1]
        by_day: dict[int, list[dict[str, int]]] = {}
        for d, q, a, _c in answered:
            if q == latest:
                by_day.setdefault(d, []).append(a)
        smallest = min(by_day, key=lambda d: len(by_day[d]))
        complete = [a for a in by_day[smallest] if pulses.is_complete(a, inst)]
        for a in complete[max(0, k - 2) :]:
            a.pop(inst.scale_items[-1], None)
    with db.write() as s:
        if invitations:
            s.execute(insert(PulseInvitation), invitations)
    responses: list[dict[str, object]] = []
    with db.read() as s:
        decided = {
            q: anonymity.kept_milestones(anonymity.answered_by_milestone(s, unit_id, q), k)
            for q in {q for _d, q, _a, _c in answered}
        }
    for day, quarter, answers, comment in answered:
        kept, too_small = decided[quarter]
        responses.append(
            {
                "id": anonymity.new_key(),
                "unit_id": unit_id,
                "instrument_key": inst.key,
                "instrument_version": inst.version,
                "milestone_day": None if too_small or day not in kept else day,
                "period": None if too_small else quarter,
                "answers": answers,
                "comment": comment,
            }
        )
    rng.shuffle(responses)
    with db.write() as s:
        if responses:
            s.execute(insert(PulseResponse), responses)
    return len(responses)


_PRINCIPLES = [
    (k, k)
    for k in (
        "preoccupation_with_failure",
        "reluctance_to_simplify",
        "sensitivity_to_operations",
        "commitment_to_resilience",
        "deference_to_expertise",
    )
]


def _poisson(rng: random.Random, mean: float) -> int:
    # Knuth's method: small means only.
    import math

    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1
