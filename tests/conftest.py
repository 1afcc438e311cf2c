"""Shared fixtures: a throw-away data folder and a real database (SQLite or PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from fixtures.templates import (
    DemoFolders,
    PostgresTemplate,
    SqliteTemplates,
    nothing,
)

from hrohuddle.paths import DataPaths
from hrohuddle.services import people, signin
from hrohuddle.services.permissions import Actor
from hrohuddle.store.database import Database
from hrohuddle.store.opening import open_database

PG_URL = os.environ.get("HROHUDDLE_TEST_POSTGRES_URL")


@pytest.fixture(autouse=True, scope="session")
def _cheap_pin_hashing() -> Iterator[None]:
    """Argon2id with the smallest cost inside this test process.

    Production hashes cost 64 MiB and three passes, about a second of a core for the
    six people of a test unit; the tests check what sign-in does, not how slow it is,
    so they hash with argon2id at its minimum cost. Processes started by tests (the
    app, the command line, demo data) keep the production settings.
    """
    from argon2 import PasswordHasher, Type

    cheap = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1, type=Type.ID)
    original = signin._hasher
    signin._hasher = lambda: cheap  # type: ignore[assignment]
    try:
        yield
    finally:
        signin._hasher = original


REQUIRE_PG = os.environ.get("HROHUDDLE_REQUIRE_POSTGRES") == "1"


class _ProjectWarnings:
    """Warnings and errors the project's own loggers emit while a test runs."""

    def __init__(self) -> None:
        import logging

        self.records: list[logging.LogRecord] = []
        self.handler = logging.Handler(logging.WARNING)
        self.handler.emit = self.records.append  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def _no_unexpected_project_warning(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail a test in which HRO Huddle's own code logs a warning nobody expected.

    A test that provokes a warning on purpose says so with ``@pytest.mark.logs_warnings``
    (and checks the message with caplog); any other warning is a defect showing itself.
    """
    import logging

    logger = logging.getLogger("hrohuddle")
    seen = _ProjectWarnings()
    logger.addHandler(seen.handler)
    try:
        yield
    finally:
        logger.removeHandler(seen.handler)
    if seen.records and request.node.get_closest_marker("logs_warnings") is None:
        lines = [f"{r.name}: {r.getMessage()}" for r in seen.records[:5]]
        pytest.fail("the project logged unexpected warnings:\n  " + "\n  ".join(lines))


@pytest.fixture(autouse=True)
def _no_connection_left_to_the_collector(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail the test that leaves a database connection for the garbage collector.

    A connection nobody closed is closed by the collector whenever it next runs, which
    is usually inside a later test; Python 3.13 then warns there. Collecting as each
    test ends puts the failure on the test (or the screen it drove) that leaked.

    What survives the collection is frozen (``gc.freeze``): the modules, Qt and the
    session's templates are then never traced again, so each test's collection looks
    only at the objects made since the last one ended (a whole-heap collection took
    about half a second per test).
    """
    yield
    import gc
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        gc.collect()
    gc.freeze()
    leaked = [str(w.message) for w in caught if "unclosed database" in str(w.message)]
    if leaked:
        pytest.fail(f"left {len(leaked)} database connection(s) to the garbage collector")


# The longest a test that reads the clock is expected to take: it never starts closer
# than this to midnight, so "today" in the test and "today" in the services agree.
MIDNIGHT_MARGIN_S = 90.0


@dataclass(frozen=True)
class Clock:
    """The local wall-clock time a test works from, read once as the test starts."""

    now: dt.datetime

    @property
    def today(self) -> dt.date:
        return self.now.date()


def read_clock(
    now: Callable[[], dt.datetime] = dt.datetime.now,
    sleep: Callable[[float], object] = time.sleep,
    margin_s: float = MIDNIGHT_MARGIN_S,
) -> Clock:
    """Now, unless midnight is less than ``margin_s`` away: then just after midnight."""
    start = now()
    midnight = dt.datetime.combine(start.date() + dt.timedelta(days=1), dt.time())
    left = (midnight - start).total_seconds()
    if left < margin_s:
        sleep(left + 0.5)
        start = now()
    return Clock(start.replace(microsecond=0))


@pytest.fixture
def clock() -> Clock:
    """Today and now for a test that compares dates with what the services store.

    Read when the test starts, never when its module loads (a run can cross midnight),
    and a test about to straddle midnight waits for the new day first.
    """
    return read_clock()


@pytest.fixture
def data_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> DataPaths:
    """A private data folder, so no test touches the user's real data."""
    monkeypatch.setenv("HROHUDDLE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("HROHUDDLE_DATABASE_URL", raising=False)
    paths = DataPaths.default()
    paths.ensure()
    return paths


@pytest.fixture
def sqlite_url(data_paths: DataPaths) -> str:
    return f"sqlite:///{data_paths.database_file}"


@pytest.fixture(scope="session")
def _sqlite_templates(tmp_path_factory: pytest.TempPathFactory) -> SqliteTemplates:
    """Migrated (and demo) SQLite databases made once in this session, copied per test."""
    return SqliteTemplates(tmp_path_factory.mktemp("templates"))


@pytest.fixture(scope="session")
def _pg_template() -> Iterator[PostgresTemplate | None]:
    """A migrated PostgreSQL template database, made when a test first needs one."""
    if not PG_URL:
        yield None
        return
    template = PostgresTemplate(PG_URL)
    try:
        yield template
    finally:
        template.close()


def _pg_server(template: PostgresTemplate | None) -> PostgresTemplate:
    if template is None:
        if REQUIRE_PG:
            pytest.fail("HROHUDDLE_REQUIRE_POSTGRES=1 but HROHUDDLE_TEST_POSTGRES_URL is not set")
        pytest.skip("no PostgreSQL server (set HROHUDDLE_TEST_POSTGRES_URL)")
    return template


@pytest.fixture
def pg_url(_pg_template: PostgresTemplate | None) -> Iterator[str]:
    """A new, empty PostgreSQL database of its own, dropped when the test ends."""
    yield from _pg_server(_pg_template).empty_database()


def _sqlite_copy(
    request: pytest.FixtureRequest,
    templates: SqliteTemplates,
    data_paths: DataPaths,
    team_fixture: str,
) -> Database:
    """A private copy of a template in the test's data folder, opened as ``open_database``
    opens it (integrity check, schema check, nothing to migrate).

    The template is the migrated, empty database; for a test that asks for
    ``team_fixture`` too, it is the migrated database with the team on it (made on
    this day), and the fixture hands out the team's signed-in people.
    """
    if team_fixture not in request.fixturenames:
        db, _ = templates.open_copy(
            "migrated", nothing, data_paths.database_file, data_paths.backup_dir
        )
        return db
    db, made = templates.open_copy(
        ("team", dt.date.today()), Team, data_paths.database_file, data_paths.backup_dir
    )
    request.node.stash[_TEAM] = Team.on_copy(db, made)
    return db


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db(
    request: pytest.FixtureRequest,
    data_paths: DataPaths,
    _sqlite_templates: SqliteTemplates,
    _pg_template: PostgresTemplate | None,
) -> Iterator[Database]:
    """A migrated, empty database: SQLite in a temp folder, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        sqlite = _sqlite_copy(request, _sqlite_templates, data_paths, "team")
        yield sqlite
        sqlite.dispose()
    else:
        gen = _pg_server(_pg_template).database()
        url = next(gen)
        opened = open_database(url, None)
        try:
            yield opened.db
        finally:
            opened.db.dispose()
            for _ in gen:
                pass


@pytest.fixture
def pg_db(_pg_template: PostgresTemplate | None) -> Iterator[Database]:
    """A migrated, empty PostgreSQL database alone: for what only a shared server does."""
    gen = _pg_server(_pg_template).database()
    url = next(gen)
    opened = open_database(url, None)
    try:
        yield opened.db
    finally:
        opened.db.dispose()
        for _ in gen:
            pass


@pytest.fixture
def sqlite_db(
    request: pytest.FixtureRequest, data_paths: DataPaths, _sqlite_templates: SqliteTemplates
) -> Iterator[Database]:
    sqlite = _sqlite_copy(request, _sqlite_templates, data_paths, "sqlite_team")
    yield sqlite
    sqlite.dispose()


ADMIN_PIN = "2468"
PINS = {
    "admin": "2468",
    "manager": "1357",
    "charge_nurse": "8642",
    "preceptor": "9753",
    "staff": "7531",
    "learner": "1470",
}


class Team:
    """One person per role on a fresh unit, signed in."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.admin = people.create_unit(
            db,
            code="4W",
            name="Ward 4 West",
            admin=people.PersonInput("Ada Admin", "nursing", ["admin"], pin=ADMIN_PIN),
        )
        self.by_role: dict[str, Actor] = {"admin": self.admin}
        names = {
            "manager": ("Mo Manager", "nursing", False),
            "charge_nurse": ("Cai Charge", "nursing", False),
            "preceptor": ("Pat Preceptor", "pharmacy", False),
            "staff": ("Sol Staff", "medicine", False),
            "learner": ("Lee Learner", "nursing", True),
        }
        for role, (name, profession, learner) in names.items():
            pid = people.save_person(
                db,
                self.admin,
                people.PersonInput(name, profession, [role], is_learner=learner, pin=PINS[role]),
            )
            self.by_role[role] = signin.sign_in(db, pid, PINS[role])

    @classmethod
    def on_copy(cls, db: Database, made: Team) -> Team:
        """The team ``made`` on a copy of its database: the same people, signed in."""
        team = cls.__new__(cls)
        team.db = db
        team.admin = made.admin
        team.by_role = dict(made.by_role)
        return team

    def __getitem__(self, role: str) -> Actor:
        return self.by_role[role]


#: The team already on a test's SQLite database, copied from the session's template.
_TEAM = pytest.StashKey[Team]()


@pytest.fixture(scope="session")
def _demo_folders(tmp_path_factory: pytest.TempPathFactory) -> DemoFolders:
    return DemoFolders(tmp_path_factory.mktemp("demo-folders"))


@pytest.fixture
def demo_env(tmp_path: Path, _demo_folders: DemoFolders) -> dict[str, str]:
    """The environment of an app process on a small demo unit in its own data folder.

    The ``demo-data`` command fills a folder once per session (and hour); each test gets
    a copy of that folder, files and modes as the command left them.
    """
    env = {**os.environ, "HROHUDDLE_DATA_DIR": str(tmp_path), "QT_QPA_PLATFORM": "offscreen"}
    env.pop("HROHUDDLE_DATABASE_URL", None)
    _demo_folders.copy_into("0.1", tmp_path, env)
    return env


@pytest.fixture
def team(request: pytest.FixtureRequest, db: Database) -> Team:
    return request.node.stash.get(_TEAM, None) or Team(db)


@pytest.fixture
def pg_team(pg_db: Database) -> Team:
    """The team on unit 4W of a shared server of its own."""
    return Team(pg_db)


@pytest.fixture
def sqlite_team(request: pytest.FixtureRequest, sqlite_db: Database) -> Team:
    return request.node.stash.get(_TEAM, None) or Team(sqlite_db)


@pytest.fixture
def window(qtbot, sqlite_team: Team, data_paths: DataPaths, tmp_path: Path):  # type: ignore[no-untyped-def]
    """The main window on a unit with one person per role, at the sign-in screen."""
    from PySide6.QtCore import QSettings

    from hrohuddle.ui.main_window import MainWindow

    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    win = MainWindow(data_paths, settings)
    win.offer_pulses = False  # a due pulse would open a modal question; tested on its own
    qtbot.addWidget(win)
    win.attach(sqlite_team.db, sqlite_team.admin.unit_id)
    win.show()
    qtbot.waitExposed(win)
    return win


@pytest.fixture
def styled(qapp):  # type: ignore[no-untyped-def]
    """The application styled as the app starts it: Fusion, its palette and app.qss."""
    from hrohuddle.paths import resources_dir
    from hrohuddle.ui.common import apply_palette

    qapp.setStyle("Fusion")  # as the app starts; it resets the palette
    apply_palette(qapp)
    before = qapp.styleSheet()
    qapp.setStyleSheet((resources_dir() / "styles" / "app.qss").read_text(encoding="utf-8"))
    yield qapp
    qapp.setStyleSheet(before)


def sign_in_as(qtbot, win, name: str, pin: str) -> None:  # type: ignore[no-untyped-def]
    """Type a name, Enter to choose it, then the PIN and Enter, as a person would."""
    from PySide6.QtCore import Qt

    page = win.signin
    if page.locked_for is not None and page.locked_for.display_name == name:
        # The lock screen already names the person: only their PIN is asked.
        page.pin.setFocus()
        qtbot.keyClicks(page.pin, pin)
        qtbot.keyClick(page.pin, Qt.Key.Key_Return)
        pin_checked(qtbot, page)
        return
    page.search.clear()
    qtbot.keyClicks(page.search, name)
    qtbot.keyClick(page.search, Qt.Key.Key_Return)
    qtbot.keyClicks(page.pin, pin)
    qtbot.keyClick(page.pin, Qt.Key.Key_Return)
    pin_checked(qtbot, page)


def pin_checked(qtbot, page) -> None:  # type: ignore[no-untyped-def]
    """Wait for the sign-in page's answer: the PIN is checked off the GUI thread."""
    qtbot.waitUntil(lambda: not page.checking, timeout=10_000)
