"""Small-cell suppression for anonymous aggregates.

Primary suppression hides every group with fewer than ``min_size`` responses.
Complementary suppression then hides further groups, smallest first, until the
hidden groups together hold at least ``min_size`` responses (or none at all), so
that no hidden group can be recovered as the total minus the shown groups.
"""

from __future__ import annotations

from collections.abc import Mapping

ABSOLUTE_MINIMUM = 3


def hidden_groups(counts: Mapping[str, int], min_size: int) -> set[str]:
    """The groups whose figures must not be shown, given each group's size."""
    if min_size < ABSOLUTE_MINIMUM:
        raise ValueError(f"the minimum group size cannot be below {ABSOLUTE_MINIMUM}")
    hidden = {g for g, n in counts.items() if 0 < n < min_size}
    if not hidden:
        return hidden
    remaining = sorted((n, g) for g, n in counts.items() if g not in hidden and n > 0)
    while sum(counts[g] for g in hidden) < min_size and remaining:
        _n, group = remaining.pop(0)
        hidden.add(group)
    return hidden


def total_shown(counts: Mapping[str, int], min_size: int) -> bool:
    """Whether the overall figure may be shown (it is a group of its own)."""
    return sum(counts.values()) >= min_size
