"""Shared lessons: what other units of the department and the hospital learned, and this
unit's own; "We adopted this", "Raise at our huddle", and for the unit's reviewers
"Share a lesson…" (also from a report's review)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from hrohuddle.services import lessons, tiers
from hrohuddle.services.errors import IdentifierWarning, ServiceError
from hrohuddle.services.lessons import LessonDraft, LessonRow
from hrohuddle.services.permissions import Actor
from hrohuddle.store.database import Database
from hrohuddle.store.errors import StoreError
from hrohuddle.ui.common import (
    ask,
    attempt,
    button,
    fit_to_screen,
    format_date,
    heading,
    muted,
    plain,
    primary_button,
    readable,
    tell,
    tr,
)
from hrohuddle.ui.rows_model import RowsModel
from hrohuddle.wording import count

#: What a reviewer is reminded of before a lesson leaves the unit.
SHARING_NOTE = (
    "Other units will read this. Describe what happened and what worked in your own "
    "words: no patient details, and roles instead of names. The reporter is never named."
)


def _did(parent: QWidget, action: Callable[[], object]) -> bool:
    """Run a service call that returns nothing; whether it was done (a refusal is shown)."""

    def run() -> bool:
        action()
        return True

    return attempt(parent, run) is True


def adopted_words(r: LessonRow) -> str:
    """How many units adopted a lesson, and whether this one did, in words."""
    if not r.adopted:
        return tr("not yet")
    units = count(r.adopted, tr("unit"), tr("units"))
    return tr("{units}, yours too").format(units=units) if r.adopted_by_us else units


class LessonModel(RowsModel[LessonRow]):
    # The lesson first, where the eye starts; the rest says where it came from.
    COLUMNS = ("Lesson", "From", "Kind", "Shared with", "Shared", "Adopted by")
    LESSON = 0

    def cell(self, r: LessonRow, col: int, *, full: bool) -> str:
        if col == 0:
            return r.title if not full else f"{r.title}\n\n{r.text}"
        if col == 1:
            return tr("Your unit") if r.ours else r.unit_name
        if col == 2:
            return tr(r.kind_words)
        if col == 3:
            return r.tier_name
        if col == 4:
            return format_date(r.shared_on)
        return adopted_words(r)


class ShareLessonDialog(QDialog):
    """Tier, kind, title and text of a lesson; a refusal stays in the dialog with what
    to remove marked in the text."""

    def __init__(
        self,
        parent: QWidget | None,
        db: Database,
        actor: Actor,
        targets: list[lessons.TierChoice],
        draft: LessonDraft | None = None,
    ) -> None:
        super().__init__(parent)
        self.db, self.actor, self.draft = db, actor, draft
        self.shared_id: int | None = None
        self.setWindowTitle(tr("Share a lesson"))
        form = QFormLayout(self)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        note = muted(tr(SHARING_NOTE))
        form.addRow(note)
        if draft is not None:
            form.addRow(
                muted(
                    tr(
                        "Started from the report's reviewer summary, never from what the "
                        "reporter wrote. Change it as you wish."
                    )
                )
            )
        self.tier = QComboBox()
        self.tier.setAccessibleName(tr("Share with"))
        for t in targets:
            self.tier.addItem(t.words, t.id)
        self.kind = QComboBox()
        self.kind.setAccessibleName(tr("Kind of lesson"))
        for key, words in lessons.KINDS.items():
            self.kind.addItem(tr(words), key)
        self.title = QLineEdit(draft.title if draft else "")
        self.title.setAccessibleName(tr("Title"))
        self.title.setMaxLength(lessons.MAX_TITLE)
        self.title.setPlaceholderText(tr("What the lesson is about, in a few words"))
        self.text = QPlainTextEdit(draft.text if draft else "")
        self.text.setAccessibleName(tr("The lesson"))
        self.text.setTabChangesFocus(True)
        self.text.setPlaceholderText(tr("What happened, what was learned, what worked"))
        self.text.setMinimumHeight(self.fontMetrics().height() * 7)
        # From a report, its kind; by hand, most often a change that worked.
        self.kind.setCurrentIndex(max(0, self.kind.findData(draft.kind if draft else "change")))
        form.addRow(tr("Share with"), self.tier)
        form.addRow(tr("Kind"), self.kind)
        form.addRow(tr("Title"), self.title)
        form.addRow(tr("The lesson"), self.text)
        self.problem = plain(QLabel(""))
        self.problem.setProperty("role", "error")
        self.problem.setWordWrap(True)
        self.problem.setVisible(False)
        form.addRow(self.problem)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(tr("Share"))
        ok.setAccessibleName(tr("Share the lesson"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.setMinimumWidth(min(640, self.fontMetrics().horizontalAdvance("M") * 45))
        fit_to_screen(self)
        (self.text if draft is not None else self.title).setFocus()

    def accept(self) -> None:
        from hrohuddle.ui.capture import mark_findings

        self.text.setExtraSelections([])
        try:
            self.shared_id = lessons.share(
                self.db,
                self.actor,
                tier_id=self.tier.currentData(),
                kind=self.kind.currentData(),
                title=self.title.text(),
                text=self.text.toPlainText(),
                event_id=self.draft.event_id if self.draft else None,
            )
        except IdentifierWarning as exc:
            self._problem(exc.message)
            if exc.field == "text":
                mark_findings(self.text, exc.findings)
            else:
                self.title.setFocus()
                first = exc.findings[0] if exc.findings else None
                if first is not None:
                    self.title.setSelection(first.start, first.end - first.start)
            return
        except (ServiceError, StoreError) as exc:  # kept: the problem shows in the dialog
            self._problem(readable(exc))
            return
        super().accept()

    def _problem(self, message: str) -> None:
        self.problem.setText(message)
        self.problem.setAccessibleName(message)
        self.problem.setVisible(True)


def open_share_dialog(
    parent: QWidget, db: Database, actor: Actor, event_id: int | None = None
) -> int | None:
    """Share a lesson (from a report, prefilled, when ``event_id`` is given); the new
    lesson's id, or None. A unit on its own file, or in no department, is told why not."""
    if not tiers.shared(db):
        tell(parent, tr("Share a lesson"), tr(tiers.NEEDS_SHARED_SERVER))
        return None
    targets = attempt(parent, lambda: lessons.share_targets(db, actor))
    if targets is None:
        return None
    if not targets:
        tell(
            parent,
            tr("Share a lesson"),
            tr(
                "This unit is not in a department yet, so there is no one to share with. "
                "IT places units in departments on the shared server."
            ),
        )
        return None
    draft: LessonDraft | None = None
    if event_id is not None:
        draft = attempt(parent, lambda: lessons.draft_from_report(db, actor, event_id))
        if draft is None:
            return None
    dialog = ShareLessonDialog(parent, db, actor, targets, draft)
    if not dialog.exec():
        return None
    return dialog.shared_id


class LessonsPage(QWidget):
    """The lessons feed, newest first, with the chosen lesson read in full beside it."""

    def __init__(self, db: Database, actor: Actor) -> None:
        super().__init__()
        self.db, self.actor = db, actor
        self.reviewer = actor.can("event.triage")
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(heading(tr("Shared lessons")), 1)
        self.share_button = primary_button(tr("Share a lesson…"))
        self.share_button.clicked.connect(self.share)
        self.share_button.setVisible(self.reviewer)
        top.addWidget(self.share_button)
        layout.addLayout(top)
        if not tiers.shared(db):
            layout.addWidget(muted(tr(tiers.NEEDS_SHARED_SERVER)))
            layout.addStretch(1)
            self.share_button.setVisible(False)
            self.model = LessonModel()
            return
        layout.addWidget(
            muted(
                tr(
                    "What other units of your department and the hospital learned, and "
                    "what your unit shared. Units are named; reporters never are."
                )
            )
        )
        # The list over the chosen lesson: the list keeps the screen's width for the
        # lessons' titles, on a laptop too.
        split = QSplitter(Qt.Orientation.Vertical)
        split.setChildrenCollapsible(False)
        self.model = LessonModel()
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName(tr("Shared lessons"))
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.setTabKeyNavigation(False)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(LessonModel.LESSON, QHeaderView.ResizeMode.Stretch)
        self.table.selectionModel().currentRowChanged.connect(self._chosen)
        split.addWidget(self.table)
        right = QWidget()
        column = QVBoxLayout(right)
        column.setContentsMargins(0, 8, 0, 0)
        self.title = heading("", 1.15)
        self.title.setAccessibleName(tr("The chosen lesson"))
        self.meta = muted("")
        self.body = plain(QLabel(tr("Choose a lesson.")))
        self.body.setWordWrap(True)
        self.body.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.body.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.body.setAccessibleName(tr("The lesson"))
        self.adoption = plain(QLabel(""))
        self.adoption.setWordWrap(True)
        holder = QWidget()
        held = QVBoxLayout(holder)
        held.setContentsMargins(0, 0, 8, 0)
        for w in (self.title, self.meta, self.body, self.adoption):
            held.addWidget(w)
        held.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(holder)
        column.addWidget(scroll, 1)
        self.status = muted("")
        column.addWidget(self.status)
        buttons = QHBoxLayout()
        self.adopt_button = button(tr("We adopted this"))
        self.adopt_button.clicked.connect(self.adopt)
        self.adopt_button.setVisible(self.reviewer)
        self.raise_button = button(tr("Raise at our huddle"))
        self.raise_button.setToolTip(tr("Make it the teaching point of the huddle open now"))
        self.raise_button.clicked.connect(self.raise_at_huddle)
        self.withdraw_button = button(tr("Withdraw"))
        self.withdraw_button.setAccessibleName(tr("Withdraw our lesson"))
        self.withdraw_button.clicked.connect(self.withdraw)
        self.withdraw_button.setVisible(False)
        buttons.addWidget(self.adopt_button)
        buttons.addWidget(self.raise_button)
        buttons.addStretch(1)
        buttons.addWidget(self.withdraw_button)
        column.addLayout(buttons)
        split.addWidget(right)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        self.table.setMinimumHeight(self.fontMetrics().height() * 8)
        right.setMinimumHeight(self.fontMetrics().height() * 9)
        layout.addWidget(split, 1)
        self.count = muted("")
        layout.addWidget(self.count)
        self._shown_before = False
        self.reload()

    def showEvent(self, event: QShowEvent) -> None:
        """Shown again: read afresh, as another unit may have shared or adopted since."""
        super().showEvent(event)
        if event.spontaneous() or not tiers.shared(self.db):
            return
        if self._shown_before:
            self.refresh()
        self._shown_before = True

    # -- reading -----------------------------------------------------------------------
    def reload(self, keep: int | None = None) -> None:
        rows = attempt(self, lambda: lessons.feed(self.db, self.actor))
        if rows is None:
            return
        self.model.set_rows(rows)
        self.count.setText(
            count(len(rows), tr("lesson"), tr("lessons"))
            if rows
            else tr(
                "No lessons yet. When a unit of your department or the hospital shares "
                "one, it is listed here."
            )
        )
        at = next((i for i, r in enumerate(rows) if r.id == keep), 0 if rows else -1)
        if at >= 0:
            self.table.selectRow(at)
        self._show(self.current())

    def refresh(self) -> None:
        shown = self.current()
        self.reload(shown.id if shown else None)

    def current(self) -> LessonRow | None:
        idx = self.table.currentIndex()
        return self.model.rows[idx.row()] if idx.isValid() else None

    def _chosen(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self._show(self.model.rows[current.row()] if current.isValid() else None)

    def _show(self, r: LessonRow | None) -> None:
        self.status.setText("")
        if r is None:
            self.title.setText("")
            self.meta.setText("")
            self.body.setText(tr("Choose a lesson."))
            self.adoption.setText("")
            for b in (self.adopt_button, self.raise_button, self.withdraw_button):
                b.setEnabled(False)
            return
        self.title.setText(r.title)
        self.title.setAccessibleName(r.title)
        self.meta.setText(
            tr("{kind} · from {unit} · shared with {tier} ({level}) on {day}").format(
                kind=tr(r.kind_words),
                unit=tr("{unit} (your unit)").format(unit=r.unit_name) if r.ours else r.unit_name,
                tier=r.tier_name,
                level=tr(r.shared_with),
                day=format_date(r.shared_on),
            )
        )
        self.body.setText(r.text)
        if r.ours:
            adopted = tr("Your unit shared this. Adopted by: {n}.").format(n=adopted_words(r))
        elif r.adopted_by_us:
            adopted = tr("Your unit adopted this. Adopted by: {n}.").format(n=adopted_words(r))
        else:
            adopted = tr("Adopted by: {n}.").format(n=adopted_words(r))
        self.adoption.setText(adopted)
        self.adopt_button.setEnabled(self.reviewer and not r.ours and not r.adopted_by_us)
        self.adopt_button.setToolTip(
            tr("Your unit's own lesson")
            if r.ours
            else tr("Your unit adopted it already")
            if r.adopted_by_us
            else tr("Say that your unit now works this way")
        )
        self.raise_button.setEnabled(True)
        self.withdraw_button.setVisible(self.reviewer and r.ours)
        self.withdraw_button.setEnabled(self.reviewer and r.ours)

    # -- doing -------------------------------------------------------------------------
    def share(self) -> None:
        made = open_share_dialog(self, self.db, self.actor)
        if made is not None:
            self.reload(made)
            self.status.setText(tr("Shared. Other units read it in their lessons."))

    def adopt(self) -> None:
        r = self.current()
        if r is None or not _did(self, lambda: lessons.adopt(self.db, self.actor, r.id)):
            return
        self.reload(r.id)
        self.status.setText(tr("Marked: your unit adopted this lesson."))

    def raise_at_huddle(self) -> None:
        r = self.current()
        if r is None:
            return
        item = attempt(self, lambda: lessons.raise_at_huddle(self.db, self.actor, r.id))
        if item is None:
            return
        self.status.setText(tr("It is the teaching point of the huddle open now."))

    def withdraw(self) -> None:
        r = self.current()
        if r is None or not ask(
            self,
            tr("Withdraw the lesson"),
            tr("Take “{t}” out of every unit's lessons?").format(t=r.title),
        ):
            return
        if not _did(self, lambda: lessons.withdraw(self.db, self.actor, r.id)):
            return
        self.reload()
        self.status.setText(tr("Withdrawn: it is no longer in the lessons."))
