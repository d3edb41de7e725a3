"""An initiative's ties to services and answers to principles, and the architecture panel on its page."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup
from wtforms.fields.choices import SelectChoice

from app.architecture import queries, services, similarity
from app.architecture.forms import AnswerForm, TieForm
from app.architecture.models import Answer, InitiativeService, Principle, PrincipleAnswer, Relation, SharedService
from app.architecture.views.shared import FAILED, _attempt, bp
from app.auth.models import User
from app.core.errors import ensure
from app.extensions import db
from app.portfolio.models import Initiative
from app.portfolio.panels import register_panel


def _load_initiative(initiative_id: int) -> Initiative:
    initiative = db.session.get(Initiative, initiative_id)
    ensure(initiative is not None and initiative.can_view(current_user))
    if not initiative.can_edit(current_user):  # type: ignore[union-attr]
        abort(403)
    return initiative  # type: ignore[return-value]


def _back(initiative_id: int):  # type: ignore[no-untyped-def]
    return redirect(url_for("portfolio.show_initiative", initiative_id=initiative_id, _anchor="architecture"))


def _tie_choices(form: TieForm, initiative: Initiative) -> list[SharedService]:
    found = list(db.session.scalars(queries.visible_services(initiative.organization)))
    form.service.choices = [SelectChoice("", "Choose a service")] + [SelectChoice(str(s.id), s.name) for s in found]
    return found


@bp.post("/initiatives/<int:initiative_id>/services")
def tie_service(initiative_id: int):  # type: ignore[no-untyped-def]
    initiative = _load_initiative(initiative_id)
    form = TieForm(prefix="tie")
    available = {str(s.id): s for s in _tie_choices(form, initiative)}
    raw = form.service.data or ""
    if raw and raw not in available:
        ensure(False)  # a service this office may not use: "not found", never "forbidden"
    service = available.get(raw)

    def tie() -> None:
        if service is None:
            raise services.FieldError("service", "Choose a service from the list.")
        services.tie_service(
            initiative, user=current_user, service=service, relation=form.relation.data or "", note=form.note.data or ""
        )

    if form.validate() and _attempt(tie, form) is not FAILED:
        flash(f"{initiative.code} now {form.relation.data} {service.name if service else ''}.", "success")
        return _back(initiative.id)
    return render_template("architecture/tie_form.html", form=form, initiative=initiative), 422


def _load_tie(tie_id: int, initiative_id: int) -> InitiativeService:
    tie = db.session.get(InitiativeService, tie_id)
    ensure(tie is not None and tie.initiative_id == initiative_id)
    _load_initiative(initiative_id)
    return tie  # type: ignore[return-value]


@bp.post("/initiatives/<int:initiative_id>/services/<int:tie_id>/delete")
def untie_service(initiative_id: int, tie_id: int):  # type: ignore[no-untyped-def]
    tie = _load_tie(tie_id, initiative_id)
    message = f"{tie.initiative.code} no longer {tie.relation} {tie.service.name}."
    if _attempt(lambda: services.untie_service(tie, user=current_user)) is not FAILED:
        flash(message, "success")
    return _back(initiative_id)


def _load_principle_for(initiative: Initiative, principle_id: int) -> Principle:
    principle = db.session.get(Principle, principle_id)
    ensure(principle is not None and principle.organization_id == initiative.organization_id)
    return principle  # type: ignore[return-value]


@bp.route("/initiatives/<int:initiative_id>/principles/<int:principle_id>", methods=["GET", "POST"])
def answer_principle(initiative_id: int, principle_id: int):  # type: ignore[no-untyped-def]
    initiative = _load_initiative(initiative_id)
    principle = _load_principle_for(initiative, principle_id)
    current = db.session.scalar(
        db.select(PrincipleAnswer).where(
            PrincipleAnswer.initiative_id == initiative.id, PrincipleAnswer.principle_id == principle.id
        )
    )
    page = lambda form, status=200: (  # noqa: E731
        render_template("architecture/answer_form.html", form=form, initiative=initiative, principle=principle),
        status,
    )
    if request.method == "GET":
        return page(AnswerForm(formdata=None, obj=current))
    form = AnswerForm()
    answer = lambda: services.answer_principle(  # noqa: E731
        initiative,
        user=current_user,
        principle=principle,
        answer=form.answer.data or "",
        justification=form.justification.data or "",
    )
    if form.validate() and (changed := _attempt(answer, form)) is not FAILED:
        verb = "is an exception to" if form.answer.data == Answer.EXCEPTION.value else "complies with"
        message = f"{initiative.code} {verb} “{principle.title}”."
        flash(message if changed else "Nothing had changed, so nothing was saved.", "success")
        return _back(initiative.id)
    return page(form, 422)


@bp.post("/initiatives/<int:initiative_id>/answers/<int:answer_id>/delete")
def clear_answer(initiative_id: int, answer_id: int):  # type: ignore[no-untyped-def]
    answer = db.session.get(PrincipleAnswer, answer_id)
    ensure(answer is not None and answer.initiative_id == initiative_id)
    _load_initiative(initiative_id)
    title = answer.principle.title  # type: ignore[union-attr]
    if _attempt(lambda: services.clear_answer(answer, user=current_user)) is not FAILED:  # type: ignore[arg-type]
        flash(f"Cleared the answer to “{title}”; it is unanswered again.", "success")
    return _back(initiative_id)


def architecture_panel(initiative: Initiative, user: User) -> Markup | None:
    """Services reused and delivered, answers to the principles (unanswered ones listed) and similar work.

    A fixed number of statements: ties (3), answers (1), services to choose (1, editors), similar work (2–5).
    """
    can_edit = initiative.can_edit(user)
    ties = queries.initiative_ties(initiative.id)
    form = None
    if can_edit:
        form = TieForm(formdata=None, prefix="tie")
        _tie_choices(form, initiative)
    rows = queries.answer_rows(initiative)
    return Markup(  # noqa: S704 - autoescaped template
        render_template(
            "architecture/_panel.html",
            initiative=initiative,
            reuses=[t for t in ties if t.relation == Relation.REUSES.value],
            delivers=[t for t in ties if t.relation == Relation.DELIVERS.value],
            rows=rows,
            unanswered=[r for r in rows if r.answer is None],
            form=form,
            can_edit=can_edit,
            matches=similarity.similar_work(initiative, user),
        )
    )


register_panel("architecture", architecture_panel, order=40)
