"""The RQ path: with REDIS_URL set, an export is queued in Redis and `flask exports worker` renders it.

Each test starts a Redis server of its own on a free loopback port (never the machine's shared one), so it can
stop and restart it: the worker keeps working after Redis returns, and the job-state reader reports a job lost
(its worker killed, Redis emptied or down) within seconds, from RQ's own state.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask

from app.auth.models import Role
from app.exports import services
from app.exports.models import Export
from app.exports.pdf import jobs
from app.exports.pdf.jobs import run_rq_worker
from app.extensions import db
from bench.load import free_port
from tests.factories import create_org, create_plan, create_user

ROOT = Path(__file__).resolve().parent.parent.parent
needs_redis = pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server is not installed")


class RedisServer:
    """A throw-away redis-server on 127.0.0.1 (no persistence): ``stop()`` and ``start()`` it at will."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server") or "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        assert wait_for(self._answers, seconds=10), "redis-server did not start"

    def _answers(self) -> bool:
        from redis import Redis
        from redis.exceptions import RedisError

        client = Redis.from_url(self.url, socket_connect_timeout=0.5)
        try:
            return bool(client.ping())
        except RedisError:
            return False
        finally:
            client.close()

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None


def wait_for(condition: Callable[[], bool], *, seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    server = RedisServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()
        jobs._redis_clients.clear()


@pytest.fixture
def rq_app(app: Flask, redis_server: RedisServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Flask:
    monkeypatch.setitem(app.config, "EXPORT_SYNC", False)
    monkeypatch.setitem(app.config, "REDIS_URL", redis_server.url)
    monkeypatch.setitem(app.config, "EXPORT_DIR", str(tmp_path))
    return app


def worker_process(url: str) -> subprocess.Popen[bytes]:
    """The export worker loop as ``flask exports worker`` runs it, without an app: it renders jobs that carry
    their HTML (``_long_job``); jobs that build their HTML need the app the CLI command runs in."""
    script = f"from app.exports.pdf.jobs import run_rq_worker; run_rq_worker({url!r})"
    return subprocess.Popen(
        [sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait()


def _plan(title: str):  # type: ignore[no-untyped-def]
    org = create_org()
    return create_plan(org=org, owner=create_user(org=org, role=Role.EDITOR), title=title)


def _request(app: Flask, plan) -> Export:  # type: ignore[no-untyped-def]
    with app.test_request_context("/"):
        requested = services.request_plan_pdf(plan, user=None)
        db.session.flush()
    return requested.export


def _refreshed(app: Flask, export: Export) -> Export:
    with app.test_request_context("/"):
        services.refresh(export)
    return export


def _long_job(app: Flask, export: Export, *, paragraphs: int = 3_000) -> jobs.RenderJob:
    """Re-queue ``export`` as a long render (many pages), so it is still running when the test acts. The job
    carries its HTML: the worker process of these tests has no app (the test's data is not committed)."""
    token = jobs.new_token()
    html = "<p>words</p>" * paragraphs
    job = jobs.RenderJob(export.id, html, app.config["EXPORT_DIR"], token=token, timeout_seconds=120)
    export.job_ref = jobs.enqueue_rq(job, app.config["REDIS_URL"]).dumps()
    return job


@needs_redis
def test_an_rq_worker_renders_the_queued_export(rq_app: Flask, redis_server: RedisServer) -> None:
    export = _request(rq_app, _plan("Queued through Redis"))
    assert _refreshed(rq_app, export).status == "queued"  # nothing renders until a worker runs
    run_rq_worker(redis_server.url, burst=True)
    _refreshed(rq_app, export)
    assert export.status == "ready", export.error
    assert services.file_path(export) is not None and export.pages


@needs_redis
def test_the_worker_keeps_working_after_redis_drops_mid_render_and_returns(
    rq_app: Flask, redis_server: RedisServer
) -> None:
    first = _request(rq_app, _plan("Rendering when Redis drops"))
    long_job = _long_job(rq_app, first)
    worker = worker_process(redis_server.url)
    try:
        assert wait_for(lambda: jobs.read_started(long_job.export_dir, long_job.key) is not None)
        redis_server.stop()
        time.sleep(jobs.WORKER_MONITOR_SECONDS * 2)  # the worker notices while the render goes on
        redis_server.start()  # empty: it kept nothing
        jobs._redis_clients.clear()
        second = _request(rq_app, _plan("Asked for after Redis returned"))
        assert second.status == "queued" and not second.error
        _long_job(rq_app, second, paragraphs=20)  # a short render with its HTML (see _long_job)
        assert wait_for(lambda: _refreshed(rq_app, second).status == "ready", seconds=120), second.error
        assert worker.poll() is None, "the worker stopped"
    finally:
        stop(worker)


@needs_redis
def test_a_job_whose_worker_was_killed_is_lost_within_seconds(rq_app: Flask, redis_server: RedisServer) -> None:
    export = _request(rq_app, _plan("Worker killed"))
    long_job = _long_job(rq_app, export)
    worker = worker_process(redis_server.url)
    try:
        assert wait_for(lambda: jobs.read_started(long_job.export_dir, long_job.key) is not None)
        assert _refreshed(rq_app, export).status == "rendering"
    finally:
        stop(worker)  # SIGKILL: the worker cannot tell RQ anything
    assert wait_for(lambda: _refreshed(rq_app, export).status == "failed", seconds=jobs.HEARTBEAT_STALE_SECONDS + 10)
    assert "stopped" in export.error and "Request the PDF again" in export.error
    with rq_app.test_request_context("/"):
        again = services.request_plan_pdf(export.plan, user=None)
    assert not again.reused


@needs_redis
def test_a_job_redis_no_longer_has_or_cannot_tell_is_lost(rq_app: Flask, redis_server: RedisServer) -> None:
    emptied = _request(rq_app, _plan("Redis restarted"))
    unreachable = _request(rq_app, _plan("Redis down"))
    redis_server.stop()
    redis_server.start()  # without persistence: every job is gone
    jobs._redis_clients.clear()
    assert _refreshed(rq_app, emptied).status == "failed"
    assert "no longer has this job" in emptied.error
    redis_server.stop()
    assert _refreshed(rq_app, unreachable).status == "failed"
    assert "cannot be reached" in unreachable.error
