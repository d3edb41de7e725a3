"""R06–R09: server-side session revocation, fixation, timeouts and cookie attributes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask
from freezegun import freeze_time

from app import create_app
from app.extensions import db
from config import TestingConfig
from tests.auth.conftest import client_with_cookie, is_signed_in, isolated_client, redirect_path, session_cookie
from tests.factories import PASSWORD, login

NEW_PASSWORD = "Lantern-harbour-quietly-47"
IDLE = timedelta(minutes=TestingConfig.IDLE_TIMEOUT_MINUTES)


def signed_in_cookie(client, user) -> str:  # type: ignore[no-untyped-def]
    assert redirect_path(login(client, user)) == "/plans"
    cookie = session_cookie(client)
    assert cookie, "no session cookie after sign-in"
    return cookie


# --- Revocation (R07) -------------------------------------------------------------------------


def test_a_copied_cookie_works_while_the_session_is_live(app, client, editor):
    assert is_signed_in(client_with_cookie(app, signed_in_cookie(client, editor)))


def test_cookie_copied_before_sign_out_is_dead_after_it(app, client, editor):
    cookie = signed_in_cookie(client, editor)
    assert redirect_path(client.post("/logout")) == "/login"
    assert not is_signed_in(client_with_cookie(app, cookie))


def test_password_change_ends_other_sessions_but_not_the_changing_one(app, new_client, editor):
    laptop, phone = new_client(), new_client()
    laptop_cookie = signed_in_cookie(laptop, editor)
    phone_cookie = signed_in_cookie(phone, editor)

    response = laptop.post("/account/password", data={"current_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert redirect_path(response) == "/plans"

    assert is_signed_in(laptop)
    assert not is_signed_in(client_with_cookie(app, phone_cookie))
    assert not is_signed_in(client_with_cookie(app, laptop_cookie))  # the pre-change cookie of the laptop too


def test_deactivation_by_an_admin_ends_the_users_sessions(app, new_client, admin, editor):
    cookie = signed_in_cookie(new_client(), editor)
    admin_browser = new_client()
    login(admin_browser, admin)
    response = admin_browser.post(f"/admin/users/{editor.id}", data={"role": "editor"})  # "active" unticked
    assert redirect_path(response) == "/admin/users"
    assert not is_signed_in(client_with_cookie(app, cookie))


# --- Fixation (R06) ---------------------------------------------------------------------------


@pytest.fixture
def csrf_on(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """With CSRF on (as in production) the sign-in page itself starts a session cookie."""
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)


def test_sign_in_issues_a_new_cookie_and_the_old_one_stays_anonymous(app, client, editor, csrf_on):
    from tests.auth.conftest import hidden_field

    page = client.get("/login").get_data(as_text=True)
    before = session_cookie(client)
    assert before, "the sign-in page set no cookie to compare"
    response = client.post(
        "/login", data={"email": editor.email, "password": PASSWORD, "csrf_token": hidden_field(page, "csrf_token")}
    )
    assert redirect_path(response) == "/plans"
    after = session_cookie(client)
    assert after and after != before
    assert is_signed_in(client)
    assert not is_signed_in(client_with_cookie(app, before))


def test_cookie_changes_when_signing_in_again_as_someone_else(client, editor, viewer):
    first = signed_in_cookie(client, editor)
    second = signed_in_cookie(client, viewer)
    assert first != second


# --- Timeouts (R08) ---------------------------------------------------------------------------


def test_session_idle_past_the_timeout_requires_sign_in(client, editor):
    with freeze_time("2030-05-06 09:00:00") as clock:
        signed_in_cookie(client, editor)
        clock.tick(IDLE + timedelta(minutes=1))
        assert not is_signed_in(client)


def test_session_idle_one_second_past_the_timeout_requires_sign_in(client, editor):
    with freeze_time("2030-05-06 09:00:00") as clock:
        signed_in_cookie(client, editor)
        clock.tick(IDLE + timedelta(seconds=1))
        assert not is_signed_in(client)


def test_activity_within_the_idle_window_keeps_the_session_alive(client, editor):
    with freeze_time("2030-05-06 09:00:00") as clock:
        signed_in_cookie(client, editor)
        for _ in range(4):  # 4 x 25 minutes: longer in total than the idle timeout
            clock.tick(IDLE - timedelta(minutes=5))
            assert is_signed_in(client)


def test_stay_signed_in_button_extends_the_idle_window(client, editor):
    with freeze_time("2030-05-06 09:00:00") as clock:
        signed_in_cookie(client, editor)
        clock.tick(IDLE - timedelta(minutes=2))
        assert client.post("/session/keepalive").status_code == 204
        clock.tick(IDLE - timedelta(minutes=1))
        assert is_signed_in(client)


def test_active_session_ends_after_twelve_hours(client, editor):
    with freeze_time("2030-05-06 09:00:00") as clock:
        signed_in_cookie(client, editor)
        step = timedelta(minutes=20)
        for _ in range(35):  # 11 h 40 min of steady activity
            clock.tick(step)
            assert is_signed_in(client)
        clock.tick(timedelta(minutes=20, seconds=1))  # 12 h 0 min 1 s after sign-in, 20 min after last activity
        assert not is_signed_in(client)


# --- Cookie attributes (R09) ------------------------------------------------------------------


def session_set_cookie(response, name: str) -> dict[str, str | bool]:  # type: ignore[no-untyped-def]
    headers = [h for h in response.headers.getlist("Set-Cookie") if h.startswith(f"{name}=")]
    assert len(headers) == 1, f"expected one Set-Cookie for {name}, got {headers}"
    attributes: dict[str, str | bool] = {}
    for part in headers[0].split(";")[1:]:
        key, _, value = part.strip().partition("=")
        attributes[key.lower()] = value or True
    return attributes


def test_session_cookie_is_httponly_and_samesite_lax(app, client, editor):
    attributes = session_set_cookie(login(client, editor), app.config["SESSION_COOKIE_NAME"])
    assert attributes.get("httponly") is True
    assert attributes.get("samesite") == "Lax"
    assert "expires" not in attributes and "max-age" not in attributes  # a browser-session cookie


def test_no_set_cookie_carries_a_session_id_in_the_url(client, editor):
    response = login(client, editor)
    assert "sid" not in response.headers["Location"] and "session" not in response.headers["Location"]


@pytest.fixture
def production_cookie_app(database_url: str) -> Iterator[Flask]:
    config = type(
        "SecureCookieConfig",
        (TestingConfig,),
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SESSION_COOKIE_SECURE": True,
            "SESSION_COOKIE_NAME": "__Host-session",
        },
    )
    secure_app = create_app(config)
    yield secure_app
    with secure_app.app_context():
        db.engine.dispose()


def test_production_cookie_is_secure_host_prefixed_with_root_path_and_no_domain(production_cookie_app, editor):
    browser = isolated_client(production_cookie_app)
    response = browser.post("/login", data={"email": editor.email, "password": PASSWORD}, base_url="https://localhost")
    assert redirect_path(response) == "/plans"
    attributes = session_set_cookie(response, "__Host-session")
    assert attributes.get("secure") is True
    assert attributes.get("path") == "/"
    assert "domain" not in attributes
    assert attributes.get("httponly") is True and attributes.get("samesite") == "Lax"
