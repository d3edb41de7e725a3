"""Submitting an initiative to a board (the case frozen into the review), taking a review up, withdrawing."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy.exc import IntegrityError

from app.auth.models import User
from app.core.db import utcnow
from app.core.errors import DomainError, PermissionDenied
from app.extensions import db
from app.governance.models import Board, BusinessCase, Review, ReviewKind, ReviewStatus
from app.governance.services import inbox
from app.governance.services.reviews.cases import CASE_FIELDS, CASE_LABELS, case_of
from app.governance.services.reviews.common import AlreadyDone, _ensure_can_edit, _record_on_initiative
from app.portfolio.models import Initiative, InitiativeStatus
from app.portfolio.money import plain_money

# Statuses from which an initiative may go to a board (again: one initiative may go to several boards).
SUBMITTABLE = (
    InitiativeStatus.PROPOSED,
    InitiativeStatus.SUBMITTED,
    InitiativeStatus.UNDER_REVIEW,
    InitiativeStatus.DEFERRED,
)


class SubmissionRefused(DomainError):
    """Everything that stops a submission, listed at once."""

    def __init__(self, missing: list[str]) -> None:
        super().__init__("It cannot be submitted yet: " + " ".join(missing))
        self.missing = missing


def missing_for_submission(initiative: Initiative, board: Board | None, case: BusinessCase | None) -> list[str]:
    """Everything that stops ``initiative`` going to ``board`` (None: what stops it going to any board)."""
    missing = []
    if initiative.status_enum not in SUBMITTABLE:
        missing.append(
            f"It is {initiative.status_enum.label.lower()}: only proposed, submitted, under review or deferred "
            "initiatives can go to a board."
        )
    texts = {"problem": initiative.problem, **{name: getattr(case, name, "") or "" for name in CASE_FIELDS}}
    missing += [
        f"Fill in “{CASE_LABELS[name]}” in the business case." for name, text in texts.items() if not text.strip()
    ]
    if not initiative.costs:
        missing.append("Add the costs of at least one fiscal year.")
    if not [link for link in initiative.objective_links if link.objective.deleted_at is None]:
        missing.append("Link at least one objective it serves.")
    if board is not None:
        missing += board_problems(board)
    return missing


def board_problems(board: Board) -> list[str]:
    problems = []
    if board.archived_at is not None:
        problems.append(f"“{board.name}” is archived and takes no new submissions; choose another board.")
    if board.current_rubric is None or not board.current_rubric.criteria:
        problems.append(f"“{board.name}” has no scoring rubric yet; ask an administrator to publish one.")
    if not board.members:
        problems.append(f"“{board.name}” has no members yet; ask an administrator to add them.")
    return problems


def _money(value: Decimal) -> str:
    return plain_money(value)


def snapshot(initiative: Initiative, case: BusinessCase) -> dict[str, Any]:
    """The business case as submitted: frozen into the review, unaffected by later edits."""
    costs = [
        {
            "fiscal_year": c.fiscal_year,
            "capital": _money(c.capital),
            "operating": _money(c.operating),
            "total": _money(c.total),
        }
        for c in sorted(initiative.costs, key=lambda c: c.fiscal_year)
    ]
    return {
        "initiative": {
            "code": initiative.code,
            "title": initiative.title,
            "summary": initiative.summary,
            "citizen_outcome": initiative.citizen_outcome,
            "category": initiative.category,
            "initiative_type": initiative.initiative_type,
            "owner": initiative.owner,
            "sponsor": initiative.sponsor,
            "funding_source": initiative.funding_source,
            "start_date": initiative.start_date.isoformat() if initiative.start_date else None,
            "end_date": initiative.end_date.isoformat() if initiative.end_date else None,
        },
        "problem": initiative.problem,
        **{name: getattr(case, name) for name in CASE_FIELDS},
        "costs": costs,
        "total_cost": _money(sum((c.total for c in initiative.costs), start=Decimal("0.00"))),
        "risks": [
            {
                "title": r.title,
                "likelihood": r.likelihood,
                "impact": r.impact,
                "score": r.score,
                "mitigation": r.mitigation,
                "owner": r.owner,
                "status": r.status,
            }
            for r in initiative.risks
        ],
        "objectives": sorted(
            (
                {
                    "code": link.objective.code,
                    "title": link.objective.title,
                    "role": link.role,
                    "rationale": link.rationale,
                }
                for link in initiative.objective_links
                if link.objective.deleted_at is None
            ),
            key=lambda o: o["code"],
        ),
        "frozen_at": utcnow().isoformat(timespec="seconds"),
    }


def _already_submitted(initiative: Initiative, board: Board) -> AlreadyDone:
    return AlreadyDone(
        f"{initiative.code} is already before “{board.name}”: it was submitted once, and nothing more was sent."
    )


def open_review_id(initiative: Initiative, board: Board) -> int | None:
    return db.session.scalar(
        db.select(Review.id).where(
            Review.board_id == board.id, Review.initiative_id == initiative.id, Review.status == ReviewStatus.OPEN.value
        )
    )


def submit_initiative(initiative: Initiative, *, user: User, board: Board) -> Review:
    """Send the initiative's business case to a board; refused with everything missing, writing nothing."""
    _ensure_can_edit(initiative, user)
    if board.organization_id != initiative.organization_id:
        raise PermissionDenied("Choose one of your organization's boards.")
    case = case_of(initiative)
    open_review = open_review_id(initiative, board)
    if open_review is not None:
        raise _already_submitted(initiative, board)
    missing = missing_for_submission(initiative, board, case)
    if missing:
        raise SubmissionRefused(missing)
    assert case is not None and board.current_rubric is not None  # noqa: S101 - checked just above
    review = Review(
        organization_id=initiative.organization_id,
        board_id=board.id,
        rubric_id=board.current_rubric.id,
        kind=ReviewKind.INITIATIVE.value,
        initiative_id=initiative.id,
        status=ReviewStatus.OPEN.value,
        business_case=snapshot(initiative, case),
        submitted_by_id=user.id,
    )
    try:
        with db.session.begin_nested():
            db.session.add(review)
            db.session.flush()
    except IntegrityError as exc:  # a second tab got there between our check and our write
        raise _already_submitted(initiative, board) from exc
    before = initiative.status
    if initiative.status_enum in (InitiativeStatus.PROPOSED, InitiativeStatus.DEFERRED):
        initiative.status = InitiativeStatus.SUBMITTED.value
        db.session.flush()
    _record_on_initiative(
        initiative,
        user,
        "initiative.submit",
        f"Submitted {initiative.code} to “{board.name}” (rubric version {board.current_rubric.number})",
        {
            "review_id": review.id,
            "board_id": board.id,
            "rubric_id": review.rubric_id,
            "status": {"before": before, "after": initiative.status},
        },
    )
    inbox.notify_review_submitted(review)
    return review


def mark_under_review(review: Review) -> dict[str, str] | None:
    """Submitted → under review, the first time the board takes the review up; returns the change, if any."""
    initiative = review.initiative
    if initiative is None or initiative.status != InitiativeStatus.SUBMITTED.value:
        return None
    initiative.status = InitiativeStatus.UNDER_REVIEW.value
    db.session.flush()
    return {"before": InitiativeStatus.SUBMITTED.value, "after": InitiativeStatus.UNDER_REVIEW.value}


def withdraw_review(review: Review, *, user: User) -> None:
    """The submitter's side takes the item back before a decision; scoring stops."""
    initiative = review.initiative
    if initiative is None:
        raise DomainError("Plan versions are withdrawn from the plan's page.")
    _ensure_can_edit(initiative, user)
    if review.status != ReviewStatus.OPEN.value:
        raise AlreadyDone(f"This review is already {review.status_enum.label.lower()}; nothing was changed.")
    review.status = ReviewStatus.WITHDRAWN.value
    db.session.flush()
    still_open = db.session.scalar(
        db.select(db.func.count())
        .select_from(Review)
        .where(Review.initiative_id == initiative.id, Review.status == ReviewStatus.OPEN.value)
    )
    before = initiative.status
    if not still_open and initiative.status_enum in (InitiativeStatus.SUBMITTED, InitiativeStatus.UNDER_REVIEW):
        initiative.status = InitiativeStatus.PROPOSED.value
        db.session.flush()
    _record_on_initiative(
        initiative,
        user,
        "initiative.withdraw",
        f"Withdrew {initiative.code} from “{review.board.name}”",
        {"review_id": review.id, "status": {"before": before, "after": initiative.status}},
    )


def withdraw_open_reviews(initiative: Initiative, *, user: User) -> int:
    """Withdraw every open review of the initiative (when it is withdrawn from its own page)."""
    reviews = db.session.scalars(
        db.select(Review).where(Review.initiative_id == initiative.id, Review.status == ReviewStatus.OPEN.value)
    ).all()
    for review in reviews:
        withdraw_review(review, user=user)
    return len(reviews)
