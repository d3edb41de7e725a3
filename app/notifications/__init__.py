"""Outgoing e-mail: an outbox written in the caller's transaction, delivered after the commit by a worker.

``services.queue_mail`` adds a row; after the commit the row is handed to RQ (with ``REDIS_URL``, run by
``flask mail worker``) or to the background thread of this process (``worker.py``). Failed deliveries are
retried with backoff and listed for administrators at /admin/mail (``views.py``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def register_mail(app: Flask) -> None:
    """Hand committed outbox rows to a worker, and register the admin page."""
    from app.notifications.views import bp
    from app.notifications.worker import register_dispatch

    app.register_blueprint(bp)
    register_dispatch(app)
