"""Keyword-only factories that go through the services, so audit events are real."""

from __future__ import annotations

import itertools

from flask.testing import FlaskClient

from app.auth.models import Organization, Role, User
from app.auth.orgs import create_organization
from app.auth.services import create_user as create_user_service
from app.extensions import db
from app.plans import services as plan_services
from app.plans.models import Plan
from app.plans.templates import get_template
from config import BASE_DIR

PASSWORD = "Correct-Horse-Battery-9"
TEMPLATE_DIR = str(BASE_DIR / "plans")
_counter = itertools.count(1)


def create_org(*, slug: str | None = None, name: str | None = None, parent: Organization | None = None) -> Organization:
    n = next(_counter)
    return create_organization(slug=slug or f"org-{n}", name=name or f"Test Office {n}", parent=parent)


def create_user(
    *,
    org: Organization,
    role: Role | str = Role.EDITOR,
    email: str | None = None,
    name: str | None = None,
    password: str = PASSWORD,
) -> User:
    n = next(_counter)
    role = Role(role)
    user = create_user_service(
        email=email or f"{role.value}{n}@agency.example",
        name=name or f"Tester {n}",
        password=password,
        organization=org,
        role=role,
    )
    db.session.commit()
    return user


def create_plan(
    *,
    org: Organization,
    owner: User,
    title: str = "IT Strategic Plan 2027–2030",
    template_key: str = "compact-five-section",
    first_fiscal_year: int = 2027,
    last_fiscal_year: int = 2030,
    status: str | None = None,
) -> Plan:
    template = get_template(TEMPLATE_DIR, template_key)
    assert template is not None, template_key
    plan = plan_services.create_plan(
        organization=org,
        owner=owner,
        title=title,
        first_fiscal_year=first_fiscal_year,
        last_fiscal_year=last_fiscal_year,
        template=template,
    )
    if status:
        plan.status = status
    db.session.commit()
    return plan


def login(client: FlaskClient, user: User | str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    email = user if isinstance(user, str) else user.email
    return client.post("/login", data={"email": email, "password": password})
