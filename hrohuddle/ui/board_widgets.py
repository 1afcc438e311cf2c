"""The huddle board's type, its style sheet scaled to the screen, and the parts every
panel of the board and the huddle page are built of."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QIntValidator
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from hrohuddle.services import huddles, people, teaching
from hrohuddle.ui.common import format_date, tr
from hrohuddle.ui.styles import style_sheet


def text_scale() -> float:
    """The workstation's Larger/Smaller text setting (1.0 as installed)."""
    app = QApplication.instance()
    value = app.property("hroTextScale") if app is not None else None
    try:
        return max(0.7, min(2.5, float(value))) if value is not None else 1.0
    except (TypeError, ValueError):
        return 1.0


def board_style(screen_height: int = 1080, text: float = 1.0) -> str:
    """The board's style sheet (resources/styles/board.qss), its type scaled to the height
    it fills (22/32 px at 1080) and then by the workstation's text size, so Larger text
    enlarges the board too; 7:1 contrast everywhere."""
    scale = max(0.72, min(1.0, screen_height / 1080)) * text
    return style_sheet(
        "board",
        body=max(16, round(22 * scale)),
        heading=max(23, round(32 * scale)),
        title=max(24, round(34 * scale)),
        timer=max(26, round(36 * scale)),
    )


def style_tier(window_height: int) -> int:
    """The height the board's type is sized for: 1080, 900 or 768."""
    return 1080 if window_height >= 1000 else (900 if window_height >= 850 else 768)


def board_label(text: str, role: str) -> QLabel:
    label = QLabel(text)
    label.setProperty("role", role)
    label.setWordWrap(True)
    label.setAccessibleName(text)
    return label


def narrow(combo: QComboBox) -> QComboBox:
    """A combo box that takes the width it is given, not its longest choice's."""
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(8)
    return combo


def big_button(text: str, primary: bool = False) -> QPushButton:
    b = QPushButton(text)
    b.setAccessibleName(text.replace("&", ""))
    if primary:
        b.setProperty("primary", True)
    b.setMinimumHeight(48)
    # Never narrower than its words.
    b.setSizePolicy(QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Fixed)
    return b


class CountField(QLineEdit):
    """A whole number typed or stepped with the buttons beside it."""

    def __init__(self, low: int, high: int) -> None:
        super().__init__("0")
        self.low, self.high = low, high
        self.setValidator(QIntValidator(low, high, self))
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)

    def value(self) -> int:
        try:
            return max(self.low, min(self.high, int(self.text() or 0)))
        except ValueError:
            return self.low

    def setValue(self, value: int) -> None:
        self.setText(str(max(self.low, min(self.high, value))))

    def stepUp(self) -> None:
        self.setValue(self.value() + 1)

    def stepDown(self) -> None:
        self.setValue(self.value() - 1)


class Panel(QFrame):
    """One section of the board: a heading, a hint, its content."""

    def __init__(self, title: str, hint: str = "") -> None:
        super().__init__()
        self.setProperty("role", "panel")
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(12, 8, 12, 10)
        self.layout_.setSpacing(6)
        heading = board_label(title, "section")
        # A heading on one line, never broken between its words: the panel is as wide
        # as its heading and the buttons beside it.
        heading.setWordWrap(False)
        self.heading = heading
        self.header = QHBoxLayout()
        self.header.setContentsMargins(0, 0, 0, 0)
        self.header.addWidget(heading, 1)
        self.layout_.addLayout(self.header)
        self.hints: list[QLabel] = []
        if hint:
            label = board_label(hint, "hint")
            self.hints.append(label)
            self.layout_.addWidget(label)
        self.setAccessibleName(title)

    def add(self, widget: QWidget, stretch: int = 0) -> None:
        self.layout_.addWidget(widget, stretch)

    def add_to_heading(self, widget: QWidget) -> None:
        """Buttons beside the heading: the section's own actions, without a row of their own."""
        self.header.addWidget(widget)


def board_list(name: str) -> QListWidget:
    lst = QListWidget()
    lst.setAccessibleName(name)
    lst.setWordWrap(True)
    lst.setMinimumHeight(60)
    lst.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Ignored)
    lst.setVerticalScrollMode(QListWidget.ScrollMode.ScrollPerPixel)
    lst.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    lst.setTextElideMode(Qt.TextElideMode.ElideNone)
    return lst


class TeachingPointDialog(QDialog):
    """Change the teaching point: its words, who gave it, the principle it serves."""

    def __init__(
        self,
        parent: QWidget,
        point: huddles.ItemRow,
        team: list[people.PersonRow],
        principles: list[tuple[str, str]],
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Edit the teaching point"))
        form = QFormLayout(self)
        self.text = QLineEdit(point.text)
        self.text.setAccessibleName(tr("Teaching point"))
        self.text.setMinimumWidth(480)
        self.giver = narrow(QComboBox())
        self.giver.setAccessibleName(tr("Taught by"))
        for p in team:
            self.giver.addItem(p.display_name, p.id)
        self.giver.setCurrentIndex(max(0, self.giver.findData(point.author_id)))
        self.principle = QComboBox()
        self.principle.setAccessibleName(tr("HRO principle"))
        self.principle.addItem(tr("No principle"), None)
        for key, label in principles:
            self.principle.addItem(label, key)
        self.principle.setCurrentIndex(max(0, self.principle.findData(point.hro_principle)))
        form.addRow(tr("Teaching point"), self.text)
        form.addRow(tr("Taught by"), self.giver)
        form.addRow(tr("HRO principle"), self.principle)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)


class GoodCatchDialog(QDialog):
    """The good catches of the last 30 days whose reporters agreed they may teach: one is
    chosen to fill the huddle's teaching point. Shown in the board's type."""

    def __init__(self, parent: QWidget, offers: list[teaching.Offer]) -> None:
        super().__init__(parent)
        self.offers = offers
        self.chosen: teaching.Offer | None = None
        self.setWindowTitle(tr("A good catch as the teaching point"))
        self.setObjectName("board")
        self.setStyleSheet(parent.styleSheet() or board_style())
        screen = parent.screen().availableGeometry()
        self.resize(min(1100, screen.width() - 60), min(700, screen.height() - 80))
        layout = QVBoxLayout(self)
        intro = board_label(
            tr(
                "Good catches of the last 30 days whose reporters agreed they may be a "
                "teaching point. Choose one: it fills the teaching point, which you can "
                "still change before adding it."
            ),
            "hint",
        )
        layout.addWidget(intro)
        self.list = board_list(tr("Agreed good catches"))
        self.list.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        for offer in offers:
            source = (
                tr("in the reporter's own words") if offer.own_words else tr("reviewer's summary")
            )
            named = (
                tr("to be thanked by name: {name}").format(name=offer.named)
                if offer.named
                else tr("thanked without a name")
            )
            item = QListWidgetItem(
                f"{offer.text}\n{format_date(offer.reported_on)} · {offer.category} · "
                f"{source} · {named}"
            )
            item.setData(Qt.ItemDataRole.UserRole, offer.event_id)
            self.list.addItem(item)
        if not offers:
            empty = QListWidgetItem(
                tr("No good catch of the last 30 days was agreed as a teaching point.")
            )
            empty.setFlags(Qt.ItemFlag.NoItemFlags)
            self.list.addItem(empty)
        else:
            self.list.setCurrentRow(0)
        self.list.itemActivated.connect(lambda _item: self.accept())
        layout.addWidget(self.list, 1)
        buttons = QDialogButtonBox()
        self.use_button = big_button(tr("Use as teaching point"), primary=True)
        self.use_button.setEnabled(bool(offers))
        buttons.addButton(self.use_button, QDialogButtonBox.ButtonRole.AcceptRole)
        cancel = big_button(tr("Cancel"))
        buttons.addButton(cancel, QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.list.setFocus()

    def accept(self) -> None:
        row = self.list.currentRow()
        if not self.offers or not 0 <= row < len(self.offers):
            return
        self.chosen = self.offers[row]
        super().accept()
