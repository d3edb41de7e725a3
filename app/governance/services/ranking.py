"""Governance services: the ranking of a board's initiatives within the money, and its sensitivity to the
rubric's weights.

Rules (written on the ranking page too):

* **Weighted score** of a review: for each criterion of the rubric the review was scored with, the mean of the
  values given on *submitted*, non-recused score sheets, times the criterion's weight out of 100; summed. It is
  on the rubric's 1–5 scale, rounded half up to two decimals. A review nobody has scored has no score. It is
  computed in ``scoring`` (``score_from_means``), the same arithmetic as the review's score summary.
* **Who is ranked**: every initiative of the organization with an open review on the board, or whose latest
  review on the board was decided *approve* or *approve with conditions* (its current decision, after any
  correction). One row per initiative: its latest such review.
* **Order**: higher weighted score first; equal scores (to the cent of a point) put the cheaper initiative in
  the fiscal year first (more of the money goes further), then the initiative code. Initiatives not scored yet
  are listed apart and not ranked.
* **Funding line**: walking down the ranking, an initiative is *above the line* while the cumulative cost in the
  fiscal year stays within the board's envelope for that year; the first one that would exceed it and every one
  after it are *below*. Nothing further down is pulled up to fill a gap (the board may decide to).
* **Sensitivity**: each criterion's weight moves by +10 and by −10 points (kept within 0–100); the other
  criteria of the same rubric are rescaled in proportion to their weights so the total stays 100. The ranking
  and the funding line are recomputed from the same per-criterion means (no new scores), and each change shows
  whether the order or the funded set changes, and who moves. Criteria are matched by name, so reviews scored
  with an older rubric version follow the same change where they share the criterion.

Every function here runs a fixed number of SQL statements, whatever the number of initiatives or scores.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import aliased

from app.audit.services import record
from app.auth.models import User
from app.core.errors import DomainError, PermissionDenied
from app.extensions import db
from app.governance.models import (
    Board,
    BoardRole,
    BudgetEnvelope,
    Decision,
    Outcome,
    Review,
    ReviewKind,
    ReviewStatus,
)
from app.governance.services.scoring import CriterionMean, criterion_means, score_from_means
from app.governance.services.scoring import weighted_score as weighted_score  # re-exported: decisions import it here
from app.portfolio.models import Initiative, InitiativeCost
from app.portfolio.money import ZERO, format_money, plain_money

POINTS = Decimal("0.01")
SENSITIVITY_STEP = 10
APPROVING = (Outcome.APPROVE.value, Outcome.APPROVE_WITH_CONDITIONS.value)


class EnvelopeConflict(DomainError):
    """Someone changed the envelope after the form was opened."""

    def __init__(self, current: Decimal | None) -> None:
        self.current = current
        shown = format_money(current) if current is not None else "no envelope"
        super().__init__(
            f"Someone else changed this envelope to {shown} while you were editing. "
            "Check the amount below and save again if yours should still replace it."
        )


# --- the ranking ---------------------------------------------------------------------------------


@dataclass
class RankedItem:
    initiative_id: int
    code: str
    title: str
    status: str
    review_id: int
    review_status: str
    outcome: str | None  # the current decision's outcome, if decided
    cost: Decimal
    score: Decimal | None
    means: list[CriterionMean] = field(default_factory=list)
    rank: int | None = None
    cumulative: Decimal | None = None
    above: bool | None = None  # None when there is no envelope


@dataclass
class Ranking:
    board: Board
    fiscal_year: int
    envelope: Decimal | None
    ranked: list[RankedItem]
    unscored: list[RankedItem]

    @property
    def funded_total(self) -> Decimal:
        return sum((item.cost for item in self.ranked if item.above), start=ZERO)

    @property
    def requested_total(self) -> Decimal:
        return sum((item.cost for item in self.ranked), start=ZERO)

    def above_ids(self) -> set[int]:
        return {item.initiative_id for item in self.ranked if item.above}


def _current_outcomes() -> Any:
    """Decisions not superseded by another, as a subquery (review_id, outcome)."""
    later = aliased(Decision)
    return (
        select(Decision.review_id, Decision.outcome)
        .where(~exists().where(later.supersedes_id == Decision.id))
        .subquery("current_decision")
    )


def _candidates(board: Board) -> list[tuple[Review, Initiative, str | None]]:
    current = _current_outcomes()
    rows = db.session.execute(
        select(Review, Initiative, current.c.outcome)
        .join(Initiative, Initiative.id == Review.initiative_id)
        .outerjoin(current, current.c.review_id == Review.id)
        .where(
            Review.board_id == board.id,
            Review.kind == ReviewKind.INITIATIVE.value,
            Initiative.deleted_at.is_(None),
            (Review.status == ReviewStatus.OPEN.value)
            | and_(Review.status == ReviewStatus.DECIDED.value, current.c.outcome.in_(APPROVING)),
        )
        .order_by(Review.id)
    ).all()
    latest: dict[int, tuple[Review, Initiative, str | None]] = {}
    for review, initiative, outcome in rows:
        latest[initiative.id] = (review, initiative, outcome)  # ordered by review id: the latest wins
    return list(latest.values())


def costs_in_year(initiative_ids: Iterable[int], fiscal_year: int) -> dict[int, Decimal]:
    ids = list(set(initiative_ids))
    if not ids:
        return {}
    rows = db.session.execute(
        select(InitiativeCost.initiative_id, func.sum(InitiativeCost.capital + InitiativeCost.operating))
        .where(InitiativeCost.initiative_id.in_(ids), InitiativeCost.fiscal_year == fiscal_year)
        .group_by(InitiativeCost.initiative_id)
    ).all()
    return {initiative_id: Decimal(total or 0).quantize(POINTS) for initiative_id, total in rows}


def envelope_for(board: Board, fiscal_year: int) -> BudgetEnvelope | None:
    return db.session.scalar(
        select(BudgetEnvelope).where(BudgetEnvelope.board_id == board.id, BudgetEnvelope.fiscal_year == fiscal_year)
    )


def envelopes_of(board: Board) -> list[BudgetEnvelope]:
    return list(
        db.session.scalars(
            select(BudgetEnvelope).where(BudgetEnvelope.board_id == board.id).order_by(BudgetEnvelope.fiscal_year)
        )
    )


def _order(items: list[RankedItem]) -> list[RankedItem]:
    return sorted(items, key=lambda item: (-(item.score or ZERO), item.cost, item.code))


def draw_line(ordered: list[RankedItem], envelope: Decimal | None) -> None:
    """Number the items, add up their cost and mark each above or below the funding line (see the rules)."""
    cumulative = ZERO
    crossed = False
    for rank, item in enumerate(ordered, start=1):
        cumulative += item.cost
        item.rank, item.cumulative = rank, cumulative
        if envelope is None:
            item.above = None
            continue
        crossed = crossed or cumulative > envelope
        item.above = not crossed


def rank_board(board: Board, fiscal_year: int, *, envelope: Decimal | None = None, use_saved: bool = True) -> Ranking:
    """The board's ranking for ``fiscal_year``; ``envelope`` previews another amount than the saved one."""
    candidates = _candidates(board)
    means = criterion_means(review.id for review, _, _ in candidates)
    costs = costs_in_year((initiative.id for _, initiative, _ in candidates), fiscal_year)
    if envelope is None and use_saved:
        saved = envelope_for(board, fiscal_year)
        envelope = saved.amount if saved is not None else None
    items = [
        RankedItem(
            initiative_id=initiative.id,
            code=initiative.code,
            title=initiative.title,
            status=initiative.status,
            review_id=review.id,
            review_status=review.status,
            outcome=outcome,
            cost=costs.get(initiative.id, ZERO),
            score=score_from_means(means.get(review.id, [])),
            means=means.get(review.id, []),
        )
        for review, initiative, outcome in candidates
    ]
    ranked = _order([item for item in items if item.score is not None])
    draw_line(ranked, envelope)
    unscored = sorted((item for item in items if item.score is None), key=lambda item: item.code)
    return Ranking(board=board, fiscal_year=fiscal_year, envelope=envelope, ranked=ranked, unscored=unscored)


# --- moving across the line ------------------------------------------------------------------------


@dataclass(frozen=True)
class LineMoves:
    moved_above: list[RankedItem]
    moved_below: list[RankedItem]


def line_moves(ranking: Ranking, other_envelope: Decimal | None) -> LineMoves:
    """Who is on the other side of the line under ``ranking.envelope`` than under ``other_envelope``."""
    before = [RankedItem(**{**item.__dict__, "means": item.means}) for item in ranking.ranked]
    draw_line(before, other_envelope)
    was_above = {item.initiative_id for item in before if item.above}
    now_above = ranking.above_ids()
    return LineMoves(
        moved_above=[item for item in ranking.ranked if item.initiative_id in now_above - was_above],
        moved_below=[item for item in ranking.ranked if item.initiative_id in was_above - now_above],
    )


# --- sensitivity ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Move:
    code: str
    title: str
    before: int
    after: int


@dataclass(frozen=True)
class SensitivityRow:
    criterion: str
    weight: int
    delta: int
    new_weight: int
    order_changed: bool
    moves: list[Move]
    moved_above: list[str]
    moved_below: list[str]

    @property
    def line_changed(self) -> bool:
        return bool(self.moved_above or self.moved_below)


def shifted_weights(means: Sequence[CriterionMean], name: str, delta: int) -> dict[str, Fraction] | None:
    """The rubric's weights with ``name`` moved by ``delta`` points and the others rescaled to keep 100."""
    weights = {m.name: Fraction(m.weight) for m in means}
    if name not in weights:
        return None
    old = weights[name]
    new = min(Fraction(100), max(Fraction(0), old + delta))
    rest = sum(weights.values()) - old
    if rest == 0 or new == old:
        return None
    factor = (sum(weights.values()) - new) / rest
    return {key: (new if key == name else value * factor) for key, value in weights.items()}


def sensitivity(ranking: Ranking, criteria: Sequence[tuple[str, int]]) -> list[SensitivityRow]:
    """For each (criterion name, weight) of the board's rubric, the ranking with its weight ±10 points."""
    rows = []
    base_order = [item.initiative_id for item in ranking.ranked]
    base_rank = {item.initiative_id: item.rank or 0 for item in ranking.ranked}
    base_above = ranking.above_ids()
    for name, weight in criteria:
        for delta in (SENSITIVITY_STEP, -SENSITIVITY_STEP):
            new_weight = min(100, max(0, weight + delta))
            if new_weight == weight or weight == 100:
                continue
            rescored = []
            for item in ranking.ranked:
                weights = shifted_weights(item.means, name, delta)
                score = score_from_means(item.means, weights) if weights else item.score
                rescored.append(RankedItem(**{**item.__dict__, "score": score}))
            ordered = _order(rescored)
            draw_line(ordered, ranking.envelope)
            above = {item.initiative_id for item in ordered if item.above}
            rows.append(
                SensitivityRow(
                    criterion=name,
                    weight=weight,
                    delta=delta,
                    new_weight=new_weight,
                    order_changed=[item.initiative_id for item in ordered] != base_order,
                    moves=[
                        Move(item.code, item.title, base_rank[item.initiative_id], item.rank or 0)
                        for item in ordered
                        if item.rank != base_rank[item.initiative_id]
                    ],
                    moved_above=[item.code for item in ordered if item.initiative_id in above - base_above],
                    moved_below=[item.code for item in ordered if item.initiative_id in base_above - above],
                )
            )
    return rows


# --- the envelope -----------------------------------------------------------------------------------------


def can_set_envelope(board: Board, user: User) -> bool:
    member = board.member(user)
    return user.is_admin_of(board.organization_id) or (
        member is not None and member.role_enum in (BoardRole.CHAIR, BoardRole.SECRETARY)
    )


def set_envelope(
    board: Board, *, user: User, fiscal_year: int, amount: Decimal, seen: Decimal | None
) -> tuple[Decimal | None, bool]:
    """Set the board's envelope for a fiscal year; returns (the previous amount, whether it changed).

    ``seen`` is the amount the user's form showed (None for none): if the saved amount differs, someone else
    changed it meanwhile and EnvelopeConflict is raised rather than overwriting their change.
    """
    if not can_set_envelope(board, user):
        raise PermissionDenied("Only the board's chair or secretary, or an administrator, can set its envelope.")
    envelope = envelope_for(board, fiscal_year)
    previous = envelope.amount if envelope is not None else None
    if previous != seen:
        raise EnvelopeConflict(previous)
    if previous == amount:
        return previous, False
    if envelope is None:
        envelope = BudgetEnvelope(board_id=board.id, fiscal_year=fiscal_year, amount=amount)
        db.session.add(envelope)
    else:
        envelope.amount = amount
    db.session.flush()
    record(
        "budget_envelope.set",
        actor_id=user.id,
        organization_id=board.organization_id,
        object_type="budget_envelope",
        object_id=envelope.id,
        summary=f"{board.name}: FY{fiscal_year} envelope set to {format_money(amount)}"
        + (f" (was {format_money(previous)})" if previous is not None else ""),
        changes={
            "fiscal_year": fiscal_year,
            "amount": {"before": plain_money(previous) if previous is not None else None, "after": plain_money(amount)},
        },
    )
    return previous, True
