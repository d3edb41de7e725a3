"""Keyword-only factories for governance tests that write rows directly, so each part of the
governance work can be tested before (or without) the others' services. Prefer a service when one
exists for what a test is about; these are for setting the scene."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from app.auth.models import Organization, User
from app.core.db import utcnow
from app.extensions import db
from app.governance.models import (
    AgendaItem,
    Board,
    BoardMember,
    BoardRole,
    BusinessCase,
    Decision,
    Meeting,
    Notification,
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


# --- the governance part of the shared test world (tests/core/world/) ---------------------------


@dataclass
class GovernanceWorld:
    """A tenant's boards, reviews and meeting. The tenant's administrator chairs ``board`` (so every governance
    POST is allowed to them); ``member`` is the reviewer's seat on it. ``review`` and ``agenda_review`` are on the
    meeting's agenda (items 1 and 2); ``loose_review`` (of a fourth initiative, INI-0004) is not, nor is
    ``candidate_review`` (INI-0005), left open for the agenda form. The main
    initiative has a complete business case and stays proposed, ready to be submitted to ``board``. Every text
    carries the canary."""

    board: Board
    member: BoardMember
    review: Review
    agenda_review: Review
    loose_review: Review
    meeting: Meeting
    candidate_review: Review
    item: AgendaItem
    sheet: ScoreSheet


def build_governance_world(
    *, org: Organization, admin: User, reviewer: User, editor: User, initiatives: Sequence[Initiative], canary: str
) -> GovernanceWorld:
    """``initiatives``: the main one (with costs, a risk and a linked objective), then two others."""
    main, second, third = initiatives
    criteria = [(f"Alignment {canary}", 60), (f"Value {canary}", 40)]
    board = create_board(
        org=org, name=f"Governance {canary}", members=[(admin, "chair"), (reviewer, "member")], criteria=criteria
    )
    board.terms_of_reference = f"Terms {canary}"
    db.session.add(
        BusinessCase(
            initiative_id=main.id,
            options_considered=f"Options {canary}",
            recommended_option=f"Option B {canary}",
            benefits=f"Benefits {canary}",
            alignment_rationale=f"Alignment {canary}",
        )
    )
    review = create_review(board=board, initiative=second, submitted_by=editor)
    agenda_review = create_review(board=board, initiative=third, submitted_by=editor)
    fourth = Initiative(
        organization_id=org.id,
        code="INI-0004",
        title=f"Case management {canary}",
        problem=f"Problem {canary}",
        created_by_id=editor.id,
    )
    db.session.add(fourth)
    db.session.flush()
    loose = create_review(board=board, initiative=fourth, submitted_by=editor)
    fifth = Initiative(
        organization_id=org.id,
        code="INI-0005",
        title=f"Grants portal {canary}",
        problem=f"Problem {canary}",
        created_by_id=editor.id,
    )
    db.session.add(fifth)
    db.session.flush()
    candidate = create_review(board=board, initiative=fifth, submitted_by=editor)
    for r in (review, agenda_review, loose, candidate):
        r.business_case = {**(r.business_case or {}), "benefits": f"Benefits {canary}"}
    sheet = give_scores(review, reviewer, [4, 2], submitted=True)
    sheet.scores[0].comment = f"Comment {canary}"
    meeting = Meeting(
        organization_id=org.id,
        board_id=board.id,
        title=f"Meeting {canary}",
        starts_at=utcnow() + timedelta(days=30),
        location=f"Room {canary}",
        notes=f"Notes {canary}",
        created_by_id=admin.id,
    )
    meeting.items.append(AgendaItem(review_id=review.id, position=1))
    meeting.items.append(AgendaItem(review_id=agenda_review.id, position=2))
    db.session.add(meeting)
    db.session.commit()
    member = next(m for m in board.members if m.user_id == reviewer.id)
    return GovernanceWorld(
        board=board,
        member=member,
        review=review,
        agenda_review=agenda_review,
        loose_review=loose,
        candidate_review=candidate,
        meeting=meeting,
        item=meeting.items[0],
        sheet=sheet,
    )


@dataclass
class DecisionWorld:
    """A decision (by the chair, on ``loose_review``, after the member scored it) and an unread notice for the
    chair: the objects the decision-log and inbox routes name."""

    decision: Decision
    notification: Notification


def build_decision_world(gov: GovernanceWorld, *, chair: User, reviewer: User, canary: str) -> DecisionWorld:
    from app.governance.services import decisions as decision_services

    give_scores(gov.loose_review, reviewer, [3, 4])
    values = decision_services.DecisionInput(
        outcome="approve_with_conditions", rationale=f"Rationale {canary}", conditions=f"Conditions {canary}"
    )
    decision = decision_services.record_decision(gov.loose_review, user=chair, values=values)
    notification = Notification(
        organization_id=gov.board.organization_id,
        user_id=chair.id,
        kind="review_submitted",
        subject=f"Submitted {canary}",
        body=f"Body {canary}",
        link=f"/decisions/{decision.id}",
    )
    db.session.add(notification)
    db.session.commit()
    return DecisionWorld(decision=decision, notification=notification)
