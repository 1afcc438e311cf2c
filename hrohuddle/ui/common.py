"""Small pieces every screen uses: headings, messages, calling a service safely."""

from __future__ import annotations

import datetime as dt
import logging
import sys
import time
from collections.abc import Callable
from typing import TypeVar

from PySide6 import QtCore
from PySide6.QtCore import QCoreApplication, QObject, QTimer
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDateEdit,
    QDateTimeEdit,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTextEdit,
    QWidget,
)

from hrohuddle.errors import UserFacingError

log = logging.getLogger(__name__)
T = TypeVar("T")


DRAFT_QUIET_MS = 700
DRAFT_AT_MOST_MS = 1500


def poke_draft_timer(timer: QTimer) -> None:
    """After a change, (re)start a single-shot draft timer: it fires after a short pause in
    typing, but never later than ``DRAFT_AT_MOST_MS`` after the first change it has not
    saved yet, so continuous typing is still saved at least every two seconds."""
    now = time.monotonic()
    first = timer.property("firstUnsaved")
    if not timer.isActive() or not isinstance(first, float):
        first = now
        timer.setProperty("firstUnsaved", now)
    left_ms = max(0, int((first - now) * 1000) + DRAFT_AT_MOST_MS)
    timer.start(min(DRAFT_QUIET_MS, left_ms))


class PaintedOnce(QObject):
    """Calls ``then`` once, just after ``widget`` is first painted (start-up's milestones)."""

    def __init__(self, widget: QWidget, then: Callable[[], None]) -> None:
        super().__init__(widget)
        self.then = then
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QtCore.QEvent) -> bool:
        if event.type() == QtCore.QEvent.Type.Paint:
            watched.removeEventFilter(self)
            QTimer.singleShot(0, self.then)
        return False


class WheelNeedsFocus(QObject):
    """A mouse wheel turned over a choice box does not change it: only a box that has
    the keyboard focus (clicked or tabbed to) takes the wheel. On the board a wheel
    over "Taught by" changed the teacher."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        for box in (*parent.findChildren(QComboBox), *parent.findChildren(QAbstractSpinBox)):
            box.setFocusPolicy(QtCore.Qt.FocusPolicy.StrongFocus)
            box.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QtCore.QEvent) -> bool:
        wheel = event.type() == QtCore.QEvent.Type.Wheel
        return wheel and isinstance(watched, QWidget) and not watched.hasFocus()


def tr(text: str, context: str = "HROHuddle") -> str:
    return QCoreApplication.translate(context, text)


#: One unambiguous date format in every field and table: "Fri 27 Nov 2026".
DATE_FORMAT = "ddd d MMM yyyy"


def format_date(day: dt.date) -> str:
    """A date as every screen shows it: "Fri 27 Nov 2026" (never "4 12 2026")."""
    return f"{day:%a} {day.day} {day:%b %Y}"


class DateEdit(QDateEdit):
    """A date field in the one format, with a calendar; Tab leaves it, not its parts."""

    def __init__(self, date: QtCore.QDate | None = None) -> None:
        super().__init__(date or QtCore.QDate.currentDate())
        self.setDisplayFormat(DATE_FORMAT)
        self.setCalendarPopup(True)
        self.setMinimumWidth(220)

    def focusNextPrevChild(self, next: bool) -> bool:
        return QWidget.focusNextPrevChild(self, next)

    def stepBy(self, steps: int) -> None:
        # Up and Down on the weekday ("Fri") move the date a day at a time, as they do
        # on the day's number; Qt alone leaves the date where it is.
        if self.currentSectionIndex() == 0 and DATE_FORMAT.startswith("ddd "):
            self.setDate(self.date().addDays(steps))
            self.setCurrentSectionIndex(0)
            return
        super().stepBy(steps)

    def stepEnabled(self) -> QAbstractSpinBox.StepEnabledFlag:
        if self.currentSectionIndex() == 0 and DATE_FORMAT.startswith("ddd "):
            flags = QAbstractSpinBox.StepEnabledFlag.StepNone
            if self.date() < self.maximumDate():
                flags |= QAbstractSpinBox.StepEnabledFlag.StepUpEnabled
            if self.date() > self.minimumDate():
                flags |= QAbstractSpinBox.StepEnabledFlag.StepDownEnabled
            return flags
        return super().stepEnabled()


def date_edit(date: QtCore.QDate | None = None) -> DateEdit:
    return DateEdit(date)


class DateTimeEdit(QDateTimeEdit):
    """A date and time in the one format; Tab leaves the field."""

    def __init__(self, when: QtCore.QDateTime | None = None) -> None:
        super().__init__(when or QtCore.QDateTime.currentDateTime())
        self.setDisplayFormat(DATE_FORMAT + "  HH:mm")
        self.setCalendarPopup(True)

    def focusNextPrevChild(self, next: bool) -> bool:
        return QWidget.focusNextPrevChild(self, next)


def apply_palette(app: QApplication) -> None:
    """Colours the style sheet cannot set: placeholder text at 7:1, selection at 8:1.

    Call again after ``setStyle``, which resets the palette.
    """
    from PySide6.QtGui import QColor, QPalette

    palette = app.palette()
    for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
        palette.setColor(group, QPalette.ColorRole.PlaceholderText, QColor("#555555"))
        palette.setColor(group, QPalette.ColorRole.Highlight, QColor("#0B4F8A"))
        palette.setColor(group, QPalette.ColorRole.HighlightedText, QColor("#FFFFFF"))
    app.setPalette(palette)


class _Finished(QObject):
    done = QtCore.Signal(object, object)  # result, the exception raised (or None)


class _Work(QtCore.QRunnable):
    def __init__(self, work: Callable[[], object]) -> None:
        super().__init__()
        self.work = work
        self.signals = _Finished()

    def run(self) -> None:
        try:
            result = self.work()
        except Exception as exc:  # carried to the GUI thread, shown or handed to the hook
            self.signals.done.emit(None, exc)
            return
        try:
            self.signals.done.emit(result, None)
        except RuntimeError:  # the screen was closed meanwhile: nobody waits for it
            pass


_COLLECTION_HELD = [0]


def _hold_collection(hold: bool) -> None:
    """No garbage collection while a worker runs: Python collects on whichever thread
    allocates, and Qt objects (a closed window's timers) must die on the GUI thread."""
    import gc

    _COLLECTION_HELD[0] += 1 if hold else -1
    if _COLLECTION_HELD[0] > 0:
        gc.disable()
    else:
        _COLLECTION_HELD[0] = 0
        gc.enable()


def workers_finished() -> None:
    """Collection back on once every background job has ended (called after waiting for
    the pool): a job whose screen was destroyed never delivers the signal that would."""
    import gc

    _COLLECTION_HELD[0] = 0
    gc.enable()


def load_off_thread(
    owner: QWidget,
    work: Callable[[], T],
    done: Callable[[T], None],
    busy: QLabel | None = None,
    message: str = "",
) -> None:
    """Run ``work`` (queries, chart building, slow imports) off the GUI thread.

    ``busy`` shows ``message`` meanwhile; ``done`` runs on the GUI thread with the
    result, and a refusal becomes a message box. Each call uses its own database
    sessions (services open one per unit of work).
    """
    job = _Work(work)
    job.setAutoDelete(False)  # kept by the owner until its signal has been delivered
    _hold_collection(True)
    jobs: list[_Work] = owner.__dict__.setdefault("_off_thread_jobs", [])
    jobs.append(job)
    if busy is not None:
        busy.setText(message or tr("Loading…"))
        busy.setVisible(True)

    def finished(result: object, error: Exception | None) -> None:
        _hold_collection(False)
        if job in jobs:
            jobs.remove(job)
        from shiboken6 import isValid

        gone = not isValid(owner) or (busy is not None and not isValid(busy))
        if not gone and busy is not None:
            busy.setText("")
        if error is not None and not isinstance(error, UserFacingError):
            report_bug(error)  # logged and shown even when its screen has closed
            return
        from hrohuddle.services.errors import SessionEnded

        if isinstance(error, SessionEnded):
            # The window takes the person back to sign-in (its exception hook), never a
            # box that waits; a job that ends after the session did has nothing to say.
            import sys

            window = None if gone else owner.window()
            if getattr(window, "actor", None) is not None:
                sys.excepthook(type(error), error, None)
            return
        if gone:
            return  # the screen was closed while the work ran: nothing to show it on
        if error is not None:
            show_problem(owner, readable(error))
            return
        done(result)  # type: ignore[arg-type]

    job.signals.done.connect(finished, QtCore.Qt.ConnectionType.QueuedConnection)
    QtCore.QThreadPool.globalInstance().start(job)


def available_size(widget: QWidget) -> QtCore.QSize:
    """The room the widget's screen offers (without task bars)."""
    screen = widget.screen() or QApplication.primaryScreen()
    return screen.availableGeometry().size()


def fit_to_screen(dialog: QWidget, min_width: int = 0) -> None:
    """Size a dialog to its content, but never beyond the screen it is on.

    Dialogs whose content may be taller keep it in a scroll area, so that their
    buttons stay on screen at 1366x768 and with larger text.
    """
    room = available_size(dialog)
    max_w, max_h = room.width() - 40, room.height() - 60
    dialog.setMaximumSize(max_w, max_h)
    if min_width:
        dialog.setMinimumWidth(min(min_width, max_w))
    from PySide6.QtWidgets import QScrollArea

    scrolls = [
        s
        for s in dialog.findChildren(QScrollArea)
        if s.widget() is not None and s.window() is dialog
    ]
    hint = dialog.sizeHint()
    # Wide enough for what the scroll areas hold: they scroll up and down, not sideways.
    extra_w = 0
    for scroll in scrolls:
        inner = scroll.widget()
        assert inner is not None
        want_w = (
            inner.minimumSizeHint().width()
            + scroll.verticalScrollBar().sizeHint().width()
            + 2 * scroll.frameWidth()
        )
        extra_w = max(extra_w, want_w - scroll.sizeHint().width())
    width = min(max(hint.width() + extra_w, dialog.minimumWidth()), max_w)
    want_h = hint.height()
    layout = dialog.layout()
    if layout is not None and layout.hasHeightForWidth():
        # Wrapped words need the height they take at the width the dialog gets.
        want_h = max(want_h, layout.totalHeightForWidth(width))
    for scroll in scrolls:
        inner = scroll.widget()
        assert inner is not None
        # Room for the whole form when the screen has it; it scrolls only when not.
        want_h += max(0, inner.sizeHint().height() - scroll.sizeHint().height())
    dialog.resize(width, min(want_h, max_h))


#: Where the last file was saved or opened, remembered for this workstation.
LAST_FOLDER_KEY = "files/last_folder"


def documents_folder() -> str:
    """The user's Documents folder (their home folder when there is none)."""
    from pathlib import Path

    from PySide6.QtCore import QStandardPaths

    docs = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return docs if docs and Path(docs).is_dir() else str(Path.home())


def _settings(widget: QWidget | None) -> QtCore.QSettings | None:
    """The workstation's settings, kept by the main window the widget belongs to."""
    w = widget
    while w is not None:
        found = getattr(w, "settings", None)
        if isinstance(found, QtCore.QSettings):
            return found
        w = w.parentWidget()
    return None


def start_folder(widget: QWidget | None) -> str:
    """Where a file dialog opens: the folder used last, else the user's Documents."""
    from pathlib import Path

    settings = _settings(widget)
    last = settings.value(LAST_FOLDER_KEY) if settings is not None else None
    if isinstance(last, str) and last and Path(last).is_dir():
        return last
    return documents_folder()


def _remember_folder(widget: QWidget | None, path: str) -> None:
    from pathlib import Path

    settings = _settings(widget)
    if settings is not None and path:
        settings.setValue(LAST_FOLDER_KEY, str(Path(path).parent))


def save_file_name(parent: QWidget | None, title: str, name: str, filters: str) -> str:
    """Ask where to save ``name``, starting in the last folder used or in Documents (never
    in the folder the app happened to start in); remembers the folder chosen."""
    from pathlib import Path

    from PySide6.QtWidgets import QFileDialog

    path, _ = QFileDialog.getSaveFileName(
        parent, title, str(Path(start_folder(parent)) / name), filters
    )
    _remember_folder(parent, path)
    return str(path or "")


def open_file_name(parent: QWidget | None, title: str, filters: str) -> str:
    """Ask for a file to open, starting where the last one was saved or opened."""
    from PySide6.QtWidgets import QFileDialog

    path, _ = QFileDialog.getOpenFileName(parent, title, start_folder(parent), filters)
    _remember_folder(parent, path)
    return str(path or "")


def plain(label: QLabel) -> QLabel:
    """Show the label's text as typed, never as HTML: it may hold a name or free text."""
    label.setTextFormat(QtCore.Qt.TextFormat.PlainText)
    return label


def ask(parent: QWidget | None, title: str, question: str) -> bool:
    """A Yes/No question whose text (often naming people) is shown as typed."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle(title)
    box.setTextFormat(QtCore.Qt.TextFormat.PlainText)
    box.setText(question)
    box.setAccessibleName(question)
    box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
    box.setDefaultButton(QMessageBox.StandardButton.No)
    return box.exec() == QMessageBox.StandardButton.Yes


def tell(parent: QWidget | None, title: str, message: str) -> None:
    """An information box whose text (often naming an action or a person) is shown as typed."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Information)
    box.setWindowTitle(title)
    box.setTextFormat(QtCore.Qt.TextFormat.PlainText)
    box.setText(message)
    box.setAccessibleName(message)
    box.exec()


def tell_open(parent: QWidget, title: str, message: str) -> QMessageBox:
    """Like ``tell``, but the box is opened over its window and the caller goes on: the
    board shows what was done beneath it while it is read."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Information)
    box.setWindowTitle(title)
    box.setTextFormat(QtCore.Qt.TextFormat.PlainText)
    box.setText(message)
    box.setAccessibleName(message)
    box.setAttribute(QtCore.Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box


def _input_dialog(parent: QWidget | None, title: str, label: str) -> QInputDialog:
    dialog = QInputDialog(parent)
    dialog.setWindowTitle(title)
    dialog.setLabelText(label)
    for shown in dialog.findChildren(QLabel):
        plain(shown)
        shown.setWordWrap(True)
    return dialog


def ask_text(
    parent: QWidget | None, title: str, label: str, multiline: bool = False
) -> tuple[str, bool]:
    """Like QInputDialog.getText, but the question (naming an action) is shown as typed."""
    dialog = _input_dialog(parent, title, label)
    if multiline:
        dialog.setOption(QInputDialog.InputDialogOption.UsePlainTextEditForTextInput)
    ok = bool(dialog.exec())
    return dialog.textValue(), ok


def ask_item(
    parent: QWidget | None, title: str, label: str, items: list[str], current: int
) -> tuple[str, bool]:
    """Like QInputDialog.getItem (not editable), with the question shown as typed."""
    dialog = _input_dialog(parent, title, label)
    dialog.setComboBoxItems(items)
    dialog.setComboBoxEditable(False)
    if items:
        dialog.setTextValue(items[max(0, min(current, len(items) - 1))])
    ok = bool(dialog.exec())
    return dialog.textValue(), ok


def heading(text: str, scale: float = 1.4) -> QLabel:
    label = plain(QLabel(text))
    label.setProperty("role", "heading")
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * scale)
    font.setBold(True)
    label.setFont(font)
    label.setAccessibleName(text)
    label.setWordWrap(True)
    return label


def muted(text: str) -> QLabel:
    label = plain(QLabel(text))
    label.setProperty("role", "muted")
    label.setWordWrap(True)
    return label


def primary_button(text: str, name: str | None = None) -> QPushButton:
    button = QPushButton(text)
    button.setProperty("primary", True)
    button.setAccessibleName(name or text.replace("&", ""))
    button.setAutoDefault(True)
    return button


def button(text: str, name: str | None = None) -> QPushButton:
    b = QPushButton(text)
    b.setAccessibleName(name or text.replace("&", ""))
    return b


def show_problem(
    parent: QWidget | None, message: str, title: str | None = None, note: str | None = None
) -> None:
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(title or tr("Please check"))
    box.setText(message)
    if note:
        box.setInformativeText(note)
    box.setTextFormat(QtCore.Qt.TextFormat.PlainText)
    box.setAccessibleName(message)
    box.exec()


def attempt(parent: QWidget | None, action: Callable[[], T]) -> T | None:
    """Run a service call; a refusal or a database problem becomes a message box.

    Returns None when the call was refused, so the caller keeps what is on screen.
    Anything that is not a ``UserFacingError`` is a bug: it propagates to the
    exception hook, which logs it with its traceback and shows the error dialog.
    """
    from hrohuddle.store.errors import StoreError

    try:
        return action()
    except UserFacingError as exc:
        if isinstance(exc, StoreError):
            log.warning("store error: %s (%s)", exc.message, exc.detail)
        show_refusal(parent, exc)
    return None


def show_refusal(parent: QWidget | None, exc: UserFacingError) -> None:
    """Show a user-facing error as ``attempt`` does; an ended session returns to sign-in."""
    from hrohuddle.services.errors import SessionEnded
    from hrohuddle.store.errors import StoreError

    if isinstance(exc, SessionEnded):
        show_problem(parent, exc.message)
        # Deactivated, signed out elsewhere, or no longer on this unit: back to sign-in.
        window = parent.window() if parent is not None else None
        ended = getattr(window, "session_ended", None)
        if ended is not None and exc.reason != "locked":
            ended()
    elif isinstance(exc, StoreError):
        note = tr("Nothing was changed.")
        if _holds_typing(parent):
            note = tr("Nothing was changed. What you entered is still on screen.")
        show_problem(parent, readable(exc), tr("Could not finish"), note)
    else:
        show_problem(parent, readable(exc))


def _holds_typing(parent: QWidget | None) -> bool:
    """Whether the window a refusal is shown over holds text someone typed and can keep."""
    if parent is None:
        return False
    window = parent.window()
    for edit in window.findChildren(QLineEdit):
        if edit.isVisible() and not edit.isReadOnly() and edit.text().strip():
            return True
    texts = [a for a in window.findChildren(QPlainTextEdit) if a.isVisible() and not a.isReadOnly()]
    rich = [a for a in window.findChildren(QTextEdit) if a.isVisible() and not a.isReadOnly()]
    return any(a.toPlainText().strip() for a in texts) or any(a.toPlainText().strip() for a in rich)


def report_bug(exc: BaseException) -> None:
    """Hand an exception caught elsewhere (a worker thread) to the exception hook here."""
    sys.excepthook(type(exc), exc, exc.__traceback__)


def readable(exc: UserFacingError) -> str:
    """The message, and what to do about it when the error knows."""
    return f"{exc.message}\n\n{exc.what_to_do}" if exc.what_to_do else exc.message
