"""The disclosure auditor, across units: no department or hospital figure gives a unit away.

The adversary holds everything the department views, the hospital view and every unit's
own pulse results publish for a quarter, and knows which answers exist. Every pulse
figure is a sum over a group's answers (1 for the count, 1 if complete, an item's value
if complete), so what can be worked out is the row space of the matrix whose rows are
the published groups' answer sets and complete-answer sets (tests/test_disclosure.py
explains the method). A hidden unit, a hidden department or one person is determined
only when its indicator lies in that row space.

    python -m pytest tests/test_department_disclosure.py -s -k auditor   # prints figures
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from dataclasses import dataclass

import numpy as np
import pytest
from conftest import Clock, Team
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_department import began_long_ago
from test_disclosure import undetermined

from hrohuddle.analytics import suppression
from hrohuddle.services import department, people, pulses, tiers
from hrohuddle.services.anonymity import quarter_bounds
from hrohuddle.services.permissions import command_line_actor
from hrohuddle.services.reporting import Week
from hrohuddle.store.models import PulseResponse, Unit

IT = command_line_actor(0, "command line (it)", frozenset({"manager", "admin"}))
STATS: Counter[str] = Counter()


@dataclass(frozen=True)
class Hospital:
    """Departments of units; each unit's answers (True: complete) and own minimum size."""

    departments: dict[str, list[str]]
    answers: dict[str, list[bool]]
    own_k: dict[str, int]

    @property
    def k(self) -> int:
        return max(self.own_k.values())


def _index(h: Hospital) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    i = 0
    for unit, rows in h.answers.items():
        out[unit] = list(range(i, i + len(rows)))
        i += len(rows)
    return out


def published_sets(h: Hospital) -> tuple[list[frozenset[int]], list[frozenset[int]]]:
    """Everything published about the quarter, as answer sets; and the sets kept hidden."""
    idx = _index(h)
    sizes = {u: (len(r), sum(r)) for u, r in h.answers.items() if r}
    shown: list[frozenset[int]] = []
    hidden: list[frozenset[int]] = []

    def members(units: list[str]) -> frozenset[int]:
        return frozenset(i for u in units for i in idx[u])

    def publish(units: list[str], k: int) -> None:
        group = members(units)
        if not group:
            return
        n = len(group)
        c = sum(h.answers[u].count(True) for u in units)
        assert n >= k and c >= k, "a shown figure is never over fewer than k answers"
        shown.append(group)
        STATS["figures published"] += 3 + len(pulses.instrument().items)

    # Each unit's own results show its quarter's total at its own minimum group size.
    for unit, rows in h.answers.items():
        if len(rows) >= h.own_k[unit] and sum(rows) >= h.own_k[unit]:
            publish([unit], h.own_k[unit])
    for units in h.departments.values():
        hide, total, _ = department.pulse_suppression(
            {u: sizes[u] for u in units if u in sizes}, h.k, h.own_k
        )
        for u in units:
            if u in hide:
                hidden.append(members([u]))
            elif u in sizes:
                publish([u], h.k)
        if total:
            publish(units, h.k)
        else:
            hidden.append(members(units))
    hide, total, _ = department.pulse_suppression(sizes, h.k, h.own_k, h.departments)
    for dept, units in h.departments.items():
        if dept not in hide:
            publish(units, h.k)
    if total:
        publish([u for units in h.departments.values() for u in units], h.k)
    else:
        hidden.append(members(list(h.answers)))
    # What must stay unknown: in every hidden group, its answers in units whose figure
    # is published nowhere (a sum of published figures discloses nothing new), when
    # they are fewer than k or its complete answers fewer than k.
    shown_units = [u for u in h.answers if members([u]) in shown]
    published = members(shown_units)
    secret = []
    for g in hidden:
        part = frozenset(i for i in g if i not in published)
        if part and (len(part) < h.k or sum(_complete(h, idx, i) for i in part) < h.k):
            secret.append(part)
    return list(set(shown)), list(set(secret))


def _unit_of(idx: dict[str, list[int]], i: int) -> str:
    return next(u for u, ids in idx.items() if i in ids)


def _complete(h: Hospital, idx: dict[str, list[int]], i: int) -> bool:
    unit = _unit_of(idx, i)
    return h.answers[unit][idx[unit].index(i)]


def _check(system_sets: list[frozenset[int]], hidden: list[frozenset[int]], n: int) -> None:
    system = np.array([[1.0 if i in s else 0.0 for i in range(n)] for s in system_sets])
    system = system.reshape(len(system_sets), n)
    for group in hidden:
        vec = np.array([1.0 if i in group else 0.0 for i in range(n)])
        assert undetermined(system, vec), f"hidden group {sorted(group)} can be worked out"
        STATS["hidden groups proven undetermined"] += 1
    for i in range(n):
        assert undetermined(system, np.eye(n)[i]), f"answer {i} can be worked out"
    STATS["individuals proven undetermined"] += n


def audit(h: Hospital) -> None:
    """Counts are sums of 1 over a group's answers; means and shares are sums over its
    complete answers only (an incomplete answer's values are in no figure). Both systems
    are checked: no hidden group's count, and no hidden group's or person's values."""
    shown, hidden = published_sets(h)
    n = sum(len(r) for r in h.answers.values())
    _check(shown, hidden, n)
    idx = _index(h)
    complete = sorted(
        i for u, rows in h.answers.items() for i, c in zip(idx[u], rows, strict=True) if c
    )
    at = {i: j for j, i in enumerate(complete)}

    def values(group: frozenset[int]) -> frozenset[int]:
        return frozenset(at[i] for i in group if i in at)

    _check([values(g) for g in shown], [v for v in {values(g) for g in hidden} if v], len(complete))
    STATS["hospitals generated"] += 1


@st.composite
def hospitals(draw: st.DrawFn) -> Hospital:
    departments: dict[str, list[str]] = {}
    answers: dict[str, list[bool]] = {}
    own_k: dict[str, int] = {}
    for d in range(draw(st.integers(1, 4))):
        units = [f"D{d}U{u}" for u in range(draw(st.integers(1, 5)))]
        departments[f"D{d}"] = units
        for unit in units:
            # Small units are the point: many hold fewer answers than the minimum.
            size = draw(st.sampled_from([0, 1, 2, 3, 4, 5, 6, 8, 12]))
            answers[unit] = [draw(st.integers(0, 5)) > 0 for _ in range(size)]
            own_k[unit] = draw(st.sampled_from([3, 5, 5, 6]))
    return Hospital(departments, answers, own_k)


@settings(
    max_examples=200,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(h=hospitals())
def _audit_random_hospitals(h: Hospital) -> None:
    audit(h)


def test_disclosure_auditor_proves_no_department_figure_gives_a_unit_away(
    capsys: pytest.CaptureFixture[str],
) -> None:
    STATS.clear()
    _audit_random_hospitals()
    with capsys.disabled():
        print(
            "\ndepartment disclosure auditor: {h} hospitals generated, {f} figures published "
            "(unit results, department views, hospital view), {g} hidden groups and {i} "
            "individuals proven undetermined".format(
                h=STATS["hospitals generated"],
                f=STATS["figures published"],
                g=STATS["hidden groups proven undetermined"],
                i=STATS["individuals proven undetermined"],
            )
        )
    assert STATS["hospitals generated"] >= 200
    assert STATS["hidden groups proven undetermined"] >= 100


def test_the_auditor_catches_a_total_that_gives_away_a_small_unit() -> None:
    """Hiding small units alone is not enough when a hidden unit publishes its own total.

    Ward B's own results show its 4 answers (its minimum is 3); the department's minimum
    is 5, so A (2 answers) and B are hidden there. Showing the department total would
    give A as the total minus C minus B: the service hides the total instead.
    """
    h = Hospital(
        {"MED": ["A", "B", "C"]},
        {"A": [True] * 2, "B": [True] * 4, "C": [True] * 9},
        {"A": 5, "B": 3, "C": 5},
    )
    sizes = {u: (len(r), sum(r)) for u, r in h.answers.items()}
    naive_hidden = suppression.hidden_cells(sizes, h.k)
    assert naive_hidden == {"A", "B"} and suppression.total_shown_multi(sizes, h.k)
    idx = _index(h)
    leaky = [
        frozenset(idx["B"]),
        frozenset(idx["C"]),
        frozenset(i for v in idx.values() for i in v),
    ]
    system = np.array([[1.0 if i in s else 0.0 for i in range(15)] for s in leaky])
    a = np.array([1.0 if i in idx["A"] else 0.0 for i in range(15)])
    assert not undetermined(system, a), "the auditor sees the leak the naive rule makes"
    hide, total, _ = department.pulse_suppression(sizes, h.k, h.own_k)
    assert hide == {"A", "B"} and not total
    audit(h)


def test_the_auditor_fails_the_naive_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    """With complementary suppression alone, the auditor finds the unit given away."""

    def naive(
        sizes: dict[str, tuple[int, int]], k: int, own_k: object, members: object = None
    ) -> tuple[set[str], bool, set[str]]:
        return suppression.hidden_cells(sizes, k), suppression.total_shown_multi(sizes, k), set()

    monkeypatch.setattr(department, "pulse_suppression", naive)
    h = Hospital(
        {"MED": ["A", "B", "C"]},
        {"A": [True] * 2, "B": [True] * 4, "C": [True] * 9},
        {"A": 5, "B": 3, "C": 5},
    )
    with pytest.raises(AssertionError, match="can be worked out"):
        audit(h)


def test_a_hospital_never_shows_a_department_its_own_view_hides() -> None:
    """Two departments with a small unit each: the hospital's view follows theirs."""
    h = Hospital(
        {"MED": ["A", "B"], "SURG": ["C", "D"]},
        {"A": [True] * 2, "B": [True] * 9, "C": [True] * 2, "D": [True] * 2},
        {u: 5 for u in "ABCD"},
    )
    sizes = {u: (len(r), sum(r)) for u, r in h.answers.items()}
    hide, total, _ = department.pulse_suppression(sizes, 5, h.own_k, h.departments)
    # MED's own view hides its total (A is 2, B is known), SURG's holds only 4 answers.
    assert hide == {"MED", "SURG"}
    assert total  # A, C and D are published nowhere: they pool to 6, none singled out
    audit(h)


# -- the service itself, on a real server ---------------------------------------------------
def _answers(complete: bool) -> dict[str, int]:
    values = {i.code: 4 for i in pulses.instrument().items}
    if not complete:
        values.pop(next(iter(values)))
    return values


@pytest.mark.postgres
def test_the_department_and_hospital_views_publish_nothing_that_gives_a_unit_away(
    pg_team: Team, clock: Clock
) -> None:
    db = pg_team.db
    tiers.create_tier(db, IT, code="HOSP", name="St Elsewhere", level=3)
    tiers.create_tier(db, IT, code="MED", name="Medicine", level=2, parent_code="HOSP")
    tiers.create_tier(db, IT, code="SURG", name="Surgery", level=2, parent_code="HOSP")
    codes = {"4W": "MED", "5E": "MED", "6N": "MED", "7S": "SURG", "8S": "SURG"}
    for n, code in enumerate(codes):
        if code != "4W":
            people.create_unit(
                db,
                code=code,
                name=f"Ward {code}",
                admin=people.PersonInput(f"Admin {code}", "nursing", ["admin"], pin=f"25{n}9"),
            )
        began_long_ago(db, code)
        tiers.place_unit(db, IT, code, codes[code])
    week = Week.of(clock.today - dt.timedelta(days=7))
    period = department.closed_quarter(week)
    day = quarter_bounds(period)[0] + dt.timedelta(days=20)
    assert day < week.monday
    counts = {"4W": 2, "5E": 4, "6N": 11, "7S": 3, "8S": 1}
    inst = pulses.instrument()
    with db.write() as s:
        ids = {u.code: u.id for u in s.query(Unit)}
        s.query(Unit).filter(Unit.code == "5E").update({Unit.min_group_size: 3})
        for code, n in counts.items():
            for i in range(n):
                s.add(
                    PulseResponse(
                        id=uuid.uuid4().hex,
                        unit_id=ids[code],
                        instrument_key=inst.key,
                        instrument_version=inst.version,
                        milestone_day=None,
                        period=period,
                        answers=_answers(complete=i != 5),
                    )
                )
    views = {}
    with db.read() as s:
        tier_ids = {t: tiers.tier_by_code(s, t).id for t in ("MED", "SURG", "HOSP")}
    for code, tier_id in tier_ids.items():
        views[code] = department.department_week(db, IT, tier_id, week, today=clock.today)
    med = {c.code: c.pulse for c in views["MED"].columns}
    assert med["4W"].hidden and med["5E"].hidden  # 2, and 4 (below the department's 5)
    assert med["6N"].n == 11 and med["6N"].complete == 10 and med["6N"].scale_mean is not None
    # 5E shows its own 4 answers (its minimum is 3): the total would give 4W away.
    assert views["MED"].together.pulse.hidden
    surg = views["SURG"]
    assert all(c.pulse.hidden for c in surg.columns) and surg.together.pulse.hidden
    hosp = {c.code: c.pulse for c in views["HOSP"].columns}
    assert hosp["MED"].hidden and hosp["SURG"].hidden
    # 4W, 7S and 8S are published nowhere: together 6 answers, none alone.
    assert views["HOSP"].together.pulse.n == 21
    assert views["HOSP"].pulse_min_size == 5
    # The auditor, on exactly what the views and the units' own results show.
    h = Hospital(
        {"MED": ["4W", "5E", "6N"], "SURG": ["7S", "8S"]},
        {c: [i != 5 for i in range(n)] for c, n in counts.items()},
        {"4W": 5, "5E": 3, "6N": 5, "7S": 5, "8S": 5},
    )
    audit(h)
    for code, n in counts.items():
        actor = command_line_actor(ids[code], "command line (it)", frozenset({"manager"}))
        res = pulses.results(db, actor, today=week.monday + dt.timedelta(days=7))
        mine = next(p for p in res.periods if p.period == period)
        own_shown = not mine.total.hidden
        assert own_shown == (n >= h.own_k[code] and n - (n > 5) >= h.own_k[code]), code
