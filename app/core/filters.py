"""Jinja filters and globals."""

from __future__ import annotations

from datetime import datetime

from flask import Flask
from flask_login import current_user

from app.core.markdown import render_markdown


def format_datetime(value: datetime | None) -> str:
    return value.strftime("%-d %b %Y, %H:%M UTC") if value else "—"


def register_template_helpers(app: Flask) -> None:
    app.add_template_filter(render_markdown, "markdown")
    app.add_template_filter(format_datetime, "datetime")

    @app.context_processor
    def inject_context() -> dict[str, object]:
        from app.auth.context import current_organization

        if current_user.is_authenticated and current_user.active_memberships:
            organization = current_organization()
            return {"current_org": organization, "current_role": current_user.role_in(organization.id)}
        return {"current_org": None, "current_role": None}
