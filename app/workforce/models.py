"""The workforce plan: job roles with their capacity per fiscal year, a skills catalogue, skill gaps per
role, actions that close them, and the FTE each initiative needs of each role.

Capacity (documented on the pages and in the README):

- **filled FTE** (``current_fte``): people in post in the role during the fiscal year;
- **vacancies**: authorized positions not filled; shown for recruitment, never counted as capacity;
- **expected attrition**: FTE expected to leave during the year (retirements, resignations);
- **baseline required FTE**: the work the role must do outside initiatives (run the business).

**Available capacity** = filled FTE − expected attrition. **Demand** = baseline required FTE + the FTE that
in-scope initiatives need of the role that year. A **shortfall** is demand above available capacity.
"""

from __future__ import annotations

import enum
from datetime import date
from decimal import Decimal

from sqlalchemy import CheckConstraint, Column, ForeignKey, Index, Numeric, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.core.db import TimestampMixin, VersionedMixin
from app.extensions import Model
from app.portfolio.models import MONEY, Initiative

FTE = Numeric(7, 2)  # full-time equivalents, to the hundredth: 0.25 is a quarter of a person's year
MAX_FTE = Decimal("99999.99")
ZERO = Decimal("0.00")


class Proficiency(enum.IntEnum):
    NONE = 0
    AWARENESS = 1
    WORKING = 2
    PRACTITIONER = 3
    EXPERT = 4

    @property
    def label(self) -> str:
        return f"{self.value} – {self.name.capitalize()}"


class Priority(enum.StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class ActionType(enum.StrEnum):
    TRAINING = "training"
    HIRING = "hiring"
    CONTRACTING = "contracting"
    RESKILLING = "reskilling"
    PARTNERING = "partnering"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class ActionStatus(enum.StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


def _in(column: str, values: type[enum.Enum]) -> str:
    return f"{column} IN ({', '.join(repr(str(v.value)) for v in values)})"


class JobRole(VersionedMixin, TimestampMixin, Model):
    """A job role or family of the organization, such as “Cloud engineer” in the “Infrastructure” family."""

    __tablename__ = "job_role"
    __table_args__ = (UniqueConstraint("organization_id", "name"),)
    __mapper_args__ = {"version_id_col": VersionedMixin.version}  # noqa: RUF012 - read once by the mapper

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="RESTRICT"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    family: Mapped[str] = mapped_column(String(120), default="")
    description: Mapped[str] = mapped_column(Text, default="")

    capacities: Mapped[list[RoleCapacity]] = relationship(
        back_populates="role", order_by="RoleCapacity.fiscal_year", cascade="all, delete-orphan"
    )
    gaps: Mapped[list[SkillGap]] = relationship(back_populates="role", cascade="all, delete-orphan")

    def can_view(self, user: User) -> bool:
        return user.is_member_of(self.organization_id)

    def can_edit(self, user: User) -> bool:
        return user.can_edit_in(self.organization_id)


class RoleCapacity(Model):
    """A role's people in one fiscal year (see the module docstring for what each figure means)."""

    __tablename__ = "role_capacity"
    __table_args__ = (
        UniqueConstraint("role_id", "fiscal_year"),
        CheckConstraint("fiscal_year BETWEEN 2000 AND 2100", name="fiscal_year_range"),
        CheckConstraint(
            "current_fte >= 0 AND vacancies >= 0 AND attrition >= 0 AND required_fte >= 0", name="not_negative"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    role_id: Mapped[int] = mapped_column(ForeignKey("job_role.id", ondelete="CASCADE"))
    fiscal_year: Mapped[int]
    current_fte: Mapped[Decimal] = mapped_column(FTE, default=ZERO)
    vacancies: Mapped[Decimal] = mapped_column(FTE, default=ZERO)
    attrition: Mapped[Decimal] = mapped_column(FTE, default=ZERO)
    required_fte: Mapped[Decimal] = mapped_column(FTE, default=ZERO)

    role: Mapped[JobRole] = relationship(back_populates="capacities")

    @property
    def available(self) -> Decimal:
        """Filled FTE less expected attrition."""
        return self.current_fte - self.attrition


class Skill(VersionedMixin, TimestampMixin, Model):
    """An entry of the organization's skills catalogue."""

    __tablename__ = "skill"
    __table_args__ = (UniqueConstraint("organization_id", "name"),)
    __mapper_args__ = {"version_id_col": VersionedMixin.version}  # noqa: RUF012 - read once by the mapper

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="RESTRICT"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    category: Mapped[str] = mapped_column(String(120), default="")
    description: Mapped[str] = mapped_column(Text, default="")

    def can_view(self, user: User) -> bool:
        return user.is_member_of(self.organization_id)

    def can_edit(self, user: User) -> bool:
        return user.can_edit_in(self.organization_id)


action_gap = Table(
    "workforce_action_gap",
    Model.metadata,
    Column("action_id", ForeignKey("workforce_action.id", ondelete="CASCADE"), primary_key=True),
    Column("gap_id", ForeignKey("skill_gap.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class SkillGap(Model):
    """A role is short of a skill: its current proficiency is below the target (0 none … 4 expert)."""

    __tablename__ = "skill_gap"
    __table_args__ = (
        UniqueConstraint("role_id", "skill_id"),
        CheckConstraint("current_level BETWEEN 0 AND 4 AND target_level BETWEEN 0 AND 4", name="level_range"),
        CheckConstraint("target_level > current_level", name="target_above_current"),
        CheckConstraint(_in("priority", Priority), name="priority_valid"),
        Index("ix_skill_gap_skill", "skill_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    role_id: Mapped[int] = mapped_column(ForeignKey("job_role.id", ondelete="CASCADE"))
    skill_id: Mapped[int] = mapped_column(ForeignKey("skill.id", ondelete="CASCADE"))
    current_level: Mapped[int]
    target_level: Mapped[int]
    priority: Mapped[str] = mapped_column(String(8), default=Priority.MEDIUM.value)

    role: Mapped[JobRole] = relationship(back_populates="gaps")
    skill: Mapped[Skill] = relationship()

    @property
    def current_label(self) -> str:
        return Proficiency(self.current_level).label

    @property
    def target_label(self) -> str:
        return Proficiency(self.target_level).label


class WorkforceAction(VersionedMixin, TimestampMixin, Model):
    """Something the office does to close skill gaps or fill a role: train, hire, contract, reskill, partner."""

    __tablename__ = "workforce_action"
    __table_args__ = (
        CheckConstraint(_in("action_type", ActionType), name="type_valid"),
        CheckConstraint(_in("status", ActionStatus), name="status_valid"),
        CheckConstraint("cost >= 0", name="cost_not_negative"),
        CheckConstraint("fiscal_year IS NULL OR fiscal_year BETWEEN 2000 AND 2100", name="fiscal_year_range"),
        CheckConstraint("end_date IS NULL OR start_date IS NULL OR end_date >= start_date", name="date_order"),
    )
    __mapper_args__ = {"version_id_col": VersionedMixin.version}  # noqa: RUF012 - read once by the mapper

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="RESTRICT"), index=True)
    action_type: Mapped[str] = mapped_column(String(12))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    role_id: Mapped[int | None] = mapped_column(ForeignKey("job_role.id", ondelete="SET NULL"), index=True)
    cost: Mapped[Decimal] = mapped_column(MONEY, default=ZERO)
    fiscal_year: Mapped[int | None]
    start_date: Mapped[date | None]
    end_date: Mapped[date | None]
    owner: Mapped[str] = mapped_column(String(120), default="")
    status: Mapped[str] = mapped_column(String(12), default=ActionStatus.PLANNED.value)

    role: Mapped[JobRole | None] = relationship()
    gaps: Mapped[list[SkillGap]] = relationship(secondary=action_gap)

    def can_view(self, user: User) -> bool:
        return user.is_member_of(self.organization_id)

    def can_edit(self, user: User) -> bool:
        return user.can_edit_in(self.organization_id)

    @property
    def type_label(self) -> str:
        return ActionType(self.action_type).label

    @property
    def status_label(self) -> str:
        return ActionStatus(self.status).label


class InitiativeFteNeed(Model):
    """The FTE of a role an initiative needs in one fiscal year."""

    __tablename__ = "initiative_fte_need"
    __table_args__ = (
        UniqueConstraint("initiative_id", "role_id", "fiscal_year"),
        CheckConstraint("fte > 0", name="fte_positive"),
        CheckConstraint("fiscal_year BETWEEN 2000 AND 2100", name="fiscal_year_range"),
        Index("ix_initiative_fte_need_role_year", "role_id", "fiscal_year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiative.id", ondelete="CASCADE"))
    role_id: Mapped[int] = mapped_column(ForeignKey("job_role.id", ondelete="CASCADE"))
    fiscal_year: Mapped[int]
    fte: Mapped[Decimal] = mapped_column(FTE)

    initiative: Mapped[Initiative] = relationship()
    role: Mapped[JobRole] = relationship()
