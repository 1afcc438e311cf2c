"""Drive the real app like a person would, for screenshots and crash tests.

    python tests/tools/drive.py --database URL --as "Priya Shah" 1357 [--page huddle]
        [--start-huddle] [--board-mode] [--type SECTION TEXT] [--print-board] [--quit-after S]

It builds the same window the app does, signs in by typing into the sign-in
screen, and then stays open (for a screenshot) unless --quit-after is given.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from hrohuddle.paths import DataPaths
from hrohuddle.services import people
from hrohuddle.store.opening import open_database
from hrohuddle.ui.main_window import MainWindow
from hrohuddle.ui.styles import style_sheet


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--database", required=True)
    p.add_argument("--as", dest="who", nargs=2, metavar=("NAME", "PIN"), required=True)
    p.add_argument("--page")
    p.add_argument("--start-huddle", action="store_true")
    p.add_argument("--board-mode", action="store_true")
    p.add_argument("--type", nargs=2, action="append", default=[], metavar=("SECTION", "TEXT"))
    p.add_argument("--print-board", action="store_true")
    p.add_argument("--quit-after", type=float)
    p.add_argument("--maximize", action="store_true")
    p.add_argument("--capture", action="store_true", help="open the report dialog")
    p.add_argument("--start-checklist", action="store_true")
    p.add_argument("--busy", action="store_true", help="a busy huddle (tests/tools/busy_huddle.py)")
    args = p.parse_args()
    app = QApplication(sys.argv[:1])
    app.setStyle("Fusion")
    app.setStyleSheet(style_sheet("app"))
    tmp = Path(tempfile.mkdtemp())
    settings = QSettings(str(tmp / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(DataPaths(tmp, tmp / "logs"), settings)
    db = open_database(args.database, None).db
    window.offer_pulses = False
    window.attach(db, people.list_units(db)[0].id)
    if args.busy:
        sys.path.insert(0, str(Path(__file__).parent))
        import busy_huddle

        busy_huddle.reports_before_the_huddle(db, people.list_units(db)[0].id)
    if args.maximize:
        window.showMaximized()
    else:
        window.show()
    QTest.qWaitForWindowExposed(window)
    page = window.signin
    assert page is not None
    QTest.keyClicks(page.search, args.who[0])
    QTest.keyClick(page.search, Qt.Key.Key_Return)
    QTest.keyClicks(page.pin, args.who[1])
    QTest.keyClick(page.pin, Qt.Key.Key_Return)
    for _ in range(1000):  # the PIN is checked off the GUI thread
        if not page.checking:
            break
        QTest.qWait(10)
    if window.actor is None:
        print("SIGN-IN FAILED:", page.message.text(), flush=True)
        return 1
    widget = window.open_page(args.page) if args.page else None
    observe = getattr(widget, "observe", None)
    if args.start_checklist and observe is not None:
        observe.start()
    if args.start_huddle and widget is not None and getattr(widget, "board", None) is None:
        widget.start()  # type: ignore[attr-defined]
    board = getattr(widget, "board", None)
    if args.busy and board is not None and window.actor is not None:
        busy_huddle.fill(db, window.actor, board.huddle_id)
        board.refresh()
    for section, text in args.type:
        assert board is not None
        QTest.keyClicks(board.inputs[section].edit, text)
    if args.type:
        QTest.qWait(2000)  # longer than the draft delay
    if args.board_mode and board is not None:
        board.board_mode_button.setChecked(True)
    if args.print_board and board is not None:
        for section, inp in board.inputs.items():
            print(f"INPUT {section}: {inp.edit.text()}", flush=True)
    print("READY", flush=True)
    if args.capture:
        QTimer.singleShot(300, window.report_event)
    if args.quit_after is not None:
        QTimer.singleShot(int(args.quit_after * 1000), app.quit)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
