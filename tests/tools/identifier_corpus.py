"""Recall and false alarms of the patient-identifier check on its corpus.

    python tests/tools/identifier_corpus.py [--misses]

Reads tests/fixtures/identifier_corpus.yaml: texts to catch (each with the Safe
Harbor letter it holds) and texts to pass. Prints recall overall and by Safe
Harbor identifier, the false-alarm rate, and with --misses the texts it got wrong.
"""

from __future__ import annotations

import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "fixtures" / "identifier_corpus.yaml"


@dataclass
class Measure:
    caught: int = 0
    to_catch: int = 0
    false_alarms: int = 0
    to_pass: int = 0
    by_category: Counter[str] = field(default_factory=Counter)
    totals: Counter[str] = field(default_factory=Counter)
    missed: list[str] = field(default_factory=list)
    alarms: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.caught / self.to_catch

    @property
    def false_alarm_rate(self) -> float:
        return self.false_alarms / self.to_pass


def measure(part: str = "") -> Measure:
    """Measure on the main lists, or with ``part="held_out_"`` on the held-out ones."""
    from hrohuddle.services.identifiers import find_identifiers

    corpus = yaml.safe_load(CORPUS.read_text(encoding="utf-8"))
    m = Measure()
    for category, text in corpus[f"{part}catch"]:
        m.to_catch += 1
        m.totals[category] += 1
        if find_identifiers(text):
            m.caught += 1
            m.by_category[category] += 1
        else:
            m.missed.append(f"[{category}] {text}")
    for text in corpus[f"{part}pass"]:
        m.to_pass += 1
        found = find_identifiers(text)
        if found:
            m.false_alarms += 1
            m.alarms.append(f"{text}  <- {', '.join(f.text for f in found)}")
    return m


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(ROOT))
    m = measure()
    print(f"texts to catch: {m.to_catch}; texts to pass: {m.to_pass}")
    print(f"recall: {m.caught}/{m.to_catch} = {m.recall:.1%}")
    print(f"false-alarm rate: {m.false_alarms}/{m.to_pass} = {m.false_alarm_rate:.1%}")
    print("recall by Safe Harbor identifier (45 CFR 164.514(b)(2)(i)):")
    for category in sorted(m.totals):
        print(f"  {category}: {m.by_category[category]}/{m.totals[category]}")
    held = measure("held_out_")
    print(
        f"held out (never used to tune): recall {held.caught}/{held.to_catch} = "
        f"{held.recall:.1%}; false alarms {held.false_alarms}/{held.to_pass} = "
        f"{held.false_alarm_rate:.1%}"
    )
    if "--misses" in argv:
        for line in m.missed + [f"(held out) {x}" for x in held.missed]:
            print(f"MISSED  {line}")
        for line in m.alarms + [f"(held out) {x}" for x in held.alarms]:
            print(f"ALARM   {line}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
