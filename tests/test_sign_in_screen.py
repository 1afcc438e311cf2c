"""The sign-in screen, typed into at full speed as people at a shared workstation do."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from conftest import PINS, sign_in_as
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from hrohuddle.demo import EXTRA_PIN, NAMED_PEOPLE
from hrohuddle.services import signin
from hrohuddle.services.errors import SignInRefused
from hrohuddle.services.permissions import Actor
from hrohuddle.store.database import Database
from hrohuddle.store.models import Person, PersonRole, Unit
from hrohuddle.ui.signin import SignInPage, name_matches

#: Extra people of the demo unit who, like all its extras, share one PIN.
SHARING = ("Ben Costa", "Tara Quist", "Tomas Ito", "Jade Reyes", "Sven Diaz", "Sven Evans")


@pytest.fixture
def demo_unit(db: Database) -> Iterator[tuple[Database, int, dict[str, str]]]:
    """The demo unit's named people with their own PINs, and extras sharing one PIN."""
    pins = {p.name: p.pin for p in NAMED_PEOPLE} | dict.fromkeys(SHARING, EXTRA_PIN)
    hashes = {pin: signin.hash_pin(db, pin) for pin in set(pins.values())}
    roles = {p.name: p.roles for p in NAMED_PEOPLE}
    with db.write() as s:
        unit = Unit(code="4W", name="Ward 4 West")
        s.add(unit)
        s.flush()
        for name, pin in pins.items():
            s.add(
                Person(
                    unit_id=unit.id,
                    display_name=name,
                    profession="nursing",
                    pin_hash=hashes[pin],
                    roles=[PersonRole(role=r) for r in roles.get(name, ("staff",))],
                )
            )
        unit_id = unit.id
    yield db, unit_id, pins


def _type(text: str) -> None:
    """Each key to whichever widget has the focus at that moment, with no pause."""
    for ch in text:
        target = QApplication.focusWidget()
        assert target is not None, "nothing has the keyboard focus"
        if ch == "\n":
            QTest.keyClick(target, Qt.Key.Key_Return)
            _answered()
        else:
            QTest.keyClicks(target, ch)


def _answered() -> None:
    """Wait while a sign-in page checks a PIN (off the GUI thread), as a person would."""
    for _ in range(1000):
        checking = [
            w for w in QApplication.allWidgets() if isinstance(w, SignInPage) and w.checking
        ]
        if not checking:
            return
        QTest.qWait(10)
    raise AssertionError("the PIN was never answered")


def _page(qtbot, db: Database, unit_id: int) -> tuple[SignInPage, list[Actor]]:  # type: ignore[no-untyped-def]
    page = SignInPage(db, unit_id)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitExposed(page)
    page.activateWindow()
    page.search.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is page.search)
    signed: list[Actor] = []
    page.signed_in.connect(signed.append)
    return page, signed


def test_each_demo_person_typed_at_full_speed_signs_in_as_exactly_that_person(
    qtbot, demo_unit: tuple[Database, int, dict[str, str]]
) -> None:
    db, unit_id, pins = demo_unit
    page, signed = _page(qtbot, db, unit_id)
    for name, pin in pins.items():
        page.reload()
        page.search.setFocus()
        _type(f"{name}\n{pin}\n")
        assert signed, f"{name}: {page.message.text()}"
        assert signed.pop().display_name == name
    # Two who share a PIN: each gets their own account, never the other's.
    for name in ("Tara Quist", "Ben Costa"):
        page.reload()
        page.search.setFocus()
        _type(f"{name.split()[0]}\n{EXTRA_PIN}\n")
        assert signed.pop().display_name == name


def test_typing_only_filters_and_never_chooses(
    qtbot, demo_unit: tuple[Database, int, dict[str, str]]
) -> None:
    db, unit_id, _pins = demo_unit
    page, signed = _page(qtbot, db, unit_id)
    _type("Tom")
    assert page.chosen_id is None and QApplication.focusWidget() is page.search
    items = [page.names.item(i) for i in range(page.names.count())]
    shown = [item.text() for item in items if not item.isHidden()]
    assert shown == ["Tom Becker", "Tomas Ito"]
    _type("8642\n")  # digits never reach anyone's PIN, and Enter picks nobody of two
    assert not signed and page.chosen_id is None
    page.search.clear()
    page.search.setFocus()
    _type("costa")  # the start of a last name finds the person too
    QTest.keyClick(page.search, Qt.Key.Key_Down)
    assert page.chosen_id is None  # Down only moves into the list
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    assert page.chosen.text() == "Ben Costa"
    assert QApplication.focusWidget() is page.pin


def test_a_wrong_pin_message_names_the_account(
    qtbot, demo_unit: tuple[Database, int, dict[str, str]]
) -> None:
    db, unit_id, _pins = demo_unit
    page, signed = _page(qtbot, db, unit_id)
    _type("Tara\n0000\n")
    assert not signed
    assert "Tara Quist" in page.message.text() and "Wrong PIN" in page.message.text()
    assert page.chosen.text() == "Tara Quist"


@pytest.mark.parametrize(
    ("needle", "name", "found"),
    [
        ("tom", "Tom Becker", True),
        ("becker", "Tom Becker", True),
        ("tom b", "Tom Becker", True),
        ("om", "Tom Becker", False),
        ("jordan", "Aisha Bello", False),
        ("", "Aisha Bello", True),
    ],
)
def test_names_match_by_the_start_of_a_first_or_last_name(
    needle: str, name: str, found: bool
) -> None:
    assert name_matches(name, needle) is found


def test_enter_never_chooses_among_several_matches(
    qtbot, demo_unit: tuple[Database, int, dict[str, str]]
) -> None:
    """Two Svens share a PIN: "Sven", Enter, PIN, Enter must sign in neither."""
    db, unit_id, _pins = demo_unit
    page, signed = _page(qtbot, db, unit_id)
    _type(f"Sven\n{EXTRA_PIN}\n")
    assert not signed and page.chosen_id is None
    assert "2 people match “Sven”: choose one" in page.message.text()
    assert QApplication.focusWidget() is page.names
    assert page.pin.text() == "" and page.search.text() == "Sven"
    # Typing on narrows the search; the one left is chosen by Enter.
    _type(f" e\n{EXTRA_PIN}\n")
    assert signed.pop().display_name == "Sven Evans"
    # Down highlights the first of several; Enter then chooses exactly that one.
    page.reload()
    page.search.setFocus()
    _type("Sven\n")
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Down)
    _type(f"\n{EXTRA_PIN}\n")
    assert signed.pop().display_name == "Sven Diaz"
    # A surname shared by two is just as ambiguous.
    page.reload()
    page.search.setFocus()
    _type("Reyes\n")
    assert page.chosen_id is None and "2 people match" in page.message.text()


def test_digits_typed_into_the_name_box_are_never_shown(
    qtbot, demo_unit: tuple[Database, int, dict[str, str]]
) -> None:
    db, unit_id, _pins = demo_unit
    page, signed = _page(qtbot, db, unit_id)
    _type("Tmo\n")
    assert "No one matches “Tmo”" in page.message.text()
    assert QApplication.focusWidget() is page.search  # not the PIN box
    _type("8642\n")
    assert not signed and page.search.text() == "Tmo" and page.pin.text() == ""
    assert "8642" not in page.message.text()
    page.search.clear()
    QApplication.clipboard().setText("Tom8642")  # pasted: refused as a whole
    page.search.paste()
    assert "8642" not in page.search.text()


def test_a_waiting_account_is_shown_only_once_chosen(
    qtbot, demo_unit: tuple[Database, int, dict[str, str]]
) -> None:
    db, unit_id, _pins = demo_unit
    with db.read() as s:
        tara = s.query(Person).filter_by(display_name="Tara Quist").one().id
    for _ in range(signin.FREE_TRIES):
        with pytest.raises(SignInRefused):
            signin.sign_in(db, tara, "0000")
    page, _signed = _page(qtbot, db, unit_id)
    labels = [page.names.item(i).text() for i in range(page.names.count())]
    assert "Tara Quist" in labels and not any("wait" in x for x in labels)
    _type("Tara\n")
    assert page.chosen.text() == "Tara Quist"
    assert "Tara Quist" in page.message.text() and "wrong PINs" in page.message.text()


def test_the_lock_screen_shows_who_and_resumes_only_that_person(
    qtbot, demo_unit: tuple[Database, int, dict[str, str]]
) -> None:
    db, unit_id, _pins = demo_unit
    with db.read() as s:
        diaz = s.query(Person).filter_by(display_name="Sven Diaz").one().id
    sven = signin.sign_in(db, diaz, EXTRA_PIN)
    signin.lock_session(db, sven)
    page, signed = _page(qtbot, db, unit_id)
    switch: list[bool] = []
    page.switch_person.connect(lambda: switch.append(True))
    page.reload(locked_for=sven)
    assert page.title.text() == "Locked: Sven Diaz"
    assert not page.search.isVisible() and not page.names.isVisible()
    assert page.not_you.isVisible()
    assert page.not_you.text().replace("&", "") == "Not you? Sign out and choose your name"
    assert "Only Sven Diaz's PIN opens it" in page.subtitle.text()
    page.pin.setFocus()
    _type(f"{EXTRA_PIN}\n")
    resumed = signed.pop()
    assert resumed.person_id == diaz and resumed.session_id == sven.session_id
    page.not_you.click()
    assert switch == [True]


def test_after_signing_in_or_unlocking_focus_is_never_on_lock(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    """Enter straight after signing in must not lock the screen again."""
    from PySide6.QtWidgets import QApplication, QPushButton

    sign_in_as(qtbot, window, "Cai Charge", PINS["charge_nurse"])
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.nav)
    lock = next(b for b in window.top_bar.findChildren(QPushButton) if b.text() == "Lock")
    lock.setFocus()
    qtbot.mouseClick(lock, Qt.MouseButton.LeftButton)
    assert window.signin is not None and window.signin.locked_for is not None
    sign_in_as(qtbot, window, "Cai Charge", PINS["charge_nurse"])
    qtbot.wait(10)
    assert QApplication.focusWidget() is window.nav
    assert not window.top_bar.isAncestorOf(QApplication.focusWidget())


def test_check_a_receipt_is_reached_by_the_keyboard_without_signing_in(qtbot, window) -> None:
    """An anonymous reporter follows their report from the sign-in screen, by Tab alone."""
    page = window.signin
    page.button.setFocus()
    qtbot.waitUntil(page.button.hasFocus)
    qtbot.keyClick(page.button, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is page.receipt_button
    assert page.receipt_button.accessibleName() == "Check a receipt"
    assert window.actor is None
