"""Dialogs that make an action and change its due date: from the board and from triage."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from hrohuddle.services import people
from hrohuddle.services.errors import ServiceError
from hrohuddle.store.errors import StoreError
from hrohuddle.ui.common import (
    date_edit,
    fit_to_screen,
    plain,
    readable,
    tr,
)


class _SavingDialog(QDialog):
    """A dialog that saves through ``save`` when accepted: a refusal keeps it open with
    the problem beside the field it is about, and what was typed stays."""

    problem: QLabel

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.problem = plain(QLabel(""))
        self.problem.setProperty("role", "error")
        self.problem.setWordWrap(True)
        self.problem.setVisible(False)
        #: Saves what the dialog holds; None accepts without saving.
        self.save: Callable[[], object] | None = None

    def field_for(self, field: str | None) -> QWidget:
        """The input a refusal about ``field`` points to."""
        return self

    def accept(self) -> None:
        if self.save is not None:
            try:
                self.save()
            except (ServiceError, StoreError) as exc:  # kept: the problem shows in the dialog
                self.problem.setText(readable(exc))
                self.problem.setVisible(True)
                self.field_for(getattr(exc, "field", None)).setFocus()
                return
        super().accept()


class ActionDialog(_SavingDialog):
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
        self.due = date_edit(QDate.currentDate().addDays(1))
        self.due.setAccessibleName(tr("Due date"))
        form.addRow(tr("What needs doing"), self.title)
        form.addRow(tr("Owner"), self.owner)
        form.addRow(tr("Due"), self.due)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        form.addRow(self.problem)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(tr("Create action"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def field_for(self, field: str | None) -> QWidget:
        return {"due_on": self.due, "owner_id": self.owner}.get(field or "", self.title)

    def due_date(self) -> dt.date:
        q = self.due.date()
        return dt.date(q.year(), q.month(), q.day())


class DueDateDialog(_SavingDialog):
    """A new due date for the action the question names."""

    def __init__(self, parent: QWidget, question: str, due_on: dt.date | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Change the due date"))
        form = QFormLayout(self)
        self.question = plain(QLabel(question))
        self.question.setWordWrap(True)
        form.addRow(self.question)
        start = QDate.currentDate().addDays(7)
        if due_on is not None:
            start = QDate(due_on.year, due_on.month, due_on.day)
        self.due = date_edit(start)
        self.due.setAccessibleName(tr("New due date"))
        form.addRow(tr("New due date"), self.due)
        form.addRow(self.problem)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        fit_to_screen(self, 480)

    def field_for(self, field: str | None) -> QWidget:
        return self.due

    def due_date(self) -> dt.date:
        q = self.due.date()
        return dt.date(q.year(), q.month(), q.day())


class ActionDoneDialog(_SavingDialog):
    """One of the person's own actions, from Home: close it with what was done, or go to
    the huddle board's follow-up list."""

    def __init__(self, parent: QWidget, question: str) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Your action"))
        self.wants_board = False
        form = QFormLayout(self)
        self.question = plain(QLabel(question))
        self.question.setWordWrap(True)
        form.addRow(self.question)
        self.note = QLineEdit()
        self.note.setAccessibleName(tr("What was done (optional)"))
        self.note.setMinimumWidth(420)
        form.addRow(tr("What was done (optional)"), self.note)
        form.addRow(self.problem)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        done = buttons.addButton(tr("Close the action"), QDialogButtonBox.ButtonRole.AcceptRole)
        done.setAccessibleName(tr("Close the action"))
        board = buttons.addButton(
            tr("Open the huddle board"), QDialogButtonBox.ButtonRole.ActionRole
        )
        board.setAccessibleName(tr("Open the huddle board"))
        board.clicked.connect(self._board)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        fit_to_screen(self, 480)

    def field_for(self, field: str | None) -> QWidget:
        return self.note

    def _board(self) -> None:
        self.wants_board = True
        self.reject()
