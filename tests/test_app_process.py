"""The real app as a process: one instance per data folder, a crash log offered next time."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path


def _env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "HROHUDDLE_DATA_DIR": str(tmp_path), "QT_QPA_PLATFORM": "offscreen"}


def test_a_second_launch_brings_the_first_forward(tmp_path: Path) -> None:
    env = _env(tmp_path)
    subprocess.run(
        [sys.executable, "-m", "hrohuddle", "demo-data", "--years", "0.1"],
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    first = subprocess.Popen(
        [sys.executable, "-m", "hrohuddle"],
        env={**env, "HROHUDDLE_BENCH_MARK": "never"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert first.stdout is not None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if first.stdout.readline().startswith("HROHUDDLE_BENCH ready"):
                break
        second = subprocess.run(
            [sys.executable, "-m", "hrohuddle"], env=env, capture_output=True, text=True, timeout=60
        )
        assert second.returncode == 0 and "already running" in second.stdout
        log = tmp_path / "logs" / "hrohuddle.log"
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and "second launch" not in log.read_text():
            time.sleep(0.2)
        assert "second launch asked this window to come forward" in log.read_text()
        assert first.poll() is None  # the first one is still running
    finally:
        first.terminate()
        first.communicate(timeout=30)


def test_a_hard_crash_leaves_a_log_that_the_next_start_reads(tmp_path: Path) -> None:
    from hrohuddle import logs

    crash = tmp_path / "crash.log"
    code = (
        "import faulthandler, ctypes, sys\n"
        f"f = open({str(crash)!r}, 'a')\n"
        "faulthandler.enable(f)\n"
        "ctypes.string_at(0)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=60)
    assert proc.returncode != 0
    text = logs.pending_crash_report(crash)
    assert text is not None and "Fatal Python error" in text
    logs.clear_crash_log(crash)
    assert logs.pending_crash_report(crash) is None
