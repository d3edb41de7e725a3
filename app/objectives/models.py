"""Policy objectives (goal → objective → sub-objective) and the KPIs that measure them."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import Organization, User
from app.core.db import TimestampMixin, VersionedMixin, utcnow
from app.extensions import Model

MAX_OBJECTIVE_DEPTH = 4
KPI_VALUE = Numeric(18, 4)


class PolicySourceType(enum.StrEnum):
    STATUTE = "statute"
    EXECUTIVE_ORDER = "executive_order"
    GOVERNOR_PRIORITY = "governor_priority"
    COUNCIL_PRIORITY = "council_priority"
    AGENCY_MANDATE = "agency_mandate"
    OTHER = "other"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class Direction(enum.StrEnum):
    HIGHER = "higher"  # higher is better
    LOWER = "lower"  # lower is better


class Frequency(enum.StrEnum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    ANNUALLY = "annually"

    @property
    def days(self) -> int:
        """How long a measurement stays current before the KPI is flagged stale."""
        return {"monthly": 31, "quarterly": 92, "annually": 366}[self.value]


class PolicyObjective(VersionedMixin, TimestampMixin, Model):
    __tablename__ = "policy_objective"
    __table_args__ = (
        UniqueConstraint("organization_id", "code"),
        CheckConstraint("depth BETWEEN 1 AND 4", name="depth_range"),
        Index("ix_policy_objective_org_parent", "organization_id", "parent_id"),
    )
    __mapper_args__ = {"version_id_col": VersionedMixin.version}  # noqa: RUF012 - read once by the mapper

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="RESTRICT"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("policy_objective.id", ondelete="RESTRICT"))
    depth: Mapped[int] = mapped_column(default=1)  # 1 = goal, 2 = objective, 3-4 = sub-objectives
    position: Mapped[int] = mapped_column(default=0)
    code: Mapped[str] = mapped_column(String(20))  # e.g. G2.1, unique per organization
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    policy_source_type: Mapped[str] = mapped_column(String(30), default=PolicySourceType.OTHER.value)
    policy_source: Mapped[str] = mapped_column(String(300), default="")  # e.g. "Executive Order 2025-07"
    owner: Mapped[str] = mapped_column(String(120), default="")  # a role or a person
    active_from: Mapped[date | None]
    active_to: Mapped[date | None]
    deleted_at: Mapped[datetime | None]
    deleted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"))

    organization: Mapped[Organization] = relationship()
    parent: Mapped[PolicyObjective | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[PolicyObjective]] = relationship(back_populates="parent", order_by="PolicyObjective.code")
    kpis: Mapped[list[Kpi]] = relationship(
        back_populates="objective", primaryjoin="and_(Kpi.objective_id == PolicyObjective.id, Kpi.deleted_at.is_(None))"
    )

    @property
    def is_goal(self) -> bool:
        return self.parent_id is None

    def can_view(self, user: User) -> bool:
        """Members see their own objectives; an agency also sees what its parent organization publishes."""
        if self.deleted_at is not None:
            return False
        if user.is_member_of(self.organization_id):
            return True
        return any(m.organization.parent_id == self.organization_id for m in user.active_memberships)

    def can_edit(self, user: User) -> bool:
        return self.deleted_at is None and user.can_edit_in(self.organization_id)


class Kpi(VersionedMixin, TimestampMixin, Model):
    """A measure on an objective or on an initiative (exactly one of the two)."""

    __tablename__ = "kpi"
    __table_args__ = (
        CheckConstraint("(objective_id IS NULL) <> (initiative_id IS NULL)", name="one_subject"),
        CheckConstraint("direction IN ('higher', 'lower')", name="direction_valid"),
        CheckConstraint("frequency IN ('monthly', 'quarterly', 'annually')", name="frequency_valid"),
    )
    __mapper_args__ = {"version_id_col": VersionedMixin.version}  # noqa: RUF012 - read once by the mapper

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="RESTRICT"), index=True)
    objective_id: Mapped[int | None] = mapped_column(ForeignKey("policy_objective.id", ondelete="RESTRICT"), index=True)
    initiative_id: Mapped[int | None] = mapped_column(ForeignKey("initiative.id", ondelete="RESTRICT"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    unit: Mapped[str] = mapped_column(String(40))  # "%", "days", "USD", "count"
    baseline_value: Mapped[Decimal] = mapped_column(KPI_VALUE)
    baseline_date: Mapped[date]
    target_value: Mapped[Decimal] = mapped_column(KPI_VALUE)
    target_date: Mapped[date]
    direction: Mapped[str] = mapped_column(String(10), default=Direction.HIGHER.value)
    frequency: Mapped[str] = mapped_column(String(12), default=Frequency.QUARTERLY.value)
    owner: Mapped[str] = mapped_column(String(120), default="")
    deleted_at: Mapped[datetime | None]
    deleted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"))

    objective: Mapped[PolicyObjective | None] = relationship(back_populates="kpis")
    measurements: Mapped[list[KpiMeasurement]] = relationship(
        back_populates="kpi", order_by="KpiMeasurement.measured_on", cascade="all, delete-orphan"
    )

    def can_view(self, user: User) -> bool:
        return self.deleted_at is None and user.is_member_of(self.organization_id)

    def can_edit(self, user: User) -> bool:
        return self.deleted_at is None and user.can_edit_in(self.organization_id)


class KpiMeasurement(Model):
    __tablename__ = "kpi_measurement"
    __table_args__ = (UniqueConstraint("kpi_id", "measured_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kpi_id: Mapped[int] = mapped_column(ForeignKey("kpi.id", ondelete="CASCADE"))
    measured_on: Mapped[date]
    value: Mapped[Decimal] = mapped_column(KPI_VALUE)
    note: Mapped[str] = mapped_column(String(500), default="")
    entered_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    kpi: Mapped[Kpi] = relationship(back_populates="measurements")
    entered_by: Mapped[User] = relationship()
