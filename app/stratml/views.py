"""StratML download and upload pages (placeholder: filled in by the StratML work)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("stratml", __name__)
