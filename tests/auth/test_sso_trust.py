"""The boundary between offices and single sign-on, tested as the admin of office B would attack office A.

Office B's admin controls an identity provider (tests/auth/oidc_provider.py, on 127.0.0.1) that signs whatever
claims they want, and the sign-in settings of office B, which they fill in through the real settings page. The
instance operator claims e-mail domains with the real ``flask orgs`` commands. Nothing here may let B's admin
sign in to office A, touch a person of office A, or make the server send or show one of its secrets.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator

import pyotp
import pytest
from flask import Flask
from sqlalchemy import select, text

from app.audit.models import AuditEvent
from app.auth import mfa, oidc, sso
from app.auth.models import Membership, Organization, OrganizationSignIn, Role, SsoIdentity, User, UserSession
from app.extensions import db
from tests.auth.conftest import is_signed_in, redirect_path, text_of
from tests.auth.oidc_provider import Provider, follow_provider_redirect, running_provider
from tests.factories import create_org, create_user

A_DOMAIN = "ocio.state.example"
B_DOMAIN = "county.example"
MAPPING = "PW-Admins = admin\nPW-Editors = editor\n"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


@pytest.fixture(autouse=True)
def _fresh_provider_cache() -> Iterator[None]:
    oidc.forget()  # providers of other tests may have had the same port
    yield
    oidc.forget()


@pytest.fixture
def attacker_idp() -> Iterator[Provider]:
    """Office B's identity provider, run by B's (hostile) admin."""
    with running_provider() as provider:
        yield provider


@pytest.fixture
def office_a() -> Organization:
    return create_org(slug="state-ocio", name="Office of the State CIO")


@pytest.fixture
def office_b() -> Organization:
    return create_org(slug="county-it", name="County IT")


@pytest.fixture
def a_admin(office_a: Organization) -> User:
    return create_user(org=office_a, role=Role.ADMIN, email=f"ada@{A_DOMAIN}", name="Ada Statewide")


@pytest.fixture
def b_admin(office_b: Organization) -> User:
    return create_user(org=office_b, role=Role.ADMIN, email=f"bert@{B_DOMAIN}", name="Bert County")


def operator(app: Flask, *args: str) -> str:
    """The instance operator at the server's command line."""
    result = app.test_cli_runner().invoke(args=["orgs", *args])
    db.session.expire_all()
    return f"{result.exit_code}:{result.output}"


def settings_form(provider: Provider, **overrides: str) -> dict[str, str]:
    return {
        "mfa_policy": "off",
        "sso_enabled": "y",
        "issuer_url": provider.issuer,
        "client_id": provider.client_id,
        "client_secret": provider.client_secret,
        "group_claim": "groups",
        "group_roles": MAPPING,
        "break_glass_user_id": "",
        **overrides,
    }


@pytest.fixture
def b_sso(app, signed_in, office_b, b_admin, attacker_idp):  # type: ignore[no-untyped-def]
    """The operator claimed county.example for B; B's admin pointed B's sign-on at their own provider."""
    assert operator(app, "claim-domain", office_b.slug, B_DOMAIN).startswith("0:")
    browser = signed_in(b_admin)
    saved = browser.post("/admin/sign-in", data=settings_form(attacker_idp))
    assert redirect_path(saved) == "/admin/sign-in", text_of(saved)[:400]
    return browser


def through_b(client, provider: Provider, start_email: str = f"someone@{B_DOMAIN}"):  # type: ignore[no-untyped-def]
    """Start at the sign-in page with an address of B's domain; B's provider answers with its chosen claims."""
    started = client.post("/login/sso", data={"sso_email": start_email})
    assert started.status_code == 302 and started.headers["Location"].startswith(provider.issuer), started.status_code
    return client.get(follow_provider_redirect(started.headers["Location"]))


def refusals() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.summary).where(AuditEvent.action == "auth.sso_failed")))


def memberships_of(user: User) -> dict[int, str]:
    db.session.expire_all()
    return {
        m.organization_id: m.role for m in db.session.scalars(select(Membership).where(Membership.user_id == user.id))
    }


def with_totp(user: User) -> None:
    past = time.time() - 300
    mfa.enable_mfa(user, TOTP_SECRET, pyotp.TOTP(TOTP_SECRET).at(past), at=past)
    db.session.commit()


# --- office <-> office: domains ------------------------------------------------------------------------------------


def test_office_b_cannot_claim_office_a_domain_through_its_settings(
    app, signed_in, office_a, office_b, b_admin, attacker_idp
):  # type: ignore[no-untyped-def]
    assert operator(app, "claim-domain", office_a.slug, A_DOMAIN).startswith("0:")
    browser = signed_in(b_admin)
    page = browser.post("/admin/sign-in", data=settings_form(attacker_idp, allowed_domains=A_DOMAIN, domains=A_DOMAIN))
    assert page.status_code == 422
    assert "Ask the instance operator to claim your domain" in text_of(page)
    assert sso.settings_for_email(f"ada@{A_DOMAIN}") is None  # A has not switched SSO on; B got nothing
    # Nor through the operator's own command: a domain belongs to one organization only.
    refused = operator(app, "claim-domain", office_b.slug, A_DOMAIN)
    assert refused.startswith("1:") and "already claimed by state-ocio" in refused
    assert operator(app, "domains") == f"0:{A_DOMAIN}\tstate-ocio\n"


def test_the_settings_page_shows_the_claims_read_only(app, b_sso, office_b):  # type: ignore[no-untyped-def]
    page = b_sso.get("/admin/sign-in").get_data(as_text=True)
    assert f"<code>{B_DOMAIN}</code>" in page and "flask orgs claim-domain county-it DOMAIN" in page
    assert 'name="allowed_domains"' not in page and 'name="client_secret_env"' not in page


# --- office <-> office: whom B's provider may sign in ------------------------------------------------------------


def test_b_provider_asserting_a_admins_email_signs_nobody_in(client, b_sso, attacker_idp, office_a, a_admin):  # type: ignore[no-untyped-def]
    attacker_idp.assert_claims(
        sub="attacker-chosen", email=a_admin.email, email_verified=True, name="Mallory", groups=["PW-Admins"]
    )
    response = through_b(client, attacker_idp)
    assert response.status_code == 403
    assert "not in a domain this organization accepts" in text_of(response)
    assert not is_signed_in(client)
    assert client.get("/admin/users").status_code in (302, 401, 403)
    assert memberships_of(a_admin) == {office_a.id: "admin"}  # no membership anywhere else
    assert db.session.get(User, a_admin.id).name == "Ada Statewide"  # not renamed
    assert db.session.scalar(select(SsoIdentity)) is None
    assert any("not claimed by this organization" in s for s in refusals())


def test_b_provider_cannot_reach_an_a_only_account_even_in_b_domain(client, b_sso, attacker_idp, office_a, office_b):  # type: ignore[no-untyped-def]
    # A person of office A whose address happens to be in B's domain (a shared mail system, a transfer).
    person = create_user(org=office_a, role=Role.ADMIN, email=f"pat@{B_DOMAIN}", name="Pat Original")
    db.session.commit()
    attacker_idp.assert_claims(sub="x", email=person.email, email_verified=True, name="Renamed", groups=["PW-Admins"])
    response = through_b(client, attacker_idp)
    assert response.status_code == 403
    assert "is not a member of County IT" in text_of(response)
    assert not is_signed_in(client)
    assert memberships_of(person) == {office_a.id: "admin"}
    assert db.session.get(User, person.id).name == "Pat Original"
    assert any("not a member of this organization" in s for s in refusals())


def test_b_provider_cannot_resolve_an_identity_a_created(client, app, b_sso, attacker_idp, office_a, office_b):  # type: ignore[no-untyped-def]
    # A's own sign-on once linked its provider's subject "shared-sub" to a person of A. B's admin now points B at
    # the same issuer (a provider both use) and asserts that subject with a new address of B's domain.
    person = create_user(org=office_a, role=Role.EDITOR, email=f"lee@{A_DOMAIN}", name="Lee Statewide")
    db.session.add(
        SsoIdentity(user_id=person.id, organization_id=office_a.id, issuer=attacker_idp.issuer, subject="shared-sub")
    )
    db.session.commit()
    attacker_idp.assert_claims(
        sub="shared-sub", email=f"newcomer@{B_DOMAIN}", email_verified=True, name="Newcomer", groups=["PW-Editors"]
    )
    assert redirect_path(through_b(client, attacker_idp)) == "/plans"
    newcomer = db.session.scalar(select(User).where(User.email == f"newcomer@{B_DOMAIN}"))
    assert newcomer is not None and newcomer.id != person.id
    assert memberships_of(newcomer) == {office_b.id: "editor"}
    assert memberships_of(person) == {office_a.id: "editor"}
    signed_in_as = db.session.scalars(select(UserSession.user_id).order_by(UserSession.id.desc())).first()
    assert signed_in_as == newcomer.id


def test_a_person_in_both_offices_lands_only_in_b_and_still_needs_their_second_factor(
    app, b_sso, attacker_idp, office_a, office_b, new_client
):  # type: ignore[no-untyped-def]
    both = create_user(org=office_a, role=Role.ADMIN, email=f"sam@{B_DOMAIN}", name="Sam Both")
    both.memberships.append(Membership(organization_id=office_b.id, role=Role.EDITOR.value))
    db.session.commit()
    with_totp(both)
    attacker_idp.assert_claims(sub="sam", email=both.email, email_verified=True, name="Sam", groups=["PW-Editors"])
    browser = new_client()
    challenge = through_b(browser, attacker_idp)
    assert challenge.status_code == 200 and "Enter the code from your authenticator app" in text_of(challenge)
    assert not is_signed_in(browser)  # the provider alone is not enough for an account with a second factor
    wrong = browser.post("/sso/second-factor", data={"code": "000000"})
    assert wrong.status_code == 200 and not is_signed_in(browser)
    # With the person's own code (only they have it), they are in: in office B, and only there.
    challenge = through_b(browser, attacker_idp)
    done = browser.post("/sso/second-factor", data={"code": pyotp.TOTP(TOTP_SECRET).now()})
    assert redirect_path(done) == "/plans"
    assert browser.get("/admin/users").status_code == 403  # an editor in B; admin of A does not count here
    assert office_a.name not in browser.get("/plans").get_data(as_text=True)  # not offered in the switcher
    assert browser.get("/audit").status_code == 403
    assert browser.post("/organizations/switch", data={"organization_id": office_a.id}).status_code in (403, 404)
    assert browser.get("/admin/users").status_code == 403
    assert memberships_of(both) == {office_a.id: "admin", office_b.id: "editor"}
    assert db.session.get(User, both.id).name == "Sam Both"


def test_the_operator_may_trust_b_provider_for_the_second_factor(
    app, b_sso, attacker_idp, office_a, office_b, new_client
):  # type: ignore[no-untyped-def]
    both = create_user(org=office_b, role=Role.EDITOR, email=f"kim@{B_DOMAIN}", name="Kim")
    db.session.commit()
    with_totp(both)
    assert operator(app, "trust-mfa", office_b.slug, "on").startswith("0:")
    attacker_idp.assert_claims(sub="kim", email=both.email, email_verified=True, groups=["PW-Editors"])
    browser = new_client()
    assert redirect_path(through_b(browser, attacker_idp)) == "/plans"
    assert is_signed_in(browser)
    assert db.session.get(OrganizationSignIn, office_b.id).mfa_trusted is True


def test_directory_removal_in_b_removes_only_the_b_membership(client, b_sso, attacker_idp, office_a, office_b):  # type: ignore[no-untyped-def]
    both = create_user(org=office_a, role=Role.ADMIN, email=f"jo@{B_DOMAIN}", name="Jo Both")
    both.memberships.append(Membership(organization_id=office_b.id, role=Role.EDITOR.value))
    db.session.commit()
    attacker_idp.assert_claims(sub="jo", email=both.email, email_verified=True, groups=["Nothing-Mapped"])
    assert through_b(client, attacker_idp).status_code == 403
    assert memberships_of(both) == {office_a.id: "admin"}


# --- office <-> server secrets ---------------------------------------------------------------------------------------


def test_no_setting_makes_the_server_send_one_of_its_secrets(app, client, b_sso, attacker_idp, office_a, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("PLANWRIGHT_SSO_SECRET_STATE_OCIO", "office-a-secret-sentinel")
    monkeypatch.setenv("MAIL_PASSWORD", "smtp-password-sentinel")
    attacker_idp.accept_any_secret = True
    for name in ("SECRET_KEY", "MAIL_PASSWORD", "PLANWRIGHT_SSO_SECRET_STATE_OCIO", "DATABASE_URL"):
        saved = b_sso.post(
            "/admin/sign-in",
            data=settings_form(attacker_idp, client_secret=name, client_secret_env=name),
        )
        assert redirect_path(saved) == "/admin/sign-in"
        attacker_idp.assert_claims(sub="n", email=f"new-{name.lower()}@{B_DOMAIN}", email_verified=True, groups=[])
        through_b(client, attacker_idp)
    sent = " ".join(attacker_idp.received_secrets) + " ".join(str(r) for r in attacker_idp.seen)
    assert attacker_idp.received_secrets == [
        "SECRET_KEY",
        "MAIL_PASSWORD",
        "PLANWRIGHT_SSO_SECRET_STATE_OCIO",
        "DATABASE_URL",
    ]
    for secret in (app.config["SECRET_KEY"], "office-a-secret-sentinel", "smtp-password-sentinel"):
        assert secret not in sent


def test_a_variable_named_after_another_office_is_never_read(
    app, client, office_a, office_b, b_admin, attacker_idp, monkeypatch
):  # type: ignore[no-untyped-def]
    # B stores no secret; the only variable the server would read for B is PLANWRIGHT_SSO_SECRET_COUNTY_IT.
    monkeypatch.setenv("PLANWRIGHT_SSO_SECRET_STATE_OCIO", "office-a-secret-sentinel")
    sso.claim_domain(office_b, B_DOMAIN)
    settings = OrganizationSignIn(
        organization_id=office_b.id,
        mfa_policy="off",
        sso_enabled=True,
        issuer_url=attacker_idp.issuer,
        client_id=attacker_idp.client_id,
        group_claim="groups",
    )
    db.session.add(settings)
    db.session.commit()
    attacker_idp.accept_any_secret = True
    attacker_idp.assert_claims(sub="s", email=f"s@{B_DOMAIN}", email_verified=True, groups=["x"])
    response = through_b(client, attacker_idp)
    assert response.status_code == 403 and "client secret is missing" in text_of(response)
    assert attacker_idp.received_secrets == []
    monkeypatch.setenv("PLANWRIGHT_SSO_SECRET_COUNTY_IT", "county-secret-from-the-operator")
    through_b(client, attacker_idp)
    assert attacker_idp.received_secrets == ["county-secret-from-the-operator"]


def test_the_secret_is_encrypted_at_rest_and_never_shown(app, b_sso, office_b, attacker_idp):  # type: ignore[no-untyped-def]
    raw = db.session.execute(
        text("SELECT client_secret_encrypted FROM organization_sign_in WHERE organization_id = :org"),
        {"org": office_b.id},
    ).scalar_one()
    assert raw.startswith("v1:") and attacker_idp.client_secret not in raw
    assert attacker_idp.client_secret.encode() not in base64.urlsafe_b64decode(raw[3:])
    page = b_sso.get("/admin/sign-in").get_data(as_text=True)
    assert attacker_idp.client_secret not in page and raw not in page
    assert "A client secret is stored (encrypted). Leave the field blank to keep it." in text_of(
        b_sso.get("/admin/sign-in")
    )
    audit = " ".join(str(e.changes) for e in db.session.scalars(select(AuditEvent)))
    assert attacker_idp.client_secret not in audit and raw not in audit
    # Blank keeps it; the sealed value is bound to office B and does not open as another office's.
    kept = b_sso.post("/admin/sign-in", data=settings_form(attacker_idp, client_secret=""))
    assert redirect_path(kept) == "/admin/sign-in"
    db.session.expire_all()
    assert db.session.get(OrganizationSignIn, office_b.id).client_secret_encrypted == raw
    from app.auth.sso.client_secret import unseal

    assert unseal(raw, office_b.id) == attacker_idp.client_secret
    assert unseal(raw, office_b.id + 1) is None


# --- the one HTTP client --------------------------------------------------------------------------------------------


def test_an_http_issuer_is_refused_outside_testing_and_debug(
    app, signed_in, office_b, b_admin, attacker_idp, monkeypatch
):  # type: ignore[no-untyped-def]
    from config import ProductionConfig

    assert ProductionConfig.OIDC_ALLOW_HTTP_LOOPBACK is False
    sso.claim_domain(office_b, B_DOMAIN)
    db.session.commit()
    browser = signed_in(b_admin)
    # Even with the switch left on by mistake, a production app (not testing, not debug) refuses plain HTTP.
    monkeypatch.setattr(app, "testing", False)
    monkeypatch.setitem(app.config, "ENV_NAME", "production")
    page = browser.post("/admin/sign-in", data=settings_form(attacker_idp))
    assert page.status_code == 422 and "The issuer must use https://" in text_of(page)
    assert attacker_idp.seen == []


def test_a_redirect_to_another_host_is_not_followed(client, b_sso, attacker_idp):  # type: ignore[no-untyped-def]
    with running_provider() as elsewhere:  # another origin: same address, other port
        attacker_idp.redirects["/.well-known/openid-configuration"] = (
            f"{elsewhere.issuer}/.well-known/openid-configuration"
        )
        response = client.post("/login/sso", data={"sso_email": f"someone@{B_DOMAIN}"})
        assert response.status_code == 502 and "refused the request" in text_of(response)
        assert elsewhere.seen == []
    oidc.forget()
    attacker_idp.redirects.clear()
    attacker_idp.redirects["/token"] = "http://127.0.0.1:9/token"
    attacker_idp.assert_claims(sub="r", email=f"r@{B_DOMAIN}", email_verified=True, groups=["PW-Editors"])
    assert through_b(client, attacker_idp).status_code == 403
    assert any("HTTP 302" in s for s in refusals())


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "streamed"])
def test_an_oversized_answer_is_refused(client, b_sso, attacker_idp, declared):  # type: ignore[no-untyped-def]
    attacker_idp.oversized["/jwks"] = 2 * oidc.MAX_RESPONSE_BYTES
    attacker_idp.declare_length = declared
    attacker_idp.assert_claims(sub="o", email=f"o@{B_DOMAIN}", email_verified=True, groups=["PW-Editors"])
    response = through_b(client, attacker_idp)
    assert response.status_code == 403 and "too large" in text_of(response)
    assert not is_signed_in(client)
    assert any("response too large" in s for s in refusals())


def test_the_authorization_response_must_come_from_b_issuer(client, b_sso, attacker_idp):  # type: ignore[no-untyped-def]
    attacker_idp.assert_claims(sub="i", email=f"i@{B_DOMAIN}", email_verified=True, groups=["PW-Editors"])
    attacker_idp.iss_in_response = "https://login.other-provider.example"
    assert through_b(client, attacker_idp).status_code == 403
    assert any("authorization response from issuer" in s for s in refusals())
    # A provider that promises the parameter (RFC 9207) and leaves it out is refused too.
    oidc.forget()
    attacker_idp.iss_in_response = None
    attacker_idp.discovery_extra["authorization_response_iss_parameter_supported"] = True
    assert through_b(client, attacker_idp).status_code == 403
    attacker_idp.iss_in_response = attacker_idp.issuer
    assert redirect_path(through_b(client, attacker_idp)) == "/plans"


def test_discovery_and_keys_are_cached(client, b_sso, attacker_idp, new_client):  # type: ignore[no-untyped-def]
    for n in range(2):
        attacker_idp.assert_claims(sub=f"c{n}", email=f"c{n}@{B_DOMAIN}", email_verified=True, groups=["PW-Editors"])
        assert redirect_path(through_b(new_client(), attacker_idp)) == "/plans"
    paths = [r["path"] for r in attacker_idp.seen]
    assert paths.count("/.well-known/openid-configuration") == 1 and paths.count("/jwks") == 1
