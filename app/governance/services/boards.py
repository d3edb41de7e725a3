"""Governance services: boards, their members and their rubrics.

Only an organization's administrators manage boards. Each operation checks its rules, flushes, writes one audit
event (object type ``board``) and never commits. A rubric is never changed: saving writes a new version.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError

from app.audit.services import diff_fields, record_on
from app.auth.models import Organization, User
from app.core.db import utcnow
from app.core.errors import DomainError, PermissionDenied
from app.extensions import db
from app.governance.models import Board, BoardMember, BoardRole, QuorumKind, Rubric, RubricCriterion
from app.portfolio.services import FieldError

LEVELS = 5


@dataclass(frozen=True)
class BoardFields:
    name: str
    terms_of_reference: str = ""
    quorum_kind: str = QuorumKind.PERCENT.value
    quorum_value: int = 50
    reviews_plans: bool = False


@dataclass(frozen=True)
class CriterionFields:
    name: str
    weight: int
    descriptors: tuple[str, ...]  # what a 1, 2, 3, 4 and 5 mean
    description: str = ""


class RubricRefused(DomainError):
    """Every problem with a rubric at once, so the editor can fix them in one go."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(" ".join(problems))
        self.problems = problems


def _record(board: Board, user: User, action: str, summary: str, changes: dict[str, Any] | None = None) -> None:
    record_on(board, action, user=user, summary=summary, changes=changes)


def _ensure_admin(organization_id: int, user: User) -> None:
    if not user.is_admin_of(organization_id):
        raise PermissionDenied("Only the organization's administrators set up boards.")


def _check_fields(fields: BoardFields, organization_id: int, current_id: int | None = None) -> None:
    if fields.quorum_kind not in {k.value for k in QuorumKind}:
        raise FieldError("quorum_kind", "Choose a number of members or a percentage of members.")
    if fields.quorum_kind == QuorumKind.PERCENT and not 1 <= fields.quorum_value <= 100:
        raise FieldError("quorum_value", "Enter a percentage from 1 to 100.")
    if fields.quorum_kind == QuorumKind.COUNT and fields.quorum_value < 1:
        raise FieldError("quorum_value", "Enter a number of members of at least 1.")
    taken = db.session.scalar(
        db.select(Board.id).where(
            Board.organization_id == organization_id, Board.name == fields.name, Board.id != current_id
        )
    )
    if taken is not None:
        raise FieldError("name", f"There is already a board called “{fields.name}”. Choose another name.")


def _flush_name(fields: BoardFields) -> None:
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as exc:  # a colleague took the name between our check and our write
        raise FieldError("name", f"There is already a board called “{fields.name}”. Choose another name.") from exc


def create_board(*, organization: Organization, user: User, fields: BoardFields) -> Board:
    """A new board of the organization, with no members and no rubric yet."""
    _ensure_admin(organization.id, user)
    _check_fields(fields, organization.id)
    board = Board(organization_id=organization.id, **asdict(fields))
    db.session.add(board)
    _flush_name(fields)
    _record(board, user, "board.create", f"Set up the board “{board.name}”", asdict(fields))
    return board


def update_board(board: Board, *, user: User, fields: BoardFields) -> bool:
    """Save the board's details; False when nothing changed."""
    _ensure_admin(board.organization_id, user)
    _check_fields(fields, board.organization_id, board.id)
    before = {name: getattr(board, name) for name in asdict(fields)}
    for name, value in asdict(fields).items():
        setattr(board, name, value)
    changes = diff_fields(before, asdict(fields))
    if not changes:
        return False
    _flush_name(fields)
    _record(board, user, "board.update", f"Changed the board “{board.name}”", changes)
    return True


def archive_board(board: Board, *, user: User) -> None:
    """An archived board takes no new submissions; its reviews, rubrics and meetings stay readable."""
    _ensure_admin(board.organization_id, user)
    if board.archived_at is not None:
        raise DomainError(f"“{board.name}” is already archived.")
    board.archived_at = utcnow()
    db.session.flush()
    _record(board, user, "board.archive", f"Archived the board “{board.name}”")


def restore_board(board: Board, *, user: User) -> None:
    _ensure_admin(board.organization_id, user)
    if board.archived_at is None:
        raise DomainError(f"“{board.name}” is not archived.")
    board.archived_at = None
    db.session.flush()
    _record(board, user, "board.restore", f"Restored the board “{board.name}”")


# --- members -----------------------------------------------------------------------------------


def _check_role(board: Board, role: str, member: BoardMember | None = None) -> BoardRole:
    try:
        board_role = BoardRole(role)
    except ValueError:
        raise FieldError("board_role", "Choose chair, secretary or member.") from None
    if board_role is BoardRole.CHAIR:
        chair = next((m for m in board.members if m.board_role == BoardRole.CHAIR and m is not member), None)
        if chair is not None:
            raise FieldError(
                "board_role",
                f"{chair.user.name} is already the chair, and a board has only one chair. "
                f"Change {chair.user.name}’s role to member or secretary first.",
            )
    return board_role


def add_member(board: Board, *, user: User, member: User, role: str) -> BoardMember:
    """Put a member of the organization on the board as chair, secretary or member."""
    _ensure_admin(board.organization_id, user)
    if not member.is_member_of(board.organization_id):
        raise FieldError("user", "Choose a person from your organization.")
    if board.member(member) is not None:
        raise FieldError("user", f"{member.name} is already on this board.")
    board_role = _check_role(board, role)
    row = BoardMember(user_id=member.id, board_role=board_role.value, user=member)
    board.members.append(row)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as exc:
        raise FieldError("user", f"{member.name} is already on this board.") from exc
    _record(
        board,
        user,
        "board.member.add",
        f"Added {member.name} to “{board.name}” as {board_role.label.lower()}",
        {"user_id": member.id, "board_role": board_role.value},
    )
    return row


def change_member_role(row: BoardMember, *, user: User, role: str) -> bool:
    board = row.board
    _ensure_admin(board.organization_id, user)
    board_role = _check_role(board, role, row)
    if board_role.value == row.board_role:
        return False
    before, row.board_role = row.board_role, board_role.value
    db.session.flush()
    _record(
        board,
        user,
        "board.member.role",
        f"{row.user.name} is now {board_role.label.lower()} of “{board.name}”",
        {"user_id": row.user_id, "board_role": {"before": before, "after": board_role.value}},
    )
    return True


def remove_member(row: BoardMember, *, user: User) -> None:
    """Take someone off the board; scores they already submitted stay with their reviews."""
    board = row.board
    _ensure_admin(board.organization_id, user)
    name, user_id, role = row.user.name, row.user_id, row.board_role
    board.members.remove(row)
    db.session.flush()
    _record(
        board,
        user,
        "board.member.remove",
        f"Removed {name} from “{board.name}”",
        {"user_id": user_id, "board_role": role},
    )


# --- rubrics -----------------------------------------------------------------------------------


def rubric_problems(criteria: list[CriterionFields]) -> list[str]:
    """What is wrong with a proposed set of criteria; empty when it can be saved."""
    problems = []
    if not criteria:
        return ["Add at least one criterion, with a name, a weight and what each level from 1 to 5 means."]
    names = [c.name.strip().lower() for c in criteria]
    for position, criterion in enumerate(criteria, start=1):
        label = f"Criterion {position} (“{criterion.name}”)" if criterion.name else f"Criterion {position}"
        if not criterion.name.strip():
            problems.append(f"{label}: enter a name.")
        elif (
            names.count(criterion.name.strip().lower()) > 1
            and names.index(criterion.name.strip().lower()) < position - 1
        ):
            problems.append(f"{label}: another criterion has the same name; give each a different name.")
        if not 1 <= criterion.weight <= 100:
            problems.append(f"{label}: enter a weight from 1 to 100.")
        empty = [str(level) for level, text in enumerate(criterion.descriptors, start=1) if not text.strip()]
        if len(criterion.descriptors) != LEVELS or empty:
            problems.append(f"{label}: describe what level {', '.join(empty) or '1 to 5'} means.")
    total = sum(c.weight for c in criteria)
    if total != 100:
        change = f"remove {total - 100} points" if total > 100 else f"add {100 - total} points"
        problems.append(f"The weights add up to {total}; they must add up to exactly 100: {change}.")
    return problems


def save_rubric(board: Board, *, user: User, criteria: list[CriterionFields], note: str) -> Rubric:
    """Publish a new rubric version (the previous number + 1); reviews keep the version they were scored with."""
    _ensure_admin(board.organization_id, user)
    problems = rubric_problems(criteria)
    if not note.strip() and board.current_rubric is not None:
        problems.append("Say what changed and why in the note, for the rubric history.")
    if problems:
        raise RubricRefused(problems)
    previous = board.current_rubric
    rubric = Rubric(
        board=board,
        number=(previous.number + 1) if previous else 1,
        note=note.strip() or "First version",
        created_by_id=user.id,
    )
    for position, fields in enumerate(criteria, start=1):
        rubric.criteria.append(
            RubricCriterion(
                position=position,
                name=fields.name.strip(),
                description=fields.description.strip(),
                weight=fields.weight,
                descriptors=[d.strip() for d in fields.descriptors],
            )
        )
    db.session.add(rubric)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as exc:  # someone published a version at the same moment
        raise RubricRefused(["Someone else published a new version just now. Open the rubric again."]) from exc
    summary = f"Published version {rubric.number} of the rubric of “{board.name}”"
    _record(
        board,
        user,
        "board.rubric.publish",
        summary,
        {
            "number": rubric.number,
            "note": rubric.note,
            "criteria": [{"name": c.name, "weight": c.weight} for c in rubric.criteria],
        },
    )
    return rubric
