"""Boards, their members, their versioned scoring rubrics with criteria, and their yearly budget envelopes."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import Organization, User
from app.core.db import TimestampMixin, VersionedMixin, utcnow
from app.extensions import Model
from app.governance.models.enums import BoardRole, QuorumKind, _values
from app.portfolio.models import MONEY


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
