"""Start-up and restore on screen: the right way out, a confirmation that defaults to No,
and an app that starts itself again after a restore."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import PINS, Team, sign_in_as
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton
from sqlalchemy import select

from hrohuddle.paths import DataPaths
from hrohuddle.store import backup
from hrohuddle.store.database import Database
from hrohuddle.store.errors import DatabaseInUse, DatabaseMissing, DatabaseTooNew
from hrohuddle.store.models import AuditEntry


def _answer_next_box(
    seen: list[dict[str, Any]], press: str | None = None, *, nested: int = 0
) -> None:
    """Read the next message box as the user would, then press one of its buttons.

    Gives up after about three seconds when no box comes.
    """
    tries = [60]

    def look() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            tries[0] -= 1
            if tries[0] > 0:
                QTimer.singleShot(50, look)
            return
        buttons = {b.text(): b for b in box.findChildren(QPushButton)}
        default = box.defaultButton()
        seen.append(
            {
                "text": box.text(),
                "buttons": set(buttons),
                "default": default.text() if default is not None else None,
            }
        )
        chosen = next((b for t, b in buttons.items() if press and press in t), None)
        if chosen is None:
            box.reject()
        else:
            chosen.click()

    QTimer.singleShot(50, look)


def _startup(qtbot, data_paths: DataPaths, tmp_path: Path):  # type: ignore[no-untyped-def]
    from hrohuddle.app import Startup
    from hrohuddle.ui.main_window import MainWindow

    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    win = MainWindow(data_paths, settings)
    qtbot.addWidget(win)
    return Startup(win, f"sqlite:///{data_paths.database_file}", data_paths)


def test_a_newer_schema_is_not_answered_with_a_backup(
    qtbot, sqlite_team: Team, data_paths: DataPaths, tmp_path: Path
) -> None:
    file = sqlite_team.db.file
    assert file is not None
    backup.take_backup(file, data_paths.backup_dir, reason="start")
    startup = _startup(qtbot, data_paths, tmp_path)
    seen: list[dict[str, Any]] = []
    _answer_next_box(seen)
    retry = startup._offer_way_out(DatabaseTooNew("written by HRO Huddle 7.2.0; install it"))
    assert retry is False
    assert "7.2.0" in seen[0]["text"]
    assert not any("Restore" in b for b in seen[0]["buttons"])


def test_a_locked_database_offers_try_again_not_a_backup(
    qtbot, sqlite_team: Team, data_paths: DataPaths, tmp_path: Path
) -> None:
    file = sqlite_team.db.file
    assert file is not None
    backup.take_backup(file, data_paths.backup_dir, reason="start")
    startup = _startup(qtbot, data_paths, tmp_path)
    seen: list[dict[str, Any]] = []
    _answer_next_box(seen, "Try again")
    assert startup._offer_way_out(DatabaseInUse("Another program is using the database."))
    assert "another program is using" in seen[0]["text"].lower()
    assert not any("Restore" in b for b in seen[0]["buttons"])


def test_an_empty_database_beside_backups_offers_the_latest_good_one(
    qtbot, sqlite_team: Team, data_paths: DataPaths, tmp_path: Path
) -> None:
    file = sqlite_team.db.file
    assert file is not None
    backup.take_backup(file, data_paths.backup_dir, reason="start")
    sqlite_team.db.dispose()
    for side in (Path(f"{file}-wal"), Path(f"{file}-shm")):
        side.unlink(missing_ok=True)
    file.write_bytes(b"")
    startup = _startup(qtbot, data_paths, tmp_path)
    seen: list[dict[str, Any]] = []
    _answer_next_box(seen, "Restore that backup")
    assert startup._offer_way_out(DatabaseMissing("The unit's database is empty."))
    assert "Start a new, empty unit…" in seen[0]["buttons"]
    assert seen[0]["default"] == "Restore that backup"
    assert file.stat().st_size > 0 and backup.verify(file)
    assert any(b.reason == "pre-restore" for b in backup.list_backups(data_paths.backup_dir))


def test_a_new_unit_over_lost_data_needs_the_admin_to_confirm(
    qtbot, sqlite_team: Team, data_paths: DataPaths, tmp_path: Path
) -> None:
    file = sqlite_team.db.file
    assert file is not None
    backup.take_backup(file, data_paths.backup_dir, reason="start")
    startup = _startup(qtbot, data_paths, tmp_path)
    seen: list[dict[str, Any]] = []
    _answer_next_box(seen, "Start a new")
    QTimer.singleShot(400, lambda: _answer_next_box(seen, "No"))
    QTimer.singleShot(800, lambda: _answer_next_box(seen, "Quit"))
    assert not startup._offer_way_out(DatabaseMissing("The unit's database is empty."))
    assert not startup.allow_new
    assert seen[1]["default"] == "&No" or seen[1]["default"] == "No"


def test_restore_confirmation_names_what_is_replaced_and_defaults_to_no(
    qtbot, window, sqlite_team: Team, data_paths: DataPaths
) -> None:
    file = sqlite_team.db.file
    assert file is not None
    made = backup.take_backup(file, data_paths.backup_dir, reason="manual")
    sign_in_as(qtbot, window, "Ada Admin", PINS["admin"])
    from hrohuddle.ui.admin_backups import BackupTab

    tab = window.open_page("admin").findChild(BackupTab)
    assert tab is not None
    assert any("taken by hand" in tab.list.item(i).text() for i in range(tab.list.count()))
    seen: list[dict[str, Any]] = []
    _answer_next_box(seen)  # Escape: the default answer
    tab._restore(made.path)
    assert str(file) in seen[0]["text"] and made.path.name in seen[0]["text"]
    assert seen[0]["default"] in ("&No", "No")
    assert window.restore_requested is None


def test_after_a_restore_the_app_starts_itself_again(
    qtbot, sqlite_team: Team, data_paths: DataPaths, tmp_path: Path, monkeypatch
) -> None:
    from hrohuddle import app

    file = sqlite_team.db.file
    assert file is not None
    made = backup.take_backup(file, data_paths.backup_dir, reason="manual")
    startup = _startup(qtbot, data_paths, tmp_path)
    startup.db = sqlite_team.db
    note = tmp_path / "relaunch.txt"
    monkeypatch.setenv("HROHUDDLE_RELAUNCH_NOTE", str(note))
    from hrohuddle.services.backups import RestoreTicket

    ticket = RestoreTicket(made.path, file, "Ada Admin")
    assert app._restore_after_close(ticket, startup, data_paths) == 0
    assert "-m hrohuddle" in note.read_text()
    again = Database.connect(f"sqlite:///{file}")
    try:
        with again.read() as s:
            last = s.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
        assert last is not None and last.action == "backup.restored"
    finally:
        again.dispose()


TYPIST = Path(__file__).parent / "tools" / "type_steadily.py"


@pytest.mark.parametrize("where", ["event", "board"])
def test_continuous_typing_is_saved_every_two_seconds_even_if_killed(
    where: str, sqlite_team: Team, tmp_path: Path
) -> None:
    import os
    import signal
    import subprocess
    import sys
    import time

    from hrohuddle.services import drafts

    url = sqlite_team.db.url
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HROHUDDLE_DATA_DIR": str(tmp_path)}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(root), env.get("PYTHONPATH")]))
    proc = subprocess.Popen(
        [sys.executable, str(TYPIST), url, "Cai Charge", PINS["charge_nurse"], where],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert proc.stdout is not None
    typed_at: list[float] = []
    try:
        assert proc.stdout.readline().strip() == "READY"
        start = time.monotonic()
        while time.monotonic() - start < 4.1:
            line = proc.stdout.readline()
            if line.startswith("typed"):
                typed_at.append(time.monotonic())
        proc.send_signal(signal.SIGKILL)
        killed_at = time.monotonic()
    finally:
        proc.kill()
        proc.wait()
        proc.stdout.close()
    # Everything typed more than two seconds before the kill is in the draft.
    must_have = sum(1 for t in typed_at if t < killed_at - 2.0)
    assert must_have >= 15
    if where == "event":
        saved = drafts.load(sqlite_team.db, sqlite_team["charge_nurse"], "event_form", "")
        text = str((saved or {}).get("narrative") or "")
    else:
        found = drafts.load_all(sqlite_team.db, sqlite_team["charge_nurse"], "huddle_input", "")
        text = max((str(p.get("text") or "") for p in found.values()), key=len, default="")
    assert len(text) >= must_have, (len(text), must_have, len(typed_at))


def test_a_report_sent_again_after_a_crash_is_stored_once(qtbot, sqlite_team: Team) -> None:
    from sqlalchemy import func

    from hrohuddle.store.models import SafetyEvent
    from hrohuddle.ui.capture import CaptureDialog

    me = sqlite_team["staff"]
    first = CaptureDialog(sqlite_team.db, me)
    qtbot.addWidget(first)
    first.kind_buttons["near_miss"].setChecked(True)
    first.narrative.setPlainText("Wrong dose drawn up, caught at the bedside check")
    first.category.setCurrentIndex(1)
    first.save_draft()
    # The process dies after the report is stored but before its draft is cleared:
    # the form opened again holds the same draft, and the same key.
    again = CaptureDialog(sqlite_team.db, me)
    qtbot.addWidget(again)
    assert again.submission_key == first.submission_key
    seen: list[dict[str, Any]] = []
    _answer_next_box(seen)
    first.submit()
    assert first.submitted is not None, first.message.text()
    first.submit()  # a second press
    _answer_next_box(seen)
    again.submit()
    with sqlite_team.db.read() as s:
        assert s.scalar(select(func.count()).select_from(SafetyEvent)) == 1


def test_the_census_form_opens_with_the_stored_value_and_asks_before_replacing(
    qtbot, sqlite_team: Team
) -> None:
    from hrohuddle.services import census
    from hrohuddle.services.reporting import Week
    from hrohuddle.ui.dashboard import CensusPanel

    manager = sqlite_team["manager"]
    last = Week.last_complete().label
    census.set_week(sqlite_team.db, manager, last, 190)
    panel = CensusPanel(sqlite_team.db, manager)
    qtbot.addWidget(panel)
    assert panel.days.value() == 190 and "190" in panel.stored_note.text()
    panel.days.setValue(0)
    seen: list[dict[str, Any]] = []
    _answer_next_box(seen)  # Escape: the default, No
    panel.save()
    assert "190" in seen[0]["text"] and seen[0]["default"] in ("&No", "No")
    assert census.get_week(sqlite_team.db, manager, last).patient_days == 190
    panel.week.setText("2026-W10")
    panel.show_stored()
    assert panel.days.value() == -1 and panel.days.text() == "not stored"


def test_a_second_reviewer_keeps_their_typing_when_refused(
    qtbot, window, sqlite_team: Team
) -> None:
    import datetime as dt

    from hrohuddle.services import events
    from hrohuddle.ui.events import ReviewTab

    data = events.EventInput(
        kind="near_miss",
        narrative="Insulin drawn up for the wrong bay, caught at the check",
        category="medication",
        occurred_at=dt.datetime.now().replace(microsecond=0) - dt.timedelta(hours=1),
        area="Bays 1-4",
        stopped_by="barrier",
    )
    event_id = events.report(sqlite_team.db, sqlite_team["staff"], data).event_id
    second = ReviewTab(sqlite_team.db, sqlite_team["manager"])
    qtbot.addWidget(second)
    qtbot.waitUntil(
        lambda: second.table.model().rowCount() > 0
    )  # the list loads off the GUI thread
    second.table.selectRow(0)
    assert second.current() is not None and second.current().id == event_id
    seen_version = events.triage_version(sqlite_team.db, sqlite_team["charge_nurse"], event_id)
    events.triage(
        sqlite_team.db,
        sqlite_team["charge_nurse"],
        event_id,
        status="closed",
        summary="Fixed by the first reviewer",
        expected_version=seen_version,
    )
    second.summary.setPlainText("My own careful summary")
    seen: list[dict[str, Any]] = []
    _answer_next_box(seen)
    second.save()
    assert "Fixed by the first reviewer" in seen[0]["text"]
    assert second.summary.toPlainText() == "My own careful summary"
    stored = events.get(sqlite_team.db, sqlite_team["manager"], event_id)
    assert stored.reviewer_summary == "Fixed by the first reviewer"
    second.save()  # now applied, knowingly
    stored = events.get(sqlite_team.db, sqlite_team["manager"], event_id)
    assert stored.reviewer_summary == "My own careful summary"


def test_the_audit_tab_checks_the_chain_against_backups(
    qtbot, window, sqlite_team: Team, data_paths: DataPaths
) -> None:
    from sqlalchemy import text

    file = sqlite_team.db.file
    assert file is not None
    backup.take_backup(file, data_paths.backup_dir, reason="manual")
    with sqlite_team.db.write() as s:
        last = s.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc()))
        s.execute(text("DELETE FROM audit_log WHERE id = :i"), {"i": last})
        prev = s.execute(text("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1")).one()
        s.execute(
            text("UPDATE audit_head SET last_id = :i, last_hash = :h"),
            {"i": prev[0], "h": prev[1]},
        )
    sign_in_as(qtbot, window, "Ada Admin", PINS["admin"])
    from hrohuddle.ui.admin_audit import AuditTab

    tab = window.open_page("admin").findChild(AuditTab)
    assert tab is not None
    tab.verify()
    # Signing in appended a new entry in the deleted one's place: its id now holds another hash.
    shown = tab.result.text()
    assert "not intact" in shown and ("cut short" in shown or "rewritten" in shown)
