"""A writer process for the power-loss and two-writer tests.

    python tests/tools/writer.py URL TAG SECONDS

Adds huddle items one transaction at a time and prints "ACK n" after each
commit returns, so the test knows which writes were acknowledged. Prints
"LOCKED" for every "database is locked" error it meets (there should be none).
"""

from __future__ import annotations

import sys
import time

from hrohuddle.store.database import Database
from hrohuddle.store.errors import StoreError
from hrohuddle.store.models import HuddleItem


def main() -> int:
    url, tag, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
    db = Database.connect(url)
    print("READY", flush=True)
    end = time.monotonic() + seconds
    n = 0
    while time.monotonic() < end:
        n += 1
        try:
            with db.write() as s:
                s.add(HuddleItem(huddle_id=1, section="look_back", text=f"{tag}-{n}"))
        except StoreError as exc:
            print("LOCKED" if "busy" in exc.message else f"ERROR {exc.message}", flush=True)
            continue
        print(f"ACK {n}", flush=True)
    print("DONE", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
