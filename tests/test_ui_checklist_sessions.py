"""An observer on the floor: a low rating asks for its comment at once, progress shows,
an unfinished list asks before finishing and can be discarded, keys keep working; and
everyone who observes can read reliability week by week and export it."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from conftest import PINS, Team, sign_in_as
from PySide6.QtCore import Qt

from hrohuddle.services import checklists


def _start(qtbot, page, title: str):  # type: ignore[no-untyped-def]
    tab = page.observe
    tab.template.setCurrentIndex(tab.template.findText(title, Qt.MatchFlag.MatchStartsWith))
    tab.context.setCurrentIndex(tab.context.findData("huddle"))
    tab.start()
    assert tab.panel is not None
    qtbot.waitUntil(tab.panel.isVisible)  # shown by the event loop, as on screen
    return tab, tab.panel


def test_a_low_tpot_rating_asks_for_its_comment_naming_the_behaviour(
    qtbot, window, sqlite_team: Team
) -> None:
    sign_in_as(qtbot, window, "Cai Charge", PINS["charge_nurse"])
    page = window.open_page("checklists")
    tab, panel = _start(qtbot, page, "TeamSTEPPS Team Performance")
    panel.setFocus()
    first = panel.rows[0]
    qtbot.keyClick(panel, Qt.Key.Key_1)
    assert first.ask.isVisibleTo(panel) and first.row.text in first.ask.text()
    assert window.focusWidget() is first.note  # the comment is asked for there and then
    assert panel.current == 0  # it waits at the behaviour that needs a comment
    assert not panel.finish(confirm=lambda _q: True)  # refused at the row, no message box
    assert tab.panel is panel
    qtbot.keyClicks(first.note, "Spoke over the nurse at handover")
    qtbot.keyClick(first.note, Qt.Key.Key_Return)  # Enter leaves the note
    assert not first.ask.isVisibleTo(panel)
    assert window.focusWidget() is panel
    qtbot.keyClick(panel, Qt.Key.Key_4)
    assert panel.progress.text().startswith("2 of")  # the next behaviour got the 4
    assert panel.rows[0].value == 1


def test_progress_an_unfinished_list_asks_and_can_be_discarded(
    qtbot, window, sqlite_team: Team
) -> None:
    sign_in_as(qtbot, window, "Cai Charge", PINS["charge_nurse"])
    page = window.open_page("checklists")
    tab, panel = _start(qtbot, page, "Error-prevention behaviours")
    n = len(panel.rows)
    panel.setFocus()
    for key in (Qt.Key.Key_O, Qt.Key.Key_M, Qt.Key.Key_O, Qt.Key.Key_N):
        qtbot.keyClick(panel, key)
    qtbot.waitUntil(lambda: panel.progress.text() == f"4 of {n} answered")
    asked: list[str] = []
    assert not panel.finish(confirm=lambda q: asked.append(q) and False)
    assert asked and f"4 of {n}" in asked[0]
    # Escape in a note field leaves it: the keys answer again, nothing typed into the note.
    note = panel.rows[panel.current].note
    note.setFocus()
    qtbot.keyClick(note, Qt.Key.Key_Escape)
    qtbot.keyClick(panel, Qt.Key.Key_O)
    assert note.text() == ""
    sid = panel.session_id
    assert panel.discard(confirm=lambda _q: True)
    assert tab.panel is None and "discarded" in tab.done_label.text()
    assert checklists.open_session(sqlite_team.db, window.actor) is None
    assert sid not in [r for r in (checklists.open_session(sqlite_team.db, window.actor),)]


def test_keys_work_again_after_the_screen_is_locked_and_unlocked(
    qtbot, window, sqlite_team: Team
) -> None:
    sign_in_as(qtbot, window, "Cai Charge", PINS["charge_nurse"])
    page = window.open_page("checklists")
    _tab, panel = _start(qtbot, page, "Error-prevention behaviours")
    window.lock()
    qtbot.keyClicks(window.signin.pin, PINS["charge_nurse"])
    qtbot.keyClick(window.signin.pin, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.focusWidget() is panel, timeout=10_000)


def test_a_preceptor_reads_reliability_over_time_for_every_template_and_exports_it(
    qtbot, window, sqlite_team: Team, tmp_path: Path
) -> None:
    sign_in_as(qtbot, window, "Cai Charge", PINS["charge_nurse"])
    page = window.open_page("checklists")
    _tab, panel = _start(qtbot, page, "TeamSTEPPS Team Performance")
    panel.rows[0].choose(5)
    panel.rows[1].choose(4)
    assert panel.finish(confirm=lambda _q: True)
    window.sign_out()
    sign_in_as(qtbot, window, "Pat Preceptor", PINS["preceptor"])
    page = window.open_page("checklists")
    rel = page.reliability
    rel.template.setCurrentIndex(rel.template.findData("team_performance"))
    rel.reload()
    assert len(rel.rows) == 2 and all(r.share == 1.0 for r in rel.rows)
    assert rel.canvas is not None  # the p-chart of the chosen behaviour
    series = rel.trend_series(0)
    assert series.weeks[-1] == series.weeks[0]  # one week of data: the chart begins there
    rel.by.setCurrentIndex(rel.by.findData("principle"))
    rel.reload()
    assert rel.rows
    n = rel.export(str(tmp_path / "rel.csv"))
    assert n and n >= 1
    with open(tmp_path / "rel.csv", encoding="utf-8") as f:
        first = next(csv.DictReader(f))
    assert first["iso_week"].startswith(str(dt.date.today().isocalendar()[0]))


def test_reliability_rows_show_each_behaviour_in_full_at_1366x768(
    qtbot, window, sqlite_team: Team
) -> None:
    from PySide6.QtCore import QRect
    from PySide6.QtWidgets import QApplication

    window.resize(1366, 768)
    sign_in_as(qtbot, window, "Cai Charge", PINS["charge_nurse"])
    page = window.open_page("checklists")
    _tab, panel = _start(qtbot, page, "Error-prevention")
    for row in panel.rows:
        row.choose("observed")
    assert panel.finish(confirm=lambda _q: True)
    rel = page.reliability
    rel.template.setCurrentIndex(rel.template.findData("error_prevention"))
    rel.reload()
    tabs = rel.parentWidget().parentWidget()
    tabs.setCurrentWidget(rel)
    qtbot.waitUntil(rel.isVisible)
    QApplication.processEvents()
    table = rel.table
    width = table.columnWidth(0)
    assert width > table.columnWidth(1) + table.columnWidth(2)
    for i in range(table.rowCount()):
        text = table.item(i, 0).text()
        box = table.fontMetrics().boundingRect(
            QRect(0, 0, width - 6, 10_000), Qt.TextFlag.TextWordWrap, text
        )
        assert box.height() <= table.rowHeight(i), text
        assert table.rowHeight(i) >= table.verticalHeader().defaultSectionSize()


def test_a_chosen_answer_keeps_its_whole_words_in_bold(qtbot, window, sqlite_team: Team) -> None:
    from PySide6.QtGui import QFontMetrics

    sign_in_as(qtbot, window, "Cai Charge", PINS["charge_nurse"])
    page = window.open_page("checklists")
    _tab, panel = _start(qtbot, page, "Error-prevention behaviours")
    panel.setFocus()
    qtbot.keyClick(panel, Qt.Key.Key_O)
    row = panel.rows[0]
    for button in row.buttons.values():
        bold = button.font()
        bold.setBold(True)
        needed = QFontMetrics(bold).horizontalAdvance(button.text())
        assert button.width() >= needed + 16, button.text()
