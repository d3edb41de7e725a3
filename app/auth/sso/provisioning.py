"""Provisioning at sign-in: the account, its identity and its role from directory groups (or its removal)."""

from __future__ import annotations

import secrets

from sqlalchemy import select

from app.audit.services import record
from app.auth.models import Membership, Organization, OrganizationSignIn, Role, SsoIdentity, User
from app.auth.passwords import hash_password
from app.auth.sso.refusals import _refuse
from app.auth.sso.settings import ROLE_RANK
from app.core.db import utcnow
from app.extensions import db


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
