"""Sign-in with a name and a PIN, and the first-run set-up of a unit."""

from __future__ import annotations

from typing import NamedTuple

from PySide6.QtCore import QRegularExpression, QSize, Qt, Signal
from PySide6.QtGui import QKeyEvent, QMouseEvent, QRegularExpressionValidator
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
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from hrohuddle.errors import UserFacingError
from hrohuddle.services import people, signin
from hrohuddle.services.errors import SignInRefused
from hrohuddle.services.permissions import Actor
from hrohuddle.services.vocabulary import unit_vocabulary
from hrohuddle.store.database import Database
from hrohuddle.store.errors import StoreError
from hrohuddle.ui.common import (
    button,
    heading,
    load_off_thread,
    muted,
    plain,
    primary_button,
    readable,
    report_bug,
    tr,
)
from hrohuddle.ui.styles import style_sheet

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


#: Keys that move the highlight in the list: only these (or a click) arm Enter there.
_MOVES = (
    Qt.Key.Key_Up,
    Qt.Key.Key_Down,
    Qt.Key.Key_PageUp,
    Qt.Key.Key_PageDown,
    Qt.Key.Key_Home,
    Qt.Key.Key_End,
)


class _SearchBox(QLineEdit):
    """The name filter: Down moves into the list, Enter chooses the one match.

    Names hold no digits, so digits are refused here and never shown: a PIN typed
    before a name was chosen must not stay on screen.
    """

    enter = Signal()
    go_down = Signal()
    digit_typed = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.setValidator(QRegularExpressionValidator(QRegularExpression(r"[^0-9]*")))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.enter.emit()
            return
        if event.key() == Qt.Key.Key_Down:
            self.go_down.emit()
            return
        if event.text().isdigit():
            self.digit_typed.emit()
            return
        super().keyPressEvent(event)


class _NameList(QListWidget):
    """The roster: Enter chooses only a name highlighted by the arrows or a click.

    Letters typed here go on into the search box; digits are refused.
    """

    chosen = Signal(object)
    nothing_highlighted = Signal()
    letters = Signal(str)
    digit_typed = Signal()

    def __init__(self) -> None:
        super().__init__()
        #: Whether the person moved the highlight (arrows or a click) since focus came.
        self.armed = False

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.armed = True
        super().mousePressEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            item = self.currentItem()
            if self.armed and item is not None and not item.isHidden():
                self.chosen.emit(item)
            else:
                self.nothing_highlighted.emit()
            return
        if event.key() in _MOVES:
            self.armed = True
            super().keyPressEvent(event)
            return
        text = event.text()
        if text.isdigit():
            self.digit_typed.emit()
            return
        if text and text.isprintable():
            self.letters.emit(text)
            return
        if event.key() == Qt.Key.Key_Backspace:
            self.letters.emit("\b")
            return
        super().keyPressEvent(event)


class _Refused(NamedTuple):
    """Why a sign-in did not go through, and whether the PIN box should take it again."""

    message: str
    about_the_pin: bool


class _Fault(NamedTuple):
    error: Exception


class SignInPage(QWidget):
    """Find your name, choose it, type your PIN. Also the lock screen.

    Typing only filters the list: a person is chosen by Enter when exactly one name
    matches, by Down then Enter, or by a click, and the chosen full name stays shown
    in large type beside the PIN, so nobody signs in as someone they did not choose.
    The lock screen offers only the locked person's PIN, and a way to sign them out.
    """

    signed_in = Signal(object)
    #: "Not you?" on the lock screen: sign the locked person out and show the list.
    switch_person = Signal()

    def __init__(self, db: Database, unit_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.unit_id = unit_id
        self.chosen_id: int | None = None
        self.chosen_name = ""
        self.locked_for: Actor | None = None
        self.checking = False  # a PIN is being checked off the GUI thread
        self.last_notice: QMessageBox | None = None
        self.receipt_dialog: QDialog | None = None
        self.setObjectName("signin")
        # Large enough to read and tap on a shared, often touch, workstation.
        self.setStyleSheet(style_sheet("signin"))
        # A centred column no wider than a glance takes in, on a wall screen too.
        centre = QHBoxLayout(self)
        body = QWidget()
        body.setMaximumWidth(1100)
        centre.addStretch(1)
        centre.addWidget(body, 12)
        centre.addStretch(1)
        outer = QVBoxLayout(body)
        self.title = heading(tr("Sign in"), 1.8)
        self.title.setWordWrap(True)
        outer.addWidget(self.title)
        self.subtitle = muted(tr("Find your name and choose it, then type your PIN."))
        outer.addWidget(self.subtitle)
        row = QHBoxLayout()
        outer.addLayout(row, 1)

        self.finder = QWidget()
        finder = QVBoxLayout(self.finder)
        finder.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.finder, 1)
        self.search = _SearchBox()
        self.search.setPlaceholderText(tr("Type the start of your first or last name"))
        self.search.setAccessibleName(tr("Find your name"))
        self.search.setMinimumHeight(44)
        self.search.textChanged.connect(self._filter)
        self.search.enter.connect(self._enter_in_search)
        self.search.go_down.connect(self._into_list)
        self.search.digit_typed.connect(self._digit_before_choosing)
        finder.addWidget(self.search)
        self.names = _NameList()
        self.names.setAccessibleName(tr("People on this unit"))
        self.names.setMinimumHeight(200)
        self.names.chosen.connect(self._choose)
        self.names.itemClicked.connect(self._choose)
        self.names.nothing_highlighted.connect(self._say_choose_one)
        self.names.letters.connect(self._letters_from_list)
        self.names.digit_typed.connect(self._digit_before_choosing)
        finder.addWidget(self.names, 1)

        panel = QVBoxLayout()
        row.addSpacing(24)
        row.addLayout(panel, 1)
        self.chosen_caption = muted(tr("Signing in as"))
        panel.addWidget(self.chosen_caption)
        self.chosen = plain(QLabel(""))
        self.chosen.setObjectName("chosen")
        self.chosen.setWordWrap(True)
        self.chosen.setAccessibleName(tr("Chosen person"))
        panel.addWidget(self.chosen)
        self.pin_label = plain(QLabel(tr("PIN")))
        self.pin_label.setProperty("role", "muted")
        panel.addWidget(self.pin_label)
        self.pin = pin_edit(tr("PIN"))
        self.pin.returnPressed.connect(self.submit)
        panel.addWidget(self.pin)
        self.message = plain(QLabel(""))
        self.message.setProperty("role", "error")
        self.message.setWordWrap(True)
        self.message.setAccessibleName(tr("Sign-in message"))
        panel.addWidget(self.message)
        self.button = primary_button(tr("&Sign in"))
        self.button.setMinimumHeight(48)
        self.button.clicked.connect(self.submit)
        panel.addWidget(self.button)
        self.not_you = button(tr("Not you? Sign out and choose your name"))
        self.not_you.setMinimumHeight(48)
        self.not_you.setToolTip(tr("Signs the locked person out; their drafts are kept for them"))
        self.not_you.clicked.connect(self.switch_person.emit)
        panel.addWidget(self.not_you)
        panel.addStretch(1)
        # An anonymous reporter follows and answers their report with its code alone:
        # nobody signs in for it, so nothing about a person is used.
        self.receipt_caption = muted(
            tr("Reported anonymously? Follow your report with its receipt code, no sign-in.")
        )
        self.receipt_caption.setWordWrap(True)
        panel.addWidget(self.receipt_caption)
        self.receipt_button = button(tr("Check a receipt…"), tr("Check a receipt"))
        self.receipt_button.setToolTip(
            tr("Follow an anonymous report with its receipt code, without signing in")
        )
        self.receipt_button.setMinimumHeight(44)
        self.receipt_button.clicked.connect(self.check_receipt)
        panel.addWidget(self.receipt_button)
        self.setTabOrder(self.search, self.names)
        self.setTabOrder(self.names, self.pin)
        self.setTabOrder(self.pin, self.button)
        self.setTabOrder(self.button, self.not_you)
        self.setTabOrder(self.not_you, self.receipt_button)
        self.reload()

    def check_receipt(self) -> None:
        """Check a receipt, in a dialog of its own, with no one signed in."""
        from hrohuddle.ui.events import CheckReceiptDialog

        self.receipt_dialog = CheckReceiptDialog(self.db, self.window())
        self.receipt_dialog.exec()
        self.receipt_dialog.deleteLater()
        self.receipt_dialog = None

    def reload(self, locked_for: Actor | None = None) -> None:
        """Refresh the list; a lock screen offers only the locked person's PIN."""
        self.locked_for = locked_for
        self.names.clear()
        self.pin.clear()
        self.message.clear()
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        self._set_chosen(None)
        locked = locked_for is not None
        self.finder.setVisible(not locked)
        self.not_you.setVisible(locked)
        self.chosen_caption.setVisible(not locked)
        # Who holds the locked screen, readable from across the room.
        self.title.setStyleSheet("font-size: 44px;" if locked else "")
        if locked_for is not None:
            self.chosen_id = locked_for.person_id
            self.chosen_name = locked_for.display_name
            self.chosen.setText(locked_for.display_name)
            self.chosen.setEnabled(True)
            self.chosen.setVisible(False)  # the title says it, larger
            self.title.setText(tr("Locked: {name}").format(name=locked_for.display_name))
            self.subtitle.setText(
                tr(
                    "This screen holds {name}'s work. Only {name}'s PIN opens it again. "
                    "Anyone else: choose “Not you?” below; {name}'s drafts are kept for them."
                ).format(name=locked_for.display_name)
            )
            self.pin_label.setText(tr("{name}'s PIN").format(name=locked_for.display_name))
            self.pin.setAccessibleName(tr("{name}'s PIN").format(name=locked_for.display_name))
            self.button.setText(tr("&Unlock"))
            return
        self.chosen.setVisible(True)
        self.pin_label.setText(tr("PIN"))
        self.pin.setAccessibleName(tr("PIN"))
        self.button.setText(tr("&Sign in"))
        self.title.setText(tr("Sign in"))
        self.subtitle.setText(tr("Find your name and choose it, then type your PIN."))
        for entry in signin.signin_roster(self.db, self.unit_id):
            item = QListWidgetItem(entry.display_name)
            item.setData(Qt.ItemDataRole.UserRole, entry.id)
            item.setData(Qt.ItemDataRole.UserRole + 1, entry.display_name)
            item.setSizeHint(QSize(0, 44))
            self.names.addItem(item)

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
        self._clear_highlight()
        if self.chosen_id is not None:
            self._set_chosen(None)
            self.pin.clear()
        self.message.clear()

    def _clear_highlight(self) -> None:
        self.names.setCurrentRow(-1)
        self.names.clearSelection()
        self.names.armed = False

    def _visible(self) -> list[QListWidgetItem]:
        return [
            self.names.item(i)
            for i in range(self.names.count())
            if not self.names.item(i).isHidden()
        ]

    def _enter_in_search(self) -> None:
        """Enter chooses only when exactly one person matches; never the top of several."""
        shown = self._visible()
        typed = " ".join(self.search.text().split())
        if not shown:
            self.message.setText(
                tr("No one matches “{typed}”; type the start of a first or last name.").format(
                    typed=typed
                )
            )
            self.search.setFocus()
            return
        if len(shown) == 1:
            self._choose(shown[0])
            return
        self._say_choose_one()
        self.names.setFocus()
        self._clear_highlight()

    def _say_choose_one(self) -> None:
        shown = self._visible()
        typed = " ".join(self.search.text().split())
        if typed:
            text = tr("{n} people match “{typed}”: choose one").format(n=len(shown), typed=typed)
        else:
            text = tr("Choose your name")
        self.message.setText(text + tr(" (Down and Enter, or a click), or type more of the name."))

    def _letters_from_list(self, text: str) -> None:
        """Typing in the list goes on with the search, so the list never picks by letter."""
        self.search.setFocus()
        if text == "\b":
            self.search.backspace()
        else:
            self.search.insert(text)

    def _digit_before_choosing(self) -> None:
        self.message.setText(
            tr(
                "Choose your name first; your PIN goes in the PIN box after that. "
                "Digits are not shown here."
            )
        )

    def _into_list(self) -> None:
        shown = self._visible()
        if shown:
            self.names.setFocus()
            self.names.setCurrentItem(shown[0])
            self.names.armed = True

    def _choose(self, item: QListWidgetItem) -> None:
        self.names.setCurrentItem(item)
        self._set_chosen(item)
        self.message.clear()
        self.pin.clear()
        self.pin.setFocus()
        assert self.chosen_id is not None
        try:
            wait = signin.sign_in_wait(self.db, self.chosen_id)
        except StoreError:
            wait = None
        if wait is not None:
            self.message.setText(wait)

    def submit(self) -> None:
        if self.chosen_id is None:
            self.message.setText(
                tr("Choose your name first: press Enter when it is the only one, or click it.")
            )
            self.search.setFocus()
            return
        if self.checking:
            return  # one PIN at a time: a second Enter waits for the first answer
        person_id = self.chosen_id
        pin = self.pin.text()
        self.pin.clear()
        if not pin:
            self.message.setText(tr("Type your PIN."))
            self.pin.setFocus()
            return
        # The PIN is checked off the GUI thread: its hash is slow on purpose (a tenth
        # of a second and more), and the window keeps repainting meanwhile.
        resume = self.locked_for
        db = self.db

        def check() -> Actor | _Refused | _Fault:
            try:
                return signin.sign_in(db, person_id, pin, resume=resume)
            except SignInRefused as exc:
                return _Refused(readable(exc), about_the_pin=True)
            except (StoreError, UserFacingError) as exc:
                return _Refused(readable(exc), about_the_pin=False)
            except Exception as exc:  # a fault: logged and shown, and the page usable again
                return _Fault(exc)

        self._set_checking(True)
        load_off_thread(self, check, self._checked, self.message, tr("Checking your PIN…"))

    def _set_checking(self, on: bool) -> None:
        self.checking = on
        self.pin.setReadOnly(on)
        self.button.setEnabled(not on)

    def _checked(self, result: Actor | _Refused | _Fault) -> None:
        self._set_checking(False)
        if isinstance(result, _Fault):
            report_bug(result.error)
            return
        if isinstance(result, _Refused):
            self.message.setText(result.message)
            if result.about_the_pin:
                self.pin.setFocus()
            return
        actor = result
        self.message.clear()
        try:
            notice = signin.wrong_pins_notice(self.db, actor)
        except UserFacingError:
            notice = None
        self.signed_in.emit(actor)
        if notice:
            self._tell(notice)

    def _tell(self, notice: str) -> None:
        """Wrong PINs typed for this account since its last sign-in: said once, not modal."""
        box = QMessageBox(self.window())
        box.setIcon(QMessageBox.Icon.Information)
        box.setWindowTitle(tr("Wrong PINs on your account"))
        box.setText(notice)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setAccessibleName(notice)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        self.last_notice = box


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
        self.message = plain(QLabel(""))
        self.message.setProperty("role", "error")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(tr("Create unit"))
        buttons.accepted.connect(self.create_unit)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def create_unit(self) -> None:
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
        except UserFacingError as exc:
            self.message.setText(readable(exc))
            return
        self.accept()
