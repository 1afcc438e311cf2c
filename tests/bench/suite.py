"""The benchmark suite: one table of figures, targets, same-run baselines, pass or miss.

    python tests/bench/suite.py [--years 10] [--events 100000] [--runs 5]
                                [--pg-url URL --pg-units 50 --pg-years 1]

Not a test: timings belong here, not in assertions. The ten-year database is
made with demo-data (seeded) and topped up to --events safety reports.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

from startup import BARE, REFERENCE, paired_medians  # noqa: E402


def top_up_events(url: str, target: int) -> int:
    from sqlalchemy import func, insert, select

    from hrohuddle.store.database import Database
    from hrohuddle.store.models import SafetyEvent

    db = Database.connect(url)
    with db.read() as s:
        have = s.scalar(select(func.count(SafetyEvent.id))) or 0
        last = s.scalar(select(func.max(SafetyEvent.id))) or 0
    rng = random.Random(5)
    texts = [
        "Allergy band missing",
        "Pump rate wrong",
        "Bed rails down",
        "Label unreadable",
        "Handover incomplete",
        "Suction not set up",
        "Hand gel empty",
    ]
    kinds = ["near_miss", "good_catch", "unsafe_condition", "workaround", "incident"]
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    rows = []
    for i in range(max(0, target - have)):
        when = now - dt.timedelta(minutes=rng.randint(60, 10 * 365 * 24 * 60))
        kind = rng.choice(kinds)
        rows.append(
            {
                "id": last + 1 + i,
                "unit_id": 1,
                "kind": kind,
                "category": "medication",
                "harm": "none" if kind == "incident" else None,
                "narrative": f"{rng.choice(texts)} ({i})",
                "occurred_at": when,
                "shift": "day",
                "contributing_factors": [],
                "anonymous": False,
                "reported_on": when.date(),
                "status": "closed",
            }
        )
    with db.write() as s:
        for i in range(0, len(rows), 10_000):
            s.execute(insert(SafetyEvent), rows[i : i + 10_000])
    db.dispose()
    return max(have, target)


def top_up_open_actions(url: str, target: int = 200) -> None:
    """The huddle board benchmark wants 200 open actions, as a busy unit has."""
    from sqlalchemy import func, insert, select

    from hrohuddle.store.database import Database
    from hrohuddle.store.models import Action, Person

    db = Database.connect(url)
    with db.read() as s:
        have = s.scalar(select(func.count(Action.id)).where(Action.status == "open")) or 0
        owners = list(s.scalars(select(Person.id).where(Person.unit_id == 1)))
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    rows = [
        {
            "unit_id": 1,
            "title": f"Benchmark follow-up {i}",
            "owner_id": owners[i % len(owners)],
            "due_on": (now + dt.timedelta(days=(i % 30) - 10)).date(),
            "status": "open",
            "origin": "manual",
            "created_at": now - dt.timedelta(days=i % 200),
            "updated_at": now,
        }
        for i in range(max(0, target - have))
    ]
    if rows:
        with db.write() as s:
            s.execute(insert(Action), rows)
    db.dispose()


def report_times(url: str, runs: int) -> tuple[float, float]:
    """Weekly report: full build, and the floor (same charts and pages, no database work)."""
    import statistics

    from hrohuddle.reports import weekly
    from hrohuddle.services import people, reporting
    from hrohuddle.store.database import Database

    db = Database.connect(url)
    unit = people.list_units(db)[0]
    roster = {r.display_name: r.id for r in people.signin_roster(db, unit.id)}
    manager = people.sign_in(db, roster["Sam Okafor"], "2468")
    week = reporting.Week.last_complete()
    out = Path(tempfile.mkdtemp())
    weekly.write(db, manager, week, out / "warm.pdf")
    full, floor = [], []
    figures = reporting.weekly_figures(db, manager, week)
    for i in range(runs):
        t = time.perf_counter()
        weekly.write(db, manager, week, out / f"r{i}.pdf")
        full.append(time.perf_counter() - t)
        t = time.perf_counter()
        weekly.build(figures, out / f"f{i}.pdf", author="floor")
        floor.append(time.perf_counter() - t)
    db.dispose()
    return statistics.median(full) * 1000, statistics.median(floor) * 1000


def pg_report(url: str, units: int, years: float) -> float | None:
    from hrohuddle.reports import weekly
    from hrohuddle.services import people, reporting
    from hrohuddle.services.permissions import command_line_actor
    from hrohuddle.store.opening import open_database

    db = open_database(url, None).db
    if not people.list_units(db):
        from hrohuddle.services import demo

        demo.create(db, years=years, units=units, seed=9)
    unit = people.list_units(db)[units // 2]
    actor = command_line_actor(unit.id, "benchmark", frozenset({"manager"}))
    week = reporting.Week.last_complete()
    path = Path(tempfile.mkdtemp()) / "pg.pdf"
    weekly.write(db, actor, week, path, unit_id=unit.id)
    t = time.perf_counter()
    weekly.write(db, actor, week, path, unit_id=unit.id)
    db.dispose()
    return (time.perf_counter() - t) * 1000


def main() -> int:
    p = argparse.ArgumentParser(description="HRO Huddle benchmark suite")
    p.add_argument("--years", type=float, default=10)
    p.add_argument("--events", type=int, default=100_000)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--database", type=Path, help="reuse a database made by an earlier run")
    p.add_argument("--pg-url", help="an empty PostgreSQL database for the fifty-unit hospital")
    p.add_argument("--pg-units", type=int, default=50)
    p.add_argument("--pg-years", type=float, default=1)
    args = p.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="hrohuddle-bench-"))
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen"),
        "HROHUDDLE_DATA_DIR": str(tmp),
    }
    env.pop("HROHUDDLE_DATABASE_URL", None)
    db_file = args.database or tmp / "hrohuddle.sqlite3"
    url = f"sqlite:///{db_file}"
    if not db_file.exists():
        t = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "hrohuddle",
                "--database",
                url,
                "demo-data",
                "--years",
                str(args.years),
            ],
            env=env,
            check=True,
        )
        print(f"demo data for {args.years:g} years: {time.perf_counter() - t:.1f} s")
    total_events = top_up_events(url, args.events)
    top_up_open_actions(url)
    rows: list[tuple[str, float | None, str, float | None, float, str]] = []
    app = [sys.executable, "-m", "hrohuddle", "--database", url]
    bare, paint = paired_medians(
        args.runs,
        ([sys.executable, "-c", BARE], "first-paint"),
        (app, "first-paint"),
        {**env, "HROHUDDLE_BENCH_MARK": "first-paint"},
    )
    rows.append(("start to first paint", paint * 1000, "bare window", bare * 1000, 1.3, "ratio"))
    ref, ready = paired_medians(
        args.runs,
        ([sys.executable, "-c", REFERENCE, str(db_file)], "ready"),
        (app, "ready"),
        {**env, "HROHUDDLE_BENCH_MARK": "ready"},
    )
    rows.append(
        ("start to ready for sign-in", ready * 1000, "ORM + 1 query", ref * 1000, 1.2, "ratio")
    )
    probe = subprocess.run(
        [sys.executable, str(HERE / "ui_probe.py"), url],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    ui = json.loads(probe.stdout.strip().splitlines()[-1])
    for key, label, target in (
        ("open_board_ms", "open the huddle board", 150),
        ("add_item_ms", "add a huddle item", 50),
        ("save_event_ms", "save a safety report", 50),
        ("events_first_page_ms", "first page of the reports", 200),
        ("events_search_ms", "full-text search of reports", 300),
        ("open_dashboard_ms", "open the dashboard", 500),
    ):
        rows.append((label, ui[key], "", None, target, "ms"))
    full, floor = report_times(url, args.runs)
    rows.append(("weekly report, ten years", full, "", None, 2000, "ms"))
    rows.append(("weekly report vs floor", full, "charts+pages", floor, 1.5, "ratio"))
    if args.pg_url:
        rows.append(
            (
                f"weekly report, {args.pg_units}-unit PostgreSQL",
                pg_report(args.pg_url, args.pg_units, args.pg_years),
                "",
                None,
                2000,
                "ms",
            )
        )
    else:
        rows.append(
            ("weekly report, 50-unit PostgreSQL", None, "not run (--pg-url)", None, 2000, "ms")
        )
    rows.append(("memory after start", ui["rss_after_start_mb"], "", None, 250, "MB"))
    rows.append(("memory after every screen", ui["rss_all_screens_mb"], "", None, 250, "MB"))
    size = db_file.stat().st_size / 1e6
    print(
        f"\ndatabase: {size:.0f} MB, {args.years:g} years, {total_events:,} reports, "
        f"{ui['open_actions']} open actions; median of {args.runs} runs; {os.cpu_count()} cores"
    )
    print(f"{'figure':<36}{'value':>10}{'baseline':>22}{'ratio':>7}{'target':>9}  result")
    for name, value, base_name, base, target, kind in rows:
        if value is None:
            print(f"{name:<36}{'—':>10}{base_name:>22}{'':>7}{target:>9g}  not run")
            continue
        unit = "MB" if kind == "MB" else "ms"
        if kind == "ratio" and base:
            ratio = value / base
            verdict = "pass" if ratio <= target else "miss"
            print(
                f"{name:<36}{value:>8.0f}{unit}{f'{base_name} {base:.0f}{unit}':>22}"
                f"{ratio:>7.2f}{'≤' + format(target, 'g'):>9}  {verdict}"
            )
        else:
            verdict = "pass" if value <= target else "miss"
            print(
                f"{name:<36}{value:>8.0f}{unit}{'':>22}{'':>7}"
                f"{'≤' + format(target, 'g') + unit:>9}  {verdict}"
            )
    print(f"\ndatabase kept for reruns: --database {db_file}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
