"""Submitting a plan: freezing its next version (text, data and live blocks) and sending it to a board that adopts
plans. What the snapshot holds is in app/plans/snapshots."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from app.audit.services import record
from app.auth.models import User
from app.core.errors import DomainError, PermissionDenied
from app.extensions import db
from app.governance.models import (
    Board,
    PlanVersion,
    PlanVersionSection,
    PlanVersionStatus,
    Review,
    ReviewKind,
    ReviewStatus,
)
from app.governance.services import inbox
from app.plans.models import Plan, PlanStatus
from app.plans.snapshots import capture


def plan_boards(organization_id: int) -> list[Board]:
    """The organization's boards that may adopt its plan."""
    return list(
        db.session.scalars(
            db.select(Board)
            .where(Board.organization_id == organization_id, Board.reviews_plans, Board.archived_at.is_(None))
            .order_by(Board.name)
        )
    )


def submit_plan(plan: Plan, *, user: User, board: Board, note: str = "") -> PlanVersion:
    """Freeze the plan as its next version and send that version to ``board`` for review."""
    _check_submission(plan, user, board)
    visible = [s for s in plan.sections if not s.is_deleted]
    number = (db.session.scalar(db.select(func.max(PlanVersion.number)).where(PlanVersion.plan_id == plan.id)) or 0) + 1
    version = PlanVersion(
        plan=plan,
        number=number,
        title=plan.title,
        first_fiscal_year=plan.first_fiscal_year,
        last_fiscal_year=plan.last_fiscal_year,
        status=PlanVersionStatus.IN_REVIEW.value,
        note=note.strip(),
        data=capture(plan, [s.body for s in visible]),
        created_by_id=user.id,
    )
    for position, section in enumerate(visible, start=1):
        version.sections.append(
            PlanVersionSection(
                section_id=section.id, key=section.key, title=section.title, body=section.body, position=position
            )
        )
    rubric = board.current_rubric
    assert rubric is not None  # noqa: S101 - _check_submission refused a board without one
    review = Review(
        organization_id=plan.organization_id,
        board_id=board.id,
        rubric_id=rubric.id,
        kind=ReviewKind.PLAN.value,
        plan_version=version,
        submitted_by_id=user.id,
    )
    before = plan.status
    plan.status = PlanStatus.IN_REVIEW.value
    db.session.add_all([version, review])
    try:
        db.session.flush()
    except (IntegrityError, StaleDataError) as exc:  # a second click or tab submitted at the same moment
        db.session.rollback()
        raise DomainError("This plan was just submitted from another window. Reload the plan page.") from exc
    record(
        "plan.submit",
        actor_id=user.id,
        organization_id=plan.organization_id,
        object_type="plan_version",
        object_id=version.id,
        summary=f"Submitted version {number} of “{plan.title}” to {board.name}",
        changes={
            "plan_id": plan.id,
            "version": number,
            "board": board.name,
            "review_id": review.id,
            "sections": len(version.sections),
            "note": version.note,
            "status": {"before": before, "after": plan.status},
        },
    )
    inbox.notify_review_submitted(review)
    return version


def _check_submission(plan: Plan, user: User, board: Board) -> None:
    if not plan.can_edit(user):
        raise PermissionDenied("You need the editor or administrator role to submit this plan.")
    if plan.status not in (PlanStatus.DRAFT, PlanStatus.IN_REVIEW):
        raise DomainError(
            f"This plan is {plan.status_enum.label.lower()}. Start the next revision before submitting it again."
        )
    if board.organization_id != plan.organization_id or not board.reviews_plans or board.archived_at:
        raise DomainError("Choose a board that adopts the plan (its settings say it reviews plans).")
    if board.current_rubric is None:
        raise DomainError(f"{board.name} has no rubric yet. Ask an administrator to publish one, then submit.")
    if not board.members:
        raise DomainError(f"{board.name} has no members yet. Ask an administrator to add them, then submit.")
    if not any(s.body.strip() for s in plan.sections if not s.is_deleted):
        raise DomainError("The plan has no text yet. Write at least one section before submitting it.")
    waiting = db.session.scalar(
        db.select(PlanVersion.number)
        .join(Review, Review.plan_version_id == PlanVersion.id)
        .where(PlanVersion.plan_id == plan.id, Review.board_id == board.id, Review.status == ReviewStatus.OPEN)
    )
    if waiting is not None:
        raise DomainError(
            f"Version {waiting} of this plan is still with {board.name}. Wait for its decision (your edits since "
            f"are kept in the draft), then submit again."
        )


def frozen_scope(plan: Plan) -> dict[str, Any]:
    """The plan's snapshot as it stands now: its data and the live blocks of its current sections."""
    return capture(plan, [s.body for s in plan.sections if not s.is_deleted])
