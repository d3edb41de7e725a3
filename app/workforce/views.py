"""Workforce pages."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("workforce", __name__)


# Placeholder so the navigation link resolves; the workforce work replaces it.
@bp.get("/workforce")
def show_workforce() -> str:
    return "Workforce"
