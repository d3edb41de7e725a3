"""Pages that belong to no domain: home, accessibility statement, health and readiness checks."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, url_for
from sqlalchemy import text

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
    """Ready for traffic: the database answers and the export queue is reachable; 503 naming what failed.

    The body says which check failed and in general terms why, never a URL, host or password.
    """
    checks = {"database": _check_database(), "queue": _check_queue()}
    ready = all(check["status"] == "ok" for check in checks.values())
    return {"status": "ok" if ready else "unavailable", "checks": checks}, 200 if ready else 503


def _check_database() -> dict[str, str]:
    try:
        db.session.execute(text("SELECT 1"))
        db.session.rollback()  # end the transaction at once (on SQLite it holds the write lock)
    except Exception as exc:
        db.session.rollback()
        current_app.logger.warning("readiness: database check failed: %s", type(exc).__name__)
        return {"status": "failed", "detail": "The database did not answer."}
    return {"status": "ok", "detail": db.engine.dialect.name}


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
    from redis import Redis
    from redis.exceptions import RedisError

    timeout = current_app.config.get("READYZ_TIMEOUT_SECONDS", 2)
    client = Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
    try:
        client.ping()
    except (RedisError, OSError) as exc:
        current_app.logger.warning("readiness: Redis check failed: %s", type(exc).__name__)
        return {"status": "failed", "detail": "Redis (the export queue) did not answer."}
    finally:
        client.close()
    return {"status": "ok", "detail": "redis"}
