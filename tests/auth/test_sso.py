"""OpenID Connect single sign-on against a real provider on 127.0.0.1 (tests/auth/oidc_provider.py).

The attacks on the boundary between offices are in test_sso_trust.py.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.auth import oidc, sso
from app.auth.models import MfaPolicy, Organization, Role, SsoIdentity, SsoLoginState, User, UserSession
from app.extensions import db
from tests.auth.conftest import is_signed_in, redirect_path, text_of
from tests.auth.oidc_provider import Provider, follow_provider_redirect, query_of, running_provider
from tests.factories import login

DOMAIN = "ocio.state.example"
MAPPING = [("PW-Admins", Role.ADMIN), ("PW-Editors", Role.EDITOR), ("PW-Viewers", Role.VIEWER)]


@pytest.fixture
def provider() -> Iterator[Provider]:
    oidc.forget()  # a provider of an earlier test may have had this port
    with running_provider() as running:
        yield running
    oidc.forget()


def configure(org: Organization, admin: User, provider: Provider, domains=(DOMAIN,), **overrides) -> None:  # type: ignore[no-untyped-def]
    """The operator claims ``domains`` for the office; its admin saves the provider's details and secret."""
    for domain in domains:
        sso.claim_domain(org, domain)
    fields = {
        "mfa_policy": MfaPolicy.OFF,
        "sso_enabled": True,
        "sso_required": False,
        "issuer_url": provider.issuer,
        "client_id": provider.client_id,
        "client_secret": provider.client_secret,
        "group_claim": "groups",
        "group_roles": MAPPING,
        "break_glass_user_id": None,
        **overrides,
    }
    sso.update_settings(org, sso.SignInFields(**fields), actor=admin)
    db.session.commit()


@pytest.fixture
def sso_org(org, admin, provider):  # type: ignore[no-untyped-def]
    configure(org, admin, provider)
    return org


def start(client, email: str = f"dana.whitfield@{DOMAIN}") -> str:  # type: ignore[no-untyped-def]
    response = client.post("/login/sso", data={"sso_email": email})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response.headers["Location"]


def sign_in(client, provider: Provider, email: str = f"dana.whitfield@{DOMAIN}", groups=("PW-Editors",)):  # type: ignore[no-untyped-def]
    provider.sign_in_as(email, groups=list(groups))
    callback = follow_provider_redirect(start(client, email))
    return client.get(callback)


def sso_failures() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.summary).where(AuditEvent.action == "auth.sso_failed")))


def user_by_email(email: str) -> User | None:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.email == email))


def test_first_sign_in_creates_the_user_with_the_mapped_role_using_pkce_state_and_nonce(client, sso_org, provider):
    location = start(client)
    params = query_of(location)
    assert location.startswith(f"{provider.issuer}/authorize?")
    assert params["code_challenge_method"] == "S256" and params["state"] and params["nonce"]
    provider.sign_in_as(f"dana.whitfield@{DOMAIN}", groups=["PW-Editors", "Staff"])
    response = client.get(follow_provider_redirect(location))
    assert redirect_path(response) == "/plans"
    assert is_signed_in(client)
    user = user_by_email(f"dana.whitfield@{DOMAIN}")
    assert user is not None and user.name == "Dana Whitfield"
    assert user.role_in(sso_org.id) is Role.EDITOR
    assert provider.token_requests[0]["code_verifier"]  # the provider checked it against the S256 challenge
    stored = db.session.scalar(select(SsoLoginState))
    assert stored.state_hash != params["state"] and stored.used_at is not None  # only a hash, now used
    login_event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "auth.login"))
    assert "single sign-on" in login_event.summary


def test_the_highest_mapped_role_wins_and_unmapped_groups_are_ignored(client, sso_org, provider):
    sign_in(client, provider, groups=("Staff", "PW-Viewers", "PW-Admins"))
    assert user_by_email(f"dana.whitfield@{DOMAIN}").role_in(sso_org.id) is Role.ADMIN


def test_the_role_follows_the_directory_at_every_sign_in_and_leavers_lose_it(app, sso_org, provider, new_client):
    assert redirect_path(sign_in(new_client(), provider, groups=("PW-Editors",))) == "/plans"
    redirect_path(sign_in(new_client(), provider, groups=("PW-Viewers",)))
    user = user_by_email(f"dana.whitfield@{DOMAIN}")
    assert user.role_in(sso_org.id) is Role.VIEWER
    browser = new_client()
    response = sign_in(browser, provider, groups=("Staff",))
    assert response.status_code == 403
    assert "not in any directory group that gives access to Planwright" in text_of(response)
    assert not is_signed_in(browser)
    user = user_by_email(f"dana.whitfield@{DOMAIN}")
    assert not user.is_member_of(sso_org.id)
    removed = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.role_removed"))
    assert removed.object_id == user.id and "viewer" in removed.summary
    assert any("in no mapped group" in s for s in sso_failures())


@pytest.mark.parametrize(
    ("tamper", "message", "reason"),
    [
        ({"aud": "some-other-application"}, "could not be trusted", "audience"),
        ({"exp_offset": -3600}, "expired before it reached Planwright", "expired"),
        ({"other_key": True}, "could not be trusted", "signature"),
        ({"nonce": "a-nonce-from-another-sign-in"}, "could not be trusted", "nonce"),
        ({"deny": True}, "did not sign you in (access_denied)", "access_denied"),
    ],
    ids=["wrong-audience", "expired", "bad-signature", "nonce-mismatch", "provider-error"],
)
def test_untrustworthy_answers_are_refused_with_a_clear_message_and_audited(
    client, sso_org, provider, tamper, message, reason
):
    provider.tamper = tamper
    response = sign_in(client, provider)
    assert response.status_code == 403
    assert message in text_of(response)
    assert not is_signed_in(client)
    assert user_by_email(f"dana.whitfield@{DOMAIN}") is None
    failures = sso_failures()
    assert len(failures) == 1 and reason in failures[0], failures


def test_a_replayed_callback_is_refused(client, sso_org, provider):
    provider.sign_in_as(f"dana.whitfield@{DOMAIN}", groups=["PW-Editors"])
    callback = follow_provider_redirect(start(client))
    assert redirect_path(client.get(callback)) == "/plans"
    client.post("/logout")
    replay = client.get(callback)
    assert replay.status_code == 403
    assert "already used or took too long" in text_of(replay)
    assert not is_signed_in(client)
    assert any("already used" in s for s in sso_failures())


def test_a_callback_in_another_browser_is_refused(sso_org, provider, new_client):
    provider.sign_in_as(f"dana.whitfield@{DOMAIN}", groups=["PW-Editors"])
    callback = follow_provider_redirect(start(new_client()))
    attacker = new_client()
    response = attacker.get(callback)
    assert response.status_code == 403 and not is_signed_in(attacker)
    assert any("another browser" in s for s in sso_failures())


def test_an_expired_state_is_refused(client, sso_org, provider):
    from datetime import timedelta

    provider.sign_in_as(f"dana.whitfield@{DOMAIN}", groups=["PW-Editors"])
    callback = follow_provider_redirect(start(client))
    state = db.session.scalar(select(SsoLoginState))
    state.expires_at = state.created_at - timedelta(seconds=1)
    db.session.commit()
    assert client.get(callback).status_code == 403
    assert any("expired" in s for s in sso_failures())


@pytest.mark.parametrize(
    ("email", "verified", "message"),
    [
        (f"dana.whitfield@{DOMAIN}", False, "did not confirm your email address"),
        ("dana.whitfield@contractor.example", True, "not in a domain this organization accepts"),
    ],
    ids=["unverified-email", "other-domain"],
)
def test_unverified_or_foreign_addresses_are_refused(client, sso_org, provider, email, verified, message):
    provider.sign_in_as(email, groups=["PW-Editors"], verified=verified)
    response = client.get(follow_provider_redirect(start(client)))  # started with an accepted domain
    assert response.status_code == 403 and message in text_of(response)
    assert user_by_email(email) is None
    assert len(sso_failures()) == 1


def test_an_existing_password_user_is_linked_by_verified_email_then_by_subject(client, org, admin, sso_org, provider):
    existing = admin  # created with a password at agency.example; accept that domain too
    configure(org, admin, provider, domains=("agency.example",))
    sign_in(client, provider, email=existing.email, groups=("PW-Admins",))
    identity = db.session.scalar(select(SsoIdentity))
    assert identity.user_id == existing.id and identity.subject == f"sub-{existing.email}"
    assert db.session.scalar(select(db.func.count()).select_from(User).where(User.email == existing.email)) == 1


def test_unknown_domains_get_a_clear_message_and_nothing_is_stored(client, sso_org):
    response = client.post("/login/sso", data={"sso_email": "someone@elsewhere.example"})
    assert response.status_code == 200
    assert "Single sign-on is not set up for that email domain" in text_of(response)
    assert db.session.scalar(select(SsoLoginState)) is None


def test_sign_out_also_ends_the_provider_session(client, sso_org, provider):
    sign_in(client, provider)
    response = client.post("/logout")
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith(f"{provider.issuer}/logout?")
    params = query_of(location)
    assert params["id_token_hint"].count(".") == 2
    assert params["post_logout_redirect_uri"].endswith("/login")
    assert not is_signed_in(client)
    assert db.session.scalar(select(db.func.count()).select_from(UserSession)) == 0


def test_required_sso_switches_password_sign_in_off_except_for_the_break_glass_admin(
    client, org, admin, editor, provider, new_client
):
    configure(org, admin, provider, sso_required=True, break_glass_user_id=admin.id)
    response = login(client, editor)
    assert response.status_code == 200
    assert "signs in through its own identity provider" in text_of(response)
    assert not is_signed_in(client)
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "auth.login_refused_sso_required"))
    assert redirect_path(login(new_client(), admin)) == "/plans"


def test_requiring_sso_needs_a_break_glass_administrator(org, admin, provider):
    with pytest.raises(sso.DomainError, match="break-glass administrator"):
        configure(org, admin, provider, sso_required=True)


def test_an_unreadable_client_secret_is_reported_without_signing_in(client, sso_org, provider):
    # The server's key changed since the admin saved the secret: it no longer opens.
    sso.settings_of(sso_org).client_secret_encrypted = "v1:" + "A" * 60
    db.session.commit()
    response = sign_in(client, provider)
    assert response.status_code == 403 and "client secret is missing" in text_of(response)
    assert any(sso.env_name(sso_org) in s for s in sso_failures())


def test_a_discovery_document_naming_another_issuer_is_refused(client, sso_org, provider):
    provider.issuer_in_discovery = "http://127.0.0.1:1/other"
    response = client.post("/login/sso", data={"sso_email": f"dana.whitfield@{DOMAIN}"})
    assert response.status_code == 502 and "not configured correctly" in text_of(response)
    assert any("discovery document names issuer" in s for s in sso_failures())


def test_admin_saves_sso_settings_with_the_secret_stored_encrypted(signed_in, org, admin, provider):
    sso.claim_domain(org, DOMAIN)
    sso.claim_domain(org, "dot.state.example")
    db.session.commit()
    browser = signed_in(admin)
    page = browser.get("/admin/sign-in")
    assert page.status_code == 200 and "/sso/callback" in page.get_data(as_text=True)
    data = {
        "mfa_policy": "admins_and_board",
        "sso_enabled": "y",
        "issuer_url": provider.issuer,
        "client_id": "planwright-state",
        "client_secret": provider.client_secret,
        "group_claim": "groups",
        "group_roles": "PW-Admins = admin\nPW-Editors = editor\n",
        "break_glass_user_id": str(admin.id),
    }
    assert redirect_path(browser.post("/admin/sign-in", data=data)) == "/admin/sign-in"
    settings = sso.settings_of(org)
    assert sso.settings_for_email(f"someone@{DOMAIN}") is settings
    assert sso.settings_for_email("someone@dot.state.example") is settings
    assert [(m.group_name, m.role) for m in settings.group_roles] == [("PW-Admins", "admin"), ("PW-Editors", "editor")]
    assert provider.client_secret not in repr(vars(settings))
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "organization.sign_in_settings"))
    assert "group_roles" in event.changes
    bad = browser.post(
        "/admin/sign-in", data={**data, "group_roles": "PW-Admins => superuser", "issuer_url": "ftp://127.0.0.1/x"}
    )
    assert bad.status_code == 422
    page_text = text_of(bad)
    assert "https://" in page_text and "Line 1 of the group mapping" in page_text
    assert "PW-Admins =&gt; superuser" in bad.get_data(as_text=True)  # the admin's text is kept
