"""Single sign-on followed by the account's own code, with CSRF protection on as in production: the code page
after the provider works on the first submit, and the session is limited to the office signed into."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pyotp
import pytest

from app.auth import mfa, oidc, sso
from app.auth.models import Membership, MfaPolicy, Role
from app.extensions import db
from tests.auth.conftest import is_signed_in, redirect_path, text_of
from tests.auth.oidc_provider import Provider, follow_provider_redirect, running_provider
from tests.conftest import csrf_app_fixture, csrf_token_from, new_client
from tests.factories import create_org, create_user

pytestmark = pytest.mark.csrf
app = csrf_app_fixture()

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


@pytest.fixture
def provider() -> Iterator[Provider]:
    oidc.forget()
    with running_provider() as running:
        yield running
    oidc.forget()


def test_the_code_after_single_sign_on_works_on_the_first_submit(app, provider):  # type: ignore[no-untyped-def]
    office_a, office_b = create_org(name="State Office"), create_org(name="County Office")
    person = create_user(org=office_a, role=Role.ADMIN, email="robin@county.example")
    person.memberships.append(Membership(organization_id=office_b.id, role=Role.EDITOR.value))
    b_admin = create_user(org=office_b, role=Role.ADMIN)
    sso.claim_domain(office_b, "county.example")
    fields = sso.SignInFields(
        mfa_policy=MfaPolicy.OFF,
        sso_enabled=True,
        sso_required=False,
        issuer_url=provider.issuer,
        client_id=provider.client_id,
        client_secret=provider.client_secret,
        group_claim="groups",
        group_roles=[("PW-Editors", Role.EDITOR)],
        break_glass_user_id=None,
    )
    sso.update_settings(office_b, fields, actor=b_admin)
    at = time.time() - 120
    mfa.enable_mfa(person, SECRET, pyotp.TOTP(SECRET).at(at), at=at)
    db.session.commit()

    browser = new_client(app)
    page = browser.get("/login").get_data(as_text=True)
    started = browser.post("/login/sso", data={"sso_email": person.email, "csrf_token": csrf_token_from(page)})
    provider.sign_in_as(person.email, groups=["PW-Editors"])
    challenge = browser.get(follow_provider_redirect(started.headers["Location"]))
    assert challenge.status_code == 200 and "identity provider signed you in" in text_of(challenge)
    done = browser.post(
        "/sso/second-factor",
        data={"code": pyotp.TOTP(SECRET).now(), "csrf_token": csrf_token_from(challenge.get_data(as_text=True))},
    )
    assert redirect_path(done) == "/plans", text_of(done)[:300]
    assert is_signed_in(browser)
    plans = browser.get("/plans").get_data(as_text=True)
    assert "County Office" in plans and "State Office" not in plans
