"""One step of the huddle look-back test, in a process of its own, as a workstation would.

    python tests/tools/huddle_step.py URL ACTORS.json STEP.json

STEP is {"do": "report", "as": role, "at": local time, "occurred": local time,
"text": ..., "anonymous": bool}, {"do": "start", "at": local time} (prints the
huddle id), {"do": "close", "huddle": id} or {"do": "look_back", "huddle": id}
(prints one narrative a line).
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

from hrohuddle.services import events, huddles
from hrohuddle.services.permissions import Actor
from hrohuddle.store.database import Database


def main() -> int:
    url, actors_file, step_json = sys.argv[1], sys.argv[2], sys.argv[3]
    actors = {
        role: Actor(**{**fields, "roles": frozenset(fields["roles"])})
        for role, fields in json.loads(Path(actors_file).read_text()).items()
    }
    step = json.loads(step_json)
    db = Database.connect(url)
    charge = actors["charge_nurse"]
    if step["do"] == "report":
        events.report(
            db,
            actors[step["as"]],
            events.EventInput(
                kind="near_miss",
                narrative=step["text"],
                category="medication",
                occurred_at=dt.datetime.fromisoformat(step["occurred"]),
                area="Bays 1-4",
                anonymous=step["anonymous"],
            ),
            local_now=dt.datetime.fromisoformat(step["at"]),
        )
    elif step["do"] == "start":
        row = huddles.start_or_resume(db, charge, local_now=dt.datetime.fromisoformat(step["at"]))
        print(row.id)
    elif step["do"] == "close":
        huddles.close_huddle(db, charge, int(step["huddle"]))
    elif step["do"] == "look_back":
        for e in huddles.board(db, charge, int(step["huddle"])).look_back_events:
            print(e.summary)
    db.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
