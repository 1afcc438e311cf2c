"""Every report reaches the look back of the next huddle, and only that one.

Each step runs in a process of its own, as separate workstations would: reports
filed before, during and after huddles, named and anonymous, at the shift edges
and across midnight, with stored times (an anonymous report keeps only its shift)
that fall before the huddle they belong to.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import Team

STEP = Path(__file__).parent / "tools" / "huddle_step.py"


def test_each_report_reaches_the_next_huddle_only_across_shift_edges_and_midnight(
    sqlite_team: Team, data_paths, tmp_path: Path
) -> None:
    team = sqlite_team
    actors = tmp_path / "actors.json"
    actors.write_text(
        json.dumps(
            {
                role: {**dataclasses.asdict(a), "roles": sorted(a.roles)}
                for role, a in team.by_role.items()
            }
        )
    )
    url = str(team.db.engine.url)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])}
    day = dt.date.today() + dt.timedelta(days=1)

    def at(hours: float) -> str:
        return (dt.datetime.combine(day, dt.time()) + dt.timedelta(hours=hours)).isoformat()

    def step(**kw: object) -> str:
        done = subprocess.run(
            [sys.executable, str(STEP), url, str(actors), json.dumps(kw)],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    def report(text: str, when: float, *, anonymous: bool, occurred: float | None = None) -> None:
        step(
            do="report",
            **{"as": "learner"},
            at=at(when),
            occurred=at(when - 0.1 if occurred is None else occurred),
            text=text,
            anonymous=anonymous,
        )

    expected: dict[str, list[str]] = {}
    # Before the day huddle (07:30): named, and anonymous waiting alone in the outbox.
    report("named before the day huddle", 7.1, anonymous=False)
    report("anonymous before the day huddle", 7.2, anonymous=True)
    day_huddle = step(do="start", at=at(7.5)).strip()
    expected[day_huddle] = ["named before the day huddle", "anonymous before the day huddle"]
    # During the day huddle: they belong to the next one, not this one.
    report("named during the day huddle", 7.6, anonymous=False)
    report("anonymous during the day huddle", 7.65, anonymous=True)
    step(do="close", huddle=day_huddle)
    # At the shift edge: just before and just after 19:00.
    report("named just before the night shift", 18.95, anonymous=False)
    report("anonymous just after the night shift began", 19.05, anonymous=True)
    night_huddle = step(do="start", at=at(19.5)).strip()
    expected[night_huddle] = [
        "named during the day huddle",
        "anonymous during the day huddle",
        "named just before the night shift",
        "anonymous just after the night shift began",
    ]
    step(do="close", huddle=night_huddle)
    # After the night huddle closed, late and across midnight; one describes the day before.
    report("anonymous at 23:35 after the night huddle", 23.58, anonymous=True)
    report("named after midnight", 24.33, anonymous=False)
    report("anonymous after midnight about yesterday", 26, anonymous=True, occurred=14)
    next_day = step(do="start", at=at(31.5)).strip()
    expected[next_day] = [
        "anonymous at 23:35 after the night huddle",
        "named after midnight",
        "anonymous after midnight about yesterday",
    ]
    # Filed while the next day's huddle is open: not on its board, even after a refresh.
    report("named during the next day huddle", 31.6, anonymous=False)

    seen: dict[str, list[str]] = {}
    for huddle in (day_huddle, night_huddle, next_day):
        shown = step(do="look_back", huddle=huddle).splitlines()
        assert sorted(shown) == sorted(expected[huddle]), huddle
        for text in shown:
            seen.setdefault(text, []).append(huddle)
    assert all(len(where) == 1 for where in seen.values()), seen
    assert "named during the next day huddle" not in seen
