"""The patient-identifier check: a corpus of text that must be caught and text that must pass."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
import yaml

from hrohuddle.services.identifiers import find_identifiers

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location(
    "identifier_corpus", ROOT / "tests" / "tools" / "identifier_corpus.py"
)
assert _spec is not None and _spec.loader is not None
identifier_corpus = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = identifier_corpus  # dataclasses look their module up
_spec.loader.exec_module(identifier_corpus)

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


# -- the corpus, by Safe Harbor identifier ------------------------------------------------
PATTERNS = yaml.safe_load((ROOT / "resources" / "identifier_patterns.yaml").read_text("utf-8"))


def test_corpus_is_large_enough_and_recall_and_false_alarms_hold() -> None:
    m = identifier_corpus.measure()
    assert m.to_catch >= 100 and m.to_pass >= 100
    assert m.recall >= 0.95, m.missed
    assert m.false_alarm_rate <= 0.05, m.alarms


def test_every_detectable_safe_harbor_identifier_has_patterns_and_corpus_texts() -> None:
    categories = {c["key"]: c for c in PATTERNS["safe_harbor"]}
    assert sorted(categories) == list("ABCDEFGHIJKLMNOPQR")
    used = {p["safe_harbor"] for p in PATTERNS["patterns"]}
    assert used <= set(categories)
    detectable = {k for k, c in categories.items() if c["detectable"]}
    assert detectable == used
    for c in categories.values():
        if not c["detectable"]:
            assert c["not_detected_because"]
    corpus = yaml.safe_load(identifier_corpus.CORPUS.read_text("utf-8"))
    assert {c for c, _t in corpus["catch"]} == detectable


@pytest.mark.parametrize(
    "text",
    [
        "Patient named John was moved",
        "PATIENT NAMED John was moved",
        "patient named john was moved",
        "MR Khan fell",
        "mrn 1234567 on the label",
        "Postcode ls6 2qt on the form",
        "EMAIL Jane.Doe@Example.ORG",
        "DOB 12/03/1950",
    ],
)
def test_case_does_not_matter_where_it_carries_no_meaning(text: str) -> None:
    assert find_identifiers(text), text


def test_findings_name_their_safe_harbor_identifier() -> None:
    (finding,) = find_identifiers("call 07700 900123 tonight")
    assert finding.safe_harbor == "D"
