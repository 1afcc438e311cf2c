"""Without a display the app says so in one sentence instead of aborting."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from hrohuddle.app import NO_DISPLAY, display_missing


@pytest.mark.parametrize(
    ("env", "missing"),
    [
        ({}, True),
        ({"DISPLAY": ":0"}, False),
        ({"WAYLAND_DISPLAY": "wayland-0"}, False),
        ({"QT_QPA_PLATFORM": "offscreen"}, False),
        ({"QT_QPA_PLATFORM": "xcb"}, True),
        ({"QT_QPA_PLATFORM": "xcb", "DISPLAY": ":1"}, False),
        ({"QT_QPA_PLATFORM": "wayland", "DISPLAY": ":1"}, True),
        ({"QT_QPA_PLATFORM": "wayland;xcb", "DISPLAY": ":1"}, False),
        ({"QT_QPA_PLATFORM": "vnc:size=800x600"}, False),
    ],
)
def test_a_missing_display_is_recognised(env: dict[str, str], missing: bool) -> None:
    if not sys.platform.startswith("linux"):
        pytest.skip("displays are looked for on Linux only")
    assert display_missing(env) is missing


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux display servers")
def test_starting_without_a_display_says_so_in_one_sentence(tmp_path: Path) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM", "HROHUDDLE_DATABASE_URL")
    }
    env["HROHUDDLE_DATA_DIR"] = str(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "hrohuddle"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.strip() == f"HRO Huddle: {NO_DISPLAY}."
    assert done.stdout == ""
