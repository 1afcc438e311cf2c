"""The admin's Audit log tab: entries filtered, paged and exported, and the chain checked."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from hrohuddle.paths import DataPaths
from hrohuddle.services import (
    audit_chain,
    audit_log,
    dates,
    people,
)
from hrohuddle.services.dates import to_local
from hrohuddle.services.permissions import Actor
from hrohuddle.store.database import Database
from hrohuddle.ui.common import (
    attempt,
    button,
    muted,
    plain,
    primary_button,
    tr,
)
from hrohuddle.ui.rows_model import RowsModel


class AuditModel(RowsModel[audit_log.AuditRow]):
    COLUMNS = ("When", "What", "Who", "About")

    def __init__(self) -> None:
        super().__init__()
        self.names: dict[str, str] = {}

    def cell(self, r: audit_log.AuditRow, col: int, *, full: bool) -> Any:
        if col == 0:
            if r.day_only:
                # Kept to its (UTC) day on purpose: no time to show, and no shift into
                # the evening before by a time zone behind UTC.
                if full:
                    return tr(
                        "{day}: the day only (UTC) is kept for signing in and out, "
                        "locking and unlocking, so that no report's shift names who "
                        "was signed in"
                    ).format(day=dates.day(r.at))
                return dates.day(r.at)
            local = to_local(r.at) if r.at.tzinfo is None else r.at
            return dates.day_time(local)
        if col == 1:
            # In words; the code stays in the tooltip and the export, for filtering files.
            return f"{r.what} ({r.action})" if full else r.what
        if col == 2:
            return r.who
        text = audit_log.about_words(r.target, r.detail, self.names)
        return text if full else text[:160]


class AuditTab(QWidget):
    """The log itself: filter by kind, person and period; export what is shown; check it."""

    PAGE = 500

    def __init__(self, db: Database, actor: Actor, paths: DataPaths | None = None) -> None:
        super().__init__()
        self.db = db
        self.actor = actor
        self.paths = paths
        layout = QVBoxLayout(self)
        layout.addWidget(
            muted(
                tr(
                    "Every sign-in, role change, PIN reset, export, restore and printed "
                    "report is recorded here. Each entry is chained to the one before, so a "
                    "change to any entry shows."
                )
            )
        )
        bar = QHBoxLayout()
        self.kind = QComboBox()
        self.kind.setAccessibleName(tr("Kind of entry"))
        self._fill_kinds()
        self.person = QComboBox()
        self.person.setAccessibleName(tr("Person"))
        self.person.addItem(tr("Everyone"), None)
        everyone = attempt(self, lambda: people.list_people(db, actor, include_inactive=True)) or []
        for p in everyone:
            self.person.addItem(p.display_name, p.id)
        self.since = QDateEdit(QDate.currentDate().addDays(-30))
        self.until = QDateEdit(QDate.currentDate())
        for edit, name in ((self.since, tr("From")), (self.until, tr("To"))):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("ddd d MMM yyyy")
            edit.setAccessibleName(name)
        show = primary_button(tr("&Show"))
        show.clicked.connect(self.reload)
        export = button(tr("&Export CSV…"))
        export.clicked.connect(lambda: self.export())
        check = button(tr("&Check the chain"))
        check.clicked.connect(self.verify)
        for w in (
            QLabel(tr("Kind")),
            self.kind,
            QLabel(tr("Person")),
            self.person,
            QLabel(tr("From")),
            self.since,
            QLabel(tr("to")),
            self.until,
            show,
            export,
            check,
        ):
            bar.addWidget(w)
        bar.addStretch(1)
        layout.addLayout(bar)
        self.result = plain(QLabel(""))
        self.result.setWordWrap(True)
        self.result.setAccessibleName(tr("Audit check result"))
        layout.addWidget(self.result)
        self.count = muted("")
        layout.addWidget(self.count)
        self.model = AuditModel()
        self.model.names = {f"person:{p.id}": p.display_name for p in everyone}
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName(tr("Audit entries, newest day first"))
        self.table.setWordWrap(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.table, 1)
        self.kind.currentIndexChanged.connect(self._filters_changed)
        self.person.currentIndexChanged.connect(self._filters_changed)
        self.since.dateChanged.connect(self._filters_changed)
        self.until.dateChanged.connect(self._filters_changed)
        self.reload()

    def _fill_kinds(self) -> None:
        chosen = self.kind.currentData()
        self.kind.blockSignals(True)
        self.kind.clear()
        self.kind.addItem(tr("Every kind"), None)
        for k in attempt(self, lambda: audit_log.kinds(self.db, self.actor)) or []:
            self.kind.addItem(audit_log.kind_words(k), k)
        self.kind.setCurrentIndex(max(0, self.kind.findData(chosen)))
        self.kind.blockSignals(False)

    def showEvent(self, event: Any) -> None:
        # What happened since the tab was built (this very sign-in, say) is listed at once.
        self.reload()
        super().showEvent(event)

    def _filters_changed(self) -> None:
        # A message about the last export or check no longer describes what is chosen.
        self.result.setText("")

    def where(self) -> audit_log.AuditFilter:
        return audit_log.AuditFilter(
            kind=self.kind.currentData(),
            person_id=self.person.currentData(),
            since=self.since.date().toPython(),  # type: ignore[arg-type]
            until=self.until.date().toPython(),  # type: ignore[arg-type]
        )

    def reload(self) -> None:
        self._fill_kinds()
        # Read the names again: a person added since the tab opened is named, not numbered.
        everyone = attempt(
            self, lambda: people.list_people(self.db, self.actor, include_inactive=True)
        )
        if everyone is not None:
            self.model.names = {f"person:{p.id}": p.display_name for p in everyone}
        flt = self.where()
        rows = attempt(
            self, lambda: audit_log.entries(self.db, self.actor, limit=self.PAGE, where=flt)
        )
        self.model.set_rows(rows or [])
        n = len(rows or [])
        self.count.setText(
            tr("{n} entries (the newest {page}; narrow the filter or export to see more)").format(
                n=n, page=self.PAGE
            )
            if n >= self.PAGE
            else tr("{n} entries").format(n=n)
        )

    def export(self, path: str | None = None) -> int | None:
        if path is None:
            path, _ = QFileDialog.getSaveFileName(
                self,
                tr("Export the audit log"),
                f"audit-log-{dt.date.today().isoformat()}.csv",
                "CSV (*.csv)",
            )
        if not path:
            return None
        flt = self.where()
        target = Path(path)
        n = attempt(self, lambda: audit_log.export_entries(self.db, self.actor, target, flt))
        if n is not None:
            self.result.setText(tr("Exported {n} entries to {path}.").format(n=n, path=str(target)))
            self.reload()
        return n

    def verify(self) -> None:
        paths = self.paths
        # Heads witnessed outside the database (backups, printed reports) catch a chain
        # that was cut short or rewritten to fit.
        witnesses = (
            audit_chain.known_witnesses(
                paths.backup_dir if self.db.file is not None else None, paths.data_dir
            )
            if paths is not None
            else []
        )
        report = attempt(self, lambda: audit_chain.verify(self.db, self.actor, witnesses))
        if report is None:
            return
        if report.intact:
            self.result.setText(
                tr("Intact: {n} entries, each chained to the one before.").format(n=report.entries)
            )
        else:
            lines = [
                tr("Entry {id} {reason}.").format(id=b.entry_id, reason=b.reason)
                if b.entry_id
                else tr("The log: {reason}.").format(reason=b.reason)
                for b in report.breaks[:20]
            ]
            self.result.setText(tr("The chain is broken (not intact):") + "\n" + "\n".join(lines))
