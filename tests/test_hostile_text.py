"""Hostile text in every input: stored and shown exactly, never interpreted, never a crash."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from conftest import Team
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hrohuddle.services import actions, census, huddles, people
from hrohuddle.services.errors import ValidationError

NASTY = st.sampled_from(
    [
        "'; DROP TABLE huddles; --",
        "<img src=x onerror=alert(1)>",
        "%(name)s %s {0} {unit.__class__}",
        "\u202eecnalubma llac\u202c",
        '=HYPERLINK("http://x")',
        "\t\r\x0b\x0c",
        "😷🩺" * 30,
        "a" * 499,
        "Robert'); DELETE FROM people;--",
    ]
)
TEXT = NASTY | st.text(
    alphabet=st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1, max_size=400
)
SLOW = settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@SLOW
@given(text=TEXT)
def test_huddle_items_keep_hostile_text_exactly(sqlite_team: Team, text: str) -> None:
    cn = sqlite_team["charge_nurse"]
    h = huddles.start_or_resume(sqlite_team.db, cn, local_now=dt.datetime(2026, 11, 23, 8))
    try:
        item = huddles.add_item(sqlite_team.db, cn, h.id, "look_back", text)
    except ValidationError as exc:
        assert exc.message and "Traceback" not in exc.message
        return
    stored = [
        i.text
        for i in huddles.board(sqlite_team.db, cn, h.id).items["look_back"]
        if i.id == item.id
    ]
    assert stored == [text.strip()]
    huddles.remove_item(sqlite_team.db, cn, item.id)


@SLOW
@given(name=TEXT)
def test_people_names_keep_hostile_text_exactly(sqlite_team: Team, name: str) -> None:
    try:
        pid = people.save_person(
            sqlite_team.db,
            sqlite_team.admin,
            people.PersonInput(name, "nursing", ["staff"], pin="5827"),
        )
    except ValidationError as exc:
        assert exc.message
        return
    rows = [p for p in people.list_people(sqlite_team.db, sqlite_team.admin) if p.id == pid]
    assert rows[0].display_name == name.strip()


@SLOW
@given(week=TEXT, days=TEXT)
def test_census_import_refuses_hostile_rows_cleanly(
    sqlite_team: Team, tmp_path_factory, week: str, days: str
) -> None:
    path = Path(tmp_path_factory.mktemp("csv")) / "census.csv"
    path.write_text(
        f'"{week.replace(chr(34), "")}","{days.replace(chr(34), "")}"\n', encoding="utf-8"
    )
    try:
        census.import_csv(sqlite_team.db, sqlite_team["manager"], path)
    except ValidationError as exc:
        assert exc.message


@SLOW
@given(text=TEXT)
def test_messages_keep_hostile_text_exactly_or_refuse_what_turns_it_round(
    sqlite_team: Team, text: str
) -> None:
    """Stored exactly as typed, except text with invisible direction or format controls
    ("reversed" shown as "desrever"): that is refused in words, never changed."""
    from hrohuddle.services import conversation, events

    sent = events.report(
        sqlite_team.db,
        sqlite_team["learner"],
        events.EventInput(
            kind="near_miss",
            narrative="The bed alarm was switched off in bay three",
            category="fall",
            occurred_at=dt.datetime.now().replace(microsecond=0) - dt.timedelta(hours=1),
        ),
    )
    assert sent.event_id is not None
    try:
        conversation.write_mine(
            sqlite_team.db, sqlite_team["learner"], sent.event_id, "detail", text
        )
    except ValidationError as exc:
        assert exc.message and "Traceback" not in exc.message
        return
    assert not any(c in conversation.HIDDEN_CONTROLS for c in text)
    shown = conversation.open_mine(sqlite_team.db, sqlite_team["learner"], sent.event_id)
    assert [m.text for m in shown.messages] == [text.strip()]


MARKUP_NAME = "<b>Zoe</b> Test"


def _labels_showing(root, text: str) -> list:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QLabel

    return [w for w in root.findChildren(QLabel) if text in w.text()]


def _all_plain(labels: list) -> bool:  # type: ignore[type-arg]
    from PySide6.QtCore import Qt

    return bool(labels) and all(w.textFormat() == Qt.TextFormat.PlainText for w in labels)


def test_a_name_with_markup_is_shown_as_typed_on_every_screen(
    qtbot, window, sqlite_team: Team, monkeypatch
) -> None:
    from conftest import PINS, pin_checked, sign_in_as
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QMessageBox

    from hrohuddle.ui.admin_people import PeopleTab
    from hrohuddle.ui.admin_preceptors import PreceptorsTab

    zoe = people.save_person(
        sqlite_team.db,
        sqlite_team.admin,
        people.PersonInput(MARKUP_NAME, "nursing", ["staff"], is_learner=True, pin="5827"),
    )
    page = window.signin
    page.reload()
    qtbot.keyClicks(page.search, "<b>Zoe")
    qtbot.keyClick(page.search, Qt.Key.Key_Return)
    assert page.chosen.text() == MARKUP_NAME
    assert page.chosen.textFormat() == Qt.TextFormat.PlainText
    qtbot.keyClicks(page.pin, "0000")
    qtbot.keyClick(page.pin, Qt.Key.Key_Return)
    pin_checked(qtbot, page)
    assert page.message.text() and page.message.textFormat() == Qt.TextFormat.PlainText
    page.search.clear()

    sign_in_as(qtbot, window, "Ada Admin", PINS["admin"])
    admin = window.open_page("admin")
    tab = admin.findChild(PeopleTab)
    tab._select(zoe)
    tab.save()
    assert MARKUP_NAME in tab.saved.text()
    assert tab.saved.textFormat() == Qt.TextFormat.PlainText
    assert tab.lock_state.textFormat() == Qt.TextFormat.PlainText

    pairs = admin.findChild(PreceptorsTab)
    pairs.preceptor.setCurrentIndex(pairs.preceptor.findText("Pat Preceptor"))
    pairs.learner.setCurrentIndex(pairs.learner.findText(MARKUP_NAME))
    pairs.assign()
    assert MARKUP_NAME in pairs.saved.text()
    assert pairs.saved.textFormat() == Qt.TextFormat.PlainText
    asked: list[tuple[str, Qt.TextFormat]] = []

    def answer(box: QMessageBox) -> QMessageBox.StandardButton:
        asked.append((box.text(), box.textFormat()))
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "exec", answer)
    pairs.table.selectRow(0)
    pairs.end()
    assert asked and MARKUP_NAME in asked[0][0]
    assert asked[0][1] == Qt.TextFormat.PlainText
    assert _all_plain(_labels_showing(admin, MARKUP_NAME))


def test_helper_labels_never_read_names_as_html(qtbot) -> None:
    from PySide6.QtCore import Qt

    from hrohuddle.ui.common import heading, muted

    for label in (heading("<b>Bay 3</b> team"), muted("Ward · <b>Bay 3</b> team")):
        assert label.textFormat() == Qt.TextFormat.PlainText


def test_an_action_title_with_markup_is_shown_as_typed_in_the_board_dialogs(
    qtbot, window, sqlite_team: Team, monkeypatch
) -> None:
    from conftest import PINS, sign_in_as
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QDialog, QInputDialog, QLabel

    from hrohuddle.ui.actions import DueDateDialog

    title = "Check stock <b>x</b>"
    sign_in_as(qtbot, window, "Cai Charge", PINS["charge_nurse"])
    page = window.open_page("huddle")
    page.start()
    board = page.board
    cn = sqlite_team["charge_nurse"]
    actions.create_action(
        sqlite_team.db,
        cn,
        title,
        cn.person_id,
        dt.date.today() + dt.timedelta(days=3),
        huddle_id=board.huddle_id,
    )
    board.refresh()
    seen: list[tuple[str, Qt.TextFormat]] = []

    def look(dialog: QDialog) -> int:
        for label in dialog.findChildren(QLabel):
            if title in label.text():
                seen.append((label.text(), label.textFormat()))
        return 0

    monkeypatch.setattr(QInputDialog, "exec", look)
    monkeypatch.setattr(DueDateDialog, "exec", look)
    for ask in (board.reassign, board.change_due, board.close_action, board.escalate):
        assert board.show_action(board.state.follow_ups[0].id)
        ask()
    assert len(seen) == 4
    for text, form in seen:
        assert form == Qt.TextFormat.PlainText
        # The question stands apart from the action it names.
        assert f"“{title}”\n" in text and "\n\n" in text
