"""Personal API tokens: a user's key to the JSON API, for one organization, stored only as a SHA-256 hash."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import Organization, User
from app.core.db import utcnow
from app.extensions import Model


class TokenScope(enum.StrEnum):
    READ = "read"
    READ_WRITE = "read-write"

    @property
    def label(self) -> str:
        return {"read": "Read only", "read-write": "Read and write"}[self.value]


class ApiToken(Model):
    """A personal API token. The plaintext is shown once at creation; only its SHA-256 is kept.

    The token acts as its user with the user's current role in ``organization`` (checked on every request),
    and never beyond ``scope``, ``expires_at`` or a revocation.
    """

    __tablename__ = "api_token"
    __table_args__ = (
        CheckConstraint("scope IN ('read', 'read-write')", name="scope_valid"),
        Index("ix_api_token_user_org", "user_id", "organization_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    scope: Mapped[str] = mapped_column(String(10), default=TokenScope.READ.value)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hint: Mapped[str] = mapped_column(String(16))  # the first characters, so the owner can tell tokens apart
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    organization: Mapped[Organization] = relationship()

    @property
    def scope_enum(self) -> TokenScope:
        return TokenScope(self.scope)

    @property
    def can_write(self) -> bool:
        return self.scope == TokenScope.READ_WRITE.value

    def is_expired(self, now: datetime | None = None) -> bool:
        return (now or utcnow()) >= self.expires_at

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def is_usable(self, now: datetime | None = None) -> bool:
        return not self.is_revoked and not self.is_expired(now)
