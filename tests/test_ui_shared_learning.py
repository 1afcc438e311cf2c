"""Shared learning on screen: "you said, we did" on the board's look back, "me too",
the bulletin in large type, the capture form's consents, and a good catch its reporter
agreed to share becoming the huddle's teaching point."""

from __future__ import annotations

import datetime as dt

from conftest import PINS, Team, sign_in_as
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from sqlalchemy import select
from test_bulletin import report, step, summarise

from hrohuddle.store.models import Huddle, HuddleItem, SafetyEvent, utcnow


def _rows(lst) -> list[str]:  # type: ignore[no-untyped-def]
    return [lst.item(i).text() for i in range(lst.count())]


def _a_closed_huddle_yesterday(team: Team) -> None:
    yesterday = dt.date.today() - dt.timedelta(days=1)
    ended = utcnow() - dt.timedelta(days=1)
    with team.db.write() as s:
        s.add(
            Huddle(
                unit_id=team.admin.unit_id,
                huddle_date=yesterday,
                shift="day",
                status="closed",
                started_at=ended - dt.timedelta(minutes=12),
                ended_at=ended,
                led_by_id=team["charge_nurse"].person_id,
            )
        )


def _board(qtbot, window):  # type: ignore[no-untyped-def]
    sign_in_as(qtbot, window, "Cai Charge", PINS["charge_nurse"])
    page = window.open_page("huddle")
    page.start()
    assert page.board is not None
    return page.board


def test_the_board_says_you_said_we_did_and_me_too_counts_once(
    qtbot, window, sqlite_team: Team, monkeypatch
) -> None:
    team = sqlite_team
    db = team.db
    old = report(db, team["staff"], "near_miss", "Fridge alarm silenced")
    summarise(db, old, "A fridge alarm was silenced")
    with db.write() as s:  # told at yesterday's huddle already
        from hrohuddle.store.models import ReportStep

        s.add(
            ReportStep(
                event_id=old,
                step="action",
                on_date=dt.date.today() - dt.timedelta(days=2),
                sentence="The fridge alarm now rings at the desk",
                created_at=utcnow() - dt.timedelta(days=2),
            )
        )
    _a_closed_huddle_yesterday(team)
    done = report(db, team["staff"], "workaround", "Tubing borrowed from the next ward")
    summarise(db, done, "Pump tubing ran out on a late shift")
    step(db, done, "action", "Pharmacy now keeps ten spare sets on the unit")

    board = _board(qtbot, window)
    rows = _rows(board.lists["look_back"])
    said = [r for r in rows if r.startswith("You said:")]
    whole = [board.lists["look_back"].item(rows.index(r)).toolTip() for r in said]
    assert whole == [
        "You said: Pump tubing ran out on a late shift. "
        "We did: Pharmacy now keeps ten spare sets on the unit."
    ]
    assert not any("fridge alarm" in r.lower() and "We did" in r for r in rows)

    told: list[str] = []
    monkeypatch.setattr("hrohuddle.ui.board_follow_up.tell", lambda _p, _t, m: told.append(m))
    look_back = board.lists["look_back"]
    look_back.setCurrentRow(rows.index(said[0]))
    assert board.me_too_button.isVisible() and board.me_too_button.accessibleName()
    board.me_too_button.setFocus()
    qtbot.keyClick(board.me_too_button, Qt.Key.Key_Space)
    assert told[-1] == "Thank you: counted, never named. You have seen this too."
    rows = _rows(look_back)
    assert any(r.startswith("You said:") and "Seen by 1 other too" in r for r in rows)
    qtbot.keyClick(board.me_too_button, Qt.Key.Key_Space)
    assert told[-1] == "You have already said you have seen this too."
    with db.read() as s:
        assert s.scalar(select(SafetyEvent.me_too_count).where(SafetyEvent.id == done)) == 1


def test_the_bulletin_opens_in_large_type_and_takes_me_too(
    qtbot, window, sqlite_team: Team, monkeypatch
) -> None:
    from PySide6.QtGui import QFontInfo

    from hrohuddle.ui.bulletin import BulletinDialog

    team = sqlite_team
    shared = report(team.db, team["learner"], "unsafe_condition", "Suction weak in bay 3")
    summarise(team.db, shared, "Suction in one bay was too weak to use")
    step(team.db, shared, "shared", "Test suction at every handover")
    board = _board(qtbot, window)
    assert board.bulletin_button.isVisible()
    opened: list[BulletinDialog] = []
    monkeypatch.setattr(BulletinDialog, "exec", lambda self: opened.append(self) or 0)
    qtbot.mouseClick(board.bulletin_button, Qt.MouseButton.LeftButton)
    (dialog,) = opened
    qtbot.addWidget(dialog)
    dialog.show()
    # The last complete week first, as the command line prints it; this one is Later.
    assert dialog.span.text().startswith("Last week: ")
    assert "No reports were made this week" in dialog.thanks.text()
    assert dialog.later.isEnabled()
    qtbot.mouseClick(dialog.later, Qt.MouseButton.LeftButton)
    assert dialog.span.text().startswith("This week, so far: ")
    texts = _rows(dialog.items)
    assert "What we learned together" in texts
    line = next(t for t in texts if "Test suction at every handover" in t)
    assert QFontInfo(dialog.items.font()).pixelSize() >= 16  # the board's type
    dialog.items.setCurrentRow(texts.index(line))
    qtbot.mouseClick(dialog.me_too_button, Qt.MouseButton.LeftButton)
    # The reader is not one of "the others": the only one, said plainly.
    assert dialog.status.text() == "Thank you: counted, never named. You have seen this too."
    assert any(t.endswith("\nYou have seen this too") for t in _rows(dialog.items))
    assert not any("other" in t for t in _rows(dialog.items))
    qtbot.mouseClick(dialog.me_too_button, Qt.MouseButton.LeftButton)
    assert dialog.status.text() == "You have already said you have seen this too."
    # This week's is the newest.
    assert not dialog.later.isEnabled()


def test_the_capture_form_asks_the_consents_plainly_and_unchecked(
    qtbot, window, sqlite_team: Team, monkeypatch
) -> None:
    from hrohuddle.ui.capture import CaptureDialog

    sign_in_as(qtbot, window, "Lee Learner", PINS["learner"])
    form = CaptureDialog(window.db, window.actor, window)
    qtbot.addWidget(form)
    form.show()
    boxes = (form.teaching_consent, form.recognise_by_name, form.words_may_be_shared)
    assert [b.isChecked() for b in boxes] == [False, False, False]
    assert form.words_may_be_shared.isVisible()
    assert not form.teaching_consent.isVisible()  # a teaching point is a good catch's
    form.kind_buttons["good_catch"].setChecked(True)
    assert form.teaching_consent.isVisible() and form.recognise_by_name.isVisible()
    assert form.teaching_consent.text() == "You may use this as a teaching point at a huddle"
    assert form.recognise_by_name.text() == "Name me when it is recognised"
    assert form.words_may_be_shared.text() == "My own words may be quoted in the unit's bulletin"
    form.anonymous.setChecked(True)
    assert not form.recognise_by_name.isVisible()  # an anonymous report is never named
    form.anonymous.setChecked(False)

    qtbot.keyClicks(form.narrative, "Spotted the allergy band before the first dose")
    form.category.setCurrentIndex(form.category.findData("medication"))
    for box in boxes:  # by keyboard, as a person tabbing through the form would
        form.scroll_area.ensureWidgetVisible(box)
        box.setFocus()
        qtbot.keyClick(box, Qt.Key.Key_Space)
    assert [b.isChecked() for b in boxes] == [True, True, True]
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: None)
    form.submit()
    assert form.submitted is not None and form.submitted.event_id is not None
    with window.db.read() as s:
        stored = s.get(SafetyEvent, form.submitted.event_id)
        assert stored is not None
        assert (stored.teaching_consent, stored.recognise_by_name, stored.words_may_be_shared) == (
            True,
            True,
            True,
        )


def test_the_teaching_point_takes_an_agreed_good_catch_and_names_only_who_asked(
    qtbot, window, sqlite_team: Team, monkeypatch
) -> None:
    from hrohuddle.ui.board_widgets import GoodCatchDialog

    team = sqlite_team
    db = team.db
    agreed = report(
        db,
        team["learner"],
        "good_catch",
        "Allergy band checked before the first dose",
        teaching=True,
        named=True,
    )
    summarise(db, agreed, "A penicillin allergy caught at the bedside check")
    report(db, team["staff"], "good_catch", "Not for teaching, thank you")
    board = _board(qtbot, window)
    assert board.from_catch_button.isVisible()

    offered: list[list[str]] = []

    def choose_first(self: GoodCatchDialog) -> int:
        offered.append(_rows(self.list))
        self.list.setCurrentRow(0)
        self.accept()
        return 1

    monkeypatch.setattr(GoodCatchDialog, "exec", choose_first)
    qtbot.mouseClick(board.from_catch_button, Qt.MouseButton.LeftButton)
    assert len(offered[0]) == 1 and offered[0][0].startswith(
        "A penicillin allergy caught at the bedside check."
    )
    assert "Lee Learner" in offered[0][0]  # the charge nurse sees who asked to be thanked
    teach = board.inputs["teach"]
    assert teach.edit.text() == "A penicillin allergy caught at the bedside check."
    # Said where the teaching point will stand, not squeezed under its field.
    (note,) = _rows(board.lists["teach"])
    assert note.startswith("From a good catch of ") and "its reporter agreed" in note
    qtbot.keyClick(teach.edit, Qt.Key.Key_Return)

    with db.read() as s:
        items = s.execute(
            select(HuddleItem.section, HuddleItem.event_id, HuddleItem.text).where(
                HuddleItem.event_id == agreed
            )
        ).all()
    assert sorted((section, event_id) for section, event_id, _t in items) == [
        ("recognise", agreed),
        ("teach", agreed),
    ]
    assert any("Good catch by Lee Learner" in r for r in _rows(board.lists["recognise"]))
    assert _rows(board.lists["teach"])[0].startswith("A penicillin allergy caught")
    assert not board.from_catch_button.isVisible()  # one teaching point per huddle


def test_the_new_dialogs_fit_a_laptop_screen(qtbot, window, sqlite_team: Team) -> None:
    from test_ui_fit import _problems

    from hrohuddle.services import teaching
    from hrohuddle.ui.board_widgets import GoodCatchDialog
    from hrohuddle.ui.bulletin import BulletinDialog

    team = sqlite_team
    for n in range(6):
        eid = report(
            team.db, team["learner"], "good_catch", f"Caught it, number {n}", teaching=True
        )
        summarise(team.db, eid, f"A good catch at the bedside, number {n}, " * 3)
        step(team.db, eid, "shared", "Shared at the huddle: " + "what we learned " * 5)
    board = _board(qtbot, window)
    window.resize(1366, 768)
    found = []
    for dialog in (
        BulletinDialog(team.db, window.actor, board),
        GoodCatchDialog(board, teaching.offers(team.db, window.actor)),
    ):
        qtbot.addWidget(dialog)
        dialog.resize(min(dialog.width(), 1300), min(dialog.height(), 700))
        dialog.show()
        qtbot.wait(50)
        found += [f"{dialog.windowTitle()}: {p}" for p in _problems(dialog)]
        dialog.hide()
    assert found == []


def test_everyone_who_sees_the_huddle_page_can_open_the_bulletin(
    qtbot, window, sqlite_team: Team
) -> None:
    for name, role in (("Lee Learner", "learner"), ("Sol Staff", "staff")):
        sign_in_as(qtbot, window, name, PINS[role])
        page = window.open_page("huddle")
        window.show()
        assert page.bulletin_button.isVisible(), name
        window.sign_out()


def test_recognise_names_a_good_catch_once_and_only_with_consent(
    qtbot, window, sqlite_team: Team
) -> None:
    from hrohuddle.services import teaching

    team = sqlite_team
    db = team.db
    named = report(
        db, team["learner"], "good_catch", "Heparin checked twice", teaching=True, named=True
    )
    report(db, team["staff"], "good_catch", "Wrong pump rate spotted")
    board = _board(qtbot, window)
    assert _rows(board.lists["recognise"]) == [
        "Good catch by Lee Learner: Heparin checked twice",
        "Good catch: Wrong pump rate spotted",
    ]
    (offer,) = teaching.offers(db, window.actor)
    board.link_teaching_point(offer)
    qtbot.keyClick(board.inputs["teach"].edit, Qt.Key.Key_Return)
    assert _rows(board.lists["recognise"]) == [
        "Good catch by Lee Learner: Heparin checked twice (today's teaching point)",
        "Good catch: Wrong pump rate spotted",
    ]
    # Removing the teaching point takes back what it added, and only that.
    qtbot.mouseClick(board.remove_teach_button, Qt.MouseButton.LeftButton)
    assert board.state is not None and board.state.items["teach"] == []
    assert _rows(board.lists["recognise"]) == [
        "Good catch by Lee Learner: Heparin checked twice",
        "Good catch: Wrong pump rate spotted",
    ]
    assert named in {e.id for e in board.state.good_catches}


def test_remove_says_what_to_choose(qtbot, window, sqlite_team: Team, monkeypatch) -> None:
    report(sqlite_team.db, sqlite_team["staff"], "near_miss", "Insulin drawn up for bay 4")
    board = _board(qtbot, window)
    said: list[str] = []
    monkeypatch.setattr("hrohuddle.ui.board_follow_up.show_problem", lambda _p, m: said.append(m))
    look_back = board.lists["look_back"]
    look_back.setCurrentRow(-1)
    board.remove_item("look_back")
    board.remove_item("look_ahead")
    assert said == ["Choose an item to remove first."] * 2
    look_back.setCurrentRow(0)
    board.remove_item("look_back")
    assert said[-1] == "Choose an item you added by hand; reports stay on the board."


def test_you_said_we_did_is_two_lines_with_the_whole_in_its_tooltip(
    qtbot, window, sqlite_team: Team
) -> None:
    team = sqlite_team
    db = team.db
    _a_closed_huddle_yesterday(team)
    done = report(db, team["staff"], "workaround", "Tubing borrowed")
    said = "Pump tubing ran out on a late shift and was borrowed from the next ward " * 2
    did = "Pharmacy now keeps ten spare sets on the unit and checks them every Monday " * 2
    summarise(db, done, said)
    step(db, done, "action", did)
    report(db, team["staff"], "near_miss", "Insulin drawn up for the wrong bay")
    board = _board(qtbot, window)
    window.resize(1366, 768)
    window.show()
    qtbot.wait(50)
    look_back = board.lists["look_back"]
    first = look_back.item(0)  # before the reports: read first, never below the fold
    text = first.text()
    said_line, did_line = text.split("\n")
    assert said_line.startswith("You said: Pump tubing") and did_line.startswith("We did: Pharmacy")
    assert "…" in said_line and "…" in did_line
    fm = look_back.fontMetrics()
    for line in (said_line, did_line):
        assert fm.horizontalAdvance(line) <= look_back.viewport().width()
    assert first.toolTip().endswith(did.strip() + ".")
    assert first.data(Qt.ItemDataRole.AccessibleTextRole) == first.toolTip()
    assert look_back.visualItemRect(first).height() < 3 * fm.height() + 16
