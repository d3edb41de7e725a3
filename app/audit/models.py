"""The append-only, hash-chained audit trail."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.core.db import utcnow
from app.extensions import Model

SYSTEM_CHAIN = "system"


def chain_key_for(organization_id: int | None) -> str:
    return f"org:{organization_id}" if organization_id is not None else SYSTEM_CHAIN


class AuditEvent(Model):
    """One change or security event. Rows are never updated or deleted (database triggers refuse)."""

    __tablename__ = "audit_event"
    __table_args__ = (
        UniqueConstraint("chain_key", "seq"),
        Index("ix_audit_event_org_created", "organization_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    chain_key: Mapped[str] = mapped_column(String(40))
    seq: Mapped[int]
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id", ondelete="RESTRICT"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"))
    action: Mapped[str] = mapped_column(String(60), index=True)
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[int | None]
    summary: Mapped[str] = mapped_column(String(300))
    changes: Mapped[str] = mapped_column(Text, default="{}")  # canonical JSON
    ip_address: Mapped[str | None] = mapped_column(String(45))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    prev_hash: Mapped[str] = mapped_column(String(64))
    row_hash: Mapped[str] = mapped_column(String(64))

    actor: Mapped[User | None] = relationship()


class AuditChainHead(Model):
    """The newest event of one chain; locking this row serialises writers of the chain."""

    __tablename__ = "audit_chain_head"

    chain_key: Mapped[str] = mapped_column(String(40), primary_key=True)
    seq: Mapped[int]
    last_hash: Mapped[str] = mapped_column(String(64))
