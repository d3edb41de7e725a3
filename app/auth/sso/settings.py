"""An organization's sign-in settings: MFA policy, OpenID Connect details, group → role mapping, break-glass.

What an office admin sets here can only ever concern their own organization: the e-mail domains its sign-on
accepts are the operator's claims (app/auth/sso/domains.py), shown read-only; the client secret is typed, stored
encrypted and never shown (app/auth/sso/client_secret.py); no field names a server file, variable or setting.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select

from app.audit.services import diff_fields, record
from app.auth import oidc
from app.auth.models import MfaPolicy, Organization, OrganizationSignIn, Role, SsoDomainClaim, SsoGroupRole, User
from app.auth.sso import client_secret
from app.core.errors import DomainError
from app.extensions import db

ROLE_RANK = {Role.ADMIN: 4, Role.EDITOR: 3, Role.REVIEWER: 2, Role.VIEWER: 1}
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
        client_secret_encrypted="",
        mfa_trusted=False,
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
    client_secret: str  # typed by the admin; empty keeps the stored one
    group_claim: str
    group_roles: list[tuple[str, Role]]
    break_glass_user_id: int | None


def _check(fields: SignInFields, organization: Organization) -> list[str]:
    problems = []
    if fields.sso_enabled:
        problem = oidc.issuer_url_problem(fields.issuer_url, allow_http_loopback=oidc.http_loopback_allowed())
        if problem:
            problems.append(problem)
        if not fields.client_id:
            problems.append("Enter the client ID the identity provider gave Planwright.")
        if not fields.client_secret and client_secret.secret_status(settings_of(organization), organization) in (
            "none",
            "unreadable",
        ):
            problems.append("Enter the client secret the identity provider gave Planwright.")
        if not db.session.scalar(select(SsoDomainClaim.id).where(SsoDomainClaim.organization_id == organization.id)):
            problems.append(
                "No e-mail domain is claimed for this organization yet, so single sign-on could sign nobody in. "
                "Ask the instance operator to claim your domain (flask orgs claim-domain "
                f"{organization.slug} your.domain.example)."
            )
        if not fields.group_roles:
            problems.append(
                "Map at least one group of the identity provider to a role, e.g. “Planwright-Editors = editor”."
            )
        if not fields.group_claim:
            problems.append("Enter the claim that carries the groups (often “groups”).")
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
    if fields.client_secret:
        settings.client_secret_encrypted = client_secret.seal(fields.client_secret, organization.id)
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
    oidc.forget(settings.issuer_url)  # the next sign-in reads the provider's configuration afresh
    changes = diff_fields(before, _snapshot(settings))
    if fields.client_secret:  # that it changed, never the value
        changes["client_secret"] = {"before": "stored" if before.get("client_secret") else None, "after": "replaced"}
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
        "client_secret": bool(settings.client_secret_encrypted),
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
    """The single sign-on of the one organization that claims the e-mail's domain, when it is switched on (by
    domain only: no account lookup, so the answer says nothing about who has an account)."""
    domain = email.rpartition("@")[2].strip().lower()
    if not domain:
        return None
    return db.session.scalar(
        select(OrganizationSignIn)
        .join(SsoDomainClaim, SsoDomainClaim.organization_id == OrganizationSignIn.organization_id)
        .where(SsoDomainClaim.domain == domain, OrganizationSignIn.sso_enabled.is_(True))
    )
