"""Password reset (SECURITY.md R05): same answer for every address, single-use 256-bit links, short-lived."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.auth.models import PasswordResetToken
from app.extensions import db
from tests.auth.conftest import is_signed_in, redirect_path, text_of
from tests.factories import PASSWORD, login

NEW_PASSWORD = "Cedar-Harbor-Lantern-42"


def ask(client, email: str):  # type: ignore[no-untyped-def]
    return client.post("/forgot-password", data={"email": email})


def link_from_log(caplog: pytest.LogCaptureFixture) -> str:
    links = re.findall(r"http://localhost(/reset-password\?token=[\w-]+)", caplog.text)
    assert links, "no reset link in the development log"
    return links[-1]


def token_of(path: str) -> str:
    return path.split("token=", 1)[1]


def test_known_and_unknown_addresses_get_the_same_answer(client, new_client, editor, caplog):
    caplog.set_level(logging.WARNING)
    known = ask(client, editor.email)
    unknown = ask(new_client(), "nobody.here@agency.example")
    assert known.status_code == unknown.status_code == 200
    assert known.get_data() == unknown.get_data()
    assert "Check your email" in text_of(known)
    assert db.session.scalar(select(db.func.count()).select_from(PasswordResetToken)) == 1
    assert "nobody.here" not in link_from_log(caplog)


def test_a_link_resets_once_ends_every_session_and_stores_only_a_hash(client, signed_in, editor, caplog, app):
    caplog.set_level(logging.WARNING)
    other_browser = signed_in(editor)
    ask(client, editor.email)
    path = link_from_log(caplog)
    token = token_of(path)
    assert len(token) >= 43  # 32 random bytes: 256 bits
    row = db.session.scalar(select(PasswordResetToken))
    assert row.token_hash != token and token not in row.token_hash
    assert row.expires_at - row.created_at <= timedelta(minutes=60)
    assert "Choose a new password" in text_of(client.get(path))
    done = client.post("/reset-password", data={"token": token, "new_password": NEW_PASSWORD})
    assert redirect_path(done) == "/login"
    assert not is_signed_in(other_browser)
    assert redirect_path(login(client, editor, NEW_PASSWORD)) == "/plans"
    again = client.post("/reset-password", data={"token": token, "new_password": "Another-Fresh-Phrase-77"})
    assert "not valid" in text_of(again)
    assert redirect_path(login(client, editor, NEW_PASSWORD)) == "/plans"
    assert [
        e.action for e in db.session.scalars(select(AuditEvent).where(AuditEvent.action.like("auth.password_reset%")))
    ] == [
        "auth.password_reset_requested",
        "auth.password_reset",
        "auth.password_reset_failed",
    ]


def test_an_expired_link_is_refused(client, editor, caplog):
    caplog.set_level(logging.WARNING)
    ask(client, editor.email)
    path = link_from_log(caplog)
    row = db.session.scalar(select(PasswordResetToken))
    row.expires_at = row.created_at - timedelta(seconds=1)
    db.session.commit()
    assert "not valid" in text_of(client.get(path))
    refused = client.post("/reset-password", data={"token": token_of(path), "new_password": NEW_PASSWORD})
    assert "not valid" in text_of(refused)
    assert redirect_path(login(client, editor, PASSWORD)) == "/plans"


def test_a_newer_link_or_a_password_change_voids_older_links(client, signed_in, editor, caplog):
    caplog.set_level(logging.WARNING)
    ask(client, editor.email)
    first = link_from_log(caplog)
    ask(client, editor.email)
    assert "not valid" in text_of(client.get(first))
    second = link_from_log(caplog)
    browser = signed_in(editor)
    browser.post("/account/password", data={"current_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert "not valid" in text_of(client.get(second))


def test_the_new_password_must_pass_the_policy_and_the_text_is_not_lost(client, editor, caplog):
    caplog.set_level(logging.WARNING)
    ask(client, editor.email)
    token = token_of(link_from_log(caplog))
    response = client.post("/reset-password", data={"token": token, "new_password": "short"})
    assert response.status_code == 422 and "at least 12 characters" in text_of(response)
    assert client.post("/reset-password", data={"token": token, "new_password": NEW_PASSWORD}).status_code == 302


def test_requests_are_limited_per_account(app, new_client, editor, caplog):
    caplog.set_level(logging.WARNING)
    for _ in range(app.config["PASSWORD_RESET_MAX_PER_HOUR"] + 2):
        assert ask(new_client(), editor.email).status_code == 200
    sent = db.session.scalar(select(db.func.count()).select_from(PasswordResetToken))
    assert sent == app.config["PASSWORD_RESET_MAX_PER_HOUR"]
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "auth.password_reset_throttled"))
