"""Set-up shared by the plan-adoption tests: a plan with text and a board that adopts plans."""

from __future__ import annotations

from app.auth.models import Organization, User
from app.core.db import utcnow
from app.extensions import db
from app.governance.models import Board, Decision, Outcome, PlanVersion, Review
from app.governance.services import adoption
from app.plans import services as plan_services
from app.plans.models import Plan, PlanSection
from tests.factories import create_plan


def written_plan(*, org: Organization, editor: User, sections: int | None = None, **fields: object) -> Plan:
    """A plan from the compact template whose every section has a sentence of its own (``sections`` extra
    sections are added first when given, for statement counts)."""
    plan = create_plan(org=org, owner=editor, **fields)  # type: ignore[arg-type]
    for n in range(sections or 0):
        plan_services.add_section(plan, user=editor, title=f"Programme {n + 1}")
    for n, section in enumerate(plan.sections, start=1):
        plan_services.save_section(
            section,
            user=editor,
            title=section.title,
            body=f"Section {n} says the office will consolidate {n} data centres by FY2029.",
            base_version=section.version,
            ready=True,
        )
    db.session.commit()
    return plan


def visible(plan: Plan) -> list[PlanSection]:
    db.session.expire_all()
    return [s for s in db.session.get(Plan, plan.id).sections if not s.is_deleted]  # type: ignore[union-attr]


def edit(section: PlanSection, user: User, body: str, *, title: str | None = None) -> None:
    plan_services.save_section(
        section, user=user, title=title or section.title, body=body, base_version=section.version, ready=True
    )
    db.session.commit()


def submit(plan: Plan, editor: User, board: Board, note: str = "") -> PlanVersion:
    version = adoption.submit_plan(plan, user=editor, board=board, note=note)
    db.session.commit()
    return version


def review_for(version: PlanVersion) -> Review:
    review = adoption.review_of(version)
    assert review is not None
    return review


def decide(version: PlanVersion, chair: User, outcome: Outcome = Outcome.APPROVE) -> Decision:
    """Write a decision row and apply it, as the decision service does in its transaction."""
    review = review_for(version)
    decision = Decision(
        organization_id=review.organization_id,
        board_id=review.board_id,
        review_id=review.id,
        outcome=outcome.value,
        rationale="The plan is aligned with the Governor's digital priorities and affordable.",
        decided_by_id=chair.id,
        decided_at=utcnow(),
    )
    db.session.add(decision)
    review.status = "decided"
    db.session.flush()
    adoption.apply_plan_decision(review, decision)
    db.session.commit()
    return decision


def build_adoption_world(*, org: Organization, admin: User, reviewer: User, editor: User, canary: str) -> dict:
    """For tests/core/world/: two boards that adopt plans (the admin chairs both, the reviewer sits on the
    first), a plan of its own (not among the tenant's ``plans``) whose version 1 is with the first board with
    a comment by the reviewer, and nothing open for the tenant's first plan, which can still be submitted to
    either board. Every text carries the canary."""
    from tests.governance.factories import create_board

    boards = [
        create_board(
            org=org,
            name=f"{name} {canary}",
            reviews_plans=True,
            members=[(admin, "chair"), (reviewer, "member")] if n == 0 else [(admin, "chair")],
        )
        for n, name in enumerate(("Plan adoption board", "Second plan board"))
    ]
    plan = written_plan(org=org, editor=editor, title=f"Adopted plan {canary}")
    edit(plan.sections[0], editor, f"Executive summary {canary}")
    version = adoption.submit_plan(plan, user=editor, board=boards[0], note=f"Note {canary}")
    comment = adoption.add_comment(
        version.sections[0], user=reviewer, review=review_for(version), body=f"Comment {canary}", quote=canary
    )
    db.session.commit()
    return {"boards": boards, "plan": plan, "version": version, "comment": comment}
