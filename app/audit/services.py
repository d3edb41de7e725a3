"""Writing and verifying the audit trail.

Each event is written in the caller's transaction (``flush``, never ``commit``), so a rolled-back
change leaves no event. Events form one SHA-256 chain per organization:
``row_hash = sha256(prev_hash + canonical_json(event))``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import ScalarResult
from sqlalchemy.exc import IntegrityError

from app.audit.models import AuditChainHead, AuditEvent, chain_key_for
from app.core.db import utcnow
from app.extensions import db

if TYPE_CHECKING:
    from app.auth.models import User

GENESIS_HASH = "0" * 64


def canonical_json(data: Any) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def _event_payload(event: AuditEvent) -> dict[str, Any]:
    return {
        "chain": event.chain_key,
        "seq": event.seq,
        "organization_id": event.organization_id,
        "actor_id": event.actor_id,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "summary": event.summary,
        "changes": event.changes,
        "ip_address": event.ip_address,
        "created_at": event.created_at.isoformat(timespec="microseconds"),
    }


def compute_hash(prev_hash: str, event: AuditEvent) -> str:
    return hashlib.sha256((prev_hash + canonical_json(_event_payload(event))).encode()).hexdigest()


def diff_fields(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The fields whose values differ, as {field: {"before": old, "after": new}}."""
    keys = sorted(set(before) | set(after))
    return {k: {"before": before.get(k), "after": after.get(k)} for k in keys if before.get(k) != after.get(k)}


def _lock_chain_head(chain_key: str) -> AuditChainHead:
    query = db.select(AuditChainHead).where(AuditChainHead.chain_key == chain_key).with_for_update()
    head = db.session.scalar(query)
    if head is None:
        # The chain's first event. Two first events at once (two first sign-ins of a new organization) both
        # find no head to lock: the second insert waits for the first transaction, then fails on the key, and
        # this transaction goes on after the other's event, locking the head it made.
        try:
            with db.session.begin_nested():
                db.session.add(AuditChainHead(chain_key=chain_key, seq=0, last_hash=GENESIS_HASH))
        except IntegrityError:
            pass
        head = db.session.scalars(query.execution_options(populate_existing=True)).one()
    return head


def _request_ip() -> str | None:
    return request.remote_addr if has_request_context() else None


def record(
    action: str,
    *,
    organization_id: int | None,
    object_type: str,
    object_id: int | None,
    summary: str,
    changes: Mapping[str, Any] | None = None,
    actor_id: int | None = None,
) -> AuditEvent:
    """Append one event to the organization's chain, in the current transaction."""
    if actor_id is None and has_request_context() and current_user.is_authenticated:
        actor_id = current_user.id
    chain_key = chain_key_for(organization_id)
    head = _lock_chain_head(chain_key)
    event = AuditEvent(
        chain_key=chain_key,
        seq=head.seq + 1,
        organization_id=organization_id,
        actor_id=actor_id,
        action=action,
        object_type=object_type,
        object_id=object_id,
        summary=summary[:300],
        changes=canonical_json(dict(changes or {})),
        ip_address=_request_ip(),
        created_at=utcnow(),
        prev_hash=head.last_hash,
    )
    event.row_hash = compute_hash(head.last_hash, event)
    head.seq, head.last_hash = event.seq, event.row_hash
    db.session.add(event)
    db.session.flush()
    return event


class OrganizationRow(Protocol):
    """A row that belongs to one organization: what an event is recorded on."""

    __tablename__: str

    @property
    def id(self) -> int: ...

    @property
    def organization_id(self) -> int: ...


def record_on(
    obj: OrganizationRow, action: str, *, user: User, summary: str, changes: Mapping[str, Any] | None = None
) -> AuditEvent:
    """The event most services write: ``user`` changed ``obj``, which is named by its table and id."""
    return record(
        action,
        actor_id=user.id,
        organization_id=obj.organization_id,
        object_type=obj.__tablename__,
        object_id=obj.id,
        summary=summary,
        changes=changes,
    )


def record_security_event(action: str, *, detail: str = "", organization_id: int | None = None) -> None:
    """A security event outside any business transaction (CSRF failure, lock-out): committed alone."""
    record(action, organization_id=organization_id, object_type="security", object_id=None, summary=detail or action)
    db.session.commit()


@dataclass(frozen=True)
class ChainProblem:
    chain_key: str
    event_id: int
    seq: int
    reason: str

    def __str__(self) -> str:
        return f"chain {self.chain_key}: event id {self.event_id} (seq {self.seq}) {self.reason}"


@contextmanager
def _chain_events(chain_key: str) -> Iterator[ScalarResult[AuditEvent]]:
    """The chain's events in order, streamed; closed on exit, so stopping early leaves no open cursor."""
    query = db.select(AuditEvent).where(AuditEvent.chain_key == chain_key).order_by(AuditEvent.seq)
    events = db.session.scalars(query.execution_options(yield_per=1000))
    try:
        yield events
    finally:
        events.close()


def verify_chain(chain_key: str) -> ChainProblem | None:
    """Recompute a chain; return the first event that does not match, or None when intact."""
    prev_hash, expected_seq, last = GENESIS_HASH, 1, None
    with _chain_events(chain_key) as events:
        for event in events:
            if event.seq != expected_seq:
                return ChainProblem(chain_key, event.id, event.seq, f"out of sequence: expected seq {expected_seq}")
            if event.prev_hash != prev_hash:
                return ChainProblem(chain_key, event.id, event.seq, "does not link to the event before it")
            if compute_hash(prev_hash, event) != event.row_hash:
                return ChainProblem(chain_key, event.id, event.seq, "was altered: its content does not match its hash")
            prev_hash, expected_seq, last = event.row_hash, expected_seq + 1, event
    head = db.session.get(AuditChainHead, chain_key)
    if head is not None and (head.seq != expected_seq - 1 or head.last_hash != prev_hash):
        at = last or AuditEvent(id=0, seq=0)
        reason = f"is the last event found but the chain head records seq {head.seq}: events were removed"
        return ChainProblem(chain_key, at.id, at.seq, reason)
    return None


def verify_all_chains() -> tuple[int, list[ChainProblem]]:
    """Verify every chain; return how many were checked and the first problem of each broken one."""
    keys = set(db.session.scalars(db.select(AuditChainHead.chain_key)))
    keys |= set(db.session.scalars(db.select(AuditEvent.chain_key).distinct()))
    problems = [p for key in sorted(keys) if (p := verify_chain(key)) is not None]
    return len(keys), problems
