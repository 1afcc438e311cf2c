"""The signed-in shell's parts: screen registry, home screen, idle watcher."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from hrohuddle.services import people
from hrohuddle.services.permissions import Actor
from hrohuddle.ui.common import heading, muted, tr


@dataclass(frozen=True)
class PageSpec:
    key: str
    label: str
    permission: str | None
    build: Callable[[], QWidget]


class IdleWatcher(QObject):
    """Calls ``on_idle`` after a quiet spell with no key, mouse or touch input."""

    ACTIVITY = {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
    }

    def __init__(self, minutes: int, on_idle: Callable[[], None]) -> None:
        super().__init__()
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(on_idle)
        self.set_minutes(minutes)

    def set_minutes(self, minutes: int) -> None:
        self.timer.setInterval(max(1, minutes) * 60_000)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in self.ACTIVITY and self.timer.isActive():
            self.timer.start()
        return False


class HomePage(QWidget):
    def __init__(self, actor: Actor, unit: people.UnitSettings, pages: list[PageSpec]) -> None:
        super().__init__()
        from hrohuddle.services.vocabulary import unit_vocabulary

        layout = QVBoxLayout(self)
        layout.addWidget(heading(tr("Welcome, {name}").format(name=actor.display_name), 1.8))
        roles = unit_vocabulary()
        labels = ", ".join(roles.label("roles", r) for r in sorted(actor.roles))
        layout.addWidget(
            muted(tr("{unit}. You are signed in as {roles}.").format(unit=unit.name, roles=labels))
        )
        if len(pages) > 1:
            layout.addWidget(QLabel(tr("Choose a screen on the left, or use Ctrl+1 to Ctrl+9.")))
        layout.addStretch(1)
