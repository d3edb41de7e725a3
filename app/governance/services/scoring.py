"""Scoring arithmetic for reviews: weighted scores, each criterion's spread, and who has (not) scored.

Scale: every score is 1–5. ``weighted_score`` is the weighted average on that 1–5 scale (criterion weights are
points out of 100), averaged over the members who submitted scores; ``weighted_percent`` is the same figure as a
share of the maximum (5.00 → 100 %, 3.40 → 68 %). Recused members and unsubmitted (draft) sheets never count.
``summaries_for`` computes many reviews at once in a fixed number of SQL statements (the ranking and the quorum
check use it).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy.orm import selectinload

from app.auth.models import User
from app.extensions import db
from app.governance.models import Board, BoardMember, Review, Rubric, ScoreSheet

DISAGREEMENT_SPREAD = 2  # a criterion whose highest and lowest scores are this far apart is flagged
TWO_PLACES = Decimal("0.01")


@dataclass(frozen=True)
class CriterionSummary:
    criterion_id: int
    name: str
    weight: int
    count: int  # submitted sheets that scored it
    mean: Decimal | None  # 1–5, two decimal places
    low: int | None
    high: int | None

    @property
    def spread(self) -> int | None:
        return None if self.low is None or self.high is None else self.high - self.low

    @property
    def disagreement(self) -> bool:
        return self.spread is not None and self.spread >= DISAGREEMENT_SPREAD


@dataclass(frozen=True)
class ReviewSummary:
    review_id: int
    weighted_score: Decimal | None  # 1–5 scale, two places; None until someone has submitted scores
    criteria: list[CriterionSummary]
    scored: list[User]  # submitted their scores
    recused: list[User]
    drafting: list[User]  # members with a saved, unsubmitted draft
    not_scored: list[User]  # current members who have neither submitted nor recused (drafting ones included)
    member_count: int
    quorum_needed: int  # of the members who have not recused
    sheet_weighted: dict[int, Decimal] = field(default_factory=dict)  # user id → that member's weighted score

    @property
    def weighted_percent(self) -> Decimal | None:
        """The weighted score as a share of the maximum (5) in per cent, two places."""
        if self.weighted_score is None:
            return None
        return (self.weighted_score * 20).quantize(TWO_PLACES, ROUND_HALF_UP)

    @property
    def scored_count(self) -> int:
        return len(self.scored)

    @property
    def has_quorum(self) -> bool:
        return self.scored_count >= self.quorum_needed

    @property
    def disagreements(self) -> list[CriterionSummary]:
        return [c for c in self.criteria if c.disagreement]

    def has_finished(self, user: User) -> bool:
        """Submitted or recused: the member may now see everyone's scores."""
        return any(u.id == user.id for u in (*self.scored, *self.recused))


def _quantize(value: Decimal) -> Decimal:
    return value.quantize(TWO_PLACES, ROUND_HALF_UP)


def summarize(review: Review) -> ReviewSummary:
    """The summary of one review whose board members, rubric criteria and sheets with scores are loaded."""
    criteria = review.rubric.criteria
    final = [s for s in review.sheets if s.submitted_at is not None and not s.recused]
    by_criterion: dict[int, list[int]] = {c.id: [] for c in criteria}
    sheet_weighted: dict[int, Decimal] = {}
    weights = {c.id: c.weight for c in criteria}
    for sheet in final:
        for score in sheet.scores:
            by_criterion.setdefault(score.criterion_id, []).append(score.value)
        points = sum((Decimal(weights.get(s.criterion_id, 0) * s.value) for s in sheet.scores), start=Decimal(0))
        sheet_weighted[sheet.user_id] = _quantize(points / 100)
    summaries = [
        CriterionSummary(
            criterion_id=c.id,
            name=c.name,
            weight=c.weight,
            count=len(by_criterion[c.id]),
            mean=_quantize(Decimal(sum(by_criterion[c.id])) / len(by_criterion[c.id])) if by_criterion[c.id] else None,
            low=min(by_criterion[c.id], default=None),
            high=max(by_criterion[c.id], default=None),
        )
        for c in criteria
    ]
    weighted = (
        _quantize(sum(sheet_weighted.values(), start=Decimal(0)) / len(sheet_weighted)) if sheet_weighted else None
    )
    finished = {s.user_id for s in review.sheets if s.submitted_at is not None}
    recused = [s.user for s in review.sheets if s.recused]
    members = review.board.members
    return ReviewSummary(
        review_id=review.id,
        weighted_score=weighted,
        criteria=summaries,
        scored=[s.user for s in final],
        recused=recused,
        drafting=[s.user for s in review.sheets if s.submitted_at is None],
        not_scored=[m.user for m in members if m.user_id not in finished],
        member_count=len(members),
        quorum_needed=review.board.quorum_needed(max(len(members) - len(recused), 0)),
        sheet_weighted=sheet_weighted,
    )


def _loaded_reviews(review_ids: Iterable[int]) -> list[Review]:
    ids = sorted(set(review_ids))
    if not ids:
        return []
    return list(
        db.session.scalars(
            db.select(Review)
            .where(Review.id.in_(ids))
            .options(
                selectinload(Review.board).selectinload(Board.members).joinedload(BoardMember.user),
                selectinload(Review.rubric).selectinload(Rubric.criteria),
                selectinload(Review.sheets).selectinload(ScoreSheet.scores),
                selectinload(Review.sheets).joinedload(ScoreSheet.user),
            )
        )
    )


def summaries_for(review_ids: Iterable[int]) -> dict[int, ReviewSummary]:
    """Summaries of many reviews, keyed by review id, in a fixed number of statements however many there are."""
    return {review.id: summarize(review) for review in _loaded_reviews(review_ids)}


def review_summary(review: Review) -> ReviewSummary:
    """The summary of one review (loads what it needs in a fixed number of statements)."""
    return summaries_for([review.id])[review.id]
