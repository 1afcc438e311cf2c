"""Logging to a rotating file in the user log folder, and crash logs."""

from __future__ import annotations

import faulthandler
import logging
import os
import sys
from pathlib import Path
from typing import IO

_crash_file: IO[str] | None = None


class EarlyRecords(logging.Handler):
    """Holds the records of the first moments of start-up until the log file is open.

    The rotating file handler pulls in half the standard library; the desktop app
    opens it once the sign-in screen is up, and loses no record logged before.
    """

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if len(self.records) < 10_000:
            self.records.append(record)


def hold_early_records(*, verbose: bool = False) -> EarlyRecords:
    holder = EarlyRecords()
    root = logging.getLogger()
    root.handlers[:] = [holder]
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    return holder


def _held_records() -> list[logging.LogRecord]:
    root = logging.getLogger()
    return [r for h in root.handlers if isinstance(h, EarlyRecords) for r in h.records]


def to_stderr() -> None:
    """Where no log file can be written: held and later records go to the terminal."""
    held = _held_records()
    root = logging.getLogger()
    root.handlers[:] = [logging.StreamHandler(sys.stderr)]
    for record in held:
        root.handle(record)


def setup(log_dir: Path, *, verbose: bool = False) -> Path:
    """Send log records to ``log_dir/hrohuddle.log`` (5 x 1 MB), owner-only."""
    import logging.handlers

    log_dir.mkdir(parents=True, exist_ok=True)
    path = log_dir / "hrohuddle.log"
    handler = logging.handlers.RotatingFileHandler(
        path, maxBytes=1_000_000, backupCount=5, encoding="utf-8"
    )
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    held = _held_records()
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    if verbose:
        root.addHandler(logging.StreamHandler(sys.stderr))
    for record in held:
        root.handle(record)
    try:
        os.chmod(path, 0o600)
    except OSError:
        pass
    return path


def enable_crash_log(crash_log: Path) -> None:
    """Let faulthandler write a hard crash's stack to ``crash_log``."""
    global _crash_file
    crash_log.parent.mkdir(parents=True, exist_ok=True)
    _crash_file = open(crash_log, "a", encoding="utf-8")  # noqa: SIM115 - kept open on purpose
    os.chmod(crash_log, 0o600)
    faulthandler.enable(_crash_file)


def pending_crash_report(crash_log: Path) -> str | None:
    """The text of a crash log left by the last run, if any."""
    try:
        text = crash_log.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    return text if text.strip() else None


def clear_crash_log(crash_log: Path) -> None:
    try:
        with open(crash_log, "w", encoding="utf-8"):
            pass
    except OSError:
        pass


def tail(path: Path, lines: int = 200) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return ""
