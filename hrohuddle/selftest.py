"""Headless checks run after installing: every layer, on a throw-away database.

A composition like cli.py: it drives services and reports together.
"""

from __future__ import annotations

import tempfile
import traceback
from collections.abc import Callable
from pathlib import Path

from hrohuddle.wording import count


def run(say: Callable[[str], None]) -> int:
    """Run each check, print a line per check, return 0 only if all passed."""
    failures = 0
    with tempfile.TemporaryDirectory(prefix="hrohuddle-selftest-") as tmp:
        folder = Path(tmp)
        state: dict[str, object] = {}
        for name, check in _checks(folder, state):
            try:
                detail = check()
                say(f"ok    {name}{': ' + detail if detail else ''}")
            except Exception as exc:
                failures += 1
                say(f"FAIL  {name}: {exc}")
                say(traceback.format_exc(limit=4))
        if "db" in state:
            state["db"].dispose()  # type: ignore[attr-defined]
    say("self-test passed" if not failures else f"self-test failed: {count(failures, 'check')}")
    return 0 if not failures else 1


def _checks(folder: Path, state: dict[str, object]) -> list[tuple[str, Callable[[], str]]]:
    from hrohuddle import demo
    from hrohuddle.services import people, signin
    from hrohuddle.services.audit_chain import verify_chain
    from hrohuddle.store import backup
    from hrohuddle.store.database import Database
    from hrohuddle.store.opening import open_database

    url = f"sqlite:///{folder / 'selftest.sqlite3'}"

    def create_and_migrate() -> str:
        opened = open_database(url, folder / "backups")
        state["db"] = opened.db
        return f"schema migrated from {opened.migrated_from.value}"

    def write_demo() -> str:
        summary = demo.create(opened_db(), years=0.25, seed=1)
        return count(summary.people, "person", "people")

    def sign_in() -> str:
        db = opened_db()
        roster = signin.signin_roster(db, people.list_units(db)[0].id)
        sam = next(r for r in roster if r.display_name == "Sam Okafor")
        actor = signin.sign_in(db, sam.id, "2468")
        return f"signed in as {actor.display_name}"

    def audit_chain() -> str:
        report = verify_chain(opened_db())
        if not report.intact:
            raise RuntimeError(f"audit chain broken at {report.breaks[0].entry_id}")
        return f"{count(report.entries, 'entry', 'entries')} chained"

    def backup_and_verify() -> str:
        made = backup.take_backup(folder / "selftest.sqlite3", folder / "backups")
        if not backup.verify(made.path):
            raise RuntimeError("backup did not verify")
        return made.path.name

    def weekly_report() -> str:
        import pypdfium2

        from hrohuddle.reports import weekly
        from hrohuddle.services.permissions import command_line_actor
        from hrohuddle.services.reporting import Week

        db = opened_db()
        unit = people.list_units(db)[0]
        actor = command_line_actor(unit.id, "self-test", frozenset({"manager"}))
        out = weekly.write(db, actor, Week.last_complete(), folder / "weekly.pdf")
        pdf = pypdfium2.PdfDocument(str(out))
        try:
            pages = len(pdf)
            text = pdf[0].get_textpage().get_text_range()
        finally:
            pdf.close()
        if "Weekly safety and learning report" not in text:
            raise RuntimeError("the report PDF does not read back")
        return f"{count(pages, 'page')}, read back"

    def opened_db() -> Database:
        db = state["db"]
        assert isinstance(db, Database)
        return db

    return [
        ("create and migrate a database", create_and_migrate),
        ("write demo data", write_demo),
        ("sign in with a PIN", sign_in),
        ("audit chain", audit_chain),
        ("backup and verify", backup_and_verify),
        ("weekly report PDF", weekly_report),
    ]
