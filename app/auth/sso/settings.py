"""An organization's sign-in settings: MFA policy, OpenID Connect details, group → role mapping, break-glass."""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from app.audit.services import diff_fields, record
from app.auth import oidc
from app.auth.models import MfaPolicy, Organization, OrganizationSignIn, Role, SsoGroupRole, User
from app.core.errors import DomainError
from app.extensions import db

ROLE_RANK = {Role.ADMIN: 4, Role.EDITOR: 3, Role.REVIEWER: 2, Role.VIEWER: 1}
ENV_NAME = re.compile(r"^[A-Z][A-Z0-9_]{2,99}$")
DOMAIN = re.compile(r"^(?=.{3,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


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
