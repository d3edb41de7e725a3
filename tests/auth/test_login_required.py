"""R11: every route needs a signed-in user unless it is on the reviewed public allowlist."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask

from app.auth.models import Role
from app.core.security import PUBLIC_ENDPOINTS
from tests.auth.conftest import isolated_client
from tests.factories import create_org, create_plan, create_user

# Changing this set is a security decision: update it only after review.
REVIEWED_PUBLIC_ENDPOINTS = {
    "auth.login",
    "auth.mfa_challenge",
    "auth.sso_start",
    "auth.sso_callback",
    "auth.sso_second_factor",  # reviewed: only a browser holding a pending single sign-on for an account with a code
    "auth.forgot_password",
    "auth.reset_password",
    "static",
    "core.accessibility",
    "core.healthz",
    "core.readyz",
}
# Pages that blueprints open to everyone on purpose (also a security decision): the public site shows only
# plans an administrator published (tests/publication checks no internal field leaks), and the API
# description documents the API (the API itself answers 401 without a bearer token: checked below).
REVIEWED_OPEN_PAGES = {
    "public.index",
    "public.organization_plans",
    "public.show_plan",
    "public.plan_pdf",
    "public.open_data_json",
    "public.open_data_csv",
    "api.openapi_document_view",
    "api.reference",
}


def url_values(app: Flask) -> dict[str, int]:
    """Real ids where possible, so a route that forgot the login check would show real content."""
    org = create_org()
    owner = create_user(org=org, role=Role.ADMIN)
    plan = create_plan(org=org, owner=owner)
    return {"plan_id": plan.id, "section_id": plan.sections[0].id, "user_id": owner.id, "number": 1}


def anonymous_answers(app: Flask) -> list[tuple[str, str, str, int, str]]:
    values = url_values(app)
    browser = isolated_client(app)
    answers = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS or rule.endpoint in REVIEWED_OPEN_PAGES:
            continue
        url = rule.build({arg: values.get(arg, 1) for arg in rule.arguments}, append_unknown=False)
        assert url is not None
        path = url[1]
        for method in sorted((rule.methods or set()) & {"GET", "POST", "PUT", "PATCH", "DELETE"}):
            data = {"title": "anonymous", "body": "anonymous"} if method != "GET" else None
            response = browser.open(path, method=method, data=data)
            location = urlsplit(response.headers.get("Location", "")).path
            answers.append((method, rule.rule, rule.endpoint, response.status_code, location))
    return answers


def test_public_allowlist_is_the_reviewed_one():
    assert set(PUBLIC_ENDPOINTS) == REVIEWED_PUBLIC_ENDPOINTS, (
        "PUBLIC_ENDPOINTS changed. Making a route public needs a security review; "
        "then update REVIEWED_PUBLIC_ENDPOINTS in this test."
    )


def test_every_public_endpoint_exists(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert set(PUBLIC_ENDPOINTS) <= endpoints, f"stale public endpoints: {set(PUBLIC_ENDPOINTS) - endpoints}"


def test_every_other_route_sends_anonymous_visitors_to_sign_in(app):
    answers = anonymous_answers(app)
    assert len(answers) >= 20, "the route walk found suspiciously few routes"
    unprotected = [
        f"{method} {rule} ({endpoint}) answered {status}{' -> ' + location if location else ''}"
        for method, rule, endpoint, status, location in answers
        if not (
            (status in (301, 302, 303) and location == "/login")
            or (method != "GET" and status == 401)
            or (endpoint.startswith("api.") and status == 401)  # the API asks for its bearer token instead
        )
    ]
    assert not unprotected, (
        "These routes are not public (not in app.core.security.PUBLIC_ENDPOINTS) but did not send an anonymous "
        "visitor to sign in. Protect them, or add them to PUBLIC_ENDPOINTS after review:\n  " + "\n  ".join(unprotected)
    )


def test_open_pages_are_exactly_the_reviewed_ones(app):
    from app.api.auth import PUBLIC_API_ENDPOINTS
    from app.core.security import SELF_AUTHENTICATING_BLUEPRINTS

    assert {"api", "public"} == SELF_AUTHENTICATING_BLUEPRINTS
    public_pages = {r.endpoint for r in app.url_map.iter_rules() if r.endpoint.split(".")[0] == "public"}
    public_pages -= {r.endpoint for r in app.url_map.iter_rules() if r.endpoint.startswith("public.manage.")}
    assert public_pages | set(PUBLIC_API_ENDPOINTS) == REVIEWED_OPEN_PAGES, (
        "A page open to everyone was added or removed: review it, then update REVIEWED_OPEN_PAGES."
    )


def test_anonymous_post_answers_with_the_sign_in_page(app):
    response = isolated_client(app).post("/plans/new", data={"title": "anonymous"})
    assert response.status_code == 401
    assert "Sign in to Planwright" in response.get_data(as_text=True)


def test_public_pages_open_without_signing_in(app):
    browser = isolated_client(app)
    for path in ("/login", "/accessibility", "/healthz", "/static/css/app.css"):
        response = browser.get(path)
        assert response.status_code == 200, f"{path} answered {response.status_code}"
        response.close()
