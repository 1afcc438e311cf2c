"""A report's journey and conversation on screen: for its reporter (My reports, Check a
receipt) and for its reviewers (Review), with a box to write in and, for reviewers,
buttons that record the steps of the journey."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from PySide6.QtCore import QDate, QRect, QSize, Qt, Signal
from PySide6.QtGui import QKeySequence, QResizeEvent, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QSizePolicy,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from hrohuddle.errors import UserFacingError
from hrohuddle.services import conversation, journey
from hrohuddle.services.conversation import MessageRow
from hrohuddle.services.journey import StepRow
from hrohuddle.ui.common import (
    button,
    date_edit,
    fit_to_screen,
    format_date,
    heading,
    muted,
    plain,
    primary_button,
    readable,
    tr,
)

#: What the reporter's and the reviewer's kinds of message are called on the screen.
REPORTER_KINDS = (
    ("answer", "Answer a question"),
    ("detail", "Add detail"),
    ("again", "This happened again"),
)
#: A note first: asking the reporter (and awaiting their answer) is a choice.
REVIEWER_KINDS = (("note", "Write a note to the reporter"), ("question", "Ask the reporter"))

MERGED = (
    "This was joined with another report about the same thing. Its journey below goes on "
    "with what happened to that report. What you write here stays with your own report and "
    "still reaches the reviewers."
)
LOST_CODE = (
    "Lost your code? Nothing can recover it: the code is the only link to your report, and "
    "that is what keeps it anonymous. You are welcome to send a new report that refers to "
    "the old one (say when it was and what it was about)."
)

WAITING_RELEASE = (
    "Received · waiting to be passed on to the reviewers (anonymous reports are passed on "
    "in batches, so that nobody can tell who sent them)"
)

#: The conversation keeps at least this many lines on screen, however long the journey.
CONVERSATION_LINES = 5

#: The journey has at most this many rows worth showing at once (five steps and a join).
JOURNEY_ROWS = 6
#: A run of characters without a space longer than this may break anywhere on screen.
LONGEST_WORD = 30


class _Lines(QListWidget):
    """A list that asks for no more height than its minimum: it takes what the layout
    has to spare, and a pane that scrolls scrolls only when that minimum does not fit."""

    def sizeHint(self) -> QSize:
        return QSize(super().sizeHint().width(), max(self.minimumHeight(), 40))


def _list(name: str) -> QListWidget:
    lst = _Lines()
    lst.setAccessibleName(name)
    lst.setWordWrap(True)
    lst.setAlternatingRowColors(True)
    lst.setVerticalScrollMode(QListWidget.ScrollMode.ScrollPerPixel)
    # Every line wraps to the width: nothing scrolls sideways.
    lst.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    return lst


def breakable(text: str) -> str:
    """The text as shown, with a zero-width break point inside any very long word, so that a
    word without spaces wraps instead of running off the side (the stored text is kept)."""
    out = []
    for word in text.split(" "):
        if len(word) > LONGEST_WORD:
            word = "\u200b".join(
                word[i : i + LONGEST_WORD] for i in range(0, len(word), LONGEST_WORD)
            )
        out.append(word)
    return " ".join(out)


def step_line(step: StepRow) -> str:
    mark = "→" if step.step == "joined" else "✓"
    return f"{mark} {format_date(step.on_date)} · {tr(step.label)}\n{step.sentence}"


def message_line(m: MessageRow, *, reporter_view: bool) -> str:
    if m.sender == "reviewer":
        who = (m.author or tr("Reviewer")) if not reporter_view else tr("The unit's reviewers")
    else:
        who = tr("You") if reporter_view else (m.author or tr("The reporter (anonymous)"))
    if m.shift is not None:  # an anonymous reporter's: its shift, and when it was passed on
        shift = tr("day") if m.shift == "day" else tr("night")
        written = tr("written on the {shift} shift of {date}").format(
            shift=shift, date=format_date(m.sent_on)
        )
        if m.waiting:
            when = tr("{written}, waiting to be passed on").format(written=written)
        elif m.passed_on is not None:
            when = tr("{written}, passed on {date}").format(
                written=written, date=format_date(m.passed_on)
            )
        else:
            when = written
    elif m.waiting:
        when = tr("waiting to be passed on (sent {date})").format(date=format_date(m.sent_on))
    else:
        when = format_date(m.sent_on)
    return f"{who} · {tr(m.label)} · {when}\n{breakable(m.text)}"


class ThreadView(QWidget):
    """The journey, the conversation and a box to write in.

    ``send(kind, text)`` writes; a refusal is shown under the box and what was typed
    stays. ``sent`` is emitted after a message was accepted.
    """

    sent = Signal()

    def __init__(self, *, reporter_view: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.reporter_view = reporter_view
        self.send: Callable[[str, str], object] | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.merged = plain(QLabel(tr(MERGED)))
        self.merged.setWordWrap(True)
        self.merged.setProperty("role", "notice")
        self.merged.setVisible(False)
        layout.addWidget(self.merged)
        layout.addWidget(heading(tr("What became of it"), 1.1))
        self.steps = _list(tr("What became of the report"))
        # As tall as its steps (up to a whole journey) first, the conversation takes the rest.
        layout.addWidget(self.steps, 10)
        self.steps_bar = QHBoxLayout()
        layout.addLayout(self.steps_bar)
        layout.addWidget(heading(tr("Conversation"), 1.1))
        self.messages = _list(tr("Conversation about the report"))
        self.messages.setMinimumHeight(
            CONVERSATION_LINES * self.fontMetrics().lineSpacing()
            + 2 * self.messages.frameWidth()
            + 4
        )
        layout.addWidget(self.messages, 1)
        self.awaiting = plain(QLabel(tr("A question is waiting for your answer.")))
        self.awaiting.setProperty("role", "notice")
        self.awaiting.setVisible(False)
        layout.addWidget(self.awaiting)
        row = QHBoxLayout()
        self.kind = QComboBox()
        self.kind.setAccessibleName(tr("What kind of message"))
        for key, label in REPORTER_KINDS if reporter_view else REVIEWER_KINDS:
            self.kind.addItem(tr(label), key)
        row.addWidget(self.kind, 0, Qt.AlignmentFlag.AlignTop)
        # A refusal shows between the kind and Send, in room kept for it: nothing moves
        # when it shows or goes, so the next click lands where the last one did.
        self.problem = plain(QLabel(""))
        self.problem.setProperty("role", "error")
        self.problem.setWordWrap(True)
        self.problem.setAccessibleName(tr("Problem with the message"))
        self.problem.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.problem.setFixedHeight(3 * self.fontMetrics().lineSpacing() + 4)
        # Its width is what the row leaves over, whatever it says.
        policy = QSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        policy.setRetainSizeWhenHidden(True)
        self.problem.setSizePolicy(policy)
        self.problem.setVisible(False)
        row.addWidget(self.problem, 1)
        self.send_button = primary_button(tr("Send"))
        self.send_button.clicked.connect(self._send)
        row.addWidget(self.send_button, 0, Qt.AlignmentFlag.AlignTop)
        self.text = QPlainTextEdit()
        self.text.setTabChangesFocus(True)
        self.text.setAccessibleName(tr("Your message"))
        self.text.setPlaceholderText(
            tr("Plain words; no patient names or numbers. Ctrl+Enter sends.")
            if reporter_view
            else tr("A question or a note for the reporter; no patient names or numbers.")
        )
        self.text.setMaximumHeight(90)
        # Ctrl+Enter sends, as it sends a report from the capture form.
        send = QShortcut(QKeySequence("Ctrl+Return"), self.text)
        send.setContext(Qt.ShortcutContext.WidgetShortcut)
        send.activated.connect(self._send)
        layout.addWidget(self.text)
        layout.addLayout(row)
        # What was refused goes as the text is changed.
        self.text.textChanged.connect(self._text_changed)
        # Tab follows the screen from top to bottom: the box to write in, then what kind
        # of message and Send (the reviewers' step buttons go in after the journey).
        QWidget.setTabOrder(self.steps, self.messages)
        QWidget.setTabOrder(self.messages, self.text)
        QWidget.setTabOrder(self.text, self.kind)
        QWidget.setTabOrder(self.kind, self.send_button)

    def fit_journey(self) -> None:
        """Give the journey the height of its rows (at most ``JOURNEY_ROWS``), each
        wrapped to the width the list has now."""
        fm = self.steps.fontMetrics()
        frame = self.steps.frameWidth()
        scroll = self.steps.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
        width = max(100, self.width() - 2 * frame - scroll - 12)
        flags = int(Qt.TextFlag.TextWordWrap)
        rows = [
            fm.boundingRect(QRect(0, 0, width, 100_000), flags, self.steps.item(i).text()).height()
            + 4
            for i in range(min(self.steps.count(), JOURNEY_ROWS))
        ]
        line = fm.lineSpacing()
        shown = max(2 * line, sum(rows)) + 2 * frame + 4
        # Room for every step when the screen has it; never less than a few lines, and
        # never so much that the box to write in is pushed off a small screen.
        self.steps.setMaximumHeight(shown)
        self.steps.setMinimumHeight(min(shown, 5 * line))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit_journey()  # rows wrap to the width: a narrower view needs more height

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.fit_journey()

    def show_thread(
        self,
        steps: Sequence[StepRow],
        messages: Sequence[MessageRow],
        *,
        merged: bool = False,
        awaiting: bool = False,
        waiting_release: bool = False,
    ) -> None:
        self.merged.setVisible(merged)
        self.problem.setVisible(False)  # a refusal belongs to what was shown before
        self.steps.clear()
        for step in steps:
            self.steps.addItem(QListWidgetItem(step_line(step)))
        if waiting_release and not steps:  # an anonymous report not yet passed on
            self.steps.addItem(QListWidgetItem(tr(WAITING_RELEASE)))
        self.fit_journey()
        self.messages.clear()
        for m in messages:
            self.messages.addItem(
                QListWidgetItem(message_line(m, reporter_view=self.reporter_view))
            )
        if not messages:
            self.messages.addItem(tr("No messages yet."))
        self.messages.scrollToBottom()
        self.awaiting.setVisible(awaiting and self.reporter_view)
        if self.reporter_view:  # an answer when a question waits, else more detail
            self.kind.setCurrentIndex(
                max(0, self.kind.findData("answer" if awaiting else "detail"))
            )
        else:  # a note unless the reviewer chooses to ask
            self.kind.setCurrentIndex(max(0, self.kind.findData("note")))

    def clear(self) -> None:
        self.show_thread([], [])
        self.text.clear()
        self.problem.setVisible(False)

    def _text_changed(self) -> None:
        if not self.problem.isHidden():
            self.problem.setVisible(False)
            self.problem.setText("")

    def _send(self) -> None:
        if self.send is None:
            return
        try:
            self.send(str(self.kind.currentData()), self.text.toPlainText())
        except UserFacingError as exc:  # kept: the problem shows under the box, the text stays
            self.problem.setText(readable(exc))
            self.problem.setToolTip(readable(exc))
            self.problem.setVisible(True)
            self.text.setFocus()
            return
        self.text.clear()
        self.problem.setVisible(False)
        self.sent.emit()


class StepDialog(QDialog):
    """Record one step of a report's journey: its day and the sentence for the reporter."""

    def __init__(self, parent: QWidget, step: str, reported_on: dt.date) -> None:
        super().__init__(parent)
        self.step = step
        self.setWindowTitle(tr(journey.LABELS[step]))
        form = QFormLayout(self)
        form.addRow(
            muted(tr("The reporter reads this sentence, with the day, in their report's journey."))
        )
        self.sentence = QPlainTextEdit(tr(journey.DEFAULT_SENTENCES[step]))
        self.sentence.setTabChangesFocus(True)
        self.sentence.setAccessibleName(tr("Sentence for the reporter"))
        self.sentence.setMaximumHeight(110)
        today = QDate.currentDate()
        self.on = date_edit(today)
        self.on.setMinimumDate(QDate(reported_on.year, reported_on.month, reported_on.day))
        self.on.setMaximumDate(today)
        self.on.setAccessibleName(tr("When"))
        form.addRow(tr("Sentence for the reporter"), self.sentence)
        form.addRow(tr("When"), self.on)
        self.problem = plain(QLabel(""))
        self.problem.setProperty("role", "error")
        self.problem.setWordWrap(True)
        self.problem.setVisible(False)
        form.addRow(self.problem)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(tr("Record the step"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        #: Saves the step; a refusal keeps the dialog open with what was typed.
        self.save: Callable[[], object] | None = None
        fit_to_screen(self, 520)

    def day(self) -> dt.date:
        q = self.on.date()
        return dt.date(q.year(), q.month(), q.day())

    def accept(self) -> None:
        if self.save is not None:
            try:
                self.save()
            except UserFacingError as exc:  # kept: the problem shows in the dialog
                self.problem.setText(readable(exc))
                self.problem.setVisible(True)
                return
        super().accept()


STEP_BUTTONS = (
    ("local_fix", "Local fix made…"),
    ("shared", "Shared…"),
    ("system_change", "Lasting change…"),
)


def reviewer_thread_view(record: Callable[[str], None]) -> ThreadView:
    """The reviewers' view: the thread, with buttons that record the steps by hand."""
    view = ThreadView(reporter_view=False)
    before: QWidget = view.steps
    for key, label in STEP_BUTTONS:
        b = button(tr(label), tr("Record: {step}").format(step=tr(journey.LABELS[key])))
        b.clicked.connect(lambda _=False, k=key: record(k))
        view.steps_bar.addWidget(b)
        QWidget.setTabOrder(before, b)  # under the journey, before the conversation
        before = b
    QWidget.setTabOrder(before, view.messages)
    view.steps_bar.addStretch(1)
    return view


def kind_label(kind: str) -> str:
    return tr(conversation.LABELS.get(kind, kind))
