"""The signed-in shell's parts: screen registry, home screen, idle watcher."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, QSize, Qt, QTimer
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QListWidget,
    QListWidgetItem,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from hrohuddle.services import people
from hrohuddle.services.permissions import Actor
from hrohuddle.store.database import Database
from hrohuddle.ui.common import format_date, heading, muted, readable, tr
from hrohuddle.wording import count


def _kind_labels() -> dict[str, str]:
    from hrohuddle.services.vocabulary import taxonomy

    return taxonomy().labels_by_key("kinds")


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
    """What needs you now, by role; every line leads to the screen that deals with it."""

    def __init__(
        self,
        actor: Actor,
        unit: people.UnitSettings,
        pages: list[PageSpec],
        db: Database | None = None,
        go: Callable[[str], object] | None = None,
    ) -> None:
        super().__init__()
        from hrohuddle.services import tiers
        from hrohuddle.services.vocabulary import unit_vocabulary

        self.db = db
        self.actor = actor
        self.go = go or (lambda _key: None)
        self.keys = {p.key for p in pages}
        layout = QVBoxLayout(self)
        layout.addWidget(heading(tr("Welcome, {name}").format(name=actor.display_name), 1.8))
        roles = unit_vocabulary()
        labels = ", ".join(roles.label("roles", r) for r in sorted(actor.roles))
        held = [
            tr("{role} of {tier}").format(role=tiers.TIER_ROLES.get(t.role, t.role), tier=t.name)
            for t in (tiers.my_tiers(db, actor) if db is not None and tiers.shared(db) else [])
        ]
        if held:
            labels = tr("{roles}, and {tiers}").format(roles=labels, tiers=", ".join(held))
        layout.addWidget(
            muted(tr("{unit}. You are signed in as {roles}.").format(unit=unit.name, roles=labels))
        )
        layout.addWidget(heading(tr("What needs you"), 1.2))
        self.list = QListWidget()
        self.list.setAccessibleName(tr("What needs you"))
        self.list.setWordWrap(True)
        self.list.itemActivated.connect(self._open)
        self.list.itemClicked.connect(self._open)
        # As tall as its lines when there is room, and scrolling when there is not: the
        # shortcuts line stays under it, never over it.
        layout.addWidget(self.list, 1)
        count = len(pages) + 1
        self.hint: QWidget | None = None
        if count > 1:
            last = min(count, 9)
            self.hint = muted(
                tr("Choose a screen on the left, or use Ctrl+1 to Ctrl+{n}.").format(n=last)
            )
            layout.addWidget(self.hint)
        layout.addStretch(1)
        self.refresh()

    #: How many of the person's reports with news Home lists; the rest are in My reports.
    REPORTS_SHOWN = 5

    #: The report or action a line is about (beside the screen it leads to).
    TARGET = Qt.ItemDataRole.UserRole + 1

    def _add(self, text: str, key: str | None, target: object = None) -> None:
        item = QListWidgetItem(text)
        # "pulse" is not a screen: the window opens the pulse form for it; "action" opens
        # the person's own action, to close it here.
        usable = key in self.keys or key in ("pulse", "action")
        item.setData(Qt.ItemDataRole.UserRole, key if usable else None)
        item.setData(self.TARGET, target)
        item.setSizeHint(QSize(0, 48))
        self.list.addItem(item)

    def _open(self, item: QListWidgetItem) -> None:
        key = item.data(Qt.ItemDataRole.UserRole)
        target = item.data(self.TARGET)
        if key == "action" and target is not None:
            self._own_action(target)
            return
        if key:
            self.go(str(key))
        if key == "events" and target is not None:
            # A report of the person's; 0 is "the rest of them": My reports itself.
            # The reports screen the window just showed opens the person's report.
            page = self._page_showing("show_my_report")
            if page is not None:
                page.show_my_report(int(target))  # type: ignore[attr-defined]

    def _page_showing(self, method: str) -> QWidget | None:
        """The screen beside Home that offers ``method`` (the window built it on ``go``)."""
        stack = self.parentWidget()
        if not isinstance(stack, QStackedWidget):
            return None
        for i in range(stack.count()):
            page = stack.widget(i)
            if hasattr(page, method):
                return page
        return None

    def _own_action(self, target: object) -> None:
        """Close one's own action from Home, or go to the board's follow-up list."""
        from hrohuddle.services import actions
        from hrohuddle.ui.actions import ActionDoneDialog

        assert isinstance(target, tuple | list) and len(target) == 3
        action_id, title, when = int(target[0]), str(target[1]), str(target[2])
        if self.db is None:
            return
        db = self.db
        dialog = ActionDoneDialog(self, f"“{title}”\n{when}")
        dialog.save = lambda: actions.close_action(
            db, self.actor, int(action_id), dialog.note.text()
        )
        if dialog.exec():
            self.refresh()
        elif dialog.wants_board and "huddle" in self.keys:
            self.go("huddle")

    def refresh(self) -> None:
        """Read again what needs the person (on showing Home)."""
        self.list.clear()
        if self.db is None:
            return
        from hrohuddle.services import home
        from hrohuddle.services.errors import ServiceError
        from hrohuddle.store.errors import StoreError

        try:
            n = home.needs(self.db, self.actor)
        except (ServiceError, StoreError) as exc:  # kept: the problem is a line of the list
            self._add(readable(exc), None)
            return
        if n.huddle_id is not None and n.huddle_date is not None:
            shift = tr("day") if n.huddle_shift == "day" else tr("night")
            self._add(
                tr("The {shift} huddle of {date} is running, led by {who}: open the board.").format(
                    shift=shift, date=format_date(n.huddle_date), who=n.huddle_led_by or "—"
                ),
                "huddle",
            )
        for a in n.my_actions:
            due = format_date(a.due_on) if a.due_on else ""
            word = tr("Overdue since {date}") if a.overdue else tr("Due {date}")
            when = word.format(date=due)
            self._add(
                tr("Your action: {title} · {when}").format(title=a.title, when=when),
                "action",
                (a.id, a.title, when),
            )
        for e in n.escalated:
            self._add(e.words, "huddle")
        for t in n.tier_waiting:
            self._add(
                tr("{tier}: {n} for your answer, the oldest sent {date}.").format(
                    tier=t.tier_name,
                    n=count(t.waiting, tr("escalation waits"), tr("escalations wait")),
                    date=format_date(t.oldest_on),
                ),
                "tier_board",
            )
        if n.reports_to_review:
            self._add(
                tr("{n} safety reports await review.").format(n=n.reports_to_review)
                if n.reports_to_review != 1
                else tr("1 safety report awaits review."),
                "events",
            )
        kinds = _kind_labels()
        for r in n.my_reports[: self.REPORTS_SHOWN]:
            what = tr("{kind} of {date}").format(
                kind=kinds.get(r.kind, r.kind), date=format_date(r.reported_on)
            )
            if r.question:
                line = tr("Your report ({what}): a question from the reviewers awaits your answer.")
            elif r.joined:
                line = tr(
                    "Your report ({what}) was joined with another report about the same thing: "
                    "see what became of it."
                )
            else:
                line = tr("Your report ({what}) has moved on: see what became of it.")
            self._add(line.format(what=what), "events", r.event_id)
        more = len(n.my_reports) - self.REPORTS_SHOWN
        if more > 0:
            self._add(
                tr("And {n} more {reports} in My reports.").format(
                    n=more, reports=tr("report") if more == 1 else tr("reports")
                ),
                "events",
                0,
            )
        if n.reporters_wrote:
            self._add(
                tr(
                    "{n} in the last {days} days wrote last and await a reply "
                    "(“Reply owed” in Review)."
                ).format(
                    n=count(n.reporters_wrote, tr("reporter"), tr("reporters")),
                    days=home.REPLY_OWED_DAYS,
                ),
                "events",
            )
        if n.observations_to_acknowledge:
            self._add(
                tr("{n} from your preceptor to read and acknowledge.").format(
                    n=count(n.observations_to_acknowledge, tr("observation"), tr("observations"))
                ),
                "observations",
            )
        if n.learner_replies:
            self._add(
                tr("{n} from your learners this week.").format(
                    n=count(n.learner_replies, tr("reply"), tr("replies"))
                ),
                "observations",
            )
        if n.pulse_due_on is not None:
            self._add(
                tr("A short onboarding pulse is due ({date}): it is anonymous.").format(
                    date=format_date(n.pulse_due_on)
                ),
                "pulse",
            )
        if self.list.count() == 0:
            self._add(tr("Nothing needs you right now. Thank you."), None)
        # No taller than its lines, so the shortcuts line sits right under it; on a small
        # screen the layout gives it less and it scrolls.
        rows = sum(max(48, self.list.sizeHintForRow(i)) for i in range(self.list.count()))
        self.list.setMaximumHeight(rows + 2 * self.list.frameWidth() + 4)
        self.list.setMinimumHeight(min(rows, 3 * 48) + 2 * self.list.frameWidth())

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.refresh()
