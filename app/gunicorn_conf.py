"""gunicorn settings for production: ``gunicorn -c python:app.gunicorn_conf "app:create_app()"``.

Environment (command-line options such as ``--bind`` or ``--workers`` override these):

- ``PLANWRIGHT_BIND`` (default ``127.0.0.1:8000``): where to listen; behind a reverse proxy keep loopback or
  a private address.
- ``WEB_CONCURRENCY`` (default 2 × CPU cores + 1, at most 12): sync worker processes.
- ``GUNICORN_TIMEOUT`` (default 30 s): a worker silent for this long is replaced. PDFs never render in a
  request, so no page needs more.
- ``FORWARDED_ALLOW_IPS`` (default loopback): addresses of proxies whose ``X-Forwarded-Proto`` gunicorn
  believes. Client addresses (``X-Forwarded-For``) are read by the app itself through ``TRUSTED_PROXY_COUNT``.
- ``PLANWRIGHT_WARM_SECONDS`` (default 5; 0 to switch off): time spent building the "similar work" indexes
  before the workers start.

The application is loaded once in the master (``preload_app``) and ``gc.freeze()`` moves everything it
allocated out of the garbage collector's reach, so the forked workers share those memory pages instead of
copying them when the collector touches them. The access log is off: the app writes one JSON line per request
with its request id (``app/core/logging.py``).
"""

from __future__ import annotations

import gc
import logging
import os
import time
from typing import Any

MAX_DEFAULT_WORKERS = 12
MAX_WARM_FAMILIES = 32  # the index cache keeps about this many families


def _default_workers() -> int:
    return min(2 * (os.cpu_count() or 1) + 1, MAX_DEFAULT_WORKERS)


bind = [os.environ.get("PLANWRIGHT_BIND", "127.0.0.1:8000")]
workers = int(os.environ.get("WEB_CONCURRENCY") or _default_workers())
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
preload_app = True
accesslog = None  # the app's own request log replaces it
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
limit_request_line = 8190
limit_request_fields = 100
control_socket_disable = True  # no runtime control socket in the home folder; manage workers with signals

log = logging.getLogger("gunicorn.error")


def _flask_app(server: Any) -> Any:
    """The preloaded Flask application (gunicorn's master already holds it)."""
    return server.app.wsgi()


def warm_similarity(app: Any, budget_seconds: float) -> int:
    """Build each organization family's "similar work" index within ``budget_seconds``; return how many.

    Runs in the master before forking, so every worker starts with the indexes (shared copy-on-write); a
    worker only checks each index's signature on its first question and catches up on what changed since.
    """
    from app.architecture.queries import family_of
    from app.architecture.similarity import family_index
    from app.auth.models import Organization
    from app.extensions import db

    built = 0
    deadline = time.monotonic() + budget_seconds
    with app.app_context():
        try:
            for organization in db.session.scalars(db.select(Organization).order_by(Organization.id)):
                if time.monotonic() > deadline or built >= MAX_WARM_FAMILIES:
                    break
                family_index(family_of(organization))
                built += 1
        finally:
            db.session.remove()
            db.engine.dispose()  # no database connection may cross the fork
    return built


def when_ready(server: Any) -> None:
    """After the app is loaded in the master, before the first fork."""
    budget = float(os.environ.get("PLANWRIGHT_WARM_SECONDS", "5"))
    if budget > 0:
        try:
            built = warm_similarity(_flask_app(server), budget)
            server.log.info("similar-work indexes built for %d organization families", built)
        except Exception as exc:  # a warm-up is an optimisation: the workers build indexes on demand
            server.log.warning("similar-work warm-up skipped: %s", type(exc).__name__)
    gc.collect()
    gc.freeze()


def worker_exit(server: Any, worker: Any) -> None:
    """In a worker that is leaving (a restart, a reload, a shutdown): let its PDF renders finish within the
    graceful timeout. If it is killed first, its rendering processes die with it and the job-state reader
    reports the unfinished exports lost, so people can ask again (app/exports/pdf/jobs.py)."""
    from app.exports.pdf import jobs

    jobs.shutdown_pool(wait=True)


def post_fork(server: Any, worker: Any) -> None:
    """In each new worker: forget any pooled database connection inherited from the master."""
    app = _flask_app(server)
    from app.extensions import db

    with app.app_context():
        db.engine.dispose(close=False)
