"""Who may do what. Checked in every service, whatever the UI shows."""

from __future__ import annotations

from dataclasses import dataclass

ROLES: tuple[str, ...] = ("learner", "staff", "preceptor", "charge_nurse", "manager", "admin")

_ALL = frozenset(ROLES)
_CLINICAL_LEADS = frozenset({"charge_nurse", "manager"})

#: action -> roles allowed. A person with several roles may do what any of them may.
PERMISSIONS: dict[str, frozenset[str]] = {
    "event.report": _ALL,
    "event.view_own": _ALL,
    "event.triage": _CLINICAL_LEADS,
    "event.view_all": _CLINICAL_LEADS,
    "huddle.view": _ALL,
    "huddle.contribute": _ALL,
    "huddle.run": _CLINICAL_LEADS,
    "action.manage": _CLINICAL_LEADS,
    "checklist.observe": frozenset({"staff", "preceptor", "charge_nurse", "manager"}),
    "checklist.edit_templates": frozenset({"manager", "admin"}),
    "observation.log": frozenset({"preceptor"}),
    "observation.view_all": frozenset({"manager"}),
    "preceptor.assign": frozenset({"manager", "admin"}),
    "pulse.results": frozenset({"manager"}),
    "report.view": _CLINICAL_LEADS,
    "census.edit": frozenset({"manager", "admin"}),
    "export.data": frozenset({"manager", "admin"}),
    "people.manage": frozenset({"admin"}),
    "unit.configure": frozenset({"admin"}),
    "audit.view": frozenset({"manager", "admin"}),
    "backup.manage": frozenset({"admin"}),
}

ACTION_WORDS: dict[str, str] = {
    "event.triage": "review safety reports",
    "event.view_all": "see every safety report",
    "huddle.run": "run the huddle",
    "action.manage": "change actions",
    "checklist.observe": "record behaviour observations",
    "checklist.edit_templates": "edit checklist templates",
    "observation.log": "log learner observations",
    "observation.view_all": "see every learner's observations",
    "preceptor.assign": "pair preceptors with learners",
    "pulse.results": "see pulse results",
    "report.view": "see the dashboard and reports",
    "census.edit": "enter the weekly census",
    "export.data": "export data",
    "people.manage": "manage people and roles",
    "unit.configure": "change the unit's settings",
    "audit.view": "read the audit log",
    "backup.manage": "back up and restore the database",
}


@dataclass(frozen=True)
class Actor:
    """The signed-in person, as the services see them."""

    person_id: int
    unit_id: int
    display_name: str
    profession: str
    is_learner: bool
    roles: frozenset[str]
    #: The open sign-in session this Actor stands for; None only for the command line.
    session_id: int | None = None

    def can(self, action: str) -> bool:
        return bool(self.roles & PERMISSIONS[action])


def allowed(roles: frozenset[str], action: str) -> bool:
    return bool(roles & PERMISSIONS[action])


def command_line_actor(unit_id: int, label: str, roles: frozenset[str]) -> Actor:
    """Who the command line acts as: no person (id 0), named for the audit log."""
    return Actor(0, unit_id, label, "", False, roles)
