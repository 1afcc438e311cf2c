"""Learner observations: preceptors log, learners read, acknowledge and reply.

Over 600 lines because the page and its log dialog are one workflow: the page opens the
dialog for the chosen learner and reloads what it saved.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QRadioButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from hrohuddle.services import dates, drafts, observations
from hrohuddle.services.permissions import Actor
from hrohuddle.store.database import Database
from hrohuddle.ui import common
from hrohuddle.ui.common import (
    attempt,
    button,
    fit_to_screen,
    heading,
    muted,
    plain,
    primary_button,
    show_problem,
    tr,
)
from hrohuddle.wording import count

DRAFT_KIND = "observation"
#: Where the page remembers the learner last opened (one per person, like a draft).
CHOICE_KIND = "observation.choice"


def _error_label() -> QLabel:
    label = plain(QLabel(""))
    label.setProperty("role", "error")
    label.setWordWrap(True)
    label.setVisible(False)
    return label


def _level(r: observations.ObservationRow) -> str:
    """A rating's words on the scale the observation was made on."""
    return observations.scale_levels(r.scale_key).get(r.rating, "")


class LogDialog(QDialog):
    """One observation. Starts from the context of the learner's last one; text typed is
    kept as a draft as it is typed, and closing asks before anything typed is lost."""

    def __init__(
        self,
        db: Database,
        actor: Actor,
        learner_id: int,
        learner: str,
        parent: QWidget,
        last: observations.ObservationRow | None = None,
    ) -> None:
        super().__init__(parent)
        self.db, self.actor, self.learner_id = db, actor, learner_id
        self.draft_key = f"learner:{learner_id}"
        self.setWindowTitle(tr("Observation of {name}").format(name=learner))
        data = observations.scale_data(observations.unit_scale(db, actor.unit_id))
        outer = QVBoxLayout(self)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        # The form takes the width it is given and wraps its words; it never scrolls
        # sideways, which would hide the end of a rating's meaning or a behaviour.
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.form_area = scroll
        body = QWidget()
        scroll.setWidget(body)
        outer.addWidget(scroll, 1)
        form = QFormLayout(body)
        self.errors: dict[str, QLabel] = {}

        def row(label: str, widget: QWidget, key: str) -> None:
            holder = QWidget()
            v = QVBoxLayout(holder)
            v.setContentsMargins(0, 0, 0, 0)
            v.addWidget(widget)
            self.errors[key] = _error_label()
            v.addWidget(self.errors[key])
            form.addRow(label, holder)

        self.date = QDateEdit(QDate.currentDate())
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("ddd d MMM yyyy")
        self.date.setAccessibleName(tr("Date observed"))
        self.setting = QComboBox()
        self.setting.setAccessibleName(tr("Setting"))
        for key, label in observations.settings():
            self.setting.addItem(label, key)
        domains = QWidget()
        dgrid = QGridLayout(domains)
        dgrid.setContentsMargins(0, 0, 0, 0)
        self.domains: dict[str, QCheckBox] = {}
        for i, d in enumerate(data["ipec_domains"]):
            box = QCheckBox(d["label"])
            self.domains[d["key"]] = box
            dgrid.addWidget(box, i // 2, i % 2)
        picker = QWidget()
        pv = QVBoxLayout(picker)
        pv.setContentsMargins(0, 0, 0, 0)
        self.behaviour_filter = QLineEdit()
        self.behaviour_filter.setPlaceholderText(tr("Type to find a behaviour"))
        self.behaviour_filter.setAccessibleName(tr("Find a behaviour"))
        self.behaviour_filter.setClearButtonEnabled(True)
        self.behaviour_filter.textChanged.connect(self._filter_behaviours)
        self.behaviours = QListWidget()
        self.behaviours.setAccessibleName(tr("Behaviours observed"))
        self.behaviours.setWordWrap(True)
        self.behaviours.setUniformItemSizes(False)
        self.behaviours.setSpacing(2)
        self.behaviours.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.behaviours.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.behaviours.setResizeMode(QListWidget.ResizeMode.Adjust)
        for code, text in observations.behaviour_catalogue(db).items():
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, code)
            item.setToolTip(text)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.behaviours.addItem(item)
        self.behaviours.setMinimumHeight(220)
        self.chosen = muted("")
        pv.addWidget(self.behaviour_filter)
        pv.addWidget(self.behaviours)
        pv.addWidget(self.chosen)
        self.behaviours.itemChanged.connect(self._count_behaviours)
        # Each level with its descriptor under it, wrapped to the width: the form never
        # scrolls sideways to read a long descriptor.
        rating = QWidget()
        rlayout = QVBoxLayout(rating)
        rlayout.setContentsMargins(0, 0, 0, 0)
        self.rating = QButtonGroup(self)
        for lv in data["levels"]:
            # The level's words on the button, what it means under it, wrapped to fit.
            radio = QRadioButton(f"{lv['value']} · {lv['label']}")
            radio.setAccessibleName(f"{lv['value']}: {lv['label']}")
            radio.setAccessibleDescription(str(lv["descriptor"]))
            self.rating.addButton(radio, int(lv["value"]))
            rlayout.addWidget(radio)
            meaning = muted(str(lv["descriptor"]))
            meaning.setContentsMargins(26, 0, 0, 4)
            rlayout.addWidget(meaning)
        rlayout.addWidget(
            muted(tr("Source: {s}. {note}").format(s=data["short"], note=data["ward_note"]))
        )
        self.strengths = QPlainTextEdit()
        self.strengths.setTabChangesFocus(True)
        self.strengths.setAccessibleName(tr("Strengths"))
        self.strengths.setMinimumHeight(70)
        self.next_steps = QPlainTextEdit()
        self.next_steps.setTabChangesFocus(True)
        self.next_steps.setAccessibleName(tr("Next steps"))
        self.next_steps.setMinimumHeight(70)
        row(tr("Date"), self.date, "observed_on")
        row(tr("Setting"), self.setting, "setting")
        self.context_note = muted(
            tr("Setting as last time; what you observed is for this observation to say.")
        )
        self.context_note.setVisible(False)
        form.addRow("", self.context_note)
        row(tr("Competency domains"), domains, "domains")
        row(tr("Behaviours"), picker, "behaviours")
        row(str(data["title"]), rating, "rating")
        row(tr("Strengths"), self.strengths, "strengths")
        row(tr("Next steps"), self.next_steps, "next_steps")
        self.message = _error_label()
        outer.addWidget(self.message)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        outer.addWidget(buttons)
        fit_to_screen(self, min_width=900)

        if last is not None:
            # Only the setting carries over (and says so): domains and behaviours are
            # what this observation saw, never last time's ticked again unnoticed.
            self._apply_context(last.setting, [], [])
            self.context_note.setVisible(self.setting.currentData() == last.setting)
        # A problem shown goes as soon as its field is changed.
        self.rating.idToggled.connect(lambda *_: self._clear_error("rating"))
        for box in self.domains.values():
            box.toggled.connect(lambda *_: self._clear_error("domains"))
        self.behaviours.itemChanged.connect(lambda *_: self._clear_error("behaviours"))
        self.setting.currentIndexChanged.connect(lambda *_: self._clear_error("setting"))
        self.date.dateChanged.connect(lambda *_: self._clear_error("observed_on"))
        self.strengths.textChanged.connect(lambda: self._clear_error("strengths"))
        self.next_steps.textChanged.connect(lambda: self._clear_error("next_steps"))
        draft = drafts.load(db, actor, DRAFT_KIND, self.draft_key)
        if draft:
            self._apply_draft(draft)
        self._count_behaviours()
        self._saved_payload = self._payload() if draft else None
        self.draft_timer = QTimer(self)
        self.draft_timer.setInterval(1500)
        self.draft_timer.timeout.connect(self.keep_draft)
        self.draft_timer.start()

    # -- context and draft ------------------------------------------------------------
    def _apply_context(self, setting: str, domains: list[str], behaviours: list[str]) -> None:
        i = self.setting.findData(setting)
        if i >= 0:
            self.setting.setCurrentIndex(i)
        for key, box in self.domains.items():
            box.setChecked(key in domains)
        wanted = set(behaviours)
        for i in range(self.behaviours.count()):
            item = self.behaviours.item(i)
            item.setCheckState(
                Qt.CheckState.Checked
                if item.data(Qt.ItemDataRole.UserRole) in wanted
                else Qt.CheckState.Unchecked
            )

    def _apply_draft(self, d: dict[str, Any]) -> None:
        self._apply_context(
            str(d.get("setting", "")), list(d.get("domains", [])), list(d.get("behaviours", []))
        )
        if d.get("observed_on"):
            self.date.setDate(QDate.fromString(str(d["observed_on"]), "yyyy-MM-dd"))
        if d.get("rating") and self.rating.button(int(d["rating"])) is not None:
            self.rating.button(int(d["rating"])).setChecked(True)
        self.strengths.setPlainText(str(d.get("strengths") or ""))
        self.next_steps.setPlainText(str(d.get("next_steps") or ""))

    def _payload(self) -> dict[str, Any]:
        return {
            "observed_on": self.date.date().toString("yyyy-MM-dd"),
            "setting": self.setting.currentData(),
            "domains": [k for k, b in self.domains.items() if b.isChecked()],
            "behaviours": self.chosen_behaviours(),
            "rating": self.rating.checkedId() if self.rating.checkedId() > 0 else None,
            "strengths": self.strengths.toPlainText(),
            "next_steps": self.next_steps.toPlainText(),
        }

    def typed(self) -> bool:
        return bool(
            self.strengths.toPlainText().strip()
            or self.next_steps.toPlainText().strip()
            or self.rating.checkedId() > 0
        )

    def keep_draft(self) -> None:
        """Save what is on screen as the preceptor's own draft (only once something is typed)."""
        if not self.typed():
            return
        payload = self._payload()
        if payload != self._saved_payload:
            drafts.save(self.db, self.actor, DRAFT_KIND, self.draft_key, payload)
            self._saved_payload = payload

    def discard_draft(self) -> None:
        drafts.discard(self.db, self.actor, DRAFT_KIND, self.draft_key)
        self._saved_payload = None

    # -- behaviours -------------------------------------------------------------------
    def chosen_behaviours(self) -> list[str]:
        return [
            self.behaviours.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(self.behaviours.count())
            if self.behaviours.item(i).checkState() == Qt.CheckState.Checked
        ]

    def _filter_behaviours(self, text: str) -> None:
        needle = text.strip().lower()
        for i in range(self.behaviours.count()):
            item = self.behaviours.item(i)
            item.setHidden(bool(needle) and needle not in item.text().lower())

    def _count_behaviours(self, *_: object) -> None:
        n = len(self.chosen_behaviours())
        self.chosen.setText(tr("{n} chosen").format(n=n) if n else tr("None chosen yet"))

    # -- closing ----------------------------------------------------------------------
    def save(self) -> None:
        from hrohuddle.errors import UserFacingError
        from hrohuddle.services.errors import ValidationError, ValidationErrors

        for label in [*self.errors.values(), self.message]:
            label.setVisible(False)
        try:
            observations.log(
                self.db,
                self.actor,
                self.learner_id,
                observed_on=self.date.date().toPython(),  # type: ignore[arg-type]
                setting=str(self.setting.currentData()),
                domains=[k for k, b in self.domains.items() if b.isChecked()],
                behaviours=self.chosen_behaviours(),
                rating=self.rating.checkedId(),
                strengths=self.strengths.toPlainText(),
                next_steps=self.next_steps.toPlainText(),
            )
        except ValidationErrors as exc:
            for key, text in exc.problems:
                self._show_error(key, text)
            return
        except ValidationError as exc:
            self._show_error(exc.field or "", exc.message)
            return
        except UserFacingError as exc:
            self._show_error("", exc.message)
            return
        self.draft_timer.stop()
        self.discard_draft()
        self.accept()

    def _clear_error(self, key: str) -> None:
        label = self.errors.get(key)
        if label is not None:
            label.setVisible(False)

    def _show_error(self, key: str, text: str) -> None:
        label = self.errors.get(key, self.message)
        label.setText(text)
        label.setVisible(True)

    def reject(self) -> None:
        if self.typed():
            box = QMessageBox(self)
            box.setIcon(QMessageBox.Icon.Question)
            box.setWindowTitle(tr("Close this observation?"))
            box.setText(tr("You have typed this observation but not saved it."))
            keep = box.addButton(tr("Keep as a draft"), QMessageBox.ButtonRole.AcceptRole)
            discard = box.addButton(tr("Discard"), QMessageBox.ButtonRole.DestructiveRole)
            back = box.addButton(tr("Go back"), QMessageBox.ButtonRole.RejectRole)
            box.setDefaultButton(back)
            box.exec()
            choice = box.clickedButton()
            if choice is keep:
                self.keep_draft()
            elif choice is discard:
                self.discard_draft()
            else:
                return
        self.draft_timer.stop()
        super().reject()


class ObservationsPage(QWidget):
    def __init__(self, db: Database, actor: Actor) -> None:
        super().__init__()
        self.db, self.actor = db, actor
        from hrohuddle.services import checklists

        # The behaviour catalogue comes from the unit's checklists.
        checklists.sync_templates(db, unit_id=actor.unit_id)
        self.data = observations.scale_data()
        self.catalogue = observations.behaviour_catalogue(db)
        layout = QVBoxLayout(self)
        layout.addWidget(heading(tr("Learner observations")))
        bar = QHBoxLayout()
        self.learner = QComboBox()
        self.learner.setAccessibleName(tr("Learner"))
        if actor.is_learner and "learner" in actor.roles:
            self.learner.addItem(actor.display_name, actor.person_id)
        for c in observations.learner_choices(db, actor):
            if c.person_id == actor.person_id:
                continue
            label = (
                c.name
                if c.current
                else tr("{name} (past learner, until {day})").format(
                    name=c.name, day=dates.day(c.ended_on)
                )
            )
            self.learner.addItem(label, c.person_id)
        remembered = drafts.load(db, actor, CHOICE_KIND, "learner") or {}
        i = self.learner.findData(remembered.get("person_id"))
        if i >= 0:
            self.learner.setCurrentIndex(i)
        self.learner.currentIndexChanged.connect(self._learner_changed)
        bar.addWidget(QLabel(tr("Learner")))
        bar.addWidget(self.learner, 1)
        self.log_button = primary_button(tr("Log an observation…"))
        self.log_button.clicked.connect(self.log)
        self.log_button.setVisible(actor.can("observation.log"))
        pdf = button(tr("Save summary PDF…"))
        pdf.clicked.connect(lambda: self.save_pdf())
        printing = button(tr("Print summary…"))
        printing.clicked.connect(lambda: self.print_pdf())
        bar.addWidget(self.log_button)
        bar.addWidget(pdf)
        bar.addWidget(printing)
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
        self.list.setSpacing(4)  # one observation apart from the next
        self.list.currentRowChanged.connect(self._selected)
        split.addWidget(self.list)
        right = QWidget()
        rv = QVBoxLayout(right)
        self.detail = QLabel(tr("Choose an observation."))
        self.detail.setWordWrap(True)
        self.detail.setTextFormat(Qt.TextFormat.PlainText)
        self.detail.setAccessibleName(tr("Observation details"))
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
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
        split.setSizes([420, 560])
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

    def _learner_changed(self) -> None:
        lid = self.learner_id()
        if lid is not None and lid != self.actor.person_id:
            drafts.save(self.db, self.actor, CHOICE_KIND, "learner", {"person_id": lid})
        self.reload()

    def behaviour_names(self, codes: list[str]) -> str:
        return "; ".join(self.catalogue.get(c, c) for c in codes) or "—"

    def reload(self) -> None:
        # Nothing of the previous learner may stay on screen, whatever happens next.
        self.rows = []
        self.list.blockSignals(True)
        self.list.clear()
        self.list.blockSignals(False)
        self.detail.setText(tr("Choose an observation."))
        self.ack.setEnabled(False)
        self.progress.setText("")
        lid = self.learner_id()
        if lid is None:
            return
        rows = attempt(self, lambda: observations.observations(self.db, self.actor, lid))
        if rows is None:
            return
        self.rows = rows
        for r in rows:
            state = tr("acknowledged") if r.acknowledged_at else tr("NOT YET ACKNOWLEDGED")
            self.list.addItem(
                f"{dates.day(r.observed_on)} · {observations.setting_label(r.setting)}\n"
                f"{r.rating} — {_level(r)} · {tr('by')} {r.preceptor} · {state}"
            )
        p = attempt(self, lambda: observations.progress(self.db, self.actor, lid))
        if p is not None:
            latest = (
                f"{p.latest} — {_level(rows[0])} ({dates.day(p.ratings[-1][0])})"
                if p.latest is not None and rows
                else "—"
            )
            self.progress.setText(
                tr(
                    "{n} · latest rating {latest} · trend {trend} · "
                    "behaviours not yet observed: {never}"
                ).format(
                    n=count(p.count, tr("observation"), tr("observations")),
                    latest=latest,
                    trend=p.trend,
                    never=len(p.never_observed),
                )
            )
        # Shown once the learner chooses one of their own still to acknowledge.
        self.reply.setVisible(False)
        self.ack.setVisible(False)

    def _selected(self, row: int) -> None:
        if not 0 <= row < len(self.rows):
            self.detail.setText(tr("Choose an observation."))
            self.ack.setEnabled(False)
            return
        r = self.rows[row]
        domains = {d["key"]: d["label"] for d in self.data["ipec_domains"]}
        text = [
            f"{r.learner} · {dates.day(r.observed_on)} · "
            f"{observations.setting_label(r.setting)} · {tr('by')} {r.preceptor}",
            f"{tr('Rating')}: {r.rating} — {_level(r)}",
            f"{tr('Domains')}: {', '.join(domains.get(d, d) for d in r.domains)}",
            f"{tr('Behaviours')}: {self.behaviour_names(r.behaviours)}",
            "",
            f"{tr('Strengths')}: {r.strengths or '—'}",
            f"{tr('Next steps')}: {r.next_steps or '—'}",
        ]
        if r.acknowledged_at:
            text.append(
                f"\n{tr('Acknowledged')} {dates.day_time(dates.to_local(r.acknowledged_at))}. "
                f"{tr('Reply')}: {r.learner_reply or '—'}"
            )
        self.detail.setText("\n".join(text))
        # The reply box and the button only while the learner's own is waiting for them.
        waiting = self.learner_id() == self.actor.person_id and r.acknowledged_at is None
        self.reply.setVisible(waiting)
        self.ack.setVisible(waiting)
        self.ack.setEnabled(waiting)

    def log(self) -> None:
        lid = self.learner_id()
        if lid is None:
            show_problem(self, tr("Choose a learner first."))
            return
        name = self.learner.currentText()
        last = self.rows[0] if self.rows else None
        if LogDialog(self.db, self.actor, lid, name, self, last).exec():
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

    def _summary_name(self) -> str:
        return self.rows[0].learner if self.rows else self.learner.currentText().split(" (")[0]

    def save_pdf(self, path: str | None = None) -> Path | None:
        """Save the learner summary where the user says; confirms where it went."""
        lid = self.learner_id()
        if lid is None:
            show_problem(self, tr("Choose a learner first."))
            return None
        name = self._summary_name()
        if path is None:
            path = common.save_file_name(
                self,
                tr("Save learner summary"),
                default_summary_name(name, dt.date.today()),
                "PDF (*.pdf)",
            )
        if not path:
            return None
        from hrohuddle.reports import learner_summary

        out = Path(path)
        done = attempt(self, lambda: learner_summary.write(self.db, self.actor, lid, out))
        if done is None:
            return None
        self.confirm(
            tr("The learner summary of {name} was saved to {path}.").format(
                name=name, path=str(out)
            )
        )
        return out

    def confirm(self, text: str) -> None:
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Information)
        box.setWindowTitle(tr("Done"))
        box.setText(text)
        box.setAccessibleName(text)
        box.open()
        self.last_confirmation = box

    def print_pdf(self, printer: Any = None) -> bool:
        """Print the learner summary (through the print dialog unless a printer is given)."""
        lid = self.learner_id()
        if lid is None:
            show_problem(self, tr("Choose a learner first."))
            return False
        import shutil
        import tempfile

        from hrohuddle.reports import learner_summary
        from hrohuddle.ui.preview import print_pdf

        if printer is None:
            from PySide6.QtPrintSupport import QPrintDialog, QPrinter

            printer = QPrinter(QPrinter.PrinterMode.HighResolution)
            if QPrintDialog(printer, self).exec() != QDialog.DialogCode.Accepted:
                return False
        folder = Path(tempfile.mkdtemp(prefix="hrohuddle-summary-"))
        try:
            pdf = folder / "summary.pdf"
            if attempt(self, lambda: learner_summary.build(self.db, self.actor, lid, pdf)) is None:
                return False
            try:
                print_pdf(pdf, printer)
            except OSError as exc:
                show_problem(self, tr("Printing failed: {why}.").format(why=exc))
                return False
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        from hrohuddle.services import audit

        attempt(
            self,
            lambda: audit.report_printed(
                self.db,
                self.actor,
                "learner summary",
                target=f"person:{lid}",
                detail={"to": "printer"},
            ),
        )
        self.confirm(
            tr("The learner summary of {name} was sent to the printer.").format(
                name=self._summary_name()
            )
        )
        return True


def default_summary_name(name: str, today: dt.date) -> str:
    """The suggested file name: the learner's name and the day, safe on every system."""
    slug = "-".join("".join(ch for ch in part if ch.isalnum()) for part in name.split())
    return f"learner-summary-{slug.lower()}-{today.isoformat()}.pdf"
