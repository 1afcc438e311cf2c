"""The admin's People and roles tab: the people table, the person form, waits after wrong PINs."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QDate, QModelIndex
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from hrohuddle.services import (
    dates,
    edits,
    people,
    signin,
)
from hrohuddle.services.dates import to_local
from hrohuddle.services.errors import EditConflict, ValidationError, ValidationErrors
from hrohuddle.services.permissions import Actor
from hrohuddle.services.vocabulary import unit_vocabulary
from hrohuddle.store.database import Database
from hrohuddle.ui.common import (
    attempt,
    button,
    muted,
    plain,
    primary_button,
    tr,
)
from hrohuddle.ui.rows_model import RowsModel
from hrohuddle.ui.signin import pin_edit


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
        local = to_local(r.waits_until).strftime("%H:%M")
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
