"""Numbers with their nouns, as people write them: "1 report", "3 reports".

No Qt and no database: every layer (the store's messages, the services, the reports,
the screens and the command line) writes counts the same way.
"""

from __future__ import annotations

import re

_BRACKETED = re.compile(r"\b(\d+) ([A-Za-z]+)\((s|es)\)")


def count(n: int, one: str, many: str | None = None) -> str:
    """``n`` with the noun in the form it takes: ``count(1, "item")`` is "1 item",
    ``count(2, "item")`` "2 items", ``count(2, "person", "people")`` "2 people"."""
    return f"{n} {one if n == 1 else (many if many is not None else one + 's')}"


def verb(n: int, one: str, many: str) -> str:
    """The verb that agrees with ``n``: ``verb(1, "is", "are")`` is "is"."""
    return one if n == 1 else many


def counts_in(text: str) -> str:
    """Text written elsewhere with a bracketed plural ending after a count, as the
    control charts write it, in the form it takes: "1 point", "3 points"."""
    return _BRACKETED.sub(lambda m: count(int(m[1]), m[2], m[2] + m[3]), text)
