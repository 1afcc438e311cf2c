"""The admin's Backups tab: take, delete and restore backups of the database."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QListWidget,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from hrohuddle.paths import DataPaths
from hrohuddle.services import (
    backups,
)
from hrohuddle.services.permissions import Actor
from hrohuddle.store.database import Database
from hrohuddle.ui.common import (
    ask,
    attempt,
    button,
    muted,
    show_problem,
    tr,
)


class BackupTab(QWidget):
    def __init__(self, db: Database, actor: Actor, paths: DataPaths) -> None:
        super().__init__()
        self.db = db
        self.actor = actor
        self.paths = paths
        layout = QVBoxLayout(self)
        file = db.file
        if file is None:
            layout.addWidget(
                muted(
                    tr(
                        "This unit uses a database server. Its backups are made on the server "
                        "(pg_dump); ask IT."
                    )
                )
            )
            layout.addStretch(1)
            return
        layout.addWidget(
            muted(
                tr(
                    "Backups are verified and kept in {folder}. Automatic ones rotate (the "
                    "last 10 starts, 14 daily, 8 weekly); those taken by hand, before an "
                    "upgrade or replaced by a restore stay until you delete them."
                ).format(folder=paths.backup_dir)
            )
        )
        self.list = QListWidget()
        self.list.setAccessibleName(tr("Backups, newest first"))
        layout.addWidget(self.list)
        row = QHBoxLayout()
        take = button(tr("&Back up now"))
        take.clicked.connect(self.take)
        restore = button(tr("&Restore the chosen backup…"))
        restore.clicked.connect(self.restore)
        other = button(tr("Restore from a &file…"))
        other.clicked.connect(self.restore_file)
        delete = button(tr("&Delete the chosen backup…"))
        delete.clicked.connect(self.delete)
        row.addWidget(take)
        row.addWidget(restore)
        row.addWidget(other)
        row.addWidget(delete)
        row.addStretch(1)
        layout.addLayout(row)
        self.reload()

    def reload(self) -> None:
        self.list.clear()
        self.found = (
            attempt(self, lambda: backups.list_backups(self.db, self.actor, self.paths.backup_dir))
            or []
        )
        for b in self.found:
            kept = tr("rotates") if b.rotates else tr("kept until deleted")
            self.list.addItem(f"{b.label}    {tr(b.why)} ({kept})    {b.path.name}")

    def delete(self) -> None:
        row = self.list.currentRow()
        if row < 0:
            show_problem(self, tr("Choose a backup in the list first."))
            return
        chosen = self.found[row]
        if not ask(
            self,
            tr("Delete backup"),
            tr("Delete the backup of {when} ({why})? It cannot be brought back.").format(
                when=chosen.label, why=tr(chosen.why)
            ),
        ):
            return
        attempt(
            self,
            lambda: backups.delete(self.db, self.actor, chosen.path, self.paths.backup_dir),
        )
        self.reload()

    def take(self) -> None:
        made = attempt(self, lambda: backups.take(self.db, self.actor, self.paths.backup_dir))
        if made:
            self.reload()

    def restore(self) -> None:
        row = self.list.currentRow()
        if row < 0:
            show_problem(self, tr("Choose a backup in the list first."))
            return
        self._restore(self.found[row].path)

    def restore_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, tr("Choose a backup"), str(self.paths.backup_dir), "SQLite (*.sqlite3 *.db)"
        )
        if path:
            self._restore(Path(path))

    def _restore(self, source: Path) -> None:
        file = self.db.file
        assert file is not None
        if attempt(self, lambda: backups.check(self.db, self.actor, source)) is None:
            return
        answer = QMessageBox.question(
            self,
            tr("Restore backup"),
            tr(
                "Replace the unit's database {file} (everything saved in it now) with the "
                "backup {name}? What it replaces is kept as a backup in the list. HRO Huddle "
                "then starts again, and everyone signs in again."
            ).format(file=file, name=source.name),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        ticket = attempt(self, lambda: backups.approve_restore(self.db, self.actor, source))
        if ticket is None:
            return
        window = self.window()
        request = getattr(window, "request_restore", None)
        if request is not None:
            request(ticket)
