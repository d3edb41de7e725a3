"""Governance services: a board chair records decisions; a correction supersedes, never edits.

**Quorum rule.** The members who can take part are the board's members who have not recused themselves from
the review. The quorum is ``board.quorum_needed(number of those members)`` (a count, or a percentage of them
rounded up). It is met when at least that many of them have *submitted* their score sheet. The same rule holds
for plan reviews, whose "sheets" record that a member has reviewed the plan version.

**One transaction.** Recording writes the decision (with the weighted score and the number of members who had
scored, as they stood), marks the review decided, moves the initiative's status (approve and approve with
conditions → approved; defer → deferred; request changes → proposed, back to its editor; reject → rejected) or
applies the decision to the plan version, writes the audit events and the inbox notices — all flushed in the
caller's transaction, which the view commits once. A fault anywhere leaves none of it behind.

**Twice.** A second first decision on a review, or a second correction of one decision, is refused by the
database's unique indexes; the insert runs in a savepoint so the refusal becomes ``AlreadyRecorded``.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.audit.services import record
from app.auth.models import User
from app.core.errors import DomainError, PermissionDenied
from app.extensions import db
from app.governance.models import (
    Board,
    BoardRole,
    Decision,
    Meeting,
    MeetingStatus,
    Outcome,
    Review,
    ReviewKind,
    ReviewStatus,
)
from app.governance.services import adoption, inbox
from app.governance.services.ranking import weighted_score
from app.portfolio.models import Initiative, InitiativeStatus

STATUS_AFTER: dict[Outcome, InitiativeStatus] = {
    Outcome.APPROVE: InitiativeStatus.APPROVED,
    Outcome.APPROVE_WITH_CONDITIONS: InitiativeStatus.APPROVED,
    Outcome.DEFER: InitiativeStatus.DEFERRED,
    Outcome.REQUEST_CHANGES: InitiativeStatus.PROPOSED,
    Outcome.REJECT: InitiativeStatus.REJECTED,
}


class DecisionRefused(DomainError):
    """The decision cannot be recorded; the message says why and what to do."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class AlreadyRecorded(DomainError):
    """Someone (or another tab) recorded this decision first."""


@dataclass(frozen=True)
class Quorum:
    members: int  # board members not recused
    recused: int
    needed: int
    scored: int  # of the members not recused, those who submitted

    @property
    def met(self) -> bool:
        return self.scored >= self.needed

    def explain(self) -> str:
        if self.met:
            return (
                f"Quorum met: {self.scored} of {self.members} members who can take part have scored "
                f"({self.needed} needed)."
            )
        if self.needed > self.members:
            return (
                f"No quorum is possible: it needs {self.needed} members, but only {self.members} can take part "
                f"({self.recused} recused). Add members to the board or change its quorum."
            )
        missing = self.needed - self.scored
        return (
            f"No quorum yet: {self.scored} of the {self.needed} members needed have submitted their scores "
            f"({self.members} can take part, {self.recused} recused). "
            f"Wait for {missing} more member{'s' if missing != 1 else ''} to submit."
        )


def quorum(review: Review) -> Quorum:
    """The quorum of the review under the rule above (uses the board's members and the review's sheets)."""
    member_ids = {m.user_id for m in review.board.members}
    recused = {s.user_id for s in review.sheets if s.recused} & member_ids
    eligible = member_ids - recused
    scored = {s.user_id for s in review.sheets if s.submitted_at is not None and not s.recused} & eligible
    return Quorum(
        members=len(eligible),
        recused=len(recused),
        needed=review.board.quorum_needed(len(eligible)),
        scored=len(scored),
    )


def is_chair(board: Board, user: User) -> bool:
    member = board.member(user)
    return member is not None and member.role_enum is BoardRole.CHAIR and user.is_member_of(board.organization_id)


def decisions_of(review: Review) -> list[Decision]:
    return list(review.decisions)


@dataclass(frozen=True)
class DecisionInput:
    outcome: str
    rationale: str
    conditions: str = ""
    meeting_id: int | None = None


def _check(review: Review, user: User, values: DecisionInput) -> tuple[Outcome, Meeting | None]:
    if not is_chair(review.board, user):
        raise PermissionDenied("Only the board's chair can record its decisions.")
    try:
        outcome = Outcome(values.outcome)
    except ValueError:
        raise DecisionRefused("Choose one of the outcomes.", "outcome") from None
    if not values.rationale.strip():
        raise DecisionRefused("Write the rationale: why the board decided this.", "rationale")
    if outcome is Outcome.APPROVE_WITH_CONDITIONS and not values.conditions.strip():
        raise DecisionRefused("Write the conditions of the approval, or choose “Approve”.", "conditions")
    meeting = None
    if values.meeting_id is not None:
        meeting = db.session.get(Meeting, values.meeting_id)
        if meeting is None or meeting.board_id != review.board_id or meeting.status == MeetingStatus.CANCELLED:
            raise DecisionRefused("Choose one of this board's meetings, or none.", "meeting")
    current = quorum(review)
    if not current.met:
        raise DecisionRefused(current.explain())
    return outcome, meeting


def record_decision(review: Review, *, user: User, values: DecisionInput) -> Decision:
    """The chair's first decision on an open review (see the module's rules)."""
    if review.status == ReviewStatus.DECIDED and review.decisions:
        raise AlreadyRecorded(_already(review))
    if review.status != ReviewStatus.OPEN:
        raise DecisionRefused("This review was withdrawn; there is nothing to decide.")
    outcome, meeting = _check(review, user, values)
    return _write(review, user=user, outcome=outcome, meeting=meeting, values=values, supersedes=None)


def correct_decision(decision: Decision, *, user: User, values: DecisionInput) -> Decision:
    """A new decision that supersedes ``decision`` (which must be the review's current one)."""
    review = decision.review
    current = review.current_decision
    if current is None or current.id != decision.id:
        raise AlreadyRecorded(
            f"Decision #{decision.id} was already corrected by #{current.id if current else '?'}; "
            "correct the current decision instead."
        )
    outcome, meeting = _check(review, user, values)
    return _write(review, user=user, outcome=outcome, meeting=meeting, values=values, supersedes=decision)


def _already(review: Review) -> str:
    current = review.current_decision
    number = f" (#{current.id})" if current else ""
    return (
        f"A decision on this review was already recorded{number}, perhaps from another tab. "
        "It is shown below; to change it, record a correction."
    )


def _write(
    review: Review,
    *,
    user: User,
    outcome: Outcome,
    meeting: Meeting | None,
    values: DecisionInput,
    supersedes: Decision | None,
) -> Decision:
    decision = Decision(
        organization_id=review.organization_id,
        board_id=review.board_id,
        review_id=review.id,
        meeting_id=meeting.id if meeting else None,
        supersedes_id=supersedes.id if supersedes else None,
        outcome=outcome.value,
        rationale=values.rationale.strip(),
        conditions=values.conditions.strip(),
        weighted_score=weighted_score(review),
        scored_by=quorum(review).scored,
        decided_by_id=user.id,
    )
    try:
        with db.session.begin_nested():
            db.session.add(decision)
            db.session.flush()
    except IntegrityError:
        db.session.expire(review)
        raise AlreadyRecorded(
            _already(review) if supersedes is None else f"Decision #{supersedes.id} was already corrected."
        ) from None
    before_review = review.status
    review.status = ReviewStatus.DECIDED.value
    db.session.flush()
    _record_decision_event(review, decision, user=user, supersedes=supersedes, review_before=before_review)
    if review.kind == ReviewKind.PLAN:
        adoption.apply_plan_decision(review, decision)
    elif review.initiative is not None:
        _move_initiative(review.initiative, outcome, user=user, decision=decision)
    inbox.notify_decision_recorded(decision)
    return decision


def _record_decision_event(
    review: Review, decision: Decision, *, user: User, supersedes: Decision | None, review_before: str
) -> None:
    outcome = decision.outcome_enum.label.lower()
    summary = (
        f"{review.board.name} recorded “{outcome}” on {review.subject_title}"
        if supersedes is None
        else f"{review.board.name} corrected decision #{supersedes.id} on {review.subject_title} to “{outcome}”"
    )
    record(
        "decision.record" if supersedes is None else "decision.correct",
        actor_id=user.id,
        organization_id=review.organization_id,
        object_type="decision",
        object_id=decision.id,
        summary=summary,
        changes={
            "review_id": review.id,
            "outcome": decision.outcome,
            "rationale": decision.rationale,
            "conditions": decision.conditions,
            "weighted_score": str(decision.weighted_score) if decision.weighted_score is not None else None,
            "scored_by": decision.scored_by,
            "supersedes_id": supersedes.id if supersedes else None,
            "review_status": {"before": review_before, "after": review.status},
        },
    )


def _move_initiative(initiative: Initiative, outcome: Outcome, *, user: User, decision: Decision) -> None:
    before = initiative.status
    after = STATUS_AFTER[outcome]
    if before == after.value:
        return
    initiative.status = after.value
    db.session.flush()
    record(
        "initiative.status",
        actor_id=user.id,
        organization_id=initiative.organization_id,
        object_type="initiative",
        object_id=initiative.id,
        summary=(
            f"{initiative.code} moved from {InitiativeStatus(before).label.lower()} to {after.label.lower()} "
            f"by decision #{decision.id}"
        ),
        changes={"status": {"before": before, "after": after.value}, "decision_id": decision.id},
    )


def superseding(decision_ids: list[int]) -> dict[int, int]:
    """For each of ``decision_ids`` that was corrected, the id of the decision that superseded it (one query)."""
    if not decision_ids:
        return {}
    rows = db.session.execute(
        select(Decision.supersedes_id, Decision.id).where(Decision.supersedes_id.in_(decision_ids))
    ).all()
    return {old: new for old, new in rows if old is not None}
