"""``flask mail``: drain the outbox once, or run the mail worker."""

from __future__ import annotations

import click
from flask import current_app

mail = click.Group("mail", help="Send the e-mail waiting in the outbox and run the mail worker.")


@mail.command("send-pending")
def send_pending_command() -> None:
    """Send every message that is due now (the outbox is also drained by the worker on its own)."""
    from app.notifications.services import send_pending

    result = send_pending()
    click.echo(f"Sent {result.sent} message(s); {result.failed} failed and will be retried or listed at /admin/mail.")


@mail.command("worker")
@click.option("--burst", is_flag=True, help="Stop when nothing is left to do now.")
def mail_worker(burst: bool) -> None:
    """Send e-mail from the outbox: an RQ worker on the mail queue with REDIS_URL, otherwise a polling loop."""
    from app.notifications import worker

    url = current_app.config["REDIS_URL"]
    if url:
        worker.run_rq_worker(url, burst=burst)
        return
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    while True:
        result = worker.drain_once(app)
        if burst:
            click.echo(f"Sent {result.sent} message(s); {result.failed} failed.")
            return
        worker.wait_for_next_poll(app)
