"""The safety huddle board: one person drives it, a standing group reads it from two metres.

Over 600 lines because the running board is one widget whose layout, lists and timers all
share one huddle's state; its parts (board_widgets), its actions on a chosen row
(board_follow_up), its dialogs (actions) and its start page (huddle_page) live apart."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QFontMetrics, QHideEvent, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from hrohuddle.services import (
    bulletin,
    dates,
    drafts,
    escalations,
    huddles,
    me_too,
    people,
    teaching,
    tiers,
)
from hrohuddle.services.errors import IdentifierWarning, ServiceError, SessionEnded
from hrohuddle.services.permissions import Actor
from hrohuddle.services.shifts import ShiftClock
from hrohuddle.services.vocabulary import taxonomy, unit_vocabulary
from hrohuddle.store.database import Database
from hrohuddle.store.errors import StoreError
from hrohuddle.ui.board_follow_up import BoardActions
from hrohuddle.ui.board_widgets import (
    CountField,
    Panel,
    TeachingPointDialog,
    big_button,
    board_label,
    board_list,
    board_style,
    narrow,
    style_tier,
    text_scale,
)
from hrohuddle.ui.common import (
    WheelNeedsFocus,
    attempt,
    format_date,
    poke_draft_timer,
    readable,
    show_problem,
    tr,
)
from hrohuddle.ui.escalation_dialogs import outcome_mark
from hrohuddle.wording import count

log = logging.getLogger(__name__)

DRAFT_KIND = "huddle_input"
DRAFT_DELAY_MS = 700
REFRESH_MS = 15_000


#: The item role holding a "you said, we did" row's parts (said, did, seen by).
DONE_ROLE = Qt.ItemDataRole.UserRole + 2


def two_line_done(said: str, did: str, seen: str, width: int, fm: QFontMetrics) -> str:
    """ "You said: …" over "We did: …", each on its own line of ``width`` pixels of
    ``fm``'s font and cut short with "…" only when it does not fit there; "· seen by"
    stays whole at the end of the second. Read from two metres, each half has the whole
    width of the list (one line for both left a few words of each)."""
    tail = f" · {seen}" if seen else ""
    right = Qt.TextElideMode.ElideRight
    said_line = fm.elidedText(tr("You said: {said}").format(said=said), right, width)
    did_room = max(0, width - fm.horizontalAdvance(tail))
    did_line = fm.elidedText(tr("We did: {did}").format(did=did), right, did_room) + tail
    return f"{said_line}\n{did_line}"


class ItemInput(QWidget):
    """A line to add an item, saved as a draft while it is typed."""

    def __init__(
        self,
        board: HuddleBoard,
        section: str,
        placeholder: str,
        categories: list[tuple[str, str]] | None = None,
        principles: list[tuple[str, str]] | None = None,
    ) -> None:
        super().__init__()
        self.board = board
        self.section = section
        #: The agreed good catch the teaching point is taken from (teach only), else None.
        self.event_id: int | None = None
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        self.category: QComboBox | None = None
        if categories:
            self.category = narrow(QComboBox())
            self.category.setAccessibleName(tr("Category"))
            for key, label in categories:
                self.category.addItem(label, key)
            row.addWidget(self.category)
        column.addLayout(row)
        self.principle: QComboBox | None = None
        if principles:
            self.principle = narrow(QComboBox())
            self.principle.setAccessibleName(tr("HRO principle (optional)"))
            self.principle.addItem(tr("No principle"), None)
            for key, label in principles:
                self.principle.addItem(label, key)
        self.edit = QLineEdit()
        self.edit.setPlaceholderText(placeholder)
        self.edit.setAccessibleName(placeholder)
        self.edit.setMaxLength(huddles.MAX_ITEM_CHARS + 50)
        self.edit.returnPressed.connect(self.submit)
        row.addWidget(self.edit, 1)
        self.add_button = big_button(tr("Add"))
        self.add_button.setAccessibleName(tr("Add to {section}").format(section=placeholder))
        self.add_button.clicked.connect(self.submit)
        row.addWidget(self.add_button)
        self.row = row
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(DRAFT_DELAY_MS)
        self.timer.timeout.connect(self.save_draft)
        self.edit.textEdited.connect(lambda _t: poke_draft_timer(self.timer))
        self.edit.textEdited.connect(self._unlink_when_cleared)

    def link(self, offer: teaching.Offer | None) -> None:
        """Take the teaching point from an agreed good catch (None: typed by hand)."""
        self.event_id = offer.event_id if offer is not None else None
        note = ""
        if offer is not None:
            self.edit.setText(offer.text)
            self.edit.setCursorPosition(0)
            note = tr("From a good catch of {day}; its reporter agreed it may teach.").format(
                day=format_date(offer.reported_on)
            )
            self.save_draft()
        self.board.show_teach_note(note)

    def _unlink_when_cleared(self, text: str) -> None:
        if not text.strip() and self.event_id is not None:
            self.link(None)

    def add_beside(self, widget: QWidget) -> None:
        """A button of the section beside Add."""
        self.row.addWidget(widget)

    def widgets(self) -> list[QWidget]:
        out: list[QWidget] = []
        if self.principle is not None:
            out.append(self.principle)
        out.append(self)
        return out

    @property
    def draft_key(self) -> str:
        return f"{self.board.huddle_id}:{self.section}"

    def flush(self) -> None:
        """Save a pending draft now and stop waiting to save it."""
        if self.timer.isActive():
            self.timer.stop()
            self.save_draft()

    def save_draft(self) -> None:
        payload: dict[str, Any] = {"text": self.edit.text()}
        if self.event_id is not None:  # a teaching point taken from a good catch
            payload["event_id"] = self.event_id
        try:
            drafts.save(self.board.db, self.board.actor, DRAFT_KIND, self.draft_key, payload)
        except StoreError as exc:
            log.warning("draft not saved: %s", exc.message)

    def restore(self, payload: dict[str, Any] | None) -> None:
        if payload and payload.get("text"):
            self.edit.setText(str(payload["text"]))
            self.edit.setCursorPosition(0)  # read from its start, as it was chosen
            if self.section == "teach" and isinstance(payload.get("event_id"), int):
                self.event_id = int(payload["event_id"])
                self.board.show_teach_note(
                    tr("From a good catch; its reporter agreed it may teach.")
                )

    def submit(self) -> None:
        text = self.edit.text()
        category = self.category.currentData() if self.category else None
        principle = self.principle.currentData() if self.principle else None
        try:
            if self.section == "teach" and self.event_id is not None:
                item = teaching.teach_from(
                    self.board.db,
                    self.board.actor,
                    self.board.huddle_id,
                    self.event_id,
                    text,
                    given_by=self.board.giver.currentData(),
                    hro_principle=principle,
                )
            else:
                item = huddles.add_item(
                    self.board.db,
                    self.board.actor,
                    self.board.huddle_id,
                    self.section,
                    text,
                    category=category,
                    hro_principle=principle,
                    given_by=self.board.giver.currentData() if self.section == "teach" else None,
                )
        except IdentifierWarning as exc:
            findings = list(exc.findings)
            first = findings[0]
            self.edit.setFocus()
            # Selecting it scrolls the one-line field to it; the message names every one.
            self.edit.setCursorPosition(first.start)
            self.edit.setSelection(first.start, first.end - first.start)
            marked = ", ".join(f"“{f.text}”" for f in findings)
            show_problem(self, exc.message + "\n\n" + tr("Marked: {text}").format(text=marked))
            self.edit.setFocus()
            self.edit.setSelection(first.start, first.end - first.start)
            return
        except (ServiceError, StoreError) as exc:  # kept: a warning above marks the words
            show_problem(self, readable(exc))
            return
        self.timer.stop()
        self.edit.clear()
        linked, self.event_id = self.event_id, None
        self.link(None)
        drafts.discard(self.board.db, self.board.actor, DRAFT_KIND, self.draft_key)
        # Show the new item at once; the periodic refresh brings everyone else's changes.
        self.board.show_added(item)
        if linked is not None:
            self.board.refresh()  # its recognition too
        self.edit.setFocus()


def upward_text(e: escalations.EscalationRow) -> str:
    """An escalation as the unit's board shows it: the answer, its date and who gave it
    (name and role); or, while open, its age, and the flag once it waits too long."""
    if e.is_open:
        age = tr("today") if e.age_days == 0 else count(e.age_days, tr("day"))
        state = "⚠ " + e.waiting_words if e.waiting else tr("Waiting for an answer")
        return tr("{title}\n{state} · with {tier} · sent {age}").format(
            title=e.title, state=state, tier=e.tier_name, age=age
        )
    if e.answer_shown:
        # Read at an earlier huddle already: where it stands now, not the old answer again.
        return f"{outcome_mark(e.status)} {e.follow_up_words}: {e.title}\n{e.tier_name}"
    when = format_date(dates.to_local(e.answered_at).date()) if e.answered_at else ""
    head = f"{outcome_mark(e.status)} {e.outcome_words}"
    if e.owner:
        head += " · " + tr("owner {who}").format(who=e.owner)
    if e.passed_to:
        head += " · " + tr("to {tier}").format(tier=e.passed_to)
    said = f"\n{e.answer}" if e.answer else ""
    return f"{head}: {e.title}{said}\n{e.answered_by_words} · {when}"


def from_tier(e: escalations.EscalationRow) -> str:
    """ "From the department (Medicine)", "From the hospital (Northside)": the tier it is
    with, or that answered it."""
    level = tiers.LEVEL_WORDS.get(e.tier_level, "tier")
    return tr("From the {level} ({name})").format(level=level, name=e.tier_name)


def upward_line(e: escalations.EscalationRow) -> str:
    """An answer in one line, for the top of Follow up on the wall: the answer in a word,
    who gave it and when first, then what it is about (cut short if need be; chosen, it
    reads in full: upward_text)."""
    if e.is_open:
        return upward_text(e).replace("\n", " · ", 1).split("\n")[0]
    when = format_date(dates.to_local(e.answered_at).date()) if e.answered_at else ""
    if e.answer_shown:
        return f"{outcome_mark(e.status)} {e.follow_up_words}: {e.title}"
    return f"{outcome_mark(e.status)} {e.outcome_words} · {e.answered_by_words} · {when}: {e.title}"


class HuddleBoard(BoardActions):
    """The running huddle. Every change is stored at once; typing is kept as drafts.

    It asks the window for what only the window does through its signals: the report
    dialog (``report_requested``) and full screen (``board_mode_changed``)."""

    report_requested = Signal()
    board_mode_changed = Signal(bool)

    def __init__(
        self,
        db: Database,
        actor: Actor,
        huddle_id: int,
        on_closed: Callable[[int], None],
        window_height: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.db = db
        self.actor = actor
        self.huddle_id = huddle_id
        self.on_closed = on_closed
        self.setObjectName("board")
        # Typed for the window it opens in, so that its first resize has nothing to
        # restyle nor to measure again.
        tier = style_tier(window_height) if window_height is not None else 1080
        self.setStyleSheet(board_style(tier, text_scale()))
        self.team = people.list_people(db, actor)
        self.vocab = unit_vocabulary()
        self.kinds = taxonomy().labels_by_key("kinds")
        self.categories = taxonomy().labels_by_key("categories")
        self.harms = taxonomy().labels_by_key("harm")
        self.professions = self.vocab.labels_by_key("professions")
        self.ahead_labels = self.vocab.labels_by_key("look_ahead_categories")
        self.principles = [(t.key, t.label) for t in self.vocab.terms("hro_principles")]
        self.state: huddles.Board | None = None
        #: "You said, we did" since the last huddle, and how many said "me too" of each.
        self.done: list[bulletin.Done] = []
        self.seen: dict[int, int] = {}
        #: The reporters of the look back's good catches who asked to be named.
        self.named: dict[int, str] = {}
        #: Which good catch the teaching point being typed comes from ("" when none).
        self.teach_note = ""
        self._updating = False
        self.closed = False
        self._telling = False
        self._stale = False
        self._build()
        WheelNeedsFocus(self)  # a wheel scrolling past a choice box leaves it as it is
        self._style_height, self._style_text = tier, text_scale()
        self.refresh()
        saved = drafts.load_all(db, actor, DRAFT_KIND, f"{huddle_id}:")
        for inp in self.inputs.values():
            inp.restore(saved.get(inp.draft_key))
        # The clock and the poll run only while the board is on screen: hidden (another
        # screen, the lock, sign-out, quit) it saves what is typed and stops touching the
        # database, so nothing it started outlives it.
        self.clock = QTimer(self)
        self.clock.setInterval(1000)
        self.clock.timeout.connect(self._tick)
        self.poll = QTimer(self)
        self.poll.setInterval(REFRESH_MS)
        self.poll.timeout.connect(self.refresh)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.closed or self.clock.isActive():
            return
        if self._stale:  # back from another screen or the lock: catch up
            self.refresh()
        self.clock.start()
        self.poll.start()

    def hideEvent(self, event: QHideEvent) -> None:
        self.pause()
        super().hideEvent(event)

    def pause(self) -> None:
        """Save pending drafts and stop every timer (the board is off screen or closing)."""
        for inp in self.inputs.values():
            inp.flush()
        # Stale only if it was live: a board hidden as it is first placed in its stack
        # (before it was ever shown) holds what it just read.
        self._stale = self._stale or self.clock.isActive()
        self.clock.stop()
        self.poll.stop()

    # -- layout --------------------------------------------------------------------------
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        self.outer = outer
        outer.setContentsMargins(12, 8, 12, 8)
        outer.setSpacing(8)
        # The title and the timer beside the buttons on a wide screen; the title on a row
        # of its own when they would not fit beside it (the board beside the navigation).
        self.top = QGridLayout()
        self.top.setContentsMargins(0, 0, 0, 0)
        self.title = board_label("", "board-title")
        self.title.setWordWrap(False)
        self.title.setMinimumWidth(1)
        self.timer_label = board_label("", "timer")
        self.timer_label.setWordWrap(False)
        self.timer_label.setAccessibleName(tr("Huddle timer"))
        report = big_button(tr("Report event"))
        report.setToolTip(tr("Ctrl+Shift+E"))
        report.clicked.connect(self._report)
        self.board_mode_button = big_button(tr("Full screen (F11)"))
        self.board_mode_button.setCheckable(True)
        self.board_mode_button.toggled.connect(self.set_board_mode)
        self.close_button = big_button(tr("Close huddle…"), primary=True)
        self.close_button.clicked.connect(self.close_huddle)
        self.bulletin_button = big_button(tr("Bulletin"))
        self.bulletin_button.setAccessibleName(tr("The unit safety bulletin, in large type"))
        self.bulletin_button.clicked.connect(self.open_bulletin)
        # The bulletin is for the staff room: everyone who sees the board reads it.
        self.top_buttons: tuple[QWidget, ...] = (
            report,
            self.bulletin_button,
            self.board_mode_button,
            self.close_button,
        )
        self.bulletin_button.setVisible(self.actor.can("huddle.view"))
        for b in self.top_buttons:
            b.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self._title_row = -1
        self._arrange_top(own_row=False)
        outer.addLayout(self.top)
        QShortcut(QKeySequence("F11"), self, self.board_mode_button.toggle)
        self.leave_shortcut = QShortcut(QKeySequence("Esc"), self)
        # Wherever the focus is in the window (a list, a button, nothing): the wall screen
        # is left with one key. Only while in board mode; a dialog takes its own Esc.
        self.leave_shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
        self.leave_shortcut.activated.connect(lambda: self.board_mode_button.setChecked(False))
        self.leave_shortcut.setEnabled(False)

        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.scroll_area.setAccessibleName(tr("Huddle board"))
        body = QWidget()
        body.setObjectName("board")
        grid = QGridLayout(body)
        self.grid = grid
        self.body = body
        self.panels: list[Panel] = []
        self.columns = 0
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(10)
        self.scroll_area.setWidget(body)
        outer.addWidget(self.scroll_area, 1)
        self.inputs: dict[str, ItemInput] = {}
        self.lists: dict[str, QListWidget] = {}
        self.hints: list[QLabel] = []

        sections = {t.key: t for t in self.vocab.terms("huddle_sections")}

        def panel(key: str, title: str | None = None) -> Panel:
            p = Panel(title or sections[key].label, sections[key].get("help", "") if key else "")
            self.hints.extend(p.hints)
            return p

        # Look back
        back = panel("look_back")
        self.lists["look_back"] = board_list(tr("Look back items"))
        # Its one-line rows are cut again whenever its width changes (a scroll bar too).
        self.lists["look_back"].viewport().installEventFilter(self)
        back.add(self.lists["look_back"], 1)
        self.inputs["look_back"] = ItemInput(self, "look_back", tr("Add a concern"))
        back.add(self.inputs["look_back"])
        # Beside the line to add a concern, not in the heading: the panel stays as narrow
        # as its heading, so three columns still fit a 1366 px wall screen.
        self.me_too_button = big_button(tr("Me too"))
        self.me_too_button.setAccessibleName(tr("I have seen this too: the chosen report"))
        self.me_too_button.setToolTip(tr("I have seen this too: counted, never named"))
        self.me_too_button.clicked.connect(self.add_me_too)
        self.inputs["look_back"].add_beside(self.me_too_button)
        back.add_to_heading(self._item_buttons("look_back"))
        self.panels.append(back)

        # Look ahead
        ahead = panel("look_ahead")
        self.lists["look_ahead"] = board_list(tr("Look ahead items"))
        ahead.add(self.lists["look_ahead"], 1)
        self.inputs["look_ahead"] = ItemInput(
            self,
            "look_ahead",
            tr("Add a risk"),
            categories=list(self.ahead_labels.items()),
        )
        ahead.add(self.inputs["look_ahead"])
        # A risk chosen here is what Follow up's Escalate… sends up (the last list chosen
        # in decides): a third button in this heading would not fit a 1366 px wall screen.
        ahead_list = self.lists["look_ahead"]
        ahead_list.currentItemChanged.connect(
            lambda cur, _prev: self._chose_in("look_ahead" if ahead_list.hasFocus() else "")
        )
        ahead_list.itemPressed.connect(lambda _item: self._chose_in("look_ahead"))
        ahead.add_to_heading(self._item_buttons("look_ahead"))
        self.panels.append(ahead)

        # Follow up
        follow = panel("follow_up")
        self.follow_list = board_list(tr("Open actions, oldest first"))
        follow.add(self.follow_list, 1)
        row = QGridLayout()
        row.setContentsMargins(0, 0, 0, 0)
        for n, (text, slot) in enumerate(
            (
                (tr("Close"), self.close_action),
                (tr("Reassign…"), self.reassign),
                (tr("Due date…"), self.change_due),
                (tr("Escalate…"), self.escalate),
            )
        ):
            b = big_button(text)
            b.setAccessibleName(tr("{what} the chosen action").format(what=text.rstrip("…")))
            b.clicked.connect(slot)
            row.addWidget(b, 0, n)
            self.escalate_button = b  # the last one
        self.escalate_button.setAccessibleName(
            tr("Escalate the chosen action, or the risk chosen in Look ahead")
        )
        self.escalate_button.setToolTip(
            tr("Send the chosen action, or the risk chosen in Look ahead, to the department")
            if tiers.shared(self.db)
            else tr(
                "Escalate the chosen action to the unit's manager. Sending it to a "
                "department needs the hospital's shared server."
            )
        )
        self.follow_list.currentItemChanged.connect(
            lambda cur, _prev: self._chose_in("follow_up" if self.follow_list.hasFocus() else "")
        )
        self.follow_list.itemPressed.connect(lambda _item: self._chose_in("follow_up"))
        holder = QWidget()
        holder.setLayout(row)
        follow.add(holder)
        # A unit on its own file: the one place a charge nurse looks for escalating says
        # what it can and cannot reach from here.
        self.follow_note = board_label(
            tr(
                "Escalate… goes to the unit's manager. Departments and hospital huddles "
                "need the hospital's shared server."
            ),
            "hint",
        )
        self.follow_note.setWordWrap(True)
        self.follow_note.setVisible(
            not tiers.shared(self.db) and bool({"charge_nurse", "manager"} & set(self.actor.roles))
        )
        follow.add(self.follow_note)
        self.panels.append(follow)
        self.follow_list.currentItemChanged.connect(self._answer_in_full)

        # Teaching point: everybody teaches; credited to whoever gave it.
        teach = panel("teach")
        self.lists["teach"] = board_list(tr("Teaching point"))
        teach.add(self.lists["teach"], 1)
        self.inputs["teach"] = ItemInput(
            self, "teach", tr("Today's teaching point"), principles=self.principles
        )
        self.giver = QComboBox()
        self.giver.setAccessibleName(tr("Who gave the teaching point"))
        self.giver.setToolTip(tr("Who gave the teaching point"))
        for p in self.team:
            self.giver.addItem(tr("Taught by {name}").format(name=p.display_name), p.id)
        self.giver.setCurrentIndex(max(0, self.giver.findData(self.actor.person_id)))
        giver_row = QHBoxLayout()
        giver_row.setContentsMargins(0, 0, 0, 0)
        giver_row.addWidget(self.giver, 1)
        assert self.inputs["teach"].principle is not None
        giver_row.addWidget(self.inputs["teach"].principle, 1)
        self.giver_holder = QWidget()
        self.giver_holder.setLayout(giver_row)
        teach.add(self.giver_holder)
        teach.add(self.inputs["teach"])
        teach_buttons = QHBoxLayout()
        teach_buttons.setContentsMargins(0, 0, 0, 0)
        self.edit_teach_button = big_button(tr("Edit…"))
        self.edit_teach_button.setAccessibleName(tr("Edit the teaching point"))
        self.edit_teach_button.clicked.connect(self.edit_teaching_point)
        self.remove_teach_button = big_button(tr("Remove"))
        self.remove_teach_button.setAccessibleName(tr("Remove the teaching point"))
        self.remove_teach_button.clicked.connect(lambda: self.remove_item("teach"))
        teach_buttons.addWidget(self.edit_teach_button)
        teach_buttons.addWidget(self.remove_teach_button)
        self.from_catch_button = big_button(tr("Good catches…"))
        self.from_catch_button.setAccessibleName(
            tr("Take the teaching point from a good catch its reporter agreed to share")
        )
        self.from_catch_button.clicked.connect(self.choose_good_catch)
        teach.add_to_heading(self.from_catch_button)
        self.teach_buttons = QWidget()
        self.teach_buttons.setLayout(teach_buttons)
        teach.add_to_heading(self.teach_buttons)
        self.panels.append(teach)

        # Recognition
        recognise = panel("recognise")
        self.lists["recognise"] = board_list(tr("Good catches and shout-outs"))
        recognise.add(self.lists["recognise"], 1)
        self.inputs["recognise"] = ItemInput(self, "recognise", tr("Add a shout-out"))
        recognise.add(self.inputs["recognise"])
        self.panels.append(recognise)

        # Attendance
        att = Panel(tr("Attendance"), tr("Tap a name to mark them present; count others below."))
        self.hints.extend(att.hints)
        self.people_list = board_list(tr("People present: tap a name to mark them present"))
        self.people_list.itemChanged.connect(self._person_toggled)
        self.people_list.itemClicked.connect(self._toggle_person)
        self.people_list.itemActivated.connect(self._toggle_person)
        # Names in columns, so that more of the room shows at once.
        self.people_list.setFlow(QListWidget.Flow.LeftToRight)
        self.people_list.setWrapping(True)
        self.people_list.setResizeMode(QListWidget.ResizeMode.Adjust)
        att.add(self.people_list, 1)
        count_row = QHBoxLayout()
        count_row.setContentsMargins(0, 0, 0, 0)
        self.count_profession = narrow(QComboBox())
        self.count_profession.setAccessibleName(tr("Profession of people without an account"))
        for key, label in self.professions.items():
            self.count_profession.addItem(label, key)
        # A number field with big minus and plus buttons, not a spin box's small arrows.
        self.count_spin = CountField(0, 50)
        self.count_spin.setAccessibleName(tr("How many"))
        self.count_spin.setMinimumWidth(80)
        fewer = big_button("−")
        fewer.setMinimumWidth(48)  # a 48 px target (the style sheet's min-width would let
        # every button of the board be squeezed below its words)
        fewer.setAccessibleName(tr("One fewer"))
        fewer.clicked.connect(self.count_spin.stepDown)
        more = big_button("+")
        more.setMinimumWidth(48)
        more.setAccessibleName(tr("One more"))
        more.clicked.connect(self.count_spin.stepUp)
        set_count = big_button(tr("Set"))
        set_count.setAccessibleName(tr("Set the head count"))
        set_count.clicked.connect(self._set_count)
        count_row.addWidget(self.count_profession, 1)
        count_row.addWidget(fewer)
        count_row.addWidget(self.count_spin)
        count_row.addWidget(more)
        count_row.addWidget(set_count)
        holder2 = QWidget()
        holder2.setLayout(count_row)
        att.add(holder2)
        self.mix_label = board_label("", "hint")
        self.mix_label.setAccessibleName(tr("Profession mix"))
        att.add(self.mix_label)
        reflect = big_button(tr("HRO reflection…"))
        reflect.setAccessibleName(tr("HRO reflection: which principles this huddle touched"))
        reflect.clicked.connect(self.open_reflection)
        att.add_to_heading(reflect)
        self.panels.append(att)

        # HRO reflection: optional, asked in its own small dialog so the board keeps room.
        self.reflection_dialog = QDialog(self)
        self.reflection_dialog.setWindowTitle(tr("HRO reflection"))
        refl = QVBoxLayout(self.reflection_dialog)
        refl.addWidget(QLabel(tr("Optional: did this huddle touch each principle?")))
        self.reflection: dict[str, QCheckBox] = {}
        for key, label in self.principles:
            box = QCheckBox(label)
            box.setAccessibleName(tr("Touched: {p}").format(p=label))
            box.setMinimumHeight(44)
            box.toggled.connect(lambda on, k=key: self._reflect(k, on))
            self.reflection[key] = box
            refl.addWidget(box)
        done = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        done.button(QDialogButtonBox.StandardButton.Close).setAccessibleName(
            tr("Close the HRO reflection")
        )
        done.rejected.connect(self.reflection_dialog.reject)
        refl.addWidget(done)
        self._arrange(3)
        self._style_height = 0
        self._style_text = 1.0

    def _arrange(self, columns: int) -> None:
        """Three columns on a wide screen (the wall); two, scrolling, beside the navigation
        of a small one, so that no button is ever squeezed below its words."""
        if columns == self.columns:
            return
        self.columns = columns
        for panel in self.panels:
            self.grid.removeWidget(panel)
        for n, panel in enumerate(self.panels):
            self.grid.addWidget(panel, n // columns, n % columns)
        rows = (len(self.panels) + columns - 1) // columns
        for col in range(3):
            self.grid.setColumnStretch(col, 1 if col < columns else 0)
        for row in range(3):
            self.grid.setRowStretch(row, (5 if row == 0 else 4) if row < rows else 0)
            self.grid.setRowMinimumHeight(row, 300 if columns == 2 and row < rows else 0)

    def _columns_fit(self, columns: int) -> bool:
        """Whether the panels, each at least as wide as its heading and its buttons, fit
        side by side in ``columns`` columns without the board scrolling sideways."""
        widths = [0] * columns
        for n, panel in enumerate(self.panels):
            col = n % columns
            widths[col] = max(widths[col], panel.minimumSizeHint().width())
        need = sum(widths) + self.grid.horizontalSpacing() * (columns - 1)
        margins = self.outer.contentsMargins()
        return need <= self.width() - margins.left() - margins.right()

    def _arrange_top(self, own_row: bool) -> None:
        """The title beside the timer and buttons, or on its own row above them."""
        if int(own_row) == self._title_row:
            return
        self._title_row = int(own_row)
        widgets = (self.title, self.timer_label, *self.top_buttons)
        for w in widgets:
            self.top.removeWidget(w)
        row = int(own_row)
        if own_row:
            self.top.addWidget(self.title, 0, 0, 1, 2 + len(self.top_buttons))
        else:
            self.top.addWidget(self.title, 0, 0)
        self.top.addWidget(self.timer_label, row, 1)
        for n, b in enumerate(self.top_buttons):
            self.top.addWidget(b, row, 2 + n)
        for col in range(2 + len(self.top_buttons)):
            self.top.setColumnStretch(col, 0)
        self.top.setColumnStretch(0 if not own_row else 1, 1)

    def _top_width(self) -> int:
        """The width the title, the timer and the buttons need on one row."""
        parts = (self.title, self.timer_label, *self.top_buttons)
        spacing = max(0, self.top.horizontalSpacing())
        margins = self.outer.contentsMargins()
        return (
            sum(w.sizeHint().width() for w in parts)
            + spacing * (len(parts) - 1)
            + margins.left()
            + margins.right()
        )

    def open_reflection(self) -> None:
        self.reflection_dialog.setStyleSheet(self.styleSheet())
        self.reflection_dialog.exec()

    def follow_text_scale(self) -> None:
        """Larger or Smaller text was chosen: the open board takes the new size now."""
        self.resizeEvent(None)

    def resizeEvent(self, event: Any) -> None:
        if event is not None:
            super().resizeEvent(event)
        height = self.window().height() if self.window() is not None else self.height()
        tier = style_tier(height)
        text = text_scale()
        if (tier, text) != (self._style_height, self._style_text):
            self._style_height, self._style_text = tier, text
            self.setStyleSheet(board_style(tier, text))
            # Wrapped rows are measured again in the new type size.
            QTimer.singleShot(0, self.refresh)
        else:
            self._fit_done(self.lists["look_back"])
            for lst in (*self.lists.values(), self.follow_list):
                lst.doItemsLayout()
        self._arrange(3 if self._columns_fit(3) else 2)
        self._arrange_top(own_row=self._top_width() > self.width())
        # Only the rows' size changes: a re-layout never reads as a tap on a name.
        width = self._person_width()
        self.people_list.blockSignals(True)
        try:
            for i in range(self.people_list.count()):
                self.people_list.item(i).setSizeHint(QSize(width, 44))
        finally:
            self.people_list.blockSignals(False)
        self.people_list.doItemsLayout()
        # The answers from the tiers stay one line each in the list's new width (once the
        # panels have taken their places).
        QTimer.singleShot(0, self, self._reelide_upward)

    def _item_buttons(self, section: str) -> QWidget:
        holder = QWidget()
        row = QHBoxLayout(holder)
        row.setContentsMargins(0, 0, 0, 0)
        make = big_button(tr("Make action…"))
        make.setAccessibleName(tr("Make the chosen item an action"))
        make.clicked.connect(lambda: self.make_action(section))
        remove = big_button(tr("Remove"))
        remove.setAccessibleName(tr("Remove the chosen item"))
        remove.clicked.connect(lambda: self.remove_item(section))
        row.addWidget(make)
        row.addWidget(remove)
        return holder

    # -- data ----------------------------------------------------------------------------
    def refresh(self) -> None:
        try:
            state = huddles.board(self.db, self.actor, self.huddle_id)
            done = bulletin.since_last_huddle(self.db, self.actor, self.huddle_id)
            self.seen = me_too.counts(
                self.db,
                self.actor.unit_id,
                [e.id for e in state.look_back_events]
                + [i.event_id for i in state.items["look_back"] if i.event_id is not None],
            )
            named = teaching.named_reporters(
                self.db, self.actor, [e.id for e in state.good_catches]
            )
            upward = (
                escalations.unit_follow_up(self.db, self.actor, self.huddle_id)
                if tiers.shared(self.db)
                else []
            )
            self.upward = upward
            self.done = done
            self.named = named
        except SessionEnded:
            return  # signed out or locked: the window goes back to sign-in by itself
        except (ServiceError, StoreError) as exc:  # kept: a failed poll is logged, not shown
            log.warning("board refresh failed: %s", exc.message)
            return
        self.state = state
        self._updating = True
        try:
            self._fill(state)
        finally:
            self._updating = False
        self._tick()

    def _fill(self, b: huddles.Board) -> None:
        shift = tr("Day huddle") if b.huddle.shift == "day" else tr("Night huddle")
        self.title.setText(
            tr("{shift} · {date}").format(shift=shift, date=format_date(b.huddle.huddle_date))
        )
        self._keep_selection(self.lists["look_back"], lambda lst: self._fill_look_back(lst, b))
        self._keep_selection(
            self.lists["look_ahead"], lambda lst: self._fill_items(lst, b.items["look_ahead"])
        )
        self._keep_selection(self.lists["teach"], lambda lst: self._fill_teach(lst, b))
        self._keep_selection(self.lists["recognise"], lambda lst: self._fill_recognise(lst, b))
        self._keep_selection(self.follow_list, lambda lst: self._fill_actions(lst, b))
        self._fill_people(b)
        for key, box in self.reflection.items():
            box.blockSignals(True)
            box.setChecked(bool(b.reflection.get(key)))
            box.blockSignals(False)
        self._teach_state(bool(b.items["teach"]))

    def _teach_state(self, has_one: bool) -> None:
        """One teaching point per huddle: once given, it is edited or removed, not re-added."""
        self.inputs["teach"].setVisible(not has_one)
        self.giver_holder.setVisible(not has_one)
        self.teach_buttons.setVisible(has_one)
        self.from_catch_button.setVisible(not has_one)

    def link_teaching_point(self, offer: teaching.Offer) -> None:
        self.inputs["teach"].link(offer)
        self.inputs["teach"].edit.setFocus()

    def edit_teaching_point(self) -> None:
        if self.state is None or not self.state.items["teach"]:
            return
        point = self.state.items["teach"][0]
        dialog = TeachingPointDialog(self, point, self.team, self.principles)
        while dialog.exec():
            saved = attempt(
                dialog,
                lambda: huddles.update_item(
                    self.db,
                    self.actor,
                    point.id,
                    dialog.text.text(),
                    point.updated_at,
                    given_by=dialog.giver.currentData(),
                    hro_principle=dialog.principle.currentData(),
                ),
            )
            if saved is not None:
                self.refresh()
                return

    def _keep_selection(self, lst: QListWidget, fill: Callable[[QListWidget], None]) -> None:
        current = lst.currentItem()
        key = current.data(Qt.ItemDataRole.UserRole) if current else None
        lst.clear()
        fill(lst)
        for i in range(lst.count()):
            if lst.item(i).data(Qt.ItemDataRole.UserRole) == key:
                lst.setCurrentRow(i)
                break

    def _add(self, lst: QListWidget, text: str, key: Any) -> QListWidgetItem:
        item = QListWidgetItem(text)
        item.setData(Qt.ItemDataRole.UserRole, key)
        item.setSizeHint(QSize(0, 0))
        lst.addItem(item)
        item.setSizeHint(QSize())
        return item

    def _shift_clock(self) -> ShiftClock:
        if not hasattr(self, "_shift_clock_at"):
            unit = people.unit_settings(self.db, self.actor.unit_id)
            self._shift_clock_at = ShiftClock.of(unit)
        return self._shift_clock_at

    def _fill_look_back(self, lst: QListWidget, b: huddles.Board) -> None:
        # "You said, we did" first, two lines each: read before the reports, never below
        # the fold. The whole of it is the row's tooltip and accessible name.
        for d in self.done:
            full = tr("You said: {said} We did: {did}").format(said=d.said, did=d.did)
            seen = me_too.seen_by(d.me_too)
            item = self._add(lst, full, ("done", d.event_id))
            item.setData(DONE_ROLE, (d.said, d.did, seen))
            spoken = f"{full} {seen}." if seen else full
            item.setToolTip(spoken)
            item.setData(Qt.ItemDataRole.AccessibleTextRole, spoken)
        self._fit_done(lst)
        for e in b.look_back_events:
            harm = f" · {self.harms.get(e.harm, e.harm)}" if e.harm else ""
            local = e.occurred_at.replace(tzinfo=dt.UTC).astimezone()
            if e.anonymous:
                # Only the shift is kept for an anonymous report (its start is stored):
                # the board names the shift rather than show a made-up time.
                night = self._shift_clock().shift_of(local.replace(tzinfo=None))[1] == "night"
                when = tr("night shift") if night else tr("day shift")
            else:
                when = local.strftime("%H:%M")
            action = next((a for a in b.follow_ups if a.event_id == e.id), None)
            made = ""
            if action is not None:
                due = format_date(action.due_on) if action.due_on else tr("no due date")
                made = "\n" + tr("Action: {owner}, due {due}").format(
                    owner=action.owner or tr("no owner"), due=due
                )
            item = self._add(
                lst,
                f"{self.kinds.get(e.kind, e.kind)} {when}{harm}: {e.summary}{made}"
                + self._seen_text(e.id),
                ("event", e.id),
            )
            item.setToolTip(self.categories.get(e.category, e.category))
        for it in b.items["look_back"]:
            extra = self._seen_text(it.event_id) if it.event_id is not None else ""
            self._add(lst, self._item_text(it) + extra, ("item", it.id))
        if lst.count() == 0:
            placeholder = self._add(lst, tr("No reports since the last huddle."), None)
            placeholder.setFlags(Qt.ItemFlag.NoItemFlags)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.Hide
            and isinstance(watched, QWidget)
            and watched.isWindow()
            and watched is not self.window()
            and watched.windowType() in (Qt.WindowType.Dialog, Qt.WindowType.Sheet)
        ):
            # A wall screen often runs without a window manager: when a dialog closes
            # there, nothing gives the keyboard back, and Esc would reach nobody.
            QTimer.singleShot(0, self._take_back_keyboard)
        look_back = self.lists.get("look_back") if hasattr(self, "lists") else None
        if (
            look_back is not None
            and watched is look_back.viewport()
            and event.type() == QEvent.Type.Resize
        ):
            self._fit_done(look_back)
        return super().eventFilter(watched, event)

    def _fit_done(self, lst: QListWidget) -> None:
        """Each "you said, we did" row in two lines of the list's width: each half cut
        short with "…" when it does not fit, the count of "me too" kept whole."""
        fm = lst.fontMetrics()
        width = max(120, lst.viewport().width() - 16)
        changed = False
        for i in range(lst.count()):
            item = lst.item(i)
            parts = item.data(DONE_ROLE)
            if not parts:
                continue
            said, did, seen = parts
            text = two_line_done(said, did, seen, width, fm)
            if text != item.text():
                item.setText(text)
                changed = True
        if changed:  # the rows are measured again: two lines high now
            QTimer.singleShot(0, lst.doItemsLayout)

    def _seen_text(self, event_id: int, count: int | None = None) -> str:
        n = self.seen.get(event_id, 0) if count is None else count
        return "\n" + me_too.seen_by(n) if n else ""

    def show_added(self, item: huddles.ItemRow) -> None:
        lst = self.lists[item.section]
        first = lst.item(0)
        if first is not None and first.data(Qt.ItemDataRole.UserRole) is None:
            lst.takeItem(0)  # the "nothing yet" line
        self._add(lst, self._item_text(item), ("item", item.id))
        lst.scrollToBottom()
        if self.state is not None:
            self.state.items.setdefault(item.section, []).append(item)
        if item.section == "teach":
            self._teach_state(True)

    def _item_text(self, it: huddles.ItemRow) -> str:
        prefix = ""
        if it.category:
            prefix = self.ahead_labels.get(it.category, it.category) + ": "
        suffix = ""
        if it.action_id:
            due = format_date(it.action_due) if it.action_due else tr("no due date")
            suffix = "\n" + tr("Action: {owner}, due {due}").format(
                owner=it.action_owner or tr("no owner"), due=due
            )
        principle = ""
        if it.hro_principle:
            principle = f"\n({dict(self.principles).get(it.hro_principle, it.hro_principle)})"
        by = ""
        if it.author and it.section == "teach":
            by = " — " + tr("taught by {name}").format(name=it.author)
        elif it.author and it.section == "recognise":
            by = f" — {it.author}"
        return f"{prefix}{it.text}{by}{principle}{suffix}"

    def _fill_items(self, lst: QListWidget, items: list[huddles.ItemRow]) -> None:
        for it in items:
            self._add(lst, self._item_text(it), ("item", it.id))

    def _fill_teach(self, lst: QListWidget, b: huddles.Board) -> None:
        self._fill_items(lst, b.items["teach"])
        if not b.items["teach"] and self.teach_note:
            # Where the teaching point will stand, in the room the list has: a line under
            # the field would be squeezed onto it on a small screen.
            note = self._add(lst, self.teach_note, None)
            note.setFlags(Qt.ItemFlag.ItemIsEnabled)  # read, not chosen; full contrast
            note.setData(Qt.ItemDataRole.AccessibleTextRole, self.teach_note)

    def show_teach_note(self, note: str) -> None:
        """Say (or, with "", stop saying) which good catch the typed teaching point is from."""
        self.teach_note = note
        state = self.state
        if state is not None:
            self._keep_selection(self.lists["teach"], lambda lst: self._fill_teach(lst, state))

    def _fill_recognise(self, lst: QListWidget, b: huddles.Board) -> None:
        # A good catch is recognised once: when it is also today's teaching point, its
        # line says so rather than a second, differently worded line.
        taught = {it.event_id: it for it in b.items["recognise"] if it.event_id is not None}
        for e in b.good_catches:
            name = self.named.get(e.id)
            text = (
                tr("Good catch by {name}: {text}").format(name=name, text=e.summary)
                if name
                else tr("Good catch: {text}").format(text=e.summary)
            )
            linked = taught.pop(e.id, None)
            if linked is not None:
                text += " " + tr("(today's teaching point)")
            key = ("item", linked.id) if linked is not None else ("event", e.id)
            self._add(lst, text + self._seen_text(e.id), key)
        for it in b.items["recognise"]:
            if it.event_id is None or it.event_id in taught:
                self._add(lst, self._item_text(it), ("item", it.id))

    def _fill_actions(self, lst: QListWidget, b: huddles.Board) -> None:
        # The department's answers first: an answer that came back is read, not scrolled to.
        self._fill_upward(lst)
        # The version each action had when shown: a later save by someone else is refused.
        self.action_versions = {a.id: a.version for a in b.follow_ups}
        for a in b.follow_ups:
            flags = []
            if a.overdue(b.today):
                flags.append(tr("⚠ Overdue"))
            if a.escalation_words:
                flags.append(a.escalation_words)
            due = (
                tr("due {date}").format(date=format_date(a.due_on))
                if a.due_on
                else tr("no due date")
            )
            head = (" · ".join(flags) + " · ") if flags else ""
            item = self._add(
                lst,
                f"{head}{a.title}\n{a.owner or tr('no owner')} · {due}",
                ("action", a.id),
            )
            if a.overdue(b.today):
                # The word carries the meaning; a bold face repeats it (a red on the
                # selected row's blue would fall below 7:1).
                font = item.font()
                font.setBold(True)
                item.setFont(font)
        if not b.follow_ups:
            placeholder = self._add(lst, tr("No open actions."), None)
            placeholder.setFlags(Qt.ItemFlag.NoItemFlags)

    def _fill_upward(self, lst: QListWidget) -> None:
        """ "From the department": its answers since they were last shown at a closed
        huddle, then what is still waiting for one, with its age."""
        upward: list[escalations.EscalationRow] = getattr(self, "upward", [])
        if not upward:
            return
        heard: str | None = None
        for e in sorted(upward, key=lambda e: e.tier_level):
            # Each answer under the tier that gave it: the department's, the hospital's.
            if e.tier_name != heard:
                heard = e.tier_name
                self._board_heading(lst, from_tier(e))
            # One line each, so every answer is on screen at once; chosen, it opens in full.
            line = self._one_line(lst, upward_line(e))
            item = self._add(lst, line, ("escalation", e.id))
            item.setData(Qt.ItemDataRole.AccessibleTextRole, upward_text(e).replace("\n", ". "))
            item.setData(Qt.ItemDataRole.UserRole + 1, (upward_line(e), upward_text(e)))
            item.setToolTip(upward_text(e))
            if e.waiting:
                bold = item.font()
                bold.setBold(True)
                item.setFont(bold)
        self._board_heading(lst, tr("Open actions"))

    @staticmethod
    def _one_line(lst: QListWidget, text: str) -> str:
        """The text cut short to the list's width, with room kept for the scroll bar that
        appears once the list is full (else the cut line wraps to a second)."""
        bar = lst.verticalScrollBar()
        spare = 0 if bar.isVisible() else bar.sizeHint().width()
        room = lst.viewport().width() - 16 - spare
        return lst.fontMetrics().elidedText(text, Qt.TextElideMode.ElideRight, max(room, 200))

    def _reelide_upward(self) -> None:
        """The answers' one-line rows cut again to the list's width after it changed."""
        lst = self.follow_list
        for i in range(lst.count()):
            item = lst.item(i)
            texts = item.data(Qt.ItemDataRole.UserRole + 1)
            if isinstance(texts, tuple) and item is not lst.currentItem():
                item.setText(self._one_line(lst, texts[0]))

    def _answer_in_full(
        self, current: QListWidgetItem | None, previous: QListWidgetItem | None
    ) -> None:
        """The chosen answer from the department reads in full; the others in one line."""
        from shiboken6 import isValid

        for item, full in ((previous, False), (current, True)):
            if item is None or not isValid(item):
                continue
            texts = item.data(Qt.ItemDataRole.UserRole + 1)
            if isinstance(texts, tuple):
                item.setText(texts[1] if full else self._one_line(self.follow_list, texts[0]))

    def _board_heading(self, lst: QListWidget, text: str) -> None:
        """A heading row in a list: read, never chosen, in full contrast."""
        header = self._add(lst, text, None)
        header.setFlags(Qt.ItemFlag.ItemIsEnabled)
        font = header.font()
        font.setBold(True)
        header.setFont(font)

    def _fill_people(self, b: huddles.Board) -> None:
        present = b.present_ids
        scroll = self.people_list.verticalScrollBar().value()
        self.people_list.blockSignals(True)
        self.people_list.clear()
        for p in self.team:
            item = QListWidgetItem(p.display_name)
            item.setToolTip(self.professions.get(p.profession, p.profession))
            item.setData(Qt.ItemDataRole.UserRole, p.id)
            # Not user-checkable: the row's click toggles it, so the box and the name agree.
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
            item.setSizeHint(QSize(self._person_width(), 44))
            item.setCheckState(
                Qt.CheckState.Checked if p.id in present else Qt.CheckState.Unchecked
            )
            self.people_list.addItem(item)
        self.people_list.blockSignals(False)
        self.people_list.verticalScrollBar().setValue(scroll)
        mix = " · ".join(
            f"{self.professions.get(k, k)} {v}"
            for k, v in sorted(b.profession_mix.items(), key=lambda kv: -kv[1])
        )
        self.mix_label.setText(tr("{n} present · {mix}").format(n=b.head_count, mix=mix))

    def _tick(self) -> None:
        if self.state is None:
            return
        started = self.state.huddle.started_at
        end = self.state.huddle.ended_at or dt.datetime.now(dt.UTC).replace(tzinfo=None)
        seconds = max(0, int((end - started).total_seconds()))
        target = self.state.target_minutes
        text = tr("{m:02d}:{s:02d} of {t} min").format(m=seconds // 60, s=seconds % 60, t=target)
        over = seconds > target * 60
        if over:
            text = tr("{text} · over time").format(text=text)
        role = "timer-over" if over else "timer"
        if self.timer_label.property("role") != role:
            self.timer_label.setProperty("role", role)
            self.timer_label.style().unpolish(self.timer_label)
            self.timer_label.style().polish(self.timer_label)
        self.timer_label.setText(text)
        # "· over time" widens the timer: the title may need a row of its own now.
        self._arrange_top(own_row=self._top_width() > self.width())

    # -- actions on the board -------------------------------------------------------------
    def _run(self, call: Callable[[], object]) -> bool:
        if self.closed:
            return False  # a closed huddle's board is read-only: nothing is saved from it
        try:
            call()
        except (ServiceError, StoreError) as exc:  # kept: one message at a time, then a refresh
            if not self._telling:  # one refusal, one message: never a box per event
                self._telling = True
                try:
                    show_problem(self, readable(exc))
                finally:
                    self._telling = False
            self.refresh()  # what is on screen goes back to what is stored
            return False
        self.refresh()
        return True

    def _person_width(self) -> int:
        width = self.people_list.viewport().width() - 4
        return max(160, width // 2 if width >= 400 else width)

    def _toggle_person(self, item: QListWidgetItem) -> None:
        """The whole row toggles: a tap on the name, not only on the small box."""
        if item.data(Qt.ItemDataRole.UserRole) is None:
            return
        checked = item.checkState() == Qt.CheckState.Checked
        item.setCheckState(Qt.CheckState.Unchecked if checked else Qt.CheckState.Checked)

    def _person_toggled(self, item: QListWidgetItem) -> None:
        if self._updating or self.closed or self.state is None:
            return
        pid = int(item.data(Qt.ItemDataRole.UserRole))
        present = item.checkState() == Qt.CheckState.Checked
        if present == (pid in self.state.present_ids):
            return  # the row changed, not the person's attendance
        self._run(lambda: huddles.set_present(self.db, self.actor, self.huddle_id, pid, present))

    def _set_count(self) -> None:
        profession = str(self.count_profession.currentData())
        count = self.count_spin.value()
        self._run(
            lambda: huddles.set_head_count(self.db, self.actor, self.huddle_id, profession, count)
        )

    def _reflect(self, key: str, on: bool) -> None:
        self._run(lambda: huddles.set_reflection(self.db, self.actor, self.huddle_id, key, on))

    def _report(self) -> None:
        self.report_requested.emit()  # the dialog is modal: it is closed when this returns
        self.refresh()

    def set_board_mode(self, on: bool) -> None:
        """Full screen, no navigation, no idle lock: for the wall screen. Esc leaves it."""
        self.board_mode_button.setText(
            tr("Leave full screen (Esc)") if on else tr("Full screen (F11)")
        )
        self.board_mode_button.setAccessibleName(self.board_mode_button.text())
        self.leave_shortcut.setEnabled(on)
        # While on the wall, every dialog that closes gives the keyboard back (eventFilter).
        app = QApplication.instance()
        if app is not None:
            if on:
                app.installEventFilter(self)
            else:
                app.removeEventFilter(self)
        for hint in self.hints:
            hint.setVisible(not on)
        self.board_mode_changed.emit(on)

    def _take_back_keyboard(self) -> None:
        """Give the keyboard back to the board's window (a dialog over it has closed)."""
        if self.board_mode_button.isChecked() and self.isVisible():
            window = self.window()
            if QApplication.activeModalWidget() is None:
                window.activateWindow()

    def close_huddle(self) -> None:
        if self.state is None:
            return
        for inp in self.inputs.values():
            if inp.edit.text().strip():
                show_problem(
                    self,
                    tr("Some text is typed but not added yet: add it or clear it before closing."),
                )
                inp.edit.setFocus()
                return
        warnings = huddles.closing_warnings(self.state)
        message = tr("Close this huddle now?")
        if warnings:
            message = "\n".join(warnings) + "\n\n" + tr("Close it anyway?")
        answer = QMessageBox.question(self, tr("Close huddle"), message)
        if answer != QMessageBox.StandardButton.Yes:
            return
        if self._run(lambda: huddles.close_huddle(self.db, self.actor, self.huddle_id)):
            self.closed = True
            self.clock.stop()
            self.poll.stop()
            if self.board_mode_button.isChecked():
                self.board_mode_button.setChecked(False)
            self.on_closed(self.huddle_id)
