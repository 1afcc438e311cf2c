"""The manager's dashboard: the weekly figures on screen, the PDF in one click, the census.

Over 600 lines because the week panel and the report job it starts share the figures on
screen (the PDF is fed what is shown), with the census panel beside them on one page.
"""

from __future__ import annotations

import datetime as dt
import logging
import tempfile
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, QRunnable, Qt, QThreadPool, QTimer, Signal
from PySide6.QtGui import QAction, QImage, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from hrohuddle.errors import UserFacingError
from hrohuddle.services import census, dates, events, loop_measure, reporting
from hrohuddle.services.errors import EditConflict, ValidationError
from hrohuddle.services.permissions import Actor
from hrohuddle.services.reporting import Week
from hrohuddle.store.database import Database
from hrohuddle.ui.chart_view import ChartView, arrange, chart_svg
from hrohuddle.ui.common import (
    attempt,
    button,
    fit_to_screen,
    heading,
    load_off_thread,
    muted,
    open_file_name,
    primary_button,
    report_bug,
    save_file_name,
    show_problem,
    show_refusal,
    tr,
)
from hrohuddle.ui.preview import PreviewDialog, collect_after, render_pages
from hrohuddle.wording import count, counts_in, verb

log = logging.getLogger(__name__)


class _Done(QObject):
    finished = Signal(object, object)  # path, error message or a bug's exception


class ReportJob(QRunnable):
    """Builds the weekly PDF off the GUI thread, with its own database sessions."""

    def __init__(
        self,
        db: Database,
        actor: Actor,
        week: Week,
        path: Path,
        *,
        record: bool = True,
        figures: reporting.WeeklyFigures | None = None,
    ) -> None:
        super().__init__()
        self.db, self.actor, self.week, self.path = db, actor, week, path
        # Saving records "report printed"; building a preview records nothing.
        self.record = record
        # A preview of the week on screen is built from the figures already shown.
        self.figures = figures if figures is not None and figures.week == week else None
        self.signals = _Done()
        self.pages: list[QImage] = []  # a preview's pages, drawn here rather than on screen

    def run(self) -> None:
        from hrohuddle.reports import weekly

        try:
            if self.record:
                weekly.write(self.db, self.actor, self.week, self.path)
            else:
                weekly.preview(self.db, self.actor, self.week, self.path, figures=self.figures)
                self.pages = render_pages(self.path)
        except UserFacingError as exc:  # shown on the GUI thread as attempt shows it
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


class Tile(QFrame):
    def __init__(self, h: reporting.Headline) -> None:
        super().__init__()
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(self)
        name = QLabel(h.label)
        name.setWordWrap(True)
        value = QLabel(_fmt(h.value, h.unit))
        font = value.font()
        font.setPointSizeF(font.pointSizeF() * 2.2)
        font.setBold(True)
        value.setFont(font)
        change = h.change
        if change is None:
            words = tr("last week: {v}").format(v=_fmt(h.previous, h.unit))
        elif change == 0:
            words = tr("same as last week")
        else:
            words = tr("{dir} {n} from last week ({prev})").format(
                dir=tr("up") if change > 0 else tr("down"),
                n=_fmt(abs(change), h.unit),
                prev=_fmt(h.previous, h.unit),
            )
        sub = muted(words)
        for w in (name, value, sub):
            layout.addWidget(w)
        self.setAccessibleName(f"{h.label}: {value.text()}, {words}")


def census_note(figures: reporting.WeeklyFigures) -> str:
    """Which weeks have no census, so no rate per 1,000 patient-days ("" when all have)."""
    rate = figures.event_u
    if rate is None:
        return tr(
            "No weekly census has been entered for these weeks, so reports per 1,000 "
            "patient-days cannot be shown; a manager enters it under Weekly census."
        )
    if not rate.missing:
        return ""
    return tr(
        "No census for {weeks}: reports per 1,000 patient-days leave these weeks out (gaps "
        "in the chart, never a point or a signal); a manager enters them under Weekly census."
    ).format(weeks=", ".join(rate.missing))


def _give_focus(widget: QWidget) -> None:
    """The keyboard back to ``widget`` once a dialog over it has gone (after Qt's own
    return of focus, and with its window made active again)."""
    widget.window().activateWindow()
    widget.setFocus(Qt.FocusReason.OtherFocusReason)


def _weeks_text(weeks: list[str]) -> str:
    """ "2026-W44", "2026-W30 to 2026-W37" (a run) or "2026-W12, 2026-W20"."""
    if len(weeks) == 1:
        return weeks[0]
    return tr("{a} to {b}").format(a=weeks[0], b=weeks[-1])


def signal_lines(figures: reporting.WeeklyFigures) -> list[str]:
    """Each chart's signals, naming the weeks they stand on."""
    charted: list[tuple[str, reporting.Series | None]] = [
        (tr("Reports run chart"), figures.event_run),
        (tr("Reports per 1,000 patient-days"), figures.event_u),
        (tr("Huddles held"), figures.huddle_p),
        (tr("HRO behaviours"), figures.behaviour_p),
        (tr("Feedback within 7 days"), figures.loop_share),
        (tr("Days to first feedback"), figures.loop_days),
    ]
    out = []
    for name, series in charted:
        if series is None:
            continue
        for sig in series.analysis.signals:
            sentence = counts_in(sig.sentence).rstrip(".")
            weeks = [series.weeks[i] for i in sig.points if 0 <= i < len(series.weeks)]
            if sig.rule == "outside_limits" or (weeks and len(weeks) < 3):
                where = f" ({', '.join(weeks)})" if weeks else ""
            else:
                where = f" ({_weeks_text(weeks)})" if weeks else ""
            out.append(f"{name}: {sentence}{where}.")
    return out


def _fmt(v: float | None, unit: str = "") -> str:
    if v is None:
        return "—"
    text = f"{v:.0f}" if float(v).is_integer() else f"{v:.1f}"
    return f"{text} {unit}".strip()


class WeekPanel(QWidget):
    #: The week's figures are on screen (``self.figures``): the loop tab reads them.
    figures_shown = Signal()

    def __init__(self, db: Database, actor: Actor) -> None:
        super().__init__()
        self.db, self.actor = db, actor
        # Its own pool: deleting the screen waits for a report being built, so no job
        # outlives the screen (or the database) it was started from.
        self.pool = QThreadPool(self)
        self.jobs: list[ReportJob] = []
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        bar.addWidget(QLabel(tr("Week")))
        self.week = QComboBox()
        self.week.setAccessibleName(tr("Week"))
        last = Week.last_complete()
        current = Week.of(dt.date.today())
        self.week.addItem(
            tr("{w} (this week, so far)").format(w=dates.week_label(current.label, current.monday)),
            current.label,
        )
        for i in range(0, 52):
            w = last.shifted(-i)
            self.week.addItem(dates.week_label(w.label, w.monday), w.label)
        self.week.setCurrentIndex(1)
        self.week.currentIndexChanged.connect(self.reload)
        bar.addWidget(self.week, 3)
        self.chart_choice = QComboBox()
        self.chart_choice.setAccessibleName(tr("Reports chart"))
        # Each choice names what it counts: the run chart counts near misses and good
        # catches, the rate every safety report (the chart titles say the same).
        self.chart_choice.addItem(tr("Near misses and good catches per week"), "run")
        self.chart_choice.addItem(tr("All safety reports per 1,000 patient-days"), "rate")
        # Both choices as wide as their words where there is room, narrower (elided) with
        # large text on a small screen: the bar never pushes the buttons out of sight.
        for combo in (self.week, self.chart_choice):
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(14)
            combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        # Its list shows both choices whole, at any text size.
        self.chart_choice.setMaxVisibleItems(self.chart_choice.count())
        self.chart_choice.setStyleSheet("QComboBox { combobox-popup: 0; }")
        self.chart_choice.currentIndexChanged.connect(self._chart_chosen)
        bar.addWidget(self.chart_choice, 3)
        self.status = muted("")
        # One line: a status that wrapped would resize the charts, and Qt redraws a
        # resized chart on the GUI thread (0.3 s for the two). It takes the room left.
        self.status.setWordWrap(False)
        self.status.setMinimumWidth(1)
        bar.addWidget(self.status)
        self._fit_bar()
        save = button(tr("Save PDF…"))
        save.clicked.connect(self.save_pdf)
        preview = primary_button(tr("Preview and print…"))
        preview.clicked.connect(self.preview)
        bar.addWidget(save)
        bar.addWidget(preview)
        layout.addLayout(bar)
        self.tiles = QGridLayout()
        layout.addLayout(self.tiles)
        self.signals = QLabel("")
        self.signals.setWordWrap(True)
        self.signals.setAccessibleName(tr("Signals this week"))
        layout.addWidget(self.signals)
        self.charts = QHBoxLayout()
        layout.addLayout(self.charts, 1)
        self.rules = muted("")
        self.rules.setWordWrap(True)
        self.rules.setAccessibleName(tr("Rules used"))
        layout.addWidget(self.rules)
        self.census_note = muted("")
        self.census_note.setAccessibleName(tr("Weeks without a census"))
        self.census_note.setVisible(False)
        layout.addWidget(self.census_note)
        self.note = muted(
            tr(
                "More near-miss and good-catch reports usually mean more reporting, "
                "not less safety. Click a week on the reports chart to list its "
                "reports."
            )
        )
        layout.addWidget(self.note)
        self.canvases: list[Any] = []
        self.figures: reporting.WeeklyFigures | None = None
        self.built: dict[str, Any] = {}
        self.loading = False
        self.reload()

    def selected_week(self) -> Week:
        return Week.parse(str(self.week.currentData()))

    def week_title(self) -> str:
        """What the tab is called: the week it shows, with its dates."""
        w = self.selected_week()
        if w == Week.of(dt.date.today()):
            return tr("This week so far ({w})").format(w=w.label)
        if w == Week.last_complete():
            return tr("Last week ({w})").format(w=w.label)
        return tr("Week {w}").format(w=w.label)

    def reload(self) -> None:
        """The week's figures and charts are computed off the GUI thread (the drawings and
        their SVG included); the status line says so meanwhile."""
        db, actor, week = self.db, self.actor, self.selected_week()

        def work() -> tuple[reporting.WeeklyFigures, dict[str, Any]]:
            from hrohuddle.reports import charts

            figures = reporting.weekly_figures(db, actor, week)
            drawn = {
                "run": charts.run_chart(figures.event_run),
                "held": charts.control_chart(figures.huddle_p, percent=True),
            }
            if figures.event_u is not None:
                drawn["rate"] = charts.control_chart(figures.event_u)
            built = {key: (chart, chart_svg(chart)) for key, chart in drawn.items()}
            return figures, built

        self.loading = True
        load_off_thread(self, work, self._loaded, self.status, tr("Loading the week's figures…"))

    def _loaded(self, result: tuple[reporting.WeeklyFigures, dict[str, Any]]) -> None:
        figures, built = result
        self.loading = False
        self.figures = figures
        self.built = built
        while self.tiles.count():
            item = self.tiles.takeAt(0)
            tile = item.widget() if item is not None else None
            if tile is not None:
                tile.deleteLater()
        for i, h in enumerate(figures.headlines):
            self.tiles.addWidget(Tile(h), i // 3, i % 3)
        said = signal_lines(figures)
        self.signals.setText(
            (tr("Signals: ") + " ".join(said)) if said else tr("No chart shows a signal this week.")
        )
        self.census_note.setText(census_note(figures))
        self.census_note.setVisible(bool(self.census_note.text()))
        rate = self.chart_choice.findData("rate")
        item = self.chart_choice.model().item(rate)  # type: ignore[attr-defined]
        item.setEnabled(figures.event_u is not None)
        if figures.event_u is None and self.chart_choice.currentData() == "rate":
            self.chart_choice.setCurrentIndex(self.chart_choice.findData("run"))
        self._draw()
        self.figures_shown.emit()

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        arrange(self.charts, self.width())

    def changeEvent(self, event: Any) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._fit_bar()
            arrange(self.charts, self.width())

    def _fit_bar(self) -> None:
        """The choices no wider than their longest words at the text's size."""
        for combo in (self.week, self.chart_choice):
            metrics = combo.fontMetrics()
            longest = max(
                (metrics.horizontalAdvance(combo.itemText(i)) for i in range(combo.count())),
                default=0,
            )
            combo.setMaximumWidth(longest + 48)

    def _chart_chosen(self, _index: int) -> None:
        if self.figures is not None and not self.loading:
            self._draw()

    def _draw(self) -> None:
        """The reports chart chosen (per week, or per 1,000 patient-days with weeks
        without a census as gaps) beside the huddles chart."""
        from hrohuddle.reports import charts

        figures = self.figures
        if figures is None:
            return
        for canvas in self.canvases:
            self.charts.removeWidget(canvas)
            canvas.deleteLater()
        self.canvases = []
        rate = self.chart_choice.currentData() == "rate" and "rate" in self.built
        reports = figures.event_u if rate and figures.event_u is not None else figures.event_run
        if rate:
            reports_view = ChartView(
                *self.built["rate"],
                remake=lambda size: charts.control_chart(reports, size=size),
                opens_week=True,
            )
        else:
            reports_view = ChartView(
                *self.built["run"],
                remake=lambda size: charts.run_chart(reports, size=size),
                opens_week=True,
            )
        reports_view.point_chosen.connect(
            lambda week: self._picked(week, reports, every_kind=rate, back_to=reports_view)
        )
        held = figures.huddle_p
        held_view = ChartView(
            *self.built["held"],
            remake=lambda size: charts.control_chart(held, percent=True, size=size),
        )
        for view in (reports_view, held_view):
            self.charts.addWidget(view, 1)
            self.canvases.append(view)
        arrange(self.charts, self.width())
        self.rules.setText(
            tr("Rules used: {reports} {held}").format(
                reports=tr("Reports chart: {r}").format(r=reports.analysis.rule_text),
                held=tr("Huddles held: {r}").format(r=held.analysis.rule_text),
            )
        )

    def _picked(
        self,
        x: int,
        series: reporting.Series,
        *,
        every_kind: bool = False,
        back_to: QWidget | None = None,
    ) -> None:
        """A week chosen on a chart: ``x`` is the week's place on it, gaps included."""
        if 0 <= x < len(series.weeks):
            self.show_week_reports(
                Week.parse(series.weeks[x]), every_kind=every_kind, back_to=back_to
            )

    def show_week_reports(
        self, week: Week, *, every_kind: bool = False, back_to: QWidget | None = None
    ) -> QDialog | None:
        """The records behind a point: that week's near misses and good catches (every
        report of the week for the rate per 1,000 patient-days, which counts them all)."""
        flt = events.EventFilter(
            kinds=[] if every_kind else list(reporting.RUN_CHART_KINDS),
            since=week.monday,
            until=week.monday + dt.timedelta(days=6),
        )
        page = attempt(self, lambda: events.list_events(self.db, self.actor, flt, limit=500))
        if page is None:
            return None
        dialog = QDialog(self)
        dialog.setWindowTitle(
            tr("Reports in {w}").format(w=dates.week_label(week.label, week.monday))
        )
        layout = QVBoxLayout(dialog)
        words = (
            tr("{n} safety reports in {w}. Choose one to read it.")
            if every_kind
            else tr("{n} near misses and good catches in {w}. Choose one to read it.")
        )
        layout.addWidget(QLabel(words.format(n=page.total, w=week.label)))
        lst = QListWidget()
        lst.setWordWrap(True)
        lst.setAccessibleName(tr("Reports in the week"))
        kinds = reporting.labels()["kinds"]
        for r in page.rows:
            lst.addItem(
                f"{dates.day_time(dates.to_local(r.occurred_at))} · {kinds.get(r.kind, r.kind)} · "
                f"{' '.join(r.narrative.split())[:160]}"
            )
        lst.itemActivated.connect(lambda _item: self.open_report(page.rows[lst.currentRow()]))
        lst.itemClicked.connect(lambda _item: self.open_report(page.rows[lst.currentRow()]))
        layout.addWidget(lst)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(dialog.reject)
        layout.addWidget(buttons)
        dialog.resize(720, 480)
        if back_to is not None:
            # Closed, the chart has the keyboard again: the arrows walk on from that week.
            dialog.finished.connect(lambda _r: QTimer.singleShot(0, lambda: _give_focus(back_to)))
        dialog.open()
        self.week_dialog = dialog
        self.week_list = lst
        return dialog

    def open_report(self, r: events.ReportRow) -> QDialog:
        """One report as it was written, with what became of it."""
        lab = reporting.labels()
        dialog = QDialog(self)
        dialog.setWindowTitle(tr("Safety report"))
        layout = QVBoxLayout(dialog)
        lines = [
            f"{lab['kinds'].get(r.kind, r.kind)} · {lab['categories'].get(r.category, r.category)}",
            tr("Happened {when}{area}").format(
                when=dates.day_time(dates.to_local(r.occurred_at)),
                area=f" · {r.area}" if r.area else "",
            ),
            tr("Harm: {h}").format(h=lab["harm"].get(r.harm, r.harm) if r.harm else "—"),
            tr("Status: {s}").format(s=r.status.replace("_", " ")),
            "",
            " ".join(r.narrative.split()),
            "",
            tr("Feedback to the reporter: {f}").format(f=r.feedback or "—"),
        ]
        text = QLabel("\n".join(lines))
        text.setWordWrap(True)
        text.setTextFormat(Qt.TextFormat.PlainText)
        text.setAccessibleName(tr("The report"))
        # A long report scrolls; the Close button stays on screen.
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setAccessibleName(tr("The report"))
        holder = QWidget()
        held = QVBoxLayout(holder)
        held.setContentsMargins(0, 0, 8, 0)
        held.addWidget(text)
        held.addStretch(1)
        scroll.setWidget(holder)
        layout.addWidget(scroll, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(dialog.reject)
        layout.addWidget(buttons)
        fit_to_screen(dialog, 620)
        dialog.open()
        self.report_dialog = dialog
        self.report_text = text
        return dialog

    def _start(self, path: Path, then: Any, *, record: bool = True) -> None:
        # The panel shows its actor's unit only, so figures of the chosen week are the
        # preview's: they are not computed again (a save computes and records its own).
        figures = None if record or self.loading else self.figures
        job = ReportJob(
            self.db, self.actor, self.selected_week(), path, record=record, figures=figures
        )
        job.signals.finished.connect(then)
        job.signals.finished.connect(self._forget_job)
        self.jobs.append(job)
        self.status.setText(tr("Building the report…"))
        collect_after(job.signals.finished)
        self.pool.start(job)

    def _forget_job(self, _path: Path | None, _error: str | Exception | None) -> None:
        """A job whose report is done is kept no longer, nor what it held."""
        done = self.sender()
        self.jobs = [job for job in self.jobs if job.signals is not done]

    def save_pdf(self) -> None:
        week = self.selected_week()
        path = save_file_name(
            self, tr("Save weekly report"), f"weekly-report-{week.label}.pdf", "PDF (*.pdf)"
        )
        if path:
            self._start(Path(path), self._saved)

    def _failed(self, error: Exception) -> None:
        """A refusal shown as attempt shows it; a bug handed to the exception hook."""
        self.status.setText("")
        if isinstance(error, UserFacingError):
            show_refusal(self, error)
        else:
            report_bug(error)

    def _saved(self, path: Path | None, error: str | Exception | None) -> None:
        if isinstance(error, Exception):
            self._failed(error)
            return
        self.status.setText(
            "" if error else tr("Saved {name}.").format(name=path.name if path else "")
        )
        if error:
            show_problem(self, error)

    def preview(self) -> None:
        folder = Path(tempfile.mkdtemp(prefix="hrohuddle-report-"))
        self._start(
            folder / f"weekly-{self.selected_week().label}.pdf", self._preview_ready, record=False
        )

    def _preview_ready(self, path: Path | None, error: str | Exception | None) -> None:
        self.status.setText("")
        if isinstance(error, Exception):
            self._failed(error)
            return
        if error or path is None:
            show_problem(self, error or tr("The report could not be built."))
            return
        images: list[QImage] = []
        week = self.selected_week()
        for job in self.jobs:
            if job.path == path:
                images, job.pages = job.pages, []  # the dialog keeps them, the job not
                week = job.week  # the week previewed, whatever is chosen since
        db, actor = self.db, self.actor

        def publish(out: Path) -> Path:
            from hrohuddle.reports import weekly

            return weekly.write(db, actor, week, out)

        self.preview_dialog = PreviewDialog(db, actor, path, self, images, publish=publish)
        self.preview_dialog.open()


def _days(v: float | None) -> str:
    if v is None:
        return "—"
    return _fmt(v, tr("day") if v == 1 else tr("days"))


def loop_lines(loop: loop_measure.LoopWeek) -> list[tuple[str, str]]:
    """The loop's figures as (what, value) in the order the panel shows them."""
    share = (
        tr("{w} of {n} ({p:.0%})").format(w=loop.within, n=loop.counted, p=loop.share)
        if loop.share is not None
        else tr("none due yet")
    )
    oldest = (
        tr("none waiting")
        if loop.oldest_awaiting_days is None
        else count(loop.oldest_awaiting_days, "day")
    )
    sensors = loop.learners
    return [
        (tr("Reports made this week"), str(loop.reported)),
        (tr("Reporter heard back within 7 days (target {t}%)").format(t=loop.target_pct), share),
        (tr("Not yet due (inside their 7 days, no word yet)"), str(loop.not_yet_due)),
        (tr("Heard back only by a question not yet answered"), str(loop.unanswered)),
        (tr("Median days to first feedback"), _days(loop.median_days)),
        (
            tr("Awaiting a first response on {d}").format(d=dates.day(loop.as_of)),
            tr("{n}, {o} of them over 7 days; oldest {a}").format(
                n=loop.awaiting, o=loop.awaiting_over_7, a=oldest
            ),
        ),
        (tr("Named reports by learners"), sensors.reports_text),
        (tr("Learners on the unit"), sensors.learners_text),
        (tr("Reports by learners per learner"), sensors.per_learner_text),
        (tr("Smallest group shown for learner figures"), sensors.threshold_text),
    ]


class LoopPanel(QWidget):
    """Closing the loop for the week chosen on the figures tab: did reporters hear back,
    how soon, who still waits, and learners as sensors; its two charts are drawn off the
    GUI thread when the tab is first looked at for a week."""

    def __init__(self, week_panel: WeekPanel) -> None:
        super().__init__()
        self.week_panel = week_panel
        layout = QVBoxLayout(self)
        self.title = QLabel("")
        self.title.setWordWrap(True)
        self.title.setAccessibleName(tr("Closing the loop, the week shown"))
        layout.addWidget(self.title)
        self.grid = QGridLayout()
        self.grid.setHorizontalSpacing(18)
        layout.addLayout(self.grid)
        self.charts = QHBoxLayout()
        layout.addLayout(self.charts, 1)
        self.status = muted("")
        self.status.setAccessibleName(tr("Closing the loop, loading"))
        layout.addWidget(self.status)
        self.signals = muted("")
        self.signals.setAccessibleName(tr("Closing the loop, signals"))
        layout.addWidget(self.signals)
        self.note = muted(
            tr(
                "Counted by the week a report was made, as of the end of that week: word on "
                "the seventh day is in time, on the eighth late. A question to an anonymous "
                "reporter reaches their receipt, so it counts as word. Learner figures are "
                "shown once the week has ended, and only in groups large enough that no "
                "learner can be singled out."
            )
        )
        layout.addWidget(self.note)
        self.canvases: list[Any] = []
        self.drawn_for: reporting.WeeklyFigures | None = None
        week_panel.figures_shown.connect(self.show_figures)
        self.show_figures()

    def follow_text_scale(self) -> None:
        """The figures' labels take the window's text size (they have none of their own)."""
        for i in range(self.grid.count()):
            item = self.grid.itemAt(i)
            widget = item.widget() if item is not None else None
            if widget is not None and widget.testAttribute(Qt.WidgetAttribute.WA_SetFont):
                widget.setFont(QApplication.font())

    def show_figures(self) -> None:
        figures = self.week_panel.figures
        while self.grid.count():
            item = self.grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        if figures is None:
            self.title.setText(tr("Loading the week's figures…"))
            return
        loop = figures.loop
        self.title.setText(
            tr("Reports made in {w}, as of {d}").format(
                w=dates.week_label(figures.week.label, figures.week.monday),
                d=dates.day(loop.as_of),
            )
        )
        for i, (what, value) in enumerate(loop_lines(loop)):
            name = QLabel(what)
            name.setWordWrap(True)
            shown = QLabel(value)
            shown.setWordWrap(True)
            shown.setStyleSheet("font-weight: bold")  # bold at whatever size the text is
            shown.setAccessibleName(f"{what}: {value}")
            row, col = i % 5, (i // 5) * 2
            self.grid.addWidget(name, row, col)
            self.grid.addWidget(shown, row, col + 1)
        sentences = [
            counts_in(f"{title}: {sig.sentence}")
            for title, series in (
                (tr("Feedback within 7 days"), figures.loop_share),
                (tr("Days to first feedback"), figures.loop_days),
            )
            for sig in series.analysis.signals
        ]
        self.signals.setText(
            (tr("Signals: ") + " ".join(sentences))
            if sentences
            else tr("No signal in these charts.")
        )
        if self.isVisible():
            self._build_charts()

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self._build_charts()

    def _build_charts(self) -> None:
        figures = self.week_panel.figures
        if figures is None or figures is self.drawn_for:
            return
        self.drawn_for = figures

        def work() -> tuple[reporting.WeeklyFigures, Any, Any]:
            from hrohuddle.reports import charts

            share = charts.p_chart_with_target(figures.loop_share, figures.loop.target_pct)
            days = charts.run_chart_of(figures.loop_days, "median days, reports of the week")
            return figures, (share, chart_svg(share)), (days, chart_svg(days))

        load_off_thread(self, work, self._draw, self.status, tr("Drawing the loop's charts…"))

    def _draw(self, result: tuple[reporting.WeeklyFigures, Any, Any]) -> None:
        from hrohuddle.reports import charts

        figures, share, days = result
        if figures is not self.week_panel.figures:
            return  # another week was chosen meanwhile; its charts are on their way
        for canvas in self.canvases:
            self.charts.removeWidget(canvas)
            canvas.deleteLater()
        self.canvases = []
        target = figures.loop.target_pct
        remakes = (
            lambda size: charts.p_chart_with_target(figures.loop_share, target, size=size),
            lambda size: charts.run_chart_of(
                figures.loop_days, "median days, reports of the week", size=size
            ),
        )
        for drawn, remake in zip((share, days), remakes, strict=True):
            view = ChartView(drawn[0], drawn[1], remake=remake)
            self.charts.addWidget(view, 1)
            self.canvases.append(view)
        arrange(self.charts, self.width())

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        arrange(self.charts, self.width())

    def changeEvent(self, event: Any) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            arrange(self.charts, self.width())


class CensusPanel(QWidget):
    def __init__(self, db: Database, actor: Actor) -> None:
        super().__init__()
        self.db, self.actor = db, actor
        layout = QVBoxLayout(self)
        layout.addWidget(
            muted(
                tr(
                    "Patient-days per week, for reports per 1,000 patient-days. "
                    "Enter a week, or import a CSV file of week,patient_days."
                )
            )
        )
        row = QHBoxLayout()
        self.week = QLineEdit(Week.last_complete().label)
        self.week.setAccessibleName(tr("Week, like 2026-W47"))
        self.days = QSpinBox()
        # -1 shows as "not stored": a week without a value never opens as a 0 to save.
        self.days.setRange(-1, census.MAX_PATIENT_DAYS)
        self.days.setSpecialValueText(tr("not stored"))
        self.days.setAccessibleName(tr("Patient-days"))
        save = primary_button(tr("Save week"))
        save.clicked.connect(self.save)
        imp = button(tr("Import CSV…"))
        imp.clicked.connect(self.import_file)
        for w in (QLabel(tr("Week")), self.week, QLabel(tr("Patient-days")), self.days, save, imp):
            row.addWidget(w)
        row.addStretch(1)
        layout.addLayout(row)
        self.stored_note = muted("")
        layout.addWidget(self.stored_note)
        self.week.editingFinished.connect(self.show_stored)
        self.table = QTableWidget(0, 2)
        self.table.setHorizontalHeaderLabels([tr("Week starting"), tr("Patient-days")])
        self.table.setAccessibleName(tr("Census, newest first"))
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        # A date on one line, never broken between its words.
        self.table.setWordWrap(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        layout.addWidget(self.table, 1)
        self.reload()

    def reload(self) -> None:
        rows = census.recent(self.db, self.actor, 52)
        self.table.setRowCount(len(rows))
        for i, r in enumerate(rows):
            self.table.setItem(i, 0, QTableWidgetItem(dates.day(r.week_start)))
            self.table.setItem(i, 1, QTableWidgetItem(str(r.patient_days)))
        self.show_stored()

    def show_stored(self) -> None:
        """Put the stored value of the chosen week in the form, never a blank 0."""
        bad_week: list[ValidationError] = []

        def read() -> census.CensusWeek | None:
            try:
                return census.get_week(self.db, self.actor, self.week.text())
            except ValidationError as exc:  # the week as typed; anything else via attempt
                bad_week.append(exc)
                return None

        stored = attempt(self, read)
        if stored is None:
            self.seen = None
            self.stored_note.setText(tr("Write the week like 2026-W47.") if bad_week else "")
            return
        self.seen = stored
        if stored.patient_days is None:
            self.days.setValue(-1)
            self.stored_note.setText(tr("Nothing stored for this week yet."))
        else:
            self.days.setValue(stored.patient_days)
            self.stored_note.setText(tr("Stored: {n} patient-days.").format(n=stored.patient_days))
        if not stored.complete:
            self.stored_note.setText(tr("This week is not over yet: enter it once it is complete."))

    def save(self) -> None:
        seen = getattr(self, "seen", None)
        value = self.days.value()
        if value < 0:
            show_problem(self, tr("Enter the week's patient-days first."))
            return
        if seen is not None and seen.patient_days is not None and seen.patient_days != value:
            answer = QMessageBox.question(
                self,
                tr("Replace the stored value?"),
                tr(
                    "The week starting {week} already holds {old} patient-days. Replace "
                    "them with {new}?"
                ).format(week=dates.day(seen.week_start), old=seen.patient_days, new=value),
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No,
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        expected = (seen.version or 0) if seen is not None else None

        def write() -> EditConflict | bool:
            try:
                census.set_week(
                    self.db, self.actor, self.week.text(), value, expected_version=expected
                )
            except EditConflict as exc:  # answered here; anything else via attempt
                return exc
            return True

        outcome = attempt(self, write)
        if outcome is None:
            return
        if isinstance(outcome, EditConflict):
            typed = value
            show_problem(self, outcome.message, tr("Someone else saved this week"))
            self.reload()
            self.days.setValue(typed)  # kept, to save again knowingly
            return
        self.reload()

    def import_file(self) -> None:
        path = open_file_name(self, tr("Import census"), "CSV (*.csv)")
        if not path:
            return
        plan = attempt(self, lambda: census.plan_import(self.db, self.actor, Path(path)))
        if plan is None:
            return
        replace = False
        if plan.replaced:
            listed = "\n".join(
                f"{dates.day(week)}: {old} → {new}" for week, old, new in plan.replaced[:12]
            )
            more = len(plan.replaced) - 12
            answer = QMessageBox.question(
                self,
                tr("Replace stored weeks?"),
                tr(
                    "The file adds {added} and would replace {n} already "
                    "stored:\n\n{listed}{more}\n\nReplace them? (No keeps the stored values "
                    "and adds only the new weeks.)"
                ).format(
                    added=count(len(plan.added), tr("week"), tr("weeks")),
                    n=count(len(plan.replaced), tr("week"), tr("weeks")),
                    listed=listed,
                    more=tr("\n… and {n} more").format(n=more) if more > 0 else "",
                ),
                QMessageBox.StandardButton.Yes
                | QMessageBox.StandardButton.No
                | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.No,
            )
            if answer == QMessageBox.StandardButton.Cancel:
                return
            replace = answer == QMessageBox.StandardButton.Yes
        done = attempt(
            self, lambda: census.import_csv(self.db, self.actor, Path(path), replace=replace)
        )
        if done is None:
            return
        self.reload()
        QMessageBox.information(
            self,
            tr("Census imported"),
            tr("Added {added}; replaced {replaced}; {same} {were} already the same.").format(
                added=count(len(plan.added), tr("week"), tr("weeks")),
                replaced=len(plan.replaced) if replace else 0,
                same=plan.unchanged,
                were=verb(plan.unchanged, tr("was"), tr("were")),
            ),
        )


class DashboardPage(QWidget):
    def __init__(self, db: Database, actor: Actor) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        self.heading = heading(tr("Dashboard"))
        layout.addWidget(self.heading)
        tabs = QTabWidget()
        tabs.setAccessibleName(tr("Dashboard sections"))
        self.tabs = tabs
        self.week_panel = WeekPanel(db, actor)
        # Scrolled rather than squeezed: with larger text on a small screen the charts
        # keep their height and nothing is drawn over the notes under them.
        self.week_scroll = _scrolled(self.week_panel)
        tabs.addTab(self.week_scroll, self.week_panel.week_title())
        self.week_panel.week.currentIndexChanged.connect(
            lambda _i: tabs.setTabText(0, self.week_panel.week_title())
        )
        if actor.can("census.edit"):
            tabs.addTab(CensusPanel(db, actor), tr("Weekly census"))
            # A week's census saved or imported there changes the rates, the charts and
            # the note about weeks without one: back on the figures, they are read afresh.
            tabs.currentChanged.connect(self._tab_chosen)
        self.loop_panel = LoopPanel(self.week_panel)
        tabs.addTab(_scrolled(self.loop_panel), tr("Closing the loop"))
        layout.addWidget(tabs, 1)
        # F5 reads the figures afresh (a target or group size saved meanwhile, new
        # reports); so does coming back to the dashboard from another screen.
        refresh = QAction(self)
        # The platform's Refresh keys, and F5 where the platform has another (one each:
        # a key bound twice is ambiguous and does nothing).
        keys = QKeySequence.keyBindings(QKeySequence.StandardKey.Refresh)
        if QKeySequence("F5") not in keys:
            keys.append(QKeySequence("F5"))
        refresh.setShortcuts(keys)
        refresh.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        refresh.triggered.connect(self.refresh)
        self.addAction(refresh)
        self.shown_before = False

    def refresh(self) -> None:
        """The week's figures and charts read again, on the figures and loop tabs."""
        if not self.week_panel.loading:
            self.week_panel.reload()

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        if event.spontaneous():  # the window restored: nothing new to read
            return
        if self.shown_before:
            self.refresh()
        self.shown_before = True

    def _tab_chosen(self, index: int) -> None:
        if self.tabs.widget(index) is self.week_scroll:
            self.week_panel.reload()

    def follow_text_scale(self) -> None:
        """Called when the text size changes: the heading and the loop's figures are
        sized from the window's text again, never scaled from a size of their own."""
        base = QApplication.font().pointSizeF()
        if base <= 0:
            return
        font = self.heading.font()
        font.setPointSizeF(base * 1.4)
        self.heading.setFont(font)
        self.loop_panel.follow_text_scale()


def _scrolled(panel: QWidget) -> QScrollArea:
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    scroll.setWidget(panel)
    return scroll
