"""Where HRO Huddle keeps its data, logs and bundled resources.

No Qt here: the command line and the services use the same locations.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from hrohuddle import APP_ID


def bundle_root() -> Path:
    """The folder holding ``resources/`` and ``db/``: the checkout, or the frozen bundle."""
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen)
    return Path(__file__).resolve().parent.parent


def resources_dir() -> Path:
    return bundle_root() / "resources"


def migrations_dir() -> Path:
    return bundle_root() / "db"


@dataclass(frozen=True)
class DataPaths:
    """The per-user folders, created owner-only on first use."""

    data_dir: Path
    log_dir: Path

    @classmethod
    def default(cls) -> DataPaths:
        override = os.environ.get("HROHUDDLE_DATA_DIR")
        if override:
            base = Path(override)
            return cls(data_dir=base, log_dir=base / "logs")
        import platformdirs

        return cls(
            data_dir=Path(platformdirs.user_data_dir(APP_ID, appauthor=False)),
            log_dir=Path(platformdirs.user_log_dir(APP_ID, appauthor=False)),
        )

    @property
    def database_file(self) -> Path:
        return self.data_dir / "hrohuddle.sqlite3"

    @property
    def backup_dir(self) -> Path:
        return self.data_dir / "backups"

    @property
    def crash_log(self) -> Path:
        return self.log_dir / "crash.log"

    def ensure(self) -> None:
        """Create the folders, readable by their owner only.

        Raises OSError with the path in it when a folder cannot be made.
        """
        for folder in (self.data_dir, self.log_dir, self.backup_dir):
            folder.mkdir(parents=True, exist_ok=True)
            try:
                os.chmod(folder, 0o700)
            except OSError:
                pass


def keep_files_private() -> None:
    """Make every file and folder this process creates readable by its owner only.

    Settings, logs (including the ones a rotation starts afresh), reports, exports,
    backups and the PIN secret: the umask covers the files no code of ours opens
    itself (Qt writes settings.ini through a temporary file and a rename).
    """
    if os.name == "posix":
        os.umask(0o077)


def restrict_file(path: Path) -> None:
    """Owner-only for a file made before ``keep_files_private`` (an older version's)."""
    try:
        if path.exists():
            make_private(path)
    except OSError:
        pass


PRIVATE_FILE_MODE = 0o600


def make_private(path: Path) -> None:
    """Readable and writable by its owner only; raises OSError when that cannot be set."""
    os.chmod(path, PRIVATE_FILE_MODE)


def open_private(
    path: Path, mode: str = "w", *, exclusive: bool = False, **options: Any
) -> IO[Any]:
    """Open ``path`` for writing, created owner-only whatever the umask.

    Truncates a file already there, or with ``exclusive`` raises FileExistsError
    instead. ``mode`` is "w" or "wb"; ``options`` go to ``open`` (encoding, newline).
    """
    flags = os.O_WRONLY | os.O_CREAT | (os.O_EXCL if exclusive else os.O_TRUNC)
    fd = os.open(path, flags, PRIVATE_FILE_MODE)
    try:
        return os.fdopen(fd, mode, **options)
    except BaseException:
        os.close(fd)
        raise


def write_private(
    path: Path, data: str | bytes, *, exclusive: bool = False, encoding: str = "utf-8"
) -> None:
    """Write ``data`` to ``path``, created owner-only (see ``open_private``)."""
    if isinstance(data, bytes):
        with open_private(path, "wb", exclusive=exclusive) as handle:
            handle.write(data)
    else:
        with open_private(path, "w", exclusive=exclusive, encoding=encoding) as handle:
            handle.write(data)


def default_database_url(paths: DataPaths) -> str:
    env = os.environ.get("HROHUDDLE_DATABASE_URL")
    if env:
        return env
    return f"sqlite:///{paths.database_file}"
