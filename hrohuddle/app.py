"""The composition root: paths, settings, logging, database, main window.

Over 600 lines because it is the one start sequence: the opening checks, the offer to
restore a damaged or missing database, and the window's wiring happen in order, each
needing what the step before it found.

Heavy imports wait until the first paint: a window shows at once, and the
database opens right after it.
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import sys
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSettings, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from hrohuddle import APP_ID, APP_NAME, __version__
from hrohuddle.errors import UserFacingError
from hrohuddle.paths import DataPaths, default_database_url, resources_dir
from hrohuddle.ui.common import PaintedOnce, readable
from hrohuddle.ui.main_window import MainWindow

if TYPE_CHECKING:
    from hrohuddle.services.backups import RestoreTicket
    from hrohuddle.store.database import Database

log = logging.getLogger(__name__)
DAY_MS = 24 * 60 * 60 * 1000


def _bench(mark: str) -> None:
    """Print a timestamp for the benchmark harness, and stop at the requested mark."""
    wanted = os.environ.get("HROHUDDLE_BENCH_MARK")
    if wanted:
        print(f"HROHUDDLE_BENCH {mark} {time.time():.6f}", flush=True)
        if os.environ.get("HROHUDDLE_BENCH_MODULES"):
            heavy = sorted(
                {m.split(".")[0] for m in sys.modules} & {"reportlab", "alembic", "argon2"}
            )
            print("HROHUDDLE_MODULES " + " ".join(heavy), flush=True)
        if wanted == mark:
            app = QApplication.instance()
            if app is not None:
                QTimer.singleShot(0, app.quit)


class Startup:
    """Opens the database after the first paint and handles every way that can fail."""

    def __init__(self, window: MainWindow, url: str, paths: DataPaths) -> None:
        self.window = window
        self.url = url
        self.paths = paths
        self.db: Database | None = None
        self.verbose = False
        self.pending_crash: str | None = None
        self.allow_new = False
        self.ready = False
        self.finished = False
        self.threads: list[threading.Thread] = []
        self.daily: QTimer | None = None

    def run(self) -> None:
        # After the first paint, so that QtNetwork does not delay it; a second launch
        # shows its window for a moment, then hands over to the running one.
        key = instance_key(self.paths, self.url)
        if hand_over_to_running(key):
            print(f"{APP_NAME} is already running here; its window was brought forward.")
            self.window.hide()
            QApplication.quit()
            return
        self.server = listen_for_second_launch(key, self.window)
        self._start_logging()
        from hrohuddle.services import people
        from hrohuddle.store.opening import open_database

        while True:
            try:
                # A damaged file that cannot even be read fails here; the full page-by-page
                # check runs in the background once the sign-in screen is up.
                opened = open_database(
                    self.url, self.paths.backup_dir, check=False, allow_new=self.allow_new
                )
                break
            except UserFacingError as exc:
                log.warning("database could not be opened: %s (%s)", exc.message, exc.detail)
                self._finish_start_up()  # the log file and the collector, before any dialog
                if not self._offer_way_out(exc):
                    QApplication.quit()
                    return
        self.db = opened.db
        db = opened.db
        units = people.list_units(db)
        unit_id: int | None
        if not units:
            from hrohuddle.ui.signin import FirstRunDialog

            self._finish_start_up()
            dialog = FirstRunDialog(db, self.window)
            if not dialog.exec() or dialog.actor is None:
                QApplication.quit()
                return
            unit_id = dialog.actor.unit_id
        elif len(units) == 1:
            unit_id = units[0].id
        else:
            self._finish_start_up()
            chosen = self._choose_unit(units)
            if chosen is None:
                QApplication.quit()
                return
            unit_id = chosen
        self.window.attach(db, unit_id)
        # Ready when the sign-in screen is on screen; a window that never paints
        # (minimised at start) still gets its backups and log file.
        signin = self.window.signin
        assert signin is not None
        self.paint_watch = PaintedOnce(signin, self._ready)
        QTimer.singleShot(3000, self._ready)

    def _ready(self) -> None:
        if self.ready:
            return
        self.ready = True
        _bench("ready")
        self._finish_start_up()
        self._check_then_back_up()
        self._offer_crash_log()
        self._set_icon()

    def _start_logging(self) -> None:
        """Before the database opens: records are held, hard crashes go to the crash log."""
        from hrohuddle import logs

        logs.hold_early_records(verbose=self.verbose)
        try:
            self.pending_crash = logs.pending_crash_report(self.paths.crash_log)
            logs.clear_crash_log(self.paths.crash_log)
            logs.enable_crash_log(self.paths.crash_log)
        except OSError:
            pass
        sys.excepthook = _first_exception
        log.info("%s %s starting", APP_NAME, __version__)

    def _finish_start_up(self) -> None:
        """Open the log file and restart the garbage collector; once, as soon as it is due."""
        if self.finished:
            return
        self.finished = True
        from hrohuddle import logs
        from hrohuddle.ui.errors import ExceptionHook

        try:
            log_file: Path | None = logs.setup(self.paths.log_dir, verbose=self.verbose)
        except OSError:
            log_file = None
            logs.to_stderr()
        sys.excepthook = ExceptionHook(log_file)
        if not gc.isenabled():
            # What start-up made lives as long as the app: set it aside for good, so
            # that later collections (while someone types) never walk it again.
            gc.collect()
            gc.freeze()
            gc.enable()

    def _set_icon(self) -> None:
        # The SVG image plugin loads here rather than before the first paint.
        from PySide6.QtGui import QIcon

        QApplication.setWindowIcon(QIcon(str(resources_dir() / "icons" / "hrohuddle.svg")))

    def _check_then_back_up(self) -> None:
        """The integrity check, then the start-up backup, off the GUI thread.

        A failed check is reported on the GUI thread, with the latest good backup.
        """
        from PySide6.QtCore import Signal

        class Relay(QObject):
            damaged = Signal(str)

        self.relay = Relay()
        self.relay.damaged.connect(self._damaged)
        db = self.db
        assert db is not None

        def work() -> None:
            from hrohuddle.store.errors import StoreError

            try:
                db.quick_check()
            except StoreError as exc:
                log.error("integrity check failed: %s", exc.detail)
                self.relay.damaged.emit(readable(exc))
                return
            db.keep_statistics()
            self._backup_now("start")

        self._in_background(work, "integrity-check")
        self.daily = QTimer(self.window)
        self.daily.setInterval(DAY_MS)
        self.daily.timeout.connect(
            lambda: self._in_background(lambda: self._backup_now("daily"), "backup")
        )
        self.daily.start()

    def _in_background(self, work: Callable[[], None], name: str) -> None:
        self.threads = [t for t in self.threads if t.is_alive()]
        thread = threading.Thread(target=work, name=name, daemon=True)
        self.threads.append(thread)
        thread.start()

    def shut_down(self) -> None:
        """After the window closed: let background work finish, then close the database."""
        if self.daily is not None:
            self.daily.stop()
        self.window.wait_for_workers()
        for thread in self.threads:
            thread.join(timeout=120)  # a backup in progress is finished, not cut off
        if self.db is not None:
            self.db.dispose()

    def _damaged(self, message: str) -> None:
        from hrohuddle.store import backup

        latest = backup.latest_good(self.paths.backup_dir)
        box = QMessageBox(self.window)
        box.setIcon(QMessageBox.Icon.Critical)
        box.setWindowTitle(tr_("The unit's database is damaged"))
        text = message
        restore = None
        if latest is not None:
            text += "\n\n" + tr_(
                "The latest good backup is from {when}. Restoring it keeps a "
                "copy of the damaged file; HRO Huddle then closes."
            ).format(when=latest.label)
            restore = box.addButton(tr_("Restore that backup"), QMessageBox.ButtonRole.AcceptRole)
        box.setText(text)
        box.addButton(tr_("Not now"), QMessageBox.ButtonRole.RejectRole)
        box.exec()
        file = self.db.file if self.db is not None else None
        if (
            restore is not None
            and box.clickedButton() is restore
            and latest is not None
            and file is not None
        ):
            from hrohuddle.services.backups import RestoreTicket

            self.window.request_restore(
                RestoreTicket(latest.path, file, "start-up (the database was damaged)")
            )

    def _backup_now(self, reason: str) -> None:
        file = self.db.file if self.db is not None else None
        if file is None:
            return
        from hrohuddle.store import backup

        try:
            made = backup.take_backup(file, self.paths.backup_dir, reason=reason)
            log.info("automatic backup %s", made.path.name)
        except Exception:
            log.exception("automatic backup failed")

    def _offer_way_out(self, exc: UserFacingError) -> bool:
        """Explain the problem and offer only what can help. True to try opening again.

        A newer schema: install that version (a backup would not help). Locked: another
        program is using it, try again. Damaged or empty: the latest good backup, and
        for an empty file a new unit only once the admin confirms it.
        """
        from hrohuddle.store import backup
        from hrohuddle.store.database import sqlite_path
        from hrohuddle.store.errors import (
            DatabaseInUse,
            DatabaseMissing,
            DatabaseTooNew,
            StoreError,
        )

        message = exc.message
        box = QMessageBox(self.window)
        box.setIcon(QMessageBox.Icon.Critical)
        box.setWindowTitle(tr_("The unit's database cannot be opened"))
        path = sqlite_path(self.url)
        latest = None
        if path is not None and isinstance(exc, StoreError) and exc.offer_restore:
            latest = backup.latest_good(self.paths.backup_dir)
        restore_button = None
        new_button = None
        retry = None
        text = message
        if isinstance(exc, DatabaseTooNew):
            text = readable(exc)  # neither a backup nor trying again helps
        elif isinstance(exc, DatabaseInUse):
            text += "\n\n" + tr_(
                "Another program is using the database. Close it (or wait for it), then try again."
            )
            retry = box.addButton(tr_("Try again"), QMessageBox.ButtonRole.ActionRole)
        else:
            if latest is not None and path is not None:
                text += "\n\n" + tr_(
                    "The latest good backup is from {when} ({why}). Restoring it keeps a copy "
                    "of the current file as a backup."
                ).format(when=latest.label, why=latest.why)
                restore_button = box.addButton(
                    tr_("Restore that backup"), QMessageBox.ButtonRole.AcceptRole
                )
            else:
                text = readable(exc)  # what to do, when no backup can be offered here
            if isinstance(exc, DatabaseMissing):
                new_button = box.addButton(
                    tr_("Start a new, empty unit…"), QMessageBox.ButtonRole.DestructiveRole
                )
            retry = box.addButton(tr_("Try again"), QMessageBox.ButtonRole.ActionRole)
        box.setText(text)
        quit_button = box.addButton(tr_("Quit"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(quit_button if restore_button is None else restore_button)
        box.exec()
        clicked = box.clickedButton()
        if restore_button is not None and clicked is restore_button:
            assert latest is not None and path is not None
            from hrohuddle.services import audit

            try:
                kept = backup.restore(
                    latest.path,
                    path,
                    self.paths.backup_dir,
                    prepare=audit.restore_recorder(
                        latest.path, by="start-up of the app", replaced=path
                    ),
                )
            except (UserFacingError, OSError) as err:  # shown, never a traceback
                QMessageBox.critical(self.window, APP_NAME, _plain(err))
                return False
            except Exception:  # a bug: logged with its traceback, in the error dialog
                sys.excepthook(*sys.exc_info())
                return False
            log.info("restored %s; replaced file kept at %s", latest.path, kept)
            return True
        if new_button is not None and clicked is new_button:
            sure = QMessageBox.warning(
                self.window,
                tr_("Start a new, empty unit?"),
                tr_(
                    "The unit's data is not in {file}, but there are backups in {folder}. "
                    "Starting a new, empty unit sets up everything again from nothing. The "
                    "backups stay where they are. Start a new unit?"
                ).format(file=path, folder=self.paths.backup_dir),
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No,
            )
            if sure == QMessageBox.StandardButton.Yes:
                self.allow_new = True
                return True
            return self._offer_way_out(exc)
        return retry is not None and clicked is retry

    def _choose_unit(self, units: list) -> int | None:  # type: ignore[type-arg]
        settings = self.window.settings
        remembered = settings.value("unit/code")
        for u in units:
            if u.code == remembered:
                return int(u.id)
        from PySide6.QtWidgets import QInputDialog

        labels = [f"{u.code} · {u.name}" for u in units]
        choice, ok = QInputDialog.getItem(
            self.window,
            tr_("Choose the unit"),
            tr_("Which unit is this workstation on?"),
            labels,
            0,
            False,
        )
        if not ok:
            return None
        unit = units[labels.index(choice)]
        settings.setValue("unit/code", unit.code)
        return int(unit.id)

    def _offer_crash_log(self) -> None:
        text = self.pending_crash
        if text is None:
            return
        from hrohuddle.ui.errors import ErrorDialog

        intro = tr_("HRO Huddle stopped unexpectedly last time. This is what it recorded:")
        dialog = ErrorDialog(intro + "\n\n" + text, self.window)
        dialog.setWindowTitle(tr_("HRO Huddle closed unexpectedly last time"))
        dialog.open()


def _first_exception(kind: type[BaseException], value: BaseException, tb: object) -> None:
    """An error before the log file is open: the usual dialog, logged once it opens."""
    from hrohuddle.ui.errors import ExceptionHook

    hook = ExceptionHook(None)
    sys.excepthook = hook
    hook(kind, value, tb)  # type: ignore[arg-type]


def tr_(text: str) -> str:
    from PySide6.QtCore import QCoreApplication

    return QCoreApplication.translate("Startup", text)


def instance_key(paths: DataPaths, url: str) -> str:
    """One running app per workstation user, data folder and database."""
    import hashlib

    digest = hashlib.sha256(f"{paths.data_dir}|{url}".encode()).hexdigest()[:16]
    return f"hrohuddle-{digest}"


def hand_over_to_running(key: str) -> bool:
    """Ask an already running HRO Huddle to come forward; True if one answered."""
    from PySide6.QtNetwork import QLocalSocket

    sock = QLocalSocket()
    sock.connectToServer(key)
    if not sock.waitForConnected(300):
        return False
    sock.write(b"raise\n")
    sock.flush()
    sock.waitForBytesWritten(500)
    sock.disconnectFromServer()
    return True


def listen_for_second_launch(key: str, window: MainWindow) -> object:
    from PySide6.QtNetwork import QLocalServer

    server = QLocalServer(window)
    QLocalServer.removeServer(key)  # a server left behind by a crash
    server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
    server.listen(key)

    def come_forward() -> None:
        from PySide6.QtCore import Qt

        conn = server.nextPendingConnection()
        if conn is not None:
            conn.deleteLater()
        log.info("a second launch asked this window to come forward")
        window.setWindowState(window.windowState() & ~Qt.WindowState.WindowMinimized)
        window.show()
        window.raise_()
        window.activateWindow()

    server.newConnection.connect(come_forward)
    return server


NO_DISPLAY = (
    "no display found: set QT_QPA_PLATFORM=offscreen for a headless check, "
    "or start a desktop session"
)


def display_missing(env: Mapping[str, str] = os.environ) -> bool:
    """True on Linux when Qt would look for an X11 or Wayland display and find none.

    Qt aborts the process (exit 134) in that case, with no word a user can act on.
    """
    if not sys.platform.startswith("linux"):
        return False
    wanted = [p.split(":")[0] for p in env.get("QT_QPA_PLATFORM", "").split(";") if p]
    if any(p not in ("xcb", "wayland", "wayland-egl") for p in wanted):
        return False  # offscreen, vnc, eglfs, linuxfb... need no display server
    has_x11 = bool(env.get("DISPLAY"))
    has_wayland = bool(env.get("WAYLAND_DISPLAY"))
    if not wanted:
        return not (has_x11 or has_wayland)
    return not any(has_x11 if p == "xcb" else has_wayland for p in wanted)


def main(args: argparse.Namespace, paths: DataPaths) -> int:
    if QApplication.instance() is None and display_missing():
        print(f"{APP_NAME}: {NO_DISPLAY}.", file=sys.stderr)
        return 2
    QApplication.setApplicationName(APP_ID)
    QApplication.setOrganizationName(APP_ID)
    QApplication.setApplicationDisplayName(APP_NAME)
    QApplication.setApplicationVersion(__version__)
    existing = QApplication.instance()
    if existing is None:
        # Fusion through Qt's own option: no other style is made first, and no
        # Python wrapper of QStyle is built before the first paint.
        app = QApplication([*sys.argv[:1], "-style", "Fusion"])
    else:
        assert isinstance(existing, QApplication)
        app = existing
        app.setStyle("Fusion")
    try:
        from hrohuddle.ui.styles import style_sheet

        app.setStyleSheet(style_sheet("app"))
    except (OSError, UnicodeDecodeError, ValueError, KeyError):
        pass  # the app works unstyled
    try:
        paths.ensure()
    except OSError as exc:
        QMessageBox.critical(
            None,
            APP_NAME,
            tr_(
                "HRO Huddle cannot write its data folder ({path}): {why}. Ask IT for a writable "
                "folder, or start it with --database."
            ).format(path=paths.data_dir, why=exc.strerror),
        )
        return 2
    import faulthandler

    faulthandler.enable()
    if os.environ.get("HROHUDDLE_DATA_DIR"):
        # A data folder of its own (demo, tests, a second unit) keeps its own UI settings too.
        settings = QSettings(str(paths.data_dir / "settings.ini"), QSettings.Format.IniFormat)
    else:
        settings = QSettings()
    from hrohuddle.paths import restrict_file

    restrict_file(Path(settings.fileName()))
    scale = float(str(settings.value("text/scale", 1.0)))
    app.setProperty("hroTextScale", scale)
    base = settings.value("text/base_point_size")
    if base is not None and scale != 1.0:
        font = app.font()
        font.setPointSizeF(float(base) * scale)
        app.setFont(font)
    url = args.database or default_database_url(paths)
    window = MainWindow(paths, settings)
    startup = Startup(window, url, paths)
    startup.verbose = args.verbose

    def after_first_paint() -> None:
        _bench("first-paint")
        QTimer.singleShot(0, startup.run)

    first_paint = PaintedOnce(window, after_first_paint)  # noqa: F841 - lives until exit
    if settings.value("window/geometry") is None:
        # The whole screen on the first start, with or without a window manager.
        screen = app.primaryScreen()
        if screen is not None:
            window.setGeometry(screen.availableGeometry())
        window.showMaximized()
    else:
        window.show()
    code = app.exec()
    startup.shut_down()  # quitting leaves no connection and no thread behind
    if window.restore_requested is not None and startup.db is not None:
        return _restore_after_close(window.restore_requested, startup, paths)
    return int(code)


def _restore_after_close(ticket: RestoreTicket, startup: Startup, paths: DataPaths) -> int:
    from hrohuddle.services import backups

    assert startup.db is not None
    startup.db.dispose()
    try:
        kept = backups.restore(ticket, paths.backup_dir)
    except (UserFacingError, OSError) as exc:  # shown, never a traceback
        QMessageBox.critical(None, APP_NAME, _plain(exc))
        relaunch()
        return 1
    except Exception:  # a bug: logged with its traceback, in the error dialog
        sys.excepthook(*sys.exc_info())
        relaunch()
        return 1
    log.info("restored %s; the replaced database is kept at %s", ticket.source, kept)
    relaunch()
    return 0


def _plain(exc: UserFacingError | OSError) -> str:
    """A user-facing error with what to do; a failed file operation by its reason."""
    if isinstance(exc, UserFacingError):
        return readable(exc)
    where = f" ({exc.filename})" if exc.filename else ""
    return tr_("The file could not be read or written: {why}{where}.").format(
        why=exc.strerror or exc, where=where
    )


def relaunch() -> None:
    """Start HRO Huddle again, on the same database, as this process ends."""
    import subprocess

    if getattr(sys, "frozen", False):
        command = [sys.executable, *sys.argv[1:]]
    else:
        command = [sys.executable, "-m", "hrohuddle", *sys.argv[1:]]
    if os.environ.get("HROHUDDLE_RELAUNCH_NOTE"):
        # Tests read what would have started, without a second window.
        Path(os.environ["HROHUDDLE_RELAUNCH_NOTE"]).write_text(" ".join(command))
        return
    subprocess.Popen(command, start_new_session=True, close_fds=True)
