"""CSRF (SECURITY.md R20), with protection switched on as in production."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import select
from werkzeug.routing import Rule

from app import create_app
from app.audit.models import AuditEvent
from app.auth.models import Role
from app.extensions import db
from app.plans import services as plan_services
from tests.conftest import FreshContextClient, csrf_token_from, make_config
from tests.core.world import (
    Tenant,
    build_tenant,
    build_url,
    changed_tables,
    content_digest,
    form_data,
    methods_of,
    new_client,
    session_rules,
    urls_of,
)
from tests.factories import PASSWORD

pytestmark = pytest.mark.csrf
AUDIT_TABLES = {"audit_event", "audit_chain_head"}
SESSION_CLOCK = frozenset({("user_session", "last_seen_at")})
# POST endpoints whose accepted request stores nothing, and why. Every other body in world.form_data must change
# data when its token is valid (checked below), so that "refused and changed nothing" means the token check.
NO_DATA_CHANGE = {
    "plans.preview_section": "renders the Markdown it is sent and stores nothing",
    "auth.keepalive": "only renews the session, whose clock the comparison ignores",
    "auth.switch_organization": "changes only the signed session cookie",
    "auth.mfa_challenge": "with no password step passed in this browser there is no code to check",
    "auth.mfa_enrol": "the set-up secret lives in the browser's session; a code not matching it stores nothing",
    "auth.mfa_regenerate_codes": "the tenant's administrator has no authenticator, so no codes to replace",
    "auth.mfa_disable": "the tenant's administrator has no authenticator to switch off",
    "auth.admin_reset_mfa": "the tenant's users have no authenticator to reset",
    "auth.reset_password": "a made-up reset link is refused (the refusal is only audited)",
    "auth.sso_start": "no organization offers single sign-on for the address's domain",
    "auth.sso_second_factor": "with no single sign-on passed in this browser there is no code to check",
    "notifications.retry_mail": "the tenant has no undelivered message to send again",
    "public.manage.publish_plan": "the tenant's first plan has no adopted version, so there is nothing to publish",
    "public.manage.unpublish_plan": "the tenant's first plan is not on the public site",
}


@pytest.fixture(scope="module")
def app(app: Flask, database_url: str) -> Iterator[Flask]:
    """The session app has migrated the database; this one shares it with CSRF protection on."""
    csrf_app = create_app(make_config(database_url, WTF_CSRF_ENABLED=True, EXPORT_DIR=app.config["EXPORT_DIR"]))
    assert csrf_app.config["WTF_CSRF_ENABLED"]
    csrf_app.test_client_class = FreshContextClient
    yield csrf_app
    with csrf_app.app_context():
        db.engine.dispose()


def csrf_tenant() -> Tenant:
    """A tenant whose first plan's third section is removed (so restoring it is possible)."""
    tenant = build_tenant("ORGA")
    plan_services.remove_section(tenant.plan.sections[2], user=tenant.users[Role.EDITOR])
    db.session.commit()
    return tenant


@pytest.fixture
def org() -> Tenant:
    return csrf_tenant()


def sign_in(client, user, password=PASSWORD):
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"email": user.email, "password": password, "csrf_token": token})
    assert response.status_code == 302
    return response


def ids_for(org: Tenant, endpoint: str) -> dict[str, int]:
    """The tenant's ids, pointing each POST endpoint at an object it can act on."""
    overrides = {
        "plans.restore_section": {"section_id": org.plan.sections[2].id},  # the removed one
        "objectives.delete_objective": {"objective_id": org.spare_objective.id},  # nothing depends on it
    }
    return org.ids(**overrides.get(endpoint, {}))


def post_rules(app: Flask) -> list[Rule]:
    return [r for r in session_rules(app) if "POST" in methods_of(r)]


def business_digest() -> dict[str, str]:
    """Every stored row except the audit trail (where refusals are recorded) and the sessions' last-seen clock."""
    return {name: digest for name, digest in content_digest(ignore=SESSION_CLOCK).items() if name not in AUDIT_TABLES}


def new_event_actions(after_id: int) -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).where(AuditEvent.id > after_id)))


def last_event_id() -> int:
    return db.session.scalar(select(db.func.max(AuditEvent.id))) or 0


@pytest.mark.parametrize("token", [None, "wrong-token"], ids=["missing", "wrong"])
def test_every_post_route_refuses_a_missing_or_wrong_token_and_changes_nothing(app, client, org, token):
    sign_in(client, org.users[Role.ADMIN])
    rules = post_rules(app)
    assert len(rules) >= 10
    for rule in rules:
        ids = ids_for(org, rule.endpoint)
        data = form_data(rule.endpoint, org, ids)
        if token:
            data["csrf_token"] = token
        before, last_event = business_digest(), last_event_id()
        response = client.post(build_url(app, rule, ids), data=data)
        assert response.status_code == 400, f"{rule.endpoint}: {response.status_code}"
        assert changed_tables(before, business_digest()) == [], rule.endpoint
        assert set(new_event_actions(last_event)) <= {"security.csrf_failed"}, rule.endpoint
    db.session.expire_all()
    assert org.plan.sections[0].body.endswith(org.canary)
    assert client.get("/plans").status_code == 200, "the refused sign-out must not have signed the user out"


def test_with_a_valid_token_every_post_body_used_above_is_accepted_and_changes_data(app):
    """The other side of the test above: the same URLs and bodies, with a valid token, do change data."""
    problems = []
    for rule in post_rules(app):
        org = csrf_tenant()  # a fresh one each time: some of these requests delete what others need
        client = new_client(app)
        sign_in(client, org.users[Role.ADMIN])
        ids = ids_for(org, rule.endpoint)
        data = form_data(rule.endpoint, org, ids)
        data["csrf_token"] = csrf_token_from(client.get("/plans").get_data(as_text=True))
        before = business_digest()
        response = client.post(build_url(app, rule, ids), data=data)
        changed = changed_tables(before, business_digest())
        where = f"POST {build_url(app, rule, ids)} ({rule.endpoint})"
        if response.status_code >= 400:
            problems.append(f"{where}: {response.status_code}, the body in world.form_data is refused")
        elif rule.endpoint in NO_DATA_CHANGE and changed:
            problems.append(f"{where} changed {changed}: remove it from NO_DATA_CHANGE")
        elif rule.endpoint not in NO_DATA_CHANGE and not changed:
            problems.append(f"{where} changed nothing: fix its body in world.form_data")
    assert not problems, "\n".join(problems)


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
    before = business_digest()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert changed_tables(before, business_digest()) == []
    assert client.get("/plans").status_code == 302


def download_event(url: str) -> str:
    path = url.split("?")[0]
    if path.endswith("/stratml"):
        return "export.stratml"
    return f"export.{path.split('/export.')[0].rsplit('/', 1)[-1]}"


def test_get_routes_change_nothing_in_the_database(app, client, org):
    """Nothing but the audit trail, where each download of the organization's data is recorded (R29)."""
    sign_in(client, org.users[Role.EDITOR])
    get_rules = [r for r in session_rules(app) if "GET" in methods_of(r) and r.endpoint != "static"]
    urls = [url for rule in get_rules for url in urls_of(app, rule, org.id_variants())]
    urls.append("/static/css/app.css")
    before, last_event = business_digest(), last_event_id()
    statuses = []
    for url in urls + urls:
        with client.get(url) as response:
            statuses.append(response.status_code)
    assert 200 in statuses
    assert changed_tables(before, business_digest()) == []
    downloads = [url for url in urls + urls if "/export." in url or url.split("?")[0].endswith("/stratml")]
    # /kpis/export.csv: export.kpis; /architecture/services/export.csv: export.services; /plans/1/stratml
    expected = sorted(download_event(url) for url in downloads)
    assert downloads and sorted(new_event_actions(last_event)) == expected
