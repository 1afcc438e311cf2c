"""Work nobody asked for stays undone: counts that do not depend on the machine's speed.

Resizing the huddle board records nothing; a look back reads its reports through its
own index, in time order; the weekly report on the command line loads no Qt, Alembic
or PIN hashing; PySide's look at every imported module keeps no source in memory.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

from conftest import Team
from sqlalchemy import insert, select

from hrohuddle.services import huddles
from hrohuddle.store.models import Huddle, SafetyEvent


def test_resizing_the_board_records_nothing(qtbot, sqlite_team: Team) -> None:  # type: ignore[no-untyped-def]
    from hrohuddle.ui.huddle_board import HuddleBoard

    charge = sqlite_team["charge_nurse"]
    hid = huddles.start_or_resume(sqlite_team.db, charge).id
    board = HuddleBoard(sqlite_team.db, charge, hid, lambda _i: None, None)
    qtbot.addWidget(board)
    board.resize(1280, 800)
    board.show()
    qtbot.waitExposed(board)
    with sqlite_team.db.read() as s:
        before = s.scalar(select(Huddle.revision).where(Huddle.id == hid))
    present = huddles.board(sqlite_team.db, charge, hid).attendance
    for width, height in ((1366, 768), (1920, 1080), (1024, 700)):
        board.resize(width, height)
        qtbot.wait(20)
    with sqlite_team.db.read() as s:
        after = s.scalar(select(Huddle.revision).where(Huddle.id == hid))
    assert after == before
    assert huddles.board(sqlite_team.db, charge, hid).attendance == present


def test_a_look_back_lists_its_first_200_reports_in_time_order(sqlite_team: Team) -> None:
    charge = sqlite_team["charge_nurse"]
    hid = huddles.start_or_resume(sqlite_team.db, charge).id
    start = dt.datetime(2026, 1, 5, 8, 0)
    rows = [
        {
            "unit_id": charge.unit_id,
            "kind": "good_catch" if i % 3 == 0 else "near_miss",
            "category": "medication",
            "narrative": f"Report {i}",
            "occurred_at": start + dt.timedelta(minutes=(i * 37) % 250),
            "shift": "day",
            "contributing_factors": [],
            "anonymous": False,
            "reported_on": start.date(),
            "status": "new",
            "look_back_huddle_id": hid,
        }
        for i in range(250)
    ]
    with sqlite_team.db.write() as s:
        s.execute(insert(SafetyEvent), rows)
    board = huddles.board(sqlite_team.db, charge, hid)
    shown = board.look_back_events
    assert len(shown) == 200
    keys = [(e.occurred_at, e.id) for e in shown]
    assert keys == sorted(keys)
    with sqlite_team.db.read() as s:
        first_200 = s.execute(
            select(SafetyEvent.id)
            .where(SafetyEvent.look_back_huddle_id == hid)
            .order_by(SafetyEvent.occurred_at, SafetyEvent.id)
            .limit(200)
        ).all()
    assert [e.id for e in shown] == [r[0] for r in first_200]
    assert {e.id for e in board.good_catches} == {e.id for e in shown if e.kind == "good_catch"}


MODULES_AT_EXIT = r"""
import atexit, sys
atexit.register(lambda: print("MODULES " + " ".join(sorted(
    set(sys.modules) & {"PySide6", "alembic", "argon2", "xml.sax", "http.client"}
))))
from hrohuddle.__main__ import main
sys.exit(main())
"""


def test_the_weekly_report_on_the_command_line_loads_only_what_it_needs(
    demo_env: dict[str, str], tmp_path: Path
) -> None:
    out = tmp_path / "weekly.pdf"
    done = subprocess.run(
        [sys.executable, "-c", MODULES_AT_EXIT, "report", "weekly", "--out", str(out)],
        env=demo_env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert out.exists()
    loaded = next(x for x in done.stdout.splitlines() if x.startswith("MODULES"))
    assert loaded.split()[1:] == []


def test_modules_imported_after_pyside_leave_no_source_in_memory() -> None:
    code = (
        "import linecache, PySide6.QtCore, hrohuddle.ui\n"
        "files = lambda: {k for k in linecache.cache if k.endswith('.py')}\n"
        "before = files()\n"
        "import sqlalchemy.orm, hrohuddle.store.models, hrohuddle.ui.common\n"
        "import shibokensupport.feature as f\n"
        "print(len(files() - before),"
        " f._mod_uses_pyside(sys.modules['hrohuddle.ui.common']),"
        " f._mod_uses_pyside(sys.modules['sqlalchemy.orm.session']))\n"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-c", "import sys\n" + code],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    # No module's source file kept in linecache (SQLAlchemy keeps its generated code
    # there, by design), and PySide still told which modules use it.
    assert done.stdout.split() == ["0", "True", "False"]
