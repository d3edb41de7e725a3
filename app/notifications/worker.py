"""Who drains the outbox, and when.

After a transaction that queued mail commits, ``dispatch`` hands the work on without talking to SMTP:

* with ``REDIS_URL``: an RQ job on the ``planwright-mail`` queue, run by ``flask mail worker`` (an RQ worker with
  its scheduler, which also runs the retries at their time);
* otherwise: the background thread of this web process (``MAIL_BACKGROUND``), which also wakes every
  ``MAIL_POLL_SECONDS`` to send retries that came due and rows another process left behind.

``flask mail send-pending`` drains the outbox once (cron, or after an outage).
"""

from __future__ import annotations

import logging
import os
import threading
from datetime import UTC, datetime
from typing import Any

from flask import Flask, current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.notifications import services

log = logging.getLogger(__name__)
QUEUE_NAME = "planwright-mail"
RETRY_JOB_ID = "planwright-mail-retry"  # one scheduled retry run at a time, moved to the earliest due row
_listening = False


def register_dispatch(app: Flask) -> None:
    global _listening
    if not _listening:
        event.listen(Session, "after_commit", _after_commit)
        _listening = True

    @app.before_request
    def start_mail_thread() -> None:
        if _uses_thread(app):
            OutboxThread.for_app(app).ensure_running()


def _uses_thread(app: Flask) -> bool:
    config = app.config
    return bool(config.get("MAIL_BACKGROUND") and config.get("MAIL_SERVER") and not config.get("REDIS_URL"))


def _after_commit(session: Session) -> None:
    if session.info.pop(services.QUEUED, False) and has_app_context():
        dispatch(current_app._get_current_object())  # type: ignore[attr-defined]


def dispatch(app: Flask) -> None:
    """Hand committed outbox rows to the configured worker; never raises, never talks to SMTP."""
    if app.config.get("REDIS_URL"):
        try:
            mail_queue(app.config["REDIS_URL"]).enqueue(drain_job, result_ttl=600, failure_ttl=86_400)
        except Exception as exc:  # Redis down: the rows wait in the outbox for the next run or send-pending
            log.warning("mail: could not queue the outbox run on Redis (%s); the messages wait in the outbox", exc)
    elif _uses_thread(app):
        OutboxThread.for_app(app).wake()


# --- RQ ----------------------------------------------------------------------------------------------------


def mail_queue(redis_url: str) -> Any:
    from rq import Queue

    from app.exports.pdf.jobs import redis_client  # the exports' shared client, with short timeouts

    return Queue(QUEUE_NAME, connection=redis_client(redis_url))


def drain_job() -> int:
    """The RQ job: drain the outbox (in the worker's app context) and schedule the next retry run."""
    if has_app_context():
        return _drain_and_schedule()
    from app import create_app

    with create_app().app_context():
        return _drain_and_schedule()


def _drain_and_schedule() -> int:
    result = services.send_pending()
    due = services.next_attempt_due()
    url = current_app.config.get("REDIS_URL")
    if due is not None and url:
        mail_queue(url).enqueue_at(
            max(due, datetime.now(UTC)), drain_job, job_id=RETRY_JOB_ID, result_ttl=600, failure_ttl=86_400
        )
    return result.sent


def run_rq_worker(redis_url: str, *, burst: bool = False) -> bool:
    """``flask mail worker`` with REDIS_URL: one run at start (rows queued while Redis was away), then the queue."""
    from rq import SimpleWorker

    queue = mail_queue(redis_url)
    queue.enqueue(drain_job, result_ttl=600, failure_ttl=86_400)
    # SimpleWorker runs jobs in this process, inside the command's app context and database pool.
    worker = SimpleWorker([queue], connection=queue.connection)
    return bool(worker.work(burst=burst, with_scheduler=not burst))


# --- the background thread -----------------------------------------------------------------------------------


class OutboxThread:
    """One daemon thread per process (started again after a fork) that drains the outbox when woken."""

    _instances: dict[int, OutboxThread] = {}  # noqa: RUF012 - one per application object
    _lock = threading.Lock()

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.wanted = threading.Event()
        self.stopping = threading.Event()
        self.thread: threading.Thread | None = None
        self.pid = 0

    @classmethod
    def for_app(cls, app: Flask) -> OutboxThread:
        with cls._lock:
            return cls._instances.setdefault(id(app), cls(app))

    def ensure_running(self) -> None:
        with self._lock:
            if self.thread is not None and self.thread.is_alive() and self.pid == os.getpid():
                return
            self.pid = os.getpid()
            self.thread = threading.Thread(target=self._run, name="planwright-mail", daemon=True)
            self.thread.start()

    def wake(self) -> None:
        self.ensure_running()
        self.wanted.set()

    def stop(self) -> None:
        """End the thread after its current run (tests, and an app being discarded)."""
        self.stopping.set()
        self.wanted.set()
        if self.thread is not None:
            self.thread.join(timeout=30)

    def _run(self) -> None:
        poll = max(1, int(self.app.config.get("MAIL_POLL_SECONDS") or 30))
        while not self.stopping.is_set():
            self.wanted.wait(timeout=poll)
            self.wanted.clear()
            if not self.stopping.is_set():
                drain_once(self.app)


def wait_for_next_poll(app: Flask) -> None:
    threading.Event().wait(max(1, int(app.config.get("MAIL_POLL_SECONDS") or 30)))


def drain_once(app: Flask) -> services.DrainResult:
    """One pass in a fresh app context; errors are logged (a bad database moment must not end the thread)."""
    with app.app_context():
        try:
            return services.send_pending()
        except Exception:
            from app.extensions import db

            db.session.rollback()
            log.exception("mail: the outbox run failed; it will try again")
            return services.DrainResult()
