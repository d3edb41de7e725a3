"""Governance pages: inbox."""

from __future__ import annotations

from app.governance.views import bp


# Placeholder so the navigation link resolves; replaced by the inbox page.
@bp.get("/inbox")
def inbox() -> str:
    return "Inbox"
