"""The department view: a tier's units side by side and together, for its leaders.

A department lead (or the hospital's executive) chooses a week and reads the units'
figures in a sortable table, the department together under it, the department's or a
unit's charts, and the escalations still open. Figures and charts are built off the
GUI thread; the report is written off it too.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from hrohuddle.errors import UserFacingError
from hrohuddle.services import dates, department, tiers
from hrohuddle.services.department import Column, DepartmentWeek
from hrohuddle.services.permissions import Actor
from hrohuddle.services.reporting import Week
from hrohuddle.store.database import Database
from hrohuddle.ui.common import (
    heading,
    load_off_thread,
    muted,
    primary_button,
    report_bug,
    save_file_name,
    show_problem,
    show_refusal,
    tr,
)
from hrohuddle.wording import count, counts_in

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
#: The table's headings on screen, on a few lines each (department.HEADERS in full is
#: each heading's tooltip and accessible description).
#: Each column is as wide as its heading's longest line (the page scrolls sideways
#: rather than cut a word on a narrow screen).
SHORT_HEADERS = (
    "Huddles\nheld (of\nexpected)",
    "On time",
    "Median\nlength",
    "Reports",
    "Near\nmisses",
    "Good\ncatches",
    "Harm\nreached\npatient",
    "Heard\nback in\n7 days",
    "HRO\nbehaviours\nobserved",
    "Open\nescalations\n(oldest)",
    "Psych.\nsafety\n(answers)",
    "Signals",
)
#: Room around a heading's words: the header's padding and its sort arrow.
HEADER_PADDING = 22
TOGETHER = "__together__"


class _SortedItem(QTableWidgetItem):
    """A cell that sorts by its figure (kept under SORT_ROLE), not by its words."""

    def __lt__(self, other: QTableWidgetItem) -> bool:
        mine, theirs = self.data(SORT_ROLE), other.data(SORT_ROLE)
        if mine is None or theirs is None:
            return super().__lt__(other)
        return bool(mine < theirs)


class _Done(QObject):
    finished = Signal(object, object)  # path, error


class _ReportJob(QRunnable):
    """Writes the department report (audited) off the GUI thread."""

    def __init__(self, db: Database, actor: Actor, code: str, week: Week, path: Path) -> None:
        super().__init__()
        self.db, self.actor, self.code, self.week, self.path = db, actor, code, week, path
        self.signals = _Done()

    def run(self) -> None:
        from hrohuddle.reports import department as report

        try:
            report.write(self.db, self.actor, self.code, self.week, self.path)
        except UserFacingError as exc:
            self.signals.finished.emit(None, exc)
            return
        except OSError as exc:
            self.signals.finished.emit(
                None, tr("The PDF could not be written: {why}.").format(why=exc.strerror)
            )
            return
        except Exception as exc:  # a bug: handed to the exception hook on the GUI thread
            self.signals.finished.emit(None, exc)
            return
        self.signals.finished.emit(self.path, None)


def readable_tiers(db: Database, actor: Actor) -> list[tuple[int, str, str]]:
    """(tier id, code, name) of every tier the person may read: the ones they hold a role
    on and the departments under a hospital they hold one on."""
    held = tiers.my_tiers(db, actor)
    out: list[tuple[int, str, str]] = []
    seen: set[int] = set()
    rows = tiers.list_tiers(db)
    for t in sorted(held, key=lambda t: (t.level, t.code)):
        if t.tier_id not in seen:
            out.append((t.tier_id, t.code, t.name))
            seen.add(t.tier_id)
        for r in rows:
            if r.parent_id == t.tier_id and r.id not in seen:
                out.append((r.id, r.code, r.name))
                seen.add(r.id)
    return out


class DepartmentPage(QWidget):
    def __init__(self, db: Database, actor: Actor) -> None:
        super().__init__()
        self.db, self.actor = db, actor
        self.pool = QThreadPool(self)
        self.jobs: list[_ReportJob] = []
        self.figures: DepartmentWeek | None = None
        self.built: dict[str, Any] = {}
        self.canvases: list[Any] = []
        outer = QVBoxLayout(self)
        outer.addWidget(heading(tr("Department view")))
        if not tiers.shared(db):
            note = QLabel(tiers.NEEDS_SHARED_SERVER)
            note.setWordWrap(True)
            outer.addWidget(note)
            outer.addStretch(1)
            self.tier = QComboBox()
            return
        bar = QHBoxLayout()
        bar.addWidget(QLabel(tr("Tier")))
        self.tier = QComboBox()
        self.tier.setAccessibleName(tr("Department or hospital"))
        for tier_id, code, name in readable_tiers(db, actor):
            self.tier.addItem(f"{name} ({code})", (tier_id, code))
        bar.addWidget(self.tier)
        bar.addWidget(QLabel(tr("Week")))
        self.week = QComboBox()
        self.week.setAccessibleName(tr("Week"))
        current = Week.of(dt.date.today())
        self.week.addItem(
            tr("{w} (this week, so far)").format(w=dates.week_label(current.label, current.monday)),
            current.label,
        )
        last = Week.last_complete()
        for i in range(52):
            w = last.shifted(-i)
            self.week.addItem(dates.week_label(w.label, w.monday), w.label)
        self.week.setCurrentIndex(1)
        bar.addWidget(self.week)
        bar.addStretch(1)
        self.status = muted("")
        self.status.setWordWrap(False)
        bar.addWidget(self.status)
        self.print_button = primary_button(tr("Print the department report…"))
        self.print_button.clicked.connect(self.save_pdf)
        bar.addWidget(self.print_button)
        outer.addLayout(bar)

        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(0, 0, 8, 0)
        self.summary = QLabel("")
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName(tr("The department together"))
        layout.addWidget(self.summary)
        sort_bar = QHBoxLayout()
        self.units_title = QLabel(tr("Units side by side"))
        font = self.units_title.font()
        font.setBold(True)
        self.units_title.setFont(font)
        sort_bar.addWidget(self.units_title)
        sort_bar.addStretch(1)
        sort_bar.addWidget(QLabel(tr("Sort by")))
        self.sort_by = QComboBox()
        self.sort_by.setAccessibleName(tr("Sort the units by"))
        self.sort_by.addItem(tr("Unit"), -1)
        for i, h in enumerate(department.HEADERS):
            self.sort_by.addItem(tr(h), i)
        self.sort_by.currentIndexChanged.connect(self._sort_chosen)
        sort_bar.addWidget(self.sort_by)
        layout.addLayout(sort_bar)
        self.table = self._table(tr("Units side by side"))
        self.table.setSortingEnabled(True)
        layout.addWidget(self.table)
        layout.addWidget(QLabel(tr("Together")))
        self.together = self._table(tr("The department together"))
        layout.addWidget(self.together)
        charts_bar = QHBoxLayout()
        charts_bar.addWidget(QLabel(tr("Charts for")))
        self.chart_for = QComboBox()
        self.chart_for.setAccessibleName(tr("Charts for"))
        self.chart_for.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.chart_for.currentIndexChanged.connect(self._draw)
        charts_bar.addWidget(self.chart_for)
        charts_bar.addStretch(1)
        layout.addLayout(charts_bar)
        self.charts = QHBoxLayout()
        layout.addLayout(self.charts)
        self.chart_words = muted("")
        self.chart_words.setWordWrap(True)
        self.chart_words.setAccessibleName(tr("What the charts show"))
        layout.addWidget(self.chart_words)
        layout.addWidget(QLabel(tr("Open escalations")))
        self.escalations = QTableWidget(0, 5)
        self.escalations.setHorizontalHeaderLabels(
            [tr("Unit"), tr("Escalation"), tr("Raised"), tr("Age"), tr("Needed by")]
        )
        self.escalations.setAccessibleName(tr("Open escalations, oldest first"))
        self.escalations.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.escalations.verticalHeader().setVisible(False)
        self.escalations.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.escalations.setMinimumHeight(160)
        layout.addWidget(self.escalations)
        self.notes = muted("")
        self.notes.setWordWrap(True)
        layout.addWidget(self.notes)
        layout.addStretch(1)
        scroll.setWidget(body)
        outer.addWidget(scroll, 1)
        self.tier.currentIndexChanged.connect(self.reload)
        self.week.currentIndexChanged.connect(self.reload)
        self.reload()

    @staticmethod
    def _table(name: str) -> QTableWidget:
        table = QTableWidget(0, len(department.HEADERS) + 1)
        table.setAccessibleName(name)
        for i, (short, full) in enumerate(
            zip(("Unit", *SHORT_HEADERS), ("Unit", *department.HEADERS), strict=True)
        ):
            item = QTableWidgetItem(tr(short))
            item.setToolTip(tr(full))
            item.setData(Qt.ItemDataRole.AccessibleTextRole, tr(full))
            table.setHorizontalHeaderItem(i, item)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        table.verticalHeader().setVisible(False)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header.setTextElideMode(Qt.TextElideMode.ElideNone)
        header.setMinimumSectionSize(40)
        table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        table.setWordWrap(True)
        table.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        return table

    @staticmethod
    def _fit_columns(table: QTableWidget) -> None:
        """Every column at least as wide as its heading's longest line and its widest
        figure; what room is left is shared out, never a heading cut."""
        header = table.horizontalHeader()
        table.ensurePolished()
        header.ensurePolished()
        metrics = header.fontMetrics()
        cells = table.fontMetrics()
        needed: list[int] = []
        for i in range(table.columnCount()):
            item = table.horizontalHeaderItem(i)
            words = item.text().split("\n") if item is not None else [""]
            width = max(metrics.horizontalAdvance(w) for w in words) + HEADER_PADDING
            for row in range(table.rowCount()):
                cell = table.item(row, i)
                if cell is not None and i > 0:
                    longest = max(cell.text().split(), key=len, default="")
                    width = max(width, cells.horizontalAdvance(longest) + HEADER_PADDING)
            if i == 0:
                firsts = [table.item(r, 0) for r in range(table.rowCount())]
                names = [c.text() for c in firsts if c is not None]
                # The unit's name wraps onto two lines before the figures lose room.
                widest = max([0, *(cells.horizontalAdvance(n) + 16 for n in names)])
                width = max(width, 150, min(widest, 200))
            needed.append(width)
        room = table.viewport().width() or table.width()
        spare = max(0, room - sum(needed))
        share = spare // max(1, len(needed) - 1)
        for i, width in enumerate(needed):
            header.resizeSection(i, width + (share if i > 0 else 0))
        header.setFixedHeight(max(header.sizeHint().height(), 3 * metrics.lineSpacing() + 12))

    def resizeEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        super().resizeEvent(event)
        if hasattr(self, "table"):
            self._fit_columns(self.table)
            self._fit_columns(self.together)

    # -- loading ----------------------------------------------------------------------
    def selected(self) -> tuple[int, str, Week]:
        tier_id, code = self.tier.currentData()
        return int(tier_id), str(code), Week.parse(str(self.week.currentData()))

    def reload(self) -> None:
        if self.tier.currentData() is None:
            self.summary.setText(tr("You hold no role on a department or the hospital."))
            return
        db, actor = self.db, self.actor
        tier_id, _code, week = self.selected()

        def work() -> tuple[DepartmentWeek, dict[str, Any]] | UserFacingError:
            from hrohuddle.reports import charts

            try:
                figures = department.department_week(db, actor, tier_id, week)
            except UserFacingError as exc:  # kept: a refusal empties the page and says why
                return exc
            built: dict[str, Any] = {}
            for col in [figures.together, *figures.columns]:
                key = TOGETHER if col is figures.together else col.code
                built[key] = (
                    charts.control_chart(col.huddle_p, percent=True),
                    charts.run_chart(col.event_run),
                )
            return figures, built

        load_off_thread(self, work, self._loaded, self.status, tr("Loading the week's figures…"))

    def _refused(self, exc: UserFacingError) -> None:
        """Nothing of what was on screen stays under a label it no longer belongs to."""
        self.figures, self.built = None, {}
        for table in (self.table, self.together, self.escalations):
            table.setRowCount(0)
        for canvas in self.canvases:
            self.charts.removeWidget(canvas)
            canvas.deleteLater()
        self.canvases = []
        self.chart_for.blockSignals(True)
        self.chart_for.clear()
        self.chart_for.blockSignals(False)
        self.chart_words.setText("")
        self.notes.setText("")
        self.print_button.setEnabled(False)
        self.summary.setText(
            tr("No figures shown: {why}").format(why=getattr(exc, "message", str(exc)))
        )

    def _loaded(self, result: tuple[DepartmentWeek, dict[str, Any]] | UserFacingError) -> None:
        if isinstance(result, UserFacingError):
            self._refused(result)
            return
        figures, built = result
        self.print_button.setEnabled(True)
        tier_id, _code, week = self.selected()
        if (figures.tier_id, figures.week) != (tier_id, week):
            return  # an earlier choice finished late: the one chosen since is on its way
        self.figures, self.built = figures, built
        word = figures.column_word.capitalize()
        self.units_title.setText(tr("{what}s side by side").format(what=word))
        self.sort_by.setItemText(0, word)
        t = figures.together
        self.summary.setText(
            tr(
                "{name} together, {week}: {held} of {expected} huddles held; {reports}; "
                "{esc} open at the week's end."
            ).format(
                name=figures.name,
                week=figures.week.label,
                held=t.held,
                expected=t.expected,
                reports=count(t.reports, "safety report"),
                esc=count(len(figures.escalations), "escalation"),
            )
        )
        self._fill(self.table, figures.columns, word)
        self._fill(self.together, [t], word, together=True)
        self.together.setItem(0, 0, QTableWidgetItem(tr("{name} together").format(name=t.name)))
        self._sort_chosen()
        self.chart_for.blockSignals(True)
        self.chart_for.clear()
        self.chart_for.addItem(tr("{name} together").format(name=figures.name), TOGETHER)
        for col in figures.columns:
            self.chart_for.addItem(f"{col.code} · {col.name}", col.code)
        self.chart_for.blockSignals(False)
        self._draw()
        self.escalations.setRowCount(len(figures.escalations))
        for row, e in enumerate(figures.escalations):
            cells = [
                e.unit_code,
                e.title,
                dates.day(e.raised_on),
                count(e.age_days, "day"),
                dates.day(e.needed_by) if e.needed_by else "—",
            ]
            for col_i, text in enumerate(cells):
                self.escalations.setItem(row, col_i, QTableWidgetItem(text))
        self.notes.setText(" ".join([*figures.notes, tr(department_never_shown())]))

    def _fill(
        self, table: QTableWidget, columns: list[Column], word: str, *, together: bool = False
    ) -> None:
        table.setSortingEnabled(False)
        first = table.horizontalHeaderItem(0)
        if first is not None:
            first.setText(word)
        table.setRowCount(len(columns))
        for row, col in enumerate(columns):
            name = _SortedItem(f"{col.code} · {col.name}")
            name.setData(SORT_ROLE, col.code)
            table.setItem(row, 0, name)
            for i, text in enumerate(department.row_cells(col)):
                item = _SortedItem(text)
                item.setData(SORT_ROLE, department.sort_key(col, i))
                item.setToolTip(f"{department.HEADERS[i]}: {text}")
                item.setData(Qt.ItemDataRole.AccessibleTextRole, f"{department.HEADERS[i]}: {text}")
                table.setItem(row, i + 1, item)
        self._fit_columns(table)
        table.resizeRowsToContents()
        # Every row shows: the page scrolls, not the table.
        height = table.horizontalHeader().sizeHint().height() + 2 * table.frameWidth()
        height += table.verticalHeader().length()
        if table.horizontalHeader().length() > table.viewport().width():
            height += table.horizontalScrollBar().sizeHint().height()
        table.setFixedHeight(height + 2)
        if not together:
            table.setSortingEnabled(True)

    def _sort_chosen(self, _index: int = 0) -> None:
        column = int(self.sort_by.currentData())
        # Unit codes read best A to Z; figures biggest first.
        order = Qt.SortOrder.AscendingOrder if column < 0 else Qt.SortOrder.DescendingOrder
        self.table.sortItems(column + 1, order)

    def _draw(self, _index: int = 0) -> None:
        from hrohuddle.reports import charts
        from hrohuddle.ui.chart_view import ChartView

        figures = self.figures
        if figures is None:
            return
        for canvas in self.canvases:
            self.charts.removeWidget(canvas)
            canvas.deleteLater()
        self.canvases = []
        key = self.chart_for.currentData() or TOGETHER
        col = (
            figures.together
            if key == TOGETHER
            else next(c for c in figures.columns if c.code == key)
        )
        titles = (col.huddle_p.title, col.event_run.title)
        remakes = (
            lambda size: charts.control_chart(col.huddle_p, percent=True, size=size),
            lambda size: charts.run_chart(col.event_run, size=size),
        )
        for fig, title, remake in zip(self.built[key], titles, remakes, strict=True):
            canvas = ChartView(fig, remake=remake)
            canvas.setAccessibleName(title)
            canvas.setMinimumHeight(260)
            canvas.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
            canvas.setFixedHeight(280)
            self.charts.addWidget(canvas, 1)
            self.canvases.append(canvas)
        said = []
        for title, signals in (
            (col.huddle_p.title, col.huddle_p.analysis.signals),
            (col.event_run.title, col.event_run.analysis.signals),
        ):
            said.append(
                f"{title}: "
                + (
                    " ".join(counts_in(s.sentence) for s in signals)
                    if signals
                    else tr("no signal, the variation is what this process usually shows.")
                )
            )
        self.chart_words.setText(" ".join(said))

    # -- the report -------------------------------------------------------------------
    def save_pdf(self) -> None:
        _tier_id, code, week = self.selected()
        path = save_file_name(
            self,
            tr("Print the department report"),
            f"department-{code}-{week.label}.pdf",
            "PDF (*.pdf)",
        )
        if path:
            self.start_report(Path(path))

    def start_report(self, path: Path) -> None:
        _tier_id, code, week = self.selected()
        job = _ReportJob(self.db, self.actor, code, week, path)
        job.signals.finished.connect(self._written)
        self.jobs.append(job)
        self.status.setText(tr("Building the report…"))
        self.pool.start(job)

    def _written(self, path: Path | None, error: str | Exception | None) -> None:
        self.jobs = [j for j in self.jobs if j.path != path] if path else self.jobs
        self.status.setText("")
        if isinstance(error, UserFacingError):
            show_refusal(self, error)
        elif isinstance(error, Exception):
            report_bug(error)
        elif error:
            show_problem(self, error)
        elif path is not None:
            self.status.setText(tr("Saved {name}.").format(name=path.name))


def department_never_shown() -> str:
    return "Aggregates only: never a single report, its narrative, who made it, or a pulse answer."


__all__ = ["DepartmentPage", "readable_tiers"]
