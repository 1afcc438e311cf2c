"""The huddle page: start or resume the shift's huddle; read, print and save past ones."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLineEdit,
    QListWidgetItem,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from hrohuddle.services import huddle_record, huddles, people
from hrohuddle.services.permissions import Actor
from hrohuddle.services.shifts import ShiftClock, format_hm
from hrohuddle.services.vocabulary import unit_vocabulary
from hrohuddle.store.database import Database
from hrohuddle.ui.board_widgets import (
    big_button,
    board_label,
    board_list,
    board_style,
)
from hrohuddle.ui.common import (
    attempt,
    format_date,
    save_file_name,
    show_problem,
    tr,
)
from hrohuddle.ui.huddle_board import HuddleBoard
from hrohuddle.wording import count


class HuddlePage(QWidget):
    """Start or resume the shift's huddle; read past ones. Its board's requests to the
    window pass through its own signals."""

    report_requested = Signal()
    board_mode_changed = Signal(bool)

    def __init__(self, db: Database, actor: Actor, window_height: int | None = None) -> None:
        super().__init__()
        self.db = db
        self.actor = actor
        self.window_height = window_height
        self.stack = QStackedWidget()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)
        self.start_page = self._start_page()
        self.stack.addWidget(self.start_page)
        self.board: HuddleBoard | None = None
        running = huddles.open_huddle(db, actor.unit_id)
        self.reload_history()
        if running is not None and actor.can("huddle.run"):
            self.show_board(running.id)

    def _start_page(self) -> QWidget:
        page = QWidget()
        page.setObjectName("board")
        page.setStyleSheet(board_style())
        layout = QVBoxLayout(page)
        layout.setContentsMargins(32, 24, 32, 24)
        layout.addWidget(board_label(tr("Safety huddle"), "board-title"))
        self.start_button = big_button(tr("Start the huddle"), primary=True)
        self.start_button.setMinimumHeight(72)
        self.start_button.clicked.connect(self.start)
        self.start_button.setVisible(self.actor.can("huddle.run"))
        layout.addWidget(self.start_button)
        self.summary = board_label("", "hint")
        layout.addWidget(self.summary)
        layout.addWidget(board_label(tr("Past huddles"), "section"))
        search_row = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setPlaceholderText(tr("Search past huddles' items"))
        self.search.setAccessibleName(tr("Search past huddles"))
        self.search.returnPressed.connect(self.reload_history)
        go = big_button(tr("Search"))
        go.clicked.connect(self.reload_history)
        search_row.addWidget(self.search, 1)
        search_row.addWidget(go)
        layout.addLayout(search_row)
        self.history = board_list(tr("Past huddles"))
        self.history.itemActivated.connect(self._open_history)
        # The summary follows the chosen huddle.
        self.history.currentItemChanged.connect(lambda item, _prev: self._open_history(item))
        layout.addWidget(self.history, 1)
        row = QHBoxLayout()
        open_button = big_button(tr("Show summary"))
        open_button.clicked.connect(lambda: self._open_history(self.history.currentItem()))
        self.pdf_button = big_button(tr("Save summary PDF…"))
        self.pdf_button.clicked.connect(self.save_pdf)
        print_button = big_button(tr("Print summary…"))
        print_button.clicked.connect(self.print_summary)
        row.addWidget(open_button)
        row.addWidget(self.pdf_button)
        row.addWidget(print_button)
        row.addStretch(1)
        self.bulletin_button = big_button(tr("Bulletin"))
        self.bulletin_button.setAccessibleName(tr("The unit safety bulletin, in large type"))
        self.bulletin_button.clicked.connect(self.open_bulletin)
        # The bulletin is for the staff room: everyone who sees the huddle page reads it.
        self.bulletin_button.setVisible(self.actor.can("huddle.view"))
        row.addWidget(self.bulletin_button)
        layout.addLayout(row)
        return page

    def update_start_button(self, rows: list[huddles.HuddleRow] | None = None) -> None:
        """Offer to start (or resume) this shift's huddle, never one already closed."""

        unit = people.unit_settings(self.db, self.actor.unit_id)
        clock = ShiftClock.of(unit)
        day, shift = clock.shift_of(dt.datetime.now())
        shift_word = tr("day") if shift == "day" else tr("night")
        current = next((r for r in rows or [] if r.huddle_date == day and r.shift == shift), None)
        if current is not None and current.status == "closed":
            nxt = format_hm(clock.next_start(clock.start(day, shift)).time())
            self.start_button.setText(
                tr("The {shift} huddle is closed · the next one from {time}").format(
                    shift=shift_word, time=nxt
                )
            )
            self.start_button.setEnabled(False)
        elif current is not None:
            self.start_button.setText(tr("Resume the {shift} huddle").format(shift=shift_word))
            self.start_button.setEnabled(True)
        else:
            self.start_button.setText(tr("Start the {shift} huddle").format(shift=shift_word))
            self.start_button.setEnabled(True)
        self.start_button.setAccessibleName(self.start_button.text())

    def reload_history(self) -> None:
        self.history.clear()
        rows = attempt(
            self, lambda: huddle_record.history(self.db, self.actor, search=self.search.text())
        )
        if rows is None:
            return
        for r in rows:
            state = tr("open") if r.status == "open" else tr("closed")
            minutes = ""
            if r.ended_at:
                minutes = f" · {round((r.ended_at - r.started_at).total_seconds() / 60)} min"
            shift = tr("day") if r.shift == "day" else tr("night")
            item = QListWidgetItem(
                f"{format_date(r.huddle_date)} · {shift} · {state}{minutes} · "
                f"{r.attendance} {tr('present')} · {count(r.items, tr('item'), tr('items'))} · "
                f"{tr('led by')} {r.led_by or '—'}"
            )
            item.setData(Qt.ItemDataRole.UserRole, r.id)
            # The file is named by its day and shift, as people look for it later.
            item.setData(Qt.ItemDataRole.UserRole + 1, f"huddle-{r.huddle_date:%Y-%m-%d}-{r.shift}")
            self.history.addItem(item)
        if not rows:
            self.history.addItem(tr("No huddles found."))
        if not self.search.text().strip():
            self.update_start_button(rows)
        else:
            self.update_start_button(huddle_record.history(self.db, self.actor, limit=3))

    def start(self) -> None:
        row = attempt(self, lambda: huddles.start_or_resume(self.db, self.actor))
        if row is not None:
            self.show_board(row.id)

    def show_board(self, huddle_id: int) -> None:
        if self.board is not None:
            self.stack.removeWidget(self.board)
            self.board.deleteLater()
        # Typed for the window's height: the one given while the page is not in it yet.
        top = self.window()
        height = self.window_height if top is self else top.height()
        self.board = HuddleBoard(self.db, self.actor, huddle_id, self.closed, height, self.stack)
        self.board.report_requested.connect(self.report_requested)
        self.board.board_mode_changed.connect(self.board_mode_changed)
        self.stack.addWidget(self.board)
        self.stack.setCurrentWidget(self.board)

    def closed(self, huddle_id: int) -> None:
        self.reload_history()
        for i in range(self.history.count()):
            if self.history.item(i).data(Qt.ItemDataRole.UserRole) == huddle_id:
                self.history.setCurrentRow(i)
        self.summary.setText(self._summary_text(huddle_id))
        self.stack.setCurrentWidget(self.start_page)

    def _summary_text(self, huddle_id: int) -> str:
        b = huddles.board(self.db, self.actor, huddle_id)
        changes = huddle_record.follow_up_record(self.db, self.actor, huddle_id)
        minutes = 0
        if b.huddle.ended_at:
            minutes = round((b.huddle.ended_at - b.huddle.started_at).total_seconds() / 60)
        counts = huddle_record.huddle_counts(b)  # what the board showed, as the PDF counts it
        made = sum(1 for c in changes if c.change == "created")
        closed = sum(1 for c in changes if c.change == "closed")
        sent_up = len(huddle_record.escalations_sent(self.db, self.actor, huddle_id))
        escalated = tr(", {n} escalated").format(n=sent_up) if sent_up else ""
        shift = tr("day") if b.huddle.shift == "day" else tr("night")
        state = (
            tr("closed after {m} min").format(m=minutes)
            if b.huddle.status == "closed"
            else tr("still open")
        )
        recognised = count(counts.recognitions, tr("recognition"), tr("recognitions"))
        if counts.good_catches:
            recognised += tr(", {n} recognised").format(
                n=count(counts.good_catches, tr("good catch"), tr("good catches"))
            )
        return tr(
            "Huddle of {date} ({shift}), {state}: {n} present; look back: {lb}; "
            "look ahead: {la}; actions: {made} made, {closed} closed{escalated}; {teach}; {rec}; "
            "HRO principles touched: {t} of {all}."
        ).format(
            date=format_date(b.huddle.huddle_date),
            shift=shift,
            state=state,
            n=b.head_count,
            lb=count(counts.look_back, tr("item"), tr("items")),
            la=count(counts.look_ahead, tr("item"), tr("items")),
            made=made,
            closed=closed,
            escalated=escalated,
            teach=count(counts.teaching_points, tr("teaching point"), tr("teaching points")),
            rec=recognised,
            t=len(counts.principles),
            all=len(unit_vocabulary().terms("hro_principles")),
        )

    def _open_history(self, item: QListWidgetItem | None) -> None:
        if item is None or item.data(Qt.ItemDataRole.UserRole) is None:
            # Nothing chosen (a search left it out): no summary of a huddle not listed.
            self.summary.setText("")
            return
        huddle_id = int(item.data(Qt.ItemDataRole.UserRole))
        self.summary.setText(self._summary_text(huddle_id))

    def open_bulletin(self) -> None:
        """The week's shared learning, large enough to read on the wall screen."""
        from hrohuddle.ui.bulletin import BulletinDialog

        BulletinDialog(self.db, self.actor, self).exec()

    def print_summary(self) -> None:
        """Preview the one-page summary, with a Print button (Qt's print dialog)."""
        item = self.history.currentItem()
        if item is None or item.data(Qt.ItemDataRole.UserRole) is None:
            show_problem(self, tr("Choose a huddle in the list first."))
            return
        import tempfile
        from pathlib import Path

        from hrohuddle.reports import huddle_summary
        from hrohuddle.ui.preview import PreviewDialog

        huddle_id = int(item.data(Qt.ItemDataRole.UserRole))
        path = Path(tempfile.mkdtemp(prefix="hrohuddle-huddle-")) / f"huddle-{huddle_id}.pdf"
        if (
            attempt(self, lambda: huddle_summary.write(self.db, self.actor, huddle_id, path))
            is None
        ):
            return
        dialog = PreviewDialog(self.db, self.actor, path, self)
        dialog.setWindowTitle(tr("Huddle summary"))
        dialog.exec()

    def save_pdf(self) -> None:
        item = self.history.currentItem()
        if item is None or item.data(Qt.ItemDataRole.UserRole) is None:
            show_problem(self, tr("Choose a huddle in the list first."))
            return
        huddle_id = int(item.data(Qt.ItemDataRole.UserRole))
        name = item.data(Qt.ItemDataRole.UserRole + 1) or f"huddle-{huddle_id}"
        path = save_file_name(self, tr("Save huddle summary"), f"{name}.pdf", "PDF (*.pdf)")
        if not path:
            return
        from pathlib import Path

        from hrohuddle.reports import huddle_summary

        try:
            attempt(self, lambda: huddle_summary.write(self.db, self.actor, huddle_id, Path(path)))
        except OSError as exc:
            show_problem(self, tr("The PDF could not be written: {why}.").format(why=exc.strerror))
