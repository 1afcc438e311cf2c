"""The unit safety bulletin: the week's shared learning, "you said, we did" and good
catches, on one A4 page, in the reviewers' words; a reporter quoted or named only when
they agreed."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import Team
from pypdf import PdfReader
from sqlalchemy import select, update

from hrohuddle.services import bulletin, events
from hrohuddle.services.errors import ValidationError
from hrohuddle.services.permissions import Actor
from hrohuddle.store.database import Database
from hrohuddle.store.models import AuditEntry, ReportStep, SafetyEvent

#: A word no reviewer would write: it can only reach the page from a narrative.
MARKER = "Zorbulax"


def _monday(today: dt.date | None = None) -> dt.date:
    today = today or dt.date.today()
    return today - dt.timedelta(days=today.weekday())


def report(
    db: Database,
    who: Actor,
    kind: str,
    narrative: str,
    *,
    category: str = "medication",
    anonymous: bool = False,
    teaching: bool = False,
    named: bool = False,
    words: bool = False,
) -> int:
    """A report filed now; anonymous ones are released at once."""
    sent = events.report(
        db,
        who,
        events.EventInput(
            kind=kind,
            narrative=narrative,
            category=category,
            occurred_at=dt.datetime.now().replace(second=0, microsecond=0)
            - dt.timedelta(minutes=30),
            stopped_by=None,
            anonymous=anonymous,
            teaching_consent=teaching,
            recognise_by_name=named,
            words_may_be_shared=words,
        ),
    )
    if sent.event_id is not None:
        return sent.event_id
    from hrohuddle.services import anonymity

    anonymity.release_due(db, force=True)
    with db.read() as s:
        return int(
            s.scalar(select(SafetyEvent.id).where(SafetyEvent.narrative == narrative.strip()))
        )


def step(db: Database, event_id: int, kind: str, sentence: str, on: dt.date | None = None) -> None:
    with db.write() as s:
        s.add(
            ReportStep(
                event_id=event_id, step=kind, on_date=on or dt.date.today(), sentence=sentence
            )
        )


def summarise(db: Database, event_id: int, summary: str) -> None:
    with db.write() as s:
        s.execute(
            update(SafetyEvent)
            .where(SafetyEvent.id == event_id)
            .values(reviewer_summary=summary)
            .execution_options(synchronize_session=False)
        )


def pdf_text(path: Path) -> tuple[int, str]:
    reader = PdfReader(str(path))
    return len(reader.pages), " ".join(" ".join(p.extract_text().split()) for p in reader.pages)


def a_week_of_learning(team: Team) -> dict[str, int]:
    db, staff, learner = team.db, team["staff"], team["learner"]
    ids = {
        "done": report(db, staff, "near_miss", f"Tubing ran out again {MARKER} on the late shift"),
        "shared": report(db, learner, "unsafe_condition", f"Suction in bay 3 weak {MARKER}"),
        "named_catch": report(
            db,
            learner,
            "good_catch",
            "Spotted the penicillin allergy before the first dose",
            teaching=True,
            named=True,
            words=True,
        ),
        "quiet_catch": report(db, staff, "good_catch", f"Caught a doubled dose {MARKER}"),
    }
    summarise(db, ids["done"], "Pump tubing ran out on a late shift")
    step(db, ids["done"], "action", "Pharmacy now keeps ten spare sets on the unit")
    summarise(db, ids["shared"], "Suction in one bay was too weak to use")
    step(db, ids["shared"], "shared", "Discussed at the morning huddle: test suction at handover")
    summarise(db, ids["quiet_catch"], "A doubled dose caught at the bedside check")
    return ids


def test_the_bulletin_tells_the_week_in_the_reviewers_words(team: Team) -> None:
    ids = a_week_of_learning(team)
    b = bulletin.build(team.db, team["charge_nurse"], dt.date.today())
    assert b.week_start == _monday()
    assert [d.event_id for d in b.done] == [ids["done"]]
    assert b.done[0].did == "Pharmacy now keeps ten spare sets on the unit."
    assert [item.event_id for item in b.learning] == [ids["shared"]]
    assert "test suction at handover" in b.learning[0].text
    catches = {g.event_id: g for g in b.good_catches}
    assert catches[ids["named_catch"]].named == "Lee Learner"
    assert catches[ids["quiet_catch"]].named is None
    assert b.reports == 4
    assert b.thank_you.startswith(
        "Thank you for the 4 reports made this week, 2 of them good catches"
    )
    everything = repr(b)
    assert MARKER not in everything, "a narrative reached the bulletin without consent"
    assert "penicillin allergy before the first dose" in everything  # quoted: they agreed


def test_a_report_appears_once_and_a_system_change_is_told_as_we_did(team: Team) -> None:
    db = team.db
    changed = report(db, team["staff"], "workaround", "Borrowed a pump from the next ward")
    step(db, changed, "shared", "Shared at the huddle")
    step(db, changed, "system_change", "Every bay now has its own pump")
    b = bulletin.build(db, team["manager"], dt.date.today())
    assert [d.event_id for d in b.done] == [changed]
    assert b.done[0].step == "system_change"
    assert b.learning == []


def test_an_anonymous_good_catch_is_never_named(team: Team) -> None:
    caught = report(team.db, team["learner"], "good_catch", "Two similar names", anonymous=True)
    with team.db.write() as s:  # even if the flag were set by some older path
        s.execute(
            update(SafetyEvent)
            .where(SafetyEvent.id == caught)
            .values(recognise_by_name=True)
            .execution_options(synchronize_session=False)
        )
    b = bulletin.build(team.db, team["manager"], dt.date.today())
    assert [g.named for g in b.good_catches] == [None]


def test_agreed_words_are_checked_again_for_names_and_identifiers(team: Team) -> None:
    db = team.db
    agreed = report(db, team["staff"], "good_catch", "Caught at the second check", words=True)
    # Stored before the name check existed: a colleague's name is in the words now.
    with db.write() as s:
        s.execute(
            update(SafetyEvent)
            .where(SafetyEvent.id == agreed)
            .values(narrative="Cai Charge caught it at the second check")
            .execution_options(synchronize_session=False)
        )
    b = bulletin.build(db, team["manager"], dt.date.today())
    assert [g.quote for g in b.good_catches] == [None]
    assert "Cai Charge" not in repr(b)


def test_everyone_on_the_unit_reads_the_same_bulletin(team: Team) -> None:
    a_week_of_learning(team)
    managers = bulletin.build(team.db, team["manager"], dt.date.today())
    assert not managers.empty
    for role in ("learner", "staff", "preceptor"):
        assert bulletin.build(team.db, team[role], dt.date.today()) == managers
    with pytest.raises(ValidationError, match="has not started"):
        bulletin.build(team.db, team["manager"], dt.date.today() + dt.timedelta(days=8))


def test_the_pdf_is_one_page_and_quotes_only_with_consent(
    sqlite_team: Team, tmp_path: Path
) -> None:
    from hrohuddle.reports import bulletin as pdf

    team = sqlite_team
    a_week_of_learning(team)
    out = pdf.write(team.db, team["charge_nurse"], dt.date.today(), tmp_path / "b.pdf")
    pages, text = pdf_text(out)
    assert pages == 1
    assert "Unit safety bulletin" in text and "You said, we did" in text
    assert "Pharmacy now keeps ten spare sets on the unit" in text
    assert MARKER not in text
    assert "penicillin allergy" in text and "Thank you, Lee Learner" in text
    assert (out.stat().st_mode & 0o077) == 0, "the file is its owner's alone"
    with team.db.read() as s:
        printed = s.scalars(
            select(AuditEntry.detail).where(AuditEntry.action == "report.printed")
        ).all()
    assert [d["report"] for d in printed] == ["bulletin"]

    # The reporter of the near miss agrees after all: now their words appear.
    with team.db.write() as s:
        s.execute(
            update(SafetyEvent)
            .where(SafetyEvent.kind == "unsafe_condition")
            .values(words_may_be_shared=True)
            .execution_options(synchronize_session=False)
        )
    again = pdf.write(team.db, team["charge_nurse"], dt.date.today(), tmp_path / "c.pdf")
    _pages, text = pdf_text(again)
    assert f"Suction in bay 3 weak {MARKER}" in text


def test_a_crowded_week_still_fits_one_page_and_says_how_many_more(
    sqlite_team: Team, tmp_path: Path
) -> None:
    from hrohuddle.reports import bulletin as pdf

    team = sqlite_team
    db = team.db
    for n in range(45):
        kind = ("near_miss", "good_catch", "unsafe_condition")[n % 3]
        eid = report(db, team["staff"], kind, f"Report number {n} about the pumps", words=True)
        summarise(db, eid, f"Summary {n}: " + "a long reviewer summary of what happened " * 6)
        if kind != "good_catch":
            step(db, eid, "action" if n % 2 else "shared", f"What we did about report {n}. " * 4)
    out = pdf.write(db, team["manager"], dt.date.today(), tmp_path / "full.pdf")
    pages, text = pdf_text(out)
    assert pages == 1
    assert "more: ask the charge nurse" in text
    _story, shown = pdf.fitted(bulletin.build(db, team["manager"], dt.date.today()))
    assert 0 < sum(shown.values()) < 45


def test_an_empty_week_says_so_on_its_page(sqlite_team: Team, tmp_path: Path) -> None:
    from hrohuddle.reports import bulletin as pdf

    out = pdf.write(sqlite_team.db, sqlite_team["manager"], dt.date.today(), tmp_path / "empty.pdf")
    pages, text = pdf_text(out)
    assert pages == 1
    assert "No reports were made this week" in text
    assert "No good catch was reported or shared this week" in text


def test_the_bulletin_from_the_command_line(sqlite_team: Team, tmp_path: Path) -> None:
    a_week_of_learning(sqlite_team)
    sqlite_team.db.dispose()
    env = {**os.environ}

    def run(*a: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "hrohuddle", "report", "bulletin", *a],
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
        )

    week = dt.date.today().isocalendar()
    label = f"{week[0]}-W{week[1]:02d}"
    good = run("--week", label, "--out", str(tmp_path / "b.pdf"))
    assert good.returncode == 0, good.stderr
    assert f"Safety bulletin for {label} written to" in good.stdout
    pages, text = pdf_text(tmp_path / "b.pdf")
    assert pages == 1 and "Pharmacy now keeps ten spare sets" in text
    assert (tmp_path / "b.pdf").stat().st_mode & 0o077 == 0
    bad = run("--week", "2026-W99", "--out", str(tmp_path / "x.pdf"))
    assert bad.returncode == 2 and "has no week 99" in bad.stderr
    assert "Traceback" not in bad.stderr
    later = run("--week", "2999-W01", "--out", str(tmp_path / "y.pdf"))
    assert later.returncode == 2 and "has not started" in later.stderr
    nowhere = run("--out", str(tmp_path / "no" / "dir" / "b.pdf"))
    assert nowhere.returncode == 2 and "cannot be written" in nowhere.stderr
    assert not (tmp_path / "x.pdf").exists() and not (tmp_path / "y.pdf").exists()


def test_the_board_tells_what_was_done_since_the_last_closed_huddle(team: Team) -> None:
    from hrohuddle.services import huddles
    from hrohuddle.store.models import Huddle, utcnow

    db, cn = team.db, team["charge_nurse"]
    before = report(db, team["staff"], "near_miss", "Told at the last huddle")
    step(db, before, "action", "Told already", on=dt.date.today() - dt.timedelta(days=2))
    ended = utcnow() - dt.timedelta(days=1)
    with db.write() as s:
        s.execute(
            update(ReportStep)
            .where(ReportStep.event_id == before)
            .values(created_at=ended - dt.timedelta(hours=1))
            .execution_options(synchronize_session=False)
        )
        s.add(
            Huddle(
                unit_id=team.admin.unit_id,
                huddle_date=dt.date.today() - dt.timedelta(days=1),
                shift="day",
                status="closed",
                started_at=ended - dt.timedelta(minutes=15),
                ended_at=ended,
            )
        )
    since = report(db, team["staff"], "workaround", "Done since")
    # Recorded today for a day before the last huddle: news all the same.
    step(
        db, since, "system_change", "Every bay has its own pump", dt.date.today() - dt.timedelta(3)
    )
    huddle = huddles.start_or_resume(db, cn).id
    shown = bulletin.since_last_huddle(db, cn, huddle)
    assert [(d.event_id, d.step, d.did) for d in shown] == [
        (since, "system_change", "A lasting change: every bay has its own pump.")
    ]
    said = "You said: A workaround about medication or other substance."
    assert shown[0].line() == f"{said} We did: A lasting change: every bay has its own pump."


def test_a_report_without_a_summary_is_named_with_the_right_article(team: Team) -> None:
    db = team.db
    unsafe = report(db, team["staff"], "unsafe_condition", "Suction weak", category="device")
    step(db, unsafe, "action", "Test suction at every handover")
    b = bulletin.build(db, team["manager"], dt.date.today())
    assert b.done[0].said.startswith("An unsafe condition about ")
    assert bulletin.about("Incident", "Falls") == "An incident about falls."
    assert bulletin.about("Near miss", "Medication") == "A near miss about medication."


def test_the_bulletin_is_written_for_the_staff_room_once_per_report(
    sqlite_team: Team, tmp_path: Path
) -> None:
    """The week the testers printed: three good catches with the same summary shared
    with the reporter's sentence, an action, a near miss shared in the reporter's voice
    and a report joined with another. Each report once, in the unit's voice, and the
    counts agree with what is listed."""
    from hrohuddle.reports import bulletin as pdf
    from hrohuddle.services import journey
    from hrohuddle.store.models import Action

    team = sqlite_team
    db, staff = team.db, team["staff"]
    monday = _monday()
    last_week = monday - dt.timedelta(days=3)
    catches = []
    for n in range(3):
        eid = report(db, staff, "good_catch", f"Allergy band missing, bed {n}")
        summarise(db, eid, "Allergies not recorded on the chart at admission")
        catches.append(eid)
    with db.write() as s:  # reported last week, shared this week
        s.execute(
            update(SafetyEvent)
            .where(SafetyEvent.id.in_(catches))
            .values(reported_on=last_week)
            .execution_options(synchronize_session=False)
        )
    for eid in catches:
        step(
            db,
            eid,
            "shared",
            "Your good catch was the teaching point at the morning huddle; the whole team "
            "heard how you stopped it.",
            on=monday,
        )
    fall = report(db, staff, "near_miss", "Bed high, rails down")
    summarise(db, fall, "Beds left high with rails down for patients at risk of falls")
    step(db, fall, "shared", journey.DEFAULT_SENTENCES["shared"], on=monday)
    pressure = report(db, staff, "unsafe_condition", "Heels red on day two")
    summarise(db, pressure, "Pressure areas not checked at admission")
    due = monday + dt.timedelta(days=24)
    with db.write() as s:
        action = Action(
            unit_id=team.admin.unit_id,
            title="Run a ten-minute pressure care refresher at the next three huddles",
            owner_id=team["preceptor"].person_id,
            due_on=due,
            event_id=pressure,
        )
        s.add(action)
        s.flush()
        journey.record_action(
            s,
            s.get(SafetyEvent, pressure),  # type: ignore[arg-type]
            action.id,
            action.title,
            team["preceptor"].person_id,
            due,
            today=dt.date.today(),
            recorded_by=None,
        )
    # Another report with the same summary, only shared: told on the action's line.
    again = report(db, staff, "near_miss", "Heels nearly missed at admission")
    summarise(db, again, "Pressure areas not checked at admission")
    step(db, again, "shared", "Your report was shared at the huddle.", on=monday)
    joined = report(db, staff, "unsafe_condition", "Heels red again")
    with db.write() as s:
        s.execute(
            update(SafetyEvent)
            .where(SafetyEvent.id == joined)
            .values(merged_into_id=pressure)
            .execution_options(synchronize_session=False)
        )

    b = bulletin.build(db, team["manager"], dt.date.today())
    listed = [
        *[(d.event_id, *d.also) for d in b.done],
        *[(i.event_id, *i.also) for i in b.learning],
        *[(g.event_id, *g.also) for g in b.good_catches],
    ]
    every_id = [eid for ids in listed for eid in ids]
    assert sorted(every_id) == sorted([*catches, fall, pressure, again]), "each report once"
    assert [(d.event_id, d.also) for d in b.done] == [(pressure, (again,))]
    assert [g.kind for g in b.learning] == ["Near miss"], "good catches are in their section"
    assert (
        len(b.good_catches) == 1
        and sorted((b.good_catches[0].event_id, *b.good_catches[0].also)) == catches
    )
    assert b.reports == 4 and b.joined == 1  # the catches reached the unit last week
    assert b.thank_you.startswith(
        "Thank you for the 4 reports made this week (1 joined with another)."
    )

    out = pdf.write(db, team["charge_nurse"], dt.date.today(), tmp_path / "w.pdf")
    pages, text = pdf_text(out)
    assert pages == 1
    import re

    page = text.split("Every one was read.", 1)[1].split("Seen the same?")[0]
    page = page.replace("You said, we did", "")  # the heading, not a sentence
    assert not re.search(r"\b(you|your)\b", page, re.I), page
    assert text.count("Allergies not recorded on the chart at admission") == 1
    assert "Reported 3 times" in text
    assert "No good catch was reported" not in text
    assert "Shared at the huddle on" in text or "Shared with the team on" in text
    assert text.count("An action was agreed") + text.count("Action agreed") == 1
    assert "owned by a preceptor, due" in text
    assert text.count("Pressure areas not checked at admission. Reported 2 times.") == 1
    assert text.count("Pressure areas not checked") == 1


def test_you_said_we_did_speaks_to_the_unit_not_to_the_reporter(team: Team) -> None:
    """The board and the weekly report read these lines to everyone: a step's sentence
    written to its reporter ("What you reported…") is told in the unit's voice."""
    from hrohuddle.services import journey

    db = team.db
    event_id = report(db, team["staff"], "near_miss", "Tubing ran out on the late shift")
    summarise(db, event_id, "Giving sets ran out on the late shift")
    journey.record_step(db, team["manager"], event_id, "system_change")  # the default sentence
    today = dt.date.today()
    (line,) = bulletin.you_said_we_did(db, team.admin.unit_id, today, today + dt.timedelta(1))
    assert line.said == "Giving sets ran out on the late shift."
    assert not re.search(r"\byour?\b", line.did, re.IGNORECASE), line.did
    assert line.did.startswith("A lasting change")


def test_a_line_of_several_reports_quotes_none_and_names_read_as_a_sentence() -> None:
    """A thank-you to one reporter beside another's words would read as theirs."""
    from hrohuddle.services.bulletin import _and

    assert _and(["Dev Silva"]) == "Dev Silva"
    assert _and(["Dev Silva", "Mei Lin"]) == "Dev Silva and Mei Lin"
    assert _and(["Dev Silva", "Mei Lin", "Tara Silva"]) == "Dev Silva, Mei Lin and Tara Silva"


def test_two_catches_on_one_line_quote_neither(team: Team) -> None:
    db = team.db
    quoted = report(
        db, team["staff"], "good_catch", "Pump rate caught at ten times", words=True, named=True
    )
    other = report(db, team["learner"], "good_catch", "Pump rate caught again", named=True)
    for event_id in (quoted, other):
        summarise(db, event_id, "Pump rates caught at the second check")
    b = bulletin.build(db, team["manager"], dt.date.today())
    (line,) = [g for g in b.good_catches if g.event_id in (quoted, other)]
    assert "Reported 2 times" in line.text
    assert line.quote is None
