"""The unit safety bulletin on screen, in the board's large type: read from two metres,
its items open to "I have seen this too", printed or saved as its one-page PDF."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QListWidgetItem,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from hrohuddle.errors import UserFacingError
from hrohuddle.services import bulletin, dates, me_too
from hrohuddle.services.bulletin import Bulletin
from hrohuddle.services.permissions import Actor
from hrohuddle.store.database import Database
from hrohuddle.ui.board_widgets import (
    big_button,
    board_label,
    board_list,
    board_style,
    style_tier,
    text_scale,
)
from hrohuddle.ui.common import attempt, save_file_name, show_problem, tr


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


class BulletinDialog(QDialog):
    """One week's bulletin: the last complete week's to start with, as the command line
    prints it; the running week (Later) and earlier weeks a press away."""

    def __init__(
        self,
        db: Database,
        actor: Actor,
        parent: QWidget | None = None,
        week_start: dt.date | None = None,
    ) -> None:
        super().__init__(parent)
        self.db, self.actor = db, actor
        self.week_start = _monday(week_start or dt.date.today() - dt.timedelta(days=7))
        self.shown: Bulletin | None = None
        self.setWindowTitle(tr("Unit safety bulletin"))
        self.setObjectName("board")
        screen = (parent.screen() if parent is not None else self.screen()).availableGeometry()
        self.setStyleSheet(board_style(style_tier(screen.height()), text_scale()))
        self.resize(min(1200, screen.width() - 40), min(900, screen.height() - 60))
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.title = board_label("", "board-title")
        self.title.setWordWrap(False)
        self.earlier = big_button(tr("◀ Earlier week"))
        self.earlier.setAccessibleName(tr("The bulletin of the week before"))
        self.earlier.clicked.connect(lambda: self.show_week(self.week_start - dt.timedelta(7)))
        self.later = big_button(tr("Later week ▶"))
        self.later.setAccessibleName(tr("The bulletin of the week after"))
        self.later.clicked.connect(lambda: self.show_week(self.week_start + dt.timedelta(7)))
        # The week's dates on a line of their own, beside the buttons that change it.
        self.span = board_label("", "hint")
        layout.addWidget(self.title)
        top.addWidget(self.span, 1)
        top.addWidget(self.earlier)
        top.addWidget(self.later)
        layout.addLayout(top)
        self.thanks = board_label("", "hint")
        layout.addWidget(self.thanks)
        self.items = board_list(tr("The bulletin's items"))
        self.items.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        layout.addWidget(self.items, 1)
        self.status = board_label("", "hint")
        self.status.setVisible(False)
        layout.addWidget(self.status)
        row = QHBoxLayout()
        self.me_too_button = big_button(tr("I have seen this too"), primary=True)
        self.me_too_button.setAccessibleName(tr("I have seen this too: the chosen item"))
        self.me_too_button.clicked.connect(self.add_me_too)
        self.print_button = big_button(tr("Print…"))
        self.print_button.setAccessibleName(tr("Print the bulletin"))
        self.print_button.clicked.connect(self.print_bulletin)
        self.save_button = big_button(tr("Save PDF…"))
        self.save_button.setAccessibleName(tr("Save the bulletin as a PDF"))
        self.save_button.clicked.connect(self.save_pdf)
        close = big_button(tr("Close"))
        close.clicked.connect(self.accept)
        row.addWidget(self.me_too_button)
        row.addStretch(1)
        row.addWidget(self.print_button)
        row.addWidget(self.save_button)
        row.addWidget(close)
        layout.addLayout(row)
        self.show_week(self.week_start)
        self.items.setFocus()

    # -- content -------------------------------------------------------------------------
    def show_week(self, monday: dt.date) -> None:
        if monday > dt.date.today():
            return
        b = attempt(self, lambda: bulletin.build(self.db, self.actor, monday))
        if b is None:
            return
        self.week_start = monday
        self.shown = b
        self.later.setEnabled(monday + dt.timedelta(7) <= dt.date.today())
        self.title.setText(tr("Safety bulletin {week}").format(week=b.week_label))
        self.title.setAccessibleName(self.title.text())
        this_week = _monday(dt.date.today())
        if monday == this_week:
            which = tr("This week, so far")
        elif monday == this_week - dt.timedelta(days=7):
            which = tr("Last week")
        else:
            which = tr("The week")
        self.span.setText(f"{which}: {dates.week_span(b.week_start)}")
        self.span.setAccessibleName(self.span.text())
        self._say("")
        self.thanks.setText(b.thank_you)
        self.thanks.setAccessibleName(b.thank_you)
        self._fill(b)

    def _fill(self, b: Bulletin) -> None:
        current = self.items.currentItem()
        key = current.data(Qt.ItemDataRole.UserRole) if current else None
        self.items.clear()
        said = attempt(
            self,
            lambda: me_too.said(
                self.db,
                self.actor,
                [d.event_id for d in b.done]
                + [i.event_id for i in b.learning]
                + [g.event_id for g in b.good_catches],
            ),
        )
        said = said or set()

        def heading(text: str) -> None:
            item = QListWidgetItem(text)
            font = item.font()
            font.setBold(True)
            item.setFont(font)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.items.addItem(item)

        def note(text: str) -> None:
            item = QListWidgetItem(text)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.items.addItem(item)

        def line(text: str, event_id: int, seen: int) -> None:
            # The reader's own "me too" is one of the count, never one of "the others".
            words = me_too.seen_by(seen, mine=event_id in said)
            item = QListWidgetItem(text + ("\n" + words if words else ""))
            item.setData(Qt.ItemDataRole.UserRole, event_id)
            self.items.addItem(item)

        heading(tr("You said, we did"))
        for d in b.done:
            line(f"{d.said} {d.did}", *_ids(d))
        if not b.done:
            note(tr("No report reached an action or a change this week."))
        heading(tr("What we learned together"))
        for it in b.learning:
            words = f"\n{tr('In the reporter’s own words')}: “{it.quote}”" if it.quote else ""
            line(f"{it.kind} · {it.category}: {it.text}{words}", it.event_id, it.me_too)
        if not b.learning:
            note(tr("Nothing new was shared from the reports this week."))
        heading(tr("Good catches"))
        for g in b.good_catches:
            thanks = " " + tr("Thank you, {name}.").format(name=g.named) if g.named else ""
            words = f"\n{tr('In the reporter’s own words')}: “{g.quote}”" if g.quote else ""
            line(f"{g.category}: {g.text}{thanks}{words}", g.event_id, g.me_too)
        if not b.good_catches:
            note(tr("No good catch was reported or shared this week."))
        for i in range(self.items.count()):
            if key is not None and self.items.item(i).data(Qt.ItemDataRole.UserRole) == key:
                self.items.setCurrentRow(i)
                break
        else:
            first = next(
                (
                    i
                    for i in range(self.items.count())
                    if self.items.item(i).data(Qt.ItemDataRole.UserRole) is not None
                ),
                None,
            )
            if first is not None:
                self.items.setCurrentRow(first)

    # -- actions -------------------------------------------------------------------------
    def add_me_too(self) -> None:
        """Count the signed-in person once; a second press is answered, kindly, here."""
        item = self.items.currentItem()
        event_id = item.data(Qt.ItemDataRole.UserRole) if item else None
        if event_id is None:
            self._say(tr("Choose an item of the bulletin first."))
            return
        try:
            n = me_too.add(self.db, self.actor, int(event_id))
        except me_too.AlreadySaid as exc:
            self._say(exc.message)
            return
        except UserFacingError as exc:  # kept: said beside the button, nothing is lost
            self._say(exc.message)
            return
        self.show_week(self.week_start)
        self._say(
            tr("Thank you: counted, never named. {seen}.").format(seen=me_too.seen_by(n, mine=True))
        )

    def _say(self, text: str) -> None:
        self.status.setText(text)
        self.status.setAccessibleName(text)
        self.status.setVisible(bool(text))

    def _pdf(self, folder_prefix: str) -> object:
        import tempfile
        from pathlib import Path

        from hrohuddle.reports import bulletin as pdf

        path = Path(tempfile.mkdtemp(prefix=folder_prefix)) / f"bulletin-{self._label()}.pdf"
        return attempt(self, lambda: pdf.preview(self.db, self.actor, self.week_start, path))

    def _label(self) -> str:
        return self.shown.week_label if self.shown is not None else "week"

    def print_bulletin(self) -> None:
        """Preview the page with a Print button; printing it is audited."""
        from pathlib import Path

        from hrohuddle.ui.preview import PreviewDialog

        path = self._pdf("hrohuddle-report-")
        if path is None:
            return
        assert isinstance(path, Path)
        dialog = PreviewDialog(self.db, self.actor, path, self)
        dialog.setWindowTitle(tr("Safety bulletin"))
        dialog.exec()

    def save_pdf(self) -> None:
        from pathlib import Path

        from hrohuddle.reports import bulletin as pdf

        name = save_file_name(
            self, tr("Save the bulletin"), f"bulletin-{self._label()}.pdf", "PDF (*.pdf)"
        )
        if not name:
            return
        try:
            attempt(self, lambda: pdf.write(self.db, self.actor, self.week_start, Path(name)))
        except OSError as exc:
            show_problem(self, tr("The PDF could not be written: {why}.").format(why=exc.strerror))


def _ids(d: bulletin.Done) -> tuple[int, int]:
    return d.event_id, d.me_too
