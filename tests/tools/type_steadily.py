"""Type into a draft without a pause, one character every 100 ms, until killed.

    python tests/tools/type_steadily.py DATABASE_URL NAME PIN (event|board)

Prints "typed N" after each character, so a test that SIGKILLs this process knows
how much had been typed, and when.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from hrohuddle.services import people, signin
from hrohuddle.store.opening import open_database

TEXT = "The pump alarm was silenced twice before anyone checked the line " * 20


def main() -> int:
    url, name, pin, where = sys.argv[1:5]
    app = QApplication(sys.argv[:1])
    db = open_database(url, None).db
    unit_id = people.list_units(db)[0].id
    roster = signin.signin_roster(db, unit_id)
    actor = signin.sign_in(db, next(p.id for p in roster if p.display_name == name), pin)
    if where == "event":
        from hrohuddle.ui.capture import CaptureDialog

        dialog = CaptureDialog(db, actor)
        dialog.show()
        target = dialog.narrative
    else:
        from hrohuddle.services import huddles
        from hrohuddle.ui.huddle_board import HuddleBoard

        huddle = huddles.start_or_resume(db, actor)
        board = HuddleBoard(db, actor, huddle.id, lambda _id: None)
        board.show()
        target = board.inputs["look_ahead"].edit
    typed = 0

    def one() -> None:
        nonlocal typed
        QTest.keyClicks(target, TEXT[typed % len(TEXT)])
        typed += 1
        print(f"typed {typed}", flush=True)

    clock = QTimer()
    clock.setInterval(100)
    clock.timeout.connect(one)
    clock.start()
    print("READY", flush=True)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
