"""Route × role × organization matrix (issue 9, SECURITY.md R12/R13): every route of ``app.url_map`` is declared in
tests/security/access.py; no role gets a route it is not declared for; no page, CSV, workbook, PDF or API answer
ever carries another organization's canary.

Two tenants come from tests/core/world/ (every text field carries the tenant's canary). For each role and for a
visitor who is not signed in, every route and method is requested twice: with the user's own organization's
objects and with the other organization's. Refused requests run first, and must change nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import Rule

from app.auth.models import Role
from app.exports.models import Export
from app.extensions import db
from tests.core.test_csrf import csrf_tenant, ids_for
from tests.core.world import (
    Tenant,
    build_tenant,
    build_url,
    changed_tables,
    content_digest,
    form_data,
    new_client,
    signed_in,
)
from tests.security import figures
from tests.security.access import UNSAFE_METHODS, Access, all_routes, classify, stale_entries, unclassified
from tests.security.documents import readable_text

pytestmark = pytest.mark.security

# Refused requests may be audited (authorization failures are security events) and touch the session clock.
IGNORED = frozenset({("user_session", "last_seen_at")})
AUDIT_TABLES = frozenset({"audit_event", "audit_chain_head"})
SESSION_ENDERS = ("auth.change_password", "auth.logout")  # sent last, in this order
SPREADSHEET_FORMATS = ("csv", "xlsx")
# Sign-in steps whose answer, to a browser with no sign-in in progress (or signing out), is the sign-in page.
SENDS_TO_LOGIN = frozenset({"auth.mfa_challenge", "auth.sso_callback", "auth.sso_second_factor", "auth.logout"})


def business_digest() -> dict[str, str]:
    return {name: value for name, value in content_digest(ignore=IGNORED).items() if name not in AUDIT_TABLES}


def read_and_close(response):  # type: ignore[no-untyped-def]
    """Buffer the body and release the file behind a download (unclosed files are warnings, hence errors)."""
    response.get_data()
    response.close()
    return response


def is_login_redirect(response) -> bool:  # type: ignore[no-untyped-def]
    return response.status_code in (301, 302, 303) and "/login" in response.headers.get("Location", "")


def request_order(item: tuple[str, Rule]) -> tuple:  # type: ignore[type-arg]
    """Reads first, then writes; deletions after the other writes (an object's parts before the object), and the
    requests that end the session last."""
    method, rule = item
    deletes = rule.rule.endswith(("/delete", "/remove"))
    ender = SESSION_ENDERS.index(rule.endpoint) if rule.endpoint in SESSION_ENDERS else -1
    return (ender, method != "GET", deletes, -len(rule.arguments))


@dataclass
class Matrix:
    """What one role saw; ``problems`` lists each cell that broke its declaration."""

    app: Flask
    client: FlaskClient
    own: Tenant
    other: Tenant
    role: Role | None
    problems: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return self.role.value if self.role else "anonymous"

    def allowed(self, access: Access) -> bool:
        return access.anonymous or (self.role is not None and self.role in access.roles)

    def scan(self, where: str, response) -> str:  # type: ignore[no-untyped-def]
        kind, text = readable_text(response)
        figures.add(f"documents_scanned.{kind}")
        if self.other.canary in text:
            figures.add("cross_org_leaks")
            self.problems.append(f"{where}: the other organization's canary is in the {kind} answer")
        return text

    def send(self, method: str, rule: Rule, ids: dict[str, int], tenant: Tenant, **values: str):  # type: ignore[no-untyped-def]
        url = build_url(self.app, rule, {**ids, **values})
        data = form_data(rule.endpoint, tenant, ids) if method != "GET" else None
        figures.add("matrix_cells")
        return url, read_and_close(self.client.open(url, method=method, data=data))

    def expect_refused(self, where: str, response, *, statuses: tuple[int, ...]) -> None:  # type: ignore[no-untyped-def]
        refused = response.status_code in statuses or (self.role is None and is_login_redirect(response))
        if not refused:
            if response.status_code < 400:
                figures.add("unexpected_2xx")
            self.problems.append(f"{where}: {response.status_code}, expected {' or '.join(map(str, statuses))}")

    def expect_served(self, where: str, endpoint: str, access: Access, response) -> None:  # type: ignore[no-untyped-def]
        status = response.status_code
        to_login = is_login_redirect(response) and endpoint not in SENDS_TO_LOGIN
        refused = (401, 403) if access.published_only else (401, 403, 404)
        if status >= 500 or status in refused or to_login:
            self.problems.append(f"{where}: {status} for a role the route is declared for")


def session_routes(app: Flask) -> list[tuple[str, Rule, Access]]:
    routes = []
    for method, rule in sorted(all_routes(app), key=request_order):
        access = classify(rule, method)
        if access is not None and not access.token and rule.endpoint != "static":
            routes.append((method, rule, access))
    return routes


def sweep_own_organization(matrix: Matrix) -> None:
    """Refused cells first (they must change nothing), then the cells the role may use, in ``request_order``."""
    app, own = matrix.app, matrix.own
    routes = session_routes(app)
    before = business_digest()
    for method, rule, access in routes:
        if matrix.allowed(access):
            continue
        ids = ids_for(own, rule.endpoint)
        url, response = matrix.send(method, rule, ids, own)
        matrix.scan(f"{method} {url}", response)
        matrix.expect_refused(f"{method} {url} ({matrix.label})", response, statuses=(401, 403, 404))
    db.session.expire_all()
    changed = changed_tables(before, business_digest())
    figures.add("writes_from_refused_requests", len(changed))
    if changed:
        matrix.problems.append(f"refused requests of {matrix.label} changed {changed}")
    for method, rule, access in routes:
        if not matrix.allowed(access):
            continue
        ids = ids_for(own, rule.endpoint)
        formats = SPREADSHEET_FORMATS if "fmt" in rule.arguments else ("",)
        for fmt in formats:
            url, response = matrix.send(method, rule, ids, own, **({"fmt": fmt} if fmt else {}))
            matrix.scan(f"{method} {url}", response)
            matrix.expect_served(f"{method} {url} ({matrix.label})", rule.endpoint, access, response)


def sweep_other_organization(matrix: Matrix) -> None:
    """Every route naming an object, with the other organization's object: 404 (or the role's own 403)."""
    app, other = matrix.app, matrix.other
    before = business_digest()
    for method, rule, access in session_routes(app):
        if not rule.arguments - {"fmt"} or rule.endpoint in SESSION_ENDERS:
            continue  # names no object: its answer is checked for the other canary in the own sweep
        url, response = matrix.send(method, rule, other.ids(), other)
        matrix.scan(f"{method} {url}", response)
        statuses = (404,) if matrix.allowed(access) else (403, 404)
        matrix.expect_refused(f"{method} {url} (other organization, {matrix.label})", response, statuses=statuses)
    db.session.expire_all()
    changed = changed_tables(before, business_digest())
    figures.add("writes_from_refused_requests", len(changed))
    if changed:
        matrix.problems.append(f"requests for the other organization's objects changed {changed}")


def test_every_route_and_method_is_declared(app):
    routes = all_routes(app)
    missing = unclassified(app)
    figures.note("url_rules", len({rule.rule for _, rule in routes}))
    figures.note("routes_total", len(routes))  # each (method, URL rule) pair is a route here
    figures.note("routes_classified", len(routes) - len(missing))
    assert missing == [], (
        "routes nobody has declared access for; add each to ROUTES in tests/security/access.py:\n" + "\n".join(missing)
    )
    assert stale_entries(app) == [], "ROUTES names routes that no longer exist"
    assert len(routes) > 100


@pytest.mark.parametrize("role", [*Role, None], ids=lambda r: r.value if r else "anonymous")
def test_each_role_gets_exactly_its_declared_routes_and_nothing_of_the_other_organization(app, role):
    own, other = csrf_tenant(), build_tenant("ORGB")
    client = signed_in(app, own.users[role]) if role else new_client(app)
    matrix = Matrix(app=app, client=client, own=own, other=other, role=role)
    if role is not None:
        sweep_other_organization(matrix)
    sweep_own_organization(matrix)
    assert not matrix.problems, f"{len(matrix.problems)} problems:\n" + "\n".join(matrix.problems)


def test_pdfs_of_own_plan_and_board_pack_never_carry_the_other_organizations_canary(app):
    own, other = build_tenant("ORGA"), build_tenant("ORGB")
    client = signed_in(app, own.users[Role.ADMIN])
    before = db.session.scalar(db.select(db.func.max(Export.id))) or 0
    assert client.post(f"/plans/{own.plan.id}/exports", data={"version": "draft"}).status_code == 302
    meeting = own.governance.meeting  # type: ignore[union-attr]
    assert client.post(f"/meetings/{meeting.id}/board-pack").status_code == 302
    exports = db.session.scalars(db.select(Export.id).where(Export.id > before)).all()
    assert len(exports) == 2
    for export_id in exports:
        assert client.get(f"/exports/{export_id}/status").json["status"] == "ready"  # type: ignore[index]
        response = read_and_close(client.get(f"/exports/{export_id}/download"))
        kind, text = readable_text(response)
        figures.add(f"documents_scanned.{kind}")
        assert kind == "pdf", response.status_code
        assert own.canary in text.replace("\n", ""), "the PDF text was not read (own canary missing)"
        if other.canary in text.replace("\n", ""):
            figures.add("cross_org_leaks")
        assert other.canary not in text.replace("\n", "")


def api_rules(app: Flask) -> list[tuple[str, Rule, Access]]:
    found = [(m, r, classify(r, m)) for m, r in all_routes(app) if r.endpoint.startswith("api.")]
    return [(m, r, a) for m, r, a in found if a is not None]


def api_token(user, org) -> str:  # type: ignore[no-untyped-def]
    from app.api.tokens import issue_token  # written by the API work (issue 7)

    _, plaintext = issue_token(
        user=user,
        organization=org,
        name="security sweep",
        scope="read-write",
        expires_at=datetime.now(UTC) + timedelta(days=7),
    )
    db.session.commit()
    return plaintext


def test_api_routes_need_a_token_keep_roles_and_never_cross_organizations(app):
    routes = api_rules(app)
    if not routes:
        pytest.skip("the app has no API routes yet")
    own, other = build_tenant("ORGA"), build_tenant("ORGB")
    problems = []
    cookie_client = signed_in(app, own.users[Role.ADMIN])
    anonymous = new_client(app)
    for method, rule, access in routes:
        url = build_url(app, rule, own.ids())
        body = {} if method in UNSAFE_METHODS else None
        figures.add("matrix_cells", 2)
        if not access.anonymous:
            for who, client in (("no token", anonymous), ("session cookie only", cookie_client)):
                status = read_and_close(client.open(url, method=method, json=body)).status_code
                if status != 401:
                    problems.append(f"{method} {url} with {who}: {status}, expected 401")
    for role in Role:
        token = {"Authorization": f"Bearer {api_token(own.users[role], own.org)}"}
        client = new_client(app)
        for method, rule, access in routes:
            body = {} if method in UNSAFE_METHODS else None
            for org, ids in (("own", own.ids()), ("other", other.ids())):
                if org == "other" and not rule.arguments:
                    continue
                url = build_url(app, rule, ids)
                response = read_and_close(client.open(url, method=method, json=body, headers=token))
                figures.add("matrix_cells")
                kind, text = readable_text(response)
                figures.add(f"documents_scanned.{kind}")
                where = f"{method} {url} ({role.value}, {org} organization)"
                if other.canary in text:
                    figures.add("cross_org_leaks")
                    problems.append(f"{where}: the other organization's canary is in the answer")
                allowed = role in access.roles and org == "own"
                if response.status_code >= 500 or (allowed and response.status_code in (401, 403, 404)):
                    problems.append(f"{where}: {response.status_code}")
                if not allowed and response.status_code not in (403, 404):
                    figures.add("unexpected_2xx", response.status_code < 400)
                    problems.append(f"{where}: {response.status_code}, expected 403 or 404")
    assert not problems, "\n".join(problems)
