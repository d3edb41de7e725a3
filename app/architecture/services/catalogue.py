"""The shared-services catalogue: adding, changing and removing services with their standards and users."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

from app.architecture import queries
from app.architecture.models import (
    InitiativeService,
    Lifecycle,
    ServiceKind,
    ServiceStandard,
    ServiceUser,
    SharedService,
    Standard,
)
from app.architecture.services.common import (
    EditConflict,
    FieldError,
    _ensure_editor,
    _flush_unique,
    _flush_versioned,
    _in_use,
    _record,
)
from app.audit.services import diff_fields
from app.auth.models import Organization, User
from app.core.db import utcnow
from app.core.errors import DomainError
from app.extensions import db


@dataclass(frozen=True)
class ServiceFields:
    name: str
    kind: str
    lifecycle: str = Lifecycle.OPERATE.value
    owner: str = ""
    description: str = ""


SERVICE_FIELDS = tuple(ServiceFields.__dataclass_fields__)


def _check_service(fields: ServiceFields, organization_id: int, current_id: int | None = None) -> None:
    if fields.kind not in {k.value for k in ServiceKind}:
        raise FieldError("kind", "Choose infrastructure, application, data, security or integration.")
    if fields.lifecycle not in {s.value for s in Lifecycle}:
        raise FieldError("lifecycle", "Choose plan, build, operate or retire.")
    if _in_use(SharedService, "name", fields.name, organization_id, current_id):
        raise FieldError("name", _name_taken(fields.name))


def _name_taken(name: str) -> str:
    return f"The catalogue already has “{name}”. Choose another name."


def _check_links(organization: Organization, standards: Sequence[Standard], users: Sequence[Organization]) -> None:
    if any(s.organization_id != organization.id for s in standards):
        raise FieldError("standards", "Choose standards from your organization's list.")
    family = {o.id for o in queries.family_of(organization)}
    if any(o.id not in family for o in users):
        raise FieldError(
            "users", "Only your organization, its parent, its child and its sibling organizations can use a service."
        )


def _link_values(service: SharedService) -> dict[str, list[str]]:
    return {
        "standards": sorted(link.standard.name for link in service.standard_links),
        "users": sorted(link.organization.slug for link in service.user_links),
    }


def _set_links(service: SharedService, standards: Sequence[Standard], users: Sequence[Organization]) -> None:
    wanted_standards = {s.id: s for s in standards}
    for link in list(service.standard_links):
        if link.standard_id not in wanted_standards:
            service.standard_links.remove(link)
    have = {link.standard_id for link in service.standard_links}
    for standard in standards:
        if standard.id not in have:
            service.standard_links.append(ServiceStandard(standard=standard))
    wanted_users = {o.id for o in users}
    for user_link in list(service.user_links):
        if user_link.organization_id not in wanted_users:
            service.user_links.remove(user_link)
    have = {link.organization_id for link in service.user_links}
    for organization in users:
        if organization.id not in have:
            service.user_links.append(ServiceUser(organization=organization))


def create_service(
    *,
    organization: Organization,
    user: User,
    fields: ServiceFields,
    standards: Sequence[Standard] = (),
    users: Sequence[Organization] = (),
) -> SharedService:
    """A new service in the organization's catalogue; the organization itself always uses it."""
    _ensure_editor(user, organization.id, "the service catalogue")
    _check_service(fields, organization.id)
    _check_links(organization, standards, users)
    users = [organization, *(o for o in users if o.id != organization.id)]
    service = SharedService(organization_id=organization.id, **asdict(fields))
    service.standard_links = []
    service.user_links = []
    _set_links(service, standards, users)
    db.session.add(service)
    _flush_unique("name", _name_taken(fields.name))
    _record(
        service,
        user,
        "service.create",
        f"Added the shared service “{service.name}”",
        {**asdict(fields), **_link_values(service)},
    )
    return service


def update_service(
    service: SharedService,
    *,
    user: User,
    fields: ServiceFields,
    standards: Sequence[Standard] = (),
    users: Sequence[Organization] = (),
    base_version: int | None = None,
) -> bool:
    """Save the service; False when nothing changed. EditConflict when ``base_version`` is stale."""
    _ensure_editor(user, service.organization_id, "the service catalogue")
    if base_version is not None and base_version != service.version:
        raise EditConflict()
    organization = service.organization
    _check_service(fields, service.organization_id, service.id)
    _check_links(organization, standards, users)
    users = [organization, *(o for o in users if o.id != organization.id)]
    before = {**{name: getattr(service, name) for name in SERVICE_FIELDS}, **_link_values(service)}
    for name, value in asdict(fields).items():
        setattr(service, name, value)
    _set_links(service, standards, users)
    after = {**asdict(fields), **_link_values(service)}
    changes = diff_fields(before, after)
    if not changes:
        return False
    service.updated_at = utcnow()  # the row is updated, so its version rises, even when only links changed
    _flush_versioned()
    _record(service, user, "service.update", f"Changed the shared service “{service.name}”", changes)
    return True


def delete_service(service: SharedService, *, user: User) -> None:
    _ensure_editor(user, service.organization_id, "the service catalogue")
    used = db.session.scalar(
        db.select(db.func.count()).select_from(InitiativeService).where(InitiativeService.service_id == service.id)
    )
    if used:
        raise DomainError(
            f"{used} initiative{'s reuse or deliver' if used != 1 else ' reuses or delivers'} “{service.name}”. "
            "Remove those ties first, or set its lifecycle to retire."
        )
    _record(
        service,
        user,
        "service.delete",
        f"Removed the shared service “{service.name}”",
        {**{name: getattr(service, name) for name in SERVICE_FIELDS}, **_link_values(service)},
    )
    db.session.delete(service)
    db.session.flush()
