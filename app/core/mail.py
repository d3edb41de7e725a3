"""The SMTP transport (MAIL_* settings) and the development log that stands in for it.

Nothing in a web request talks to the SMTP server: domains put messages in the outbox
(``app.notifications.services.queue_mail``) in their own transaction, and the mail worker calls ``smtp_send``
later, with retries. Without ``MAIL_SERVER``, development and tests write the message to the application log
(``log_unsent``) so a developer can follow the link; production logs only that nothing was sent, so a reset link
never ends up in a production log.
"""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

from flask import current_app


class MailError(RuntimeError):
    """The SMTP server refused or could not be reached; the message is safe to log and to show an admin."""


def mail_configured() -> bool:
    return bool(current_app.config.get("MAIL_SERVER"))


def public_url(path: str) -> str:
    """The absolute address of a path inside the app, from PUBLIC_BASE_URL (never from a request's Host header)."""
    if not path.startswith("/") or path.startswith("//"):
        raise ValueError(f"not a path inside the app: {path!r}")
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + path


def log_unsent(to: str, subject: str, body: str) -> bool:
    """Without MAIL_SERVER: the whole message to the log in development and tests; True when it was logged."""
    if current_app.config.get("MAIL_LOG_WHEN_UNCONFIGURED"):
        current_app.logger.warning(
            "E-mail not sent (no MAIL_SERVER configured). To: %s\nSubject: %s\n\n%s", to, subject, body
        )
        return True
    current_app.logger.warning("E-mail to %s not sent: no MAIL_SERVER is configured.", to)
    return False


def smtp_send(to: str, subject: str, body: str) -> None:
    """Send one plain-text message through MAIL_SERVER; raises MailError. Only the mail worker calls this."""
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    timeout = int(config.get("MAIL_TIMEOUT_SECONDS") or 10)
    try:
        with smtplib.SMTP(config["MAIL_SERVER"], int(config["MAIL_PORT"]), timeout=timeout) as smtp:
            if config.get("MAIL_USE_TLS"):
                smtp.starttls()
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        detail = str(exc)[:200]
        raise MailError(
            f"Could not send through {config['MAIL_SERVER']}:{config['MAIL_PORT']}: "
            f"{exc.__class__.__name__}{f' ({detail})' if detail else ''}"
        ) from exc


def send_mail(to: str, subject: str, body: str, *, organization_id: int | None = None) -> bool:
    """Queue a message in the outbox in the current transaction (it leaves after the commit); False when it
    could not go anywhere. Kept for callers written before the outbox: it never talks to SMTP itself.
    """
    from app.notifications.services import queue_mail  # the outbox builds on this module

    if not mail_configured():
        return log_unsent(to, subject, body)
    queue_mail(to, subject, body, organization_id=organization_id)
    return True
