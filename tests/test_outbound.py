"""Text that leaves the unit (an escalation, a shared lesson) never points at a reporter
and never names anyone who will read it; advice about reporting still goes."""

from __future__ import annotations

import pytest

from hrohuddle.services import outbound
from hrohuddle.services.errors import IdentifierWarning, ValidationError
from hrohuddle.services.personal_names import find_colleagues

ROSTER = ["Lena Okafor", "Aisha Evans", "Grace Hall", "Sol Staff"]

POINTING = [
    "The only student nurse on last night's shift made the anonymous report about the interpreter",
    "Reported by the bank HCA on nights",
    "The one who reported it works nights",
    "Whoever filed the datix was new",
    "A student reported the missing interpreter",
    "The report was made by our newest starter",
    "The reporter was the only student on shift",
    "The reporter's shift was nights",
    "MADE THE   ANONYMOUS\nREPORT about the interpreter",
    "made the аnonymous report",  # a Cyrillic "а"
    "made the ＲＥＰＯＲＴ",  # full-width letters
    "anon report from nights about the interpreter",
    "The reporting student saw it first",
    "She reported it at 03:00",
    "Thanks to our whistle-blower",
    "The datix came from the night student",
    "It came in anonymously from the night shift",
    "Who reported? The student on nights.",
    "The student who flagged it and then put in a datix",
    "The person who submitted the incident form",
    "The only student on nights made the good catch",
]

ADVICE = [
    "Report it early: a near miss reported within the shift is fixed faster.",
    "Tell the reporter what changed within 7 days.",
    "Anonymous reporting doubled after the huddle read every report aloud.",
    "Staff can report anonymously from any workstation.",
    "Anonymous reports rose by half.",
    "We reported it to estates and the rail was fixed.",
    "The pump was reported faulty and replaced.",
    "It was reported that the alarm had been silenced.",
    "Reports by the end of the shift reach the morning huddle.",
    "Report by 10:00 so the department huddle hears it.",
    "The change made the report form shorter.",
    "Nurses reported fewer interruptions after the red tabards.",
    "The summary was anonymised before sharing.",
    "Make a report whenever a pump is swapped.",
    "Two interpreters booked for every night shift.",
    "Celebrate every good catch at the huddle; good catches rose by a third.",
    "We made the good catch because the second check reads the rate aloud.",
]


@pytest.mark.parametrize("text", POINTING)
def test_words_that_say_who_reported_are_refused(text: str) -> None:
    with pytest.raises(IdentifierWarning) as refused:
        outbound.check(text, "The lesson's text", field="text", max_len=2000, roster=ROSTER)
    assert outbound.REPORTER_MESSAGE in refused.value.message
    assert any(f.key == "reporter" for f in refused.value.findings)
    for f in refused.value.findings:
        assert text[f.start : f.end] == f.text  # marked where it stands in what was typed


@pytest.mark.parametrize("text", ADVICE)
def test_advice_about_reporting_goes(text: str) -> None:
    assert outbound.check(text, "The text", field="text", max_len=2000, roster=ROSTER) == text


@pytest.mark.parametrize(
    "text,named",
    [
        ("Thanks to Aisha for spotting the gap", "Aisha"),
        ("Lena spotted it at the second check", "Lena"),
        ("Okafor's idea: a checklist on the pump", "Okafor's"),
        ("Nurse Evans rang the interpreter line", "Nurse Evans"),
        ("Dr Bello changed the prescription", "Dr Bello"),
        ("Ask sister O'Neil about the rota", "sister O'Neil"),
        ("Nurse Page checked it", "Nurse Page"),
        ("Thanks to Lena Okafor", "Lena Okafor"),
        ("Thanks to Lеna", "Lеna"),  # a Cyrillic "е"
    ],
)
def test_a_colleagues_name_is_refused_as_a_person_not_a_patient(text: str, named: str) -> None:
    with pytest.raises(IdentifierWarning) as refused:
        outbound.check(text, "The lesson's title", field="title", max_len=200, roster=ROSTER)
    message = refused.value.message
    assert f"“{named}”" in message and "a person" in message and "patient" not in message
    assert "The lesson's title" in message


@pytest.mark.parametrize(
    "text",
    [
        "Grace under pressure: the second check saved a dose",  # a roster name, a word
        "Staff should read the rate aloud",
        "The Nurse Practitioner now reviews every pump",
        "Dr On Call rang back within ten minutes",
        "MS clinic letters now go by email",
        "Check the Hall trolley before nights",
    ],
)
def test_names_that_are_everyday_words_alone_and_role_titles_go(text: str) -> None:
    assert find_colleagues(text, ROSTER) == []


def test_a_patient_identifier_is_still_said_as_a_patients() -> None:
    text = "Bed for MRN 12345678"
    with pytest.raises(IdentifierWarning) as refused:
        outbound.check(text, "What is needed", field="needed", max_len=500, roster=ROSTER)
    assert "identify a patient" in refused.value.message
    assert outbound.REPORTER_MESSAGE not in refused.value.message


def test_an_invisible_character_that_could_hide_a_word_is_refused() -> None:
    with pytest.raises(ValidationError, match="invisible character"):
        outbound.check(
            "made the anon\u200bymous report", "The text", field="text", max_len=200, roster=()
        )
    with pytest.raises(ValidationError, match="invisible character"):
        outbound.check(
            "Thanks to Ai\u00adsha", "The text", field="text", max_len=200, roster=ROSTER
        )


def test_two_names_either_side_of_a_full_stop_are_two_names() -> None:
    found = outbound.findings("Thanks to Aisha. Lena spotted it.", ROSTER)
    assert [f.text for f in found] == ["Aisha", "Lena"]
