"""Recording board decisions: only the chair, only with a quorum, one per review, corrections supersede."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.auth.models import Role
from app.extensions import db
from app.governance.models import Decision, Notification, Review
from app.portfolio.models import Initiative
from tests.factories import PASSWORD, create_org, create_user
from tests.governance.factories import create_board, create_review, give_scores, recuse

APPROVE = {"outcome": "approve", "rationale": "Strong alignment with goal 2; the cost is within the envelope."}


def _fresh(model, object_id):  # type: ignore[no-untyped-def]
    db.session.expire_all()
    return db.session.get(model, object_id)


def _decisions(review_id: int) -> list[Decision]:
    db.session.expire_all()
    return list(db.session.scalars(select(Decision).where(Decision.review_id == review_id).order_by(Decision.id)))


@pytest.fixture
def review(board, initiative, editor):  # type: ignore[no-untyped-def]
    return create_review(board=board, initiative=initiative, submitted_by=editor)


@pytest.fixture
def scored(review, chair, members):  # type: ignore[no-untyped-def]
    for member, values in zip(members, ([4, 4, 3, 3, 5], [5, 4, 4, 3, 4], [3, 3, 4, 4, 4]), strict=True):
        give_scores(review, member, values)
    return review


def test_the_chair_approves_and_the_initiative_becomes_approved_with_audit_and_notice(
    signed_in, chair, scored, initiative, editor
):
    response = signed_in(chair).post(f"/reviews/{scored.id}/decision", data=APPROVE)
    assert response.status_code == 302
    [decision] = _decisions(scored.id)
    assert decision.outcome == "approve" and decision.decided_by_id == chair.id
    assert decision.scored_by == 3 and decision.weighted_score is not None
    assert _fresh(Initiative, initiative.id).status == "approved"
    assert _fresh(Review, scored.id).status == "decided"
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"decision.record", "initiative.status"} <= actions
    notices = db.session.scalars(select(Notification).where(Notification.kind == "decision_recorded")).all()
    assert [n.user_id for n in notices] == [editor.id]
    assert notices[0].link == f"/decisions/{decision.id}"


@pytest.mark.parametrize(
    ("outcome", "status"),
    [("defer", "deferred"), ("request_changes", "proposed"), ("reject", "rejected")],
)
def test_each_outcome_moves_the_initiative(signed_in, chair, scored, initiative, outcome, status):
    signed_in(chair).post(f"/reviews/{scored.id}/decision", data={**APPROVE, "outcome": outcome})
    assert _fresh(Initiative, initiative.id).status == status


def test_approve_with_conditions_needs_conditions_and_keeps_the_text(signed_in, chair, scored):
    data = {"outcome": "approve_with_conditions", "rationale": "Good case; needs an accessibility audit."}
    response = signed_in(chair).post(f"/reviews/{scored.id}/decision", data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Write the conditions of the approval" in html and "needs an accessibility audit" in html
    assert _decisions(scored.id) == []


def test_a_rationale_is_required(signed_in, chair, scored):
    response = signed_in(chair).post(f"/reviews/{scored.id}/decision", data={"outcome": "reject", "rationale": " "})
    assert response.status_code == 422 and "Write the rationale" in response.get_data(as_text=True)
    assert _decisions(scored.id) == []


def test_without_a_quorum_the_decision_is_refused_with_the_reason(signed_in, chair, review, members):
    give_scores(review, members[0], [4, 4, 4, 4, 4])
    give_scores(review, members[1], [4, 4, 4, 4, 4], submitted=False)  # a draft does not count
    response = signed_in(chair).post(f"/reviews/{review.id}/decision", data=APPROVE)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "No quorum yet: 1 of the 3 members needed have submitted" in html
    assert "Strong alignment with goal 2" in html  # the chair's text is kept
    assert _decisions(review.id) == []


def test_recused_members_leave_the_quorum_and_do_not_count(signed_in, chair, review, secretary, members):
    # five members at 50 %: three needed; two recuse → three can take part → two needed
    recuse(review, members[0])
    recuse(review, secretary)
    give_scores(review, members[1], [3, 3, 3, 3, 3])
    client = signed_in(chair)
    refused = client.post(f"/reviews/{review.id}/decision", data=APPROVE)
    assert "1 of the 2 members needed" in refused.get_data(as_text=True)
    give_scores(review, members[2], [4, 4, 4, 4, 4])
    assert client.post(f"/reviews/{review.id}/decision", data=APPROVE).status_code == 302
    assert _decisions(review.id)[0].scored_by == 2


@pytest.mark.parametrize("who", ["secretary", "member", "editor"])
def test_only_the_chair_records(signed_in, scored, secretary, members, editor, who):
    user = {"secretary": secretary, "member": members[0], "editor": editor}[who]
    client = signed_in(user)
    assert client.get(f"/reviews/{scored.id}/decision").status_code == 403
    assert client.post(f"/reviews/{scored.id}/decision", data=APPROVE).status_code == 403
    assert _decisions(scored.id) == []


def test_another_organizations_review_is_not_found(signed_in, scored):
    other = create_org(name="County IT")
    outsider_chair = create_user(org=other, role=Role.ADMIN)
    create_board(org=other, members=[(outsider_chair, "chair")])
    client = signed_in(outsider_chair)
    assert client.get(f"/reviews/{scored.id}/decision").status_code == 404
    assert client.post(f"/reviews/{scored.id}/decision", data=APPROVE).status_code == 404
    assert _decisions(scored.id) == []


def test_a_second_submit_leaves_exactly_one_decision(signed_in, chair, scored):
    first, second = signed_in(chair), signed_in(chair)
    assert first.post(f"/reviews/{scored.id}/decision", data=APPROVE).status_code == 302
    again = second.post(f"/reviews/{scored.id}/decision", data={**APPROVE, "outcome": "reject"}, follow_redirects=True)
    assert again.status_code == 200 and "already recorded" in again.get_data(as_text=True)
    assert [d.outcome for d in _decisions(scored.id)] == ["approve"]


def test_a_racing_insert_is_caught_by_the_unique_index(chair, scored):
    """Two tabs pass the checks together: the database's unique index refuses the second, in a savepoint."""
    from app.governance.services import decisions as service

    rival = Decision(
        organization_id=scored.organization_id,
        board_id=scored.board_id,
        review_id=scored.id,
        outcome="defer",
        rationale="Recorded a moment earlier in another tab.",
        decided_by_id=chair.id,
    )
    db.session.add(rival)  # the review is still open, as if the other tab had not finished its transaction
    db.session.commit()
    values = service.DecisionInput(outcome="approve", rationale=APPROVE["rationale"])
    with pytest.raises(service.AlreadyRecorded, match="already recorded"):
        service.record_decision(scored, user=chair, values=values)
    db.session.rollback()
    assert [d.outcome for d in _decisions(scored.id)] == ["defer"]


def test_a_correction_supersedes_and_the_initiative_follows(signed_in, chair, scored, initiative):
    client = signed_in(chair)
    client.post(f"/reviews/{scored.id}/decision", data=APPROVE)
    [first] = _decisions(scored.id)
    form = client.get(f"/decisions/{first.id}/correct").get_data(as_text=True)
    assert "Correction of decision #" in form and "Strong alignment with goal 2" in form  # pre-filled
    corrected = {"outcome": "defer", "rationale": "Correction: the FY2027 funds were already committed."}
    assert client.post(f"/decisions/{first.id}/correct", data=corrected).status_code == 302
    first_again, second = _decisions(scored.id)
    assert second.supersedes_id == first.id and first_again.rationale == APPROVE["rationale"]
    assert _fresh(Initiative, initiative.id).status == "deferred"
    old_page = client.get(f"/decisions/{first.id}").get_data(as_text=True)
    assert f'superseded by <a href="/decisions/{second.id}">#{second.id}</a>' in old_page
    assert f'href="/decisions/{first.id}"' in client.get(f"/decisions/{second.id}").get_data(as_text=True)
    # the old one cannot be corrected again
    again = client.post(f"/decisions/{first.id}/correct", data=corrected, follow_redirects=True)
    assert "already corrected" in again.get_data(as_text=True)
    assert len(_decisions(scored.id)) == 2
    assert "decision.correct" in set(db.session.scalars(select(AuditEvent.action)))


def test_a_decision_on_a_withdrawn_review_is_refused(signed_in, chair, scored):
    scored.status = "withdrawn"
    db.session.commit()
    response = signed_in(chair).post(f"/reviews/{scored.id}/decision", data=APPROVE)
    assert response.status_code == 422 and "withdrawn" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Decision.id))) == 0


def test_a_chair_whose_sign_in_is_stale_confirms_it_is_them_and_keeps_the_rationale(signed_in, chair, scored):
    from tests.auth.test_reauth import make_stale

    client = signed_in(chair)
    make_stale(chair)
    rationale = "Strong fit with goal 2; the cost per resident served is the lowest of this round."
    response = client.post(
        f"/reviews/{scored.id}/decision",
        data={**APPROVE, "rationale": rationale},
        headers={"Referer": f"http://localhost/reviews/{scored.id}/decision"},
    )
    assert response.status_code == 302 and response.headers["Location"].startswith("/reauth")
    assert _decisions(scored.id) == []
    client.post("/reauth", data={"password": PASSWORD, "next": f"/reviews/{scored.id}/decision"})
    page = client.get(f"/reviews/{scored.id}/decision").get_data(as_text=True)
    assert rationale in page and "has been put back" in page


def test_only_the_chair_is_offered_the_decision_button_and_afterwards_everyone_sees_the_outcome(
    signed_in, chair, scored, secretary, members, editor
):
    button = "Record the board's decision"
    assert button in signed_in(chair).get(f"/reviews/{scored.id}").get_data(as_text=True)
    for other in (secretary, members[0], editor):
        assert button not in signed_in(other).get(f"/reviews/{scored.id}").get_data(as_text=True)
    signed_in(chair).post(f"/reviews/{scored.id}/decision", data=APPROVE)
    [decision] = _decisions(scored.id)
    page = signed_in(editor).get(f"/reviews/{scored.id}").get_data(as_text=True)
    assert button not in page and f"/decisions/{decision.id}" in page and "Approve" in page
