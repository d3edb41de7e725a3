"""Governance pages: plan adoption — submit a plan to a board, read and comment on a frozen version, mark it
reviewed or step aside, the version history, compare versions, revise, publish, unpublish and archive.

Each view loads (404 for another organization's plan or version), authorizes, validates, calls one service,
commits once and redirects; a refused comment comes back on the version page with the text kept (422).
"""

from __future__ import annotations

import re
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.core.db import utcnow
from app.core.errors import DomainError, PermissionDenied, ensure
from app.extensions import db
from app.governance.forms.adoption import ButtonForm, CommentForm, RecusalForm, SubmitPlanForm
from app.governance.models import PlanVersion, PlanVersionSection, Review, SectionComment
from app.governance.services import adoption
from app.governance.services.plan_compare import compare
from app.governance.views import bp
from app.plans import snapshots
from app.plans.models import Plan
from app.plans.views.shared import load_plan, run_service
from app.portfolio.blocks import FENCE_WORD

_LIVE_BLOCK = re.compile(rf"^\s*(```|~~~)\s*{FENCE_WORD}\b", re.M | re.I)


def plan_adoption(plan: Plan) -> adoption.AdoptionSummary:
    """For the plan page: the adopted version, the version with a board now, and how many there are."""
    return adoption.adoption_summary(plan.id)


bp.add_app_template_global(plan_adoption, "plan_adoption")


# --- loading ------------------------------------------------------------------------------------------


def _load_version(version_id: int) -> PlanVersion:
    version = db.get_or_404(PlanVersion, version_id)
    ensure(version.plan.can_view(current_user))
    loaded = adoption.load_version(version.plan_id, version_id=version_id)
    assert loaded is not None  # noqa: S101 - it was found just above
    return loaded


# --- submitting -----------------------------------------------------------------------------------------


@bp.route("/plans/<int:plan_id>/submit", methods=["GET", "POST"])
def submit_plan(plan_id: int):  # type: ignore[no-untyped-def]
    plan = load_plan(plan_id)
    if not plan.can_edit(current_user):
        abort(403)
    boards = adoption.plan_boards(plan.organization_id)
    form = SubmitPlanForm()
    form.board.choices = [(b.id, b.name) for b in boards]
    if form.validate_on_submit():
        board = next(b for b in boards if b.id == form.board.data)
        version = run_service(
            lambda: adoption.submit_plan(plan, user=current_user, board=board, note=form.note.data or "")
        )
        if version is not None:
            flash(f"Submitted version {version.number} to {board.name}. Its members have been told.", "success")
            return redirect(url_for("governance.show_plan_version", version_id=version.id))
    status = 422 if form.errors or request.method == "POST" else 200
    summary = adoption.adoption_summary(plan.id)
    return render_template(
        "governance/adoption/submit.html", plan=plan, form=form, boards=boards, summary=summary
    ), status


# --- a frozen version -----------------------------------------------------------------------------------


@bp.get("/plan-versions/<int:version_id>")
def show_plan_version(version_id: int):  # type: ignore[no-untyped-def]
    return _version_page(_load_version(version_id))


def _version_page(  # type: ignore[no-untyped-def]
    version: PlanVersion, *, status: int = 200, failed: dict[str, Any] | None = None
):
    review = adoption.review_of(version)
    user_sheet = adoption.sheet_of(review, current_user) if review else None
    member = adoption.board_member(review, current_user) if review else None
    frozen = snapshots.data_for(version)
    blocks = snapshots.FrozenBlocks(frozen)  # one for the page, so every block has its own id
    return render_template(
        "governance/adoption/version.html",
        version=version,
        plan=version.plan,
        review=review,
        decision=review.current_decision if review else None,
        member=member,
        sheet=user_sheet,
        can_comment=adoption.can_comment(version, review, current_user) and version.status == "in_review",
        threads=adoption.comments_by_section(version),
        rendered={s.id: snapshots.render_frozen_markdown(frozen, s.body, blocks) for s in version.sections},
        frozen=frozen,
        has_live_blocks=any(_LIVE_BLOCK.search(s.body) for s in version.sections),
        today=utcnow().date(),
        failed=failed or {},
        recusal_form=RecusalForm(formdata=None) if failed is None or "reason" not in failed else failed["form"],
        button_form=ButtonForm(),
    ), status


@bp.post("/plan-versions/<int:version_id>/comments")
def add_section_comment(version_id: int):  # type: ignore[no-untyped-def]
    version = _load_version(version_id)
    review = adoption.review_of(version)
    if not adoption.can_comment(version, review, current_user):
        abort(403)
    form = CommentForm()
    found = next((s for s in version.sections if s.id == form.section.data), None)
    ensure(found is not None)
    section: PlanVersionSection = found  # type: ignore[assignment]
    parent = _parent_comment(section, form.parent.data)
    typed = {"section": section.id, "parent": parent.id if parent else None, "body": request.form.get("body", "")}
    typed["quote"] = request.form.get("quote", "")
    if not form.validate():
        errors = [str(m) for messages in form.errors.values() for m in messages]
        return _version_page(version, status=422, failed={**typed, "errors": errors})
    try:
        comment = adoption.add_comment(
            section,
            user=current_user,
            review=review,
            body=form.body.data or "",
            quote=form.quote.data or "",
            parent=parent,
        )
    except PermissionDenied:
        db.session.rollback()
        abort(403)
    except DomainError as exc:
        db.session.rollback()
        version = _load_version(version_id)
        return _version_page(version, status=422, failed={**typed, "errors": [str(exc)]})
    db.session.commit()
    flash("Your reply was added." if parent else f"Your comment on “{section.title}” was added.", "success")
    return redirect(url_for("governance.show_plan_version", version_id=version_id, _anchor=f"comment-{comment.id}"))


def _parent_comment(section: PlanVersionSection, parent_id: int | None) -> SectionComment | None:
    if parent_id is None:
        return None
    parent = db.session.get(SectionComment, parent_id)
    ensure(parent is not None and parent.version_section_id == section.id)
    return parent


def _load_comment(comment_id: int) -> tuple[SectionComment, Review | None]:
    comment = db.get_or_404(SectionComment, comment_id)
    version = comment.version_section.version
    ensure(version.plan.can_view(current_user))
    return comment, adoption.review_of(version)


@bp.post("/plan-comments/<int:comment_id>/resolution")
def set_comment_resolution(comment_id: int):  # type: ignore[no-untyped-def]
    """Resolve (``resolved=1``) or reopen (``resolved=0``) a comment thread."""
    comment, review = _load_comment(comment_id)
    resolved = request.form.get("resolved") == "1"
    changed = run_service(lambda: adoption.set_resolved(comment, user=current_user, review=review, resolved=resolved))
    if changed is not None:
        message = ("Resolved the comment." if resolved else "Reopened the comment.") if changed else "Nothing changed."
        flash(message, "success" if changed else "info")
    version_id = comment.version_section.version_id
    return redirect(url_for("governance.show_plan_version", version_id=version_id, _anchor=f"comment-{comment_id}"))


def _member_review(version: PlanVersion) -> Review:
    review = adoption.review_of(version)
    if review is None or adoption.board_member(review, current_user) is None:
        abort(403)
    return review


@bp.post("/plan-versions/<int:version_id>/reviewed")
def mark_version_reviewed(version_id: int):  # type: ignore[no-untyped-def]
    version = _load_version(version_id)
    review = _member_review(version)
    if run_service(lambda: adoption.mark_reviewed(review, user=current_user)):
        flash(f"Marked version {version.number} as reviewed. Thank you.", "success")
    return redirect(url_for("governance.show_plan_version", version_id=version_id, _anchor="your-review"))


@bp.post("/plan-versions/<int:version_id>/recuse")
def recuse_from_version(version_id: int):  # type: ignore[no-untyped-def]
    version = _load_version(version_id)
    review = _member_review(version)
    form = RecusalForm()
    if not form.validate():
        return _version_page(version, status=422, failed={"reason": True, "form": form})
    if run_service(lambda: adoption.recuse(review, user=current_user, reason=form.reason.data or "")):
        flash(f"You stepped aside from the review of version {version.number}.", "success")
    return redirect(url_for("governance.show_plan_version", version_id=version_id, _anchor="your-review"))


# --- history and compare ------------------------------------------------------------------------------


@bp.get("/plans/<int:plan_id>/versions")
def plan_versions(plan_id: int):  # type: ignore[no-untyped-def]
    plan = load_plan(plan_id)
    return render_template("governance/adoption/versions.html", plan=plan, entries=adoption.version_history(plan.id))


def _snapshot(plan: Plan, which: str | None) -> adoption.Snapshot | None:
    if which in (None, "", "draft"):
        return adoption.snapshot_of_draft(plan)
    if not which.isdigit():
        return None
    version = adoption.load_version(plan.id, number=int(which))
    return adoption.snapshot_of_version(version) if version else None


@bp.get("/plans/<int:plan_id>/compare")
def compare_plan_versions(plan_id: int):  # type: ignore[no-untyped-def]
    plan = load_plan(plan_id)
    which_old, which_new = request.args.get("from", ""), request.args.get("to", "draft")
    if not which_old:  # "what changed since the board last saw it"
        latest = adoption.adoption_summary(plan.id).latest_submitted
        if latest is None:
            flash("This plan has not been submitted to a board yet, so there is no version to compare.", "info")
            return redirect(url_for("plans.show_plan", plan_id=plan_id))
        which_old = str(latest.number)
    old, new = _snapshot(plan, which_old), _snapshot(plan, which_new)
    if old is None or new is None:
        flash("Choose two versions of this plan to compare.", "error")
        return redirect(url_for("governance.plan_versions", plan_id=plan_id))
    return render_template(
        "governance/adoption/compare.html",
        plan=plan,
        comparison=compare(old, new),
        which_old=which_old,
        which_new=which_new,
        numbers=[e.version.number for e in adoption.version_history(plan.id)],
    )


# --- revising, publishing, archiving -------------------------------------------------------------------


STATUS_ACTIONS = {
    "revise": (
        adoption.start_next_revision,
        "“{title}” is a draft again. The adopted version stays on record until a board adopts the next one.",
    ),
    "publish": (adoption.publish_plan, "Published “{title}”."),
    "unpublish": (adoption.unpublish_plan, "Unpublished “{title}”; it is approved again."),
    "archive": (adoption.archive_plan, "Archived “{title}”. It is kept, read-only."),
}


@bp.post("/plans/<int:plan_id>/status")
def change_plan_status(plan_id: int):  # type: ignore[no-untyped-def]
    """Start the next revision (editors), publish, unpublish or archive (administrators)."""
    plan = load_plan(plan_id)
    action, message = STATUS_ACTIONS.get(request.form.get("action", ""), (None, ""))
    if action is None:
        flash("Choose what to do with the plan.", "error")
    elif run_service(lambda: action(plan, user=current_user)):
        flash(message.format(title=plan.title), "success")
    return redirect(url_for("plans.show_plan", plan_id=plan_id))
