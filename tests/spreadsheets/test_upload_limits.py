"""Upload limits with CSRF protection on, as in production: the import pages accept files up to 5 MB although
every other page refuses requests over 4 MB, and a bigger file is refused with a message that says what to do."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.portfolio.models import Initiative
from tests.conftest import csrf_app_fixture, csrf_token_from, signed_in_with_form_token
from tests.spreadsheets.helpers import csv_file, page_text, upload

pytestmark = pytest.mark.csrf
MB = 1024 * 1024
app = csrf_app_fixture()


@pytest.fixture
def browser(app, editor):  # type: ignore[no-untyped-def]
    """A signed-in editor's browser and the CSRF token of its import page."""
    client = signed_in_with_form_token(app, editor)
    return client, csrf_token_from(client.get("/initiatives/import").get_data(as_text=True))


def rows_of(size: int) -> bytes:
    """A CSV file of about ``size`` bytes, with far more than 10,000 rows."""
    row = b"INI-0900,Padding for the upload limit tests\r\n"
    return csv_file(["Code", "Title"]) + row * (size // len(row))


def test_a_file_between_4_and_5_mb_reaches_the_import(browser):
    client, token = browser
    response = upload(client, "/initiatives/import", "big.csv", rows_of(4 * MB + MB // 2), csrf_token=token)
    assert response.status_code == 422
    assert "The file has more than 10,000 rows" in page_text(response.get_data(as_text=True))


def test_a_file_over_5_mb_is_refused_on_the_import_page(browser):
    client, token = browser
    response = upload(client, "/kpis/import", "bigger.csv", rows_of(6 * MB), csrf_token=token)
    assert response.status_code == 422
    assert "The file is larger than 5 MB" in page_text(response.get_data(as_text=True))


def test_a_much_larger_upload_gets_the_too_large_page_saying_the_limit(browser):
    client, token = browser
    response = upload(client, "/initiatives/import", "huge.csv", rows_of(11 * MB), csrf_token=token)
    assert response.status_code == 413
    assert "A file to import can be at most 5 MB" in response.get_data(as_text=True)


def test_other_pages_keep_the_4_mb_limit(browser):
    client, token = browser
    response = upload(client, "/initiatives/new", "big.csv", rows_of(4 * MB + MB // 2), csrf_token=token)
    assert response.status_code == 413


def test_an_upload_without_the_form_token_is_refused(browser):
    client, _ = browser
    payload = csv_file(["Code", "Title", "Category"], ["INI-0900", "Fine", "Run"])
    response = upload(client, "/initiatives/import", "ok.csv", payload)
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.scalar(select(Initiative).where(Initiative.code == "INI-0900")) is None
