"""Business case and submission to a board: refused with everything missing, frozen snapshot, one open review."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.audit.models import AuditEvent
from app.auth.models import Role
from app.extensions import db
from app.governance.models import Review, ReviewStatus
from app.governance.services import reviews as services
from app.objectives import services as objective_services
from app.portfolio import services as portfolio_services
from app.portfolio.models import InitiativeStatus
from tests.factories import create_user
from tests.governance.factories import create_board
from tests.portfolio.helpers import page_text

CASE = {
    "problem": "Applicants queue at four counters.",
    "options_considered": "Do nothing; buy; build on the shared platform.",
    "recommended_option": "Build on the shared platform.",
    "benefits": "Permits in days, not months.",
    "alignment_rationale": "Serves G1.4.",
}


def _ready(initiative, editor):
    """Costs, an objective and a complete business case."""
    portfolio_services.add_cost(
        initiative, user=editor, fiscal_year=2028, capital=Decimal("500000"), operating=Decimal("50000")
    )
    portfolio_services.add_risk(
        initiative, user=editor, fields=portfolio_services.RiskFields(title="Vendor late", likelihood=3, impact=4)
    )
    objective = objective_services.create_objective(
        organization=initiative.organization,
        user=editor,
        parent=None,
        fields=objective_services.ObjectiveFields(code="G1", title="Services online"),
    )
    portfolio_services.link_objective(initiative, user=editor, objective=objective, role="primary", rationale="")
    services.save_business_case(initiative, user=editor, fields=services.CaseFields(**CASE))
    db.session.commit()


def open_reviews(initiative) -> list[Review]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            db.select(Review).where(Review.initiative_id == initiative.id, Review.status == ReviewStatus.OPEN.value)
        )
    )


def test_submission_is_refused_with_everything_missing_and_nothing_written(board, initiative, editor, signed_in):
    client = signed_in(editor)
    initiative.problem = ""
    db.session.commit()
    before = db.session.scalar(db.select(db.func.count()).select_from(AuditEvent))
    response = client.post(f"/initiatives/{initiative.id}/submit", data={"board": str(board.id)})
    text = page_text(response.get_data(as_text=True))
    assert response.status_code == 422
    for missing in (
        "Problem statement",
        "Options considered",
        "Recommended option",
        "Benefits",
        "Alignment rationale",
        "Add the costs of at least one fiscal year",
        "Link at least one objective",
    ):
        assert missing in text, missing
    assert open_reviews(initiative) == []
    assert db.session.scalar(db.select(db.func.count()).select_from(AuditEvent)) == before
    assert db.session.get(type(initiative), initiative.id).status == "proposed"


def test_a_board_without_members_or_rubric_is_named_as_missing(org, initiative, editor):
    empty = create_board(org=org, name="Empty board", criteria=())
    _ready(initiative, editor)
    with pytest.raises(services.SubmissionRefused) as refused:
        services.submit_initiative(initiative, user=editor, board=empty)
    assert any("has no scoring rubric" in m for m in refused.value.missing)
    assert any("has no members" in m for m in refused.value.missing)


def test_submission_freezes_the_case_and_moves_the_initiative_to_submitted(board, initiative, editor, signed_in):
    _ready(initiative, editor)
    client = signed_in(editor)
    response = client.post(f"/initiatives/{initiative.id}/submit", data={"board": str(board.id)})
    assert response.status_code == 302
    [review] = open_reviews(initiative)
    assert review.rubric_id == board.current_rubric.id
    assert review.business_case["benefits"] == CASE["benefits"]
    assert review.business_case["costs"] == [
        {"fiscal_year": 2028, "capital": "500000.00", "operating": "50000.00", "total": "550000.00"}
    ]
    assert review.business_case["objectives"][0]["code"] == "G1"
    assert review.business_case["risks"][0]["score"] == 12
    assert review.business_case["initiative"]["code"] == "INI-0001"
    assert review.initiative.status == InitiativeStatus.SUBMITTED.value
    assert (
        db.session.scalar(
            db.select(AuditEvent.action).where(
                AuditEvent.object_type == "initiative", AuditEvent.action == "initiative.submit"
            )
        )
        is not None
    )
    # later edits do not change what the board reads
    services.save_business_case(initiative, user=editor, fields=services.CaseFields(**{**CASE, "benefits": "Changed"}))
    db.session.commit()
    page = client.get(f"/reviews/{review.id}").get_data(as_text=True)
    assert CASE["benefits"] in page and "Changed" not in page


def test_double_submission_leaves_exactly_one_open_review(board, initiative, editor, signed_in):
    _ready(initiative, editor)
    client = signed_in(editor)
    first = client.post(f"/initiatives/{initiative.id}/submit", data={"board": str(board.id)})
    second = client.post(f"/initiatives/{initiative.id}/submit", data={"board": str(board.id)}, follow_redirects=True)
    assert first.status_code == 302 and second.status_code == 200
    assert "already before" in second.get_data(as_text=True)
    assert len(open_reviews(initiative)) == 1


def test_a_racing_second_tab_hits_the_unique_index_and_gets_a_friendly_refusal(board, initiative, editor, monkeypatch):
    _ready(initiative, editor)
    services.submit_initiative(initiative, user=editor, board=board)
    db.session.commit()
    monkeypatch.setattr(services.submission, "open_review_id", lambda *a: None)  # the check saw nothing yet
    with pytest.raises(services.AlreadyDone):
        services.submit_initiative(initiative, user=editor, board=board)
    monkeypatch.undo()
    db.session.rollback()
    assert len(open_reviews(initiative)) == 1


def test_viewers_and_reviewers_cannot_submit_or_edit_the_case(org, board, initiative, signed_in):
    for role in (Role.VIEWER, Role.REVIEWER):
        client = signed_in(create_user(org=org, role=role))
        assert client.post(f"/initiatives/{initiative.id}/submit", data={"board": str(board.id)}).status_code == 403
        assert client.get(f"/initiatives/{initiative.id}/business-case").status_code == 403


def test_business_case_form_keeps_the_text_when_refused(initiative, editor, signed_in):
    client = signed_in(editor)
    response = client.post(
        f"/initiatives/{initiative.id}/business-case", data={**CASE, "benefits": "Kept benefits \x07"}
    )
    assert response.status_code == 422
    assert "Kept benefits" in response.get_data(as_text=True)
    ok = client.post(f"/initiatives/{initiative.id}/business-case", data=CASE)
    assert ok.status_code == 302
    assert services.case_of(initiative).benefits == CASE["benefits"]


def test_withdrawing_stops_the_review_and_returns_the_initiative_to_proposed(board, initiative, editor, signed_in):
    _ready(initiative, editor)
    review = services.submit_initiative(initiative, user=editor, board=board)
    db.session.commit()
    assert signed_in(editor).post(f"/reviews/{review.id}/withdraw").status_code == 302
    db.session.expire_all()
    assert review.status == "withdrawn" and review.initiative.status == "proposed"


def test_the_portfolio_withdraw_button_withdraws_the_open_review_too(board, initiative, editor, signed_in):
    _ready(initiative, editor)
    review = services.submit_initiative(initiative, user=editor, board=board)
    db.session.commit()
    signed_in(editor).post(f"/initiatives/{initiative.id}/status", data={"status": "proposed"})
    db.session.expire_all()
    assert review.status == "withdrawn" and review.initiative.status == "proposed"
    services.submit_initiative(initiative, user=editor, board=board)  # it can go again
    db.session.commit()
    assert len(open_reviews(initiative)) == 1


def test_an_in_progress_initiative_cannot_be_submitted(board, initiative, editor):
    _ready(initiative, editor)
    initiative.status = InitiativeStatus.IN_PROGRESS.value
    db.session.commit()
    with pytest.raises(services.SubmissionRefused) as refused:
        services.submit_initiative(initiative, user=editor, board=board)
    assert "It is in progress" in refused.value.missing[0]


def test_submission_tells_the_board(board, initiative, editor, monkeypatch):
    told = []
    monkeypatch.setattr(services.inbox, "notify_review_submitted", told.append)
    _ready(initiative, editor)
    review = services.submit_initiative(initiative, user=editor, board=board)
    assert told == [review]


def test_dates_in_the_snapshot_are_iso_text(board, initiative, editor):
    initiative.start_date, initiative.end_date = date(2027, 7, 1), date(2028, 6, 30)
    _ready(initiative, editor)
    review = services.submit_initiative(initiative, user=editor, board=board)
    assert review.business_case["initiative"]["start_date"] == "2027-07-01"
