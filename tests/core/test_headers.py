"""Security headers on every kind of response (SECURITY.md R21) and the 500 page (R22)."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

import pytest
from flask import Flask

from app import create_app
from app.auth.models import Role
from app.extensions import db
from tests.conftest import make_config
from tests.core.world import (
    build_tenant,
    build_url,
    form_data,
    methods_of,
    new_client,
    session_rules,
    signed_in,
    urls_of,
)
from tests.factories import create_org, create_user, login

STATIC_FILE = "/static/css/app.css"


def csp_directives(response) -> dict[str, list[str]]:
    policy = response.headers.get("Content-Security-Policy", "")
    return {name: values for name, *values in (d.split() for d in policy.split(";") if d.strip())}


def assert_secure_headers(response, *, where: str) -> None:
    csp = csp_directives(response)
    script_src = csp.get("script-src", csp.get("default-src"))
    assert script_src and "'unsafe-inline'" not in script_src and "*" not in script_src, where
    assert csp.get("frame-ancestors") == ["'none'"], where
    assert csp.get("object-src") == ["'none'"], where
    assert response.headers.get("X-Content-Type-Options") == "nosniff", where
    assert response.headers.get("Referrer-Policy") in {"no-referrer", "strict-origin-when-cross-origin"}, where


def assert_not_cached(response, *, where: str) -> None:
    assert "no-store" in response.headers.get("Cache-Control", ""), where


@pytest.fixture
def org():
    return build_tenant("ORGA")


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_every_page_of_every_role_carries_the_security_headers(app, org, role):
    client = signed_in(app, org.users[role])
    statuses = set()
    for rule in session_rules(app):
        if rule.endpoint == "static" or "GET" not in methods_of(rule):
            continue
        for url in urls_of(app, rule, org.id_variants()):
            response = client.get(url)
            statuses.add(response.status_code)
            assert_secure_headers(response, where=url)
            assert_not_cached(response, where=url)
    assert 200 in statuses


# Requests that end the session go last, after deletions, so that the others reach a signed-in user's objects.
SESSION_ENDERS = frozenset({"auth.change_password", "auth.logout"})


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_every_post_answer_of_every_role_carries_the_security_headers(app, org, role):
    client = signed_in(app, org.users[role])
    post_rules = [r for r in session_rules(app) if "POST" in methods_of(r)]
    ids = org.ids()
    statuses = set()
    for rule in sorted(post_rules, key=lambda r: (r.endpoint in SESSION_ENDERS, r.rule.endswith("/delete"))):
        url = build_url(app, rule, ids)
        response = client.post(url, data=form_data(rule.endpoint, org, ids))
        statuses.add(response.status_code)
        assert_secure_headers(response, where=f"POST {url}")
        assert_not_cached(response, where=f"POST {url}")
    assert 302 in statuses


@pytest.mark.parametrize(
    ("who", "method", "path", "status"),
    [
        ("anonymous", "GET", "/login", 200),
        ("anonymous", "GET", "/plans", 302),
        ("anonymous", "GET", "/healthz", 200),
        ("editor", "GET", "/", 302),
        ("editor", "GET", "/plans", 200),
        ("editor", "GET", "/plans/999999", 404),
        ("editor", "GET", "/no-such-page", 404),
        ("editor", "GET", "/audit", 403),
        ("editor", "GET", "/logout", 405),
        ("editor", "POST", "/logout", 302),
    ],
)
def test_redirects_and_error_pages_carry_the_security_headers(client, who, method, path, status):
    if who == "editor":
        login(client, create_user(org=create_org(), role=Role.EDITOR))
    response = client.open(path, method=method)
    assert response.status_code == status
    assert_secure_headers(response, where=path)
    assert_not_cached(response, where=path)


def test_static_files_carry_the_security_headers(client):
    with client.get(STATIC_FILE) as response:
        assert response.status_code == 200
        assert_secure_headers(response, where=STATIC_FILE)


def test_hsts_is_not_sent_unless_configured(client):
    for path in ("/login", STATIC_FILE, "/no-such-page"):
        with client.get(path) as response:
            assert "Strict-Transport-Security" not in response.headers


@pytest.fixture
def throwaway_app(app: Flask, database_url: str, request) -> Iterator[Flask]:
    """A separate app on the same database, so test-only routes never reach the shared app."""
    overrides = getattr(request, "param", {})
    extra = create_app(make_config(database_url, EXPORT_DIR=app.config["EXPORT_DIR"], **overrides))

    def explode():  # type: ignore[no-untyped-def]
        raise RuntimeError("connection to db-internal.example failed at /srv/planwright/app/secret.py")

    extra.add_url_rule("/explode", "explode", explode)
    yield extra
    with extra.app_context():
        db.engine.dispose()


@pytest.mark.parametrize("throwaway_app", [{"SEND_HSTS": True}], indirect=True)
def test_hsts_is_sent_on_every_response_when_configured(throwaway_app):
    client = new_client(throwaway_app)
    for path in ("/login", STATIC_FILE, "/no-such-page"):
        with client.get(path) as response:
            hsts = response.headers.get("Strict-Transport-Security", "")
            max_age = int(re.search(r"max-age=(\d+)", hsts).group(1)) if "max-age=" in hsts else 0
            assert max_age >= 31536000 and "includeSubDomains" in hsts, path


def test_unexpected_error_shows_a_reference_and_no_traceback(throwaway_app, caplog):
    client = new_client(throwaway_app)
    login(client, create_user(org=create_org(), role=Role.EDITOR))
    with caplog.at_level(logging.ERROR):
        response = client.get("/explode")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert_secure_headers(response, where="/explode")
    assert_not_cached(response, where="/explode")
    reference = re.search(r"reference: <strong>([0-9a-f]{8,})</strong>", page)
    assert reference, "the 500 page shows no correlation id"
    assert reference.group(1) in caplog.text, "the correlation id cannot be found in the log"
    for leak in ("Traceback", "RuntimeError", "db-internal", "/srv/planwright", ".py"):
        assert leak not in page
