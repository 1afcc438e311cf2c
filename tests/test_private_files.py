"""Files HRO Huddle writes itself are owner-only, whatever the umask."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from hrohuddle.paths import make_private, open_private, write_private

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")


@pytest.fixture
def open_umask() -> Iterator[None]:
    """A umask that lets anyone read what is created: the helpers must not rely on it."""
    old = os.umask(0o000)
    try:
        yield
    finally:
        os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.usefixtures("open_umask")
def test_a_new_file_is_owner_only(tmp_path: Path) -> None:
    text_file, data_file = tmp_path / "a.csv", tmp_path / "b.bin"
    with open_private(text_file, newline="", encoding="utf-8") as handle:
        handle.write("a,b\r\n")
    write_private(data_file, b"\x00\x01")
    assert _mode(text_file) == _mode(data_file) == 0o600
    assert text_file.read_bytes() == b"a,b\r\n" and data_file.read_bytes() == b"\x00\x01"


def test_writing_again_replaces_and_exclusive_refuses(tmp_path: Path) -> None:
    path = tmp_path / "secret"
    write_private(path, "first and longer\n")
    write_private(path, "second\n")
    assert path.read_text(encoding="utf-8") == "second\n"
    with pytest.raises(FileExistsError):
        write_private(path, "third\n", exclusive=True)
    assert path.read_text(encoding="utf-8") == "second\n"


def test_an_existing_file_is_made_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "old.txt"
    path.write_text("x", encoding="utf-8")
    path.chmod(0o644)
    make_private(path)
    assert _mode(path) == 0o600
