"""Architecture pages."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("architecture", __name__)


# Placeholder so the navigation link resolves; the architecture work replaces it.
@bp.get("/architecture/services")
def list_services() -> str:
    return "Architecture"
