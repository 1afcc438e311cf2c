"""Text that leaves the unit: an escalation's words, a shared lesson's title and text.

Read on other units, by their people and by the department's and the hospital's leaders,
such text is held to more than the unit's own free text:

* no patient identifier (``identifiers.find_identifiers``), nor a person's full name;
* no name of anyone on the units that will read it, even alone as a capitalised word
  ("Thanks to Aisha", "Okafor spotted it"), and no title before a surname ("Dr Bello",
  "Nurse Evans"): ``personal_names.find_colleagues``;
* nothing that says who reported, or who made a report: an anonymous reporter is
  pointed at by words as surely as by a name ("the only student nurse on nights made
  the anonymous report"). See ``find_reporter_pointers`` for the rule;
* no invisible character that could hide any of these.

Letters that only look Latin (Cyrillic "а", full-width "Ｒ") are read as the letters they
look like before checking. A refusal says what was found and marks it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from hrohuddle.services import personal_names, tiers, validation
from hrohuddle.services.conversation import HIDDEN_CONTROLS
from hrohuddle.services.errors import IdentifierWarning, ValidationError
from hrohuddle.services.identifiers import Finding, find_identifiers
from hrohuddle.store.models import Person

REPORTER_MESSAGE = "Leave out who reported: what leaves the unit never says who made a report."
REPORTER_LABEL = "who reported"
HIDDEN_MESSAGE = (
    "{label} contains an invisible character that can hide words (often copied from "
    "another program). Please type it again."
)

#: Letters of other scripts that look like Latin ones, read as those.
_LOOKALIKES = str.maketrans(
    "аеорсухіјѕԁԛԝвкмнтАВЕКМНОРСТУХІЈЅαεορτυνκχΑΒΕΗΙΚΜΝΟΡΤΥΧ",
    "aeopcyxijsdqwbkmhtABEKMHOPCTYXIJSaeoptuvkxABEHIKMNOPTYX",
)


def _fold(text: str) -> str:
    """The text as it reads, one character for one (so that places stay the same)."""
    out = []
    for c in text:
        n = unicodedata.normalize("NFKC", c)
        out.append(n if len(n) == 1 else c)
    return "".join(out).translate(_LOOKALIKES)


# ------------------------------------------------------------- who reported: the rule
#
# Refused: words about a particular report's author. Allowed: advice about reporting
# ("report it early", "staff can report anonymously", "tell the reporter what changed"),
# what the unit did ("we reported it to estates"), passives that name no one ("it was
# reported that the alarm was silenced"), and plural findings ("nurses reported fewer
# interruptions").

_SP = r"[\s\-–—_/]+"
_NOUN = (
    r"(?:(?:anonymous|anon|incident|safety|near"
    + _SP
    + r"?miss|event|good"
    + _SP
    + r"catch)"
    + _SP
    + r")*(?:report|datix|incident"
    + _SP
    + r"form|good"
    + _SP
    + r"catch(?:e(?=s))?)s?\b(?!"
    + _SP
    + r"(?:form|template|button|screen|system|tool|process|quicker|easier|shorter|simpler))"
)
_DET = r"(?:(?:the|this|that|a|an|one|its|his|her|their|these|those|my)" + _SP + r")?"
_MADE = (
    r"(?:made|filed|submitted|logged|lodged|wrote|written|sent|raised|completed|entered|did"
    r"|put" + _SP + r"in|filled" + _SP + r"(?:in|out))"
)
_NOT_A_PERSON = (
    r"(?:(?:the" + _SP + r")?(?:end|start|close|time|next|noon|midnight|morning|evening|"
    r"tomorrow|today|tonight|monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
    r"handover|huddle)\b|\d)"
)
_ROLE = (
    r"(?:he|she|someone|somebody|student|learner|nurse|doctor|resident|pharmacist|"
    r"physio|physiotherapist|hca|midwife|porter|registrar|consultant|colleague|newcomer|"
    r"trainee|intern|starter|agency|locum|therapist|carer|assistant|sister|matron)"
)

_POINTERS = [
    # anonymous, anonymously, anonymity, anon (not "anonymised": that is about the text)
    re.compile(r"\banon(?!ymi[sz])\w*", re.IGNORECASE),
    # "who reported", "whoever filed the datix", "who had first made the report"
    re.compile(
        r"\bwho(?:ever)?"
        + _SP
        + r"(?:\w+"
        + _SP
        + r"){0,2}?(?:reported|"
        + _MADE
        + _SP
        + r"(?:it\b|"
        + _DET
        + _NOUN
        + r"))",
        re.IGNORECASE,
    ),
    # "reported by", "a report by the night student", "reported it by"
    re.compile(
        r"\breport(?:ed|s)?"
        + _SP
        + r"(?:(?:it|this|that)"
        + _SP
        + r")?by"
        + _SP
        + r"(?!"
        + _NOT_A_PERSON
        + r")",
        re.IGNORECASE,
    ),
    # "the report was made by", "the datix came from"
    re.compile(
        r"\b"
        + _NOUN
        + _SP
        + r"(?:(?:was|were|had"
        + _SP
        + r"been|been)"
        + _SP
        + r")?(?:"
        + _MADE
        + _SP
        + r"by|came"
        + _SP
        + r"from)\b",
        re.IGNORECASE,
    ),
    # "made the anonymous report", "put in a datix" (past: "make a report" is advice)
    re.compile(r"\b" + _MADE + _SP + _DET + _NOUN, re.IGNORECASE),
    # "reported it", "reported this", "reported that the interpreter..."
    re.compile(r"\breported" + _SP + r"(?:it|this|that|them)\b", re.IGNORECASE),
    # "a student reported", "the night nurse then reported", "she reported"
    re.compile(r"\b" + _ROLE + _SP + r"(?:\w+" + _SP + r")?reported\b", re.IGNORECASE),
    # "the reporter was", "the reporter's shift", "the reporting student", "whistle-blower"
    re.compile(
        r"\breporters?(?:['’]s\b|" + _SP + r"(?:was|were|is|are|had|has|works|worked)\b"
        r"|\s*[,(—–])",
        re.IGNORECASE,
    ),
    re.compile(
        r"\breporting" + _SP + r"(?:nurse|student|learner|doctor|person|colleague|clinician|"
        r"member|hca|midwife|pharmacist|one)\b",
        re.IGNORECASE,
    ),
    re.compile(r"\bwhistle" + _SP + r"?blow\w*", re.IGNORECASE),
]

#: Said by the unit, or saying no one: "we reported it to estates", "it was reported".
_NO_ONE_BEFORE = re.compile(
    r"(?:\b(?:we|nobody|no" + _SP + r"one|everyone|everybody|anyone|was|were|been|be|is|are"
    r"|being)" + _SP + r")$",
    re.IGNORECASE,
)
#: Advice about anonymity, not a particular report's author.
_ANON_ADVICE = [
    re.compile(r"\banonymous" + _SP + r"reporting\b", re.IGNORECASE),
    re.compile(
        r"\b(?:can|may|could|should|to|will)"
        + _SP
        + r"(?:still"
        + _SP
        + r")?(?:report|be"
        + _SP
        + r"(?:made|reported|sent|given))"
        + _SP
        + r"anonymously\b",
        re.IGNORECASE,
    ),
    re.compile(
        r"(?<!\bthe )(?<!\bthese )(?<!\bthose )(?<!\bher )(?<!\bhis )(?<!\btheir )"
        r"(?<!\bboth )(?<!\btwo )\banonymous" + _SP + r"reports\b",
        re.IGNORECASE,
    ),
]


def find_reporter_pointers(text: str) -> list[Finding]:
    """Every stretch of ``text`` that says who reported, or who made a report."""
    folded = _fold(text)
    advice = [(m.start(), m.end()) for p in _ANON_ADVICE for m in p.finditer(folded)]
    found: list[Finding] = []
    for i, pattern in enumerate(_POINTERS):
        for m in pattern.finditer(folded):
            if i == 0 and any(a <= m.start() and m.end() <= b for a, b in advice):
                continue
            if i in (4, 5) and _NO_ONE_BEFORE.search(folded[max(0, m.start() - 20) : m.start()]):
                continue
            end = m.end()
            while end > m.start() and not folded[end - 1].isalnum():
                end -= 1  # the phrase, without the space or mark it stopped at
            found.append(Finding(m.start(), end, "reporter", REPORTER_LABEL, text[m.start() : end]))
    return _merged(found)


def _merged(found: list[Finding]) -> list[Finding]:
    found.sort(key=lambda f: (f.start, -f.end))
    out: list[Finding] = []
    for f in found:
        if out and f.start < out[-1].end:
            continue
        out.append(f)
    return out


# ------------------------------------------------------------- the check


def findings(text: str, roster: Sequence[str]) -> list[Finding]:
    """Everything in ``text`` that may not leave the unit, in order."""
    folded = _fold(text)
    found = [
        Finding(f.start, f.end, f.key, f.label, text[f.start : f.end], f.safe_harbor)
        for f in find_identifiers(folded, roster)
    ]
    for n in personal_names.find_colleagues(folded, roster):
        found.append(Finding(n.start, n.end, "personal_name", n.label, text[n.start : n.end], "A"))
    found.extend(find_reporter_pointers(text))
    return _merged(found)


def _quoted(found: list[Finding]) -> str:
    seen: list[str] = []
    for f in found:
        if f"“{f.text}”" not in seen:
            seen.append(f"“{f.text}”")
    return ", ".join(seen)


def check(
    value: str | None,
    label: str,
    *,
    field: str,
    max_len: int,
    roster: Sequence[str],
    required: bool = True,
) -> str | None:
    """Trimmed text that may leave the unit, or an IdentifierWarning that says what to
    leave out: who reported, a person's name ("a person", never "a patient", for a
    colleague), a patient identifier."""
    clean = validation.text(value, label, field=field, max_len=max_len, required=required)
    if clean is None:
        return None
    if any(c in HIDDEN_CONTROLS or c == "\u00ad" for c in clean):
        raise ValidationError(HIDDEN_MESSAGE.format(label=label), field)
    found = findings(clean, roster)
    if not found:
        return clean
    said: list[str] = []
    pointers = [f for f in found if f.key == "reporter"]
    names = [f for f in found if f.key == "personal_name"]
    others = [f for f in found if f.key not in ("reporter", "personal_name")]
    if pointers:
        said.append(f"{REPORTER_MESSAGE} ({label}: {_quoted(pointers)}.)")
    if names:
        said.append(
            f"{label} names a person: {_quoted(names)}. Please remove "
            f"{'the name' if len(names) == 1 else 'the names'}: what leaves the unit names "
            "no one (write their role instead, for example “a student nurse” or “the "
            "pharmacist”)."
        )
    if others:
        what = ", ".join(sorted({f.label for f in others}))
        said.append(
            f"{label} looks like it contains {what}: {_quoted(others)}. Please remove "
            "anything that could identify a patient."
        )
    raise IdentifierWarning(" ".join(said), field, found)


def readers(s: Session, unit_id: int, tier_id: int | None = None) -> list[str]:
    """The names of everyone on the unit and on every unit under ``tier_id`` (by default
    the highest tier above the unit, where an escalation can end up)."""
    if tier_id is None:
        above = tiers.tiers_above(s, unit_id)
        tier_id = above[-1].id if above else None
    units = {unit_id, *(tiers.units_under(s, tier_id) if tier_id is not None else ())}
    return list(s.scalars(select(Person.display_name).where(Person.unit_id.in_(units))).all())


__all__ = [
    "REPORTER_MESSAGE",
    "check",
    "find_reporter_pointers",
    "findings",
    "readers",
]
