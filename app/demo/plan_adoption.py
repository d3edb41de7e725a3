"""Demo plan adoption: version 1 of the state plan adopted by the IT Governance Board, the draft revised since,
and version 2 with the board now, with reviewers' comments (one resolved)."""

from __future__ import annotations

from app.auth.models import Organization, User
from app.extensions import db
from app.governance.models import Board, BoardRole
from app.governance.services import adoption
from app.governance.services import decisions as decision_services
from app.plans import services as plan_services
from app.plans.models import Plan, PlanSection

BOARD_NAME = "IT Governance Board"

# Additions made after version 1 was adopted: what the office learned in the plan's first year.
REVISIONS = {
    "workforce": (
        "\n\n**Update after the first year.** Cloud-engineering vacancies fell from 14 to 6 after the apprenticeship "
        "with the state's community colleges took its first cohort of 18. Cybersecurity analysts remain the "
        "hardest roles to fill; we will extend the retention stipend to them in FY2028."
    ),
    "cybersecurity-privacy": (
        "\n\n**Zero-trust milestone.** Phishing-resistant multi-factor authentication now covers 92% of "
        "executive-branch accounts. The remaining agencies move over by the end of FY2028, ahead of the "
        "statewide identity platform's second release."
    ),
    "action-plan": (
        "\n\nThe unified benefits portal moves from FY2028 to FY2029 so that the eligibility rules engine can be "
        "procured once for SNAP, Medicaid and child-care assistance, rather than three times."
    ),
}


def load_demo_adoption(state: Organization, users: dict[tuple[str, str], User], plan: Plan) -> None:
    """Needs the IT Governance Board (from the governance demo); does nothing without it."""
    board = db.session.scalar(
        db.select(Board).where(Board.organization_id == state.id, Board.name == BOARD_NAME, Board.reviews_plans)
    )
    if board is None or board.current_rubric is None or not board.members:
        return
    editor = users[("demo-state-ocio", "editor")]
    chair = next((m.user for m in board.members if m.board_role == BoardRole.CHAIR), board.members[0].user)
    reviewers = [m.user for m in board.members if m.user_id != chair.id] or [chair]
    first = adoption.submit_plan(plan, user=editor, board=board, note="First complete draft, after agency consultation")
    _adopt(first, chair, [m.user for m in board.members])
    adoption.start_next_revision(plan, user=editor)
    _revise(plan, editor)
    second = adoption.submit_plan(
        plan,
        user=editor,
        board=board,
        note="Annual refresh: workforce and cybersecurity progress; benefits portal moved to FY2029",
    )
    _comment(second, reviewers[0], chair, editor)
    db.session.flush()


def _adopt(version, chair: User, members: list[User]) -> None:  # type: ignore[no-untyped-def]
    review = adoption.review_of(version)
    assert review is not None  # noqa: S101 - submit_plan created it
    for member in members:
        adoption.mark_reviewed(review, user=member)
    decision_services.record_decision(
        review,
        user=chair,
        values=decision_services.DecisionInput(
            outcome="approve",
            rationale=(
                "The plan ties every funded initiative to the Governor's digital-government priorities, keeps the "
                "portfolio within the FY2027 capital envelope and sets measures residents will notice."
            ),
            conditions="",
        ),
    )


def _revise(plan: Plan, editor: User) -> None:
    for section in plan.sections:
        addition = REVISIONS.get(section.key)
        if addition is None or section.is_deleted:
            continue
        _save(section, editor, section.body + addition)


def _save(section: PlanSection, user: User, body: str) -> None:
    plan_services.save_section(
        section, user=user, title=section.title, body=body, base_version=section.version, ready=True
    )


def _comment(version, reviewer: User, chair: User, editor: User) -> None:  # type: ignore[no-untyped-def]
    review = adoption.review_of(version)
    sections = {s.key: s for s in version.sections}
    workforce = sections.get("workforce")
    if workforce is not None:
        question = adoption.add_comment(
            workforce,
            user=reviewer,
            review=review,
            quote="took its first cohort of 18",
            body="How many of the 18 apprentices are still with the state after six months? Add the retention figure.",
        )
        adoption.add_comment(
            workforce,
            user=editor,
            review=review,
            parent=question,
            body="16 of 18 (89%). Added to the draft; it will be in version 3.",
        )
        adoption.set_resolved(question, user=reviewer, review=review, resolved=True)
    action_plan = sections.get("action-plan")
    if action_plan is not None:
        adoption.add_comment(
            action_plan,
            user=chair,
            review=review,
            quote="moves from FY2028 to FY2029",
            body="What does the one-year delay cost in the interim? Show the extra operating cost of the legacy "
            "eligibility systems for FY2028 in the resourcing section.",
        )
