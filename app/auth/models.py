"""Organizations, users, memberships and the server-side session records."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
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

    def role_in(self, organization_id: int | None) -> Role | None:
        for membership in self.memberships:
            if membership.organization_id == organization_id:
                return Role(membership.role)
        return None

    def is_member_of(self, organization_id: int | None) -> bool:
        return self.role_in(organization_id) is not None

    def is_admin_of(self, organization_id: int | None) -> bool:
        return self.role_in(organization_id) is Role.ADMIN

    def can_edit_in(self, organization_id: int | None) -> bool:
        return self.role_in(organization_id) in (Role.ADMIN, Role.EDITOR)

    @property
    def organization_ids(self) -> list[int]:
        return [m.organization_id for m in self.memberships]

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


class FormDraft(Model):
    """Text a user submitted while signed out, handed back after they sign in again."""

    __tablename__ = "form_draft"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    path: Mapped[str] = mapped_column(String(500))
    data: Mapped[str] = mapped_column(db.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
