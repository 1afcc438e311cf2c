"""What run charts and control charts share: the signals they find, and the reading
every chart offers (its values, centre line, signals, a note and its rules)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Signal:
    """One signal: which rule fired, at which points, in plain words.

    ``rule`` is one of shift, trend, too_few_runs, too_many_runs, few_crossings and
    astronomical (run charts), outside_limits and run (control charts). ``points``
    are the indexes of the points that make the signal (none for a rule about the
    whole series, such as too few crossings).
    """

    rule: str
    points: tuple[int, ...]
    sentence: str


class Analysis(Protocol):
    """A chart's reading, whichever rules made it."""

    @property
    def values(self) -> Sequence[float | None]: ...

    @property
    def centre(self) -> float | None: ...

    @property
    def signals(self) -> tuple[Signal, ...]: ...

    @property
    def note(self) -> str: ...

    @property
    def rule_text(self) -> str: ...
