"""The initiative portfolio: initiatives, their milestones, risks, costs and dependencies,
the objectives they serve, and which objectives and initiatives a plan covers."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import Organization, User
from app.core.db import TimestampMixin, VersionedMixin
from app.extensions import Model
from app.objectives.models import Kpi, PolicyObjective

MONEY = Numeric(14, 2)  # dollars and cents, never a float


class Category(enum.StrEnum):
    RUN = "run"  # keep the lights on
    CHANGE = "change"  # change the estate
    TRANSFORM = "transform"  # transform services to residents

    @property
    def label(self) -> str:
        return self.value.capitalize()


class InitiativeType(enum.StrEnum):
    PROJECT = "project"
    PROGRAMME = "programme"
    SERVICE_IMPROVEMENT = "service_improvement"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class InitiativeStatus(enum.StrEnum):
    PROPOSED = "proposed"
    SUBMITTED = "submitted"
    UNDER_REVIEW = "under_review"
    APPROVED = "approved"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    DEFERRED = "deferred"
    REJECTED = "rejected"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


# Transitions an editor may make by hand. Submission to a board and board decisions
# (submitted → under_review → approved / deferred / rejected) arrive with governance.
MANUAL_TRANSITIONS: dict[InitiativeStatus, tuple[InitiativeStatus, ...]] = {
    InitiativeStatus.PROPOSED: (InitiativeStatus.CANCELLED,),
    InitiativeStatus.SUBMITTED: (InitiativeStatus.PROPOSED,),  # withdraw
    InitiativeStatus.UNDER_REVIEW: (),
    InitiativeStatus.APPROVED: (InitiativeStatus.IN_PROGRESS, InitiativeStatus.CANCELLED),
    InitiativeStatus.IN_PROGRESS: (InitiativeStatus.COMPLETED, InitiativeStatus.DEFERRED, InitiativeStatus.CANCELLED),
    InitiativeStatus.DEFERRED: (InitiativeStatus.PROPOSED, InitiativeStatus.CANCELLED),
    InitiativeStatus.COMPLETED: (),
    InitiativeStatus.REJECTED: (InitiativeStatus.PROPOSED,),
    InitiativeStatus.CANCELLED: (),
}


class LinkRole(enum.StrEnum):
    PRIMARY = "primary"
    SUPPORTING = "supporting"


class RiskStatus(enum.StrEnum):
    OPEN = "open"
    MITIGATING = "mitigating"
    CLOSED = "closed"


_STATUS_VALUES = ", ".join(f"'{s.value}'" for s in InitiativeStatus)


class Initiative(VersionedMixin, TimestampMixin, Model):
    __tablename__ = "initiative"
    __table_args__ = (
        UniqueConstraint("organization_id", "code"),
        CheckConstraint("category IN ('run', 'change', 'transform')", name="category_valid"),
        CheckConstraint(f"status IN ({_STATUS_VALUES})", name="status_valid"),
        CheckConstraint("end_date IS NULL OR start_date IS NULL OR end_date >= start_date", name="date_order"),
        Index("ix_initiative_org_status", "organization_id", "status"),
        Index("ix_initiative_org_category", "organization_id", "category"),
    )
    __mapper_args__ = {"version_id_col": VersionedMixin.version}  # noqa: RUF012 - read once by the mapper

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="RESTRICT"))
    code: Mapped[str] = mapped_column(String(20))  # e.g. INI-0042, unique per organization
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    problem: Mapped[str] = mapped_column(Text, default="")
    citizen_outcome: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String(12), default=Category.CHANGE.value)
    initiative_type: Mapped[str] = mapped_column(String(24), default=InitiativeType.PROJECT.value)
    owner: Mapped[str] = mapped_column(String(120), default="")
    sponsor: Mapped[str] = mapped_column(String(120), default="")
    start_date: Mapped[date | None]
    end_date: Mapped[date | None]
    status: Mapped[str] = mapped_column(String(20), default=InitiativeStatus.PROPOSED.value)
    funding_source: Mapped[str] = mapped_column(String(200), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"))
    deleted_at: Mapped[datetime | None]
    deleted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"))

    organization: Mapped[Organization] = relationship()
    milestones: Mapped[list[Milestone]] = relationship(
        back_populates="initiative", order_by="Milestone.due_date", cascade="all, delete-orphan"
    )
    risks: Mapped[list[Risk]] = relationship(
        back_populates="initiative", order_by="Risk.id", cascade="all, delete-orphan"
    )
    costs: Mapped[list[InitiativeCost]] = relationship(
        back_populates="initiative", order_by="InitiativeCost.fiscal_year", cascade="all, delete-orphan"
    )
    objective_links: Mapped[list[ObjectiveLink]] = relationship(
        back_populates="initiative", cascade="all, delete-orphan"
    )
    dependencies: Mapped[list[InitiativeDependency]] = relationship(
        foreign_keys="InitiativeDependency.initiative_id", back_populates="initiative", cascade="all, delete-orphan"
    )
    kpis: Mapped[list[Kpi]] = relationship(
        primaryjoin="and_(Kpi.initiative_id == Initiative.id, Kpi.deleted_at.is_(None))", viewonly=True
    )

    @property
    def status_enum(self) -> InitiativeStatus:
        return InitiativeStatus(self.status)

    @property
    def allowed_transitions(self) -> tuple[InitiativeStatus, ...]:
        return MANUAL_TRANSITIONS[self.status_enum]

    def can_view(self, user: User) -> bool:
        return self.deleted_at is None and user.is_member_of(self.organization_id)

    def can_edit(self, user: User) -> bool:
        return self.deleted_at is None and user.can_edit_in(self.organization_id)


class Milestone(Model):
    __tablename__ = "milestone"

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiative.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    due_date: Mapped[date]
    done_date: Mapped[date | None]

    initiative: Mapped[Initiative] = relationship(back_populates="milestones")


class Risk(Model):
    __tablename__ = "risk"
    __table_args__ = (
        CheckConstraint("likelihood BETWEEN 1 AND 5", name="likelihood_range"),
        CheckConstraint("impact BETWEEN 1 AND 5", name="impact_range"),
        CheckConstraint("status IN ('open', 'mitigating', 'closed')", name="status_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiative.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    likelihood: Mapped[int]
    impact: Mapped[int]
    mitigation: Mapped[str] = mapped_column(Text, default="")
    owner: Mapped[str] = mapped_column(String(120), default="")
    status: Mapped[str] = mapped_column(String(12), default=RiskStatus.OPEN.value)

    initiative: Mapped[Initiative] = relationship(back_populates="risks")

    @property
    def score(self) -> int:
        """Likelihood × impact, 1–25; 15 or more is high."""
        return self.likelihood * self.impact


class InitiativeCost(Model):
    """Planned cost of an initiative in one fiscal year, split into capital and operating."""

    __tablename__ = "initiative_cost"
    __table_args__ = (
        UniqueConstraint("initiative_id", "fiscal_year"),
        CheckConstraint("capital >= 0 AND operating >= 0", name="not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiative.id", ondelete="CASCADE"))
    fiscal_year: Mapped[int]
    capital: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0.00"))
    operating: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0.00"))

    initiative: Mapped[Initiative] = relationship(back_populates="costs")

    @property
    def total(self) -> Decimal:
        return self.capital + self.operating


class InitiativeDependency(Model):
    """``initiative`` cannot finish before ``depends_on`` delivers."""

    __tablename__ = "initiative_dependency"
    __table_args__ = (
        UniqueConstraint("initiative_id", "depends_on_id"),
        CheckConstraint("initiative_id <> depends_on_id", name="not_self"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiative.id", ondelete="CASCADE"), index=True)
    depends_on_id: Mapped[int] = mapped_column(ForeignKey("initiative.id", ondelete="CASCADE"), index=True)

    initiative: Mapped[Initiative] = relationship(foreign_keys=[initiative_id], back_populates="dependencies")
    depends_on: Mapped[Initiative] = relationship(foreign_keys=[depends_on_id])


class ObjectiveLink(Model):
    """An initiative serves an objective, as its primary purpose or in support."""

    __tablename__ = "objective_link"
    __table_args__ = (
        UniqueConstraint("initiative_id", "objective_id"),
        CheckConstraint("role IN ('primary', 'supporting')", name="role_valid"),
        Index("ix_objective_link_objective", "objective_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiative.id", ondelete="CASCADE"))
    objective_id: Mapped[int] = mapped_column(ForeignKey("policy_objective.id", ondelete="RESTRICT"))
    role: Mapped[str] = mapped_column(String(12), default=LinkRole.PRIMARY.value)
    rationale: Mapped[str] = mapped_column(String(500), default="")

    initiative: Mapped[Initiative] = relationship(back_populates="objective_links")
    objective: Mapped[PolicyObjective] = relationship()


class PlanObjective(Model):
    """An objective in a plan's scope."""

    __tablename__ = "plan_objective"
    __table_args__ = (UniqueConstraint("plan_id", "objective_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    objective_id: Mapped[int] = mapped_column(ForeignKey("policy_objective.id", ondelete="RESTRICT"))


class PlanInitiative(Model):
    """An initiative in a plan's scope."""

    __tablename__ = "plan_initiative"
    __table_args__ = (UniqueConstraint("plan_id", "initiative_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiative.id", ondelete="CASCADE"))
