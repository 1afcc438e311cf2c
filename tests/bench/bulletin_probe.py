"""The unit safety bulletin on a ten-year unit: the charge nurse's wait, in milliseconds.

    python tests/bench/bulletin_probe.py [--years 10] [--runs 5] [--data-dir DIR]

Not a test. ``build_bulletin_ms`` times what the Bulletin button and
``hrohuddle report bulletin`` wait for: the week's bulletin built from the database
and its one-page PDF laid out and written (nothing recorded). Goal: 1.5 s on the
2-core development machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

GOAL_MS = 1500


def build_bulletin_ms(db: Any, actor: Any, week: Any) -> float:
    """Milliseconds to build one week's bulletin and write its PDF. ``week`` is a
    ``reporting.Week`` or any day of the week."""
    from hrohuddle.reports import bulletin as pdf
    from hrohuddle.services import bulletin

    monday = week.monday if hasattr(week, "monday") else week
    assert isinstance(monday, dt.date)
    out = Path(tempfile.mkdtemp(prefix="hrohuddle-bulletin-")) / "bulletin.pdf"
    started = time.perf_counter()
    made = bulletin.build(db, actor, monday)
    pdf.build(made, out, author=actor.display_name)
    took = (time.perf_counter() - started) * 1000
    out.unlink()
    out.parent.rmdir()
    return took


def main() -> int:
    p = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    p.add_argument("--years", type=float, default=10)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--data-dir", type=Path, help="reuse a demo made by an earlier run")
    args = p.parse_args()
    data = args.data_dir or Path(tempfile.mkdtemp(prefix="hrohuddle-bench-"))
    database = data / "hrohuddle.sqlite3"
    if not database.exists():
        env = {**os.environ, "HROHUDDLE_DATA_DIR": str(data)}
        env.pop("HROHUDDLE_DATABASE_URL", None)
        subprocess.run(
            [sys.executable, "-m", "hrohuddle", "demo-data", "--years", str(args.years)],
            env=env,
            check=True,
            capture_output=True,
        )
    from hrohuddle.services import people
    from hrohuddle.services.permissions import command_line_actor
    from hrohuddle.services.reporting import Week
    from hrohuddle.store.database import Database

    db = Database.connect(f"sqlite:///{database}")
    try:
        unit = people.list_units(db)[0]
        actor = command_line_actor(unit.id, "bench", frozenset({"manager"}))
        week = Week.last_complete()
        build_bulletin_ms(db, actor, week)  # imports and caches warmed, as in the app
        times = [build_bulletin_ms(db, actor, week) for _ in range(args.runs)]
    finally:
        db.dispose()
    median = statistics.median(times)
    print(
        f"bulletin {week.label}: median {median:.0f} ms of {args.runs} runs "
        f"(max {max(times):.0f} ms); goal {GOAL_MS} ms: {'met' if median <= GOAL_MS else 'MISSED'}"
    )
    return 0 if median <= GOAL_MS else 1


if __name__ == "__main__":
    sys.exit(main())
