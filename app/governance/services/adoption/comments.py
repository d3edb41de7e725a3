"""Comments on a version's sections: who may comment, quoting a passage, replies and resolving threads."""

from __future__ import annotations

import html
import re

from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from app.audit.services import record
from app.auth.models import User
from app.core.db import utcnow
from app.core.errors import DomainError, PermissionDenied
from app.core.markdown import render_markdown
from app.extensions import db
from app.governance.models import PlanVersion, PlanVersionSection, PlanVersionStatus, Review, SectionComment
from app.governance.services import inbox
from app.governance.services.adoption.board_review import board_member

MAX_COMMENT_CHARS = 10_000


def can_comment(version: PlanVersion, review: Review | None, user: User) -> bool:
    """Board members reviewing the version and the plan's editors comment; every other member reads."""
    if not user.is_member_of(version.plan.organization_id):
        return False
    return version.plan.can_edit(user) or (review is not None and board_member(review, user) is not None)


_SPACE = re.compile(r"\s+")
_TAG = re.compile(r"<[^>]+>")


def _plain(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def quote_appears_in(quote: str, body: str) -> bool:
    """Whether a passage appears in the section's text, as written (Markdown) or as read (rendered)."""
    wanted = _plain(quote)
    rendered = html.unescape(_TAG.sub(" ", str(render_markdown(body))))
    return wanted in _plain(body) or wanted in _plain(rendered)


def add_comment(
    section: PlanVersionSection,
    *,
    user: User,
    review: Review | None,
    body: str,
    quote: str = "",
    parent: SectionComment | None = None,
) -> SectionComment:
    """A comment on one section of a version, or a reply in a comment's thread."""
    version = section.version
    if not can_comment(version, review, user):
        raise PermissionDenied("Only board members reviewing this version and the plan's editors can comment.")
    if version.status != PlanVersionStatus.IN_REVIEW:
        raise DomainError(
            f"Version {version.number} is {version.status_enum.label.lower()}; comments are closed. "
            "Comment on the version now with the board."
        )
    body, quote = body.strip(), _plain(quote)
    if not body:
        raise DomainError("Write your comment.")
    if len(body) > MAX_COMMENT_CHARS:
        raise DomainError(f"A comment can hold at most {MAX_COMMENT_CHARS:,} characters.")
    if quote and not quote_appears_in(quote, section.body):
        raise DomainError(
            "The quoted passage is not in this section's text. Copy it exactly from the section, or leave it empty."
        )
    if parent is not None:
        if parent.version_section_id != section.id:
            raise DomainError("You can only reply to a comment on the same section.")
        while parent.parent_id is not None:  # replies thread under the first comment
            parent = db.session.get(SectionComment, parent.parent_id) or parent
    comment = SectionComment(
        organization_id=version.plan.organization_id,
        version_section_id=section.id,
        parent_id=parent.id if parent else None,
        author_id=user.id,
        quote=quote,
        body=body,
    )
    db.session.add(comment)
    db.session.flush()
    record(
        "comment.reply" if parent else "comment.create",
        actor_id=user.id,
        organization_id=comment.organization_id,
        object_type="section_comment",
        object_id=comment.id,
        summary=f"Commented on “{section.title}” in version {version.number} of “{version.title}”",
        changes={"version": version.number, "section": section.key, "quote": quote, "parent_id": comment.parent_id},
    )
    inbox.notify_section_comment(comment)
    return comment


def can_resolve(version: PlanVersion, review: Review | None, user: User) -> bool:
    return can_comment(version, review, user)


def set_resolved(comment: SectionComment, *, user: User, review: Review | None, resolved: bool) -> bool:
    """Resolve or reopen a comment thread; returns whether anything changed."""
    version = comment.version_section.version
    if not can_resolve(version, review, user):
        raise PermissionDenied("Only board members reviewing this version and the plan's editors can resolve comments.")
    if comment.parent_id is not None:
        raise DomainError("Resolve the thread from its first comment.")
    if (comment.resolved_at is not None) == resolved:
        return False
    comment.resolved_at, comment.resolved_by_id = (utcnow(), user.id) if resolved else (None, None)
    db.session.flush()
    record(
        "comment.resolve" if resolved else "comment.reopen",
        actor_id=user.id,
        organization_id=comment.organization_id,
        object_type="section_comment",
        object_id=comment.id,
        summary=("Resolved" if resolved else "Reopened")
        + f" a comment on “{comment.version_section.title}” (version {version.number})",
        changes={"resolved": {"before": not resolved, "after": resolved}},
    )
    return True


def comments_by_section(version: PlanVersion) -> dict[int, list[SectionComment]]:
    """Each section's threads (first comments, replies loaded), in order, in two statements."""
    found = db.session.scalars(
        db.select(SectionComment)
        .join(PlanVersionSection, PlanVersionSection.id == SectionComment.version_section_id)
        .where(PlanVersionSection.version_id == version.id)
        .options(joinedload(SectionComment.author), joinedload(SectionComment.resolved_by))
        .order_by(SectionComment.id)
    ).all()
    threads: dict[int, list[SectionComment]] = {}
    replies: dict[int, list[SectionComment]] = {}
    for comment in found:
        if comment.parent_id is None:
            threads.setdefault(comment.version_section_id, []).append(comment)
        else:
            replies.setdefault(comment.parent_id, []).append(comment)
    for comment in found:  # fill the relationship from what is loaded, without a query per thread
        set_committed_value(comment, "replies", replies.get(comment.id, []))
    return threads
