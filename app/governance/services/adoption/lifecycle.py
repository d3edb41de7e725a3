"""A plan's status after adoption: starting the next revision, publishing, unpublishing and archiving."""

from __future__ import annotations

from app.audit.services import record_on
from app.auth.models import User
from app.core.errors import DomainError, PermissionDenied
from app.extensions import db
from app.governance.models import PlanVersion, PlanVersionStatus
from app.plans.models import Plan, PlanStatus


def _has_adopted_version(plan: Plan) -> bool:
    return (
        db.session.scalar(
            db.select(PlanVersion.id).where(
                PlanVersion.plan_id == plan.id, PlanVersion.status == PlanVersionStatus.ADOPTED
            )
        )
        is not None
    )


def _change_status(plan: Plan, user: User, action: str, after: PlanStatus, summary: str) -> None:
    before = plan.status
    plan.status = after.value
    db.session.flush()
    record_on(plan, action, user=user, summary=summary, changes={"status": {"before": before, "after": after.value}})


def start_next_revision(plan: Plan, *, user: User) -> None:
    """An approved plan becomes a draft again; its adopted version stays the adopted record."""
    if not plan.can_edit(user):
        raise PermissionDenied("You need the editor or administrator role to revise this plan.")
    if plan.status != PlanStatus.APPROVED:
        raise DomainError(f"This plan is {plan.status_enum.label.lower()}; only an approved plan is revised this way.")
    _change_status(plan, user, "plan.revise", PlanStatus.DRAFT, f"Started the next revision of “{plan.title}”")


def _ensure_admin(plan: Plan, user: User) -> None:
    if not user.is_admin_of(plan.organization_id):
        raise PermissionDenied("Only an administrator can publish, unpublish or archive a plan.")


def publish_plan(plan: Plan, *, user: User) -> None:
    _ensure_admin(plan, user)
    if plan.status != PlanStatus.APPROVED or not _has_adopted_version(plan):
        raise DomainError(
            f"This plan is {plan.status_enum.label.lower()}. Only an approved plan whose version a board adopted "
            "can be published: submit it to a board that adopts plans and record its decision first."
        )
    _change_status(plan, user, "plan.publish", PlanStatus.PUBLISHED, f"Published “{plan.title}”")


def unpublish_plan(plan: Plan, *, user: User) -> None:
    _ensure_admin(plan, user)
    if plan.status != PlanStatus.PUBLISHED:
        raise DomainError("This plan is not published.")
    _change_status(plan, user, "plan.unpublish", PlanStatus.APPROVED, f"Unpublished “{plan.title}”")


def archive_plan(plan: Plan, *, user: User) -> None:
    _ensure_admin(plan, user)
    if plan.status == PlanStatus.ARCHIVED:
        raise DomainError("This plan is already archived.")
    waiting = db.session.scalar(
        db.select(PlanVersion.number).where(
            PlanVersion.plan_id == plan.id, PlanVersion.status == PlanVersionStatus.IN_REVIEW
        )
    )
    if waiting is not None:
        raise DomainError(f"Version {waiting} is still with a board. Wait for its decision before archiving.")
    _change_status(plan, user, "plan.archive", PlanStatus.ARCHIVED, f"Archived “{plan.title}” (read-only)")
