"""Demo decisions, budget envelopes and inbox notices for the state office.

Called by app/demo/governance.py after the boards, reviews and scores exist. It records decisions through the
decision service (so status changes, audit events and notices are real) on the IT Governance Board's reviews
that have a quorum: approve with conditions, reject, defer, and one approval later corrected to a deferral.
At least one scored review is left open. Running it again changes nothing.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select

from app.auth.models import Organization, User
from app.extensions import db
from app.governance.models import Board, BudgetEnvelope, Decision, Notification, Review, ReviewKind, ReviewStatus
from app.governance.services import decisions, inbox, ranking

IT_BOARD = "IT Governance Board"

PLANNED = (
    (
        "approve_with_conditions",
        "Strong alignment with G2 (digital services residents can use) and a credible phased plan. "
        "The board funds phase 1 only.",
        "Return with the accessibility (Section 508) test results and a signed data-sharing agreement "
        "with the Department of Revenue before phase 2 funds are released.",
    ),
    (
        "reject",
        "The proposal duplicates the case-management module already licensed under the enterprise ERP contract; "
        "the agency should work with the ERP program office instead.",
        "",
    ),
    (
        "defer",
        "Worth doing, but the FY2027 envelope is committed to higher-scoring work. Resubmit for the FY2028 cycle "
        "with updated vendor quotes.",
        "",
    ),
    ("approve", "Approved: high value to residents and low delivery risk.", ""),
)
CORRECTION = (
    "defer",
    "Correction of the earlier approval: the vendor quote used in the business case expired, and the revised "
    "quote is 40 % higher. Deferred until the agency returns with a competitive quote.",
)


def _chair(board: Board) -> User | None:
    return next((m.user for m in board.members if m.board_role == "chair"), None)


def load_demo_decisions(state: Organization, users: dict[tuple[str, str], User]) -> None:
    board = db.session.scalar(select(Board).where(Board.organization_id == state.id, Board.name == IT_BOARD))
    if board is None or (chair := _chair(board)) is None:
        return
    already = db.session.scalar(select(func.count(Decision.id)).where(Decision.organization_id == state.id))
    if not already:
        _decide(board, chair)
    _envelopes(board)
    _notices(state, users)


def _decide(board: Board, chair: User) -> None:
    reviews = db.session.scalars(
        select(Review)
        .where(
            Review.board_id == board.id,
            Review.kind == ReviewKind.INITIATIVE.value,
            Review.status == ReviewStatus.OPEN.value,
        )
        .order_by(Review.id)
    ).all()
    ready = [review for review in reviews if decisions.quorum(review).met][:-1]  # leave one scored review open
    for review, (outcome, rationale, conditions) in zip(ready, PLANNED, strict=False):
        values = decisions.DecisionInput(outcome=outcome, rationale=rationale, conditions=conditions)
        decision = decisions.record_decision(review, user=chair, values=values)
        if outcome == "approve":
            correction = decisions.DecisionInput(outcome=CORRECTION[0], rationale=CORRECTION[1])
            decisions.correct_decision(decision, user=chair, values=correction)
    db.session.flush()


def _envelopes(board: Board) -> None:
    """An envelope per fiscal year that funds about two-thirds of what is ranked, so some fall below the line."""
    for year in (2027, 2028, 2029, 2030):
        if ranking.envelope_for(board, year) is not None:
            continue
        ranked = ranking.rank_board(board, year, use_saved=False).ranked
        requested = sum((item.cost for item in ranked), start=Decimal("0"))
        if requested <= 0:
            continue
        step = Decimal("100000")
        amount = (requested * 2 / 3 / step).quantize(Decimal("1")) * step
        if amount >= requested:
            amount = requested - ranked[-1].cost  # the last one always falls below the line
        db.session.add(BudgetEnvelope(board_id=board.id, fiscal_year=year, amount=max(amount, Decimal("0.00"))))
    db.session.flush()


def _notices(state: Organization, users: dict[tuple[str, str], User]) -> None:
    """Make sure the demo reviewer has something unread (submissions and scores due) on the first visit."""
    reviewer = next((user for (slug, role), user in users.items() if role == "reviewer" and slug == state.slug), None)
    if reviewer is None or db.session.scalar(select(Notification.id).where(Notification.user_id == reviewer.id)):
        return
    open_reviews = db.session.scalars(
        select(Review).where(Review.organization_id == state.id, Review.status == ReviewStatus.OPEN.value).limit(2)
    ).all()
    for review in open_reviews:
        inbox.notify_score_due(review, [reviewer])
    db.session.flush()
