"""Mail leaves the request: notices and reset links go to the outbox in the action's transaction; a worker sends
them after the commit, retries failures with backoff, and administrators see what was not delivered.

Two local SMTP servers started by the tests on 127.0.0.1: one that accepts connections and never answers (a
dead mail server), and a small sink that speaks enough SMTP to receive messages.
"""

from __future__ import annotations

import re
import socket
import socketserver
import threading
from collections.abc import Iterator
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.auth.models import Role
from app.core.db import utcnow
from app.extensions import db
from app.governance.models import Notification
from app.governance.services import inbox
from app.notifications import services, worker
from app.notifications.models import MailStatus, OutboxMail
from tests.factories import create_org, create_user
from tests.governance.adoption_helpers import submit, written_plan
from tests.governance.factories import create_board

BASE = "https://127.0.0.1:8443"


# --- the local SMTP servers ------------------------------------------------------------------------------------


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, handler: type[socketserver.BaseRequestHandler]) -> None:
        super().__init__(("127.0.0.1", 0), handler)
        self.connections = 0
        self.messages: list[EmailMessage] = []
        self.stop = threading.Event()

    @property
    def port(self) -> int:
        return int(self.server_address[1])


class _Silent(socketserver.BaseRequestHandler):
    """Accepts the connection and never says a word (the greeting never comes)."""

    def handle(self) -> None:
        self.server.connections += 1  # type: ignore[attr-defined]
        self.server.stop.wait(30)  # type: ignore[attr-defined]


class _Sink(socketserver.StreamRequestHandler):
    """Just enough SMTP for smtplib: greeting, EHLO, MAIL, RCPT, DATA, QUIT."""

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        self.server.connections += 1  # type: ignore[attr-defined]
        self.reply("220 127.0.0.1 test sink")
        while line := self.rfile.readline():
            verb = line.decode(errors="replace").strip().upper()
            if verb.startswith("DATA"):
                self.reply("354 go ahead")
                data = b""
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    data += chunk[1:] if chunk.startswith(b"..") else chunk
                message = message_from_bytes(data, policy=policy.default)
                self.server.messages.append(message)  # type: ignore[attr-defined, arg-type]
                self.reply("250 queued")
            elif verb.startswith("QUIT"):
                self.reply("221 bye")
                return
            else:
                self.reply("250 ok")


def _serve(handler: type[socketserver.BaseRequestHandler]) -> Iterator[_Server]:
    server = _Server(handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.stop.set()
        server.shutdown()
        server.server_close()


@pytest.fixture
def dead_smtp() -> Iterator[_Server]:
    yield from _serve(_Silent)


@pytest.fixture
def smtp_sink() -> Iterator[_Server]:
    yield from _serve(_Sink)


def use_smtp(app, monkeypatch, port: int) -> None:  # type: ignore[no-untyped-def]
    for key, value in {
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": port,
        "MAIL_USE_TLS": False,
        "MAIL_USERNAME": "",
        "MAIL_TIMEOUT_SECONDS": 1,
        "PUBLIC_BASE_URL": BASE,
    }.items():
        monkeypatch.setitem(app.config, key, value)


def outbox() -> list[OutboxMail]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMail).order_by(OutboxMail.id)))


def relative_paths(body: str) -> list[str]:
    """Paths in the text that are not part of an absolute address."""
    without_urls = re.sub(r"https?://\S+", "", body)
    return re.findall(r"(?:^|[\s(<\"'])(/[\w\-./?=&%]+)", without_urls)


# --- the world --------------------------------------------------------------------------------------------------


@pytest.fixture
def board_members(org):  # type: ignore[no-untyped-def]
    return [create_user(org=org, role=Role.REVIEWER, name=f"Board member {n}") for n in range(1, 6)]


@pytest.fixture
def plan_board(org, board_members):  # type: ignore[no-untyped-def]
    roles = [(board_members[0], "chair"), *((m, "member") for m in board_members[1:])]
    return create_board(org=org, name="IT Governance Board", reviews_plans=True, members=roles)


@pytest.fixture
def version(org, editor, plan_board):  # type: ignore[no-untyped-def]
    return submit(written_plan(org=org, editor=editor), editor, plan_board)


def post_comment(signed_in, member, version):  # type: ignore[no-untyped-def]
    section = version.sections[1]
    data = {"section": section.id, "quote": "", "body": "Which two data centres? Name them."}
    return signed_in(member).post(f"/plan-versions/{version.id}/comments", data=data)


# --- a dead mail server adds nothing to a request ---------------------------------------------------------------


def test_a_dead_mail_server_is_not_touched_by_the_request_and_the_failure_is_retried(
    app, monkeypatch, dead_smtp, signed_in, board_members, editor, version
):
    use_smtp(app, monkeypatch, dead_smtp.port)
    response = post_comment(signed_in, board_members[1], version)
    assert response.status_code == 302
    assert dead_smtp.connections == 0  # the request queued the notice and never called the SMTP server
    [queued] = outbox()
    assert (queued.recipient, queued.status, queued.attempts) == (editor.email, MailStatus.PENDING, 0)

    before = utcnow()
    result = services.send_pending()
    assert (result.sent, result.failed) == (0, 1) and dead_smtp.connections == 1
    [failed] = outbox()
    assert failed.status == MailStatus.PENDING and failed.attempts == 1
    assert "TimeoutError" in failed.last_error or "timed out" in failed.last_error
    assert before + timedelta(seconds=55) <= failed.next_attempt_at <= utcnow() + timedelta(seconds=65)
    assert services.send_pending().failed == 0  # not due yet: nothing is tried again at once
    assert db.session.scalar(select(Notification.emailed_at).where(Notification.user_id == editor.id)) is None


def test_submitting_to_a_five_member_board_queues_five_messages_and_calls_no_server(
    app, monkeypatch, dead_smtp, signed_in, org, editor, plan_board, board_members
):
    use_smtp(app, monkeypatch, dead_smtp.port)
    plan = written_plan(org=org, editor=editor)
    response = signed_in(editor).post(f"/plans/{plan.id}/submit", data={"board": plan_board.id, "note": ""})
    assert response.status_code == 302
    assert dead_smtp.connections == 0
    assert sorted(m.recipient for m in outbox()) == sorted(m.email for m in board_members)


def test_a_reset_request_never_waits_for_the_mail_server(app, monkeypatch, dead_smtp, client, editor):
    use_smtp(app, monkeypatch, dead_smtp.port)
    response = client.post("/forgot-password", data={"email": editor.email}, headers={"Host": "127.0.0.2:9"})
    assert response.status_code == 200 and dead_smtp.connections == 0
    [queued] = outbox()
    # the link comes from PUBLIC_BASE_URL, never from the Host header the request happened to carry
    assert f"{BASE}/reset-password?token=" in queued.body and "127.0.0.2" not in queued.body
    assert queued.expires_at is not None


def test_an_expired_reset_link_is_given_up_without_sending_and_not_kept(app, monkeypatch, smtp_sink, client, editor):
    use_smtp(app, monkeypatch, smtp_sink.port)
    client.post("/forgot-password", data={"email": editor.email})
    [queued] = outbox()
    queued.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    services.send_pending()
    [given_up] = outbox()
    assert smtp_sink.connections == 0
    assert given_up.status == MailStatus.FAILED and given_up.body == "" and "expired" in given_up.last_error


# --- retries and giving up --------------------------------------------------------------------------------------


def test_failures_back_off_1_5_30_120_minutes_then_give_up(app, monkeypatch, editor, org):
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()  # nothing listens there: the connection is refused
    use_smtp(app, monkeypatch, port)
    row = services.queue_mail(editor.email, "Subject", f"Open {BASE}/inbox", organization_id=org.id)
    db.session.commit()
    delays = []
    for _ in range(services.MAX_ATTEMPTS):
        started = utcnow()
        assert services.send_pending().failed == 1
        db.session.refresh(row)
        delays.append(round((row.next_attempt_at - started).total_seconds() / 60))
        row.next_attempt_at = utcnow() - timedelta(seconds=1)  # as if the wait had passed
        db.session.commit()
    assert delays[:4] == [1, 5, 30, 120]
    assert row.status == MailStatus.FAILED and row.attempts == 5 and "ConnectionRefusedError" in row.last_error
    assert services.send_pending().failed == 0  # given up: not tried again by itself


# --- delivery with absolute links ----------------------------------------------------------------------------


def test_a_working_server_receives_the_notice_with_an_absolute_link(
    app, monkeypatch, smtp_sink, signed_in, board_members, editor, version
):
    use_smtp(app, monkeypatch, smtp_sink.port)
    post_comment(signed_in, board_members[1], version)
    assert smtp_sink.connections == 0
    assert services.send_pending().sent == 1
    [message] = smtp_sink.messages
    body = message.get_content()
    assert message["To"] == editor.email and message["Subject"].startswith("[Planwright] Comment on")
    assert f"{BASE}/plan-versions/{version.id}" in body and relative_paths(body) == []
    [sent] = outbox()
    assert sent.status == MailStatus.SENT and sent.body == ""  # nothing kept once it went out
    assert db.session.scalar(select(Notification.emailed_at).where(Notification.user_id == editor.id)) is not None


def test_every_kind_of_e_mail_links_absolutely(
    app, monkeypatch, smtp_sink, client, signed_in, editor, org, board_members, version
):
    """Each call site that sends mail: the four governance notices and the password reset link."""
    use_smtp(app, monkeypatch, smtp_sink.port)
    from tests.governance.factories import create_review, give_scores
    from tests.portfolio.factories import create_initiative

    chair, member = board_members[0], board_members[1]
    board = create_board(org=org, members=[(chair, "chair"), (member, "member")])
    review = create_review(board=board, initiative=create_initiative(org=org, user=editor), submitted_by=editor)
    inbox.notify_review_submitted(review)
    inbox.notify_score_due(review, [member])
    for scorer in (chair, member):
        give_scores(review, scorer, [4, 4, 3, 3, 5])
    db.session.commit()
    decided = signed_in(chair).post(f"/reviews/{review.id}/decision", data={"outcome": "approve", "rationale": "Good."})
    assert decided.status_code == 302
    post_comment(signed_in, member, version)
    client.post("/forgot-password", data={"email": editor.email})
    assert smtp_sink.connections == 0
    services.send_pending()
    subjects = " | ".join(m["Subject"] for m in smtp_sink.messages)
    for expected in ("was submitted to", "Your score is due", "approve", "Comment on", "Reset your Planwright"):
        assert expected in subjects
    for message in smtp_sink.messages:
        body = message.get_content()
        assert BASE in body and relative_paths(body) == [], body


# --- what administrators see ------------------------------------------------------------------------------------


def test_the_admin_sees_the_failure_and_sends_it_again_audited(app, monkeypatch, dead_smtp, signed_in, admin, org):
    use_smtp(app, monkeypatch, dead_smtp.port)
    someone = create_user(org=org, role=Role.VIEWER, name="Pat Person")
    row = services.queue_mail(someone.email, "[Planwright] A notice", f"Open {BASE}/inbox", organization_id=org.id)
    db.session.commit()
    services.send_pending()
    client = signed_in(admin)
    page = client.get("/admin/mail").get_data(as_text=True)
    assert someone.email in page and "A notice" in page and "Waiting to retry" in page
    assert "timed out" in page or "TimeoutError" in page

    response = client.post("/admin/mail/retry", data={"mail_id": row.id})
    assert response.status_code == 302
    db.session.expire_all()
    retried = db.session.get(OutboxMail, row.id)
    assert retried.attempts == 0 and retried.next_attempt_at <= utcnow()
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "mail.retry"))
    assert event is not None and event.object_id == row.id and event.actor_id == admin.id


def test_other_offices_and_other_roles_cannot_see_or_retry(app, monkeypatch, dead_smtp, signed_in, org, editor):
    use_smtp(app, monkeypatch, dead_smtp.port)
    row = services.queue_mail(editor.email, "[Planwright] Ours", f"Open {BASE}/inbox", organization_id=org.id)
    db.session.commit()
    services.send_pending()  # fails: the next attempt is a minute away
    other_org = create_org(name="Department of Revenue")
    other_admin = create_user(org=other_org, role=Role.ADMIN, name="Other Admin")
    client = signed_in(other_admin)
    assert "Ours" not in client.get("/admin/mail").get_data(as_text=True)
    refused = client.post("/admin/mail/retry", data={"mail_id": row.id}, follow_redirects=True)
    assert "no longer waiting" in refused.get_data(as_text=True)
    assert client.post("/admin/mail/retry", data={"mail_id": "99999999999999999999"}).status_code == 400
    db.session.expire_all()
    assert db.session.get(OutboxMail, row.id).next_attempt_at > utcnow()  # still waiting for its own retry
    assert signed_in(editor).get("/admin/mail").status_code == 403
    assert db.session.scalar(select(func.count()).where(AuditEvent.action == "mail.retry")) == 0


def test_without_a_mail_server_nothing_is_queued(signed_in, board_members, version):
    assert post_comment(signed_in, board_members[1], version).status_code == 302
    assert outbox() == []


# --- who drains the outbox ------------------------------------------------------------------------------------------


def test_a_commit_that_queued_mail_wakes_the_background_thread(app, monkeypatch, editor, org):
    woken = []
    monkeypatch.setattr(worker.OutboxThread, "wake", lambda self: woken.append(self.app))
    monkeypatch.setitem(app.config, "MAIL_BACKGROUND", True)
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    services.queue_mail(editor.email, "Subject", f"{BASE}/inbox", organization_id=org.id)
    assert woken == []  # not before the commit
    db.session.commit()
    assert woken == [app]
    db.session.commit()
    assert woken == [app]  # a commit that queued nothing wakes nobody


def test_production_with_smtp_refuses_to_start_without_an_absolute_public_address(monkeypatch):  # type: ignore[no-untyped-def]
    from config import ConfigError, ProductionConfig

    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    settings = {"SECRET_KEY": "k" * 48, "MAIL_SERVER": "127.0.0.1"}
    for address, problem in (("", "PUBLIC_BASE_URL is not set"), ("127.0.0.1:5000/", "must be the address")):
        config = type("Candidate", (ProductionConfig,), {**settings, "PUBLIC_BASE_URL": address})
        with pytest.raises(ConfigError, match=problem):
            config.validate()
    type("Good", (ProductionConfig,), {**settings, "PUBLIC_BASE_URL": BASE}).validate()


def test_flask_mail_send_pending_sends_what_is_due(app, monkeypatch, smtp_sink, org, editor):  # type: ignore[no-untyped-def]
    use_smtp(app, monkeypatch, smtp_sink.port)
    services.queue_mail(editor.email, "[Planwright] Hello", f"Open {BASE}/inbox", organization_id=org.id)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["mail", "send-pending"])
    assert result.exit_code == 0 and "Sent 1 message(s); 0 failed" in result.output
    assert [m["To"] for m in smtp_sink.messages] == [editor.email]
