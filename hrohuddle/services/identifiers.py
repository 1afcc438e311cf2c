"""Spot text that looks like a patient identifier before it is stored."""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from hrohuddle.paths import resources_dir
from hrohuddle.services.errors import ResourceFileError
from hrohuddle.services.vocabulary import load_yaml


@dataclass(frozen=True)
class Finding:
    start: int
    end: int
    key: str
    label: str
    text: str
    #: The HIPAA Safe Harbor identifier it looks like: a letter of 45 CFR 164.514(b)(2)(i).
    safe_harbor: str = ""


@functools.cache
def _patterns() -> tuple[tuple[str, str, str, re.Pattern[str]], ...]:
    path = resources_dir() / "identifier_patterns.yaml"
    data = load_yaml(path)
    out = []
    for i, entry in enumerate(data.get("patterns") or []):
        try:
            flags = 0 if entry.get("case_sensitive") else re.IGNORECASE
            out.append(
                (
                    str(entry["key"]),
                    str(entry["label"]),
                    str(entry.get("safe_harbor", "")),
                    re.compile(entry["regex"], flags),
                )
            )
        except (KeyError, TypeError, re.error) as exc:
            raise ResourceFileError(
                f"The data file {path.name} has a bad pattern (entry {i + 1}): {exc}."
            ) from exc
    return tuple(out)


def find_identifiers(
    text: str, roster: Sequence[str] = (), *, allowed_names: Sequence[str] = ()
) -> list[Finding]:
    """Every stretch of ``text`` that looks like a patient identifier, in order.

    Personal names count too (services.personal_names: name lists shipped as data
    and the unit's ``roster``); a name in ``allowed_names`` (staff thanked in a
    shout-out) is not reported. Overlapping matches are merged so that each stretch
    is reported once.
    """
    from hrohuddle.services import personal_names

    found: list[Finding] = []
    for key, label, category, pattern in _patterns():
        for m in pattern.finditer(text):
            if m.end() > m.start():
                found.append(Finding(m.start(), m.end(), key, label, m.group(0), category))
    allowed = {_words(n) for n in allowed_names}
    allowed |= {tuple(reversed(w)) for w in allowed}
    for n in personal_names.find_names(text, roster):
        if _words(n.text) in allowed:
            continue
        found.append(Finding(n.start, n.end, "personal_name", n.label, n.text, "A"))
    found.sort(key=lambda f: (f.start, -f.end))
    merged: list[Finding] = []
    for f in found:
        if merged and f.start < merged[-1].end:
            continue
        merged.append(f)
    return merged


def _words(name: str) -> tuple[str, ...]:
    return tuple(w.casefold() for w in re.findall(r"[^\W\d_]+", name))
