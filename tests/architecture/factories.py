"""Architecture objects made through the services (so their audit events exist), committed."""

from __future__ import annotations

from collections.abc import Sequence

from app.architecture import services
from app.architecture.models import InitiativeService, Principle, SharedService, Standard
from app.auth.models import Organization, User
from app.extensions import db
from app.portfolio.models import Initiative


def create_standard(*, org: Organization, user: User, name: str = "NIST SP 800-53 Rev. 5") -> Standard:
    standard = services.create_standard(organization=org, user=user, name=name, reference="Security controls")
    db.session.commit()
    return standard


def create_service(
    *,
    org: Organization,
    user: User,
    name: str = "Identity Hub",
    kind: str = "security",
    lifecycle: str = "operate",
    standards: Sequence[Standard] = (),
    users: Sequence[Organization] = (),
) -> SharedService:
    service = services.create_service(
        organization=org,
        user=user,
        fields=services.ServiceFields(
            name=name, kind=kind, lifecycle=lifecycle, owner="Enterprise Identity team", description="SSO and MFA."
        ),
        standards=standards,
        users=users,
    )
    db.session.commit()
    return service


def create_principle(
    *, org: Organization, user: User, title: str = "Reuse before buy before build", position: int = 1
) -> Principle:
    principle = services.create_principle(
        organization=org,
        user=user,
        fields=services.PrincipleFields(
            title=title,
            statement=f"{title}: statement.",
            rationale="Saves money.",
            implications="Check the catalogue first.",
            position=position,
        ),
    )
    db.session.commit()
    return principle


def tie(initiative: Initiative, service: SharedService, *, user: User, relation: str = "reuses") -> InitiativeService:
    found = services.tie_service(initiative, user=user, service=service, relation=relation)
    db.session.commit()
    return found
