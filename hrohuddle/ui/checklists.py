"""HRO behaviour checklists on the floor: fast taps, keyboard shortcuts, saved at every tap.

Over 600 lines because the page syncs the unit's checklist templates once and its three tabs
(observe, reliability, templates) all work on those same template versions.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, Qt, QTimer
from PySide6.QtGui import QFontMetrics, QKeyEvent
from PySide6.QtWidgets import (
    QApplication,
    QButtonGroup,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from hrohuddle.services import checklists, dates
from hrohuddle.services.observations import setting_label, settings
from hrohuddle.services.permissions import Actor
from hrohuddle.services.vocabulary import unit_vocabulary
from hrohuddle.store.database import Database
from hrohuddle.ui.common import (
    ask,
    attempt,
    button,
    heading,
    muted,
    plain,
    primary_button,
    save_file_name,
    show_problem,
    tr,
)
from hrohuddle.ui.styles import style_sheet
from hrohuddle.wording import count

RESULT_LABELS = (("observed", "Observed (O)"), ("missed", "Missed (M)"), ("na", "N/A (N)"))


class NoteEdit(QLineEdit):
    """A note field that Enter and Escape leave, back to the keys of the session."""

    def __init__(self, text: str, leave: Any) -> None:
        super().__init__(text)
        self.leave = leave

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Escape, Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.leave()
            return
        super().keyPressEvent(event)


class BehaviourRow(QFrame):
    def __init__(self, panel: SessionPanel, row: checklists.ResponseRow, rating: bool) -> None:
        super().__init__()
        self.panel = panel
        self.row = row
        self.setProperty("role", "row")
        layout = QVBoxLayout(self)
        title = plain(QLabel(("▶ " if row.overall else "") + row.text))
        title.setWordWrap(True)
        layout.addWidget(title)
        buttons = QHBoxLayout()
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.buttons: dict[Any, QPushButton] = {}
        choices = (
            [(n, str(n)) for n in range(checklists.RATING_MIN, checklists.RATING_MAX + 1)]
            if rating
            else [(k, tr(v)) for k, v in RESULT_LABELS]
        )
        for key, label in choices:
            b = QPushButton(label)
            b.setCheckable(True)
            # Chosen, the words turn bold and wider: the button is made wide enough for
            # them then too, never clipping "Observed (O)" to ")bserved (O".
            bold = b.font()
            bold.setBold(True)
            wide = max(64, QFontMetrics(bold).horizontalAdvance(label) + 12)
            b.setStyleSheet(f"QPushButton {{ min-width: {wide}px; }}")
            b.setAccessibleName(f"{row.text}: {label}")
            b.clicked.connect(lambda _=False, k=key: self.choose(k))
            self.group.addButton(b)
            self.buttons[key] = b
            buttons.addWidget(b)
        self.note = NoteEdit(row.note or "", self.leave_note)
        self.note.setPlaceholderText(
            tr("Note (needed for a rating of 1 or 2)") if rating else tr("Note (optional)")
        )
        self.note.setAccessibleName(tr("Note on {b}").format(b=row.text))
        self.note.editingFinished.connect(self.save_note)
        buttons.addWidget(self.note, 1)
        layout.addLayout(buttons)
        self.ask = plain(QLabel(""))
        self.ask.setProperty("role", "error")
        self.ask.setWordWrap(True)
        self.ask.setVisible(False)
        layout.addWidget(self.ask)
        current = row.rating if rating else row.result
        if current in self.buttons:
            self.buttons[current].setChecked(True)
        self.value: Any = current

    def choose(self, key: Any) -> None:
        self.value = key
        self.panel.save(self, key)
        self.check_comment(at_once=True)

    def needs_comment(self) -> bool:
        return (
            isinstance(self.value, int)
            and self.value <= checklists.COMMENT_AT_OR_BELOW
            and not self.note.text().strip()
        )

    def check_comment(self, *, at_once: bool = False) -> None:
        """A low rating asks for its comment there and then, naming the behaviour."""
        if self.needs_comment():
            self.ask.setText(
                tr("A rating of {r} needs a comment: what did you see for “{b}”?").format(
                    r=self.value, b=self.row.text
                )
            )
            self.ask.setVisible(True)
            if at_once:
                self.panel.ask_comment(self)
        else:
            self.ask.setVisible(False)

    def save_note(self) -> None:
        if self.note.text() != (self.row.note or ""):
            self.panel.save(self, self.value)
            self.row = replace(self.row, note=self.note.text())
        self.check_comment()

    def leave_note(self) -> None:
        self.save_note()
        self.panel.note_left(self)


class SessionPanel(QWidget):
    """One observation session. O, M, N (or 1-5) answer the current behaviour and move on;
    Up and Down move between behaviours."""

    def __init__(self, db: Database, actor: Actor, session_id: int, on_done: Any) -> None:
        super().__init__()
        self.db, self.actor, self.session_id, self.on_done = db, actor, session_id, on_done
        self.setStyleSheet(style_sheet("checklist_rows"))
        view = checklists.session_view(db, actor, session_id)
        self.rating = view.template.response_kind == "rating"
        layout = QVBoxLayout(self)
        layout.addWidget(heading(f"{view.template.title} (v{view.template.version})", 1.2))
        self.context_line = muted(
            tr(
                "{ctx}{who}. Every tap is saved at once. Keys: {keys}; Up and "
                "Down move between behaviours."
            ).format(
                ctx=setting_label(view.context),
                who=f" · {view.observed}" if view.observed else "",
                keys="1-5" if self.rating else "O observed, M missed, N not applicable",
            )
        )
        layout.addWidget(self.context_line)
        if view.template.sources:
            layout.addWidget(muted(tr("Source: {s}.").format(s="; ".join(view.template.sources))))
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        body = QWidget()
        rows = QVBoxLayout(body)
        self.rows = [BehaviourRow(self, r, self.rating) for r in view.responses]
        domain = None
        for row in self.rows:
            if row.row.domain and row.row.domain != domain:
                domain = row.row.domain
                rows.addWidget(heading(domain, 1.05))
            rows.addWidget(row)
        rows.addStretch(1)
        scroll.setWidget(body)
        self.scroll_area = scroll
        layout.addWidget(scroll, 1)
        self.overall = NoteEdit(view.overall_note or "", self.setFocus)
        self.overall.setPlaceholderText(tr("Overall note (optional)"))
        self.overall.setAccessibleName(tr("Overall note"))
        layout.addWidget(self.overall)
        bottom = QHBoxLayout()
        self.progress = QLabel("")
        self.progress.setAccessibleName(tr("Progress"))
        bottom.addWidget(self.progress, 1)
        discard = button(tr("Discard observation…"))
        discard.clicked.connect(lambda: self.discard())
        finish = primary_button(tr("Finish observation"))
        finish.clicked.connect(lambda: self.finish())
        bottom.addWidget(discard)
        bottom.addWidget(finish)
        layout.addLayout(bottom)
        self.current = 0
        self._mark()
        self._count()
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    def answered(self) -> int:
        return sum(1 for r in self.rows if r.value is not None)

    def _count(self) -> None:
        self.progress.setText(tr("{x} of {n} answered").format(x=self.answered(), n=len(self.rows)))

    def showEvent(self, event: Any) -> None:
        # Back from a lock or another screen: the keys work again at once.
        super().showEvent(event)
        QTimer.singleShot(0, self._take_focus)

    def _take_focus(self) -> None:
        focus = QApplication.focusWidget()
        if not isinstance(focus, QLineEdit) or not self.isAncestorOf(focus):
            self.setFocus()

    def note_left(self, row: BehaviourRow) -> None:
        """Back to the keys; once a waiting comment is written, on to the next behaviour."""
        self.setFocus()
        waiting_here = self.rows.index(row) == self.current and row.value is not None
        if waiting_here and not row.needs_comment():
            self.current = min(len(self.rows) - 1, self.current + 1)
            self._mark()

    def ask_comment(self, row: BehaviourRow) -> None:
        self.current = self.rows.index(row)
        self._mark()
        row.note.setFocus()

    def _mark(self) -> None:
        for i, row in enumerate(self.rows):
            row.setProperty("current", i == self.current)
            row.style().unpolish(row)
            row.style().polish(row)
        if self.rows:
            self.scroll_area.ensureWidgetVisible(self.rows[self.current])

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.text().lower()
        mapping = (
            {str(n): n for n in range(1, 6)}
            if self.rating
            else {"o": "observed", "m": "missed", "n": "na"}
        )
        if event.key() == Qt.Key.Key_Down:
            self.current = min(len(self.rows) - 1, self.current + 1)
            self._mark()
        elif event.key() == Qt.Key.Key_Up:
            self.current = max(0, self.current - 1)
            self._mark()
        elif key in mapping and self.rows:
            row = self.rows[self.current]
            row.buttons[mapping[key]].setChecked(True)
            row.choose(mapping[key])
            if row.needs_comment():
                return  # the note field has the focus, asking for the comment
            self.current = min(len(self.rows) - 1, self.current + 1)
            self._mark()
        else:
            super().keyPressEvent(event)

    def save(self, row: BehaviourRow, value: Any) -> None:
        kwargs = {"rating": value} if self.rating else {"result": value}
        self._count()
        attempt(
            self,
            lambda: checklists.record(
                self.db,
                self.actor,
                self.session_id,
                row.row.item_id,
                note=row.note.text(),
                **kwargs,
            ),
        )

    def finish(self, *, confirm: Any = None) -> bool:
        """Finish: a low rating without its comment is shown at its row; an unfinished
        list asks first (``confirm`` answers instead of a question box, for tests)."""
        for row in self.rows:
            row.save_note()
        waiting = [r for r in self.rows if r.needs_comment()]
        if waiting:
            for r in waiting:
                r.check_comment()
            self.ask_comment(waiting[0])
            return False
        done, total = self.answered(), len(self.rows)
        if done < total:
            question = tr(
                "{x} of {n} answered. Finish anyway? The others are left out of reliability."
            ).format(x=done, n=count(total, tr("behaviour"), tr("behaviours")))
            if confirm is None:
                answer = QMessageBox.question(self, tr("Finish observation"), question)
                ok = answer == QMessageBox.StandardButton.Yes
            else:
                ok = bool(confirm(question))
            if not ok:
                return False
        if (
            attempt(
                self,
                lambda: checklists.finish(
                    self.db, self.actor, self.session_id, self.overall.text()
                ),
            )
            is None
        ):
            view = checklists.session_view(self.db, self.actor, self.session_id)
            if view.completed_at is None:
                return False
        self.on_done()
        return True

    def discard(self, *, confirm: Any = None) -> bool:
        question = tr("Discard this observation and its {x}?").format(
            x=count(self.answered(), tr("answer"), tr("answers"))
        )
        if confirm is None:
            ok = (
                QMessageBox.question(self, tr("Discard observation"), question)
                == QMessageBox.StandardButton.Yes
            )
        else:
            ok = bool(confirm(question))
        if not ok:
            return False

        def gone() -> bool:
            checklists.discard(self.db, self.actor, self.session_id)
            return True

        if not attempt(self, gone):
            return False
        self.on_done(discarded=True)
        return True


class ObserveTab(QWidget):
    def __init__(self, db: Database, actor: Actor) -> None:
        super().__init__()
        self.db, self.actor = db, actor
        self.layout_ = QVBoxLayout(self)
        self.start_box = QWidget()
        form = QHBoxLayout(self.start_box)
        self.template = QComboBox()
        self.template.setAccessibleName(tr("Checklist"))
        self.context = QComboBox()
        self.context.setAccessibleName(tr("What is being observed"))
        for key, label in settings(checklists=True):
            self.context.addItem(label, key)
        self.observed = QLineEdit()
        self.observed.setPlaceholderText(tr("Team or person observed (optional)"))
        self.observed.setAccessibleName(tr("Team or person observed"))
        start = primary_button(tr("Start observation"))
        start.clicked.connect(self.start)
        for w in (self.template, self.context, self.observed):
            form.addWidget(w)
        form.addWidget(start)
        self.layout_.addWidget(self.start_box)
        self.done_label = muted("")
        self.layout_.addWidget(self.done_label)
        self.layout_.addStretch(1)  # the start row at the top, not floating mid-screen
        self.panel: SessionPanel | None = None
        self.reload_templates()
        open_id = checklists.open_session(db, actor)
        if open_id is not None:
            self.show_session(open_id)

    def reload_templates(self) -> None:
        self.template.clear()
        for t in checklists.templates(self.db, self.actor.unit_id):
            if t.status == "active":
                self.template.addItem(f"{t.title} (v{t.version})", t.id)

    def start(self) -> None:
        sid = attempt(
            self,
            lambda: checklists.start_session(
                self.db,
                self.actor,
                int(self.template.currentData()),
                str(self.context.currentData()),
                self.observed.text(),
            ),
        )
        if sid is not None:
            self.show_session(sid)

    def show_session(self, session_id: int) -> None:
        self.start_box.setVisible(False)
        self.panel = SessionPanel(self.db, self.actor, session_id, self.session_done)
        self.layout_.insertWidget(self.layout_.count() - 1, self.panel, 1000)
        self.panel.setFocus()

    def session_done(self, discarded: bool = False) -> None:
        if self.panel is not None:
            self.panel.deleteLater()
            self.panel = None
        self.start_box.setVisible(True)
        self.observed.clear()
        self.done_label.setText(
            tr("Observation discarded.") if discarded else tr("Observation saved. Thank you.")
        )


class ReliabilityTab(QWidget):
    """Reliability per behaviour or principle for a period and a template, with a
    p-chart over time for the one chosen; exportable."""

    def __init__(self, db: Database, actor: Actor) -> None:
        super().__init__()
        self.db, self.actor = db, actor
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.since = QDateEdit(QDate.currentDate().addDays(-182))
        self.until = QDateEdit(QDate.currentDate())
        for edit, name in ((self.since, tr("From")), (self.until, tr("To"))):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("ddd d MMM yyyy")
            edit.setAccessibleName(name)
        self.template = QComboBox()
        self.template.setAccessibleName(tr("Checklist"))
        self.template.addItem(tr("Every checklist"), None)
        seen: set[str] = set()
        for row in checklists.templates(db, actor.unit_id, include_retired=True):
            if row.key not in seen:
                seen.add(row.key)
                self.template.addItem(row.title, row.key)
        self.by = QComboBox()
        self.by.setAccessibleName(tr("Group by"))
        self.by.addItem(tr("By behaviour"), "behaviour")
        self.by.addItem(tr("By HRO principle"), "principle")
        show = primary_button(tr("Show"))
        show.clicked.connect(self.reload)
        export = button(tr("Export CSV…"))
        export.clicked.connect(lambda: self.export())
        for w in (
            QLabel(tr("From")),
            self.since,
            QLabel(tr("to")),
            self.until,
            self.template,
            self.by,
            show,
            export,
        ):
            bar.addWidget(w)
        bar.addStretch(1)
        layout.addLayout(bar)
        layout.addWidget(
            muted(
                tr(
                    "Share done among applicable opportunities in finished observations: "
                    "observed among observed or missed (not applicable is left out); on a "
                    "rating checklist, a rating of 4 or 5 among all ratings. Choose a row "
                    "for its p-chart week by week."
                )
            )
        )
        self.status = muted("")
        layout.addWidget(self.status)
        split = QSplitter(Qt.Orientation.Vertical)
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(
            [tr("Behaviour"), tr("Done / opportunities"), tr("Reliability")]
        )
        self.table.setAccessibleName(tr("Behaviour reliability"))
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        # Behaviours take the width left and wrap within it, never cut.
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in (1, 2):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        self.table.setWordWrap(True)
        rows = self.table.verticalHeader()
        rows.setMinimumSectionSize(rows.defaultSectionSize())  # a short row stays tappable
        # Rows are measured again once the columns have their widths (after the resize).
        self._rows_timer = QTimer(self)
        self._rows_timer.setSingleShot(True)
        self._rows_timer.setInterval(0)
        self._rows_timer.timeout.connect(self.table.resizeRowsToContents)
        header.sectionResized.connect(lambda *_: self._rows_timer.start())
        self.table.currentCellChanged.connect(lambda r, *_: self.show_trend(r))
        split.addWidget(self.table)
        self.chart_holder = QWidget()
        self.chart_layout = QVBoxLayout(self.chart_holder)
        self.chart_layout.setContentsMargins(0, 0, 0, 0)
        self.period_note = muted("")
        self.period_note.setWordWrap(True)
        self.period_note.setAccessibleName(tr("Weeks of the chart"))
        self.chart_layout.addWidget(self.period_note)
        # Scrolled when the splitter leaves it less than the chart needs at the text's
        # size: the chart is never drawn over the note under it.
        chart_scroll = QScrollArea()
        chart_scroll.setWidgetResizable(True)
        chart_scroll.setFrameShape(QFrame.Shape.NoFrame)
        chart_scroll.setWidget(self.chart_holder)
        split.addWidget(chart_scroll)
        split.setSizes([260, 300])
        layout.addWidget(split, 1)
        self.rows: list[checklists.Reliability] = []
        self.trends: dict[str, checklists.ReliabilityTrend] = {}
        self.canvas: Any = None
        self.reload()

    def _args(self) -> tuple[Any, Any, str, str | None]:
        return (
            self.since.date().toPython(),
            self.until.date().toPython(),
            str(self.by.currentData()),
            self.template.currentData(),
        )

    def reload(self) -> None:
        since, until, by, key = self._args()
        rows = attempt(
            self,
            lambda: checklists.reliability(self.db, self.actor, since, until, by, key),
        )
        trends = attempt(
            self,
            lambda: checklists.reliability_trend(self.db, self.actor, since, until, by, key),
        )
        if rows is None or trends is None:
            return
        self.rows = rows
        self.trends = {tr_.key: tr_ for tr_ in trends}
        self.table.setHorizontalHeaderItem(
            0, QTableWidgetItem(tr("Behaviour") if by == "behaviour" else tr("HRO principle"))
        )
        self.table.setRowCount(len(rows))
        for i, r in enumerate(rows):
            share = "—" if r.share is None else f"{r.share:.0%}"
            for c, v in enumerate(
                (r.label, f"{r.observed} / {r.opportunities}", f"{share} (n={r.opportunities})")
            ):
                self.table.setItem(i, c, QTableWidgetItem(v))
        self.table.resizeRowsToContents()
        self.status.setText(
            tr("{n}, {a} to {b}").format(
                n=count(len(rows), tr("row"), tr("rows")), a=dates.day(since), b=dates.day(until)
            )
        )
        # The first row's chart, drawn once (choosing the row would draw it a second time).
        self.table.blockSignals(True)
        if rows:
            self.table.selectRow(0)
        self.table.blockSignals(False)
        self.show_trend(0 if rows else -1)

    def trend_series(self, row: int) -> Any:
        """The p-chart series of the chosen row (None when there is nothing to chart)."""
        if not 0 <= row < len(self.rows):
            return None
        trend = self.trends.get(self.rows[row].key)
        if trend is None:
            return None
        from hrohuddle.analytics import control_chart
        from hrohuddle.services.reporting import Series

        chart = control_chart.p_chart(trend.observed, trend.opportunities)
        return Series(
            trend.weeks,
            [p.value for p in chart.points],
            chart,
            trend.label,
            tr("share done"),
        )

    def period_text(self, series: Any) -> str:
        """What the chart's first and last weeks hold when the period cuts them."""
        import datetime as dt

        from hrohuddle.services.reporting import Week

        since, until, _by, _key = self._args()
        first, last = Week.parse(series.weeks[0]), Week.parse(series.weeks[-1])
        said = [tr("Weeks {a} to {b}, Monday to Sunday.").format(a=first.label, b=last.label)]
        if since > first.monday:
            said.append(
                tr("{w} counts only from {d}, the From date.").format(
                    w=first.label, d=dates.day(since)
                )
            )
        elif since < first.monday:
            said.append(
                tr("{w} is the first week with an observation since {d}.").format(
                    w=first.label, d=dates.day(since)
                )
            )
        sunday = last.monday + dt.timedelta(days=6)
        today = dt.date.today()
        if today <= sunday and today <= until:
            said.append(
                tr("{w} is not over: its point counts the observations so far.").format(
                    w=last.label
                )
            )
        elif until < sunday:
            said.append(
                tr("{w} counts only up to {d}, the To date.").format(
                    w=last.label, d=dates.day(until)
                )
            )
        return " ".join(said)

    def show_trend(self, row: int) -> None:
        if self.canvas is not None:
            self.chart_layout.removeWidget(self.canvas)
            self.canvas.hide()  # gone from the screen now, deleted when the loop comes back
            self.canvas.deleteLater()
            self.canvas = None
        series = self.trend_series(row)
        self.period_note.setText("" if series is None else self.period_text(series))
        if series is None:
            return
        from hrohuddle.reports import charts
        from hrohuddle.ui.chart_view import ChartView

        self.canvas = ChartView(
            charts.control_chart(series, percent=True),
            remake=lambda size: charts.control_chart(series, percent=True, size=size),
        )
        self.canvas.setAccessibleName(tr("Week by week: {t}").format(t=series.title))
        self.chart_layout.insertWidget(0, self.canvas, 1)

    def export(self, path: str | None = None) -> int | None:
        since, until, by, key = self._args()
        if path is None:
            path = save_file_name(
                self,
                tr("Export reliability"),
                f"reliability-{by}-{since.isoformat()}-to-{until.isoformat()}.csv",
                "CSV (*.csv)",
            )
        if not path:
            return None
        target = Path(path)
        n = attempt(
            self,
            lambda: checklists.export_reliability(
                self.db, self.actor, target, since, until, by, key
            ),
        )
        if n is not None:
            self.status.setText(
                tr("Exported {n} to {p}.").format(n=count(n, tr("row"), tr("rows")), p=str(target))
            )
        return n


class VersionEditor(QDialog):
    """Copy a template into a new version: reword, add, remove, reorder, remap."""

    COLS = ("Code", "Behaviour", "Domain", "HRO principle", "IPEC")

    def __init__(
        self, db: Database, actor: Actor, template: checklists.TemplateRow, parent: QWidget
    ) -> None:
        super().__init__(parent)
        self.db, self.actor, self.template = db, actor, template
        self.setWindowTitle(tr("New version of {t}").format(t=template.title))
        self.resize(1100, 640)
        layout = QVBoxLayout(self)
        layout.addWidget(
            muted(
                tr(
                    "Version {v} stays as it is for the observations that used "
                    "it; saving makes version {n}. Principles: {p}. IPEC: VE, RR, "
                    "C, TT."
                ).format(
                    v=template.version,
                    n=template.version + 1,
                    p=", ".join(unit_vocabulary().keys("hro_principles")),
                )
            )
        )
        self.table = QTableWidget(0, len(self.COLS))
        self.table.setHorizontalHeaderLabels([tr(c) for c in self.COLS])
        self.table.setAccessibleName(tr("Behaviours"))
        for spec in checklists.items(db, template.id):
            self._add_row(spec)
        self.table.resizeColumnsToContents()
        layout.addWidget(self.table, 1)
        row = QHBoxLayout()
        for text, slot in (
            (tr("Add behaviour"), self._new),
            (tr("Remove"), self._remove),
            (tr("Move up"), lambda: self._move(-1)),
            (tr("Move down"), lambda: self._move(1)),
        ):
            b = button(text)
            b.clicked.connect(slot)
            row.addWidget(b)
        row.addStretch(1)
        layout.addLayout(row)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.saved_id: int | None = None

    def _add_row(self, spec: checklists.ItemSpec) -> None:
        r = self.table.rowCount()
        self.table.insertRow(r)
        for c, v in enumerate(
            (spec.code, spec.text, spec.domain or "", spec.hro_principle or "", spec.ipec or "")
        ):
            item = QTableWidgetItem(v)
            if c == 0:
                item.setData(Qt.ItemDataRole.UserRole, spec.overall)
            self.table.setItem(r, c, item)

    def _new(self) -> None:
        self._add_row(checklists.ItemSpec("NEW", "", None, None, None))
        self.table.setCurrentCell(self.table.rowCount() - 1, 1)

    def _remove(self) -> None:
        if self.table.currentRow() >= 0:
            self.table.removeRow(self.table.currentRow())

    def _move(self, step: int) -> None:
        r = self.table.currentRow()
        target = r + step
        if r < 0 or not 0 <= target < self.table.rowCount():
            return
        for c in range(self.table.columnCount()):
            a, b = self.table.takeItem(r, c), self.table.takeItem(target, c)
            self.table.setItem(r, c, b)
            self.table.setItem(target, c, a)
        self.table.setCurrentCell(target, self.table.currentColumn())

    def specs(self) -> list[checklists.ItemSpec]:
        out = []
        for r in range(self.table.rowCount()):
            items = [self.table.item(r, c) for c in range(self.table.columnCount())]
            cell = [item.text().strip() if item is not None else "" for item in items]
            first = self.table.item(r, 0)
            overall = bool(first.data(Qt.ItemDataRole.UserRole)) if first else False
            out.append(
                checklists.ItemSpec(
                    cell[0], cell[1], cell[2] or None, cell[3] or None, cell[4] or None, overall
                )
            )
        return out

    def save(self) -> None:
        new_id = attempt(
            self,
            lambda: checklists.save_version(self.db, self.actor, self.template.id, self.specs()),
        )
        if new_id is not None:
            self.saved_id = new_id
            self.accept()


class TemplatesTab(QWidget):
    def __init__(self, db: Database, actor: Actor) -> None:
        super().__init__()
        self.db, self.actor = db, actor
        layout = QVBoxLayout(self)
        self.list = QListWidget()
        self.list.setAccessibleName(tr("Checklist versions"))
        layout.addWidget(self.list, 1)
        row = QHBoxLayout()
        for text, slot in (
            (tr("Copy into a new version…"), self.copy),
            (tr("Retire"), self.retire),
            (tr("Remove unused version"), self.remove),
        ):
            b = button(text)
            b.clicked.connect(slot)
            row.addWidget(b)
        row.addStretch(1)
        layout.addLayout(row)
        self.reload()

    def reload(self) -> None:
        self.list.clear()
        self.rows = checklists.templates(self.db, self.actor.unit_id, include_retired=True)
        for t in self.rows:
            item = QListWidgetItem(
                f"{t.title} · version {t.version} · {t.status} · "
                f"{count(t.sessions, tr('observation'), tr('observations'))}\n"
                f"{'; '.join(t.sources)}"
            )
            self.list.addItem(item)

    def _chosen(self) -> checklists.TemplateRow | None:
        row = self.list.currentRow()
        if row < 0:
            show_problem(self, tr("Choose a checklist version first."))
            return None
        return self.rows[row]

    def copy(self) -> None:
        t = self._chosen()
        if t is not None and VersionEditor(self.db, self.actor, t, self).exec():
            self.reload()

    def retire(self) -> None:
        t = self._chosen()
        if t is not None:
            attempt(self, lambda: checklists.retire_version(self.db, self.actor, t.id))
            self.reload()

    def remove(self) -> None:
        t = self._chosen()
        if t is None:
            return
        if not ask(
            self,
            tr("Remove version"),
            tr("Remove version {v} of {t}?").format(v=t.version, t=t.title),
        ):
            return
        attempt(self, lambda: checklists.remove_version(self.db, self.actor, t.id))
        self.reload()


class ChecklistsPage(QWidget):
    def __init__(self, db: Database, actor: Actor) -> None:
        super().__init__()
        checklists.sync_templates(db, unit_id=actor.unit_id)
        layout = QVBoxLayout(self)
        layout.addWidget(heading(tr("HRO behaviour checklists")))
        tabs = QTabWidget()
        tabs.setAccessibleName(tr("Checklist sections"))
        self.observe: ObserveTab | None = None
        if actor.can("checklist.observe"):
            self.observe = ObserveTab(db, actor)
            tabs.addTab(self.observe, tr("Observe"))
        if actor.can("report.view") or actor.can("checklist.observe"):
            self.reliability = ReliabilityTab(db, actor)
            tabs.addTab(self.reliability, tr("Reliability"))
        if actor.can("checklist.edit_templates"):
            tabs.addTab(TemplatesTab(db, actor), tr("Templates"))
        layout.addWidget(tabs, 1)
