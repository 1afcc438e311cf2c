"""The benchmark suite: one table of figures, targets, same-run baselines, pass or miss.

    python tests/bench/suite.py [--years 10] [--events 100000] [--runs 5]
                                [--stall-runs 3] [--markdown FILE]
                                [--pg-url URL --pg-units 50 --pg-years 2]

Not a test: timings belong here, not in assertions. The ten-year database is
made with demo-data (seeded) and topped up to --events safety reports. Whole
processes (start-up, the weekly report on the command line) run alternately with
their baselines, and the ratio's spread over the runs is printed beside it; the
stall probe (stall_probe.py) and the in-app probe run on fresh copies of the
database, so that no run sees what an earlier one left open.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

from report_process import weekly_process  # noqa: E402
from startup import BARE, REFERENCE, as_installed, paired_runs, ratio_spread  # noqa: E402


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


def integrity_check_cpu_ms(url: str) -> float:
    """The processor time of the integrity check (and planner statistics) that the
    report's command runs on a thread of its own, on a copy as the suite made it."""
    from hrohuddle.store.database import Database

    db = Database.connect(url)
    try:
        db.quick_check()  # warms the file cache, as the report's runs have it
        start = time.process_time()
        db.quick_check()
        db.keep_statistics()
        return (time.process_time() - start) * 1000
    finally:
        db.dispose()


def report_times(url: str, runs: int) -> tuple[float, float]:
    """Weekly report: full build, and the floor (same charts and pages, no database work)."""
    import statistics

    from hrohuddle.reports import weekly
    from hrohuddle.services import people, reporting, signin
    from hrohuddle.store.database import Database

    db = Database.connect(url)
    unit = people.list_units(db)[0]
    roster = {r.display_name: r.id for r in signin.signin_roster(db, unit.id)}
    manager = signin.sign_in(db, roster["Sam Okafor"], "2468")
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


def bulletin_times(url: str, runs: int) -> float:
    """The median time (ms) to build last week's bulletin and write its PDF."""
    from bulletin_probe import build_bulletin_ms

    from hrohuddle.services import reporting
    from hrohuddle.services.permissions import command_line_actor
    from hrohuddle.store.database import Database

    db = Database.connect(url)
    try:
        actor = command_line_actor(1, "benchmark", frozenset({"manager"}))
        week = reporting.Week.last_complete()
        build_bulletin_ms(db, actor, week)  # warm: imports and first queries
        return statistics.median(build_bulletin_ms(db, actor, week) for _ in range(runs))
    finally:
        db.dispose()


def pg_report(url: str, units: int, years: float) -> float | None:
    from hrohuddle.reports import weekly
    from hrohuddle.services import people, reporting
    from hrohuddle.services.permissions import command_line_actor
    from hrohuddle.store.opening import open_database

    db = open_database(url, None).db
    if not people.list_units(db):
        from hrohuddle import demo

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


@dataclass
class Row:
    """One line of the table: a figure, its target and, for a ratio, its baseline."""

    name: str
    value: float | None
    unit: str = "ms"  # ms | MB
    target: float = 0.0
    kind: str = "max"  # max: value <= target; ratio: value/baseline <= target
    baseline_name: str = ""
    baseline: float | None = None
    spread: str = ""  # the ratio's (or value's) lowest-highest over the runs
    note: str = ""
    #: The median of the run-by-run ratios, where app and baseline ran in pairs: a
    #: machine whose load changes during the runs weighs on both halves of each pair.
    paired: float | None = None

    @property
    def ratio(self) -> float | None:
        if self.kind != "ratio" or self.value is None or not self.baseline:
            return None
        return self.paired if self.paired is not None else self.value / self.baseline

    @property
    def verdict(self) -> str:
        if self.value is None:
            return "not run"
        measured = self.ratio if self.kind == "ratio" else self.value
        return "pass" if measured is not None and measured <= self.target else "miss"

    def target_text(self) -> str:
        return f"≤ {self.target:g}" + ("" if self.kind == "ratio" else f" {self.unit}")


def spread(values: list[float], fmt: str = ".2f") -> str:
    return f"{min(values):{fmt}}–{max(values):{fmt}}"


def machine() -> str:
    import platform

    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = ""
    if hasattr(os, "getloadavg"):
        load = f", load {os.getloadavg()[0]:.1f} at the end"
    return (
        f"{cpu or platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}{load}"
    )


def stall_rows(url_of_copy: Any, runs: int, env: dict[str, str]) -> tuple[list[Row], list[dict]]:
    """The longest event-loop stall per screen over ``runs`` runs of the stall probe,
    each on a fresh copy of the database (a run leaves its huddle open)."""
    results = []
    for _ in range(runs):
        probe = subprocess.run(
            [sys.executable, str(HERE / "stall_probe.py"), url_of_copy()],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        results.append(json.loads(probe.stdout.strip().splitlines()[-1]))
    rows = []
    labels = {
        "home": "Home",
        "huddle": "Safety huddle",
        "events": "Safety reports",
        "dashboard": "Dashboard",
        "checklists": "HRO checklists",
        "observations": "Learner observations",
        "pulses": "Onboarding pulses",
        "admin": "Unit admin",
    }
    for key, label in labels.items():
        if key not in results[0]["screens"]:
            continue
        per_run, busy = [], []
        worst: dict[str, list[float]] = {}
        for r in results:
            gaps = {k: v for k, v in r["screens"][key].items() if v is not None}
            per_run.append(max(gaps.values()))
            busy.append(max(v for v in r["busiest"][key].values() if v is not None))
            for k, v in gaps.items():
                worst.setdefault(k, []).append(v)
        detail = ", ".join(f"{k} {statistics.median(v):.0f}" for k, v in worst.items())
        detail += f"; GUI thread's work in one gap ≤ {statistics.median(busy):.0f} ms"
        rows.append(
            Row(
                f"longest stall: {label}",
                statistics.median(per_run),
                target=200,
                spread=spread(per_run, ".0f") if runs > 1 else "",
                note=detail,
            )
        )
    for key, label in (
        ("sign_in_stall_ms", "sign in"),
        ("preview_stall_ms", "report preview"),
        ("save_stall_ms", "report save"),
    ):
        values = [r[key] for r in results]
        busy = statistics.median(r["busiest"][label] for r in results)
        name = "sign in (name, PIN, Home)" if label == "sign in" else label
        rows.append(
            Row(
                f"longest stall: {name}",
                statistics.median(values),
                target=200,
                spread=spread(values, ".0f") if runs > 1 else "",
                note=f"GUI thread's work in one gap ≤ {busy:.0f} ms",
            )
        )
    return rows, results


def print_table(rows: list[Row], header: str) -> None:
    print(f"\n{header}")
    print(
        f"{'figure':<40}{'value':>10}{'baseline':>26}{'ratio':>7}{'spread':>13}"
        f"{'target':>11}  result"
    )
    for r in rows:
        value = "—" if r.value is None else f"{r.value:.0f} {r.unit}"
        base = r.baseline_name + (f" {r.baseline:.0f} {r.unit}" if r.baseline else "")
        ratio = "" if r.ratio is None else f"{r.ratio:.2f}"
        print(
            f"{r.name:<40}{value:>10}{base:>26}{ratio:>7}{r.spread:>13}"
            f"{r.target_text():>11}  {r.verdict}{'  (' + r.note + ')' if r.note else ''}"
        )


def markdown(rows: list[Row], header: str) -> str:
    lines = [
        header,
        "",
        "| figure | value | baseline | ratio (median of the pairs) | spread over the runs "
        "| target | result |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        value = "—" if r.value is None else f"{r.value:.0f} {r.unit}"
        base = r.baseline_name + (f" {r.baseline:.0f} {r.unit}" if r.baseline else "")
        ratio = "" if r.ratio is None else f"{r.ratio:.2f}"
        note = f" ({r.note})" if r.note else ""
        lines.append(
            f"| {r.name}{note} | {value} | {base} | {ratio} | {r.spread} | {r.target_text()} "
            f"| {r.verdict} |"
        )
    return "\n".join(lines) + "\n"


def main() -> int:
    p = argparse.ArgumentParser(description="HRO Huddle benchmark suite")
    p.add_argument("--years", type=float, default=10)
    p.add_argument("--events", type=int, default=100_000)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--stall-runs", type=int, default=3)
    p.add_argument("--database", type=Path, help="reuse a database made by an earlier run")
    p.add_argument("--markdown", type=Path, help="also write the table as Markdown here")
    p.add_argument("--pg-url", help="an empty PostgreSQL database for the fifty-unit hospital")
    p.add_argument("--pg-units", type=int, default=50)
    p.add_argument("--pg-years", type=float, default=2)
    args = p.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="hrohuddle-bench-"))
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen"),
        "HROHUDDLE_DATA_DIR": str(tmp),
    }
    env.pop("HROHUDDLE_DATABASE_URL", None)
    env = as_installed(env, tmp)
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
    shipped: Path | None = None
    if not args.database:  # the ten-year unit as the demo makes it, before the top-up
        shipped = Path(tempfile.mkdtemp(prefix="hrohuddle-bench-shipped-")) / db_file.name
        shutil.copy2(db_file, shipped)
    total_events = top_up_events(url, args.events)
    top_up_open_actions(url)
    pristine = Path(tempfile.mkdtemp(prefix="hrohuddle-bench-pristine-"))
    shutil.copy2(db_file, pristine / db_file.name)
    secret = db_file.with_name("pin-secret.key")
    if secret.exists():
        shutil.copy2(secret, pristine / secret.name)

    def fresh_copy() -> str:
        """A copy of the database as the suite made it, with its PIN secret beside it."""
        folder = Path(tempfile.mkdtemp(prefix="hrohuddle-bench-copy-"))
        for f in pristine.iterdir():
            shutil.copy2(f, folder / f.name)
        return f"sqlite:///{folder / db_file.name}"

    rows: list[Row] = []
    app = [sys.executable, "-m", "hrohuddle", "--database", url]
    bare, paint = paired_runs(
        args.runs,
        ([sys.executable, "-c", BARE], "first-paint"),
        (app, "first-paint"),
        {**env, "HROHUDDLE_BENCH_MARK": "first-paint"},
    )
    ratio, low, high = ratio_spread(bare, paint)
    rows.append(
        Row(
            "start to first paint",
            statistics.median(paint) * 1000,
            target=1.3,
            kind="ratio",
            baseline_name="bare window",
            baseline=statistics.median(bare) * 1000,
            spread=f"{low:.2f}–{high:.2f}",
            paired=ratio,
        )
    )
    ref, ready = paired_runs(
        args.runs,
        ([sys.executable, "-c", REFERENCE, str(db_file)], "ready"),
        (app, "ready"),
        {**env, "HROHUDDLE_BENCH_MARK": "ready"},
    )
    ratio, low, high = ratio_spread(ref, ready)
    rows.append(
        Row(
            "start to ready for sign-in",
            statistics.median(ready) * 1000,
            target=1.2,
            kind="ratio",
            baseline_name="ORM + 1 query",
            baseline=statistics.median(ref) * 1000,
            spread=f"{low:.2f}–{high:.2f}",
            paired=ratio,
        )
    )
    cli_runs, floor_runs, (pages, charts) = weekly_process(db_file, args.runs, env)
    cli, floor = [r[0] for r in cli_runs], [r[0] for r in floor_runs]
    ratios = [a / f for a, f in zip(cli, floor, strict=True)]
    cli_cpu, floor_cpu = [r[1] for r in cli_runs], [r[1] for r in floor_runs]
    cpu_ratios = [a / f for a, f in zip(cli_cpu, floor_cpu, strict=True)]
    rows.append(
        Row(
            "weekly report, command line, whole process",
            statistics.median(cli) * 1000,
            target=2000,
            spread=spread([c * 1000 for c in cli], ".0f"),
        )
    )
    rows.append(
        Row(
            "weekly report, command line, vs its floor",
            statistics.median(cli) * 1000,
            target=1.5,
            kind="ratio",
            baseline_name=f"{charts} charts, {pages} pages",
            baseline=statistics.median(floor) * 1000,
            spread=spread(ratios),
            paired=statistics.median(ratios),
        )
    )
    check_ms = integrity_check_cpu_ms(fresh_copy())
    rows.append(
        Row(
            "weekly report, command line, processor time "
            f"(of it, the integrity check on its own thread: {check_ms:.0f} ms)",
            statistics.median(cli_cpu) * 1000,
            target=1.5,
            kind="ratio",
            baseline_name="its floor's",
            baseline=statistics.median(floor_cpu) * 1000,
            spread=spread(cpu_ratios),
            paired=statistics.median(cpu_ratios),
        )
    )
    if shipped is not None:
        runs, floors, _shape = weekly_process(shipped, args.runs, env)
        walls, floor_walls = [r[0] for r in runs], [r[0] for r in floors]
        pair = [a / f for a, f in zip(walls, floor_walls, strict=True)]
        rows.append(
            Row(
                f"weekly report, command line, vs its floor, the {args.years:g}-year unit "
                "as the demo makes it",
                statistics.median(walls) * 1000,
                target=1.5,
                kind="ratio",
                baseline_name="the same floor",
                baseline=statistics.median(floor_walls) * 1000,
                spread=spread(pair),
                paired=statistics.median(pair),
            )
        )
    else:
        rows.append(
            Row(
                "weekly report, command line, vs its floor, the unit as the demo makes it",
                None,
                target=1.5,
                kind="ratio",
                baseline_name="not run (--database: already topped up)",
            )
        )
    probe = subprocess.run(
        [sys.executable, str(HERE / "ui_probe.py"), fresh_copy()],
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
        ("open_dashboard_ms", "open the dashboard (again)", 500),
    ):
        rows.append(Row(label, ui[key], target=target))
    loop = subprocess.run(
        [sys.executable, str(HERE / "loop_probe.py"), fresh_copy(), "50"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    opened = json.loads(loop.stdout)
    rows.append(
        Row("open a report with 50 messages and its journey", opened["open_ms"], target=100)
    )
    rows.append(
        Row("unit safety bulletin, built and written", bulletin_times(url, args.runs), target=1500)
    )
    full, floor_ms = report_times(url, args.runs)
    rows.append(Row("weekly report in a running app", full, target=2000))
    rows.append(
        Row(
            "weekly report in a running app vs floor",
            full,
            target=1.5,
            kind="ratio",
            baseline_name="charts + pages",
            baseline=floor_ms,
        )
    )
    if args.pg_url:
        # The tier probe first: it builds the hospital (with the PIN secret its people
        # sign in with); the unit's report then reads the same database.
        from tier_probe import suite_rows

        tier = [Row(**r) for r in suite_rows(args.pg_url, args.pg_units, args.pg_years, args.runs)]
        value = pg_report(args.pg_url, args.pg_units, args.pg_years)
        rows.append(Row(f"weekly report, {args.pg_units}-unit PostgreSQL", value, target=2000))
        rows += tier
    else:
        for name, target in (
            ("weekly report, 50-unit PostgreSQL", 2000),
            ("tier-2 board opened and shown, 50 units", 300),
            ("department weekly report, command line, 50 units", 3000),
        ):
            rows.append(Row(name, None, target=target, baseline_name="not run (--pg-url)"))
    stalls, stall_runs = stall_rows(fresh_copy, args.stall_runs, env)
    rows += stalls
    for key, label in (("report preview", "report preview"), ("report save", "report save")):
        values = [float(r["steps_ms"][key]) for r in stall_runs]
        rows.append(
            Row(
                f"{label}, click to done, in the app",
                statistics.median(values),
                target=1500,
                spread=spread(values, ".0f") if len(values) > 1 else "",
            )
        )
    rows.append(Row("memory after start", ui["rss_after_start_mb"], unit="MB", target=250))
    for label, values in (
        ("memory after every screen", [r["rss_all_screens_mb"] for r in stall_runs]),
        ("memory after every screen, action, report", [r["rss_end_mb"] for r in stall_runs]),
    ):
        value = statistics.median(values)
        rows.append(
            Row(
                label,
                value,
                unit="MB",
                target=200,  # 250 MB with 20% headroom
                spread=spread(values, ".0f") if len(values) > 1 else "",
                note=f"headroom {1 - value / 250:.0%} of 250 MB",
            )
        )
    size = db_file.stat().st_size / 1e6
    header = (
        f"{dt.date.today():%d %b %Y}, {machine()}; database {size:.0f} MB, "
        f"{args.years:g} years, {total_events:,} reports, {ui['open_actions']} open actions; "
        f"median of {args.runs} runs ({args.stall_runs} for the stall probe)"
    )
    print_table(rows, header)
    if args.markdown:
        args.markdown.write_text(markdown(rows, header), encoding="utf-8")
        print(f"\nMarkdown table written to {args.markdown}")
    print(f"\ndatabase kept for reruns: --database {db_file}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
