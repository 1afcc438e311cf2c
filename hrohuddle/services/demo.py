"""A realistic demo unit to explore, teach with and benchmark against.

Seeded: the same seed and the same arguments give the same unit.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from sqlalchemy import insert, select

from hrohuddle.services import audit, people
from hrohuddle.services.errors import ValidationError
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

_FIRST = [
    "Alex",
    "Ben",
    "Chloe",
    "Dev",
    "Elena",
    "Finn",
    "Hana",
    "Ivan",
    "Jade",
    "Kofi",
    "Lena",
    "Marco",
    "Nadia",
    "Omar",
    "Pia",
    "Quinn",
    "Rosa",
    "Sven",
    "Tara",
    "Uma",
    "Viktor",
    "Wen",
    "Yara",
    "Zane",
]
_LAST = [
    "Adams",
    "Brown",
    "Costa",
    "Diaz",
    "Evans",
    "Fischer",
    "Garcia",
    "Hughes",
    "Ito",
    "Jensen",
    "Khan",
    "Lopez",
    "Moreau",
    "Nakamura",
    "Olsen",
    "Patel",
    "Quist",
    "Rossi",
    "Silva",
    "Tanaka",
    "Ueda",
    "Varga",
    "Walsh",
    "Young",
]
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
    shared_hash = people.hash_pin(EXTRA_PIN)
    total = 0
    start = today - dt.timedelta(days=int(365 * years))
    for index, code in enumerate(codes):
        total += _create_unit(db, code, index, rng, shared_hash, start, today)
    return DemoSummary(codes, total)


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
        named = NAMED_PEOPLE if index == 0 else NAMED_PEOPLE[:1]
        for p in named:
            pin_hash = people.hash_pin(p.pin) if index == 0 else shared_hash
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
            started = today - dt.timedelta(days=p.started_days_ago) if p.started_days_ago else start
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
