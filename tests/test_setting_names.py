"""One vocabulary of settings: an observation logged at a safety huddle and a checklist
watched at one are named alike on every screen, in the learner summary and in exports."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import yaml
from conftest import PINS, Team, sign_in_as
from pypdf import PdfReader
from PySide6.QtCore import Qt

from hrohuddle.paths import resources_dir
from hrohuddle.reports import learner_summary
from hrohuddle.services import checklists, exports, observations
from hrohuddle.store.models import Person

TODAY = dt.date.today()


def _combo(box) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {str(box.itemData(i)): box.itemText(i) for i in range(box.count())}


def test_the_data_file_holds_one_list_of_settings() -> None:
    data = yaml.safe_load((resources_dir() / "scales" / "entrustment.yaml").read_text("utf-8"))
    keys = [s["key"] for s in data["settings"]]
    labels = [s["label"] for s in data["settings"]]
    assert len(set(keys)) == len(keys) and len(set(labels)) == len(labels)
    # Checklists name the settings they are watched in by key, never with labels of their own.
    assert "observation_contexts" not in data
    assert set(data["checklist_settings"]) <= set(keys)


def test_the_observation_and_checklist_screens_name_each_setting_alike(
    qtbot, window, sqlite_team: Team
) -> None:
    from hrohuddle.ui.observations import LogDialog

    lee = sqlite_team["learner"].person_id
    with sqlite_team.db.write() as s:
        s.get(Person, lee).start_date = TODAY - dt.timedelta(days=10)
    observations.assign(
        sqlite_team.db, sqlite_team["manager"], sqlite_team["preceptor"].person_id, lee, TODAY
    )
    checklists.sync_templates(sqlite_team.db)
    sign_in_as(qtbot, window, "Pat Preceptor", PINS["preceptor"])
    page = window.open_page("observations")
    dialog = LogDialog(sqlite_team.db, window.actor, lee, "Lee Learner", page)
    qtbot.addWidget(dialog)
    logged = _combo(dialog.setting)
    watched = _combo(window.open_page("checklists").observe.context)
    assert watched and set(watched) <= set(logged)
    assert {k: logged[k] for k in watched} == watched
    assert watched["huddle"] == "Safety huddle"


def test_a_checklist_session_the_summary_and_the_exports_use_the_same_names(
    qtbot, window, sqlite_team: Team, tmp_path: Path
) -> None:
    team = sqlite_team
    lee = team["learner"].person_id
    with team.db.write() as s:
        s.get(Person, lee).start_date = TODAY - dt.timedelta(days=10)
    observations.assign(team.db, team["manager"], team["preceptor"].person_id, lee, TODAY)
    checklists.sync_templates(team.db)
    observations.log(
        team.db,
        team["preceptor"],
        lee,
        observed_on=TODAY,
        setting="huddle",
        domains=["C"],
        behaviours=[],
        rating=3,
        strengths="Spoke up about the pump",
        next_steps=None,
    )
    summary = learner_summary.build(team.db, team["preceptor"], lee, tmp_path / "s.pdf")
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(summary).pages)
    assert "Safety huddle" in text
    assert "3 — I had to" in text  # the rating as the screen writes it

    sign_in_as(qtbot, window, "Cai Charge", PINS["charge_nurse"])
    tab = window.open_page("checklists").observe
    tab.template.setCurrentIndex(
        tab.template.findText("TeamSTEPPS Team Performance", Qt.MatchFlag.MatchStartsWith)
    )
    tab.context.setCurrentIndex(tab.context.findData("huddle"))
    tab.start()
    assert tab.panel is not None
    assert tab.panel.context_line.text().startswith("Safety huddle")

    obs_csv, chk_csv = tmp_path / "o.csv", tmp_path / "c.csv"
    exports.export_observations(team.db, team["manager"], obs_csv)
    exports.export_checklists(team.db, team["manager"], chk_csv)
    with open(obs_csv, encoding="utf-8") as f:
        obs_header = next(csv.reader(f))
    with open(chk_csv, encoding="utf-8") as f:
        chk_header = next(csv.reader(f))
    # The same column for the same vocabulary, holding the same keys.
    assert "setting" in obs_header and "setting" in chk_header


def test_the_list_of_observations_names_each_ones_setting(qtbot, window, sqlite_team: Team) -> None:
    lee = sqlite_team["learner"].person_id
    with sqlite_team.db.write() as s:
        s.get(Person, lee).start_date = TODAY - dt.timedelta(days=10)
    observations.assign(
        sqlite_team.db, sqlite_team["manager"], sqlite_team["preceptor"].person_id, lee, TODAY
    )
    checklists.sync_templates(sqlite_team.db)
    observations.log(
        sqlite_team.db,
        sqlite_team["preceptor"],
        lee,
        observed_on=TODAY,
        setting="rounds",
        domains=["C"],
        behaviours=[],
        rating=3,
        strengths="Presented clearly",
        next_steps=None,
    )
    sign_in_as(qtbot, window, "Pat Preceptor", PINS["preceptor"])
    page = window.open_page("observations")
    line = page.list.item(0).text()
    assert "Ward rounds" in line and "by Pat Preceptor" in line
