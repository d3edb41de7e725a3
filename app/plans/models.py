"""Plans, their sections and each section's immutable revisions."""

from __future__ import annotations

import enum
import re
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import Organization, Role, User
from app.core.db import TimestampMixin, VersionedMixin, utcnow
from app.extensions import Model


class PlanStatus(enum.StrEnum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    PUBLISHED = "published"
    ARCHIVED = "archived"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class SectionState(enum.StrEnum):
    EMPTY = "empty"
    DRAFTING = "drafting"
    READY = "ready"


_WORD = re.compile(r"[\w'’-]+")


def count_words(text: str) -> int:
    return len(_WORD.findall(text))


class Plan(VersionedMixin, TimestampMixin, Model):
    __tablename__ = "plan"
    __table_args__ = (
        CheckConstraint("last_fiscal_year >= first_fiscal_year", name="period_order"),
        CheckConstraint("status IN ('draft', 'in_review', 'approved', 'published', 'archived')", name="status_valid"),
        Index("ix_plan_org_deleted", "organization_id", "deleted_at"),
    )
    __mapper_args__ = {"version_id_col": VersionedMixin.version}  # noqa: RUF012 - read once by the mapper

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="RESTRICT"))
    title: Mapped[str] = mapped_column(String(200))
    first_fiscal_year: Mapped[int]
    last_fiscal_year: Mapped[int]
    owner_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"))
    status: Mapped[str] = mapped_column(String(20), default=PlanStatus.DRAFT.value)
    template_key: Mapped[str | None] = mapped_column(String(60))
    deleted_at: Mapped[datetime | None]
    deleted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"))

    organization: Mapped[Organization] = relationship()
    owner: Mapped[User] = relationship(foreign_keys=[owner_id])
    sections: Mapped[list[PlanSection]] = relationship(
        back_populates="plan", order_by="PlanSection.position", cascade="all, delete-orphan"
    )

    @property
    def period_label(self) -> str:
        return f"FY{self.first_fiscal_year}–FY{self.last_fiscal_year}"

    @property
    def status_enum(self) -> PlanStatus:
        return PlanStatus(self.status)

    @property
    def is_editable(self) -> bool:
        """Draft plans, and plans whose latest version is with a board: the first change to those starts
        the draft of the next version (see ``services.start_new_draft``). An approved plan is revised by
        starting the next revision explicitly; published and archived plans are read-only."""
        return self.status in (PlanStatus.DRAFT, PlanStatus.IN_REVIEW) and self.deleted_at is None

    def can_view(self, user: User) -> bool:
        return self.deleted_at is None and user.is_member_of(self.organization_id)

    def can_edit(self, user: User) -> bool:
        return self.can_view(user) and user.role_in(self.organization_id) in (Role.ADMIN, Role.EDITOR)


class PlanSection(VersionedMixin, Model):
    """A part of a plan. ``version`` counts changes to its content: text, title or the ready tick
    (services raise it), so a form opened before any of them is stale, while a colleague moving or
    restoring the section never turns someone's save into a conflict; every UPDATE is still checked
    against the version the writer loaded."""

    __tablename__ = "plan_section"
    __table_args__ = (Index("ix_plan_section_plan_position", "plan_id", "position"),)
    __mapper_args__ = {  # noqa: RUF012 - read once by the mapper
        "version_id_col": VersionedMixin.version,
        "version_id_generator": False,
    }

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(60))
    title: Mapped[str] = mapped_column(String(200))
    guidance: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int]
    ready: Mapped[bool] = mapped_column(default=False)
    word_count: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime | None]
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"))
    deleted_at: Mapped[datetime | None]
    deleted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"))

    plan: Mapped[Plan] = relationship(back_populates="sections")
    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id])
    revisions: Mapped[list[SectionRevision]] = relationship(
        back_populates="section", order_by="SectionRevision.number", cascade="all, delete-orphan"
    )

    @property
    def state(self) -> SectionState:
        if not self.body.strip():
            return SectionState.EMPTY
        return SectionState.READY if self.ready else SectionState.DRAFTING

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class SectionRevision(Model):
    """An immutable copy of a section's text, written on every save."""

    __tablename__ = "section_revision"
    __table_args__ = (UniqueConstraint("section_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("plan_section.id", ondelete="CASCADE"))
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    note: Mapped[str] = mapped_column(String(200), default="")

    section: Mapped[PlanSection] = relationship(back_populates="revisions")
    author: Mapped[User] = relationship()
