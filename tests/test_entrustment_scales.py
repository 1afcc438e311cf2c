"""A unit chooses the entrustment scale for new observations; each observation keeps the
scale it was made on, so earlier ratings are read with their own anchors."""

from __future__ import annotations

import pytest
from conftest import Clock, Team
from test_checklists_and_observations import _log, _pair

from hrohuddle.services import observations
from hrohuddle.services.errors import PermissionDenied, ValidationError


def test_unit_admin_moves_the_unit_to_the_ward_scale_and_old_ratings_keep_theirs(
    team: Team, clock: Clock
) -> None:
    learner_id = _pair(team, clock.today)
    assert observations.unit_scale(team.db, team["admin"].unit_id) == "o_score"
    first = _log(team, learner_id, clock.today)
    with pytest.raises(PermissionDenied):
        observations.choose_scale(team.db, team["manager"], "chen_2015")
    with pytest.raises(ValidationError):
        observations.choose_scale(team.db, team["admin"], "made_up")
    observations.choose_scale(team.db, team["admin"], "chen_2015")
    assert observations.unit_scale(team.db, team["admin"].unit_id) == "chen_2015"
    second = _log(team, learner_id, clock.today, rating=4)
    rows = {r.id: r for r in observations.observations(team.db, team["preceptor"], learner_id)}
    assert rows[first].scale_key == "o_score" and rows[second].scale_key == "chen_2015"
    assert observations.scale_levels(rows[first].scale_key)[3] == (
        "I had to prompt them from time to time"
    )
    assert observations.scale_levels(rows[second].scale_key)[4] == "Does it unsupervised"


def test_both_scales_are_data_with_their_source() -> None:
    keys = [k for k, _title in observations.scales()]
    assert keys == ["o_score", "chen_2015"]
    o_score = observations.scale_data("o_score")
    assert [lv["label"] for lv in o_score["levels"]] == [
        "I had to do",
        "I had to talk them through",
        "I had to prompt them from time to time",
        "I needed to be in the room just in case",
        "I did not need to be there",
    ]
    assert "unaware of risks" in o_score["levels"][3]["descriptor"]
    assert "Gofton" in o_score["short"] and "Chen" in observations.scale_data("chen_2015")["short"]
