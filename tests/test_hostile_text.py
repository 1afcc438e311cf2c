"""Hostile text in every input: stored and shown exactly, never interpreted, never a crash."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from conftest import Team
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hrohuddle.services import census, huddles, people
from hrohuddle.services.errors import ValidationError

NASTY = st.sampled_from(
    [
        "'; DROP TABLE huddles; --",
        "<img src=x onerror=alert(1)>",
        "%(name)s %s {0} {unit.__class__}",
        "\u202eecnalubma llac\u202c",
        '=HYPERLINK("http://x")',
        "\t\r\x0b\x0c",
        "😷🩺" * 30,
        "a" * 499,
        "Robert'); DELETE FROM people;--",
    ]
)
TEXT = NASTY | st.text(
    alphabet=st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1, max_size=400
)
SLOW = settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@SLOW
@given(text=TEXT)
def test_huddle_items_keep_hostile_text_exactly(sqlite_team: Team, text: str) -> None:
    cn = sqlite_team["charge_nurse"]
    h = huddles.start_or_resume(sqlite_team.db, cn, local_now=dt.datetime(2026, 11, 23, 8))
    try:
        item = huddles.add_item(sqlite_team.db, cn, h.id, "look_back", text)
    except ValidationError as exc:
        assert exc.message and "Traceback" not in exc.message
        return
    stored = [
        i.text
        for i in huddles.board(sqlite_team.db, cn, h.id).items["look_back"]
        if i.id == item.id
    ]
    assert stored == [text.strip()]
    huddles.remove_item(sqlite_team.db, cn, item.id)


@SLOW
@given(name=TEXT)
def test_people_names_keep_hostile_text_exactly(sqlite_team: Team, name: str) -> None:
    try:
        pid = people.save_person(
            sqlite_team.db,
            sqlite_team.admin,
            people.PersonInput(name, "nursing", ["staff"], pin="5827"),
        )
    except ValidationError as exc:
        assert exc.message
        return
    rows = [p for p in people.list_people(sqlite_team.db, sqlite_team.admin) if p.id == pid]
    assert rows[0].display_name == name.strip()


@SLOW
@given(week=TEXT, days=TEXT)
def test_census_import_refuses_hostile_rows_cleanly(
    sqlite_team: Team, tmp_path_factory, week: str, days: str
) -> None:
    path = Path(tmp_path_factory.mktemp("csv")) / "census.csv"
    path.write_text(
        f'"{week.replace(chr(34), "")}","{days.replace(chr(34), "")}"\n', encoding="utf-8"
    )
    try:
        census.import_csv(sqlite_team.db, sqlite_team["manager"], path)
    except ValidationError as exc:
        assert exc.message
