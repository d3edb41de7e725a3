"""Members' score sheets: scoring a review (a draft, or final and fixed) and recusing from it."""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import IntegrityError

from app.auth.models import User
from app.core.db import utcnow
from app.core.errors import DomainError, PermissionDenied
from app.extensions import db
from app.governance.models import Review, ReviewStatus, Score, ScoreSheet
from app.governance.services.reviews.common import AlreadyDone, _record_on_review
from app.governance.services.reviews.submission import mark_under_review


def _ensure_can_score(review: Review, user: User) -> ScoreSheet | None:
    if review.status != ReviewStatus.OPEN.value:
        raise DomainError(f"Scoring is closed: this review is {review.status_enum.label.lower()}.")
    if review.board.member(user) is None:
        raise PermissionDenied(f"Only members of “{review.board.name}” score its reviews.")
    sheet = sheet_of(review, user)
    if sheet is not None and sheet.recused:
        raise DomainError("You recused yourself from this review, so you cannot score it.")
    if sheet is not None and sheet.submitted_at is not None:
        raise AlreadyDone("You have already submitted your scores for this review; they cannot be changed.")
    return sheet


def sheet_of(review: Review, user: User) -> ScoreSheet | None:
    return next((s for s in review.sheets if s.user_id == user.id), None)


def scoring_problems(review: Review, values: dict[int, int | None], *, final: bool) -> list[str]:
    problems = []
    for criterion in review.rubric.criteria:
        value = values.get(criterion.id)
        if (value is None and final) or (value is not None and not 1 <= value <= 5):
            problems.append(f"Score “{criterion.name}” from 1 to 5.")
    return problems


def save_scores(
    review: Review, *, user: User, values: dict[int, int | None], comments: dict[int, str], final: bool
) -> ScoreSheet:
    """Save a member's scores: a draft (others cannot see it; it can change) or final (``final``; then fixed)."""
    sheet = _ensure_can_score(review, user)
    problems = scoring_problems(review, values, final=final)
    if problems:
        raise DomainError(" ".join(problems))
    if sheet is None:
        sheet = ScoreSheet(review_id=review.id, user_id=user.id)
        review.sheets.append(sheet)
    existing = {s.criterion_id: s for s in sheet.scores}
    for criterion in review.rubric.criteria:
        value, comment = values.get(criterion.id), (comments.get(criterion.id) or "").strip()
        score = existing.get(criterion.id)
        if value is None:
            if score is not None:
                sheet.scores.remove(score)
        elif score is None:
            sheet.scores.append(Score(criterion_id=criterion.id, value=value, comment=comment))
        else:
            score.value, score.comment = value, comment
    if final:
        sheet.submitted_at = utcnow()
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as exc:  # the same sheet from a second tab or a double click
        raise AlreadyDone(
            "Your scores for this review were already saved from another window; "
            "nothing more was written. Check them below."
        ) from exc
    changes: dict[str, Any] = {
        "user_id": user.id,
        "final": final,
        "scores": {c.name: values.get(c.id) for c in review.rubric.criteria},
    }
    if final:
        status = mark_under_review(review)
        if status:
            changes["initiative_status"] = status
    verb = "Submitted" if final else "Saved draft"
    _record_on_review(
        review,
        user,
        "review.scores.submit" if final else "review.scores.draft",
        f"{verb} scores on {review.subject_title} for “{review.board.name}”",
        changes,
    )
    return sheet


def recuse(review: Review, *, user: User, reason: str) -> ScoreSheet:
    """A member steps aside (conflict of interest) with a reason; they cannot score this review afterwards."""
    sheet = _ensure_can_score(review, user)
    if not reason.strip():
        raise DomainError("Give the reason you are recusing yourself, such as a conflict of interest.")
    if sheet is None:
        sheet = ScoreSheet(review_id=review.id, user_id=user.id)
        review.sheets.append(sheet)
    sheet.scores.clear()  # a draft does not survive a recusal
    sheet.recused, sheet.recusal_reason, sheet.submitted_at = True, reason.strip()[:500], utcnow()
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as exc:
        raise AlreadyDone(
            "You have already recused yourself or scored from another window; nothing more was written."
        ) from exc
    _record_on_review(
        review,
        user,
        "review.recuse",
        f"{user.name} recused from {review.subject_title}",
        {"user_id": user.id, "reason": sheet.recusal_reason},
    )
    return sheet
