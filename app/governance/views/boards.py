"""Governance pages: boards."""

from __future__ import annotations

from app.governance.views import bp


# Placeholder so the navigation link resolves; replaced by the boards pages.
@bp.get("/boards")
def list_boards() -> str:
    return "Boards"
