"""Personal names in free text: the name lists shipped as data, and the unit's roster."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from conftest import Team

from hrohuddle.services import events, huddles
from hrohuddle.services.errors import IdentifierWarning
from hrohuddle.services.personal_names import find_names

sys.path.insert(0, str(Path(__file__).parent / "tools"))

import names_rates


def test_the_corpus_is_caught_and_passed_at_the_measured_rates(capsys) -> None:
    recall, false_alarm, _missed, _alarms = names_rates.rates()
    held_recall, held_false, _m, _a = names_rates.rates("held_out")
    with capsys.disabled():
        print(
            f"\npersonal names: tuned recall {recall:.1%}, false alarms {false_alarm:.1%}; "
            f"held out recall {held_recall:.1%}, false alarms {held_false:.1%}"
        )
    assert recall >= 0.95 and false_alarm <= 0.02
    assert held_recall >= 0.75 and held_false <= 0.05


@pytest.mark.parametrize(
    "text,marked",
    [
        ("Jane Doe in side room 2 is confused overnight", "Jane Doe"),
        ("DOE, Jane – wristband missing", "DOE, Jane"),
        ("Pressure area on Fatima Khan's heel", "Fatima Khan's"),
        ("Tom in bed 4 was found on the floor", "Tom"),
        ("sol staff forgot the second check", "sol staff"),
    ],
)
def test_names_are_found_where_they_stand(text: str, marked: str) -> None:
    (found,) = find_names(text, ["Sol Staff"])
    assert text[found.start : found.end] == marked


def test_plain_names_never_reach_the_wall_board(team: Team) -> None:
    cn = team["charge_nurse"]
    h = huddles.start_or_resume(team.db, cn)
    with pytest.raises(IdentifierWarning) as caught:
        huddles.add_item(
            team.db, cn, h.id, "look_back", "Jane Doe in side room 2 is confused overnight"
        )
    assert [f.text for f in caught.value.findings] == ["Jane Doe"]
    # Staff are named where they are thanked, not where something went wrong.
    huddles.add_item(team.db, cn, h.id, "recognise", "Thanks to Sol Staff for the calm handover")
    with pytest.raises(IdentifierWarning):
        huddles.add_item(team.db, cn, h.id, "look_back", "Sol Staff gave the wrong dose")


def test_every_finding_is_returned_for_marking(team: Team) -> None:
    import datetime as dt

    with pytest.raises(IdentifierWarning) as caught:
        events.report(
            team.db,
            team["learner"],
            events.EventInput(
                kind="near_miss",
                narrative="Mary Smith and then MRN 12345678 were mixed up with Lee Learner",
                category="medication",
                occurred_at=dt.datetime.now(),
            ),
        )
    assert [f.text for f in caught.value.findings] == [
        "Mary Smith",
        "MRN 12345678",
        "Lee Learner",
    ]
