"""Unit admin: people and roles, unit settings, backups, the audit log.

The page gathers the tabs, each in its own module (``admin_people``, ``admin_preceptors``,
``admin_unit``, ``admin_backups``, ``admin_audit``), shown as the person's roles allow.
"""

from __future__ import annotations

from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from hrohuddle.paths import DataPaths
from hrohuddle.services.permissions import Actor
from hrohuddle.store.database import Database
from hrohuddle.ui.admin_audit import AuditTab
from hrohuddle.ui.admin_backups import BackupTab
from hrohuddle.ui.admin_people import PeopleTab
from hrohuddle.ui.admin_preceptors import PreceptorsTab
from hrohuddle.ui.admin_unit import UnitTab
from hrohuddle.ui.common import heading, tr


class AdminPage(QWidget):
    def __init__(self, db: Database, actor: Actor, paths: DataPaths) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.addWidget(heading(tr("Unit admin")))
        tabs = QTabWidget()
        tabs.setAccessibleName(tr("Admin sections"))
        tabs.addTab(PeopleTab(db, actor), tr("People and roles"))
        if actor.can("preceptor.assign"):
            tabs.addTab(PreceptorsTab(db, actor), tr("Preceptors"))
        if actor.can("unit.configure"):
            tabs.addTab(UnitTab(db, actor), tr("Unit settings"))
        if actor.can("backup.manage"):
            tabs.addTab(BackupTab(db, actor, paths), tr("Backups"))
        if actor.can("audit.view"):
            tabs.addTab(AuditTab(db, actor, paths), tr("Audit log"))
        layout.addWidget(tabs)
