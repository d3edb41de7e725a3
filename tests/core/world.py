"""Shared set-up for the core tests: organizations with every role, canary text, signed-in clients,
URLs built from ``app.url_map`` and table snapshots."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.routing import Rule

from app.auth.models import Organization, Role, User
from app.extensions import db
from app.plans import services as plan_services
from app.plans.models import Plan, PlanSection
from tests.conftest import new_client
from tests.factories import PASSWORD, create_org, create_plan, create_user, login

# Route parameters that name an object; a new kind must be added here (the isolation test fails until it is).
OBJECT_PARAMS = frozenset({"plan_id", "section_id", "number", "user_id"})
QUERY_ARGS = {"plans.compare_revisions": {"from": 1, "to": 2}}


@dataclass
class Tenant:
    org: Organization
    canary: str
    users: dict[Role, User]
    plans: list[Plan] = field(default_factory=list)

    @property
    def plan(self) -> Plan:
        return self.plans[0]

    @property
    def sections(self) -> list[PlanSection]:
        return [s for plan in self.plans for s in plan.sections]


def build_tenant(label: str, *, plans: int = 1) -> Tenant:
    """An organization with one user per role and plans whose every text field carries a canary."""
    canary = f"CANARY-{label}-{uuid.uuid4().hex}"
    org = create_org(name=f"{label} Office {canary}")
    users = {role: create_user(org=org, role=role, name=f"{role.value.title()} {canary}") for role in Role}
    tenant = Tenant(org=org, canary=canary, users=users)
    editor = users[Role.EDITOR]
    for n in range(1, plans + 1):
        plan = create_plan(org=org, owner=editor, title=f"Plan {n} {canary}")
        for section in plan.sections:
            plan_services.save_section(
                section,
                user=editor,
                title=f"{section.title} {canary}",
                body=f"{section.body}\n\nConfidential figures: {canary}",
                base_version=section.version,
                ready=True,
            )
        tenant.plans.append(plan)
    db.session.commit()
    return tenant


def signed_in(app: Flask, user: User, password: str = PASSWORD) -> FlaskClient:
    client = new_client(app)
    response = login(client, user, password)
    assert response.status_code == 302, f"{user.email} could not sign in"
    return client


def object_rules(app: Flask) -> list[Rule]:
    return [rule for rule in app.url_map.iter_rules() if set(rule.arguments) & OBJECT_PARAMS]


def unclassified_params(app: Flask) -> set[str]:
    """Route parameters the shared helpers do not know how to fill."""
    return {
        arg
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        for arg in rule.arguments
        if arg not in OBJECT_PARAMS
    }


def build_url(app: Flask, rule: Rule, ids: dict[str, int]) -> str:
    values: dict[str, Any] = {name: ids[name] for name in rule.arguments}
    values.update(QUERY_ARGS.get(rule.endpoint, {}))
    return app.url_map.bind("localhost").build(rule.endpoint, values)


def methods_of(rule: Rule) -> list[str]:
    return sorted(m for m in rule.methods or () if m in {"GET", "POST"})


def form_data(endpoint: str, *, section: PlanSection | None = None, org_id: int | None = None) -> dict[str, str]:
    """What a browser would plausibly send to each POST endpoint (without the CSRF token)."""
    version = str(section.version) if section is not None else "1"
    data = {
        "plans.add_section": {"title": "Injected section", "guidance": "Injected guidance"},
        "plans.create_plan": {
            "title": "Injected plan",
            "template": "compact-five-section",
            "first_fiscal_year": "2027",
            "last_fiscal_year": "2030",
        },
        "plans.edit_section": {
            "title": "Overwritten title",
            "body": "Overwritten text",
            "version": version,
            "ready": "y",
            "save": "1",
        },
        "plans.move_section": {"direction": "down"},
        "plans.preview_section": {"body": "**Preview** text"},
        "plans.restore_revision": {"version": version},
        "auth.edit_user": {"role": "admin", "active": "y"},
        "auth.create_user": {
            "name": "Injected Person",
            "email": "injected@agency.example",
            "role": "admin",
            "password": "Injected-Long-Passphrase-7",
        },
        "auth.change_password": {"current_password": PASSWORD, "new_password": "Another-Long-Passphrase-8"},
        "auth.switch_organization": {"organization_id": str(org_id or 0)},
        "auth.login": {"email": "nobody@agency.example", "password": PASSWORD},
    }
    return data.get(endpoint, {"title": "Injected", "body": "Injected"})


def row_counts() -> dict[str, int]:
    return {
        table.name: db.session.scalar(select(db.func.count()).select_from(table)) or 0
        for table in db.metadata.sorted_tables
    }


def content_digest(*, ignore: frozenset[tuple[str, str]] = frozenset()) -> dict[str, str]:
    """A hash of every row of every table, skipping the (table, column) pairs in ``ignore``."""
    digests = {}
    for table in db.metadata.sorted_tables:
        columns = [c for c in table.columns if (table.name, c.name) not in ignore]
        rows = db.session.execute(select(*columns).order_by(*table.primary_key.columns)).all()
        digests[table.name] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return digests
