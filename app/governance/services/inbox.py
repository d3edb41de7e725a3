"""Governance services: the in-app inbox and e-mail notices.

Other governance services call the four ``notify_*`` functions when something happens; each writes one
Notification per recipient in the caller's transaction (so a rolled-back action leaves no notice). When
``MAIL_SERVER`` is configured, each notice also gets an e-mail in the outbox, in the same transaction
(``app.notifications``): the mail worker sends it after the commit, retries failures, and a sent notice gets
``emailed_at``. No request ever waits for the SMTP server. Without ``MAIL_SERVER`` the inbox is in-app only.

A notice's link is a path inside the app (``/decisions/12``); its e-mail carries the absolute address built from
PUBLIC_BASE_URL, and no secrets.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import current_app
from sqlalchemy import func, select, update
from werkzeug.routing import BuildError

from app.auth.models import User
from app.core.db import utcnow
from app.core.errors import PermissionDenied
from app.core.mail import mail_configured, public_url
from app.extensions import db
from app.governance.models import Decision, Notification, Review, SectionComment
from app.notifications.services import queue_mail


class Kind:
    REVIEW_SUBMITTED = "review_submitted"
    SCORE_DUE = "score_due"
    DECISION_RECORDED = "decision_recorded"
    SECTION_COMMENT = "section_comment"


KIND_LABELS = {
    Kind.REVIEW_SUBMITTED: "Submitted to your board",
    Kind.SCORE_DUE: "Your score is due",
    Kind.DECISION_RECORDED: "Decision recorded",
    Kind.SECTION_COMMENT: "Comment on your section",
}


def app_path(endpoint: str, fallback: str = "/inbox", **values: object) -> str:
    """The path of an endpoint (no host, usable without a request); ``fallback`` if it does not exist (yet)."""
    try:
        return current_app.url_map.bind("localhost").build(endpoint, values)
    except BuildError:
        return fallback


def _notify(
    users: Iterable[User | None], *, organization_id: int, kind: str, subject: str, body: str, link: str
) -> list[Notification]:
    seen: dict[int, User] = {}
    notices = []
    for user in users:
        if user is None or user.id in seen or not user.is_member_of(organization_id):
            continue
        seen[user.id] = user
        notice = Notification(
            organization_id=organization_id,
            user_id=user.id,
            kind=kind,
            subject=subject[:300],
            body=body,
            link=link if link.startswith("/") and not link.startswith("//") else "",
            created_at=utcnow(),
        )
        db.session.add(notice)
        notices.append(notice)
    if notices:
        db.session.flush()
        _queue_emails(notices, seen)
    return notices


def _queue_emails(notices: list[Notification], users: dict[int, User]) -> None:
    """One outbox e-mail per notice, in this transaction, when SMTP is configured."""
    if not mail_configured():
        return
    for notice in notices:
        recipient = users[notice.user_id]
        if not recipient.email:
            continue
        queue_mail(
            recipient.email,
            f"[Planwright] {notice.subject}",
            _message_body(notice),
            organization_id=notice.organization_id,
            user_id=recipient.id,
            notification_id=notice.id,
        )


def _review_link(review: Review) -> str:
    return app_path("governance.show_review", review_id=review.id)


def notify_review_submitted(review: Review) -> None:
    """Tell the board's members that an item was submitted to their board."""
    _notify(
        (member.user for member in review.board.members),
        organization_id=review.organization_id,
        kind=Kind.REVIEW_SUBMITTED,
        subject=f"{review.subject_title} was submitted to {review.board.name}",
        body=f"Submitted by {review.submitted_by.name}. Read the business case and score it against the rubric.",
        link=_review_link(review),
    )


def notify_score_due(review: Review, members: Iterable[User]) -> None:
    """Tell members who have not scored that their score is due (e.g. the item is on an agenda)."""
    _notify(
        members,
        organization_id=review.organization_id,
        kind=Kind.SCORE_DUE,
        subject=f"Your score is due: {review.subject_title}",
        body=f"{review.board.name} needs your scores before it can decide. Score it, or recuse yourself with a reason.",
        link=_review_link(review),
    )


def notify_decision_recorded(decision: Decision) -> None:
    """Tell the submitter (and the initiative's creator) that a decision was recorded."""
    review = decision.review
    recipients: list[User | None] = [review.submitted_by]
    if review.initiative is not None and review.initiative.created_by_id is not None:
        recipients.append(db.session.get(User, review.initiative.created_by_id))
    if review.plan_version is not None:
        recipients.append(review.plan_version.plan.owner)
    body = decision.rationale if len(decision.rationale) <= 500 else decision.rationale[:497] + "…"
    _notify(
        recipients,
        organization_id=decision.organization_id,
        kind=Kind.DECISION_RECORDED,
        subject=f"{decision.board.name}: {decision.outcome_enum.label.lower()} — {review.subject_title}",
        body=body,
        link=app_path("governance.show_decision", decision_id=decision.id),
    )


def notify_section_comment(comment: SectionComment) -> None:
    """Tell the plan's owner and the section's last editor about a reviewer's comment."""
    version_section = comment.version_section
    plan = version_section.version.plan
    recipients: list[User | None] = [plan.owner]
    if version_section.section_id is not None:
        from app.plans.models import PlanSection

        section = db.session.get(PlanSection, version_section.section_id)
        if section is not None and section.updated_by_id is not None:
            recipients.append(db.session.get(User, section.updated_by_id))
    author_id = comment.author_id
    _notify(
        [user for user in recipients if user is None or user.id != author_id],
        organization_id=comment.organization_id,
        kind=Kind.SECTION_COMMENT,
        subject=f"Comment on “{version_section.title}” in {version_section.version.title}",
        body=comment.body if len(comment.body) <= 500 else comment.body[:497] + "…",
        link=app_path("governance.show_plan_version", "/inbox", version_id=version_section.version_id),
    )


# --- reading the inbox ---------------------------------------------------------------------------------


def inbox_query(user: User, organization_id: int):  # type: ignore[no-untyped-def]
    return (
        select(Notification)
        .where(Notification.user_id == user.id, Notification.organization_id == organization_id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    )


def unread_count(user: User, organization_id: int) -> int:
    return (
        db.session.scalar(
            select(func.count(Notification.id)).where(
                Notification.user_id == user.id,
                Notification.organization_id == organization_id,
                Notification.read_at.is_(None),
            )
        )
        or 0
    )


def mark_read(notification: Notification, *, user: User) -> bool:
    """Mark one notice read; False if it already was. Only its recipient may."""
    if notification.user_id != user.id:
        raise PermissionDenied("This notice is someone else's.")
    if notification.read_at is not None:
        return False
    notification.read_at = utcnow()
    db.session.flush()
    return True


def mark_all_read(user: User, organization_id: int) -> int:
    """Mark every unread notice of the user in the organization read; returns how many."""
    result = db.session.execute(
        update(Notification)
        .where(
            Notification.user_id == user.id,
            Notification.organization_id == organization_id,
            Notification.read_at.is_(None),
        )
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.flush()
    return int(getattr(result, "rowcount", 0) or 0)


# --- e-mail ------------------------------------------------------------------------------------------------


def _message_body(notice: Notification) -> str:
    lines = [f"{KIND_LABELS.get(notice.kind, 'Notice')}: {notice.subject}", ""]
    if notice.body:
        lines += [notice.body, ""]
    lines.append(f"Open it in Planwright: {public_url(notice.link or '/inbox')}")
    lines += ["", "You receive this because of your part in a Planwright governance board or plan."]
    return "\n".join(lines)
