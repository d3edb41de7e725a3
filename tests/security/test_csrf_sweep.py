"""CSRF (SECURITY.md R20) on every unsafe route, counted for the summary, with protection on as in production.

Session routes (POST, and PUT/PATCH/DELETE should any appear) refuse a missing and a wrong token with 400 and
change nothing. The API blueprint is exempt from CSRF because it never accepts the session cookie: each of its
unsafe routes, sent by a signed-in browser with no bearer token, answers 401. tests/core/test_csrf.py (also run
by `make security`) checks the other side: the same bodies with a valid token are accepted.
"""

from __future__ import annotations

import pytest

from app.auth.models import Role
from tests.core.test_csrf import app, business_digest, csrf_tenant, ids_for, last_event_id, new_event_actions, sign_in
from tests.core.world import build_url, changed_tables, form_data, new_client
from tests.security import figures
from tests.security.access import UNSAFE_METHODS, all_routes
from tests.security.test_route_matrix import read_and_close

__all__ = ["app"]  # the CSRF-enabled app of tests/core/test_csrf.py replaces the session one in this module
pytestmark = [pytest.mark.security, pytest.mark.csrf]
SESSION_ENDERS = ("auth.change_password", "auth.logout")


def test_every_unsafe_session_route_refuses_a_missing_and_a_wrong_token_and_changes_nothing(app):
    org = csrf_tenant()
    client = new_client(app)
    sign_in(client, org.users[Role.ADMIN])
    routes = [(m, r) for m, r in all_routes(app) if m in UNSAFE_METHODS and not r.endpoint.startswith("api.")]
    routes.sort(key=lambda item: item[1].endpoint in SESSION_ENDERS)
    assert len(routes) >= 100
    problems = []
    for method, rule in routes:
        ids = ids_for(org, rule.endpoint)
        url = build_url(app, rule, ids)
        figures.add("csrf_routes")
        for token in (None, "wrong-token"):
            data = form_data(rule.endpoint, org, ids)
            if token:
                data["csrf_token"] = token
            before, last_event = business_digest(), last_event_id()
            status = read_and_close(client.open(url, method=method, data=data)).status_code
            changed = changed_tables(before, business_digest())
            events = set(new_event_actions(last_event)) - {"security.csrf_failed"}
            if status == 400 and not changed and not events:
                figures.add("csrf_rejected_wrong" if token else "csrf_rejected_missing")
            else:
                problems.append(f"{method} {url} ({token or 'no token'}): {status}, changed {changed}, events {events}")
    assert client.get("/plans").status_code == 200, "a refused sign-out must leave the user signed in"
    assert not problems, "\n".join(problems)


def test_api_routes_exempt_from_csrf_never_accept_the_session_cookie(app):
    routes = [(m, r) for m, r in all_routes(app) if m in UNSAFE_METHODS and r.endpoint.startswith("api.")]
    if not routes:
        pytest.skip("the app has no unsafe API routes yet")
    org = csrf_tenant()
    client = new_client(app)
    sign_in(client, org.users[Role.ADMIN])
    problems = []
    for method, rule in routes:
        url = build_url(app, rule, org.ids())
        before = business_digest()
        status = read_and_close(client.open(url, method=method, json={})).status_code
        changed = changed_tables(before, business_digest())
        if status == 401 and not changed:
            figures.add("csrf_api_cookie_refused")
        else:
            problems.append(f"{method} {url} with only the session cookie: {status}, changed {changed}")
    assert not problems, "\n".join(problems)
