"""The two dialogs of escalation: sending an item up from the unit's huddle (the criteria
that make it the department's business, the reason, what is needed and by when), and a
tier's answer (accepted with an owner, declined with a reason, resolved, or escalated
further)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from PySide6.QtCore import QDate, QTimer
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from hrohuddle.services import dates, drafts, escalations
from hrohuddle.services.errors import EditConflict, ServiceError
from hrohuddle.services.permissions import Actor
from hrohuddle.store.database import Database
from hrohuddle.store.errors import StoreError
from hrohuddle.ui.actions import _SavingDialog
from hrohuddle.ui.board_widgets import text_scale
from hrohuddle.ui.common import (
    date_edit,
    fit_to_screen,
    plain,
    poke_draft_timer,
    readable,
    tr,
)

log = logging.getLogger(__name__)

#: What is being typed in the Escalate dialog is kept under this kind of draft, keyed by
#: the huddle item or the action it is about ("item:12", "action:7").
DRAFT_KIND = "escalation"


def draft_key(*, item_id: int | None = None, action_id: int | None = None) -> str:
    return f"item:{item_id}" if item_id is not None else f"action:{action_id}"


def _text_box(name: str, placeholder: str) -> QPlainTextEdit:
    box = QPlainTextEdit()
    box.setAccessibleName(name)
    box.setPlaceholderText(placeholder)
    box.setTabChangesFocus(True)  # Tab moves on, as in every other field
    box.setMinimumHeight(72)
    box.setMaximumHeight(120)
    return box


def _same_type(box: QPlainTextEdit, like: QWidget) -> None:
    """The box reads in the same type as the one-line fields beside it (a board's style
    sheet sizes those, not a text box)."""
    like.ensurePolished()
    box.setFont(like.font())


class EscalateDialog(_SavingDialog):
    """Send an item or an action to the unit's department."""

    def __init__(
        self,
        parent: QWidget,
        title: str,
        department: str | None = None,
        *,
        needed_by: dt.date | None = None,
    ) -> None:
        super().__init__(parent)
        where = department or tr("the department")
        self.setWindowTitle(tr("Escalate to {where}").format(where=where))
        form = QFormLayout(self)
        intro = plain(
            QLabel(
                tr(
                    "{where} sees this on its board and answers; the answer comes back to "
                    "this unit's next huddle. No patient identifiers."
                ).format(where=where)
            )
        )
        intro.setWordWrap(True)
        form.addRow(intro)
        self.title = QLineEdit(title)
        self.title.setAccessibleName(tr("What is being escalated"))
        self.title.setMinimumWidth(520)
        form.addRow(tr("What"), self.title)
        self.criteria_box = QGroupBox(tr("Why it is the department's business (at least one)"))
        self.criteria_box.setAccessibleName(self.criteria_box.title())
        column = QVBoxLayout(self.criteria_box)
        self.criteria: dict[str, QCheckBox] = {}
        for key, label in escalations.criteria().items():
            box = QCheckBox(label)
            box.setAccessibleName(label)
            box.setMinimumHeight(36)
            self.criteria[key] = box
            column.addWidget(box)
        form.addRow(self.criteria_box)
        self.reason = _text_box(
            tr("The reason for escalating"), tr("What is happening and why the unit needs help")
        )
        form.addRow(tr("Reason"), self.reason)
        self.needed = QLineEdit()
        self.needed.setAccessibleName(tr("What is needed"))
        self.needed.setPlaceholderText(tr("For example: two nurses from the float pool"))
        form.addRow(tr("What is needed"), self.needed)
        self.has_date = QCheckBox(tr("Needed by"))
        self.has_date.setAccessibleName(tr("There is a date it is needed by"))
        # By the department's next meeting, unless another day is chosen.
        default = QDate(needed_by.year, needed_by.month, needed_by.day) if needed_by else None
        self.needed_by = date_edit(default or QDate.currentDate().addDays(1))
        self.needed_by.setAccessibleName(tr("Needed by"))
        self.needed_by.setEnabled(False)
        self.has_date.toggled.connect(self.needed_by.setEnabled)
        form.addRow(self.has_date, self.needed_by)
        form.addRow(self.problem)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(tr("Escalate"))
        ok.setAccessibleName(tr("Escalate to {where}").format(where=where))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        wall_type(self, parent)
        _same_type(self.reason, self.title)
        fit_to_screen(self, 560)
        self.draft: tuple[Database, Actor, str] | None = None
        self.draft_timer = QTimer(self)
        self.draft_timer.setSingleShot(True)
        self.draft_timer.timeout.connect(self.save_draft)

    # -- the draft: what was typed survives a crash, a lock or a closed dialog ----------
    def keep_drafts(self, db: Database, actor: Actor, key: str) -> None:
        """Restore what was typed last time for ``key`` and keep saving it while typing."""
        self.draft = (db, actor, key)
        try:
            kept = drafts.load(db, actor, DRAFT_KIND, key)
        except StoreError as exc:
            log.warning("escalation draft not read: %s", exc.message)
            kept = None
        if kept:
            self.title.setText(str(kept.get("title") or self.title.text()))
            self.reason.setPlainText(str(kept.get("reason") or ""))
            self.needed.setText(str(kept.get("needed") or ""))
            for key_, box in self.criteria.items():
                box.setChecked(key_ in (kept.get("criteria") or []))
            if kept.get("needed_by"):
                day = dt.date.fromisoformat(str(kept["needed_by"]))
                self.has_date.setChecked(True)
                self.needed_by.setDate(QDate(day.year, day.month, day.day))
        for signal in (
            self.title.textEdited,
            self.reason.textChanged,
            self.needed.textEdited,
            self.has_date.toggled,
            self.needed_by.dateChanged,
        ):
            signal.connect(lambda *_: poke_draft_timer(self.draft_timer))
        for box in self.criteria.values():
            box.toggled.connect(lambda *_: poke_draft_timer(self.draft_timer))

    def draft_payload(self) -> dict[str, object]:
        due = self.due()
        return {
            "title": self.title.text(),
            "reason": self.reason.toPlainText(),
            "needed": self.needed.text(),
            "criteria": self.chosen(),
            "needed_by": due.isoformat() if due else None,
        }

    def save_draft(self) -> None:
        if self.draft is None:
            return
        self.draft_timer.stop()
        db, actor, key = self.draft
        payload = self.draft_payload()
        if not any((payload["reason"], payload["needed"], payload["criteria"])):
            payload = {}  # nothing typed beyond the item's own words
        try:
            drafts.save(db, actor, DRAFT_KIND, key, payload)
        except StoreError as exc:
            log.warning("escalation draft not saved: %s", exc.message)

    def accept(self) -> None:
        super().accept()
        if self.draft is not None and self.result():
            self.draft_timer.stop()
            db, actor, key = self.draft
            try:
                drafts.discard(db, actor, DRAFT_KIND, key)
            except StoreError as exc:
                log.warning("escalation draft not cleared: %s", exc.message)

    def reject(self) -> None:
        if self.draft_timer.isActive():
            self.save_draft()  # closed without sending: kept for next time
        super().reject()

    def field_for(self, field: str | None) -> QWidget:
        return {
            "criteria": next(iter(self.criteria.values()), self.criteria_box),
            "reason": self.reason,
            "needed": self.needed,
            "needed_by": self.needed_by,
        }.get(field or "", self.title)

    def chosen(self) -> list[str]:
        return [key for key, box in self.criteria.items() if box.isChecked()]

    def due(self) -> dt.date | None:
        if not self.has_date.isChecked():
            return None
        q = self.needed_by.date()
        return dt.date(q.year(), q.month(), q.day())


#: A mark per answer that says what it is, always beside its words (never colour alone):
#: accepted is taken on, resolved is done, declined is refused, escalated went up.
OUTCOME_MARKS = {
    "open": "○",
    "accepted": "✓",
    "resolved": "☑",
    "declined": "✗",
    "escalated": "↑",
}


def outcome_mark(status: str) -> str:
    return OUTCOME_MARKS.get(status, "•")


def describe(row: escalations.EscalationRow) -> str:
    """An escalation in full, as the answer dialog and screen readers read it."""
    lines = [f"{row.unit_code} · {row.title}", row.raised_words]
    if row.came_from and row.sent_on_why:
        lines.append(
            tr("Why {tier} sent it on: {text}").format(tier=row.came_from, text=row.sent_on_why)
        )
    if row.criteria:
        lines.append(tr("Criteria: {list}").format(list="; ".join(row.criteria)))
    lines.append(tr("Reason: {text}").format(text=row.reason))
    if row.needed:
        lines.append(tr("Needed: {text}").format(text=row.needed))
    if row.needed_by:
        lines.append(tr("Needed by: {day}").format(day=dates.day(row.needed_by)))
    if row.raised_by:
        lines.append(tr("Raised by {who}").format(who=row.raised_by))
    if row.is_accepted:
        lines.append(f"{outcome_mark(row.status)} {row.follow_up_words}")
        if row.answer:
            lines.append(row.answer)
    if row.waiting_words:
        lines.append("⚠ " + row.waiting_words)
    return "\n".join(lines)


class AnswerDialog(_SavingDialog):
    """A tier's answer to one escalation; ``follow_up`` for an accepted one, which takes
    one answer more: resolved, with what was done."""

    def __init__(
        self,
        parent: QWidget,
        row: escalations.EscalationRow,
        can_go_up: bool,
        *,
        follow_up: bool = False,
    ) -> None:
        super().__init__(parent)
        self.row = row
        #: The version the answer is sent against (taken anew after a conflict).
        self.version = row.version
        #: Reads the escalation again after someone else answered it first (the board's).
        self.reread: Callable[[], escalations.EscalationRow | None] | None = None
        self.setWindowTitle(
            tr("Record the follow-up") if follow_up else tr("Answer the escalation")
        )
        self.form = form = QFormLayout(self)
        self.about = about = plain(QLabel(describe(row)))
        about.setWordWrap(True)
        about.setAccessibleName(describe(row))
        form.addRow(about)
        self.choice = QButtonGroup(self)
        self.group = group = QGroupBox(tr("Answer"))
        column = QVBoxLayout(group)
        column.setSpacing(8)
        self.outcomes: dict[str, QRadioButton] = {}
        helps = escalations.outcome_help()
        for key, label in escalations.outcome_words().items():
            if key == "escalated" and not can_go_up:
                continue
            button = QRadioButton(f"{label}: {helps.get(key, '')}".rstrip(": "))
            button.setAccessibleName(label)
            button.setMinimumHeight(44)
            self.outcomes[key] = button
            self.choice.addButton(button)
            column.addWidget(button)
            button.toggled.connect(self._follow)
        form.addRow(group)
        self.text = _text_box(
            tr("The answer"), tr("What the unit will read: the reason, what was done, what next")
        )
        form.addRow(tr("Answer"), self.text)
        self.owner = QLineEdit()
        self.owner.setAccessibleName(tr("Who owns it"))
        self.owner.setPlaceholderText(tr("A name or a role: who takes it on"))
        form.addRow(tr("Owner"), self.owner)
        form.addRow(self.problem)
        self.buttons = buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.send = ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(tr("Send the answer"))
        ok.setAccessibleName(tr("Send the answer to the unit"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.outcomes["accepted"].setChecked(True)
        if follow_up:
            self.only_resolved()
        self._follow()
        wall_type(self, parent)
        _same_type(self.text, self.owner)
        fit_to_screen(self, 560)

    def only_resolved(self) -> None:
        """An accepted escalation: resolved is the one answer it still takes."""
        for key, button in self.outcomes.items():
            button.setVisible(key == "resolved")
        self.outcomes["resolved"].setChecked(True)
        self.group.setTitle(tr("Its follow-up"))
        self.text.setPlaceholderText(tr("What was done: the unit reads it on its board"))
        self.send.setText(tr("Mark it resolved"))
        self.send.setAccessibleName(tr("Mark it resolved and tell the unit"))
        self._follow()

    def _follow(self) -> None:
        # Who owns it is asked only of an accepted one.
        self.form.setRowVisible(self.owner, self.outcome() == "accepted")

    def outcome(self) -> str:
        return next((k for k, b in self.outcomes.items() if b.isChecked()), "accepted")

    def field_for(self, field: str | None) -> QWidget:
        return {"owner": self.owner, "text": self.text}.get(field or "", self.text)

    def accept(self) -> None:
        save = self.save
        if save is not None:
            try:
                save()
            except EditConflict:
                self.answered_first()
                return
            except (ServiceError, StoreError) as exc:
                self.problem.setText(readable(exc))
                self.problem.setVisible(True)
                self.field_for(getattr(exc, "field", None)).setFocus()
                self.adjustSize()  # the message takes room of its own, not the answers'
                return
        QDialog.accept(self)

    def answered_first(self) -> None:
        """Someone else answered while this was open: say what they answered and what is
        left to do (an open escalation takes one answer; an accepted one, its follow-up)."""
        now = self.reread() if self.reread is not None else None
        if now is None or now.is_open:
            said = tr("Someone else changed this escalation while you were answering.")
        else:
            said = tr("{who} answered first: {mark} {outcome}").format(
                who=now.answered_by_words or tr("Someone else"),
                mark=outcome_mark(now.status),
                outcome=now.outcome_words,
            )
            if now.owner:
                said += tr(", owner {who}").format(who=now.owner)
            if now.answer:
                said += f": {now.answer}"
            said += "."
        if now is not None:
            # What it says above the answers is where it stands now, not when it opened.
            self.about.setText(describe(now))
            self.about.setAccessibleName(describe(now))
        if now is not None and now.is_accepted:
            self.version = now.version
            self.row = now
            self.only_resolved()
            said += " " + tr(
                "It is accepted, so the one answer it still takes is its follow-up: mark it "
                "resolved with what was done, or close this box."
            )
        elif now is not None and now.is_open:
            self.version = now.version
            said += " " + tr("It is still open: send your answer again, or close this box.")
        else:
            said += " " + tr("An escalation takes one answer: yours was not sent. Close this box.")
            self.send.setVisible(False)
            self.group.setEnabled(False)
            self.text.setReadOnly(True)
            cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
            cancel.setText(tr("Close"))
            cancel.setFocus()
        self.problem.setText(said)
        self.problem.setVisible(True)
        self.adjustSize()


def wall_type(dialog: QWidget, parent: QWidget | None) -> None:
    """The dialog in the board's type, sized as the board it opens over is (22 px text and
    44 px targets at 1080): the wall screen is read from across the room."""
    window = parent.window() if parent is not None else None
    height = window.height() if window is not None else 1080
    scale = max(0.72, min(1.0, height / 1080)) * text_scale()
    px = max(16, round(22 * scale))
    mark = max(20, round(px * 1.1))
    dialog.setStyleSheet(
        f"QWidget {{ font-size: {px}px; }}\n"
        f"QRadioButton, QCheckBox {{ min-height: 44px; spacing: 12px; }}\n"
        f"QRadioButton::indicator, QCheckBox::indicator {{ width: {mark}px; height: {mark}px; }}\n"
        "QPushButton { min-height: 44px; padding: 4px 18px; }\n"
        "QLineEdit, QDateEdit, QComboBox { min-height: 44px; }\n"
        "QGroupBox { padding-top: 8px; }\n"
    )


class CloseTierHuddleDialog(_SavingDialog):
    """Close a tier's huddle with a note: a refusal (a patient identifier in the note)
    keeps the note in the box to edit."""

    def __init__(self, parent: QWidget, question: str) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Close the huddle"))
        form = QFormLayout(self)
        said = plain(QLabel(question))
        said.setWordWrap(True)
        form.addRow(said)
        self.note = _text_box(tr("The closing note"), tr("Optional. No patient identifiers."))
        form.addRow(tr("Note"), self.note)
        form.addRow(self.problem)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(tr("Close the huddle"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        wall_type(self, parent)
        fit_to_screen(self, 560)

    def field_for(self, field: str | None) -> QWidget:
        return self.note

    def accept(self) -> None:
        super().accept()
        if not self.result():
            self.adjustSize()
