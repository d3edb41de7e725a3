"""Plan adoption: frozen versions sent to a board, members' review of a version, the adoption decision and
publication. Services flush, write audit events and never commit.

How a plan's status moves (``Plan.is_editable`` and ``plans.services.start_new_draft``):

- ``draft``: being written. Submitting it freezes version N and sends it to a board: ``in_review``.
- ``in_review``: version N is with a board and the draft has not changed since. The plan stays editable;
  the first change moves it back to ``draft`` (the draft of version N+1) while version N stays frozen.
- The board's decision (``apply_plan_decision``): adopt → version ``adopted`` (an earlier adopted version
  becomes ``superseded``) and the plan ``approved`` if its text still equals the adopted version, otherwise it
  stays ``draft``; defer, request changes or reject → version ``returned`` and the plan back to ``draft``.
- ``approved``: read-only; an editor starts the next revision explicitly (``start_next_revision``) → ``draft``.
- ``published``: an admin publishes an approved plan that has an adopted version; read-only. Unpublishing
  returns it to ``approved``. ``archived``: read-only, for good.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from app.audit.services import record
from app.auth.models import User
from app.core.db import utcnow
from app.core.errors import DomainError, PermissionDenied
from app.core.markdown import render_markdown
from app.extensions import db
from app.governance.models import (
    Board,
    BoardMember,
    Decision,
    Outcome,
    PlanVersion,
    PlanVersionSection,
    PlanVersionStatus,
    Review,
    ReviewKind,
    ReviewStatus,
    ScoreSheet,
    SectionComment,
)
from app.governance.services import inbox
from app.objectives.models import PolicyObjective
from app.plans.models import Plan, PlanStatus
from app.plans.scope import natural_key, scope_of
from app.portfolio.models import Initiative, InitiativeCost, ObjectiveLink

ADOPTING = (Outcome.APPROVE.value, Outcome.APPROVE_WITH_CONDITIONS.value)
MAX_COMMENT_CHARS = 10_000


# --- reading versions (also for exports: a version with its sections in a fixed number of statements) --------


def load_version(plan_id: int, *, number: int | None = None, version_id: int | None = None) -> PlanVersion | None:
    """A plan's version by number or id, with its sections and author loaded (two statements)."""
    query = (
        db.select(PlanVersion)
        .where(PlanVersion.plan_id == plan_id)
        .options(selectinload(PlanVersion.sections), joinedload(PlanVersion.created_by), joinedload(PlanVersion.plan))
    )
    if number is not None:
        query = query.where(PlanVersion.number == number)
    if version_id is not None:
        query = query.where(PlanVersion.id == version_id)
    return db.session.scalar(query)


@dataclass(frozen=True)
class VersionEntry:
    """One line of a plan's version history: the version, the review it went to and the board's decision."""

    version: PlanVersion
    review: Review | None
    decision: Decision | None

    @property
    def board(self) -> Board | None:
        return self.review.board if self.review else None


def version_history(plan_id: int) -> list[VersionEntry]:
    """Every version of a plan, newest first, with its review, board and current decision (four statements)."""
    versions = db.session.scalars(
        db.select(PlanVersion)
        .where(PlanVersion.plan_id == plan_id)
        .options(joinedload(PlanVersion.created_by))
        .order_by(PlanVersion.number.desc())
    ).all()
    reviews = _reviews_of([v.id for v in versions])
    entries = []
    for version in versions:
        review = reviews.get(version.id)
        entries.append(VersionEntry(version, review, review.current_decision if review else None))
    return entries


def _reviews_of(version_ids: list[int]) -> dict[int, Review]:
    if not version_ids:
        return {}
    found = db.session.scalars(
        db.select(Review)
        .where(Review.plan_version_id.in_(version_ids))
        .options(joinedload(Review.board), selectinload(Review.decisions).joinedload(Decision.decided_by))
        .order_by(Review.id)
    ).all()
    return {review.plan_version_id: review for review in found if review.plan_version_id is not None}


def review_of(version: PlanVersion) -> Review | None:
    """The review a version went to, with its board, members, sheets and decisions."""
    return db.session.scalar(
        db.select(Review)
        .where(Review.plan_version_id == version.id)
        .options(
            joinedload(Review.board).selectinload(Board.members).joinedload(BoardMember.user),
            selectinload(Review.sheets).joinedload(ScoreSheet.user),
            selectinload(Review.decisions),
        )
        .order_by(Review.id)
        .limit(1)
    )


@dataclass(frozen=True)
class AdoptionSummary:
    """What the plan page says about the plan's versions: the one adopted (with its decision) and the one
    with a board now."""

    adopted: VersionEntry | None
    open: VersionEntry | None
    latest_submitted: PlanVersion | None
    version_count: int


def adoption_summary(plan_id: int) -> AdoptionSummary:
    entries = version_history(plan_id)
    adopted = next((e for e in entries if e.version.status == PlanVersionStatus.ADOPTED), None)
    in_review = next((e for e in entries if e.version.status == PlanVersionStatus.IN_REVIEW), None)
    latest = entries[0].version if entries else None
    return AdoptionSummary(adopted, in_review, latest, len(entries))


# --- submitting ------------------------------------------------------------------------------------------


def plan_boards(organization_id: int) -> list[Board]:
    """The organization's boards that may adopt its plan."""
    return list(
        db.session.scalars(
            db.select(Board)
            .where(Board.organization_id == organization_id, Board.reviews_plans, Board.archived_at.is_(None))
            .order_by(Board.name)
        )
    )


def submit_plan(plan: Plan, *, user: User, board: Board, note: str = "") -> PlanVersion:
    """Freeze the plan as its next version and send that version to ``board`` for review."""
    _check_submission(plan, user, board)
    visible = [s for s in plan.sections if not s.is_deleted]
    number = (db.session.scalar(db.select(func.max(PlanVersion.number)).where(PlanVersion.plan_id == plan.id)) or 0) + 1
    version = PlanVersion(
        plan=plan,
        number=number,
        title=plan.title,
        first_fiscal_year=plan.first_fiscal_year,
        last_fiscal_year=plan.last_fiscal_year,
        status=PlanVersionStatus.IN_REVIEW.value,
        note=note.strip(),
        data=frozen_scope(plan),
        created_by_id=user.id,
    )
    for position, section in enumerate(visible, start=1):
        version.sections.append(
            PlanVersionSection(
                section_id=section.id, key=section.key, title=section.title, body=section.body, position=position
            )
        )
    rubric = board.current_rubric
    assert rubric is not None  # noqa: S101 - _check_submission refused a board without one
    review = Review(
        organization_id=plan.organization_id,
        board_id=board.id,
        rubric_id=rubric.id,
        kind=ReviewKind.PLAN.value,
        plan_version=version,
        submitted_by_id=user.id,
    )
    before = plan.status
    plan.status = PlanStatus.IN_REVIEW.value
    db.session.add_all([version, review])
    try:
        db.session.flush()
    except (IntegrityError, StaleDataError) as exc:  # a second click or tab submitted at the same moment
        db.session.rollback()
        raise DomainError("This plan was just submitted from another window. Reload the plan page.") from exc
    record(
        "plan.submit",
        actor_id=user.id,
        organization_id=plan.organization_id,
        object_type="plan_version",
        object_id=version.id,
        summary=f"Submitted version {number} of “{plan.title}” to {board.name}",
        changes={
            "plan_id": plan.id,
            "version": number,
            "board": board.name,
            "review_id": review.id,
            "sections": len(version.sections),
            "note": version.note,
            "status": {"before": before, "after": plan.status},
        },
    )
    inbox.notify_review_submitted(review)
    return version


def _check_submission(plan: Plan, user: User, board: Board) -> None:
    if not plan.can_edit(user):
        raise PermissionDenied("You need the editor or administrator role to submit this plan.")
    if plan.status not in (PlanStatus.DRAFT, PlanStatus.IN_REVIEW):
        raise DomainError(
            f"This plan is {plan.status_enum.label.lower()}. Start the next revision before submitting it again."
        )
    if board.organization_id != plan.organization_id or not board.reviews_plans or board.archived_at:
        raise DomainError("Choose a board that adopts the plan (its settings say it reviews plans).")
    if board.current_rubric is None:
        raise DomainError(f"{board.name} has no rubric yet. Ask an administrator to publish one, then submit.")
    if not board.members:
        raise DomainError(f"{board.name} has no members yet. Ask an administrator to add them, then submit.")
    if not any(s.body.strip() for s in plan.sections if not s.is_deleted):
        raise DomainError("The plan has no text yet. Write at least one section before submitting it.")
    waiting = db.session.scalar(
        db.select(PlanVersion.number)
        .join(Review, Review.plan_version_id == PlanVersion.id)
        .where(PlanVersion.plan_id == plan.id, Review.board_id == board.id, Review.status == ReviewStatus.OPEN)
    )
    if waiting is not None:
        raise DomainError(
            f"Version {waiting} of this plan is still with {board.name}. Wait for its decision (your edits since "
            f"are kept in the draft), then submit again."
        )


def frozen_scope(plan: Plan) -> dict[str, Any]:
    """The objectives and initiatives the plan covers as they stand now, as plain data (four statements)."""
    plan_scope = scope_of(plan)
    objectives = db.session.scalars(db.select(PolicyObjective).where(plan_scope.objective_filter())).all()
    codes = {o.id: o.code for o in objectives}
    initiatives = db.session.scalars(
        db.select(Initiative)
        .where(plan_scope.initiative_filter())
        .options(
            selectinload(Initiative.costs),
            selectinload(Initiative.objective_links).load_only(ObjectiveLink.objective_id, ObjectiveLink.role),
        )
    ).all()
    return {
        "frozen_at": utcnow().isoformat(timespec="seconds"),
        "period": plan.period_label,
        "objectives": [
            {
                "code": o.code,
                "title": o.title,
                "parent": codes.get(o.parent_id) if o.parent_id else None,
                "depth": o.depth,
                "owner": o.owner,
                "policy_source": o.policy_source,
            }
            for o in sorted(objectives, key=lambda o: natural_key(o.code))
        ],
        "initiatives": [_frozen_initiative(i, codes) for i in sorted(initiatives, key=lambda i: natural_key(i.code))],
    }


def _frozen_initiative(initiative: Initiative, codes: dict[int, str]) -> dict[str, Any]:
    costs: list[InitiativeCost] = initiative.costs
    return {
        "code": initiative.code,
        "title": initiative.title,
        "status": initiative.status,
        "category": initiative.category,
        "owner": initiative.owner,
        "start_date": initiative.start_date.isoformat() if initiative.start_date else None,
        "end_date": initiative.end_date.isoformat() if initiative.end_date else None,
        "costs": [
            {"fiscal_year": c.fiscal_year, "capital": str(c.capital), "operating": str(c.operating)} for c in costs
        ],
        "objectives": sorted(
            (
                {"code": codes[link.objective_id], "role": link.role}
                for link in initiative.objective_links
                if link.objective_id in codes
            ),
            key=lambda item: natural_key(item["code"]),
        ),
    }


# --- the board's review of a version -----------------------------------------------------------------


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


# --- comments on sections ---------------------------------------------------------------------------------


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


# --- the board's decision -----------------------------------------------------------------------------


def apply_plan_decision(review: Review, decision: Decision) -> None:
    """Apply a board's decision on a plan version (adopt, or return it); called by the decision service
    in the decision's transaction.

    Adopt (approve, approve with conditions): the version becomes ``adopted`` and any earlier adopted version
    ``superseded``; the plan becomes ``approved`` when its title, period and sections still equal the version,
    otherwise it stays a draft (the edits made since submission are the next version). Defer, request changes
    or reject: the version is ``returned`` and the plan, if it was waiting, goes back to ``draft``.
    """
    version = review.plan_version
    if version is None:
        return
    plan = version.plan
    before = {"version": version.status, "plan": plan.status}
    if decision.outcome in ADOPTING:
        _adopt(version, plan)
    else:
        version.status = PlanVersionStatus.RETURNED.value
        if plan.status in (PlanStatus.IN_REVIEW, PlanStatus.APPROVED):
            plan.status = PlanStatus.DRAFT.value
    db.session.flush()
    adopted = decision.outcome in ADOPTING
    record(
        "plan.adopted" if adopted else "plan.returned",
        actor_id=decision.decided_by_id,
        organization_id=plan.organization_id,
        object_type="plan_version",
        object_id=version.id,
        summary=f"{review.board.name} {'adopted' if adopted else 'returned'} version {version.number} of "
        f"“{version.title}” ({Outcome(decision.outcome).label.lower()})",
        changes={
            "plan_id": plan.id,
            "version": version.number,
            "board": review.board.name,
            "decision_id": decision.id,
            "outcome": decision.outcome,
            "decided_on": (decision.decided_at or utcnow()).date().isoformat(),
            "version_status": {"before": before["version"], "after": version.status},
            "plan_status": {"before": before["plan"], "after": plan.status},
        },
    )


def _adopt(version: PlanVersion, plan: Plan) -> None:
    earlier = db.session.scalars(
        db.select(PlanVersion).where(
            PlanVersion.plan_id == plan.id,
            PlanVersion.status == PlanVersionStatus.ADOPTED,
            PlanVersion.id != version.id,
        )
    )
    for other in earlier:
        other.status = PlanVersionStatus.SUPERSEDED.value
    version.status = PlanVersionStatus.ADOPTED.value
    if plan.status in (PlanStatus.DRAFT, PlanStatus.IN_REVIEW, PlanStatus.APPROVED):
        plan.status = (PlanStatus.APPROVED if draft_matches(plan, version) else PlanStatus.DRAFT).value


def draft_matches(plan: Plan, version: PlanVersion) -> bool:
    """Whether the working draft's title, period and sections (in order) equal a frozen version."""
    draft = [(s.key, s.title, s.body) for s in plan.sections if not s.is_deleted]
    frozen = [(s.key, s.title, s.body) for s in version.sections]
    same_header = (plan.title, plan.first_fiscal_year, plan.last_fiscal_year) == (
        version.title,
        version.first_fiscal_year,
        version.last_fiscal_year,
    )
    return same_header and draft == frozen


# --- revising, publishing, archiving ---------------------------------------------------------------------


def _has_adopted_version(plan: Plan) -> bool:
    return (
        db.session.scalar(
            db.select(PlanVersion.id).where(
                PlanVersion.plan_id == plan.id, PlanVersion.status == PlanVersionStatus.ADOPTED
            )
        )
        is not None
    )


def _change_status(plan: Plan, user: User, action: str, after: PlanStatus, summary: str) -> None:
    before = plan.status
    plan.status = after.value
    db.session.flush()
    record(
        action,
        actor_id=user.id,
        organization_id=plan.organization_id,
        object_type="plan",
        object_id=plan.id,
        summary=summary,
        changes={"status": {"before": before, "after": after.value}},
    )


def start_next_revision(plan: Plan, *, user: User) -> None:
    """An approved plan becomes a draft again; its adopted version stays the adopted record."""
    if not plan.can_edit(user):
        raise PermissionDenied("You need the editor or administrator role to revise this plan.")
    if plan.status != PlanStatus.APPROVED:
        raise DomainError(f"This plan is {plan.status_enum.label.lower()}; only an approved plan is revised this way.")
    _change_status(plan, user, "plan.revise", PlanStatus.DRAFT, f"Started the next revision of “{plan.title}”")


def _ensure_admin(plan: Plan, user: User) -> None:
    if not user.is_admin_of(plan.organization_id):
        raise PermissionDenied("Only an administrator can publish, unpublish or archive a plan.")


def publish_plan(plan: Plan, *, user: User) -> None:
    _ensure_admin(plan, user)
    if plan.status != PlanStatus.APPROVED or not _has_adopted_version(plan):
        raise DomainError(
            f"This plan is {plan.status_enum.label.lower()}. Only an approved plan whose version a board adopted "
            "can be published: submit it to a board that adopts plans and record its decision first."
        )
    _change_status(plan, user, "plan.publish", PlanStatus.PUBLISHED, f"Published “{plan.title}”")


def unpublish_plan(plan: Plan, *, user: User) -> None:
    _ensure_admin(plan, user)
    if plan.status != PlanStatus.PUBLISHED:
        raise DomainError("This plan is not published.")
    _change_status(plan, user, "plan.unpublish", PlanStatus.APPROVED, f"Unpublished “{plan.title}”")


def archive_plan(plan: Plan, *, user: User) -> None:
    _ensure_admin(plan, user)
    if plan.status == PlanStatus.ARCHIVED:
        raise DomainError("This plan is already archived.")
    waiting = db.session.scalar(
        db.select(PlanVersion.number).where(
            PlanVersion.plan_id == plan.id, PlanVersion.status == PlanVersionStatus.IN_REVIEW
        )
    )
    if waiting is not None:
        raise DomainError(f"Version {waiting} is still with a board. Wait for its decision before archiving.")
    _change_status(plan, user, "plan.archive", PlanStatus.ARCHIVED, f"Archived “{plan.title}” (read-only)")


# --- snapshots for comparing ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SnapshotSection:
    key: str
    title: str
    body: str


@dataclass(frozen=True)
class Snapshot:
    """A version, or the current draft, as the compare page needs it."""

    label: str
    title: str
    period: str
    sections: tuple[SnapshotSection, ...]


def snapshot_of_version(version: PlanVersion) -> Snapshot:
    return Snapshot(
        label=f"Version {version.number}",
        title=version.title,
        period=version.period_label,
        sections=tuple(SnapshotSection(s.key, s.title, s.body) for s in version.sections),
    )


def snapshot_of_draft(plan: Plan) -> Snapshot:
    visible = (s for s in plan.sections if not s.is_deleted)
    return Snapshot(
        label="Current draft",
        title=plan.title,
        period=plan.period_label,
        sections=tuple(SnapshotSection(s.key, s.title, s.body) for s in visible),
    )
