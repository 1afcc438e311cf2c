"""Safety event capture (quick, keyboard-first, anonymous if wished), my reports,
receipt look-up, and triage for charge nurses and managers."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from PySide6.QtCore import (
    QDate,
    QDateTime,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
)
from PySide6.QtGui import QHideEvent, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QRadioButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QTabWidget,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from hrohuddle.services import drafts, events, people
from hrohuddle.services.errors import EditConflict, IdentifierWarning, ServiceError
from hrohuddle.services.permissions import Actor
from hrohuddle.services.shifts import ShiftClock
from hrohuddle.services.vocabulary import common_formats_class, source_line, taxonomy
from hrohuddle.store.database import Database
from hrohuddle.store.errors import StoreError
from hrohuddle.ui import common
from hrohuddle.ui.common import (
    DateTimeEdit,
    button,
    date_edit,
    format_date,
    heading,
    muted,
    poke_draft_timer,
    primary_button,
    show_problem,
    tell,
    tr,
)
from hrohuddle.ui.rows_model import RowsModel
from hrohuddle.wording import count

log = logging.getLogger(__name__)
DRAFT_KIND = "event_form"
#: The key of each person's anonymous draft, held in memory only: the stored draft has
#: no author, so nothing at rest can say whose it is (services.drafts.save_anonymous).
_ANONYMOUS_DRAFT_KEYS: dict[int, str] = {}
Index = QModelIndex | QPersistentModelIndex


def _labels(name: str) -> dict[str, str]:
    return {t.key: t.label for t in taxonomy().terms(name)}


class CaptureDialog(QDialog):
    """Quick capture: the common case in six fields; more detail if wished."""

    def __init__(self, db: Database, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.actor = actor
        self.submitted: events.Submitted | None = None
        self.setWindowTitle(tr("Report a safety event"))
        self.setMinimumWidth(600)
        tax = taxonomy()
        self.unit = people.unit_settings(db, actor.unit_id)
        outer = QVBoxLayout(self)
        outer.addWidget(heading(tr("Report a safety event")))
        outer.addWidget(
            muted(
                tr(
                    "It takes a minute. Thank you: what you noticed helps "
                    "everyone. No patient names or numbers, please."
                )
            )
        )
        # The form scrolls inside the dialog, so Send and Keep draft stay on screen on a
        # small laptop screen and with larger text.
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll_area = scroll
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(0, 0, 8, 0)
        scroll.setWidget(body)
        outer.addWidget(scroll, 1)
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        layout.addLayout(form)
        self.errors: dict[str, QLabel] = {}
        self.fields: dict[str, QWidget] = {}

        def field_error(key: str, widget: QWidget) -> QLabel:
            label = QLabel("")
            label.setProperty("role", "error")
            label.setWordWrap(True)
            label.setVisible(False)
            self.errors[key] = label
            self.fields[key] = widget
            return label

        kinds = QWidget()
        kind_row = QGridLayout(kinds)
        kind_row.setContentsMargins(0, 0, 0, 0)
        self.kind_group = QButtonGroup(self)
        self.kind_buttons: dict[str, QRadioButton] = {}
        for n, term in enumerate(tax.terms("kinds")):
            radio = QRadioButton(term.label)
            radio.setToolTip(str(term.get("help", "")))
            radio.setAccessibleName(f"{term.label}: {term.get('help', '')}")
            radio.setMinimumHeight(36)
            self.kind_group.addButton(radio)
            self.kind_buttons[term.key] = radio
            kind_row.addWidget(radio, n // 3, n % 3)
        self.kind_help = muted("")
        form.addRow(tr("1. What kind?"), kinds)
        form.addRow("", self.kind_help)
        form.addRow("", field_error("kind", kinds))

        self.narrative = QPlainTextEdit()
        self.narrative.setTabChangesFocus(True)
        self.narrative.setAccessibleName(tr("What happened"))
        self.narrative.setPlaceholderText(tr("What happened, and what you noticed"))
        # Six lines to start with (more scroll inside it): the quick form then fits a
        # 1366x768 screen whole, down to "Report anonymously" and what it promises.
        lines = self.narrative.fontMetrics().lineSpacing()
        self.narrative.setMinimumHeight(max(90, 4 * lines))
        self.narrative.setMaximumHeight(6 * lines + 16)
        form.addRow(tr("2. What happened?"), self.narrative)
        form.addRow("", field_error("narrative", self.narrative))

        when_row = QWidget()
        wr = QHBoxLayout(when_row)
        wr.setContentsMargins(0, 0, 0, 0)
        self.when = DateTimeEdit(QDateTime.currentDateTime())
        self.when.setAccessibleName(tr("When it happened"))
        self.shift_label = muted("")
        wr.addWidget(self.when)
        wr.addWidget(self.shift_label, 1)
        form.addRow(tr("3. When?"), when_row)
        form.addRow("", field_error("occurred_at", self.when))

        self.area = QComboBox()
        self.area.setAccessibleName(tr("Where"))
        self.area.addItem(tr("Not sure / elsewhere"), None)
        for a in self.unit.areas:
            self.area.addItem(a, a)
        form.addRow(tr("4. Where?"), self.area)
        form.addRow("", field_error("area", self.area))

        self.category = QComboBox()
        self.category.setAccessibleName(tr("Event category"))
        self.category.addItem(tr("Choose a category"), None)
        for t in tax.terms("categories"):
            self.category.addItem(t.label, t.key)
        self.category.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.category.setMinimumContentsLength(20)
        form.addRow(tr("5. Category"), self.category)
        form.addRow("", field_error("category", self.category))

        # Harm: incidents only, each level's definition beside it, wrapped to the width.
        self.harm_box = QGroupBox(
            tr("6. Harm to the patient (when two levels seem to fit, choose the higher)")
        )
        harm_layout = QGridLayout(self.harm_box)
        harm_layout.setColumnStretch(1, 1)
        self.harm_group = QButtonGroup(self)
        self.harm_buttons: dict[str, QRadioButton] = {}
        self.harm_definitions: dict[str, QLabel] = {}
        for n, t in enumerate(tax.terms("harm")):
            radio = QRadioButton(t.label)
            radio.setAccessibleName(f"{t.label}: {t.get('definition', '')}")
            definition = muted(str(t.get("definition", "")))
            definition.setBuddy(radio)
            self.harm_group.addButton(radio)
            self.harm_buttons[t.key] = radio
            self.harm_definitions[t.key] = definition
            harm_layout.addWidget(radio, n, 0, Qt.AlignmentFlag.AlignTop)
            harm_layout.addWidget(definition, n, 1)
        layout.addWidget(self.harm_box)
        layout.addWidget(field_error("harm", self.harm_box))

        self.stop_box = QGroupBox(tr("6. What stopped it reaching the patient?"))
        stop_layout = QVBoxLayout(self.stop_box)
        self.stop_group = QButtonGroup(self)
        self.stop_buttons: dict[str, QRadioButton] = {}
        for t in tax.terms("stopped_by"):
            radio = QRadioButton(t.label)
            radio.setAccessibleName(t.label)
            self.stop_group.addButton(radio)
            self.stop_buttons[t.key] = radio
            stop_layout.addWidget(radio)
        layout.addWidget(self.stop_box)
        layout.addWidget(field_error("stopped_by", self.stop_box))

        self.anonymous = QCheckBox(tr("Report anonymously"))
        self.anonymous.setAccessibleName(tr("Report anonymously"))
        layout.addWidget(self.anonymous)
        self.anonymous_note = muted(
            tr(
                "Nothing will link an anonymous report to you; you get a receipt code "
                "to see what became of it."
            )
        )
        layout.addWidget(self.anonymous_note)

        self.more_button = button(tr("More detail (optional) ▸"))
        self.more_button.setCheckable(True)
        layout.addWidget(self.more_button)
        self.more = QWidget()
        more_form = QFormLayout(self.more)
        more_form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.noticed = QComboBox()
        self.noticed.setAccessibleName(tr("Who noticed it first"))
        self.noticed.addItem(tr("Not said"), None)
        for t in tax.terms("noticed_by"):
            self.noticed.addItem(t.label, t.key)
        more_form.addRow(tr("Who noticed it first"), self.noticed)
        self.factors = QListWidget()
        self.factors.setAccessibleName(tr("Contributing factors"))
        for t in tax.terms("contributing_factors"):
            item = QListWidgetItem(t.label)
            item.setData(Qt.ItemDataRole.UserRole, t.key)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.factors.addItem(item)
        self.factors.setMinimumHeight(130)
        more_form.addRow(tr("Contributing factors"), self.factors)
        self.handover = QCheckBox(tr("A handover or transfer was involved"))
        more_form.addRow("", self.handover)
        self.prevention = QLineEdit()
        self.prevention.setAccessibleName(tr("How it could be prevented"))
        more_form.addRow(tr("How could it be prevented?"), self.prevention)
        more_form.addRow("", field_error("prevention", self.prevention))
        self.more.setVisible(False)
        self.more_button.toggled.connect(self._toggle_more)
        layout.addWidget(self.more)
        layout.addStretch(1)

        # Outside the scrolling form: always on screen. The lines about the draft and
        # the problems show only when they say something, so that the form reaches
        # down to the buttons.
        self.draft_row = QWidget()
        draft_row = QHBoxLayout(self.draft_row)
        draft_row.setContentsMargins(0, 0, 0, 0)
        self.draft_note = muted("")
        self.draft_note.setAccessibleName(tr("About your draft"))
        self.discard_button = button(tr("Discard draft"))
        self.discard_button.clicked.connect(self.discard_draft)
        self.discard_button.setVisible(False)
        draft_row.addWidget(self.draft_note, 1)
        draft_row.addWidget(self.discard_button)
        self.draft_row.setVisible(False)
        outer.addWidget(self.draft_row)
        self.message = QLabel("")
        self.message.setProperty("role", "error")
        self.message.setWordWrap(True)
        self.message.setAccessibleName(tr("Problem with the report"))
        self.message.setVisible(False)
        outer.addWidget(self.message)
        row = QHBoxLayout()
        row.addStretch(1)
        later = button(tr("Keep as draft and close"))
        later.clicked.connect(self.reject)
        self.submit_button = primary_button(tr("Send report (Ctrl+Enter)"))
        self.submit_button.clicked.connect(self.submit)
        row.addWidget(later)
        row.addWidget(self.submit_button)
        layout.addWidget(muted(source_line("taxonomies/common_formats.yaml")))
        outer.addLayout(row)
        QShortcut(QKeySequence("Ctrl+Return"), self, self.submit)

        self.draft_timer = QTimer(self)
        self.draft_timer.setSingleShot(True)
        self.draft_timer.setInterval(800)
        self.draft_timer.timeout.connect(self.save_draft)
        for signal in (
            self.narrative.textChanged,
            self.kind_group.buttonToggled,
            self.category.currentIndexChanged,
            self.area.currentIndexChanged,
            self.when.dateTimeChanged,
            self.harm_group.buttonToggled,
            self.stop_group.buttonToggled,
            self.anonymous.toggled,
            self.prevention.textEdited,
            self.noticed.currentIndexChanged,
            self.handover.toggled,
            self.factors.itemChanged,
        ):
            signal.connect(lambda *_: poke_draft_timer(self.draft_timer))
        self.kind_group.buttonToggled.connect(lambda *_: self._kind_changed())
        self.when.dateTimeChanged.connect(lambda *_: self._shift_changed())
        # Kept with the draft: sending again after a crash or a double press stores it once.
        self.submission_key = events.new_submission_key()
        self._restore_draft()
        self._kind_changed()
        self._shift_changed()
        self.kind_buttons["near_miss"].setFocus()

    # -- state ---------------------------------------------------------------------------
    def kind(self) -> str | None:
        for key, b in self.kind_buttons.items():
            if b.isChecked():
                return key
        return None

    def _checked(self, buttons: dict[str, QRadioButton]) -> str | None:
        return next((k for k, b in buttons.items() if b.isChecked()), None)

    def _kind_changed(self) -> None:
        kind = self.kind()
        self.harm_box.setVisible(kind in events.HARM_KINDS)
        self.stop_box.setVisible(kind in events.STOPPED_KINDS)
        helps = {t.key: str(t.get("help", "")) for t in taxonomy().terms("kinds")}
        text = helps.get(kind or "", tr("Choose one."))
        cf_class = common_formats_class(kind) if kind else None
        if cf_class is not None:
            text += " " + tr("Reported to Common Formats as: {c}.").format(c=cf_class.label)
        self.kind_help.setText(text)
        common.fit_to_screen(self, 760)

    def _shift_changed(self) -> None:
        _day, shift = ShiftClock.of(self.unit).shift_of(self._when())
        self.shift_label.setText(tr("Day shift") if shift == "day" else tr("Night shift"))

    def _toggle_more(self, on: bool) -> None:
        self.more.setVisible(on)
        self.more_button.setText(
            tr("More detail (optional) ▾") if on else tr("More detail (optional) ▸")
        )
        common.fit_to_screen(self, 760)
        if on:
            self.scroll_area.ensureWidgetVisible(self.prevention)

    def _when(self) -> dt.datetime:
        when = self.when.dateTime().toPython()
        assert isinstance(when, dt.datetime)
        return when.replace(second=0, microsecond=0)

    def value(self) -> events.EventInput:
        kind = self.kind() or ""
        return events.EventInput(
            kind=kind,
            narrative=self.narrative.toPlainText(),
            category=self.category.currentData() or "",
            occurred_at=self._when(),
            area=self.area.currentData(),
            harm=self._checked(self.harm_buttons) if kind in events.HARM_KINDS else None,
            stopped_by=self._checked(self.stop_buttons) if kind in events.STOPPED_KINDS else None,
            noticed_by=self.noticed.currentData(),
            contributing_factors=[
                self.factors.item(i).data(Qt.ItemDataRole.UserRole)
                for i in range(self.factors.count())
                if self.factors.item(i).checkState() == Qt.CheckState.Checked
            ],
            handover=True if self.handover.isChecked() else None,
            prevention=self.prevention.text() or None,
            anonymous=self.anonymous.isChecked(),
        )

    # -- drafts --------------------------------------------------------------------------
    def save_draft(self) -> None:
        v = self.value()
        payload = {
            "kind": v.kind,
            "narrative": v.narrative,
            "category": v.category,
            "when": v.occurred_at.isoformat(),
            "area": v.area,
            "harm": v.harm,
            "stopped_by": v.stopped_by,
            "anonymous": v.anonymous,
            "noticed_by": v.noticed_by,
            "factors": v.contributing_factors,
            "handover": v.handover,
            "prevention": v.prevention,
        }
        if not v.narrative.strip() and not v.kind:
            payload = {}
        else:
            payload["submission_key"] = self.submission_key
        me = self.actor.person_id
        try:
            if v.anonymous:
                key = drafts.save_anonymous(
                    self.db,
                    self.actor,
                    _ANONYMOUS_DRAFT_KEYS.get(me),
                    payload,
                    named_kind=DRAFT_KIND,
                )
                if key:
                    _ANONYMOUS_DRAFT_KEYS[me] = key
                else:
                    _ANONYMOUS_DRAFT_KEYS.pop(me, None)
            else:
                drafts.discard_anonymous(self.db, _ANONYMOUS_DRAFT_KEYS.pop(me, None))
                drafts.save(self.db, self.actor, DRAFT_KIND, "", payload)
        except StoreError as exc:
            log.warning("event draft not saved: %s", exc.message)

    def _discard_drafts(self) -> None:
        drafts.discard_anonymous(self.db, _ANONYMOUS_DRAFT_KEYS.pop(self.actor.person_id, None))
        drafts.discard(self.db, self.actor, DRAFT_KIND, "")

    def _restore_draft(self) -> None:
        d = drafts.load_anonymous(
            self.db, _ANONYMOUS_DRAFT_KEYS.get(self.actor.person_id)
        ) or drafts.load(self.db, self.actor, DRAFT_KIND, "")
        if not d:
            return
        if isinstance(d.get("submission_key"), str):
            self.submission_key = d["submission_key"]
        if d.get("kind") in self.kind_buttons:
            self.kind_buttons[d["kind"]].setChecked(True)
        self.narrative.setPlainText(str(d.get("narrative") or ""))
        for combo, key in (
            (self.category, "category"),
            (self.area, "area"),
            (self.noticed, "noticed_by"),
        ):
            idx = combo.findData(d.get(key))
            if idx >= 0:
                combo.setCurrentIndex(idx)
        if d.get("when"):
            self.when.setDateTime(QDateTime(dt.datetime.fromisoformat(d["when"])))
        for buttons, key in ((self.harm_buttons, "harm"), (self.stop_buttons, "stopped_by")):
            if d.get(key) in buttons:
                buttons[d[key]].setChecked(True)
        self.anonymous.setChecked(bool(d.get("anonymous")))
        self.handover.setChecked(bool(d.get("handover")))
        self.prevention.setText(str(d.get("prevention") or ""))
        for i in range(self.factors.count()):
            item = self.factors.item(i)
            if item.data(Qt.ItemDataRole.UserRole) in (d.get("factors") or []):
                item.setCheckState(Qt.CheckState.Checked)
        self._draft_says(tr("Your unsent draft is back."))
        self.discard_button.setVisible(True)

    def _draft_says(self, text: str) -> None:
        self.draft_note.setText(text)
        self.draft_row.setVisible(bool(text))

    def _problem_says(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def discard_draft(self) -> None:
        """Throw the draft away (after asking): the form starts empty again."""
        # No is the default: Enter keeps what was typed.
        answer = QMessageBox.question(
            self,
            tr("Discard draft"),
            tr("Discard this draft? What you typed will be gone."),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        self.draft_timer.stop()
        self._discard_drafts()
        for group in (self.kind_group, self.harm_group, self.stop_group):
            group.setExclusive(False)
            for b in group.buttons():
                b.setChecked(False)
            group.setExclusive(True)
        self.narrative.clear()
        self.category.setCurrentIndex(0)
        self.area.setCurrentIndex(0)
        self.noticed.setCurrentIndex(0)
        self.when.setDateTime(QDateTime.currentDateTime())
        self.anonymous.setChecked(False)
        self.handover.setChecked(False)
        self.prevention.clear()
        for i in range(self.factors.count()):
            self.factors.item(i).setCheckState(Qt.CheckState.Unchecked)
        self.draft_timer.stop()
        self._discard_drafts()
        self._draft_says(tr("Draft discarded."))
        self.discard_button.setVisible(False)
        self._show_errors({})

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Ctrl+Enter sends from any field, also where the shortcut map is not consulted.
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and (
            event.modifiers() & Qt.KeyboardModifier.ControlModifier
        ):
            self.submit()
            return
        super().keyPressEvent(event)

    def reject(self) -> None:
        self.draft_timer.stop()
        self.save_draft()
        super().reject()

    def hideEvent(self, event: QHideEvent) -> None:
        # However the dialog goes away, what is typed is kept and its timer stops.
        if self.draft_timer.isActive():
            self.draft_timer.stop()
            self.save_draft()
        super().hideEvent(event)

    def _missing(self, data: events.EventInput) -> dict[str, str]:
        """Everything still to fill in, all at once (the service checks again)."""
        out: dict[str, str] = {}
        if not data.kind:
            out["kind"] = tr("Choose what kind of event it was.")
        if not data.narrative.strip():
            out["narrative"] = tr("Say in a few words what happened.")
        if not data.category:
            out["category"] = tr("Choose a category.")
        if data.kind in events.HARM_KINDS and not data.harm:
            out["harm"] = tr("Choose the harm level (when two seem to fit, choose the higher).")
        return out

    def _show_errors(self, errors: dict[str, str]) -> None:
        """Each problem at its field, the field marked, focus on the first."""
        first: QWidget | None = None
        for key, label in self.errors.items():
            text = errors.get(key, "")
            label.setText(text)
            label.setVisible(bool(text))
            widget = self.fields[key]
            widget.setProperty("invalid", bool(text))
            widget.style().unpolish(widget)
            widget.style().polish(widget)
            if text and first is None:
                first = widget
        if errors:
            n = len(errors)
            self._problem_says(
                (
                    tr("Please check 1 field: ")
                    if n == 1
                    else tr("Please check {n} fields: ").format(n=n)
                )
                + " ".join(errors.values())
            )
        else:
            self._problem_says("")
        if first is not None:
            self.scroll_area.ensureWidgetVisible(first)
            target = self.kind_buttons["near_miss"] if first is self.fields["kind"] else first
            if first is self.fields.get("harm"):
                target = self.harm_buttons[next(iter(self.harm_buttons))]
            target.setFocus()

    def submit(self) -> None:
        if self.submitted is not None:
            return  # a second press while the first was being stored
        data = self.value()
        missing = self._missing(data)
        if missing:
            self._show_errors(missing)
            return
        try:
            sent = events.report(self.db, self.actor, data, submission_key=self.submission_key)
        except IdentifierWarning as exc:
            self._show_errors({exc.field or "narrative": exc.message})
            target = self.narrative if exc.field == "narrative" else None
            if target is not None:
                mark_findings(target, exc.findings)
            return
        except (ServiceError, StoreError) as exc:
            field = getattr(exc, "field", None)
            if field in self.errors:
                self._show_errors({field: exc.message})
            else:
                self._show_errors({})
                self._problem_says(exc.message)
            return
        self.draft_timer.stop()
        self._discard_drafts()
        self.submitted = sent
        self.accept()
        if sent.receipt_code:
            ReceiptDialog(sent.receipt_code, self.parentWidget()).exec()
        elif data.anonymous:
            QMessageBox.information(
                self.parentWidget(),
                tr("Report already sent"),
                tr(
                    "This report had already been sent, and is stored once. Its receipt "
                    "code was shown when it was first sent."
                ),
            )
        else:
            QMessageBox.information(
                self.parentWidget(),
                tr("Report sent"),
                tr("Thank you. You can follow it under My reports."),
            )


def mark_findings(edit: QPlainTextEdit, findings: list[Any]) -> None:
    """Highlight every finding in the text, select the first and scroll it into view."""
    from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor

    marks = []
    for f in findings:
        cursor = edit.textCursor()
        cursor.setPosition(f.start)
        cursor.setPosition(f.end, QTextCursor.MoveMode.KeepAnchor)
        fmt = QTextCharFormat()
        fmt.setBackground(QColor("#FDE7C2"))
        fmt.setForeground(QColor("#111111"))
        fmt.setFontUnderline(True)
        selection = QTextEdit.ExtraSelection()
        selection.cursor = cursor
        selection.format = fmt
        marks.append(selection)
    edit.setExtraSelections(marks)
    if findings:
        cursor = edit.textCursor()
        cursor.setPosition(findings[0].start)
        cursor.setPosition(findings[0].end, QTextCursor.MoveMode.KeepAnchor)
        edit.setTextCursor(cursor)
        edit.ensureCursorVisible()
        edit.setFocus()


class ReceiptDialog(QDialog):
    """The receipt code of an anonymous report: large, selectable, copied or printed on a slip."""

    def __init__(self, code: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.code = code
        self.setWindowTitle(tr("Report sent anonymously"))
        layout = QVBoxLayout(self)
        layout.addWidget(heading(tr("Thank you. Your receipt code:")))
        self.code_label = QLabel(code)
        self.code_label.setObjectName("receipt-code")
        font = self.code_label.font()
        font.setPointSizeF(font.pointSizeF() * 2.4)
        font.setBold(True)
        font.setFamily("monospace")
        font.setLetterSpacing(font.SpacingType.AbsoluteSpacing, 3)
        self.code_label.setFont(font)
        self.code_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.code_label.setAccessibleName(tr("Receipt code {code}").format(code=" ".join(code)))
        self.code_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.code_label)
        layout.addWidget(
            muted(
                tr(
                    "Copy it, print it on a slip or write it down: with it, anyone can see what "
                    "became of the report (Safety reports → Check a receipt). It is shown only "
                    "this once and nothing else links the report to you."
                )
            )
        )
        row = QHBoxLayout()
        self.copy_button = button(tr("Copy code"))
        self.copy_button.clicked.connect(self.copy)
        self.print_button = button(tr("Print slip…"))
        self.print_button.clicked.connect(self.print_slip)
        done = primary_button(tr("Done"))
        done.clicked.connect(self.accept)
        row.addWidget(self.copy_button)
        row.addWidget(self.print_button)
        row.addStretch(1)
        row.addWidget(done)
        layout.addLayout(row)
        self.status = muted("")
        layout.addWidget(self.status)
        common.fit_to_screen(self, 520)

    def copy(self) -> None:
        QApplication.clipboard().setText(self.code)
        self.status.setText(tr("Copied. Paste it somewhere only you can read."))

    def slip_html(self) -> str:
        return (
            "<h2>" + tr("HRO Huddle: receipt for an anonymous report") + "</h2>"
            f"<p style='font-size:28pt; font-family:monospace'><b>{self.code}</b></p>"
            "<p>" + tr("Safety reports → Check a receipt shows what became of it.") + "</p>"
        )

    def print_slip(self) -> None:
        from PySide6.QtGui import QTextDocument
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        printer = QPrinter()
        dialog = QPrintDialog(printer, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        doc = QTextDocument()
        doc.setHtml(self.slip_html())
        doc.print_(printer)
        self.status.setText(tr("Sent to the printer."))


def _day(q: QDate) -> dt.date:
    return dt.date(q.year(), q.month(), q.day())


class EventModel(RowsModel[events.ReportRow]):
    COLUMNS = ("When", "Kind", "Category", "Harm", "Status", "Area", "Reporter", "What happened")

    def __init__(self) -> None:
        super().__init__()
        self.kinds = _labels("kinds")
        self.categories = _labels("categories")
        self.harms = _labels("harm")
        self.statuses = _labels("statuses")

    def cell(self, r: events.ReportRow, col: int, *, full: bool) -> Any:
        if col == 0:
            when = events.to_local(r.occurred_at)
            return f"{format_date(when.date())} {when:%H:%M}"
        if col == 1:
            return self.kinds.get(r.kind, r.kind)
        if col == 2:
            return self.categories.get(r.category, r.category)
        if col == 3:
            return self.harms.get(r.harm or "", "")
        if col == 4:
            return self.statuses.get(r.status, r.status)
        if col == 5:
            return r.area or ""
        if col == 6:
            if r.anonymous:
                return tr("anonymous")
            return f"{r.reporter} ({tr('learner') if r.reporter_is_learner else tr('staff')})"
        text = " ".join(r.narrative.split())
        return text if full else text[:120]


class ReviewTab(QWidget):
    PAGE = 100

    def __init__(self, db: Database, actor: Actor) -> None:
        super().__init__()
        self.db = db
        self.actor = actor
        self.offset = 0
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.kind = QComboBox()
        self.kind.setAccessibleName(tr("Kind"))
        self.kind.addItem(tr("All kinds"), None)
        for k, v in _labels("kinds").items():
            self.kind.addItem(v, k)
        self.status = QComboBox()
        self.status.setAccessibleName(tr("Status"))
        self.status.addItem(tr("Any status"), None)
        for k, v in _labels("statuses").items():
            self.status.addItem(v, k)
        self.category = QComboBox()
        self.category.setAccessibleName(tr("Category"))
        self.category.addItem(tr("All categories"), None)
        for k, v in _labels("categories").items():
            self.category.addItem(v, k)
        self.group = QComboBox()
        self.group.setAccessibleName(tr("Reporter group"))
        for label, key in (
            (tr("Everyone"), None),
            (tr("Learners"), "learners"),
            (tr("Staff"), "staff"),
            (tr("Anonymous"), "anonymous"),
        ):
            self.group.addItem(label, key)
        self.since = date_edit(QDate.currentDate().addDays(-90))
        self.since.setAccessibleName(tr("From"))
        self.until = date_edit(QDate.currentDate())
        self.until.setAccessibleName(tr("To"))
        self.search = QLineEdit()
        self.search.setPlaceholderText(tr("Search the text"))
        self.search.setAccessibleName(tr("Search the text"))
        self.search.returnPressed.connect(self.reload)
        self.search.setMinimumWidth(self.search.fontMetrics().horizontalAdvance("M" * 16))
        go = primary_button(tr("Show"))
        go.clicked.connect(self.reload)
        # Two rows: what is reported, then when and which words; the search box has room
        # for its words on a laptop screen.
        for w in (self.kind, self.status, self.category, self.group):
            bar.addWidget(w)
        bar.addStretch(1)
        layout.addLayout(bar)
        second = QHBoxLayout()
        for part in (QLabel(tr("From")), self.since, QLabel(tr("to")), self.until):
            second.addWidget(part)
        second.addWidget(self.search, 1)
        second.addWidget(go)
        layout.addLayout(second)
        split = QSplitter()
        left = QWidget()
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 0, 0)
        self.model = EventModel()
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName(tr("Safety reports"))
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        # Column widths from the first rows, not from every cell of the page.
        self.table.horizontalHeader().setResizeContentsPrecision(40)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.selectionModel().currentRowChanged.connect(self._selected)
        lv.addWidget(self.table)
        pager = QHBoxLayout()
        self.prev = button(tr("◂ Newer"))
        self.prev.clicked.connect(lambda: self._page(-1))
        self.next = button(tr("Older ▸"))
        self.next.clicked.connect(lambda: self._page(1))
        self.count = muted("")
        pager.addWidget(self.prev)
        pager.addWidget(self.next)
        pager.addWidget(self.count, 1)
        lv.addLayout(pager)
        split.addWidget(left)
        # The chosen report scrolls in its own area, however long it is; the review form
        # below it stays where it is.
        right = QWidget()
        column = QVBoxLayout(right)
        column.setContentsMargins(0, 0, 0, 0)
        self.detail = QLabel(tr("Choose a report."))
        self.detail.setWordWrap(True)
        self.detail.setTextFormat(Qt.TextFormat.PlainText)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail.setAccessibleName(tr("Report details"))
        self.detail_scroll = QScrollArea()
        self.detail_scroll.setWidgetResizable(True)
        self.detail_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.detail_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.detail_scroll.setAccessibleName(tr("The chosen report"))
        holder = QWidget()
        held = QVBoxLayout(holder)
        held.setContentsMargins(0, 0, 8, 0)
        held.addWidget(self.detail)
        held.addStretch(1)
        self.detail_scroll.setWidget(holder)
        column.addWidget(self.detail_scroll, 1)
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        column.addLayout(form)
        self.new_status = QComboBox()
        self.new_status.setAccessibleName(tr("New status"))
        for k, v in _labels("statuses").items():
            self.new_status.addItem(v, k)
        self.reason = QLineEdit()
        self.reason.setAccessibleName(tr("Reason (needed for not actionable)"))
        self.summary = QPlainTextEdit()
        self.summary.setTabChangesFocus(True)
        self.summary.setAccessibleName(tr("Reviewer summary"))
        self.summary.setMaximumHeight(90)
        self.feedback = QPlainTextEdit()
        self.feedback.setTabChangesFocus(True)
        self.feedback.setAccessibleName(tr("Feedback to the reporter"))
        self.feedback.setMaximumHeight(90)
        form.addRow(tr("Status"), self.new_status)
        form.addRow(tr("Reason"), self.reason)
        form.addRow(tr("Reviewer summary"), self.summary)
        form.addRow(tr("Feedback to the reporter"), self.feedback)
        save = primary_button(tr("Save review"))
        save.clicked.connect(self.save)
        action = button(tr("Make action…"))
        action.clicked.connect(self.make_action)
        row = QHBoxLayout()
        row.addWidget(save)
        row.addWidget(action)
        column.addLayout(row)
        split.addWidget(right)
        split.setSizes([900, 500])
        layout.addWidget(split, 1)
        self.reload()

    def _filter(self) -> events.EventFilter:
        kind = self.kind.currentData()
        return events.EventFilter(
            kinds=[kind] if kind else [],
            status=self.status.currentData(),
            category=self.category.currentData(),
            reporter_group=self.group.currentData(),
            since=_day(self.since.date()),
            until=_day(self.until.date()),
            text=self.search.text(),
        )

    def reload(self) -> None:
        self.offset = 0
        self._load()

    def _page(self, step: int) -> None:
        self.offset = max(0, self.offset + step * self.PAGE)
        self._load()

    def _load(self) -> None:
        """The page of reports is read off the GUI thread; the count line says so meanwhile."""
        db, actor, flt, offset = self.db, self.actor, self._filter(), self.offset
        self.loading = True
        common.load_off_thread(
            self,
            lambda: events.list_events(db, actor, flt, offset=offset, limit=self.PAGE),
            self._loaded,
            self.count,
            tr("Loading reports…"),
        )

    def _loaded(self, page: events.Page) -> None:
        self.loading = False
        self.model.set_rows(page.rows)
        row, self._reselect = getattr(self, "_reselect", -1), -1
        if 0 <= row < self.model.rowCount():
            self.table.selectRow(row)
        shown_to = page.offset + len(page.rows)
        if len(page.rows) == page.total:
            self.count.setText(count(page.total, tr("report"), tr("reports")))
        else:
            self.count.setText(
                tr("{a}-{b} of {n} reports").format(a=page.offset + 1, b=shown_to, n=page.total)
            )
        self.prev.setEnabled(page.offset > 0)
        self.next.setEnabled(shown_to < page.total)

    def current(self) -> events.ReportRow | None:
        idx = self.table.currentIndex()
        return self.model.rows[idx.row()] if idx.isValid() else None

    def _selected(self, current: QModelIndex, _prev: QModelIndex) -> None:
        if not current.isValid():
            return
        r = self.model.rows[current.row()]
        kinds, cats, harms = _labels("kinds"), _labels("categories"), _labels("harm")
        factors = _labels("contributing_factors")
        stops = _labels("stopped_by")
        lines = [
            f"{kinds.get(r.kind, r.kind)} · {cats.get(r.category, r.category)}"
            + (f" · {harms.get(r.harm or '', '')}" if r.harm else ""),
            tr("When: {w} ({shift})").format(
                w=f"{format_date(events.to_local(r.occurred_at).date())} "
                f"{events.to_local(r.occurred_at):%H:%M}",
                shift=tr("time kept to the shift") if r.anonymous else tr("as reported"),
            ),
            tr("Where: {a}").format(a=r.area or tr("not said")),
            tr("Reporter: {who}").format(who=tr("anonymous") if r.anonymous else r.reporter),
        ]
        if r.stopped_by:
            lines.append(tr("Stopped by: {s}").format(s=stops.get(r.stopped_by, r.stopped_by)))
        if r.contributing_factors:
            lines.append(
                tr("Factors: {f}").format(
                    f=", ".join(factors.get(f, f) for f in r.contributing_factors)
                )
            )
        if r.handover:
            lines.append(tr("A handover was involved."))
        lines += ["", r.narrative]
        if r.prevention:
            lines += ["", tr("Could be prevented by: {p}").format(p=r.prevention)]
        self.detail.setText("\n".join(lines))
        self.detail_scroll.verticalScrollBar().setValue(0)
        self.new_status.setCurrentIndex(max(0, self.new_status.findData(r.status)))
        self.reason.setText(r.status_reason or "")
        self.summary.setPlainText(r.reviewer_summary or "")
        self.feedback.setPlainText(r.feedback or "")
        # The review as it was read: a save made after someone else's is refused.
        try:
            self.seen_version: tuple[int, int] | None = (
                r.id,
                events.triage_version(self.db, self.actor, r.id),
            )
        except (ServiceError, StoreError):
            self.seen_version = None

    def save(self) -> None:
        r = self.current()
        if r is None:
            show_problem(self, tr("Choose a report first."))
            return
        seen = getattr(self, "seen_version", None)
        try:
            events.triage(
                self.db,
                self.actor,
                r.id,
                status=self.new_status.currentData(),
                reason=self.reason.text(),
                summary=self.summary.toPlainText(),
                feedback=self.feedback.toPlainText(),
                expected_version=seen[1] if seen and seen[0] == r.id else None,
            )
        except EditConflict as exc:
            # Keep what this person typed; saving again applies it over what is stored.
            self.seen_version = (r.id, exc.current_version)
            show_problem(self, exc.message, tr("Someone else saved this report"))
            return
        except (ServiceError, StoreError) as exc:
            show_problem(self, exc.message)
            return
        self._reselect = self.table.currentIndex().row()
        self._load()

    def make_action(self) -> None:
        r = self.current()
        if r is None:
            show_problem(self, tr("Choose a report first."))
            return
        from hrohuddle.services import actions
        from hrohuddle.ui.huddle_board import ActionDialog

        made = next(
            (a for a in actions.open_actions(self.db, self.actor) if a.event_id == r.id), None
        )
        if made is not None:
            # Made once: a second time names the action it already has.
            due = format_date(made.due_on) if made.due_on else tr("no due date")
            tell(
                self,
                tr("Already an action"),
                tr("This report is already the action “{t}”: {owner}, due {due}.").format(
                    t=made.title, owner=made.owner or tr("no owner"), due=due
                ),
            )
            return
        team = people.list_people(self.db, self.actor)
        dialog = ActionDialog(self, " ".join(r.narrative.split())[:200], team)
        dialog.save = lambda: actions.create_action(
            self.db,
            self.actor,
            dialog.title.text(),
            dialog.owner.currentData(),
            dialog.due_date(),
            event_id=r.id,
        )
        if not dialog.exec():
            return
        QMessageBox.information(
            self, tr("Action created"), tr("The action is on the huddle board's follow-up list.")
        )


class MyReportsTab(QWidget):
    def __init__(self, db: Database, actor: Actor) -> None:
        super().__init__()
        self.db = db
        self.actor = actor
        layout = QVBoxLayout(self)
        layout.addWidget(
            muted(
                tr(
                    "Your named reports, newest first, with what became of them. "
                    "Anonymous reports are followed with their receipt code."
                )
            )
        )
        self.list = QListWidget()
        self.list.setAccessibleName(tr("My reports"))
        self.list.setWordWrap(True)
        layout.addWidget(self.list, 1)
        self.reload()

    def reload(self) -> None:
        self.list.clear()
        kinds, statuses = _labels("kinds"), _labels("statuses")
        rows = events.my_reports(self.db, self.actor)
        for r in rows:
            text = (
                f"{format_date(events.to_local(r.occurred_at).date())} · "
                f"{kinds.get(r.kind, r.kind)} · "
                f"{statuses.get(r.status, r.status)}\n{' '.join(r.narrative.split())[:200]}"
            )
            if r.feedback:
                text += "\n" + tr("Feedback: {f}").format(f=r.feedback)
            self.list.addItem(text)
        if not rows:
            self.list.addItem(tr("No named reports yet."))


class ReceiptTab(QWidget):
    def __init__(self, db: Database) -> None:
        super().__init__()
        self.db = db
        layout = QVBoxLayout(self)
        layout.addWidget(
            muted(tr("Type the receipt code you were given when you reported anonymously."))
        )
        row = QHBoxLayout()
        self.code = QLineEdit()
        self.code.setPlaceholderText("XXXX-XXXX-XXXX")
        self.code.setAccessibleName(tr("Receipt code"))
        self.code.returnPressed.connect(self.check)
        go = primary_button(tr("Check"))
        go.clicked.connect(self.check)
        row.addWidget(self.code, 1)
        row.addWidget(go)
        layout.addLayout(row)
        self.result = QLabel("")
        self.result.setWordWrap(True)
        self.result.setTextFormat(Qt.TextFormat.PlainText)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.result.setAccessibleName(tr("Receipt result"))
        layout.addWidget(self.result)
        layout.addStretch(1)

    def check(self) -> None:
        view = events.check_receipt(self.db, self.code.text())
        if view is None:
            self.result.setText(
                tr(
                    "No report matches that code. Check each character; codes "
                    "use no 0, O, 1, I or L."
                )
            )
            return
        kinds, statuses = _labels("kinds"), _labels("statuses")
        text = tr("{kind} reported on {day}: {status}.").format(
            kind=kinds.get(view.kind, view.kind),
            day=format_date(view.reported_on),
            status=statuses.get(view.status, view.status),
        )
        if view.history:
            text += (
                "\n\n"
                + tr("What happened to it:")
                + "\n"
                + "\n".join(
                    f"• {format_date(day)}: {statuses.get(status, status)}"
                    for day, status in view.history
                )
            )
        if view.actions:
            lines = []
            for title, status, due in view.actions:
                if status == "open":
                    state = (
                        tr("open, due {date}").format(date=format_date(due)) if due else tr("open")
                    )
                else:
                    state = tr("done")
                lines.append(f"• {title} ({state})")
            text += "\n\n" + tr("Actions the unit took:") + "\n" + "\n".join(lines)
        if not view.released:
            text += "\n\n" + tr(
                "Received. It reaches the unit's list and the next huddle with the next batch "
                "of anonymous reports (at the latest at the next shift change), so that the "
                "order of sending cannot point to anyone."
            )
        if view.feedback:
            text += "\n\n" + tr("Feedback: {f}").format(f=view.feedback)
        self.result.setText(text)


class EventsPage(QWidget):
    def __init__(self, db: Database, actor: Actor, report: Any) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(heading(tr("Safety reports")), 1)
        new = primary_button(tr("Report an event (Ctrl+Shift+E)"))
        new.clicked.connect(report)
        top.addWidget(new)
        layout.addLayout(top)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName(tr("Safety report sections"))
        self.review: ReviewTab | None = None
        if actor.can("event.view_all"):
            self.review = ReviewTab(db, actor)
            self.tabs.addTab(self.review, tr("Review"))
        self.mine = MyReportsTab(db, actor)
        self.tabs.addTab(self.mine, tr("My reports"))
        self.tabs.addTab(ReceiptTab(db), tr("Check a receipt"))
        layout.addWidget(self.tabs, 1)

    def refresh(self) -> None:
        self.mine.reload()
        if self.review is not None:
            self.review._load()
