"""The inbox: notices per user, unread count in the navigation, mark read, e-mail after commit."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.auth.models import Role
from app.extensions import db
from app.governance.models import Notification
from app.governance.services import inbox
from app.notifications.services import send_pending
from tests.factories import create_org, create_user
from tests.governance.factories import create_review, give_scores
from tests.sql import statements_for

APPROVE = {"outcome": "approve", "rationale": "Strong alignment with goal 2."}


class FakeSMTP:
    """Stands in for smtplib.SMTP: records what would have been sent (no network at all)."""

    sent: list = []  # noqa: RUF012 - shared record for the test

    def __init__(self, host, port, timeout=None):  # type: ignore[no-untyped-def]
        assert host == "127.0.0.1"

    def __enter__(self):  # type: ignore[no-untyped-def]
        return self

    def __exit__(self, *exc):  # type: ignore[no-untyped-def]
        return False

    def starttls(self, **kwargs):  # type: ignore[no-untyped-def]
        pass

    def login(self, user, password):  # type: ignore[no-untyped-def]
        pass

    def send_message(self, message):  # type: ignore[no-untyped-def]
        FakeSMTP.sent.append(message)


@pytest.fixture
def scored(board, initiative, editor, members):  # type: ignore[no-untyped-def]
    review = create_review(board=board, initiative=initiative, submitted_by=editor)
    for member in members:
        give_scores(review, member, [4, 4, 3, 3, 5])
    return review


def test_the_submitter_is_told_and_sees_the_count_and_marks_read(signed_in, chair, editor, scored):
    signed_in(chair).post(f"/reviews/{scored.id}/decision", data=APPROVE)
    client = signed_in(editor)
    html = client.get("/inbox").get_data(as_text=True)
    assert 'data-unread="yes"' in html and "approve — INI-0001 Online permits" in html
    assert '<span class="usa-tag pw-count">1<' in html
    notice = db.session.scalar(select(Notification).where(Notification.user_id == editor.id))
    response = client.post(f"/inbox/{notice.id}/read", data={"open": "1"})
    assert response.status_code == 302 and response.headers["Location"] == notice.link
    html = client.get("/inbox").get_data(as_text=True)
    assert 'data-unread="no"' in html and "pw-count" not in html


def test_all_four_kinds_reach_the_right_people(board, scored, members, chair, secretary, editor):
    inbox.notify_review_submitted(scored)
    inbox.notify_score_due(scored, [members[0]])
    db.session.commit()
    kinds = {(n.kind, n.user_id) for n in db.session.scalars(select(Notification))}
    assert {("review_submitted", u.id) for u in (chair, secretary, *members)} <= kinds
    assert ("score_due", members[0].id) in kinds and ("score_due", members[1].id) not in kinds


def test_mark_all_read_and_someone_elses_notice_is_not_found(signed_in, scored, members, chair):
    inbox.notify_review_submitted(scored)
    db.session.commit()
    client = signed_in(members[0])
    assert client.post("/inbox/read").status_code == 302
    unread = db.session.scalars(select(Notification).where(Notification.read_at.is_(None))).all()
    assert members[0].id not in {n.user_id for n in unread} and unread
    theirs = next(n for n in unread if n.user_id == chair.id)
    assert client.post(f"/inbox/{theirs.id}/read").status_code == 404
    outsider = create_user(org=create_org(name="County IT"), role=Role.ADMIN)
    assert signed_in(outsider).post(f"/inbox/{theirs.id}/read").status_code == 404


def test_email_leaves_after_the_request_with_an_absolute_link(app, signed_in, chair, editor, scored, monkeypatch):
    FakeSMTP.sent = []
    monkeypatch.setattr("smtplib.SMTP", FakeSMTP)
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", 2525)
    monkeypatch.setitem(app.config, "MAIL_USE_TLS", False)
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://127.0.0.1:8443")
    signed_in(chair).post(f"/reviews/{scored.id}/decision", data=APPROVE)
    assert FakeSMTP.sent == []  # the request only queued it (app.notifications)
    assert send_pending().sent == 1
    assert [m["To"] for m in FakeSMTP.sent] == [editor.email]
    assert "Open it in Planwright: https://127.0.0.1:8443/decisions/" in FakeSMTP.sent[0].get_content()
    db.session.expire_all()
    assert db.session.scalar(select(Notification.emailed_at).where(Notification.user_id == editor.id)) is not None


def test_a_failing_mail_server_never_breaks_the_request(app, signed_in, chair, editor, scored, monkeypatch):
    def refuse(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise ConnectionRefusedError("no SMTP here")

    monkeypatch.setattr("smtplib.SMTP", refuse)
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    assert signed_in(chair).post(f"/reviews/{scored.id}/decision", data=APPROVE).status_code == 302
    assert send_pending().failed == 1
    db.session.expire_all()
    notice = db.session.scalar(select(Notification).where(Notification.user_id == editor.id))
    assert notice is not None and notice.emailed_at is None


def test_without_mail_server_nothing_is_emailed(signed_in, chair, scored, monkeypatch):
    FakeSMTP.sent = []
    monkeypatch.setattr("smtplib.SMTP", FakeSMTP)
    signed_in(chair).post(f"/reviews/{scored.id}/decision", data=APPROVE)
    assert FakeSMTP.sent == []


def test_the_inbox_runs_a_fixed_number_of_statements(signed_in, scored, members):
    client = signed_in(members[0])
    inbox.notify_review_submitted(scored)
    db.session.commit()
    few = len(statements_for(client, "/inbox"))
    for _ in range(10):
        inbox.notify_score_due(scored, [members[0]])
    db.session.commit()
    assert len(statements_for(client, "/inbox")) == few
