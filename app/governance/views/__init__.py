"""Governance pages, one module per part (boards, reviews, meetings, decisions, ranking, inbox, adoption)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("governance", __name__)

from app.governance.views import (  # noqa: E402 - the modules add their routes to bp
    adoption,
    boards,
    decisions,
    inbox,
    meetings,
    ranking,
    reviews,
)

__all__ = ["adoption", "boards", "bp", "decisions", "inbox", "meetings", "ranking", "reviews"]
