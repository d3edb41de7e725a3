"""Board meetings and their agenda items (the reviews to discuss, with minutes)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import TimestampMixin, VersionedMixin
from app.extensions import Model
from app.governance.models.boards import Board
from app.governance.models.enums import MeetingStatus, _values
from app.governance.models.reviews import Review


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
