"""Provisioning at sign-in: which account an organization's provider may sign in, and its role there.

The rules hold whatever the provider asserts, because an office admin controls their provider:

* the e-mail must be verified and in a domain the instance operator claimed for THIS organization;
* the identity (issuer + subject) is looked up only among this organization's identities;
* it may sign in an account that is already a member of this organization, or create a new account here when no
  account anywhere has that e-mail. An existing account that is not a member here is refused (and the refusal
  audited): the provider of one office never reaches a person of another office;
* it never renames anyone, never adds a membership in another organization, and the group mapping only ever
  sets or removes the membership in this organization (never of the break-glass administrator).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import select

from app.audit.services import record
from app.auth.models import Membership, Organization, OrganizationSignIn, Role, SsoIdentity, User
from app.auth.passwords import hash_password
from app.auth.sso.domains import claimed_domains
from app.auth.sso.refusals import _refuse
from app.auth.sso.settings import ROLE_RANK
from app.core.db import utcnow
from app.extensions import db


@dataclass
class Provisioned:
    user: User
    created: bool  # a new account: it has no second factor of its own yet


def _provision(settings: OrganizationSignIn, claims: dict) -> Provisioned:
    organization = db.session.get(Organization, settings.organization_id)
    assert organization is not None  # noqa: S101 - the settings row references it
    email = _checked_email(organization, claims)
    role = _mapped_role(settings, claims)
    user = _account(settings, organization, claims, email)
    if role is None:
        if user is not None and user.id != settings.break_glass_user_id:
            _remove_membership(user, organization)
        raise _refuse(
            f"You are not in any directory group that gives access to Planwright for {organization.name}. If you "
            "need access, ask your administrator to add you to the right group.",
            f"{email[:200]} is in no mapped group",
            organization.id,
        )
    created = user is None
    if user is None:
        user = _create_account(organization, claims, email)
    _link_identity(settings, user, claims)
    if user.id != settings.break_glass_user_id:
        _set_membership(user, organization, role)
    db.session.flush()
    return Provisioned(user=user, created=created)


def _checked_email(organization: Organization, claims: dict) -> str:
    email = str(claims.get("email") or "").strip().lower()
    if not email or claims.get("email_verified") is not True:
        raise _refuse(
            "Your identity provider did not confirm your email address, so Planwright cannot match it to an "
            "account. Ask your IT service desk to verify it.",
            f"email not verified for subject {str(claims['sub'])[:100]}",
            organization.id,
        )
    if email.rpartition("@")[2] not in claimed_domains(organization.id):
        raise _refuse(
            f"The address {email} is not in a domain this organization accepts for single sign-on.",
            f"email domain of {email[:200]} not claimed by this organization",
            organization.id,
        )
    return email


def _mapped_role(settings: OrganizationSignIn, claims: dict) -> Role | None:
    raw_groups = claims.get(settings.group_claim) or []
    groups = {raw_groups} if isinstance(raw_groups, str) else {str(g) for g in raw_groups if isinstance(g, str | int)}
    mapped = [Role(m.role) for m in settings.group_roles if m.group_name in groups]
    return max(mapped, key=ROLE_RANK.__getitem__) if mapped else None


def _membership(user: User, organization: Organization) -> Membership | None:
    return next((m for m in user.memberships if m.organization_id == organization.id), None)


def _account(settings: OrganizationSignIn, organization: Organization, claims: dict, email: str) -> User | None:
    """The existing account this sign-in is for, None for a new one; refuses any account outside this office."""
    identity = db.session.scalar(
        select(SsoIdentity).where(
            SsoIdentity.organization_id == organization.id,
            SsoIdentity.issuer == settings.issuer_url,
            SsoIdentity.subject == claims["sub"],
        )
    )
    user = db.session.get(User, identity.user_id) if identity else None
    if user is None:
        user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        return None
    membership = _membership(user, organization)
    # Someone whose only link to this office is an identity it created and who belongs nowhere (a leaver who
    # rejoins its directory group) may come back; anyone else must already be a member here.
    returning = identity is not None and not user.memberships
    if membership is None and not returning:
        raise _refuse(
            f"The account for {email} is not a member of {organization.name}, so this organization's single sign-on "
            "cannot sign it in. Sign in the way your own organization uses, or ask an administrator of "
            f"{organization.name} to add you.",
            f"{email[:200]} has an account that is not a member of this organization",
            organization.id,
        )
    if not user.active or (membership is not None and not getattr(membership, "active", True)):
        raise _refuse(
            "Your Planwright account is deactivated. Ask your administrator.",
            f"{email[:200]} is deactivated",
            organization.id,
        )
    return user


def _create_account(organization: Organization, claims: dict, email: str) -> User:
    name = str(claims.get("name") or email.split("@")[0]).strip()[:120] or email[:120]
    user = User(email=email, name=name, password_hash=hash_password(secrets.token_urlsafe(32)))
    db.session.add(user)
    db.session.flush()
    record(
        "user.create",
        organization_id=organization.id,
        object_type="user",
        object_id=user.id,
        summary=f"Created {email} at first single sign-on",
        changes={"email": email},
        actor_id=user.id,
    )
    return user


def _link_identity(settings: OrganizationSignIn, user: User, claims: dict) -> None:
    identity = db.session.scalar(
        select(SsoIdentity).where(
            SsoIdentity.organization_id == settings.organization_id,
            SsoIdentity.issuer == settings.issuer_url,
            SsoIdentity.subject == claims["sub"],
        )
    )
    if identity is None:
        db.session.add(
            SsoIdentity(
                user_id=user.id,
                organization_id=settings.organization_id,
                issuer=settings.issuer_url,
                subject=claims["sub"],
            )
        )
    else:
        identity.last_sign_in_at = utcnow()


def _set_membership(user: User, organization: Organization, role: Role) -> None:
    membership = _membership(user, organization)
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
    """Directory leavers lose their role in this organization only; a non-member is left alone."""
    membership = _membership(user, organization)
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
