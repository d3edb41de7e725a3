"""Reading a plan's frozen versions: one version with its sections, the version history and the adoption summary."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import joinedload, selectinload

from app.extensions import db
from app.governance.models import Board, BoardMember, Decision, PlanVersion, PlanVersionStatus, Review, ScoreSheet


def load_version(plan_id: int, *, number: int | None = None, version_id: int | None = None) -> PlanVersion | None:
    """A plan's version by number or id, with its sections and author loaded (two statements)."""
    query = (
        db.select(PlanVersion)
        .where(PlanVersion.plan_id == plan_id)
        .options(selectinload(PlanVersion.sections), joinedload(PlanVersion.created_by), joinedload(PlanVersion.plan))
    )
    if number is not None:
        query = query.where(PlanVersion.number == number)
    if version_id is not None:
        query = query.where(PlanVersion.id == version_id)
    return db.session.scalar(query)


@dataclass(frozen=True)
class VersionEntry:
    """One line of a plan's version history: the version, the review it went to and the board's decision."""

    version: PlanVersion
    review: Review | None
    decision: Decision | None

    @property
    def board(self) -> Board | None:
        return self.review.board if self.review else None


def version_history(plan_id: int) -> list[VersionEntry]:
    """Every version of a plan, newest first, with its review, board and current decision (four statements)."""
    versions = db.session.scalars(
        db.select(PlanVersion)
        .where(PlanVersion.plan_id == plan_id)
        .options(joinedload(PlanVersion.created_by))
        .order_by(PlanVersion.number.desc())
    ).all()
    reviews = _reviews_of([v.id for v in versions])
    entries = []
    for version in versions:
        review = reviews.get(version.id)
        entries.append(VersionEntry(version, review, review.current_decision if review else None))
    return entries


def _reviews_of(version_ids: list[int]) -> dict[int, Review]:
    if not version_ids:
        return {}
    found = db.session.scalars(
        db.select(Review)
        .where(Review.plan_version_id.in_(version_ids))
        .options(joinedload(Review.board), selectinload(Review.decisions).joinedload(Decision.decided_by))
        .order_by(Review.id)
        # A review already in the session may hold a decisions list read before its decision was recorded
        # (whether it is still there depends on garbage collection): read the current one from the database.
        .execution_options(populate_existing=True)
    ).all()
    return {review.plan_version_id: review for review in found if review.plan_version_id is not None}


def review_of(version: PlanVersion) -> Review | None:
    """The review a version went to, with its board, members, sheets and decisions."""
    return db.session.scalar(
        db.select(Review)
        .where(Review.plan_version_id == version.id)
        .options(
            joinedload(Review.board).selectinload(Board.members).joinedload(BoardMember.user),
            selectinload(Review.sheets).joinedload(ScoreSheet.user),
            selectinload(Review.decisions),
        )
        .order_by(Review.id)
        .limit(1)
    )


@dataclass(frozen=True)
class AdoptionSummary:
    """What the plan page says about the plan's versions: the one adopted (with its decision) and the one
    with a board now."""

    adopted: VersionEntry | None
    open: VersionEntry | None
    latest_submitted: PlanVersion | None
    version_count: int


def adoption_summary(plan_id: int) -> AdoptionSummary:
    entries = version_history(plan_id)
    adopted = next((e for e in entries if e.version.status == PlanVersionStatus.ADOPTED), None)
    in_review = next((e for e in entries if e.version.status == PlanVersionStatus.IN_REVIEW), None)
    latest = entries[0].version if entries else None
    return AdoptionSummary(adopted, in_review, latest, len(entries))
