"""The architecture objects of every tenant of tests/core/world/, and plausible bodies for the architecture forms."""

from __future__ import annotations

import io
from typing import Any

from app.architecture import services
from app.architecture.models import InitiativeService, Principle, PrincipleAnswer, SharedService, Standard
from app.auth.models import Organization, User
from app.portfolio.models import Initiative

# Route parameters of the architecture pages and the model each names.
ARCHITECTURE_ID_MODELS: dict[str, type] = {
    "service_id": SharedService,
    "standard_id": Standard,
    "principle_id": Principle,
    "tie_id": InitiativeService,
    "answer_id": PrincipleAnswer,
}
ARCHITECTURE_VERSIONED = {
    "architecture.edit_service": (SharedService, "service_id"),
    "architecture.edit_principle": (Principle, "principle_id"),
}


def build_architecture(org: Organization, editor: User, canary: str, initiative: Initiative) -> dict[str, Any]:
    """A standard no service follows, a service no initiative uses (so both can be removed), a second service
    ``initiative`` reuses (the tie), a principle and the initiative's compliant answer to it; every text field
    carries ``canary``. Keys are route parameters."""
    standard = services.create_standard(
        organization=org, user=editor, name=f"WCAG 2.1 AA {canary}", reference=f"Level AA {canary}"
    )
    service = services.create_service(
        organization=org,
        user=editor,
        fields=services.ServiceFields(
            name=f"Identity Hub {canary}", kind="security", owner=f"Owner {canary}", description=f"SSO {canary}"
        ),
    )
    reused = services.create_service(
        organization=org,
        user=editor,
        fields=services.ServiceFields(name=f"Notify {canary}", kind="integration", description=f"SMS {canary}"),
    )
    tie = services.tie_service(initiative, user=editor, service=reused, relation="reuses", note=f"Note {canary}")
    principle = services.create_principle(
        organization=org,
        user=editor,
        fields=services.PrincipleFields(
            title=f"Cloud smart {canary}",
            statement=f"Statement {canary}",
            rationale=f"Rationale {canary}",
            implications=f"Implications {canary}",
        ),
    )
    services.answer_principle(initiative, user=editor, principle=principle, answer="exception", justification=canary)
    answer = principle_answer(initiative, principle)
    return {
        "service_id": service,
        "standard_id": standard,
        "principle_id": principle,
        "tie_id": tie,
        "answer_id": answer,
    }


def principle_answer(initiative: Initiative, principle: Principle) -> PrincipleAnswer:
    from app.extensions import db

    found = db.session.scalar(
        db.select(PrincipleAnswer).where(
            PrincipleAnswer.initiative_id == initiative.id, PrincipleAnswer.principle_id == principle.id
        )
    )
    assert found is not None
    return found


def architecture_bodies(objects: dict[str, Any], version: str) -> dict[str, Any]:
    """A body for each architecture POST endpoint that the tenant's administrator may send and that changes data."""
    service = objects["service_id"]
    return {
        "architecture.new_service": {"name": "Injected service", "kind": "data", "lifecycle": "plan"},
        "architecture.edit_service": {
            "name": "Overwritten service",
            "kind": "application",
            "lifecycle": "retire",
            "version": version,
        },
        "architecture.delete_service": {},
        "architecture.import_services": {
            "file": (io.BytesIO(b"Name,Kind\r\nImported service,Infrastructure"), "services.csv"),
        },
        "architecture.list_standards": {"name": "Injected standard", "reference": "Injected reference"},
        "architecture.edit_standard": {"name": "Overwritten standard"},
        "architecture.delete_standard": {},
        "architecture.new_principle": {"title": "Injected principle", "statement": "Injected", "position": "2"},
        "architecture.edit_principle": {
            "title": "Overwritten principle",
            "statement": "Overwritten",
            "position": "1",
            "version": version,
        },
        "architecture.delete_principle": {},
        "architecture.tie_service": {"tie-service": str(service.id), "tie-relation": "delivers"},
        "architecture.untie_service": {},
        "architecture.answer_principle": {"answer": "complies"},
        "architecture.clear_answer": {},
    }
