"""What the governance tables themselves guarantee, whatever the services do."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import DatabaseError, IntegrityError

from app.extensions import db
from app.governance.models import Decision, Outcome
from tests.governance.factories import create_review, give_scores


def _decision(review, chair, **fields) -> Decision:
    decision = Decision(
        organization_id=review.organization_id,
        board_id=review.board_id,
        review_id=review.id,
        decided_by_id=chair.id,
        **{"outcome": Outcome.APPROVE.value, "rationale": "Strong alignment with goal 2.", **fields},
    )
    db.session.add(decision)
    db.session.flush()
    return decision


def test_quorum_as_a_percentage_rounds_up(board):
    assert len(board.members) == 5
    assert board.quorum_needed() == 3  # 50 % of 5 is 2.5: three members
    board.quorum_kind, board.quorum_value = "count", 4
    assert board.quorum_needed() == 4


def test_a_second_first_decision_on_one_review_is_refused(board, initiative, editor, chair):
    review = create_review(board=board, initiative=initiative, submitted_by=editor)
    _decision(review, chair)
    with pytest.raises(IntegrityError), db.session.begin_nested():
        _decision(review, chair)


def test_the_database_refuses_to_change_or_delete_a_decision(board, initiative, editor, chair):
    review = create_review(board=board, initiative=initiative, submitted_by=editor)
    decision = _decision(review, chair)
    with pytest.raises(DatabaseError), db.session.begin_nested():
        decision.rationale = "Rewritten after the fact"
        db.session.flush()
    db.session.expire_all()
    with pytest.raises(DatabaseError), db.session.begin_nested():
        db.session.delete(db.session.get(Decision, decision.id))
        db.session.flush()


def test_a_correction_supersedes_and_becomes_current(board, initiative, editor, chair, members):
    review = create_review(board=board, initiative=initiative, submitted_by=editor)
    give_scores(review, members[0], [4, 4, 3, 3, 5])
    first = _decision(review, chair)
    correction = _decision(review, chair, supersedes_id=first.id, outcome=Outcome.DEFER.value)
    db.session.expire_all()
    assert review.current_decision is not None and review.current_decision.id == correction.id
