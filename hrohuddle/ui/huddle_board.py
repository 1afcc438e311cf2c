"""The safety huddle board: one person drives it, a standing group reads it from two metres."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QDate, QSize, Qt, QTimer
from PySide6.QtGui import QHideEvent, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from hrohuddle.services import drafts, huddles, people
from hrohuddle.services.errors import IdentifierWarning, ServiceError
from hrohuddle.services.permissions import Actor
from hrohuddle.services.vocabulary import taxonomy, unit_vocabulary
from hrohuddle.store.database import Database
from hrohuddle.store.errors import StoreError
from hrohuddle.ui.common import poke_draft_timer, show_problem, tr

if TYPE_CHECKING:
    from hrohuddle.ui.main_window import MainWindow

log = logging.getLogger(__name__)

DRAFT_KIND = "huddle_input"
DRAFT_DELAY_MS = 700
REFRESH_MS = 15_000

# Board type: 22 px body and 32 px headings at least (DESIGN.md), 7:1 contrast.
BOARD_STYLE = """
QWidget#board { background: #FFFFFF; }
QWidget#board QLabel, QWidget#board QListWidget, QWidget#board QLineEdit,
QWidget#board QComboBox, QWidget#board QPushButton, QWidget#board QCheckBox,
QWidget#board QSpinBox { font-size: 22px; color: #111111; }
QWidget#board QLabel[role="board-title"] { font-size: 34px; font-weight: 700; }
QWidget#board QLabel[role="section"] { font-size: 32px; font-weight: 700; color: #0B2A4A; }
QWidget#board QLabel[role="timer"] { font-size: 40px; font-weight: 700; }
QWidget#board QLabel[role="timer-over"] { font-size: 40px; font-weight: 700; color: #8A4B00; }
QWidget#board QLabel[role="hint"] { font-size: 22px; color: #333333; }
QWidget#board QFrame[role="panel"] { border: 2px solid #9AA5B1; border-radius: 10px;
  background: #F8FAFC; }
QWidget#board QListWidget { background: #FFFFFF; border: 1px solid #9AA5B1; }
QWidget#board QListWidget::item { padding: 8px; border-bottom: 1px solid #E5E7EB; }
QWidget#board QListWidget::item:selected { background: #DCEBFA; color: #111111; }
QWidget#board QPushButton { min-height: 48px; min-width: 48px; padding: 4px 12px; }
QWidget#board QPushButton[primary="true"] { color: #FFFFFF; background: #0B4F8A;
  border-color: #0B4F8A; font-weight: 700; }
QWidget#board QPushButton:checked { background: #FDE7C2; border: 3px solid #8A4B00; }
QWidget#board QLineEdit, QWidget#board QComboBox, QWidget#board QSpinBox { min-height: 48px; }
QWidget#board QCheckBox::indicator, QWidget#board QListWidget::indicator {
  width: 30px; height: 30px; }
"""


def _board_label(text: str, role: str) -> QLabel:
    label = QLabel(text)
    label.setProperty("role", role)
    label.setWordWrap(True)
    label.setAccessibleName(text)
    return label


def _big_button(text: str, primary: bool = False) -> QPushButton:
    b = QPushButton(text)
    b.setAccessibleName(text.replace("&", ""))
    if primary:
        b.setProperty("primary", True)
    b.setMinimumHeight(48)
    return b


class Panel(QFrame):
    """One section of the board: a heading, a hint, its content."""

    def __init__(self, title: str, hint: str = "") -> None:
        super().__init__()
        self.setProperty("role", "panel")
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(16, 12, 16, 16)
        self.layout_.setSpacing(8)
        heading = _board_label(title, "section")
        self.layout_.addWidget(heading)
        if hint:
            self.layout_.addWidget(_board_label(hint, "hint"))
        self.setAccessibleName(title)

    def add(self, widget: QWidget, stretch: int = 0) -> None:
        self.layout_.addWidget(widget, stretch)


def _list(name: str) -> QListWidget:
    lst = QListWidget()
    lst.setAccessibleName(name)
    lst.setWordWrap(True)
    lst.setMinimumHeight(150)
    lst.setVerticalScrollMode(QListWidget.ScrollMode.ScrollPerPixel)
    lst.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    lst.setTextElideMode(Qt.TextElideMode.ElideNone)
    return lst


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
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        self.category: QComboBox | None = None
        if categories:
            self.category = QComboBox()
            self.category.setAccessibleName(tr("Category"))
            for key, label in categories:
                self.category.addItem(label, key)
            column.addWidget(self.category)
        column.addLayout(row)
        self.principle: QComboBox | None = None
        if principles:
            self.principle = QComboBox()
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
        self.add_button = _big_button(tr("Add"))
        self.add_button.setAccessibleName(tr("Add to {section}").format(section=placeholder))
        self.add_button.clicked.connect(self.submit)
        row.addWidget(self.add_button)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(DRAFT_DELAY_MS)
        self.timer.timeout.connect(self.save_draft)
        self.edit.textEdited.connect(lambda _t: poke_draft_timer(self.timer))

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
        try:
            drafts.save(
                self.board.db,
                self.board.actor,
                DRAFT_KIND,
                self.draft_key,
                {"text": self.edit.text()},
            )
        except StoreError as exc:
            log.warning("draft not saved: %s", exc.message)

    def restore(self, payload: dict[str, Any] | None) -> None:
        if payload and payload.get("text"):
            self.edit.setText(str(payload["text"]))

    def submit(self) -> None:
        text = self.edit.text()
        category = self.category.currentData() if self.category else None
        principle = self.principle.currentData() if self.principle else None
        try:
            item = huddles.add_item(
                self.board.db,
                self.board.actor,
                self.board.huddle_id,
                self.section,
                text,
                category=category,
                hro_principle=principle,
            )
        except IdentifierWarning as exc:
            finding = exc.findings[0]
            self.edit.setFocus()
            self.edit.setSelection(finding.start, finding.end - finding.start)  # type: ignore[attr-defined]
            show_problem(
                self, exc.message + "\n\n" + tr("Marked: “{text}”").format(text=finding.text)
            )  # type: ignore[attr-defined]
            return
        except (ServiceError, StoreError) as exc:
            show_problem(self, exc.message)
            return
        self.timer.stop()
        self.edit.clear()
        drafts.discard(self.board.db, self.board.actor, DRAFT_KIND, self.draft_key)
        # Show the new item at once; the periodic refresh brings everyone else's changes.
        self.board.show_added(item)
        self.edit.setFocus()


class ActionDialog(QDialog):
    """Turn an item into an action: what, who, by when."""

    def __init__(
        self, parent: QWidget, title: str, team: list[people.PersonRow], owner_id: int | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("New action"))
        form = QFormLayout(self)
        self.title = QLineEdit(title)
        self.title.setAccessibleName(tr("What needs doing"))
        self.title.setMinimumWidth(480)
        self.owner = QComboBox()
        self.owner.setAccessibleName(tr("Owner"))
        self.owner.addItem(tr("Choose the owner"), None)
        for p in team:
            self.owner.addItem(p.display_name, p.id)
        if owner_id is not None:
            self.owner.setCurrentIndex(max(0, self.owner.findData(owner_id)))
        self.due = QDateEdit(QDate.currentDate().addDays(1))
        self.due.setCalendarPopup(True)
        self.due.setDisplayFormat("ddd d MMM yyyy")
        self.due.setAccessibleName(tr("Due date"))
        form.addRow(tr("What needs doing"), self.title)
        form.addRow(tr("Owner"), self.owner)
        form.addRow(tr("Due"), self.due)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(tr("Create action"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def due_date(self) -> dt.date:
        q = self.due.date()
        return dt.date(q.year(), q.month(), q.day())


class HuddleBoard(QWidget):
    """The running huddle. Every change is stored at once; typing is kept as drafts."""

    def __init__(
        self,
        db: Database,
        actor: Actor,
        huddle_id: int,
        on_closed: Callable[[int], None],
        window: MainWindow | None = None,
    ) -> None:
        super().__init__()
        self.db = db
        self.actor = actor
        self.huddle_id = huddle_id
        self.on_closed = on_closed
        self.main_window = window
        self.setObjectName("board")
        self.setStyleSheet(BOARD_STYLE)
        self.team = people.list_people(db, actor)
        self.vocab = unit_vocabulary()
        self.kinds = {t.key: t.label for t in taxonomy().terms("kinds")}
        self.categories = {t.key: t.label for t in taxonomy().terms("categories")}
        self.harms = {t.key: t.label for t in taxonomy().terms("harm")}
        self.professions = {t.key: t.label for t in self.vocab.terms("professions")}
        self.ahead_labels = {t.key: t.label for t in self.vocab.terms("look_ahead_categories")}
        self.principles = [(t.key, t.label) for t in self.vocab.terms("hro_principles")]
        self.state: huddles.Board | None = None
        self._updating = False
        self.closed = False
        self._stale = False
        self._build()
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
        self.clock.stop()
        self.poll.stop()
        self._stale = True

    # -- layout --------------------------------------------------------------------------
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 12, 16, 12)
        top = QHBoxLayout()
        self.title = _board_label("", "board-title")
        top.addWidget(self.title, 1)
        self.timer_label = _board_label("", "timer")
        self.timer_label.setAccessibleName(tr("Huddle timer"))
        top.addWidget(self.timer_label)
        report = _big_button(tr("Report event"))
        report.setToolTip(tr("Ctrl+Shift+E"))
        report.clicked.connect(self._report)
        top.addWidget(report)
        self.board_mode_button = _big_button(tr("Board mode (F11)"))
        self.board_mode_button.setCheckable(True)
        self.board_mode_button.toggled.connect(self.set_board_mode)
        top.addWidget(self.board_mode_button)
        self.close_button = _big_button(tr("Close huddle…"), primary=True)
        self.close_button.clicked.connect(self.close_huddle)
        top.addWidget(self.close_button)
        outer.addLayout(top)
        QShortcut(QKeySequence("F11"), self, activated=self.board_mode_button.toggle)

        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        body = QWidget()
        body.setObjectName("board")
        grid = QGridLayout(body)
        grid.setSpacing(14)
        scroll.setWidget(body)
        outer.addWidget(scroll, 1)
        self.inputs: dict[str, ItemInput] = {}
        self.lists: dict[str, QListWidget] = {}

        sections = {t.key: t for t in self.vocab.terms("huddle_sections")}

        # Look back
        back = Panel(sections["look_back"].label, sections["look_back"].get("help", ""))
        self.lists["look_back"] = _list(tr("Look back items"))
        back.add(self.lists["look_back"], 1)
        self.inputs["look_back"] = ItemInput(
            self, "look_back", tr("Add a concern from the last 24 hours")
        )
        back.add(self.inputs["look_back"])
        back.add(self._item_buttons("look_back"))
        grid.addWidget(back, 0, 0)

        # Look ahead
        ahead = Panel(sections["look_ahead"].label, sections["look_ahead"].get("help", ""))
        self.lists["look_ahead"] = _list(tr("Look ahead items"))
        ahead.add(self.lists["look_ahead"], 1)
        self.inputs["look_ahead"] = ItemInput(
            self,
            "look_ahead",
            tr("Add a risk for the next 24 hours"),
            categories=list(self.ahead_labels.items()),
        )
        ahead.add(self.inputs["look_ahead"])
        ahead.add(self._item_buttons("look_ahead"))
        grid.addWidget(ahead, 0, 1)

        # Follow up
        follow = Panel(sections["follow_up"].label, sections["follow_up"].get("help", ""))
        self.follow_list = _list(tr("Open actions, oldest first"))
        follow.add(self.follow_list, 1)
        row = QGridLayout()
        for n, (text, slot) in enumerate(
            (
                (tr("Close"), self.close_action),
                (tr("Reassign…"), self.reassign),
                (tr("Due date…"), self.change_due),
                (tr("Escalate…"), self.escalate),
            )
        ):
            b = _big_button(text)
            b.setAccessibleName(tr("{what} the chosen action").format(what=text.rstrip("…")))
            b.clicked.connect(slot)
            row.addWidget(b, n // 2, n % 2)
        holder = QWidget()
        holder.setLayout(row)
        follow.add(holder)
        grid.addWidget(follow, 0, 2)

        # Teach and recognise
        teach = Panel(sections["teach"].label, sections["teach"].get("help", ""))
        self.lists["teach"] = _list(tr("Teaching point"))
        self.lists["teach"].setMinimumHeight(60)
        self.lists["teach"].setMaximumHeight(110)
        teach.add(self.lists["teach"])
        self.inputs["teach"] = ItemInput(
            self, "teach", tr("Today's teaching point"), principles=self.principles
        )
        assert self.inputs["teach"].principle is not None
        teach.add(self.inputs["teach"].principle)
        teach.add(self.inputs["teach"])
        rec_title = _board_label(sections["recognise"].label, "section")
        teach.add(rec_title)
        self.lists["recognise"] = _list(tr("Good catches and shout-outs"))
        teach.add(self.lists["recognise"], 1)
        self.inputs["recognise"] = ItemInput(self, "recognise", tr("Add a shout-out"))
        teach.add(self.inputs["recognise"])
        grid.addWidget(teach, 1, 0)

        # Attendance
        att = Panel(tr("Attendance"), tr("Tap the people here; count others by profession."))
        self.people_list = _list(tr("People present"))
        self.people_list.itemChanged.connect(self._person_toggled)
        att.add(self.people_list, 1)
        count_row = QHBoxLayout()
        self.count_profession = QComboBox()
        self.count_profession.setAccessibleName(tr("Profession of people without an account"))
        for key, label in self.professions.items():
            self.count_profession.addItem(label, key)
        self.count_spin = QSpinBox()
        self.count_spin.setRange(0, 50)
        self.count_spin.setAccessibleName(tr("How many"))
        set_count = _big_button(tr("Set count"))
        set_count.clicked.connect(self._set_count)
        count_row.addWidget(self.count_profession, 1)
        count_row.addWidget(self.count_spin)
        count_row.addWidget(set_count)
        holder2 = QWidget()
        holder2.setLayout(count_row)
        att.add(holder2)
        self.mix_label = _board_label("", "hint")
        self.mix_label.setAccessibleName(tr("Profession mix"))
        att.add(self.mix_label)
        grid.addWidget(att, 1, 1)

        # HRO reflection
        refl = Panel(tr("HRO reflection"), tr("Optional: did today's huddle touch each principle?"))
        self.reflection: dict[str, QCheckBox] = {}
        for key, label in self.principles:
            box = QCheckBox(label)
            box.setAccessibleName(tr("Touched: {p}").format(p=label))
            box.toggled.connect(lambda on, k=key: self._reflect(k, on))
            self.reflection[key] = box
            refl.add(box)
        refl.layout_.addStretch(1)
        grid.addWidget(refl, 1, 2)
        for col in range(3):
            grid.setColumnStretch(col, 1)

    def _item_buttons(self, section: str) -> QWidget:
        holder = QWidget()
        row = QHBoxLayout(holder)
        row.setContentsMargins(0, 0, 0, 0)
        make = _big_button(tr("Make action…"))
        make.setAccessibleName(tr("Make the chosen item an action"))
        make.clicked.connect(lambda: self.make_action(section))
        remove = _big_button(tr("Remove"))
        remove.setAccessibleName(tr("Remove the chosen item"))
        remove.clicked.connect(lambda: self.remove_item(section))
        row.addWidget(make)
        row.addWidget(remove)
        row.addStretch(1)
        return holder

    # -- data ----------------------------------------------------------------------------
    def refresh(self) -> None:
        try:
            state = huddles.board(self.db, self.actor, self.huddle_id)
        except (ServiceError, StoreError) as exc:
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
            tr("{shift} · {date}").format(shift=shift, date=f"{b.huddle.huddle_date:%a %d %b}")
        )
        self._keep_selection(self.lists["look_back"], lambda lst: self._fill_look_back(lst, b))
        for section in ("look_ahead", "teach"):
            self._keep_selection(
                self.lists[section], lambda lst, sec=section: self._fill_items(lst, b.items[sec])
            )
        self._keep_selection(self.lists["recognise"], lambda lst: self._fill_recognise(lst, b))
        self._keep_selection(self.follow_list, lambda lst: self._fill_actions(lst, b))
        self._fill_people(b)
        for key, box in self.reflection.items():
            box.blockSignals(True)
            box.setChecked(bool(b.reflection.get(key)))
            box.blockSignals(False)
        self.inputs["teach"].setEnabled(not b.items["teach"])

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

    def _fill_look_back(self, lst: QListWidget, b: huddles.Board) -> None:
        for e in b.look_back_events:
            harm = f" · {self.harms.get(e.harm, e.harm)}" if e.harm else ""
            when = e.occurred_at.replace(tzinfo=dt.UTC).astimezone().strftime("%H:%M")
            self._add(
                lst,
                f"REPORT {when} · {self.kinds.get(e.kind, e.kind)} · "
                f"{self.categories.get(e.category, e.category)}{harm}\n{e.summary}",
                ("event", e.id),
            )
        for it in b.items["look_back"]:
            self._add(lst, self._item_text(it), ("item", it.id))
        if lst.count() == 0:
            placeholder = self._add(lst, tr("No reports since the last huddle."), None)
            placeholder.setFlags(Qt.ItemFlag.NoItemFlags)

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
            self.inputs["teach"].setEnabled(False)

    def _item_text(self, it: huddles.ItemRow) -> str:
        prefix = ""
        if it.category:
            prefix = self.ahead_labels.get(it.category, it.category).upper() + " · "
        suffix = f"   [ACTION #{it.action_id}]" if it.action_id else ""
        principle = ""
        if it.hro_principle:
            principle = f"\n({dict(self.principles).get(it.hro_principle, it.hro_principle)})"
        by = f" — {it.author}" if it.author and it.section in ("teach", "recognise") else ""
        return f"{prefix}{it.text}{by}{suffix}{principle}"

    def _fill_items(self, lst: QListWidget, items: list[huddles.ItemRow]) -> None:
        for it in items:
            self._add(lst, self._item_text(it), ("item", it.id))

    def _fill_recognise(self, lst: QListWidget, b: huddles.Board) -> None:
        for e in b.good_catches:
            self._add(lst, f"GOOD CATCH · {e.summary}", ("event", e.id))
        for it in b.items["recognise"]:
            self._add(lst, self._item_text(it), ("item", it.id))

    def _fill_actions(self, lst: QListWidget, b: huddles.Board) -> None:
        # The version each action had when shown: a later save by someone else is refused.
        self.action_versions = {a.id: a.version for a in b.follow_ups}
        for a in b.follow_ups:
            flags = []
            if a.overdue(b.today):
                flags.append("⚠ OVERDUE")
            if a.escalated:
                flags.append("ESCALATED")
            due = f"due {a.due_on:%a %d %b}" if a.due_on else "no due date"
            head = (" · ".join(flags) + " · ") if flags else ""
            item = self._add(
                lst,
                f"{head}{a.title}\n{a.owner or 'no owner'} · {due} · "
                f"{a.age_days(b.today)} days old",
                ("action", a.id),
            )
            if a.overdue(b.today):
                item.setForeground(Qt.GlobalColor.darkRed)
        if not b.follow_ups:
            placeholder = self._add(lst, tr("No open actions."), None)
            placeholder.setFlags(Qt.ItemFlag.NoItemFlags)

    def _fill_people(self, b: huddles.Board) -> None:
        present = b.present_ids
        scroll = self.people_list.verticalScrollBar().value()
        self.people_list.blockSignals(True)
        self.people_list.clear()
        for p in self.team:
            item = QListWidgetItem(
                f"{p.display_name} · {self.professions.get(p.profession, p.profession)}"
            )
            item.setData(Qt.ItemDataRole.UserRole, p.id)
            item.setFlags(
                Qt.ItemFlag.ItemIsEnabled
                | Qt.ItemFlag.ItemIsUserCheckable
                | Qt.ItemFlag.ItemIsSelectable
            )
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
        self.mix_label.setText(tr("{n} present: {mix}").format(n=b.head_count, mix=mix))

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

    # -- actions on the board -------------------------------------------------------------
    def _run(self, call: Callable[[], object]) -> bool:
        try:
            call()
        except (ServiceError, StoreError) as exc:
            show_problem(self, exc.message)
            return False
        self.refresh()
        return True

    def _person_toggled(self, item: QListWidgetItem) -> None:
        if self._updating:
            return
        pid = int(item.data(Qt.ItemDataRole.UserRole))
        present = item.checkState() == Qt.CheckState.Checked
        self._run(lambda: huddles.set_present(self.db, self.actor, self.huddle_id, pid, present))

    def _set_count(self) -> None:
        profession = str(self.count_profession.currentData())
        count = self.count_spin.value()
        self._run(
            lambda: huddles.set_head_count(self.db, self.actor, self.huddle_id, profession, count)
        )

    def _reflect(self, key: str, on: bool) -> None:
        self._run(lambda: huddles.set_reflection(self.db, self.actor, self.huddle_id, key, on))

    def _chosen(self, lst: QListWidget, kind: str) -> int | None:
        item = lst.currentItem()
        data = item.data(Qt.ItemDataRole.UserRole) if item else None
        if not data or data[0] != kind:
            return None
        return int(data[1])

    def make_action(self, section: str) -> None:
        lst = self.lists[section]
        item = lst.currentItem()
        data = item.data(Qt.ItemDataRole.UserRole) if item else None
        if not data:
            show_problem(self, tr("Choose an item in the list first."))
            return
        kind, key = data
        text = item.text().split("\n")[-1] if kind == "event" else item.text().split("   [")[0]
        dialog = ActionDialog(self, text, self.team)
        if not dialog.exec():
            return
        self._run(
            lambda: huddles.create_action(
                self.db,
                self.actor,
                dialog.title.text(),
                dialog.owner.currentData(),
                dialog.due_date(),
                huddle_id=self.huddle_id,
                item_id=key if kind == "item" else None,
                event_id=key if kind == "event" else None,
            )
        )

    def remove_item(self, section: str) -> None:
        item_id = self._chosen(self.lists[section], "item")
        if item_id is None:
            show_problem(self, tr("Choose an item you added by hand; reports stay on the board."))
            return
        self._run(lambda: huddles.remove_item(self.db, self.actor, item_id))

    def _chosen_action(self) -> int | None:
        action_id = self._chosen(self.follow_list, "action")
        if action_id is None:
            show_problem(self, tr("Choose an action in the Follow up list first."))
        return action_id

    def _seen(self, action_id: int) -> int | None:
        return getattr(self, "action_versions", {}).get(action_id)

    def close_action(self) -> None:
        action_id = self._chosen_action()
        if action_id is None:
            return
        seen = self._seen(action_id)
        note, ok = QInputDialog.getText(self, tr("Close action"), tr("What was done (optional)"))
        if ok:
            self._run(
                lambda: huddles.close_action(
                    self.db, self.actor, action_id, note, expected_version=seen
                )
            )

    def reassign(self) -> None:
        action_id = self._chosen_action()
        if action_id is None:
            return
        seen = self._seen(action_id)
        names = [p.display_name for p in self.team]
        name, ok = QInputDialog.getItem(self, tr("Reassign"), tr("New owner"), names, 0, False)
        if ok:
            pid = self.team[names.index(name)].id
            self._run(
                lambda: huddles.reassign_action(
                    self.db, self.actor, action_id, pid, expected_version=seen
                )
            )

    def change_due(self) -> None:
        action_id = self._chosen_action()
        if action_id is None:
            return
        seen = self._seen(action_id)
        dialog = QDialog(self)
        dialog.setWindowTitle(tr("Change the due date"))
        form = QFormLayout(dialog)
        edit = QDateEdit(QDate.currentDate().addDays(7))
        edit.setCalendarPopup(True)
        edit.setAccessibleName(tr("New due date"))
        form.addRow(tr("New due date"), edit)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(dialog.accept)
        buttons.rejected.connect(dialog.reject)
        form.addRow(buttons)
        if dialog.exec():
            q = edit.date()
            due = dt.date(q.year(), q.month(), q.day())
            self._run(
                lambda: huddles.change_due(
                    self.db, self.actor, action_id, due, expected_version=seen
                )
            )

    def escalate(self) -> None:
        action_id = self._chosen_action()
        if action_id is None:
            return
        seen = self._seen(action_id)
        reason, ok = QInputDialog.getMultiLineText(
            self, tr("Escalate to the manager"), tr("Why does this need the manager?")
        )
        if ok:
            self._run(
                lambda: huddles.escalate_action(
                    self.db, self.actor, action_id, reason, expected_version=seen
                )
            )

    def _report(self) -> None:
        if self.main_window is not None:
            self.main_window.report_event()
            self.refresh()

    def set_board_mode(self, on: bool) -> None:
        """Full screen, no navigation, no idle lock: for the wall screen."""
        window = self.main_window
        if window is None:
            return
        window.set_board_mode(on)

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


class HuddlePage(QWidget):
    """Start or resume the shift's huddle; read past ones."""

    def __init__(self, db: Database, actor: Actor, window: MainWindow | None = None) -> None:
        super().__init__()
        self.db = db
        self.actor = actor
        self.main_window = window
        self.stack = QStackedWidget()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)
        self.start_page = self._start_page()
        self.stack.addWidget(self.start_page)
        self.board: HuddleBoard | None = None
        running = huddles.open_huddle(db, actor.unit_id)
        if running is not None and actor.can("huddle.run"):
            self.show_board(running.id)
        else:
            self.reload_history()

    def _start_page(self) -> QWidget:
        page = QWidget()
        page.setObjectName("board")
        page.setStyleSheet(BOARD_STYLE)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(32, 24, 32, 24)
        layout.addWidget(_board_label(tr("Safety huddle"), "board-title"))
        local = dt.datetime.now()
        _day, shift = huddles.shift_for(local)
        self.start_button = _big_button(
            tr("Start the {shift}-shift huddle").format(shift=shift), primary=True
        )
        self.start_button.setMinimumHeight(72)
        self.start_button.clicked.connect(self.start)
        self.start_button.setVisible(self.actor.can("huddle.run"))
        layout.addWidget(self.start_button)
        self.summary = _board_label("", "hint")
        layout.addWidget(self.summary)
        layout.addWidget(_board_label(tr("Past huddles"), "section"))
        search_row = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setPlaceholderText(tr("Search past huddles' items"))
        self.search.setAccessibleName(tr("Search past huddles"))
        self.search.returnPressed.connect(self.reload_history)
        go = _big_button(tr("Search"))
        go.clicked.connect(self.reload_history)
        search_row.addWidget(self.search, 1)
        search_row.addWidget(go)
        layout.addLayout(search_row)
        self.history = _list(tr("Past huddles"))
        self.history.itemActivated.connect(self._open_history)
        layout.addWidget(self.history, 1)
        row = QHBoxLayout()
        open_button = _big_button(tr("Show summary"))
        open_button.clicked.connect(lambda: self._open_history(self.history.currentItem()))
        self.pdf_button = _big_button(tr("Save summary PDF…"))
        self.pdf_button.clicked.connect(self.save_pdf)
        print_button = _big_button(tr("Print summary…"))
        print_button.clicked.connect(self.print_summary)
        row.addWidget(open_button)
        row.addWidget(self.pdf_button)
        row.addWidget(print_button)
        row.addStretch(1)
        layout.addLayout(row)
        return page

    def reload_history(self) -> None:
        self.history.clear()
        try:
            rows = huddles.history(self.db, self.actor, search=self.search.text())
        except (ServiceError, StoreError) as exc:
            show_problem(self, exc.message)
            return
        for r in rows:
            state = tr("open") if r.status == "open" else tr("closed")
            minutes = ""
            if r.ended_at:
                minutes = f" · {round((r.ended_at - r.started_at).total_seconds() / 60)} min"
            item = QListWidgetItem(
                f"{r.huddle_date:%a %d %b %Y} · {r.shift} · {state}{minutes} · "
                f"{r.attendance} present · {r.items} items · led by {r.led_by or '—'}"
            )
            item.setData(Qt.ItemDataRole.UserRole, r.id)
            self.history.addItem(item)
        if not rows:
            self.history.addItem(tr("No huddles found."))

    def start(self) -> None:
        try:
            row = huddles.start_or_resume(self.db, self.actor)
        except (ServiceError, StoreError) as exc:
            show_problem(self, exc.message)
            return
        self.show_board(row.id)

    def show_board(self, huddle_id: int) -> None:
        if self.board is not None:
            self.stack.removeWidget(self.board)
            self.board.deleteLater()
        self.board = HuddleBoard(self.db, self.actor, huddle_id, self.closed, self.main_window)
        self.stack.addWidget(self.board)
        self.stack.setCurrentWidget(self.board)

    def closed(self, huddle_id: int) -> None:
        self.summary.setText(self._summary_text(huddle_id))
        self.reload_history()
        self.stack.setCurrentWidget(self.start_page)

    def _summary_text(self, huddle_id: int) -> str:
        b = huddles.board(self.db, self.actor, huddle_id)
        minutes = 0
        if b.huddle.ended_at:
            minutes = round((b.huddle.ended_at - b.huddle.started_at).total_seconds() / 60)
        touched = sum(1 for v in b.reflection.values() if v)
        return tr(
            "Huddle of {date} ({shift}) closed after {m} min: {n} present, {lb} looked back, "
            "{la} looked ahead, {fu} open actions, {rec} recognised, HRO principles touched "
            "{t} of 5."
        ).format(
            date=f"{b.huddle.huddle_date:%d %b}",
            shift=b.huddle.shift,
            m=minutes,
            n=b.head_count,
            lb=len(b.items["look_back"]),
            la=len(b.items["look_ahead"]),
            fu=len(b.follow_ups),
            rec=len(b.items["recognise"]),
            t=touched,
        )

    def _open_history(self, item: QListWidgetItem | None) -> None:
        if item is None or item.data(Qt.ItemDataRole.UserRole) is None:
            return
        huddle_id = int(item.data(Qt.ItemDataRole.UserRole))
        self.summary.setText(self._summary_text(huddle_id))

    def print_summary(self) -> None:
        """Preview the one-page summary, with a Print button (Qt's print dialog)."""
        item = self.history.currentItem()
        if item is None or item.data(Qt.ItemDataRole.UserRole) is None:
            show_problem(self, tr("Choose a huddle in the list first."))
            return
        import tempfile
        from pathlib import Path

        from hrohuddle.reports import huddle_summary
        from hrohuddle.ui.dashboard import PreviewDialog

        huddle_id = int(item.data(Qt.ItemDataRole.UserRole))
        path = Path(tempfile.mkdtemp(prefix="hrohuddle-huddle-")) / f"huddle-{huddle_id}.pdf"
        try:
            huddle_summary.write(self.db, self.actor, huddle_id, path)
        except (ServiceError, StoreError) as exc:
            show_problem(self, exc.message)
            return
        dialog = PreviewDialog(self.db, self.actor, path, self)
        dialog.setWindowTitle(tr("Huddle summary"))
        dialog.exec()

    def save_pdf(self) -> None:
        item = self.history.currentItem()
        if item is None or item.data(Qt.ItemDataRole.UserRole) is None:
            show_problem(self, tr("Choose a huddle in the list first."))
            return
        huddle_id = int(item.data(Qt.ItemDataRole.UserRole))
        path, _ = QFileDialog.getSaveFileName(
            self, tr("Save huddle summary"), f"huddle-{huddle_id}.pdf", "PDF (*.pdf)"
        )
        if not path:
            return
        from pathlib import Path

        from hrohuddle.reports import huddle_summary

        try:
            huddle_summary.write(self.db, self.actor, huddle_id, Path(path))
        except (ServiceError, StoreError) as exc:
            show_problem(self, exc.message)
        except OSError as exc:
            show_problem(self, tr("The PDF could not be written: {why}.").format(why=exc.strerror))
