"""Governance pages."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("governance", __name__)


# Placeholders so the navigation links resolve; the governance work replaces them.
@bp.get("/boards")
def list_boards() -> str:
    return "Boards"


@bp.get("/inbox")
def inbox() -> str:
    return "Inbox"
