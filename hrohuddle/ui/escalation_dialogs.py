"""The two dialogs of escalation: sending an item up from the unit's huddle (the criteria
that make it the department's business, the reason, what is needed and by when), and a
tier's answer (accepted with an owner, declined with a reason, resolved, or escalated
further)."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
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

from hrohuddle.services import dates, escalations
from hrohuddle.ui.actions import _SavingDialog
from hrohuddle.ui.common import date_edit, fit_to_screen, plain, tr


def _text_box(name: str, placeholder: str) -> QPlainTextEdit:
    box = QPlainTextEdit()
    box.setAccessibleName(name)
    box.setPlaceholderText(placeholder)
    box.setTabChangesFocus(True)  # Tab moves on, as in every other field
    box.setMinimumHeight(72)
    box.setMaximumHeight(120)
    return box


class EscalateDialog(_SavingDialog):
    """Send an item or an action to the unit's department."""

    def __init__(self, parent: QWidget, title: str, department: str | None = None) -> None:
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
        self.needed_by = date_edit(QDate.currentDate().addDays(1))
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
        fit_to_screen(self, 560)

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


def describe(row: escalations.EscalationRow) -> str:
    """An escalation in full, as the answer dialog and screen readers read it."""
    lines = [f"{row.unit_code} · {row.title}"]
    if row.came_from:
        lines.append(tr("Sent on by {tier}").format(tier=row.came_from))
    if row.criteria:
        lines.append(tr("Criteria: {list}").format(list="; ".join(row.criteria)))
    lines.append(tr("Reason: {text}").format(text=row.reason))
    if row.needed:
        lines.append(tr("Needed: {text}").format(text=row.needed))
    if row.needed_by:
        lines.append(tr("Needed by: {day}").format(day=dates.day(row.needed_by)))
    raised = dates.day_time(dates.to_local(row.raised_at))
    lines.append(
        tr("Raised {when} by {who}").format(when=raised, who=row.raised_by or tr("the unit"))
    )
    if row.waiting_words:
        lines.append("⚠ " + row.waiting_words)
    return "\n".join(lines)


class AnswerDialog(_SavingDialog):
    """A tier's answer to one escalation."""

    def __init__(self, parent: QWidget, row: escalations.EscalationRow, can_go_up: bool) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Answer the escalation"))
        form = QFormLayout(self)
        about = plain(QLabel(describe(row)))
        about.setWordWrap(True)
        about.setAccessibleName(describe(row))
        form.addRow(about)
        self.choice = QButtonGroup(self)
        group = QGroupBox(tr("Answer"))
        column = QVBoxLayout(group)
        self.outcomes: dict[str, QRadioButton] = {}
        helps = escalations.outcome_help()
        for key, label in escalations.outcome_words().items():
            if key == "escalated" and not can_go_up:
                continue
            button = QRadioButton(f"{label}: {helps.get(key, '')}".rstrip(": "))
            button.setAccessibleName(label)
            button.setMinimumHeight(36)
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
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(tr("Send the answer"))
        ok.setAccessibleName(tr("Send the answer to the unit"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.outcomes["accepted"].setChecked(True)
        fit_to_screen(self, 560)

    def _follow(self) -> None:
        self.owner.setEnabled(self.outcome() == "accepted")

    def outcome(self) -> str:
        return next((k for k, b in self.outcomes.items() if b.isChecked()), "accepted")

    def field_for(self, field: str | None) -> QWidget:
        return {"owner": self.owner, "text": self.text}.get(field or "", self.text)
