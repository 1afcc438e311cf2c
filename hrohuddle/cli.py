"""The command line: the same services as the desktop app, headless.

Over 600 lines because each command's arguments are declared beside the few lines that
run it, so that a command reads in one place; the work itself is in the services."""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hrohuddle import APP_NAME, __version__
from hrohuddle.errors import UserFacingError
from hrohuddle.paths import DataPaths, default_database_url, keep_files_private
from hrohuddle.wording import count, verb

if TYPE_CHECKING:  # imported where used: the command line starts without the services
    from hrohuddle.services.reporting import Week

log = logging.getLogger(__name__)

EXPORT_KINDS = ("events", "huddles", "actions", "checklists", "observations", "pulses")


class UserError(UserFacingError):
    """A problem to print in one line, with exit code 2."""


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="hrohuddle",
        description=f"{APP_NAME}: safety huddles and learning for a hospital unit. "
        "Without a command, starts the desktop app.",
    )
    p.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    p.add_argument(
        "--database",
        metavar="URL",
        help="SQLAlchemy database URL (default: HROHUDDLE_DATABASE_URL, or SQLite in the "
        "user data folder)",
    )
    p.add_argument("--verbose", action="store_true", help="log debug messages to the terminal")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    dbp = sub.add_parser("db", help="database upkeep")
    dbsub = dbp.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    dbsub.add_parser("upgrade", help="back up, then bring the schema up to date")
    dbsub.add_parser("current", help="print the schema revision")
    dbsub.add_parser("check", help="integrity check and schema check")
    b = dbsub.add_parser("backup", help="take a verified backup now")
    b.add_argument(
        "file",
        nargs="?",
        type=Path,
        help="a file or folder to write it to (default: backups folder)",
    )
    r = dbsub.add_parser("restore", help="replace the database with a verified backup")
    r.add_argument("file", type=Path)
    dbsub.add_parser("backups", help="list every backup, with why it was taken")

    d = sub.add_parser("demo-data", help="create a realistic demo unit")
    d.add_argument("--years", type=float, default=1.0, help="history to generate (default 1)")
    d.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    d.add_argument("--units", type=int, default=1, help="how many units (default 1)")

    u = sub.add_parser("unit", help="units on this database")
    usub = u.add_subparsers(dest="unit_command", metavar="ACTION", required=True)
    usub.add_parser("list", help="list the units")
    uc = usub.add_parser("create", help="create a unit and its first admin")
    uc.add_argument("--code", required=True)
    uc.add_argument("--name", required=True)
    uc.add_argument("--admin-name", required=True)
    uc.add_argument("--admin-profession", default="nursing")
    uc.add_argument("--admin-pin", help="the admin's PIN (asked for when left out)")

    t = sub.add_parser("tier", help="departments and the hospital above the units (shared server)")
    tsub = t.add_subparsers(dest="tier_command", metavar="ACTION", required=True)
    tsub.add_parser("list", help="list the tiers, their huddles and their units")
    tc = tsub.add_parser("create", help="add a department or the hospital")
    tc.add_argument("code", help="a short code, such as MED or HOSP")
    tc.add_argument("--name", required=True, help="the name people read, such as Medicine")
    tc.add_argument(
        "--level",
        choices=["department", "hospital"],
        default="department",
        help="a department (tier 2, the default) or the hospital (tier 3)",
    )
    tc.add_argument(
        "--in",
        dest="parent",
        help="the hospital a department belongs to (default: the hospital, once there is one)",
    )
    tc.add_argument("--time", default="09:00", help="when its huddle starts, HH:MM (default 09:00)")
    tc.add_argument(
        "--minutes", type=int, default=15, help="its huddle's target length (default 15)"
    )
    tc.add_argument(
        "--days",
        default="mon-fri",
        help="the days its huddle meets: mon-fri (the default), every day, or mon,wed,fri",
    )
    tc.add_argument(
        "--leader",
        choices=["department_lead", "duty_manager", "executive_on_call"],
        help="who leads its huddle (default: department_lead, or executive_on_call)",
    )
    tch = tsub.add_parser("change", help="correct a tier: what is left out stays as it was")
    tch.add_argument("code", help="the tier's code")
    tch.add_argument("--name", help="the name people read")
    tch.add_argument("--in", dest="parent", help="the hospital a department belongs to")
    tch.add_argument("--time", help="when its huddle starts, HH:MM")
    tch.add_argument("--minutes", type=int, help="its huddle's target length")
    tch.add_argument("--days", help="the days its huddle meets: mon-fri, every day, mon,wed,fri")
    tch.add_argument(
        "--leader",
        choices=["department_lead", "duty_manager", "executive_on_call"],
        help="who leads its huddle",
    )
    trm = tsub.add_parser(
        "remove", help="remove a tier set out by mistake (only while nothing holds it)"
    )
    trm.add_argument("code", help="the tier's code")
    tp = tsub.add_parser("place", help="put a unit in a department, or move it to another")
    tp.add_argument("unit", help="the unit's code")
    tp.add_argument("tier", help="the department's code")
    tg = tsub.add_parser("grant", help="give a person a role on a tier")
    tg.add_argument("tier", help="the tier's code")
    tg.add_argument("name", help="the person's name as the sign-in screen shows it")
    tg.add_argument("--unit", help="the person's unit code (default: the only unit)")
    tg.add_argument(
        "--role",
        required=True,
        choices=["department_lead", "duty_manager", "executive_on_call"],
    )
    tr = tsub.add_parser("revoke", help="take a person's role on a tier away")
    tr.add_argument("tier", help="the tier's code")
    tr.add_argument("name", help="the person's name as the sign-in screen shows it")
    tr.add_argument("--unit", help="the person's unit code (default: the only unit)")
    tr.add_argument(
        "--role",
        choices=["department_lead", "duty_manager", "executive_on_call"],
        help="take only this role away (refused when they hold another)",
    )

    pp = sub.add_parser("person", help="help someone who cannot sign in (IT at this machine)")
    psub = pp.add_subparsers(dest="person_command", metavar="ACTION", required=True)
    pu = psub.add_parser("unlock", help="end the wait after wrong PINs")
    pu.add_argument("name", help="the person's name as the sign-in screen shows it")
    pu.add_argument("--unit", help="unit code (default: the only unit)")
    pr = psub.add_parser("reset-pin", help="give a person a new PIN")
    pr.add_argument("name", help="the person's name as the sign-in screen shows it")
    pr.add_argument("--unit", help="unit code (default: the only unit)")
    given = pr.add_mutually_exclusive_group()
    given.add_argument(
        "--pin-stdin",
        action="store_true",
        help="read the new PIN from the first line of standard input (for scripts)",
    )
    given.add_argument(
        "--pin",
        help="the new PIN; it stays in the shell's history, so prefer being asked "
        "(at a terminal) or --pin-stdin",
    )
    pr.add_argument(
        "--new-secret",
        action="store_true",
        help="the PIN secret file is lost for good: make a new one (every PIN must be reset)",
    )

    pc = sub.add_parser("preceptor", help="pair preceptors with learners")
    pcsub = pc.add_subparsers(dest="preceptor_command", metavar="ACTION", required=True)
    pa = pcsub.add_parser("assign", help="pair a preceptor with a learner")
    pa.add_argument("preceptor", help="the preceptor's name as the sign-in screen shows it")
    pa.add_argument("learner", help="the learner's name as the sign-in screen shows it")
    pa.add_argument("--from", dest="starts_on", help="first day, YYYY-MM-DD (default: today)")
    pa.add_argument("--until", dest="ends_on", help="last day, YYYY-MM-DD (default: open)")
    pa.add_argument("--unit", help="unit code (default: the only unit)")
    pe = pcsub.add_parser("end", help="end a pairing")
    pe.add_argument("preceptor", help="the preceptor's name")
    pe.add_argument("learner", help="the learner's name")
    pe.add_argument("--on", dest="ends_on", help="last day, YYYY-MM-DD (default: today)")
    pe.add_argument("--unit", help="unit code (default: the only unit)")
    pl = pcsub.add_parser("list", help="list the pairings")
    pl.add_argument("--all", action="store_true", help="include pairings that have ended")
    pl.add_argument("--unit", help="unit code (default: the only unit)")

    a = sub.add_parser("audit", help="the audit log")
    asub = a.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    av = asub.add_parser(
        "verify", help="check the hash chain against every head witnessed; name where it breaks"
    )
    av.add_argument(
        "--head",
        action="append",
        default=[],
        metavar="ID:HASH",
        help="a head printed on a report, to check the chain against (repeatable)",
    )

    e = sub.add_parser("export", help="write a CSV file")
    e.add_argument("kind", choices=EXPORT_KINDS)
    e.add_argument("--out", required=True, type=_output_file, help="the CSV file to write")
    e.add_argument("--unit", help="unit code (default: the only unit)")

    rp = sub.add_parser("report", help="build a report PDF")
    rsub = rp.add_subparsers(dest="report_kind", metavar="KIND", required=True)
    w = rsub.add_parser("weekly", help="the weekly safety and learning report")
    w.add_argument("--unit", help="unit code (default: the only unit)")
    w.add_argument("--week", help="ISO week such as 2026-W47 (default: the last complete week)")
    w.add_argument("--out", required=True, type=_output_file, help="the PDF file to write")
    bl = rsub.add_parser("bulletin", help="the unit safety bulletin: one page for the staff room")
    bl.add_argument("--unit", help="unit code (default: the only unit)")
    bl.add_argument("--week", help="ISO week such as 2026-W47 (default: the last complete week)")
    bl.add_argument("--out", required=True, type=_output_file, help="the PDF file to write")
    dp = rsub.add_parser(
        "department", help="a department's (or the hospital's) week: its units side by side"
    )
    dp.add_argument("--tier", required=True, help="the tier's code, such as MED")
    dp.add_argument("--week", help="ISO week such as 2026-W47 (default: the last complete week)")
    dp.add_argument("--out", required=True, type=_output_file, help="the PDF file to write")

    sub.add_parser("self-test", help="headless checks, used after installing")
    return p


def _output_file(text: str) -> Path:
    """A file to write: refused at once when it names no file (empty, blanks, a folder)."""
    name = text.strip()
    if not name or name != text:
        raise argparse.ArgumentTypeError(
            f"“{text}” is not a file name: give the file to write, for example report.pdf"
        )
    return Path(name)


def _os_user() -> str:
    import getpass

    return getpass.getuser()


def _ask_pin(prompt: str, *, how_else: str) -> str:
    """A new PIN typed twice at the terminal, unseen; one clear line when there is none."""
    import getpass

    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UserError(f"there is no terminal to ask for the PIN: {how_else}.")
    first = getpass.getpass(prompt)
    second = getpass.getpass("The same PIN again: ")
    if first != second:
        raise UserError("the two PINs are not the same; nothing was changed.")
    return first


def _pin_from_stdin() -> str:
    line = sys.stdin.readline().rstrip("\r\n")
    if not line:
        raise UserError("no PIN on standard input; nothing was changed.")
    return line


def gui_options(argv: list[str]) -> argparse.Namespace | None:
    """The desktop app's own options, read without building the whole parser.

    None when ``argv`` holds anything else (a command, --help, --version, a typo):
    the full parser then reads it and explains any mistake.
    """
    database: str | None = None
    verbose = False
    rest = iter(argv)
    for arg in rest:
        if arg == "--verbose":
            verbose = True
        elif arg == "--database":
            database = next(rest, None)
            if database is None:
                return None
        elif arg.startswith("--database="):
            database = arg.partition("=")[2]
        else:
            return None
    return argparse.Namespace(command=None, database=database, verbose=verbose)


def run(argv: list[str]) -> int:
    keep_files_private()
    args = gui_options(argv)
    if args is None:
        args = build_parser().parse_args(argv)
    paths = DataPaths.default()
    if args.command is None:
        from hrohuddle.app import main as gui_main

        return gui_main(args, paths)
    from hrohuddle import logs

    try:
        paths.ensure()
        log_file = logs.setup(paths.log_dir, verbose=args.verbose)
    except OSError as exc:
        print(f"hrohuddle: the data folder cannot be written: {exc}", file=sys.stderr)
        return 2
    url = args.database or default_database_url(paths)
    try:
        return _dispatch(args, url, paths)
    except UserFacingError as exc:
        # What the person can act on, without a traceback; anything else is a bug and
        # leaves with its traceback (logged, then printed by Python).
        print(f"hrohuddle: {exc.message}", file=sys.stderr)
        if exc.what_to_do:
            print(exc.what_to_do, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        log.exception("command failed")
        # Printed by Python after the traceback, as its last line.
        exc.add_note(
            f"This is a fault in HRO Huddle, not something you did. The log is {log_file}; "
            "please report it with that file."
        )
        raise


def _open(url: str, paths: DataPaths, *, migrate: bool = True):  # type: ignore[no-untyped-def]
    from hrohuddle.store.opening import open_database

    return open_database(url, paths.backup_dir, migrate=migrate).db


def _collect_from_here() -> None:
    """Restart the collector that ``hrohuddle.__main__`` held, once a command's modules
    are loaded: a command may run for minutes (demo data), but collections while
    SQLAlchemy and reportlab load find nothing and cost a weekly report a
    tenth of its time. What importing allocated is frozen, so later collections walk
    only what the command makes."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


def _dispatch(args: argparse.Namespace, url: str, paths: DataPaths) -> int:
    cmd = args.command
    if cmd == "report" and args.report_kind == "bulletin":
        return _bulletin(args, url, paths)
    if cmd == "report" and args.report_kind == "department":
        return _department_report(args, url, paths)
    if cmd == "report":
        return _report(args, url, paths)
    _collect_from_here()
    if cmd == "db":
        return _db(args, url, paths)
    if cmd == "demo-data":
        from hrohuddle import demo

        db = _open(url, paths)
        summary = demo.create(db, years=args.years, seed=args.seed, units=args.units)
        print(
            f"Demo data written: unit {', '.join(summary.unit_codes[:5])}"
            f"{' …' if len(summary.unit_codes) > 5 else ''}, "
            f"{count(summary.people, 'person', 'people')}."
        )
        for line in summary.hospital_lines:
            print(line)
        return 0
    if cmd == "unit":
        return _unit(args, url, paths)
    if cmd == "tier":
        return _tier(args, url, paths)
    if cmd == "person":
        return _person(args, url, paths)
    if cmd == "preceptor":
        return _preceptor(args, url, paths)
    if cmd == "audit":
        from hrohuddle.services import audit_chain

        try:
            given = [audit_chain.parse_witness(h) for h in args.head]
        except ValueError as exc:
            raise UserError(str(exc)) from exc
        db = _open(url, paths)
        witnesses = given + audit_chain.known_witnesses(
            paths.backup_dir if db.file is not None else None, paths.data_dir
        )
        report = audit_chain.verify_chain(db, witnesses)
        if report.intact:
            print(
                f"Audit log intact: {count(report.entries, 'entry', 'entries')}, every hash "
                f"chained, {count(len(witnesses), 'witnessed head')} "
                f"{verb(len(witnesses), 'agrees', 'agree')}."
            )
            return 0
        for br in report.breaks:
            if br.entry_id:
                print(f"Audit entry {br.entry_id} {br.reason}.")
            else:
                print(f"Audit log: {br.reason}.")
        return 1
    if cmd == "export":
        return _export(args, url, paths)
    if cmd == "self-test":
        from hrohuddle import selftest

        return selftest.run(print)
    raise UserError(f"unknown command {cmd}")


def _db(args: argparse.Namespace, url: str, paths: DataPaths) -> int:
    from hrohuddle.store import backup
    from hrohuddle.store.database import Database, sqlite_path
    from hrohuddle.store.errors import DAMAGED_WHAT_TO_DO, DatabaseCorrupt

    action = args.db_command
    if action == "upgrade":
        from hrohuddle.store.opening import open_database

        opened = open_database(url, paths.backup_dir)
        if opened.backup_taken:
            print(f"Backup taken first: {opened.backup_taken}")
        print(f"Schema is up to date (was {opened.migrated_from.value}).")
        return 0
    if action == "current":
        from hrohuddle.store import migrations

        db = Database.connect(url)
        try:
            print(migrations.current(db) or "empty (no schema yet)")
        finally:
            db.dispose()
        return 0
    if action == "check":
        db = Database.connect(url)
        try:  # closed whatever the check finds, also when it finds damage
            db.quick_check()
            state = db.schema_state()
            missing = db.missing_schema() if state.value == "current" else []
        finally:
            db.dispose()
        if missing:
            raise DatabaseCorrupt(
                "The database is damaged: " + "; ".join(missing) + ".",
                what_to_do=DAMAGED_WHAT_TO_DO,
            )
        print(f"Integrity check passed; schema is {state.value}.")
        return 0 if state.value == "current" else 1
    path = sqlite_path(url)
    if path is None:
        if action == "restore":
            raise UserError(
                "this unit's database is on a PostgreSQL server: restore it with the server's "
                "own tools (pg_restore from a pg_dump archive), with HRO Huddle closed everywhere."
            )
        raise UserError(
            "backups here work on SQLite files; for PostgreSQL use the server's "
            "own tools (pg_dump, and pg_restore to put one back)."
        )
    if action == "backup":
        if not path.exists():
            raise UserError(f"there is no database at {path} to back up.")
        db = Database.connect(url)
        try:
            if db.schema_state().value == "current":
                from hrohuddle.services import backups

                written = backups.take(db, _cli_actor(0), paths.backup_dir, target=args.file).path
            elif args.file:  # an older schema cannot hold the audit entry yet: copy it as it is
                written = backup.write_backup(path, args.file)
            else:
                written = backup.take_backup(path, paths.backup_dir, reason="manual").path
        finally:
            db.dispose()
        print(f"Backup written and verified: {written}")
        return 0
    if action == "backups":
        found = backup.list_backups(paths.backup_dir)
        if not found:
            print(f"No backups in {paths.backup_dir}.")
        for b in found:
            keeping = "rotates" if b.rotates else "kept until deleted"
            print(f"{b.label}  {b.why} ({keeping})  {b.path}")
        return 0
    if action == "restore":
        from hrohuddle.services import audit

        source: Path = args.file
        by = f"command line ({_os_user()})"
        kept = backup.restore(
            source,
            path,
            paths.backup_dir,
            prepare=audit.restore_recorder(source, by=by, replaced=path),
        )
        print(f"Restored {source} into {path}.")
        if kept:
            print(f"The database it replaced is kept at {kept} (listed with the backups).")
        return 0
    raise UserError(f"unknown db action {action}")


def _audit_cli(url: str, action: str, detail: dict[str, str] | None = None) -> None:
    from hrohuddle.services import audit
    from hrohuddle.store.database import Database

    db = Database.connect(url)
    try:
        if db.schema_state().value != "current":
            return
        with db.write() as s:
            audit.record(
                s, action, detail={"by": "command line", "os_user": _os_user(), **(detail or {})}
            )
    finally:
        db.dispose()


def _person(args: argparse.Namespace, url: str, paths: DataPaths) -> int:
    from hrohuddle.services import exports, people, signin

    db = _open(url, paths)
    unit_id = exports.unit_id_for(db, args.unit)
    person_id, name = people.find_person_named(db, unit_id, args.name)
    actor = _cli_actor(unit_id)
    if args.person_command == "unlock":
        signin.unlock(db, actor, person_id)
        print(f"{name} can try their PIN again now.")
        return 0
    if args.pin is not None:
        pin = args.pin
    elif args.pin_stdin:
        pin = _pin_from_stdin()
    else:
        pin = _ask_pin(
            f"New PIN for {name}: ",
            how_else="give it on standard input with --pin-stdin",
        )
    if args.new_secret:
        made = signin.make_new_secret(db)
        print(
            f"A new PIN secret is at {made}. Every PIN made with the old one no longer "
            "works: reset each person's PIN. Give IT a copy of the new file to keep apart "
            "from the database backups."
        )
    signin.reset_pin(db, actor, person_id, pin)
    print(f"{name} has a new PIN; tell them in person.")
    return 0


def _day(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise UserError(f"{text} is not a date like 2026-11-27.") from exc


def _preceptor(args: argparse.Namespace, url: str, paths: DataPaths) -> int:
    from hrohuddle.services import dates, exports, observations, people

    db = _open(url, paths)
    unit_id = exports.unit_id_for(db, args.unit)
    actor = _cli_actor(unit_id)
    if args.preceptor_command == "list":
        rows = observations.assignments(db, actor, current_only=not args.all)
        if not rows:
            print("No pairings." if args.all else "No current pairings.")
        for r in rows:
            until = dates.day(r.ends_on) if r.ends_on else "open"
            print(f"{r.preceptor} precepts {r.learner}: {dates.day(r.starts_on)} to {until}")
        return 0
    pre = people.find_person(db, unit_id, args.preceptor)
    lea = people.find_person(db, unit_id, args.learner)
    if args.preceptor_command == "assign":
        start = _day(args.starts_on) or dt.date.today()
        observations.assign(db, actor, pre, lea, start, _day(args.ends_on))
        print(f"{args.preceptor} precepts {args.learner} from {dates.day(start)}.")
        return 0
    end = _day(args.ends_on) or dt.date.today()
    running = [
        r
        for r in observations.assignments(db, actor)
        if r.preceptor_id == pre and r.learner_id == lea and (r.ends_on is None or r.ends_on > end)
    ]
    if not running:
        raise UserError(f"{args.preceptor} has no running pairing with {args.learner}.")
    for r in running:
        observations.end_assignment(db, actor, r.id, end)
    print(f"The pairing of {args.preceptor} with {args.learner} ends on {dates.day(end)}.")
    return 0


def _cli_actor(unit_id: int):  # type: ignore[no-untyped-def]
    """IT at the machine: a manager and admin of the unit (0: the whole database)."""
    from hrohuddle.services.permissions import command_line_actor

    return command_line_actor(
        unit_id, f"command line ({_os_user()})", frozenset({"manager", "admin"})
    )


def _export(args: argparse.Namespace, url: str, paths: DataPaths) -> int:
    from hrohuddle.services import exports

    writers = {
        "huddles": exports.export_huddles,
        "actions": exports.export_actions,
        "events": exports.export_events,
        "pulses": exports.export_pulses,
        "checklists": exports.export_checklists,
        "observations": exports.export_observations,
    }
    if args.kind not in writers:
        raise UserError(f"exporting {args.kind} comes with its workflow; not available yet.")
    db = _open(url, paths)
    unit_id = exports.unit_id_for(db, args.unit)
    actor = _cli_actor(unit_id)
    try:
        count = writers[args.kind](db, actor, args.out)
    except OSError as exc:
        raise UserError(f"{args.out} cannot be written: {exc.strerror}.") from exc
    print(f"Wrote {count} {args.kind} to {args.out}.")
    return 0


class _Checked:
    """The integrity check on a thread of its own: SQLite lets go of the interpreter
    while it reads every page, so the report's libraries load meanwhile on the other
    core. ``wait`` raises what the check raised, before anything is read or written."""

    def __init__(self, db: Any) -> None:
        import threading

        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, args=(db,), name="integrity-check")
        self.thread.start()

    def _run(self, db: Any) -> None:
        try:
            db.quick_check()
            db.keep_statistics()
        except BaseException as exc:  # handed to the main thread by wait()
            self.error = exc

    def wait(self) -> None:
        self.thread.join()
        if self.error is not None:
            raise self.error


def _report(args: argparse.Namespace, url: str, paths: DataPaths) -> int:
    from hrohuddle.store.database import SchemaState
    from hrohuddle.store.opening import open_database

    opened = open_database(url, paths.backup_dir, check=False, migrate=False)
    if opened.migrated_from is SchemaState.CURRENT:
        checked = _Checked(opened.db)
        try:
            from hrohuddle.reports import weekly
            from hrohuddle.services import audit, audit_chain, exports
        finally:
            checked.wait()
        db = opened.db
    else:  # checked first, then backed up and brought up to date, as every command does
        opened.db.dispose()
        db = _open(url, paths)
        from hrohuddle.reports import weekly
        from hrohuddle.services import audit, audit_chain, exports
    _collect_from_here()
    unit_id = exports.unit_id_for(db, args.unit)
    week = _week(args.week)
    actor = _cli_actor(unit_id)
    head = audit.current_head(db)
    try:
        out = weekly.write(db, actor, week, args.out, unit_id=unit_id)
    except OSError as exc:
        raise UserError(f"{args.out} cannot be written: {exc.strerror}.") from exc
    audit_chain.remember_head(paths.data_dir, head, f"the weekly report {week.label}")
    print(f"Weekly report for {week.label} written to {out}.")
    return 0


def _week(text: str | None) -> Week:
    """The ISO week a report covers: the one given, or the last complete one."""
    from hrohuddle.services.reporting import Week

    try:
        return Week.parse(text) if text else Week.last_complete()
    except ValueError as exc:
        raise UserError(
            f"“{text}” is not a week this report can cover: give an ISO week such as 2026-W47."
        ) from exc


def _bulletin(args: argparse.Namespace, url: str, paths: DataPaths) -> int:
    """The week's safety bulletin, weeks read and files written as the weekly report's."""
    from hrohuddle.reports import bulletin
    from hrohuddle.services import audit, audit_chain, exports

    _collect_from_here()
    db = _open(url, paths)
    unit_id = exports.unit_id_for(db, args.unit)
    week = _week(args.week)
    actor = _cli_actor(unit_id)
    head = audit.current_head(db)
    try:
        out = bulletin.write(db, actor, week.monday, args.out)
    except OSError as exc:
        raise UserError(f"{args.out} cannot be written: {exc.strerror}.") from exc
    audit_chain.remember_head(paths.data_dir, head, f"the safety bulletin {week.label}")
    print(f"Safety bulletin for {week.label} written to {out}.")
    return 0


def _department_report(args: argparse.Namespace, url: str, paths: DataPaths) -> int:
    """A tier's week, its units side by side; files written as the weekly report's."""
    from hrohuddle.reports import department
    from hrohuddle.services import audit, audit_chain

    _collect_from_here()
    db = _open(url, paths)
    week = _week(args.week)
    actor = _cli_actor(0)
    head = audit.current_head(db)
    try:
        out = department.write(db, actor, args.tier, week, args.out)
    except OSError as exc:
        raise UserError(f"{args.out} cannot be written: {exc.strerror}.") from exc
    audit_chain.remember_head(paths.data_dir, head, f"the {args.tier} report {week.label}")
    print(f"Report of {args.tier} for {week.label} written to {out}.")
    return 0


def _tier(args: argparse.Namespace, url: str, paths: DataPaths) -> int:
    from hrohuddle.services import exports, people, tiers

    db = _open(url, paths)
    # On a unit's own file every tier command says first what it needs.
    tiers.require_shared(db)
    actor = _cli_actor(0)
    command = args.tier_command
    if command == "list":
        rows = tiers.list_tiers(db)
        if not rows:
            print(
                "No tiers yet: add the hospital, then its departments, with hrohuddle tier create."
            )
        for r in rows:
            print(_tier_line(r))
        return 0
    if command == "create":
        level = tiers.HOSPITAL if args.level == "hospital" else tiers.DEPARTMENT
        hospital = next((r for r in tiers.list_tiers(db) if r.level == tiers.HOSPITAL), None)
        if level == tiers.DEPARTMENT and not args.parent and hospital is None:
            raise UserError(
                "There is no hospital on this server yet: create the hospital first "
                "(hrohuddle tier create HOSP --name … --level hospital), then its departments."
            )
        row = tiers.create_tier(
            db,
            actor,
            code=args.code,
            name=args.name,
            level=level,
            parent_code=args.parent,
            huddle_time=args.time,
            huddle_target_minutes=args.minutes,
            leader_role=args.leader,
            huddle_days=tiers.parse_days(args.days),
        )
        inside = f" in {row.parent_code}" if row.parent_code else ""
        if row.parent_code and not args.parent:
            inside += ", the hospital, as no --in was given"
        print(
            f"{row.level_words.capitalize()} {row.code} ({row.name}) created{inside}: its "
            f"huddle is at {row.huddle_time}, {row.days_words}, led by the {row.leader_words}."
        )
        return 0
    if command == "change":
        row = tiers.change_tier(
            db,
            actor,
            args.code,
            name=args.name,
            parent_code=args.parent,
            huddle_time=args.time,
            huddle_target_minutes=args.minutes,
            leader_role=args.leader,
            huddle_days=tiers.parse_days(args.days) if args.days is not None else None,
        )
        given = (args.name, args.parent, args.time, args.minutes, args.leader, args.days)
        if all(v is None for v in given):
            print("Nothing to change: name what to correct, such as --name or --time.")
        else:
            print(f"{row.code} changed. Now: {_tier_line(row)}")
        return 0
    if command == "remove":
        roles = tiers.remove_tier(db, actor, args.code)
        extra = f", with its {count(roles, 'role')}" if roles else ""
        print(f"{args.code.strip()} removed{extra}.")
        return 0
    if command == "place":
        now_in = tiers.department_code_of(db, args.unit)
        if now_in is not None and now_in == args.tier.strip():
            print(f"Unit {args.unit} is already in {now_in}: nothing changed.")
            return 0
        moved = tiers.place_unit(db, actor, args.unit, args.tier)
        extra = f"; {count(moved, 'open escalation')} moved with it" if moved else ""
        since = f" from today; its weeks in {now_in} stay in {now_in}'s reports" if now_in else ""
        print(f"Unit {args.unit} is now in {args.tier}{since}{extra}.")
        return 0
    unit_code = args.unit
    if unit_code is None and len(people.list_units(db)) > 1:
        on = tiers.units_of_person_named(db, args.name)
        if len(on) > 1:
            raise UserError(
                f"There is someone called {args.name} on several units ({', '.join(on)}): "
                "name the unit with --unit CODE."
            )
        if not on:
            raise UserError(
                f"There is no one called {args.name} on any unit: give the name as the "
                "sign-in screen shows it, and the unit with --unit CODE."
            )
        unit_code = on[0]
    unit_id = exports.unit_id_for(db, unit_code)
    person_id, name = people.find_person_named(db, unit_id, args.name)
    if command == "grant":
        if tiers.grant_role(db, actor, args.tier, person_id, args.role):
            print(f"{name} is now {tiers.TIER_ROLES[args.role]} of {args.tier}.")
        else:
            print(f"{name} is already {tiers.TIER_ROLES[args.role]} of {args.tier}.")
        return 0
    taken = tiers.revoke_role(db, actor, args.tier, person_id, args.role)
    if taken:
        print(f"{name} is no longer {tiers.TIER_ROLES.get(taken, taken)} of {args.tier}.")
    else:
        print(f"{name} held no role on {args.tier}: nothing changed.")
    return 0


def _tier_line(r: Any) -> str:
    above = f", in {r.parent_code}" if r.parent_code else ""
    units = f"; units: {', '.join(r.unit_codes)}" if r.unit_codes else ""
    return (
        f"{r.code}\t{r.name} ({r.level_words}{above}): huddle at {r.huddle_time} "
        f"{r.days_words}, {r.huddle_target_minutes} minutes, led by the {r.leader_words}{units}"
    )


def _unit(args: argparse.Namespace, url: str, paths: DataPaths) -> int:
    from hrohuddle.services import people

    db = _open(url, paths)
    if args.unit_command == "list":
        for u in people.list_units(db):
            print(f"{u.code}\t{u.name}")
        return 0
    pin = args.admin_pin or _ask_pin(
        "PIN for the first admin: ", how_else="give it with --admin-pin"
    )
    people.create_unit(
        db,
        code=args.code,
        name=args.name,
        admin=people.PersonInput(
            display_name=args.admin_name,
            profession=args.admin_profession,
            roles=["admin"],
            pin=pin,
        ),
    )
    print(f"Unit {args.code.upper()} created with its first admin, {args.admin_name}.")
    return 0
