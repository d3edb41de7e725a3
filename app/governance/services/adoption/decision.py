"""Applying a board's decision on a plan version: adopting it (superseding the earlier one) or returning it."""

from __future__ import annotations

from app.audit.services import record
from app.core.db import utcnow
from app.extensions import db
from app.governance.models import Decision, Outcome, PlanVersion, PlanVersionStatus, Review
from app.plans.models import Plan, PlanStatus

ADOPTING = (Outcome.APPROVE.value, Outcome.APPROVE_WITH_CONDITIONS.value)


def apply_plan_decision(review: Review, decision: Decision) -> None:
    """Apply a board's decision on a plan version (adopt, or return it); called by the decision service
    in the decision's transaction.

    Adopt (approve, approve with conditions): the version becomes ``adopted`` and any earlier adopted version
    ``superseded``; the plan becomes ``approved`` when its title, period and sections still equal the version,
    otherwise it stays a draft (the edits made since submission are the next version). Defer, request changes
    or reject: the version is ``returned`` and the plan, if it was waiting, goes back to ``draft``.
    """
    version = review.plan_version
    if version is None:
        return
    plan = version.plan
    before = {"version": version.status, "plan": plan.status}
    if decision.outcome in ADOPTING:
        _adopt(version, plan)
    else:
        version.status = PlanVersionStatus.RETURNED.value
        if plan.status in (PlanStatus.IN_REVIEW, PlanStatus.APPROVED):
            plan.status = PlanStatus.DRAFT.value
    db.session.flush()
    adopted = decision.outcome in ADOPTING
    record(
        "plan.adopted" if adopted else "plan.returned",
        actor_id=decision.decided_by_id,
        organization_id=plan.organization_id,
        object_type="plan_version",
        object_id=version.id,
        summary=f"{review.board.name} {'adopted' if adopted else 'returned'} version {version.number} of "
        f"“{version.title}” ({Outcome(decision.outcome).label.lower()})",
        changes={
            "plan_id": plan.id,
            "version": version.number,
            "board": review.board.name,
            "decision_id": decision.id,
            "outcome": decision.outcome,
            "decided_on": (decision.decided_at or utcnow()).date().isoformat(),
            "version_status": {"before": before["version"], "after": version.status},
            "plan_status": {"before": before["plan"], "after": plan.status},
        },
    )


def _adopt(version: PlanVersion, plan: Plan) -> None:
    earlier = db.session.scalars(
        db.select(PlanVersion).where(
            PlanVersion.plan_id == plan.id,
            PlanVersion.status == PlanVersionStatus.ADOPTED,
            PlanVersion.id != version.id,
        )
    )
    for other in earlier:
        other.status = PlanVersionStatus.SUPERSEDED.value
    version.status = PlanVersionStatus.ADOPTED.value
    if plan.status in (PlanStatus.DRAFT, PlanStatus.IN_REVIEW, PlanStatus.APPROVED):
        plan.status = (PlanStatus.APPROVED if draft_matches(plan, version) else PlanStatus.DRAFT).value


def draft_matches(plan: Plan, version: PlanVersion) -> bool:
    """Whether the working draft's title, period and sections (in order) equal a frozen version."""
    draft = [(s.key, s.title, s.body) for s in plan.sections if not s.is_deleted]
    frozen = [(s.key, s.title, s.body) for s in version.sections]
    same_header = (plan.title, plan.first_fiscal_year, plan.last_fiscal_year) == (
        version.title,
        version.first_fiscal_year,
        version.last_fiscal_year,
    )
    return same_header and draft == frozen
