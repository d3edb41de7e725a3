"""Adding, editing and deleting initiatives through the pages."""

import re

import pytest

from app.auth.models import Role
from app.portfolio.models import Initiative, InitiativeStatus
from tests.factories import create_org, create_user
from tests.plans.html import main_content, parse, squash
from tests.portfolio.factories import create_initiative, put_in_status
from tests.portfolio.helpers import (
    error_messages,
    field_value,
    fresh,
    initiative_count,
    initiative_form,
    page_text,
    table_rows,
)


def test_new_form_suggests_the_next_free_code(editor_client, org, editor):
    create_initiative(org=org, user=editor, code="INI-0025")
    create_initiative(org=org, user=editor, code="LEGACY-7")
    html = editor_client.get("/initiatives/new").get_data(as_text=True)
    assert field_value(html, "code") == "INI-0026"


def test_new_form_explains_run_change_and_transform(editor_client):
    text = page_text(editor_client.get("/initiatives/new").get_data(as_text=True))
    assert "Keep the lights on" in text
    assert "Change the estate" in text
    assert "Transform services to residents" in text


def test_adding_an_initiative_shows_it_as_proposed_with_its_text(editor_client):
    response = editor_client.post("/initiatives/new", data=initiative_form())
    assert response.status_code == 302
    assert re.fullmatch(r"/initiatives/\d+", response.headers["Location"])
    html = editor_client.get(response.headers["Location"]).get_data(as_text=True)
    page = main_content(html)
    assert squash(page.find("h1").text) == "INI-0100 Digital permits for small businesses"
    assert "Status: Proposed" in page_text(html)
    assert "Transform" in page_text(html)
    assert page.find("strong").text == "every"  # Markdown is rendered
    assert "1 Jul 2026 – 30 Jun 2028" in page_text(html)


def test_codes_are_stored_in_capitals(editor_client):
    editor_client.post("/initiatives/new", data=initiative_form(code="ini-0200"))
    listing = page_text(editor_client.get("/initiatives").get_data(as_text=True))
    assert "INI-0200" in listing


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        pytest.param({"title": "  "}, "Enter a title for the initiative.", id="no-title"),
        pytest.param({"code": ""}, "Enter a code for the initiative, such as INI-0026.", id="no-code"),
        pytest.param(
            {"code": "INI 7/8"},
            "Use only letters, digits, dots and hyphens in the code, such as INI-0026.",
            id="bad-code",
        ),
        pytest.param({"category": ""}, "Choose Run, Change or Transform.", id="no-category"),
        pytest.param({"category": "maintain"}, "Choose Run, Change or Transform.", id="unknown-category"),
        pytest.param(
            {"start_date": "2028-01-01", "end_date": "2027-12-31"},
            "The end date must be the same as or after the start date.",
            id="end-before-start",
        ),
        pytest.param(
            {"start_date": "next spring"}, "Enter the start date as a date such as 2026-07-01.", id="not-a-date"
        ),
    ],
)
def test_invalid_initiative_is_shown_again_with_what_to_do(editor_client, overrides, message):
    before = initiative_count()
    response = editor_client.post("/initiatives/new", data=initiative_form(**overrides))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert error_messages(html) == [message]
    assert initiative_count() == before


def test_refused_form_keeps_everything_typed(editor_client):
    typed = initiative_form(title="", problem="Four counters <and> long queues\nSecond line", start_date="next spring")
    html = editor_client.post("/initiatives/new", data=typed).get_data(as_text=True)
    assert field_value(html, "code") == "INI-0100"
    assert field_value(html, "problem") == "Four counters <and> long queues\nSecond line"
    assert field_value(html, "start_date") == "next spring"
    assert field_value(html, "funding_source") == "Capital bond"
    assert "checked" in parse(html).find("input", value="transform").attrs


def test_a_code_already_used_in_the_organization_is_refused(editor_client, initiative):
    response = editor_client.post("/initiatives/new", data=initiative_form(code=initiative.code, title="Second try"))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert error_messages(html) == ["INI-0001 is already used by another initiative. Choose another code."]
    assert field_value(html, "title") == "Second try"


def test_the_same_code_may_be_used_by_another_organization(editor_client, initiative):
    other = create_org()
    create_initiative(org=other, user=create_user(org=other), code=initiative.code)
    assert editor_client.post("/initiatives/new", data=initiative_form(code="INI-0002")).status_code == 302


def edit(client, initiative, **overrides):  # type: ignore[no-untyped-def]
    current = fresh(Initiative, initiative.id)
    data = initiative_form(
        **{"code": current.code, "title": current.title, "version": str(current.version), **overrides}
    )
    return client.post(f"/initiatives/{initiative.id}/edit", data=data)


def test_edit_form_starts_with_the_saved_values(editor_client, initiative):
    html = editor_client.get(f"/initiatives/{initiative.id}/edit").get_data(as_text=True)
    assert field_value(html, "title") == "Online permits"
    assert field_value(html, "version") == "1"


def test_editing_saves_the_changes(editor_client, initiative):
    response = edit(editor_client, initiative, title="Permits online", owner="Dana Ortiz")
    assert response.status_code == 302
    saved = fresh(Initiative, initiative.id)
    assert (saved.title, saved.owner, saved.category) == ("Permits online", "Dana Ortiz", "transform")
    assert "Saved INI-0001." in page_text(editor_client.get(response.headers["Location"]).get_data(as_text=True))


def test_a_stale_edit_answers_409_and_keeps_the_users_text(signed_in, editor_client, org, initiative):
    colleague = signed_in(create_user(org=org, role=Role.EDITOR))
    opened_version = fresh(Initiative, initiative.id).version
    assert edit(colleague, initiative, title="Their title").status_code == 302
    data = initiative_form(code="INI-0001", title="My title", summary="My careful summary", version=str(opened_version))
    response = editor_client.post(f"/initiatives/{initiative.id}/edit", data=data)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Someone else changed this initiative after you opened it" in page_text(html)
    assert field_value(html, "title") == "My title"
    assert field_value(html, "summary") == "My careful summary"
    assert ["Title", "Their title", "My title"] in table_rows(main_content(html).find("table"))
    assert fresh(Initiative, initiative.id).title == "Their title"
    resubmit = {**data, "version": field_value(html, "version")}
    assert editor_client.post(f"/initiatives/{initiative.id}/edit", data=resubmit).status_code == 302
    assert fresh(Initiative, initiative.id).title == "My title"


def test_an_invalid_edit_changes_nothing_and_keeps_the_text(editor_client, initiative):
    response = edit(editor_client, initiative, title="", summary="Kept summary")
    assert response.status_code == 422
    assert field_value(response.get_data(as_text=True), "summary") == "Kept summary"
    assert fresh(Initiative, initiative.id).title == "Online permits"


def test_deleting_a_proposed_initiative_removes_it_from_the_portfolio(editor_client, initiative):
    response = editor_client.post(f"/initiatives/{initiative.id}/delete", follow_redirects=True)
    text = page_text(response.get_data(as_text=True))
    assert "Deleted INI-0001 “Online permits”." in text
    assert "There are no initiatives yet." in text
    assert editor_client.get(f"/initiatives/{initiative.id}").status_code == 404
    assert fresh(Initiative, initiative.id).deleted_at is not None


@pytest.mark.parametrize("status", [InitiativeStatus.CANCELLED, InitiativeStatus.REJECTED])
def test_cancelled_and_rejected_initiatives_can_be_deleted(editor_client, initiative, status):
    put_in_status(initiative, status)
    editor_client.post(f"/initiatives/{initiative.id}/delete")
    assert fresh(Initiative, initiative.id).deleted_at is not None


@pytest.mark.parametrize(
    "status", [InitiativeStatus.APPROVED, InitiativeStatus.IN_PROGRESS, InitiativeStatus.COMPLETED]
)
def test_initiatives_that_went_ahead_cannot_be_deleted(editor_client, initiative, status):
    put_in_status(initiative, status)
    response = editor_client.post(f"/initiatives/{initiative.id}/delete", follow_redirects=True)
    text = page_text(response.get_data(as_text=True))
    assert (
        f"INI-0001 is {status.label.lower()}: only proposed, cancelled or rejected initiatives can be deleted." in text
    )
    assert fresh(Initiative, initiative.id).deleted_at is None
    assert "Delete INI-0001" not in text
