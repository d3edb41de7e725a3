"""Scoring arithmetic for reviews: weighted scores, each criterion's spread, and who has (not) scored.

Scale: every score is 1–5. A weighted score is Σ weight × value ÷ 100 (criterion weights are points out of 100),
on that 1–5 scale, rounded half up to two decimals; ``weighted_points`` is the one place it is computed.
``ReviewSummary.weighted_score`` averages the members' weighted scores; the ranking (``score_from_means``) weighs
each criterion's mean over the same sheets instead, so it can move the weights. A final sheet scores every
criterion of the review's rubric, so the two are the same figure. (Sheets marked reviewed on a plan version carry
no scores: both leave them out, so such a review has no weighted score.) ``weighted_percent`` is the figure as a
share of the maximum (5.00 → 100 %, 3.40 → 68 %). Recused members and unsubmitted (draft) sheets never count; a
review nobody has scored has no score. ``summaries_for`` and ``criterion_means`` compute many reviews at once in a
fixed number of SQL statements (the quorum check and the ranking use them).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.auth.models import User
from app.extensions import db
from app.governance.models import Board, BoardMember, Review, Rubric, RubricCriterion, Score, ScoreSheet

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


def weighted_points(terms: Iterable[tuple[Fraction, Fraction]]) -> Decimal:
    """Σ weight × value ÷ 100 for (weight, value) pairs, rounded half up to two places.

    Every weighted score (a member's sheet, a review's criterion means, the ranking's shifted weights) comes from
    here, so they cannot drift apart. The sum stays an exact fraction until the one rounding at the end.
    """
    total = sum((weight * value for weight, value in terms), start=Fraction(0)) / 100
    return _quantize(Decimal(total.numerator) / Decimal(total.denominator))


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
        if sheet.scores:  # a plan version's sheet only says "reviewed": it has no score to average
            sheet_weighted[sheet.user_id] = weighted_points(
                (Fraction(weights.get(s.criterion_id, 0)), Fraction(s.value)) for s in sheet.scores
            )
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


# --- from per-criterion means (the ranking) -------------------------------------------------------------------


@dataclass(frozen=True)
class CriterionMean:
    """The mean of the submitted values for one criterion of one review (an exact fraction)."""

    name: str
    weight: int
    mean: Fraction
    count: int


def criterion_means(review_ids: Iterable[int]) -> dict[int, list[CriterionMean]]:
    """Per review, the mean of each criterion over submitted, non-recused sheets (one statement)."""
    ids = list(set(review_ids))
    if not ids:
        return {}
    rows = db.session.execute(
        select(
            ScoreSheet.review_id,
            RubricCriterion.name,
            RubricCriterion.weight,
            RubricCriterion.position,
            func.sum(Score.value),
            func.count(Score.id),
        )
        .join(Score, Score.sheet_id == ScoreSheet.id)
        .join(RubricCriterion, RubricCriterion.id == Score.criterion_id)
        .where(ScoreSheet.review_id.in_(ids), ScoreSheet.submitted_at.is_not(None), ScoreSheet.recused.is_(False))
        .group_by(ScoreSheet.review_id, RubricCriterion.id, RubricCriterion.name, RubricCriterion.weight)
        .group_by(RubricCriterion.position)
        .order_by(ScoreSheet.review_id, RubricCriterion.position)
    ).all()
    means: dict[int, list[CriterionMean]] = defaultdict(list)
    for review_id, name, weight, _position, total, count in rows:
        means[review_id].append(
            CriterionMean(name=name, weight=weight, mean=Fraction(int(total), int(count)), count=count)
        )
    return dict(means)


def score_from_means(means: Sequence[CriterionMean], weights: dict[str, Fraction] | None = None) -> Decimal | None:
    """The weighted score from per-criterion means; ``weights`` (by criterion name) override the rubric's."""
    if not means:
        return None
    return weighted_points(((weights or {}).get(m.name, Fraction(m.weight)), m.mean) for m in means)


def weighted_score(review: Review) -> Decimal | None:
    """The review's weighted score as it stands now (recorded on a decision)."""
    return score_from_means(criterion_means([review.id]).get(review.id, []))
