"""The command line, run as an admin or the installer would: a real process each time."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from hrohuddle import __version__
from hrohuddle.paths import DataPaths


def hh(*args: str, env_dir: Path, database: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HROHUDDLE_DATA_DIR": str(env_dir)}
    env.pop("HROHUDDLE_DATABASE_URL", None)
    cmd = [sys.executable, "-m", "hrohuddle"]
    if database:
        cmd += ["--database", database]
    return subprocess.run([*cmd, *args], capture_output=True, text=True, env=env, timeout=180)


def test_version(tmp_path: Path) -> None:
    out = hh("--version", env_dir=tmp_path)
    assert out.returncode == 0 and out.stdout.strip() == f"HRO Huddle {__version__}"


def test_self_test_passes_on_a_fresh_machine(tmp_path: Path) -> None:
    out = hh("self-test", env_dir=tmp_path)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "self-test passed" in out.stdout and "FAIL" not in out.stdout


def test_demo_data_then_check_backup_and_restore(tmp_path: Path) -> None:
    assert hh("demo-data", "--years", "0.2", env_dir=tmp_path).returncode == 0
    again = hh("demo-data", env_dir=tmp_path)
    assert again.returncode == 2 and "already holds the demo unit 4W" in again.stderr
    check = hh("db", "check", env_dir=tmp_path)
    assert check.returncode == 0 and "Integrity check passed" in check.stdout
    from hrohuddle.store.schema import HEAD

    assert hh("db", "current", env_dir=tmp_path).stdout.strip() == HEAD
    target = tmp_path / "copy.sqlite3"
    made = hh("db", "backup", str(target), env_dir=tmp_path)
    assert made.returncode == 0 and target.exists()
    restored = hh("db", "restore", str(target), env_dir=tmp_path)
    assert restored.returncode == 0 and "kept at" in restored.stdout
    assert "4W" in hh("unit", "list", env_dir=tmp_path).stdout
    verify = hh("audit", "verify", env_dir=tmp_path)
    assert verify.returncode == 0 and "intact" in verify.stdout


def test_bad_database_paths_get_one_clear_line_and_no_traceback(tmp_path: Path) -> None:
    text_file = tmp_path / "notes.txt"
    text_file.write_text("not a database at all, just some words\n" * 10)
    cases = {
        f"sqlite:///{tmp_path}": "is a folder",
        f"sqlite:///{text_file}": "not an HRO Huddle database",
        "postgresql+psycopg://x:y@127.0.0.1:1/none": "server could not be reached",
        "nonsense": "not a database address",
    }
    for url, words in cases.items():
        out = hh("db", "upgrade", env_dir=tmp_path / "d", database=url)
        assert out.returncode == 2, url
        assert words in out.stderr, (url, out.stderr)
        assert "Traceback" not in out.stderr


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path: Path) -> None:
    assert hh("db", "upgrade", env_dir=tmp_path).returncode == 0
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"junk" * 100)
    out = hh("db", "restore", str(junk), env_dir=tmp_path)
    assert out.returncode == 2 and "not a good backup" in out.stderr
    assert hh("db", "check", env_dir=tmp_path).returncode == 0


def test_unit_create_for_it_staff(tmp_path: Path) -> None:
    out = hh(
        "unit",
        "create",
        "--code",
        "icu",
        "--name",
        "Intensive Care",
        "--admin-name",
        "Ira IT",
        "--admin-pin",
        "5827",
        env_dir=tmp_path,
    )
    assert out.returncode == 0, out.stderr
    weak = hh(
        "unit",
        "create",
        "--code",
        "ed",
        "--name",
        "Emergency",
        "--admin-name",
        "E",
        "--admin-pin",
        "1111",
        env_dir=tmp_path,
    )
    assert weak.returncode == 2 and "repeated" in weak.stderr


def test_database_file_is_owner_only(tmp_path: Path) -> None:
    assert hh("db", "upgrade", env_dir=tmp_path).returncode == 0
    paths = DataPaths(tmp_path, tmp_path / "logs")
    assert oct(paths.database_file.stat().st_mode & 0o777) == "0o600"
    assert oct(paths.data_dir.stat().st_mode & 0o777) == "0o700"


def test_the_desktop_options_are_read_without_the_full_parser() -> None:
    from hrohuddle.cli import gui_options

    assert gui_options([]) is not None
    opts = gui_options(["--database", "sqlite:///x.db", "--verbose"])
    assert opts is not None and opts.database == "sqlite:///x.db" and opts.verbose
    opts = gui_options(["--database=postgresql+psycopg://h/db"])
    assert opts is not None and opts.database == "postgresql+psycopg://h/db"
    assert opts.command is None and not opts.verbose
    # Anything else goes to the full parser, which explains mistakes and prints help.
    for argv in (["db", "current"], ["--help"], ["--version"], ["--database"], ["--datbase", "x"]):
        assert gui_options(argv) is None, argv


def test_a_mistyped_option_gets_the_parsers_message(tmp_path: Path) -> None:
    out = hh("--datbase", "x", env_dir=tmp_path)
    assert out.returncode == 2 and "hrohuddle: error:" in out.stderr
    assert "Traceback" not in out.stderr


def test_it_unlocks_a_person_and_resets_a_pin_from_the_command_line(tmp_path: Path) -> None:
    made = hh(
        "unit", "create", "--code", "4W", "--name", "Ward 4 West",
        "--admin-name", "Ira IT", "--admin-pin", "5827", env_dir=tmp_path,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert (tmp_path / "pin-secret.key").exists()
    assert oct((tmp_path / "pin-secret.key").stat().st_mode & 0o777) == "0o600"
    unknown = hh("person", "unlock", "Nobody Here", env_dir=tmp_path)
    assert unknown.returncode == 2 and "Nobody on this unit is called" in unknown.stderr
    assert hh("person", "unlock", "ira it", env_dir=tmp_path).returncode == 0
    reset = hh("person", "reset-pin", "Ira IT", "--pin", "6938", env_dir=tmp_path)
    assert reset.returncode == 0 and "new PIN" in reset.stdout, reset.stderr
    weak = hh("person", "reset-pin", "Ira IT", "--pin", "1234", env_dir=tmp_path)
    assert weak.returncode == 2 and "run of digits" in weak.stderr
    # Lost for good: a new secret, then a new PIN; the old secret's PINs stop working.
    (tmp_path / "pin-secret.key").unlink()
    lost = hh("person", "reset-pin", "Ira IT", "--pin", "6938", env_dir=tmp_path)
    assert lost.returncode == 2 and "--new-secret" in lost.stderr
    again = hh("person", "reset-pin", "Ira IT", "--pin", "7049", "--new-secret", env_dir=tmp_path)
    assert again.returncode == 0, again.stderr
    log = hh("audit", "verify", env_dir=tmp_path)
    assert log.returncode == 0, log.stdout

    from hrohuddle.services import people, signin
    from hrohuddle.store.database import Database
    from hrohuddle.store.models import AuditEntry

    db = Database.connect(f"sqlite:///{tmp_path / 'hrohuddle.sqlite3'}")
    try:
        with db.read() as s:
            actions = [e.action for e in s.query(AuditEntry).order_by(AuditEntry.id)]
        pid = people.find_person(db, 1, "Ira IT")
        assert signin.sign_in(db, pid, "7049").display_name == "Ira IT"
    finally:
        db.dispose()
    assert actions.count("person.pin_reset") == 2 and "person.unlocked" in actions


def test_every_file_the_app_writes_is_owner_only(tmp_path: Path, demo_env: dict[str, str]) -> None:
    """Settings, logs, database, backups, the PIN secret: nothing readable by others."""
    data = Path(demo_env["HROHUDDLE_DATA_DIR"])
    script = (
        "import sys\n"
        "from hrohuddle.paths import keep_files_private\n"
        "keep_files_private()\n"
        "from PySide6.QtCore import QSettings\n"
        "s = QSettings(sys.argv[1], QSettings.Format.IniFormat)\n"
        "s.setValue('text/scale', 1.2)\n"
        "s.sync()\n"
    )
    settings = data / "settings.ini"
    subprocess.run([sys.executable, "-c", script, str(settings)], check=True, env=demo_env)
    hh("db", "backup", env_dir=data)
    hh("export", "actions", "--out", str(data / "actions.csv"), env_dir=data)
    written = [p for p in data.rglob("*")]
    assert settings in written and data / "pin-secret.key" in written
    assert any(p.suffix == ".log" for p in written)
    loose = {
        str(p.relative_to(data)): oct(p.stat().st_mode & 0o777)
        for p in written
        if p.stat().st_mode & 0o077
    }
    assert loose == {}


def _unit_with_ira(tmp_path: Path) -> None:
    made = hh(
        "unit", "create", "--code", "4W", "--name", "Ward 4 West",
        "--admin-name", "Ira IT", "--admin-pin", "5827", env_dir=tmp_path,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr


def _signs_in(tmp_path: Path, pin: str) -> bool:
    from hrohuddle.services import people, signin
    from hrohuddle.services.errors import SignInRefused
    from hrohuddle.store.database import Database

    db = Database.connect(f"sqlite:///{tmp_path / 'hrohuddle.sqlite3'}")
    try:
        signin.sign_in(db, people.find_person(db, 1, "Ira IT"), pin)
        return True
    except SignInRefused:
        return False
    finally:
        db.dispose()


def test_reset_pin_without_a_terminal_says_so_in_one_line(tmp_path: Path) -> None:
    _unit_with_ira(tmp_path)
    env = {**os.environ, "HROHUDDLE_DATA_DIR": str(tmp_path)}
    env.pop("HROHUDDLE_DATABASE_URL", None)
    out = subprocess.run(
        [sys.executable, "-m", "hrohuddle", "person", "reset-pin", "Ira IT"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
        start_new_session=True,  # no controlling terminal either
    )
    assert out.returncode == 2, out.stderr
    assert "Traceback" not in out.stderr and len(out.stderr.strip().splitlines()) == 1
    assert "--pin-stdin" in out.stderr


def test_reset_pin_reads_the_pin_from_standard_input_for_scripts(tmp_path: Path) -> None:
    _unit_with_ira(tmp_path)
    env = {**os.environ, "HROHUDDLE_DATA_DIR": str(tmp_path)}
    env.pop("HROHUDDLE_DATABASE_URL", None)
    cmd = [sys.executable, "-m", "hrohuddle", "person", "reset-pin", "ira   it", "--pin-stdin"]
    out = subprocess.run(cmd, input="6938\n", capture_output=True, text=True, env=env, timeout=180)
    assert out.returncode == 0, out.stderr
    assert "Ira IT has a new PIN" in out.stdout and "6938" not in out.stdout + out.stderr
    assert _signs_in(tmp_path, "6938")
    empty = subprocess.run(cmd, input="", capture_output=True, text=True, env=env, timeout=180)
    assert empty.returncode == 2 and "no PIN" in empty.stderr


def _in_a_terminal(tmp_path: Path, args: list[str], answers: list[str]) -> tuple[int, str]:
    """Run the command with a real terminal, typing each answer at its prompt."""
    import pty
    import select

    env = {**os.environ, "HROHUDDLE_DATA_DIR": str(tmp_path)}
    env.pop("HROHUDDLE_DATABASE_URL", None)
    pid, fd = pty.fork()
    if pid == 0:  # the child: its terminal is the pty
        os.execve(sys.executable, [sys.executable, "-m", "hrohuddle", *args], env)
    seen = b""
    answered_at = 0
    pending = list(answers)
    while True:
        ready, _, _ = select.select([fd], [], [], 30)
        if not ready:
            os.kill(pid, 9)  # stuck waiting for an answer: fail, do not hang
            break
        try:
            chunk = os.read(fd, 1024)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
        if pending and seen[answered_at:].rstrip().endswith(b":"):
            os.write(fd, pending.pop(0).encode() + b"\n")
            answered_at = len(seen)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), seen.decode(errors="replace")


def test_reset_pin_at_a_terminal_asks_twice_and_compares(tmp_path: Path) -> None:
    _unit_with_ira(tmp_path)
    code, text = _in_a_terminal(tmp_path, ["person", "reset-pin", "ira it"], ["6938", "6939"])
    assert code == 2 and "not the same" in text, text
    assert "New PIN for Ira IT" in text and "6938" not in text  # the real name; no echo
    assert _signs_in(tmp_path, "5827")
    code, text = _in_a_terminal(tmp_path, ["person", "reset-pin", "ira it"], ["6938", "6938"])
    assert code == 0 and "Ira IT has a new PIN" in text, text
    assert _signs_in(tmp_path, "6938")


def test_unlock_names_the_real_person(tmp_path: Path) -> None:
    _unit_with_ira(tmp_path)
    out = hh("person", "unlock", "ira    it", env_dir=tmp_path)
    assert out.returncode == 0 and out.stdout.strip() == "Ira IT can try their PIN again now."


@pytest.mark.parametrize(
    "command",
    [["report", "weekly"], ["report", "bulletin"], ["export", "actions"]],
)
@pytest.mark.parametrize("out", ["", "   ", " report.pdf"])
def test_an_output_that_names_no_file_is_refused_in_one_plain_line(
    command: list[str], out: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from hrohuddle import cli

    with pytest.raises(SystemExit) as ended:
        cli.build_parser().parse_args([*command, "--out", out])
    assert ended.value.code == 2
    err = capsys.readouterr().err
    assert "is not a file name: give the file to write" in err
    assert "Traceback" not in err


def test_every_tier_command_on_a_units_own_file_says_first_that_it_needs_the_shared_server(
    tmp_path: Path,
) -> None:
    for code in ("4W", "5E"):
        made = hh(
            "unit", "create", "--code", code, "--name", f"Ward {code}",
            "--admin-name", f"Admin {code}", "--admin-pin", "2580", env_dir=tmp_path,
        )  # fmt: skip
        assert made.returncode == 0, made.stderr
    for args in (
        ["list"],
        ["create", "MED", "--name", "Medicine"],
        ["change", "MED", "--name", "Medicine"],
        ["remove", "MED"],
        ["place", "4W", "MED"],
        ["grant", "MED", "Admin 4W", "--role", "department_lead"],
        ["revoke", "MED", "Admin 4W"],
    ):
        ran = hh("tier", *args, env_dir=tmp_path)
        assert ran.returncode != 0, args
        assert "need the hospital's shared server" in ran.stderr, (args, ran.stderr)
        assert "--unit" not in ran.stderr and "Traceback" not in ran.stderr


@pytest.mark.postgres
def test_it_sets_out_corrects_and_removes_tiers_in_plain_words(tmp_path: Path, pg_db) -> None:  # type: ignore[no-untyped-def]
    from hrohuddle.services import people

    def tier(*args: str) -> subprocess.CompletedProcess[str]:
        return hh("tier", *args, env_dir=tmp_path, database=pg_db.url)

    for code, admin in (("4W", "Ada Admin"), ("5E", "Ada Admin"), ("6N", "Nia North")):
        people.create_unit(
            pg_db,
            code=code,
            name=f"Ward {code}",
            admin=people.PersonInput(admin, "nursing", ["admin"], pin="2580"),
        )
    early = tier("create", "MED", "--name", "Medicine")
    assert early.returncode != 0 and "create the hospital first" in early.stderr
    assert tier("create", "HOSP", "--name", "St Elsewhere", "--level", "hospital").returncode == 0
    second = tier("create", "H2", "--name", "Another", "--level", "hospital")
    assert second.returncode != 0 and "already has its hospital, HOSP" in second.stderr
    nested = tier("create", "H2", "--name", "Another", "--level", "hospital", "--in", "HOSP")
    assert nested.returncode != 0 and "The hospital is the top tier" in nested.stderr
    made = tier("create", "MED", "--name", "Medcine", "--time", "9:5")
    assert made.returncode != 0 and "not a time of day as HH:MM" in made.stderr
    made = tier("create", "MED", "--name", "Medcine")
    assert made.returncode == 0
    assert "Department MED (Medcine) created in HOSP, the hospital, as no --in was given" in (
        made.stdout
    )
    fixed = tier("change", "MED", "--name", "Medicine", "--time", "09:05", "--days", "mon,wed")
    assert fixed.returncode == 0, fixed.stderr
    assert "Medicine (department, in HOSP): huddle at 09:05 Monday, Wednesday" in fixed.stdout
    assert tier("create", "SRUG", "--name", "Surgery").returncode == 0
    assert tier("remove", "SRUG").stdout.strip() == "SRUG removed."
    assert tier("place", "6N", "MED").returncode == 0
    again = tier("place", "6N", "MED")
    assert again.returncode == 0 and "already in MED: nothing changed" in again.stdout
    held = tier("remove", "MED")
    assert held.returncode != 0 and "it holds its units (6N)" in held.stderr
    wrong = tier("grant", "MED", "Nia North", "--role", "executive_on_call")
    assert wrong.returncode != 0 and "A department has no executive on call" in wrong.stderr
    ok = tier("grant", "MED", "Nia North", "--role", "department_lead")
    assert ok.returncode == 0 and "Nia North is now department lead of MED." in ok.stdout
    twice = tier("grant", "MED", "Nia North", "--role", "department_lead")
    assert "Nia North is already department lead of MED." in twice.stdout
    several = tier("grant", "MED", "Ada Admin", "--role", "department_lead")
    assert several.returncode != 0 and "several units (4W, 5E)" in several.stderr
    mine = tier("grant", "MED", "Ada Admin", "--unit", "5E", "--role", "department_lead")
    assert mine.returncode == 0, mine.stderr
    other = tier("revoke", "MED", "Nia North", "--role", "duty_manager")
    assert other.returncode != 0 and "not the duty manager" in other.stderr
    gone = tier("revoke", "MED", "Nia North", "--role", "department_lead")
    assert "Nia North is no longer department lead of MED." in gone.stdout
    none = tier("revoke", "MED", "Nia North")
    assert "Nia North held no role on MED: nothing changed." in none.stdout
