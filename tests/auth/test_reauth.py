"""Re-authentication before sensitive actions (SECURITY.md R10) and a new session id after it (R06)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta

import pyotp
import pytest
from flask import Flask
from sqlalchemy import select

from app import create_app
from app.audit.models import AuditEvent
from app.auth import mfa
from app.auth.models import Role, User, UserSession
from app.auth.reauth import require_recent_auth
from app.auth.services import latest_form_draft
from app.extensions import db
from tests.auth.conftest import client_with_cookie, is_signed_in, redirect_path, session_cookie
from tests.auth.oidc_provider import query_of
from tests.conftest import FreshContextClient, make_config
from tests.factories import PASSWORD, login


def make_stale(user: User, minutes: int = 20) -> None:
    for record in db.session.scalars(select(UserSession).where(UserSession.user_id == user.id)):
        record.authenticated_at = record.authenticated_at - timedelta(minutes=minutes)
    db.session.commit()


@pytest.mark.parametrize(
    ("who", "method", "path", "data"),
    [
        ("editor", "GET", "/account/password", None),
        (
            "editor",
            "POST",
            "/account/password",
            {"current_password": PASSWORD, "new_password": "Fresh-Orchard-Path-31"},
        ),
        ("editor", "GET", "/account/mfa/enrol", None),
        ("editor", "POST", "/account/mfa/disable", {}),
        ("editor", "POST", "/account/mfa/recovery-codes", {}),
        ("admin", "GET", "/admin/sign-in", None),
        ("admin", "POST", "/admin/users/{editor}", {"role": "admin", "active": "y"}),
        ("admin", "POST", "/admin/users/{editor}/mfa/reset", {}),
    ],
)
def test_a_stale_session_is_sent_to_reauthenticate_and_nothing_changes(
    signed_in, admin, editor, who, method, path, data
):
    user = {"admin": admin, "editor": editor}[who]
    browser = signed_in(user)
    make_stale(user)
    url = path.format(editor=editor.id)
    response = browser.open(url, method=method, data=data)
    assert redirect_path(response) == "/reauth"
    assert query_of(response.headers["Location"])["next"] == url
    db.session.expire_all()
    assert editor.role_in(editor.memberships[0].organization_id) is Role.EDITOR


def test_reauthenticating_with_the_password_returns_to_the_page_with_a_new_session_id(app, signed_in, editor):
    browser = signed_in(editor)
    make_stale(editor)
    old_cookie = session_cookie(browser)
    response = browser.post("/reauth", data={"password": PASSWORD, "next": "/account/password"})
    assert redirect_path(response) == "/account/password"
    assert browser.get("/account/password").status_code == 200
    assert not is_signed_in(client_with_cookie(app, old_cookie))
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "auth.reauthenticated"))


def test_a_button_posted_with_a_stale_session_returns_to_the_page_it_was_on(signed_in, editor):
    browser = signed_in(editor)
    make_stale(editor)
    response = browser.post("/account/mfa/disable", headers={"Referer": "http://localhost/account/security"})
    assert query_of(response.headers["Location"])["next"] == "/account/security"


def test_a_wrong_password_is_refused_audited_and_an_offsite_next_ignored(signed_in, editor):
    browser = signed_in(editor)
    make_stale(editor)
    assert browser.post("/reauth", data={"password": "not-my-password", "next": "/plans"}).status_code == 422
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "auth.reauth_failed"))
    response = browser.post("/reauth", data={"password": PASSWORD, "next": "//127.0.0.1:9/evil"})
    assert redirect_path(response) == "/plans"


def test_a_totp_code_also_reauthenticates(client, editor):
    secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    now = time.time()
    mfa.enable_mfa(editor, secret, pyotp.TOTP(secret).at(now - 60), at=now - 60)
    db.session.commit()
    client.post("/login", data={"email": editor.email, "password": PASSWORD})
    client.post("/login/second-factor", data={"code": pyotp.TOTP(secret).at(now - 30)})
    make_stale(editor)
    response = client.post("/reauth", data={"code": pyotp.TOTP(secret).at(now), "next": "/account/security"})
    assert redirect_path(response) == "/account/security"


@pytest.fixture
def decision_app(app: Flask, database_url: str) -> Iterator[Flask]:
    """A separate app on the same database with a stand-in for the governance decision route."""
    extra = create_app(make_config(database_url, EXPORT_DIR=app.config["EXPORT_DIR"]))
    extra.test_client_class = FreshContextClient

    @require_recent_auth
    def record_decision():  # type: ignore[no-untyped-def]
        return "decision recorded"

    extra.add_url_rule("/test-decision", "record_decision", record_decision, methods=["POST"])
    yield extra
    with extra.app_context():
        db.engine.dispose()


def test_require_recent_auth_guards_another_blueprints_view(decision_app: Flask, editor):
    """The decorator the governance decision view uses; the posted text is kept as a draft for the page."""
    browser = decision_app.test_client()
    assert redirect_path(login(browser, editor)) == "/plans"
    assert (
        browser.post("/test-decision", data={"rationale": "Fund phase 2"}).get_data(as_text=True) == "decision recorded"
    )
    make_stale(editor)
    response = browser.post("/test-decision", data={"rationale": "Fund phase 2 of the permits portal"})
    assert redirect_path(response) == "/reauth"
    assert latest_form_draft(editor, "/test-decision") == {"rationale": "Fund phase 2 of the permits portal"}
