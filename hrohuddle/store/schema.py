"""The schema revisions this build knows, without importing Alembic at start.

tests/test_migrations.py checks these against the Alembic scripts in db/.
"""

from __future__ import annotations

#: Every revision in order, oldest first; the last one is the head.
REVISIONS: tuple[str, ...] = (
    "0001_initial",
    "0002_lookback_indexes",
    "0003_anonymity",
    "0004_people_and_scope",
    "0005_faithful_vocabularies",
    "0006_anonymity_order",
    "0007_huddle_loop",
    "0008_nothing_lost",
    "0009_close_the_loop",
    "0010_tiers",
    "0011_lookup_indexes",
)
HEAD = REVISIONS[-1]
APP_MARKER = "hrohuddle"
