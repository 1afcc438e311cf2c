"""The Qt binding the app runs on keeps the interpreter alive through a long shift.

PySide6 6.12.0 on Python 3.11 gives back ``None`` from every Qt method that returns
nothing without counting the reference it hands over, so each such call takes one from
``None``'s count; after some hundreds of screens opened (or hours of a wall board's
clock) the count reaches zero and the interpreter stops with "Fatal Python error:
none_dealloc". Python 3.12 made ``None`` immortal, where the fault does no harm. The
dependencies leave that release out on 3.11; this test fails on any binding that
brings the fault back.
"""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QLabel

CALLS = 5_000


def test_qt_calls_that_return_nothing_leave_none_as_it_was(qapp) -> None:  # type: ignore[no-untyped-def]
    label = QLabel()
    label.setText("warm")
    before = sys.getrefcount(None)
    for i in range(CALLS):
        label.setText("a" if i % 2 else "b")  # returns nothing
        label.update()
    lost = before - sys.getrefcount(None)
    # Python's own work in the loop moves the count by a handful, never by thousands.
    assert lost < CALLS // 10, (
        f"this Qt binding lost {lost} references to None in {2 * CALLS} calls: "
        "the app would stop with 'deallocating None' after some hours"
    )
