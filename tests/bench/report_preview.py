"""Weekly report preview and save on a ten-year unit: the manager's wait, in seconds.

    python tests/bench/report_preview.py [--years 10] [--runs 5] [--data-dir DIR]

Not a test. Preview is what the dashboard does before the preview window shows: the
figures, the PDF (nothing recorded) and its pages rendered as images. Save is the
figures, the PDF and the "report printed" entry. Target: 1.5 s each on the 2-core
development machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_S = 1.5


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
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
    os.environ["QT_QPA_PLATFORM"] = os.environ.get("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from hrohuddle.reports import weekly
    from hrohuddle.services import people, reporting, signin
    from hrohuddle.store.database import Database
    from hrohuddle.ui.preview import render_pages

    app = QApplication.instance() or QApplication([])
    del app
    db = Database.connect(f"sqlite:///{database}")
    unit = people.list_units(db)[0]
    roster = {r.display_name: r.id for r in signin.signin_roster(db, unit.id)}
    manager = signin.sign_in(db, roster["Sam Okafor"], "2468")
    week = reporting.Week.last_complete()
    out = Path(tempfile.mkdtemp(prefix="hrohuddle-bench-pdf-"))
    weekly.preview(db, manager, week, out / "warm.pdf")  # imports and caches, as after one use
    previews, saves = [], []
    for i in range(args.runs):
        t = time.perf_counter()
        render_pages(weekly.preview(db, manager, week, out / f"p{i}.pdf"))
        previews.append(time.perf_counter() - t)
        t = time.perf_counter()
        weekly.write(db, manager, week, out / f"s{i}.pdf")
        saves.append(time.perf_counter() - t)
    db.dispose()
    for name, values in (("preview", previews), ("save", saves)):
        median = statistics.median(values)
        verdict = "ok" if median <= TARGET_S else "MISSED"
        print(
            f"{name:8s} median {median:.2f} s (min {min(values):.2f}, max {max(values):.2f}, "
            f"{args.runs} runs) target {TARGET_S} s: {verdict}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
