"""Submitting a plan: the frozen version, its numbering, the review it goes to, refusals, and editing after."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.auth.models import Role
from app.core.errors import DomainError, PermissionDenied
from app.extensions import db
from app.governance.models import PlanVersion, PlanVersionStatus, Review, ReviewKind
from app.governance.services import adoption
from app.plans import services as plan_services
from app.plans.models import Plan, PlanStatus
from tests.factories import create_user
from tests.governance.adoption_helpers import edit, submit, visible, written_plan
from tests.governance.factories import create_board
from tests.portfolio.factories import create_initiative


@pytest.fixture
def plan_board(org, chair, members):
    return create_board(
        org=org, name="IT Governance Board", reviews_plans=True, members=[(chair, "chair"), (members[0], "member")]
    )


@pytest.fixture
def plan(org, editor):
    return written_plan(org=org, editor=editor)


def actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_submitting_freezes_every_section_and_sends_the_version_to_the_board(plan, editor, plan_board):
    plan_services.remove_section(visible(plan)[-1], user=editor)
    db.session.commit()
    version = submit(plan, editor, plan_board, note="First full draft")
    sections = visible(plan)
    assert version.number == 1 and version.status == PlanVersionStatus.IN_REVIEW
    assert (version.title, version.first_fiscal_year, version.last_fiscal_year) == (plan.title, 2027, 2030)
    assert [(s.key, s.title, s.body, s.position) for s in version.sections] == [
        (s.key, s.title, s.body, n) for n, s in enumerate(sections, start=1)
    ]
    review = db.session.scalar(select(Review).where(Review.plan_version_id == version.id))
    assert review.kind == ReviewKind.PLAN and review.board_id == plan_board.id
    assert review.rubric_id == plan_board.current_rubric.id
    assert db.session.get(Plan, plan.id).status == PlanStatus.IN_REVIEW
    assert actions()[-1] == "plan.submit"


def test_the_version_keeps_its_text_when_the_plan_is_edited_later(plan, editor, plan_board):
    version = submit(plan, editor, plan_board)
    frozen = version.sections[0].body
    edit(visible(plan)[0], editor, "A completely new executive summary.")
    db.session.expire_all()
    assert db.session.get(PlanVersion, version.id).sections[0].body == frozen


def test_the_scope_is_frozen_with_codes_titles_and_statuses(org, editor, plan, plan_board):
    create_initiative(org=org, user=editor, code="INI-0007", title="Unified benefits portal")
    version = submit(plan, editor, plan_board)
    initiatives = {i["code"]: i for i in version.data["initiatives"]}
    assert initiatives["INI-0007"]["title"] == "Unified benefits portal"
    assert initiatives["INI-0007"]["status"] == "proposed"
    assert version.data["period"] == "FY2027–FY2030"


def test_versions_are_numbered_one_after_another_per_plan(org, editor, plan, plan_board, chair):
    other_board = create_board(
        org=org, name="Architecture Review Board", reviews_plans=True, members=[(chair, "chair")]
    )
    first = submit(plan, editor, plan_board)
    edit(visible(plan)[0], editor, "Changed after version 1.")
    second = submit(plan, editor, other_board)
    another_plan = written_plan(org=org, editor=editor, title="County-wide plan")
    assert (first.number, second.number, submit(another_plan, editor, plan_board).number) == (1, 2, 1)


def test_editing_after_submission_starts_the_next_draft(plan, editor, plan_board):
    version = submit(plan, editor, plan_board)
    assert db.session.get(Plan, plan.id).is_editable
    edit(visible(plan)[1], editor, "Rewritten while the board reads version 1.")
    db.session.expire_all()
    assert db.session.get(Plan, plan.id).status == PlanStatus.DRAFT
    assert db.session.get(PlanVersion, version.id).status == PlanVersionStatus.IN_REVIEW
    assert "plan.new_draft" in actions()


def test_the_plan_page_says_which_version_is_with_the_board(editor_client, plan, editor, plan_board):
    submit(plan, editor, plan_board)
    edit(visible(plan)[0], editor, "New draft text.")
    page = editor_client.get(f"/plans/{plan.id}").get_data(as_text=True)
    assert "is with IT Governance Board since" in page
    assert "you are editing the draft that will become version 2" in page


def test_a_second_submission_to_the_same_board_is_refused_while_the_first_is_open(plan, editor, plan_board):
    submit(plan, editor, plan_board)
    with pytest.raises(DomainError, match="Version 1 of this plan is still with IT Governance Board"):
        adoption.submit_plan(plan, user=editor, board=plan_board)
    db.session.rollback()
    assert db.session.scalar(select(db.func.count()).select_from(PlanVersion)) == 1


def test_double_submit_from_the_form_leaves_one_version(editor_client, plan, plan_board):
    for _ in range(2):
        editor_client.post(f"/plans/{plan.id}/submit", data={"board": str(plan_board.id), "note": "Twice"})
    assert db.session.scalar(select(db.func.count()).where(PlanVersion.plan_id == plan.id)) == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        pytest.param("no_rubric", "has no rubric yet", id="no-rubric"),
        pytest.param("no_members", "has no members yet", id="no-members"),
        pytest.param("not_for_plans", "Choose a board that adopts the plan", id="board-does-not-adopt-plans"),
    ],
)
def test_submission_to_a_board_that_cannot_adopt_is_refused_with_what_to_do(org, editor, chair, plan, change, message):
    board = create_board(
        org=org,
        reviews_plans=change != "not_for_plans",
        members=[] if change == "no_members" else [(chair, "chair")],
    )
    if change == "no_rubric":
        db.session.delete(board.rubrics[0])
        db.session.commit()
        db.session.expire_all()
    with pytest.raises(DomainError, match=message):
        adoption.submit_plan(plan, user=editor, board=board)


def test_a_plan_without_any_text_cannot_be_submitted(org, editor, plan_board):
    from tests.factories import create_plan

    empty = create_plan(org=org, owner=editor, template_key="compact-five-section")
    for section in empty.sections:
        edit(section, editor, "")
    with pytest.raises(DomainError, match="no text yet"):
        adoption.submit_plan(empty, user=editor, board=plan_board)


def test_readers_cannot_submit(org, plan, plan_board, signed_in):
    viewer = create_user(org=org, role=Role.VIEWER)
    with pytest.raises(PermissionDenied):
        adoption.submit_plan(plan, user=viewer, board=plan_board)
    assert signed_in(viewer).post(f"/plans/{plan.id}/submit", data={"board": str(plan_board.id)}).status_code == 403


def test_the_submit_form_keeps_the_note_and_says_what_to_do_when_refused(editor_client, plan, editor, plan_board):
    submit(plan, editor, plan_board)
    note = "Workforce section rewritten after the union consultation"
    response = editor_client.post(f"/plans/{plan.id}/submit", data={"board": str(plan_board.id), "note": note})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert note in page and "Wait for its decision" in page


def test_submitting_from_the_form_creates_the_version_and_shows_it(editor_client, plan, plan_board):
    response = editor_client.post(
        f"/plans/{plan.id}/submit", data={"board": str(plan_board.id), "note": "Ready"}, follow_redirects=True
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Submitted version 1 to IT Governance Board" in page
    assert "Section 1 says the office will consolidate 1 data centres" in page


def test_another_organizations_plan_and_version_are_not_found(app, plan, editor, plan_board, signed_in):
    from tests.factories import create_org

    version = submit(plan, editor, plan_board)
    stranger = create_user(org=create_org(), role=Role.ADMIN)
    client = signed_in(stranger)
    assert client.get(f"/plans/{plan.id}/submit").status_code == 404
    assert client.get(f"/plan-versions/{version.id}").status_code == 404
    assert client.get(f"/plans/{plan.id}/versions").status_code == 404
    assert client.get(f"/plans/{plan.id}/compare?from=1&to=draft").status_code == 404
