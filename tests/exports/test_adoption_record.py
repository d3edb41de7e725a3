"""The adoption page of an adopted version's PDF names the board and the decision even when the PDF is
prepared in the very transaction that records the decision (as the adoption hook does)."""

from __future__ import annotations

from app.auth.models import Role
from app.core.db import utcnow
from app.exports.pdf.documents import _adoption
from app.extensions import db
from app.governance.models import Decision, Outcome
from app.governance.services import adoption
from tests.factories import create_org, create_user
from tests.governance.adoption_helpers import review_for, submit, written_plan
from tests.governance.factories import create_board


def test_the_record_is_complete_before_the_decision_is_committed():
    org = create_org()
    editor = create_user(org=org, role=Role.EDITOR)
    chair = create_user(org=org, role=Role.REVIEWER, name="Dana Whitfield")
    board = create_board(org=org, name="IT Governance Board", reviews_plans=True, members=[(chair, "chair")])
    plan = written_plan(org=org, editor=editor)
    version = submit(plan, editor, board)
    review = review_for(version)
    assert review.decisions == []  # the collection is loaded now, before the decision exists
    decision = Decision(
        organization_id=org.id,
        board_id=board.id,
        review_id=review.id,
        outcome=Outcome.APPROVE.value,
        rationale="Aligned with the Governor's priorities.",
        decided_by_id=chair.id,
        decided_at=utcnow(),
    )
    db.session.add(decision)
    review.status = "decided"
    db.session.flush()
    adoption.apply_plan_decision(review, decision)
    db.session.flush()

    record = _adoption(plan, version)

    assert record is not None
    assert (record.board, record.outcome, record.version_number) == ("IT Governance Board", "Approve", 1)
    assert record.decided_at == decision.decided_at and record.rationale == decision.rationale
