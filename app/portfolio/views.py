from __future__ import annotations

from flask import Blueprint

bp = Blueprint("portfolio", __name__)
