"""Accounts, memberships and sign-in. Services flush and audit; callers commit."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import func

from app.audit.services import record
from app.auth.models import FormDraft, LoginAttempt, Membership, Organization, Role, User
from app.auth.passwords import DUMMY_HASH, hash_password, password_problems, verify_password
from app.auth.sessions import end_all_sessions
from app.core.db import utcnow
from app.core.errors import DomainError
from app.extensions import db


class InvalidCredentials(DomainError):
    def __init__(self) -> None:
        super().__init__("That email and password do not match an active account. Check both and try again.")


@dataclass
class LoginThrottled(DomainError):
    retry_after_seconds: int

    def __str__(self) -> str:
        minutes = max(1, -(-self.retry_after_seconds // 60))
        return (
            "Too many failed sign-in attempts for this account or network. "
            f"Wait {minutes} minute{'s' if minutes != 1 else ''} and try again, or ask your administrator."
        )


def normalize_email(email: str) -> str:
    return email.strip().lower()


class PasswordSignInDisabled(DomainError):
    def __init__(self) -> None:
        super().__init__(
            "Your organization signs in through its own identity provider. Use “Sign in with your organization's "
            "account” below with your work email address."
        )


def _failures_since(column, value: str, since):  # type: ignore[no-untyped-def]
    """Failed passwords and second-factor codes together (password-reset requests are counted apart)."""
    return db.session.execute(
        db.select(func.count(), func.min(LoginAttempt.created_at)).where(
            column == value,
            LoginAttempt.succeeded.is_(False),
            LoginAttempt.kind.in_(("password", "mfa")),
            LoginAttempt.created_at >= since,
        )
    ).one()


def check_throttle(email: str, ip_address: str) -> None:
    """Refuse while an account or a client address has too many recent failures; audit the refusal."""
    config = current_app.config
    window = timedelta(minutes=config["LOGIN_THROTTLE_WINDOW_MINUTES"])
    now = utcnow()
    for column, value, limit, what in (
        (LoginAttempt.email, email, config["LOGIN_MAX_FAILURES_PER_ACCOUNT"], "account"),
        (LoginAttempt.ip_address, ip_address, config["LOGIN_MAX_FAILURES_PER_IP"], "address"),
    ):
        count, oldest = _failures_since(column, value, now - window)
        if count >= limit:
            record(
                "auth.login_throttled",
                organization_id=None,
                object_type="security",
                object_id=None,
                summary=f"Sign-in refused: {count} recent failures for {what} {value[:200]}",
                actor_id=None,
            )
            retry = math.ceil((oldest + window - now).total_seconds())
            raise LoginThrottled(retry_after_seconds=max(retry, 1))


def authenticate(email: str, password: str, ip_address: str) -> User:
    """Check credentials with throttling. Records the attempt; the caller commits either way.

    Succeeding here is only the first step when the user has a second factor: the view records ``auth.login``
    (``record_sign_in``) once the session really starts. A user whose organization requires single sign-on is
    refused (PasswordSignInDisabled) unless they are its break-glass administrator.
    """
    email = normalize_email(email)
    check_throttle(email, ip_address)
    user = db.session.scalar(db.select(User).where(User.email == email))
    ok, new_hash = verify_password(user.password_hash if user else DUMMY_HASH, password)
    # Deactivated in (or removed from) every organization counts as deactivated: User.active is the instance
    # operator's account-wide switch; an office admin switches off or removes the membership in their office only.
    succeeded = bool(user and ok and user.active and user.active_memberships)
    db.session.add(LoginAttempt(email=email, ip_address=ip_address, succeeded=succeeded))
    if not succeeded or user is None:
        record(
            "auth.login_failed",
            organization_id=None,
            object_type="user",
            object_id=user.id if user else None,
            summary=f"Failed sign-in for {email[:200]}",
            actor_id=None,
        )
        raise InvalidCredentials()
    from app.auth.sso import password_sign_in_blocked

    if password_sign_in_blocked(user):
        record(
            "auth.login_refused_sso_required",
            organization_id=None,
            object_type="user",
            object_id=user.id,
            summary=f"Password sign-in refused for {user.email}: the organization requires single sign-on",
            actor_id=None,
        )
        raise PasswordSignInDisabled()
    if new_hash:
        user.password_hash = new_hash
    return user


def record_sign_in(user: User, method: str) -> None:
    """The session starts: one ``auth.login`` event saying how the user proved who they are."""
    record(
        "auth.login",
        organization_id=None,
        object_type="user",
        object_id=user.id,
        summary=f"{user.email} signed in ({method})",
        actor_id=user.id,
    )


def create_user(
    *, email: str, name: str, password: str, organization: Organization, role: Role, actor: User | None = None
) -> User:
    email = normalize_email(email)
    if db.session.scalar(db.select(User.id).where(User.email == email)) is not None:
        raise DomainError(f"An account for {email} already exists. Add it to this organization by editing it instead.")
    problems = password_problems(password, email=email, name=name, organization_words=words_of([organization]))
    if problems:
        raise DomainError(" ".join(problems))
    user = User(email=email, name=name.strip(), password_hash=hash_password(password))
    user.memberships.append(Membership(organization=organization, role=role.value))
    db.session.add(user)
    db.session.flush()
    record(
        "user.create",
        organization_id=organization.id,
        object_type="user",
        object_id=user.id,
        summary=f"Created {email} as {role.value}",
        changes={"email": email, "role": role.value},
        actor_id=actor.id if actor else None,
    )
    return user


def set_role(user: User, organization: Organization, role: Role, *, actor: User) -> None:
    """Change the person's role in this organization only; their roles elsewhere stay."""
    membership = user.membership_in(organization.id)
    if membership is None:
        raise DomainError("This person is not a member of this organization.")
    before = membership.role
    if before == role.value:
        return
    if before == Role.ADMIN and membership.active and admin_count(organization) <= 1:
        raise DomainError("This is the organization's last administrator. Make someone else an administrator first.")
    membership.role = role.value
    db.session.flush()
    record(
        "user.role_change",
        organization_id=organization.id,
        object_type="user",
        object_id=user.id,
        summary=f"Changed {user.email} from {before} to {role.value}",
        changes={"role": {"before": before, "after": role.value}},
        actor_id=actor.id,
    )


def set_active(user: User, organization: Organization, active: bool, *, actor: User) -> None:
    """Switch the person's membership in this organization on or off; their other memberships stay as they are.

    A deactivated membership gives no access in this organization at once (pages, API tokens, organization
    switch). Someone left with no active membership anywhere is signed out everywhere and can no longer sign in.
    """
    membership = user.membership_in(organization.id)
    if membership is None:
        raise DomainError("This person is not a member of this organization.")
    if membership.active == active:
        return
    if not active:
        refuse_self_or_last_admin(user, membership, actor, "deactivate yourself")
    membership.active = active
    db.session.flush()
    if not active:
        end_access_to(user, organization, actor)
    record(
        "user.activate" if active else "user.deactivate",
        organization_id=organization.id,
        object_type="user",
        object_id=user.id,
        summary=f"{'Reactivated' if active else 'Deactivated'} {user.email} in {organization.name}",
        changes={"active": {"before": not active, "after": active}},
        actor_id=actor.id,
    )


def refuse_self_or_last_admin(user: User, membership: Membership, actor: User, what: str) -> None:
    if user.id == actor.id:
        raise DomainError(f"You cannot {what}. Ask another administrator.")
    if membership.role == Role.ADMIN and membership.active and admin_count(membership.organization) <= 1:
        raise DomainError("This is the organization's last administrator. Make someone else an administrator first.")


def end_access_to(user: User, organization: Organization, actor: User) -> None:
    """The person's access to one organization ended: revoke their API tokens for it (they must not come back to
    life on reactivation), and end every session when no active membership is left."""
    from app.api.models import ApiToken

    db.session.execute(
        db.update(ApiToken)
        .where(
            ApiToken.user_id == user.id,
            ApiToken.organization_id == organization.id,
            ApiToken.revoked_at.is_(None),
        )
        .values(revoked_at=utcnow(), revoked_by_id=actor.id)
    )
    if not user.active_memberships:
        end_all_sessions(user)
    db.session.flush()


def change_password(user: User, *, current_password: str, new_password: str) -> None:
    ok, _ = verify_password(user.password_hash, current_password)
    if not ok:
        raise DomainError("Your current password is not right. Type it again.")
    problems = new_password_problems(user, new_password)
    if problems:
        raise DomainError(" ".join(problems))
    set_new_password(user, new_password)
    record(
        "user.password_change",
        organization_id=None,
        object_type="user",
        object_id=user.id,
        summary=f"{user.email} changed their password; all their sessions were ended",
        actor_id=user.id,
    )


def set_new_password(user: User, new_password: str) -> None:
    """Store a new password hash, end every session of the user and void their outstanding reset links."""
    from app.auth.models import PasswordResetToken

    user.password_hash = hash_password(new_password)
    user.password_changed_at = utcnow()
    end_all_sessions(user)
    db.session.execute(
        db.update(PasswordResetToken)
        .where(PasswordResetToken.user_id == user.id, PasswordResetToken.used_at.is_(None))
        .values(used_at=utcnow())
    )
    db.session.flush()


def new_password_problems(user: User, new_password: str) -> list[str]:
    """The password policy for a person's new password, with their organizations' names as guessable words."""
    organizations = [m.organization for m in user.memberships]
    return password_problems(new_password, email=user.email, name=user.name, organization_words=words_of(organizations))


def words_of(organizations: list[Organization]) -> list[str]:
    return [word for organization in organizations for word in (organization.name, organization.slug)]


def admin_count(organization: Organization) -> int:
    """Administrators who can act in the organization: active account and active membership there."""
    return (
        db.session.scalar(
            db.select(func.count())
            .select_from(Membership)
            .join(User)
            .where(
                Membership.organization_id == organization.id,
                Membership.role == Role.ADMIN.value,
                Membership.active.is_(True),
                User.active.is_(True),
            )
        )
        or 0
    )


def save_form_draft(user: User, path: str, fields: dict[str, str]) -> None:
    """Keep text a signed-out user submitted, so the form can offer it back after sign-in."""
    db.session.add(FormDraft(user_id=user.id, path=path[:500], data=json.dumps(fields)))
    db.session.flush()


def latest_form_draft(user: User, path: str) -> dict[str, str] | None:
    """The newest text kept for this form, if any (kept until the form is saved)."""
    draft = db.session.scalar(
        db.select(FormDraft)
        .where(FormDraft.user_id == user.id, FormDraft.path == path)
        .order_by(FormDraft.id.desc())
        .limit(1)
    )
    if draft is None:
        return None
    data = json.loads(draft.data)
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else None


def discard_form_drafts(user: User, path: str) -> None:
    db.session.execute(db.delete(FormDraft).where(FormDraft.user_id == user.id, FormDraft.path == path))
