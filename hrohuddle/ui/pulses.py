"""The onboarding pulse: one calm screen on a shared workstation, and the results."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from hrohuddle.services import pulses
from hrohuddle.services.errors import ServiceError
from hrohuddle.services.permissions import Actor
from hrohuddle.services.vocabulary import source_line
from hrohuddle.store.database import Database
from hrohuddle.store.errors import StoreError
from hrohuddle.ui.common import heading, muted, primary_button, tr

PULSE_STYLE = """
QDialog#pulse QLabel, QDialog#pulse QRadioButton, QDialog#pulse QPushButton,
QDialog#pulse QPlainTextEdit { font-size: 18px; }
QDialog#pulse QRadioButton::indicator { width: 26px; height: 26px; }
QDialog#pulse QPushButton { min-height: 48px; padding: 4px 18px; }
"""


def offer(parent: QWidget, db: Database, actor: Actor) -> None:
    """If a pulse is due, offer it: answer now, or later (never lost)."""
    try:
        due = pulses.due_pulse(db, actor)
    except (ServiceError, StoreError):
        return
    if due is None:
        return
    box = QMessageBox(parent)
    box.setWindowTitle(tr("A one-minute pulse"))
    box.setText(
        tr(
            "This is your day-{days} onboarding pulse. Would you answer ten short "
            "questions about how safe it feels to speak up here? It is anonymous: "
            "nothing you answer is linked to you."
        ).format(days=due.milestone_day)
    )
    now = box.addButton(tr("Answer now"), QMessageBox.ButtonRole.AcceptRole)
    box.addButton(tr("Later"), QMessageBox.ButtonRole.RejectRole)
    box.exec()
    if box.clickedButton() is now:
        dialog = PulseDialog(db, actor, due.invitation_id, parent)
        dialog.exec()
        dialog.deleteLater()
    else:
        pulses.postpone(db, actor, due.invitation_id)


class PulseDialog(QDialog):
    def __init__(
        self, db: Database, actor: Actor, invitation_id: int, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("pulse")
        self.setStyleSheet(PULSE_STYLE)
        self.db = db
        self.actor = actor
        self.invitation_id = invitation_id
        self.done_ok = False
        inst = pulses.instrument()
        self.setWindowTitle(tr("Pulse"))
        self.resize(1000, 760)
        outer = QVBoxLayout(self)
        outer.addWidget(heading(inst.title, 1.2))
        outer.addWidget(
            muted(
                tr("1 = {low}, 7 = {high}. Skip any question you prefer not to answer.").format(
                    low=inst.labels[1], high=inst.labels[7]
                )
            )
        )
        outer.addWidget(muted(source_line("instruments/onboarding_pulse.yaml")))
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        body = QWidget()
        grid = QGridLayout(body)
        self.groups: dict[str, QButtonGroup] = {}
        for row, item in enumerate(inst.items):
            label = QLabel(f"{row + 1}. {item.text}")
            label.setWordWrap(True)
            grid.addWidget(label, row * 2, 0, 1, 8)
            group = QButtonGroup(self)
            group.setExclusive(True)
            for value in range(1, inst.points + 1):
                radio = QRadioButton(str(value))
                radio.setAccessibleName(f"{item.text}: {value}, {inst.labels[value]}")
                radio.setToolTip(inst.labels[value])
                group.addButton(radio, value)
                grid.addWidget(radio, row * 2 + 1, value - 1)
            self.groups[item.code] = group
        scroll.setWidget(body)
        outer.addWidget(scroll, 1)
        outer.addWidget(QLabel(inst.comment_label))
        self.comment = QPlainTextEdit()
        self.comment.setTabChangesFocus(True)
        self.comment.setAccessibleName(inst.comment_label)
        self.comment.setMaximumHeight(100)
        self.comment.setUndoRedoEnabled(False)
        outer.addWidget(self.comment)
        self.message = QLabel("")
        self.message.setProperty("role", "error")
        self.message.setWordWrap(True)
        outer.addWidget(self.message)
        row_buttons = QHBoxLayout()
        row_buttons.addStretch(1)
        later = QPushButton(tr("Later"))
        later.clicked.connect(self._later)
        send = primary_button(tr("Send anonymously"))
        send.clicked.connect(self.send)
        row_buttons.addWidget(later)
        row_buttons.addWidget(send)
        outer.addLayout(row_buttons)

    def answers(self) -> dict[str, int | None]:
        return {
            code: (g.checkedId() if g.checkedId() > 0 else None) for code, g in self.groups.items()
        }

    def _later(self) -> None:
        pulses.postpone(self.db, self.actor, self.invitation_id)
        self.clear()
        self.reject()

    def clear(self) -> None:
        """Nothing of the answers stays on screen or in the widgets."""
        for g in self.groups.values():
            g.setExclusive(False)
            for b in g.buttons():
                b.setChecked(False)
            g.setExclusive(True)
        self.comment.clear()

    def send(self) -> None:
        try:
            pulses.submit(
                self.db, self.actor, self.invitation_id, self.answers(), self.comment.toPlainText()
            )
        except (ServiceError, StoreError) as exc:
            self.message.setText(exc.message)
            return
        self.clear()
        self.done_ok = True
        self.accept()
        QMessageBox.information(
            self.parentWidget(),
            tr("Thank you"),
            tr("Your answers are saved anonymously. Thank you."),
        )


class PulseResultsPage(QWidget):
    """Closed quarters only; says what is hidden and why, never what."""

    def __init__(self, db: Database, actor: Actor) -> None:
        super().__init__()
        self.db = db
        self.actor = actor
        self.results: pulses.Results | None = None
        layout = QVBoxLayout(self)
        layout.addWidget(heading(tr("Onboarding pulses")))
        self.intro = muted("")
        layout.addWidget(self.intro)
        row = QHBoxLayout()
        row.addWidget(QLabel(tr("Quarter")))
        self.period = QComboBox()
        self.period.setAccessibleName(tr("Quarter"))
        self.period.currentIndexChanged.connect(self.show_period)
        row.addWidget(self.period)
        row.addStretch(1)
        layout.addLayout(row)
        self.table = QTableWidget()
        self.table.setAccessibleName(tr("Pulse results"))
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        layout.addWidget(self.table, 1)
        self.notes = muted("")
        self.notes.setAccessibleName(tr("What is hidden and why"))
        layout.addWidget(self.notes)
        layout.addWidget(QLabel(tr("Comments of the quarter (shuffled, undated)")))
        self.comments = QPlainTextEdit()
        self.comments.setReadOnly(True)
        self.comments.setAccessibleName(tr("Comments"))
        self.comments.setMaximumHeight(160)
        layout.addWidget(self.comments)
        self.reload()

    def reload(self) -> None:
        try:
            res = pulses.results(self.db, self.actor)
        except (ServiceError, StoreError) as exc:
            self.notes.setText(exc.message)
            return
        self.results = res
        self.intro.setText(
            tr(
                "Edmondson's team psychological safety scale (mean of 7 items, 1-7, items 1, 3 "
                "and 5 reversed) and three onboarding items, per closed quarter. A group is "
                "shown only with at least {n} answers and {n} complete answers (fewer than {n} "
                "would identify people), and so is any group that would let a hidden one be "
                "worked out. Means and shares are over complete answers only; comments are "
                "shown only when a quarter has at least {c}. Favourable: an answer of {f} or "
                "more after reversal, the unit's own threshold (Edmondson reports means, not a "
                "cut-off). {source}"
            ).format(
                n=res.min_size,
                c=res.comment_min,
                f=pulses.instrument().favourable_from,
                source=source_line("instruments/onboarding_pulse.yaml"),
            )
        )
        self.period.blockSignals(True)
        self.period.clear()
        for p in res.periods:
            self.period.addItem(
                f"{p.period} ({p.first_day:%d %b} – {p.last_day:%d %b %Y})", p.period
            )
        self.period.blockSignals(False)
        self.show_period()

    def show_period(self) -> None:
        res = self.results
        if res is None:
            return
        inst = pulses.instrument()
        headers = [
            tr("Milestone"),
            tr("Answers (n)"),
            tr("Complete (n)"),
            tr("Scale mean"),
            tr("Favourable"),
        ] + [i.code for i in inst.items]
        self.table.clear()
        self.table.setColumnCount(len(headers))
        self.table.setHorizontalHeaderLabels(headers)
        for col, item in enumerate(inst.items, start=5):
            self.table.horizontalHeaderItem(col).setToolTip(item.text)
        chosen = next((p for p in res.periods if p.period == self.period.currentData()), None)
        if chosen is None:
            self.table.setRowCount(0)
            self.notes.setText("\n".join(res.notes))
            self.comments.setPlainText("")
            return
        rows = [*chosen.groups, chosen.total]
        self.table.setRowCount(len(rows))
        for r, g in enumerate(rows):
            cells: list[Any]
            if g.hidden:
                cells = [g.label, tr("hidden"), tr("hidden"), tr("hidden"), tr("hidden")] + [
                    "" for _ in inst.items
                ]
            else:
                share = (
                    "—"
                    if g.favourable_share is None
                    else f"{g.favourable_share:.0%} (n={g.favourable_n})"
                )
                mean = "—" if g.scale_mean is None else f"{g.scale_mean:.2f} (n={g.complete})"
                cells = [
                    g.label,
                    str(g.n),
                    str(g.complete),
                    mean,
                    share,
                    *[
                        f"{g.item_means[i.code]:.1f}" if i.code in g.item_means else "—"
                        for i in inst.items
                    ],
                ]
            for c, value in enumerate(cells):
                cell = QTableWidgetItem(str(value))
                if c:
                    cell.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.table.setItem(r, c, cell)
        self.table.resizeColumnsToContents()
        self.notes.setText("\n".join([*chosen.notes, *res.notes]))
        self.comments.setPlainText("\n".join(chosen.comments))
