"""Times what people wait for, inside one app process (offscreen). Prints JSON.

python tests/bench/ui_probe.py DATABASE_URL
"""

from __future__ import annotations

import datetime as dt
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def timed(fn, repeat: int = 5) -> float:  # type: ignore[no-untyped-def]
    samples = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t)
    return statistics.median(samples) * 1000


def main() -> int:
    url = sys.argv[1]
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    app = QApplication(sys.argv[:1])
    from hrohuddle.paths import DataPaths
    from hrohuddle.services import actions, events, huddles, people, signin
    from hrohuddle.store.opening import open_database
    from hrohuddle.ui.main_window import MainWindow

    out: dict[str, float] = {}
    db = open_database(url, None).db
    unit = people.list_units(db)[0]
    roster = {r.display_name: r.id for r in signin.signin_roster(db, unit.id)}
    tmp = Path(tempfile.mkdtemp())
    window = MainWindow(
        DataPaths(tmp, tmp / "logs"), QSettings(str(tmp / "s.ini"), QSettings.Format.IniFormat)
    )
    window.offer_pulses = False
    window.attach(db, unit.id)
    window.show()
    app.processEvents()
    out["rss_after_start_mb"] = rss_mb()
    manager = signin.sign_in(db, roster["Sam Okafor"], "2468")
    charge = signin.sign_in(db, roster["Priya Shah"], "1357")
    window.on_signed_in(charge)
    app.processEvents()

    from hrohuddle.ui.huddle_board import HuddleBoard

    # A huddle of its own, on a shift the demo history cannot have closed: the probe
    # measures the same board at any hour of any day.
    probe_shift = dt.datetime.combine(dt.date.today() + dt.timedelta(days=30), dt.time(10, 0))
    hid = huddles.start_or_resume(db, charge, local_now=probe_shift).id

    def open_board() -> None:
        board = HuddleBoard(db, charge, hid, lambda _i: None, window.height())
        board.show()
        app.processEvents()
        board.close()
        board.deleteLater()

    out["open_board_ms"] = timed(open_board)
    out["open_actions"] = len(actions.open_actions(db, charge))
    board = HuddleBoard(db, charge, hid, lambda _i: None, window.height())
    board.show()
    app.processEvents()
    counter = iter(range(10_000))

    def add_item() -> None:
        inp = board.inputs["look_back"]
        inp.edit.setText(f"Benchmark item {next(counter)}")
        inp.submit()

    out["add_item_ms"] = timed(add_item, 10)
    staff = signin.sign_in(db, roster["Mei Lin"], "9753")

    def save_event() -> None:
        events.report(
            db,
            staff,
            events.EventInput(
                kind="near_miss",
                narrative="Benchmark: label checked twice",
                category="medication",
                occurred_at=dt.datetime.now(),
            ),
        )

    out["save_event_ms"] = timed(save_event, 10)
    out["events_total"] = events.list_events(db, manager, events.EventFilter(), limit=1).total

    from hrohuddle.ui.events import ReviewTab

    def first_page() -> None:
        tab = ReviewTab(db, charge)
        tab.since.setDate(tab.since.date().addYears(-20))
        tab.reload()
        app.processEvents()

    out["events_first_page_ms"] = timed(first_page)
    out["events_search_ms"] = timed(
        lambda: events.list_events(db, manager, events.EventFilter(text="allergy"), limit=100)
    )

    from hrohuddle.ui.dashboard import DashboardPage

    window.on_signed_in(manager)

    def open_dashboard() -> None:
        page = DashboardPage(db, manager)
        page.show()
        app.processEvents()
        page.close()
        page.deleteLater()

    open_dashboard()  # first use imports the charts and reportlab; measured separately below
    out["open_dashboard_ms"] = timed(open_dashboard, 3)
    for key in window.page_keys:
        window.open_page(key)
        app.processEvents()
    out["rss_all_screens_mb"] = rss_mb()
    print(json.dumps(out), flush=True)
    db.dispose()
    os._exit(0)  # skip Qt's teardown of half-deleted test widgets; the figures are out


if __name__ == "__main__":
    sys.exit(main())
