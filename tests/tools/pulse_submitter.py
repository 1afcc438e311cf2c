"""Answer every pending pulse on a unit, one after another, until done or killed.

    python tests/tools/pulse_submitter.py DATABASE_URL

Each person signs in and answers their own invitations; a test SIGKILLs this process at random
moments and then checks that every stored answer has its invitation marked done.
"""

from __future__ import annotations

import datetime as dt
import sys

from sqlalchemy import select

from hrohuddle.services import pulses, signin
from hrohuddle.services.errors import ValidationError
from hrohuddle.store.database import Database
from hrohuddle.store.models import PulseInvitation

#: The PIN the test gives every newcomer.
PIN = "5827"


def main() -> None:
    db = Database.connect(sys.argv[1])
    with db.read() as s:
        pending = s.execute(
            select(PulseInvitation.id, PulseInvitation.person_id)
            .where(PulseInvitation.status == "pending")
            .order_by(PulseInvitation.id)
        ).all()
    work = [(inv_id, signin.sign_in(db, person_id, PIN)) for inv_id, person_id in pending]
    for inv_id, actor in work:
        try:
            pulses.submit(db, actor, inv_id, {"E1": 5, "E2": 6}, today=dt.date(2027, 6, 1))
        except ValidationError:
            pass
        print(f"answered {inv_id}", flush=True)
    print("DONE", flush=True)


if __name__ == "__main__":
    main()
