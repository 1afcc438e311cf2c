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
    QGridLayout,
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
from hrohuddle.services import (
    audit_chain,
    audit_log,
    backups,
    dates,
    edits,
    observations,
    people,
    signin,
)
from hrohuddle.services.errors import EditConflict, ValidationError, ValidationErrors
from hrohuddle.services.permissions import Actor
from hrohuddle.services.vocabulary import unit_vocabulary
from hrohuddle.store.database import Database
from hrohuddle.ui.common import (
    ask,
    attempt,
    button,
    heading,
    muted,
    plain,
    primary_button,
    show_problem,
    tr,
)
from hrohuddle.ui.rows_model import RowsModel
from hrohuddle.ui.signin import pin_edit

Index = QModelIndex | QPersistentModelIndex


class PeopleModel(RowsModel[people.PersonRow]):
    # Name and roles first, then whether they can sign in: what an admin looks for.
    COLUMNS = ("Name", "Roles", "Sign-in", "Profession", "Programme", "Start date")
    #: Columns of free text that wrap onto a second line when the screen is narrow.
    WRAPPING = ("Roles", "Programme")

    def __init__(self) -> None:
        super().__init__()
        vocab = unit_vocabulary()
        self._profession = vocab.labels_by_key("professions")
        self._role = vocab.labels_by_key("roles")

    def cell(self, r: people.PersonRow, col: int, *, full: bool) -> Any:
        if col == 0:
            return r.display_name
        if col == 1:
            return ", ".join(self._role.get(x, x) for x in r.roles) or tr("no role")
        if col == 2:
            return sign_in_state(r, short=not full)
        if col == 3:
            return self._profession.get(r.profession, r.profession)
        if col == 4:
            return (r.programme or tr("not given")) if r.is_learner else ""
        return dates.day(r.start_date) if r.start_date else tr("not set")


def sign_in_state(r: people.PersonRow, *, short: bool = False) -> str:
    """In words (never colour alone): whether this person can sign in now, and if not,
    why: not active, no PIN yet, or waiting after wrong PINs."""
    if not r.active:
        return tr("Not active") if short else tr("Not active: cannot sign in")
    if not r.has_pin:
        return tr("No PIN yet") if short else tr("No PIN yet: give them one to sign in")
    if r.waits_until is not None:
        local = r.waits_until.replace(tzinfo=dt.UTC).astimezone().strftime("%H:%M")
        if short:
            return tr("Waits until {time}, {n} wrong").format(time=local, n=r.wrong_pins)
        return tr("Waits until {time} after {n} wrong PINs in a row").format(
            time=local, n=r.wrong_pins
        )
    if r.wrong_pins:
        if short:
            return tr("{n} wrong PINs").format(n=r.wrong_pins)
        return tr("Can sign in; {n} wrong PINs in a row so far").format(n=r.wrong_pins)
    return tr("Can sign in")


def fit_columns(table: QTableView, wrapping: tuple[int, ...], floor: int = 110) -> None:
    """Every column as wide as what it holds when the table has room; when it has not,
    the free-text ``wrapping`` columns give up width (down to ``floor``) and wrap onto
    more lines, so no column is cut or pushed out of view."""
    header = table.horizontalHeader()
    count = header.count()
    if not count:
        return
    natural = [max(table.sizeHintForColumn(c), header.sectionSizeHint(c)) for c in range(count)]
    room = table.viewport().width()
    over = sum(natural) - room
    widths = list(natural)
    if over > 0:
        give = {c: max(0, natural[c] - max(floor, header.sectionSizeHint(c))) for c in wrapping}
        total = sum(give.values())
        for c, can in give.items():
            if total:
                widths[c] -= min(can, -(-over * can // total))
    for c, w in enumerate(widths):
        header.resizeSection(c, w)
    table.resizeRowsToContents()


class PersonForm(QGroupBox):
    """The chosen person (or a new one), in two columns under the list."""

    def __init__(self) -> None:
        super().__init__(tr("Person"))
        columns = QHBoxLayout(self)
        form = QFormLayout()
        more = QFormLayout()
        columns.addLayout(form, 1)
        columns.addLayout(more, 1)
        self.person_id: int | None = None
        self.name = QLineEdit()
        self.name.setAccessibleName(tr("Name"))
        self.profession = QComboBox()
        self.profession.setAccessibleName(tr("Profession"))
        for t in unit_vocabulary().terms("professions"):
            self.profession.addItem(t.label, t.key)
        self.role_boxes: dict[str, QCheckBox] = {}
        roles = QWidget()
        roles_layout = QGridLayout(roles)
        roles_layout.setContentsMargins(0, 0, 0, 0)
        for t in unit_vocabulary().terms("roles"):
            if t.key == "learner":
                continue  # one learner flag below sets both the flag and the role
            box = QCheckBox(t.label)
            box.setAccessibleName(tr("Role: {role}").format(role=t.label))
            n = len(self.role_boxes)
            self.role_boxes[t.key] = box
            roles_layout.addWidget(box, n // 3, n % 3)
        self.learner = QCheckBox(tr("Learner (student, resident, new graduate)"))
        self.learner.setAccessibleName(tr("Role: Learner"))
        self.programme = QLineEdit()
        self.programme.setAccessibleName(tr("Programme"))
        self.has_start = QCheckBox(tr("Known"))
        self.start = QDateEdit()
        self.start.setCalendarPopup(True)
        self.start.setDisplayFormat("ddd d MMM yyyy")
        self.start.setAccessibleName(tr("Start date on the unit"))
        start_row = QWidget()
        sr = QHBoxLayout(start_row)
        sr.setContentsMargins(0, 0, 0, 0)
        sr.addWidget(self.has_start)
        sr.addWidget(self.start, 1)
        self.active = QCheckBox(tr("Can sign in"))
        self.pin = pin_edit(tr("New PIN"))
        self.pin.setToolTip(tr("A PIN has {rule}.").format(rule=signin.PIN_RULE))
        self.name.setMaxLength(people.NAME_MAX)
        self.problems: dict[str, QLabel] = {}
        for field, name in (("display_name", tr("Name problem")), ("pin", tr("PIN problem"))):
            label = plain(QLabel(""))
            label.setProperty("role", "error")
            label.setWordWrap(True)
            label.setAccessibleName(name)
            label.setVisible(False)
            self.problems[field] = label
        self.problems["roles"] = self.problems["display_name"]
        form.addRow(tr("Name"), self.name)
        form.addRow("", self.problems["display_name"])
        form.addRow(tr("Profession"), self.profession)
        form.addRow(tr("Roles"), roles)
        form.addRow(tr("Learner"), self.learner)
        more.addRow(tr("Programme"), self.programme)
        more.addRow(tr("Start date"), start_row)
        more.addRow("", self.active)
        more.addRow(tr("PIN"), self.pin)
        more.addRow("", self.problems["pin"])
        self.clear()

    def show_problems(self, problems: list[tuple[str, str]]) -> None:
        """Each problem beside its field, all at once; none shown when the list is empty."""
        texts: dict[int, list[str]] = {}
        for field, message in problems:
            label = self.problems.get(field, self.problems["display_name"])
            texts.setdefault(id(label), []).append(message)
        for label in set(self.problems.values()):
            said = " ".join(texts.get(id(label), []))
            label.setText(said)
            label.setVisible(bool(said))

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
        # Short enough to show whole in the field; the whole rule is its tooltip.
        self.pin.setPlaceholderText(
            tr("Required: {low} to {high} digits").format(low=signin.PIN_MIN, high=signin.PIN_MAX)
        )
        self.show_problems([])

    def load(self, row: people.PersonRow) -> None:
        self.person_id = row.id
        self.setTitle(tr("Change {name}").format(name=row.display_name))
        self.name.setText(row.display_name)
        self.profession.setCurrentIndex(max(0, self.profession.findData(row.profession)))
        for key, box in self.role_boxes.items():
            box.setChecked(key in row.roles)
        self.learner.setChecked(row.is_learner or "learner" in row.roles)
        self.programme.setText(row.programme or "")
        self.has_start.setChecked(row.start_date is not None)
        if row.start_date:
            self.start.setDate(QDate(row.start_date.year, row.start_date.month, row.start_date.day))
        self.active.setChecked(row.active)
        self.pin.clear()
        self.pin.setPlaceholderText(tr("leave empty to keep the current PIN"))
        self.show_problems([])

    def value(self) -> people.PersonInput:
        start: dt.date | None = None
        if self.has_start.isChecked():
            q = self.start.date()
            start = dt.date(q.year(), q.month(), q.day())
        return people.PersonInput(
            display_name=self.name.text(),
            profession=str(self.profession.currentData()),
            roles=[k for k, b in self.role_boxes.items() if b.isChecked()]
            + (["learner"] if self.learner.isChecked() else []),
            is_learner=self.learner.isChecked(),
            programme=self.programme.text() or None,
            start_date=start,
            active=self.active.isChecked(),
            pin=self.pin.text() or None,
        )


class PeopleTab(QWidget):
    """The list of people across the whole width (every column in view at 1366x768),
    the chosen person's form under it, its buttons and messages beside the form."""

    def __init__(self, db: Database, actor: Actor) -> None:
        super().__init__()
        self.db = db
        self.actor = actor
        layout = QVBoxLayout(self)
        self.model = PeopleModel()
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName(tr("People on this unit"))
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.setWordWrap(True)
        rows = self.table.verticalHeader()
        rows.setMinimumSectionSize(rows.defaultSectionSize())  # wrapped rows grow, none shrink
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.selectionModel().currentRowChanged.connect(self._selected)
        layout.addWidget(self.table, 1)
        below = QHBoxLayout()
        self.show_inactive = QCheckBox(tr("Show people who can no longer sign in"))
        self.show_inactive.toggled.connect(self.reload)
        below.addWidget(self.show_inactive)
        self.no_start = muted("")
        below.addWidget(self.no_start, 1)
        layout.addLayout(below)
        bottom = QHBoxLayout()
        self.form = PersonForm()
        bottom.addWidget(self.form, 1)
        right = QVBoxLayout()
        new = button(tr("&New person"))
        new.clicked.connect(self._new)
        self.save_button = primary_button(tr("Sa&ve person"))
        self.save_button.clicked.connect(self.save)
        right.addWidget(self.save_button)
        right.addWidget(new)
        self.saved = plain(QLabel(""))
        self.saved.setWordWrap(True)
        self.saved.setAccessibleName(tr("Saved"))
        right.addWidget(self.saved)
        self.lock_state = muted("")
        self.lock_state.setAccessibleName(tr("Sign-in state"))
        right.addWidget(self.lock_state)
        self.unlock_button = button(tr("&Unlock sign-in"))
        self.unlock_button.setToolTip(tr("Let this person try their PIN again now"))
        self.unlock_button.clicked.connect(self.unlock)
        self.unlock_button.setEnabled(False)
        right.addWidget(self.unlock_button)
        right.addStretch(1)
        side = QWidget()
        side.setLayout(right)
        side.setFixedWidth(240)
        bottom.addWidget(side)
        layout.addLayout(bottom)
        self.reload()

    def fit(self) -> None:
        wrapping = tuple(self.model.COLUMNS.index(c) for c in self.model.WRAPPING)
        fit_columns(self.table, wrapping)

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        self.fit()

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self.fit()

    def reload(self) -> None:
        rows = people.list_people(
            self.db, self.actor, include_inactive=self.show_inactive.isChecked()
        )
        self.model.set_rows(rows)
        self.fit()
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
            self.unlock_button.setEnabled(
                row.active and (row.waits_until is not None or row.wrong_pins > 0)
            )
        else:
            self.lock_state.setText("")
            self.unlock_button.setEnabled(False)

    def unlock(self) -> None:
        person_id = self.form.person_id
        if person_id is None:
            return
        if attempt(self, lambda: signin.unlock(self.db, self.actor, person_id)) is None:
            return
        self.reload()
        self._select(person_id)
        self.saved.setText(
            tr("{name} can try their PIN again now.").format(name=self.form.name.text())
        )

    def _select(self, person_id: int) -> None:
        for i, r in enumerate(self.model.rows):
            if r.id == person_id:
                self.table.selectRow(i)
                break

    def _new(self) -> None:
        self.saved.setText("")
        self.table.clearSelection()
        self.form.clear()
        self.form.name.setFocus()

    def save(self) -> None:
        value = self.form.value()
        is_new = self.form.person_id is None
        seen = getattr(self, "seen_version", None) if self.form.person_id else None
        try:
            people.check_person(value, new=is_new)
        except ValidationErrors as exc:
            self.form.show_problems(exc.problems)
            return
        except ValidationError as exc:
            self.form.show_problems([(exc.field or "display_name", exc.message)])
            return
        self.form.show_problems([])

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
        if is_new:
            words = tr("{name} was added at {time}; tell them their PIN in person.")
        elif value.pin:
            words = tr("{name} was saved at {time} with a new PIN; tell them in person.")
        else:
            words = tr("{name} was saved at {time}.")
        self.reload()
        self._select(saved)
        self.saved.setText(
            words.format(name=value.display_name.strip(), time=dt.datetime.now().strftime("%H:%M"))
        )


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
        if not ask(
            self,
            tr("Delete backup"),
            tr("Delete the backup of {when} ({why})? It cannot be brought back.").format(
                when=chosen.label, why=tr(chosen.why)
            ),
        ):
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


class AuditModel(RowsModel[audit_log.AuditRow]):
    COLUMNS = ("When", "What", "Who", "About")

    def __init__(self) -> None:
        super().__init__()
        self.names: dict[str, str] = {}

    def cell(self, r: audit_log.AuditRow, col: int, *, full: bool) -> Any:
        if col == 0:
            if r.day_only:
                # Kept to its (UTC) day on purpose: no time to show, and no shift into
                # the evening before by a time zone behind UTC.
                if full:
                    return tr(
                        "{day}: the day only (UTC) is kept for signing in and out, "
                        "locking and unlocking, so that no report's shift names who "
                        "was signed in"
                    ).format(day=dates.day(r.at))
                return dates.day(r.at)
            local = r.at.replace(tzinfo=dt.UTC).astimezone() if r.at.tzinfo is None else r.at
            return dates.day_time(local)
        if col == 1:
            # In words; the code stays in the tooltip and the export, for filtering files.
            return f"{r.what} ({r.action})" if full else r.what
        if col == 2:
            return r.who
        text = audit_log.about_words(r.target, r.detail, self.names)
        return text if full else text[:160]


class AuditTab(QWidget):
    """The log itself: filter by kind, person and period; export what is shown; check it."""

    PAGE = 500

    def __init__(self, db: Database, actor: Actor, paths: DataPaths | None = None) -> None:
        super().__init__()
        self.db = db
        self.actor = actor
        self.paths = paths
        layout = QVBoxLayout(self)
        layout.addWidget(
            muted(
                tr(
                    "Every sign-in, role change, PIN reset, export, restore and printed "
                    "report is recorded here. Each entry is chained to the one before, so a "
                    "change to any entry shows."
                )
            )
        )
        bar = QHBoxLayout()
        self.kind = QComboBox()
        self.kind.setAccessibleName(tr("Kind of entry"))
        self._fill_kinds()
        self.person = QComboBox()
        self.person.setAccessibleName(tr("Person"))
        self.person.addItem(tr("Everyone"), None)
        everyone = attempt(self, lambda: people.list_people(db, actor, include_inactive=True)) or []
        for p in everyone:
            self.person.addItem(p.display_name, p.id)
        self.since = QDateEdit(QDate.currentDate().addDays(-30))
        self.until = QDateEdit(QDate.currentDate())
        for edit, name in ((self.since, tr("From")), (self.until, tr("To"))):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("ddd d MMM yyyy")
            edit.setAccessibleName(name)
        show = primary_button(tr("&Show"))
        show.clicked.connect(self.reload)
        export = button(tr("&Export CSV…"))
        export.clicked.connect(lambda: self.export())
        check = button(tr("&Check the chain"))
        check.clicked.connect(self.verify)
        for w in (
            QLabel(tr("Kind")),
            self.kind,
            QLabel(tr("Person")),
            self.person,
            QLabel(tr("From")),
            self.since,
            QLabel(tr("to")),
            self.until,
            show,
            export,
            check,
        ):
            bar.addWidget(w)
        bar.addStretch(1)
        layout.addLayout(bar)
        self.result = plain(QLabel(""))
        self.result.setWordWrap(True)
        self.result.setAccessibleName(tr("Audit check result"))
        layout.addWidget(self.result)
        self.count = muted("")
        layout.addWidget(self.count)
        self.model = AuditModel()
        self.model.names = {f"person:{p.id}": p.display_name for p in everyone}
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName(tr("Audit entries, newest day first"))
        self.table.setWordWrap(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.table, 1)
        self.kind.currentIndexChanged.connect(self._filters_changed)
        self.person.currentIndexChanged.connect(self._filters_changed)
        self.since.dateChanged.connect(self._filters_changed)
        self.until.dateChanged.connect(self._filters_changed)
        self.reload()

    def _fill_kinds(self) -> None:
        chosen = self.kind.currentData()
        self.kind.blockSignals(True)
        self.kind.clear()
        self.kind.addItem(tr("Every kind"), None)
        for k in attempt(self, lambda: audit_log.kinds(self.db, self.actor)) or []:
            self.kind.addItem(audit_log.kind_words(k), k)
        self.kind.setCurrentIndex(max(0, self.kind.findData(chosen)))
        self.kind.blockSignals(False)

    def showEvent(self, event: Any) -> None:
        # What happened since the tab was built (this very sign-in, say) is listed at once.
        self.reload()
        super().showEvent(event)

    def _filters_changed(self) -> None:
        # A message about the last export or check no longer describes what is chosen.
        self.result.setText("")

    def where(self) -> audit_log.AuditFilter:
        return audit_log.AuditFilter(
            kind=self.kind.currentData(),
            person_id=self.person.currentData(),
            since=self.since.date().toPython(),  # type: ignore[arg-type]
            until=self.until.date().toPython(),  # type: ignore[arg-type]
        )

    def reload(self) -> None:
        self._fill_kinds()
        flt = self.where()
        rows = attempt(
            self, lambda: audit_log.entries(self.db, self.actor, limit=self.PAGE, where=flt)
        )
        self.model.set_rows(rows or [])
        n = len(rows or [])
        self.count.setText(
            tr("{n} entries (the newest {page}; narrow the filter or export to see more)").format(
                n=n, page=self.PAGE
            )
            if n >= self.PAGE
            else tr("{n} entries").format(n=n)
        )

    def export(self, path: str | None = None) -> int | None:
        if path is None:
            path, _ = QFileDialog.getSaveFileName(
                self,
                tr("Export the audit log"),
                f"audit-log-{dt.date.today().isoformat()}.csv",
                "CSV (*.csv)",
            )
        if not path:
            return None
        flt = self.where()
        target = Path(path)
        n = attempt(self, lambda: audit_log.export_entries(self.db, self.actor, target, flt))
        if n is not None:
            self.result.setText(tr("Exported {n} entries to {path}.").format(n=n, path=str(target)))
            self.reload()
        return n

    def verify(self) -> None:
        paths = self.paths
        # Heads witnessed outside the database (backups, printed reports) catch a chain
        # that was cut short or rewritten to fit.
        witnesses = (
            audit_chain.known_witnesses(
                paths.backup_dir if self.db.file is not None else None, paths.data_dir
            )
            if paths is not None
            else []
        )
        report = attempt(self, lambda: audit_chain.verify(self.db, self.actor, witnesses))
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


class AdminPage(QWidget):
    def __init__(self, db: Database, actor: Actor, paths: DataPaths) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.addWidget(heading(tr("Unit admin")))
        tabs = QTabWidget()
        tabs.setAccessibleName(tr("Admin sections"))
        tabs.addTab(PeopleTab(db, actor), tr("People and roles"))
        if actor.can("preceptor.assign"):
            tabs.addTab(PreceptorsTab(db, actor), tr("Preceptors"))
        if actor.can("unit.configure"):
            tabs.addTab(UnitTab(db, actor), tr("Unit settings"))
        if actor.can("backup.manage"):
            tabs.addTab(BackupTab(db, actor, paths), tr("Backups"))
        if actor.can("audit.view"):
            tabs.addTab(AuditTab(db, actor, paths), tr("Audit log"))
        layout.addWidget(tabs)
