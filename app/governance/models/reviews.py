"""Business cases, reviews before a board, members' score sheets and scores, and the board's decisions."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Numeric, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import Organization, User
from app.core.db import TimestampMixin, VersionedMixin, utcnow
from app.extensions import Model
from app.governance.models.boards import Board, Rubric, RubricCriterion
from app.governance.models.enums import Outcome, ReviewKind, ReviewStatus, _values
from app.governance.models.versions import PlanVersion
from app.portfolio.models import Initiative


class BusinessCase(VersionedMixin, TimestampMixin, Model):
    """The case an editor makes for an initiative; frozen into each review at submission.
    Costs and risks come from the initiative's own costs and risks; the problem from its problem."""

    __tablename__ = "business_case"
    __mapper_args__ = {"version_id_col": VersionedMixin.version}  # noqa: RUF012 - read once by the mapper

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiative.id", ondelete="CASCADE"), unique=True)
    options_considered: Mapped[str] = mapped_column(Text, default="")
    recommended_option: Mapped[str] = mapped_column(Text, default="")
    benefits: Mapped[str] = mapped_column(Text, default="")
    alignment_rationale: Mapped[str] = mapped_column(Text, default="")
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"))

    initiative: Mapped[Initiative] = relationship()


class Review(TimestampMixin, Model):
    """An initiative's business case, or a plan version, before a board."""

    __tablename__ = "review"
    __table_args__ = (
        CheckConstraint(f"kind IN ({_values(ReviewKind)})", name="kind_valid"),
        CheckConstraint(f"status IN ({_values(ReviewStatus)})", name="status_valid"),
        CheckConstraint(
            "(kind = 'initiative' AND initiative_id IS NOT NULL AND plan_version_id IS NULL)"
            " OR (kind = 'plan' AND plan_version_id IS NOT NULL AND initiative_id IS NULL)",
            name="subject_matches_kind",
        ),
        # one open review per subject and board: a double click or a second tab cannot submit twice
        Index(
            "uq_review_open_initiative",
            "board_id",
            "initiative_id",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
        Index("uq_review_plan_version", "board_id", "plan_version_id", unique=True),
        Index("ix_review_org_status", "organization_id", "status"),
        Index("ix_review_initiative", "initiative_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="RESTRICT"))
    board_id: Mapped[int] = mapped_column(ForeignKey("board.id", ondelete="RESTRICT"))
    rubric_id: Mapped[int] = mapped_column(ForeignKey("rubric.id", ondelete="RESTRICT"))
    kind: Mapped[str] = mapped_column(String(12))
    initiative_id: Mapped[int | None] = mapped_column(ForeignKey("initiative.id", ondelete="RESTRICT"))
    plan_version_id: Mapped[int | None] = mapped_column(ForeignKey("plan_version.id", ondelete="RESTRICT"))
    status: Mapped[str] = mapped_column(String(10), default=ReviewStatus.OPEN.value)
    business_case: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # frozen at submission
    submitted_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"))
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)

    organization: Mapped[Organization] = relationship()
    board: Mapped[Board] = relationship()
    rubric: Mapped[Rubric] = relationship()
    initiative: Mapped[Initiative | None] = relationship()
    plan_version: Mapped[PlanVersion | None] = relationship()
    submitted_by: Mapped[User] = relationship()
    sheets: Mapped[list[ScoreSheet]] = relationship(back_populates="review", order_by="ScoreSheet.id")
    decisions: Mapped[list[Decision]] = relationship(back_populates="review", order_by="Decision.id")

    @property
    def status_enum(self) -> ReviewStatus:
        return ReviewStatus(self.status)

    @property
    def subject_title(self) -> str:
        if self.initiative is not None:
            return f"{self.initiative.code} {self.initiative.title}"
        assert self.plan_version is not None  # noqa: S101 - the check constraint guarantees it
        return f"{self.plan_version.title} (version {self.plan_version.number})"

    @property
    def current_decision(self) -> Decision | None:
        superseded = {d.supersedes_id for d in self.decisions}
        current = [d for d in self.decisions if d.id not in superseded]
        return current[-1] if current else None

    def can_view(self, user: User) -> bool:
        return user.is_member_of(self.organization_id)


class ScoreSheet(Model):
    """One member's part in one review: their scores, or their recusal."""

    __tablename__ = "score_sheet"
    __table_args__ = (
        UniqueConstraint("review_id", "user_id"),
        CheckConstraint("NOT (recused AND submitted_at IS NULL)", name="recusal_is_final"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"), index=True)
    recused: Mapped[bool] = mapped_column(default=False)
    recusal_reason: Mapped[str] = mapped_column(String(500), default="")
    submitted_at: Mapped[datetime | None]  # scores are hidden from others and editable until then

    review: Mapped[Review] = relationship(back_populates="sheets")
    user: Mapped[User] = relationship()
    scores: Mapped[list[Score]] = relationship(back_populates="sheet", cascade="all, delete-orphan")


class Score(Model):
    __tablename__ = "score"
    __table_args__ = (
        UniqueConstraint("sheet_id", "criterion_id"),
        CheckConstraint("value BETWEEN 1 AND 5", name="value_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sheet_id: Mapped[int] = mapped_column(ForeignKey("score_sheet.id", ondelete="CASCADE"))
    criterion_id: Mapped[int] = mapped_column(ForeignKey("rubric_criterion.id", ondelete="RESTRICT"))
    value: Mapped[int]
    comment: Mapped[str] = mapped_column(Text, default="")

    sheet: Mapped[ScoreSheet] = relationship(back_populates="scores")
    criterion: Mapped[RubricCriterion] = relationship()


class Decision(Model):
    """A board's decision on a review, with its rationale. Immutable: corrections supersede."""

    __tablename__ = "decision"
    __table_args__ = (
        CheckConstraint(f"outcome IN ({_values(Outcome)})", name="outcome_valid"),
        CheckConstraint("supersedes_id IS NULL OR supersedes_id <> id", name="not_self"),
        # the first decision on a review is unique, and a decision is corrected at most once
        Index(
            "uq_decision_first_per_review",
            "review_id",
            unique=True,
            sqlite_where=text("supersedes_id IS NULL"),
            postgresql_where=text("supersedes_id IS NULL"),
        ),
        UniqueConstraint("supersedes_id"),
        Index("ix_decision_org_decided", "organization_id", "decided_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="RESTRICT"))
    board_id: Mapped[int] = mapped_column(ForeignKey("board.id", ondelete="RESTRICT"))
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id", ondelete="RESTRICT"))
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id", ondelete="RESTRICT"))
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("decision.id", ondelete="RESTRICT"))
    outcome: Mapped[str] = mapped_column(String(24))
    rationale: Mapped[str] = mapped_column(Text)
    conditions: Mapped[str] = mapped_column(Text, default="")
    weighted_score: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))  # as it stood when decided
    scored_by: Mapped[int] = mapped_column(default=0)  # members who had scored, for the record
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"))
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)

    board: Mapped[Board] = relationship()
    review: Mapped[Review] = relationship(back_populates="decisions")
    decided_by: Mapped[User] = relationship()
    supersedes: Mapped[Decision | None] = relationship(remote_side=[id])

    @property
    def outcome_enum(self) -> Outcome:
        return Outcome(self.outcome)
