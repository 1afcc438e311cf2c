"""The main window: sign-in, then navigation between the workflows the role allows.

Over 600 lines because it is one QMainWindow whose sign-in, screen lock, navigation and
pages all share the signed-in person and the stack of pages.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

# Only what the first paint needs is imported here: the rest of Qt's classes,
# and everything below the UI, load after the window is on screen. The Qt
# namespace (all its enums) alone takes longer to load than the window to paint.
from PySide6.QtCore import QSettings, QSize, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QLabel,
    QMainWindow,
    QStackedWidget,
    QWidget,
)

from hrohuddle import APP_NAME
from hrohuddle.paths import DataPaths
from hrohuddle.ui.common import plain, tr

if TYPE_CHECKING:
    from PySide6.QtGui import QCloseEvent
    from PySide6.QtWidgets import QDialog

    # The window paints before SQLAlchemy is imported; these come with the database.
    from hrohuddle.services import people, tiers
    from hrohuddle.services.backups import RestoreTicket
    from hrohuddle.services.permissions import Actor
    from hrohuddle.store.database import Database
    from hrohuddle.ui.shell import IdleWatcher, PageSpec
    from hrohuddle.ui.signin import SignInPage

log = logging.getLogger(__name__)


class MainWindow(QMainWindow):
    """Owns the screens; the database and the unit are attached once opened."""

    signed_in = Signal(object)

    def __init__(self, paths: DataPaths, settings: QSettings) -> None:
        super().__init__()
        self.paths = paths
        self.settings = settings
        self.db: Database | None = None
        self.unit: people.UnitSettings | None = None
        self.actor: Actor | None = None
        self.restore_requested: RestoreTicket | None = None
        self.lock_inhibitors: set[str] = set()
        self.capture: QDialog | None = None
        self.offer_pulses = True
        self.pulse_keeper: Any = None
        self.setWindowTitle(APP_NAME)
        self.setMinimumSize(960, 640)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            from hrohuddle.ui.common import apply_palette

            apply_palette(app)
        # The menus' titles from the first paint, their items once the database is
        # open: the sign-in screen does not move down when the bar arrives.
        bar = self.menuBar()
        self.file_menu = bar.addMenu(tr("&File"))
        self.view_menu = bar.addMenu(tr("&View"))
        self.help_menu = bar.addMenu(tr("&Help"))
        self.stack = QStackedWidget()
        self.setCentralWidget(self.stack)
        self.splash = QLabel(tr("Opening the unit's database…"))
        self.splash.setObjectName("splash")  # centred by the style sheet
        self.splash.setAccessibleName(tr("Opening the unit's database"))
        self.stack.addWidget(self.splash)
        self.signin: SignInPage | None = None
        self.shell: QWidget | None = None
        self.idle: IdleWatcher | None = None
        geometry = settings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            from hrohuddle.ui.common import available_size

            room = available_size(self)
            # Never larger than the screen (1366x768 laptops): the bottom stays in view.
            self.resize(min(1280, room.width()), min(800, room.height()))

    # -- menus ---------------------------------------------------------------------
    def _build_menus(self) -> None:
        from PySide6.QtGui import QAction, QKeySequence

        file_menu = self.file_menu
        self.lock_action = QAction(tr("&Lock screen"), self)
        self.lock_action.setShortcut(QKeySequence("Ctrl+L"))
        self.lock_action.triggered.connect(self.lock)
        self.lock_action.setEnabled(False)
        self.signout_action = QAction(tr("Sign &out"), self)
        self.signout_action.setShortcut(QKeySequence("Ctrl+Shift+Q"))
        self.signout_action.triggered.connect(self.request_sign_out)
        self.signout_action.setEnabled(False)
        quit_action = QAction(tr("&Quit"), self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        self.pulse_action = QAction(tr("Onboarding &pulse…"), self)
        self.pulse_action.triggered.connect(self.open_pulse)
        self.pulse_action.setEnabled(False)
        file_menu.addAction(self.pulse_action)
        for action in (self.lock_action, self.signout_action):
            file_menu.addAction(action)
        file_menu.addSeparator()
        file_menu.addAction(quit_action)
        view = self.view_menu
        for text, keys, step in (
            (tr("&Larger text"), "Ctrl+=", 1),
            (tr("&Smaller text"), "Ctrl+-", -1),
            (tr("&Normal text"), "Ctrl+0", 0),
        ):
            action = QAction(text, self)
            action.setShortcut(QKeySequence(keys))
            action.triggered.connect(lambda _=False, s=step: self.scale_text(s))
            view.addAction(action)
        help_menu = self.help_menu
        guide = QAction(tr("&Help"), self)
        guide.setShortcut(QKeySequence.StandardKey.HelpContents)
        guide.triggered.connect(self.show_help)
        about = QAction(tr("&About {app}").format(app=APP_NAME), self)
        about.triggered.connect(self.show_about)
        help_menu.addAction(guide)
        help_menu.addAction(about)

    def show_help(self) -> QWidget:
        from hrohuddle.ui.help import HelpDialog

        dialog = HelpDialog(self)
        dialog.open()
        return dialog

    def show_about(self) -> QWidget:
        from hrohuddle.ui.help import AboutDialog

        dialog = AboutDialog(
            self,
            data_dir=str(self.paths.data_dir),
            database_url=self.db.url if self.db is not None else None,
        )
        dialog.open()
        return dialog

    def scale_text(self, step: int) -> None:
        """Change the text size everywhere by one step; remembered for this workstation."""
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        base = float(str(self.settings.value("text/base_point_size", app.font().pointSizeF())))
        self.settings.setValue("text/base_point_size", base)
        scale = (
            1.0
            if step == 0
            else float(str(self.settings.value("text/scale", 1.0)))
            * (1.15 if step > 0 else 1 / 1.15)
        )
        scale = min(2.5, max(0.7, scale))
        self.settings.setValue("text/scale", scale)
        app.setProperty("hroTextScale", scale)
        before = app.font().pointSizeF()
        font = app.font()
        font.setPointSizeF(base * scale)
        app.setFont(font)
        # What is open follows too: widgets given a font of their own (headings) are
        # scaled by the same ratio, and the style sheet is re-applied so that every
        # widget is polished with the new size.
        app.setStyleSheet(app.styleSheet())
        ratio = font.pointSizeF() / before if before > 0 else 1.0
        if abs(ratio - 1.0) > 1e-3:
            from PySide6.QtCore import Qt

            for w in app.allWidgets():
                if w.testAttribute(Qt.WidgetAttribute.WA_SetFont) and w.font().pointSizeF() > 0:
                    f = w.font()
                    f.setPointSizeF(f.pointSizeF() * ratio)
                    w.setFont(f)
        for w in app.allWidgets():  # the board's type is in pixels: it scales itself
            follow = getattr(w, "follow_text_scale", None)
            if callable(follow):
                follow()

    def _who_text(self, actor: Actor) -> str:
        from hrohuddle.services import tiers
        from hrohuddle.services.vocabulary import unit_vocabulary

        assert self.unit is not None
        roles = ", ".join(unit_vocabulary().label("roles", r) for r in sorted(actor.roles))
        held = [
            tr("{role}, {tier}").format(
                role=tiers.TIER_ROLES.get(t.role, t.role).capitalize(), tier=t.name
            )
            for t in self._tier_scope(actor)
        ]
        if held:
            roles = "; ".join([roles, *held]) if roles else "; ".join(held)
        return tr("{unit}  ·  {name} ({roles})").format(
            unit=self.unit.name, name=actor.display_name, roles=roles
        )

    def _tier_scope(self, actor: Actor) -> list[tiers.TierScope]:
        """The tier roles the person holds (none on a unit's own file, or when unreadable)."""
        from hrohuddle.services import tiers as tier_service
        from hrohuddle.services.errors import ServiceError
        from hrohuddle.store.errors import StoreError

        if self.db is None or not tier_service.shared(self.db):
            return []
        try:
            return tier_service.my_tiers(self.db, actor)
        except (ServiceError, StoreError):
            return []

    def unit_changed(self) -> None:
        """The unit's settings were saved here: the title and top bar show its name now."""
        from hrohuddle.services import people

        if self.db is None or self.unit is None:
            return
        self.unit = people.unit_settings(self.db, self.unit.id)
        self.setWindowTitle(self.unit.name)
        if self.actor is not None and self.shell is not None:
            self.who.setText(self._who_text(self.actor))

    # -- database and sign-in ---------------------------------------------------------
    def attach(self, db: Database, unit_id: int) -> None:
        from hrohuddle.services import people
        from hrohuddle.ui.shell import IdleWatcher
        from hrohuddle.ui.signin import SignInPage

        self._build_menus()
        self.db = db
        self.unit = people.unit_settings(db, unit_id)
        # Qt adds the application's display name ("… — HRO Huddle"): the unit says the rest.
        self.setWindowTitle(self.unit.name)
        self.signin = SignInPage(db, unit_id)
        self.signin.signed_in.connect(self.on_signed_in)
        self.signin.switch_person.connect(self.sign_out)
        self.stack.addWidget(self.signin)
        self.idle = IdleWatcher(self.unit.idle_lock_minutes, self._idle_timeout)
        # Owned by the window: it leaves the application's event filters with it.
        self.idle.setParent(self)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self.idle)
        self._watch_session()
        # The page has just read the roster: show it, without reading it again.
        self.stack.setCurrentWidget(self.signin)
        self.signin.search.setFocus()

    def show_signin(self, locked_for: Actor | None = None) -> None:
        assert self.signin is not None
        self.signin.reload(locked_for)
        self.stack.setCurrentWidget(self.signin)
        self.signin.search.setFocus() if locked_for is None else self.signin.pin.setFocus()

    def on_signed_in(self, actor: Actor) -> None:
        previous = self.actor
        same_person = previous is not None and previous.person_id == actor.person_id
        if self.shell is not None and same_person and previous == actor:
            # The same session, reopened at the lock screen, with the same roles.
            self.actor = actor
            self.stack.setCurrentWidget(self.shell)
            self.nav.setFocus()  # never back on Lock, where Enter would lock again
        else:
            if previous is not None and self.db is not None and not same_person:
                from hrohuddle.services import signin

                signin.sign_out(self.db, previous, reason="another person signed in")
            self.actor = actor
            self._build_shell(actor)
        self.lock_action.setEnabled(True)
        self.signout_action.setEnabled(True)
        if self.idle is not None:
            self.idle.timer.start()
        self.session_timer.start()
        self._hook_session_errors()
        self.signed_in.emit(actor)
        self.pulse_action.setEnabled(True)
        # Once the sign-in screen has gone (its PIN box had focus), the screens' list
        # takes it: never the top bar's Lock or Sign out, which Enter would press.
        QTimer.singleShot(0, self._focus_screens)
        self._prewarm()
        if not same_person and self.offer_pulses and self.db is not None:
            QTimer.singleShot(0, lambda: self._pulses().offer(self.db, actor))

    def _focus_screens(self) -> None:
        if self.shell is None or self.stack.currentWidget() is not self.shell:
            return
        focused = QApplication.focusWidget()
        if focused is None or self.top_bar.isAncestorOf(focused):
            self.nav.setFocus()

    def _pulses(self) -> Any:
        from hrohuddle.ui.pulses import PulseKeeper

        if self.pulse_keeper is None:
            self.pulse_keeper = PulseKeeper(self)
        return self.pulse_keeper

    def open_pulse(self) -> bool:
        """File, Onboarding pulse: the form put aside earlier, or the pulse due now."""
        if self.actor is None or self.db is None:
            return False
        return bool(self._pulses().open_due(self.db, self.actor))

    def _drop_pulse(self) -> None:
        if self.pulse_keeper is not None:
            self.pulse_keeper.drop()
        self.pulse_action.setEnabled(False)

    def _prewarm(self) -> None:
        """Load the screens' modules and vocabularies off the GUI thread after sign-in,
        so that no screen's first open waits for them."""
        from hrohuddle.ui.common import load_off_thread

        def work() -> None:
            import hrohuddle.ui.capture
            import hrohuddle.ui.events
            import hrohuddle.ui.huddle_page  # noqa: F401  the board, its services and dialogs
            from hrohuddle.services import identifiers
            from hrohuddle.services.vocabulary import taxonomy, unit_vocabulary

            taxonomy()
            unit_vocabulary()
            # The patterns and name lists that every free text is checked against: the
            # first huddle item or report would wait a quarter of a second for them.
            identifiers.find_identifiers("")

        load_off_thread(self, work, lambda _result: None)

    def _idle_timeout(self) -> None:
        if self.actor is None:
            return
        if self.lock_inhibitors:
            assert self.idle is not None
            self.idle.timer.start()
            return
        self.lock()

    def report_event(self) -> None:
        """Quick capture, from any screen (the top bar, Ctrl+Shift+E, the huddle board)."""
        if self.actor is None or self.db is None or self.capture is not None:
            return
        from hrohuddle.ui.capture import CaptureDialog

        self.capture = CaptureDialog(self.db, self.actor, self)
        try:
            sent = self.capture.exec()
        finally:
            self.capture = None
        if sent and self.shell is not None and "events" in self.page_keys:
            row = self.page_keys.index("events")
            if row in self._built:
                page = self.pages.widget(row)
                refresh = getattr(page, "refresh", None)
                if refresh is not None:
                    refresh()

    def _go_to(self, key: str) -> None:
        if key == "pulse":  # Home's "a pulse is due" opens the form itself
            self.open_pulse()
            return
        self.open_page(key)

    def _close_capture(self) -> None:
        # The draft is kept for its author; the next person never sees it.
        if self.capture is not None:
            self.capture.reject()

    def lock(self) -> None:
        """Hide the screen's content until someone signs in again."""
        if self.actor is None:
            return
        self._close_capture()
        self._drop_pulse()
        if self.idle is not None:
            self.idle.timer.stop()  # started again when someone signs in
        self.session_timer.stop()  # nothing runs behind the lock; the PIN re-checks it
        log.info("screen locked")
        if self.db is not None:
            from hrohuddle.services import signin
            from hrohuddle.store.errors import StoreError

            try:
                signin.lock_session(self.db, self.actor)
            except StoreError as exc:  # the screen locks all the same
                log.warning("the lock was not recorded: %s", exc.message)
        self.show_signin(locked_for=self.actor)

    def running_huddle_board(self) -> QWidget | None:
        """The board of a huddle still open on this screen, if any."""
        if self.shell is None or "huddle" not in self.page_keys:
            return None
        row = self.page_keys.index("huddle")
        if row not in self._built:
            return None
        board = getattr(self.pages.widget(row), "board", None)
        state = getattr(board, "state", None)
        if board is None or state is None or state.huddle.status != "open":
            return None
        return board  # type: ignore[no-any-return]

    def request_sign_out(self) -> None:
        """Sign out, after a warning when a huddle is still open on this screen."""
        if self.running_huddle_board() is not None:
            from PySide6.QtWidgets import QMessageBox

            answer = QMessageBox.question(
                self,
                tr("The huddle is still open"),
                tr(
                    "The huddle is still open. Sign out anyway? It stays open: the next "
                    "charge nurse can carry on or close it. Close it first to record its "
                    "length and print its summary."
                ),
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No,
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        self.sign_out()

    def sign_out(self) -> None:
        self._close_capture()
        self._drop_pulse()
        self._drop_shell()  # its screens save their drafts while the session still holds
        if self.actor is not None and self.db is not None:
            from hrohuddle.services import signin

            signin.sign_out(self.db, self.actor)
        self.actor = None
        self.lock_action.setEnabled(False)
        self.signout_action.setEnabled(False)
        if self.idle is not None:
            self.idle.timer.stop()
        self.session_timer.stop()
        self.show_signin()

    # -- a session that ended or changed, handled here for every page ---------------------
    def _watch_session(self) -> None:
        """Re-check the session at every click or Enter and every few seconds.

        Pages need not handle a session that ended elsewhere (deactivated, signed
        out, moved to another unit) nor a change of roles: the window does it here,
        before the click reaches the page, and a SessionEnded that a page lets
        escape comes back here through the exception hook.
        """
        from PySide6.QtCore import QEvent, QObject, Qt

        window = self
        keys = {Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space}
        actions = {QEvent.Type.MouseButtonPress, QEvent.Type.TouchBegin, QEvent.Type.KeyPress}

        class _AtAction(QObject):
            def eventFilter(self, watched: QObject, event: QEvent) -> bool:
                # Every event of every widget passes here (thousands as a screen is
                # built): the kind is looked at first, the widget's window only for a
                # click, a touch or Enter.
                kind = event.type()
                if kind not in actions:
                    return False
                if kind == QEvent.Type.KeyPress and getattr(event, "key", lambda: 0)() not in keys:
                    return False
                if not isinstance(watched, QWidget) or watched.window() is not window:
                    return False  # another window's, or not a widget's
                return not window.recheck_session()

        self.session_timer = QTimer(self)
        self.session_timer.setInterval(self.RECHECK_MS)
        self.session_timer.timeout.connect(self.recheck_session)
        self._at_action = _AtAction(self)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self._at_action)

    def _hook_session_errors(self) -> None:
        """A SessionEnded that a page lets escape ends the session here, not in a crash box.

        Wrapped at each sign-in, around whichever hook the app set by then.
        """
        import sys

        from hrohuddle.services.errors import SessionEnded

        previous_hook = sys.excepthook
        if getattr(previous_hook, "session_ended_hook", False):
            return
        window = self

        def hook(kind, value, tb):  # type: ignore[no-untyped-def]
            if isinstance(value, SessionEnded) and window.actor is not None:
                if value.reason == "locked":
                    window.lock()
                else:
                    window.session_ended(value.message)
                return
            previous_hook(kind, value, tb)

        hook.session_ended_hook = True  # type: ignore[attr-defined]
        sys.excepthook = hook

    #: How often an open session is re-checked while nobody acts, in milliseconds.
    RECHECK_MS = 10_000

    def recheck_session(self) -> bool:
        """Whether the session still stands as the screen shows it; else deal with it now.

        Ended: back to the sign-in with nothing left on screen. Roles or name changed:
        the top bar and pages are built again for the roles held now. Returns False
        when the screen changed, so the click that asked is not passed on.
        """
        if self.actor is None or self.db is None:
            return True
        if QApplication.activeModalWidget() is not None:
            # A dialog's own loop is running (it may belong to a page): never pull the
            # page from under it. Its service call is re-checked, and the next click
            # after it closes is too.
            return True
        from hrohuddle.services import signin
        from hrohuddle.services.errors import ServiceError, SessionEnded
        from hrohuddle.store.errors import StoreError

        try:
            fresh = signin.current_actor(self.db, self.actor)
        except SessionEnded as exc:
            if exc.reason == "locked":
                return True
            self.session_ended(exc.message)
            return False
        except (ServiceError, StoreError) as exc:  # kept: a failed re-check is logged, not shown
            log.warning("the session could not be re-checked: %s", exc.message)
            return True
        if fresh.roles == self.actor.roles and fresh.display_name == self.actor.display_name:
            return True
        if not fresh.roles:
            self.sign_out()
            assert self.signin is not None
            self.signin.message.setText(
                tr("{name} has no role on this unit any more; ask the unit admin.").format(
                    name=fresh.display_name
                )
            )
            return False
        log.info("roles changed while signed in: screens rebuilt")
        self.actor = fresh
        if self.shell is None or self.stack.currentWidget() is not self.shell:
            # Behind the lock screen: built afresh when the person comes back.
            self._drop_shell()
            return False
        key = self.page_keys[self.nav.currentRow()] if self.nav.currentRow() >= 0 else "home"
        self._close_capture()
        self._build_shell(fresh)
        if key in self.page_keys:
            self.open_page(key)
        return False

    def session_ended(self, message: str | None = None) -> None:
        """A service refused the session (deactivated, signed out): show the sign-in."""
        self._close_capture()
        self._drop_pulse()
        self.actor = None
        self._drop_shell()
        self.lock_action.setEnabled(False)
        self.signout_action.setEnabled(False)
        if self.idle is not None:
            self.idle.timer.stop()
        self.session_timer.stop()
        self.show_signin()
        if message and self.signin is not None:
            self.signin.message.setText(message)

    def _drop_shell(self) -> None:
        if self.lock_inhibitors or self.isFullScreen():
            self.lock_inhibitors.clear()
            self.menuBar().setVisible(True)
            self.showNormal()
        if self.shell is not None:
            self.stack.removeWidget(self.shell)
            self.shell.deleteLater()
            self.shell = None

    # -- the shell ------------------------------------------------------------------
    def page_specs(self, actor: Actor) -> list[PageSpec]:
        from hrohuddle.services import tiers
        from hrohuddle.ui.shell import HomePage, PageSpec

        assert self.db is not None and self.unit is not None
        db, unit, paths = self.db, self.unit, self.paths

        def admin() -> QWidget:
            from hrohuddle.ui.admin import AdminPage

            return AdminPage(db, actor, paths)

        def huddle() -> QWidget:
            from hrohuddle.ui.huddle_page import HuddlePage

            page = HuddlePage(db, actor, self.height())
            # Looked up when asked, as a call on the window would be.
            page.report_requested.connect(lambda: self.report_event())
            page.board_mode_changed.connect(lambda on: self.set_board_mode(on))
            return page

        def reports() -> QWidget:
            from hrohuddle.ui.events import EventsPage

            return EventsPage(db, actor, self.report_event)

        def pulse_results() -> QWidget:
            from hrohuddle.ui.pulses import PulseResultsPage

            return PulseResultsPage(db, actor)

        def dashboard() -> QWidget:
            from hrohuddle.ui.dashboard import DashboardPage

            return DashboardPage(db, actor)

        def department_page() -> QWidget:
            from hrohuddle.ui.department import DepartmentPage

            return DepartmentPage(db, actor)

        def checklist_page() -> QWidget:
            from hrohuddle.ui.checklists import ChecklistsPage

            return ChecklistsPage(db, actor)

        def lessons_page() -> QWidget:
            from hrohuddle.ui.lessons import LessonsPage

            return LessonsPage(db, actor)

        def observation_page() -> QWidget:
            from hrohuddle.ui.observations import ObservationsPage

            return ObservationsPage(db, actor)

        def tier_board() -> QWidget:
            from hrohuddle.ui.tier_board import TierBoardPage

            page = TierBoardPage(db, actor)
            page.board_mode_changed.connect(lambda on: self.set_board_mode(on))
            return page

        from hrohuddle.ui.tier_board import page_label

        shares = tiers.shared(db)
        leads = tiers.my_tiers(db, actor)
        sees_checklists = (
            actor.can("checklist.observe")
            or actor.can("report.view")
            or actor.can("checklist.edit_templates")
        )
        sees_observations = bool(
            actor.roles & {"learner", "preceptor"} or actor.can("observation.view_all")
        )
        specs = [
            PageSpec("huddle", tr("Safety huddle"), "huddle.view", huddle),
            PageSpec("events", tr("Safety reports"), "event.report", reports),
            PageSpec("dashboard", tr("Dashboard"), "report.view", dashboard),
            *([PageSpec("lessons", tr("Shared lessons"), None, lessons_page)] if shares else []),
            *([PageSpec("tier_board", page_label(leads), None, tier_board)] if leads else []),
            *(
                [PageSpec("department", tr("Department view"), None, department_page)]
                if leads
                else []
            ),
            *(
                [PageSpec("checklists", tr("HRO checklists"), None, checklist_page)]
                if sees_checklists
                else []
            ),
            *(
                [PageSpec("observations", tr("Learner observations"), None, observation_page)]
                if sees_observations
                else []
            ),
            PageSpec("pulses", tr("Onboarding pulses"), "pulse.results", pulse_results),
            PageSpec("admin", tr("Unit admin"), "people.manage", admin),
        ]
        allowed = [s for s in specs if s.permission is None or actor.can(s.permission)]
        home = PageSpec(
            "home",
            tr("Home"),
            None,
            lambda: HomePage(actor, unit, allowed, db, self._go_to),
        )
        return [home, *allowed]

    def _build_shell(self, actor: Actor) -> None:
        from PySide6.QtCore import Qt
        from PySide6.QtGui import QAction, QKeySequence
        from PySide6.QtWidgets import (
            QFrame,
            QHBoxLayout,
            QListWidget,
            QListWidgetItem,
            QVBoxLayout,
        )

        from hrohuddle.ui.common import button

        self._drop_shell()
        shell = QWidget()
        outer = QVBoxLayout(shell)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        top = QFrame()
        top.setObjectName("topbar")
        self.top_bar = top
        top_layout = QHBoxLayout(top)
        self.who = plain(QLabel(self._who_text(actor)))
        self.who.setAccessibleName(tr("Signed in person and role"))
        top_layout.addWidget(self.who, 1)
        self.top_actions = top_layout
        report = button(tr("Report an event"))
        report.setProperty("primary", True)
        report.setToolTip(tr("Ctrl+Shift+E, from any screen"))
        report.clicked.connect(self.report_event)
        top_layout.addWidget(report)
        report_shortcut = QAction(shell)
        report_shortcut.setShortcut(QKeySequence("Ctrl+Shift+E"))
        report_shortcut.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        report_shortcut.triggered.connect(self.report_event)
        shell.addAction(report_shortcut)
        lock = button(tr("Lock"))
        lock.clicked.connect(self.lock)
        out = button(tr("Sign out"))
        out.clicked.connect(self.request_sign_out)
        top_layout.addWidget(lock)
        top_layout.addWidget(out)
        outer.addWidget(top)
        body = QHBoxLayout()
        body.setSpacing(0)
        self.nav = QListWidget()
        self.nav.setObjectName("nav")
        self.nav.setAccessibleName(tr("Screens"))
        self.nav.setFixedWidth(240)
        self.pages = QStackedWidget()
        self.page_keys: list[str] = []
        self._page_builders: list[Callable[[], QWidget]] = []
        for i, spec in enumerate(self.page_specs(actor)):
            item = QListWidgetItem(spec.label)
            item.setData(Qt.ItemDataRole.UserRole, spec.key)
            item.setSizeHint(QSize(0, max(48, self.fontMetrics().height() * 3)))
            self.nav.addItem(item)
            self.page_keys.append(spec.key)
            self._page_builders.append(spec.build)
            placeholder = QWidget()
            self.pages.addWidget(placeholder)
            if i < 9:
                action = QAction(self)
                action.setShortcut(QKeySequence(f"Ctrl+{i + 1}"))
                action.triggered.connect(lambda _=False, row=i: self.nav.setCurrentRow(row))
                shell.addAction(action)
        self._built: set[int] = set()
        self.nav.currentRowChanged.connect(self._show_page)
        body.addWidget(self.nav)
        body.addWidget(self.pages, 1)
        outer.addLayout(body, 1)
        self.shell = shell
        self.stack.addWidget(shell)
        self.stack.setCurrentWidget(shell)
        self.nav.setCurrentRow(0)
        self.nav.setFocus()

    def _show_page(self, row: int) -> None:
        """Build a screen the first time it is shown, so start-up stays light."""
        if row < 0:
            return
        if row not in self._built:
            widget = self._page_builders[row]()
            old = self.pages.widget(row)
            self.pages.insertWidget(row, widget)
            if old is not None:
                self.pages.removeWidget(old)
                old.deleteLater()
            self._built.add(row)
        self.pages.setCurrentIndex(row)

    def open_page(self, key: str) -> QWidget | None:
        """Switch to the screen ``key`` and return it (None when the role has no such screen)."""
        if self.shell is None or key not in self.page_keys:
            return None
        row = self.page_keys.index(key)
        self.nav.setCurrentRow(row)
        self._show_page(row)
        return self.pages.widget(row)

    def set_board_mode(self, on: bool) -> None:
        """Full screen for the wall: navigation hidden, no idle lock while the board runs."""
        if self.shell is None:
            return
        self.nav.setVisible(not on)
        self.top_bar.setVisible(not on)
        self.menuBar().setVisible(not on)
        if on:
            self.lock_inhibitors.add("huddle board")
            self._was_maximized = self.isMaximized()
            self.showFullScreen()
            # Without a window manager (kiosk set-ups) full screen is only a hint.
            self.setGeometry(self.screen().geometry())
        else:
            self.lock_inhibitors.discard("huddle board")
            if getattr(self, "_was_maximized", False):
                self.showMaximized()
            else:
                self.showNormal()

    # -- restore and close ---------------------------------------------------------------
    def request_restore(self, ticket: RestoreTicket) -> None:
        """Restoring swaps the file under everyone: close, restore, start again."""
        self.restore_requested = ticket
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        self._close_capture()
        # The screens save their drafts and stop their timers as they go (before the
        # sign-out, while the session still holds); the idle watcher stops watching,
        # so nothing of this window runs after it closes.
        if self.shell is not None:
            self.stack.removeWidget(self.shell)
            self.shell.deleteLater()
            self.shell = None
        if self.actor is not None and self.db is not None:
            try:
                from hrohuddle.services import signin

                signin.sign_out(self.db, self.actor, reason="app closed")
            except Exception:  # closing must not fail because the database is gone
                log.exception("sign-out on close failed")
        self.actor = None
        if self.idle is not None:
            self.idle.timer.stop()
            app = QApplication.instance()
            if app is not None:
                app.removeEventFilter(self.idle)
        self.session_timer.stop()
        self.wait_for_workers()
        super().closeEvent(event)

    def wait_for_workers(self) -> None:
        """Block until the background jobs the screens started have finished."""
        from PySide6.QtCore import QThreadPool

        for pool in self.findChildren(QThreadPool):
            pool.waitForDone()
        # Screens' first loads run in the shared pool: none may hold the database on.
        if QThreadPool.globalInstance().waitForDone(10_000):
            from hrohuddle.ui.common import workers_finished

            workers_finished()
