"""With CSRF protection on, as in production: the StratML import accepts files above the app-wide 4 MB request
limit up to its own 10 MB, says so clearly just above it, and refuses a missing token."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from flask import Flask
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from app import create_app
from app.extensions import db
from app.plans.models import Plan
from tests.conftest import FreshContextClient, csrf_token_from, make_config, new_client
from tests.factories import PASSWORD
from tests.stratml import samples
from tests.stratml.world import row_counts

pytestmark = pytest.mark.csrf
MB = 1024 * 1024
IMPORT_URL = "/plans/stratml/import"


@pytest.fixture(scope="module")
def app(app: Flask, database_url: str) -> Iterator[Flask]:
    """The session app has migrated the database; this one shares it with CSRF protection on."""
    csrf_app = create_app(make_config(database_url, WTF_CSRF_ENABLED=True, EXPORT_DIR=app.config["EXPORT_DIR"]))
    csrf_app.test_client_class = FreshContextClient
    yield csrf_app
    with csrf_app.app_context():
        db.engine.dispose()


@pytest.fixture
def browser(app, editor):  # type: ignore[no-untyped-def]
    client = new_client(app)
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"email": editor.email, "password": PASSWORD, "csrf_token": token})
    return client, csrf_token_from(client.get(IMPORT_URL).get_data(as_text=True))


def _post(client, content: bytes, **fields: str):  # type: ignore[no-untyped-def]
    boundary, body = encode_multipart({**fields, "file": FileStorage(io.BytesIO(content), filename="plan.xml")})
    return client.post(IMPORT_URL, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def test_a_6_mb_file_is_imported_although_other_pages_stop_at_4_mb(browser, org):
    client, token = browser
    response = _post(client, samples.oversized(6 * MB), csrf_token=token)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert db.session.scalar(db.select(Plan.title).where(Plan.organization_id == org.id)) == "Huge"


def test_a_file_just_over_10_mb_is_refused_on_the_page(browser):
    client, token = browser
    before = row_counts()
    response = _post(client, samples.oversized(10 * MB), csrf_token=token)
    assert response.status_code == 422
    assert "The file is larger than 10 MB" in response.get_data(as_text=True)
    assert row_counts() == before


def test_a_far_larger_upload_gets_the_too_large_page(browser):
    client, token = browser
    response = _post(client, b"x" * (21 * MB), csrf_token=token)
    assert response.status_code == 413


def test_an_upload_without_the_form_token_is_refused(browser):
    client, _ = browser
    before = row_counts()
    response = _post(client, samples.MINIMAL_PART1.encode())
    assert response.status_code == 400
    after = row_counts()
    assert after["audit_event"] == before["audit_event"] + 1  # the refusal itself is recorded (security event)
    assert {k: v for k, v in after.items() if not k.startswith("audit_")} == {
        k: v for k, v in before.items() if not k.startswith("audit_")
    }
