"""Governance pages: recording decisions and corrections, the decision log (with CSV/Excel export), one decision,
and the decision panel on the initiative page.

The log and the panel are read by every member of the organization; only the board's chair records.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload
from werkzeug.datastructures import MultiDict
from wtforms.fields.choices import SelectChoice

from app.auth.context import current_organization
from app.auth.models import Organization, User
from app.auth.reauth import require_recent_auth
from app.auth.services import discard_form_drafts, latest_form_draft
from app.core.db import UTC
from app.core.errors import PermissionDenied, ensure
from app.core.forms import int_param
from app.exports.pages import ensure_format, export_file
from app.exports.spreadsheets import Column, Kind, Sheet
from app.extensions import db
from app.governance.forms.decisions import OUTCOME_HINTS, DecisionForm
from app.governance.models import Board, Decision, Meeting, MeetingStatus, Outcome, Review, ReviewKind
from app.governance.services import decisions as service
from app.governance.services.inbox import app_path
from app.governance.services.ranking import weighted_score
from app.governance.views import bp
from app.portfolio import queries as portfolio_queries
from app.portfolio.models import Initiative, ObjectiveLink
from app.portfolio.money import format_money
from app.portfolio.panels import register_panel

PER_PAGE = 25
FILTER_ARGS = ("board", "outcome", "from", "to", "objective")


# --- recording -------------------------------------------------------------------------------------------


def _load_review(review_id: int) -> Review:
    review = db.session.get(Review, review_id)
    ensure(review is not None and review.can_view(current_user))
    return review  # type: ignore[return-value]


def _load_decision(decision_id: int) -> Decision:
    decision = db.session.get(Decision, decision_id)
    ensure(decision is not None and current_user.is_member_of(decision.organization_id))
    return decision  # type: ignore[return-value]


def _meeting_choices(form: DecisionForm, board: Board) -> None:
    meetings = db.session.scalars(
        select(Meeting)
        .where(Meeting.board_id == board.id, Meeting.status != MeetingStatus.CANCELLED.value)
        .order_by(Meeting.starts_at.desc())
    ).all()
    form.meeting.choices = [SelectChoice("", "Not at a meeting")] + [
        SelectChoice(str(m.id), f"{m.title}, {m.starts_at:%-d %b %Y}") for m in meetings
    ]


def _values(form: DecisionForm) -> service.DecisionInput:
    return service.DecisionInput(
        outcome=form.outcome.data or "",
        rationale=form.rationale.data or "",
        conditions=form.conditions.data or "",
        meeting_id=form.meeting_id(),
    )


def _decide_page(  # type: ignore[no-untyped-def]
    review: Review, form: DecisionForm, *, correcting: Decision | None = None, status: int = 200, refusal: str = ""
):
    return render_template(
        "governance/decisions/record.html",
        review=review,
        form=form,
        correcting=correcting,
        quorum=service.quorum(review),
        score=weighted_score(review),
        review_url=app_path("governance.show_review", "", review_id=review.id),
        outcome_hints=OUTCOME_HINTS,
        refusal=refusal,
    ), status


def _save(review: Review, form: DecisionForm, action: Any, *, correcting: Decision | None = None):  # type: ignore[no-untyped-def]
    """Validate, run the service, commit once; a refusal shows the form again with the user's text (422)."""
    if not form.validate():
        return _decide_page(review, form, correcting=correcting, status=422)
    try:
        decision = action(_values(form))
    except PermissionDenied:
        db.session.rollback()
        abort(403)
    except service.AlreadyRecorded as exc:
        db.session.rollback()
        flash(str(exc), "warning")
        return redirect(url_for("governance.list_decisions", review=review.id))
    except service.DecisionRefused as exc:
        db.session.rollback()
        if exc.field and exc.field in form:
            form[exc.field].errors = [*form[exc.field].errors, str(exc)]
            return _decide_page(_load_review(review.id), form, correcting=correcting, status=422)
        return _decide_page(_load_review(review.id), form, correcting=correcting, status=422, refusal=str(exc))
    discard_form_drafts(current_user, request.path)
    db.session.commit()
    flash(f"Recorded decision #{decision.id}: {decision.outcome_enum.label.lower()}.", "success")
    return redirect(url_for("governance.show_decision", decision_id=decision.id))


def _form_with_draft(**defaults: Any) -> DecisionForm:
    """The decision form, with the text the chair typed before being asked to confirm it was them, if any."""
    draft = latest_form_draft(current_user, request.path)
    if not draft:
        return DecisionForm(formdata=None, **defaults)
    flash("Your unsaved text from before you confirmed it was you has been put back. Check it and record.", "info")
    return DecisionForm(formdata=MultiDict(draft))


@bp.route("/reviews/<int:review_id>/decision", methods=["GET", "POST"])
@require_recent_auth  # recording a decision is a sensitive action (SECURITY.md R10)
def record_decision(review_id: int):  # type: ignore[no-untyped-def]
    review = _load_review(review_id)
    if not service.is_chair(review.board, current_user):
        abort(403)
    if review.decisions:
        flash(service._already(review), "info")
        return redirect(url_for("governance.show_decision", decision_id=review.current_decision.id))  # type: ignore[union-attr]
    form = _form_with_draft() if request.method == "GET" else DecisionForm()
    _meeting_choices(form, review.board)
    if request.method == "GET":
        return _decide_page(review, form)
    return _save(review, form, lambda values: service.record_decision(review, user=current_user, values=values))


@bp.route("/decisions/<int:decision_id>/correct", methods=["GET", "POST"])
@require_recent_auth
def correct_decision(decision_id: int):  # type: ignore[no-untyped-def]
    decision = _load_decision(decision_id)
    review = decision.review
    if not service.is_chair(review.board, current_user):
        abort(403)
    current = review.current_decision
    if current is not None and current.id != decision.id:
        flash(f"Decision #{decision.id} was already corrected by #{current.id}; correct that one instead.", "info")
        return redirect(url_for("governance.show_decision", decision_id=current.id))
    if request.method == "GET":
        form = _form_with_draft(
            outcome=decision.outcome,
            conditions=decision.conditions,
            meeting=str(decision.meeting_id or ""),
            rationale=f"Correction of decision #{decision.id}: (say why it is corrected)\n\n{decision.rationale}",
        )
        _meeting_choices(form, review.board)
        return _decide_page(review, form, correcting=decision)
    form = DecisionForm()
    _meeting_choices(form, review.board)
    return _save(
        review,
        form,
        lambda values: service.correct_decision(decision, user=current_user, values=values),
        correcting=decision,
    )


# --- the decision log ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LogFilters:
    board_id: int | None = None
    outcome: str = ""
    date_from: date | None = None
    date_to: date | None = None
    objective_id: int | None = None
    review_id: int | None = None


def _day(raw: str | None) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def _filters() -> LogFilters:
    args = request.args
    return LogFilters(
        board_id=int_param("board"),
        outcome=args.get("outcome", "") if args.get("outcome") in set(Outcome) else "",
        date_from=_day(args.get("from")),
        date_to=_day(args.get("to")),
        objective_id=int_param("objective"),
        review_id=int_param("review"),
    )


def decision_log(organization: Organization, filters: LogFilters) -> Select[Decision]:
    """The organization's decisions, newest first, with what the log shows loaded in the same statement."""
    query = (
        select(Decision)
        .where(Decision.organization_id == organization.id)
        .options(
            joinedload(Decision.board),
            joinedload(Decision.decided_by),
            joinedload(Decision.review).joinedload(Review.initiative),
            joinedload(Decision.review).joinedload(Review.plan_version),
        )
        .order_by(Decision.decided_at.desc(), Decision.id.desc())
    )
    if filters.board_id:
        query = query.where(Decision.board_id == filters.board_id)
    if filters.outcome:
        query = query.where(Decision.outcome == filters.outcome)
    if filters.date_from:
        query = query.where(Decision.decided_at >= datetime.combine(filters.date_from, time.min, UTC))
    if filters.date_to:
        query = query.where(Decision.decided_at < datetime.combine(filters.date_to + timedelta(days=1), time.min, UTC))
    if filters.review_id:
        query = query.where(Decision.review_id == filters.review_id)
    if filters.objective_id:
        linked = select(ObjectiveLink.initiative_id).where(ObjectiveLink.objective_id == filters.objective_id)
        query = query.where(
            Decision.review_id.in_(
                select(Review.id).where(Review.kind == ReviewKind.INITIATIVE.value, Review.initiative_id.in_(linked))
            )
        )
    return query


def item_link(review: Review) -> str:
    if review.initiative_id is not None:
        return url_for("portfolio.show_initiative", initiative_id=review.initiative_id)
    assert review.plan_version is not None  # noqa: S101 - a plan review has a version
    return url_for("plans.show_plan", plan_id=review.plan_version.plan_id)


@bp.get("/decisions")
def list_decisions():  # type: ignore[no-untyped-def]
    organization = current_organization()
    filters = _filters()
    page = db.paginate(decision_log(organization, filters), per_page=PER_PAGE, error_out=False)
    decisions = list(page.items)
    filter_args = {k: v for k, v in request.args.items() if k in (*FILTER_ARGS, "review") and v}
    return render_template(
        "governance/decisions/list.html",
        page=page,
        decisions=decisions,
        superseded_by=service.superseding([d.id for d in decisions]),
        boards=db.session.scalars(
            select(Board).where(Board.organization_id == organization.id).order_by(Board.name)
        ).all(),
        objectives=db.session.scalars(portfolio_queries.objectives_for(organization)).all(),
        outcomes=list(Outcome),
        filters=filters,
        filter_args=filter_args,
        item_link=item_link,
        money=format_money,
    )


@bp.get("/decisions/<int:decision_id>")
def show_decision(decision_id: int):  # type: ignore[no-untyped-def]
    decision = _load_decision(decision_id)
    review = decision.review
    later = service.superseding([decision.id])
    return render_template(
        "governance/decisions/show.html",
        decision=decision,
        review=review,
        superseded_by=later.get(decision.id),
        history=list(review.decisions),
        can_correct=service.is_chair(review.board, current_user) and decision.id not in later,
        item_link=item_link(review),
        review_url=app_path("governance.show_review", "", review_id=review.id),
        meeting=db.session.get(Meeting, decision.meeting_id) if decision.meeting_id else None,
    )


EXPORT_COLUMNS = (
    Column("Decision", Kind.INTEGER, 10),
    Column("Date (UTC)", Kind.DATE, 12),
    Column("Board", width=28),
    Column("Item", width=40),
    Column("Outcome", width=22),
    Column("Rationale", width=60),
    Column("Conditions", width=40),
    Column("Chair", width=24),
    Column("Weighted score", Kind.NUMBER, 10),
    Column("Members scored", Kind.INTEGER, 10),
    Column("Supersedes", Kind.INTEGER, 10),
    Column("Superseded by", Kind.INTEGER, 10),
)
MAX_EXPORT_ROWS = 10_000


@bp.get("/decisions/export.<fmt>")
def export_decisions(fmt: str):  # type: ignore[no-untyped-def]
    """The decision log with the page's filters, every page, as CSV or Excel (cells neutralised by the writer)."""
    ensure_format(fmt)
    organization = current_organization()
    decisions = db.session.scalars(decision_log(organization, _filters()).limit(MAX_EXPORT_ROWS)).unique().all()
    later = service.superseding([d.id for d in decisions])
    rows = [
        [
            d.id,
            d.decided_at.date(),
            d.board.name,
            d.review.subject_title,
            d.outcome_enum.label,
            d.rationale,
            d.conditions,
            d.decided_by.name,
            d.weighted_score,
            d.scored_by,
            d.supersedes_id,
            later.get(d.id),
        ]
        for d in decisions
    ]
    sheet = Sheet(title="Decisions", columns=EXPORT_COLUMNS, rows=rows)
    details = {"filters": {k: v for k, v in request.args.items() if k in FILTER_ARGS and v}}
    return export_file(sheet, fmt=fmt, organization=organization, noun="decisions", details=details)


# --- the panel on the initiative page ------------------------------------------------------------------


def initiative_decisions(initiative_id: int) -> list[Decision]:
    """Every decision on the initiative's reviews, oldest first (one statement)."""
    return list(
        db.session.scalars(
            select(Decision)
            .join(Review, Review.id == Decision.review_id)
            .where(Review.initiative_id == initiative_id)
            .options(joinedload(Decision.board), joinedload(Decision.decided_by))
            .order_by(Decision.decided_at, Decision.id)
        ).all()
    )


def decision_panel(initiative: Initiative, user: User) -> Markup | None:
    """The current decision on the initiative (rationale, conditions, board, date) and the earlier ones."""
    decisions = initiative_decisions(initiative.id)
    if not decisions:
        return None
    corrected = {d.supersedes_id: d.id for d in decisions if d.supersedes_id}
    current = next((d for d in reversed(decisions) if d.id not in corrected), decisions[-1])
    history = [d for d in decisions if d.id != current.id]
    return Markup(  # noqa: S704 - a rendered, autoescaped template
        render_template(
            "governance/_decision_panel.html",
            current=current,
            history=list(reversed(history)),
            corrected=corrected,
        )
    )


register_panel("decision", decision_panel, order=11)
