"""Ranking within the money: order by weighted score, the funding line, moving the envelope, sensitivity."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.auth.models import Role
from app.extensions import db
from app.governance.models import BudgetEnvelope
from app.governance.services import ranking
from app.portfolio.models import InitiativeCost
from tests.factories import create_org, create_user
from tests.governance.factories import create_review, give_scores
from tests.portfolio.factories import create_initiative
from tests.sql import statements_for

FY = 2027


def _initiative(org, editor, code: str, cost: str):  # type: ignore[no-untyped-def]
    initiative = create_initiative(org=org, user=editor, code=code, title=f"Initiative {code}")
    db.session.add(InitiativeCost(initiative_id=initiative.id, fiscal_year=FY, capital=Decimal(cost)))
    db.session.commit()
    return initiative


@pytest.fixture
def portfolio(org, editor, board, members):  # type: ignore[no-untyped-def]
    """Three scored initiatives: A (4.55, $400k), B (3.45, $300k), C (2.5, $500k); D submitted, not scored."""
    scores = {"INI-A": [5, 5, 4, 4, 4], "INI-B": [3, 4, 3, 4, 3], "INI-C": [2, 3, 2, 3, 3]}
    costs = {"INI-A": "400000", "INI-B": "300000", "INI-C": "500000", "INI-D": "100000"}
    made = {}
    for code, cost in costs.items():
        initiative = _initiative(org, editor, code, cost)
        review = create_review(board=board, initiative=initiative, submitted_by=editor)
        for member in members if code in scores else []:
            give_scores(review, member, scores[code])
        made[code] = initiative
    return made


def test_the_ranking_orders_by_score_and_draws_the_line(board, portfolio):
    db.session.add(BudgetEnvelope(board_id=board.id, fiscal_year=FY, amount=Decimal("750000")))
    db.session.commit()
    result = ranking.rank_board(board, FY)
    assert [(i.code, i.score, i.above) for i in result.ranked] == [
        ("INI-A", Decimal("4.55"), True),
        ("INI-B", Decimal("3.40"), True),
        ("INI-C", Decimal("2.50"), False),
    ]
    assert [i.cumulative for i in result.ranked] == [Decimal("400000.00"), Decimal("700000.00"), Decimal("1200000.00")]
    assert [i.code for i in result.unscored] == ["INI-D"]


def test_equal_scores_put_the_cheaper_first():
    items = [
        ranking.RankedItem(1, "X-2", "", "submitted", 1, "open", None, Decimal("500"), Decimal("3.00")),
        ranking.RankedItem(2, "X-1", "", "submitted", 2, "open", None, Decimal("900"), Decimal("3.00")),
        ranking.RankedItem(3, "X-3", "", "submitted", 3, "open", None, Decimal("100"), Decimal("3.50")),
    ]
    assert [i.code for i in ranking._order(items)] == ["X-3", "X-2", "X-1"]


def test_the_line_stops_at_the_first_that_does_not_fit():
    items = [
        ranking.RankedItem(n, f"X-{n}", "", "submitted", n, "open", None, Decimal(cost), Decimal("3"))
        for n, cost in enumerate(["400", "700", "100"], start=1)
    ]
    ranking.draw_line(items, Decimal("600"))
    assert [i.above for i in items] == [True, False, False]  # X-3 would fit but is not pulled up


def test_sensitivity_rescales_the_other_weights_to_keep_100():
    means = [
        ranking.CriterionMean("Alignment", 30, 0, 1),  # type: ignore[arg-type]
        ranking.CriterionMean("Value", 70, 0, 1),  # type: ignore[arg-type]
    ]
    weights = ranking.shifted_weights(means, "Alignment", 10)
    assert weights == {"Alignment": 40, "Value": 60} and sum(weights.values()) == 100


def test_sensitivity_shows_who_moves(board, portfolio, members):
    db.session.add(BudgetEnvelope(board_id=board.id, fiscal_year=FY, amount=Decimal("750000")))
    db.session.commit()
    result = ranking.rank_board(board, FY)
    rows = ranking.sensitivity(result, [(c.name, c.weight) for c in board.current_rubric.criteria])
    assert len(rows) == 10  # five criteria, up and down
    assert all(not row.order_changed for row in rows)  # A, B and C are far apart


def test_the_page_shows_the_line_and_a_preview_lists_who_moves(signed_in, board, portfolio, org):
    viewer = create_user(org=org, role=Role.VIEWER)
    db.session.add(BudgetEnvelope(board_id=board.id, fiscal_year=FY, amount=Decimal("750000")))
    db.session.commit()
    client = signed_in(viewer)
    html = client.get(f"/boards/{board.id}/ranking?fy={FY}").get_data(as_text=True)
    assert 'data-code="INI-B" data-above="yes"' in html and 'data-code="INI-C" data-above="no"' in html
    assert "Set the envelope" not in html  # a viewer reads only
    preview = client.get(f"/boards/{board.id}/ranking?fy={FY}&envelope=1,300,000").get_data(as_text=True)
    assert "Moved above the line:</strong> INI-C" in preview
    assert db.session.scalar(select(BudgetEnvelope.amount)) == Decimal("750000.00")  # nothing saved


def test_the_chair_changes_the_envelope_and_sees_who_moved(signed_in, board, portfolio, chair):
    client = signed_in(chair)
    set_it = client.post(
        f"/boards/{board.id}/ranking/envelope", data={"fiscal_year": FY, "amount": "750,000", "seen": ""}
    )
    assert set_it.status_code == 302
    lower = client.post(
        f"/boards/{board.id}/ranking/envelope",
        data={"fiscal_year": FY, "amount": "500,000", "seen": "750000.00"},
        follow_redirects=True,
    )
    html = lower.get_data(as_text=True)
    assert "Moved below the line:</strong> INI-B" in html
    assert db.session.scalar(select(BudgetEnvelope.amount)) == Decimal("500000.00")
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "budget_envelope.set")).all()
    assert len(events) == 2 and "was $750,000.00" in events[-1].summary


def test_a_stale_envelope_form_does_not_overwrite(signed_in, board, portfolio, chair, secretary):
    db.session.add(BudgetEnvelope(board_id=board.id, fiscal_year=FY, amount=Decimal("900000")))
    db.session.commit()
    response = signed_in(secretary).post(
        f"/boards/{board.id}/ranking/envelope", data={"fiscal_year": FY, "amount": "600000", "seen": "750000.00"}
    )
    assert response.status_code == 409 and "Someone else changed this envelope to $900,000.00" in response.get_data(
        as_text=True
    )
    db.session.expire_all()
    assert db.session.scalar(select(BudgetEnvelope.amount)) == Decimal("900000.00")


@pytest.mark.parametrize("who", ["member", "editor"])
def test_only_chair_secretary_or_admin_set_the_envelope(signed_in, board, members, editor, who):
    user = members[0] if who == "member" else editor
    response = signed_in(user).post(f"/boards/{board.id}/ranking/envelope", data={"fiscal_year": FY, "amount": "1"})
    assert response.status_code == 403
    assert db.session.scalar(select(BudgetEnvelope.id)) is None


def test_another_organizations_board_is_not_found(signed_in, board):
    outsider = create_user(org=create_org(name="County IT"), role=Role.ADMIN)
    client = signed_in(outsider)
    assert client.get(f"/boards/{board.id}/ranking").status_code == 404
    assert (
        client.post(f"/boards/{board.id}/ranking/envelope", data={"fiscal_year": FY, "amount": "1"}).status_code == 404
    )


def test_the_ranking_runs_a_fixed_number_of_statements(signed_in, org, editor, board, members, chair):
    client = signed_in(chair)

    def add(n: int) -> None:
        for k in range(n):
            initiative = _initiative(org, editor, f"INI-{len(str(k))}{k:03d}{n}", "1000")
            review = create_review(board=board, initiative=initiative, submitted_by=editor)
            for member in members:
                give_scores(review, member, [3, 4, 3, 4, 3])

    add(2)
    few = len(statements_for(client, f"/boards/{board.id}/ranking?fy={FY}"))
    add(8)
    assert len(statements_for(client, f"/boards/{board.id}/ranking?fy={FY}")) == few
