"""StratML imports are bounded: at most STRATML_MAX_ELEMENTS goals and objectives (2,000 by default) and
STRATML_MAX_SECONDS of writing; a larger file is refused with a message saying what to do, and nothing is saved.
The file is read before the import's transaction begins, so reading it holds no lock."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.objectives.models import PolicyObjective
from app.plans.models import Plan
from app.stratml import service
from app.stratml.reader import DEFAULT_MAX_ELEMENTS
from app.stratml.schemas import PART1_ISO
from tests.stratml.test_views import _upload


def stratml_with(goals: int, objectives_per_goal: int = 0) -> bytes:
    body = "".join(
        f"<Goal><Name>Goal {g}</Name><SequenceIndicator>{g}</SequenceIndicator>"
        + "".join(
            f"<Objective><Name>Objective {g}.{o}</Name><SequenceIndicator>{g}.{o}</SequenceIndicator></Objective>"
            for o in range(1, objectives_per_goal + 1)
        )
        + "</Goal>"
        for g in range(1, goals + 1)
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><StrategicPlan xmlns="{PART1_ISO}"><Name>Big plan</Name>'
        f"<StrategicPlanCore><Organization><Name>Office</Name></Organization>{body}</StrategicPlanCore>"
        "</StrategicPlan>"
    ).encode()


def _nothing_saved() -> None:
    assert db.session.scalar(db.select(db.func.count()).select_from(PolicyObjective)) == 0
    assert db.session.scalar(db.select(db.func.count()).select_from(Plan)) == 0


def test_a_file_with_3000_goals_is_refused_with_a_message(signed_in, editor):  # type: ignore[no-untyped-def]
    response = _upload(signed_in(editor), stratml_with(3000))
    assert response.status_code == 422
    assert f"more than {DEFAULT_MAX_ELEMENTS:,} goals and objectives" in response.get_data(as_text=True)
    _nothing_saved()


def test_the_cap_counts_objectives_too_and_is_configurable(app, signed_in, editor, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setitem(app.config, "STRATML_MAX_ELEMENTS", 6)
    browser = signed_in(editor)
    assert "more than 6 goals" in _upload(browser, stratml_with(2, objectives_per_goal=3)).get_data(as_text=True)
    _nothing_saved()
    assert _upload(browser, stratml_with(2, objectives_per_goal=2)).status_code == 200
    assert db.session.scalar(db.select(db.func.count()).select_from(PolicyObjective)) == 6


def test_an_import_past_its_time_is_stopped_and_nothing_is_saved(app, signed_in, editor, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setitem(app.config, "STRATML_MAX_SECONDS", 0)
    response = _upload(signed_in(editor), stratml_with(3))
    assert response.status_code == 422
    assert "took longer than 0 seconds" in response.get_data(as_text=True)
    _nothing_saved()


def test_the_file_is_read_outside_any_transaction(signed_in, editor, monkeypatch):  # type: ignore[no-untyped-def]
    seen: list[bool] = []
    real = service.read_file

    def watching(data: bytes):  # type: ignore[no-untyped-def]
        seen.append(db.session().in_transaction())
        return real(data)

    monkeypatch.setattr("app.stratml.views.read_file", watching)
    assert _upload(signed_in(editor), stratml_with(2)).status_code == 200
    assert seen == [False]


@pytest.mark.parametrize("goals", [DEFAULT_MAX_ELEMENTS])
def test_a_file_at_the_cap_is_read(app, goals):  # type: ignore[no-untyped-def]
    with app.test_request_context():
        assert len(service.read_file(stratml_with(goals)).document.goals) == goals
