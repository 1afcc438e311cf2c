"""SIGKILL restores at random moments and count the databases left whole.

    PYTHONPATH=. python tests/tools/restore_kill_loop.py [KILLS]

Prints: kills, restores completed, databases left whole (old or new, integrity
checked, and an HRO Huddle database either way).
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

LOOP = Path(__file__).with_name("restore_loop.py")


def make_pair(folder: Path) -> tuple[Path, Path, Path, Path]:
    """A unit database and two backups of it, told apart by a marker."""
    from hrohuddle.services import people
    from hrohuddle.store import backup
    from hrohuddle.store.opening import open_database

    database = folder / "hrohuddle.sqlite3"
    backups = folder / "backups"
    db = open_database(f"sqlite:///{database}", backups).db
    people.create_unit(
        db,
        code="4W",
        name="Ward 4 West",
        admin=people.PersonInput("Ada Admin", "nursing", ["admin"], pin="2468"),
    )
    made = []
    for which in ("A", "B"):
        with db.engine.begin() as conn:
            conn.exec_driver_sql("DELETE FROM app_meta WHERE key = 'which'")
            conn.exec_driver_sql(f"INSERT INTO app_meta (key, value) VALUES ('which', '{which}')")
        made.append(backup.write_backup(database, folder / f"backup-{which}.sqlite3"))
    db.dispose()
    return database, made[0], made[1], backups


def whole(database: Path) -> str | None:
    """'A' or 'B' when the database is whole and ours; None otherwise."""
    try:
        conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
        try:
            if conn.execute("PRAGMA integrity_check").fetchall() != [("ok",)]:
                return None
            row = conn.execute("SELECT value FROM app_meta WHERE key = 'which'").fetchone()
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        finally:
            conn.close()
    except sqlite3.Error:
        return None
    if row is None or "audit_log" not in tables:
        return None
    return str(row[0])


def run(kills: int, folder: Path, seed: int = 15) -> tuple[int, int, int]:
    rng = random.Random(seed)
    database, first, second, backups = make_pair(folder)
    env = {**os.environ}
    completed = 0
    left_whole = 0
    for _ in range(kills):
        proc = subprocess.Popen(
            [sys.executable, str(LOOP), str(database), str(first), str(second), str(backups)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        time.sleep(rng.uniform(0.4, 1.6))
        proc.send_signal(signal.SIGKILL)
        out, err = proc.communicate()
        if proc.returncode != -signal.SIGKILL:
            raise SystemExit(f"the restore loop stopped by itself:\n{err}")
        completed += out.count("restored ")
        if whole(database) is not None:
            left_whole += 1
        for kept in backups.glob("*pre-restore*"):
            kept.unlink()  # keep the folder small over a long run
    return kills, completed, left_whole


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    with tempfile.TemporaryDirectory() as tmp:
        k, c, w = run(count, Path(tmp))
    print(f"kills {k}, restores completed {c}, databases left whole {w}")
    raise SystemExit(0 if w == k else 1)
