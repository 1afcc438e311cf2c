"""Quick capture of a safety event (keyboard-first, anonymous if wished) and its receipt:
opened from any screen.

Over 600 lines because the capture form is one dialog whose fields, drafts and checks share
its state; the receipt it ends with stays beside it."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from PySide6.QtCore import (
    QDate,
    QDateTime,
    Qt,
    QTime,
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
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QRadioButton,
    QScrollArea,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from hrohuddle.services import drafts, events, people
from hrohuddle.services.errors import IdentifierWarning, ServiceError
from hrohuddle.services.permissions import Actor
from hrohuddle.services.shifts import ShiftClock
from hrohuddle.services.vocabulary import common_formats_class, source_line, taxonomy
from hrohuddle.store.database import Database
from hrohuddle.store.errors import StoreError
from hrohuddle.ui import common
from hrohuddle.ui.common import (
    DateTimeEdit,
    button,
    heading,
    muted,
    poke_draft_timer,
    primary_button,
    readable,
    tr,
)

log = logging.getLogger(__name__)
DRAFT_KIND = "event_form"
#: The key of each person's anonymous draft, held in memory only: the stored draft has
#: no author, so nothing at rest can say whose it is (services.drafts.save_anonymous).
_ANONYMOUS_DRAFT_KEYS: dict[int, str] = {}


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

        # Consents, each plain, short and unchecked: what the unit may do with the report.
        self.consents = QGroupBox(tr("What the unit may do with it (optional)"))
        consents = QVBoxLayout(self.consents)
        self.teaching_consent = QCheckBox(tr("You may use this as a teaching point at a huddle"))
        self.recognise_by_name = QCheckBox(tr("Name me when it is recognised"))
        self.words_may_be_shared = QCheckBox(
            tr("My own words may be quoted in the unit's bulletin")
        )
        for box in (self.teaching_consent, self.recognise_by_name, self.words_may_be_shared):
            box.setAccessibleName(box.text())
            box.setMinimumHeight(32)
            consents.addWidget(box)
        self.consent_note = muted("")
        consents.addWidget(self.consent_note)
        layout.addWidget(self.consents)

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
            self.teaching_consent.toggled,
            self.recognise_by_name.toggled,
            self.words_may_be_shared.toggled,
        ):
            signal.connect(lambda *_: poke_draft_timer(self.draft_timer))
        self.kind_group.buttonToggled.connect(lambda *_: self._kind_changed())
        self.anonymous.toggled.connect(lambda *_: self._consents_shown())
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
        self._consents_shown()
        common.fit_to_screen(self, 760)

    def _consents_shown(self) -> None:
        """A teaching point is a good catch's; only a named good catch can name its reporter."""
        catch = self.kind() == "good_catch"
        self.teaching_consent.setVisible(catch)
        self.recognise_by_name.setVisible(catch and not self.anonymous.isChecked())
        if self.anonymous.isChecked():
            self.consent_note.setText(
                tr("An anonymous report is never named; quoting your words names no one.")
            )
        else:
            self.consent_note.setText("")
        self.consent_note.setVisible(self.anonymous.isChecked())

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
            teaching_consent=kind == "good_catch" and self.teaching_consent.isChecked(),
            recognise_by_name=kind == "good_catch"
            and not self.anonymous.isChecked()
            and self.recognise_by_name.isChecked(),
            words_may_be_shared=self.words_may_be_shared.isChecked(),
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
            "teaching_consent": self.teaching_consent.isChecked(),
            "recognise_by_name": self.recognise_by_name.isChecked(),
            "words_may_be_shared": v.words_may_be_shared,
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
            when = dt.datetime.fromisoformat(d["when"])
            self.when.setDateTime(
                QDateTime(
                    QDate(when.year, when.month, when.day),
                    QTime(when.hour, when.minute, when.second),
                )
            )
        for buttons, key in ((self.harm_buttons, "harm"), (self.stop_buttons, "stopped_by")):
            if d.get(key) in buttons:
                buttons[d[key]].setChecked(True)
        self.anonymous.setChecked(bool(d.get("anonymous")))
        self.handover.setChecked(bool(d.get("handover")))
        self.prevention.setText(str(d.get("prevention") or ""))
        self.teaching_consent.setChecked(bool(d.get("teaching_consent")))
        self.recognise_by_name.setChecked(bool(d.get("recognise_by_name")))
        self.words_may_be_shared.setChecked(bool(d.get("words_may_be_shared")))
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
        for box in (self.teaching_consent, self.recognise_by_name, self.words_may_be_shared):
            box.setChecked(False)
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
        except (ServiceError, StoreError) as exc:  # kept: the problem shows beside its field
            field = getattr(exc, "field", None)
            if field in self.errors:
                self._show_errors({field: exc.message})
            else:
                self._show_errors({})
                self._problem_says(readable(exc))
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
