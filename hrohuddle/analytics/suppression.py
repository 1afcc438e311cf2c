"""Small-cell suppression for anonymous aggregates.

Primary suppression hides every group with fewer than ``min_size`` responses.
Complementary suppression then hides further groups, smallest first, until the
hidden groups together hold at least ``min_size`` responses (or none at all), so
that no hidden group can be recovered as the total minus the shown groups.

``hidden_cells`` applies the same rule when a group has several counts (answers,
and complete answers behind the means): a group is shown only when every count
is at least ``min_size``, and the hidden groups together hold, for every count,
none or at least ``min_size``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

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


def hidden_cells(sizes: Mapping[str, Sequence[int]], min_size: int) -> set[str]:
    """The groups to hide when each group has several counts (all of the same length).

    Only the groups and the total of one breakdown are published together; the
    total is shown when ``total_shown_multi`` says so. What the total minus the
    shown groups gives away (the hidden groups pooled) then always holds none or at
    least ``min_size`` for every count, and no hidden group stands alone.
    """
    if min_size < ABSOLUTE_MINIMUM:
        raise ValueError(f"the minimum group size cannot be below {ABSOLUTE_MINIMUM}")
    present = {g: tuple(c) for g, c in sizes.items() if any(c)}
    hidden = {g for g, c in present.items() if min(c) < min_size}
    if not hidden:
        return hidden
    width = len(next(iter(present.values())))

    def pooled_ok(groups: set[str]) -> bool:
        totals = [sum(present[g][i] for g in groups) for i in range(width)]
        return all(t == 0 or t >= min_size for t in totals)

    remaining = sorted((min(c), g) for g, c in present.items() if g not in hidden)
    while not pooled_ok(hidden) and remaining:
        hidden.add(remaining.pop(0)[1])
    return hidden


def total_shown_multi(sizes: Mapping[str, Sequence[int]], min_size: int) -> bool:
    """Whether the total of a breakdown may be shown: every one of its counts is large enough."""
    rows = [tuple(c) for c in sizes.values()]
    if not rows:
        return False
    return all(sum(r[i] for r in rows) >= min_size for i in range(len(rows[0])))
