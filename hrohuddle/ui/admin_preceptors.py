"""The admin's Preceptors tab: pairing preceptors with learners, and ending pairings."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from hrohuddle.services import (
    dates,
    observations,
    people,
)
from hrohuddle.services.permissions import Actor
from hrohuddle.store.database import Database
from hrohuddle.ui.common import (
    ask,
    attempt,
    button,
    muted,
    plain,
    primary_button,
    show_problem,
    tr,
)
from hrohuddle.ui.rows_model import RowsModel


class AssignmentsModel(RowsModel[observations.AssignmentRow]):
    COLUMNS = ("Preceptor", "Learner", "From", "Until", "Now")

    def cell(self, r: observations.AssignmentRow, col: int, *, full: bool) -> Any:
        if col == 0:
            return r.preceptor
        if col == 1:
            return r.learner
        if col == 2:
            return dates.day(r.starts_on)
        if col == 3:
            return dates.day(r.ends_on) if r.ends_on else tr("open")
        return tr("current") if r.current(dt.date.today()) else tr("ended")


class PreceptorsTab(QWidget):
    """Who precepts whom, from when until when; every change is audited."""

    def __init__(self, db: Database, actor: Actor) -> None:
        super().__init__()
        self.db, self.actor = db, actor
        layout = QVBoxLayout(self)
        layout.addWidget(
            muted(
                tr(
                    "A preceptor sees and logs observations of the learners paired with "
                    "them; after a pairing ends they keep what they logged."
                )
            )
        )
        form = QHBoxLayout()
        self.preceptor = QComboBox()
        self.preceptor.setAccessibleName(tr("Preceptor"))
        self.learner = QComboBox()
        self.learner.setAccessibleName(tr("Learner"))
        self.starts = QDateEdit(QDate.currentDate())
        self.starts.setCalendarPopup(True)
        self.starts.setDisplayFormat("ddd d MMM yyyy")
        self.starts.setAccessibleName(tr("From"))
        self.has_end = QCheckBox(tr("Until"))
        self.ends = QDateEdit(QDate.currentDate().addDays(90))
        self.ends.setCalendarPopup(True)
        self.ends.setDisplayFormat("ddd d MMM yyyy")
        self.ends.setAccessibleName(tr("Until"))
        self.ends.setEnabled(False)
        self.has_end.toggled.connect(self.ends.setEnabled)
        pair = primary_button(tr("&Pair"))
        pair.clicked.connect(self.assign)
        for w in (
            QLabel(tr("Preceptor")),
            self.preceptor,
            QLabel(tr("Learner")),
            self.learner,
            QLabel(tr("From")),
            self.starts,
            self.has_end,
            self.ends,
            pair,
        ):
            form.addWidget(w)
        form.addStretch(1)
        layout.addLayout(form)
        self.show_ended = QCheckBox(tr("Show pairings that have ended"))
        self.show_ended.toggled.connect(self.reload)
        layout.addWidget(self.show_ended)
        self.model = AssignmentsModel()
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName(tr("Pairings, newest first"))
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.table, 1)
        row = QHBoxLayout()
        end = button(tr("&End the chosen pairing today"))
        end.clicked.connect(lambda: self.end())
        row.addWidget(end)
        row.addStretch(1)
        layout.addLayout(row)
        self.saved = plain(QLabel(""))
        self.saved.setWordWrap(True)
        self.saved.setAccessibleName(tr("Saved"))
        layout.addWidget(self.saved)
        self.reload()

    def reload(self) -> None:
        everyone = people.list_people(self.db, self.actor)
        for combo, keep in (
            (self.preceptor, lambda p: "preceptor" in p.roles),
            (self.learner, lambda p: p.is_learner),
        ):
            chosen = combo.currentData()
            combo.clear()
            for p in everyone:
                if keep(p):
                    combo.addItem(p.display_name, p.id)
            combo.setCurrentIndex(max(0, combo.findData(chosen)))
        rows = attempt(
            self,
            lambda: observations.assignments(
                self.db, self.actor, current_only=not self.show_ended.isChecked()
            ),
        )
        self.model.set_rows(rows or [])

    def assign(self) -> None:
        pre, lea = self.preceptor.currentData(), self.learner.currentData()
        if pre is None or lea is None:
            show_problem(
                self,
                tr(
                    "Pairing needs a person with the Preceptor role and a learner; set "
                    "them up under People and roles."
                ),
            )
            return
        start: dt.date = self.starts.date().toPython()  # type: ignore[assignment]
        end: dt.date | None = (
            self.ends.date().toPython() if self.has_end.isChecked() else None  # type: ignore[assignment]
        )
        if (
            attempt(
                self,
                lambda: observations.assign(self.db, self.actor, int(pre), int(lea), start, end),
            )
            is None
        ):
            return
        self.reload()
        self.saved.setText(
            tr("{p} now precepts {l} from {d}.").format(
                p=self.preceptor.currentText(), l=self.learner.currentText(), d=dates.day(start)
            )
        )

    def end(self) -> None:
        chosen = self.table.selectionModel().selectedRows()
        index = chosen[0] if chosen else self.table.currentIndex()
        if not index.isValid():
            show_problem(self, tr("Choose a pairing in the list first."))
            return
        row = self.model.rows[index.row()]
        if not ask(
            self,
            tr("End pairing"),
            tr("End the pairing of {p} with {l} today?").format(p=row.preceptor, l=row.learner),
        ):
            return

        def end_it() -> bool:
            observations.end_assignment(self.db, self.actor, row.id)
            return True

        if not attempt(self, end_it):
            return
        self.reload()
        self.saved.setText(
            tr("The pairing of {p} with {l} ends today.").format(p=row.preceptor, l=row.learner)
        )
