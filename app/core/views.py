"""Pages that belong to no domain: home, accessibility statement, health and readiness checks."""

from __future__ import annotations

import os

from flask import Blueprint, current_app, redirect, render_template, url_for
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from app.extensions import db

bp = Blueprint("core", __name__)


@bp.get("/")
def index():  # type: ignore[no-untyped-def]
    return redirect(url_for("plans.list_plans"))


@bp.get("/accessibility")
def accessibility():  # type: ignore[no-untyped-def]
    return render_template("core/accessibility.html")


@bp.get("/healthz")
def healthz():  # type: ignore[no-untyped-def]
    """The process is up (liveness): nothing else is checked, so a slow database never restarts it."""
    return {"status": "ok"}


@bp.get("/readyz")
def readyz():  # type: ignore[no-untyped-def]
    """Ready for traffic: the database answers and can write, and the export queue is reachable with a live
    worker (RQ) or a sound pool; 503 naming what failed.

    The body says which check failed and in general terms why, never a URL, host or password.
    """
    checks = {"database": _check_database(), "queue": _check_queue()}
    ready = all(check["status"] == "ok" for check in checks.values())
    return {"status": "ok" if ready else "unavailable", "checks": checks}, 200 if ready else 503


def _check_database() -> dict[str, str]:
    try:
        db.session.execute(text("SELECT 1"))
        problem = _write_problem()
        db.session.rollback()  # end the transaction at once (on SQLite it holds the write lock)
    except Exception as exc:
        db.session.rollback()
        current_app.logger.warning("readiness: database check failed: %s", type(exc).__name__)
        return {"status": "failed", "detail": "The database did not answer."}
    if problem:
        current_app.logger.warning("readiness: the database cannot write: %s", problem)
        return {"status": "failed", "detail": f"The database answers but cannot write: {problem}."}
    return {"status": "ok", "detail": db.engine.dialect.name}


MIN_FREE_BYTES = 8 * 1024 * 1024  # below this, SQLite's next commits would fail with "database or disk is full"


def _write_problem() -> str | None:
    """Why the database cannot take a write, or None. In the open transaction (rolled back by the caller):
    PostgreSQL says whether it is read-only (a standby, or read-only by setting); SQLite tries a write that is
    never committed and checks the free space beside its file (a rolled-back write touches no disk)."""
    if db.engine.dialect.name == "postgresql":
        read_only = db.session.execute(text("SHOW transaction_read_only")).scalar()
        return "it is read-only" if read_only == "on" else None
    if db.engine.dialect.name != "sqlite":
        return None
    try:
        with db.session.begin_nested():
            db.session.execute(text("CREATE TABLE readyz_write_probe (id INTEGER)"))
            db.session.execute(text("DROP TABLE readyz_write_probe"))
    except OperationalError as exc:
        return "it is read-only" if "readonly" in str(exc.orig).replace("-", "") else "a test write failed"
    database = db.engine.url.database or ""
    if database in ("", ":memory:"):
        return None
    folder = os.path.dirname(os.path.abspath(database.removeprefix("file:").split("?", 1)[0]))
    disk = os.statvfs(folder)
    return "its disk is full" if disk.f_bavail * disk.f_frsize < MIN_FREE_BYTES else None


def _check_queue() -> dict[str, str]:
    url = current_app.config.get("REDIS_URL")
    if url:
        return _check_redis(url)
    state = _export_pool_state()
    if state == "broken":
        return {"status": "failed", "detail": "The in-process export pool stopped; it restarts on the next check."}
    return {"status": "ok", "detail": f"in-process export pool ({state})"}


def _export_pool_state() -> str:
    """idle (starts with the first export), running, or broken (then dropped, so the next export starts anew)."""
    from app.exports.pdf import jobs

    with jobs._pool_lock:
        pool = jobs._pool
        if pool is None:
            return "idle"
        if getattr(pool, "_broken", False):
            jobs.shutdown_pool(wait=False)
            return "broken"
    return "running"


def _check_redis(url: str) -> dict[str, str]:
    """Redis answers, and at least one export worker is alive (RQ's worker registry and heartbeats)."""
    from redis import Redis
    from redis.exceptions import RedisError

    from app.exports.pdf import jobs

    timeout = current_app.config.get("READYZ_TIMEOUT_SECONDS", 2)
    client = Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
    try:
        client.ping()
        workers = len(jobs.live_workers(client))
    except (RedisError, OSError) as exc:
        current_app.logger.warning("readiness: Redis check failed: %s", type(exc).__name__)
        return {"status": "failed", "detail": "Redis (the export queue) did not answer."}
    finally:
        client.close()
    if not workers:
        current_app.logger.warning("readiness: no export worker is alive")
        return {"status": "failed", "detail": "No export worker is running (flask exports worker): PDFs would wait."}
    return {"status": "ok", "detail": f"redis, {workers} export worker{'s' if workers != 1 else ''}"}
