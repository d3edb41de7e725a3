"""Organizations, users, memberships and the server-side session records."""

from __future__ import annotations

import enum
from datetime import datetime

from flask import g, has_app_context
from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint, true
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import TimestampMixin, utcnow
from app.extensions import Model, db


class Role(enum.StrEnum):
    ADMIN = "admin"
    EDITOR = "editor"
    REVIEWER = "reviewer"
    VIEWER = "viewer"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.ADMIN: "Administrator — users, roles, settings and the audit log",
    Role.EDITOR: "Editor — drafts plans, sections, objectives and initiatives",
    Role.REVIEWER: "Reviewer — reads everything; scores and comments as a board member",
    Role.VIEWER: "Viewer — reads plans and downloads them",
}
ROLE_VALUES = tuple(r.value for r in Role)


class Organization(TimestampMixin, Model):
    __tablename__ = "organization"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id", ondelete="RESTRICT"))
    classification_label: Mapped[str] = mapped_column(String(40), default="OFFICIAL")
    fiscal_year_start_month: Mapped[int] = mapped_column(default=7, server_default="7")  # July

    parent: Mapped[Organization | None] = relationship(remote_side=[id])

    def __repr__(self) -> str:
        return f"<Organization {self.slug}>"


SCOPE_KEY = "organization_scope"  # in flask.g: (user id, organization id) of a session limited to one organization


def _in_scope(user_id: int, organization_id: int | None) -> bool:
    """False when this request's session, signed in through one organization's single sign-on, is limited to
    another organization (app/auth/security_views/single_sign_on.py): that provider vouched only for its own."""
    scope = g.get(SCOPE_KEY) if has_app_context() else None
    return scope is None or scope[0] != user_id or scope[1] == organization_id


class User(UserMixin, TimestampMixin, Model):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    password_changed_at: Mapped[datetime] = mapped_column(default=utcnow)

    memberships: Mapped[list[Membership]] = relationship(back_populates="user", cascade="all, delete-orphan")

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    @property
    def active_memberships(self) -> list[Membership]:
        """The memberships that give access: an office admin can deactivate one without touching the others."""
        return [m for m in self.memberships if m.active and _in_scope(self.id, m.organization_id)]

    def membership_in(self, organization_id: int | None) -> Membership | None:
        """The membership in one organization, active or not (for that organization's admin pages)."""
        return next((m for m in self.memberships if m.organization_id == organization_id), None)

    def role_in(self, organization_id: int | None) -> Role | None:
        """The role in an organization; None when not a member there or when that membership is deactivated.

        Every "may this user act in this organization" check goes through here, so a deactivated membership
        gives no access in that organization, in the browser or through an API token."""
        membership = self.membership_in(organization_id)
        if membership is None or not membership.active or not _in_scope(self.id, organization_id):
            return None
        return Role(membership.role)

    def is_member_of(self, organization_id: int | None) -> bool:
        return self.role_in(organization_id) is not None

    def is_admin_of(self, organization_id: int | None) -> bool:
        return self.role_in(organization_id) is Role.ADMIN

    def can_edit_in(self, organization_id: int | None) -> bool:
        return self.role_in(organization_id) in (Role.ADMIN, Role.EDITOR)

    @property
    def organization_ids(self) -> list[int]:
        return [m.organization_id for m in self.active_memberships]

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class Membership(TimestampMixin, Model):
    __tablename__ = "membership"
    __table_args__ = (
        UniqueConstraint("user_id", "organization_id"),
        CheckConstraint("role IN ('admin', 'editor', 'reviewer', 'viewer')", name="role_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    # Deactivated by this organization's admin: no access here, while the person's other memberships (and the
    # account, User.active, which only the instance operator switches off) stay as they are.
    active: Mapped[bool] = mapped_column(default=True, server_default=true())

    user: Mapped[User] = relationship(back_populates="memberships")
    organization: Mapped[Organization] = relationship()


class UserSession(Model):
    """One signed-in browser. The cookie holds a random token; only its SHA-256 is stored."""

    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    ip_address: Mapped[str | None] = mapped_column(String(45))
    # When the user last proved who they are in this session (sign-in or re-authentication); sensitive
    # actions ask again when this is older than REAUTH_MINUTES.
    authenticated_at: Mapped[datetime] = mapped_column(default=utcnow)
    # For a single sign-on session: where sign-out sends the browser to end the provider's session too
    # (its end_session_endpoint with id_token_hint and post_logout_redirect_uri).
    sso_logout_url: Mapped[str | None] = mapped_column(db.Text)

    user: Mapped[User] = relationship()


class LoginAttempt(Model):
    """Failed and successful sign-ins, counted for throttling in shared storage."""

    __tablename__ = "login_attempt"
    __table_args__ = (
        Index("ix_login_attempt_email_created", "email", "created_at"),
        Index("ix_login_attempt_ip_created", "ip_address", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    ip_address: Mapped[str] = mapped_column(String(45))
    succeeded: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # What was tried: a password, a second-factor code, or a password-reset request. Failures of the first
    # two count together towards the per-account and per-address limits.
    kind: Mapped[str] = mapped_column(String(10), default="password", server_default="password")


class FormDraft(Model):
    """Text a user submitted while signed out, handed back after they sign in again."""

    __tablename__ = "form_draft"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    path: Mapped[str] = mapped_column(String(500))
    data: Mapped[str] = mapped_column(db.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class MfaPolicy(enum.StrEnum):
    OFF = "off"
    ADMINS_AND_BOARD = "admins_and_board"
    EVERYONE = "everyone"

    @property
    def label(self) -> str:
        return {
            MfaPolicy.OFF: "Optional — anyone may set up a second factor",
            MfaPolicy.ADMINS_AND_BOARD: "Required for administrators and governance board members",
            MfaPolicy.EVERYONE: "Required for everyone",
        }[self]


class OrganizationSignIn(TimestampMixin, Model):
    """An organization's sign-in rules: MFA policy and its OpenID Connect single sign-on.

    The office admin types the client secret; only its encryption is stored (``client_secret_encrypted``, see
    app/auth/sso/client_secret.py) and it is never shown again. The e-mail domains this sign-on accepts are the
    organization's domain claims (SsoDomainClaim), made by the instance operator, not by the office admin; so is
    ``mfa_trusted`` (the provider's own second factor is accepted instead of the account's).
    """

    __tablename__ = "organization_sign_in"
    __table_args__ = (
        CheckConstraint("mfa_policy IN ('off', 'admins_and_board', 'everyone')", name="mfa_policy_valid"),
    )

    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="CASCADE"), primary_key=True)
    mfa_policy: Mapped[str] = mapped_column(String(20), default=MfaPolicy.OFF.value)
    sso_enabled: Mapped[bool] = mapped_column(default=False)
    sso_required: Mapped[bool] = mapped_column(default=False)
    issuer_url: Mapped[str] = mapped_column(String(500), default="")
    client_id: Mapped[str] = mapped_column(String(255), default="")
    client_secret_encrypted: Mapped[str] = mapped_column(String(1000), default="", server_default="")
    mfa_trusted: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    group_claim: Mapped[str] = mapped_column(String(100), default="groups")
    break_glass_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    group_roles: Mapped[list[SsoGroupRole]] = relationship(
        cascade="all, delete-orphan", order_by="SsoGroupRole.group_name"
    )


class SsoGroupRole(Model):
    """A group of the identity provider whose members get a Planwright role in the organization."""

    __tablename__ = "sso_group_role"
    __table_args__ = (
        UniqueConstraint("organization_id", "group_name"),
        CheckConstraint("role IN ('admin', 'editor', 'reviewer', 'viewer')", name="role_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organization_sign_in.organization_id", ondelete="CASCADE"), index=True
    )
    group_name: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))


class SsoDomainClaim(Model):
    """An e-mail domain whose people sign in through one organization's provider. Each domain belongs to at most
    one organization, and only the instance operator claims or releases it (``flask orgs claim-domain``)."""

    __tablename__ = "sso_domain_claim"

    id: Mapped[int] = mapped_column(primary_key=True)
    domain: Mapped[str] = mapped_column(String(253), unique=True)  # lower case, exact (no sub-domains)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="CASCADE"), index=True)
    claimed_at: Mapped[datetime] = mapped_column(default=utcnow)


class SsoIdentity(Model):
    """The provider's account (issuer + subject) a user signed in with; found by subject, not e-mail, later.

    Bound to the organization whose sign-on created it: looked up only within that organization, so that an
    identity asserted by one office's provider never resolves to a person through another office.
    """

    __tablename__ = "sso_identity"
    __table_args__ = (UniqueConstraint("organization_id", "issuer", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="CASCADE"), index=True)
    issuer: Mapped[str] = mapped_column(String(500))
    subject: Mapped[str] = mapped_column(String(255))
    last_sign_in_at: Mapped[datetime] = mapped_column(default=utcnow)


class SsoLoginState(Model):
    """One sign-in sent to the provider: state, nonce and PKCE verifier, single-use and bound to the browser.

    Only hashes of the state and of the browser binding are stored; the row is marked used on the first
    callback that names it, whatever happens next, so a replayed callback is refused.
    """

    __tablename__ = "sso_login_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    state_hash: Mapped[str] = mapped_column(String(64), unique=True)
    browser_hash: Mapped[str] = mapped_column(String(64))
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="CASCADE"), index=True)
    nonce: Mapped[str] = mapped_column(String(100))
    code_verifier: Mapped[str] = mapped_column(String(128))
    next_path: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    used_at: Mapped[datetime | None] = mapped_column()


class UserMfa(TimestampMixin, Model):
    """A user's TOTP authenticator: the secret encrypted (AES-GCM, key derived from SECRET_KEY) and the last
    time step accepted, so that no code is accepted twice."""

    __tablename__ = "user_mfa"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    secret_encrypted: Mapped[str] = mapped_column(String(255))
    last_used_step: Mapped[int] = mapped_column(default=0)
    enabled_at: Mapped[datetime] = mapped_column(default=utcnow)


class MfaRecoveryCode(Model):
    """A single-use recovery code, stored as SHA-256 of an 80-bit random code (never the code)."""

    __tablename__ = "mfa_recovery_code"
    __table_args__ = (UniqueConstraint("user_id", "code_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PasswordResetToken(Model):
    """A password-reset link: only the SHA-256 of its 256-bit token is stored; single-use and short-lived."""

    __tablename__ = "password_reset_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    used_at: Mapped[datetime | None] = mapped_column()
