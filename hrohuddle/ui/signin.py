"""Sign-in with a name and a PIN, and the first-run set-up of a unit."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QKeyEvent, QRegularExpressionValidator
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


def name_matches(name: str, needle: str) -> bool:
    """Whether ``needle`` starts the name, or starts one of its words (first or last name).

    Matching only at the start of words keeps "Tom" from finding "Ben Costa's" middle
    letters, and a full name typed finds exactly that person.
    """
    needle = " ".join(needle.lower().split())
    if not needle:
        return True
    lowered = " ".join(name.lower().split())
    words = lowered.split(" ")
    return any(" ".join(words[i:]).startswith(needle) for i in range(len(words)))


class _SearchBox(QLineEdit):
    """The name filter: Down moves into the list, Enter chooses the top match."""

    choose_first = Signal()
    go_down = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.choose_first.emit()
            return
        if event.key() == Qt.Key.Key_Down:
            self.go_down.emit()
            return
        super().keyPressEvent(event)


class _NameList(QListWidget):
    """The roster: moving with the arrows only highlights; Enter or a click chooses."""

    chosen = Signal(object)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            item = self.currentItem()
            if item is not None and not item.isHidden():
                self.chosen.emit(item)
            return
        super().keyPressEvent(event)


class SignInPage(QWidget):
    """Find your name, choose it, type your PIN. Also the lock screen.

    Typing only filters the list: a person is chosen by Enter, by Down then Enter,
    or by a click, and the chosen full name stays shown in large type beside the
    PIN, so nobody signs in as someone they did not choose.
    """

    signed_in = Signal(object)

    def __init__(self, db: Database, unit_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.unit_id = unit_id
        self.chosen_id: int | None = None
        self.chosen_name = ""
        self.locked_for: Actor | None = None
        self.setObjectName("signin")
        # Large enough to read and tap on a shared, often touch, workstation.
        self.setStyleSheet(
            "QWidget#signin QListWidget, QWidget#signin QLineEdit, QWidget#signin QPushButton,"
            ' QWidget#signin QLabel[role="muted"], QWidget#signin QLabel[role="error"]'
            " { font-size: 18px; }"
            " QWidget#signin QLabel#chosen { font-size: 30px; font-weight: bold; }"
        )
        # A centred column no wider than a glance takes in, on a wall screen too.
        centre = QHBoxLayout(self)
        body = QWidget()
        body.setMaximumWidth(1100)
        centre.addStretch(1)
        centre.addWidget(body, 12)
        centre.addStretch(1)
        outer = QVBoxLayout(body)
        self.title = heading(tr("Sign in"), 1.8)
        outer.addWidget(self.title)
        self.subtitle = muted(tr("Find your name and choose it, then type your PIN."))
        outer.addWidget(self.subtitle)
        row = QHBoxLayout()
        outer.addLayout(row, 1)

        finder = QVBoxLayout()
        row.addLayout(finder, 1)
        self.search = _SearchBox()
        self.search.setPlaceholderText(tr("Type to find your name, then press Enter"))
        self.search.setAccessibleName(tr("Find your name"))
        self.search.setMinimumHeight(44)
        self.search.textChanged.connect(self._filter)
        self.search.choose_first.connect(self._choose_first)
        self.search.go_down.connect(self._into_list)
        finder.addWidget(self.search)
        self.names = _NameList()
        self.names.setAccessibleName(tr("People on this unit"))
        self.names.setMinimumHeight(200)
        self.names.chosen.connect(self._choose)
        self.names.itemClicked.connect(self._choose)
        finder.addWidget(self.names, 1)

        panel = QVBoxLayout()
        row.addSpacing(24)
        row.addLayout(panel, 1)
        self.chosen_caption = muted(tr("Signing in as"))
        panel.addWidget(self.chosen_caption)
        self.chosen = QLabel("")
        self.chosen.setObjectName("chosen")
        self.chosen.setWordWrap(True)
        self.chosen.setAccessibleName(tr("Chosen person"))
        panel.addWidget(self.chosen)
        pin_label = QLabel(tr("PIN"))
        pin_label.setProperty("role", "muted")
        panel.addWidget(pin_label)
        self.pin = pin_edit(tr("PIN"))
        self.pin.returnPressed.connect(self.submit)
        panel.addWidget(self.pin)
        self.message = QLabel("")
        self.message.setProperty("role", "error")
        self.message.setWordWrap(True)
        self.message.setAccessibleName(tr("Sign-in message"))
        panel.addWidget(self.message)
        self.button = primary_button(tr("&Sign in"))
        self.button.setMinimumHeight(48)
        self.button.clicked.connect(self.submit)
        panel.addWidget(self.button)
        panel.addStretch(1)
        self.setTabOrder(self.search, self.names)
        self.setTabOrder(self.names, self.pin)
        self.setTabOrder(self.pin, self.button)
        self.reload()

    def reload(self, locked_for: Actor | None = None) -> None:
        """Refresh the list; on a lock screen, choose the person who was signed in."""
        self.locked_for = locked_for
        self.names.clear()
        self.pin.clear()
        self.message.clear()
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        self._set_chosen(None)
        for entry in people.signin_roster(self.db, self.unit_id):
            label = entry.display_name + (
                tr(" (waiting: too many wrong PINs)") if entry.locked else ""
            )
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, entry.id)
            item.setData(Qt.ItemDataRole.UserRole + 1, entry.display_name)
            item.setSizeHint(QSize(0, 44))
            self.names.addItem(item)
            if locked_for is not None and entry.id == locked_for.person_id:
                self._choose(item)
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
            self.subtitle.setText(tr("Find your name and choose it, then type your PIN."))

    def _set_chosen(self, item: QListWidgetItem | None) -> None:
        if item is None:
            self.chosen_id = None
            self.chosen_name = ""
            self.chosen.setText(tr("Nobody chosen yet"))
            self.chosen.setEnabled(False)
            return
        self.chosen_id = int(item.data(Qt.ItemDataRole.UserRole))
        self.chosen_name = str(item.data(Qt.ItemDataRole.UserRole + 1))
        self.chosen.setText(self.chosen_name)
        self.chosen.setEnabled(True)

    def _filter(self, text: str) -> None:
        """Show only the names that match; typing never chooses anyone."""
        for i in range(self.names.count()):
            item = self.names.item(i)
            name = str(item.data(Qt.ItemDataRole.UserRole + 1))
            item.setHidden(not name_matches(name, text))
        # A changed search means the person at the screen is looking for someone else.
        self.names.setCurrentItem(None)
        self.names.clearSelection()
        if self.chosen_id is not None:
            self._set_chosen(None)
            self.pin.clear()
        self.message.clear()

    def _visible(self) -> list[QListWidgetItem]:
        return [
            self.names.item(i)
            for i in range(self.names.count())
            if not self.names.item(i).isHidden()
        ]

    def _choose_first(self) -> None:
        shown = self._visible()
        if not shown:
            self.message.setText(tr("No name on this unit starts like that."))
            return
        self._choose(shown[0])

    def _into_list(self) -> None:
        shown = self._visible()
        if shown:
            self.names.setCurrentItem(shown[0])
            self.names.setFocus()

    def _choose(self, item: QListWidgetItem) -> None:
        self.names.setCurrentItem(item)
        self._set_chosen(item)
        self.message.clear()
        self.pin.clear()
        self.pin.setFocus()

    def submit(self) -> None:
        if self.chosen_id is None:
            self.message.setText(tr("Choose your name first: press Enter or click it."))
            self.search.setFocus()
            return
        person_id = self.chosen_id
        pin = self.pin.text()
        self.pin.clear()
        if not pin:
            self.message.setText(tr("Type your PIN."))
            self.pin.setFocus()
            return
        try:
            actor = people.sign_in(self.db, person_id, pin, resume=self.locked_for)
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
