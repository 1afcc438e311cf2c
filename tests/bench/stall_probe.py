"""Event-loop stalls as a person feels them: the longest time the window could not react.

    python tests/bench/stall_probe.py DATABASE_URL

A timer asks to run every 5 ms and records the gaps between its runs while, inside the
event loop as a click would, the probe opens every screen for the first time, opens
each again, performs each screen's main action, then previews and saves the weekly
report. Each step lasts until its work is done and painted: nothing left on a
background thread, then 250 ms more. Prints JSON: per screen the longest gap (ms) of
its first open, its second and its action, and beside it the GUI thread's processor
time in its busiest gap; the preview's and the save's; and the memory after every
screen and at the end. Not a test: timings belong here, not in assertions.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

TICK_MS = 5
SETTLE_S = 0.25
STEP_LIMIT_S = 120.0


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class Stalls:
    """The longest gap between the runs of a timer that asks to run every TICK_MS, and
    the most processor time the GUI thread spent in any one gap: on a busy machine the
    first grows with the load, the second is the work itself."""

    def __init__(self) -> None:
        from PySide6.QtCore import Qt, QTimer

        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self._tick)
        self.reset()
        self.timer.start()

    def _tick(self) -> None:
        now, cpu = time.perf_counter(), time.thread_time()
        self.longest = max(self.longest, now - self.last)
        self.busiest = max(self.busiest, cpu - self.last_cpu)
        self.last, self.last_cpu = now, cpu

    def reset(self) -> None:
        self.last, self.last_cpu = time.perf_counter(), time.thread_time()
        self.longest = self.busiest = 0.0


def background_busy(window: Any) -> bool:
    """Work still running off the GUI thread: a screen's load or a report being built."""
    from PySide6.QtCore import QThreadPool

    from hrohuddle.ui import common

    if common._COLLECTION_HELD[0] > 0 or QThreadPool.globalInstance().activeThreadCount():
        return True
    return any(pool.activeThreadCount() for pool in window.findChildren(QThreadPool))


def run_step(
    stalls: Stalls,
    window: Any,
    step: Callable[[], Any],
    done: Callable[[], bool] = lambda: True,
) -> tuple[float, float, float]:
    """Run ``step`` from the event loop, as a click would, and return the longest gap,
    the GUI thread's busiest gap (processor time) and the time until the work was done,
    in ms."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    start = time.perf_counter()
    finished_at: list[float] = []
    quiet_since: list[float] = []

    def check() -> None:
        now = time.perf_counter()
        if now - start > STEP_LIMIT_S:
            raise RuntimeError(f"a step did not finish in {STEP_LIMIT_S:.0f} s")
        if not done() or background_busy(window):
            quiet_since.clear()
            return
        if not quiet_since:
            quiet_since.append(now)
            finished_at.append(now)
        elif now - quiet_since[0] >= SETTLE_S:
            loop.quit()

    poll = QTimer()
    poll.setInterval(20)
    poll.timeout.connect(check)
    stalls.reset()
    QTimer.singleShot(0, step)
    poll.start()
    loop.exec()
    poll.stop()
    took = (finished_at[-1] if finished_at else start) - start
    return stalls.longest * 1000, stalls.busiest * 1000, took * 1000


def main() -> int:
    url = sys.argv[1]
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    _app = QApplication(sys.argv[:1])  # kept: the window needs it alive
    from hrohuddle.paths import DataPaths
    from hrohuddle.services import huddles, people
    from hrohuddle.store.opening import open_database
    from hrohuddle.ui.main_window import MainWindow

    db = open_database(url, None).db
    unit = people.list_units(db)[0]
    tmp = Path(tempfile.mkdtemp(prefix="hrohuddle-stall-"))
    window = MainWindow(
        DataPaths(tmp, tmp / "logs"), QSettings(str(tmp / "s.ini"), QSettings.Format.IniFormat)
    )
    window.offer_pulses = False
    window.resize(1366, 768)
    window.attach(db, unit.id)
    window.show()
    stalls = Stalls()
    out: dict[str, Any] = {"screens": {}, "busiest": {}, "steps_ms": {}}
    screen = window.signin

    def sign_in() -> None:  # as the manager does: name, Enter, PIN, Enter
        screen.search.setText("Sam Okafor")
        screen._enter_in_search()
        screen.pin.setText("2468")
        screen.submit()

    gap, cpu, took = run_step(stalls, window, sign_in, lambda: window.actor is not None)
    out["sign_in_stall_ms"], out["steps_ms"]["sign in"] = round(gap, 1), round(took)
    out["busiest"]["sign in"] = round(cpu, 1)
    manager = window.actor
    assert manager is not None and manager.display_name == "Sam Okafor"
    keys = list(window.page_keys)
    screens: dict[str, dict[str, float | None]] = {k: {} for k in keys}
    busiest: dict[str, dict[str, float | None]] = {k: {} for k in keys}

    def record(key: str, what: str, gap_ms: float, cpu_ms: float, took_ms: float) -> None:
        screens[key][what] = round(gap_ms, 1)
        busiest[key][what] = round(cpu_ms, 1)
        out["steps_ms"][f"{key} {what}"] = round(took_ms)

    for what in ("first", "again"):
        for key in keys:
            record(key, what, *run_step(stalls, window, lambda k=key: window.open_page(k)))
    out["rss_all_screens_mb"] = rss_mb()

    # Each screen's main action, as its usual user performs it.
    probe_shift = dt.datetime.combine(dt.date.today() + dt.timedelta(days=30), dt.time(10, 0))
    hid = huddles.start_or_resume(db, manager, local_now=probe_shift).id
    counter = iter(range(10_000))

    def page(key: str) -> Any:
        return window.open_page(key)

    def huddle_action() -> None:
        board_page = page("huddle")
        board_page.show_board(hid)
        inp = board_page.board.inputs["look_back"]
        inp.edit.setText(f"Stall probe item {next(counter)}")
        inp.submit()

    def events_action() -> None:
        review = page("events").review
        review.since.setDate(review.since.date().addYears(-20))
        review.search.setText("allergy")
        review.reload()

    def dashboard_action() -> None:
        panel = page("dashboard").week_panel
        panel.week.setCurrentIndex(panel.week.currentIndex() + 1)

    def checklists_action() -> None:
        from hrohuddle.ui.checklists import ReliabilityTab

        tab = page("checklists").findChild(ReliabilityTab)
        tab.reload()

    def observations_action() -> None:
        obs = page("observations")
        obs.learner.setCurrentIndex((obs.learner.currentIndex() + 1) % max(1, obs.learner.count()))

    def pulses_action() -> None:
        res = page("pulses")
        res.period.setCurrentIndex((res.period.currentIndex() + 1) % max(1, res.period.count()))

    def admin_action() -> None:
        from hrohuddle.ui.admin_audit import AuditTab

        audit_tab = page("admin").findChild(AuditTab)
        audit_tab.reload()
        audit_tab.verify()

    def home_action() -> None:
        page("home")

    actions: dict[str, Callable[[], None]] = {
        "home": home_action,
        "huddle": huddle_action,
        "events": events_action,
        "dashboard": dashboard_action,
        "checklists": checklists_action,
        "observations": observations_action,
        "pulses": pulses_action,
        "admin": admin_action,
    }
    for key in keys:
        if key in actions:
            record(key, "action", *run_step(stalls, window, actions[key]))
        else:
            screens[key]["action"] = busiest[key]["action"] = None

    # The weekly report: preview (the pages drawn on screen) and save, as the buttons do.
    panel = page("dashboard").week_panel
    panel.preview_dialog = None
    gap, cpu, took = run_step(
        stalls, window, panel.preview, lambda: getattr(panel, "preview_dialog", None) is not None
    )
    out["preview_stall_ms"], out["steps_ms"]["report preview"] = round(gap, 1), round(took)
    out["busiest"]["report preview"] = round(cpu, 1)
    panel.preview_dialog.close()
    saved = tmp / "weekly.pdf"
    gap, cpu, took = run_step(
        stalls, window, lambda: panel._start(saved, panel._saved), lambda: saved.exists()
    )
    out["save_stall_ms"], out["steps_ms"]["report save"] = round(gap, 1), round(took)
    out["busiest"]["report save"] = round(cpu, 1)
    out["screens"] = screens
    out["busiest"].update(busiest)
    out["rss_end_mb"] = rss_mb()
    print(json.dumps(out), flush=True)
    db.dispose()
    os._exit(0)  # skip Qt's teardown of half-deleted widgets; the figures are out


if __name__ == "__main__":
    sys.exit(main())
