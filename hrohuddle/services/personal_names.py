"""Spot a person's name in free text: name lists shipped as data, and the unit's roster.

Rules, each chosen on the corpus in tests/fixtures/names_corpus.yaml (run
``python tests/tools/names_rates.py`` for the rates):

* a capitalised given name followed by a capitalised surname ("Jane Doe",
  "JANE DOE"), with an optional initial between ("Jane A. Doe"), or a surname,
  a comma and a given name ("Doe, Jane"); a pair made only of everyday words
  ("Victoria Ward") is not reported;
* a capitalised given name right before where a patient is ("Jane in side room
  2", "Tom in bed 4") or right after "patient" or "pt";
* any name of the unit's roster, in any case and either order ("sol staff").

A match is a prompt, not a verdict: the user sees it marked and decides.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from hrohuddle.paths import resources_dir
from hrohuddle.store.database import Database

LABEL = "a person's name"
ROSTER_LABEL = "the name of someone on the unit"

_WORD = re.compile(r"[^\W\d_][^\W\d_'’-]*(?:['’-][^\W\d_]+)*")
_PLACE_AFTER = re.compile(
    r"\s+(?:in|on|at|from)\s+(?:bed|bay|side\s*room|room|cubicle|chair|resus)\b", re.IGNORECASE
)
_PATIENT_BEFORE = re.compile(r"\b(?:patient|pt|resident|client)\.?\s+$", re.IGNORECASE)


@dataclass(frozen=True)
class NameFinding:
    start: int
    end: int
    text: str
    label: str


def _read(path: Path) -> frozenset[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(w.strip().casefold() for w in lines if w.strip() and not w.startswith("#"))


@functools.cache
def _lists() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    folder = resources_dir() / "names"
    return (
        _read(folder / "given_names.txt") | _read(folder / "given_names_extra.txt"),
        _read(folder / "surnames.txt"),
        _read(folder / "common_words.txt"),
    )


def _capitalised(word: str) -> bool:
    return word[:1].isupper()


def _key(word: str) -> str:
    """The word as the lists hold it: lower case, without a possessive or apostrophe."""
    word = re.sub(r"['’]s$", "", word)
    return word.replace("’", "").replace("'", "").casefold()


def find_names(text: str, roster: Iterable[str] = ()) -> list[NameFinding]:
    """Every stretch of ``text`` that looks like a person's name, in order."""
    given, surnames, common = _lists()
    words = [(m.start(), m.end(), m.group(0)) for m in _WORD.finditer(text)]
    found: list[NameFinding] = []
    for i, (start, end, word) in enumerate(words):
        if not _capitalised(word):
            continue
        key = _key(word)
        # Given name (optional initial) surname.
        if key in given and i + 1 < len(words):
            j = i + 1
            if (
                len(words[j][2]) == 1
                and words[j][2].isupper()
                and j + 1 < len(words)
                and text[words[j][1] : words[j][1] + 1] == "."
            ):
                j += 1
            s_start, s_end, sur = words[j]
            between = text[end:s_start] if j == i + 1 else text[words[i + 1][1] : s_start]
            # A surname the lists do not know still counts after a given name that is
            # not an everyday word ("Chidi Okonkwo"), when it is not one itself.
            known = _key(sur) in surnames or (
                key not in common and _key(sur) not in common and len(sur) > 2
            )
            if (
                _capitalised(sur)
                and known
                and re.fullmatch(r"[ .]{1,3}", between or " ")
                and not (j == i + 1 and re.search(r"\.\s", between))
                and not (key in common and _key(sur) in common)
            ):
                found.append(NameFinding(start, s_end, text[start:s_end], LABEL))
                continue
        # Surname, given name.
        if key in surnames and i + 1 < len(words):
            g_start, g_end, first = words[i + 1]
            if (
                text[end:g_start].strip() == ","
                and _capitalised(first)
                and _key(first) in given
                and _key(first) not in common
            ):
                found.append(NameFinding(start, g_end, text[start:g_end], LABEL))
                continue
        # A given name alone where a patient is, or after "patient".
        if (
            key in given
            and key not in common
            and (_PLACE_AFTER.match(text, end) or _PATIENT_BEFORE.search(text[:start]))
        ):
            found.append(NameFinding(start, end, word, LABEL))
    for name in roster:
        found.extend(_roster_matches(text, name))
    found.sort(key=lambda f: (f.start, -f.end))
    merged: list[NameFinding] = []
    for f in found:
        if merged and f.start < merged[-1].end:
            continue
        merged.append(f)
    return merged


def _roster_matches(text: str, name: str) -> list[NameFinding]:
    parts = [re.escape(p) for p in _WORD.findall(name)]
    if len(parts) < 2:
        return []
    forward = r"\b" + r"[\s,.]+".join(parts) + r"\b"
    backward = r"\b" + r"[\s,.]+".join(parts[-1:] + parts[:-1]) + r"\b"
    out = []
    for pattern in (forward, backward):
        for m in re.finditer(pattern, text, re.IGNORECASE):
            out.append(NameFinding(m.start(), m.end(), m.group(0), ROSTER_LABEL))
    return out


def _name_words(name: str) -> tuple[str, ...]:
    return tuple(_key(w) for w in _WORD.findall(name))


def is_roster_name(text: str, roster: Iterable[str]) -> bool:
    """Whether ``text`` is a name of the unit's roster, in either order, any case."""
    words = _name_words(text)
    if len(words) < 2:
        return False
    return any(
        words in (known, known[-1:] + known[:-1]) for known in (_name_words(n) for n in roster)
    )


#: What text that leaves the unit calls a colleague's name.
COLLEAGUE_LABEL = "a colleague's name"
#: Titles before a surname ("Dr Bello", "Nurse Evans", "Sister O'Neil"): first letter in
#: either case, the rest lower case, so that "MS" or "MR" (conditions, not titles) pass.
_TITLE = re.compile(
    r"\b(?:[Dd]r|[Dd]octor|[Nn]urse|[Ss]ister|[Mm]atron|[Mm]rs?|[Mm]s|[Mm]iss|[Mm]x|"
    r"[Pp]rof|[Pp]rofessor|[Ss]r|[Mm]idwife)\.?[ \t]+"
)


@functools.cache
def _everyday() -> frozenset[str]:
    return _read(resources_dir() / "names" / "everyday_words.txt")


def _skipped(key: str) -> bool:
    """A word too common to count as a name on its own."""
    return len(key) < 2 or key in _lists()[2] or key in _everyday()


def find_colleagues(text: str, roster: Iterable[str]) -> list[NameFinding]:
    """For text that leaves the unit: any given name or surname of ``roster`` as a whole
    capitalised word ("Thanks to Aisha", "Okafor spotted it"), and a title before a
    capitalised word that is not an everyday word ("Dr Bello", "Nurse Evans", "Nurse
    Page"), whoever it names. A roster name that is an everyday word ("Grace", "Will")
    does not count alone; it still does as a full name (``find_names``)."""
    keys = {k for name in roster for k in _name_words(name) if not _skipped(k)}
    found: list[NameFinding] = []
    for m in _WORD.finditer(text):
        word = m.group(0)
        if _capitalised(word) and _key(word) in keys:
            found.append(NameFinding(m.start(), m.end(), word, COLLEAGUE_LABEL))
    for t in _TITLE.finditer(text):
        after = _WORD.match(text, t.end())
        if after is None or not _capitalised(after.group(0)):
            continue
        key = _key(after.group(0))
        if (len(key) < 2 or key in _everyday()) and key not in keys:
            continue  # "Nurse Practitioner", "Dr On Call"; "Nurse Page" is a name
        found.append(
            NameFinding(t.start(), after.end(), text[t.start() : after.end()], COLLEAGUE_LABEL)
        )
    found.sort(key=lambda f: (f.start, -f.end))
    merged: list[NameFinding] = []
    for f in found:
        if merged and f.start < merged[-1].end:
            continue
        merged.append(f)
    return merged


def unit_roster(db: Database, unit_id: int) -> list[str]:
    """The names of the unit's people, active or not, for the identifier check."""
    from sqlalchemy import select

    from hrohuddle.store.models import Person

    with db.read() as s:
        return list(s.scalars(select(Person.display_name).where(Person.unit_id == unit_id)))
