"""Governance services: board meetings and their agendas, and a member's board work.

The board's secretary or chair runs its meetings. Each operation checks its rules, flushes, writes one audit
event (object type ``meeting``) and never commits. Times are stored in UTC; pages show them in the office's
local time (``LOCAL_TIMEZONE``, the ``GOVERNANCE_TIMEZONE`` setting when given).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context
from sqlalchemy.orm import joinedload, selectinload

from app.audit.services import diff_fields, record_on
from app.auth.models import Organization, User
from app.core.db import UTC, utcnow
from app.core.errors import DomainError, PermissionDenied
from app.extensions import db
from app.governance.models import (
    AgendaItem,
    Board,
    BoardMember,
    BoardRole,
    Meeting,
    MeetingStatus,
    Review,
    ReviewStatus,
    ScoreSheet,
)
from app.governance.services import inbox
from app.governance.services.reviews import mark_under_review
from app.governance.services.scoring import ReviewSummary, summaries_for

DEFAULT_TIMEZONE = "America/New_York"


def local_timezone() -> ZoneInfo:
    name = current_app.config.get("GOVERNANCE_TIMEZONE", DEFAULT_TIMEZONE) if has_app_context() else DEFAULT_TIMEZONE
    return ZoneInfo(name)


def to_utc(day: date, at: time) -> datetime:
    """A date and time as the office means them, in UTC."""
    return datetime.combine(day, at, tzinfo=local_timezone()).astimezone(UTC)


def to_local(moment: datetime) -> datetime:
    return moment.astimezone(local_timezone())


def format_local(moment: datetime | None) -> str:
    if moment is None:
        return "—"
    local = to_local(moment)
    return local.strftime("%A %-d %B %Y, ") + local.strftime("%-I:%M %p %Z").replace("AM", "a.m.").replace("PM", "p.m.")


@dataclass(frozen=True)
class MeetingFields:
    title: str
    starts_at: datetime  # UTC
    location: str = ""
    notes: str = ""


def can_run_meetings(board: Board, user: User) -> bool:
    member = board.member(user)
    return member is not None and member.board_role in (BoardRole.CHAIR.value, BoardRole.SECRETARY.value)


def _ensure_can_run(board: Board, user: User) -> None:
    if not can_run_meetings(board, user):
        raise PermissionDenied(f"Only the secretary or the chair of “{board.name}” runs its meetings.")


def _record(meeting: Meeting, user: User, action: str, summary: str, changes: dict[str, Any] | None = None) -> None:
    record_on(meeting, action, user=user, summary=summary, changes=changes)


def _values(fields: MeetingFields) -> dict[str, Any]:
    return {"title": fields.title, "starts_at": fields.starts_at, "location": fields.location, "notes": fields.notes}


def _audit(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in values.items()}


def schedule_meeting(board: Board, *, user: User, fields: MeetingFields) -> Meeting:
    _ensure_can_run(board, user)
    if board.archived_at is not None:
        raise DomainError(f"“{board.name}” is archived; it holds no more meetings.")
    meeting = Meeting(
        organization_id=board.organization_id,
        board=board,
        created_by_id=user.id,
        status=MeetingStatus.SCHEDULED.value,
        **_values(fields),
    )
    db.session.add(meeting)
    db.session.flush()
    _record(
        meeting,
        user,
        "meeting.schedule",
        f"Scheduled “{meeting.title}” of “{board.name}” for {format_local(meeting.starts_at)}",
        _audit(_values(fields)),
    )
    return meeting


def update_meeting(meeting: Meeting, *, user: User, fields: MeetingFields) -> bool:
    _ensure_can_run(meeting.board, user)
    before = _audit({name: getattr(meeting, name) for name in _values(fields)})
    for name, value in _values(fields).items():
        setattr(meeting, name, value)
    changes = diff_fields(before, _audit(_values(fields)))
    if not changes:
        return False
    db.session.flush()
    _record(meeting, user, "meeting.update", f"Changed the meeting “{meeting.title}”", changes)
    return True


def set_status(meeting: Meeting, *, user: User, status: str) -> None:
    """Scheduled → held or cancelled (or back to scheduled, to correct a mistake)."""
    _ensure_can_run(meeting.board, user)
    try:
        target = MeetingStatus(status)
    except ValueError:
        raise DomainError("Choose held, cancelled or scheduled.") from None
    if target.value == meeting.status:
        raise DomainError(f"The meeting is already {target.label.lower()}.")
    before, meeting.status = meeting.status, target.value
    db.session.flush()
    _record(
        meeting,
        user,
        "meeting.status",
        f"Marked “{meeting.title}” as {target.label.lower()}",
        {"status": {"before": before, "after": target.value}},
    )


def agenda_candidates(meeting: Meeting) -> list[Review]:
    """Open reviews of the meeting's board not yet on its agenda."""
    on_agenda = {item.review_id for item in meeting.items}
    reviews = db.session.scalars(
        db.select(Review)
        .where(Review.board_id == meeting.board_id, Review.status == ReviewStatus.OPEN.value)
        .options(joinedload(Review.initiative), joinedload(Review.plan_version))
        .order_by(Review.submitted_at)
    ).all()
    return [r for r in reviews if r.id not in on_agenda]


def add_agenda_item(meeting: Meeting, *, user: User, review: Review) -> AgendaItem:
    """Put an open review of the board on the agenda (at the end); members yet to score are told."""
    _ensure_can_run(meeting.board, user)
    if review.board_id != meeting.board_id or review.status != ReviewStatus.OPEN.value:
        raise DomainError("Choose an open review of this board.")
    if meeting.status != MeetingStatus.SCHEDULED.value:
        raise DomainError(f"The meeting is {meeting.status}; only a scheduled meeting’s agenda can change.")
    if any(item.review_id == review.id for item in meeting.items):
        raise DomainError(f"{review.subject_title} is already on this agenda.")
    item = AgendaItem(review=review, position=max((i.position for i in meeting.items), default=0) + 1)
    meeting.items.append(item)
    db.session.flush()
    changes: dict[str, Any] = {"review_id": review.id, "position": item.position}
    status = mark_under_review(review)
    if status:
        changes["initiative_status"] = status
    _record(
        meeting, user, "meeting.agenda.add", f"Put {review.subject_title} on the agenda of “{meeting.title}”", changes
    )
    summary = summaries_for([review.id])[review.id]
    inbox.notify_score_due(review, summary.not_scored)
    return item


def move_agenda_item(item: AgendaItem, *, user: User, direction: str) -> bool:
    meeting = item.meeting
    _ensure_can_run(meeting.board, user)
    items = sorted(meeting.items, key=lambda i: i.position)
    index = items.index(item)
    other = index - 1 if direction == "up" else index + 1 if direction == "down" else -1
    if not 0 <= other < len(items):
        return False
    items[index], items[other] = items[other], items[index]
    for position, entry in enumerate(items, start=1):
        entry.position = position
    db.session.flush()
    _record(
        meeting,
        user,
        "meeting.agenda.move",
        f"Moved {item.review.subject_title} {direction} the agenda",
        {"review_id": item.review_id, "position": item.position},
    )
    return True


def remove_agenda_item(item: AgendaItem, *, user: User) -> None:
    meeting = item.meeting
    _ensure_can_run(meeting.board, user)
    title, review_id = item.review.subject_title, item.review_id
    meeting.items.remove(item)
    for position, entry in enumerate(sorted(meeting.items, key=lambda i: i.position), start=1):
        entry.position = position
    db.session.flush()
    _record(
        meeting,
        user,
        "meeting.agenda.remove",
        f"Took {title} off the agenda of “{meeting.title}”",
        {"review_id": review_id},
    )


# --- reading -----------------------------------------------------------------------------------


def meeting_detail(meeting_id: int) -> Meeting | None:
    return db.session.scalar(
        db.select(Meeting)
        .where(Meeting.id == meeting_id)
        .options(
            joinedload(Meeting.board).selectinload(Board.members).joinedload(BoardMember.user),
            selectinload(Meeting.items).joinedload(AgendaItem.review).joinedload(Review.initiative),
        )
    )


@dataclass(frozen=True)
class BoardWork:
    boards: list[Board]
    meetings: list[Meeting]
    to_score: list[Review]
    drafts: set[int]  # review ids where the member has a saved draft
    summaries: dict[int, ReviewSummary]


def board_work(user: User, organization: Organization, *, now: datetime | None = None) -> BoardWork:
    """A member's upcoming meetings with their agendas, and the open reviews they have still to score."""
    now = now or utcnow()
    boards = list(
        db.session.scalars(
            db.select(Board)
            .join(BoardMember)
            .where(
                BoardMember.user_id == user.id, Board.organization_id == organization.id, Board.archived_at.is_(None)
            )
            .order_by(Board.name)
        )
    )
    board_ids = [b.id for b in boards]
    meetings = (
        list(
            db.session.scalars(
                db.select(Meeting)
                .where(
                    Meeting.board_id.in_(board_ids),
                    Meeting.status == MeetingStatus.SCHEDULED.value,
                    Meeting.starts_at >= now - timedelta(hours=12),
                )
                .options(selectinload(Meeting.items).joinedload(AgendaItem.review).joinedload(Review.initiative))
                .order_by(Meeting.starts_at)
            )
        )
        if board_ids
        else []
    )
    finished = db.select(ScoreSheet.review_id).where(
        ScoreSheet.user_id == user.id, ScoreSheet.submitted_at.is_not(None)
    )
    to_score = (
        list(
            db.session.scalars(
                db.select(Review)
                .where(
                    Review.board_id.in_(board_ids), Review.status == ReviewStatus.OPEN.value, Review.id.not_in(finished)
                )
                .options(joinedload(Review.initiative), joinedload(Review.plan_version))
                .order_by(Review.submitted_at)
            )
        )
        if board_ids
        else []
    )
    drafts = set(
        db.session.scalars(
            db.select(ScoreSheet.review_id).where(ScoreSheet.user_id == user.id, ScoreSheet.submitted_at.is_(None))
        )
    )
    agenda_ids = [item.review_id for m in meetings for item in m.items]
    return BoardWork(
        boards=boards, meetings=meetings, to_score=to_score, drafts=drafts, summaries=summaries_for(agenda_ids)
    )
