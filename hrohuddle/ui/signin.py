"""Sign-in with a name and a PIN, and the first-run set-up of a unit."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from hrohuddle.services import people
from hrohuddle.services.errors import ServiceError, SignInRefused
from hrohuddle.services.permissions import Actor
from hrohuddle.services.vocabulary import unit_vocabulary
from hrohuddle.store.database import Database
from hrohuddle.store.errors import StoreError
from hrohuddle.ui.common import heading, muted, primary_button, tr

PIN_PATTERN = r"\d{0,12}"


def pin_edit(name: str) -> QLineEdit:
    edit = QLineEdit()
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setValidator(QRegularExpressionValidator(PIN_PATTERN))
    edit.setInputMethodHints(Qt.InputMethodHint.ImhDigitsOnly | Qt.InputMethodHint.ImhSensitiveData)
    edit.setAccessibleName(name)
    edit.setMinimumHeight(44)
    return edit


class SignInPage(QWidget):
    """Choose your name, type your PIN. Also the lock screen."""

    signed_in = Signal(object)

    def __init__(self, db: Database, unit_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.unit_id = unit_id
        self.setObjectName("signin")
        # Large enough to read and tap on a shared, often touch, workstation.
        self.setStyleSheet(
            "QWidget#signin QListWidget, QWidget#signin QLineEdit, QWidget#signin QPushButton,"
            ' QWidget#signin QLabel[role="muted"], QWidget#signin QLabel[role="error"]'
            " { font-size: 18px; }"
        )
        outer = QHBoxLayout(self)
        outer.addStretch(1)
        column = QVBoxLayout()
        outer.addLayout(column, 2)
        outer.addStretch(1)
        self.title = heading(tr("Sign in"), 1.8)
        column.addWidget(self.title)
        self.subtitle = muted(tr("Choose your name, then type your PIN."))
        column.addWidget(self.subtitle)
        self.search = QLineEdit()
        self.search.setPlaceholderText(tr("Type to find your name"))
        self.search.setAccessibleName(tr("Find your name"))
        self.search.setMinimumHeight(44)
        self.search.textChanged.connect(self._filter)
        column.addWidget(self.search)
        self.names = QListWidget()
        self.names.setAccessibleName(tr("People on this unit"))
        self.names.setMinimumHeight(260)
        self.names.currentItemChanged.connect(lambda *_: self.pin.setFocus())
        self.names.itemActivated.connect(lambda *_: self.pin.setFocus())
        column.addWidget(self.names, 1)
        pin_label = QLabel(tr("PIN"))
        pin_label.setProperty("role", "muted")
        column.addWidget(pin_label)
        self.pin = pin_edit(tr("PIN"))
        self.pin.returnPressed.connect(self.submit)
        column.addWidget(self.pin)
        self.message = QLabel("")
        self.message.setProperty("role", "error")
        self.message.setWordWrap(True)
        self.message.setAccessibleName(tr("Sign-in message"))
        column.addWidget(self.message)
        self.button = primary_button(tr("&Sign in"))
        self.button.setMinimumHeight(48)
        self.button.clicked.connect(self.submit)
        column.addWidget(self.button)
        self.setTabOrder(self.search, self.names)
        self.setTabOrder(self.names, self.pin)
        self.setTabOrder(self.pin, self.button)
        self.reload()

    def reload(self, locked_for: Actor | None = None) -> None:
        """Refresh the list; on a lock screen, pre-select the person who was signed in."""
        self.names.clear()
        self.pin.clear()
        self.message.clear()
        self.search.clear()
        for entry in people.signin_roster(self.db, self.unit_id):
            label = entry.display_name + (tr(" (locked)") if entry.locked else "")
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, entry.id)
            item.setSizeHint(QSize(0, 44))
            self.names.addItem(item)
            if locked_for is not None and entry.id == locked_for.person_id:
                self.names.setCurrentItem(item)
        if locked_for is not None:
            self.title.setText(tr("Locked"))
            self.subtitle.setText(
                tr(
                    "The screen locked after a quiet spell. {name}, type your PIN to carry on; "
                    "anyone else can choose their own name."
                ).format(name=locked_for.display_name)
            )
        else:
            self.title.setText(tr("Sign in"))
            self.subtitle.setText(tr("Choose your name, then type your PIN."))

    def _filter(self, text: str) -> None:
        needle = text.strip().lower()
        first = None
        for i in range(self.names.count()):
            item = self.names.item(i)
            hide = bool(needle) and needle not in item.text().lower()
            item.setHidden(hide)
            if not hide and first is None:
                first = item
        if needle and first is not None:
            self.names.setCurrentItem(first)

    def submit(self) -> None:
        item = self.names.currentItem()
        if item is None or item.isHidden():
            self.message.setText(tr("Choose your name first."))
            self.names.setFocus()
            return
        person_id = int(item.data(Qt.ItemDataRole.UserRole))
        pin = self.pin.text()
        self.pin.clear()
        if not pin:
            self.message.setText(tr("Type your PIN."))
            self.pin.setFocus()
            return
        try:
            actor = people.sign_in(self.db, person_id, pin)
        except SignInRefused as exc:
            self.message.setText(exc.message)
            self.pin.setFocus()
            return
        except StoreError as exc:
            self.message.setText(exc.message)
            return
        self.message.clear()
        self.signed_in.emit(actor)


class FirstRunDialog(QDialog):
    """Create the unit and its first admin on a new database."""

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.actor: Actor | None = None
        self.setWindowTitle(tr("Set up your unit"))
        layout = QVBoxLayout(self)
        layout.addWidget(heading(tr("Welcome to HRO Huddle")))
        layout.addWidget(
            muted(
                tr(
                    "This database is new. Name your unit and its first admin, who can then "
                    "add everyone else."
                )
            )
        )
        form = QFormLayout()
        self.code = QLineEdit()
        self.code.setPlaceholderText("4W")
        self.code.setAccessibleName(tr("Unit code"))
        self.name = QLineEdit()
        self.name.setPlaceholderText(tr("Ward 4 West"))
        self.name.setAccessibleName(tr("Unit name"))
        self.admin = QLineEdit()
        self.admin.setAccessibleName(tr("Your name"))
        self.profession = QComboBox()
        self.profession.setAccessibleName(tr("Your profession"))
        for term in unit_vocabulary().terms("professions"):
            self.profession.addItem(term.label, term.key)
        self.pin1 = pin_edit(tr("Choose a PIN"))
        self.pin2 = pin_edit(tr("PIN again"))
        form.addRow(tr("Unit code"), self.code)
        form.addRow(tr("Unit name"), self.name)
        form.addRow(tr("Your name"), self.admin)
        form.addRow(tr("Your profession"), self.profession)
        form.addRow(tr("Choose a PIN (4-12 digits)"), self.pin1)
        form.addRow(tr("PIN again"), self.pin2)
        layout.addLayout(form)
        self.message = QLabel("")
        self.message.setProperty("role", "error")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(tr("Create unit"))
        buttons.accepted.connect(self.create)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def create(self) -> None:
        if self.pin1.text() != self.pin2.text():
            self.message.setText(tr("The two PINs are not the same."))
            self.pin2.setFocus()
            return
        try:
            self.actor = people.create_unit(
                self.db,
                code=self.code.text(),
                name=self.name.text(),
                admin=people.PersonInput(
                    display_name=self.admin.text(),
                    profession=str(self.profession.currentData()),
                    roles=["admin", "manager"],
                    pin=self.pin1.text(),
                ),
            )
        except (ServiceError, StoreError) as exc:
            self.message.setText(exc.message)
            return
        self.accept()
