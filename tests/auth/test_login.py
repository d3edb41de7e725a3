"""Signing in and out, and where the user lands afterwards (R05, R16 redirects)."""

from __future__ import annotations

import pytest

from app.auth.services import set_active
from app.extensions import db
from tests.auth.conftest import hidden_field, is_signed_in, redirect_path, session_cookie, text_of
from tests.factories import PASSWORD, login

WRONG = "Not-The-Right-Password-42"
MISMATCH = "That email and password do not match an active account. Check both and try again."


def test_correct_credentials_land_on_plans(client, editor):
    assert redirect_path(login(client, editor)) == "/plans"
    assert is_signed_in(client)


def test_email_is_matched_regardless_of_case_and_spaces(client, editor):
    assert redirect_path(login(client, f"  {editor.email.upper()} ")) == "/plans"


def test_wrong_password_shows_the_error_and_does_not_sign_in(client, editor):
    response = login(client, editor, WRONG)
    assert response.status_code == 200
    assert MISMATCH in text_of(response)
    assert session_cookie(client) is None
    assert not is_signed_in(client)


def test_wrong_password_page_keeps_the_email_but_not_the_password(client, editor):
    page = login(client, editor, WRONG).get_data(as_text=True)
    assert f'value="{editor.email}"' in page
    assert WRONG not in page


def test_unknown_email_answers_exactly_like_a_wrong_password(new_client, editor):
    known = login(new_client(), editor, WRONG)
    unknown_email = "nobody-here@agency.example"
    unknown = login(new_client(), unknown_email, WRONG)
    assert unknown.status_code == known.status_code == 200
    same_known = known.get_data(as_text=True).replace(editor.email, "EMAIL")
    same_unknown = unknown.get_data(as_text=True).replace(unknown_email, "EMAIL")
    assert same_unknown == same_known


def test_deactivated_user_cannot_sign_in(client, org, admin, editor):
    set_active(editor, org, False, actor=admin)
    db.session.commit()
    response = login(client, editor)
    assert response.status_code == 200
    assert MISMATCH in text_of(response)
    assert not is_signed_in(client)


def test_sign_out_returns_to_sign_in_with_a_message(client, editor):
    login(client, editor)
    response = client.post("/logout", follow_redirects=True)
    assert response.request.path == "/login"
    assert "You have signed out." in text_of(response)
    assert not is_signed_in(client)


def sign_in_via_form(client, user, next_value: str):  # type: ignore[no-untyped-def]
    """What a browser does: open /login?next=..., then submit the form with its hidden fields."""
    page = client.get("/login", query_string={"next": next_value}).get_data(as_text=True)
    carried = hidden_field(page, "next")
    assert carried == next_value
    return client.post("/login", data={"email": user.email, "password": PASSWORD, "next": carried})


@pytest.mark.parametrize(
    "next_value",
    [
        "//127.0.0.2:9",
        "https://127.0.0.2:9",
        "/\\127.0.0.2:9",
        "javascript:alert(1)",
        "/\\/127.0.0.2:9",
        "\\\\127.0.0.2:9",
        "/plans\r\nLocation: https://127.0.0.2:9",
        "https:/127.0.0.2:9",
        "",
    ],
)
def test_off_site_next_parameters_land_on_plans(client, editor, next_value):
    response = sign_in_via_form(client, editor, next_value)
    assert response.headers["Location"] == "/plans"


def test_same_site_next_path_is_honoured(client, editor):
    assert sign_in_via_form(client, editor, "/plans/1").headers["Location"] == "/plans/1"


def test_anonymous_visit_remembers_the_page_for_after_sign_in(client, editor):
    bounce = client.get("/plans/7")
    assert redirect_path(bounce) == "/login"
    page = client.get(bounce.headers["Location"]).get_data(as_text=True)
    response = client.post(
        "/login", data={"email": editor.email, "password": PASSWORD, "next": hidden_field(page, "next")}
    )
    assert response.headers["Location"] == "/plans/7"
