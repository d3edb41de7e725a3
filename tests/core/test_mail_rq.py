"""With REDIS_URL the outbox is drained by RQ jobs (``flask mail worker``), queued only after the commit.

Each test starts a throw-away redis-server of its own on a loopback port (skipped where none is installed).
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import timedelta

import pytest
from rq import SimpleWorker
from rq.registry import ScheduledJobRegistry

from app.core.db import utcnow
from app.exports.pdf import jobs
from app.extensions import db
from app.notifications import services, worker
from app.notifications.models import MailStatus
from tests.core import test_mail_outbox as shared
from tests.core.test_mail_outbox import BASE, outbox, post_comment, use_smtp
from tests.exports.test_rq import RedisServer, needs_redis

# The SMTP servers and the board world of the outbox tests, as fixtures here too.
dead_smtp, smtp_sink = shared.dead_smtp, shared.smtp_sink
board_members, plan_board, version = shared.board_members, shared.plan_board, shared.version


@pytest.fixture
def mail_queue(app, monkeypatch) -> Iterator:  # type: ignore[no-untyped-def]
    server = RedisServer()
    server.start()
    monkeypatch.setitem(app.config, "REDIS_URL", server.url)
    try:
        yield worker.mail_queue(server.url)
    finally:
        server.stop()
        jobs._redis_clients.clear()


def run_worker(queue) -> None:  # type: ignore[no-untyped-def]
    SimpleWorker([queue], connection=queue.connection).work(burst=True)


@needs_redis
def test_the_request_queues_a_job_after_commit_and_the_worker_delivers(
    app, monkeypatch, mail_queue, smtp_sink, signed_in, board_members, editor, version
):
    use_smtp(app, monkeypatch, smtp_sink.port)
    assert post_comment(signed_in, board_members[1], version).status_code == 302
    assert smtp_sink.connections == 0 and mail_queue.count == 1
    run_worker(mail_queue)
    [message] = smtp_sink.messages
    assert message["To"] == editor.email and f"{BASE}/plan-versions/{version.id}" in message.get_content()
    assert [m.status for m in outbox()] == [MailStatus.SENT]


@needs_redis
def test_a_failed_delivery_schedules_the_retry_run_at_its_time(
    app, monkeypatch, mail_queue, dead_smtp, signed_in, board_members, version
):
    use_smtp(app, monkeypatch, dead_smtp.port)
    post_comment(signed_in, board_members[1], version)
    assert dead_smtp.connections == 0
    run_worker(mail_queue)
    assert dead_smtp.connections == 1
    [row] = outbox()
    assert row.status == MailStatus.PENDING and row.attempts == 1 and row.last_error
    registry = ScheduledJobRegistry(queue=mail_queue)
    assert registry.get_job_ids() == [worker.RETRY_JOB_ID]
    when = registry.get_scheduled_time(worker.RETRY_JOB_ID)
    assert utcnow() + timedelta(seconds=30) < when.replace(tzinfo=utcnow().tzinfo) <= row.next_attempt_at


def test_redis_down_keeps_the_message_in_the_outbox_and_the_request_succeeds(
    app, monkeypatch, dead_smtp, signed_in, board_members, version
):
    use_smtp(app, monkeypatch, dead_smtp.port)
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    monkeypatch.setitem(app.config, "REDIS_URL", f"redis://127.0.0.1:{port}/8")
    assert post_comment(signed_in, board_members[1], version).status_code == 302
    [row] = outbox()
    assert row.status == MailStatus.PENDING and dead_smtp.connections == 0
    db.session.commit()
    assert services.next_attempt_due() is not None  # `flask mail send-pending` or the next run sends it
