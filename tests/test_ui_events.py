"""Quick capture and triage through the window, as a learner and a charge nurse use them."""

from __future__ import annotations

from conftest import PINS, Team, sign_in_as
from PySide6.QtCore import QDate, QDateTime, Qt, QTime, QTimer
from PySide6.QtWidgets import QMessageBox

from hrohuddle.services import drafts, events
from hrohuddle.ui.capture import DRAFT_KIND, CaptureDialog, ReceiptDialog


def _quiet_boxes(monkeypatch) -> list[str]:
    said: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda _p, _t, m, *a: said.append(m))
    monkeypatch.setattr(QMessageBox, "exec", lambda box: said.append(box.text()) or 0)
    monkeypatch.setattr(ReceiptDialog, "exec", lambda box: said.append(box.code) or 0)
    return said


def test_learner_reports_with_the_keyboard_in_six_fields(
    qtbot, window, sqlite_team: Team, monkeypatch
) -> None:
    said = _quiet_boxes(monkeypatch)
    sign_in_as(qtbot, window, "Lee Learner", PINS["learner"])
    dialog = CaptureDialog(window.db, window.actor, window)
    qtbot.addWidget(dialog)
    dialog.kind_buttons["good_catch"].setChecked(True)
    assert dialog.stop_box.isVisibleTo(dialog) and not dialog.harm_box.isVisibleTo(dialog)
    qtbot.keyClicks(dialog.narrative, "Patient's own insulin pen nearly given to bay 2")
    dialog.category.setCurrentIndex(dialog.category.findData("medication"))
    dialog.area.setCurrentIndex(dialog.area.findData("Bays 1-4"))
    dialog.stop_buttons["chance"].setChecked(True)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.keyClick(dialog.narrative, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert dialog.submitted is not None, (dialog.message.text(), dialog.narrative.toPlainText())
    assert dialog.submitted.receipt_code is None
    assert said and "My reports" in said[-1]
    (mine,) = events.my_reports(sqlite_team.db, sqlite_team["learner"])
    assert mine.kind == "good_catch" and mine.stopped_by == "chance"


def test_incident_shows_harm_definitions_and_requires_a_level(qtbot, window, monkeypatch) -> None:
    _quiet_boxes(monkeypatch)
    sign_in_as(qtbot, window, "Sol Staff", PINS["staff"])
    dialog = CaptureDialog(window.db, window.actor, window)
    qtbot.addWidget(dialog)
    dialog.kind_buttons["incident"].setChecked(True)
    assert dialog.harm_box.isVisibleTo(dialog)
    assert "functional ability" in dialog.harm_definitions["severe"].text()
    qtbot.keyClicks(dialog.narrative, "Dose given an hour late")
    dialog.category.setCurrentIndex(dialog.category.findData("medication"))
    dialog.submit()
    assert dialog.submitted is None and "harm level" in dialog.message.text()
    dialog.harm_buttons["none"].setChecked(True)
    dialog.submit()
    assert dialog.submitted is not None


def test_anonymous_report_shows_its_receipt_once(
    qtbot, window, sqlite_team: Team, monkeypatch
) -> None:
    said = _quiet_boxes(monkeypatch)
    sign_in_as(qtbot, window, "Lee Learner", PINS["learner"])
    dialog = CaptureDialog(window.db, window.actor, window)
    qtbot.addWidget(dialog)
    dialog.kind_buttons["workaround"].setChecked(True)
    qtbot.keyClicks(dialog.narrative, "Barcode scanner broken so we type the numbers in")
    dialog.category.setCurrentIndex(dialog.category.findData("device"))
    dialog.anonymous.setChecked(True)
    dialog.submit()
    code = dialog.submitted.receipt_code
    assert code and code in said[-1]
    assert events.my_reports(sqlite_team.db, sqlite_team["learner"]) == []
    assert events.check_receipt(sqlite_team.db, code).status == "new"


def test_patient_name_is_marked_in_the_narrative(qtbot, window, monkeypatch) -> None:
    _quiet_boxes(monkeypatch)
    sign_in_as(qtbot, window, "Sol Staff", PINS["staff"])
    dialog = CaptureDialog(window.db, window.actor, window)
    qtbot.addWidget(dialog)
    dialog.kind_buttons["near_miss"].setChecked(True)
    qtbot.keyClicks(dialog.narrative, "Mr Okoro nearly got the wrong meal")
    dialog.category.setCurrentIndex(dialog.category.findData("other"))
    dialog.submit()
    assert dialog.submitted is None and "identify a patient" in dialog.message.text()
    assert dialog.narrative.textCursor().selectedText() == "Mr Okoro"
    assert dialog.narrative.toPlainText() == "Mr Okoro nearly got the wrong meal"


def test_signing_out_keeps_the_draft_for_its_author_only(
    qtbot, window, sqlite_team: Team, monkeypatch
) -> None:
    _quiet_boxes(monkeypatch)
    sign_in_as(qtbot, window, "Sol Staff", PINS["staff"])

    def type_then_sign_out() -> None:
        dialog = window.capture
        qtbot.keyClicks(dialog.narrative, "Oxygen cylinder empty on the resus trolley")
        dialog.when.setDateTime(QDateTime(QDate(2026, 11, 20), QTime(14, 35)))
        window.sign_out()

    QTimer.singleShot(50, type_then_sign_out)
    window.report_event()  # modal until sign-out closes it
    assert window.capture is None and window.actor is None
    assert (
        drafts.load(sqlite_team.db, sqlite_team["staff"], DRAFT_KIND, "")["narrative"]
        == "Oxygen cylinder empty on the resus trolley"
    )
    sign_in_as(qtbot, window, "Lee Learner", PINS["learner"])
    other = CaptureDialog(window.db, window.actor, window)
    qtbot.addWidget(other)
    assert other.narrative.toPlainText() == ""
    window.sign_out()
    sign_in_as(qtbot, window, "Sol Staff", PINS["staff"])
    mine = CaptureDialog(window.db, window.actor, window)
    qtbot.addWidget(mine)
    assert mine.narrative.toPlainText() == "Oxygen cylinder empty on the resus trolley"
    assert mine.when.dateTime().toString("yyyy-MM-dd HH:mm") == "2026-11-20 14:35"
    assert "draft is back" in mine.draft_note.text() and mine.message.text() == ""


def test_charge_nurse_reviews_and_the_reporter_reads_the_feedback(
    qtbot, window, sqlite_team, monkeypatch
) -> None:
    _quiet_boxes(monkeypatch)
    staff = sqlite_team["staff"]
    events.report(
        sqlite_team.db,
        staff,
        events.EventInput(
            kind="unsafe_condition",
            narrative="Hand gel empty in bays 5-8",
            category="other",
            occurred_at=__import__("datetime").datetime.now(),
        ),
    )
    sign_in_as(qtbot, window, "Cai Charge", PINS["charge_nurse"])
    page = window.open_page("events")
    review = page.review
    assert review is not None
    qtbot.waitUntil(lambda: review.model.rowCount() == 1)  # read off the GUI thread
    review.table.selectRow(0)
    review.new_status.setCurrentIndex(review.new_status.findData("closed"))
    qtbot.keyClicks(review.feedback, "Refilled and added to the daily check")
    review.save()
    window.sign_out()
    sign_in_as(qtbot, window, "Sol Staff", PINS["staff"])
    page = window.open_page("events")
    assert page.review is None
    texts = [page.mine.list.item(i).text() for i in range(page.mine.list.count())]
    assert any("Closed" in t and "daily check" in t for t in texts)


def test_an_anonymous_draft_comes_back_to_its_author_and_names_no_one(
    qtbot, window, sqlite_team: Team, monkeypatch
) -> None:
    from sqlalchemy import select

    from hrohuddle.store.models import AnonymousOutbox, Draft

    _quiet_boxes(monkeypatch)
    sign_in_as(qtbot, window, "Lee Learner", PINS["learner"])
    dialog = CaptureDialog(window.db, window.actor, window)
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.narrative, "Wrong concentration of heparin on the shelf")
    dialog.save_draft()  # named so far
    dialog.anonymous.setChecked(True)
    dialog.save_draft()
    with window.db.read() as s:
        assert s.scalars(select(Draft)).all() == []  # the named draft is gone
        (held,) = s.scalars(select(AnonymousOutbox)).all()
    assert held.kind == "draft" and "heparin" in held.payload["narrative"]
    dialog.reject()
    again = CaptureDialog(window.db, window.actor, window)
    qtbot.addWidget(again)
    assert again.narrative.toPlainText() == "Wrong concentration of heparin on the shelf"
    assert again.anonymous.isChecked()
    window.sign_out()
    sign_in_as(qtbot, window, "Sol Staff", PINS["staff"])
    other = CaptureDialog(window.db, window.actor, window)
    qtbot.addWidget(other)
    assert other.narrative.toPlainText() == ""  # nobody else gets it


def test_check_a_receipt_shows_the_status_history_and_the_actions_taken(
    qtbot, window, sqlite_team: Team, monkeypatch
) -> None:
    import datetime as dt

    from hrohuddle.services import actions, anonymity

    said = _quiet_boxes(monkeypatch)
    sign_in_as(qtbot, window, "Lee Learner", PINS["learner"])
    dialog = CaptureDialog(window.db, window.actor, window)
    qtbot.addWidget(dialog)
    dialog.kind_buttons["unsafe_condition"].setChecked(True)
    qtbot.keyClicks(dialog.narrative, "Suction in bay 3 not working")
    dialog.category.setCurrentIndex(dialog.category.findData("device"))
    dialog.anonymous.setChecked(True)
    dialog.submit()
    code = said[-1]
    anonymity.release_due(sqlite_team.db, force=True)
    charge = sqlite_team["charge_nurse"]
    (report,) = events.list_events(sqlite_team.db, charge, events.EventFilter()).rows
    events.triage(sqlite_team.db, charge, report.id, status="under_review")
    actions.create_action(
        sqlite_team.db,
        charge,
        "Fix the suction in bay 3",
        sqlite_team["staff"].person_id,
        dt.date.today() + dt.timedelta(days=2),
        event_id=report.id,
    )
    window.sign_out()
    sign_in_as(qtbot, window, "Lee Learner", PINS["learner"])
    page = window.open_page("events")
    receipt = page.tabs.widget(page.tabs.count() - 1)
    qtbot.keyClicks(receipt.code, code)
    receipt.check()
    text = receipt.result.text()
    # Its status now, and each step once in the journey (no second list of the statuses).
    assert "Action planned" in text and "What happened to it" not in text
    assert "Fix the suction in bay 3 (open, due" in text
    steps = [receipt.talk.steps.item(i).text() for i in range(receipt.talk.steps.count())]
    assert sum("Action taken" in line for line in steps) == 1


def test_the_receipt_code_is_shown_large_and_can_be_copied(qtbot) -> None:
    from PySide6.QtWidgets import QApplication

    box = ReceiptDialog("ABCD-EFGH-JKMN")
    qtbot.addWidget(box)
    assert box.code_label.font().pointSizeF() >= 2 * QApplication.font().pointSizeF()
    assert box.code_label.textInteractionFlags() & Qt.TextInteractionFlag.TextSelectableByMouse
    box.copy()
    assert QApplication.clipboard().text() == "ABCD-EFGH-JKMN"
    assert "ABCD-EFGH-JKMN" in box.slip_html()


def test_capture_errors_come_all_at_once_at_their_fields_focus_on_the_first(
    qtbot, window, monkeypatch
) -> None:
    _quiet_boxes(monkeypatch)
    sign_in_as(qtbot, window, "Sol Staff", PINS["staff"])
    dialog = CaptureDialog(window.db, window.actor, window)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.kind_buttons["incident"].setChecked(True)
    dialog.submit()
    shown = {k for k, label in dialog.errors.items() if label.isVisibleTo(dialog)}
    assert shown == {"narrative", "category", "harm"}
    assert dialog.narrative.property("invalid") is True
    assert dialog.focusWidget() is dialog.narrative
    assert "3 fields" in dialog.message.text()


def test_a_draft_can_be_discarded(qtbot, window, sqlite_team: Team, monkeypatch) -> None:
    _quiet_boxes(monkeypatch)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    sign_in_as(qtbot, window, "Sol Staff", PINS["staff"])
    first = CaptureDialog(window.db, window.actor, window)
    qtbot.addWidget(first)
    qtbot.keyClicks(first.narrative, "Oxygen cylinder empty")
    first.reject()
    again = CaptureDialog(window.db, window.actor, window)
    qtbot.addWidget(again)
    assert again.discard_button.isVisibleTo(again)
    again.discard_draft()
    assert again.narrative.toPlainText() == ""
    assert drafts.load(sqlite_team.db, sqlite_team["staff"], DRAFT_KIND, "") in (None, {})
    third = CaptureDialog(window.db, window.actor, window)
    qtbot.addWidget(third)
    assert third.narrative.toPlainText() == "" and not third.discard_button.isVisibleTo(third)


def test_discarding_a_draft_asks_with_no_as_the_default(
    qtbot, window, sqlite_team: Team, monkeypatch
) -> None:
    _quiet_boxes(monkeypatch)
    asked: list[object] = []

    def question(*args, **kwargs):  # type: ignore[no-untyped-def]
        asked.append(args[4] if len(args) > 4 else kwargs.get("defaultButton"))
        return QMessageBox.StandardButton.No

    monkeypatch.setattr(QMessageBox, "question", question)
    sign_in_as(qtbot, window, "Sol Staff", PINS["staff"])
    dialog = CaptureDialog(window.db, window.actor, window)
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.narrative, "Oxygen cylinder empty")
    dialog.discard_draft()
    assert asked == [QMessageBox.StandardButton.No]
    assert dialog.narrative.toPlainText() == "Oxygen cylinder empty"


def test_dates_read_one_way_and_tab_leaves_the_date_field(qtbot, window) -> None:
    from PySide6.QtWidgets import QLineEdit

    from hrohuddle.ui.common import date_edit, format_date

    assert format_date(__import__("datetime").date(2026, 11, 27)) == "Fri 27 Nov 2026"
    holder = __import__("PySide6.QtWidgets", fromlist=["QWidget"]).QWidget()
    qtbot.addWidget(holder)
    layout = __import__("PySide6.QtWidgets", fromlist=["QVBoxLayout"]).QVBoxLayout(holder)
    edit = date_edit()
    after = QLineEdit()
    layout.addWidget(edit)
    layout.addWidget(after)
    holder.show()
    qtbot.waitExposed(holder)
    holder.activateWindow()
    edit.setFocus()
    qtbot.keyClick(edit, Qt.Key.Key_Tab)
    assert holder.focusWidget() is after


def test_every_finding_is_highlighted_in_the_narrative(qtbot, window, monkeypatch) -> None:
    _quiet_boxes(monkeypatch)
    sign_in_as(qtbot, window, "Sol Staff", PINS["staff"])
    dialog = CaptureDialog(window.db, window.actor, window)
    qtbot.addWidget(dialog)
    dialog.kind_buttons["near_miss"].setChecked(True)
    qtbot.keyClicks(dialog.narrative, "Jane Doe was given the dose meant for Mr Okoro")
    dialog.category.setCurrentIndex(dialog.category.findData("medication"))
    dialog.submit()
    marks = [s.cursor.selectedText() for s in dialog.narrative.extraSelections()]
    assert marks == ["Jane Doe", "Mr Okoro"]
    assert dialog.narrative.textCursor().selectedText() == "Jane Doe"
    assert dialog.errors["narrative"].isVisibleTo(dialog)
