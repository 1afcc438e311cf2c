"""Every exported report carries its Common Formats class, category and version, so a
unit can forward its reports to a patient safety organisation or its hospital system."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from conftest import Team

from hrohuddle.services import events, exports
from hrohuddle.services.vocabulary import common_formats_class, source_line
from hrohuddle.store.models import EventCategoryV12


def _report(team: Team, kind: str, category: str, **extra: object) -> int:
    submitted = events.report(
        team.db,
        team["staff"],
        events.EventInput(
            kind=kind,
            narrative=f"A {kind} on the unit",
            category=category,
            occurred_at=dt.datetime.now() - dt.timedelta(hours=1),
            **extra,  # type: ignore[arg-type]
        ),
    )
    return submitted.event_id


def test_good_catch_and_workaround_are_exported_with_the_class_they_map_onto(
    team: Team, tmp_path: Path
) -> None:
    ids = {
        "good_catch": _report(team, "good_catch", "medication", stopped_by="barrier"),
        "workaround": _report(team, "workaround", "device"),
        "incident": _report(team, "incident", "fall", harm="mild"),
    }
    with team.db.write() as s:
        s.add(EventCategoryV12(event_id=ids["workaround"], category="device"))
    out = tmp_path / "events.csv"
    exports.export_events(team.db, team["manager"], out)
    with out.open(encoding="utf-8", newline="") as f:
        rows = {int(r["event_id"]): r for r in csv.DictReader(f)}
    good, work, inc = (rows[ids[k]] for k in ("good_catch", "workaround", "incident"))
    assert good["kind"] == "good_catch" and good["common_formats_class"] == "Near miss (close call)"
    assert work["common_formats_class"] == "Unsafe condition"
    assert inc["common_formats_class"] == "Incident"
    assert work["common_formats_category"] == "Device or Medical/Surgical Supply"
    assert all("Version 2.0" in r["common_formats_version"] for r in rows.values())
    assert work["category_v1_2"] == "device" and good["category_v1_2"] == ""


def test_the_capture_form_can_say_which_class_a_kind_reports_as() -> None:
    near_miss = common_formats_class("good_catch")
    assert near_miss is not None and near_miss.key == "near_miss"
    unsafe = common_formats_class("workaround")
    assert unsafe is not None and unsafe.key == "unsafe_condition"
    assert common_formats_class("nonsense") is None
    assert source_line("taxonomies/common_formats.yaml").startswith("Source: AHRQ Common Formats")
