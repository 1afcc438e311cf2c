"""Safety reports: my reports, receipt look-up, and triage for charge nurses and managers."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from PySide6.QtCore import (
    QDate,
    QModelIndex,
    Qt,
)
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
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QScrollArea,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from hrohuddle.services import anonymity, conversation, events, journey, people
from hrohuddle.services.dates import to_local
from hrohuddle.services.errors import EditConflict, ServiceError, ValidationError
from hrohuddle.services.permissions import Actor
from hrohuddle.services.vocabulary import taxonomy
from hrohuddle.store.database import Database
from hrohuddle.store.errors import StoreError
from hrohuddle.ui import common
from hrohuddle.ui import conversation as conversation_ui
from hrohuddle.ui.common import (
    button,
    date_edit,
    format_date,
    heading,
    muted,
    primary_button,
    readable,
    show_problem,
    tell,
    tr,
)
from hrohuddle.ui.conversation import StepDialog, ThreadView, reviewer_thread_view
from hrohuddle.ui.rows_model import RowsModel
from hrohuddle.wording import count


def _labels(name: str) -> dict[str, str]:
    return taxonomy().labels_by_key(name)


def _day(q: QDate) -> dt.date:
    return dt.date(q.year(), q.month(), q.day())


class EventModel(RowsModel[events.ReportRow]):
    COLUMNS = (
        "When",
        "Kind",
        "Category",
        "Harm",
        "Status",
        "Area",
        "Reporter",
        "Seen too",
        "Reply owed",
        "What happened",
    )

    def __init__(self) -> None:
        super().__init__()
        self.kinds = _labels("kinds")
        self.categories = _labels("categories")
        self.harms = _labels("harm")
        self.statuses = _labels("statuses")

    def cell(self, r: events.ReportRow, col: int, *, full: bool) -> Any:
        if col == 0:
            when = to_local(r.occurred_at)
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
        if col == 7:  # how many others said "I have seen this too"
            return str(r.me_too) if r.me_too else ""
        if col == 8:  # in words, not colour: the reporter wrote last
            return tr("reporter wrote") if r.reporter_wrote else ""
        text = " ".join(r.narrative.split())
        return text if full else text[:120]


class ReviewTab(QWidget):
    PAGE = 100

    def __init__(self, db: Database, actor: Actor) -> None:
        super().__init__()
        self.db = db
        self.actor = actor
        self.offset = 0
        #: The report open on the right; kept open when the list is read again.
        self.shown_id: int | None = None
        self._keep_form = False
        self._shown_before = False
        self.loading = False
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
        self.order = QComboBox()
        self.order.setAccessibleName(tr("Order"))
        self.order.addItem(tr("Newest first"), "newest")
        self.order.addItem(tr("Most seen too first"), "seen_too")
        self.order.currentIndexChanged.connect(self.reload)
        self.order.setToolTip(
            tr("Reports others said they have seen too rise to the top: recurring hazards.")
        )
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
        for w in (self.kind, self.status, self.category, self.group, self.order):
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
        # Tab leaves the table for the chosen report; the arrows move within it.
        self.table.setTabKeyNavigation(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        # Column widths from the first rows, not from every cell of the page.
        self.table.horizontalHeader().setResizeContentsPrecision(40)
        self.table.horizontalHeader().setStretchLastSection(True)
        # The status and "Reply owed" beside it come right after the day, where a reviewer
        # looks first and where a laptop shows them without scrolling sideways.
        header = self.table.horizontalHeader()
        header.moveSection(header.visualIndex(EventModel.COLUMNS.index("Status")), 1)
        header.moveSection(header.visualIndex(EventModel.COLUMNS.index("Reply owed")), 2)
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
        # below it stays where it is. Its journey and conversation are the second tab.
        right = QWidget()
        column = QVBoxLayout(right)
        column.setContentsMargins(0, 0, 0, 0)
        self.side = QTabWidget()
        self.side.setAccessibleName(tr("The chosen report"))
        self.side.setUsesScrollButtons(False)
        self.side.tabBar().setElideMode(Qt.TextElideMode.ElideRight)
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
        self.merged_into = QLineEdit()
        self.merged_into.setAccessibleName(tr("Same as report number"))
        self.merged_into.setPlaceholderText(tr("the number of the report it repeats"))
        # Plainly off unless the status is "Duplicate", and saying so.
        self.merged_into.setStyleSheet(
            "QLineEdit:disabled { background: palette(window); color: palette(mid); }"
        )
        self.new_status.currentIndexChanged.connect(lambda _i: self._merge_state())
        self._merge_state()
        form.addRow(tr("Status"), self.new_status)
        form.addRow(tr("Same as report no."), self.merged_into)
        form.addRow(tr("Reason"), self.reason)
        form.addRow(tr("Reviewer summary"), self.summary)
        form.addRow(tr("Feedback to the reporter"), self.feedback)
        save = primary_button(tr("Save review"))
        save.clicked.connect(self.save)
        action = button(tr("Make action…"))
        action.clicked.connect(self.make_action)
        lesson = button(tr("Share as a lesson…"))
        lesson.setToolTip(tr("Share the reviewers' summary with the department or hospital"))
        lesson.clicked.connect(self.share_lesson)
        row = QHBoxLayout()
        row.addWidget(save)
        row.addWidget(action)
        row.addWidget(lesson)
        column.addLayout(row)
        self.side.addTab(right, tr("Review"))
        self.talk = reviewer_thread_view(self.record_step)
        self.talk.send = self._ask
        self.talk.sent.connect(self._load_thread)
        # However long the journey, the conversation keeps its lines: on a small screen
        # the whole tab scrolls instead.
        self.talk_scroll = QScrollArea()
        self.talk_scroll.setWidgetResizable(True)
        self.talk_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.talk_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.talk_scroll.setWidget(self.talk)
        self.side.addTab(self.talk_scroll, tr("Journey and messages"))
        split.addWidget(self.side)
        split.setSizes([900, 500])
        layout.addWidget(split, 1)
        self.reload()

    def _merge_state(self) -> None:
        duplicate = self.new_status.currentData() == "duplicate"
        self.merged_into.setEnabled(duplicate)
        self.merged_into.setPlaceholderText(
            tr("the number of the report it repeats")
            if duplicate
            else tr("Only for a joined report")
        )
        self.merged_into.setToolTip(
            tr("The number of the report this one repeats.")
            if duplicate
            else tr("Choose the status “{s}” first.").format(
                s=_labels("statuses").get("duplicate", "Duplicate")
            )
        )

    def showEvent(self, event: QShowEvent) -> None:
        """Shown again (coming back to Safety reports): the list and the open report are
        read again, so that nothing stale is answered; the first showing has them fresh."""
        super().showEvent(event)
        if event.spontaneous():
            return
        if self._shown_before and not self.loading:
            self._load()
        self._shown_before = True

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
            order=str(self.order.currentData() or "newest"),
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

        def read() -> events.Page:
            # Showing the list releases what is due, as opening a report does: a batch
            # waiting since the shift change is listed without opening another report.
            anonymity.release_due(db, messages=True)
            return events.list_events(db, actor, flt, offset=offset, limit=self.PAGE)

        common.load_off_thread(
            self,
            read,
            self._loaded,
            self.count,
            tr("Loading reports…"),
        )

    def _loaded(self, page: events.Page) -> None:
        self.loading = False
        self.model.set_rows(page.rows)
        row, self._reselect = getattr(self, "_reselect", -1), -1
        shown = self.shown_id
        if 0 <= row < self.model.rowCount():
            self.table.selectRow(row)
        elif shown is not None:
            # Read again (the page shown again, a batch released): the open report stays
            # open with its conversation as stored now; what is typed in its review stays.
            again = next((i for i, r in enumerate(page.rows) if r.id == shown), None)
            if again is None:
                self.shown_id = None
                self.detail.setText(tr("Choose a report."))
                self.talk.clear()
                self.side.setTabText(1, tr("Journey and messages"))
            else:
                self._keep_form = True
                try:
                    self.table.selectRow(again)
                finally:
                    self._keep_form = False
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
        if self._keep_form and r.id == self.shown_id:
            self._load_thread()
            return
        self.shown_id = r.id
        self.merged_into.setText(str(r.merged_into_id) if r.merged_into_id else "")
        kinds, cats, harms = _labels("kinds"), _labels("categories"), _labels("harm")
        factors = _labels("contributing_factors")
        stops = _labels("stopped_by")
        lines = [
            f"{kinds.get(r.kind, r.kind)} · {cats.get(r.category, r.category)}"
            + (f" · {harms.get(r.harm or '', '')}" if r.harm else ""),
            tr("When: {w} ({shift})").format(
                w=f"{format_date(to_local(r.occurred_at).date())} {to_local(r.occurred_at):%H:%M}",
                shift=tr("time kept to the shift") if r.anonymous else tr("as reported"),
            ),
            tr("Where: {a}").format(a=r.area or tr("not said")),
            tr("Reporter: {who}").format(who=tr("anonymous") if r.anonymous else r.reporter),
            tr("Report no. {n}").format(n=r.id),
        ]
        if r.merged_into_id:
            lines.append(tr("Joined with report no. {n}.").format(n=r.merged_into_id))
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
        except (ServiceError, StoreError):  # kept: no version read means no check, silently
            self.seen_version = None
        self._load_thread()

    def _load_thread(self) -> None:
        """The chosen report's journey and conversation, read again."""
        r = self.current()
        if r is None:
            self.talk.clear()
            return
        try:
            thread = conversation.for_review(self.db, self.actor, r.id)
        except (ServiceError, StoreError) as exc:  # kept: the problem shows in the tab
            self.talk.clear()
            self.talk.problem.setText(readable(exc))
            self.talk.problem.setVisible(True)
            return
        self.talk.show_thread(thread.steps, thread.messages)
        last = thread.messages[-1] if thread.messages else None
        owed = last is not None and last.sender == "reporter"
        if r.reporter_wrote and not owed:  # a reviewer has just written: nothing owed now
            self.model.replace_row(
                self.table.currentIndex().row(), replace(r, reporter_wrote=False)
            )
        label = tr("Journey and messages")
        if last is not None and last.sender == "reporter":
            label += " · " + tr("reporter wrote")
        elif thread.awaiting_reporter:
            label += " · " + tr("asked")
        self.side.setTabText(1, label)
        if thread.joined:
            self.talk.merged.setText(
                tr("Joined with this report: no. {ns}.").format(
                    ns=", ".join(str(n) for n in thread.joined)
                )
            )
            self.talk.merged.setVisible(True)

    def _ask(self, kind: str, text: str) -> None:
        r = self.current()
        if r is None:
            raise ValidationError(tr("Choose a report first."))
        conversation.ask(self.db, self.actor, r.id, text, kind=kind)

    def record_step(self, step: str) -> None:
        r = self.current()
        if r is None:
            show_problem(self, tr("Choose a report first."))
            return
        dialog = StepDialog(self, step, r.reported_on)
        dialog.save = lambda: journey.record_step(
            self.db,
            self.actor,
            r.id,
            step,
            dialog.sentence.toPlainText(),
            on=dialog.day(),
        )
        if dialog.exec():
            self._load_thread()

    def save(self) -> None:
        r = self.current()
        if r is None:
            show_problem(self, tr("Choose a report first."))
            return
        seen = getattr(self, "seen_version", None)
        into_text = self.merged_into.text().strip()
        if self.new_status.currentData() == "duplicate" and into_text and not into_text.isdigit():
            show_problem(self, tr("Type the number of the report this one repeats."))
            return
        status = self.new_status.currentData()
        into = int(into_text) if into_text and status == "duplicate" else None
        unchanged = (
            status == r.status
            and self.reason.text().strip() == (r.status_reason or "").strip()
            and self.summary.toPlainText().strip() == (r.reviewer_summary or "").strip()
            and self.feedback.toPlainText().strip() == (r.feedback or "").strip()
            and into == r.merged_into_id
        )
        if unchanged:
            tell(self, tr("Review"), tr("Nothing changed."))
            return
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
                merged_into=into,
            )
        except EditConflict as exc:
            # Keep what this person typed; saving again applies it over what is stored.
            self.seen_version = (r.id, exc.current_version)
            show_problem(self, exc.message, tr("Someone else saved this report"))
            return
        except (ServiceError, StoreError) as exc:  # kept: a conflict above keeps what was typed
            show_problem(self, readable(exc))
            return
        self._reselect = self.table.currentIndex().row()
        self._load()

    def share_lesson(self) -> None:
        """Share the chosen report as a lesson, starting from its reviewer summary."""
        r = self.current()
        if r is None:
            show_problem(self, tr("Choose a report first."))
            return
        if self.summary.toPlainText().strip() != (r.reviewer_summary or "").strip():
            show_problem(self, tr("Save the review first: the lesson starts from its summary."))
            return
        from hrohuddle.ui.lessons import open_share_dialog

        if open_share_dialog(self, self.db, self.actor, r.id) is not None:
            tell(self, tr("Lesson shared"), tr("Other units read it under Shared lessons."))
            self._load_thread()

    def make_action(self) -> None:
        r = self.current()
        if r is None:
            show_problem(self, tr("Choose a report first."))
            return
        from hrohuddle.services import actions
        from hrohuddle.ui.actions import ActionDialog

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
        # Never the reporter's own words (they may not have agreed to be quoted, and the
        # title reaches the board, the bulletin and the journey): the reviewer's summary,
        # or nothing.
        summary = " ".join((r.reviewer_summary or "").split())[:200]
        dialog = ActionDialog(self, summary, team)
        dialog.title.setPlaceholderText(
            tr("In your own words, what the unit will do (not the reporter's words)")
        )
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
            self,
            tr("Action created"),
            tr(
                "The action is on the huddle board's follow-up list, and the reporter can "
                "see in the report's journey that an action was agreed."
            ),
        )
        # Its journey has the action now: shown at once.
        self._load_thread()
        # The report moved on ("action planned"): read it again, with its new version.
        self._reselect = self.table.currentIndex().row()
        self._load()


class MyReportsTab(QWidget):
    """The person's named reports: each opens with its journey and its conversation."""

    def __init__(self, db: Database, actor: Actor) -> None:
        super().__init__()
        self.db = db
        self.actor = actor
        self.rows: list[events.ReportRow] = []
        layout = QVBoxLayout(self)
        layout.addWidget(
            muted(
                tr(
                    "Your named reports, newest first. Choose one to see what became of it "
                    "and to answer the reviewers. Anonymous reports are followed with their "
                    "receipt code."
                )
            )
        )
        split = QSplitter()
        self.list = QListWidget()
        self.list.setAccessibleName(tr("My reports"))
        self.list.setWordWrap(True)
        self.list.setAlternatingRowColors(True)
        self.list.setSpacing(2)
        self.list.currentRowChanged.connect(self._open)
        split.addWidget(self.list)
        right = QWidget()
        column = QVBoxLayout(right)
        column.setContentsMargins(0, 0, 0, 0)
        self.summary = QLabel(tr("Choose a report."))
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary.setAccessibleName(tr("The chosen report"))
        column.addWidget(self.summary)
        self.talk = ThreadView(reporter_view=True)
        self.talk.send = self._send
        self.talk.sent.connect(lambda: self._open(self.list.currentRow()))
        self.talk.setEnabled(False)
        column.addWidget(self.talk, 1)
        split.addWidget(right)
        split.setSizes([420, 700])
        layout.addWidget(split, 1)
        self.reload()

    def reload(self) -> None:
        chosen = self.current_id()
        self.list.blockSignals(True)
        self.list.clear()
        kinds, statuses = _labels("kinds"), _labels("statuses")
        self.rows = events.my_reports(self.db, self.actor)
        for r in self.rows:
            text = (
                f"{format_date(to_local(r.occurred_at).date())} · "
                f"{kinds.get(r.kind, r.kind)} · "
                f"{statuses.get(r.status, r.status)}\n{' '.join(r.narrative.split())[:200]}"
            )
            if r.feedback:
                text += "\n" + tr("Feedback: {f}").format(f=r.feedback)
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, r.id)
            self.list.addItem(item)
        if not self.rows:
            self.list.addItem(tr("No named reports yet."))
        self.list.blockSignals(False)
        if chosen is not None:
            self.show_report(chosen)

    def current_id(self) -> int | None:
        item = self.list.currentItem()
        value = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        return int(value) if value is not None else None

    def show_report(self, event_id: int) -> bool:
        """Open one of the person's reports (Home's "your report moved" leads here)."""
        for i in range(self.list.count()):
            if self.list.item(i).data(Qt.ItemDataRole.UserRole) == event_id:
                if self.list.currentRow() == i:
                    self._open(i)
                else:
                    self.list.setCurrentRow(i)
                self.list.scrollToItem(self.list.item(i))
                # Came to answer or to read: the box to write in has the keyboard, so
                # Enter never opens a new report.
                self.talk.text.setFocus(Qt.FocusReason.OtherFocusReason)
                return True
        return False

    def _open(self, row: int) -> None:
        event_id = self.current_id() if row >= 0 else None
        if event_id is None:
            self.talk.clear()
            self.talk.setEnabled(False)
            return
        item = self.list.item(row)
        if item is not None and not item.isSelected():
            item.setSelected(True)  # the report shown is the one marked in the list
        r = next((x for x in self.rows if x.id == event_id), None)
        try:
            thread = conversation.open_mine(self.db, self.actor, event_id)
        except (ServiceError, StoreError) as exc:
            show_problem(self, readable(exc))
            return
        if r is not None:
            kinds, statuses = _labels("kinds"), _labels("statuses")
            self.summary.setText(
                tr("{kind} reported on {day}: {status}.").format(
                    kind=kinds.get(r.kind, r.kind),
                    day=format_date(r.reported_on),
                    status=statuses.get(r.status, r.status),
                )
                + "\n"
                + " ".join(r.narrative.split())[:300]
                + ("\n\n" + tr("Feedback: {f}").format(f=r.feedback) if r.feedback else "")
            )
        self.talk.setEnabled(True)
        self.talk.show_thread(
            thread.steps,
            thread.messages,
            merged=thread.merged,
            awaiting=thread.awaiting_reporter,
        )

    def _send(self, kind: str, text: str) -> None:
        event_id = self.current_id()
        if event_id is None:
            raise ValidationError(tr("Choose a report first."))
        conversation.write_mine(self.db, self.actor, event_id, kind, text)


class ReceiptTab(QWidget):
    """An anonymous report, followed with its receipt code: its journey, its conversation,
    and a box to answer through the code (nothing asks who is signed in)."""

    def __init__(self, db: Database) -> None:
        super().__init__()
        self.db = db
        self.code_checked = ""
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
        self.lost = muted(tr(conversation_ui.LOST_CODE))
        self.lost.setAccessibleName(tr("If you lost your code"))
        layout.addWidget(self.lost)
        self.result = QLabel("")
        self.result.setWordWrap(True)
        self.result.setTextFormat(Qt.TextFormat.PlainText)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.result.setAccessibleName(tr("Receipt result"))
        self.result_scroll = QScrollArea()
        self.result_scroll.setWidgetResizable(True)
        self.result_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.result_scroll.setWidget(self.result)
        self.result_scroll.setMaximumHeight(6 * self.fontMetrics().lineSpacing())
        layout.addWidget(self.result_scroll)
        self.talk = ThreadView(reporter_view=True)
        self.talk.send = self._send
        self.talk.sent.connect(self._after_send)
        self.talk.setVisible(False)
        layout.addWidget(self.talk, 100)
        layout.addStretch(1)  # keeps the code and the answer at the top until a report shows

    def check(self) -> None:
        self.code_checked = self.code.text()
        view = events.check_receipt(self.db, self.code_checked)
        if view is None:
            self.talk.setVisible(False)
            self.result.setText(tr(conversation.NO_SUCH_RECEIPT))
            return
        kinds, statuses = _labels("kinds"), _labels("statuses")
        # Before its batch is passed on, no reviewer has it yet: not "New" to them.
        status = (
            statuses.get(view.status, view.status)
            if view.released
            else tr("waiting to be passed on to the reviewers")
        )
        text = tr("{kind} reported on {day}: {status}.").format(
            kind=kinds.get(view.kind, view.kind),
            day=format_date(view.reported_on),
            status=status,
        )
        # Its status is in the line above and every step in the journey below: no second,
        # older list of the same.
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
        if view.feedback:
            text += "\n\n" + tr("Feedback: {f}").format(f=view.feedback)
        self.result.setText(text)
        self.talk.setVisible(True)
        # Until its batch is passed on, the journey says so (and why it waits).
        self.talk.show_thread(
            view.steps,
            view.messages,
            merged=view.merged,
            awaiting=view.awaiting_reporter,
            waiting_release=not view.released,
        )

    def _send(self, kind: str, text: str) -> None:
        conversation.write_by_receipt(self.db, self.code_checked, kind, text)

    def _after_send(self) -> None:
        self.code.setText(self.code_checked)
        self.check()
        tell(
            self,
            tr("Sent"),
            tr(
                "Your message waits with other anonymous messages and is passed on to the "
                "reviewers with the next batch (at the latest after the next shift change), so "
                "that the moment you wrote cannot point to you."
            ),
        )


class CheckReceiptDialog(QDialog):
    """Check a receipt from the sign-in screen: an anonymous reporter follows and answers
    their report with its code alone, without signing in (nobody is signed in)."""

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Check a receipt"))
        layout = QVBoxLayout(self)
        self.receipt = ReceiptTab(db)
        # A long journey and conversation scroll, with the dialog's button always on screen.
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(self.receipt)
        layout.addWidget(scroll, 1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout.addWidget(close)
        common.fit_to_screen(self, 760)
        self.resize(self.width(), min(640, self.maximumHeight()))
        self.receipt.code.setFocus()


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
        self.receipt = ReceiptTab(db)
        self.tabs.addTab(self.receipt, tr("Check a receipt"))
        layout.addWidget(self.tabs, 1)

    def show_my_report(self, event_id: int) -> bool:
        """Open My reports at one of the person's reports."""
        self.tabs.setCurrentWidget(self.mine)
        self.mine.reload()
        return self.mine.show_report(event_id)

    def refresh(self) -> None:
        self.mine.reload()
        if self.review is not None:
            self.review._load()
