"""HRO behaviour checklists: versioned templates, observation sessions, reliability.

Over 600 lines because templates, observation sessions and reliability all turn on the same
versioned template rows, where a version in use is never changed.

Templates come from resources/checklists/*.yaml and are copied into the database
(key, version). An observation keeps the exact version it used; changing a version
that is in use makes a new version instead, and a version in use cannot be removed.
Rating templates follow the TPOT 2.0 convention: 1 (very poor) to 5 (excellent),
with a comment required for a rating of 1 or 2.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hrohuddle.paths import open_private, resources_dir
from hrohuddle.services import audit, validation
from hrohuddle.services.dates import local_date
from hrohuddle.services.errors import (
    NotFound,
    PermissionDenied,
    ResourceFileError,
    ValidationError,
)
from hrohuddle.services.permissions import Actor
from hrohuddle.services.vocabulary import load_yaml, unit_vocabulary
from hrohuddle.store.database import Database
from hrohuddle.store.models import (
    ChecklistItem,
    ChecklistResponse,
    ChecklistSession,
    ChecklistTemplate,
    Unit,
    utcnow,
)
from hrohuddle.wording import count

RESULTS = ("observed", "missed", "na")
RATING_MIN, RATING_MAX, COMMENT_AT_OR_BELOW = 1, 5, 2
IPEC = ("VE", "RR", "C", "TT")


@dataclass
class ItemSpec:
    code: str
    text: str
    domain: str | None = None
    hro_principle: str | None = None
    ipec: str | None = None
    overall: bool = False


@dataclass
class TemplateSpec:
    key: str
    version: int
    title: str
    response_kind: str
    sources: list[str]
    items: list[ItemSpec]


@dataclass(frozen=True)
class TemplateRow:
    id: int
    key: str
    version: int
    title: str
    response_kind: str
    status: str
    sessions: int
    sources: list[str]


@dataclass(frozen=True)
class ResponseRow:
    item_id: int
    code: str
    text: str
    domain: str | None
    hro_principle: str | None
    ipec: str | None
    overall: bool
    result: str | None
    rating: int | None
    note: str | None


@dataclass
class SessionView:
    id: int
    template: TemplateRow
    context: str
    observed: str | None
    started_at: dt.datetime
    completed_at: dt.datetime | None
    overall_note: str | None
    responses: list[ResponseRow] = field(default_factory=list)


def _check_items(items: list[ItemSpec], where: str) -> None:
    principles = set(unit_vocabulary().keys("hro_principles"))
    codes = [i.code for i in items]
    if not items:
        raise ValidationError(f"{where} has no behaviours.")
    if len(set(codes)) != len(codes):
        raise ValidationError(f"{where} uses a behaviour code twice.")
    for i in items:
        if not i.code.strip() or not i.text.strip():
            raise ValidationError(f"{where}: every behaviour needs a code and a text.")
        if i.hro_principle and i.hro_principle not in principles:
            raise ValidationError(f"{where}: “{i.hro_principle}” is not an HRO principle.")
        if i.ipec and i.ipec not in IPEC:
            raise ValidationError(f"{where}: “{i.ipec}” is not an IPEC competency (VE, RR, C, TT).")
        if not i.overall and not i.hro_principle:
            raise ValidationError(f"{where}: behaviour {i.code} needs an HRO principle.")


def parse_template(path: Path) -> TemplateSpec:
    """Read a template file; any problem names the file (and the line, for YAML errors)."""
    data = load_yaml(path)
    try:
        items = [
            ItemSpec(
                str(i["code"]),
                str(i["text"]),
                i.get("domain"),
                i.get("hro_principle"),
                i.get("ipec"),
                bool(i.get("overall", False)),
            )
            for i in data["items"]
        ]
        spec = TemplateSpec(
            str(data["key"]),
            int(data["version"]),
            str(data["title"]),
            str(data["response_kind"]),
            [str(s) for s in data.get("sources", [])],
            items,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ResourceFileError(
            f"The checklist file {path.name} is missing or has a bad value for {exc}."
        ) from exc
    if spec.response_kind not in ("observed", "rating"):
        raise ResourceFileError(
            f"The checklist file {path.name}: response_kind must be observed or rating."
        )
    try:
        _check_items(items, f"The checklist file {path.name}")
    except ValidationError as exc:
        raise ResourceFileError(exc.message) from exc
    return spec


def sync_templates(db: Database, folder: Path | None = None, *, unit_id: int | None = None) -> int:
    """Give the unit (or every unit) its own copy of each bundled template it lacks.

    A unit's templates are its own: one unit's manager editing or retiring a
    checklist changes nothing for another unit on the same server.
    """
    folder = folder or resources_dir() / "checklists"
    specs = [parse_template(p) for p in sorted(folder.glob("*.yaml"))]
    added = 0
    with db.write() as s:
        units = (
            [unit_id] if unit_id is not None else list(s.scalars(select(Unit.id).order_by(Unit.id)))
        )
        have = set(
            s.execute(
                select(
                    ChecklistTemplate.unit_id, ChecklistTemplate.key, ChecklistTemplate.version
                ).where(ChecklistTemplate.unit_id.in_(units))
            ).all()
        )
        for unit in units:
            for spec in specs:
                if (unit, spec.key, spec.version) in have:
                    continue
                _insert(s, unit, spec)
                added += 1
    return added


def _unit_template(s: Session, actor: Actor, template_id: int) -> ChecklistTemplate:
    tpl = s.get(ChecklistTemplate, template_id)
    if tpl is None or tpl.unit_id != actor.unit_id:
        raise NotFound("That checklist is not one of this unit's.")
    return tpl


def _insert(s: Session, unit_id: int, spec: TemplateSpec) -> ChecklistTemplate:
    tpl = ChecklistTemplate(
        unit_id=unit_id,
        key=spec.key,
        version=spec.version,
        title=spec.title,
        response_kind=spec.response_kind,
        sources=spec.sources,
        status="active",
    )
    s.add(tpl)
    s.flush()
    for pos, i in enumerate(spec.items):
        s.add(
            ChecklistItem(
                template_id=tpl.id,
                position=pos,
                code=i.code,
                text=i.text,
                domain=i.domain,
                hro_principle=i.hro_principle,
                ipec_competency=i.ipec,
                is_overall=i.overall,
            )
        )
    return tpl


def templates(db: Database, unit_id: int, *, include_retired: bool = False) -> list[TemplateRow]:
    """Every template version of the unit, newest version of each key first."""
    with db.read() as s:
        counts = dict(
            s.execute(
                select(ChecklistSession.template_id, func.count()).group_by(
                    ChecklistSession.template_id
                )
            ).all()
        )
        q = (
            select(ChecklistTemplate)
            .where(ChecklistTemplate.unit_id == unit_id)
            .order_by(ChecklistTemplate.key, ChecklistTemplate.version.desc())
        )
        rows = [
            TemplateRow(
                t.id,
                t.key,
                t.version,
                t.title,
                t.response_kind,
                t.status,
                int(counts.get(t.id, 0)),
                list(t.sources or []),
            )
            for t in s.scalars(q)
        ]
    return [r for r in rows if include_retired or r.status != "retired"]


def items(db: Database, template_id: int) -> list[ItemSpec]:
    with db.read() as s:
        return [
            ItemSpec(i.code, i.text, i.domain, i.hro_principle, i.ipec_competency, i.is_overall)
            for i in s.scalars(
                select(ChecklistItem)
                .where(ChecklistItem.template_id == template_id)
                .order_by(ChecklistItem.position)
            )
        ]


@audit.requires("checklist.edit_templates")
def save_version(
    db: Database,
    actor: Actor,
    template_id: int,
    new_items: list[ItemSpec],
    title: str | None = None,
) -> int:
    """Save an edited copy of a template as its next version; returns the new id.

    Earlier versions stay as they were, so observations keep the wording they used.
    """
    _check_items(new_items, "This checklist")
    with db.write() as s:
        base = _unit_template(s, actor, template_id)
        latest = (
            s.scalar(
                select(func.max(ChecklistTemplate.version)).where(
                    ChecklistTemplate.unit_id == base.unit_id, ChecklistTemplate.key == base.key
                )
            )
            or base.version
        )
        clean_title = validation.text(title or base.title, "The title", field="title", max_len=200)
        assert clean_title is not None
        tpl = _insert(
            s,
            base.unit_id,
            TemplateSpec(
                base.key,
                int(latest) + 1,
                clean_title,
                base.response_kind,
                list(base.sources or []),
                new_items,
            ),
        )
        audit.record(
            s,
            "checklist.version_saved",
            actor=actor,
            target=f"checklist:{tpl.id}",
            detail={"key": base.key, "version": tpl.version, "from": base.version},
        )
        return tpl.id


@audit.requires("checklist.edit_templates")
def remove_version(db: Database, actor: Actor, template_id: int) -> None:
    """Remove an unused version; a version with observations is retired instead of lost."""
    with db.write() as s:
        tpl = _unit_template(s, actor, template_id)
        used = s.scalar(select(func.count()).where(ChecklistSession.template_id == tpl.id))
        if used:
            raise ValidationError(
                f"Version {tpl.version} of “{tpl.title}” has {count(used, 'observation')}, so it "
                "cannot be removed. It stays readable; retire it so it is no longer offered."
            )
        s.delete(tpl)
        audit.record(
            s,
            "checklist.version_removed",
            actor=actor,
            detail={"key": tpl.key, "version": tpl.version},
        )


@audit.requires("checklist.edit_templates")
def retire_version(db: Database, actor: Actor, template_id: int) -> None:
    with db.write() as s:
        tpl = _unit_template(s, actor, template_id)
        tpl.status = "retired"
        audit.record(
            s,
            "checklist.version_retired",
            actor=actor,
            detail={"key": tpl.key, "version": tpl.version},
        )


# -- observation sessions ----------------------------------------------------------------
@audit.requires("checklist.observe")
def start_session(
    db: Database, actor: Actor, template_id: int, context: str, observed: str | None = None
) -> int:
    from hrohuddle.services.observations import settings as observation_settings

    contexts = [key for key, _label in observation_settings(checklists=True)]
    validation.choice(
        context, contexts, "what was observed (huddle, handoff, ...)", field="context"
    )
    who = validation.text(
        observed,
        "The team or person observed",
        field="observed",
        max_len=120,
        required=False,
        check_identifiers=True,
    )
    with db.write() as s:
        tpl = _unit_template(s, actor, template_id)
        if tpl.status == "retired":
            raise ValidationError("That checklist is not offered any more.")
        session = ChecklistSession(
            unit_id=actor.unit_id,
            template_id=tpl.id,
            observer_id=actor.person_id,
            context=context,
            observed=who,
        )
        s.add(session)
        s.flush()
        return session.id


def _own_session(s: Session, actor: Actor, session_id: int) -> ChecklistSession:
    session = s.get(ChecklistSession, session_id)
    if session is None or session.unit_id != actor.unit_id:
        raise NotFound("That observation is not on this unit.")
    if session.observer_id != actor.person_id:
        raise ValidationError("Only the observer can change this observation.")
    return session


@audit.requires("checklist.observe")
def record(
    db: Database,
    actor: Actor,
    session_id: int,
    item_id: int,
    *,
    result: str | None = None,
    rating: int | None = None,
    note: str | None = None,
) -> None:
    """Save one behaviour's answer at once (autosave); the note is checked for identifiers."""
    clean_note = validation.text(
        note, "The note", field="note", max_len=1000, required=False, check_identifiers=True
    )
    with db.write() as s:
        session = _own_session(s, actor, session_id)
        if session.completed_at is not None:
            raise ValidationError("This observation is finished; start a new one.")
        tpl = s.get(ChecklistTemplate, session.template_id)
        item = s.get(ChecklistItem, item_id)
        if tpl is None or item is None or item.template_id != tpl.id:
            raise NotFound("That behaviour is not on this checklist.")
        if tpl.response_kind == "observed":
            if result is not None:
                validation.choice(
                    result, list(RESULTS), "observed, missed or not applicable", field="result"
                )
            rating = None
        else:
            result = None
            if rating is not None and not RATING_MIN <= rating <= RATING_MAX:
                raise ValidationError(f"Ratings are from {RATING_MIN} to {RATING_MAX}.", "rating")
        row = s.scalar(
            select(ChecklistResponse).where(
                ChecklistResponse.session_id == session_id, ChecklistResponse.item_id == item_id
            )
        )
        if row is None:
            row = ChecklistResponse(session_id=session_id, item_id=item_id)
            s.add(row)
        row.result, row.rating, row.note = result, rating, clean_note


@audit.requires("checklist.observe")
def finish(db: Database, actor: Actor, session_id: int, overall_note: str | None = None) -> None:
    """Finish an observation; a rating of 1 or 2 without its comment is refused."""
    clean = validation.text(
        overall_note,
        "The overall note",
        field="overall_note",
        max_len=2000,
        required=False,
        check_identifiers=True,
    )
    view = session_view(db, actor, session_id)
    if view.template.response_kind == "rating":
        missing = [
            f"“{r.text}”"
            for r in view.responses
            if r.rating is not None and r.rating <= COMMENT_AT_OR_BELOW and not r.note
        ]
        if missing:
            raise ValidationError(
                f"A rating of {COMMENT_AT_OR_BELOW} or lower needs a comment saying what was "
                f"seen: {'; '.join(missing)}.",
                "note",
            )
    if not any(r.result or r.rating for r in view.responses):
        raise ValidationError("Nothing was recorded yet: mark at least one behaviour.")
    with db.write() as s:
        session = _own_session(s, actor, session_id)
        session.completed_at = utcnow()
        session.overall_note = clean


@audit.requires(None)
def session_view(db: Database, actor: Actor, session_id: int) -> SessionView:
    """One observation session with its answers and notes: for its observer, or for
    those who read the unit's reports (their notes may name colleagues)."""
    with db.read() as s:
        session = s.get(ChecklistSession, session_id)
        if session is None or session.unit_id != actor.unit_id:
            raise NotFound("That observation is not on this unit.")
        if session.observer_id != actor.person_id and not actor.can("report.view"):
            raise PermissionDenied(
                "You may see only the observations you recorded.", action="report.view"
            )
        tpl = s.get(ChecklistTemplate, session.template_id)
        assert tpl is not None
        answers = {
            r.item_id: r
            for r in s.scalars(
                select(ChecklistResponse).where(ChecklistResponse.session_id == session_id)
            )
        }
        rows = []
        for i in s.scalars(
            select(ChecklistItem)
            .where(ChecklistItem.template_id == tpl.id)
            .order_by(ChecklistItem.position)
        ):
            a = answers.get(i.id)
            rows.append(
                ResponseRow(
                    i.id,
                    i.code,
                    i.text,
                    i.domain,
                    i.hro_principle,
                    i.ipec_competency,
                    i.is_overall,
                    a.result if a else None,
                    a.rating if a else None,
                    a.note if a else None,
                )
            )
        used = s.scalar(select(func.count()).where(ChecklistSession.template_id == tpl.id)) or 0
        return SessionView(
            session.id,
            TemplateRow(
                tpl.id,
                tpl.key,
                tpl.version,
                tpl.title,
                tpl.response_kind,
                tpl.status,
                int(used),
                list(tpl.sources or []),
            ),
            session.context,
            session.observed,
            session.started_at,
            session.completed_at,
            session.overall_note,
            rows,
        )


@audit.requires(None)
def open_session(db: Database, actor: Actor) -> int | None:
    """The actor's unfinished observation, to carry on after a crash or a lock."""
    with db.read() as s:
        return s.scalar(
            select(ChecklistSession.id)
            .where(
                ChecklistSession.observer_id == actor.person_id,
                ChecklistSession.completed_at.is_(None),
            )
            .order_by(ChecklistSession.id.desc())
        )


# -- reliability -------------------------------------------------------------------------
#: On a rating template (TPOT), a rating at or above this counts as done well.
DONE_WELL_AT_OR_ABOVE = 4


@dataclass(frozen=True)
class Reliability:
    label: str
    observed: int
    opportunities: int
    key: str = ""

    @property
    def share(self) -> float | None:
        return self.observed / self.opportunities if self.opportunities else None


@dataclass(frozen=True)
class ReliabilityTrend:
    """One behaviour or principle week by week: done / opportunities (0/0: no data)."""

    key: str
    label: str
    weeks: list[str]
    mondays: list[dt.date]
    observed: list[int]
    opportunities: list[int]


def _check_reliability_reader(actor: Actor) -> None:
    # Everyone who observes sees what the unit's observations add up to, as do managers.
    if not (actor.can("checklist.observe") or actor.can("report.view")):
        audit.require(actor, "report.view")


def _reliability_rows(
    s: Session,
    actor: Actor,
    since: dt.date,
    until: dt.date,
    by: str,
    template_key: str | None,
) -> list[tuple[dt.datetime, str, bool]]:
    group_col: Any = ChecklistItem.code if by == "behaviour" else ChecklistItem.hro_principle
    start = dt.datetime.combine(since, dt.time())
    end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time())
    q = (
        select(
            ChecklistSession.started_at,
            group_col,
            ChecklistResponse.result,
            ChecklistResponse.rating,
        )
        .join(ChecklistItem, ChecklistItem.id == ChecklistResponse.item_id)
        .join(ChecklistSession, ChecklistSession.id == ChecklistResponse.session_id)
        .join(ChecklistTemplate, ChecklistTemplate.id == ChecklistSession.template_id)
        .where(
            ChecklistSession.unit_id == actor.unit_id,
            ChecklistSession.started_at >= start,
            ChecklistSession.started_at < end,
            ChecklistSession.completed_at.is_not(None),
            ChecklistResponse.result.in_(["observed", "missed"])
            | ChecklistResponse.rating.is_not(None),
            group_col.is_not(None),
        )
    )
    if template_key:
        q = q.where(ChecklistTemplate.key == template_key)
    out = []
    for started, key, result, rating in s.execute(q):
        done = result == "observed" if rating is None else rating >= DONE_WELL_AT_OR_ABOVE
        out.append((started, str(key), done))
    return out


def _labels(s: Session, by: str) -> dict[str, str]:
    if by == "behaviour":
        return {
            str(c): str(t) for c, t in s.execute(select(ChecklistItem.code, ChecklistItem.text))
        }
    return unit_vocabulary().labels_by_key("hro_principles")


@audit.requires(None)
def reliability(
    db: Database,
    actor: Actor,
    since: dt.date,
    until: dt.date,
    by: str = "behaviour",
    template_key: str | None = None,
) -> list[Reliability]:
    """Done among applicable opportunities, per behaviour or principle, over finished
    observations: observed among observed + missed (not applicable left out); on a
    rating template, a rating of 4 or 5 among all ratings.

    Behaviours are grouped by code, across template versions; ``template_key`` keeps
    one template. For everyone who observes, and for managers.
    """
    _check_reliability_reader(actor)
    with db.read() as s:
        rows = _reliability_rows(s, actor, since, until, by, template_key)
        names = _labels(s, by)
    tallies: dict[str, list[int]] = {}
    for _started, key, done in rows:
        t = tallies.setdefault(key, [0, 0])
        t[1] += 1
        t[0] += int(done)
    return [
        Reliability(names.get(key, key), ok, total, key)
        for key, (ok, total) in sorted(tallies.items())
    ]


@audit.requires(None)
def reliability_trend(
    db: Database,
    actor: Actor,
    since: dt.date,
    until: dt.date,
    by: str = "behaviour",
    template_key: str | None = None,
) -> list[ReliabilityTrend]:
    """``reliability`` week by week (ISO weeks, local time), for a p-chart per behaviour
    or principle. The weeks begin at the first week with an observation in the period,
    never before; a week without one has 0 opportunities (a gap, not a zero)."""
    from hrohuddle.services.reporting import Week

    _check_reliability_reader(actor)
    with db.read() as s:
        rows = _reliability_rows(s, actor, since, until, by, template_key)
        names = _labels(s, by)
    if not rows:
        return []

    def week_of(started: dt.datetime) -> Week:
        return Week.of(local_date(started))

    first = min((week_of(r[0]) for r in rows), key=lambda wk: wk.monday)
    last = Week.of(until)
    weeks: list[Week] = []
    w = first
    while w.monday <= last.monday:
        weeks.append(w)
        w = w.shifted(1)
    index = {wk.label: i for i, wk in enumerate(weeks)}
    tallies: dict[str, tuple[list[int], list[int]]] = {}
    for started, key, done in rows:
        i = index.get(week_of(started).label)
        if i is None:
            continue
        ok, total = tallies.setdefault(key, ([0] * len(weeks), [0] * len(weeks)))
        total[i] += 1
        ok[i] += int(done)
    return [
        ReliabilityTrend(
            key,
            names.get(key, key),
            [wk.label for wk in weeks],
            [wk.monday for wk in weeks],
            ok,
            total,
        )
        for key, (ok, total) in sorted(tallies.items(), key=lambda kv: names.get(kv[0], kv[0]))
    ]


@audit.requires(None)
def export_reliability(
    db: Database,
    actor: Actor,
    path: Path,
    since: dt.date,
    until: dt.date,
    by: str = "behaviour",
    template_key: str | None = None,
) -> int:
    """Write the weekly reliability (one row per behaviour or principle and week with
    data) to a CSV file, owner-only; the export is audited. Returns the rows written."""
    import csv

    trends = reliability_trend(db, actor, since, until, by, template_key)
    n = 0
    with open_private(path, newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow([by, "label", "iso_week", "week_starting", "done", "opportunities"])
        for tr in trends:
            for week, monday, ok, total in zip(
                tr.weeks, tr.mondays, tr.observed, tr.opportunities, strict=True
            ):
                if total:
                    out.writerow([tr.key, tr.label, week, monday.isoformat(), ok, total])
                    n += 1
    with db.write() as s:
        audit.record(
            s,
            "export.checklist_reliability",
            actor=actor,
            detail={
                "rows": n,
                "by": by,
                "template": template_key,
                "since": since.isoformat(),
                "until": until.isoformat(),
            },
        )
    return n


@audit.requires("checklist.observe")
def discard(db: Database, actor: Actor, session_id: int) -> None:
    """Throw away the actor's own unfinished observation and its answers."""
    with db.write() as s:
        session = _own_session(s, actor, session_id)
        if session.completed_at is not None:
            raise ValidationError("This observation is finished; it cannot be discarded.")
        for row in s.scalars(
            select(ChecklistResponse).where(ChecklistResponse.session_id == session_id)
        ):
            s.delete(row)
        s.delete(session)
        audit.record(s, "checklist.discarded", actor=actor, target=f"session:{session_id}")
