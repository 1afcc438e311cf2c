"""Small pieces every screen uses: headings, messages, calling a service safely."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

from PySide6 import QtCore
from PySide6.QtCore import QCoreApplication, QObject, QTimer
from PySide6.QtWidgets import QLabel, QMessageBox, QPushButton, QWidget

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


def tr(text: str, context: str = "HROHuddle") -> str:
    return QCoreApplication.translate(context, text)


def heading(text: str, scale: float = 1.4) -> QLabel:
    label = QLabel(text)
    label.setProperty("role", "heading")
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * scale)
    font.setBold(True)
    label.setFont(font)
    label.setAccessibleName(text)
    label.setWordWrap(True)
    return label


def muted(text: str) -> QLabel:
    label = QLabel(text)
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


def show_problem(parent: QWidget | None, message: str, title: str | None = None) -> None:
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(title or tr("Please check"))
    box.setText(message)
    box.setTextFormat(QtCore.Qt.TextFormat.PlainText)
    box.setAccessibleName(message)
    box.exec()


def attempt(parent: QWidget | None, action: Callable[[], T]) -> T | None:
    """Run a service call; a refusal or a database problem becomes a message box.

    Returns None when the call was refused, so the caller keeps what is on screen.
    """
    from hrohuddle.services.errors import ServiceError, SessionEnded
    from hrohuddle.store.errors import StoreError

    try:
        return action()
    except SessionEnded as exc:
        show_problem(parent, exc.message)
        # Deactivated, signed out elsewhere, or no longer on this unit: back to sign-in.
        window = parent.window() if parent is not None else None
        ended = getattr(window, "session_ended", None)
        if ended is not None and exc.reason != "locked":
            ended()
    except ServiceError as exc:
        show_problem(parent, exc.message)
    except StoreError as exc:
        log.warning("store error: %s (%s)", exc.message, exc.detail)
        show_problem(parent, exc.message, tr("Could not save"))
    return None
