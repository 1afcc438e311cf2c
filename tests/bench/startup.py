"""Start-up benchmark: HRO Huddle against bare baselines measured in the same run.

    python tests/bench/startup.py [--runs 7] [--database FILE]

Prints one table: each figure (median of the runs), its baseline, the ratio and
the target. Not a test: timings belong here, not in assertions.
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

BARE = r"""
import sys, time
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
class W(QMainWindow):
    done = False
    def paintEvent(self, e):
        super().paintEvent(e)
        if not self.done:
            self.done = True
            print(f"HROHUDDLE_BENCH first-paint {time.time():.6f}", flush=True)
            QTimer.singleShot(0, app.quit)
app = QApplication(sys.argv[:1])
w = W(); w.resize(1280, 800); w.show()
app.exec()
"""

REFERENCE = r"""
import sys, time
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
import sqlalchemy.orm
from sqlalchemy import create_engine, text
app = QApplication(sys.argv[:1])
engine = create_engine("sqlite:///" + sys.argv[1])
with sqlalchemy.orm.Session(engine) as s:
    s.execute(text("SELECT count(*) FROM people")).scalar()
class W(QMainWindow):
    done = False
    def paintEvent(self, e):
        super().paintEvent(e)
        if not self.done:
            self.done = True
            print(f"HROHUDDLE_BENCH ready {time.time():.6f}", flush=True)
            QTimer.singleShot(0, app.quit)
w = W(); w.resize(1280, 800); w.show()
app.exec()
"""


def as_installed(env: dict[str, str], tmp: Path) -> dict[str, str]:
    """The environment of processes that run from byte code, as an installed app does:
    compiled once into a cache under ``tmp`` (not beside the sources), even where the
    shell says not to write byte code."""
    env = dict(env)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(tmp / "pycache")
    return env


def bench_database(
    database: Path | None, years: float, extra: dict[str, str] | None = None
) -> tuple[Path, dict[str, str]]:
    """The database a bench measures (``database``, or a demo unit of ``years`` made in a
    fresh data folder) and the environment of the app processes it starts: their own
    data folder, no database URL from the shell, and byte code as installed."""
    tmp = Path(tempfile.mkdtemp(prefix="hrohuddle-bench-"))
    env = {**os.environ, **(extra or {}), "HROHUDDLE_DATA_DIR": str(tmp)}
    env.pop("HROHUDDLE_DATABASE_URL", None)
    env = as_installed(env, tmp)
    if database:
        return database.resolve(), env
    db_file = tmp / "hrohuddle.sqlite3"
    subprocess.run(
        [sys.executable, "-m", "hrohuddle", "demo-data", "--years", str(years)],
        env=env,
        check=True,
        capture_output=True,
    )
    return db_file, env


def timed(cmd: list[str], mark: str, env: dict[str, str]) -> float:
    start = time.time()
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
    for line in out.stdout.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0] == "HROHUDDLE_BENCH" and parts[1] == mark:
            return float(parts[2]) - start
    raise RuntimeError(f"no {mark} mark from {cmd[:3]}: {out.stdout[-400:]} {out.stderr[-800:]}")


def paired_runs(
    runs: int, base: tuple[list[str], str], app: tuple[list[str], str], env: dict[str, str]
) -> tuple[list[float], list[float]]:
    """Seconds of the baseline and the app, run alternately so that a machine that
    speeds up or slows down during the benchmark weighs on both alike."""
    timed(base[0], base[1], env)  # warm the file cache
    timed(app[0], app[1], env)
    base_times, app_times = [], []
    for _ in range(runs):
        base_times.append(timed(base[0], base[1], env))
        app_times.append(timed(app[0], app[1], env))
    return base_times, app_times


def paired_medians(
    runs: int, base: tuple[list[str], str], app: tuple[list[str], str], env: dict[str, str]
) -> tuple[float, float]:
    """Medians of ``paired_runs``."""
    base_times, app_times = paired_runs(runs, base, app, env)
    return statistics.median(base_times), statistics.median(app_times)


def ratio_spread(base: list[float], app: list[float]) -> tuple[float, float, float]:
    """Median, lowest and highest of the app/baseline ratio, pair by pair."""
    ratios = [a / b for a, b in zip(app, base, strict=True)]
    return statistics.median(ratios), min(ratios), max(ratios)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--database", type=Path, help="an existing database (default: a demo)")
    parser.add_argument("--years", type=float, default=1.0, help="demo history when no database")
    args = parser.parse_args()
    platform = {"QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    db_file, env = bench_database(args.database, args.years, platform)
    app_cmd = [sys.executable, "-m", "hrohuddle", "--database", f"sqlite:///{db_file}"]
    rows = []
    bare, app_paint = paired_runs(
        args.runs,
        ([sys.executable, "-c", BARE], "first-paint"),
        (app_cmd, "first-paint"),
        {**env, "HROHUDDLE_BENCH_MARK": "first-paint"},
    )
    rows.append(("start to first paint", app_paint, bare, 1.3))
    ref, app_ready = paired_runs(
        args.runs,
        ([sys.executable, "-c", REFERENCE, str(db_file)], "ready"),
        (app_cmd, "ready"),
        {**env, "HROHUDDLE_BENCH_MARK": "ready"},
    )
    rows.append(("start to ready for sign-in", app_ready, ref, 1.2))
    size_mb = db_file.stat().st_size / 1e6
    print(
        f"database: {db_file} ({size_mb:.1f} MB); median of {args.runs} runs; "
        f"{os.cpu_count()} cores"
    )
    print(
        f"{'figure':<30}{'HRO Huddle':>12}{'baseline':>12}{'ratio':>8}{'spread':>12}"
        f"{'target':>9}  result"
    )
    for name, values, bases, target in rows:
        value, base = statistics.median(values), statistics.median(bases)
        ratio, low, high = ratio_spread(bases, values)
        verdict = "pass" if ratio <= target else "miss"
        print(
            f"{name:<30}{value * 1000:>10.0f}ms{base * 1000:>10.0f}ms"
            f"{ratio:>8.2f}{f'{low:.2f}–{high:.2f}':>12}{'≤' + str(target):>9}  {verdict}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
