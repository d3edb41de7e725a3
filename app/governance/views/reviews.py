"""Governance pages: an initiative's business case and submission, the review page with scoring and recusal,
and the governance panel on the initiative page.

Any member of the organization reads a review. Board members score it; until a member has submitted (or
recused) they see only who has scored, never anyone's scores, comments or the aggregate.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy.orm import joinedload, selectinload
from wtforms.fields.choices import SelectChoice

from app.architecture.queries import intake_context
from app.auth.models import User
from app.core.errors import DomainError, PermissionDenied, ensure
from app.extensions import db
from app.governance.forms.reviews import BusinessCaseForm, RecusalForm, ScoreForm, SubmitForm, read_scores
from app.governance.models import Board, BoardMember, Review, Rubric, ScoreSheet
from app.governance.services import reviews as services
from app.governance.services.scoring import review_summary
from app.governance.views import bp
from app.governance.views.boards import FAILED, attempt
from app.portfolio import queries
from app.portfolio.models import Initiative
from app.portfolio.money import format_money
from app.portfolio.panels import register_panel


def _initiative(initiative_id: int) -> Initiative:
    initiative = db.session.scalar(queries.initiative_detail(initiative_id))
    ensure(initiative is not None and initiative.can_view(current_user))
    return initiative  # type: ignore[return-value]


def _editable(initiative_id: int) -> Initiative:
    initiative = _initiative(initiative_id)
    if not initiative.can_edit(current_user):
        abort(403)
    return initiative


def _to_initiative(initiative: Initiative):  # type: ignore[no-untyped-def]
    return redirect(url_for("portfolio.show_initiative", initiative_id=initiative.id, _anchor="governance"))


def _open_boards(organization_id: int) -> list[Board]:
    return list(
        db.session.scalars(
            db.select(Board)
            .where(Board.organization_id == organization_id, Board.archived_at.is_(None))
            .options(selectinload(Board.members), selectinload(Board.rubrics).selectinload(Rubric.criteria))
            .order_by(Board.name)
        )
    )


# --- business case -----------------------------------------------------------------------------


@bp.route("/initiatives/<int:initiative_id>/business-case", methods=["GET", "POST"])
def edit_business_case(initiative_id: int):  # type: ignore[no-untyped-def]
    initiative = _editable(initiative_id)
    if request.method == "GET":
        case = services.case_of(initiative)
        data = {
            "problem": initiative.problem,
            **{name: getattr(case, name) if case else "" for name in services.CASE_FIELDS},
        }
        form = BusinessCaseForm(formdata=None, data=data)
        return render_template("governance/reviews/business_case.html", initiative=initiative, form=form)
    form = BusinessCaseForm()
    if form.validate():
        fields = services.CaseFields(
            **{name: form[name].data or "" for name in services.CaseFields.__dataclass_fields__}
        )
        changed = attempt(lambda: services.save_business_case(initiative, user=current_user, fields=fields), form)
        if changed is not FAILED:
            flash("Saved the business case." if changed else "Nothing had changed, so nothing was saved.", "success")
            return _to_initiative(initiative)
    return render_template("governance/reviews/business_case.html", initiative=initiative, form=form), 422


# --- submission --------------------------------------------------------------------------------


def _submit_page(initiative: Initiative, form: SubmitForm, missing: list[str], status: int = 200):  # type: ignore[no-untyped-def]
    boards = _open_boards(initiative.organization_id)
    form.board.choices = [SelectChoice("", "Choose a board")] + [SelectChoice(str(b.id), b.name) for b in boards]
    return render_template(
        "governance/reviews/submit.html",
        initiative=initiative,
        form=form,
        missing=missing,
        general=services.missing_for_submission(initiative, None, services.case_of(initiative)),
        boards=boards,
        board_problems={b.id: services.board_problems(b) for b in boards},
    ), status


@bp.route("/initiatives/<int:initiative_id>/submit", methods=["GET", "POST"])
def submit_initiative(initiative_id: int):  # type: ignore[no-untyped-def]
    initiative = _editable(initiative_id)
    if request.method == "GET":
        return _submit_page(initiative, SubmitForm(formdata=None), [])
    form = SubmitForm()
    if not form.validate():
        return _submit_page(initiative, form, [], 422)
    board = db.session.get(Board, form.board.data)
    ensure(board is not None and board.organization_id == initiative.organization_id)
    try:
        review = services.submit_initiative(initiative, user=current_user, board=board)  # type: ignore[arg-type]
    except services.SubmissionRefused as refused:
        db.session.rollback()
        return _submit_page(_initiative(initiative_id), form, refused.missing, 422)
    except services.AlreadyDone as done:
        db.session.rollback()
        flash(str(done), "info")
        return _to_initiative(initiative)
    except PermissionDenied:
        db.session.rollback()
        abort(403)
    db.session.commit()
    flash(
        f"Submitted {initiative.code} to “{review.board.name}”. Its members have been told; you can follow "
        "the scoring on the review page.",
        "success",
    )
    return redirect(url_for("governance.show_review", review_id=review.id))


@bp.post("/reviews/<int:review_id>/withdraw")
def withdraw_review(review_id: int):  # type: ignore[no-untyped-def]
    review = _load_review(review_id)
    if review.initiative is None or not review.initiative.can_edit(current_user):
        abort(403)
    if attempt(lambda: services.withdraw_review(review, user=current_user)) is not FAILED:
        flash(f"Withdrew {review.subject_title} from “{review.board.name}”. Scoring has stopped.", "success")
    return redirect(url_for("governance.show_review", review_id=review.id))


# --- the review page ---------------------------------------------------------------------------


def _load_review(review_id: int) -> Review:
    review = db.session.scalar(
        db.select(Review)
        .where(Review.id == review_id)
        .options(
            joinedload(Review.board).selectinload(Board.members).joinedload(BoardMember.user),
            joinedload(Review.rubric).selectinload(Rubric.criteria),
            selectinload(Review.sheets).selectinload(ScoreSheet.scores),
            selectinload(Review.sheets).joinedload(ScoreSheet.user),
            joinedload(Review.initiative),
            joinedload(Review.plan_version),
            joinedload(Review.submitted_by),
        )
    )
    ensure(review is not None and review.can_view(current_user))
    return review  # type: ignore[return-value]


def _architecture(review: Review) -> Any:
    """The initiative's architecture answers as they stand, for the board (exceptions flagged)."""
    if review.initiative_id is None:
        return None
    return intake_context(review.initiative_id)["architecture"]


def _review_page(
    review: Review,
    *,
    entered: dict[str, Any] | None = None,
    problems: list[str] | None = None,
    recusal: RecusalForm | None = None,
    status: int = 200,
):  # type: ignore[no-untyped-def]
    summary = review_summary(review)
    member = review.board.member(current_user)
    sheet = services.sheet_of(review, current_user)
    finished = summary.has_finished(current_user)
    if entered is None and sheet is not None and sheet.submitted_at is None:
        entered = {
            "values": {s.criterion_id: s.value for s in sheet.scores},
            "comments": {s.criterion_id: s.comment for s in sheet.scores},
        }
    return render_template(
        "governance/reviews/show.html",
        review=review,
        summary=summary,
        member=member,
        sheet=sheet,
        show_scores=finished or member is None,
        can_score=member is not None and not finished and review.status == "open",
        entered=entered or {"values": {}, "comments": {}},
        problems=problems or [],
        recusal_form=recusal or RecusalForm(formdata=None),
        score_form=ScoreForm(formdata=None),
        case=review.business_case or {},
        architecture=_architecture(review),
        money=format_money,
        criterion_names={c.id: c.name for c in review.rubric.criteria},
        can_withdraw=review.status == "open"
        and review.initiative is not None
        and review.initiative.can_edit(current_user),
    ), status


@bp.get("/reviews/<int:review_id>")
def show_review(review_id: int):  # type: ignore[no-untyped-def]
    return _review_page(_load_review(review_id))


def _refuse_non_member(review: Review) -> None:
    if review.board.member(current_user) is None:
        abort(403)


@bp.post("/reviews/<int:review_id>/scores")
def save_scores(review_id: int):  # type: ignore[no-untyped-def]
    review = _load_review(review_id)
    _refuse_non_member(review)
    form = ScoreForm()
    final = form.action.data == "submit"
    values, comments, problems = read_scores(request.form, review.rubric.criteria)
    entered = {"values": values, "comments": comments}
    if not form.validate():
        problems.append("The form expired for security reasons; your scores are kept below. Submit again.")
    if problems:
        return _review_page(review, entered=entered, problems=problems, status=422)
    try:
        services.save_scores(review, user=current_user, values=values, comments=comments, final=final)
    except services.AlreadyDone as done:
        db.session.rollback()
        flash(str(done), "info")
        return redirect(url_for("governance.show_review", review_id=review_id))
    except DomainError as exc:
        db.session.rollback()
        return _review_page(_load_review(review_id), entered=entered, problems=[str(exc)], status=422)
    db.session.commit()
    flash(
        "Submitted your scores. You can now see the other members’ scores."
        if final
        else "Saved your draft. Nobody else can see it; submit when you are ready.",
        "success",
    )
    return redirect(url_for("governance.show_review", review_id=review_id, _anchor="scoring"))


@bp.post("/reviews/<int:review_id>/recuse")
def recuse(review_id: int):  # type: ignore[no-untyped-def]
    review = _load_review(review_id)
    _refuse_non_member(review)
    form = RecusalForm()
    if not form.validate():
        return _review_page(review, recusal=form, status=422)
    try:
        services.recuse(review, user=current_user, reason=form.reason.data or "")
    except services.AlreadyDone as done:
        db.session.rollback()
        flash(str(done), "info")
        return redirect(url_for("governance.show_review", review_id=review_id))
    except DomainError as exc:
        db.session.rollback()
        return _review_page(_load_review(review_id), problems=[str(exc)], status=422)
    db.session.commit()
    flash("You have recused yourself from this review. Your reason is shown with it.", "success")
    return redirect(url_for("governance.show_review", review_id=review_id))


# --- the initiative page's governance panel ----------------------------------------------------


def governance_panel(initiative: Initiative, user: User) -> Markup | None:
    """Reviews of the initiative for everyone; the business case and submission for editors (fixed statements)."""
    reviews = db.session.scalars(
        db.select(Review)
        .where(Review.initiative_id == initiative.id)
        .options(joinedload(Review.board))
        .order_by(Review.submitted_at.desc())
    ).all()
    can_edit = initiative.can_edit(user)
    context: dict[str, Any] = {"initiative": initiative, "reviews": reviews, "can_edit": can_edit}
    if can_edit:
        case = services.case_of(initiative)
        boards = _open_boards(initiative.organization_id)
        open_boards = {r.board_id for r in reviews if r.status == "open"}
        ready = [b for b in boards if not services.board_problems(b) and b.id not in open_boards]
        form = SubmitForm(formdata=None)
        form.board.choices = [SelectChoice("", "Choose a board")] + [SelectChoice(str(b.id), b.name) for b in ready]
        context |= {
            "case": case,
            "missing": services.missing_for_submission(initiative, None, case),
            "ready_boards": ready,
            "submit_form": form,
        }
    return Markup(render_template("governance/_initiative_panel.html", **context))  # noqa: S704 - our own template


register_panel("governance", governance_panel, order=10)
