"""With CSRF protection on, as in production: the StratML import accepts files above the app-wide 4 MB request
limit up to its own 10 MB, says so clearly just above it, and refuses a missing token."""

from __future__ import annotations

import io

import pytest
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from app.extensions import db
from app.plans.models import Plan
from tests.conftest import csrf_app_fixture, csrf_token_from, signed_in_with_form_token
from tests.stratml import samples
from tests.stratml.world import row_counts

pytestmark = pytest.mark.csrf
MB = 1024 * 1024
IMPORT_URL = "/plans/stratml/import"
app = csrf_app_fixture()


@pytest.fixture
def browser(app, editor):  # type: ignore[no-untyped-def]
    """A signed-in editor's browser and the CSRF token of the import page."""
    client = signed_in_with_form_token(app, editor)
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
