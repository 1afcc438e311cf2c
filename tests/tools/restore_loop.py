"""Restore two backups in turn, forever, printing each one completed.

The kill-loop test (and ``restore_kill_loop.py`` for longer runs) SIGKILLs this
process at random moments and then checks that the database is whole.

    python tests/tools/restore_loop.py DATABASE BACKUP_A BACKUP_B BACKUPS_FOLDER
"""

from __future__ import annotations

import sys
from pathlib import Path

from hrohuddle.services import audit
from hrohuddle.store import backup


def main() -> None:
    database, first, second, folder = (Path(a) for a in sys.argv[1:5])
    n = 0
    while True:
        source = first if n % 2 == 0 else second
        backup.restore(
            source,
            database,
            folder,
            prepare=audit.restore_recorder(source, by="restore loop", replaced=database),
        )
        n += 1
        print(f"restored {n} {source.name}", flush=True)


if __name__ == "__main__":
    main()
