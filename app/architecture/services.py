"""Architecture operations. Each checks its rules, flushes, writes one audit event and never commits.

Catalogue changes are recorded on the service, standard or principle; an initiative's ties and answers
are recorded on the initiative (object type ``initiative``), so its history shows them beside the rest.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from app.architecture import queries
from app.architecture.models import (
    Answer,
    InitiativeService,
    Lifecycle,
    Principle,
    PrincipleAnswer,
    Relation,
    ServiceKind,
    ServiceStandard,
    ServiceUser,
    SharedService,
    Standard,
)
from app.audit.services import diff_fields, record
from app.auth.models import Organization, User
from app.core.db import utcnow
from app.core.errors import DomainError, PermissionDenied
from app.extensions import db
from app.portfolio.models import Initiative


@dataclass
class FieldError(DomainError):
    """A rule about one form field; the view shows the message next to that field."""

    field: str
    message: str

    def __str__(self) -> str:
        return self.message


class EditConflict(DomainError):
    def __str__(self) -> str:
        return "Someone else changed this after you opened it. Check their changes below and save again."


def _record(
    organization_id: int, user: User, action: str, kind: str, object_id: int, summary: str, changes: Any
) -> None:
    record(
        action,
        actor_id=user.id,
        organization_id=organization_id,
        object_type=kind,
        object_id=object_id,
        summary=summary,
        changes=changes,
    )


def _ensure_editor(user: User, organization_id: int, what: str) -> None:
    if not user.can_edit_in(organization_id):
        raise PermissionDenied(f"You need the editor or administrator role to change {what}.")


def _flush_unique(field: str, message: str) -> None:
    try:
        db.session.flush()
    except IntegrityError as exc:  # a colleague took the name between our check and our write
        db.session.rollback()
        raise FieldError(field, message) from exc


def _flush_versioned() -> None:
    try:
        db.session.flush()
    except StaleDataError as exc:
        db.session.rollback()
        raise EditConflict() from exc


# --- standards ---------------------------------------------------------------------------------


def _check_standard_name(organization_id: int, name: str, current_id: int | None = None) -> None:
    taken = db.session.scalar(
        db.select(Standard.id).where(
            Standard.organization_id == organization_id,
            db.func.lower(Standard.name) == name.lower(),
            Standard.id != current_id,
        )
    )
    if taken is not None:
        raise FieldError("name", f"The standard “{name}” is already in the list. Use that one or another name.")


def create_standard(*, organization: Organization, user: User, name: str, reference: str = "") -> Standard:
    _ensure_editor(user, organization.id, "standards")
    _check_standard_name(organization.id, name)
    standard = Standard(organization_id=organization.id, name=name, reference=reference)
    db.session.add(standard)
    _flush_unique("name", f"The standard “{name}” is already in the list.")
    _record(
        organization.id,
        user,
        "standard.create",
        "arch_standard",
        standard.id,
        f"Added the standard “{name}”",
        {"name": name, "reference": reference},
    )
    return standard


def update_standard(standard: Standard, *, user: User, name: str, reference: str = "") -> bool:
    _ensure_editor(user, standard.organization_id, "standards")
    _check_standard_name(standard.organization_id, name, standard.id)
    before = {"name": standard.name, "reference": standard.reference}
    standard.name, standard.reference = name, reference
    changes = diff_fields(before, {"name": name, "reference": reference})
    if not changes:
        return False
    _flush_unique("name", f"The standard “{name}” is already in the list.")
    _record(
        standard.organization_id,
        user,
        "standard.update",
        "arch_standard",
        standard.id,
        f"Changed the standard “{name}”",
        changes,
    )
    return True


def delete_standard(standard: Standard, *, user: User) -> None:
    _ensure_editor(user, standard.organization_id, "standards")
    used = db.session.scalar(
        db.select(db.func.count()).select_from(ServiceStandard).where(ServiceStandard.standard_id == standard.id)
    )
    if used:
        raise DomainError(
            f"{used} service{'s follow' if used != 1 else ' follows'} “{standard.name}”. "
            "Remove it from those services first."
        )
    _record(
        standard.organization_id,
        user,
        "standard.delete",
        "arch_standard",
        standard.id,
        f"Removed the standard “{standard.name}”",
        {"name": standard.name, "reference": standard.reference},
    )
    db.session.delete(standard)
    db.session.flush()


# --- services ----------------------------------------------------------------------------------


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
    taken = db.session.scalar(
        db.select(SharedService.id).where(
            SharedService.organization_id == organization_id,
            db.func.lower(SharedService.name) == fields.name.lower(),
            SharedService.id != current_id,
        )
    )
    if taken is not None:
        raise FieldError("name", f"The catalogue already has “{fields.name}”. Choose another name.")


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
    _flush_unique("name", f"The catalogue already has “{fields.name}”. Choose another name.")
    _record(
        organization.id,
        user,
        "service.create",
        "shared_service",
        service.id,
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
    _record(
        service.organization_id,
        user,
        "service.update",
        "shared_service",
        service.id,
        f"Changed the shared service “{service.name}”",
        changes,
    )
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
        service.organization_id,
        user,
        "service.delete",
        "shared_service",
        service.id,
        f"Removed the shared service “{service.name}”",
        {**{name: getattr(service, name) for name in SERVICE_FIELDS}, **_link_values(service)},
    )
    db.session.delete(service)
    db.session.flush()


# --- principles --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PrincipleFields:
    title: str
    statement: str
    rationale: str = ""
    implications: str = ""
    position: int = 1


PRINCIPLE_FIELDS = tuple(PrincipleFields.__dataclass_fields__)


def _check_principle(fields: PrincipleFields, organization_id: int, current_id: int | None = None) -> None:
    if not fields.statement.strip():
        raise FieldError("statement", "Write the principle's statement.")
    if fields.position < 1:
        raise FieldError("position", "Use a position of 1 or more.")
    taken = db.session.scalar(
        db.select(Principle.id).where(
            Principle.organization_id == organization_id,
            db.func.lower(Principle.title) == fields.title.lower(),
            Principle.id != current_id,
        )
    )
    if taken is not None:
        raise FieldError("title", f"There is already a principle “{fields.title}”. Choose another title.")


def create_principle(*, organization: Organization, user: User, fields: PrincipleFields) -> Principle:
    _ensure_editor(user, organization.id, "architecture principles")
    _check_principle(fields, organization.id)
    principle = Principle(organization_id=organization.id, **asdict(fields))
    db.session.add(principle)
    _flush_unique("title", f"There is already a principle “{fields.title}”. Choose another title.")
    _record(
        organization.id,
        user,
        "principle.create",
        "arch_principle",
        principle.id,
        f"Added the principle “{principle.title}”",
        asdict(fields),
    )
    return principle


def update_principle(
    principle: Principle, *, user: User, fields: PrincipleFields, base_version: int | None = None
) -> bool:
    _ensure_editor(user, principle.organization_id, "architecture principles")
    if base_version is not None and base_version != principle.version:
        raise EditConflict()
    _check_principle(fields, principle.organization_id, principle.id)
    before = {name: getattr(principle, name) for name in PRINCIPLE_FIELDS}
    for name, value in asdict(fields).items():
        setattr(principle, name, value)
    changes = diff_fields(before, asdict(fields))
    if not changes:
        return False
    _flush_versioned()
    _record(
        principle.organization_id,
        user,
        "principle.update",
        "arch_principle",
        principle.id,
        f"Changed the principle “{principle.title}”",
        changes,
    )
    return True


def delete_principle(principle: Principle, *, user: User) -> None:
    """Removes the principle and every initiative's answer to it (the event counts them)."""
    _ensure_editor(user, principle.organization_id, "architecture principles")
    answers = db.session.scalar(
        db.select(db.func.count()).select_from(PrincipleAnswer).where(PrincipleAnswer.principle_id == principle.id)
    )
    _record(
        principle.organization_id,
        user,
        "principle.delete",
        "arch_principle",
        principle.id,
        f"Removed the principle “{principle.title}” and {answers} answer{'s' if answers != 1 else ''} to it",
        {**{name: getattr(principle, name) for name in PRINCIPLE_FIELDS}, "answers_removed": answers},
    )
    db.session.execute(db.delete(PrincipleAnswer).where(PrincipleAnswer.principle_id == principle.id))
    db.session.delete(principle)
    db.session.flush()


# --- an initiative's ties and answers ----------------------------------------------------------


def _ensure_can_edit(initiative: Initiative, user: User) -> None:
    if not initiative.can_edit(user):
        raise PermissionDenied("You need the editor or administrator role to change initiatives.")


def _initiative_event(initiative: Initiative, user: User, action: str, summary: str, changes: Any) -> None:
    _record(initiative.organization_id, user, action, "initiative", initiative.id, summary, changes)


def service_usable_by(service: SharedService, initiative: Initiative) -> bool:
    """An initiative ties to services its organization owns or that are shared with it."""
    return service.organization_id == initiative.organization_id or any(
        link.organization_id == initiative.organization_id for link in service.user_links
    )


def tie_service(
    initiative: Initiative, *, user: User, service: SharedService, relation: str, note: str = ""
) -> InitiativeService:
    _ensure_can_edit(initiative, user)
    if relation not in {r.value for r in Relation}:
        raise FieldError("relation", "Choose whether the initiative reuses or delivers the service.")
    if not service_usable_by(service, initiative):
        raise FieldError("service", "Choose a service from your organization's catalogue.")
    taken = db.session.scalar(
        db.select(InitiativeService).where(
            InitiativeService.initiative_id == initiative.id, InitiativeService.service_id == service.id
        )
    )
    if taken is not None:
        raise FieldError(
            "service", f"{initiative.code} already {taken.relation} {service.name}. Remove that tie first to change it."
        )
    tie = InitiativeService(initiative_id=initiative.id, service_id=service.id, relation=relation, note=note)
    db.session.add(tie)
    _flush_unique("service", f"{initiative.code} is already tied to {service.name}.")
    _initiative_event(
        initiative,
        user,
        "initiative.service_tie",
        f"{initiative.code} {relation} the shared service “{service.name}”",
        {"service": service.name, "service_id": service.id, "relation": relation, "note": note},
    )
    return tie


def untie_service(tie: InitiativeService, *, user: User) -> None:
    initiative = tie.initiative
    _ensure_can_edit(initiative, user)
    _initiative_event(
        initiative,
        user,
        "initiative.service_untie",
        f"{initiative.code} no longer {tie.relation} “{tie.service.name}”",
        {"service": tie.service.name, "service_id": tie.service_id, "relation": tie.relation, "note": tie.note},
    )
    db.session.delete(tie)
    db.session.flush()


def answer_principle(
    initiative: Initiative, *, user: User, principle: Principle, answer: str, justification: str = ""
) -> bool:
    """Set the initiative's answer to the principle (replacing any earlier one); False when nothing changed.

    An exception must be justified; a compliant answer keeps no justification.
    """
    _ensure_can_edit(initiative, user)
    if principle.organization_id != initiative.organization_id:
        raise FieldError("principle", "Choose one of your organization's principles.")
    if answer not in {a.value for a in Answer}:
        raise FieldError("answer", "Choose whether the initiative complies or is an exception.")
    justification = justification.strip()
    if answer == Answer.EXCEPTION.value and not justification:
        raise FieldError(
            "justification",
            f"Explain why {initiative.code} cannot follow “{principle.title}”: an exception needs a justification.",
        )
    if answer == Answer.COMPLIES.value:
        justification = ""
    current = db.session.scalar(
        db.select(PrincipleAnswer).where(
            PrincipleAnswer.initiative_id == initiative.id, PrincipleAnswer.principle_id == principle.id
        )
    )
    before = {"answer": current.answer, "justification": current.justification} if current else {}
    after = {"answer": answer, "justification": justification}
    changes = diff_fields(before, after)
    if not changes:
        return False
    if current is None:
        current = PrincipleAnswer(initiative_id=initiative.id, principle_id=principle.id)
        db.session.add(current)
    current.answer, current.justification, current.answered_by_id = answer, justification, user.id
    db.session.flush()
    word = "an exception to" if answer == Answer.EXCEPTION.value else "complies with"
    _initiative_event(
        initiative,
        user,
        "initiative.principle_answer",
        f"{initiative.code} {'is ' if answer == Answer.EXCEPTION.value else ''}{word} “{principle.title}”",
        {"principle": principle.title, "principle_id": principle.id, **changes},
    )
    return True


def clear_answer(answer: PrincipleAnswer, *, user: User) -> None:
    initiative = answer.initiative
    _ensure_can_edit(initiative, user)
    _initiative_event(
        initiative,
        user,
        "initiative.principle_unanswer",
        f"Cleared {initiative.code}'s answer to “{answer.principle.title}”",
        {"principle": answer.principle.title, "answer": answer.answer, "justification": answer.justification},
    )
    db.session.delete(answer)
    db.session.flush()
