"""Without Redis, the background thread of the web process sends the outbox after each commit that queued mail.

The suite's rolled-back session cannot be shared with a thread, so this test runs an app of its own on a
SQLite file with real sessions, and the local SMTP sink of the outbox tests.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.notifications import services, worker
from app.notifications.models import MailStatus, OutboxMail
from tests.core import test_mail_outbox as shared
from tests.ops.conftest import dispose, migrated_app

smtp_sink = shared.smtp_sink


@pytest.fixture
def threaded_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, smtp_sink) -> Iterator[Flask]:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(db, "session", db._make_scoped_session({}))
    app = migrated_app(
        f"sqlite:///{tmp_path / 'mail.db'}",
        tmp_path,
        MAIL_BACKGROUND=True,
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=smtp_sink.port,
        MAIL_USE_TLS=False,
        MAIL_TIMEOUT_SECONDS=2,
        PUBLIC_BASE_URL=shared.BASE,
    )
    yield app
    worker.OutboxThread.for_app(app).stop()
    dispose(app)


def wait_until(condition, seconds: float = 30) -> bool:  # type: ignore[no-untyped-def]
    pause = threading.Event()
    for _ in range(int(seconds * 10)):
        if condition():
            return True
        pause.wait(0.1)
    return bool(condition())


def status_of_the_message() -> str | None:
    status = db.session.scalar(select(OutboxMail.status))
    db.session.remove()
    return status


def test_a_commit_that_queued_mail_is_delivered_by_the_background_thread(threaded_app, smtp_sink) -> None:  # type: ignore[no-untyped-def]
    with threaded_app.app_context():
        services.queue_mail("pat@agency.example", "[Planwright] Hello", f"Open {shared.BASE}/inbox")
        db.session.flush()
        assert smtp_sink.connections == 0
        db.session.commit()  # wakes the thread: the delivery happens there, not in this thread
        assert wait_until(lambda: smtp_sink.messages), "the background thread did not send the message"
        assert [m["To"] for m in smtp_sink.messages] == ["pat@agency.example"]
        assert wait_until(lambda: status_of_the_message() == MailStatus.SENT)
