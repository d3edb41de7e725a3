"""Keyword-only factories for governance tests that write rows directly, so each part of the
governance work can be tested before (or without) the others' services. Prefer a service when one
exists for what a test is about; these are for setting the scene."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import datetime

from app.auth.models import Organization, User
from app.core.db import utcnow
from app.extensions import db
from app.governance.models import (
    Board,
    BoardMember,
    BoardRole,
    Review,
    ReviewKind,
    Rubric,
    RubricCriterion,
    Score,
    ScoreSheet,
)
from app.portfolio.models import Initiative, InitiativeStatus

_numbers = itertools.count(1)

DEFAULT_CRITERIA: tuple[tuple[str, int], ...] = (
    ("Strategic alignment", 30),
    ("Value to residents", 25),
    ("Delivery risk", 20),
    ("Cost and value for money", 15),
    ("Architecture fit", 10),
)


def descriptors_for(name: str) -> list[str]:
    return [f"{name}: level {level}" for level in range(1, 6)]


def create_board(
    *,
    org: Organization,
    members: Sequence[tuple[User, BoardRole | str]] = (),
    name: str | None = None,
    criteria: Sequence[tuple[str, int]] = DEFAULT_CRITERIA,
    quorum_kind: str = "percent",
    quorum_value: int = 50,
    reviews_plans: bool = False,
) -> Board:
    board = Board(
        organization_id=org.id,
        name=name or f"Board {next(_numbers)}",
        terms_of_reference="Reviews investment proposals above $250,000.",
        quorum_kind=quorum_kind,
        quorum_value=quorum_value,
        reviews_plans=reviews_plans,
    )
    db.session.add(board)
    for user, role in members:
        board.members.append(BoardMember(user_id=user.id, board_role=BoardRole(role).value))
    rubric = Rubric(board=board, number=1, note="First version")
    for position, (criterion, weight) in enumerate(criteria, start=1):
        rubric.criteria.append(
            RubricCriterion(position=position, name=criterion, weight=weight, descriptors=descriptors_for(criterion))
        )
    db.session.add(rubric)
    db.session.commit()
    return board


def create_review(*, board: Board, initiative: Initiative, submitted_by: User) -> Review:
    """An open review of ``initiative``, as if submitted, with the initiative marked submitted."""
    assert board.current_rubric is not None
    review = Review(
        organization_id=board.organization_id,
        board_id=board.id,
        rubric_id=board.current_rubric.id,
        kind=ReviewKind.INITIATIVE.value,
        initiative_id=initiative.id,
        business_case={"problem": initiative.problem, "recommended_option": "Option B"},
        submitted_by_id=submitted_by.id,
    )
    initiative.status = InitiativeStatus.SUBMITTED.value
    db.session.add(review)
    db.session.commit()
    return review


def give_scores(
    review: Review,
    user: User,
    values: Sequence[int],
    *,
    submitted: bool = True,
    when: datetime | None = None,
) -> ScoreSheet:
    """``values`` in criterion order of the review's rubric."""
    sheet = ScoreSheet(review_id=review.id, user_id=user.id, submitted_at=(when or utcnow()) if submitted else None)
    for criterion, value in zip(review.rubric.criteria, values, strict=True):
        sheet.scores.append(Score(criterion_id=criterion.id, value=value))
    db.session.add(sheet)
    db.session.commit()
    return sheet


def recuse(review: Review, user: User, reason: str = "Former employer is a bidder") -> ScoreSheet:
    sheet = ScoreSheet(review_id=review.id, user_id=user.id, recused=True, recusal_reason=reason, submitted_at=utcnow())
    db.session.add(sheet)
    db.session.commit()
    return sheet
