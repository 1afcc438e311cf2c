"""The tier's board: a department's (or the hospital's) huddle on the wall screen.

Each unit is a card: its headline figures (huddle held today, staffing concerns, reports
by kind and harm as counts, open and overdue actions) and the escalations it sent up,
each with an Answer button. Never a report, its words or its reporter. The leader starts
and closes the tier's huddle here; full screen (F11) fits twelve units on 1920x1080 and
scrolls, whole, on 1366x768.
"""

from __future__ import annotations

import datetime as dt
import logging

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QMenu,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from hrohuddle.services import dates, escalations, tiers
from hrohuddle.services.errors import ServiceError, SessionEnded
from hrohuddle.services.permissions import Actor
from hrohuddle.store.database import Database
from hrohuddle.store.errors import StoreError
from hrohuddle.ui.board_widgets import big_button, board_label, board_style, style_tier, text_scale
from hrohuddle.ui.common import attempt, format_date, readable, tr
from hrohuddle.ui.escalation_dialogs import CloseTierHuddleDialog, outcome_mark
from hrohuddle.wording import count

log = logging.getLogger(__name__)

#: The board reads the database again this often while on screen (ms).
REFRESH_MS = 30_000
#: A card is at least this wide; the columns follow the screen's width.
CARD_WIDTH = 420
#: A card's figures and escalations, read from across the room: larger than the board's
#: body type (22 px at 1080), still twelve cards on a 1920x1080 wall screen.
DETAIL_PX = 26


def detail_style(screen_height: int, text: float) -> str:
    """The cards' detail type and the tier picker, scaled as the board's type is."""
    scale = max(0.72, min(1.0, screen_height / 1080)) * text
    px = max(18, round(DETAIL_PX * scale))
    return (
        f'QWidget#board QLabel[role="card-detail"] {{ font-size: {px}px; color: #111111; }}\n'
        f'QWidget#board QLabel[role="card-escalation"] {{ font-size: {px}px; color: #111111; }}\n'
    )


def page_label(scopes: list[tiers.TierScope]) -> str:
    """ "Department huddle", or "Hospital huddle" for someone who leads only the hospital."""
    if scopes and all(s.level == tiers.HOSPITAL for s in scopes):
        return tr("Hospital huddle")
    return tr("Department huddle")


def _figures(u: escalations.UnitHeadline) -> list[str]:
    if u.moved:
        return [u.moved_words]
    if not u.huddle_held:
        huddle = tr("✗ No huddle yet today")
    elif u.huddle_on_time:
        huddle = tr("✓ Huddle held today, on time")
    else:
        huddle = tr("✓ Huddle held today, late")
    lines = [huddle]
    if u.staffing:
        lines.append(
            tr("Staffing: {n} · {text}").format(n=len(u.staffing), text="; ".join(u.staffing))
        )
    if u.events:
        parts = [f"{n} {kind}" + (f" ({harm})" if harm else "") for kind, harm, n in u.events]
        lines.append(tr("Reports: {list}").format(list=", ".join(parts)))
    else:
        lines.append(tr("Reports: none"))
    overdue = tr(", ⚠ {n} overdue").format(n=u.overdue_actions) if u.overdue_actions else ""
    lines.append(tr("Actions: {n} open{overdue}").format(n=u.open_actions, overdue=overdue))
    return lines


def short_day(day: dt.date) -> str:
    """ "Sun 29 Nov": the board's dates are this week's or next."""
    return f"{day:%a} {day.day} {day:%b}"


def escalation_line(e: escalations.EscalationRow) -> str:
    """One escalation in one or two short lines: its state in words, never colour alone."""
    if e.is_open:
        age = tr("today") if e.age_days == 0 else count(e.age_days, tr("day"))
        state = "⚠ " + e.waiting_words if e.waiting else tr("Open")
        head = f"{state} · {age}"
    else:
        head = f"{outcome_mark(e.status)} {e.outcome_words}"
        if e.owner:
            head += " · " + e.owner
        if e.passed_to:
            head += " · " + tr("to {tier}").format(tier=e.passed_to)
    needed = " · " + tr("needed by {day}").format(day=short_day(e.needed_by)) if e.needed_by else ""
    lines = [e.title, f"{head}{needed}"]
    if e.came_from:
        lines.append(e.raised_words)
        if e.sent_on_why:
            lines.append(tr("Why: {text}").format(text=e.sent_on_why))
    return "\n".join(lines)


class UnitCard(QFrame):
    """One unit: its figures, its escalations, and one Answer button for what is open
    (a menu of them when there are several)."""

    def __init__(self, page: TierBoardPage, u: escalations.UnitHeadline) -> None:
        super().__init__()
        self.setProperty("role", "panel")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 6, 12, 8)
        layout.setSpacing(4)
        self.layout_margins = 24 + 4
        where = f" · {u.department}" if u.department and page.level != tiers.DEPARTMENT else ""
        #: The unit's code on one line beside the Answer button (cut short with "…" only
        #: if a code were ever wider than its room: fit()).
        self.full_heading = u.code
        self.heading = board_label(self.full_heading, "section")
        self.heading.setAccessibleName(f"{u.code} · {u.name}{where}")
        self.heading.setWordWrap(False)
        self.heading.setMinimumWidth(1)
        self.heading.setToolTip(self.heading.accessibleName())
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.heading, 1)
        layout.addLayout(top)
        # The unit's name in full under its code, wrapped (the code is what the wall reads).
        named = board_label(f"{u.name}{where}", "unit-name")
        font = named.font()
        font.setBold(True)
        named.setFont(font)
        layout.addWidget(named)
        figures = board_label("\n".join(_figures(u)), "card-detail")
        figures.setAccessibleName(
            tr("{unit} figures: {text}").format(unit=u.code, text=". ".join(_figures(u)))
        )
        layout.addWidget(figures)
        #: One per accepted escalation, under its lines: "Record the follow-up…".
        self.follow_up_buttons: list[QPushButton] = []
        for e in u.escalations:
            text = board_label(escalation_line(e), "card-escalation")
            text.setAccessibleName(
                tr("Escalation from {unit}: {text}").format(
                    unit=u.code, text=escalation_line(e).replace("\n", ". ")
                )
            )
            text.setToolTip(escalations_describe(e))
            text.setContentsMargins(0, 6, 0, 0)
            if e.waiting:  # the words carry it; bold repeats it
                font = text.font()
                font.setBold(True)
                text.setFont(font)
            layout.addWidget(text)
            if e.is_accepted:
                # Accepted and not yet resolved: its owner is on it, and the leaders record
                # its follow-up (resolved, with what was done) here, under its own words.
                button = big_button(tr("Record the follow-up…"))
                button.setAccessibleName(tr("Record the follow-up: {title}").format(title=e.title))
                button.clicked.connect(lambda _=False, row=e: page.answer(row, follow_up=True))
                self.follow_up_buttons.append(button)
                layout.addWidget(button, 0, Qt.AlignmentFlag.AlignLeft)
        if not u.escalations:
            layout.addWidget(board_label(tr("Nothing sent up."), "card-detail"))
        waiting = [e for e in u.escalations if e.is_open]
        self.answer_button: QPushButton | None = None
        if waiting:
            answer = big_button(tr("Answer…"))
            if len(waiting) == 1:
                answer.setAccessibleName(tr("Answer: {title}").format(title=waiting[0].title))
                answer.clicked.connect(lambda _=False, row=waiting[0]: page.answer(row))
            else:
                answer.setAccessibleName(
                    tr("Answer one of {n} escalations from {unit}").format(
                        n=len(waiting), unit=u.code
                    )
                )
                menu = QMenu(answer)
                for e in waiting:
                    act = menu.addAction(e.title)
                    act.triggered.connect(lambda _=False, row=e: page.answer(row))
                answer.setMenu(menu)
            self.answer_button = answer
            top.addWidget(answer, 0, Qt.AlignmentFlag.AlignTop)
        layout.addStretch(1)
        self.setAccessibleName(
            tr("{unit}: {n}").format(unit=u.code, n=count(len(u.escalations), tr("escalation")))
        )

    def fit(self, width: int) -> None:
        """Cut the heading to what ``width`` leaves beside the Answer button."""
        margins = self.layout_margins
        room = width - margins
        if self.answer_button is not None:
            room -= self.answer_button.sizeHint().width() + 8
        self.heading.ensurePolished()
        metrics = self.heading.fontMetrics()
        self.heading.setText(
            metrics.elidedText(self.full_heading, Qt.TextElideMode.ElideRight, max(40, room))
        )


def escalations_describe(e: escalations.EscalationRow) -> str:
    from hrohuddle.ui.escalation_dialogs import describe

    return describe(e)


class TierBoardPage(QWidget):
    """The tier leader's board. ``board_mode_changed`` asks the window for full screen."""

    board_mode_changed = Signal(bool)

    def __init__(self, db: Database, actor: Actor) -> None:
        super().__init__()
        self.db = db
        self.actor = actor
        self.setObjectName("board")
        self.scopes = tiers.my_tiers(db, actor)
        self.state: escalations.TierBoard | None = None
        self.level = tiers.DEPARTMENT
        self._style_key: tuple[int, float] = (0, 0.0)
        self._columns = 0
        self.cards: list[UnitCard] = []
        self._build()
        self._restyle()
        self.refresh()
        self.poll = QTimer(self)
        self.poll.setInterval(REFRESH_MS)
        self.poll.timeout.connect(self.refresh)

    # -- layout --------------------------------------------------------------------------
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(12, 8, 12, 8)
        outer.setSpacing(8)
        top = QHBoxLayout()
        self.title = board_label("", "board-title")
        self.title.setWordWrap(True)
        top.addWidget(self.title, 1)
        # The tier to show, when the person leads more than one: a full-size control in
        # the board's type, its list as wide as its longest name.
        self.chooser_label = board_label(tr("Board of"), "hint")
        self.chooser_label.setWordWrap(False)
        self.chooser = QComboBox()
        self.chooser.setAccessibleName(tr("Which tier's board"))
        self.chooser_label.setBuddy(self.chooser)
        for scope in self.scopes:
            self.chooser.addItem(scope.name, scope.tier_id)
        self.chooser.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.chooser.setMinimumHeight(48)
        self.chooser.setVisible(len(self.scopes) > 1)
        self.chooser_label.setVisible(len(self.scopes) > 1)
        self.chooser.currentIndexChanged.connect(lambda _i: self.refresh())
        top.addWidget(self.chooser_label)
        top.addWidget(self.chooser)
        self.start_button = big_button(tr("Start huddle"), primary=True)
        self.start_button.clicked.connect(self.start_huddle)
        self.close_button = big_button(tr("Close huddle…"), primary=True)
        self.close_button.clicked.connect(self.close_huddle)
        self.refresh_button = big_button(tr("Refresh"))
        self.refresh_button.setAccessibleName(tr("Read the board again"))
        self.refresh_button.clicked.connect(self.refresh)
        self.board_mode_button = big_button(tr("Full screen (F11)"))
        self.board_mode_button.setCheckable(True)
        self.board_mode_button.toggled.connect(self.set_board_mode)
        for b in (self.start_button, self.close_button, self.refresh_button):
            top.addWidget(b)
        top.addWidget(self.board_mode_button)
        outer.addLayout(top)
        self.summary = board_label("", "hint")
        self.summary.setAccessibleName(tr("Board summary"))
        outer.addWidget(self.summary)
        self.scroller = QScrollArea()
        self.scroller.setWidgetResizable(True)
        self.scroller.setFrameShape(QFrame.Shape.NoFrame)
        self.scroller.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroller.setAccessibleName(tr("Units and their escalations"))
        self.body = QWidget()
        self.body.setObjectName("board")
        self.grid = QGridLayout(self.body)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setSpacing(10)
        self.grid.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.scroller.setWidget(self.body)
        outer.addWidget(self.scroller, 1)
        QShortcut(QKeySequence("F11"), self, self.board_mode_button.toggle)
        self.leave = QShortcut(QKeySequence("Esc"), self)
        self.leave.setContext(Qt.ShortcutContext.WindowShortcut)
        self.leave.activated.connect(lambda: self.board_mode_button.setChecked(False))
        self.leave.setEnabled(False)

    def _restyle(self) -> None:
        window = self.window()
        height = window.height() if window is not None and window is not self else self.height()
        key = (style_tier(max(height, 1)), text_scale())
        if key != self._style_key:
            self._style_key = key
            self.setStyleSheet(board_style(*key) + detail_style(*key))
            self._size_chooser()

    def _size_chooser(self) -> None:
        """The picker and its open list in the board's type, wide enough for every name."""
        self.chooser.ensurePolished()
        font = self.chooser.font()
        view = self.chooser.view()
        view.setFont(font)
        metrics = self.chooser.fontMetrics()
        widest = max(
            (
                metrics.horizontalAdvance(self.chooser.itemText(i))
                for i in range(self.chooser.count())
            ),
            default=0,
        )
        view.setMinimumWidth(widest + 48)
        self.chooser.setMinimumWidth(widest + 64)

    def tier_id(self) -> int | None:
        data = self.chooser.currentData()
        return int(data) if data is not None else None

    # -- data ----------------------------------------------------------------------------
    def refresh(self) -> None:
        tier_id = self.tier_id()
        if tier_id is None:
            self.title.setText(tr("You hold no department or hospital role."))
            return
        try:
            state = escalations.tier_board(self.db, self.actor, tier_id)
        except SessionEnded:
            return
        except (ServiceError, StoreError) as exc:
            self.summary.setText(readable(exc))
            log.warning("tier board refresh failed: %s", exc.message)
            return
        self.state = state
        self.level = state.level
        self._fill(state)

    def _fill(self, b: escalations.TierBoard) -> None:
        level = tr("Hospital huddle") if b.level == tiers.HOSPITAL else tr("Department huddle")
        self.title.setText(f"{b.name} · {level} · {format_date(b.today)}")
        self.title.setAccessibleName(self.title.text())
        h = b.huddle
        due = tr("due {time}").format(time=b.huddle_time)
        if h is None and not b.meets_today:
            running = tr("No huddle today: it meets {days}").format(days=b.days_words)
        elif h is None:
            running = tr("Not started, {due}").format(due=due)
        elif h.is_open:
            running = tr("Running since {time}").format(
                time=dates.to_local(h.started_at).strftime("%H:%M")
            )
        else:
            running = tr("Held {start}–{end}").format(
                start=dates.to_local(h.started_at).strftime("%H:%M"),
                end=dates.to_local(h.ended_at).strftime("%H:%M") if h.ended_at else "",
            )
        since = dates.to_local(b.since).strftime("%a %H:%M")
        waiting = (
            tr(" · ⚠ {n} waiting past the huddle").format(n=b.waiting_count)
            if b.waiting_count
            else ""
        )
        quiet = (
            tr(" · {n} more units sent nothing up").format(n=b.quiet_units) if b.quiet_units else ""
        )
        if h is not None and not h.is_open:
            # Closed: the figures are what this huddle went through, and tomorrow's count
            # starts from it.
            covered = tr(
                "figures from {since} to now, what this huddle reviewed; "
                "the next huddle counts from {start}"
            ).format(since=since, start=dates.to_local(h.started_at).strftime("%a %H:%M"))
        else:
            covered = tr("figures since {since}").format(since=since)
        self.summary.setText(
            tr("{running} · {open} open{waiting} · {covered}{quiet}").format(
                running=running, open=b.open_count, waiting=waiting, covered=covered, quiet=quiet
            )
        )
        self.summary.setAccessibleName(self.summary.text())
        self.start_button.setVisible(h is None)
        self.close_button.setVisible(h is not None and h.is_open)
        focused = self.focusWidget()
        keep = focused.accessibleName() if focused is not None else ""
        for card in self.cards:
            self.grid.removeWidget(card)
            card.deleteLater()
        self.cards = [UnitCard(self, u) for u in b.units]
        self._columns = 0
        self._arrange()
        if keep:
            for card in self.cards:
                button = card.answer_button
                if button is not None and button.accessibleName() == keep:
                    button.setFocus()

    def _arrange(self) -> None:
        width = self.width() - 44  # the margins and the scroll bar
        columns = max(1, min(4, width // CARD_WIDTH))
        spacing = self.grid.horizontalSpacing()
        for card in self.cards:
            card.fit((width - spacing * (columns - 1)) // columns)
        if columns == self._columns and all(self.grid.indexOf(c) >= 0 for c in self.cards):
            return
        self._columns = columns
        for card in self.cards:
            self.grid.removeWidget(card)
        for n, card in enumerate(self.cards):
            self.grid.addWidget(card, n // columns, n % columns)
        for col in range(4):
            self.grid.setColumnStretch(col, 1 if col < columns else 0)
        # The cards keep their own height; the room left over goes below the last row.
        rows = (len(self.cards) + columns - 1) // columns
        for row in range(self.grid.rowCount()):
            self.grid.setRowStretch(row, 0)
        self.grid.setRowStretch(rows, 1)

    def resizeEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        super().resizeEvent(event)
        self._restyle()
        self._arrange()

    def showEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        super().showEvent(event)
        self.poll.start()

    def hideEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        self.poll.stop()
        super().hideEvent(event)

    # -- what the leader does -----------------------------------------------------------
    def start_huddle(self) -> None:
        tier_id = self.tier_id()
        if tier_id is None:
            return
        if attempt(self, lambda: escalations.start_tier_huddle(self.db, self.actor, tier_id)):
            self.refresh()

    def close_huddle(self) -> None:
        if self.state is None or self.state.huddle is None:
            return
        huddle_id = self.state.huddle.id
        dialog = CloseTierHuddleDialog(
            self,
            tr("A closing note (optional). What is still open stays on the board: {n}.").format(
                n=count(self.state.open_count, tr("escalation"))
            ),
        )
        dialog.save = lambda: escalations.close_tier_huddle(
            self.db, self.actor, huddle_id, dialog.note.toPlainText()
        )
        dialog.exec()
        self.refresh()

    def answer(self, row: escalations.EscalationRow, *, follow_up: bool = False) -> None:
        from hrohuddle.ui.escalation_dialogs import AnswerDialog

        dialog = AnswerDialog(
            self, row, can_go_up=self.level == tiers.DEPARTMENT, follow_up=follow_up
        )
        dialog.reread = lambda: self.reread(row.id)
        dialog.save = lambda: escalations.answer(
            self.db,
            self.actor,
            row.id,
            dialog.version,
            outcome=dialog.outcome(),
            text=dialog.text.toPlainText(),
            owner=dialog.owner.text() if dialog.outcome() == "accepted" else None,
        )
        dialog.exec()
        self.refresh()

    def reread(self, escalation_id: int) -> escalations.EscalationRow | None:
        """The escalation as it stands now (after someone else answered it), if the
        board still shows it."""
        self.refresh()
        if self.state is None:
            return None
        for u in self.state.units:
            for e in u.escalations:
                if e.id == escalation_id:
                    return e
        return None

    def set_board_mode(self, on: bool) -> None:
        self.board_mode_button.setText(
            tr("Leave full screen (Esc)") if on else tr("Full screen (F11)")
        )
        self.board_mode_button.setAccessibleName(self.board_mode_button.text())
        self.leave.setEnabled(on)
        self.board_mode_changed.emit(on)
        QTimer.singleShot(0, self._restyle)


__all__ = ["TierBoardPage", "page_label"]
