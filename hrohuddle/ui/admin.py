"""Unit admin: people and roles, unit settings, backups, the audit log."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QModelIndex, QPersistentModelIndex
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPlainTextEdit,
    QSpinBox,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from hrohuddle.paths import DataPaths
from hrohuddle.services import audit, backups, edits, people
from hrohuddle.services.errors import EditConflict
from hrohuddle.services.permissions import Actor
from hrohuddle.services.vocabulary import unit_vocabulary
from hrohuddle.store.database import Database
from hrohuddle.ui.common import attempt, button, heading, muted, primary_button, show_problem, tr
from hrohuddle.ui.rows_model import RowsModel
from hrohuddle.ui.signin import pin_edit

Index = QModelIndex | QPersistentModelIndex


class PeopleModel(RowsModel[people.PersonRow]):
    # Name and roles first, so both stay in view on a small screen whatever the
    # Sign-in column says; its short text is told in full beside the form.
    COLUMNS = ("Name", "Roles", "Sign-in", "Profession", "Learner", "Start date", "Active")

    def __init__(self) -> None:
        super().__init__()
        vocab = unit_vocabulary()
        self._profession = {t.key: t.label for t in vocab.terms("professions")}
        self._role = {t.key: t.label for t in vocab.terms("roles")}

    def cell(self, r: people.PersonRow, col: int, *, full: bool) -> Any:
        if col == 0:
            return r.display_name
        if col == 1:
            return ", ".join(self._role.get(x, x) for x in r.roles) or tr("no role")
        if col == 2:
            return sign_in_state(r, short=not full) if r.waits_until or r.wrong_pins else ""
        if col == 3:
            return self._profession.get(r.profession, r.profession)
        if col == 4:
            return (r.programme or tr("yes")) if r.is_learner else ""
        if col == 5:
            return r.start_date.isoformat() if r.start_date else tr("not set")
        return tr("yes") if r.active else tr("no")


def sign_in_state(r: people.PersonRow, *, short: bool = False) -> str:
    """In words (never colour alone): whether sign-in waits after wrong PINs."""
    if r.waits_until is not None:
        local = r.waits_until.replace(tzinfo=dt.UTC).astimezone().strftime("%H:%M")
        if short:
            return tr("Waits until {time}, {n} wrong").format(time=local, n=r.wrong_pins)
        return tr("Waits until {time} after {n} wrong PINs in a row").format(
            time=local, n=r.wrong_pins
        )
    if r.wrong_pins:
        return tr("{n} wrong PINs in a row").format(n=r.wrong_pins)
    return tr("ok")


class PersonForm(QGroupBox):
    def __init__(self) -> None:
        super().__init__(tr("Person"))
        form = QFormLayout(self)
        self.person_id: int | None = None
        self.name = QLineEdit()
        self.name.setAccessibleName(tr("Name"))
        self.profession = QComboBox()
        self.profession.setAccessibleName(tr("Profession"))
        for t in unit_vocabulary().terms("professions"):
            self.profession.addItem(t.label, t.key)
        self.role_boxes: dict[str, QCheckBox] = {}
        roles = QWidget()
        roles_layout = QHBoxLayout(roles)
        roles_layout.setContentsMargins(0, 0, 0, 0)
        for t in unit_vocabulary().terms("roles"):
            box = QCheckBox(t.label)
            box.setAccessibleName(tr("Role: {role}").format(role=t.label))
            self.role_boxes[t.key] = box
            roles_layout.addWidget(box)
        self.learner = QCheckBox(tr("Is a learner (student, resident, new graduate)"))
        self.programme = QLineEdit()
        self.programme.setAccessibleName(tr("Programme"))
        self.has_start = QCheckBox(tr("Known"))
        self.start = QDateEdit()
        self.start.setCalendarPopup(True)
        self.start.setDisplayFormat("yyyy-MM-dd")
        self.start.setAccessibleName(tr("Start date on the unit"))
        start_row = QWidget()
        sr = QHBoxLayout(start_row)
        sr.setContentsMargins(0, 0, 0, 0)
        sr.addWidget(self.has_start)
        sr.addWidget(self.start, 1)
        self.active = QCheckBox(tr("Can sign in"))
        self.pin = pin_edit(tr("New PIN"))
        self.pin.setPlaceholderText(tr("leave empty to keep the current PIN"))
        form.addRow(tr("Name"), self.name)
        form.addRow(tr("Profession"), self.profession)
        form.addRow(tr("Roles"), roles)
        form.addRow("", self.learner)
        form.addRow(tr("Programme"), self.programme)
        form.addRow(tr("Start date"), start_row)
        form.addRow("", self.active)
        form.addRow(tr("PIN"), self.pin)
        self.clear()

    def clear(self) -> None:
        self.person_id = None
        self.setTitle(tr("New person"))
        self.name.clear()
        self.profession.setCurrentIndex(0)
        for key, box in self.role_boxes.items():
            box.setChecked(key == "staff")
        self.learner.setChecked(False)
        self.programme.clear()
        self.has_start.setChecked(True)
        self.start.setDate(QDate.currentDate())
        self.active.setChecked(True)
        self.pin.clear()

    def load(self, row: people.PersonRow) -> None:
        self.person_id = row.id
        self.setTitle(tr("Change {name}").format(name=row.display_name))
        self.name.setText(row.display_name)
        self.profession.setCurrentIndex(max(0, self.profession.findData(row.profession)))
        for key, box in self.role_boxes.items():
            box.setChecked(key in row.roles)
        self.learner.setChecked(row.is_learner)
        self.programme.setText(row.programme or "")
        self.has_start.setChecked(row.start_date is not None)
        if row.start_date:
            self.start.setDate(QDate(row.start_date.year, row.start_date.month, row.start_date.day))
        self.active.setChecked(row.active)
        self.pin.clear()

    def value(self) -> people.PersonInput:
        start: dt.date | None = None
        if self.has_start.isChecked():
            q = self.start.date()
            start = dt.date(q.year(), q.month(), q.day())
        return people.PersonInput(
            display_name=self.name.text(),
            profession=str(self.profession.currentData()),
            roles=[k for k, b in self.role_boxes.items() if b.isChecked()],
            is_learner=self.learner.isChecked(),
            programme=self.programme.text() or None,
            start_date=start,
            active=self.active.isChecked(),
            pin=self.pin.text() or None,
        )


class PeopleTab(QWidget):
    def __init__(self, db: Database, actor: Actor) -> None:
        super().__init__()
        self.db = db
        self.actor = actor
        layout = QHBoxLayout(self)
        left = QVBoxLayout()
        self.model = PeopleModel()
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName(tr("People on this unit"))
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.selectionModel().currentRowChanged.connect(self._selected)
        left.addWidget(self.table)
        self.show_inactive = QCheckBox(tr("Show people who can no longer sign in"))
        self.show_inactive.toggled.connect(self.reload)
        left.addWidget(self.show_inactive)
        layout.addLayout(left, 3)
        right = QVBoxLayout()
        self.form = PersonForm()
        right.addWidget(self.form)
        row = QHBoxLayout()
        new = button(tr("&New person"))
        new.clicked.connect(self._new)
        self.save_button = primary_button(tr("Sa&ve person"))
        self.save_button.clicked.connect(self.save)
        row.addWidget(new)
        row.addWidget(self.save_button)
        right.addLayout(row)
        self.lock_state = muted("")
        self.lock_state.setAccessibleName(tr("Sign-in state"))
        right.addWidget(self.lock_state)
        self.unlock_button = button(tr("&Unlock sign-in"))
        self.unlock_button.setToolTip(tr("Let this person try their PIN again now"))
        self.unlock_button.clicked.connect(self.unlock)
        self.unlock_button.setEnabled(False)
        right.addWidget(self.unlock_button)
        self.no_start = muted("")
        right.addWidget(self.no_start)
        right.addStretch(1)
        layout.addLayout(right, 2)
        self.reload()

    def reload(self) -> None:
        rows = people.list_people(
            self.db, self.actor, include_inactive=self.show_inactive.isChecked()
        )
        self.model.set_rows(rows)
        missing = [r.display_name for r in rows if r.start_date is None and r.active]
        self.no_start.setText(
            tr("No start date, so no onboarding pulses: {names}").format(names=", ".join(missing))
            if missing
            else ""
        )

    def _selected(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            row = self.model.rows[current.row()]
            self.form.load(row)
            self.seen_version = edits.person_version(self.db, row.id)
            self.lock_state.setText(tr("Sign-in: {state}").format(state=sign_in_state(row)))
            self.unlock_button.setEnabled(row.waits_until is not None or row.wrong_pins > 0)
        else:
            self.lock_state.setText("")
            self.unlock_button.setEnabled(False)

    def unlock(self) -> None:
        person_id = self.form.person_id
        if person_id is None:
            return
        if attempt(self, lambda: people.unlock(self.db, self.actor, person_id)) is None:
            return
        self.reload()
        self._select(person_id)

    def _select(self, person_id: int) -> None:
        for i, r in enumerate(self.model.rows):
            if r.id == person_id:
                self.table.selectRow(i)
                break

    def _new(self) -> None:
        self.table.clearSelection()
        self.form.clear()
        self.form.name.setFocus()

    def save(self) -> None:
        value = self.form.value()
        seen = getattr(self, "seen_version", None) if self.form.person_id else None

        def call() -> int:
            try:
                return people.save_person(
                    self.db, self.actor, value, self.form.person_id, expected_version=seen
                )
            except EditConflict as exc:
                # The form keeps what was typed; saving again applies it over theirs.
                self.seen_version = exc.current_version
                raise

        saved = attempt(self, call)
        if saved is None:
            return
        self.reload()
        self._select(saved)


class UnitTab(QWidget):
    def __init__(self, db: Database, actor: Actor) -> None:
        super().__init__()
        self.db = db
        self.actor = actor
        settings = people.unit_settings(db, actor.unit_id)
        self.seen_version = edits.unit_version(db, actor.unit_id)
        form = QFormLayout(self)
        form.addRow(tr("Unit code"), QLabel(settings.code))
        self.name = QLineEdit(settings.name)
        self.name.setAccessibleName(tr("Unit name"))
        self.target = QSpinBox()
        self.target.setRange(5, 60)
        self.target.setSuffix(tr(" minutes"))
        self.target.setValue(settings.huddle_target_minutes)
        self.target.setAccessibleName(tr("Huddle target length"))
        self.idle = QSpinBox()
        self.idle.setRange(1, 120)
        self.idle.setSuffix(tr(" minutes"))
        self.idle.setValue(settings.idle_lock_minutes)
        self.idle.setAccessibleName(tr("Lock the screen after"))
        self.min_group = QSpinBox()
        self.min_group.setRange(3, 50)
        self.min_group.setValue(settings.min_group_size)
        self.min_group.setAccessibleName(tr("Smallest group shown in pulse results"))
        self.milestones = QLineEdit(", ".join(str(d) for d in settings.pulse_milestones))
        self.milestones.setAccessibleName(tr("Pulse milestones, days after starting"))
        self.areas = QPlainTextEdit("\n".join(settings.areas))
        self.areas.setAccessibleName(tr("Areas of the unit, one per line"))
        self.areas.setTabChangesFocus(True)
        form.addRow(tr("Unit name"), self.name)
        form.addRow(tr("Huddle target length"), self.target)
        form.addRow(tr("Lock the screen after"), self.idle)
        form.addRow(tr("Smallest group shown in pulse results"), self.min_group)
        form.addRow(tr("Pulse milestones (days after starting)"), self.milestones)
        form.addRow(tr("Areas (one per line)"), self.areas)
        save = primary_button(tr("Save settings"))
        save.clicked.connect(self.save)
        form.addRow("", save)

    def save(self) -> None:
        raw = [p.strip() for p in self.milestones.text().replace(";", ",").split(",") if p.strip()]
        changes = {
            "name": self.name.text(),
            "huddle_target_minutes": self.target.value(),
            "idle_lock_minutes": self.idle.value(),
            "min_group_size": self.min_group.value(),
            "pulse_milestones": raw,
            "areas": self.areas.toPlainText().splitlines(),
        }

        def call() -> object:
            try:
                return people.update_unit_settings(
                    self.db, self.actor, expected_version=self.seen_version, **changes
                )
            except EditConflict as exc:
                # What was typed stays in the form; saving again applies it over theirs.
                self.seen_version = exc.current_version
                raise

        if attempt(self, call) is None:
            return
        self.seen_version = edits.unit_version(self.db, self.actor.unit_id)
        QMessageBox.information(self, tr("Saved"), tr("The unit's settings are saved."))


class BackupTab(QWidget):
    def __init__(self, db: Database, actor: Actor, paths: DataPaths) -> None:
        super().__init__()
        self.db = db
        self.actor = actor
        self.paths = paths
        layout = QVBoxLayout(self)
        file = db.file
        if file is None:
            layout.addWidget(
                muted(
                    tr(
                        "This unit uses a database server. Its backups are made on the server "
                        "(pg_dump); ask IT."
                    )
                )
            )
            layout.addStretch(1)
            return
        layout.addWidget(
            muted(
                tr(
                    "Backups are verified and kept in {folder}. Automatic ones rotate (the "
                    "last 10 starts, 14 daily, 8 weekly); those taken by hand, before an "
                    "upgrade or replaced by a restore stay until you delete them."
                ).format(folder=paths.backup_dir)
            )
        )
        self.list = QListWidget()
        self.list.setAccessibleName(tr("Backups, newest first"))
        layout.addWidget(self.list)
        row = QHBoxLayout()
        take = button(tr("&Back up now"))
        take.clicked.connect(self.take)
        restore = button(tr("&Restore the chosen backup…"))
        restore.clicked.connect(self.restore)
        other = button(tr("Restore from a &file…"))
        other.clicked.connect(self.restore_file)
        delete = button(tr("&Delete the chosen backup…"))
        delete.clicked.connect(self.delete)
        row.addWidget(take)
        row.addWidget(restore)
        row.addWidget(other)
        row.addWidget(delete)
        row.addStretch(1)
        layout.addLayout(row)
        self.reload()

    def reload(self) -> None:
        self.list.clear()
        self.found = (
            attempt(self, lambda: backups.list_backups(self.db, self.actor, self.paths.backup_dir))
            or []
        )
        for b in self.found:
            kept = tr("rotates") if b.rotates else tr("kept until deleted")
            self.list.addItem(f"{b.label}    {tr(b.why)} ({kept})    {b.path.name}")

    def delete(self) -> None:
        row = self.list.currentRow()
        if row < 0:
            show_problem(self, tr("Choose a backup in the list first."))
            return
        chosen = self.found[row]
        answer = QMessageBox.question(
            self,
            tr("Delete backup"),
            tr("Delete the backup of {when} ({why})? It cannot be brought back.").format(
                when=chosen.label, why=tr(chosen.why)
            ),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        attempt(
            self,
            lambda: backups.delete(self.db, self.actor, chosen.path, self.paths.backup_dir),
        )
        self.reload()

    def take(self) -> None:
        made = attempt(self, lambda: backups.take(self.db, self.actor, self.paths.backup_dir))
        if made:
            self.reload()

    def restore(self) -> None:
        row = self.list.currentRow()
        if row < 0:
            show_problem(self, tr("Choose a backup in the list first."))
            return
        self._restore(self.found[row].path)

    def restore_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, tr("Choose a backup"), str(self.paths.backup_dir), "SQLite (*.sqlite3 *.db)"
        )
        if path:
            self._restore(Path(path))

    def _restore(self, source: Path) -> None:
        file = self.db.file
        assert file is not None
        if attempt(self, lambda: backups.check(self.db, self.actor, source)) is None:
            return
        answer = QMessageBox.question(
            self,
            tr("Restore backup"),
            tr(
                "Replace the unit's database {file} (everything saved in it now) with the "
                "backup {name}? What it replaces is kept as a backup in the list. HRO Huddle "
                "then starts again, and everyone signs in again."
            ).format(file=file, name=source.name),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        ticket = attempt(self, lambda: backups.approve_restore(self.db, self.actor, source))
        if ticket is None:
            return
        window = self.window()
        request = getattr(window, "request_restore", None)
        if request is not None:
            request(ticket)


class AuditModel(RowsModel[audit.AuditRow]):
    COLUMNS = ("When (UTC)", "What", "Who", "About")

    def cell(self, r: audit.AuditRow, col: int, *, full: bool) -> Any:
        if col == 0:
            return r.at.strftime("%Y-%m-%d %H:%M:%S")
        if col == 1:
            return r.action
        if col == 2:
            return r.who
        workstation = r.detail.get("workstation")
        return " ".join(x for x in (r.target or "", str(workstation or "")) if x)


class AuditTab(QWidget):
    def __init__(self, db: Database, actor: Actor, paths: DataPaths | None = None) -> None:
        super().__init__()
        self.db = db
        self.actor = actor
        self.paths = paths
        layout = QVBoxLayout(self)
        layout.addWidget(
            muted(
                tr(
                    "Every sign-in, role change, export and printed report is "
                    "recorded here. Each entry is chained to the one before, so a "
                    "change to any entry shows."
                )
            )
        )
        check = primary_button(tr("&Check the audit log"))
        check.clicked.connect(self.verify)
        layout.addWidget(check)
        self.result = QLabel("")
        self.result.setWordWrap(True)
        self.result.setAccessibleName(tr("Audit check result"))
        layout.addWidget(self.result)
        self.model = AuditModel()
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName(tr("Latest audit entries"))
        self.table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.table, 1)
        rows = attempt(self, lambda: audit.entries(self.db, self.actor))
        self.model.set_rows(rows or [])

    def verify(self) -> None:
        paths = self.paths
        # Heads witnessed outside the database (backups, printed reports) catch a chain
        # that was cut short or rewritten to fit.
        witnesses = (
            audit.known_witnesses(
                paths.backup_dir if self.db.file is not None else None, paths.data_dir
            )
            if paths is not None
            else []
        )
        report = attempt(self, lambda: audit.verify(self.db, self.actor, witnesses))
        if report is None:
            return
        if report.intact:
            self.result.setText(
                tr("Intact: {n} entries, each chained to the one before.").format(n=report.entries)
            )
        else:
            lines = [
                tr("Entry {id} {reason}.").format(id=b.entry_id, reason=b.reason)
                if b.entry_id
                else tr("The log: {reason}.").format(reason=b.reason)
                for b in report.breaks[:20]
            ]
            self.result.setText(tr("The chain is broken (not intact):") + "\n" + "\n".join(lines))


class AdminPage(QWidget):
    def __init__(self, db: Database, actor: Actor, paths: DataPaths) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.addWidget(heading(tr("Unit admin")))
        tabs = QTabWidget()
        tabs.setAccessibleName(tr("Admin sections"))
        tabs.addTab(PeopleTab(db, actor), tr("People and roles"))
        if actor.can("unit.configure"):
            tabs.addTab(UnitTab(db, actor), tr("Unit settings"))
        if actor.can("backup.manage"):
            tabs.addTab(BackupTab(db, actor, paths), tr("Backups"))
        if actor.can("audit.view"):
            tabs.addTab(AuditTab(db, actor, paths), tr("Audit log"))
        layout.addWidget(tabs)
