"""CSRF (SECURITY.md R20), with protection switched on as in production."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import select

from app import create_app
from app.audit.models import AuditEvent
from app.auth.models import Role
from app.extensions import db
from app.plans import services as plan_services
from tests.conftest import FreshContextClient, csrf_token_from, make_config
from tests.core.world import build_tenant, build_url, content_digest, form_data, methods_of, row_counts
from tests.factories import PASSWORD

pytestmark = pytest.mark.csrf
AUDIT_TABLES = {"audit_event", "audit_chain_head"}


@pytest.fixture(scope="module")
def app(app: Flask, database_url: str) -> Iterator[Flask]:
    """The session app has migrated the database; this one shares it with CSRF protection on."""
    csrf_app = create_app(make_config(database_url, WTF_CSRF_ENABLED=True, EXPORT_DIR=app.config["EXPORT_DIR"]))
    assert csrf_app.config["WTF_CSRF_ENABLED"]
    csrf_app.test_client_class = FreshContextClient
    yield csrf_app
    with csrf_app.app_context():
        db.engine.dispose()


@pytest.fixture
def org():
    tenant = build_tenant("ORGA")
    section = tenant.plan.sections[2]
    plan_services.remove_section(section, user=tenant.users[Role.EDITOR])
    db.session.commit()
    return tenant


def sign_in(client, user, password=PASSWORD):
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"email": user.email, "password": password, "csrf_token": token})
    assert response.status_code == 302
    return response


def ids_for(org, endpoint: str) -> dict[str, int]:
    removed = org.plan.sections[2]
    section = removed if endpoint == "plans.restore_section" else org.plan.sections[0]
    return {"plan_id": org.plan.id, "section_id": section.id, "number": 1, "user_id": org.users[Role.VIEWER].id}


def business_counts() -> dict[str, int]:
    return {name: n for name, n in row_counts().items() if name not in AUDIT_TABLES}


def new_event_actions(after_id: int) -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).where(AuditEvent.id > after_id)))


def last_event_id() -> int:
    return db.session.scalar(select(db.func.max(AuditEvent.id))) or 0


@pytest.mark.parametrize("token", [None, "wrong-token"], ids=["missing", "wrong"])
def test_every_post_route_refuses_a_missing_or_wrong_token_and_changes_nothing(app, client, org, token):
    sign_in(client, org.users[Role.ADMIN])
    post_rules = [r for r in app.url_map.iter_rules() if "POST" in methods_of(r)]
    assert len(post_rules) >= 10
    for rule in post_rules:
        ids = ids_for(org, rule.endpoint)
        data = form_data(rule.endpoint, section=org.plan.sections[0], org_id=org.org.id)
        if token:
            data["csrf_token"] = token
        counts, last_event = business_counts(), last_event_id()
        response = client.post(build_url(app, rule, ids), data=data)
        assert response.status_code == 400, f"{rule.endpoint}: {response.status_code}"
        assert business_counts() == counts, rule.endpoint
        assert set(new_event_actions(last_event)) <= {"security.csrf_failed"}, rule.endpoint
    db.session.expire_all()
    assert org.plan.sections[0].body.endswith(org.canary)
    assert client.get("/plans").status_code == 200, "the refused sign-out must not have signed the user out"


def textarea(page: str, name: str) -> str:
    match = re.search(rf'<textarea[^>]*name="{name}"[^>]*>(.*?)</textarea>', page, re.S)
    assert match, f"no textarea {name}"
    return html.unescape(match.group(1)).lstrip("\r\n")


def edit_url(org) -> str:
    return f"/plans/{org.plan.id}/sections/{org.plan.sections[0].id}/edit"


@pytest.mark.parametrize("token", ["missing", "expired"])
def test_section_edit_with_a_bad_token_returns_the_typed_text_and_can_be_saved_again(app, client, org, token):
    editor = org.users[Role.EDITOR]
    sign_in(client, editor)
    old_token = csrf_token_from(client.get(edit_url(org)).get_data(as_text=True))
    typed = "Our <b>new</b> vision & goals for 2027\n\nSecond paragraph typed over an hour."
    data = {"title": "Vision", "body": typed, "version": str(org.plan.sections[0].version), "save": "1"}
    if token == "expired":  # signing in again starts a new session, so the old page's token no longer works
        client.post("/logout", data={"csrf_token": old_token})
        sign_in(client, editor)
        data["csrf_token"] = old_token
    response = client.post(edit_url(org), data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert textarea(page, "body") == typed
    assert "Your form expired for security reasons" in page
    db.session.expire_all()
    assert org.plan.sections[0].body != typed
    refusals = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "security.csrf_failed")).all()
    assert [e.summary for e in refusals] == [f"Expired or missing form token on {edit_url(org)}"]
    resubmit = {**data, "csrf_token": csrf_token_from(page)}
    assert client.post(edit_url(org), data=resubmit).status_code == 302
    db.session.expire_all()
    assert org.plan.sections[0].body == typed


def test_sign_in_without_a_token_is_refused_and_does_not_sign_in(client, org):
    user = org.users[Role.EDITOR]
    counts = business_counts()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert business_counts() == counts
    assert client.get("/plans").status_code == 302


def test_get_routes_change_nothing_in_the_database(app, client, org):
    sign_in(client, org.users[Role.EDITOR])
    get_rules = [r for r in app.url_map.iter_rules() if "GET" in methods_of(r) and r.endpoint != "static"]
    urls = [build_url(app, rule, ids_for(org, rule.endpoint)) for rule in get_rules]
    urls.append("/static/css/app.css")
    ignore = frozenset({("user_session", "last_seen_at")})
    before = content_digest(ignore=ignore)
    statuses = []
    for url in urls + urls:
        with client.get(url) as response:
            statuses.append(response.status_code)
    assert 200 in statuses
    assert content_digest(ignore=ignore) == before
