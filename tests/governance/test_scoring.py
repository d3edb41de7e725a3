"""Independent scoring: hidden until a member has submitted or recused; weighted score, spread, who has not scored."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.audit.models import AuditEvent
from app.auth.models import Role
from app.core.errors import DomainError, PermissionDenied
from app.extensions import db
from app.governance.models import ReviewStatus, ScoreSheet
from app.governance.services import reviews as services
from app.governance.services.scoring import review_summary, summaries_for
from tests.factories import create_user
from tests.governance.factories import create_review, give_scores, recuse
from tests.portfolio.helpers import page_text
from tests.sql import statements_for


@pytest.fixture
def review(board, initiative, editor):
    return create_review(board=board, initiative=initiative, submitted_by=editor)


def _form(review, values, action="submit", comment=""):
    data = {"action": action}
    for criterion, value in zip(review.rubric.criteria, values, strict=True):
        if value is not None:
            data[f"score-{criterion.id}"] = str(value)
        data[f"comment-{criterion.id}"] = comment
    return data


def test_weighted_score_spread_and_who_has_not_scored(review, chair, secretary, members):
    give_scores(review, chair, [5, 4, 3, 2, 1])
    give_scores(review, secretary, [3, 4, 5, 2, 1])
    give_scores(review, members[0], [1, 1, 1, 1, 1], submitted=False)  # a draft never counts
    recuse(review, members[1])
    summary = review_summary(review)
    # chair: (150+100+60+30+10)/100 = 3.50; secretary: (90+100+100+30+10)/100 = 3.30
    assert summary.sheet_weighted == {chair.id: Decimal("3.50"), secretary.id: Decimal("3.30")}
    assert summary.weighted_score == Decimal("3.40")
    assert summary.weighted_percent == Decimal("68.00")
    first = summary.criteria[0]
    assert (first.mean, first.low, first.high, first.spread, first.disagreement) == (Decimal("4.00"), 3, 5, 2, True)
    assert not summary.criteria[1].disagreement
    assert {u.id for u in summary.not_scored} == {members[0].id, members[2].id}
    assert [u.id for u in summary.recused] == [members[1].id]
    assert summary.quorum_needed == 2 and summary.has_quorum  # 50 % of the 4 who have not recused


def test_summaries_for_many_reviews_run_a_fixed_number_of_statements(org, board, editor, chair, app):
    from tests.portfolio.factories import create_initiative
    from tests.sql import counted_statements

    def make(n):
        ids = []
        for _i in range(n):
            initiative = create_initiative(org=org, user=editor, code=f"INI-{len(ids) + 100 + n * 10:04d}")
            r = create_review(board=board, initiative=initiative, submitted_by=editor)
            give_scores(r, chair, [3, 3, 3, 3, 3])
            ids.append(r.id)
        return ids

    few, many = make(1), make(4)
    db.session.expire_all()
    with counted_statements() as small:
        summaries_for(few)
    db.session.expire_all()
    with counted_statements() as large:
        result = summaries_for(many)
    assert len(small) == len(large) and len(result) == 4


def test_a_member_sees_no_one_elses_scores_until_they_submit(review, chair, secretary, signed_in):
    give_scores(review, chair, [5, 5, 5, 5, 5])
    sheet = review.sheets[0]
    sheet.scores[0].comment = "Chair's private reasoning"
    db.session.commit()
    client = signed_in(secretary)
    before = client.get(f"/reviews/{review.id}").get_data(as_text=True)
    assert "Scored: Charlie Chair" in page_text(before)  # who has scored is visible
    assert "Chair's private reasoning" not in before
    assert "Weighted score" not in before and "Members disagree" not in before and "Each member" not in before
    response = client.post(f"/reviews/{review.id}/scores", data=_form(review, [3, 3, 3, 3, 3]))
    assert response.status_code == 302
    after = client.get(f"/reviews/{review.id}").get_data(as_text=True)
    assert "Chair&#39;s private reasoning" in after or "Chair's private reasoning" in after
    assert "Weighted score: 4.00 of 5 (80.00 %)" in page_text(after)
    assert "Not scored yet:" in page_text(after)


def test_a_draft_is_private_changeable_and_then_final(review, secretary, members, signed_in):
    client = signed_in(secretary)
    client.post(f"/reviews/{review.id}/scores", data=_form(review, [4, None, None, None, None], action="draft"))
    other = signed_in(members[0]).get(f"/reviews/{review.id}").get_data(as_text=True)
    assert "Scored: nobody yet" in page_text(other)
    page = client.get(f"/reviews/{review.id}").get_data(as_text=True)
    assert 'value="4" checked' in page  # the draft comes back
    incomplete = client.post(f"/reviews/{review.id}/scores", data=_form(review, [4, 4, None, 4, 4], comment="Kept"))
    assert incomplete.status_code == 422
    assert "Score “Delivery risk” from 1 to 5." in incomplete.get_data(as_text=True)
    assert "Kept" in incomplete.get_data(as_text=True)
    assert client.post(f"/reviews/{review.id}/scores", data=_form(review, [4, 4, 4, 4, 4])).status_code == 302
    again = client.post(f"/reviews/{review.id}/scores", data=_form(review, [1, 1, 1, 1, 1]), follow_redirects=True)
    assert "already submitted your scores" in again.get_data(as_text=True)
    sheets = db.session.scalars(db.select(ScoreSheet).where(ScoreSheet.review_id == review.id)).all()
    assert len(sheets) == 1 and {s.value for s in sheets[0].scores} == {4}


def test_scores_are_audited(review, secretary):
    before = db.session.scalar(db.select(db.func.max(AuditEvent.id))) or 0
    services.save_scores(
        review, user=secretary, values={c.id: 3 for c in review.rubric.criteria}, comments={}, final=True
    )
    actions = db.session.scalars(db.select(AuditEvent.action).where(AuditEvent.id > before)).all()
    assert actions == ["review.scores.submit"]


def test_first_submitted_scores_move_the_initiative_under_review(review, secretary):
    services.save_scores(
        review, user=secretary, values={c.id: 3 for c in review.rubric.criteria}, comments={}, final=True
    )
    assert review.initiative.status == "under_review"


def test_recusal_needs_a_reason_and_then_scoring_is_refused(review, members, signed_in):
    client = signed_in(members[0])
    refused = client.post(f"/reviews/{review.id}/recuse", data={"reason": "  "})
    assert refused.status_code == 422 and "Give the reason" in refused.get_data(as_text=True)
    assert (
        client.post(f"/reviews/{review.id}/recuse", data={"reason": "My spouse works for the vendor"}).status_code
        == 302
    )
    page = client.get(f"/reviews/{review.id}").get_data(as_text=True)
    assert "My spouse works for the vendor" in page and "You cannot score this review" in page
    response = client.post(f"/reviews/{review.id}/scores", data=_form(review, [3, 3, 3, 3, 3]))
    assert response.status_code in (302, 422)
    sheet = db.session.scalar(db.select(ScoreSheet).where(ScoreSheet.user_id == members[0].id))
    db.session.refresh(sheet)
    assert sheet.recused and sheet.scores == []
    with pytest.raises(DomainError, match="recused"):
        services.save_scores(review, user=members[0], values={}, comments={}, final=False)


def test_people_not_on_the_board_cannot_score_even_an_admin(org, review, signed_in):
    admin = create_user(org=org, role=Role.ADMIN)
    client = signed_in(admin)
    assert client.post(f"/reviews/{review.id}/scores", data=_form(review, [3, 3, 3, 3, 3])).status_code == 403
    assert client.post(f"/reviews/{review.id}/recuse", data={"reason": "x"}).status_code == 403
    with pytest.raises(PermissionDenied):
        services.save_scores(review, user=admin, values={}, comments={}, final=False)
    page = client.get(f"/reviews/{review.id}").get_data(as_text=True)
    assert "Submit scores" not in page


def test_scoring_is_closed_once_the_review_is_withdrawn(review, secretary, signed_in):
    review.status = ReviewStatus.WITHDRAWN.value
    db.session.commit()
    client = signed_in(secretary)
    response = client.post(f"/reviews/{review.id}/scores", data=_form(review, [3, 3, 3, 3, 3]))
    assert response.status_code == 422 and "Scoring is closed" in response.get_data(as_text=True)
    assert "Scoring is closed" in client.get(f"/reviews/{review.id}").get_data(as_text=True)


def test_a_racing_duplicate_sheet_leaves_one_and_says_so(review, secretary, monkeypatch):
    give_scores(review, secretary, [3, 3, 3, 3, 3], submitted=False)
    db.session.expire_all()
    monkeypatch.setattr(services.sheets, "sheet_of", lambda *a: None)  # this tab did not see the other tab's sheet
    with pytest.raises(services.AlreadyDone):
        services.save_scores(
            review, user=secretary, values={c.id: 4 for c in review.rubric.criteria}, comments={}, final=True
        )
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count()).select_from(ScoreSheet)) == 1


def test_a_changed_rubric_does_not_change_the_review(org, board, review, chair):
    from app.governance.services import boards as board_services

    give_scores(review, chair, [5, 5, 5, 5, 5])
    admin = create_user(org=org, role=Role.ADMIN)
    board_services.save_rubric(
        board,
        user=admin,
        note="One criterion",
        criteria=[board_services.CriterionFields(name="Everything", weight=100, descriptors=("a", "b", "c", "d", "e"))],
    )
    db.session.commit()
    assert review_summary(review).weighted_score == Decimal("5.00")
    assert next(c.name for c in review.rubric.criteria) == "Strategic alignment"


def test_the_review_page_runs_the_same_statements_however_many_scores(org, board, review, chair, signed_in):
    client = signed_in(chair)
    give_scores(review, chair, [3, 3, 3, 3, 3])
    few = len(statements_for(client, f"/reviews/{review.id}"))
    for _ in range(4):
        person = create_user(org=org, role=Role.REVIEWER)
        board.members.append(type(board.members[0])(user_id=person.id, board_role="member"))
        db.session.commit()
        give_scores(review, person, [4, 2, 5, 1, 3])
    assert len(statements_for(client, f"/reviews/{review.id}")) == few
