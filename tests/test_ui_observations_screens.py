"""A preceptor's log as preceptors, learners and managers use it: what is shown is the
selected learner's, latest means latest, nothing typed is lost, every error at once."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from conftest import PINS, Team, sign_in_as
from pypdf import PdfReader
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from hrohuddle.services import checklists, drafts, observations, people
from hrohuddle.services.errors import ValidationErrors
from hrohuddle.store.models import Person

TODAY = dt.date.today()


def _second_learner(team: Team) -> int:
    return people.save_person(
        team.db,
        team.admin,
        people.PersonInput("Jo Second", "medicine", ["learner"], is_learner=True, pin="2580"),
    )


def _pair(team: Team, learner_id: int) -> None:
    with team.db.write() as s:
        s.get(Person, learner_id).start_date = TODAY - dt.timedelta(days=40)
    observations.assign(
        team.db,
        team["manager"],
        team["preceptor"].person_id,
        learner_id,
        TODAY - dt.timedelta(days=40),
    )
    checklists.sync_templates(team.db)


def _log(team: Team, learner_id: int, days_ago: int, rating: int, **more) -> int:
    args = dict(
        observed_on=TODAY - dt.timedelta(days=days_ago),
        setting="handoff",
        domains=["C"],
        behaviours=["SBAR"],
        rating=rating,
        strengths=f"Rated {rating}",
        next_steps=None,
    )
    args.update(more)
    return observations.log(team.db, team["preceptor"], learner_id, **args)


def test_latest_rating_is_the_one_logged_last_even_on_the_same_day(sqlite_team: Team) -> None:
    lee = sqlite_team["learner"].person_id
    _pair(sqlite_team, lee)
    _log(sqlite_team, lee, 5, 4)
    _log(sqlite_team, lee, 1, 4)
    _log(sqlite_team, lee, 1, 1)
    _log(sqlite_team, lee, 1, 2)
    p = observations.progress(sqlite_team.db, sqlite_team["preceptor"], lee)
    assert p.latest == 2
    assert [r for _d, r in p.ratings] == [4, 4, 1, 2]


def test_every_error_comes_at_once_with_its_field(sqlite_team: Team) -> None:
    lee = sqlite_team["learner"].person_id
    _pair(sqlite_team, lee)
    with pytest.raises(ValidationErrors) as info:
        observations.log(
            sqlite_team.db,
            sqlite_team["preceptor"],
            lee,
            observed_on=TODAY + dt.timedelta(days=2),
            setting="nowhere",
            domains=[],
            behaviours=[],
            rating=0,
            strengths=None,
            next_steps=None,
        )
    fields = {f for f, _m in info.value.problems}
    assert fields == {"rating", "setting", "domains", "observed_on"}


def test_details_follow_the_selected_learner_and_show_names(
    qtbot, window, sqlite_team: Team
) -> None:
    lee = sqlite_team["learner"].person_id
    jo = _second_learner(sqlite_team)
    _pair(sqlite_team, lee)
    _pair(sqlite_team, jo)
    _log(sqlite_team, lee, 3, 3, behaviours=["SBAR"])
    sign_in_as(qtbot, window, "Pat Preceptor", PINS["preceptor"])
    page = window.open_page("observations")
    page.learner.setCurrentIndex(page.learner.findData(lee))
    page.list.setCurrentRow(0)
    assert "Lee Learner" in page.detail.text()
    assert "SBAR" not in page.detail.text().replace("SBAR (", "")  # a name, not the code
    catalogue = observations.behaviour_catalogue(sqlite_team.db)
    assert catalogue["SBAR"] in page.detail.text()
    page.learner.setCurrentIndex(page.learner.findData(jo))
    assert page.list.count() == 0
    assert "Lee Learner" not in page.detail.text() and "Rated" not in page.detail.text()
    # The screen opens on the learner chosen last time.
    window.sign_out()
    sign_in_as(qtbot, window, "Pat Preceptor", PINS["preceptor"])
    page = window.open_page("observations")
    assert page.learner.currentData() == jo


def test_a_new_observation_keeps_the_last_setting_and_says_so_but_observes_afresh(
    qtbot, window, sqlite_team: Team
) -> None:
    """Only the setting is carried over, and the form says so; what was observed last
    time (domains, behaviours) is for this observation to say, never pre-ticked."""
    from hrohuddle.ui.observations import LogDialog

    lee = sqlite_team["learner"].person_id
    _pair(sqlite_team, lee)
    _log(sqlite_team, lee, 2, 3, setting="rounds", domains=["C", "TT"], behaviours=["SBAR"])
    sign_in_as(qtbot, window, "Pat Preceptor", PINS["preceptor"])
    page = window.open_page("observations")
    dialog = LogDialog(sqlite_team.db, window.actor, lee, "Lee Learner", page, page.rows[0])
    qtbot.addWidget(dialog)
    assert dialog.setting.currentData() == "rounds"
    assert "last time" in dialog.context_note.text() and dialog.context_note.isVisibleTo(dialog)
    assert not any(b.isChecked() for b in dialog.domains.values())
    assert dialog.chosen_behaviours() == []
    assert dialog.rating.checkedId() == -1 and dialog.strengths.toPlainText() == ""
    assert dialog.behaviours.minimumHeight() >= 200


def test_typed_text_is_kept_as_a_draft_and_escape_asks(qtbot, window, sqlite_team: Team) -> None:
    from hrohuddle.ui.observations import LogDialog

    lee = sqlite_team["learner"].person_id
    _pair(sqlite_team, lee)
    sign_in_as(qtbot, window, "Pat Preceptor", PINS["preceptor"])
    page = window.open_page("observations")
    dialog = LogDialog(sqlite_team.db, window.actor, lee, "Lee Learner", page)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.strengths, "Spoke up at the pump")
    dialog.keep_draft()
    saved = drafts.load(sqlite_team.db, window.actor, "observation", f"learner:{lee}")
    assert saved is not None and saved["strengths"] == "Spoke up at the pump"

    def answer(text: str) -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox), box
        (choice,) = [b for b in box.buttons() if b.text() == text]
        choice.click()

    QTimer.singleShot(50, lambda: answer("Go back"))
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.isVisible()
    QTimer.singleShot(50, lambda: answer("Keep as a draft"))
    dialog.reject()
    assert not dialog.isVisible()
    again = LogDialog(sqlite_team.db, window.actor, lee, "Lee Learner", page)
    qtbot.addWidget(again)
    assert again.strengths.toPlainText() == "Spoke up at the pump"
    # Errors all at once, each beside its field.
    again.save()
    assert again.errors["rating"].isVisibleTo(again)
    assert again.errors["domains"].isVisibleTo(again)
    again.domains["C"].setChecked(True)
    again.rating.button(3).setChecked(True)
    again.save()
    assert again.result() == again.DialogCode.Accepted
    assert drafts.load(sqlite_team.db, window.actor, "observation", f"learner:{lee}") is None


def test_learner_summary_is_complete_named_and_confirmed(
    qtbot, window, sqlite_team: Team, tmp_path: Path, monkeypatch
) -> None:
    lee = sqlite_team["learner"].person_id
    _pair(sqlite_team, lee)
    obs = _log(sqlite_team, lee, 2, 4, next_steps=None)
    observations.acknowledge(sqlite_team.db, sqlite_team["learner"], obs, "Thank you, Pat")
    sign_in_as(qtbot, window, "Pat Preceptor", PINS["preceptor"])
    page = window.open_page("observations")
    suggested: list[str] = []

    def ask(_parent, _title, name, _filter):  # type: ignore[no-untyped-def]
        suggested.append(name)
        return str(tmp_path / Path(name).name), "PDF"

    monkeypatch.setattr("PySide6.QtWidgets.QFileDialog.getSaveFileName", ask)
    out = page.save_pdf()
    assert out is not None and "lee-learner" in suggested[0]
    assert "saved to" in page.last_confirmation.text()
    text = "\n".join(p.extract_text() for p in PdfReader(out).pages)
    assert "Pat Preceptor" in text and "Thank you, Pat" in text
    assert "Next:" not in text and "Acknowledg\ned" not in text
    from PySide6.QtPrintSupport import QPrinter

    printer = QPrinter()
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    assert page.print_pdf(printer)
    assert (tmp_path / "printed.pdf").stat().st_size > 1000


def test_choosing_a_rating_clears_the_rating_problem(qtbot, window, sqlite_team: Team) -> None:
    from hrohuddle.ui.observations import LogDialog

    lee = sqlite_team["learner"].person_id
    _pair(sqlite_team, lee)
    sign_in_as(qtbot, window, "Pat Preceptor", PINS["preceptor"])
    page = window.open_page("observations")
    dialog = LogDialog(sqlite_team.db, window.actor, lee, "Lee Learner", page)
    qtbot.addWidget(dialog)
    dialog.save()
    problem = dialog.errors["rating"]
    assert problem.isVisibleTo(dialog) and "rating" in problem.text().lower()
    dialog.rating.button(3).click()
    assert not problem.isVisibleTo(dialog)
    assert not dialog.context_note.isVisibleTo(dialog)  # nothing carried over: no note
