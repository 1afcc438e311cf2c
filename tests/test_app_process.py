"""The real app as a process: one instance per data folder, a crash log offered next time."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest


def test_a_second_launch_brings_the_first_forward(tmp_path: Path, demo_env: dict[str, str]) -> None:
    env = demo_env
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


def test_what_is_logged_before_the_log_file_opens_is_kept(
    tmp_path: Path, demo_env: dict[str, str]
) -> None:
    env = demo_env
    log = tmp_path / "logs" / "hrohuddle.log"
    before = log.read_text().count("HRO Huddle") if log.exists() else 0
    out = subprocess.run(
        [sys.executable, "-m", "hrohuddle"],
        env={**env, "HROHUDDLE_BENCH_MARK": "ready"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0 and "HROHUDDLE_BENCH ready" in out.stdout, out.stderr
    lines = log.read_text().splitlines()
    starting = [i for i, line in enumerate(lines) if "HRO Huddle" in line and "starting" in line]
    # The line was logged before the database opened, when only the holder was listening.
    assert len(starting) == before + 1
    assert oct(log.stat().st_mode & 0o777) == "0o600"


def test_start_up_turns_the_collector_back_on_and_opens_the_log(
    qtbot,
    data_paths,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    import faulthandler
    import gc
    import logging

    from PySide6.QtCore import QSettings

    from hrohuddle import logs
    from hrohuddle.app import Startup
    from hrohuddle.ui.errors import ExceptionHook
    from hrohuddle.ui.main_window import MainWindow

    paths = data_paths
    window = MainWindow(paths, QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    startup = Startup(window, f"sqlite:///{tmp_path / 'x.sqlite3'}", paths)
    hook, handlers = sys.excepthook, logging.getLogger().handlers[:]
    gc.disable()
    try:
        startup._start_logging()
        logging.getLogger("hrohuddle.test").info("held until the file opens")
        assert not (paths.log_dir / "hrohuddle.log").exists()
        startup._finish_start_up()
        assert gc.isenabled()
        assert isinstance(sys.excepthook, ExceptionHook)
        assert "held until the file opens" in (paths.log_dir / "hrohuddle.log").read_text()
    finally:
        gc.enable()
        gc.unfreeze()
        sys.excepthook = hook
        for handler in logging.getLogger().handlers:
            handler.close()
        logging.getLogger().handlers[:] = handlers
        faulthandler.enable(sys.__stderr__)
        if logs._crash_file is not None:
            logs._crash_file.close()
            logs._crash_file = None


@pytest.mark.logs_warnings
def test_held_records_reach_the_terminal_when_no_log_file_can_be_written(
    capsys,  # type: ignore[no-untyped-def]
) -> None:
    import logging

    from hrohuddle import logs

    handlers, level = logging.getLogger().handlers[:], logging.getLogger().level
    try:
        logs.hold_early_records()
        logging.getLogger("hrohuddle.test").warning("the database could not be opened")
        logs.to_stderr()
        logging.getLogger("hrohuddle.test").warning("and later ones too")
        err = capsys.readouterr().err
        assert "the database could not be opened" in err and "and later ones too" in err
    finally:
        logging.getLogger().handlers[:] = handlers
        logging.getLogger().setLevel(level)
