"""Sending e-mail through SMTP (MAIL_* settings), or, in development without SMTP, to the log.

``send_mail`` is the one way out for every domain (password reset links, inbox notifications). Without
``MAIL_SERVER`` the message is written to the application log with ``app.logger.warning`` so a developer can
follow the link; production refuses to start without ``MAIL_SERVER`` (config.ProductionConfig.validate), so a
reset link can never end up in a production log.
"""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

from flask import current_app


class MailError(RuntimeError):
    """The SMTP server refused or could not be reached; the message is safe to log."""


def mail_configured() -> bool:
    return bool(current_app.config.get("MAIL_SERVER"))


def send_mail(to: str, subject: str, body: str) -> bool:
    """Send a plain-text message to one address. False when it could not go anywhere.

    Without MAIL_SERVER, development and tests write the whole message to the log (MAIL_LOG_WHEN_UNCONFIGURED);
    production logs only that nothing was sent, never the body.
    """
    config = current_app.config
    if not mail_configured():
        if config.get("MAIL_LOG_WHEN_UNCONFIGURED"):
            current_app.logger.warning(
                "E-mail not sent (no MAIL_SERVER configured). To: %s\nSubject: %s\n\n%s", to, subject, body
            )
            return True
        current_app.logger.warning("E-mail to %s not sent: no MAIL_SERVER is configured.", to)
        return False
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    try:
        with smtplib.SMTP(config["MAIL_SERVER"], int(config["MAIL_PORT"]), timeout=10) as smtp:
            if config.get("MAIL_USE_TLS"):
                smtp.starttls()
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(f"Could not send e-mail through {config['MAIL_SERVER']}: {exc.__class__.__name__}") from exc
    return True
