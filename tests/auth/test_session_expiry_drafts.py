"""R08: text typed while the session ran out is handed back after signing in again, never lost."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from freezegun import freeze_time

from app.extensions import db
from app.plans.models import PlanSection
from config import TestingConfig
from tests.auth.conftest import hidden_field, is_signed_in, redirect_path, text_of
from tests.factories import PASSWORD, create_plan, login

TYPED = "Our **new** vision: every licence renewed online in one sitting.\n\n- fewer forms\n- faster decisions"
EXPIRED = timedelta(minutes=TestingConfig.IDLE_TIMEOUT_MINUTES, seconds=1)


@pytest.fixture
def section(org, editor) -> PlanSection:
    return create_plan(org=org, owner=editor).sections[0]


def edit_url(section: PlanSection) -> str:
    return f"/plans/{section.plan_id}/sections/{section.id}/edit"


def textarea_text(page: str) -> str:
    match = re.search(r'<textarea[^>]*name="body"[^>]*>(.*?)</textarea>', page, flags=re.S)
    assert match, "no body textarea on the page"
    return html.unescape(match.group(1)).lstrip("\r\n").replace("\r\n", "\n")


def stored_body(section: PlanSection) -> str:
    db.session.expire_all()
    fresh = db.session.get(PlanSection, section.id)
    assert fresh is not None
    return fresh.body


def submit_after_expiry(client, editor, section: PlanSection, **extra: str):  # type: ignore[no-untyped-def]
    """Sign in, open the editor, leave it idle past the timeout, then press Save."""
    with freeze_time("2030-06-07 09:00:00") as clock:
        assert redirect_path(login(client, editor)) == "/plans"
        page = client.get(edit_url(section)).get_data(as_text=True)
        form = {"title": section.title, "body": TYPED, "version": hidden_field(page, "version"), "save": "1", **extra}
        clock.tick(EXPIRED)
        return client.post(edit_url(section), data=form)


def sign_in_from(client, page: str, editor):  # type: ignore[no-untyped-def]
    """Submit the sign-in form shown after expiry, hidden fields included, as a browser would."""
    return client.post(
        "/login",
        data={
            "email": editor.email,
            "password": PASSWORD,
            **{name: hidden_field(page, name) for name in ("next", "resume_path", "resume_data")},
        },
    )


def test_save_after_expiry_shows_sign_in_that_promises_to_keep_the_text(client, editor, section):
    original = stored_body(section)
    response = submit_after_expiry(client, editor, section)
    assert response.status_code == 401
    assert "Sign in to Planwright" in text_of(response)
    assert "your text will be put back in the form" in text_of(response)
    assert stored_body(section) == original


def test_typed_text_is_back_in_the_editor_after_signing_in_again(client, editor, section):
    original = stored_body(section)
    page = submit_after_expiry(client, editor, section).get_data(as_text=True)
    assert PASSWORD not in page

    response = sign_in_from(client, page, editor)
    assert response.headers["Location"] == edit_url(section)
    editor_page = client.get(response.headers["Location"])
    assert editor_page.status_code == 200
    assert textarea_text(editor_page.get_data(as_text=True)) == TYPED
    assert "Your unsaved text from before you signed in again has been put back." in text_of(editor_page)
    assert stored_body(section) == original  # nothing saved until the user presses Save


def test_restored_text_is_saved_when_the_user_saves(client, editor, section):
    page = submit_after_expiry(client, editor, section).get_data(as_text=True)
    sign_in_from(client, page, editor)
    editor_page = client.get(edit_url(section)).get_data(as_text=True)
    response = client.post(
        edit_url(section),
        data={
            "title": section.title,
            "body": textarea_text(editor_page),
            "version": hidden_field(editor_page, "version"),
            "save": "1",
        },
    )
    assert redirect_path(response) == f"/plans/{section.plan_id}/sections/{section.id}"
    assert stored_body(section) == TYPED


def test_ready_tick_survives_the_sign_in(client, editor, section):
    page = submit_after_expiry(client, editor, section, ready="y").get_data(as_text=True)
    sign_in_from(client, page, editor)
    editor_page = client.get(edit_url(section)).get_data(as_text=True)
    checkbox = re.search(r'<input[^>]*name="ready"[^>]*>', editor_page)
    assert checkbox and "checked" in checkbox.group(0)


def test_restored_form_keeps_the_version_the_user_started_from(client, new_client, org, editor, section):
    """If a colleague saved meanwhile, saving the restored text must show the conflict, not overwrite."""
    page = submit_after_expiry(client, editor, section).get_data(as_text=True)
    colleague = new_client()
    login(colleague, editor)
    start = colleague.get(edit_url(section)).get_data(as_text=True)
    colleague.post(
        edit_url(section),
        data={
            "title": section.title,
            "body": "A colleague's edit.",
            "version": hidden_field(start, "version"),
            "save": "1",
        },
    )
    assert stored_body(section) == "A colleague's edit."

    sign_in_from(client, page, editor)
    editor_page = client.get(edit_url(section)).get_data(as_text=True)
    response = client.post(
        edit_url(section),
        data={
            "title": section.title,
            "body": textarea_text(editor_page),
            "version": hidden_field(editor_page, "version"),
            "save": "1",
        },
    )
    assert response.status_code == 409
    assert stored_body(section) == "A colleague's edit."


def test_draft_is_not_offered_to_a_session_that_did_not_sign_in_with_it(client, new_client, editor, section):
    submit_after_expiry(client, editor, section)  # expired, never signed in again
    other_browser = new_client()
    login(other_browser, editor)
    assert textarea_text(other_browser.get(edit_url(section)).get_data(as_text=True)) != TYPED
    assert is_signed_in(other_browser)
