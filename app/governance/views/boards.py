"""Governance pages: boards, their members and rubrics, and a member's board work.

Every member of the organization reads boards and rubrics; administrators manage them. Each view loads (404 for
another organization's board), authorizes (403), validates, calls one service, commits once and redirects.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func
from sqlalchemy.orm import joinedload, selectinload
from wtforms.fields.choices import SelectChoice

from app.auth.context import current_organization
from app.auth.models import Membership, User
from app.core.errors import FAILED, PermissionDenied, attempt, ensure
from app.extensions import db
from app.governance.forms.boards import BLANK_CRITERIA, BoardForm, MemberForm, MemberRoleForm, RubricForm
from app.governance.models import Board, BoardMember, Meeting, Review, ReviewStatus, Rubric, RubricCriterion
from app.governance.services import boards as services
from app.governance.services.meetings import board_work, can_run_meetings, format_local
from app.governance.views import bp


@bp.app_template_filter("local_time")
def local_time(value: Any) -> str:
    return format_local(value)


def load_board(board_id: int) -> Board:
    board = db.session.scalar(
        db.select(Board)
        .where(Board.id == board_id)
        .options(
            selectinload(Board.members).joinedload(BoardMember.user),
            selectinload(Board.rubrics).selectinload(Rubric.criteria),
        )
    )
    ensure(board is not None and board.can_view(current_user))
    return board  # type: ignore[return-value]


def _managed_board(board_id: int) -> Board:
    board = load_board(board_id)
    if not board.can_manage(current_user):
        abort(403)
    return board


def _to_board(board: Board, anchor: str | None = None):  # type: ignore[no-untyped-def]
    return redirect(url_for("governance.show_board", board_id=board.id, _anchor=anchor))


# --- list and detail ---------------------------------------------------------------------------


@bp.get("/boards")
def list_boards():  # type: ignore[no-untyped-def]
    organization = current_organization()
    members = db.select(func.count()).where(BoardMember.board_id == Board.id).scalar_subquery()
    open_reviews = (
        db.select(func.count())
        .where(Review.board_id == Board.id, Review.status == ReviewStatus.OPEN.value)
        .scalar_subquery()
    )
    rubric = db.select(func.max(Rubric.number)).where(Rubric.board_id == Board.id).scalar_subquery()
    rows = db.session.execute(
        db.select(Board, members, open_reviews, rubric)
        .where(Board.organization_id == organization.id)
        .order_by(Board.archived_at.is_not(None), Board.name)
    ).all()
    my_boards = set(
        db.session.scalars(
            db.select(BoardMember.board_id)
            .join(Board)
            .where(BoardMember.user_id == current_user.id, Board.organization_id == organization.id)
        )
    )
    return render_template(
        "governance/boards/list.html",
        rows=rows,
        my_boards=my_boards,
        can_manage=current_user.is_admin_of(organization.id),
    )


@bp.get("/boards/<int:board_id>")
def show_board(board_id: int):  # type: ignore[no-untyped-def]
    board = load_board(board_id)
    return _board_page(board)


def _member_choices(form: MemberForm, board: Board) -> None:
    on_board = {m.user_id for m in board.members}
    people = db.session.scalars(
        db.select(User)
        .join(Membership)
        .where(Membership.organization_id == board.organization_id, Membership.active, User.active)
        .order_by(User.name)
    ).all()
    form.user.choices = [SelectChoice("", "Choose a person")] + [
        SelectChoice(str(u.id), f"{u.name} ({u.email})") for u in people if u.id not in on_board
    ]


def _board_page(board: Board, *, member_form: MemberForm | None = None, status: int = 200):  # type: ignore[no-untyped-def]
    can_manage = board.can_manage(current_user)
    form = member_form or MemberForm(formdata=None)
    if can_manage:
        _member_choices(form, board)
    meetings = db.session.scalars(
        db.select(Meeting).where(Meeting.board_id == board.id).order_by(Meeting.starts_at.desc()).limit(20)
    ).all()
    reviews = db.session.scalars(
        db.select(Review)
        .where(Review.board_id == board.id, Review.status == ReviewStatus.OPEN.value)
        .options(joinedload(Review.initiative), joinedload(Review.plan_version))
        .order_by(Review.submitted_at)
    ).all()
    return render_template(
        "governance/boards/show.html",
        board=board,
        can_manage=can_manage,
        member_form=form,
        role_form=MemberRoleForm(formdata=None),
        meetings=meetings,
        reviews=reviews,
        can_run_meetings=can_run_meetings(board, current_user),
    ), status


# --- creating, editing and archiving -----------------------------------------------------------


def _fields(form: BoardForm) -> services.BoardFields:
    return services.BoardFields(
        name=form.name.data or "",
        terms_of_reference=form.terms_of_reference.data or "",
        quorum_kind=form.quorum_kind.data or "",
        quorum_value=form.quorum_value.data or 0,
        reviews_plans=bool(form.reviews_plans.data),
    )


@bp.route("/boards/new", methods=["GET", "POST"])
def new_board():  # type: ignore[no-untyped-def]
    organization = current_organization()
    if not current_user.is_admin_of(organization.id):
        abort(403)
    form = BoardForm() if request.method == "POST" else BoardForm(formdata=None)
    if request.method == "POST":
        if form.validate():

            def create():
                return services.create_board(
                    organization=organization,
                    user=current_user,
                    fields=_fields(form),
                )

            board = attempt(create, form)
            if board is not FAILED:
                flash(f"Set up “{board.name}”. Add its members and publish its scoring rubric next.", "success")
                return _to_board(board)
        return render_template("governance/boards/form.html", form=form, board=None), 422
    return render_template("governance/boards/form.html", form=form, board=None)


@bp.route("/boards/<int:board_id>/edit", methods=["GET", "POST"])
def edit_board(board_id: int):  # type: ignore[no-untyped-def]
    board = _managed_board(board_id)
    if request.method == "GET":
        return render_template("governance/boards/form.html", form=BoardForm(formdata=None, obj=board), board=board)
    form = BoardForm()
    if form.validate():
        changed = attempt(lambda: services.update_board(board, user=current_user, fields=_fields(form)), form)
        if changed is not FAILED:
            flash(f"Saved “{board.name}”." if changed else "Nothing had changed, so nothing was saved.", "success")
            return _to_board(board)
    return render_template("governance/boards/form.html", form=form, board=board), 422


@bp.post("/boards/<int:board_id>/archive")
def archive_board(board_id: int):  # type: ignore[no-untyped-def]
    board = _managed_board(board_id)
    restore = board.archived_at is not None
    action = services.restore_board if restore else services.archive_board
    if attempt(lambda: action(board, user=current_user)) is not FAILED:
        flash(
            f"Restored “{board.name}”."
            if restore
            else f"Archived “{board.name}”: it takes no new submissions; its records stay readable.",
            "success",
        )
    return _to_board(board)


# --- members -----------------------------------------------------------------------------------


def _load_member(board_id: int, member_id: int) -> tuple[Board, BoardMember]:
    board = load_board(board_id)
    member = next((m for m in board.members if m.id == member_id), None)
    ensure(member is not None)
    if not board.can_manage(current_user):
        abort(403)
    return board, member  # type: ignore[return-value]


@bp.post("/boards/<int:board_id>/members")
def add_member(board_id: int):  # type: ignore[no-untyped-def]
    board = _managed_board(board_id)
    form = MemberForm()
    if form.validate():
        person = db.session.get(User, form.user.data)
        ensure(person is not None and person.is_member_of(board.organization_id))
        row = attempt(
            lambda: services.add_member(
                board,
                user=current_user,
                member=person,  # type: ignore[arg-type]
                role=form.board_role.data or "",
            ),
            form,
        )
        if row is not FAILED:
            flash(f"Added {person.name} as {row.role_enum.label.lower()}.", "success")  # type: ignore[union-attr]
            return _to_board(board, "members")
        board = load_board(board_id)
    return _board_page(board, member_form=form, status=422)


@bp.post("/boards/<int:board_id>/members/<int:member_id>/role")
def change_member_role(board_id: int, member_id: int):  # type: ignore[no-untyped-def]
    board, member = _load_member(board_id, member_id)
    form = MemberRoleForm()
    if not form.validate():
        flash("Choose chair, secretary or member.", "error")
        return _to_board(board, "members")
    name = member.user.name
    changed = attempt(lambda: services.change_member_role(member, user=current_user, role=form.board_role.data or ""))
    if changed is not FAILED:
        flash(f"{name} is now {form.board_role.data}." if changed else "Nothing had changed.", "success")
    return _to_board(board, "members")


@bp.post("/boards/<int:board_id>/members/<int:member_id>/remove")
def remove_member(board_id: int, member_id: int):  # type: ignore[no-untyped-def]
    board, member = _load_member(board_id, member_id)
    name = member.user.name
    if attempt(lambda: services.remove_member(member, user=current_user)) is not FAILED:
        flash(f"Removed {name} from the board. Scores they already submitted stay with their reviews.", "success")
    return _to_board(board, "members")


# --- rubrics -----------------------------------------------------------------------------------


@bp.get("/boards/<int:board_id>/rubric")
def show_rubric(board_id: int):  # type: ignore[no-untyped-def]
    board = load_board(board_id)
    return render_template("governance/boards/rubric.html", board=board, rubric=board.current_rubric)


@bp.get("/boards/<int:board_id>/rubric/history")
def rubric_history(board_id: int):  # type: ignore[no-untyped-def]
    board = load_board(board_id)
    authors = {
        u.id: u
        for u in db.session.scalars(
            db.select(User).where(User.id.in_({r.created_by_id for r in board.rubrics if r.created_by_id}))
        )
    }
    return render_template(
        "governance/boards/rubric_history.html", board=board, rubrics=list(reversed(board.rubrics)), authors=authors
    )


def _criterion_data(criterion: RubricCriterion) -> dict[str, Any]:
    return {
        "name": criterion.name,
        "description": criterion.description,
        "weight": criterion.weight,
        **{f"level_{n}": text for n, text in enumerate(criterion.descriptors, start=1)},
    }


def _criteria(form: RubricForm) -> list[services.CriterionFields]:
    rows = [entry.form for entry in form.criteria if not entry.form.is_blank]
    return [
        services.CriterionFields(
            name=row.name.data or "",
            description=row.description.data or "",
            weight=row.weight.data or 0,
            descriptors=tuple(row[f"level_{n}"].data or "" for n in range(1, 6)),
        )
        for row in rows
    ]


@bp.route("/boards/<int:board_id>/rubric/edit", methods=["GET", "POST"])
def edit_rubric(board_id: int):  # type: ignore[no-untyped-def]
    board = _managed_board(board_id)
    if request.method == "GET":
        rows = [_criterion_data(c) for c in board.current_rubric.criteria] if board.current_rubric else []
        form = RubricForm(formdata=None, data={"criteria": rows + [{}] * BLANK_CRITERIA})
        return render_template("governance/boards/rubric_form.html", board=board, form=form, problems=[])
    form = RubricForm()
    problems: list[str] = []
    if form.validate():
        try:
            rubric = services.save_rubric(board, user=current_user, criteria=_criteria(form), note=form.note.data or "")
        except services.RubricRefused as refused:
            db.session.rollback()
            problems = refused.problems
        except PermissionDenied:
            db.session.rollback()
            abort(403)
        else:
            db.session.commit()
            flash(
                f"Published version {rubric.number} of the rubric. Reviews already submitted keep the version "
                "they were submitted with.",
                "success",
            )
            return redirect(url_for("governance.show_rubric", board_id=board.id))
    board = load_board(board_id)
    total = sum(row.form.weight.data or 0 for row in form.criteria)
    return render_template(
        "governance/boards/rubric_form.html", board=board, form=form, problems=problems, total=total
    ), 422


# --- a member's board work ---------------------------------------------------------------------


@bp.get("/boards/my-work")
def my_board_work():  # type: ignore[no-untyped-def]
    organization = current_organization()
    work = board_work(current_user, organization)
    return render_template("governance/boards/my_work.html", work=work)
