"""The demo office's boards, rubrics, reviews in every state, meetings and board members' logins."""

from __future__ import annotations

from sqlalchemy import select

from app.auth.models import Organization
from app.core.db import utcnow
from app.demo.governance import DEMO_BOARD_USERS
from app.demo.seed import STATE_SLUG
from app.extensions import db
from app.governance.models import Board, Meeting, Review
from app.governance.services.scoring import summaries_for
from tests.core.world import new_client
from tests.factories import login


def test_demo_boards_reviews_and_meetings(app):
    assert app.test_cli_runner().invoke(args=["seed", "demo"]).exit_code == 0
    state = db.session.scalar(select(Organization).where(Organization.slug == STATE_SLUG))
    boards = {b.name: b for b in db.session.scalars(select(Board).where(Board.organization_id == state.id))}
    itgb = boards["IT Governance Board"]
    assert set(boards) == {"IT Governance Board", "Architecture Review Board"}
    assert [(c.name, c.weight) for c in itgb.current_rubric.criteria] == [
        ("Strategic alignment", 30),
        ("Resident and customer value", 25),
        ("Delivery risk", 20),
        ("Cost and value for money", 15),
        ("Architecture fit", 10),
    ]
    assert all(len(c.descriptors) == 5 for c in itgb.current_rubric.criteria)
    assert itgb.reviews_plans and (itgb.quorum_kind, itgb.quorum_value) == ("percent", 60)
    assert [m.user.name for m in itgb.members if m.board_role == "chair"] == ["Dana Whitfield"]
    reviews = {
        r.initiative.code: r
        for r in db.session.scalars(select(Review).where(Review.board_id == itgb.id))
        if r.initiative
    }
    summaries = summaries_for([r.id for r in reviews.values()])
    untouched, partly, ready = (summaries[reviews[code].id] for code in ("INI-0030", "INI-0020", "INI-0025"))
    assert reviews["INI-0030"].status == "open" and untouched.scored_count == 0
    assert reviews["INI-0020"].status == "open" and partly.scored_count == 1 and len(partly.recused) == 1
    assert reviews["INI-0025"].status == "open" and ready.has_quorum and not ready.not_scored
    assert ready.disagreements  # strategic alignment: 2 to 5
    upcoming = db.session.scalars(select(Meeting).where(Meeting.board_id == itgb.id, Meeting.starts_at > utcnow()))
    [meeting] = list(upcoming)
    assert {item.review.initiative.code for item in meeting.items} == {"INI-0025", "INI-0020", "INI-0030"}
    for person in DEMO_BOARD_USERS:
        assert login(new_client(app), person.email, person.password).status_code == 302, person.email
