"""The huddle board reads its state once when it first opens, and again after it was
away (another screen, the lock), never twice for nothing."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import PINS, Team, sign_in_as

from hrohuddle.services import huddles


def test_the_running_huddles_board_reads_once_on_first_open_and_again_on_return(
    qtbot: Any, window: Any, sqlite_team: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    huddles.start_or_resume(sqlite_team.db, sqlite_team["charge_nurse"])
    sign_in_as(qtbot, window, "Cai Charge", PINS["charge_nurse"])
    reads: list[int] = []
    real = huddles.board

    def counted(*args: Any, **kwargs: Any) -> Any:
        reads.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(huddles, "board", counted)
    window.open_page("huddle")
    qtbot.wait(50)
    assert len(reads) == 1
    window.open_page("home")
    qtbot.wait(50)
    reads.clear()
    window.open_page("huddle")  # back from another screen: it catches up once
    qtbot.wait(50)
    assert len(reads) == 1
