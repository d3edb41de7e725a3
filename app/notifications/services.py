"""Queueing, delivering and retrying outgoing e-mail.

``queue_mail`` writes an outbox row in the caller's transaction (it flushes, never commits): a rolled-back
action sends nothing, and a committed one cannot lose its message. ``send_pending`` is the worker's loop body:
it claims each due row with a conditional UPDATE (so two workers never send the same row), commits the claim,
talks to SMTP outside any transaction, then records the outcome. A failure is retried after 1 min, 5 min,
30 min and 2 h; after that the row is given up and stays listed, with its error, for administrators.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import Select, and_, or_, select, update

from app.audit.services import record
from app.auth.models import Membership, Organization, User
from app.core.db import utcnow
from app.core.errors import DomainError
from app.core.mail import MailError, log_unsent, mail_configured, smtp_send
from app.extensions import db
from app.notifications.models import MailStatus, OutboxMail

RETRY_DELAYS = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2))
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
QUEUED = "planwright_mail_queued"  # session.info flag: this transaction added outbox rows (wake a worker on commit)
EXPIRED = "Not sent: what it carried (a time-limited link) expired before it could be delivered."


def queue_mail(
    to: str,
    subject: str,
    body: str,
    *,
    organization_id: int | None = None,
    user_id: int | None = None,
    notification_id: int | None = None,
    expires_at: datetime | None = None,
) -> OutboxMail | None:
    """Put one plain-text message in the outbox, in the current transaction; it leaves after the commit.

    Links in ``body`` must be absolute (``app.core.mail.public_url``). Without MAIL_SERVER nothing is queued:
    development writes the message to the log at once, production logs that nothing was sent.
    """
    if not mail_configured():
        log_unsent(to, subject, body)
        return None
    row = OutboxMail(
        organization_id=organization_id,
        user_id=user_id,
        notification_id=notification_id,
        recipient=to[:254],
        subject=subject[:300],
        body=body,
        status=MailStatus.PENDING,
        attempts=0,
        last_error="",
        created_at=utcnow(),
        next_attempt_at=utcnow(),
        expires_at=expires_at,
    )
    db.session.add(row)
    db.session.flush()
    db.session.info[QUEUED] = True
    return row


# --- delivery (the worker) ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DrainResult:
    sent: int = 0
    failed: int = 0  # attempts that failed (retried later or given up)


def send_pending(*, limit: int = 200) -> DrainResult:
    """Deliver every message that is due now; commits after each one. Never raises for a delivery failure."""
    now = utcnow()
    due = db.session.scalars(
        select(OutboxMail.id)
        .where(OutboxMail.status == MailStatus.PENDING, OutboxMail.next_attempt_at <= now)
        .order_by(OutboxMail.next_attempt_at, OutboxMail.id)
        .limit(limit)
    ).all()
    db.session.commit()
    sent = failed = 0
    for mail_id in due:
        outcome = _deliver(mail_id)
        sent += outcome is True
        failed += outcome is False
    return DrainResult(sent, failed)


def _lease() -> timedelta:
    """How long a claimed row is left alone: a worker that dies mid-send frees it when this runs out."""
    return timedelta(seconds=3 * int(current_app.config.get("MAIL_TIMEOUT_SECONDS") or 10) + 60)


def _claim(mail_id: int) -> OutboxMail | None:
    now = utcnow()
    result = db.session.execute(
        update(OutboxMail)
        .where(OutboxMail.id == mail_id, OutboxMail.status == MailStatus.PENDING, OutboxMail.next_attempt_at <= now)
        .values(next_attempt_at=now + _lease(), attempts=OutboxMail.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    if getattr(result, "rowcount", 0) != 1:
        return None
    return db.session.get(OutboxMail, mail_id)


def _deliver(mail_id: int) -> bool | None:
    """One attempt: True sent, False failed (recorded), None when another worker had it or it expired."""
    row = _claim(mail_id)
    if row is None:
        return None
    if row.expires_at is not None and row.expires_at <= utcnow():
        row.status, row.body, row.last_error = MailStatus.FAILED, "", EXPIRED
        db.session.commit()
        return None
    try:
        smtp_send(row.recipient, row.subject, row.body)
    except MailError as exc:
        _record_failure(row, str(exc))
        db.session.commit()
        current_app.logger.warning("e-mail %s (attempt %s) not sent: %s", row.id, row.attempts, exc)
        return False
    _record_sent(row)
    db.session.commit()
    return True


def _record_failure(row: OutboxMail, error: str) -> None:
    row.last_error = error[:500]
    if row.attempts >= MAX_ATTEMPTS:
        row.status = MailStatus.FAILED
        if row.expires_at is not None:
            row.body = ""  # a time-limited link is not kept once it will not be sent
        return
    row.next_attempt_at = utcnow() + RETRY_DELAYS[row.attempts - 1]


def _record_sent(row: OutboxMail) -> None:
    from app.governance.models import Notification

    now = utcnow()
    row.status, row.sent_at, row.body, row.last_error = MailStatus.SENT, now, "", ""
    if row.notification_id is not None:
        db.session.execute(
            update(Notification)
            .where(Notification.id == row.notification_id)
            .values(emailed_at=now)
            .execution_options(synchronize_session=False)
        )


def next_attempt_due() -> datetime | None:
    """When the earliest waiting message is due (for scheduling the next RQ run)."""
    return db.session.scalar(
        select(OutboxMail.next_attempt_at)
        .where(OutboxMail.status == MailStatus.PENDING)
        .order_by(OutboxMail.next_attempt_at)
        .limit(1)
    )


# --- what administrators see and do -------------------------------------------------------------------------


def undelivered_query(organization: Organization) -> Select[OutboxMail]:
    """Messages of the organization still waiting or given up: its notices, and account messages of its members."""
    members = select(Membership.user_id).where(Membership.organization_id == organization.id)
    return (
        select(OutboxMail)
        .where(
            OutboxMail.status != MailStatus.SENT,
            or_(
                OutboxMail.organization_id == organization.id,
                and_(OutboxMail.organization_id.is_(None), OutboxMail.user_id.in_(members)),
            ),
        )
        .order_by(OutboxMail.created_at.desc(), OutboxMail.id.desc())
    )


def find_undelivered(organization: Organization, mail_id: int) -> OutboxMail | None:
    return db.session.scalar(undelivered_query(organization).where(OutboxMail.id == mail_id))


def retry_now(row: OutboxMail, *, organization: Organization, user: User) -> None:
    """Send a waiting or given-up message at the next worker run, with a fresh set of retries; audited."""
    if row.status == MailStatus.FAILED and not row.body:
        raise DomainError("This message cannot be sent again: what it carried expired. Ask for a new one.")
    if row.expires_at is not None and row.expires_at <= utcnow():
        raise DomainError("This message cannot be sent again: what it carried expired. Ask for a new one.")
    row.status, row.attempts, row.next_attempt_at = MailStatus.PENDING, 0, utcnow()
    db.session.flush()
    db.session.info[QUEUED] = True
    record(
        "mail.retry",
        organization_id=organization.id,
        object_type=OutboxMail.__tablename__,
        object_id=row.id,
        summary=f"Asked to send again the e-mail “{row.subject[:120]}” to {row.recipient}",
        actor_id=user.id,
    )
