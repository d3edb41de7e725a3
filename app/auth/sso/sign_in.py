"""Signing in through the identity provider: starting (single-use state) and checking the provider's answer."""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from app.auth import mfa, oidc
from app.auth.models import Organization, OrganizationSignIn, SsoLoginState, User
from app.auth.sso.client_secret import client_secret, env_name
from app.auth.sso.provisioning import _provision
from app.auth.sso.refusals import _refuse
from app.core.db import utcnow
from app.extensions import db


def _sha(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def start_sign_in(settings: OrganizationSignIn, *, browser_secret: str, redirect_uri: str, next_path: str) -> str:
    """Store a single-use state for this browser and return the provider's authorization URL."""
    try:
        metadata = oidc.discover(settings.issuer_url)
    except oidc.OidcError as exc:
        raise _refuse(str(exc), exc.reason, settings.organization_id) from exc
    state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    verifier, challenge = oidc.pkce_pair()
    now = utcnow()
    db.session.add(
        SsoLoginState(
            state_hash=_sha(state),
            browser_hash=_sha(browser_secret),
            organization_id=settings.organization_id,
            nonce=nonce,
            code_verifier=verifier,
            next_path=next_path[:500],
            created_at=now,
            expires_at=now + timedelta(minutes=current_app.config["OIDC_STATE_MINUTES"]),
        )
    )
    db.session.flush()
    return oidc.authorization_url(
        metadata,
        client_id=settings.client_id,
        redirect_uri=redirect_uri,
        state=state,
        nonce=nonce,
        code_challenge=challenge,
    )


@dataclass
class SsoSignIn:
    """A sign-in the provider vouched for. The session it starts is limited to ``organization_id``; when
    ``second_factor_needed`` the account's own second factor must pass first."""

    user: User
    organization_id: int
    logout_url: str | None
    next_path: str
    second_factor_needed: bool


_START_AGAIN = (
    "This sign-in could not be matched to one started in this browser, or it was already used or took too long. "
    "Start again from the sign-in page."
)


def finish_sign_in(
    *,
    state: str,
    code: str,
    error: str,
    browser_secret: str,
    redirect_uri: str,
    post_logout_redirect_uri: str,
    iss: str | None = None,
    now: float | None = None,
) -> SsoSignIn:
    """Check the provider's answer and provision the user. Raises SsoRefused (audited); the caller commits either
    way, so that the state stays used and the refusal stays recorded."""
    login_state = db.session.scalar(select(SsoLoginState).where(SsoLoginState.state_hash == _sha(state or "")))
    if login_state is None:
        raise _refuse(_START_AGAIN, "unknown state", None)
    org_id = login_state.organization_id
    if login_state.used_at is not None:
        raise _refuse(_START_AGAIN, "state already used (replayed callback)", org_id)
    login_state.used_at = utcnow()
    if login_state.expires_at < utcnow():
        raise _refuse(_START_AGAIN, "state expired", org_id)
    if not browser_secret or not secrets.compare_digest(login_state.browser_hash, _sha(browser_secret)):
        raise _refuse(_START_AGAIN, "state belongs to another browser", org_id)
    settings = db.session.get(OrganizationSignIn, org_id)
    if settings is None or not settings.sso_enabled:
        raise _refuse("Single sign-on is switched off for this organization.", "SSO disabled", org_id)
    if error:
        raise _refuse(
            f"Your identity provider did not sign you in ({error[:60]}). Try again, or ask your IT service desk.",
            f"provider returned error {error[:100]}",
            org_id,
        )
    if not code:
        raise _refuse(_START_AGAIN, "callback without a code", org_id)
    organization = db.session.get(Organization, org_id)
    assert organization is not None  # noqa: S101 - the state references it
    secret = client_secret(settings, organization)
    if not secret:
        raise _refuse(
            "Single sign-on is not configured correctly (the client secret is missing). Tell your administrator.",
            "no readable client secret stored, and " + env_name(organization) + " is not set",
            org_id,
        )
    try:
        metadata = oidc.discover(settings.issuer_url)
        oidc.check_response_issuer(metadata, iss)
        id_token = oidc.exchange_code(
            metadata,
            client_id=settings.client_id,
            client_secret=secret,
            code=code,
            redirect_uri=redirect_uri,
            verifier=login_state.code_verifier,
        )
        claims = oidc.verify_id_token(
            id_token,
            metadata,
            client_id=settings.client_id,
            nonce=login_state.nonce,
            now=time.time() if now is None else now,
        )
    except oidc.OidcError as exc:
        raise _refuse(str(exc), exc.reason, org_id) from exc
    provisioned = _provision(settings, claims)
    logout_url = None
    if metadata.end_session_endpoint:
        logout_url = oidc.end_session_url(
            metadata, id_token=id_token, client_id=settings.client_id, post_logout_redirect_uri=post_logout_redirect_uri
        )
    # The provider vouches for the person, not for the second factor the account has here: unless the instance
    # operator trusts this provider for MFA, an account with a second factor still has to pass it.
    needed = not provisioned.created and not settings.mfa_trusted and mfa.has_mfa(provisioned.user)
    return SsoSignIn(
        user=provisioned.user,
        organization_id=org_id,
        logout_url=logout_url,
        next_path=login_state.next_path,
        second_factor_needed=needed,
    )
