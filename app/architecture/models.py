"""Enterprise architecture: the catalogue of shared services and the standards they follow, architecture
principles, and each initiative's ties to them (services it reuses or delivers, its answer to each principle)."""

from __future__ import annotations

import enum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import Organization
from app.core.db import TimestampMixin, VersionedMixin
from app.extensions import Model
from app.portfolio.models import Initiative


class ServiceKind(enum.StrEnum):
    INFRASTRUCTURE = "infrastructure"
    APPLICATION = "application"
    DATA = "data"
    SECURITY = "security"
    INTEGRATION = "integration"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Lifecycle(enum.StrEnum):
    PLAN = "plan"
    BUILD = "build"
    OPERATE = "operate"
    RETIRE = "retire"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Relation(enum.StrEnum):
    REUSES = "reuses"
    DELIVERS = "delivers"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Answer(enum.StrEnum):
    COMPLIES = "complies"
    EXCEPTION = "exception"

    @property
    def label(self) -> str:
        return "Complies" if self is Answer.COMPLIES else "Exception"


def _in(values: type[enum.StrEnum]) -> str:
    return ", ".join(f"'{member.value}'" for member in values)


class Standard(TimestampMixin, Model):
    """A standard services follow, such as "NIST SP 800-53 Rev. 5", with optional reference text."""

    __tablename__ = "arch_standard"
    __table_args__ = (UniqueConstraint("organization_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="RESTRICT"))
    name: Mapped[str] = mapped_column(String(120))
    reference: Mapped[str] = mapped_column(Text, default="")


class SharedService(VersionedMixin, TimestampMixin, Model):
    """A shared service or capability in an organization's catalogue."""

    __tablename__ = "shared_service"
    __table_args__ = (
        UniqueConstraint("organization_id", "name"),
        CheckConstraint(f"kind IN ({_in(ServiceKind)})", name="kind_valid"),
        CheckConstraint(f"lifecycle IN ({_in(Lifecycle)})", name="lifecycle_valid"),
    )
    __mapper_args__ = {"version_id_col": VersionedMixin.version}  # noqa: RUF012 - read once by the mapper

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="RESTRICT"))
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(16))
    description: Mapped[str] = mapped_column(Text, default="")
    owner: Mapped[str] = mapped_column(String(200), default="")
    lifecycle: Mapped[str] = mapped_column(String(10), default=Lifecycle.OPERATE.value)

    organization: Mapped[Organization] = relationship()
    standard_links: Mapped[list[ServiceStandard]] = relationship(cascade="all, delete-orphan")
    user_links: Mapped[list[ServiceUser]] = relationship(cascade="all, delete-orphan")

    @property
    def kind_label(self) -> str:
        return ServiceKind(self.kind).label

    @property
    def lifecycle_label(self) -> str:
        return Lifecycle(self.lifecycle).label


class ServiceStandard(Model):
    """A service follows a standard."""

    __tablename__ = "shared_service_standard"
    __table_args__ = (UniqueConstraint("service_id", "standard_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("shared_service.id", ondelete="CASCADE"))
    standard_id: Mapped[int] = mapped_column(ForeignKey("arch_standard.id", ondelete="RESTRICT"), index=True)

    standard: Mapped[Standard] = relationship()


class ServiceUser(Model):
    """An organization (the owner, or one of its family) uses a service."""

    __tablename__ = "shared_service_user"
    __table_args__ = (UniqueConstraint("service_id", "organization_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("shared_service.id", ondelete="CASCADE"))
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="CASCADE"), index=True)

    organization: Mapped[Organization] = relationship()


class Principle(VersionedMixin, TimestampMixin, Model):
    """An architecture principle: a short title, the statement, why, and what it implies (Markdown)."""

    __tablename__ = "arch_principle"
    __table_args__ = (
        UniqueConstraint("organization_id", "title"),
        CheckConstraint("position >= 1", name="position_positive"),
    )
    __mapper_args__ = {"version_id_col": VersionedMixin.version}  # noqa: RUF012 - read once by the mapper

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="RESTRICT"))
    position: Mapped[int] = mapped_column(default=1)
    title: Mapped[str] = mapped_column(String(120))
    statement: Mapped[str] = mapped_column(Text)
    rationale: Mapped[str] = mapped_column(Text, default="")
    implications: Mapped[str] = mapped_column(Text, default="")


class InitiativeService(TimestampMixin, Model):
    """An initiative reuses or delivers a shared service."""

    __tablename__ = "initiative_service"
    __table_args__ = (
        UniqueConstraint("initiative_id", "service_id"),
        CheckConstraint(f"relation IN ({_in(Relation)})", name="relation_valid"),
        Index("ix_initiative_service_service", "service_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiative.id", ondelete="CASCADE"))
    service_id: Mapped[int] = mapped_column(ForeignKey("shared_service.id", ondelete="RESTRICT"))
    relation: Mapped[str] = mapped_column(String(10))
    note: Mapped[str] = mapped_column(String(500), default="")

    initiative: Mapped[Initiative] = relationship()
    service: Mapped[SharedService] = relationship()


class PrincipleAnswer(TimestampMixin, Model):
    """An initiative's answer to a principle: it complies, or it is an exception, which must say why."""

    __tablename__ = "principle_answer"
    __table_args__ = (
        UniqueConstraint("initiative_id", "principle_id"),
        CheckConstraint(f"answer IN ({_in(Answer)})", name="answer_valid"),
        CheckConstraint("answer <> 'exception' OR length(trim(justification)) > 0", name="exception_justified"),
        Index("ix_principle_answer_principle", "principle_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiative.id", ondelete="CASCADE"))
    principle_id: Mapped[int] = mapped_column(ForeignKey("arch_principle.id", ondelete="CASCADE"))
    answer: Mapped[str] = mapped_column(String(10))
    justification: Mapped[str] = mapped_column(Text, default="")
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"))

    initiative: Mapped[Initiative] = relationship()
    principle: Mapped[Principle] = relationship()

    @property
    def is_exception(self) -> bool:
        return self.answer == Answer.EXCEPTION.value
