"""Board members read a frozen version, comment on its sections (quoted passages, threads, resolve) and mark it
reviewed or step aside."""

from __future__ import annotations

import pytest
from markupsafe import Markup
from sqlalchemy import select

from app.auth.models import Role
from app.core.db import utcnow
from app.core.errors import DomainError, PermissionDenied
from app.exports.pdf.documents import board_pack_document
from app.extensions import db
from app.governance.models import AgendaItem, Meeting, MeetingStatus, ScoreSheet, SectionComment
from app.governance.services import adoption, scoring
from tests.factories import create_org, create_user
from tests.governance.adoption_helpers import review_for, submit, written_plan
from tests.governance.factories import create_board


@pytest.fixture
def plan_board(org, chair, members):
    return create_board(
        org=org, name="IT Governance Board", reviews_plans=True, members=[(chair, "chair"), (members[0], "member")]
    )


@pytest.fixture
def version(org, editor, plan_board):
    return submit(written_plan(org=org, editor=editor), editor, plan_board)


def comment_url(version) -> str:
    return f"/plan-versions/{version.id}/comments"


def test_a_board_member_comments_on_a_section_with_a_quoted_passage(version, members, signed_in):
    section = version.sections[1]
    client = signed_in(members[0])
    response = client.post(
        comment_url(version),
        data={"section": section.id, "quote": "consolidate 2 data centres", "body": "Which two? Name them."},
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Which two? Name them." in page and "consolidate 2 data centres" in page
    comment = db.session.scalar(select(SectionComment))
    assert (comment.version_section_id, comment.author_id) == (section.id, members[0].id)


def test_a_quote_not_in_the_section_is_refused_and_the_comment_is_kept(version, members, signed_in):
    section = version.sections[0]
    response = signed_in(members[0]).post(
        comment_url(version),
        data={"section": section.id, "quote": "migrate every mainframe", "body": "My careful comment"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "The quoted passage is not in this section" in page
    assert "My careful comment" in page and "migrate every mainframe" in page
    assert db.session.scalar(select(db.func.count()).select_from(SectionComment)) == 0


def test_an_empty_comment_is_refused_with_a_message(version, members, signed_in):
    response = signed_in(members[0]).post(comment_url(version), data={"section": version.sections[0].id, "body": " "})
    assert response.status_code == 422 and "Write your comment." in response.get_data(as_text=True)


def test_replies_thread_under_the_first_comment_and_threads_resolve_and_reopen(version, members, chair, editor):
    review = review_for(version)
    section = version.sections[0]
    first = adoption.add_comment(section, user=members[0], review=review, body="Add a baseline.")
    reply = adoption.add_comment(section, user=editor, review=review, body="Added in the draft.", parent=first)
    again = adoption.add_comment(section, user=chair, review=review, body="Thanks.", parent=reply)
    assert reply.parent_id == first.id and again.parent_id == first.id
    assert adoption.set_resolved(first, user=chair, review=review, resolved=True)
    assert first.resolved_by_id == chair.id
    assert adoption.set_resolved(first, user=editor, review=review, resolved=False)
    assert first.resolved_at is None
    db.session.commit()
    threads = adoption.comments_by_section(version)
    assert [c.body for c in threads[section.id][0].replies] == ["Added in the draft.", "Thanks."]


def test_viewers_and_non_board_reviewers_read_but_cannot_comment(org, version, signed_in):
    viewer = create_user(org=org, role=Role.VIEWER)
    outsider_reviewer = create_user(org=org, role=Role.REVIEWER)
    for user in (viewer, outsider_reviewer):
        client = signed_in(user)
        page = client.get(f"/plan-versions/{version.id}")
        assert page.status_code == 200 and "Add comment" not in page.get_data(as_text=True)
        data = {"section": version.sections[0].id, "body": "Sneaky"}
        assert client.post(comment_url(version), data=data).status_code == 403
    with pytest.raises(PermissionDenied):
        adoption.add_comment(version.sections[0], user=viewer, review=review_for(version), body="No")


def test_someone_from_another_organization_cannot_comment_even_if_named_on_the_board(version, plan_board):
    stranger = create_user(org=create_org(), role=Role.REVIEWER)
    from app.governance.models import BoardMember

    plan_board.members.append(BoardMember(user_id=stranger.id, board_role="member"))
    db.session.commit()
    with pytest.raises(PermissionDenied):
        adoption.add_comment(version.sections[0], user=stranger, review=review_for(version), body="From outside")


def test_a_comment_tells_the_plan_owner(version, members, editor):
    from app.governance.models import Notification

    adoption.add_comment(
        version.sections[0], user=members[0], review=review_for(version), body="Please cite the statute."
    )
    db.session.commit()
    kinds = db.session.scalars(select(Notification.kind).where(Notification.user_id == editor.id)).all()
    assert "section_comment" in kinds


def test_members_mark_the_version_reviewed_once_or_step_aside(version, members, chair, signed_in):
    client = signed_in(members[0])
    for _ in range(2):  # a double click
        assert client.post(f"/plan-versions/{version.id}/reviewed").status_code == 302
    sheets = db.session.scalars(select(ScoreSheet)).all()
    assert len(sheets) == 1 and sheets[0].submitted_at is not None and not sheets[0].recused and not sheets[0].scores
    chair_client = signed_in(chair)
    refused = chair_client.post(f"/plan-versions/{version.id}/recuse", data={"reason": ""})
    assert refused.status_code == 422 and "Say why you are stepping aside" in refused.get_data(as_text=True)
    chair_client.post(f"/plan-versions/{version.id}/recuse", data={"reason": "I chair the vendor's advisory group"})
    recusal = db.session.scalar(select(ScoreSheet).where(ScoreSheet.user_id == chair.id))
    assert recusal.recused and recusal.recusal_reason == "I chair the vendor's advisory group"
    with pytest.raises(DomainError, match="already marked as reviewed"):
        adoption.recuse(review_for(version), user=members[0], reason="Too late")


def test_a_version_marked_reviewed_has_no_weighted_score_rather_than_zero(app, org, version, chair, members):
    """A plan version's sheets say "reviewed" and carry no scores: the summary once averaged them as 0.00, so a
    board pack read "Weighted score 0.00 of 5" for a plan the whole board had read."""
    review = review_for(version)
    for member in (chair, members[0]):
        adoption.mark_reviewed(review, user=member)
    db.session.flush()
    summary = scoring.summarize(review)
    assert summary.weighted_score is None and len(summary.scored) == 2
    meeting = Meeting(
        organization_id=org.id,
        board_id=review.board_id,
        title="Plan adoption",
        starts_at=utcnow(),
        created_by_id=chair.id,
    )
    meeting.items.append(AgendaItem(review_id=review.id, position=1))
    meeting.status = MeetingStatus.HELD.value  # scores are published once the meeting is held
    db.session.add(meeting)
    db.session.flush()
    with app.test_request_context("/"):
        text = " ".join(Markup(board_pack_document(meeting).html).striptags().split())  # noqa: S704 - reading only
    assert "2 of 2 members marked this version as reviewed" in text and "0.00" not in text


def test_only_board_members_mark_reviewed(org, version, editor, signed_in):
    assert signed_in(editor).post(f"/plan-versions/{version.id}/reviewed").status_code == 403


def test_the_version_page_shows_the_frozen_text_and_comment_counts(version, members, signed_in):
    adoption.add_comment(version.sections[0], user=members[0], review=review_for(version), body="Open point")
    db.session.commit()
    page = signed_in(members[0]).get(f"/plan-versions/{version.id}").get_data(as_text=True)
    assert "Section 1 says the office will consolidate 1 data centres by FY2029." in page
    assert "(1 open comment)" in page and "I have reviewed this version" in page
