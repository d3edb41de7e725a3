"""The governance panel on the initiative page."""

from __future__ import annotations

from app.auth.models import Role
from app.extensions import db
from tests.factories import create_user
from tests.governance.factories import create_board, create_review
from tests.governance.test_submission import _ready
from tests.plans.html import parse, squash
from tests.sql import statements_for


def _panel(html: str) -> str:
    return squash(parse(html).by_id("governance").text)


def test_every_member_sees_the_reviews_and_only_editors_can_submit(org, board, initiative, editor, signed_in):
    review = create_review(board=board, initiative=initiative, submitted_by=editor)
    viewer_panel = _panel(
        signed_in(create_user(org=org, role=Role.VIEWER)).get(f"/initiatives/{initiative.id}").get_data(as_text=True)
    )
    assert "IT Governance Board" in viewer_panel and "Open" in viewer_panel
    assert "Submit to the board" not in viewer_panel and "business case" not in viewer_panel
    html = signed_in(editor).get(f"/initiatives/{initiative.id}").get_data(as_text=True)
    assert f"/reviews/{review.id}" in html
    assert "Write the business case" in _panel(html)


def test_the_editor_is_told_what_is_missing_then_offered_the_boards(org, board, initiative, editor, signed_in):
    client = signed_in(editor)
    panel = _panel(client.get(f"/initiatives/{initiative.id}").get_data(as_text=True))
    assert "Before it can go to a board" in panel and "Link at least one objective" in panel
    _ready(initiative, editor)
    create_board(org=org, name="Board without members")
    panel = _panel(client.get(f"/initiatives/{initiative.id}").get_data(as_text=True))
    assert "Submit to the board" in panel and "Edit the business case" in panel
    options = [
        o.text
        for o in parse(client.get(f"/initiatives/{initiative.id}").get_data(as_text=True))
        .by_id("board")
        .find_all("option")
    ]
    assert options == ["Choose a board", "IT Governance Board"]


def test_the_panel_runs_the_same_statements_however_many_reviews(
    org, board, initiative, editor, signed_in, monkeypatch
):
    from app.portfolio import panels

    monkeypatch.setattr(panels, "_PROVIDERS", {"governance": panels._PROVIDERS["governance"]})  # this panel alone
    client = signed_in(editor)
    create_review(board=board, initiative=initiative, submitted_by=editor)
    db.session.expire_all()
    few = len(statements_for(client, f"/initiatives/{initiative.id}"))
    for n in range(4):
        other = create_board(org=org, name=f"Board {n}", members=[(editor, "member")])
        create_review(board=other, initiative=initiative, submitted_by=editor)
    db.session.expire_all()
    assert len(statements_for(client, f"/initiatives/{initiative.id}")) == few
