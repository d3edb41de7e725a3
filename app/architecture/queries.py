"""Reading the architecture catalogue: organization families, the services an organization sees, an
initiative's ties and answers, and the governance intake summary. Each function runs a fixed number of
statements, whatever the data size."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Select, or_
from sqlalchemy.orm import selectinload

from app.architecture.models import (
    Answer,
    InitiativeService,
    Principle,
    PrincipleAnswer,
    Relation,
    ServiceStandard,
    ServiceUser,
    SharedService,
    Standard,
)
from app.auth.models import Organization, User
from app.extensions import db
from app.portfolio.models import Initiative


def family_condition(organization: Organization) -> ColumnElement[bool]:
    """Organizations in the family of ``organization``: itself, its parent, its children and its siblings
    (the other children of its parent). Grandparents, cousins and unrelated organizations are not family."""
    related = [Organization.id == organization.id, Organization.parent_id == organization.id]
    if organization.parent_id is not None:
        related += [Organization.id == organization.parent_id, Organization.parent_id == organization.parent_id]
    return or_(*related)


def family_of(organization: Organization) -> list[Organization]:
    """The family (see ``family_condition``), the organization first, then by name: one statement."""
    found = db.session.scalars(db.select(Organization).where(family_condition(organization))).all()
    return sorted(found, key=lambda o: (o.id != organization.id, o.name.casefold()))


def family_ids_select(organization: Organization) -> Select[Any]:
    return db.select(Organization.id).where(family_condition(organization))


def visible_services(organization: Organization) -> Select[SharedService]:
    """The organization's own services and those a family organization shares with it, by name."""
    shared = db.select(ServiceUser.service_id).where(ServiceUser.organization_id == organization.id)
    return (
        db.select(SharedService)
        .where(or_(SharedService.organization_id == organization.id, SharedService.id.in_(shared)))
        .order_by(SharedService.name, SharedService.id)
    )


def catalogue(
    organization: Organization, *, kinds: Sequence[str] = (), lifecycles: Sequence[str] = ()
) -> list[SharedService]:
    """Visible services with their standards, users and owners loaded: four statements."""
    query = visible_services(organization).options(
        selectinload(SharedService.standard_links).joinedload(ServiceStandard.standard),
        selectinload(SharedService.user_links).joinedload(ServiceUser.organization),
        selectinload(SharedService.organization),
    )
    if kinds:
        query = query.where(SharedService.kind.in_(kinds))
    if lifecycles:
        query = query.where(SharedService.lifecycle.in_(lifecycles))
    return list(db.session.scalars(query))


def service_detail(service_id: int) -> SharedService | None:
    return db.session.scalar(
        db.select(SharedService)
        .where(SharedService.id == service_id)
        .options(
            selectinload(SharedService.standard_links).joinedload(ServiceStandard.standard),
            selectinload(SharedService.user_links).joinedload(ServiceUser.organization),
        )
    )


def can_view_service(service: SharedService, user: User) -> bool:
    """Members of the owning organization, and of the organizations listed as using it."""
    allowed = {service.organization_id, *(link.organization_id for link in service.user_links)}
    return any(user.is_member_of(org_id) for org_id in allowed)


def standards_of(organization_id: int) -> list[Standard]:
    return list(
        db.session.scalars(
            db.select(Standard).where(Standard.organization_id == organization_id).order_by(Standard.name)
        )
    )


def principles_of(organization_id: int) -> list[Principle]:
    return list(
        db.session.scalars(
            db.select(Principle)
            .where(Principle.organization_id == organization_id)
            .order_by(Principle.position, Principle.title)
        )
    )


def service_ties(service_id: int, organization_ids: Sequence[int]) -> list[InitiativeService]:
    """The ties of initiatives (not deleted) of these organizations to the service, by initiative code."""
    return list(
        db.session.scalars(
            db.select(InitiativeService)
            .join(Initiative, Initiative.id == InitiativeService.initiative_id)
            .where(
                InitiativeService.service_id == service_id,
                Initiative.deleted_at.is_(None),
                Initiative.organization_id.in_(organization_ids),
            )
            .options(selectinload(InitiativeService.initiative))
            .order_by(Initiative.code)
        )
    )


def initiative_ties(initiative_id: int) -> list[InitiativeService]:
    """The services an initiative reuses or delivers, with the service: one statement."""
    return list(
        db.session.scalars(
            db.select(InitiativeService)
            .join(SharedService, SharedService.id == InitiativeService.service_id)
            .where(InitiativeService.initiative_id == initiative_id)
            .options(selectinload(InitiativeService.service).selectinload(SharedService.organization))
            .order_by(InitiativeService.relation.desc(), SharedService.name)
        )
    )


@dataclass
class PrincipleRow:
    principle: Principle
    answer: PrincipleAnswer | None

    @property
    def is_exception(self) -> bool:
        return self.answer is not None and self.answer.is_exception


def answer_rows(initiative: Initiative) -> list[PrincipleRow]:
    """Every principle of the initiative's organization with the initiative's answer, if any: one statement."""
    rows = db.session.execute(
        db.select(Principle, PrincipleAnswer)
        .outerjoin(
            PrincipleAnswer,
            (PrincipleAnswer.principle_id == Principle.id) & (PrincipleAnswer.initiative_id == initiative.id),
        )
        .where(Principle.organization_id == initiative.organization_id)
        .order_by(Principle.position, Principle.title)
    ).all()
    return [PrincipleRow(principle, answer) for principle, answer in rows]


@dataclass
class IntakeContext:
    initiative: Initiative
    reuses: list[InitiativeService] = field(default_factory=list)
    delivers: list[InitiativeService] = field(default_factory=list)
    principles: list[PrincipleRow] = field(default_factory=list)

    @property
    def exceptions(self) -> list[PrincipleRow]:
        return [row for row in self.principles if row.is_exception]

    @property
    def unanswered(self) -> list[PrincipleRow]:
        return [row for row in self.principles if row.answer is None]


def intake_context(initiative_id: int) -> dict[str, Any]:
    """What governance intake shows of an initiative's architecture: the services it reuses and delivers and
    its answer to each principle (exceptions and unanswered ones counted). Four statements at most.

    Render with ``{% include "architecture/_intake.html" %}`` and ``architecture=intake_context(id)`` in the
    template context. An unknown or deleted initiative gives ``{"architecture": None}``.
    """
    initiative = db.session.get(Initiative, initiative_id)
    if initiative is None or initiative.deleted_at is not None:
        return {"architecture": None}
    ties = initiative_ties(initiative.id)
    context = IntakeContext(
        initiative=initiative,
        reuses=[t for t in ties if t.relation == Relation.REUSES.value],
        delivers=[t for t in ties if t.relation == Relation.DELIVERS.value],
        principles=answer_rows(initiative),
    )
    return {"architecture": context}


ANSWER_LABELS = {a.value: a.label for a in Answer}
