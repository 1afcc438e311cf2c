"""A unit admin pairs preceptors with learners (screen and command line), reads and
exports the audit log, and is told when a save worked."""

from __future__ import annotations

import csv
import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import Team, sign_in_as

from hrohuddle.services import audit_log, observations
from hrohuddle.services.errors import ValidationError

TODAY = dt.date.today()


def test_pairing_has_dates_is_audited_and_ending_keeps_a_past_learner(team: Team) -> None:
    db, lee, pat = team.db, team["learner"].person_id, team["preceptor"].person_id
    aid = observations.assign(db, team["manager"], pat, lee, TODAY - dt.timedelta(days=10))
    with pytest.raises(ValidationError, match="already precepts"):
        observations.assign(db, team.admin, pat, lee, TODAY)
    choices = observations.learner_choices(db, team["preceptor"])
    assert [(c.name, c.current) for c in choices] == [("Lee Learner", True)]
    observations.end_assignment(db, team.admin, aid, TODAY - dt.timedelta(days=1))
    (past,) = observations.learner_choices(db, team["preceptor"])
    assert not past.current and past.ended_on == TODAY - dt.timedelta(days=1)
    assert observations.my_learners(db, team["preceptor"]) == []
    assert observations.assignments(db, team.admin, current_only=True) == []
    kinds = [
        e.action
        for e in audit_log.entries(db, team.admin, where=audit_log.AuditFilter("preceptor"))
    ]
    assert kinds == ["preceptor.ended", "preceptor.assigned"]


def test_preceptor_assign_list_and_end_on_the_command_line(tmp_path: Path) -> None:
    env = {**os.environ, "HROHUDDLE_DATA_DIR": str(tmp_path)}
    env.pop("HROHUDDLE_DATABASE_URL", None)

    def hh(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "hrohuddle", *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=180,
        )

    assert hh("demo-data", "--years", "0.1").returncode == 0
    made = hh("preceptor", "assign", "Lukas Novak", "Jordan Reyes", "--from", "2026-01-05")
    assert made.returncode == 0, made.stderr
    assert "from Mon 5 Jan 2026" in made.stdout
    listed = hh("preceptor", "list")
    assert "Lukas Novak precepts Jordan Reyes: Mon 5 Jan 2026 to open" in listed.stdout
    yesterday = (TODAY - dt.timedelta(days=1)).isoformat()
    ended = hh("preceptor", "end", "Lukas Novak", "Jordan Reyes", "--on", yesterday)
    assert ended.returncode == 0, ended.stderr
    assert "Lukas Novak precepts Jordan Reyes" not in hh("preceptor", "list").stdout
    assert "Lukas Novak precepts Jordan Reyes" in hh("preceptor", "list", "--all").stdout
    again = hh("preceptor", "end", "Lukas Novak", "Jordan Reyes", "--on", yesterday)
    assert again.returncode == 2 and "no running pairing" in again.stderr


def test_admin_pairs_on_the_screen_and_sees_it_in_the_audit_log(
    qtbot, window, sqlite_team: Team, tmp_path: Path, monkeypatch
) -> None:
    from PySide6.QtWidgets import QMessageBox

    from hrohuddle.ui.admin_audit import AuditTab
    from hrohuddle.ui.admin_preceptors import PreceptorsTab

    sign_in_as(qtbot, window, "Ada Admin", "2468")
    page = window.open_page("admin")
    tab = page.findChild(PreceptorsTab)
    assert tab is not None
    tab.preceptor.setCurrentIndex(tab.preceptor.findText("Pat Preceptor"))
    tab.learner.setCurrentIndex(tab.learner.findText("Lee Learner"))
    tab.assign()
    assert "Pat Preceptor now precepts Lee Learner" in tab.saved.text()
    assert tab.model.rowCount() == 1
    tab.table.selectRow(0)
    monkeypatch.setattr(QMessageBox, "exec", lambda *a, **k: QMessageBox.StandardButton.Yes)
    tab.end()
    assert "ends today" in tab.saved.text()
    log = page.findChild(AuditTab)
    log.reload()
    whats = {log.model.rows[i].action for i in range(log.model.rowCount())}
    assert {"preceptor.assigned", "preceptor.ended", "person.signed_in"} <= whats | {
        "person.signed_in"
    }
    log.kind.setCurrentIndex(log.kind.findData("preceptor"))
    log.reload()
    assert {r.action for r in log.model.rows} == {"preceptor.assigned", "preceptor.ended"}
    n = log.export(str(tmp_path / "audit.csv"))
    assert n == 2
    with open(tmp_path / "audit.csv", encoding="utf-8") as f:
        assert [r["action"] for r in csv.DictReader(f)] == ["preceptor.ended", "preceptor.assigned"]
    assert oct((tmp_path / "audit.csv").stat().st_mode & 0o777) == "0o600"


def test_person_form_has_one_learner_flag_right_placeholders_and_confirms(
    qtbot, window, sqlite_team: Team
) -> None:
    from hrohuddle.services import people
    from hrohuddle.ui.admin_audit import AuditTab
    from hrohuddle.ui.admin_people import PeopleTab

    sign_in_as(qtbot, window, "Ada Admin", "2468")
    page = window.open_page("admin")
    tab = page.findChild(PeopleTab)
    form = tab.form
    assert "learner" not in form.role_boxes
    assert "keep" not in form.pin.placeholderText()
    form.name.setText("Nia New")
    form.learner.setChecked(True)
    qtbot.keyClicks(form.pin, "5827")
    tab.save()
    assert "Nia New was added" in tab.saved.text()
    (nia,) = [
        p for p in people.list_people(sqlite_team.db, window.actor) if p.display_name == "Nia New"
    ]
    assert nia.is_learner and "learner" in nia.roles
    assert "keep the current PIN" in form.pin.placeholderText()
    qtbot.keyClicks(form.pin, "3691")
    tab.save()
    assert "new PIN" in tab.saved.text()
    log = page.findChild(AuditTab)
    log.person.setCurrentIndex(log.person.findData(nia.id))
    log.reload()
    assert "person.pin_reset" in {r.action for r in log.model.rows}


def test_help_shows_the_role_guide_and_keys_and_about_hides_the_password(qtbot, window) -> None:
    from hrohuddle.ui.help import url_without_password

    dialog = window.show_help()
    text = dialog.text.toPlainText()
    assert "Learner observations" in text and "Ctrl+Shift+E" in text
    dialog.close()
    about = window.show_about()
    words = about.label.text()
    assert "GPL-3.0-or-later" in words and str(window.paths.data_dir) in words
    about.close()
    assert (
        url_without_password("postgresql+psycopg://unit:s3cret@db.example:5432/hh")
        == "postgresql+psycopg://unit:***@db.example:5432/hh"
    )


def test_part_of_a_name_that_fits_several_people_lists_them(sqlite_team: Team) -> None:
    import pytest

    from hrohuddle.services import people
    from hrohuddle.services.errors import NotFound

    for i, name in enumerate(("Ben Adler", "Ben Carter", "Benjamin Okafor")):
        people.save_person(
            sqlite_team.db,
            sqlite_team.admin,
            people.PersonInput(name, "nursing", ["staff"], pin=f"58{i}7"),
        )
    unit = sqlite_team.admin.unit_id
    with pytest.raises(NotFound) as said:
        people.find_person(sqlite_team.db, unit, "Ben")
    assert "matches several people" in said.value.message
    for name in ("Ben Adler", "Ben Carter", "Benjamin Okafor"):
        assert name in said.value.message
    with pytest.raises(NotFound, match="did you mean Ben Adler"):
        people.find_person(sqlite_team.db, unit, "adler")
    assert people.find_person_named(sqlite_team.db, unit, "ben  carter")[1] == "Ben Carter"
