"""The patient-identifier check: a corpus of text that must be caught and text that must pass."""

from __future__ import annotations

import pytest

from hrohuddle.services.identifiers import find_identifiers

CAUGHT = [
    ("MRN 1234567 given the wrong dose", "record number"),
    ("hospital number: 0098-7766-55", "record number"),
    ("NHS number 943 476 5919 on the wrong wristband", "NHS"),
    ("patient born on 12/03/1950 fell", "date of birth"),
    ("DOB: 1950-03-12 confirmed at handover", "date of birth"),
    ("Mrs Patel in bay 2 refused her meds", "title"),
    ("Mr. O'Brien fell in the shower", "title"),
    ("call the daughter on 0412 345 678", "phone"),
    ("family phoned from (02) 9876 5432", "phone"),
    ("patient named Jones was given the wrong tray", "patient"),
    ("email results to jane.doe@example.org", "email"),
    ("record no. 55512345 missing from the chart", "record number"),
]

PASSES = [
    "Two nurses short after 15:00; float requested",
    "Pump library out of date on 2 pumps in bay 5",
    "Glucometer QC failed twice this morning",
    "Dr Shah reviewed the chart and changed the dose to 500 mg",
    "Heparin 5000 units drawn up instead of 1000 units",
    "Fall risk assessment not done within 6 hours of admission",
    "Bed 12 call bell not working since 03:00",
    "Three patients on high-flow oxygen at 40 L/min",
    "Room 4B needs a bariatric bed by 14:00",
    "Ward round moved to 10:30 on 23/11",
]


@pytest.mark.parametrize(("text", "what"), CAUGHT)
def test_identifiers_are_caught(text: str, what: str) -> None:
    findings = find_identifiers(text)
    assert findings, text
    assert all(text[f.start : f.end] == f.text for f in findings)


@pytest.mark.parametrize("text", PASSES)
def test_clinical_text_without_identifiers_passes(text: str) -> None:
    assert find_identifiers(text) == [], [f.text for f in find_identifiers(text)]
