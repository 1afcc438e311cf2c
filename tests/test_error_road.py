"""One road for errors: what a person should read is shown; a bug is shown as a bug.

Driver errors are translated by their code (SQLite result code, PostgreSQL SQLSTATE);
an error whose code names no environmental cause propagates with its traceback.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from conftest import Team
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError, ProgrammingError

from hrohuddle import cli
from hrohuddle.errors import UserFacingError
from hrohuddle.paths import DataPaths
from hrohuddle.services.errors import ServiceError
from hrohuddle.store.database import Database
from hrohuddle.store.errors import (
    DatabaseCorrupt,
    DatabaseInUse,
    DatabaseUnavailable,
    StoreError,
    translate_driver_error,
)


def _file(tmp_path: Path) -> Path:
    path = tmp_path / "plain.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)")
    conn.execute("INSERT INTO t (v) VALUES ('a')")
    conn.commit()
    conn.close()
    return path


def _raised(call: object) -> BaseException:
    try:
        call()  # type: ignore[operator]
    except sqlite3.Error as exc:
        return exc
    raise AssertionError("no error")


def test_every_readable_error_shares_one_base() -> None:
    assert issubclass(StoreError, UserFacingError)
    assert issubclass(ServiceError, UserFacingError)
    assert issubclass(cli.UserError, UserFacingError)
    err = StoreError("Saved nothing.", detail="SQLITE_FULL", what_to_do="Free some space.")
    assert (err.message, err.detail, err.what_to_do) == (
        "Saved nothing.",
        "SQLITE_FULL",
        "Free some space.",
    )


def test_a_read_only_file_is_explained_by_its_code(tmp_path: Path) -> None:
    path = _file(tmp_path)
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        exc = _raised(lambda: conn.execute("INSERT INTO t (v) VALUES ('b')"))
    finally:
        conn.close()
    err = translate_driver_error(exc)
    assert isinstance(err, DatabaseUnavailable) and "read-only" in err.message
    assert err.detail is not None and err.detail.startswith("SQLITE_READONLY")


def test_a_locked_file_is_explained_by_its_code(tmp_path: Path) -> None:
    path = _file(tmp_path)
    holder = sqlite3.connect(path, isolation_level=None)
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        holder.execute("BEGIN EXCLUSIVE")
        exc = _raised(lambda: other.execute("BEGIN IMMEDIATE"))
    finally:
        holder.close()
        other.close()
    err = translate_driver_error(exc)
    assert isinstance(err, DatabaseInUse) and "Another program" in err.message


def test_a_damaged_file_is_explained_by_its_code(tmp_path: Path) -> None:
    path = tmp_path / "damaged.sqlite3"
    path.write_bytes(b"SQLite format 3\x00" + b"\xa5" * 4096)
    conn = sqlite3.connect(path)
    try:
        exc = _raised(lambda: conn.execute("SELECT * FROM sqlite_master").fetchall())
    finally:
        conn.close()
    err = translate_driver_error(exc)
    assert isinstance(err, DatabaseCorrupt) and "damaged" in err.message
    assert err.offer_restore


def test_a_constraint_stays_with_the_caller(tmp_path: Path) -> None:
    db = Database.connect(f"sqlite:///{_file(tmp_path)}")
    try:
        with pytest.raises(IntegrityError), db.write() as s:
            s.execute(text("INSERT INTO t (v) VALUES (NULL)"))
    finally:
        db.dispose()


def test_invalid_sql_on_sqlite_is_a_bug_not_a_message(tmp_path: Path) -> None:
    db = Database.connect(f"sqlite:///{_file(tmp_path)}")
    try:
        with pytest.raises(OperationalError, match="no such column") as caught, db.read() as s:
            s.execute(text("SELECT no_such_column FROM t"))
        assert not isinstance(caught.value, StoreError)
        assert translate_driver_error(caught.value) is None
        with pytest.raises(OperationalError, match="syntax error"), db.write() as s:
            s.execute(text("SELEKT 1"))
    finally:
        db.dispose()


@pytest.fixture
def pg_db(pg_url: str) -> Iterator[Database]:
    db = Database.connect(pg_url)
    yield db
    db.dispose()


@pytest.mark.postgres
def test_a_missing_column_on_postgres_is_a_bug_not_a_message(pg_db: Database) -> None:
    with pytest.raises(ProgrammingError, match="no_such_column") as caught, pg_db.read() as s:
        s.execute(text("SELECT no_such_column FROM pg_class"))
    assert not isinstance(caught.value, StoreError)
    assert getattr(caught.value.orig, "sqlstate", None) == "42703"


@pytest.mark.postgres
def test_a_connection_stopped_by_the_server_is_explained(pg_db: Database) -> None:
    with (
        pytest.raises(DatabaseUnavailable, match="server could not be reached") as caught,
        pg_db.read() as s,
    ):
        s.execute(text("SELECT pg_terminate_backend(pg_backend_pid())"))
    assert isinstance(caught.value.__cause__, DBAPIError)
    pg_db.ping()  # the pool replaces the stopped connection


def test_attempt_shows_a_readable_error_and_returns_none(
    qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hrohuddle.ui import common

    shown: list[str] = []
    monkeypatch.setattr(common, "show_problem", lambda _p, message, *_a: shown.append(message))

    def refuse() -> int:
        raise ServiceError("Not yours to change.", what_to_do="Ask the charge nurse.")

    assert common.attempt(None, refuse) is None
    assert shown == ["Not yours to change.\n\nAsk the charge nurse."]


@pytest.mark.logs_warnings  # logged at ERROR on purpose
def test_attempt_lets_a_bug_reach_the_exception_hook_and_the_log(
    qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from PySide6.QtWidgets import QPushButton

    from hrohuddle.ui import common
    from hrohuddle.ui.errors import ErrorDialog, ExceptionHook

    db = Database.connect(f"sqlite:///{_file(tmp_path)}")
    shown: list[str] = []
    monkeypatch.setattr(common, "show_problem", lambda _p, message, *_a: shown.append(message))

    def broken() -> object:
        with db.read() as s:
            return s.execute(text("SELECT no_such_column FROM t")).all()

    button = QPushButton()
    qtbot.addWidget(button)
    button.clicked.connect(lambda: common.attempt(button, broken))
    try:
        with qtbot.captureExceptions() as caught:
            button.click()
    finally:
        db.dispose()
    assert shown == []  # not dressed up as the user's problem
    assert len(caught) == 1
    kind, value, tb = caught[0]
    assert kind is OperationalError and "no such column" in str(value)

    dialogs: list[str] = []
    monkeypatch.setattr(ErrorDialog, "exec", lambda self: dialogs.append(self.report) or 0)
    with caplog.at_level(logging.ERROR, logger="hrohuddle"):
        ExceptionHook(None)(kind, value, tb)
    logged = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert logged and "Traceback" in logged[0].getMessage()
    assert "no such column" in logged[0].getMessage()
    assert len(dialogs) == 1 and "Traceback" in dialogs[0]


@pytest.fixture
def in_process_cli(data_paths: object) -> Iterator[None]:
    """``cli.run`` in this process: its log set-up and umask are put back afterwards."""
    import os

    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    mask = os.umask(0o022)
    os.umask(mask)
    try:
        yield
    finally:
        for handler in root.handlers:
            if handler not in handlers:
                handler.close()
        root.handlers[:] = handlers
        root.setLevel(level)
        os.umask(mask)


@pytest.mark.usefixtures("in_process_cli")
def test_the_command_line_prints_a_readable_error_and_exits_non_zero(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def refuse(*_a: object) -> int:
        raise cli.UserError("the backup is older than the database.", what_to_do="Pick another.")

    monkeypatch.setattr(cli, "_dispatch", refuse)
    assert cli.run(["unit", "list"]) == 2
    err = capsys.readouterr().err
    assert err == "hrohuddle: the backup is older than the database.\nPick another.\n"


@pytest.mark.logs_warnings  # logged at ERROR on purpose
@pytest.mark.usefixtures("in_process_cli")
def test_the_command_line_lets_a_bug_out_with_its_traceback(
    monkeypatch: pytest.MonkeyPatch, data_paths: DataPaths
) -> None:
    def broken(*_a: object) -> int:
        raise KeyError("no such thing")

    monkeypatch.setattr(cli, "_dispatch", broken)
    with pytest.raises(KeyError):
        cli.run(["unit", "list"])
    logged = (data_paths.log_dir / "hrohuddle.log").read_text(encoding="utf-8")
    assert "ERROR hrohuddle.cli: command failed" in logged and "Traceback" in logged


@pytest.mark.logs_warnings
def test_a_store_error_in_attempt_is_logged_as_a_warning(
    qtbot, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from hrohuddle.ui import common

    shown: list[str] = []
    monkeypatch.setattr(common, "show_problem", lambda _p, message, *_a: shown.append(message))

    def full() -> None:
        raise DatabaseUnavailable("The disk is full.", detail="SQLITE_FULL")

    assert common.attempt(None, full) is None
    assert shown == ["The disk is full."]
    assert any(
        r.levelno == logging.WARNING and "SQLITE_FULL" in r.getMessage() for r in caplog.records
    )


@pytest.mark.logs_warnings
def test_a_failing_statement_keeps_its_bound_values_out_of_the_error_and_the_log(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "Narrative-ZQX-4711 about the patient"
    db = Database.connect(f"sqlite:///{_file(tmp_path)}")
    try:
        with (
            caplog.at_level(logging.DEBUG),
            pytest.raises(OperationalError) as caught,
            db.write() as s,
        ):
            s.execute(text("INSERT INTO t (no_such_column) VALUES (:v)"), {"v": secret})
        logging.getLogger("hrohuddle.test").exception("failed", exc_info=caught.value)
    finally:
        db.dispose()
    assert secret not in str(caught.value)
    assert secret not in caplog.text


def test_a_backup_names_a_full_disk_by_its_errno_not_its_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    from hrohuddle.store import backup

    database = _file(tmp_path)

    def quota(_src: Path, _dst: Path) -> None:
        raise OSError(errno.ENOSPC, "Quota exceeded")

    monkeypatch.setattr(backup, "_copy_into", quota)
    with pytest.raises(DatabaseUnavailable, match="not enough free space"):
        backup.take_backup(database, tmp_path / "backups", reason="manual")

    def denied(_src: Path, _dst: Path) -> None:
        raise OSError(errno.EACCES, "Filesystem full of surprises")

    monkeypatch.setattr(backup, "_copy_into", denied)
    with pytest.raises(DatabaseUnavailable) as caught:
        backup.take_backup(database, tmp_path / "backups", reason="manual")
    assert "free space" not in caught.value.message


def test_a_backup_lets_a_sqlite_bug_out_and_translates_a_full_disk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hrohuddle.store import backup

    database = _file(tmp_path)

    def bad_sql(_src: Path, _dst: Path) -> None:
        with closing(sqlite3.connect(":memory:")) as conn:
            conn.execute("SELECT no_such_column FROM sqlite_master")

    monkeypatch.setattr(backup, "_copy_into", bad_sql)
    with pytest.raises(sqlite3.OperationalError, match="no such column"):
        backup.take_backup(database, tmp_path / "backups", reason="manual")
    monkeypatch.setattr(backup, "check_candidate", lambda _path: None)
    with pytest.raises(sqlite3.OperationalError, match="no such column"):
        backup.restore(database, tmp_path / "live.sqlite3", tmp_path / "backups")

    def full(_src: Path, _dst: Path) -> None:
        exc = sqlite3.OperationalError("database or disk is full")
        exc.sqlite_errorcode = sqlite3.SQLITE_FULL  # type: ignore[attr-defined]
        exc.sqlite_errorname = "SQLITE_FULL"  # type: ignore[attr-defined]
        raise exc

    monkeypatch.setattr(backup, "_copy_into", full)
    with pytest.raises(DatabaseUnavailable, match="not enough free space"):
        backup.take_backup(database, tmp_path / "backups", reason="manual")


def _hook_calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[object, ...]]:
    import sys

    calls: list[tuple[object, ...]] = []
    monkeypatch.setattr(sys, "excepthook", lambda *args: calls.append(args))
    return calls


def test_a_bug_in_a_background_load_reaches_the_exception_hook(
    qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QLabel, QWidget

    from hrohuddle.ui import common

    calls = _hook_calls(monkeypatch)
    shown: list[str] = []
    monkeypatch.setattr(common, "show_problem", lambda _p, message, *_a: shown.append(message))
    owner = QWidget()
    qtbot.addWidget(owner)
    busy = QLabel(owner)

    def broken() -> int:
        raise KeyError("no such thing")

    common.load_off_thread(owner, broken, lambda _r: None, busy)
    qtbot.waitUntil(lambda: bool(calls or shown), timeout=10_000)
    assert shown == []
    kind, value, tb = calls[0]
    assert kind is KeyError and isinstance(value, KeyError) and tb is not None
    assert busy.text() == ""

    def refuse() -> int:
        raise ServiceError("Not yours to see.")

    common.load_off_thread(owner, refuse, lambda _r: None, busy)
    qtbot.waitUntil(lambda: bool(shown), timeout=10_000)
    assert shown == ["Not yours to see."] and len(calls) == 1


def test_a_bug_in_the_report_job_reaches_the_exception_hook(
    qtbot, sqlite_team: Team, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hrohuddle.reports import weekly
    from hrohuddle.ui import dashboard

    calls = _hook_calls(monkeypatch)
    shown: list[str] = []
    monkeypatch.setattr(dashboard, "show_problem", lambda _p, message, *_a: shown.append(message))

    def broken(*_a: object, **_k: object) -> None:
        raise KeyError("no such thing")

    monkeypatch.setattr(weekly, "write", broken)
    job = dashboard.ReportJob(None, None, None, tmp_path / "r.pdf")  # type: ignore[arg-type]
    results: list[tuple[object, object]] = []
    job.signals.finished.connect(lambda path, err: results.append((path, err)))
    job.run()
    assert len(results) == 1
    path, error = results[0]
    assert path is None and isinstance(error, KeyError)
    panel = dashboard.WeekPanel(sqlite_team.db, sqlite_team["manager"])
    qtbot.addWidget(panel)
    panel._saved(None, error)  # type: ignore[arg-type]
    assert shown == [] and calls and calls[0][0] is KeyError


@pytest.mark.logs_warnings
def test_the_exception_hook_shows_a_readable_error_as_attempt_does(
    qtbot, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from PySide6.QtWidgets import QApplication, QWidget

    from hrohuddle.services.errors import SessionEnded
    from hrohuddle.ui import common
    from hrohuddle.ui.errors import ErrorDialog, ExceptionHook

    shown: list[str] = []
    monkeypatch.setattr(common, "show_problem", lambda _p, message, *_a: shown.append(message))
    dialogs: list[str] = []
    monkeypatch.setattr(ErrorDialog, "exec", lambda self: dialogs.append(self.report) or 0)
    hook = ExceptionHook(None)
    err = ServiceError("Not yours to change.", detail="rule 7", what_to_do="Ask the charge nurse.")
    with caplog.at_level(logging.WARNING, logger="hrohuddle"):
        hook(ServiceError, err, None)
    assert shown == ["Not yours to change.\n\nAsk the charge nurse."] and dialogs == []
    assert any(r.levelno == logging.WARNING and "rule 7" in r.getMessage() for r in caplog.records)
    assert not any(r.levelno >= logging.ERROR for r in caplog.records)

    window = QWidget()
    qtbot.addWidget(window)
    ended: list[bool] = []
    window.session_ended = lambda: ended.append(True)  # type: ignore[attr-defined]
    monkeypatch.setattr(QApplication, "activeWindow", staticmethod(lambda: window))
    hook(SessionEnded, SessionEnded("You were signed out.", "signed_out"), None)
    assert shown[-1] == "You were signed out." and ended == [True] and dialogs == []


def _coded(code: int) -> sqlite3.Error:
    exc = sqlite3.OperationalError("driver text")
    exc.sqlite_errorcode = code  # type: ignore[attr-defined]
    exc.sqlite_errorname = f"CODE_{code}"  # type: ignore[attr-defined]
    return exc


def test_store_errors_say_what_to_do_in_words_fit_for_the_window_and_the_command_line() -> None:
    codes = [
        sqlite3.SQLITE_BUSY,
        sqlite3.SQLITE_FULL,
        sqlite3.SQLITE_CORRUPT,
        sqlite3.SQLITE_NOTADB,
        sqlite3.SQLITE_READONLY,
        sqlite3.SQLITE_CANTOPEN,
        sqlite3.SQLITE_PERM,
        sqlite3.SQLITE_IOERR,
    ]
    for code in codes:
        err = translate_driver_error(_coded(code))
        assert err is not None and err.what_to_do, code
        assert "on screen" not in err.message + err.what_to_do, code
    damaged = translate_driver_error(_coded(sqlite3.SQLITE_CORRUPT))
    assert isinstance(damaged, DatabaseCorrupt) and damaged.what_to_do is not None
    assert "hrohuddle db backups" in damaged.what_to_do
    assert "hrohuddle db restore FILE" in damaged.what_to_do
    assert "Unit admin → Backups" in damaged.what_to_do


def test_attempt_says_the_entry_is_still_on_screen_only_when_something_was_typed(
    qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QPlainTextEdit, QWidget

    from hrohuddle.ui import common

    shown: list[tuple[object, ...]] = []
    monkeypatch.setattr(common, "show_problem", lambda _p, *args: shown.append(args))

    def full() -> None:
        raise translate_driver_error(_coded(sqlite3.SQLITE_FULL))  # type: ignore[misc]

    form = QWidget()
    qtbot.addWidget(form)
    entry = QPlainTextEdit(form)
    form.show()
    with pytest.MonkeyPatch.context() as quiet:
        quiet.setattr(common.log, "warning", lambda *_a: None)
        assert common.attempt(form, full) is None  # nothing typed yet
        entry.setPlainText("The pump alarm was silenced")
        assert common.attempt(form, full) is None
    message, _title, note = shown[0]
    assert "disk is full" in str(message) and "free some space" in str(message).lower()
    assert "Nothing was changed" in str(note) and "on screen" not in str(note)
    assert "still on screen" in str(shown[1][2])


@pytest.mark.logs_warnings  # logged at ERROR on purpose
@pytest.mark.usefixtures("in_process_cli")
def test_a_bug_on_the_command_line_ends_with_one_plain_line_naming_the_log(
    monkeypatch: pytest.MonkeyPatch, data_paths: DataPaths
) -> None:
    import traceback

    def broken(*_a: object) -> int:
        raise KeyError("no such thing")

    monkeypatch.setattr(cli, "_dispatch", broken)
    with pytest.raises(KeyError) as caught:
        cli.run(["unit", "list"])
    printed = "".join(traceback.format_exception(caught.value)).rstrip("\n").splitlines()
    assert printed[0].startswith("Traceback")
    assert "fault in HRO Huddle" in printed[-1]
    assert str(data_paths.log_dir / "hrohuddle.log") in printed[-1]
    assert "report" in printed[-1]


@pytest.mark.usefixtures("in_process_cli")
def test_db_check_reports_a_missing_table_or_column_as_damage(
    capsys: pytest.CaptureFixture[str], sqlite_team: Team
) -> None:
    file = sqlite_team.db.file
    assert file is not None
    sqlite_team.db.dispose()
    url = f"sqlite:///{file}"
    conn = sqlite3.connect(file)
    conn.execute("ALTER TABLE units RENAME COLUMN night_shift_start TO night_start")
    conn.execute("CREATE TABLE spare (id INTEGER PRIMARY KEY)")
    conn.commit()
    conn.close()
    assert cli.run(["--database", url, "db", "check"]) != 0
    err = capsys.readouterr().err
    assert "damaged" in err and "units" in err and "night_shift_start" in err
    assert "spare" not in err  # a table of its own beside ours is no damage


def test_a_damaged_file_says_what_to_do_where_it_is_refused(tmp_path: Path) -> None:
    from hrohuddle.store.errors import DAMAGED_WHAT_TO_DO
    from hrohuddle.store.opening import open_database

    cut = tmp_path / "cut.sqlite3"
    cut.write_bytes(b"SQLite f")
    with pytest.raises(DatabaseCorrupt) as caught:
        open_database(f"sqlite:///{cut}", None)
    assert caught.value.what_to_do == DAMAGED_WHAT_TO_DO
    assert "backup" not in caught.value.message
