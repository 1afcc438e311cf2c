"""The dialog shown for an unexpected error: the app keeps running."""

from __future__ import annotations

import logging
import platform
import traceback
from pathlib import Path
from types import TracebackType

from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from hrohuddle import APP_NAME, __version__
from hrohuddle.errors import UserFacingError
from hrohuddle.paths import make_private, write_private
from hrohuddle.ui.common import save_file_name, show_refusal, tr

log = logging.getLogger(__name__)


def error_report(exc_text: str, log_file: Path | None) -> str:
    """What a saved report holds: version, platform, the error and the log's tail.

    The log holds no names, PINs or free text, so the report holds none either.
    """
    parts = [
        f"{APP_NAME} {__version__}",
        f"Python {platform.python_version()} on {platform.platform()}",
        "",
        exc_text,
    ]
    if log_file is not None:
        from hrohuddle import logs

        parts += ["", "Last log lines:", logs.tail(log_file, 120)]
    return "\n".join(parts)


class ErrorDialog(QDialog):
    def __init__(self, report: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Something went wrong"))
        self.report = report
        layout = QVBoxLayout(self)
        intro = QLabel(
            tr(
                "HRO Huddle met an unexpected problem. Everything already saved is safe, and "
                "you can carry on. You can save a report for IT: it holds no personal data."
            )
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        details = QPlainTextEdit(report)
        details.setReadOnly(True)
        details.setAccessibleName(tr("Error details"))
        layout.addWidget(details)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        save = buttons.addButton(tr("Save report…"), QDialogButtonBox.ButtonRole.ActionRole)
        save.clicked.connect(self.save_report)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(720, 480)

    def save_report(self) -> None:
        path = save_file_name(
            self, tr("Save error report"), "hrohuddle-error-report.txt", "Text (*.txt)"
        )
        if path:
            self.write_report(Path(path))

    def write_report(self, path: Path) -> None:
        write_private(path, self.report)
        make_private(path)


class ExceptionHook:
    """sys.excepthook for the GUI: log, show the dialog, keep running.

    A ``UserFacingError`` that escaped a slot is no bug: it is logged as a warning and
    shown as ``attempt`` shows it (an ended session returns to sign-in).
    """

    def __init__(self, log_file: Path | None) -> None:
        self.log_file = log_file
        self.showing = False

    def __call__(
        self, kind: type[BaseException], value: BaseException, tb: TracebackType | None
    ) -> None:
        if isinstance(value, UserFacingError):
            log.warning("user-facing error outside attempt: %s (%s)", value.message, value.detail)
            if QApplication.instance() is not None:
                show_refusal(QApplication.activeWindow(), value)
            return
        text = "".join(traceback.format_exception(kind, value, tb))
        log.error("unexpected error:\n%s", text)
        if self.showing or QApplication.instance() is None:
            return
        self.showing = True
        try:
            ErrorDialog(error_report(text, self.log_file), QApplication.activeWindow()).exec()
        finally:
            self.showing = False
