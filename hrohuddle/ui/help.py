"""Help (the role guide and the keys) and About (version, licence, where the data is)."""

from __future__ import annotations

import re

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QTextBrowser, QVBoxLayout, QWidget

from hrohuddle import APP_NAME, __version__
from hrohuddle.paths import resources_dir
from hrohuddle.ui.common import tr

LICENCE = "GNU General Public License, version 3 or later (GPL-3.0-or-later)"


def url_without_password(url: str) -> str:
    """A database URL fit to show: any password replaced by asterisks."""
    return re.sub(r"(://[^:/@]+:)[^@]*@", r"\1***@", url)


class HelpDialog(QDialog):
    def __init__(self, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("{app} help").format(app=APP_NAME))
        layout = QVBoxLayout(self)
        self.text = QTextBrowser()
        self.text.setAccessibleName(tr("Help"))
        self.text.setOpenExternalLinks(False)
        self.text.setMarkdown((resources_dir() / "help.md").read_text(encoding="utf-8"))
        layout.addWidget(self.text, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        screen = self.screen().availableGeometry()
        self.resize(min(900, screen.width() - 80), min(640, screen.height() - 80))


class AboutDialog(QDialog):
    def __init__(self, parent: QWidget | None, *, data_dir: str, database_url: str | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("About {app}").format(app=APP_NAME))
        layout = QVBoxLayout(self)
        lines = [
            f"{APP_NAME} {__version__}",
            tr(
                "Safety huddles, event reports, HRO checklists, preceptors' observations "
                "and onboarding pulses for one hospital unit."
            ),
            tr("Licence: {licence}").format(licence=LICENCE),
            tr("Data folder: {folder}").format(folder=data_dir),
            tr("Database: {url}").format(
                url=url_without_password(database_url) if database_url else tr("not open")
            ),
        ]
        self.label = QLabel("\n\n".join(lines))
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(self.label.textInteractionFlags().TextSelectableByMouse)
        self.label.setAccessibleName(tr("About"))
        layout.addWidget(self.label)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(640, 320)
