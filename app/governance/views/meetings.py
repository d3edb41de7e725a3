"""Governance pages: a board's meetings and their agendas.

Every member of the organization reads a meeting; the board's secretary or chair schedules it, keeps its agenda
and marks it held or cancelled.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from app.core.errors import ensure
from app.extensions import db
from app.governance.forms.meetings import AgendaForm, MeetingForm
from app.governance.models import AgendaItem, Board, Meeting, MeetingStatus, Review
from app.governance.services import meetings as services
from app.governance.services.scoring import summaries_for
from app.governance.views import bp
from app.governance.views.boards import FAILED, attempt, load_board


def _load(meeting_id: int) -> Meeting:
    meeting = services.meeting_detail(meeting_id)
    ensure(meeting is not None and meeting.board.can_view(current_user))
    return meeting  # type: ignore[return-value]


def _runnable(meeting_id: int) -> Meeting:
    meeting = _load(meeting_id)
    if not services.can_run_meetings(meeting.board, current_user):
        abort(403)
    return meeting


def _to_meeting(meeting: Meeting, anchor: str | None = None):  # type: ignore[no-untyped-def]
    return redirect(url_for("governance.show_meeting", meeting_id=meeting.id, _anchor=anchor))


def _fields(form: MeetingForm) -> services.MeetingFields:
    return services.MeetingFields(
        title=form.title.data or "",
        starts_at=services.to_utc(form.day.data, form.start_time.data),  # type: ignore[arg-type]
        location=form.location.data or "",
        notes=form.notes.data or "",
    )


def _form_page(form: MeetingForm, board: Board, meeting: Meeting | None = None, status: int = 200):  # type: ignore[no-untyped-def]
    return render_template(
        "governance/meetings/form.html", form=form, board=board, meeting=meeting, timezone=services.local_timezone().key
    ), status


@bp.route("/boards/<int:board_id>/meetings/new", methods=["GET", "POST"])
def new_meeting(board_id: int):  # type: ignore[no-untyped-def]
    board = load_board(board_id)
    if not services.can_run_meetings(board, current_user):
        abort(403)
    if request.method == "GET":
        return _form_page(MeetingForm(formdata=None, title=f"{board.name} meeting"), board)
    form = MeetingForm()
    if form.validate():
        meeting = attempt(lambda: services.schedule_meeting(board, user=current_user, fields=_fields(form)), form)
        if meeting is not FAILED:
            flash(f"Scheduled “{meeting.title}”. Add the reviews to discuss to its agenda.", "success")
            return _to_meeting(meeting)
    return _form_page(form, board, status=422)


@bp.get("/meetings/<int:meeting_id>")
def show_meeting(meeting_id: int):  # type: ignore[no-untyped-def]
    return _meeting_page(_load(meeting_id))


def _meeting_page(meeting: Meeting, agenda_form: AgendaForm | None = None, status: int = 200):  # type: ignore[no-untyped-def]
    can_run = services.can_run_meetings(meeting.board, current_user)
    form = agenda_form or AgendaForm(formdata=None)
    if can_run:
        form.review.choices = [SelectChoice("", "Choose an open review")] + [
            SelectChoice(str(r.id), r.subject_title) for r in services.agenda_candidates(meeting)
        ]
    return render_template(
        "governance/meetings/show.html",
        meeting=meeting,
        can_run=can_run,
        agenda_form=form,
        summaries=summaries_for([item.review_id for item in meeting.items]),
        statuses=list(MeetingStatus),
    ), status


@bp.route("/meetings/<int:meeting_id>/edit", methods=["GET", "POST"])
def edit_meeting(meeting_id: int):  # type: ignore[no-untyped-def]
    meeting = _runnable(meeting_id)
    if request.method == "GET":
        local = services.to_local(meeting.starts_at)
        form = MeetingForm(formdata=None, obj=meeting, day=local.date(), start_time=local.time())
        return _form_page(form, meeting.board, meeting)
    form = MeetingForm()
    if form.validate():
        changed = attempt(lambda: services.update_meeting(meeting, user=current_user, fields=_fields(form)), form)
        if changed is not FAILED:
            flash("Saved the meeting." if changed else "Nothing had changed, so nothing was saved.", "success")
            return _to_meeting(meeting)
    return _form_page(form, meeting.board, meeting, status=422)


@bp.post("/meetings/<int:meeting_id>/status")
def set_meeting_status(meeting_id: int):  # type: ignore[no-untyped-def]
    meeting = _runnable(meeting_id)
    status = request.form.get("status", "")
    if attempt(lambda: services.set_status(meeting, user=current_user, status=status)) is not FAILED:
        flash(f"The meeting is now {meeting.status}.", "success")
    return _to_meeting(meeting)


@bp.post("/meetings/<int:meeting_id>/agenda")
def add_agenda_item(meeting_id: int):  # type: ignore[no-untyped-def]
    meeting = _runnable(meeting_id)
    form = AgendaForm()
    if not form.validate():
        return _meeting_page(meeting, form, 422)
    review = db.session.get(Review, form.review.data)
    ensure(review is not None and review.organization_id == meeting.organization_id)
    item = attempt(lambda: services.add_agenda_item(meeting, user=current_user, review=review))  # type: ignore[arg-type]
    if item is not FAILED:
        flash(
            f"Added {review.subject_title} to the agenda. Members who have not scored it have been told.",  # type: ignore[union-attr]
            "success",
        )
    return _to_meeting(meeting, "agenda")


def _item(meeting_id: int, item_id: int) -> AgendaItem:
    meeting = _load(meeting_id)
    item = next((i for i in meeting.items if i.id == item_id), None)
    ensure(item is not None)
    if not services.can_run_meetings(meeting.board, current_user):
        abort(403)
    return item  # type: ignore[return-value]


@bp.post("/meetings/<int:meeting_id>/agenda/<int:item_id>/move")
def move_agenda_item(meeting_id: int, item_id: int):  # type: ignore[no-untyped-def]
    item = _item(meeting_id, item_id)
    direction = request.form.get("direction", "")
    attempt(lambda: services.move_agenda_item(item, user=current_user, direction=direction))
    return _to_meeting(item.meeting, "agenda")


@bp.post("/meetings/<int:meeting_id>/agenda/<int:item_id>/remove")
def remove_agenda_item(meeting_id: int, item_id: int):  # type: ignore[no-untyped-def]
    item = _item(meeting_id, item_id)
    meeting, title = item.meeting, item.review.subject_title
    if attempt(lambda: services.remove_agenda_item(item, user=current_user)) is not FAILED:
        flash(f"Took {title} off the agenda.", "success")
    return _to_meeting(meeting, "agenda")
