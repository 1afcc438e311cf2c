"""Recall and false-alarm rate of the personal-name check on its corpus.

    python tests/tools/names_rates.py [--show]

Prints how many of the corpus's 'catch' texts the check marks (recall) and how
many of its 'pass' texts it marks wrongly (false alarms); --show lists the misses
and the false alarms.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

from hrohuddle.services.personal_names import find_names

CORPUS = Path(__file__).parents[1] / "fixtures" / "names_corpus.yaml"


def rates(part: str = "") -> tuple[float, float, list[str], list[str]]:
    """(recall, false-alarm rate, missed, false alarms) on the tuned part or ``held_out``."""
    data = yaml.safe_load(CORPUS.read_text(encoding="utf-8"))
    roster = data["roster"]
    prefix = f"{part}_" if part else ""
    catch, ok = data[prefix + "catch"], data[prefix + "pass"]
    missed = [t for t in catch if not find_names(t, roster)]
    alarms = [t for t in ok if find_names(t, roster)]
    return 1 - len(missed) / len(catch), len(alarms) / len(ok), missed, alarms


def main() -> int:
    data = yaml.safe_load(CORPUS.read_text(encoding="utf-8"))
    for part, title in (("", "tuned on"), ("held_out", "held out")):
        prefix = f"{part}_" if part else ""
        recall, false_alarm, missed, alarms = rates(part)
        print(
            f"personal names, {title}: {len(data[prefix + 'catch'])} texts to catch, "
            f"{len(data[prefix + 'pass'])} to pass; recall {recall:.1%}, "
            f"false alarms {false_alarm:.1%}"
        )
        if "--show" in sys.argv:
            for t in missed:
                print("  missed:", t)
            for t in alarms:
                print("  false alarm:", t)
    both_catch = len(data["catch"]) + len(data["held_out_catch"])
    both_pass = len(data["pass"]) + len(data["held_out_pass"])
    print(f"corpus: {both_catch} texts to catch, {both_pass} to pass")
    return 0


if __name__ == "__main__":
    sys.exit(main())
