"""Scale scoring for survey instruments (one implementation, used by pulses and reports)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class ScaleItem:
    code: str
    reverse: bool


def item_value(answer: int, *, reverse: bool, points: int) -> int:
    """An answer as scored: reversed items become (points + 1 - answer)."""
    if not 1 <= answer <= points:
        raise ValueError(f"answer {answer} is outside 1..{points}")
    return points + 1 - answer if reverse else answer


def scale_score(
    answers: Mapping[str, int | None], items: Sequence[ScaleItem], *, points: int
) -> float | None:
    """The mean of the scale's items after reversal, or None when any item is missing.

    A partial answer is not scored: the caller counts it as partial and says so.
    """
    values = []
    for spec in items:
        answer = answers.get(spec.code)
        if answer is None:
            return None
        values.append(item_value(answer, reverse=spec.reverse, points=points))
    return sum(values) / len(values) if values else None


def favourable(answer: int, *, reverse: bool, points: int, threshold: int) -> bool:
    """Whether an answer, after reversal, is at or above the favourable threshold."""
    return item_value(answer, reverse=reverse, points=points) >= threshold
