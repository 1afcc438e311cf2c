"""The tiers at hospital scale: a department's board and its weekly report, on PostgreSQL.

    python tests/bench/tier_probe.py POSTGRES_URL [--units 50] [--years 2] [--runs 11]
                                     [--tier MED] [--json]

POSTGRES_URL names an empty database (the probe builds the demo hospital in it with
``demo-data --units N --years Y``, timed) or one it built before (it reuses a database
whose hospital HOSP is there with at least N units: the marker). A hospital built by
hand with ``demo-data`` is reused too, given the PIN secret of the data folder it was
built in: HROHUDDLE_PIN_SECRET_FILE=FOLDER/pin-secret.key. Then, in this one
process (offscreen) and as whole processes:

- the department's board opening: ``escalations.tier_board`` for the department lead,
  then ``TierBoardPage`` built and shown, beside the unit board (``huddles.board``,
  then ``HuddleBoard`` shown) of 4W's charge nurse measured in the same runs;
- the department's weekly report: ``hrohuddle report department`` as a whole process,
  beside ``hrohuddle report weekly --unit 4W`` run alternately with it, and in-process
  ``reports.department.write`` beside ``reports.weekly.write``.

Each figure is the median of the runs, with its spread and, beside its baseline, the
median of the run-by-run ratios. Goals: board 300 ms, department report 3 s. A part
not built yet is printed as not run, with why. ``--json`` prints the rows for
suite.py. Not a test: timings belong here, not in assertions.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

from report_process import timed_run  # noqa: E402
from startup import as_installed  # noqa: E402

BOARD_TARGET_MS = 300
REPORT_TARGET_MS = 3000
LEAD = ("Grace Mensah", "3579")
CHARGE = ("Priya Shah", "1357")
MANAGER = ("Sam Okafor", "2468")


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def use_pin_secret(url: str) -> None:
    """Keep the server's PIN secret where every run of the probe finds it again.

    A server database keeps its PIN secret in the data folder of whoever made the
    PINs; the probe signs in as the demo's people, so the build, this process and
    the app processes must share one: $HROHUDDLE_PIN_SECRET_FILE when set (the
    demo built by hand: its data folder's pin-secret.key), else one per database in
    the temporary folder.
    """
    if not os.environ.get("HROHUDDLE_PIN_SECRET_FILE"):
        name = url.rsplit("/", 1)[-1].split("?")[0] or "postgres"
        folder = Path(tempfile.gettempdir()) / "hrohuddle-tier-probe"
        folder.mkdir(mode=0o700, exist_ok=True)
        os.environ["HROHUDDLE_PIN_SECRET_FILE"] = str(folder / f"{name}.pin-secret.key")


def app_env() -> dict[str, str]:
    """The environment of the app processes: a data folder of their own (the PIN
    secret shared, see use_pin_secret), byte code as installed."""
    tmp = Path(tempfile.mkdtemp(prefix="hrohuddle-tier-probe-"))
    env = {**os.environ, "HROHUDDLE_DATA_DIR": str(tmp)}
    env.pop("HROHUDDLE_DATABASE_URL", None)
    return as_installed(env, tmp)


def ensure_hospital(url: str, units: int, years: float, env: dict[str, str]) -> float | None:
    """Build the demo hospital unless it is there already; the seconds it took, or None."""
    from sqlalchemy import func, select

    from hrohuddle.store.models import Tier, Unit
    from hrohuddle.store.opening import open_database

    db = open_database(url, None).db
    try:
        with db.read() as s:
            have_units = s.scalar(select(func.count()).select_from(Unit)) or 0
            hospital = s.scalar(select(Tier.id).where(Tier.code == "HOSP"))
    finally:
        db.dispose()
    if hospital is not None and have_units >= units:
        _say(f"reusing the demo hospital on this database ({have_units} units)")
        return None
    if have_units:
        raise SystemExit(
            f"{url} holds {have_units} units but no demo hospital of {units}: give the probe "
            "an empty database, or one it built before."
        )
    _say(f"building the demo hospital: {units} units, {years:g} years ...")
    start = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "hrohuddle",
            "--database",
            url,
            "demo-data",
            "--units",
            str(units),
            "--years",
            str(years),
            "--seed",
            "9",
        ],
        env=env,
        check=True,
    )
    took = time.perf_counter() - start
    _say(f"demo hospital built in {took:.0f} s")
    return took


def _row(
    name: str,
    values: list[float] | None,
    target: float,
    *,
    baseline_name: str = "",
    baselines: list[float] | None = None,
    note: str = "",
) -> dict[str, Any]:
    """One row as suite.py's Row takes it: the median, its spread, and beside the
    baseline measured in the same runs the median of the run-by-run ratios."""
    if not values:
        return {"name": name, "value": None, "target": target, "baseline_name": note}
    row: dict[str, Any] = {
        "name": name,
        "value": statistics.median(values),
        "target": target,
        "spread": f"{min(values):.0f}–{max(values):.0f}" if len(values) > 1 else "",
    }
    if baselines:
        ratios = sorted(v / b for v, b in zip(values, baselines, strict=True) if b)
        row["baseline_name"] = baseline_name
        row["baseline"] = statistics.median(baselines)
        if ratios:
            row["note"] = (
                f"{statistics.median(ratios):.2f}× its baseline, {ratios[0]:.2f}–{ratios[-1]:.2f}"
            )
    if note:
        row["note"] = f"{row['note']}; {note}" if "note" in row else note
    return row


def _paired(
    runs: int, measure: Callable[[], float], baseline: Callable[[], float]
) -> tuple[list[float], list[float]]:
    """Alternate the two, after one warm-up of each: a machine whose load changes weighs
    on both halves of each pair."""
    measure()
    baseline()
    values, bases = [], []
    for _ in range(runs):
        bases.append(baseline())
        values.append(measure())
    return values, bases


def _failed(name: str, target: float, exc: BaseException) -> dict[str, Any]:
    """A part that raised: printed as not run, with why, so the rest still runs."""
    _say(f"{name}: {type(exc).__name__}: {exc}")
    return _row(name, None, target, note=f"failed ({type(exc).__name__}: {str(exc)[:60]})")


def _ms(fn: Callable[[], object]) -> float:
    t = time.perf_counter()
    fn()
    return (time.perf_counter() - t) * 1000


def in_process(url: str, tier_code: str, runs: int) -> list[dict[str, Any]]:
    """The board opening and the report, inside one process as the app does them."""
    import datetime as dt

    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    from sqlalchemy import select

    from hrohuddle.services import huddles, reporting, signin
    from hrohuddle.store.models import Person, Tier, Unit
    from hrohuddle.store.opening import open_database

    db = open_database(url, None).db
    rows: list[dict[str, Any]] = []
    try:
        with db.read() as s:
            four_west = s.scalar(select(Unit.id).where(Unit.code == "4W"))
            tier_id = s.scalar(select(Tier.id).where(Tier.code == tier_code))
            ids = dict(
                s.execute(
                    select(Person.display_name, Person.id).where(
                        Person.display_name.in_([LEAD[0], CHARGE[0], MANAGER[0]]),
                        Person.unit_id == four_west,
                    )
                ).all()
            )
        assert four_west is not None and tier_id is not None, "no demo hospital here"
        from hrohuddle.services.errors import SignInRefused

        try:
            lead = signin.sign_in(db, ids[LEAD[0]], LEAD[1])
            charge = signin.sign_in(db, ids[CHARGE[0]], CHARGE[1])
            manager = signin.sign_in(db, ids[MANAGER[0]], MANAGER[1])
        except SignInRefused as exc:
            raise SystemExit(
                f"{exc}\nThe demo's PINs were made with another PIN secret: set "
                "HROHUDDLE_PIN_SECRET_FILE to the pin-secret.key of the data folder the "
                "hospital was built in (see use_pin_secret)."
            ) from exc
        # A unit huddle of the probe's own, on a shift the demo cannot have closed.
        probe_shift = dt.datetime.combine(dt.date.today() + dt.timedelta(days=30), dt.time(10))
        hid = huddles.start_or_resume(db, charge, local_now=probe_shift).id

        from hrohuddle.ui.huddle_board import HuddleBoard

        def unit_board() -> None:
            board = HuddleBoard(db, charge, hid, lambda _i: None, 768)
            board.show()
            app.processEvents()
            board.close()
            board.deleteLater()
            app.processEvents()

        try:
            from hrohuddle.services import escalations
        except ImportError:
            why = "not built yet (services.escalations)"
            rows.append(
                _row("tier-2 board, its figures (service)", None, BOARD_TARGET_MS, note=why)
            )
            rows.append(_row("tier-2 board opened and shown", None, BOARD_TARGET_MS, note=why))
        else:
            name = f"tier-2 board, its figures (service), {tier_code}"
            try:
                values, bases = _paired(
                    runs,
                    lambda: _ms(lambda: escalations.tier_board(db, lead, tier_id)),
                    lambda: _ms(lambda: huddles.board(db, charge, hid)),
                )
                rows.append(
                    _row(
                        name,
                        values,
                        BOARD_TARGET_MS,
                        baseline_name="unit board's",
                        baselines=bases,
                    )
                )
            except Exception as exc:
                rows.append(_failed(name, BOARD_TARGET_MS, exc))
            try:
                from hrohuddle.ui.tier_board import TierBoardPage
            except ImportError:
                rows.append(
                    _row(
                        "tier-2 board opened and shown",
                        None,
                        BOARD_TARGET_MS,
                        note="not built yet (ui.tier_board)",
                    )
                )
            else:

                def tier_page() -> None:
                    page = TierBoardPage(db, lead)
                    page.show()
                    app.processEvents()
                    page.close()
                    page.deleteLater()
                    app.processEvents()

                name = f"tier-2 board opened and shown, {tier_code}"
                try:
                    values, bases = _paired(runs, lambda: _ms(tier_page), lambda: _ms(unit_board))
                    rows.append(
                        _row(
                            name,
                            values,
                            BOARD_TARGET_MS,
                            baseline_name="unit board",
                            baselines=bases,
                        )
                    )
                except Exception as exc:
                    rows.append(_failed(name, BOARD_TARGET_MS, exc))
        week = reporting.Week.last_complete()
        out = Path(tempfile.mkdtemp(prefix="hrohuddle-tier-probe-pdf-"))
        from hrohuddle.reports import weekly

        def unit_report() -> None:
            weekly.write(db, manager, week, out / "weekly.pdf", unit_id=four_west)

        try:
            from hrohuddle.reports import department
        except ImportError:
            rows.append(
                _row(
                    "department weekly report in a running app",
                    None,
                    REPORT_TARGET_MS,
                    note="not built yet (reports.department)",
                )
            )
        else:

            def department_report() -> None:
                department.write(db, lead, tier_code, week, out / "department.pdf")

            name = f"department weekly report in a running app, {tier_code}"
            try:
                values, bases = _paired(
                    max(3, runs // 2), lambda: _ms(department_report), lambda: _ms(unit_report)
                )
                rows.append(
                    _row(
                        name,
                        values,
                        REPORT_TARGET_MS,
                        baseline_name="4W weekly report",
                        baselines=bases,
                    )
                )
            except Exception as exc:
                rows.append(_failed(name, REPORT_TARGET_MS, exc))
    finally:
        db.dispose()
    return rows


def whole_process(url: str, tier_code: str, runs: int, env: dict[str, str]) -> dict[str, Any]:
    """``hrohuddle report department`` from start to exit, beside ``report weekly``."""
    from hrohuddle.services import reporting

    week = reporting.Week.last_complete().label
    out = Path(tempfile.mkdtemp(prefix="hrohuddle-tier-probe-cli-"))
    base = [sys.executable, "-m", "hrohuddle", "--database", url, "report"]
    dept = [*base, "department", "--tier", tier_code, "--week", week, "--out", str(out / "d.pdf")]
    unit = [*base, "weekly", "--unit", "4W", "--week", week, "--out", str(out / "w.pdf")]
    name = f"department weekly report, command line, whole process, {tier_code}"
    import importlib.util

    if importlib.util.find_spec("hrohuddle.reports.department") is None:
        return _row(name, None, REPORT_TARGET_MS, note="not built yet (reports.department)")
    try:
        timed_run(dept, env)
    except subprocess.CalledProcessError as exc:
        why = (exc.stderr or b"").decode(errors="replace").strip().splitlines()[-1:]
        return _row(name, None, REPORT_TARGET_MS, note=f"not run ({' '.join(why)[:80]})")
    timed_run(unit, env)
    values, bases = [], []
    for _ in range(runs):
        bases.append(timed_run(unit, env)[0] * 1000)
        values.append(timed_run(dept, env)[0] * 1000)
    return _row(
        name,
        values,
        REPORT_TARGET_MS,
        baseline_name="report weekly --unit 4W",
        baselines=bases,
    )


def suite_rows(url: str, units: int, years: float, runs: int) -> list[dict[str, Any]]:
    """The probe's rows for suite.py, from a process of its own (Qt offscreen)."""
    out = subprocess.run(
        [
            sys.executable,
            str(Path(__file__)),
            url,
            "--units",
            str(units),
            "--years",
            str(years),
            "--runs",
            str(runs),
            "--json",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    rows: list[dict[str, Any]] = json.loads(out.stdout.strip().splitlines()[-1])
    return rows


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("url", help="an empty PostgreSQL database, or one this probe built")
    p.add_argument("--units", type=int, default=50)
    p.add_argument("--years", type=float, default=2)
    p.add_argument("--runs", type=int, default=11)
    p.add_argument("--tier", default="MED", help="the department measured (default MED)")
    p.add_argument("--json", action="store_true", help="print the rows as JSON for suite.py")
    args = p.parse_args()
    use_pin_secret(args.url)
    env = app_env()
    built = ensure_hospital(args.url, args.units, args.years, env)
    rows = in_process(args.url, args.tier, args.runs)
    rows.append(whole_process(args.url, args.tier, args.runs, env))
    if built is not None:
        rows.append(
            {
                "name": f"demo hospital built, {args.units} units, {args.years:g} years",
                "value": built * 1000,
                "target": 300_000,
            }
        )
    if args.json:
        print(json.dumps(rows), flush=True)
    else:
        for r in rows:
            value = "not run" if r["value"] is None else f"{r['value']:.0f} ms"
            base = (
                f"  baseline {r['baseline_name']} {r['baseline']:.0f} ms"
                if r.get("baseline")
                else ""
            )
            extra = f"  ({r['note']})" if r.get("note") else ""
            spread = f"  [{r['spread']}]" if r.get("spread") else ""
            print(f"{r['name']}: {value}{spread}{base}{extra}; goal ≤ {r['target']:g} ms")
            if r["value"] is None and r.get("baseline_name"):
                print(f"    {r['baseline_name']}")
    os._exit(0)  # skip Qt's teardown of closed pages; the figures are out


if __name__ == "__main__":
    sys.exit(main())
