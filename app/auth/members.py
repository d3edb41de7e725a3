"""What an office admin does to the people of their office, kept inside that office; and the instance
operator's account-wide actions (CLI only). Services flush and audit; callers commit.

An office admin acts on a person's *membership* in the admin's office: adding, changing the role,
deactivating (services.set_role, services.set_active) and removing. The account itself (its password, name,
second factor, account-wide ``active`` switch) belongs to the person and, above them, to the instance operator:
an office admin touches it only when the person belongs to the admin's office and to no other.
"""

from __future__ import annotations

from flask import current_app

from app.audit.services import record
from app.auth.models import Membership, Organization, Role, User
from app.auth.passwords import hash_password
from app.auth.services import end_access_to, normalize_email, refuse_self_or_last_admin, words_of
from app.auth.sessions import end_all_sessions
from app.core.errors import DomainError
from app.core.mail import MailError, send_mail
from app.extensions import db


class SharedAccount(DomainError):
    """The person also belongs to another organization, so an account-wide change is the operator's to make."""


def add_member(*, email: str, name: str, password: str, organization: Organization, role: Role, actor: User) -> None:
    """An admin adds a person to their organization, with an initial password for a new account.

    The admin sees the same thing whether or not the e-mail already has an account in another organization,
    so this cannot be used to find out who has an account: the same checks (the password is checked and hashed
    either way), the same audit event in this organization's log. An existing account is only given a
    membership here: its name and password stay the person's own (the typed ones are discarded), and the person
    is told by e-mail that they were added. The account-level facts go to the instance's own audit log.
    """
    from app.auth.passwords import password_problems

    email = normalize_email(email)
    existing = db.session.scalar(db.select(User).where(User.email == email))
    if existing is not None and existing.membership_in(organization.id) is not None:
        # Already listed on this organization's users page: saying so reveals nothing new.
        raise DomainError(f"{email} is already a member of this organization. Find them in the list of users.")
    problems = password_problems(password, email=email, name=name, organization_words=words_of([organization]))
    if problems:
        raise DomainError(" ".join(problems))
    password_hash = hash_password(password)
    if existing is None:
        user = User(email=email, name=name.strip(), password_hash=password_hash)
        db.session.add(user)
    else:
        user = existing
    user.memberships.append(Membership(organization=organization, role=role.value))
    db.session.flush()
    record(
        "user.create",
        organization_id=organization.id,
        object_type="user",
        object_id=user.id,
        summary=f"Added {email} as {role.value}",
        changes={"email": email, "role": role.value},
        actor_id=actor.id,
    )
    if existing is not None:
        _record_existing_account_added(user, organization, role, actor)
        _tell_existing_account(user, organization, role)


def _record_existing_account_added(user: User, organization: Organization, role: Role, actor: User) -> None:
    record(
        "user.membership_add_existing",
        organization_id=None,
        object_type="user",
        object_id=user.id,
        summary=f"{actor.email} added the existing account {user.email} to {organization.slug} as {role.value}; "
        "its name and password were left unchanged and the person was told by e-mail",
        changes={"organization": organization.slug, "role": role.value},
        actor_id=actor.id,
    )


def _tell_existing_account(user: User, organization: Organization, role: Role) -> None:
    body = (
        f"Hello {user.name},\n\nAn administrator of {organization.name} added you to that organization in "
        f"Planwright as {role.value}. Sign in as usual, with your own password, and choose {organization.name} "
        "in the organization menu.\n\nIf you do not expect this, tell your Planwright administrator.\n"
    )
    try:
        send_mail(
            user.email,
            f"You were added to {organization.name} in Planwright",
            body,
            organization_id=organization.id,
        )
    except MailError as exc:  # the admin's answer must not depend on this (it would tell them an account exists)
        current_app.logger.warning("Membership notice to %s not sent: %s", user.email, exc)


def remove_member(user: User, organization: Organization, *, actor: User) -> None:
    """Remove the person from this organization only; their account and other memberships stay. Their work and
    the audit trail stay too; their API tokens for this organization are revoked."""
    membership = user.membership_in(organization.id)
    if membership is None:
        raise DomainError("This person is not a member of this organization.")
    refuse_self_or_last_admin(user, membership, actor, "remove yourself")
    role = membership.role
    user.memberships.remove(membership)
    db.session.flush()
    end_access_to(user, organization, actor)
    record(
        "user.remove",
        organization_id=organization.id,
        object_type="user",
        object_id=user.id,
        summary=f"Removed {user.email} from {organization.name}",
        changes={"role": {"before": role, "after": None}},
        actor_id=actor.id,
    )


def account_is_only_here(user: User, organization: Organization) -> bool:
    """Whether every membership of the person is in this organization (so account-wide changes stay inside it)."""
    return all(m.organization_id == organization.id for m in user.memberships)


def reset_member_mfa(user: User, organization: Organization, *, actor: User) -> None:
    """An admin removes a member's authenticator (lost phone), only when the person belongs to no other
    organization: the authenticator protects the whole account, in every organization."""
    from app.auth import mfa

    if not account_is_only_here(user, organization):
        record(
            "auth.mfa_reset_refused",
            organization_id=organization.id,
            object_type="user",
            object_id=user.id,
            summary=f"{actor.email} was refused a reset of {user.email}'s second factor: the account is shared",
            actor_id=actor.id,
        )
        raise SharedAccount(SHARED_MFA_MESSAGE)
    mfa.reset_mfa(user, organization, actor=actor)


SHARED_MFA_MESSAGE = (
    "This person's authenticator also protects their sign-in to another organization, so it can only be reset "
    "by the Planwright instance operator (command: flask users reset-mfa EMAIL). Ask the operator, who will "
    "check the person's identity first."
)


# --- the instance operator (CLI) -------------------------------------------------------------------------------


def operator_reset_mfa(user: User) -> bool:
    """The instance operator removes a person's authenticator; False when there was none. Audited, sessions end."""
    from app.auth import mfa

    if not mfa.has_mfa(user):
        return False
    mfa._remove_mfa(user)
    end_all_sessions(user)
    record(
        "auth.mfa_reset",
        organization_id=None,
        object_type="user",
        object_id=user.id,
        summary=f"The instance operator reset the second factor of {user.email}; their sessions were ended",
        actor_id=None,
    )
    return True


def operator_set_account_active(user: User, active: bool) -> bool:
    """The instance operator switches a whole account on or off (every organization); False when unchanged."""
    if user.active == active:
        return False
    user.active = active
    if not active:
        end_all_sessions(user)
    db.session.flush()
    record(
        "user.account_activate" if active else "user.account_deactivate",
        organization_id=None,
        object_type="user",
        object_id=user.id,
        summary=f"The instance operator {'reactivated' if active else 'deactivated'} the account {user.email}",
        changes={"active": {"before": not active, "after": active}},
        actor_id=None,
    )
    return True
