"""The manager's dashboard: figures on screen, a point opens its records, PDF and print."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from conftest import PINS, Team, sign_in_as
from PySide6.QtCore import QSize
from test_ui_fit import _problems, _settle
from test_ui_fit import demo_window as demo_window  # the demo unit's window, signed in

from hrohuddle.services import events
from hrohuddle.services.reporting import Week
from hrohuddle.ui import dashboard, preview


def _report(team: Team, when: dt.datetime, kind: str = "good_catch") -> None:
    from sqlalchemy import text

    with team.db.write() as s:
        s.execute(text("UPDATE units SET created_at = '2025-01-01 00:00:00'"))
    events.report(
        team.db,
        team["staff"],
        events.EventInput(
            kind=kind,
            narrative="Allergy band missing, caught at the bedside",
            category="medication",
            occurred_at=when,
        ),
    )


def test_dashboard_shows_headlines_and_a_point_lists_its_reports(
    qtbot, window, sqlite_team: Team
) -> None:
    last = Week.last_complete()
    _report(sqlite_team, dt.datetime.combine(last.monday + dt.timedelta(days=1), dt.time(10)))
    sign_in_as(qtbot, window, "Mo Manager", PINS["manager"])
    page = window.open_page("dashboard")
    panel = page.week_panel
    assert panel.loading and "Loading" in panel.status.text()  # a visible busy state
    qtbot.waitUntil(lambda: len(panel.canvases) == 2, timeout=20000)
    assert panel.selected_week() == last
    names = [panel.tiles.itemAt(i).widget().accessibleName() for i in range(panel.tiles.count())]
    assert any(n.startswith("Good catches: 1") for n in names)
    assert len(panel.canvases) == 2
    dialog = panel.show_week_reports(last)
    from PySide6.QtWidgets import QLabel

    assert dialog is not None
    assert "1 near misses and good catches" in dialog.findChild(QLabel).text()


def test_the_dashboard_charts_are_named_described_and_a_week_opens_from_the_keyboard(
    qtbot, window, sqlite_team: Team
) -> None:
    """A manager who cannot use a mouse tabs to the chart, hears its title and latest
    week, walks the weeks with the arrows and opens one with Enter; a click on a point
    opens its week too."""
    from PySide6.QtCore import QPointF, Qt

    last = Week.last_complete()
    _report(sqlite_team, dt.datetime.combine(last.monday + dt.timedelta(days=1), dt.time(10)))
    _report(sqlite_team, dt.datetime.combine(last.monday - dt.timedelta(days=13), dt.time(10)))
    sign_in_as(qtbot, window, "Mo Manager", PINS["manager"])
    panel = window.open_page("dashboard").week_panel
    qtbot.waitUntil(lambda: len(panel.canvases) == 2, timeout=20000)
    reports, held = panel.canvases
    assert reports.accessibleName() == panel.figures.event_run.title
    assert held.accessibleName() == panel.figures.huddle_p.title
    assert f"Latest, {last.label}: 1 report per week." in reports.accessibleDescription()
    assert "No signal." in reports.accessibleDescription()
    assert reports.focusPolicy() == Qt.FocusPolicy.StrongFocus
    reports.setFocus()
    qtbot.keyClick(reports, Qt.Key.Key_End)
    # Read out in the chart's unit and rounding, and promising only what Enter does.
    assert reports.accessibleDescription() == (
        f"{last.label}: 1 report per week. Press Enter to list that week's reports."
    )
    qtbot.keyClick(reports, Qt.Key.Key_Return)
    assert last.label in panel.week_dialog.windowTitle()
    # The list names the week it lists.
    from PySide6.QtWidgets import QLabel

    said = [label.text() for label in panel.week_dialog.findChildren(QLabel)]
    assert f"1 near misses and good catches in {last.label}. Choose one to read it." in said
    panel.week_dialog.reject()
    # Closed, the chart has the keyboard again and the arrows walk on from that week.
    qtbot.waitUntil(reports.hasFocus)
    qtbot.keyClick(reports, Qt.Key.Key_Left)
    before = panel.figures.event_run.weeks[-2]
    assert reports.accessibleDescription().startswith(f"{before}: 0 reports per week.")
    # A click anywhere in the last week's column, well above its point, opens that week.
    x, _y, week = reports.chart.points[-1]
    top = reports.chart.plot[3] - 2
    at = reports._to_screen(x + 3, top)
    qtbot.mouseClick(reports, Qt.MouseButton.LeftButton, pos=at.toPoint())
    assert panel.figures.event_run.weeks[week] in panel.week_dialog.windowTitle()
    panel.week_dialog.reject()
    assert reports.week_at(QPointF(1, 1)) is None  # outside the plot
    # The huddles chart opens nothing, so says nothing of Enter; its values are in %.
    held.setFocus()
    qtbot.keyClick(held, Qt.Key.Key_End)
    assert "Enter" not in held.accessibleDescription()
    assert held.accessibleDescription().startswith(f"{last.label}: ")
    assert held.accessibleDescription().endswith("%.")


def test_staff_have_no_dashboard(qtbot, window) -> None:
    sign_in_as(qtbot, window, "Sol Staff", PINS["staff"])
    assert window.open_page("dashboard") is None


def test_report_builds_off_the_gui_thread_and_prints(
    qtbot, sqlite_team: Team, tmp_path: Path, monkeypatch
) -> None:
    manager = sqlite_team["manager"]
    job = dashboard.ReportJob(sqlite_team.db, manager, Week.last_complete(), tmp_path / "r.pdf")
    results: list[object] = []
    job.signals.finished.connect(lambda path, err: results.append((path, err)))
    job.setAutoDelete(False)
    dashboard.QThreadPool.globalInstance().start(job)
    qtbot.waitUntil(lambda: bool(results), timeout=60_000)
    path, error = results[0]
    assert error is None and Path(path).exists()
    images = preview.render_pages(Path(path))
    assert images and images[0].width() > 500

    class FakePrinter:  # the printer is the system edge
        def __init__(self) -> None:
            from PySide6.QtGui import QImage

            self.pages = 1
            self.image = QImage(QSize(800, 1100), QImage.Format.Format_RGB32)

        def paintEngine(self):
            return self.image.paintEngine()

        def newPage(self) -> bool:
            self.pages += 1
            return True

    from PySide6.QtGui import QPainter

    printer = FakePrinter()
    painted: list[int] = []
    real_begin = QPainter.begin
    monkeypatch.setattr(QPainter, "begin", lambda self, dev: real_begin(self, printer.image))
    monkeypatch.setattr(QPainter, "drawImage", lambda self, *a: painted.append(1))
    preview.print_images(images, printer)
    assert printer.pages == len(images) and len(painted) == len(images)


def test_weeks_carry_their_dates_the_tab_names_the_week_and_a_report_opens(
    qtbot, window, sqlite_team: Team
) -> None:
    last = Week.last_complete()
    _report(sqlite_team, dt.datetime.combine(last.monday + dt.timedelta(days=1), dt.time(10)))
    sign_in_as(qtbot, window, "Mo Manager", PINS["manager"])
    page = window.open_page("dashboard")
    panel = page.week_panel
    sunday = last.monday + dt.timedelta(days=6)
    assert panel.week.currentText().startswith(f"{last.label} (Mon {last.monday.day}")
    assert f"Sun {sunday.day}" in panel.week.currentText()
    assert page.tabs.tabText(0) == f"Last week ({last.label})"
    panel.week.setCurrentIndex(0)
    assert page.tabs.tabText(0).startswith("This week so far")
    panel.week.setCurrentIndex(1)
    panel.show_week_reports(last)
    panel.week_list.setCurrentRow(0)
    panel.week_list.itemActivated.emit(panel.week_list.item(0))
    assert "Allergy band missing" in panel.report_text.text()
    assert "Good catch" in panel.report_text.text()


def test_a_preview_records_nothing_and_leaves_no_files_but_saving_is_recorded(
    qtbot, window, sqlite_team: Team, tmp_path: Path, monkeypatch
) -> None:
    import tempfile

    from hrohuddle.services import audit_log

    last = Week.last_complete()
    _report(sqlite_team, dt.datetime.combine(last.monday + dt.timedelta(days=1), dt.time(10)))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    sign_in_as(qtbot, window, "Mo Manager", PINS["manager"])
    panel = window.open_page("dashboard").week_panel

    def printed() -> int:
        return sum(
            1
            for e in audit_log.entries(sqlite_team.db, sqlite_team["manager"], limit=1000)
            if e.action == "report.printed"
        )

    panel.preview()
    qtbot.waitUntil(lambda: getattr(panel, "preview_dialog", None) is not None, timeout=60_000)
    dialog = panel.preview_dialog
    screen = dialog.screen().availableGeometry()
    assert dialog.height() <= screen.height() - 40 and dialog.width() <= screen.width()
    assert printed() == 0
    assert list(tmp_path.glob("hrohuddle-report-*"))
    dialog.reject()
    assert not list(tmp_path.glob("hrohuddle-report-*"))
    monkeypatch.setattr(
        "PySide6.QtWidgets.QFileDialog.getSaveFileName",
        lambda *a, **k: (str(tmp_path / "saved.pdf"), "PDF"),
    )
    panel.save_pdf()
    qtbot.waitUntil(lambda: "Saved" in panel.status.text(), timeout=60_000)
    assert printed() == 1


def test_print_sends_the_report_save_writes_with_its_witness_sharp_at_the_printers_dpi(
    qtbot, window, sqlite_team: Team, tmp_path: Path, monkeypatch
) -> None:
    """Printing from the preview prints the very PDF Save writes (the audit witness in
    its footer, recorded once), vector to a PDF printer; to a paper printer each page is
    drawn at the printer's resolution, losslessly, never a blurred preview image."""
    import tempfile

    import pypdf
    from PySide6.QtPrintSupport import QPrinter

    from hrohuddle.services import audit_log

    last = Week.last_complete()
    _report(sqlite_team, dt.datetime.combine(last.monday + dt.timedelta(days=1), dt.time(10)))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    sign_in_as(qtbot, window, "Mo Manager", PINS["manager"])
    panel = window.open_page("dashboard").week_panel
    panel.preview()
    qtbot.waitUntil(lambda: getattr(panel, "preview_dialog", None) is not None, timeout=60_000)
    dialog = panel.preview_dialog

    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    assert dialog.print_to(printer)
    printed = pypdf.PdfReader(tmp_path / "printed.pdf")
    text = "".join(page.extract_text() for page in printed.pages)
    assert "Witness of the audit head" in text
    assert all(not page.images for page in printed.pages)  # vector, as Save writes it
    entries = [
        e
        for e in audit_log.entries(sqlite_team.db, sqlite_team["manager"], limit=1000)
        if e.action == "report.printed"
    ]
    assert len(entries) == 1
    assert not list(tmp_path.glob("hrohuddle-print-*"))  # the printed copy is gone

    # A paper printer gets pages drawn at its resolution: here, the PDF engine stands in
    # for the printer's driver and keeps what it was given.
    paper = QPrinter(QPrinter.PrinterMode.HighResolution)
    paper.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    paper.setOutputFileName(str(tmp_path / "paper.pdf"))
    preview.paint_pdf(tmp_path / "printed.pdf", paper)
    drawn = pypdf.PdfReader(tmp_path / "paper.pdf")
    assert len(drawn.pages) == len(printed.pages)
    first = drawn.pages[0]
    inches = float(first.mediabox.width) / 72
    images = list(first.images)
    assert images
    assert max(image.image.width for image in images) / inches >= 300
    for xobject in first["/Resources"]["/XObject"].values():
        assert xobject.get_object().get("/Filter") != "/DCTDecode"  # no JPEG
    dialog.reject()


def test_a_preview_uses_the_figures_on_screen_instead_of_computing_them_again(
    qtbot, window, sqlite_team: Team, tmp_path: Path, monkeypatch
) -> None:
    import tempfile

    from hrohuddle.services import reporting

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    computed: list[Week] = []
    real = reporting.weekly_figures

    def counted(db, actor, week, *args, **kwargs):
        computed.append(week)
        return real(db, actor, week, *args, **kwargs)

    monkeypatch.setattr(reporting, "weekly_figures", counted)
    sign_in_as(qtbot, window, "Mo Manager", PINS["manager"])
    panel = window.open_page("dashboard").week_panel
    qtbot.waitUntil(lambda: len(panel.canvases) == 2, timeout=20000)
    assert computed == [Week.last_complete()]
    panel.preview()
    qtbot.waitUntil(lambda: getattr(panel, "preview_dialog", None) is not None, timeout=60_000)
    assert computed == [Week.last_complete()]
    dialog = panel.preview_dialog
    assert dialog.images
    assert panel.jobs == []  # a finished job is not kept, nor the pages it drew
    dialog.reject()
    assert dialog.images == []  # nor does a closed preview keep its pages
    # Figures of another week are never taken for the chosen one's.
    other = dashboard.ReportJob(
        sqlite_team.db,
        sqlite_team["manager"],
        Week.last_complete().shifted(-1),
        tmp_path / "other.pdf",
        record=False,
        figures=panel.figures,
    )
    assert other.figures is None


def test_a_census_saved_shows_in_the_figures_at_once(qtbot, window, sqlite_team: Team) -> None:
    last = Week.last_complete()
    _report(sqlite_team, dt.datetime.combine(last.monday + dt.timedelta(days=1), dt.time(10)))
    sign_in_as(qtbot, window, "Mo Manager", PINS["manager"])
    page = window.open_page("dashboard")
    panel = page.week_panel
    qtbot.waitUntil(lambda: not panel.loading and panel.figures is not None, timeout=20000)
    before = panel.census_note.text()
    assert before
    census_tab = page.tabs.widget(1)
    page.tabs.setCurrentIndex(1)
    census_tab.week.setText(last.label)
    census_tab.show_stored()
    census_tab.days.setValue(140)
    census_tab.save()
    page.tabs.setCurrentIndex(0)
    qtbot.waitUntil(lambda: not panel.loading, timeout=20000)
    assert panel.census_note.text() != before
    assert last.label not in panel.census_note.text()


def test_the_loop_tab_shows_its_figures_and_charts_uncut_at_1366x768(
    qtbot, demo_window, monkeypatch
) -> None:
    """A manager on a laptop opens Closing the loop: every figure whole, both charts drawn."""
    from hrohuddle.ui import common

    monkeypatch.setattr(common, "available_size", lambda _w: QSize(1366, 728))
    window = demo_window
    window.setFixedSize(1366, 768)
    qtbot.waitUntil(lambda: (window.width(), window.height()) == (1366, 768))
    page = window.open_page("dashboard")
    qtbot.waitUntil(lambda: page.week_panel.figures is not None, timeout=20000)
    page.tabs.setCurrentIndex(page.tabs.count() - 1)
    panel = page.loop_panel
    qtbot.waitUntil(lambda: len(panel.canvases) == 2, timeout=20000)
    _settle()
    assert _problems(window) == []
    shown = [panel.grid.itemAt(i).widget().accessibleName() for i in range(panel.grid.count())]
    assert any(n.startswith("Reporter heard back within 7 days (target 90%): ") for n in shown)
    assert any(n.startswith("Awaiting a first response on ") for n in shown)
    assert any(n.startswith("Named reports by learners: ") for n in shown)
    titles = [c.accessibleName() for c in panel.canvases]
    assert titles == [
        page.week_panel.figures.loop_share.title,
        "Median days to first feedback, by week of report",
    ]


def test_the_admin_sets_the_feedback_target_the_loop_chart_draws(
    qtbot, sqlite_team: Team, monkeypatch
) -> None:
    """Unit settings: the target, 50 to 100 %, saved and read back by the figures."""
    from PySide6.QtWidgets import QMessageBox

    from hrohuddle.services import reporting
    from hrohuddle.ui.admin_unit import UnitTab

    said: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda _p, _t, m, *a: said.append(m))
    tab = UnitTab(sqlite_team.db, sqlite_team.admin)
    qtbot.addWidget(tab)
    assert tab.feedback_target.value() == 90
    assert (tab.feedback_target.minimum(), tab.feedback_target.maximum()) == (50, 100)
    tab.feedback_target.setValue(75)
    tab.save()
    assert said == ["The unit's settings are saved."]
    figures = reporting.weekly_figures(sqlite_team.db, sqlite_team["manager"], Week.last_complete())
    assert figures.loop.target_pct == 75


def test_a_target_outside_50_to_100_is_refused_never_saved_as_another(
    qtbot, sqlite_team: Team, monkeypatch
) -> None:
    """Typing 49 or 101 (which the box shows as "10 %") is refused with the range, and
    nothing else is reported saved; the range is written next to the field."""
    from PySide6.QtCore import QEvent, Qt
    from PySide6.QtGui import QFocusEvent
    from PySide6.QtWidgets import QApplication, QLabel, QMessageBox

    from hrohuddle.services import people
    from hrohuddle.ui import admin_unit
    from hrohuddle.ui.admin_unit import UnitTab

    said: list[str] = []
    problems: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda _p, _t, m, *a: said.append(m))
    monkeypatch.setattr(admin_unit, "show_problem", lambda _p, m, *a, **k: problems.append(m))
    tab = UnitTab(sqlite_team.db, sqlite_team.admin)
    qtbot.addWidget(tab)
    labels = [w.text() for w in tab.findChildren(QLabel)]
    assert any("50 to 100 %" in text for text in labels)
    for typed, shown in (("49", "49 %"), ("101", "10 %")):
        tab.feedback_target.setFocus()
        tab.feedback_target.lineEdit().selectAll()
        qtbot.keyClick(tab.feedback_target.lineEdit(), Qt.Key.Key_Delete)
        qtbot.keyClicks(tab.feedback_target.lineEdit(), typed)
        # Leaving the box (to press Save) puts back its last good value on screen ...
        QApplication.sendEvent(tab.feedback_target, QFocusEvent(QEvent.Type.FocusOut))
        tab.save()
        # ... but what was typed is what is checked, and shown again to correct.
        assert problems[-1] == "The target must be between 50 and 100 %."
        assert tab.feedback_target.text() == shown
        assert said == []
        settings = people.unit_settings(sqlite_team.db, sqlite_team.admin.unit_id)
        assert settings.feedback_target_pct == 90
    tab.feedback_target.lineEdit().selectAll()
    qtbot.keyClicks(tab.feedback_target.lineEdit(), "75")
    tab.save()
    assert said == ["The unit's settings are saved."]
    assert people.unit_settings(sqlite_team.db, sqlite_team.admin.unit_id).feedback_target_pct == 75


def test_the_dashboard_shows_a_saved_target_on_f5_and_when_opened_again(
    qtbot, window, sqlite_team: Team
) -> None:
    from PySide6.QtCore import Qt

    from hrohuddle.services import people

    sign_in_as(qtbot, window, "Mo Manager", PINS["manager"])
    page = window.open_page("dashboard")
    panel = page.week_panel
    qtbot.waitUntil(lambda: not panel.loading and panel.figures is not None, timeout=20000)
    assert panel.figures.loop.target_pct == 90
    people.update_unit_settings(sqlite_team.db, sqlite_team.admin, feedback_target_pct=75)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    page.week_panel.week.setFocus()
    qtbot.keyClick(page.week_panel.week, Qt.Key.Key_F5)
    qtbot.waitUntil(
        lambda: not panel.loading and panel.figures.loop.target_pct == 75, timeout=20000
    )
    page.tabs.setCurrentIndex(page.tabs.count() - 1)
    shown = [
        page.loop_panel.grid.itemAt(i).widget().accessibleName()
        for i in range(page.loop_panel.grid.count())
    ]
    assert any(n.startswith("Reporter heard back within 7 days (target 75%)") for n in shown)
    people.update_unit_settings(sqlite_team.db, sqlite_team.admin, feedback_target_pct=80)
    window.open_page("home")
    window.open_page("dashboard")
    qtbot.waitUntil(
        lambda: not panel.loading and panel.figures.loop.target_pct == 80, timeout=20000
    )


def test_a_lowered_group_size_saved_in_unit_settings_keeps_learner_figures_hidden(
    qtbot, sqlite_team: Team, monkeypatch
) -> None:
    """Nobody looked at the figures while k was 5; the admin lowers it to 3: the weeks
    that ended before still use 5, and say so."""
    from PySide6.QtWidgets import QMessageBox

    from hrohuddle.services import loop_measure, reporting
    from hrohuddle.ui.admin_unit import UnitTab

    monkeypatch.setattr(QMessageBox, "information", lambda *_a: None)
    tab = UnitTab(sqlite_team.db, sqlite_team.admin)
    qtbot.addWidget(tab)
    tab.min_group.setValue(3)
    tab.save()
    last = Week.last_complete()
    figures = reporting.weekly_figures(sqlite_team.db, sqlite_team["manager"], last)
    sensors = figures.learners.reports
    assert (sensors.min_size, sensors.unit_min_size) == (5, 3)
    assert sensors.threshold_text.startswith("5 (the largest since the week ended")
    lines = dict(dashboard.loop_lines(figures.loop))
    assert lines["Smallest group shown for learner figures"] == sensors.threshold_text
    assert loop_measure.group_size_since([], last.monday, 3) == 3


def test_chart_text_follows_larger_text_and_nothing_is_drawn_over_at_1366x768(
    qtbot, demo_window, monkeypatch
) -> None:
    """With Larger text three times on a laptop, the charts' text is as large as the
    window's, the charts keep clear of the lines above and under them, and Normal text
    gives the heading and the loop's figures their sizes back."""
    from PySide6.QtCore import QPoint
    from PySide6.QtWidgets import QApplication

    from hrohuddle.reports.charts import TEXT
    from hrohuddle.ui import common

    monkeypatch.setattr(common, "available_size", lambda _w: QSize(1366, 728))
    window = demo_window
    window.setFixedSize(1366, 768)
    qtbot.waitUntil(lambda: (window.width(), window.height()) == (1366, 768))
    page = window.open_page("dashboard")
    panel = page.week_panel
    qtbot.waitUntil(lambda: len(panel.canvases) == 2 and not panel.loading, timeout=20000)
    try:
        for _ in range(3):
            window.scale_text(+1)
        _settle()
        qtbot.waitUntil(lambda: not any(v.relayout.isActive() for v in panel.canvases))
        font = QApplication.font()
        px = font.pointSizeF() * panel.logicalDpiY() / 72
        for view in panel.canvases:
            drawn = TEXT * view.target().width() / view.chart.width
            assert drawn >= px * 0.95, (drawn, px)

        def box(w):
            top = w.mapTo(panel, QPoint(0, 0)).y()
            return top, top + w.height()

        for view in panel.canvases:
            top, bottom = box(view)
            assert box(panel.signals)[1] <= top
            for below in (panel.rules, panel.census_note, panel.note):
                if below.isVisible():
                    assert bottom <= box(below)[0]
        window.scale_text(0)
        _settle()
        body = QApplication.font().pointSizeF()
        assert page.heading.font().pointSizeF() >= body * 1.3
        page.tabs.setCurrentIndex(page.tabs.count() - 1)
        loop = page.loop_panel
        qtbot.waitUntil(lambda: len(loop.canvases) == 2, timeout=20000)
        sizes = [loop.grid.itemAt(i).widget().font().pointSizeF() for i in range(loop.grid.count())]
        assert min(sizes) >= body * 0.95
    finally:
        window.scale_text(0)
