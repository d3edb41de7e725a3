"""Meetings: the secretary or chair schedules, keeps the agenda and marks the meeting; members see their work."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from app.auth.models import Role
from app.core.db import UTC, utcnow
from app.extensions import db
from app.governance.models import AgendaItem, Meeting
from app.governance.services import meetings as services
from tests.factories import create_user
from tests.governance.factories import create_review, give_scores
from tests.portfolio.factories import create_initiative
from tests.portfolio.helpers import page_text
from tests.sql import statements_for


@pytest.fixture
def review(board, initiative, editor):
    return create_review(board=board, initiative=initiative, submitted_by=editor)


def _meeting(board, secretary, days=20) -> Meeting:
    meeting = services.schedule_meeting(
        board,
        user=secretary,
        fields=services.MeetingFields(
            title="ITGB March", starts_at=utcnow() + timedelta(days=days), location="Room 310"
        ),
    )
    db.session.commit()
    return meeting


def test_the_secretary_schedules_a_meeting_in_local_time_stored_in_utc(board, secretary, signed_in):
    client = signed_in(secretary)
    response = client.post(
        f"/boards/{board.id}/meetings/new",
        data={
            "title": "ITGB – March 2027",
            "day": "2027-03-18",
            "start_time": "14:00",
            "location": "Capitol Annex 310",
            "notes": "Bring **papers**.",
        },
    )
    assert response.status_code == 302
    meeting = db.session.scalar(db.select(Meeting).where(Meeting.board_id == board.id))
    assert meeting.starts_at == datetime(2027, 3, 18, 18, 0, tzinfo=UTC)  # 14:00 EDT
    page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "Thursday 18 March 2027, 2:00 p.m. EDT" in page and "<strong>papers</strong>" in page


def test_a_bad_date_is_refused_with_the_text_kept(board, secretary, signed_in):
    response = signed_in(secretary).post(
        f"/boards/{board.id}/meetings/new", data={"title": "Kept title", "day": "18/03/2027", "start_time": "2pm"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Enter the date as YYYY-MM-DD" in html and "Enter the start time as HH:MM" in html and "Kept title" in html


@pytest.mark.parametrize("who", ["member", "admin"])
def test_only_the_secretary_or_chair_runs_meetings(org, board, members, secretary, who, signed_in):
    user = members[0] if who == "member" else create_user(org=org, role=Role.ADMIN)
    meeting = _meeting(board, secretary)
    client = signed_in(user)
    assert client.get(f"/boards/{board.id}/meetings/new").status_code == 403
    assert client.post(f"/meetings/{meeting.id}/status", data={"status": "held"}).status_code == 403
    assert client.get(f"/meetings/{meeting.id}").status_code == 200


def test_agenda_add_reorder_remove_and_the_status_moves_under_review(
    org, board, secretary, editor, review, signed_in, monkeypatch
):
    told = []
    monkeypatch.setattr(services.inbox, "notify_score_due", lambda r, people: told.append((r.id, len(people))))
    second = create_review(
        board=board, initiative=create_initiative(org=org, user=editor, code="INI-0002"), submitted_by=editor
    )
    meeting = _meeting(board, secretary)
    client = signed_in(secretary)
    for r in (review, second):
        assert client.post(f"/meetings/{meeting.id}/agenda", data={"review": str(r.id)}).status_code == 302
    assert told == [(review.id, 5), (second.id, 5)]
    db.session.expire_all()
    assert [i.review_id for i in meeting.items] == [review.id, second.id]
    assert review.initiative.status == "under_review"
    again = client.post(f"/meetings/{meeting.id}/agenda", data={"review": str(review.id)}, follow_redirects=True)
    assert "already on this agenda" in again.get_data(as_text=True)
    first_item = meeting.items[0]
    client.post(f"/meetings/{meeting.id}/agenda/{first_item.id}/move", data={"direction": "down"})
    db.session.expire_all()
    assert [i.review_id for i in meeting.items] == [second.id, review.id]
    client.post(f"/meetings/{meeting.id}/agenda/{first_item.id}/remove")
    db.session.expire_all()
    assert [i.review_id for i in meeting.items] == [second.id]
    assert client.post(f"/meetings/{meeting.id}/status", data={"status": "held"}).status_code == 302
    db.session.expire_all()
    assert meeting.status == "held"


def test_another_boards_review_cannot_go_on_the_agenda(org, board, secretary, editor, signed_in):
    from tests.governance.factories import create_board

    other = create_board(org=org, name="Other", members=[(secretary, "chair")])
    foreign = create_review(
        board=other, initiative=create_initiative(org=org, user=editor, code="INI-0009"), submitted_by=editor
    )
    meeting = _meeting(board, secretary)
    signed_in(secretary).post(f"/meetings/{meeting.id}/agenda", data={"review": str(foreign.id)})
    assert db.session.scalar(db.select(db.func.count()).select_from(AgendaItem)) == 0


def test_meeting_page_shows_each_items_scoring_progress(board, secretary, chair, review, signed_in):
    meeting = _meeting(board, secretary)
    services.add_agenda_item(meeting, user=secretary, review=review)
    db.session.commit()
    give_scores(review, chair, [3, 3, 3, 3, 3])
    text = page_text(
        signed_in(create_user(org=board.organization, role=Role.VIEWER))
        .get(f"/meetings/{meeting.id}")
        .get_data(as_text=True)
    )
    assert "1 of 5 scored" in text and "Not scored yet: Sam Secretary" in text


def test_my_board_work_lists_upcoming_meetings_and_what_is_left_to_score(
    org, board, secretary, chair, editor, review, signed_in
):
    meeting = _meeting(board, secretary)
    services.add_agenda_item(meeting, user=secretary, review=review)
    _meeting(board, secretary, days=-10)  # past: not listed
    db.session.commit()
    client = signed_in(chair)
    text = page_text(client.get("/boards/my-work").get_data(as_text=True))
    assert "Still to score (1)" in text and "INI-0001 Online permits" in text and "ITGB March" in text
    give_scores(review, chair, [3, 3, 3, 3, 3])
    text = page_text(client.get("/boards/my-work").get_data(as_text=True))
    assert "Still to score (0)" in text
    outsider = page_text(signed_in(editor).get("/boards/my-work").get_data(as_text=True))
    assert "You are not on any board" in outsider


def test_my_work_and_meeting_pages_run_the_same_statements_however_much_data(org, board, secretary, editor, signed_in):
    meeting = _meeting(board, secretary)
    client = signed_in(secretary)

    def add(n):
        for _ in range(n):
            code = f"INI-{db.session.scalar(db.select(db.func.count()).select_from(AgendaItem)) + 50:04d}"
            r = create_review(
                board=board, initiative=create_initiative(org=org, user=editor, code=code), submitted_by=editor
            )
            services.add_agenda_item(meeting, user=secretary, review=r)
            _meeting(board, secretary)
        db.session.commit()

    add(1)
    few = (len(statements_for(client, "/boards/my-work")), len(statements_for(client, f"/meetings/{meeting.id}")))
    add(4)
    many = (len(statements_for(client, "/boards/my-work")), len(statements_for(client, f"/meetings/{meeting.id}")))
    assert few == many
