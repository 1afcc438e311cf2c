"""The unit, its people and the audit chain: all that the sign-in screen needs.

Declared apart from the workflows' models (``hrohuddle.store.models``, which
re-exports these) so that the app reaches its sign-in screen without declaring
tables it does not read there. Annotations are evaluated when each class is
defined (no ``from __future__ import annotations``): SQLAlchemy then reads real
types instead of parsing strings, which makes declaring them quicker.
"""

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def day_of(value: dt.datetime) -> dt.datetime:
    """Midnight (UTC) of the day ``value`` falls on."""
    return value.replace(hour=0, minute=0, second=0, microsecond=0)


class DayOnly(TypeDecorator[dt.datetime]):
    """A time stored to its day: what a sign-in session keeps (THREAT_MODEL.md).

    Joined with the shift an anonymous report was filed in, the minute someone
    signed in would name who was on that shift; the day says only who worked that
    day. Whether a session is locked or ended is what the re-checks read, and that
    is kept exactly.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        return None if value is None else day_of(value)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class AppMeta(Base):
    """Key/value facts about the database itself (which application made it)."""

    __tablename__ = "app_meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Tier(Base):
    """A tier above the units on a shared server: a department (2) or the hospital (3).

    Each tier holds its own huddle, at its own time, led by its own role (revision 0010).
    A single workstation on SQLite has none: its unit is the only tier.
    """

    __tablename__ = "tiers"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    level: Mapped[int] = mapped_column(Integer)  # 2 department | 3 hospital
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("tiers.id"))
    huddle_time: Mapped[str] = mapped_column(String(5), default="09:00")
    # The days it meets, ISO weekdays (1 Monday .. 7 Sunday): Monday to Friday unless set.
    huddle_days: Mapped[list[Any]] = mapped_column(default=lambda: [1, 2, 3, 4, 5])
    huddle_target_minutes: Mapped[int] = mapped_column(Integer, default=15)
    # department_lead | duty_manager | executive_on_call (resources/tiers.yaml words them)
    leader_role: Mapped[str] = mapped_column(String(30))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")


class Unit(Base):
    __tablename__ = "units"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    huddle_target_minutes: Mapped[int] = mapped_column(Integer, default=15)
    idle_lock_minutes: Mapped[int] = mapped_column(Integer, default=5)
    min_group_size: Mapped[int] = mapped_column(Integer, default=5)
    pulse_milestones: Mapped[list[Any]] = mapped_column(default=lambda: [7, 30, 60, 90])
    areas: Mapped[list[Any]] = mapped_column(default=list)
    day_shift_start: Mapped[str] = mapped_column(String(5), default="07:00")
    night_shift_start: Mapped[str] = mapped_column(String(5), default="19:00")
    # The reviewers' target: the share of reports whose reporter hears back within 7 days.
    feedback_target_pct: Mapped[int] = mapped_column(Integer, default=90, server_default="90")
    # The department (tier 2) the unit belongs to on a shared server; None on its own.
    tier_id: Mapped[int | None] = mapped_column(ForeignKey("tiers.id"))
    # Bumped by each settings save (not by anything else), to refuse a second, stale save.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")


class Person(Base):
    __tablename__ = "people"
    __table_args__ = (UniqueConstraint("unit_id", "display_name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    display_name: Mapped[str] = mapped_column(String(80))
    profession: Mapped[str] = mapped_column(String(40))
    is_learner: Mapped[bool] = mapped_column(Boolean, default=False)
    programme: Mapped[str | None] = mapped_column(String(120))
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    pin_hash: Mapped[str | None] = mapped_column(String(200))
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    # Bumped by each admin edit (not by sign-ins), to refuse a second, stale save.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    roles: Mapped[list["PersonRole"]] = relationship(cascade="all, delete-orphan", lazy="selectin")


class PersonRole(Base):
    __tablename__ = "person_roles"
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(20), primary_key=True)


class SignInSession(Base):
    """One person signed in at one workstation, until sign-out or an admin's change.

    Every service call checks that the session is still open, that the person is
    still active and what roles they hold now; a locked screen pauses the session
    (``locked_at``) until the same person types their PIN again. Times are kept to the
    day (``DayOnly``), and a session is deleted the day after it ended
    (services.anonymity.forget_ended_sessions).
    """

    __tablename__ = "sign_in_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    workstation: Mapped[str | None] = mapped_column(String(120))
    started_at: Mapped[dt.datetime] = mapped_column(DayOnly, default=utcnow)
    locked_at: Mapped[dt.datetime | None] = mapped_column(DayOnly)
    ended_at: Mapped[dt.datetime | None] = mapped_column(DayOnly)
    ended_because: Mapped[str | None] = mapped_column(String(60))


class AuditEntry(Base):
    """Append-only, each entry chained to the one before by a hash."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    action: Mapped[str] = mapped_column(String(60))
    target: Mapped[str | None] = mapped_column(String(120))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """One row naming the last audit hash; locked while an entry is appended."""

    __tablename__ = "audit_head"
    id: Mapped[int] = mapped_column(primary_key=True)
    last_hash: Mapped[str] = mapped_column(String(64))
    last_id: Mapped[int] = mapped_column(Integer, default=0)
