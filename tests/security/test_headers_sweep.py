"""Security headers (SECURITY.md R21, R26) on the response types tests/core/test_headers.py does not reach:
spreadsheet downloads in every format, PDF downloads, API answers (with and without a token, errors included)
and public pages. Downloads are also checked for a server-chosen attachment name."""

from __future__ import annotations

import pytest

from app.auth.models import Role
from app.exports.models import Export
from app.extensions import db
from tests.core.test_headers import assert_not_cached, assert_secure_headers
from tests.core.world import build_tenant, build_url, new_client, signed_in
from tests.security import figures
from tests.security.access import all_routes
from tests.security.documents import kind_of
from tests.security.test_route_matrix import api_token, read_and_close

pytestmark = pytest.mark.security


def check(response, where: str, *, download: bool = False) -> None:  # type: ignore[no-untyped-def]
    assert_secure_headers(response, where=where)
    assert_not_cached(response, where=where)
    if download:
        disposition = response.headers.get("Content-Disposition", "")
        assert disposition.startswith("attachment;") and "filename" in disposition, f"{where}: {disposition!r}"
    figures.add("header_checks")


def test_spreadsheet_and_pdf_downloads_carry_the_security_headers_and_an_attachment_name(app):
    tenant = build_tenant("ORGA")
    client = signed_in(app, tenant.users[Role.VIEWER])
    downloads = [rule for method, rule in all_routes(app) if method == "GET" and "fmt" in rule.arguments]
    assert len(downloads) >= 6
    for rule in downloads:
        for fmt in ("csv", "xlsx"):
            url = build_url(app, rule, {**tenant.ids(), "fmt": fmt})
            response = read_and_close(client.get(url))
            assert response.status_code == 200 and kind_of(response) == fmt, f"{url}: {response.status_code}"
            check(response, url, download=True)
    before = db.session.scalar(db.select(db.func.max(Export.id))) or 0
    assert client.post(f"/plans/{tenant.plan.id}/exports", data={"version": "draft"}).status_code == 302
    export_id = db.session.scalar(db.select(Export.id).where(Export.id > before))
    assert client.get(f"/exports/{export_id}/status").json["status"] == "ready"  # type: ignore[index]
    response = read_and_close(client.get(f"/exports/{export_id}/download"))
    assert kind_of(response) == "pdf"
    check(response, "PDF download", download=True)


def test_api_answers_and_public_pages_carry_the_security_headers(app):
    rules = [(m, r) for m, r in all_routes(app) if r.endpoint.split(".")[0] in ("api", "public")]
    tenant = build_tenant("ORGA")
    anonymous = new_client(app)
    for path in ("/api/v1/no-such-thing", "/public/no-such-thing"):
        check(read_and_close(anonymous.get(path)), path)
    if not rules:
        pytest.skip("the app has no API or public routes yet (their 404 pages were checked)")
    token = {"Authorization": f"Bearer {api_token(tenant.users[Role.EDITOR], tenant.org)}"}
    for method, rule in rules:
        url = build_url(app, rule, tenant.ids())
        body = {} if method != "GET" else None
        for who, headers in (("anonymous", {}), ("token", token)):
            response = read_and_close(anonymous.open(url, method=method, json=body, headers=headers))
            assert response.status_code < 500, f"{method} {url} ({who}): {response.status_code}"
            check(response, f"{method} {url} ({who})")
