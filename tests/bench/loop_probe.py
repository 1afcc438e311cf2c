"""Opening one report with its conversation and journey, as the Review screen opens it.

    python tests/bench/loop_probe.py DATABASE_URL [MESSAGES]

Picks the unit's newest report, gives it MESSAGES (default 50) notes from a reviewer
(kept: run it on a copy), then prints JSON: the median time to open it (ms), the
number of SQL statements that takes, and the same for a report without messages. The
suite calls ``open_report_ms`` itself. Not a test: timings belong here, not in
assertions; the statement count is asserted in tests/test_conversation.py.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from typing import Any

from hrohuddle.services import conversation
from hrohuddle.services.permissions import Actor
from hrohuddle.store.database import Database


def open_report_ms(db: Database, actor: Actor, event_id: int, *, repeat: int = 7) -> float:
    """The median time (ms) to load one report's journey and conversation for review,
    after one warm-up load (as a reviewer clicks a report a second time)."""
    conversation.for_review(db, actor, event_id)
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        thread = conversation.for_review(db, actor, event_id)
        samples.append(time.perf_counter() - start)
        assert thread.event_id == event_id
    return statistics.median(samples) * 1000


def open_report_statements(db: Database, actor: Actor, event_id: int) -> int:
    """How many SQL statements loading one report for review runs."""
    from sqlalchemy import event

    seen: list[str] = []

    def count(*args: Any) -> None:
        seen.append(str(args[2]))

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        conversation.for_review(db, actor, event_id)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(seen)


def main() -> int:
    from sqlalchemy import func, select

    from hrohuddle.services.permissions import command_line_actor
    from hrohuddle.store.models import Person, ReportMessage, SafetyEvent, Unit
    from hrohuddle.store.opening import open_database

    url = sys.argv[1]
    wanted = int(sys.argv[2]) if len(sys.argv) > 2 else 50
    db = open_database(url, None).db
    try:
        with db.read() as s:
            unit_id = s.scalars(select(Unit.id)).first()
            newest, oldest = s.execute(
                select(func.max(SafetyEvent.id), func.min(SafetyEvent.id)).where(
                    SafetyEvent.unit_id == unit_id
                )
            ).one()
            reviewer = s.scalars(select(Person.id).where(Person.unit_id == unit_id)).first()
            have = s.scalar(
                select(func.count())
                .select_from(ReportMessage)
                .where(ReportMessage.event_id == newest)
            )
        assert unit_id is not None and newest is not None and reviewer is not None
        actor = command_line_actor(unit_id, "loop probe", frozenset({"charge_nurse"}))
        for i in range(max(0, wanted - int(have or 0))):
            conversation.ask(db, actor, newest, f"Note {i} from the loop probe", kind="note")
        out = {
            "messages": wanted,
            "open_ms": round(open_report_ms(db, actor, newest), 2),
            "statements": open_report_statements(db, actor, newest),
            "open_ms_oldest": round(open_report_ms(db, actor, oldest), 2),
            "statements_oldest": open_report_statements(db, actor, oldest),
        }
    finally:
        db.dispose()
    print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
