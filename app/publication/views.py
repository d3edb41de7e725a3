"""Public pages of published plans (placeholder: filled in by the publication work)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("public", __name__, url_prefix="/public")
