"""The StratML download links and the import page: permissions, messages and what the user sees."""

from __future__ import annotations

import io
import json

import pytest
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from app.audit.models import AuditEvent
from app.extensions import db
from app.plans.models import Plan
from tests.factories import create_plan
from tests.stratml import samples
from tests.stratml.world import full_plan, row_counts, validate

IMPORT_URL = "/plans/stratml/import"


def _upload(client, data: bytes, filename: str = "plan.xml"):  # type: ignore[no-untyped-def]
    """POST the file as a browser does, encoded here in memory: the test client would spool a large body to a
    temporary file that nothing closes."""
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(data), filename=filename)})
    return client.post(IMPORT_URL, data=body, content_type=f"multipart/form-data; boundary={boundary}")


@pytest.mark.parametrize("part", [1, 2])
def test_a_viewer_downloads_a_valid_stratml_file_and_the_download_is_audited(signed_in, org, editor, viewer, part):
    plan = full_plan(org, editor)
    response = signed_in(viewer).get(f"/plans/{plan.id}/stratml?part={part}")
    assert response.status_code == 200 and response.mimetype == "application/xml"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and f"stratml-part{part}.xml" in disposition
    assert response.headers["Cache-Control"] == "no-store"
    assert validate(response.data, part) == []
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "export.stratml"))
    assert event.actor_id == viewer.id and json.loads(event.changes)["part"] == part


def test_part_1_is_the_default_and_other_parts_are_not_found(signed_in, org, editor):
    plan = create_plan(org=org, owner=editor)
    client = signed_in(editor)
    assert b"<StrategicPlan " in client.get(f"/plans/{plan.id}/stratml").data
    assert client.get(f"/plans/{plan.id}/stratml?part=3").status_code == 404


def test_another_organizations_plan_is_not_found(signed_in, org, editor, other_editor):
    plan = create_plan(org=org, owner=editor)
    assert signed_in(other_editor).get(f"/plans/{plan.id}/stratml?part=1").status_code == 404
    assert db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "export.stratml")) is None


def test_signing_in_is_required(client, org, editor):
    plan = create_plan(org=org, owner=editor)
    assert client.get(f"/plans/{plan.id}/stratml").status_code == 302
    assert client.get(IMPORT_URL).status_code == 302


def test_the_plan_page_offers_both_parts_and_the_list_offers_import_to_editors(signed_in, org, editor, viewer):
    plan = create_plan(org=org, owner=editor)
    page = signed_in(viewer).get(f"/plans/{plan.id}").get_data(as_text=True)
    assert f"/plans/{plan.id}/stratml?part=1" in page and f"/plans/{plan.id}/stratml?part=2" in page
    assert "Import StratML" not in signed_in(viewer).get("/plans").get_data(as_text=True)
    assert IMPORT_URL in signed_in(editor).get("/plans").get_data(as_text=True)


@pytest.mark.parametrize("role", ["viewer", "reviewer"])
def test_only_editors_and_administrators_import(request, signed_in, org, role):
    user = request.getfixturevalue(role)
    client = signed_in(user)
    assert client.get(IMPORT_URL).status_code == 403
    before = row_counts()
    assert _upload(client, samples.ISO_PART1_PREFIXED.encode()).status_code == 403
    assert row_counts() == before


def test_an_editor_imports_a_file_and_sees_what_was_imported_and_what_was_not(signed_in, org, editor):
    client = signed_in(editor)
    assert "Import a plan from StratML" in client.get(IMPORT_URL).get_data(as_text=True)
    response = _upload(client, samples.ISO_PART1_PREFIXED.encode(), "harbour.xml")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    plan = db.session.scalar(db.select(Plan).where(Plan.organization_id == org.id))
    assert plan.title == "Harbour City Digital Plan 2026–2029" and plan.owner_id == editor.id
    assert f'href="/plans/{plan.id}"' in page
    assert "harbour.xml (StratML Part 1 (ISO 17469-1))" in page
    assert '<th scope="row">Goals</th><td>2</td>' in page and '<th scope="row">Objectives</th><td>2</td>' in page
    assert "Organization/Acronym (“HCDI”)" in page and "Submitter (“Pat Example”)" in page
    assert "did not validate" not in page


def test_an_admin_imports_a_file_that_does_not_validate_and_is_told_why(signed_in, org, admin):
    response = _upload(signed_in(admin), samples.NOT_VALID_BUT_READABLE.encode())
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "The file did not validate against the StratML schema" in page
    assert "This element is not expected" in page
    assert "Budget (“2000000”)" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (samples.BROKEN.encode(), "is not well-formed XML"),
        (samples.ENTITY_BOMB.encode(), "declares a DOCTYPE or entities"),
        (samples.HTML_PAGE.encode(), "a StratML plan starts with &lt;StrategicPlan&gt;"),
    ],
    ids=["broken", "entity bomb", "html"],
)
def test_an_unreadable_file_gets_a_clear_error_and_nothing_is_written(signed_in, org, editor, data, message):
    client = signed_in(editor)
    before = row_counts()
    response = _upload(client, data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page and "usa-error-message" in page and "<title>Error: " in page
    assert row_counts() == before


def test_no_file_chosen_says_what_to_do(signed_in, org, editor):
    response = signed_in(editor).post(IMPORT_URL, data={}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Choose the StratML (.xml) file of the plan to import." in response.get_data(as_text=True)


def test_a_file_over_10_mb_gets_a_clear_error_on_the_page(signed_in, org, editor):
    client = signed_in(editor)
    before = row_counts()
    response = _upload(client, samples.oversized(10 * 1024 * 1024))
    assert response.status_code == 422
    assert "The file is larger than 10 MB" in response.get_data(as_text=True)
    assert row_counts() == before


def test_the_import_lands_in_the_users_organization_only(signed_in, org, editor, other_org):
    _upload(signed_in(editor), samples.MINIMAL_PART1.encode())
    assert db.session.scalar(db.select(Plan).where(Plan.organization_id == other_org.id)) is None
    assert db.session.scalar(db.select(Plan).where(Plan.organization_id == org.id)) is not None
