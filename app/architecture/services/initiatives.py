"""An initiative's ties to shared services and its answers to principles, recorded on the initiative."""

from __future__ import annotations

from typing import Any

from app.architecture.models import Answer, InitiativeService, Principle, PrincipleAnswer, Relation, SharedService
from app.architecture.services.common import FieldError, _flush_unique, _record
from app.audit.services import diff_fields
from app.auth.models import User
from app.core.errors import PermissionDenied
from app.extensions import db
from app.portfolio.models import Initiative


def _ensure_can_edit(initiative: Initiative, user: User) -> None:
    if not initiative.can_edit(user):
        raise PermissionDenied("You need the editor or administrator role to change initiatives.")


def _initiative_event(initiative: Initiative, user: User, action: str, summary: str, changes: Any) -> None:
    _record(initiative, user, action, summary, changes)


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
