"""Learner observations: preceptors log, learners read, acknowledge and reply."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QRadioButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from hrohuddle.services import observations
from hrohuddle.services.permissions import Actor
from hrohuddle.store.database import Database
from hrohuddle.ui.common import attempt, button, heading, muted, primary_button, show_problem, tr


def _level(r: observations.ObservationRow) -> str:
    """A rating's words on the scale the observation was made on."""
    return observations.scale_levels(r.scale_key).get(r.rating, "")


class LogDialog(QDialog):
    def __init__(
        self, db: Database, actor: Actor, learner_id: int, learner: str, parent: QWidget
    ) -> None:
        super().__init__(parent)
        self.db, self.actor, self.learner_id = db, actor, learner_id
        self.setWindowTitle(tr("Observation of {name}").format(name=learner))
        self.resize(760, 720)
        data = observations.scale_data(observations.unit_scale(db, actor.unit_id))
        form = QFormLayout(self)
        self.date = QDateEdit(QDate.currentDate())
        self.date.setCalendarPopup(True)
        self.date.setAccessibleName(tr("Date observed"))
        self.setting = QComboBox()
        self.setting.setAccessibleName(tr("Setting"))
        for s in data["settings"]:
            self.setting.addItem(s["label"], s["key"])
        domains = QWidget()
        drow = QHBoxLayout(domains)
        drow.setContentsMargins(0, 0, 0, 0)
        self.domains: dict[str, QCheckBox] = {}
        for d in data["ipec_domains"]:
            box = QCheckBox(d["label"])
            self.domains[d["key"]] = box
            drow.addWidget(box)
        self.behaviours = QListWidget()
        self.behaviours.setAccessibleName(tr("Behaviours observed"))
        for code, text in observations.behaviour_catalogue(db).items():
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, code)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.behaviours.addItem(item)
        self.behaviours.setMinimumHeight(160)
        rating = QWidget()
        rlayout = QVBoxLayout(rating)
        rlayout.setContentsMargins(0, 0, 0, 0)
        self.rating = QButtonGroup(self)
        for lv in data["levels"]:
            radio = QRadioButton(f"{lv['value']} · {lv['label']} — {lv['descriptor']}")
            radio.setAccessibleName(f"{lv['value']}: {lv['label']}")
            self.rating.addButton(radio, int(lv["value"]))
            rlayout.addWidget(radio)
        rlayout.addWidget(
            muted(tr("Source: {s}. {note}").format(s=data["short"], note=data["ward_note"]))
        )
        self.strengths = QPlainTextEdit()
        self.strengths.setTabChangesFocus(True)
        self.strengths.setAccessibleName(tr("Strengths"))
        self.next_steps = QPlainTextEdit()
        self.next_steps.setTabChangesFocus(True)
        self.next_steps.setAccessibleName(tr("Next steps"))
        form.addRow(tr("Date"), self.date)
        form.addRow(tr("Setting"), self.setting)
        form.addRow(tr("Competency domains"), domains)
        form.addRow(tr("Behaviours"), self.behaviours)
        form.addRow(tr("{t}").format(t=data["title"]), rating)
        form.addRow(tr("Strengths"), self.strengths)
        form.addRow(tr("Next steps"), self.next_steps)
        self.message = QLabel("")
        self.message.setProperty("role", "error")
        self.message.setWordWrap(True)
        form.addRow(self.message)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def save(self) -> None:
        from hrohuddle.services.errors import ServiceError
        from hrohuddle.store.errors import StoreError

        behaviours = [
            self.behaviours.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(self.behaviours.count())
            if self.behaviours.item(i).checkState() == Qt.CheckState.Checked
        ]
        try:
            observations.log(
                self.db,
                self.actor,
                self.learner_id,
                observed_on=self.date.date().toPython(),  # type: ignore[arg-type]
                setting=str(self.setting.currentData()),
                domains=[k for k, b in self.domains.items() if b.isChecked()],
                behaviours=behaviours,
                rating=self.rating.checkedId(),
                strengths=self.strengths.toPlainText(),
                next_steps=self.next_steps.toPlainText(),
            )
        except (ServiceError, StoreError) as exc:
            self.message.setText(exc.message)
            return
        self.accept()


class ObservationsPage(QWidget):
    def __init__(self, db: Database, actor: Actor) -> None:
        super().__init__()
        self.db, self.actor = db, actor
        from hrohuddle.services import checklists

        # The behaviour catalogue comes from the unit's checklists.
        checklists.sync_templates(db, unit_id=actor.unit_id)
        self.data = observations.scale_data()
        layout = QVBoxLayout(self)
        layout.addWidget(heading(tr("Learner observations")))
        bar = QHBoxLayout()
        self.learner = QComboBox()
        self.learner.setAccessibleName(tr("Learner"))
        if actor.is_learner and "learner" in actor.roles:
            self.learner.addItem(actor.display_name, actor.person_id)
        for pid, name in observations.my_learners(db, actor):
            if pid != actor.person_id:
                self.learner.addItem(name, pid)
        self.learner.currentIndexChanged.connect(self.reload)
        bar.addWidget(QLabel(tr("Learner")))
        bar.addWidget(self.learner, 1)
        self.log_button = primary_button(tr("Log an observation…"))
        self.log_button.clicked.connect(self.log)
        self.log_button.setVisible(actor.can("observation.log"))
        pdf = button(tr("Save learner summary PDF…"))
        pdf.clicked.connect(self.save_pdf)
        bar.addWidget(self.log_button)
        bar.addWidget(pdf)
        layout.addLayout(bar)
        if actor.can("unit.configure"):
            scale_row = QHBoxLayout()
            self.scale = QComboBox()
            self.scale.setAccessibleName(tr("Entrustment scale for new observations"))
            for key, title in observations.scales():
                self.scale.addItem(title, key)
            self.scale.setCurrentIndex(
                self.scale.findData(observations.unit_scale(db, actor.unit_id))
            )
            self.scale.activated.connect(self._choose_scale)
            scale_row.addWidget(QLabel(tr("Scale for new observations")))
            scale_row.addWidget(self.scale, 1)
            layout.addLayout(scale_row)
        self.progress = muted("")
        layout.addWidget(self.progress)
        split = QSplitter()
        self.list = QListWidget()
        self.list.setAccessibleName(tr("Observations, newest first"))
        self.list.setWordWrap(True)
        self.list.currentRowChanged.connect(self._selected)
        split.addWidget(self.list)
        right = QWidget()
        rv = QVBoxLayout(right)
        self.detail = QLabel(tr("Choose an observation."))
        self.detail.setWordWrap(True)
        self.detail.setTextFormat(Qt.TextFormat.PlainText)
        self.detail.setAccessibleName(tr("Observation details"))
        rv.addWidget(self.detail)
        self.reply = QPlainTextEdit()
        self.reply.setTabChangesFocus(True)
        self.reply.setPlaceholderText(tr("Your reply (optional)"))
        self.reply.setAccessibleName(tr("Your reply"))
        self.reply.setMaximumHeight(110)
        self.ack = primary_button(tr("Acknowledge"))
        self.ack.clicked.connect(self.acknowledge)
        rv.addWidget(self.reply)
        rv.addWidget(self.ack)
        rv.addStretch(1)
        split.addWidget(right)
        layout.addWidget(split, 1)
        self.rows: list[observations.ObservationRow] = []
        if self.learner.count() == 0:
            self.progress.setText(
                tr(
                    "No learners to show: you see your own observations as a "
                    "learner, or those of the learners you precept."
                )
            )
        self.reload()

    def learner_id(self) -> int | None:
        data = self.learner.currentData()
        return int(data) if data is not None else None

    def _choose_scale(self) -> None:
        attempt(
            self,
            lambda: observations.choose_scale(self.db, self.actor, str(self.scale.currentData())),
        )

    def reload(self) -> None:
        self.list.clear()
        lid = self.learner_id()
        if lid is None:
            return
        rows = attempt(self, lambda: observations.observations(self.db, self.actor, lid))
        if rows is None:
            return
        self.rows = rows
        mine = lid == self.actor.person_id
        for r in rows:
            state = tr("acknowledged") if r.acknowledged_at else tr("NOT YET ACKNOWLEDGED")
            self.list.addItem(
                f"{r.observed_on:%d %b %Y} · {r.rating} {_level(r)} · {r.preceptor} · {state}"
            )
        p = attempt(self, lambda: observations.progress(self.db, self.actor, lid))
        if p is not None:
            self.progress.setText(
                tr(
                    "{n} observations · latest rating {latest} · trend {trend} · "
                    "not yet observed: {never}"
                ).format(
                    n=p.count, latest=p.latest or "—", trend=p.trend, never=len(p.never_observed)
                )
            )
        self.reply.setVisible(mine)
        self.ack.setVisible(mine)

    def _selected(self, row: int) -> None:
        if not 0 <= row < len(self.rows):
            return
        r = self.rows[row]
        settings = {s["key"]: s["label"] for s in self.data["settings"]}
        domains = {d["key"]: d["label"] for d in self.data["ipec_domains"]}
        text = [
            f"{r.observed_on:%A %d %B %Y} · {settings.get(r.setting, r.setting)} · "
            f"{tr('by')} {r.preceptor}",
            f"{tr('Rating')}: {r.rating} — {_level(r)}",
            f"{tr('Domains')}: {', '.join(domains.get(d, d) for d in r.domains)}",
            f"{tr('Behaviours')}: {', '.join(r.behaviours)}",
            "",
            f"{tr('Strengths')}: {r.strengths or '—'}",
            f"{tr('Next steps')}: {r.next_steps or '—'}",
        ]
        if r.acknowledged_at:
            text.append(f"\n{tr('Acknowledged')}. {tr('Reply')}: {r.learner_reply or '—'}")
        self.detail.setText("\n".join(text))

    def log(self) -> None:
        lid = self.learner_id()
        if lid is None:
            show_problem(self, tr("Choose a learner first."))
            return
        if LogDialog(self.db, self.actor, lid, self.learner.currentText(), self).exec():
            self.reload()

    def acknowledge(self) -> None:
        row = self.list.currentRow()
        if not 0 <= row < len(self.rows):
            show_problem(self, tr("Choose an observation first."))
            return
        obs_id = self.rows[row].id
        seen = self.rows[row].version
        if (
            attempt(
                self,
                lambda: observations.acknowledge(
                    self.db, self.actor, obs_id, self.reply.toPlainText(), expected_version=seen
                ),
            )
            is not None
        ):
            self.reply.clear()
            self.reload()
            return
        # Refused (perhaps someone saved first): show what is stored now, keep the typing.
        typed = self.reply.toPlainText()
        self.reload()
        self.reply.setPlainText(typed)
        if 0 <= row < self.list.count():
            self.list.setCurrentRow(row)

    def save_pdf(self) -> None:
        lid = self.learner_id()
        if lid is None:
            return
        path, _ = QFileDialog.getSaveFileName(
            self,
            tr("Save learner summary"),
            f"learner-summary-{dt.date.today()}.pdf",
            "PDF (*.pdf)",
        )
        if path:
            from hrohuddle.reports import learner_summary

            attempt(self, lambda: learner_summary.write(self.db, self.actor, lid, Path(path)))
