"""Logging to a rotating file in the user log folder, and crash logs."""

from __future__ import annotations

import faulthandler
import logging
import logging.handlers
import os
import sys
from pathlib import Path
from typing import IO

_crash_file: IO[str] | None = None


def setup(log_dir: Path, *, verbose: bool = False) -> Path:
    """Send log records to ``log_dir/hrohuddle.log`` (5 x 1 MB), owner-only."""
    log_dir.mkdir(parents=True, exist_ok=True)
    path = log_dir / "hrohuddle.log"
    handler = logging.handlers.RotatingFileHandler(
        path, maxBytes=1_000_000, backupCount=5, encoding="utf-8"
    )
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    if verbose:
        root.addHandler(logging.StreamHandler(sys.stderr))
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
