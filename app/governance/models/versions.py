"""Frozen plan versions sent to a board, their sections, and reviewers' comments on those sections."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.core.db import utcnow
from app.extensions import Model
from app.governance.models.enums import PlanVersionStatus, _values
from app.plans.models import Plan


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
