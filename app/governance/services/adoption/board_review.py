"""Board members' review of a version: marking it as reviewed or stepping aside (what the quorum counts)."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from app.audit.services import record
from app.auth.models import User
from app.core.db import utcnow
from app.core.errors import DomainError, PermissionDenied
from app.extensions import db
from app.governance.models import BoardMember, Review, ReviewStatus, ScoreSheet


def board_member(review: Review, user: User) -> BoardMember | None:
    return review.board.member(user) if user.is_member_of(review.organization_id) else None


def sheet_of(review: Review, user: User) -> ScoreSheet | None:
    return next((s for s in review.sheets if s.user_id == user.id), None)


def mark_reviewed(review: Review, *, user: User) -> ScoreSheet:
    """Record that a board member has read the version (what the quorum counts for a plan decision)."""
    return _close_sheet(review, user, recused=False, reason="")


def recuse(review: Review, *, user: User, reason: str) -> ScoreSheet:
    """A board member steps aside from the version's review, with a reason."""
    if not reason.strip():
        raise DomainError("Say why you are stepping aside, for example a conflict of interest.")
    return _close_sheet(review, user, recused=True, reason=reason.strip())


def _close_sheet(review: Review, user: User, *, recused: bool, reason: str) -> ScoreSheet:
    if board_member(review, user) is None:
        raise PermissionDenied("Only members of the board reviewing this version can do that.")
    if review.status != ReviewStatus.OPEN:
        raise DomainError("The board has decided on this version; its review is closed.")
    sheet = sheet_of(review, user)
    if sheet is not None and sheet.submitted_at is not None:
        if sheet.recused == recused:
            return sheet  # a second click or tab: already done
        done = "stepped aside from" if sheet.recused else "marked as reviewed"
        raise DomainError(f"You have already {done} this version; that is final.")
    if sheet is None:
        sheet = ScoreSheet(review=review, user_id=user.id)
        db.session.add(sheet)
    sheet.recused, sheet.recusal_reason, sheet.submitted_at = recused, reason, utcnow()
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as exc:
        raise DomainError("You did this a moment ago in another window. Reload the page.") from exc
    version = review.plan_version
    record(
        "plan_review.recuse" if recused else "plan_review.reviewed",
        actor_id=user.id,
        organization_id=review.organization_id,
        object_type="review",
        object_id=review.id,
        summary=("Stepped aside from" if recused else "Marked as reviewed")
        + f" version {version.number if version else '?'} of “{version.title if version else ''}”",
        changes={"recused": recused, "reason": reason} if recused else {"reviewed": True},
    )
    return sheet
