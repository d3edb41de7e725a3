"""An organization's sign-in settings (MFA policy, OpenID Connect single sign-on, group → role mapping) and
signing in through its identity provider. Services flush and audit; callers commit.

Directory rules: the provider's groups decide the role at every sign-in; someone in no mapped group loses
their membership of the organization and is refused. The organization's break-glass administrator is never
changed by a sign-in (they are the way back in when the provider is down or misconfigured).
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from app.audit.services import diff_fields, record
from app.auth import oidc
from app.auth.models import (
    Membership,
    MfaPolicy,
    Organization,
    OrganizationSignIn,
    Role,
    SsoGroupRole,
    SsoIdentity,
    SsoLoginState,
    User,
)
from app.auth.passwords import hash_password
from app.core.db import utcnow
from app.core.errors import DomainError
from app.extensions import db

ROLE_RANK = {Role.ADMIN: 4, Role.EDITOR: 3, Role.REVIEWER: 2, Role.VIEWER: 1}
ENV_NAME = re.compile(r"^[A-Z][A-Z0-9_]{2,99}$")
DOMAIN = re.compile(r"^(?=.{3,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def _sha(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


# --- settings ---------------------------------------------------------------------------------------------------


def settings_of(organization: Organization) -> OrganizationSignIn:
    """The organization's settings; defaults (not stored) when it never saved any."""
    found = db.session.get(OrganizationSignIn, organization.id)
    return found or OrganizationSignIn(
        organization_id=organization.id,
        mfa_policy=MfaPolicy.OFF.value,
        sso_enabled=False,
        sso_required=False,
        issuer_url="",
        client_id="",
        client_secret_env="",
        allowed_domains="",
        group_claim="groups",
        break_glass_user_id=None,
    )


def parse_group_roles(text: str) -> list[tuple[str, Role]]:
    """Lines of ``group = role``; raises DomainError naming the first bad line."""
    pairs: dict[str, Role] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        group, sep, role = line.rpartition("=")
        group, role = group.strip(), role.strip().lower()
        if not sep or not group or role not in ROLE_RANK or len(group) > 255:
            roles = ", ".join(r.value for r in Role)
            raise DomainError(
                f"Line {number} of the group mapping must read “group name = role” with a role of {roles}."
            )
        if group in pairs:
            raise DomainError(f"Line {number}: the group “{group}” is mapped twice. Keep one line for it.")
        pairs[group] = Role(role)
    return list(pairs.items())


def format_group_roles(settings: OrganizationSignIn) -> str:
    return "\n".join(f"{m.group_name} = {m.role}" for m in settings.group_roles)


@dataclass
class SignInFields:
    mfa_policy: MfaPolicy
    sso_enabled: bool
    sso_required: bool
    issuer_url: str
    client_id: str
    client_secret_env: str
    allowed_domains: str
    group_claim: str
    group_roles: list[tuple[str, Role]]
    break_glass_user_id: int | None


def _check(fields: SignInFields, organization: Organization) -> list[str]:
    problems = []
    allow_http = current_app.config["OIDC_ALLOW_HTTP_LOOPBACK"]
    domains = fields.allowed_domains.lower().replace(",", " ").split()
    if fields.sso_enabled:
        problem = oidc.issuer_url_problem(fields.issuer_url, allow_http_loopback=allow_http)
        if problem:
            problems.append(problem)
        if not fields.client_id:
            problems.append("Enter the client ID the identity provider gave Planwright.")
        if not ENV_NAME.match(fields.client_secret_env):
            problems.append(
                "Enter the NAME of the environment variable that holds the client secret, in capitals, e.g. "
                "PLANWRIGHT_OIDC_SECRET_STATE (never the secret itself)."
            )
        if not domains:
            problems.append("Enter at least one email domain, e.g. ocio.state.example.")
        if not fields.group_roles:
            problems.append(
                "Map at least one group of the identity provider to a role, e.g. “Planwright-Editors = editor”."
            )
        if not fields.group_claim:
            problems.append("Enter the claim that carries the groups (often “groups”).")
    bad = [d for d in domains if not DOMAIN.match(d)]
    if bad:
        problems.append(f"These are not email domains: {', '.join(bad[:5])}. Enter domains like agency.state.example.")
    if fields.sso_required:
        if not fields.sso_enabled:
            problems.append("Single sign-on can only be required once it is switched on.")
        breakglass = db.session.get(User, fields.break_glass_user_id) if fields.break_glass_user_id else None
        if breakglass is None or not breakglass.active or not breakglass.is_admin_of(organization.id):
            problems.append(
                "Choose a break-glass administrator: an active administrator who can still sign in with a password "
                "and second factor if the identity provider is unavailable."
            )
    elif fields.break_glass_user_id is not None:
        breakglass = db.session.get(User, fields.break_glass_user_id)
        if breakglass is None or not breakglass.is_admin_of(organization.id):
            problems.append("The break-glass account must be an administrator of this organization.")
    return problems


def update_settings(organization: Organization, fields: SignInFields, *, actor: User) -> OrganizationSignIn:
    problems = _check(fields, organization)
    if problems:
        raise DomainError(" ".join(problems))
    settings = db.session.get(OrganizationSignIn, organization.id)
    if settings is None:
        settings = settings_of(organization)
        db.session.add(settings)
        before: dict[str, object] = {}
    else:
        before = _snapshot(settings)
    settings.mfa_policy = fields.mfa_policy.value
    settings.sso_enabled = fields.sso_enabled
    settings.sso_required = fields.sso_required
    settings.issuer_url = fields.issuer_url
    settings.client_id = fields.client_id
    settings.client_secret_env = fields.client_secret_env
    settings.allowed_domains = " ".join(dict.fromkeys(fields.allowed_domains.lower().replace(",", " ").split()))
    settings.group_claim = fields.group_claim or "groups"
    settings.break_glass_user_id = fields.break_glass_user_id
    wanted = dict(fields.group_roles)
    for mapping in list(settings.group_roles):
        if mapping.group_name not in wanted:
            settings.group_roles.remove(mapping)
        else:
            mapping.role = wanted.pop(mapping.group_name).value
    for group, role in wanted.items():
        settings.group_roles.append(SsoGroupRole(group_name=group, role=role.value))
    db.session.flush()
    changes = diff_fields(before, _snapshot(settings))
    if changes:
        record(
            "organization.sign_in_settings",
            organization_id=organization.id,
            object_type="organization",
            object_id=organization.id,
            summary=f"Changed sign-in settings: {', '.join(changes)}",
            changes=changes,
            actor_id=actor.id,
        )
    return settings


def _snapshot(settings: OrganizationSignIn) -> dict[str, object]:
    return {
        "mfa_policy": settings.mfa_policy,
        "sso_enabled": settings.sso_enabled,
        "sso_required": settings.sso_required,
        "issuer_url": settings.issuer_url,
        "client_id": settings.client_id,
        "client_secret_env": settings.client_secret_env,
        "allowed_domains": settings.allowed_domains,
        "group_claim": settings.group_claim,
        "break_glass_user_id": settings.break_glass_user_id,
        "group_roles": format_group_roles(settings),
    }


def password_sign_in_blocked(user: User) -> bool:
    """True when one of the user's organizations requires single sign-on and they are not its break-glass admin."""
    requiring = db.session.scalars(
        select(OrganizationSignIn.break_glass_user_id).where(
            OrganizationSignIn.organization_id.in_(user.organization_ids),
            OrganizationSignIn.sso_enabled.is_(True),
            OrganizationSignIn.sso_required.is_(True),
        )
    ).all()
    return any(breakglass != user.id for breakglass in requiring)


def settings_for_email(email: str) -> OrganizationSignIn | None:
    """The organization whose single sign-on accepts the email's domain (by domain only: no account lookup)."""
    domain = email.rpartition("@")[2].strip().lower()
    if not domain:
        return None
    enabled = db.session.scalars(
        select(OrganizationSignIn)
        .where(OrganizationSignIn.sso_enabled.is_(True))
        .order_by(OrganizationSignIn.organization_id)
    )
    return next((s for s in enabled if domain in s.domains), None)


# --- signing in ---------------------------------------------------------------------------------------------------


class SsoRefused(DomainError):
    pass


def _refuse(message: str, reason: str, organization_id: int | None) -> SsoRefused:
    record(
        "auth.sso_failed",
        organization_id=organization_id,
        object_type="security",
        object_id=None,
        summary=f"Single sign-on refused: {reason}"[:300],
        actor_id=None,
    )
    return SsoRefused(message)


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
    user: User
    organization_id: int
    logout_url: str | None
    next_path: str


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
    secret = os.environ.get(settings.client_secret_env, "")
    if not secret:
        raise _refuse(
            "Single sign-on is not configured correctly (the client secret is missing). Tell your administrator.",
            f"environment variable {settings.client_secret_env} is not set",
            org_id,
        )
    try:
        metadata = oidc.discover(settings.issuer_url)
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
    user = _provision(settings, claims)
    logout_url = None
    if metadata.end_session_endpoint:
        logout_url = oidc.end_session_url(
            metadata, id_token=id_token, client_id=settings.client_id, post_logout_redirect_uri=post_logout_redirect_uri
        )
    return SsoSignIn(user=user, organization_id=org_id, logout_url=logout_url, next_path=login_state.next_path)


def _provision(settings: OrganizationSignIn, claims: dict) -> User:
    org_id = settings.organization_id
    email = str(claims.get("email") or "").strip().lower()
    if not email or claims.get("email_verified") is not True:
        raise _refuse(
            "Your identity provider did not confirm your email address, so Planwright cannot match it to an "
            "account. Ask your IT service desk to verify it.",
            f"email not verified for subject {str(claims['sub'])[:100]}",
            org_id,
        )
    if email.rpartition("@")[2] not in settings.domains:
        raise _refuse(
            f"The address {email} is not in a domain this organization accepts for single sign-on.",
            f"email domain of {email[:200]} not allowed",
            org_id,
        )
    raw_groups = claims.get(settings.group_claim) or []
    groups = {raw_groups} if isinstance(raw_groups, str) else {str(g) for g in raw_groups if isinstance(g, str | int)}
    mapped = [Role(m.role) for m in settings.group_roles if m.group_name in groups]
    role = max(mapped, key=ROLE_RANK.__getitem__) if mapped else None

    identity = db.session.scalar(
        select(SsoIdentity).where(SsoIdentity.issuer == settings.issuer_url, SsoIdentity.subject == claims["sub"])
    )
    user = db.session.get(User, identity.user_id) if identity else None
    if user is None:
        user = db.session.scalar(select(User).where(User.email == email))
    organization = db.session.get(Organization, org_id)
    assert organization is not None  # noqa: S101 - the settings row references it
    if role is None:
        if user is not None and user.id != settings.break_glass_user_id:
            _remove_membership(user, organization)
        raise _refuse(
            f"You are not in any directory group that gives access to Planwright for {organization.name}. If you "
            "need access, ask your administrator to add you to the right group.",
            f"{email[:200]} is in no mapped group",
            org_id,
        )
    if user is not None and not user.active:
        raise _refuse(
            "Your Planwright account is deactivated. Ask your administrator.", f"{email[:200]} is deactivated", org_id
        )
    if user is None:
        user = User(email=email, name=_name(claims, email), password_hash=hash_password(secrets.token_urlsafe(32)))
        db.session.add(user)
        db.session.flush()
        record(
            "user.create",
            organization_id=org_id,
            object_type="user",
            object_id=user.id,
            summary=f"Created {email} at first single sign-on",
            changes={"email": email},
            actor_id=user.id,
        )
    if identity is None:
        db.session.add(
            SsoIdentity(user_id=user.id, organization_id=org_id, issuer=settings.issuer_url, subject=claims["sub"])
        )
    else:
        identity.last_sign_in_at = utcnow()
    name = _name(claims, email)
    if claims.get("name") and user.name != name:
        user.name = name
    if user.id != settings.break_glass_user_id:
        _set_membership(user, organization, role, groups)
    db.session.flush()
    return user


def _name(claims: dict, email: str) -> str:
    return str(claims.get("name") or email.split("@")[0]).strip()[:120]


def _set_membership(user: User, organization: Organization, role: Role, groups: set[str]) -> None:
    membership = next((m for m in user.memberships if m.organization_id == organization.id), None)
    if membership is not None and membership.role == role.value:
        return
    before = membership.role if membership else None
    if membership is None:
        user.memberships.append(Membership(organization_id=organization.id, role=role.value))
    else:
        membership.role = role.value
    db.session.flush()
    record(
        "user.role_change",
        organization_id=organization.id,
        object_type="user",
        object_id=user.id,
        summary=f"{user.email} is {role.value} from directory groups" + (f" (was {before})" if before else ""),
        changes={"role": {"before": before, "after": role.value}, "source": "single sign-on groups"},
        actor_id=user.id,
    )


def _remove_membership(user: User, organization: Organization) -> None:
    membership = next((m for m in user.memberships if m.organization_id == organization.id), None)
    if membership is None:
        return
    before = membership.role
    user.memberships.remove(membership)
    db.session.flush()
    record(
        "user.role_removed",
        organization_id=organization.id,
        object_type="user",
        object_id=user.id,
        summary=f"{user.email} lost the {before} role: no longer in a mapped directory group",
        changes={"role": {"before": before, "after": None}, "source": "single sign-on groups"},
        actor_id=None,
    )
