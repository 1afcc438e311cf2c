"""The error road at start-up and after a restore: a bug reaches the exception hook."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from conftest import Team
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from hrohuddle.paths import DataPaths
from hrohuddle.store import backup
from hrohuddle.store.errors import DatabaseCorrupt, RestoreFailed


def _startup(qtbot, data_paths: DataPaths, tmp_path: Path):  # type: ignore[no-untyped-def]
    from hrohuddle.app import Startup
    from hrohuddle.ui.main_window import MainWindow

    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    win = MainWindow(data_paths, settings)
    qtbot.addWidget(win)
    return Startup(win, f"sqlite:///{data_paths.database_file}", data_paths)


def _watch(monkeypatch: pytest.MonkeyPatch) -> tuple[list[object], list[str]]:
    hooked: list[object] = []
    shown: list[str] = []
    monkeypatch.setattr(sys, "excepthook", lambda kind, *_a: hooked.append(kind))
    monkeypatch.setattr(
        QMessageBox, "critical", staticmethod(lambda _p, _t, text, *_a: shown.append(text))
    )
    return hooked, shown


@pytest.mark.parametrize(
    ("failure", "plain"),
    [(KeyError("bug"), None), (RestoreFailed("The copy failed.", what_to_do="Retry."), True)],
)
def test_a_bug_in_the_start_up_restore_reaches_the_exception_hook(
    qtbot,
    sqlite_team: Team,
    data_paths: DataPaths,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    failure: Exception,
    plain: bool | None,
) -> None:
    file = sqlite_team.db.file
    assert file is not None
    backup.take_backup(file, data_paths.backup_dir, reason="start")
    sqlite_team.db.dispose()
    startup = _startup(qtbot, data_paths, tmp_path)
    startup.window.session_timer = QTimer(startup.window)  # closed before any sign-in
    hooked, shown = _watch(monkeypatch)

    def fail(*_a: object, **_k: object) -> None:
        raise failure

    monkeypatch.setattr(backup, "restore", fail)

    def press_restore() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(50, press_restore)
            return
        next(b for b in box.buttons() if "Restore" in b.text()).click()

    QTimer.singleShot(50, press_restore)
    assert not startup._offer_way_out(DatabaseCorrupt("The database file is damaged."))
    if plain:
        assert shown == ["The copy failed.\n\nRetry."] and hooked == []
    else:
        assert shown == [] and hooked == [KeyError]


def test_a_bug_in_the_restore_after_close_reaches_the_exception_hook(
    qtbot,
    sqlite_team: Team,
    data_paths: DataPaths,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from hrohuddle import app
    from hrohuddle.services import backups
    from hrohuddle.services.backups import RestoreTicket

    file = sqlite_team.db.file
    assert file is not None
    made = backup.take_backup(file, data_paths.backup_dir, reason="manual")
    startup = _startup(qtbot, data_paths, tmp_path)
    startup.db = sqlite_team.db
    note = tmp_path / "relaunch.txt"
    monkeypatch.setenv("HROHUDDLE_RELAUNCH_NOTE", str(note))
    hooked, shown = _watch(monkeypatch)

    def broken(*_a: object, **_k: object) -> None:
        raise KeyError("bug")

    monkeypatch.setattr(backups, "restore", broken)
    ticket = RestoreTicket(made.path, file, "Ada Admin")
    assert app._restore_after_close(ticket, startup, data_paths) == 1
    assert shown == [] and hooked == [KeyError]
    assert "-m hrohuddle" in note.read_text()


def test_the_census_form_names_a_bad_week_and_nothing_else_as_one(
    qtbot, sqlite_team: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hrohuddle.services import census
    from hrohuddle.services.errors import SessionEnded
    from hrohuddle.store.errors import DatabaseInUse
    from hrohuddle.ui import common, dashboard

    shown: list[str] = []
    monkeypatch.setattr(common, "show_problem", lambda _p, message, *_a: shown.append(message))
    monkeypatch.setattr(dashboard, "show_problem", lambda _p, message, *_a: shown.append(message))
    panel = dashboard.CensusPanel(sqlite_team.db, sqlite_team["manager"])
    qtbot.addWidget(panel)
    panel.week.setText("not a week")
    panel.show_stored()
    assert panel.stored_note.text() == "Write the week like 2026-W47." and shown == []

    def locked(*_a: object, **_k: object) -> None:
        raise DatabaseInUse("Another program is using the database.", what_to_do="Wait.")

    monkeypatch.setattr(census, "get_week", locked)
    with pytest.MonkeyPatch.context() as quiet:
        quiet.setattr(common.log, "warning", lambda *_a: None)
        panel.show_stored()
    assert "2026-W47" not in panel.stored_note.text()
    assert shown == ["Another program is using the database.\n\nWait."]

    ended: list[bool] = []
    monkeypatch.setattr(
        panel, "window", lambda: type("W", (), {"session_ended": lambda: ended.append(True)})
    )

    def signed_out(*_a: object, **_k: object) -> None:
        raise SessionEnded("You were signed out.", "signed_out")

    monkeypatch.setattr(census, "set_week", signed_out)
    panel.seen = None
    panel.days.setValue(120)
    panel.save()
    assert shown[-1] == "You were signed out." and ended == [True]
