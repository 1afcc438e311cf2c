"""The department weekly report: a PDF of a tier's units side by side, read back.

On a real PostgreSQL server, through the service and through the command line in a
process of its own, as IT runs it.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import Clock, Team
from pypdf import PdfReader
from sqlalchemy import select
from test_cli import hh
from test_department import IT, SECRET, began_long_ago, build_hospital, week_of_data

from hrohuddle.reports import department as report
from hrohuddle.services import people, tiers
from hrohuddle.services.errors import PermissionDenied
from hrohuddle.services.reporting import Week
from hrohuddle.store.models import AuditEntry


def _text(path: Path) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(path).pages).split())


def _page_text(path: Path, page: int) -> str:
    return " ".join(PdfReader(path).pages[page].extract_text().split())


@pytest.mark.postgres
def test_the_report_sets_the_units_side_by_side_and_is_audited(
    pg_team: Team, clock: Clock, tmp_path: Path
) -> None:
    db = pg_team.db
    week = build_hospital(db, clock.today)
    out = report.write(db, IT, "MED", week, tmp_path / "med.pdf")
    body = _text(out)
    assert f"Medicine · department week {week.label}" in body
    assert "4W · Ward 4 West" in body and "5E · Ward 5 East" in body
    assert "Ward 6 North" not in body and "6N:" not in body
    assert "Medicine together" in body and "Open escalations by age" in body
    assert "4W: a second hoist for the night shift" in body
    assert "Each unit's charts" in body
    assert SECRET not in body and "Mrs Example" not in body
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    with db.read() as s:
        printed = s.scalars(
            select(AuditEntry.detail).where(AuditEntry.action == "report.printed")
        ).all()
    assert any(
        d["report"] == "department" and d["week"] == week.label and d["tier"] == "MED"
        for d in printed
    )


@pytest.mark.postgres
def test_another_departments_lead_gets_no_report(
    pg_team: Team, clock: Clock, tmp_path: Path
) -> None:
    db = pg_team.db
    week = build_hospital(db, clock.today)
    lead = pg_team["manager"]
    tiers.grant_role(db, IT, "SURG", lead.person_id, "department_lead")
    with pytest.raises(PermissionDenied):
        report.write(db, lead, "MED", week, tmp_path / "med.pdf")
    assert not (tmp_path / "med.pdf").exists()
    out = report.write(db, lead, "SURG", week, tmp_path / "surg.pdf")
    assert "6N · Ward 6 North" in _text(out)


@pytest.mark.postgres
def test_fourteen_units_fit_the_first_page(pg_team: Team, clock: Clock, tmp_path: Path) -> None:
    db = pg_team.db
    week = build_hospital(db, clock.today)
    codes = [f"M{i:02d}" for i in range(12)]
    for i, code in enumerate(codes):
        people.create_unit(
            db,
            code=code,
            name=f"Medical ward {i + 1}",
            admin=people.PersonInput(f"Admin {code}", "nursing", ["admin"], pin=f"31{i:02d}"),
        )
        began_long_ago(db, code)
        tiers.place_unit(db, IT, code, "MED")
        week_of_data(db, code, week, huddles=1 + i % 7, late=i % 2)
    out = report.write(db, IT, "MED", week, tmp_path / "med.pdf")
    first = _page_text(out, 0)
    for code in ["4W", "5E", *codes]:
        assert f"{code} ·" in first, code
    assert "Medicine together" in first
    assert "their signals in the table" in _text(out)


@pytest.mark.postgres
@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) missing")
def test_every_page_renders(pg_team: Team, clock: Clock, tmp_path: Path) -> None:
    db = pg_team.db
    week = build_hospital(db, clock.today)
    out = report.write(db, IT, "HOSP", week, tmp_path / "hosp.pdf")
    assert "St Elsewhere · hospital week" in _text(out)
    subprocess.run(
        ["pdftoppm", "-r", "40", "-png", str(out), str(tmp_path / "page")], check=True, timeout=120
    )
    pngs = sorted(tmp_path.glob("page-*.png"))
    assert len(pngs) == len(PdfReader(out).pages) >= 3
    assert all(p.stat().st_size > 5000 for p in pngs)


@pytest.mark.postgres
def test_the_command_line_writes_the_department_report(
    pg_team: Team, clock: Clock, tmp_path: Path
) -> None:
    db = pg_team.db
    week = build_hospital(db, clock.today)
    out = tmp_path / "med.pdf"
    ran = hh(
        "report",
        "department",
        "--tier",
        "MED",
        "--week",
        week.label,
        "--out",
        str(out),
        env_dir=tmp_path / "it",
        database=db.url,
    )
    assert ran.returncode == 0, ran.stderr
    assert f"Report of MED for {week.label} written to" in ran.stdout
    assert "5E · Ward 5 East" in _text(out)
    unknown = hh(
        "report",
        "department",
        "--tier",
        "NOPE",
        "--out",
        str(tmp_path / "x.pdf"),
        env_dir=tmp_path / "it",
        database=db.url,
    )
    assert unknown.returncode != 0 and "no tier with the code 'NOPE'" in unknown.stderr
    assert "Traceback" not in unknown.stderr and not (tmp_path / "x.pdf").exists()


def test_the_command_line_on_a_units_own_file_says_it_needs_the_shared_server(
    tmp_path: Path,
) -> None:
    assert hh("demo-data", "--years", "1", env_dir=tmp_path).returncode == 0
    ran = hh(
        "report",
        "department",
        "--tier",
        "MED",
        "--week",
        "2026-W01",
        "--out",
        str(tmp_path / "x.pdf"),
        env_dir=tmp_path,
    )
    assert ran.returncode != 0 and "shared server" in ran.stderr
    assert "Traceback" not in ran.stderr and not (tmp_path / "x.pdf").exists()
    assert dt.date.today()  # the demo's unit is still there to work on
    assert Week.parse("2026-W01")


@pytest.mark.postgres
def test_a_report_for_a_week_before_any_unit_began_says_so_and_shows_no_zeros(
    pg_team: Team, clock: Clock, tmp_path: Path
) -> None:
    db = pg_team.db
    build_hospital(db, clock.today)
    old = Week.parse("2020-W01")
    body = _text(report.write(db, IT, "MED", old, tmp_path / "old.pdf"))
    assert f"Nothing to show for {old.label}: none of Medicine's units had begun" in body
    assert "0 of 14" not in body and "0 units" not in body and "side by side" not in body
    assert "Medicine together" not in body


@pytest.mark.postgres
def test_a_week_not_over_prints_so_far_and_ages_on_today(
    pg_team: Team, clock: Clock, tmp_path: Path
) -> None:
    from test_department import _tier_id

    from hrohuddle.services import dates, department

    db = pg_team.db
    week = build_hospital(db, clock.today)
    wednesday = week.monday + dt.timedelta(days=2)
    figures = department.department_week(db, IT, _tier_id(db, "MED"), week, today=wednesday)
    out = tmp_path / "running.pdf"
    report.build(figures, out, author="IT")
    body = _text(out)
    sunday = week.monday + dt.timedelta(days=6)
    assert f"to {dates.day(wednesday)} so far" in body
    assert f"Age on {dates.day(wednesday)} (today)" in body
    assert f"Age on {dates.day(sunday)}" not in body
    assert f"{week.label} is not over" in body


@pytest.mark.postgres
def test_each_unit_prints_every_chart_its_signals_count(
    pg_team: Team, clock: Clock, tmp_path: Path
) -> None:
    db = pg_team.db
    week = build_hospital(db, clock.today)
    body = _text(report.write(db, IT, "MED", week, tmp_path / "med.pdf"))
    for name in ("Medicine", "Ward 4 West", "Ward 5 East"):
        assert f"{name}: reporters who heard back within 7 days" in body
