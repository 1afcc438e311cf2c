"""The admin's Unit settings tab: name, huddle target, screen lock, group size and areas."""

from __future__ import annotations

from PySide6.QtGui import QValidator
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QSpinBox,
    QWidget,
)

from hrohuddle.services import (
    edits,
    people,
)
from hrohuddle.services.errors import EditConflict
from hrohuddle.services.permissions import Actor
from hrohuddle.store.database import Database
from hrohuddle.ui.common import (
    attempt,
    muted,
    primary_button,
    show_problem,
    tr,
)


class TypedSpinBox(QSpinBox):
    """A spin box that remembers what was typed into it.

    Leaving a box with a number outside its range (101 in a 50 to 100 box shows as
    "10 %") puts its last good value back on screen, so a save would quietly store
    another number: ``refused`` is the typed text until the box holds it as typed.
    """

    def __init__(self) -> None:
        super().__init__()
        self.typed: str | None = None
        line = self.lineEdit()
        assert line is not None
        line.textEdited.connect(self._edited)

    def _edited(self, text: str) -> None:
        self.typed = text

    def stepBy(self, steps: int) -> None:
        self.typed = None  # the arrows only ever give a number in range
        super().stepBy(steps)

    def refused(self) -> str | None:
        """What was typed, when it is not a number the box accepts; else None."""
        text = self.typed if self.typed is not None else self.text()
        state = self.validate(text, len(text))[0]
        return None if state == QValidator.State.Acceptable else text

    def show_typed(self, text: str) -> None:
        """Put the refused text back where it was typed, selected, to be corrected."""
        line = self.lineEdit()
        assert line is not None
        line.setText(text)
        self.setFocus()
        line.selectAll()


def _with_range(box: QSpinBox, words: str) -> QWidget:
    """The spin box with its range written beside it, so nobody has to guess it."""
    holder = QWidget()
    row = QHBoxLayout(holder)
    row.setContentsMargins(0, 0, 0, 0)
    row.addWidget(box)
    hint = muted(words)
    hint.setWordWrap(False)
    row.addWidget(hint)
    row.addStretch(1)
    box.setAccessibleDescription(words)
    return holder


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
        self.target = TypedSpinBox()
        self.target.setRange(5, 60)
        self.target.setSuffix(tr(" minutes"))
        self.target.setValue(settings.huddle_target_minutes)
        self.target.setAccessibleName(tr("Huddle target length"))
        self.idle = TypedSpinBox()
        self.idle.setRange(1, 120)
        self.idle.setSuffix(tr(" minutes"))
        self.idle.setValue(settings.idle_lock_minutes)
        self.idle.setAccessibleName(tr("Lock the screen after"))
        self.min_group = TypedSpinBox()
        self.min_group.setRange(3, 50)
        self.min_group.setValue(settings.min_group_size)
        self.min_group.setAccessibleName(
            tr("Smallest group shown in pulse results and learner figures")
        )
        self.feedback_target = TypedSpinBox()
        self.feedback_target.setRange(50, 100)
        self.feedback_target.setSuffix(" %")
        self.feedback_target.setValue(settings.feedback_target_pct)
        self.feedback_target.setAccessibleName(tr("Target: feedback within 7 days"))
        self.feedback_target.setToolTip(
            tr("The share of reports whose reporter hears back within 7 days, 50 to 100 %.")
        )
        self.milestones = QLineEdit(", ".join(str(d) for d in settings.pulse_milestones))
        self.milestones.setAccessibleName(tr("Pulse milestones, days after starting"))
        self.areas = QPlainTextEdit("\n".join(settings.areas))
        self.areas.setAccessibleName(tr("Areas of the unit, one per line"))
        self.areas.setTabChangesFocus(True)
        form.addRow(tr("Unit name"), self.name)
        #: Each number box, what it is called in a refusal, and its range in words.
        self.ranges: list[tuple[TypedSpinBox, str, str]] = [
            (self.target, tr("The huddle target length"), tr("5 to 60 minutes")),
            (self.idle, tr("The idle lock time"), tr("1 to 120 minutes")),
            (
                self.min_group,
                tr("The smallest group"),
                tr("3 to 50 people (pulse results and learner figures)"),
            ),
            (self.feedback_target, tr("The target"), tr("50 to 100 %")),
        ]
        hints = {box: words for box, _what, words in self.ranges}
        form.addRow(tr("Huddle target length"), _with_range(self.target, hints[self.target]))
        form.addRow(tr("Lock the screen after"), _with_range(self.idle, hints[self.idle]))
        form.addRow(
            tr("Smallest group shown"),
            _with_range(self.min_group, hints[self.min_group]),
        )
        form.addRow(
            tr("Target: feedback within 7 days"),
            _with_range(self.feedback_target, hints[self.feedback_target]),
        )
        form.addRow(tr("Pulse milestones (days after starting)"), self.milestones)
        form.addRow(tr("Areas (one per line)"), self.areas)
        save = primary_button(tr("Save settings"))
        save.clicked.connect(self.save)
        form.addRow("", save)

    def save(self) -> None:
        # A number typed outside the range stays in the box as typed while the box keeps
        # its last good value: save only what the person sees, or say what is allowed.
        for box, what, words in self.ranges:
            typed = box.refused()
            if typed is not None:
                box.show_typed(typed)
                show_problem(
                    self,
                    tr("{what} must be between {range}.").format(
                        what=what, range=words.split(" (")[0].replace(" to ", " and ")
                    ),
                )
                return
        raw = [p.strip() for p in self.milestones.text().replace(";", ",").split(",") if p.strip()]
        changes = {
            "name": self.name.text(),
            "huddle_target_minutes": self.target.value(),
            "idle_lock_minutes": self.idle.value(),
            "min_group_size": self.min_group.value(),
            "feedback_target_pct": self.feedback_target.value(),
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
        for box, _what, _words in self.ranges:
            box.typed = None
        self.seen_version = edits.unit_version(self.db, self.actor.unit_id)
        renamed = getattr(self.window(), "unit_changed", None)
        if renamed is not None:
            renamed()  # the window's title and top bar say the unit's name
        QMessageBox.information(self, tr("Saved"), tr("The unit's settings are saved."))
