"""Governance: boards, their rubrics, reviews of initiatives and plans, scores, meetings,
decisions, frozen plan versions with reviewers' comments, budget envelopes and the inbox.

Immutability: a rubric version, a submitted score sheet and a decision are never changed.
Editing a rubric writes a new ``Rubric`` version (reviews keep the one they were scored with);
a correction to a decision is a new ``Decision`` whose ``supersedes_id`` points at the old one.
Database triggers (migration 0003) refuse UPDATE and DELETE on ``decision``.
"""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Numeric, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import Organization, User
from app.core.db import TimestampMixin, VersionedMixin, utcnow
from app.extensions import Model
from app.plans.models import Plan
from app.portfolio.models import MONEY, Initiative


def _labelled(value: str) -> str:
    return value.replace("_", " ").capitalize()


class BoardRole(enum.StrEnum):
    CHAIR = "chair"
    SECRETARY = "secretary"
    MEMBER = "member"

    @property
    def label(self) -> str:
        return _labelled(self.value)


class QuorumKind(enum.StrEnum):
    COUNT = "count"  # at least N members
    PERCENT = "percent"  # at least N % of the members (rounded up)


class ReviewKind(enum.StrEnum):
    INITIATIVE = "initiative"
    PLAN = "plan"


class ReviewStatus(enum.StrEnum):
    OPEN = "open"  # submitted; members score; waiting for a decision
    DECIDED = "decided"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return _labelled(self.value)


class Outcome(enum.StrEnum):
    APPROVE = "approve"
    APPROVE_WITH_CONDITIONS = "approve_with_conditions"
    DEFER = "defer"
    REQUEST_CHANGES = "request_changes"
    REJECT = "reject"

    @property
    def label(self) -> str:
        return _labelled(self.value)


class MeetingStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    HELD = "held"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return _labelled(self.value)


class PlanVersionStatus(enum.StrEnum):
    IN_REVIEW = "in_review"  # submitted to a board, no decision yet
    ADOPTED = "adopted"
    RETURNED = "returned"  # the board deferred, asked for changes or rejected
    WITHDRAWN = "withdrawn"
    SUPERSEDED = "superseded"  # a later version was adopted

    @property
    def label(self) -> str:
        return _labelled(self.value)


def _values(enum_class: type[enum.StrEnum]) -> str:
    return ", ".join(f"'{member.value}'" for member in enum_class)


SCALE = (1, 2, 3, 4, 5)


class Board(VersionedMixin, TimestampMixin, Model):
    __tablename__ = "board"
    __table_args__ = (
        UniqueConstraint("organization_id", "name"),
        CheckConstraint(f"quorum_kind IN ({_values(QuorumKind)})", name="quorum_kind_valid"),
        CheckConstraint(
            "(quorum_kind = 'count' AND quorum_value >= 1)"
            " OR (quorum_kind = 'percent' AND quorum_value BETWEEN 1 AND 100)",
            name="quorum_value_range",
        ),
    )
    __mapper_args__ = {"version_id_col": VersionedMixin.version}  # noqa: RUF012 - read once by the mapper

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="RESTRICT"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    terms_of_reference: Mapped[str] = mapped_column(Text, default="")  # Markdown
    quorum_kind: Mapped[str] = mapped_column(String(10), default=QuorumKind.PERCENT.value)
    quorum_value: Mapped[int] = mapped_column(default=50)
    reviews_plans: Mapped[bool] = mapped_column(default=False)  # may adopt the IT strategic plan
    archived_at: Mapped[datetime | None]

    organization: Mapped[Organization] = relationship()
    members: Mapped[list[BoardMember]] = relationship(
        back_populates="board", cascade="all, delete-orphan", order_by="BoardMember.id"
    )
    rubrics: Mapped[list[Rubric]] = relationship(back_populates="board", order_by="Rubric.number")

    @property
    def current_rubric(self) -> Rubric | None:
        return self.rubrics[-1] if self.rubrics else None

    def quorum_needed(self, member_count: int | None = None) -> int:
        """How many members must have scored (or be present) for a decision."""
        count = len(self.members) if member_count is None else member_count
        if self.quorum_kind == QuorumKind.COUNT:
            return self.quorum_value
        return max(1, -(-count * self.quorum_value // 100))  # ceiling without floats

    def member(self, user: User) -> BoardMember | None:
        return next((m for m in self.members if m.user_id == user.id), None)

    def can_view(self, user: User) -> bool:
        return user.is_member_of(self.organization_id)

    def can_manage(self, user: User) -> bool:
        return user.is_admin_of(self.organization_id)


class BoardMember(Model):
    __tablename__ = "board_member"
    __table_args__ = (
        UniqueConstraint("board_id", "user_id"),
        CheckConstraint(f"board_role IN ({_values(BoardRole)})", name="board_role_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("board.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"), index=True)
    board_role: Mapped[str] = mapped_column(String(10), default=BoardRole.MEMBER.value)

    board: Mapped[Board] = relationship(back_populates="members")
    user: Mapped[User] = relationship()

    @property
    def role_enum(self) -> BoardRole:
        return BoardRole(self.board_role)


class Rubric(Model):
    """One immutable version of a board's scoring rubric; criteria weights sum to 100."""

    __tablename__ = "rubric"
    __table_args__ = (UniqueConstraint("board_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("board.id", ondelete="CASCADE"))
    number: Mapped[int]  # version 1, 2, ...
    note: Mapped[str] = mapped_column(String(300), default="")  # why it changed
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"))

    board: Mapped[Board] = relationship(back_populates="rubrics")
    criteria: Mapped[list[RubricCriterion]] = relationship(
        back_populates="rubric", order_by="RubricCriterion.position", cascade="all, delete-orphan"
    )


class RubricCriterion(Model):
    __tablename__ = "rubric_criterion"
    __table_args__ = (
        UniqueConstraint("rubric_id", "position"),
        CheckConstraint("weight BETWEEN 1 AND 100", name="weight_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    rubric_id: Mapped[int] = mapped_column(ForeignKey("rubric.id", ondelete="CASCADE"))
    position: Mapped[int]
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    weight: Mapped[int]  # points out of 100
    descriptors: Mapped[list[str]] = mapped_column(JSON)  # what a 1, 2, 3, 4 and 5 mean, in order

    rubric: Mapped[Rubric] = relationship(back_populates="criteria")


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


class PlanVersion(Model):
    """A frozen snapshot of a plan (version N) as sent to a board."""

    __tablename__ = "plan_version"
    __table_args__ = (
        UniqueConstraint("plan_id", "number"),
        CheckConstraint(f"status IN ({_values(PlanVersionStatus)})", name="status_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"))
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    first_fiscal_year: Mapped[int]
    last_fiscal_year: Mapped[int]
    status: Mapped[str] = mapped_column(String(12), default=PlanVersionStatus.IN_REVIEW.value)
    note: Mapped[str] = mapped_column(String(500), default="")  # the submitter's summary of changes
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # objectives, initiatives etc. as frozen for export
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"))

    plan: Mapped[Plan] = relationship()
    created_by: Mapped[User] = relationship()
    sections: Mapped[list[PlanVersionSection]] = relationship(
        back_populates="version", order_by="PlanVersionSection.position", cascade="all, delete-orphan"
    )

    @property
    def status_enum(self) -> PlanVersionStatus:
        return PlanVersionStatus(self.status)

    @property
    def period_label(self) -> str:
        return f"FY{self.first_fiscal_year}–FY{self.last_fiscal_year}"


class PlanVersionSection(Model):
    __tablename__ = "plan_version_section"
    __table_args__ = (UniqueConstraint("version_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("plan_version.id", ondelete="CASCADE"))
    section_id: Mapped[int | None] = mapped_column(ForeignKey("plan_section.id", ondelete="SET NULL"))
    key: Mapped[str] = mapped_column(String(60))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int]

    version: Mapped[PlanVersion] = relationship(back_populates="sections")


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


class Meeting(VersionedMixin, TimestampMixin, Model):
    __tablename__ = "meeting"
    __table_args__ = (
        CheckConstraint(f"status IN ({_values(MeetingStatus)})", name="status_valid"),
        Index("ix_meeting_board_starts", "board_id", "starts_at"),
    )
    __mapper_args__ = {"version_id_col": VersionedMixin.version}  # noqa: RUF012 - read once by the mapper

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="RESTRICT"))
    board_id: Mapped[int] = mapped_column(ForeignKey("board.id", ondelete="RESTRICT"))
    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime]
    location: Mapped[str] = mapped_column(String(200), default="")
    notes: Mapped[str] = mapped_column(Text, default="")  # Markdown
    status: Mapped[str] = mapped_column(String(10), default=MeetingStatus.SCHEDULED.value)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"))

    board: Mapped[Board] = relationship()
    items: Mapped[list[AgendaItem]] = relationship(
        back_populates="meeting", order_by="AgendaItem.position", cascade="all, delete-orphan"
    )


class AgendaItem(Model):
    __tablename__ = "agenda_item"
    __table_args__ = (UniqueConstraint("meeting_id", "review_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"))
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    minutes: Mapped[str] = mapped_column(Text, default="")

    meeting: Mapped[Meeting] = relationship(back_populates="items")
    review: Mapped[Review] = relationship()


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


class SectionComment(Model):
    """A reviewer's comment on one section of a submitted plan version; replies thread under it."""

    __tablename__ = "section_comment"
    __table_args__ = (Index("ix_section_comment_version_section", "version_section_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="RESTRICT"))
    version_section_id: Mapped[int] = mapped_column(ForeignKey("plan_version_section.id", ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("section_comment.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"))
    quote: Mapped[str] = mapped_column(Text, default="")  # the passage commented on, copied from the version
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"))

    version_section: Mapped[PlanVersionSection] = relationship()
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    resolved_by: Mapped[User | None] = relationship(foreign_keys=[resolved_by_id])
    replies: Mapped[list[SectionComment]] = relationship(order_by="SectionComment.id")


class BudgetEnvelope(Model):
    """The money a board may commit in one fiscal year: the funding line of its ranking."""

    __tablename__ = "budget_envelope"
    __table_args__ = (
        UniqueConstraint("board_id", "fiscal_year"),
        CheckConstraint("amount >= 0", name="not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("board.id", ondelete="CASCADE"))
    fiscal_year: Mapped[int]
    amount: Mapped[Decimal] = mapped_column(MONEY)


class Notification(Model):
    """An inbox entry for one user."""

    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_user_read", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="RESTRICT"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))  # review_submitted, score_due, decision_recorded, section_comment
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str] = mapped_column(String(500), default="")  # a path inside the app, never a full URL
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]
    emailed_at: Mapped[datetime | None]
