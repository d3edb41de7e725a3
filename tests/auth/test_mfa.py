"""TOTP second factor and recovery codes (SECURITY.md R04), with a controlled clock passed to the verifier."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.auth import mfa, services, sso
from app.auth.models import MfaPolicy, MfaRecoveryCode, User, UserMfa
from app.core.errors import DomainError
from app.extensions import db
from tests.auth.conftest import client_with_cookie, is_signed_in, redirect_path, session_cookie, text_of
from tests.factories import login

T0 = 1_900_000_000.0  # a fixed instant: 2030-03-17, the start of a 30-second step
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def code_at(at: float, secret: str = SECRET) -> str:
    return pyotp.TOTP(secret).at(at)


def enrol(user: User, at: float = T0) -> list[str]:
    codes = mfa.enable_mfa(user, SECRET, code_at(at), at=at)
    db.session.commit()
    return codes


def events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


# --- the verifier, with an explicit clock ---------------------------------------------------------------------


def test_a_valid_code_is_accepted_once_and_never_again(editor):
    enrol(editor, at=T0 - 60)
    assert mfa.verify_second_factor(editor, code_at(T0), ip_address="127.0.0.1", at=T0) == "totp"
    with pytest.raises(DomainError, match="already used"):
        mfa.verify_second_factor(editor, code_at(T0), ip_address="127.0.0.1", at=T0 + 5)
    assert len(events("auth.mfa_failed")) == 1


def test_codes_one_step_either_side_are_accepted_and_further_ones_refused():
    assert mfa.matching_step(SECRET, code_at(T0 - 30), at=T0, last_used_step=0) is not None
    assert mfa.matching_step(SECRET, code_at(T0 + 30), at=T0, last_used_step=0) is not None
    assert mfa.matching_step(SECRET, code_at(T0 - 60), at=T0, last_used_step=0) is None
    assert mfa.matching_step(SECRET, code_at(T0 + 90), at=T0, last_used_step=0) is None


def test_an_older_code_is_refused_once_a_newer_one_was_used(editor):
    enrol(editor, at=T0 - 120)
    mfa.verify_second_factor(editor, code_at(T0), ip_address="127.0.0.1", at=T0)
    with pytest.raises(DomainError):
        mfa.verify_second_factor(editor, code_at(T0 - 30), ip_address="127.0.0.1", at=T0)


def test_an_out_of_window_code_is_refused(editor):
    enrol(editor, at=T0 - 600)
    with pytest.raises(DomainError):
        mfa.verify_second_factor(editor, code_at(T0 - 300), ip_address="127.0.0.1", at=T0)


def test_each_recovery_code_works_once_and_is_stored_only_as_a_hash(editor):
    codes = enrol(editor)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(re.fullmatch(r"[a-z2-7]{4}(-[a-z2-7]{4}){3}", c) for c in codes)
    stored = set(db.session.scalars(select(MfaRecoveryCode.code_hash)))
    assert not stored & set(codes) and len(stored) == 10
    assert mfa.verify_second_factor(editor, codes[3].upper(), ip_address="127.0.0.1", at=T0 + 3600) == "recovery"
    with pytest.raises(DomainError):
        mfa.verify_second_factor(editor, codes[3], ip_address="127.0.0.1", at=T0 + 3601)
    assert mfa.unused_recovery_codes(editor) == 9
    assert len(events("auth.mfa_recovery_code_used")) == 1


def test_the_secret_is_stored_encrypted_and_bound_to_its_user(editor, viewer):
    enrol(editor)
    row = db.session.get(UserMfa, editor.id)
    assert SECRET not in row.secret_encrypted and row.secret_encrypted.startswith("v1:")
    assert mfa.decrypt_secret(row.secret_encrypted, editor.id) == SECRET
    assert mfa.decrypt_secret(row.secret_encrypted, viewer.id) is None  # copied to another user: useless


def test_a_wrong_code_at_set_up_switches_nothing_on(editor):
    with pytest.raises(DomainError, match="does not match"):
        mfa.enable_mfa(editor, SECRET, code_at(T0 + 300), at=T0)
    assert not mfa.has_mfa(editor)


def test_failed_codes_are_throttled_with_the_password_failures(app, editor):
    enrol(editor)
    for n in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]):
        with pytest.raises(DomainError):
            mfa.verify_second_factor(editor, f"{n:06d}", ip_address="127.0.0.1", at=T0 + 600)
        db.session.commit()
    with pytest.raises(services.LoginThrottled):
        mfa.verify_second_factor(editor, code_at(T0 + 600), ip_address="127.0.0.1", at=T0 + 600)
    assert events("auth.login_throttled")


# --- sign-in with the second factor -----------------------------------------------------------------------------


def test_sign_in_asks_for_the_code_and_creates_the_session_only_after_it(client, editor):
    enrol(editor, at=time.time() - 120)
    response = login(client, editor)
    assert response.status_code == 200 and "Enter the code from your authenticator app" in text_of(response)
    assert not is_signed_in(client)  # password alone: no session
    wrong = client.post("/login/second-factor", data={"code": "000000"})
    assert "not right or was already used" in text_of(wrong) and not is_signed_in(client)
    ok = client.post("/login/second-factor", data={"code": code_at(time.time())})
    assert redirect_path(ok) == "/plans" and is_signed_in(client)
    assert "authenticator code" in events("auth.login")[-1].summary


def test_the_second_factor_page_without_a_password_step_goes_back_to_sign_in(client, editor):
    enrol(editor)
    assert redirect_path(client.post("/login/second-factor", data={"code": code_at(time.time())})) == "/login"


def test_a_recovery_code_signs_in_and_warns(client, editor):
    codes = enrol(editor, at=time.time() - 120)
    login(client, editor)
    response = client.post("/login/second-factor", data={"code": codes[0]}, follow_redirects=True)
    assert response.status_code == 200 and "You used a recovery code" in text_of(response)


def test_enrolment_through_the_pages_shows_a_qr_code_and_ten_codes_once_and_rotates_the_session(signed_in, editor, app):
    browser = signed_in(editor)
    page = browser.get("/account/mfa/enrol")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and '<svg role="img"' in html and "style=" not in html
    with browser.session_transaction() as s:
        secret = s["mfa_setup_secret"]
    assert mfa.format_key(secret) in html
    old_cookie = session_cookie(browser)
    done = browser.post("/account/mfa/enrol", data={"code": code_at(time.time(), secret)})
    assert done.status_code == 200
    shown = re.findall(r"<code>([a-z2-7-]{19})</code>", done.get_data(as_text=True))
    assert len(shown) == 10
    assert mfa.has_mfa(editor) and events("auth.mfa_enrolled")
    assert not is_signed_in(client_with_cookie(app, old_cookie))  # new session id after the step-up
    assert is_signed_in(browser)
    assert browser.get("/account/security").status_code == 200


@pytest.mark.parametrize("policy", [MfaPolicy.ADMINS_AND_BOARD, MfaPolicy.EVERYONE])
def test_required_mfa_takes_an_admin_without_it_to_enrolment_and_nowhere_else(client, org, admin, policy):
    sso.update_settings(
        org,
        sso.SignInFields(policy, False, False, "", "", "", "groups", [], None),
        actor=admin,
    )
    db.session.commit()
    response = login(client, admin)
    assert redirect_path(response) == "/account/mfa/enrol"
    assert redirect_path(client.get("/plans")) == "/account/mfa/enrol"
    assert redirect_path(client.get("/admin/users")) == "/account/mfa/enrol"
    client.get("/account/mfa/enrol")
    with client.session_transaction() as s:
        secret = s["mfa_setup_secret"]
    assert client.post("/account/mfa/enrol", data={"code": code_at(time.time(), secret)}).status_code == 200
    assert client.get("/plans").status_code == 200


def test_optional_mfa_leaves_an_editor_free_when_only_admins_must(client, org, admin, editor):
    sso.update_settings(
        org, sso.SignInFields(MfaPolicy.ADMINS_AND_BOARD, False, False, "", "", "", "groups", [], None), actor=admin
    )
    db.session.commit()
    assert redirect_path(login(client, editor)) == "/plans"


def test_admin_resets_a_users_mfa_which_signs_them_out_and_is_audited(signed_in, org, admin, editor):
    enrol(editor, at=time.time() - 120)
    browser = signed_in(admin)
    edit = browser.get(f"/admin/users/{editor.id}")
    assert "Reset second factor" in text_of(edit)
    response = browser.post(f"/admin/users/{editor.id}/mfa/reset")
    assert redirect_path(response) == f"/admin/users/{editor.id}"
    assert not mfa.has_mfa(editor)
    event = events("auth.mfa_reset")[0]
    assert event.actor_id == admin.id and event.object_id == editor.id and event.organization_id == org.id


def test_non_admins_cannot_reset_mfa(signed_in, editor, viewer):
    enrol(viewer)
    assert signed_in(editor).post(f"/admin/users/{viewer.id}/mfa/reset").status_code == 403
    assert mfa.has_mfa(viewer)


def test_mfa_cannot_be_switched_off_where_it_is_required(client, org, admin):
    enrol(admin, at=time.time() - 120)
    sso.update_settings(
        org, sso.SignInFields(MfaPolicy.EVERYONE, False, False, "", "", "", "groups", [], None), actor=admin
    )
    db.session.commit()
    browser = client
    login(browser, admin)  # stops at the code page for a user with MFA
    assert redirect_path(browser.post("/login/second-factor", data={"code": code_at(time.time())})) == "/plans"
    response = browser.post("/account/mfa/disable", follow_redirects=True)
    assert "requires a second factor" in text_of(response)
    assert mfa.has_mfa(admin)
