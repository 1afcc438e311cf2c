"""Nothing lost: backups kept by reason, restores that cannot destroy, a start-up
that tells the truth, and an audit chain that cannot be quietly rewritten."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import Team
from sqlalchemy import select, text

from hrohuddle.paths import DataPaths
from hrohuddle.services import audit, audit_chain, people
from hrohuddle.store import backup
from hrohuddle.store.database import Database
from hrohuddle.store.errors import (
    DatabaseInUse,
    DatabaseMissing,
    DatabaseTooNew,
    RestoreFailed,
    RestoreRefused,
)
from hrohuddle.store.models import AuditEntry
from hrohuddle.store.opening import open_database

ROOT = Path(__file__).resolve().parent.parent
TOOLS = Path(__file__).parent / "tools"


def _env(data_dir: Path) -> dict[str, str]:
    env = {**os.environ, "HROHUDDLE_DATA_DIR": str(data_dir)}
    env.pop("HROHUDDLE_DATABASE_URL", None)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def hh(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hrohuddle", *args],
        capture_output=True,
        text=True,
        env=_env(data_dir),
        timeout=180,
    )


def one_clear_line(out: subprocess.CompletedProcess[str]) -> str:
    assert out.returncode != 0, out.stdout
    assert "Traceback" not in out.stderr, out.stderr
    lines = [line for line in out.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, out.stderr
    return lines[0]


def _names(file: Path) -> set[str]:
    conn = sqlite3.connect(f"file:{file}?mode=ro", uri=True)
    try:
        return {r[0] for r in conn.execute("SELECT display_name FROM people")}
    finally:
        conn.close()


def _add_person(team: Team, name: str) -> None:
    people.save_person(
        team.db, team.admin, people.PersonInput(name, "nursing", ["staff"], pin="5827")
    )


# -- backups by reason ----------------------------------------------------------------------


def test_back_up_now_keeps_the_start_of_day_backup(
    sqlite_team: Team, data_paths: DataPaths
) -> None:
    file = sqlite_team.db.file
    assert file is not None
    morning = dt.datetime(2026, 11, 23, 7, 0)
    start = backup.take_backup(file, data_paths.backup_dir, reason="start", now=morning)
    backup.take_backup(
        file, data_paths.backup_dir, reason="manual", now=morning + dt.timedelta(hours=3)
    )
    backup.take_backup(
        file, data_paths.backup_dir, reason="daily", now=morning + dt.timedelta(hours=9)
    )
    kept = {b.reason for b in backup.list_backups(data_paths.backup_dir)}
    assert start.path.exists() and kept == {"start", "manual", "daily"}


def test_start_backups_rotate_and_kept_reasons_stay(
    sqlite_team: Team, data_paths: DataPaths
) -> None:
    file = sqlite_team.db.file
    assert file is not None
    folder = data_paths.backup_dir
    t = dt.datetime(2026, 11, 1, 7)
    backup.take_backup(file, folder, reason="pre-migration", now=t)
    backup.take_backup(file, folder, reason="manual", now=t)
    for i in range(15):
        backup.take_backup(file, folder, reason="start", now=t + dt.timedelta(hours=i))
    found = backup.list_backups(folder)
    assert sum(b.reason == "start" for b in found) == backup.KEEP_STARTS
    assert {"pre-migration", "manual"} <= {b.reason for b in found}
    assert not any(b.rotates for b in found if b.reason in ("pre-migration", "manual"))


def test_daily_backups_keep_fourteen_days_and_eight_weeks(
    tmp_path: Path, sqlite_db: Database
) -> None:
    file = sqlite_db.file
    assert file is not None
    start = dt.datetime(2026, 1, 1, 9)
    for day in range(120):
        backup.take_backup(file, tmp_path, reason="daily", now=start + dt.timedelta(days=day))
    kept = backup.list_backups(tmp_path)
    assert len(kept) == 14 + 8
    assert kept[0].taken_at == start + dt.timedelta(days=119)


def test_backup_to_a_file_or_folder_prunes_nothing_there(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert hh(data, "demo-data", "--years", "0.05").returncode == 0
    archive = tmp_path / "archive"
    archive.mkdir()
    start = dt.datetime(2025, 1, 1, 3)
    for day in range(24):
        stamp = (start + dt.timedelta(days=day)).strftime("%Y%m%dT%H%M%S")
        (archive / f"hrohuddle-{stamp}-auto.sqlite3").write_bytes(b"archived")
    to_file = hh(data, "db", "backup", str(archive / "today.sqlite3"))
    assert to_file.returncode == 0, to_file.stderr
    to_folder = hh(data, "db", "backup", str(archive))
    assert to_folder.returncode == 0, to_folder.stderr
    assert len(list(archive.glob("hrohuddle-2025*-auto.sqlite3"))) == 24
    assert backup.verify(archive / "today.sqlite3")
    assert len(list(archive.glob("hrohuddle-2*-manual.sqlite3"))) == 1


# -- restore that cannot destroy ------------------------------------------------------------

HOLDER = """
import sys, time
from hrohuddle.store.database import Database
db = Database.connect(sys.argv[1])
print("open", flush=True)
time.sleep(60)
"""


def test_restore_is_refused_while_another_process_has_the_database_open(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    assert hh(data, "demo-data", "--years", "0.05").returncode == 0
    paths_db = data / "hrohuddle.sqlite3"
    copy = tmp_path / "copy.sqlite3"
    assert hh(data, "db", "backup", str(copy)).returncode == 0
    before = paths_db.read_bytes()
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, f"sqlite:///{paths_db}"],
        stdout=subprocess.PIPE,
        text=True,
        env=_env(data),
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        refused = hh(data, "db", "restore", str(copy))
        assert "has this database open" in one_clear_line(refused)
        assert paths_db.read_bytes() == before
    finally:
        holder.kill()
        holder.wait()
        assert holder.stdout is not None
        holder.stdout.close()
    done = hh(data, "db", "restore", str(copy))
    assert done.returncode == 0, done.stderr
    listed = hh(data, "db", "backups")
    assert "what a restore replaced" in listed.stdout


def test_restore_checks_the_candidate_before_touching_anything(
    sqlite_team: Team, data_paths: DataPaths, tmp_path: Path
) -> None:
    file = sqlite_team.db.file
    assert file is not None
    sqlite_team.db.dispose()
    before = file.read_bytes()
    other = tmp_path / "other.sqlite3"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE songs (title TEXT)")
    conn.commit()
    conn.close()
    text_file = tmp_path / "notes.sqlite3"
    text_file.write_text("not a database\n")
    newer = tmp_path / "newer.sqlite3"
    backup.write_backup(file, newer)
    conn = sqlite3.connect(newer)
    conn.execute("UPDATE alembic_version SET version_num = '9999_future'")
    conn.commit()
    conn.close()
    cases = {
        other: "another program",
        text_file: "not a database file",
        newer: "newer version",
        tmp_path / "missing.sqlite3": "There is no file",
        tmp_path: "is a folder",
        file: "onto itself",
    }
    for candidate, words in cases.items():
        with pytest.raises(RestoreRefused, match=words):
            backup.restore(candidate, file, data_paths.backup_dir)
        assert file.read_bytes() == before
    assert backup.list_backups(data_paths.backup_dir) == []


def test_a_full_disk_during_restore_changes_nothing(
    sqlite_team: Team, data_paths: DataPaths
) -> None:
    file = sqlite_team.db.file
    assert file is not None
    made = backup.take_backup(file, data_paths.backup_dir, reason="manual")
    _add_person(sqlite_team, "After Backup")
    sqlite_team.db.dispose()

    def disk_full(_staged: Path) -> None:
        raise OSError(28, "No space left on device")

    with pytest.raises(RestoreFailed, match="not enough free space"):
        backup.restore(made.path, file, data_paths.backup_dir, prepare=disk_full)
    assert "After Backup" in _names(file)
    assert not Path(f"{file}.restoring").exists()


def test_restore_records_itself_in_the_restored_audit_log(
    sqlite_team: Team, data_paths: DataPaths
) -> None:
    file = sqlite_team.db.file
    assert file is not None
    made = backup.take_backup(file, data_paths.backup_dir, reason="manual")
    _add_person(sqlite_team, "After Backup")
    sqlite_team.db.dispose()
    kept = backup.restore(
        made.path,
        file,
        data_paths.backup_dir,
        prepare=audit.restore_recorder(made.path, by="test", replaced=file),
    )
    assert kept is not None and "After Backup" in _names(kept)
    assert "After Backup" not in _names(file)
    again = Database.connect(f"sqlite:///{file}")
    try:
        with again.read() as s:
            last = s.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
        assert last is not None and last.action == "backup.restored"
        assert audit_chain.verify_chain(again).intact
    finally:
        again.dispose()
    assert any(
        b.path == kept and b.reason == "pre-restore"
        for b in backup.list_backups(data_paths.backup_dir)
    )


def test_restore_on_postgresql_points_to_the_servers_own_tools(pg_url: str, tmp_path: Path) -> None:
    out = hh(tmp_path, "--database", pg_url, "db", "restore", str(tmp_path / "x.dump"))
    assert "pg_restore" in one_clear_line(out)


def test_unreadable_restore_and_backup_paths_get_one_clear_line(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert hh(data, "demo-data", "--years", "0.05").returncode == 0
    secret = tmp_path / "secret.sqlite3"
    secret.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
    secret.chmod(0)
    assert "nothing was changed" in one_clear_line(hh(data, "db", "restore", str(secret)))
    nowhere = tmp_path / "no" / "such" / "folder" / "b.sqlite3"
    assert "does not exist" in one_clear_line(hh(data, "db", "backup", str(nowhere)))


def test_sigkill_during_restores_leaves_the_old_or_the_new_database_whole(
    tmp_path: Path,
) -> None:
    sys.path.insert(0, str(TOOLS))
    try:
        import restore_kill_loop
    finally:
        sys.path.remove(str(TOOLS))
    kills, completed, left_whole = restore_kill_loop.run(
        int(os.environ.get("HROHUDDLE_TEST_RESTORE_KILLS", "12")), tmp_path
    )
    assert completed > 0
    assert left_whole == kills


# -- start-up that tells the truth ----------------------------------------------------------


def test_an_empty_database_beside_backups_is_not_a_new_unit(
    sqlite_team: Team, data_paths: DataPaths
) -> None:
    file = sqlite_team.db.file
    assert file is not None
    backup.take_backup(file, data_paths.backup_dir, reason="start")
    sqlite_team.db.dispose()
    for side in (file, Path(f"{file}-wal"), Path(f"{file}-shm")):
        side.unlink(missing_ok=True)
    file.write_bytes(b"")
    url = f"sqlite:///{file}"
    with pytest.raises(DatabaseMissing, match="there is 1 backup beside it") as caught:
        open_database(url, data_paths.backup_dir)
    assert caught.value.offer_restore
    assert file.stat().st_size == 0
    file.unlink()
    with pytest.raises(DatabaseMissing, match="is missing"):
        open_database(url, data_paths.backup_dir)
    assert backup.latest_good(data_paths.backup_dir) is not None
    opened = open_database(url, data_paths.backup_dir, allow_new=True)
    opened.db.dispose()


def test_a_newer_schema_names_the_version_and_offers_no_restore(
    sqlite_team: Team, data_paths: DataPaths
) -> None:
    with sqlite_team.db.write() as s:
        s.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
        s.execute(text("DELETE FROM app_meta WHERE key = 'written_by'"))
        s.execute(text("INSERT INTO app_meta (key, value) VALUES ('written_by', '7.2.0')"))
    with pytest.raises(DatabaseTooNew, match=r"HRO Huddle 7\.2\.0") as caught:
        open_database(f"sqlite:///{sqlite_team.db.file}", data_paths.backup_dir)
    assert not caught.value.offer_restore


@pytest.fixture
def short_busy_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    """Wait a fifth of a second for a lock, not fifteen: these tests hold it on purpose."""
    monkeypatch.setattr("hrohuddle.store.database.BUSY_TIMEOUT_MS", 200)


@pytest.mark.usefixtures("short_busy_wait")
def test_a_locked_database_says_another_program_is_using_it(
    sqlite_team: Team, data_paths: DataPaths
) -> None:
    file = sqlite_team.db.file
    assert file is not None
    other = sqlite3.connect(file)
    other.execute("BEGIN EXCLUSIVE")
    try:
        db = Database.connect(f"sqlite:///{file}", connect_args={"timeout": 0.2})
        try:
            with (
                pytest.raises(DatabaseInUse, match="Another program") as caught,
                db.write() as s,
            ):
                s.execute(text("SELECT 1"))
            assert not caught.value.offer_restore
        finally:
            db.dispose()
    finally:
        other.rollback()
        other.close()


# -- an audit chain that cannot be quietly rewritten ----------------------------------------


def _witness_by_backup(team: Team, data_paths: DataPaths) -> list[audit_chain.Witness]:
    file = team.db.file
    assert file is not None
    backup.take_backup(file, data_paths.backup_dir, reason="manual")
    return audit_chain.known_witnesses(data_paths.backup_dir, data_paths.data_dir)


def test_cutting_the_tail_and_fixing_the_head_is_caught_by_a_backup(
    sqlite_team: Team, data_paths: DataPaths
) -> None:
    witnesses = _witness_by_backup(sqlite_team, data_paths)
    db = sqlite_team.db
    with db.write() as s:
        last = s.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc()))
        s.execute(text("DELETE FROM audit_log WHERE id >= :i"), {"i": last - 1})
        prev = s.execute(text("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1")).one()
        s.execute(
            text("UPDATE audit_head SET last_id = :i, last_hash = :h"), {"i": prev[0], "h": prev[1]}
        )
    assert audit_chain.verify_chain(db).intact  # without a witness it looks whole
    report = audit_chain.verify_chain(db, witnesses)
    assert not report.intact and "cut short" in report.breaks[-1].reason


def test_editing_rows_and_recomputing_the_chain_is_caught_by_a_printed_head(
    team: Team,
) -> None:
    db = team.db
    printed = audit.current_head(db)
    with db.write() as s:
        rows = s.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
        prev = audit.GENESIS
        for e in rows:
            if e.id == rows[1].id:
                e.action = "nothing"
            e.prev_hash = prev
            e.hash = audit._digest(prev, e.at, e.unit_id, e.actor_id, e.action, e.target, e.detail)
            prev = e.hash
        s.execute(text("UPDATE audit_head SET last_hash = :h"), {"h": prev})
    assert audit_chain.verify_chain(db).intact
    witness = audit_chain.parse_witness(f"#{printed.last_id} {printed.last_hash[:16]}", "a report")
    report = audit_chain.verify_chain(db, [witness])
    assert not report.intact and "rewritten" in report.breaks[0].reason


def test_deleting_every_entry_is_not_intact(team: Team) -> None:
    with team.db.write() as s:
        s.execute(text("DELETE FROM audit_log"))
    report = audit_chain.verify_chain(team.db)
    assert report.entries == 0 and not report.intact


def test_a_missing_head_row_is_reported_and_audited_actions_still_work(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    assert hh(data, "demo-data", "--years", "0.05").returncode == 0
    conn = sqlite3.connect(data / "hrohuddle.sqlite3")
    conn.execute("DELETE FROM audit_head")
    conn.commit()
    conn.close()
    verify = hh(data, "audit", "verify")
    assert verify.returncode == 1 and "head row is missing" in verify.stdout
    assert "Traceback" not in verify.stderr
    made = hh(data, "db", "backup")
    assert made.returncode == 0, made.stderr
    after = hh(data, "audit", "verify")
    assert after.returncode == 1 and "removed head row" in after.stdout


def test_garbage_in_the_audit_table_gives_one_clear_line(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert hh(data, "demo-data", "--years", "0.05").returncode == 0
    assert hh(data, "db", "backup").returncode == 0  # a second entry
    conn = sqlite3.connect(data / "hrohuddle.sqlite3")
    conn.execute("UPDATE audit_log SET detail = '{not json' WHERE id = 1")
    conn.execute("UPDATE audit_log SET at = 'yesterday' WHERE id = 2")
    conn.commit()
    conn.close()
    verify = hh(data, "audit", "verify")
    assert verify.returncode == 1 and "Traceback" not in verify.stderr
    assert "Audit entry 1 holds data that cannot be read" in verify.stdout
    assert "Audit entry 2 holds data that cannot be read" in verify.stdout


def test_the_weekly_report_prints_and_remembers_the_audit_head(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert hh(data, "demo-data", "--years", "0.05").returncode == 0
    out = hh(data, "report", "weekly", "--out", str(tmp_path / "w.pdf"))
    assert out.returncode == 0, out.stderr
    assert (data / audit_chain.WITNESS_FILE).exists()
    db = Database.connect(f"sqlite:///{data / 'hrohuddle.sqlite3'}")
    try:
        with db.read() as s:
            last = s.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
        assert last is not None and last.action == "report.printed"
        assert "printed_head" in last.detail
    finally:
        db.dispose()
    assert hh(data, "audit", "verify").returncode == 0


def test_report_for_a_week_out_of_range_gets_one_clear_line(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert hh(data, "demo-data", "--years", "0.05").returncode == 0
    out = hh(data, "report", "weekly", "--week", "0001-W01", "--out", str(tmp_path / "w.pdf"))
    one_clear_line(out)
    assert not (tmp_path / "w.pdf").exists()


@pytest.mark.usefixtures("short_busy_wait")
def test_a_report_whose_audit_entry_fails_leaves_no_file(sqlite_team: Team, tmp_path: Path) -> None:
    from hrohuddle.reports import weekly
    from hrohuddle.services.reporting import Week

    file = sqlite_team.db.file
    blocker = sqlite3.connect(file)
    blocker.execute("BEGIN IMMEDIATE")
    busy = Database.connect(f"sqlite:///{file}", connect_args={"timeout": 0.2})
    try:
        with pytest.raises(DatabaseInUse):
            weekly.write(busy, sqlite_team["manager"], Week(2026, 40), tmp_path / "w.pdf")
    finally:
        blocker.rollback()
        blocker.close()
        busy.dispose()
    assert list(tmp_path.glob("*.pdf*")) == []


def test_unit_create_without_a_pin_or_terminal_gets_one_clear_line(tmp_path: Path) -> None:
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "hrohuddle",
            "unit",
            "create",
            "--code",
            "5E",
            "--name",
            "Five",
            "--admin-name",
            "Ada",
        ],
        capture_output=True,
        text=True,
        env=_env(tmp_path),
        stdin=subprocess.DEVNULL,
        timeout=120,
    )
    assert "--admin-pin" in one_clear_line(out)


# -- exports and reports: the file and its audit entry together -----------------------------


@pytest.mark.usefixtures("short_busy_wait")
def test_an_export_while_the_database_is_busy_leaves_no_file_and_says_so(
    sqlite_team: Team, tmp_path: Path
) -> None:
    from hrohuddle.services import exports

    file = sqlite_team.db.file
    assert file is not None
    blocker = sqlite3.connect(file)
    blocker.execute("BEGIN IMMEDIATE")
    busy = Database.connect(f"sqlite:///{file}", connect_args={"timeout": 0.2})
    folder = tmp_path / "exports"
    folder.mkdir()
    out = folder / "events.csv"
    try:
        with pytest.raises(DatabaseInUse):
            exports.export_events(busy, sqlite_team["manager"], out)
    finally:
        blocker.rollback()
        blocker.close()
        busy.dispose()
    assert list(folder.iterdir()) == []
    count = exports.export_events(sqlite_team.db, sqlite_team["manager"], out)
    assert out.exists() and count == 0
    with sqlite_team.db.read() as s:
        last = s.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert last is not None and last.action == "export"


def test_a_resource_file_that_is_not_utf8_names_itself(tmp_path: Path) -> None:
    from hrohuddle.services.errors import ResourceFileError
    from hrohuddle.services.vocabulary import load_yaml

    bad = tmp_path / "unit.yaml"
    bad.write_bytes("areas:\n  - Baie \xe9t\xe9\n".encode("latin-1"))
    with pytest.raises(ResourceFileError, match=r"unit\.yaml is not UTF-8 text \(line 2\)"):
        load_yaml(bad)
