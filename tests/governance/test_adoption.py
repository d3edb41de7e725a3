"""The board's decision on a plan version (adopt or return), the adoption record, revising and publishing."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.auth.models import Role
from app.core.errors import DomainError, PermissionDenied
from app.extensions import db
from app.governance.models import Outcome, PlanVersion, PlanVersionStatus
from app.governance.services import adoption
from app.plans.models import Plan, PlanStatus
from tests.factories import create_user
from tests.governance.adoption_helpers import decide, edit, submit, visible, written_plan
from tests.governance.factories import create_board


@pytest.fixture
def plan_board(org, chair, members):
    return create_board(
        org=org, name="IT Governance Board", reviews_plans=True, members=[(chair, "chair"), (members[0], "member")]
    )


@pytest.fixture
def plan(org, editor):
    return written_plan(org=org, editor=editor)


def status_of(model, object_id) -> str:
    db.session.expire_all()
    return db.session.get(model, object_id).status


def test_adopting_an_unchanged_version_approves_the_plan_and_records_it(plan, editor, chair, plan_board):
    version = submit(plan, editor, plan_board)
    decision = decide(version, chair, Outcome.APPROVE)
    assert status_of(PlanVersion, version.id) == PlanVersionStatus.ADOPTED
    assert status_of(Plan, plan.id) == PlanStatus.APPROVED
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "plan.adopted"))
    changes = json.loads(event.changes)
    assert changes["board"] == "IT Governance Board"
    assert (changes["decision_id"], changes["version"]) == (decision.id, 1)
    assert changes["decided_on"] == decision.decided_at.date().isoformat()


def test_adopting_after_the_draft_moved_on_leaves_the_plan_a_draft(plan, editor, chair, plan_board):
    version = submit(plan, editor, plan_board)
    edit(visible(plan)[0], editor, "Changed while the board deliberated.")
    decide(version, chair, Outcome.APPROVE_WITH_CONDITIONS)
    assert status_of(PlanVersion, version.id) == PlanVersionStatus.ADOPTED
    assert status_of(Plan, plan.id) == PlanStatus.DRAFT


def test_a_newly_adopted_version_supersedes_the_earlier_one(plan, editor, chair, plan_board):
    first = submit(plan, editor, plan_board)
    decide(first, chair)
    adoption.start_next_revision(db.session.get(Plan, plan.id), user=editor)
    db.session.commit()
    edit(visible(plan)[0], editor, "Refreshed for the second year of the plan.")
    second = submit(plan, editor, plan_board)
    decide(second, chair)
    assert status_of(PlanVersion, first.id) == PlanVersionStatus.SUPERSEDED
    assert status_of(PlanVersion, second.id) == PlanVersionStatus.ADOPTED
    assert adoption.adoption_summary(plan.id).adopted.version.id == second.id


@pytest.mark.parametrize("outcome", [Outcome.DEFER, Outcome.REQUEST_CHANGES, Outcome.REJECT])
def test_other_outcomes_return_the_version_and_the_plan_to_draft(plan, editor, chair, plan_board, outcome):
    version = submit(plan, editor, plan_board)
    decide(version, chair, outcome)
    assert status_of(PlanVersion, version.id) == PlanVersionStatus.RETURNED
    assert status_of(Plan, plan.id) == PlanStatus.DRAFT
    assert db.session.scalar(select(AuditEvent.action).order_by(AuditEvent.id.desc()).limit(1)) == "plan.returned"


def test_the_plan_page_shows_the_adoption_record(editor_client, plan, editor, chair, plan_board):
    version = submit(plan, editor, plan_board)
    decision = decide(version, chair)
    page = editor_client.get(f"/plans/{plan.id}").get_data(as_text=True)
    assert "Adopted: version 1" in page and "Board: IT Governance Board" in page
    assert f"/decisions/{decision.id}" in page and "aligned with the Governor" in page


def test_an_admin_publishes_unpublishes_and_archives_an_adopted_plan(org, plan, editor, chair, plan_board, signed_in):
    admin = create_user(org=org, role=Role.ADMIN)
    client = signed_in(admin)
    refused = client.post(f"/plans/{plan.id}/status", data={"action": "publish"}, follow_redirects=True).get_data(
        as_text=True
    )
    assert "Only an approved plan whose version a board adopted can be published" in refused
    assert status_of(Plan, plan.id) == PlanStatus.DRAFT
    decide(submit(plan, editor, plan_board), chair)
    client.post(f"/plans/{plan.id}/status", data={"action": "publish"})
    assert status_of(Plan, plan.id) == PlanStatus.PUBLISHED
    client.post(f"/plans/{plan.id}/status", data={"action": "unpublish"})
    assert status_of(Plan, plan.id) == PlanStatus.APPROVED
    client.post(f"/plans/{plan.id}/status", data={"action": "archive"})
    assert status_of(Plan, plan.id) == PlanStatus.ARCHIVED
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"plan.publish", "plan.unpublish", "plan.archive"} <= actions


def test_an_approved_plan_without_an_adopted_version_cannot_be_published(org, editor):
    from tests.factories import create_plan

    admin = create_user(org=org, role=Role.ADMIN)
    approved = create_plan(org=org, owner=editor, status="approved")
    with pytest.raises(DomainError, match="Only an approved plan whose version a board adopted"):
        adoption.publish_plan(approved, user=admin)


def test_only_admins_publish(plan, editor, chair, plan_board, editor_client):
    decide(submit(plan, editor, plan_board), chair)
    assert editor_client.post(f"/plans/{plan.id}/status", data={"action": "publish"}).status_code == 403
    with pytest.raises(PermissionDenied):
        adoption.publish_plan(db.session.get(Plan, plan.id), user=editor)
    assert status_of(Plan, plan.id) == PlanStatus.APPROVED


def test_an_approved_plan_is_read_only_until_the_next_revision_starts(plan, editor, chair, plan_board, editor_client):
    decide(submit(plan, editor, plan_board), chair)
    assert not db.session.get(Plan, plan.id).is_editable
    editor_client.post(f"/plans/{plan.id}/status", data={"action": "revise"})
    assert status_of(Plan, plan.id) == PlanStatus.DRAFT
    assert adoption.adoption_summary(plan.id).adopted is not None  # the adopted version stays on record


def test_a_plan_with_a_version_in_review_cannot_be_archived(org, plan, editor, plan_board):
    admin = create_user(org=org, role=Role.ADMIN)
    submit(plan, editor, plan_board)
    with pytest.raises(DomainError, match="still with a board"):
        adoption.archive_plan(db.session.get(Plan, plan.id), user=admin)


def test_the_version_history_lists_board_and_decision(editor_client, plan, editor, chair, plan_board):
    decide(submit(plan, editor, plan_board, note="Consultation draft"), chair, Outcome.REQUEST_CHANGES)
    edit(visible(plan)[0], editor, "Answered the board's questions.")
    submit(plan, editor, plan_board)
    page = editor_client.get(f"/plans/{plan.id}/versions").get_data(as_text=True)
    assert "Version 2" in page and "Version 1" in page and "Consultation draft" in page
    assert "Request changes" in page and "Not yet decided" in page and "IT Governance Board" in page
